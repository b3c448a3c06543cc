"""The database side of the board of deadlines, the reminder notices (`icsoe avisos`) and the Listado: what app.avisos
and app.listado decide over, read here, scoped to one contratista (the board, the Listado) or to each in turn (the
notices).

A notice goes out once (app.avisos has the rule). Before sending, its row is inserted with the unique constraint
on (contratista, ejercicio, cuatrimestre, anticipación), `INSERT … ON CONFLICT DO NOTHING`, and committed: of two
runs racing (two cron nodes, a manual run during cron's) only the one whose row went in sends. When not one of its
messages could be sent (the mail server is down), the row is deleted again so that the next run retries; when
some went out and others did not, it stays (the failure is logged and counted), so nobody gets it twice. A notice
that fails before any message (its text could not be written: an unexpected error reading the informativa) has its
row deleted too, and the run goes on with the next. A run that dies between the insert and the sending leaves the
row: that notice is lost rather than sent twice.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, func, select

from . import avisos, informativas, listado
from .correo import Correo, CorreoNoEnviado, Mensaje
from .models import (AvisoEnviado, Capturista, Contratista, Contrato, DatosGenerales, Informativa, Persona,
                     ServicioRepse, Trabajador, utcnow)

log = logging.getLogger("app.seguimiento")

# What the board and the notices read of an informativa: never its cadena, sello or certificate.
_COLUMNAS = (Informativa.id, Informativa.contratista_id, Informativa.ejercicio, Informativa.cuatrimestre,
             Informativa.tipo, Informativa.estatus, Informativa.vigente, Informativa.fuera_de_plazo)


def _informativas_desde(session: Session, ejercicio: int, contratista_id: int | None = None) -> list:
    query = select(*_COLUMNAS).where(Informativa.ejercicio >= ejercicio)
    if contratista_id is not None:
        query = query.where(Informativa.contratista_id == contratista_id)
    return list(session.exec(query).all())


def tablero(session: Session, contratista_id: int, hoy: date) -> list[avisos.FilaTablero]:
    """The contratista's board on `hoy` (app.avisos.tablero), from one query."""
    return avisos.tablero(hoy, _informativas_desde(session, hoy.year - 1, contratista_id))


# -- Avisos --------------------------------------------------------------------------------------------------------

@dataclass
class Resultado:
    """What a run of the notices did: notices sent, messages that went out, messages that failed."""

    avisos: int = 0
    correos: int = 0
    fallidos: int = 0
    detalle: list[str] = field(default_factory=list)


def destinatarios(session: Session, contratista_id: int) -> list[str]:
    """The contratista's e-mail (Datos generales) and its active capturistas' ones, each once (case aside)."""
    propio = session.exec(select(DatosGenerales.correo).where(DatosGenerales.contratista_id == contratista_id)).all()
    capturistas = session.exec(select(Persona.correo).join(Capturista, Capturista.persona_id == Persona.id)
                               .where(Capturista.contratista_id == contratista_id, Capturista.estatus == "activo")
                               .order_by(Persona.correo)).all()
    vistos, correos = set(), []
    for c in [*propio, *capturistas]:
        if c and c.lower() not in vistos:
            vistos.add(c.lower())
            correos.append(c)
    return correos


def _reclamar(session: Session, contratista_id: int, aviso: avisos.Aviso, ahora: datetime) -> int | None:
    """Insert the notice's row (ON CONFLICT DO NOTHING) and commit: its id when this run owns it, else None."""
    tabla = AvisoEnviado.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    resultado = session.execute(
        insert(tabla).values(contratista_id=contratista_id, ejercicio=aviso.periodo.ejercicio,
                             cuatrimestre=aviso.periodo.cuatrimestre, anticipacion=aviso.anticipacion,
                             enviado=ahora, correos=0)
        .on_conflict_do_nothing(index_elements=["contratista_id", "ejercicio", "cuatrimestre", "anticipacion"])
        .returning(tabla.c.id))
    fila = resultado.first()
    session.commit()
    return fila[0] if fila else None


def _problemas(session: Session, contratista: Contratista, aviso: avisos.Aviso, hoy: date) -> list[str]:
    if aviso.estado != "en_captura" or aviso.informativa_id is None:
        return []
    informativa = informativas.propia(session, contratista.id, aviso.informativa_id)
    if informativa is None:
        return []
    try:
        problemas = informativas.problemas_revision(session, informativa, contratista.rfc, hoy)
    except ValueError:  # a type Revisar does not check (a complementaria's): the notice says it is in capture
        return []
    return [("Aviso: " if p.nivel == "aviso" else "") + p.mensaje for p in problemas]


def enviar_avisos(session: Session, correo: Correo, hoy: date, enlace: Callable[[int | None], str],
                  ahora: datetime | None = None) -> Resultado:
    """Send every notice due on `hoy` (Mexico City's date) to each contratista with Datos generales and to its
    active capturistas; `enlace(informativa_id)` is the portal's address of that informativa (None: the list).
    Commits as it goes (module docstring)."""
    ahora = ahora or utcnow()
    resultado = Resultado()
    por_contratista: dict[int, list] = {}
    for fila in _informativas_desde(session, hoy.year - 1):
        por_contratista.setdefault(fila.contratista_id, []).append(fila)
    enviados: dict[int, dict[tuple[int, int], set[int]]] = {}
    for cid, ejercicio, cuatrimestre, anticipacion in session.exec(
            select(AvisoEnviado.contratista_id, AvisoEnviado.ejercicio, AvisoEnviado.cuatrimestre,
                   AvisoEnviado.anticipacion).where(AvisoEnviado.ejercicio >= hoy.year - 1)).all():
        enviados.setdefault(cid, {}).setdefault((ejercicio, cuatrimestre), set()).add(anticipacion)
    contratistas = session.exec(select(Contratista).join(DatosGenerales, DatosGenerales.contratista_id ==
                                                         Contratista.id).order_by(Contratista.id)).all()
    for contratista in contratistas:
        for aviso in avisos.avisos_debidos(hoy, por_contratista.get(contratista.id, []),
                                           enviados.get(contratista.id, {})):
            _enviar_aviso(session, correo, contratista, aviso, hoy, enlace, ahora, resultado)
    return resultado


def _enviar_aviso(session: Session, correo: Correo, contratista: Contratista, aviso: avisos.Aviso, hoy: date,
                  enlace: Callable[[int | None], str], ahora: datetime, resultado: Resultado) -> None:
    para = destinatarios(session, contratista.id)
    if not para:
        return
    aviso_id = _reclamar(session, contratista.id, aviso, ahora)
    if aviso_id is None:
        return  # another run sent it, or is sending it
    tabla = AvisoEnviado.__table__
    try:
        asunto, texto = avisos.redactar(aviso, f"{contratista.rfc} - {contratista.nombre}",
                                        _problemas(session, contratista, aviso, hoy), enlace(aviso.informativa_id))
    except Exception:  # noqa: BLE001  (whatever failed, nothing went out: the next run retries this notice)
        log.exception("notice %s of contratista %s not written", aviso.anticipacion, contratista.id)
        session.rollback()
        session.execute(delete(tabla).where(tabla.c.id == aviso_id))
        session.commit()
        resultado.fallidos += 1
        return
    enviados = 0
    for direccion in para:
        try:
            correo.enviar(Mensaje(para=direccion, asunto=asunto, texto=texto))
            enviados += 1
        except (CorreoNoEnviado, ValueError) as e:
            log.warning("notice %s of contratista %s to %s not sent: %s", aviso.anticipacion, contratista.id,
                        direccion, e)
            resultado.fallidos += 1
        except Exception:  # noqa: BLE001  (one address's unexpected failure ends neither the notice nor the run)
            log.exception("notice %s of contratista %s to %s not sent", aviso.anticipacion, contratista.id,
                          direccion)
            resultado.fallidos += 1
    if enviados:
        session.execute(update(tabla).where(tabla.c.id == aviso_id).values(correos=enviados))
        resultado.avisos += 1
        resultado.correos += enviados
        resultado.detalle.append(f"{contratista.rfc}: {aviso.periodo.nombre}, aviso de {aviso.anticipacion} "
                                 f"({enviados} correos)")
    else:
        session.execute(delete(tabla).where(tabla.c.id == aviso_id))  # nothing went out: the next run retries
    session.commit()


# -- Listado -------------------------------------------------------------------------------------------------------

def filas_listado(session: Session, contratista: Contratista) -> list[listado.FilaListado]:
    """The contratista's presented filings as the Listado's rows (app.listado): one per contract, in the order of
    their ids within each filing (their number), one for a filing without contracts; oldest period first."""
    presentadas = list(session.exec(select(Informativa).where(Informativa.contratista_id == contratista.id,
                                                              Informativa.estatus == "presentada")
                                    .order_by(Informativa.ejercicio, Informativa.cuatrimestre,
                                              Informativa.presentada, Informativa.id)).all())
    ids = [i.id for i in presentadas]
    por_informativa: dict[int, list[Contrato]] = {}
    conteos: dict[int, int] = {}
    if ids:
        for c in session.exec(select(Contrato).where(col(Contrato.informativa_id).in_(ids),
                                                     Contrato.contratista_id == contratista.id)
                              .order_by(Contrato.informativa_id, Contrato.id)).all():
            por_informativa.setdefault(c.informativa_id, []).append(c)
        conteos = dict(session.exec(select(Trabajador.contrato_id, func.count())
                                    .join(Contrato, Contrato.id == Trabajador.contrato_id)
                                    .where(col(Contrato.informativa_id).in_(ids))
                                    .group_by(Trabajador.contrato_id)).all())
    servicios = {s.id: s for s in session.exec(select(ServicioRepse).where(
        ServicioRepse.contratista_id == contratista.id)).all()}
    filas = []
    for i in presentadas:
        comun = dict(rfc_contratista=i.rfc_firmante or contratista.rfc,
                     nombre_contratista=i.nombre_firmante or contratista.nombre, cuatrimestre=i.cuatrimestre,
                     ejercicio=i.ejercicio, tipo=i.tipo, folio_informativa=i.folio or "", presentada=i.presentada)
        contratos_ = por_informativa.get(i.id, [])
        if not contratos_:
            filas.append(listado.FilaListado(**comun))
        for n, c in enumerate(contratos_, start=1):
            servicio = servicios.get(c.servicio_id)
            filas.append(listado.FilaListado(
                **comun, rfc_contratante=c.rfc_contratante, nombre_contratante=c.nombre_contratante,
                numero_contrato=n, folio_servicio=servicio.folio if servicio else "",
                descripcion_servicio=servicio.descripcion if servicio else "", fecha_inicio=c.fecha_inicio,
                fecha_termino=c.fecha_termino, trabajadores=conteos.get(c.id, 0)))
    return filas
