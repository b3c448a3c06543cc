"""The database side of the board of deadlines, the reminder notices (`icsoe avisos`) and the Listado: what app.avisos
and app.listado decide over, read here, scoped to one contratista (the board, the Listado) or to each in turn (the
notices).

A notice is claimed once and delivered at least once to each of its recipients (app.avisos has the rule of which
notice is due). Claiming: the notice's row is inserted with the unique constraint on (contratista, ejercicio,
cuatrimestre, anticipación), `INSERT … ON CONFLICT DO NOTHING`, together with one `aviso_correo` row per recipient
of that moment, and committed: of two runs racing (two cron nodes, a manual run during cron's) only the one whose
row went in claims it. Delivering: each unsent message is taken with a lease (a conditional UPDATE of its
`reclamado`, RECLAMO long), sent, and marked sent (or its failure counted) in its own commit. So
- two runs never send one message at once: the second finds the lease taken;
- a message the mail server refused or could not take is retried by the next runs, up to MAX_INTENTOS failures,
  while the notice is still worth sending (app.avisos.aviso_pendiente), written again for that day;
- a run that dies mid-send leaves its messages leased: a run after the lease ran out sends them. Only a run that
  dies between the server's acceptance and its commit makes one address get that notice twice;
- before a retry the notice's recipients are brought up to date: one who stopped being one (a capturista given
  de baja, the contratista's old address) is given up, one it lacks (the address the contratista fixed after the
  server refused the old one) is added;
- a notice whose text could not be written (an unexpected error reading the informativa) sends nothing, is
  counted as failed, and is written again by the next run; the run goes on with the next.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, func, select

from . import avisos, informativas, listado
from .correo import Correo, CorreoNoEnviado, Mensaje
from .models import (AvisoCorreo, AvisoEnviado, Capturista, Contratista, Contrato, DatosGenerales, Informativa,
                     Persona, ServicioRepse, Trabajador, utcnow)
from .plazos import Periodo

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

MAX_INTENTOS = 3            # failures of one message before it is given up (logged each time)
RECLAMO = timedelta(minutes=10)  # a run's lease on a message: far past one SMTP exchange (app.correo.TIMEOUT)


@dataclass
class Resultado:
    """What a run of the notices did: notices of which messages went out, messages that went out, messages (or
    notices that could not be written) that failed."""

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


def _insert(session: Session):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _reclamar(session: Session, contratista_id: int, aviso: avisos.Aviso, para: list[str], ahora: datetime) -> bool:
    """Insert the notice's row (ON CONFLICT DO NOTHING) and, when it went in, one row per recipient; commit. False
    when another run had claimed it."""
    insert = _insert(session)
    tabla = AvisoEnviado.__table__
    fila = session.execute(
        insert(tabla).values(contratista_id=contratista_id, ejercicio=aviso.periodo.ejercicio,
                             cuatrimestre=aviso.periodo.cuatrimestre, anticipacion=aviso.anticipacion,
                             enviado=ahora, correos=0)
        .on_conflict_do_nothing(index_elements=["contratista_id", "ejercicio", "cuatrimestre", "anticipacion"])
        .returning(tabla.c.id)).first()
    if fila is not None:
        session.execute(AvisoCorreo.__table__.insert(), [dict(aviso_id=fila[0], correo=c, intentos=0) for c in para])
    session.commit()
    return fila is not None


def _tomar(session: Session, correo_id: int) -> datetime | None:
    """Take the lease on one unsent message (conditional UPDATE, committed): the lease's time, or None when another
    run holds a live lease on it, sent it or gave it up meanwhile."""
    tabla = AvisoCorreo.__table__
    ahora = utcnow()
    tomado = session.execute(
        update(tabla).where(tabla.c.id == correo_id, tabla.c.enviado.is_(None), tabla.c.intentos < MAX_INTENTOS,
                            or_(tabla.c.reclamado.is_(None), tabla.c.reclamado < ahora - RECLAMO))
        .values(reclamado=ahora)).rowcount
    session.commit()
    return ahora if tomado == 1 else None


MSG_YA_NO = "Ya no es destinatario del contratista (baja, o cambió su correo)."


def _al_dia(session: Session, aviso_id: int, mensajes: list[tuple[int, str]],
            vigentes: list[str]) -> list[tuple[int, str]]:
    """A notice's unsent messages brought up to the contratista's recipients of now, before a retry: an address
    that is no longer one (a capturista given de baja, the contratista's old e-mail) is given up, and one that the
    notice lacks (the contratista fixed the address the server refused) gets its message. Committed."""
    actuales = {c.lower(): c for c in vigentes}
    tabla = AvisoCorreo.__table__
    fuera = [i for i, d in mensajes if d.lower() not in actuales]
    if fuera:
        session.execute(update(tabla).where(tabla.c.id.in_(fuera), tabla.c.enviado.is_(None))
                        .values(intentos=MAX_INTENTOS, error=MSG_YA_NO, reclamado=None))
    tiene = {d.lower() for d in session.exec(select(AvisoCorreo.correo).where(AvisoCorreo.aviso_id == aviso_id))}
    nuevos = [c for k, c in actuales.items() if k not in tiene]
    if nuevos:
        session.execute(_insert(session)(tabla).values([dict(aviso_id=aviso_id, correo=c, intentos=0)
                                                        for c in nuevos])
                        .on_conflict_do_nothing(index_elements=["aviso_id", "correo"]))
    session.commit()
    if not fuera and not nuevos:
        return mensajes
    return [(i, d) for i, d in session.exec(
        select(AvisoCorreo.id, AvisoCorreo.correo).where(AvisoCorreo.aviso_id == aviso_id,
                                                         col(AvisoCorreo.enviado).is_(None),
                                                         AvisoCorreo.intentos < MAX_INTENTOS)
        .order_by(AvisoCorreo.id)).all()]


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


def _sin_enviar(desde: int):
    """The messages of notices from year `desde` not sent and not given up (a query's FROM and WHERE)."""
    return (select(AvisoEnviado.id, AvisoEnviado.ejercicio, AvisoEnviado.cuatrimestre, AvisoEnviado.anticipacion,
                   AvisoCorreo.id, AvisoCorreo.correo)
            .join(AvisoCorreo, AvisoCorreo.aviso_id == AvisoEnviado.id)
            .where(AvisoEnviado.ejercicio >= desde, col(AvisoCorreo.enviado).is_(None),
                   AvisoCorreo.intentos < MAX_INTENTOS))


def _pendientes(session: Session, contratista_id: int, desde: int) -> dict[tuple, list[tuple[int, str]]]:
    """The contratista's notices (id, ejercicio, cuatrimestre, anticipación) from year `desde` with messages not
    sent and not given up: their (id, address) in the order they were claimed."""
    pendientes: dict[tuple, list[tuple[int, str]]] = {}
    for aviso_id, ejercicio, cuatrimestre, anticipacion, correo_id, direccion in session.exec(
            _sin_enviar(desde).where(AvisoEnviado.contratista_id == contratista_id)
            .order_by(AvisoEnviado.id, AvisoCorreo.id)).all():
        pendientes.setdefault((aviso_id, ejercicio, cuatrimestre, anticipacion), []).append((correo_id, direccion))
    return pendientes


def _reclamados(session: Session, desde: int) -> dict[int, dict[tuple[int, int], set[int]]]:
    """Per contratista and period, the anticipations claimed from year `desde`."""
    reclamados: dict[int, dict[tuple[int, int], set[int]]] = {}
    for cid, ejercicio, cuatrimestre, anticipacion in session.exec(
            select(AvisoEnviado.contratista_id, AvisoEnviado.ejercicio, AvisoEnviado.cuatrimestre,
                   AvisoEnviado.anticipacion).where(AvisoEnviado.ejercicio >= desde)).all():
        reclamados.setdefault(cid, {}).setdefault((ejercicio, cuatrimestre), set()).add(anticipacion)
    return reclamados


def enviar_avisos(session: Session, correo: Correo, hoy: date, enlace: Callable[[int | None], str],
                  ahora: datetime | None = None) -> Resultado:
    """Send every notice due on `hoy` (Mexico City's date) to each contratista with Datos generales and to its
    active capturistas, and what earlier runs left unsent; `enlace(informativa_id)` is the portal's address of
    that informativa (None: the list). Commits as it goes (module docstring)."""
    ahora = ahora or utcnow()
    desde = hoy.year - 1
    resultado = Resultado()
    por_contratista: dict[int, list] = {}
    for fila in _informativas_desde(session, desde):
        por_contratista.setdefault(fila.contratista_id, []).append(fila)
    reclamados = _reclamados(session, desde)
    # Who has messages left by earlier runs, read once: a contratista with none and nothing due costs no query.
    con_pendientes = set(session.execute(_sin_enviar(desde).with_only_columns(AvisoEnviado.contratista_id)
                                         .distinct()).scalars())
    contratistas = session.exec(select(Contratista).join(DatosGenerales, DatosGenerales.contratista_id ==
                                                         Contratista.id).order_by(Contratista.id)).all()
    for contratista in contratistas:
        suyas = por_contratista.get(contratista.id, [])
        debidos = avisos.avisos_debidos(hoy, suyas, reclamados.get(contratista.id, {}))
        para = destinatarios(session, contratista.id) if debidos else []
        suyos = reclamados.setdefault(contratista.id, {})
        for aviso in debidos if para else []:
            _reclamar(session, contratista.id, aviso, para, ahora)  # by this run or, racing it, another
            suyos.setdefault((aviso.periodo.ejercicio, aviso.periodo.cuatrimestre), set()).add(aviso.anticipacion)
        if not para and contratista.id not in con_pendientes:
            continue
        pendientes = _pendientes(session, contratista.id, desde)
        vigentes = (para or destinatarios(session, contratista.id)) if pendientes else []
        for (aviso_id, ejercicio, cuatrimestre, anticipacion), mensajes in pendientes.items():
            aviso = avisos.aviso_pendiente(hoy, Periodo(ejercicio, cuatrimestre), anticipacion, suyas,
                                           suyos.get((ejercicio, cuatrimestre), ()))
            if aviso is None:
                continue
            mensajes = _al_dia(session, aviso_id, mensajes, vigentes)
            if mensajes:
                _entregar(session, correo, contratista, aviso_id, aviso, mensajes, hoy, enlace, resultado)
    return resultado


def _entregar(session: Session, correo: Correo, contratista: Contratista, aviso_id: int, aviso: avisos.Aviso,
              mensajes: list[tuple[int, str]], hoy: date, enlace: Callable[[int | None], str],
              resultado: Resultado) -> None:
    """Write notice `aviso_id` as it reads on `hoy` and send each of its unsent `mensajes` (id, address) whose
    lease this run takes; each message's outcome is committed as soon as the mail server answered."""
    try:
        asunto, texto = avisos.redactar(aviso, f"{contratista.rfc} - {contratista.nombre}",
                                        _problemas(session, contratista, aviso, hoy), enlace(aviso.informativa_id))
    except Exception:  # noqa: BLE001  (whatever failed, nothing went out: the next run writes it again)
        log.exception("notice %s of contratista %s not written", aviso.anticipacion, contratista.id)
        session.rollback()
        resultado.fallidos += 1
        return
    tabla, avisos_ = AvisoCorreo.__table__, AvisoEnviado.__table__
    enviados = 0
    for correo_id, direccion in mensajes:
        lease = _tomar(session, correo_id)
        if lease is None:
            continue  # another run is sending it, or did
        error = None
        try:
            correo.enviar(Mensaje(para=direccion, asunto=asunto, texto=texto))
        except (CorreoNoEnviado, ValueError) as e:
            error = str(e)
        except Exception as e:  # noqa: BLE001  (one address's unexpected failure ends neither the notice nor the run)
            log.exception("notice %s of contratista %s to %s not sent", aviso.anticipacion, contratista.id,
                          direccion)
            error = f"{type(e).__name__}: {e}"
        # The outcome is written only while this run still holds the lease (a send slower than RECLAMO lost it to
        # another run, which then sends and counts it again: the one case besides a kill that sends twice).
        mio = (tabla.c.id == correo_id) & (tabla.c.reclamado == lease)
        if error is None:
            if session.execute(update(tabla).where(mio).values(enviado=utcnow(), reclamado=None, error=None)).rowcount:
                session.execute(update(avisos_).where(avisos_.c.id == aviso_id)
                                .values(correos=avisos_.c.correos + 1))
            enviados += 1
        else:
            log.warning("notice %s of contratista %s to %s not sent: %s", aviso.anticipacion, contratista.id,
                        direccion, error)
            session.execute(update(tabla).where(mio)
                            .values(intentos=tabla.c.intentos + 1, error=error[:300], reclamado=None))
            resultado.fallidos += 1
        session.commit()
    if enviados:
        resultado.avisos += 1
        resultado.correos += enviados
        resultado.detalle.append(f"{contratista.rfc}: {aviso.periodo.nombre}, aviso de {aviso.anticipacion} "
                                 f"({enviados} correos)")


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
