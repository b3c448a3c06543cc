"""*Revisar*: every problem of an informativa before it is sent to be signed, over plain data (no web, no database).

The caller reads the informativa once (its contracts and each contract's number of workers, a COUNT per contract)
and passes plain values; `revisar()` answers a list of `Problema`s in the order of the screen: the informativa's
own first, then each contract's in its position. An "error" blocks *Enviar a firma*; an "aviso" is shown and does
not block.

It covers the classes IMSS publishes as "información inconsistente" (informativa.md §5) and the capture rules of
the issue: contratante = contratista; a contract without its service (none, or one that is not among the REPSE
services of Datos generales); missing or inconsistent dates (no start; a start outside the cuatrimestre or before
24-04-2021; an end before the start); a contract without workers, with one person under two NSS (a CURP twice:
informativa.md §3), or with a worker whose SBC is above 25 UMA at the period's end (checked again here: it may
have been stored while the UMA in force was not yet known); a Normal informativa without contracts; a Sin
información one with contracts. `campo` names the contract form's field the problem is fixed in: "rfc", "servicio",
"objeto", "fecha_inicio", "fecha_termino", "trabajadores" (None: the informativa as a whole).
"""
from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from . import folios, plazos, trabajadores
from .fiel import normalize_rfc
from .plazos import INICIO_REFORMA, Periodo
from .rechazo import Rechazo
from .rfc_contratante import validar_rfc_contratante

__all__ = ["CLASES", "DatosContrato", "Problema", "revisar"]

TIPOS = ("normal", "sin_informacion", "correccion", "sin_efectos")  # a Corrección is checked as a Normal

# clase → what it means (the keys are stable: the web side may group or link by them)
CLASES = {
    "periodo_no_terminado": "el cuatrimestre no ha terminado",
    "fuera_de_plazo": "la fecha límite ya pasó",
    "normal_sin_contratos": "informativa Normal sin contratos",
    "demasiados_contratos": f"más de {folios.MAX_CONTRATO:,} contratos",
    "sin_informacion_con_contratos": "informativa Sin información con contratos",
    "sin_efectos_con_contratos": "complementaria Sin efectos con contratos",
    "sin_registro_repse": "no hay registro REPSE o servicios REPSE en Datos generales",
    "contratante_es_contratista": "el contratante es el contratista",
    "rfc_contratante": "RFC del contratante inválido o dudoso",
    "sin_servicio": "contrato sin servicio u obra especializado",
    "servicio_no_registrado": "servicio que no está en el registro REPSE",
    "sin_objeto": "contrato sin objeto",
    "sin_fecha_inicio": "contrato sin fecha de inicio",
    "fecha_inicio_fuera_del_periodo": "fecha de inicio fuera del cuatrimestre",
    "fecha_inicio_anterior_a_la_reforma": "fecha de inicio anterior al 24-04-2021",
    "fecha_termino_anterior_al_inicio": "fecha de término anterior a la de inicio",
    "sin_trabajadores": "contrato sin trabajadores",
    "sbc_sobre_tope": "trabajadores con salario base de cotización mayor que 25 UMA",
    "sbc_tope_sin_comprobar": "tope de 25 UMA sin comprobar (el portal aún no tiene la UMA del periodo)",
    "curp_repetida": "un trabajador con dos NSS en el contrato (la misma CURP)",
    "contrato_repetido": "dos contratos con los mismos datos",
    "carga_sin_agregar": "un archivo de trabajadores revisado que no se agregó",
}


@dataclass(frozen=True, slots=True)
class Problema:
    nivel: str              # "error" blocks Enviar a firma; "aviso" does not
    clase: str              # a key of CLASES
    mensaje: str            # Spanish, naming the contract it concerns
    contrato_id: int | None = None
    campo: str | None = None


@dataclass(frozen=True, slots=True)
class DatosContrato:
    """What Revisar needs of one contract."""

    id: int
    rfc_contratante: str
    servicio_folio: str | None
    objeto: str
    fecha_inicio: date | None
    fecha_termino: date | None
    trabajadores: int       # how many workers the contract has
    nombre: str = ""        # the contratante's name, for the messages
    sbc_maximo: Decimal | None = None  # its workers' highest SBC: one stored under a provisional cap is checked again
    curps_repetidas: int = 0  # its workers whose CURP another of its workers has
    carga_pendiente: str | None = None  # the name of a worker file checked (its preview) but not added


def _fecha(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _nombre(posicion: int, c: DatosContrato) -> str:
    """"El contrato 3 (ABC010101AB1, CONSTRUCTORA SA)": its position on the screen and its contratante."""
    quien = ", ".join(x for x in (" ".join((c.rfc_contratante or "").split())[:20],
                                  " ".join((c.nombre or "").split())[:80]) if x)
    return f"El contrato {posicion} ({quien})" if quien else f"El contrato {posicion}"


def revisar(tipo: str, periodo: Periodo, rfc_contratista: str, folios_repse: Collection[str],
            contratos: Iterable[DatosContrato], *, hoy: date | None = None,
            corregida_tarde: bool = False, registro_repse: bool = True) -> list[Problema]:
    """Every problem of the informativa, informativa-level ones first. `hoy` (Mexico City's), when given, adds
    the period not yet ended (an error: it may be drafted, not sent) and, when the filing will be marked late
    (plazos.fuera_de_plazo; for a Corrección, `corregida_tarde`: the filing it corrects was), an aviso.
    `registro_repse`: the contratista saved its REPSE registration (folio and date), which the law asks for beside
    the services its contracts name (LSS 15-A; informativa.md §2)."""
    if tipo not in TIPOS:
        raise ValueError(f"tipo must be one of {TIPOS}, not {tipo!r}")
    contratos = list(contratos)
    problemas: list[Problema] = []
    if hoy is not None and not plazos.terminado(periodo, hoy):
        problemas.append(Problema("error", "periodo_no_terminado",
                                  f"El cuatrimestre {periodo.nombre} termina el {_fecha(periodo.fin)}: puedes "
                                  "capturar la informativa, pero enviarla a firma solo a partir del día siguiente."))
    elif hoy is not None and plazos.fuera_de_plazo(tipo, periodo, hoy, corregida_tarde):
        problemas.append(Problema("aviso", "fuera_de_plazo", (
            "La informativa que corriges se presentó fuera de plazo: la corrección queda marcada igual."
            if tipo == "correccion" else f"La fecha límite de {periodo.nombre} fue el "
            f"{_fecha(plazos.fecha_limite(periodo))}: la informativa se presentará fuera de plazo.")))
    if tipo == "sin_efectos":
        if contratos:
            problemas.append(Problema("error", "sin_efectos_con_contratos",
                                      "Una complementaria Sin efectos solo deja sin efectos la informativa presentada "
                                      f"y no lleva contratos; esta tiene {len(contratos)}: elimínalos."))
        return problemas
    if tipo == "sin_informacion":
        if contratos:
            problemas.append(Problema("error", "sin_informacion_con_contratos",
                                      f"Una informativa Sin información no lleva contratos y esta tiene "
                                      f"{len(contratos)}: elimínalos, o descártala y registra una informativa "
                                      "Normal."))
        return problemas
    if not contratos:
        problemas.append(Problema("error", "normal_sin_contratos",
                                  "Una informativa Normal debe tener al menos un contrato: agrega los contratos del "
                                  "cuatrimestre o, si no hubo, descártala y registra una informativa Sin información."
                                  if tipo == "normal" else
                                  "Una complementaria de corrección debe tener al menos un contrato. Para dejar el "
                                  "cuatrimestre sin contratos, registra una complementaria Sin efectos y después una "
                                  "informativa Sin información."))
        return problemas
    if len(contratos) > folios.MAX_CONTRATO:
        # Each contract's folio numbers it within its filing (app.folios): a red-team review presented a filing of
        # 1,000 contracts when the numbers stopped at 999, and its acuse was a 500 ever after.
        problemas.append(Problema("error", "demasiados_contratos",
                                  f"Una informativa admite hasta {folios.MAX_CONTRATO:,} contratos y esta tiene "
                                  f"{len(contratos):,}: quita los que no sean de este cuatrimestre."))
        return problemas
    repse = {" ".join(f.split()).upper() for f in folios_repse}
    if not repse or not registro_repse:
        problemas.append(Problema("error", "sin_registro_repse",
                                  "Registra en Datos generales tu folio REPSE, su fecha de registro y los servicios "
                                  "autorizados: cada contrato debe indicar uno de ellos."))
    vistos: dict[tuple, int] = {}
    for posicion, c in enumerate(contratos, start=1):
        problemas.extend(_revisar_contrato(posicion, c, periodo, rfc_contratista, repse, vistos))
    return problemas


def _revisar_contrato(posicion: int, c: DatosContrato, periodo: Periodo, rfc_contratista: str,
                      folios: set[str], vistos: dict[tuple, int]) -> list[Problema]:
    nombre = _nombre(posicion, c)
    p: list[Problema] = []

    def error(clase: str, mensaje: str, campo: str) -> None:
        p.append(Problema("error", clase, f"{nombre} {mensaje}", c.id, campo))

    if normalize_rfc(c.rfc_contratante or "") == normalize_rfc(rfc_contratista or ""):
        error("contratante_es_contratista", "tiene como contratante a tu propio RFC: el contratante es la empresa o "
              "persona que te contrató.", "rfc")
    else:
        try:
            _, _, avisos = validar_rfc_contratante(c.rfc_contratante, rfc_contratista=rfc_contratista)
        except Rechazo as e:
            error("rfc_contratante", f"tiene un RFC de contratante que no es válido: {e.mensaje}", "rfc")
        else:
            for aviso in avisos:
                p.append(Problema("aviso", "rfc_contratante", f"{nombre}: {aviso}", c.id, "rfc"))

    folio = " ".join((c.servicio_folio or "").split()).upper()
    if not folio:
        error("sin_servicio", "no indica el servicio u obra especializado contratado.", "servicio")
    elif folio not in folios:
        error("servicio_no_registrado", f"indica el servicio {folio[:40]}, que no está entre los servicios de tu "
              "registro REPSE: elige uno de ellos.", "servicio")
    if not (c.objeto or "").strip():
        error("sin_objeto", "no indica el objeto del contrato.", "objeto")

    inicio, termino = c.fecha_inicio, c.fecha_termino
    if inicio is None:
        error("sin_fecha_inicio", "no tiene fecha de inicio.", "fecha_inicio")
    elif inicio < INICIO_REFORMA:
        error("fecha_inicio_anterior_a_la_reforma", f"inicia el {_fecha(inicio)}, antes del 24/04/2021 (entrada en "
              "vigor de la reforma de subcontratación).", "fecha_inicio")
    elif not periodo.contiene(inicio):
        error("fecha_inicio_fuera_del_periodo", f"inicia el {_fecha(inicio)}, fuera del cuatrimestre "
              f"{periodo.nombre} ({_fecha(periodo.inicio)} al {_fecha(periodo.fin)}).", "fecha_inicio")
    if inicio is not None and termino is not None and termino < inicio:
        error("fecha_termino_anterior_al_inicio", f"termina el {_fecha(termino)}, antes de su inicio "
              f"({_fecha(inicio)}).", "fecha_termino")
    if c.trabajadores <= 0:
        error("sin_trabajadores", "no tiene trabajadores: agrega al menos uno.", "trabajadores")
    elif c.sbc_maximo is not None:
        try:
            tope = trabajadores.tope_sbc(periodo.fin)
        except trabajadores.FueraDeTabla:
            # The UMA in force at the period's end is not in the table yet: the stand-in cap (25 × the last UMA
            # known × 1.15, as adding a worker applies it) refuses what no UMA rise could allow, and a salary above
            # 25 × the last UMA known is said to be unchecked rather than passed in silence.
            provisional, ultima = trabajadores.tope_provisional()
            if c.sbc_maximo > provisional:
                error("sbc_sobre_tope", f"tiene trabajadores con salario base de cotización mayor que "
                      f"${provisional:,.2f}: el portal aún no tiene la UMA vigente el {_fecha(periodo.fin)}, y ni "
                      f"con un aumento de 15 % sobre la última conocida (${ultima:,.2f}) 25 UMA llegarían a esa "
                      "cantidad: corrígelos.", "trabajadores")
            elif c.sbc_maximo > trabajadores.TOPE_UMAS * ultima:
                p.append(Problema("aviso", "sbc_tope_sin_comprobar", f"{nombre} tiene trabajadores con salario base "
                                  f"de cotización mayor que 25 veces la última UMA conocida (${ultima:,.2f}): no se "
                                  f"pudo comprobar el tope de 25 UMA, porque el portal aún no tiene la UMA vigente el "
                                  f"{_fecha(periodo.fin)}.", c.id, "trabajadores"))
        else:
            if c.sbc_maximo > tope:
                error("sbc_sobre_tope", f"tiene trabajadores con salario base de cotización mayor que el tope de 25 "
                      f"UMA (${tope:,.2f} al {_fecha(periodo.fin)}): corrígelos.", "trabajadores")

    if c.carga_pendiente is not None:
        # A file loaded and previewed whose Agregar trabajadores was never pressed: its workers are not in the
        # filing, and nothing else would say so (a review signed one without them).
        p.append(Problema("aviso", "carga_sin_agregar", f"{nombre} tiene un archivo de trabajadores revisado "
                          f"({c.carga_pendiente[:80]}) que no se agregó: ábrelo desde Trabajadores y pulsa «Agregar "
                          "trabajadores», o cárgalo de nuevo.", c.id, "trabajadores"))
    if c.curps_repetidas > 0:
        error("curp_repetida", "tiene " + ("un trabajador" if c.curps_repetidas == 1 else
                                           f"{c.curps_repetidas} trabajadores") +
              " con la CURP de otro trabajador del contrato (una persona con dos NSS): deja uno de ellos.",
              "trabajadores")

    clave = (" ".join((c.rfc_contratante or "").split()).upper(), folio, " ".join((c.objeto or "").split()).upper(),
             inicio, termino)
    if clave in vistos:
        p.append(Problema("aviso", "contrato_repetido", f"{nombre} tiene el mismo contratante, servicio, objeto y "
                          f"fechas que el contrato {vistos[clave]}; revisa que no esté capturado dos veces.",
                          c.id, None))
    else:
        vistos[clave] = posicion
    return p
