"""SEPOMEX's postal-code catalog in the database: loaded once, replaced atomically, read by the address locator."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from itertools import islice
from typing import NamedTuple

from sqlalchemy import bindparam, delete, func, insert, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, select

from . import address, lectura
from .address import AsentamientoRow
from .models import Asentamiento

BATCH = 5_000
_TABLE = Asentamiento.__table__
_FIELDS = tuple(f.name for f in fields(AsentamientoRow))


def replace_catalog(engine: Engine, rows: Iterable[AsentamientoRow]) -> int:
    """Replace the whole catalog with `rows` in one transaction; returns how many were loaded.

    Readers keep seeing the old catalog until the commit (SQLite in WAL mode and PostgreSQL both give them the
    last committed state), and any error, from the database or from `rows` (a malformed file is only found
    while it is read), rolls everything back. An empty `rows` is refused: it would wipe the catalog.
    """
    with engine.begin() as connection:
        _lock(connection)
        connection.execute(delete(_TABLE))
        loaded = _insert(connection, rows)
        if not loaded:
            raise ValueError("El catálogo nuevo no tiene asentamientos; se conserva el anterior.")
    return loaded


def ensure_loaded(engine: Engine) -> int | None:
    """Load the `postalcodes-mexico` catalog if the table is empty; returns the count loaded, or None."""
    with engine.connect() as connection:
        if _has_rows(connection):  # the usual case, every start: no write lock taken
            return None
    with engine.begin() as connection:
        _lock(connection)
        if _has_rows(connection):  # another process loaded it while we waited for the lock
            return None
        return _insert(connection, address.read_postalcodes_mexico())


def _has_rows(connection: Connection) -> bool:
    return connection.execute(select(_TABLE.c.id).limit(1)).first() is not None


def _lock(connection: Connection) -> None:
    """One catalog writer at a time, readers never blocked, so two starts cannot both load (duplicates)."""
    if connection.dialect.name == "postgresql":
        # Conflicts with itself and with row writes; plain SELECTs (ACCESS SHARE) go on.
        connection.execute(text(f"LOCK TABLE {_TABLE.name} IN SHARE ROW EXCLUSIVE MODE"))
    elif connection.dialect.name == "sqlite":
        # pysqlite starts its implicit transaction only at the first write, so a check before that write would
        # read outside the lock. BEGIN IMMEDIATE takes the write lock now (WAL readers are unaffected).
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _insert(connection: Connection, rows: Iterable[AsentamientoRow]) -> int:
    """Bulk insert in batches: one executemany per batch (Core, no ORM objects), the fastest portable way."""
    statement = insert(_TABLE)
    iterator = ({name: getattr(row, name) for name in _FIELDS} for row in rows)
    loaded = 0
    while batch := list(islice(iterator, BATCH)):
        connection.execute(statement, batch)
        loaded += len(batch)
    return loaded


class Colonia(NamedTuple):
    """An asentamiento as a lookup reads it: the table's columns as a plain row (no ORM object)."""

    id: int
    cp: str
    nombre: str
    tipo: str
    municipio: str
    estado: str
    ciudad: str | None
    c_estado: str
    c_mnpio: str | None
    zona: str | None


_COLUMNAS = tuple(getattr(Asentamiento, name) for name in Colonia._fields)


# A postal code's colonias, and a municipio's, read in one step (app/lectura.py: 59 colonias were 59 hand-offs of
# the GIL).
_POR_CP = lectura.Lectura(select(*_COLUMNAS).where(Asentamiento.cp == bindparam("cp")))
_POR_MUNICIPIO = lectura.Lectura(select(*_COLUMNAS).where(Asentamiento.estado == bindparam("estado"),
                                                          Asentamiento.municipio == bindparam("municipio")))


def _ordenadas(filas) -> list[Colonia]:
    """By name (accents and case ignored)."""
    return sorted((Colonia(*fila) for fila in filas), key=lambda a: (address.clave_orden(a.nombre), a.tipo, a.id))


def colonias_por_cp(session: Session, cp: str) -> list[Colonia]:
    """The asentamientos of a código postal, by name. Empty: unknown CP."""
    return _ordenadas(_POR_CP.filas(session, cp=cp))


def estados(session: Session) -> list[str]:
    """Every estado in the catalog, sorted.

    A plain DISTINCT reads the whole (estado, municipio) index, ~145k entries. Neither SQLite nor PostgreSQL
    skips through an index for DISTINCT on its own, so this recursive query does (PostgreSQL wiki, "Loose
    indexscan"): each step seeks the next estado, 33 index lookups in all.
    """
    t = _TABLE.name
    loose = text(f"""
        WITH RECURSIVE e(estado) AS (
            SELECT MIN(estado) FROM {t}
            UNION ALL
            SELECT (SELECT MIN(estado) FROM {t} WHERE estado > e.estado) FROM e WHERE e.estado IS NOT NULL
        )
        SELECT estado FROM e WHERE estado IS NOT NULL""")
    return sorted(session.connection().execute(loose).scalars(), key=address.clave_orden)


def municipios(session: Session, estado: str) -> list[str]:
    """The municipios (alcaldías in Mexico City) of an estado, sorted. A range of the (estado, municipio) index."""
    query = select(Asentamiento.municipio).where(Asentamiento.estado == estado).distinct()
    return sorted(session.exec(query).all(), key=address.clave_orden)


def colonias(session: Session, estado: str, municipio: str) -> list[Colonia]:
    """The asentamientos of a municipio, by name."""
    return _ordenadas(_POR_MUNICIPIO.filas(session, estado=estado, municipio=municipio))


def asentamiento(session: Session, id: int) -> Asentamiento | None:
    return session.get(Asentamiento, id)


def count(session: Session) -> int:
    """How many asentamientos the catalog holds."""
    return session.exec(select(func.count()).select_from(Asentamiento)).one()


def count_cp(session: Session) -> int:
    """How many distinct códigos postales the catalog holds."""
    return session.exec(select(func.count(Asentamiento.cp.distinct()))).one()
