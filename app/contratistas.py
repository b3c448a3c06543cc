"""The contratista in the database: its entry with a validated e.firma, made safe against replays and races."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import bindparam, exists
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, delete, or_, select, update

from .comprobante import Comprobante
from .models import AceptacionTerminos, Contratista, ComprobanteUsado, DatosGenerales

# The key alone, read through the connection: no row object, no address to parse (a third of the ORM's cost).
_GUARDADOS = select(DatosGenerales.contratista_id).where(DatosGenerales.contratista_id == bindparam("contratista_id"))
# Saved Datos generales are never deleted: once seen, they stay. auth reads this with the signed-in user's row (one
# query for both) and notes what it found in the request's session (`anotar_datos_generales`), so that every page of
# Administración does not run a query of its own for it.
DATOS_GENERALES_GUARDADOS = exists().where(DatosGenerales.contratista_id == Contratista.id)
_CON_DATOS_GENERALES = "contratistas con datos generales"  # Session.info's key: the ids seen with them


def anotar_datos_generales(session: Session, contratista_id: int, guardados: bool) -> None:
    """Note, for this session (one request), that the contratista's Datos generales were found saved."""
    if guardados:
        session.info.setdefault(_CON_DATOS_GENERALES, set()).add(contratista_id)


def aceptar_terminos(session: Session, contratista: Contratista, version: str, now: datetime) -> bool:
    """Record that the contratista accepted the terms' `version` (its row, and one AceptacionTerminos: the evidence),
    once: a conditional UPDATE decides, so a double click, a resubmitted page or two tabs record one acceptance.
    False when that version was already accepted (nothing written). Not committed."""
    aceptada = session.exec(update(Contratista).where(
        Contratista.id == contratista.id,
        or_(Contratista.terminos_version.is_(None), Contratista.terminos_version != version))
        .values(terminos_version=version, terminos_aceptados=now))
    if aceptada.rowcount != 1:
        return False
    session.add(AceptacionTerminos(contratista_id=contratista.id, version=version, aceptado=now))
    return True


def datos_generales_guardados(session: Session, contratista_id: int) -> bool:
    """Whether the contratista has saved its Datos generales (Administración and Inicio wait for them)."""
    if contratista_id in session.info.get(_CON_DATOS_GENERALES, ()):
        return True
    return session.connection().execute(_GUARDADOS, {"contratista_id": contratista_id}).first() is not None


def usar_comprobante(session: Session, comprobante: Comprobante, vigencia: timedelta, now: datetime) -> bool:
    """Record the proof as used; False when it already was (a replayed cookie, or two tabs racing)."""
    session.exec(delete(ComprobanteUsado).where(ComprobanteUsado.vence < now))
    session.add(ComprobanteUsado(nonce=comprobante.nonce, vence=now + vigencia))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def registrar_ingreso(session: Session, comprobante: Comprobante, now: datetime,
                      antes_de_confirmar: Callable[[Contratista], None] = lambda c: None) -> Contratista:
    """The contratista of the proof's RFC, created on its first entry; the latest certificate is the one on file (a
    renewed e.firma updates serial, dates and name). Two first entries racing: the second finds the first's row.
    `antes_de_confirmar(contratista)` adds to the same transaction (the entry's audit row), its id known."""
    for _ in range(2):
        contratista = session.exec(select(Contratista).where(Contratista.rfc == comprobante.rfc)).first() \
            or Contratista(rfc=comprobante.rfc)
        contratista.nombre, contratista.persona = comprobante.nombre, comprobante.persona
        contratista.cert_serial, contratista.cert_fingerprint = comprobante.serial, comprobante.fingerprint
        contratista.cert_not_before, contratista.cert_not_after = comprobante.not_before, comprobante.not_after
        contratista.ultimo_ingreso = now
        session.add(contratista)
        try:
            session.flush()
            antes_de_confirmar(contratista)
            session.commit()
            return contratista
        except IntegrityError:
            session.rollback()
    raise RuntimeError("could not record the contratista's entry")
