"""The contratista's board of deadlines and the reminder notices before each deadline, with no web or database.

The board (*Inicio*) shows every period from the first cuatrimestre of last year up to the current one, newest first:
its deadline (plazos.fecha_limite), where its filing stands and the business days left. A period's filing is its
vigente informativa, else its latest (the highest id: a cancelled one, or the Sin efectos that cancelled it).

Business days left on a date d, for a deadline L (`dias_restantes`): the business days from d to L, both included,
so d counts when it is a business day and L always does; 1 on the deadline itself, and on a weekend or holiday
just before it; None once d is past L ("Vencido"). It is what the list of informativas shows.

The reminder rule (`aviso_debido`). A period whose filing is not presented and vigente (no informativa, one in
capture or to be signed, or a presented one that a Sin efectos cancelled) gets notices with an anticipation N in
ANTICIPACIONES = (10, 3, 1):

* notice N is due on a date d when d <= L and the business days after d up to L, L included
  (plazos.dias_habiles_entre(d, L): how a legal term counts them) are at most N. So the 1-day notice is due on the
  business day before the deadline (and on the days off between them), the 3-day one three business days before;
* on a date several notices are due (cron did not run on some days, or it runs on a weekend), only the most
  urgent one, the smallest due N, is sent; on the deadline itself a notice not sent yet still goes (0 left);
* a notice is sent once, and once a notice N was sent no notice with a larger N is sent afterwards (a missed
  10-day notice is not sent after the 3-day one);
* nothing is due after the deadline;
* a notice's messages that did not go out (the mail server failed, the run died) are sent by a later run
  (`aviso_pendiente`) while the notice is still the most urgent one claimed for its period, the deadline has not
  passed and the period is still pending; the text is written on the day it goes, with that day's days left.

So a cron that runs every weekday sends the 10-day notice on the business day 10 business days before the
deadline, the 3-day one 3 before, and the 1-day one on the business day before it.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from . import plazos
from .plazos import MIN_EJERCICIO, Periodo

__all__ = ["ANTICIPACIONES", "ESTADOS", "Aviso", "FilaTablero", "aviso_debido", "aviso_pendiente", "avisos_debidos",
           "dias_restantes",
           "estado", "informativa_del_periodo", "periodos_del_tablero", "presentada_vigente", "redactar", "tablero"]

ANTICIPACIONES = (10, 3, 1)

ESTADOS = {"sin_registrar": "Sin registrar", "en_captura": "En captura", "por_firmar": "Por firmar",
           "presentada": "Presentada", "presentada_fuera_de_plazo": "Presentada fuera de plazo",
           "sin_efectos": "Sin efectos"}
PRESENTADA = ("presentada", "presentada_fuera_de_plazo")
MAX_PROBLEMAS = 25  # listed in a notice; the rest are counted ("y 12 más"): Revisar shows them all


class InformativaDatos(Protocol):
    """What the board and the notices read of an informativa (a row of app.models.Informativa fits)."""

    id: int | None
    ejercicio: int
    cuatrimestre: int
    tipo: str
    estatus: str
    vigente: bool | None
    fuera_de_plazo: bool | None


def dias_restantes(limite: date, hoy: date) -> int | None:
    """Business days from `hoy` to `limite`, both included (module docstring); None once `hoy` is past it."""
    if hoy > limite:
        return None
    return plazos.dias_habiles_entre(hoy, limite) + (1 if plazos.es_habil(hoy) else 0)


def periodos_del_tablero(hoy: date) -> list[Periodo]:
    """The first cuatrimestre of last year up to the one `hoy` is in, newest first (none before 2021)."""
    actual = plazos.periodo_de(hoy)
    return [Periodo(anio, c) for anio in range(actual.ejercicio, max(actual.ejercicio - 1, MIN_EJERCICIO) - 1, -1)
            for c in (3, 2, 1) if (anio, c) <= (actual.ejercicio, actual.cuatrimestre)]


def informativa_del_periodo(informativas: Iterable[InformativaDatos]) -> InformativaDatos | None:
    """The period's filing: its vigente informativa, else the latest registered (highest id); None when none."""
    todas = list(informativas)
    vigentes = [i for i in todas if i.vigente]
    if vigentes:
        return vigentes[0]
    return max(todas, key=lambda i: i.id or 0, default=None)


def estado(informativa: InformativaDatos | None) -> str:
    """The key (of ESTADOS) of where the period's filing stands."""
    if informativa is None:
        return "sin_registrar"
    if informativa.estatus != "presentada":
        return informativa.estatus if informativa.estatus in ESTADOS else "en_captura"
    if informativa.tipo == "sin_efectos" or not informativa.vigente:
        return "sin_efectos"
    return "presentada_fuera_de_plazo" if informativa.fuera_de_plazo else "presentada"


def presentada_vigente(informativas: Iterable[InformativaDatos]) -> bool:
    return any(i.vigente and i.estatus == "presentada" for i in informativas)


@dataclass(frozen=True)
class FilaTablero:
    """One period on the board."""

    periodo: Periodo
    limite: date
    estado: str                     # a key of ESTADOS
    informativa_id: int | None      # the period's filing, when one was registered
    dias: int | None                # business days left (dias_restantes); None: the deadline passed

    @property
    def estado_texto(self) -> str:
        return ESTADOS[self.estado]

    @property
    def pendiente(self) -> bool:
        """Nothing presented and vigente: the period still asks for a filing."""
        return self.estado not in PRESENTADA

    @property
    def restante(self) -> str:
        """What the board shows of the time left: "3 días hábiles", "Vencido", or "" once presented."""
        if not self.pendiente:
            return ""
        if self.dias is None:
            return "Vencido"
        return "1 día hábil" if self.dias == 1 else f"{self.dias} días hábiles"


def _por_periodo(informativas: Iterable[InformativaDatos]) -> dict[tuple[int, int], list[InformativaDatos]]:
    grupos: dict[tuple[int, int], list[InformativaDatos]] = {}
    for i in informativas:
        grupos.setdefault((i.ejercicio, i.cuatrimestre), []).append(i)
    return grupos


def tablero(hoy: date, informativas: Iterable[InformativaDatos]) -> list[FilaTablero]:
    """The board's rows on `hoy` for one contratista's informativas (any of its informativas may be passed: those
    of periods off the board are ignored)."""
    grupos = _por_periodo(informativas)
    filas = []
    for p in periodos_del_tablero(hoy):
        limite = plazos.fecha_limite(p)
        informativa = informativa_del_periodo(grupos.get((p.ejercicio, p.cuatrimestre), []))
        filas.append(FilaTablero(p, limite, estado(informativa), informativa.id if informativa else None,
                                 dias_restantes(limite, hoy)))
    return filas


def aviso_debido(limite: date, hoy: date, enviados: Collection[int] = ()) -> int | None:
    """The anticipation (10, 3 or 1) of the notice to send on `hoy` for a pending period due on `limite`, given the
    anticipations already sent for it; None when none is due (the rule in the module's docstring)."""
    if hoy > limite:
        return None
    antes = plazos.dias_habiles_entre(hoy, limite)
    debidos = [n for n in ANTICIPACIONES if antes <= n]
    if not debidos:
        return None
    mas_urgente = min(debidos)
    if any(e <= mas_urgente for e in enviados):
        return None
    return mas_urgente


@dataclass(frozen=True)
class Aviso:
    """A notice due for one period of one contratista."""

    periodo: Periodo
    limite: date
    anticipacion: int               # 10, 3 or 1: the notice's key (sent once)
    dias: int                       # business days left on the day it is sent
    estado: str                     # a key of ESTADOS: sin_registrar, en_captura, por_firmar or sin_efectos
    informativa_id: int | None


def avisos_debidos(hoy: date, informativas: Iterable[InformativaDatos],
                   enviados: Mapping[tuple[int, int], Collection[int]]) -> list[Aviso]:
    """The notices due on `hoy` for one contratista: its informativas, and the anticipations already sent per
    (ejercicio, cuatrimestre)."""
    grupos = _por_periodo(informativas)
    avisos = []
    for fila in tablero(hoy, []):
        clave = (fila.periodo.ejercicio, fila.periodo.cuatrimestre)
        del_periodo = grupos.get(clave, [])
        if presentada_vigente(del_periodo):
            continue
        n = aviso_debido(fila.limite, hoy, enviados.get(clave, ()))
        if n is not None:
            informativa = informativa_del_periodo(del_periodo)
            avisos.append(Aviso(fila.periodo, fila.limite, n, fila.dias, estado(informativa),
                                informativa.id if informativa else None))
    return avisos


def aviso_pendiente(hoy: date, periodo: Periodo, anticipacion: int, informativas: Iterable[InformativaDatos],
                    enviados: Collection[int]) -> Aviso | None:
    """A notice claimed by an earlier run, some of whose messages did not go out, as it reads on `hoy`; None when it
    is no longer to be sent: the period's filing is presented and vigente, its deadline passed, or a more urgent
    notice of the period was claimed since (`enviados`: the anticipations claimed for the period), which is for
    every recipient of its day."""
    limite = plazos.fecha_limite(periodo)
    del_periodo = _por_periodo(informativas).get((periodo.ejercicio, periodo.cuatrimestre), [])
    if hoy > limite or presentada_vigente(del_periodo) or any(e < anticipacion for e in enviados):
        return None
    informativa = informativa_del_periodo(del_periodo)
    return Aviso(periodo, limite, anticipacion, dias_restantes(limite, hoy), estado(informativa),
                 informativa.id if informativa else None)


def _fecha(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _dias(n: int) -> str:
    return "queda 1 día hábil" if n == 1 else f"quedan {n} días hábiles"


def redactar(aviso: Aviso, contratista: str, problemas: Sequence[str], enlace: str) -> tuple[str, str]:
    """The notice's subject and plain-text body, in Spanish. `contratista`: "RFC - name"; `problemas`: what Revisar
    still reports of an informativa in capture (its messages); `enlace`: where on the portal to act."""
    periodo, limite = aviso.periodo.nombre, _fecha(aviso.limite)
    asunto = f"ICSOE: {_dias(aviso.dias)} para presentar la informativa de {periodo} (vence el {limite})"
    lineas = [f"Contratista: {contratista}", "",
              f"La fecha límite para presentar la informativa cuatrimestral de {periodo} es el {limite}: "
              f"{_dias(aviso.dias)}, contando hoy si es hábil y el día del vencimiento.", ""]
    if aviso.estado == "sin_registrar":
        lineas.append("Aún no registras la informativa de este cuatrimestre. Regístrala (Normal, o Sin información si "
                      "no tuviste contratos en el cuatrimestre), captura sus contratos y trabajadores, y preséntala "
                      "firmada con la e.firma del contratista antes de la fecha límite.")
    elif aviso.estado == "sin_efectos":
        lineas.append("La informativa presentada de este cuatrimestre quedó sin efectos. Si el cuatrimestre debe "
                      "informarse, registra y presenta la informativa que corresponda antes de la fecha límite.")
    elif aviso.estado == "por_firmar":
        lineas.append("La informativa está lista y en espera de firma: el contratista debe firmarla y presentarla "
                      "con su e.firma.")
    elif problemas:
        lineas.append("La informativa está en captura. Revisar aún señala lo siguiente:")
        lineas += [f"- {p}" for p in problemas[:MAX_PROBLEMAS]]
        if len(problemas) > MAX_PROBLEMAS:
            lineas.append(f"- y {len(problemas) - MAX_PROBLEMAS} más (los verás todos en Revisar).")
        lineas += ["", "Corrígelo, envíala a firma y que el contratista la presente con su e.firma."]
    else:
        lineas.append("La informativa está en captura y Revisar no señala problemas: envíala a firma para que el "
                      "contratista la presente con su e.firma.")
    lineas += ["", f"Ingresa al portal: {enlace}", "",
               "Este aviso se envía 10, 3 y 1 días hábiles antes de la fecha límite mientras la informativa del "
               "cuatrimestre no esté presentada. No respondas a este correo."]
    return asunto, "\n".join(lineas) + "\n"
