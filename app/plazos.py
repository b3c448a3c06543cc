"""The informativa's periods and deadlines, with no web or database.

A `Periodo` is one cuatrimestre of one ejercicio: 1 = enero–abril, 2 = mayo–agosto, 3 = septiembre–diciembre. Its
informativa is due on the 17th of the month after it ends (17 May, 17 September, 17 January of the next year),
moved to the next business day when that day is a Saturday, a Sunday or an official holiday (IMSS Lineamientos,
numeral 5.5). Dates here are calendar dates: the caller passes Mexico City's today (`app.hora.hoy()`), the clock
the Lineamientos use (numeral 5.3).

Official holidays come from the `holidays` package's Mexico calendar, which is exactly the mandatory rest days of
the Ley Federal del Trabajo, art. 74, fractions I-VIII: 1 January, the first Monday of February, the third Monday
of March, 1 May, 16 September, the third Monday of November, 1 October every six years when the federal executive
changes (2024, 2030, …) and 25 December. It leaves out fraction IX (the day of an ordinary election, a Sunday since
2014, so no business day is lost) and the days that are not LFT rest days although many offices close: Holy
Thursday and Friday, 2 November, 12 December. When IMSS declares such days inhábiles in one of its acuerdos, pass
them as `inhabiles` to the functions below.
"""
from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

import holidays

from .rechazo import Rechazo

__all__ = ["CUATRIMESTRES", "INICIO_REFORMA", "Periodo", "dia_habil_siguiente", "dias_habiles_entre", "es_habil",
           "fecha_limite", "feriado", "fuera_de_plazo", "periodo_de", "REGLA_PLAZO", "terminado"]

# The subcontracting reform (DOF 23-04-2021) took effect on 24 April 2021: nothing before is reported.
INICIO_REFORMA = date(2021, 4, 24)
MIN_EJERCICIO = 2021
# A generous upper bound: a typed year past it is a typo, and every date computed here stays far from date.max.
MAX_EJERCICIO = 2100
DIA_LIMITE = 17

# cuatrimestre → (first month, last month, Spanish name)
CUATRIMESTRES = {1: (1, 4, "Enero–Abril"), 2: (5, 8, "Mayo–Agosto"), 3: (9, 12, "Septiembre–Diciembre")}

MSG_EJERCICIO = f"El ejercicio debe ser un año entre {MIN_EJERCICIO} y {MAX_EJERCICIO}."
MSG_EJERCICIO_REFORMA = (f"El ejercicio debe ser {MIN_EJERCICIO} o posterior: la reforma de subcontratación entró en "
                         "vigor el 24 de abril de 2021.")
MSG_CUATRIMESTRE = "El cuatrimestre debe ser 1 (enero–abril), 2 (mayo–agosto) o 3 (septiembre–diciembre)."


@dataclass(frozen=True, order=True)
class Periodo:
    """One cuatrimestre of one ejercicio. Refuses a year out of range (campo "ejercicio") or a cuatrimestre other
    than 1, 2, 3 (campo "cuatrimestre") with `Rechazo`. Periods sort by time."""

    ejercicio: int
    cuatrimestre: int

    def __post_init__(self) -> None:
        # bool is an int subclass: True would otherwise be cuatrimestre 1.
        if type(self.ejercicio) is not int or self.ejercicio > MAX_EJERCICIO:
            raise Rechazo("ejercicio", MSG_EJERCICIO)
        if self.ejercicio < MIN_EJERCICIO:
            raise Rechazo("ejercicio", MSG_EJERCICIO_REFORMA)
        if type(self.cuatrimestre) is not int or self.cuatrimestre not in CUATRIMESTRES:
            raise Rechazo("cuatrimestre", MSG_CUATRIMESTRE)

    @property
    def inicio(self) -> date:
        return date(self.ejercicio, CUATRIMESTRES[self.cuatrimestre][0], 1)

    @property
    def fin(self) -> date:
        ultimo_mes = CUATRIMESTRES[self.cuatrimestre][1]
        if ultimo_mes == 12:
            return date(self.ejercicio, 12, 31)
        return date(self.ejercicio, ultimo_mes + 1, 1) - timedelta(days=1)

    @property
    def nombre(self) -> str:
        """"Enero–Abril 2026" (with an en dash), as the list of informativas shows it."""
        return f"{CUATRIMESTRES[self.cuatrimestre][2]} {self.ejercicio}"

    def contiene(self, fecha: date) -> bool:
        return self.inicio <= fecha <= self.fin

    def __str__(self) -> str:
        return self.nombre


def periodo_de(fecha: date) -> Periodo:
    """The cuatrimestre a date falls in (Rechazo "ejercicio" for a year out of range)."""
    return Periodo(fecha.year, (fecha.month - 1) // 4 + 1)


@functools.lru_cache(maxsize=256)
def _feriados(anio: int) -> dict[date, str]:
    # One frozen answer per year. A shared holidays.Mexico() object fills in a year on first lookup, and a second
    # thread asking meanwhile could see that year half-filled; a cached per-year dict is complete when returned.
    return dict(holidays.Mexico(years=anio, language="es"))


def feriado(d: date) -> str | None:
    """The official holiday's Spanish name on `d` ("Día de la Revolución"), or None."""
    return _feriados(d.year).get(d)


def es_habil(d: date, inhabiles: Collection[date] = ()) -> bool:
    """Monday to Friday, not an LFT art. 74 holiday, not one of `inhabiles` (days IMSS declared non-business)."""
    return d.weekday() < 5 and d not in _feriados(d.year) and d not in inhabiles


def dia_habil_siguiente(d: date, inhabiles: Collection[date] = ()) -> date:
    """The first business day after `d` (strictly after: for Friday 13 Nov 2026, Tuesday 17 Nov, since Monday 16 is
    Revolution Day)."""
    d += timedelta(days=1)
    while not es_habil(d, inhabiles):  # at most a weekend plus a holiday or two, never a long loop
        d += timedelta(days=1)
    return d


def dias_habiles_entre(a: date, b: date, inhabiles: Collection[date] = ()) -> int:
    """How many business days d have a < d <= b, the way a legal term is counted (the day it starts from does
    not count); negative, with the same count, when b is before a. 0 when they are the same day."""
    if b < a:
        return -dias_habiles_entre(b, a, inhabiles)
    dias = (b - a).days
    # Whole weeks have five weekdays each; the remaining days (at most six) are looked at one by one.
    semanas, resto = divmod(dias, 7)
    habiles = 5 * semanas + sum(1 for i in range(1, resto + 1) if (a + timedelta(days=i)).weekday() < 5)
    no_habiles = {f for anio in range(a.year, b.year + 1) for f in _feriados(anio)}
    no_habiles.update(inhabiles)
    habiles -= sum(1 for f in no_habiles if a < f <= b and f.weekday() < 5)
    return habiles


def fecha_limite(periodo: Periodo, inhabiles: Collection[date] = ()) -> date:
    """The informativa's deadline: the 17th of the month after the period, or the next business day when the 17th
    is not one (17 May 2026, a Sunday → Monday 18 May 2026)."""
    siguiente = periodo.fin + timedelta(days=1)
    limite = siguiente.replace(day=DIA_LIMITE)
    return limite if es_habil(limite, inhabiles) else dia_habil_siguiente(limite, inhabiles)


# The rule that marks a filing late, stored with each one presented (Informativa.regla_plazo), so that a filing
# verifies by the rule it was marked by: 1 (to release 2026-12) also marked a Corrección by its own date; 2 marks it
# as the filing it corrects.
REGLA_PLAZO = 2


def fuera_de_plazo(tipo: str, periodo: Periodo, dia: date, corregida_tarde: bool = False,
                   regla: int = REGLA_PLAZO) -> bool:
    """Whether a filing of `tipo` presented on `dia` (Mexico City's date) is marked late:
    - a Normal or a Sin información, when `dia` is past the period's deadline;
    - a Sin efectos, never: it reports nothing, and cancelling after the deadline is not filing late;
    - a Corrección, as the filing it corrects (`corregida_tarde`): it may be presented any time (informativa.md §1),
      and correcting neither makes an on-time period late nor a late one on time (under rule 1, by its date)."""
    if tipo == "sin_efectos":
        return False
    if tipo == "correccion" and regla >= 2:
        return corregida_tarde
    return dia > fecha_limite(periodo)


def terminado(periodo: Periodo, hoy: date) -> bool:
    """True once the period's last day has passed: only then can its informativa be sent to be signed."""
    return hoy > periodo.fin
