"""The Bitácora's database side: the one function that writes an audit row, and the contratista's rows read back.

Append-only: `registrar` only adds; nothing in the app updates or deletes an `Auditoria` row (tests/test_bitacora.py
reads the code for it).

Which transaction a row joins:
- an event that is a change in the database (términos, Datos generales, alta, baja, activation, a filing,
  sign-out) adds its row to that change's session before the change commits: both go in, or, rolled back, neither
  (no row claims what did not happen). The values are cleaned and cut to their columns first, so the insert cannot
  fail on its own; if the database fails, the change fails with it, as it should;
- an event that changes nothing else (a refused sign-in, a lockout, an export) goes through `registrar_aparte`,
  which commits the row alone and, should that fail, logs it and goes on: recording never breaks the request it
  records. It is called when the session holds nothing else pending.
"""
from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, func, select

from .hora import MEXICO
from .models import Auditoria

log = logging.getLogger(__name__)

# The kinds, in the order the Bitácora's filter lists them, with what the contratista reads.
TIPOS = {
    "ingreso": "Ingreso",
    "ingreso_rechazado": "Ingreso rechazado",
    "bloqueo": "Bloqueo por intentos fallidos",
    "salida": "Cierre de sesión",
    "terminos": "Términos y condiciones aceptados",
    "datos_generales": "Datos generales guardados",
    "alta": "Alta de capturista",
    "baja": "Baja de capturista",
    "reactivacion": "Reactivación de capturista",
    "invitacion": "Invitación por correo",  # its detail says whether it went
    "activacion": "Activación de capturista",
    "restablecimiento": "Contraseña restablecida por correo",
    "invitacion_respondida": "Invitación aceptada o rechazada",
    "exportacion": "Exportación",
    "presentacion": "Informativa firmada y presentada",
    "firma_rechazada": "Firma rechazada",
    "complementaria": "Complementaria registrada",
}

# The column sizes (models.Auditoria).
_TAMANOS = {"actor": 40, "quien": 18, "direccion": 64, "detalle": 500}


def _limpio(texto: str | None, campo: str) -> str:
    """Printable text that fits its column: control characters (NUL included, which PostgreSQL refuses) and lone
    surrogates (which no database encodes) become spaces or "?"; then cut."""
    texto = "".join(" " if unicodedata.category(c) == "Cc" else c for c in (texto or ""))
    texto = texto.encode("utf-8", "replace").decode("utf-8")
    return texto[:_TAMANOS[campo]]


def registrar(session: Session, accion: str, *, contratista_id: int | None, actor: str, quien: str = "",
              direccion: str = "", detalle: str = "", momento: datetime | None = None) -> Auditoria:
    """Add one audit row to `session` (not committed: it commits with the change it records). `accion` is a key of
    TIPOS; `quien` the RFC or CURP; `direccion` the client address. Never pass a password or a key."""
    if accion not in TIPOS:
        raise ValueError(f"unknown audit kind {accion!r}")
    fila = Auditoria(accion=accion, contratista_id=contratista_id, actor=_limpio(actor, "actor"),
                     quien=_limpio(quien, "quien"), direccion=_limpio(direccion, "direccion"),
                     detalle=_limpio(detalle, "detalle"))
    if momento is not None:
        fila.momento = momento
    session.add(fila)
    return fila


def registrar_aparte(session: Session, accion: str, **campos) -> bool:
    """`registrar` for an event that changes nothing else, committed on its own; a failure is logged, never raised
    (the request it records goes on). False when it could not be stored."""
    try:
        registrar(session, accion, **campos)
        session.commit()
        return True
    except SQLAlchemyError:
        session.rollback()
        log.exception("audit row %s not stored", accion)
        return False


@dataclass(frozen=True)
class Filtro:
    """What the Bitácora shows: a kind ("" for all) and dates in Mexico City, both included (None: unbounded)."""

    tipo: str = ""
    desde: date | None = None
    hasta: date | None = None


def _inicio_del_dia(dia: date) -> datetime:
    return datetime.combine(dia, time(), MEXICO)


def _de(contratista_id: int, filtro: Filtro):
    query = select(Auditoria).where(Auditoria.contratista_id == contratista_id)
    if filtro.tipo:
        query = query.where(Auditoria.accion == filtro.tipo)
    if filtro.desde:
        query = query.where(Auditoria.momento >= _inicio_del_dia(filtro.desde))
    if filtro.hasta:
        query = query.where(Auditoria.momento < _inicio_del_dia(filtro.hasta + timedelta(days=1)))
    return query


def _recientes_primero(query):
    return query.order_by(col(Auditoria.momento).desc(), col(Auditoria.id).desc())


def cuantas(session: Session, contratista_id: int, filtro: Filtro) -> int:
    """How many of this contratista's rows pass the filter."""
    return session.exec(select(func.count()).select_from(_de(contratista_id, filtro).subquery())).one()


def consulta(session: Session, contratista_id: int, filtro: Filtro, pagina: int, por_pagina: int) -> dict:
    """One page of this contratista's rows that pass the filter, newest first."""
    query = _de(contratista_id, filtro)
    total = cuantas(session, contratista_id, filtro)
    paginas = max(1, -(-total // por_pagina))
    pagina = min(max(1, pagina), paginas)
    filas = session.exec(_recientes_primero(query).offset((pagina - 1) * por_pagina).limit(por_pagina)).all()
    return {"filas": filas, "pagina": pagina, "paginas": paginas, "total": total}


def filas(session: Session, contratista_id: int, filtro: Filtro) -> Iterator[Auditoria]:
    """Every row of this contratista that passes the filter, newest first, streamed."""
    yield from session.exec(_recientes_primero(_de(contratista_id, filtro)).execution_options(yield_per=1000))
