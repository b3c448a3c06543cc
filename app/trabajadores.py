"""The workers of a contract (LSS art. 15-A: name, CURP, NSS and salario base de cotización), with no web or database.

`validar_trabajador()` checks one worker, typed or read from a file, and refuses every bad field at once
(`rechazo.varios`); `validar_nss()`, `validar_sbc()` are its parts. The SBC's limits come from a dated table in
`app/catalogs/uma_salario_minimo.csv` (INEGI's UMA, which changes each 1 February; CONASAMI's minimum wages, each
1 January), each row with its source:

* the SBC may not exceed 25 UMA (LSS art. 28) in force on the reference date: the receipt's FechaFinalPago, or the
  period's last day for typed and file rows (25 × 117.31 = 2,932.75 from 1 February 2026);
* below the general minimum wage is a warning, never a refusal (the worker may be part-time, or the border zone's
  wage may apply: the file does not say where the worker works).

A date past what the table knows (the UMA of February 2027 before someone adds it) is not guessed: `uma_en()` raises
`FueraDeTabla`, and `validar_sbc()` then accepts the SBC with a warning that its cap could not be checked, rather
than refusing valid salaries against last year's lower cap, up to a provisional cap: 25 times the last UMA known
plus ALZA_MAXIMA_UMA (no yearly rise since the UMA began was near it), so that no absurd salary is stored.
"""
from __future__ import annotations

import csv
import math
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, time
from decimal import ROUND_DOWN, Decimal
from importlib import resources

from stdnum import luhn

from . import curp as curp_rules
from .rechazo import Rechazo, varios
from .texto import normalize_text, signos_de_nombre, sin_invisibles

__all__ = ["FueraDeTabla", "Trabajador", "salario_minimo_en", "tope_sbc", "uma_en", "validar_nombre_recibo",
           "validar_nss", "validar_sbc", "validar_trabajador"]

_CATALOGS = resources.files("app").joinpath("catalogs")

TOPE_UMAS = 25  # LSS art. 28: the SBC's upper limit, in UMAs
# While the table lacks the UMA in force: the last one known may rise at most this much (the largest yearly rise
# since 2017 was 7.8 %, in 2023).
ALZA_MAXIMA_UMA = Decimal("0.15")
MAX_TEXTO = 64  # longer input is refused before it is looked at (no NSS, SBC or CURP is near it)
# A full name as one text (CFDI's Receptor/@Nombre): given names and two surnames of curp.MAX_NOMBRE each.
MAX_NOMBRE_COMPLETO = 3 * curp_rules.MAX_NOMBRE + 2
CENTAVOS = Decimal("0.01")

# A spreadsheet cell's integer longer than any NSS or salary, kept as this text (carga_masiva.tabla._celda).
MSG_NUMERO_LARGO = "(un número de más de 38 dígitos)"
MSG_CURP_NO_TEXTO = "La CURP debe ser un texto de 18 caracteres; la celda tiene {que}."
MSG_NSS_VACIO = "Captura el NSS."
MSG_NSS_DIGITOS = "El NSS debe tener solo dígitos."
MSG_NSS_LONGITUD = "El NSS debe tener 11 dígitos; tiene {n}."
# An NSS beginning with 0 loses it when a spreadsheet or a payroll system took it for a number.
MSG_NSS_SIN_CERO = ("El NSS debe tener 11 dígitos; tiene 10. Quizá le falta el 0 inicial: con él, 0{nss} tiene un "
                    "dígito verificador válido.")
MSG_NSS_VERIFICADOR = "El dígito verificador del NSS no corresponde; revisa que esté bien escrito."
MSG_SBC_VACIO = "Captura el salario base de cotización."
MSG_SBC_NUMERO = "El salario base de cotización debe ser un número en pesos, con punto decimal (por ejemplo 315.04)."
MSG_SBC_COMA = "Escribe el salario base de cotización con punto decimal, sin separador de miles (por ejemplo 1250.50)."
MSG_SBC_DECIMALES = "El salario base de cotización lleva a lo más dos decimales."
MSG_SBC_POSITIVO = "El salario base de cotización debe ser mayor que cero."
MSG_SBC_TOPE = ("El salario base de cotización ({sbc}) excede el tope de 25 UMA vigente el {fecha}: {tope} "
                "(UMA de {uma}).")
AVISO_SBC_MINIMO = ("El salario base de cotización ({sbc}) es menor que el salario mínimo general vigente el {fecha} "
                    "({minimo}).")
MSG_SBC_TOPE_PROVISIONAL = ("El salario base de cotización ({sbc}) excede {tope}: el portal aún no tiene la UMA vigente el "
                            "{fecha}, y ni con un aumento de 15 % sobre la última conocida ({uma}) 25 UMA llegarían "
                            "a esa cantidad.")
AVISO_SIN_TOPE = ("No se pudo comprobar el tope de 25 UMA: el portal aún no tiene el valor de la UMA vigente el "
                  "{fecha}.")
AVISO_NOMBRE = "El nombre «{nombre}» no se usó: solo lleva letras, espacios y los signos ' - . ,"


class FueraDeTabla(LookupError):
    """The table has no value for that date (before its first row, or past the next scheduled change)."""


@dataclass(frozen=True, slots=True)
class _Vigencia:
    desde: date
    uma: Decimal
    minimo_general: Decimal
    minimo_zlfn: Decimal


def _leer_tabla() -> tuple[_Vigencia, ...]:
    with _CATALOGS.joinpath("uma_salario_minimo.csv").open(encoding="utf-8", newline="") as f:
        filas = [_Vigencia(date.fromisoformat(r["vigente_desde"]), Decimal(r["uma_diaria"]),
                           Decimal(r["salario_minimo_general"]), Decimal(r["salario_minimo_zlfn"]))
                 for r in csv.DictReader(f)]
    filas.sort(key=lambda v: v.desde)
    return tuple(filas)


_TABLA = _leer_tabla()
_DESDE = [v.desde for v in _TABLA]


def _cambios(valor) -> date:
    """The vigente_desde of the last row where `valor(row)` changed."""
    ultimo = _TABLA[0].desde
    for anterior, fila in zip(_TABLA, _TABLA[1:]):
        if valor(fila) != valor(anterior):
            ultimo = fila.desde
    return ultimo


# What the table knows: the last UMA holds until the next 1 February, the last minimum wages until 31 December.
_UMA_HASTA = date(_cambios(lambda v: v.uma).year + 1, 1, 31)
_MINIMO_HASTA = date(_cambios(lambda v: v.minimo_general).year, 12, 31)


def _vigencia(fecha: date, hasta: date, que: str) -> _Vigencia:
    i = bisect_right(_DESDE, fecha)
    if i == 0 or fecha > hasta:
        raise FueraDeTabla(f"no {que} for {fecha.isoformat()} in uma_salario_minimo.csv")
    return _TABLA[i - 1]


def uma_en(fecha: date) -> Decimal:
    """The daily UMA in force on `fecha` (INEGI); `FueraDeTabla` when the table does not know it."""
    return _vigencia(fecha, _UMA_HASTA, "UMA").uma


def salario_minimo_en(fecha: date, *, zona_libre: bool = False) -> Decimal:
    """The daily minimum wage in force on `fecha` (CONASAMI): the general one, or the Zona Libre de la Frontera
    Norte's; `FueraDeTabla` when the table does not know it."""
    v = _vigencia(fecha, _MINIMO_HASTA, "minimum wage")
    return v.minimo_zlfn if zona_libre else v.minimo_general


def tope_sbc(fecha: date) -> Decimal:
    """25 UMA on `fecha`, in pesos per day (2,932.75 from 1 February 2026)."""
    return (TOPE_UMAS * uma_en(fecha)).quantize(CENTAVOS)


def tope_provisional() -> tuple[Decimal, Decimal]:
    """(the cap applied while the UMA in force is unknown, the last UMA known): 25 × that UMA × 1.15."""
    ultima = _TABLA[-1].uma  # the UMA only ever rose
    return (TOPE_UMAS * ultima * (1 + ALZA_MAXIMA_UMA)).quantize(CENTAVOS), ultima


@dataclass(frozen=True, slots=True)
class Trabajador:
    """A worker as the informativa reports it. `sbc` has two decimals; `nombre` is the full name as one text, when
    a receipt or a registry gave it."""

    nss: str
    curp: str
    sbc: Decimal
    nombre: str | None = None


def validar_nss(texto: str) -> str:
    """The NSS as 11 digits, or `Rechazo("nss", …)`. Spaces, hyphens and invisible characters are dropped; the
    11th digit is the Luhn check digit of the first ten (IMSS's own rule; python-stdnum's `luhn` computes it)."""
    texto = sin_invisibles("" if texto is None else str(texto))
    if not texto.strip():
        raise Rechazo("nss", MSG_NSS_VACIO)
    if len(texto) > MAX_TEXTO:
        raise Rechazo("nss", MSG_NSS_LONGITUD.format(n=f"más de {MAX_TEXTO}"))
    nss = "".join(texto.split()).replace("-", "")
    # isdecimal() admits other scripts' digits ("١"); the NSS is ASCII.
    if not (nss.isascii() and nss.isdigit()):
        raise Rechazo("nss", MSG_NSS_DIGITOS)
    if len(nss) == 10 and luhn.is_valid("0" + nss):
        raise Rechazo("nss", MSG_NSS_SIN_CERO.format(nss=nss))  # a hint, never a repair: the user confirms it
    if len(nss) != 11:
        raise Rechazo("nss", MSG_NSS_LONGITUD.format(n=len(nss)))
    if not luhn.is_valid(nss):
        raise Rechazo("nss", MSG_NSS_VERIFICADOR)
    return nss


def _decimal(valor) -> Decimal:
    """The SBC as typed or read, as a Decimal, or Rechazo. No float ever takes part in the arithmetic."""
    if valor is None or isinstance(valor, bool):
        raise Rechazo("sbc", MSG_SBC_VACIO if valor is None else MSG_SBC_NUMERO)
    if isinstance(valor, Decimal):
        numero = valor
    elif isinstance(valor, int):
        numero = Decimal(valor)
    elif isinstance(valor, float):
        if not math.isfinite(valor):
            raise Rechazo("sbc", MSG_SBC_NUMERO)
        # A spreadsheet cell: Excel keeps 15 significant digits and may store 315.04 as 315.04000000000002.
        numero = Decimal(format(valor, ".15g"))
    else:
        texto = "".join(sin_invisibles(str(valor)).split())
        if len(texto) > MAX_TEXTO:
            raise Rechazo("sbc", MSG_SBC_NUMERO)
        negativo = texto.startswith("-")
        texto = texto.removeprefix("-").removeprefix("$")
        if not texto:
            raise Rechazo("sbc", MSG_SBC_VACIO)
        if "," in texto:
            raise Rechazo("sbc", MSG_SBC_COMA)
        entero, punto, fraccion = texto.partition(".")
        digitos = entero + fraccion
        # Only ASCII digits and one point: Decimal() alone would also take "1e3", "NaN", "Infinity" and "٣".
        if not digitos or not digitos.isascii() or not digitos.isdigit() or (punto and not fraccion):
            raise Rechazo("sbc", MSG_SBC_NUMERO)
        numero = -Decimal(texto) if negativo else Decimal(texto)
    # No salary has 13 integer digits; past that quantize() would overflow the decimal context.
    if not numero.is_finite() or numero.adjusted() > 12:
        raise Rechazo("sbc", MSG_SBC_NUMERO)
    if numero <= 0:
        raise Rechazo("sbc", MSG_SBC_POSITIVO)
    if numero != numero.quantize(CENTAVOS, rounding=ROUND_DOWN):
        raise Rechazo("sbc", MSG_SBC_DECIMALES)
    return numero.quantize(CENTAVOS)


def _pesos(valor: Decimal) -> str:
    return f"${valor:,.2f}"


def _fecha(fecha: date) -> str:
    return fecha.strftime("%d/%m/%Y")


def validar_sbc(valor, fecha: date) -> tuple[Decimal, tuple[str, ...]]:
    """The SBC with two decimals and its warnings, or `Rechazo("sbc", …)`: empty, not a number, not above zero,
    more than two decimals, or above 25 UMA in force on `fecha`. `valor` may be text ("315.04", "$315.04"), a
    Decimal, an int, or a float from a spreadsheet cell. Below the general minimum wage is a warning."""
    sbc = _decimal(valor)
    avisos = []
    try:
        uma = uma_en(fecha)
    except FueraDeTabla:
        tope, ultima = tope_provisional()
        if sbc > tope:
            raise Rechazo("sbc", MSG_SBC_TOPE_PROVISIONAL.format(sbc=_pesos(sbc), tope=_pesos(tope),
                                                                 fecha=_fecha(fecha), uma=_pesos(ultima))) from None
        avisos.append(AVISO_SIN_TOPE.format(fecha=_fecha(fecha)))
    else:
        tope = (TOPE_UMAS * uma).quantize(CENTAVOS)
        if sbc > tope:
            raise Rechazo("sbc", MSG_SBC_TOPE.format(sbc=_pesos(sbc), fecha=_fecha(fecha), tope=_pesos(tope),
                                                     uma=_pesos(uma)))
    try:
        minimo = salario_minimo_en(fecha)
    except FueraDeTabla:
        minimo = None
    if minimo is not None and sbc < minimo:
        avisos.append(AVISO_SBC_MINIMO.format(sbc=_pesos(sbc), fecha=_fecha(fecha), minimo=_pesos(minimo)))
    return sbc, tuple(avisos)


# A receipt's name: letters of the Latin script, spaces, and the ' - . , of names such as O'BRIEN or "PEREZ, JUAN".
_SIGNOS_NOMBRE = frozenset(" '-.,")


def validar_nombre_recibo(texto: str | None) -> str | None:
    """A full name as a payroll receipt writes it, in upper case with single spaces; None when empty or when it
    is not a name (digits, symbols, too long): the name is shown in the portal, so only a name's characters pass."""
    if not texto:
        return None
    recortado = normalize_text(texto[: 4 * MAX_NOMBRE_COMPLETO])
    nombre = " ".join(signos_de_nombre(recortado).split()).upper()
    if not nombre or len(nombre) > MAX_NOMBRE_COMPLETO:
        return None
    for c in nombre:
        if c not in _SIGNOS_NOMBRE and not (c.isalpha() and unicodedata.name(c, "").startswith("LATIN ")):
            return None
    return nombre


def validar_trabajador(nss, curp, sbc, *, fecha_referencia: date, hoy: date | None,
                       nombre: str | None = None) -> tuple[Trabajador, tuple[str, ...]]:
    """A worker and the warnings about it, or every bad field at once: `varios([Rechazo("nss", …),
    Rechazo("curp", …), Rechazo("sbc", …)])` (only the bad ones). The SBC's limits are those in force on
    `fecha_referencia`; `hoy` (Mexico City's) refuses a CURP born in the future. A name that is not a name is
    dropped with a warning, never a refusal: the NSS and CURP identify the worker."""
    rechazos: list[Rechazo] = []
    avisos: list[str] = []
    resultado: dict[str, object] = {}
    for campo, validar in (("nss", lambda: validar_nss(nss)),
                           ("curp", lambda: validar_curp(curp, hoy)),
                           ("sbc", lambda: validar_sbc(sbc, fecha_referencia))):
        try:
            resultado[campo] = validar()
        except Rechazo as e:
            rechazos.append(e if e.campo == campo else Rechazo(campo, e.mensaje))
    if rechazos:
        raise varios(rechazos)
    valor_sbc, avisos_sbc = resultado["sbc"]
    avisos.extend(avisos_sbc)
    limpio = validar_nombre_recibo(nombre)
    if nombre and nombre.strip() and limpio is None:
        avisos.append(AVISO_NOMBRE.format(nombre=" ".join(nombre.split())[:80]))
    return Trabajador(resultado["nss"], resultado["curp"], valor_sbc, limpio), tuple(avisos)


def validar_curp(valor, hoy: date | None) -> str:
    """The CURP, bounded before curp.validate looks at it (which only needs 18 characters): a cell longer than
    MAX_TEXTO is refused saying so, not with the length of the part that was kept; a spreadsheet cell that holds a
    number, a date or a boolean (no CURP is one) is refused saying what it holds, not with the length of its text."""
    que = _no_es_texto(valor)
    if que:
        raise Rechazo("curp", MSG_CURP_NO_TEXTO.format(que=que))
    texto = "" if valor is None else str(valor)
    if len(texto) > MAX_TEXTO:
        raise Rechazo("curp", curp_rules.MSG_LONGITUD.format(n=f"más de {MAX_TEXTO}"))
    return curp_rules.validate(texto, today=hoy)


def _no_es_texto(valor) -> str | None:
    """What a cell that is not text holds, in words; None for text (or nothing)."""
    if isinstance(valor, bool):
        return "un valor lógico (VERDADERO o FALSO)"
    if isinstance(valor, (int, float, Decimal)) or valor == MSG_NUMERO_LARGO:
        return "un número"
    if isinstance(valor, (date, time)):  # datetime is a date
        return "una fecha u hora"
    return None
