"""Engine per app, one Session per request (flaskr's get_db() with SQLModel inside)."""
from __future__ import annotations

from functools import lru_cache

from flask import Flask, current_app, g
from sqlalchemy import Table, bindparam, event, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, create_engine

from . import models  # noqa: F401  (registers every table on SQLModel.metadata)


SQLITE_ESPERA = 30.0  # seconds a SQLite writer waits for the write lock (20 imports of 3,000 rows at once: 16 s)


def make_engine(url: str, *, sqlite_espera: float = SQLITE_ESPERA, conexiones: int | None = None) -> Engine:
    """An engine for DATABASE_URL; SQLite gets the pragmas a small multi-threaded server needs, and waits up to
    `sqlite_espera` seconds for its write lock (past that the request answers 503, errors.py).

    `conexiones`: how many connections the pool keeps open (`icsoe serve`: one per worker thread). SQLAlchemy's
    default keeps 5: with 8 threads, the connections beyond those were opened and closed on every request (a new
    SQLite connection, its pragmas and a cold page cache; a new PostgreSQL session). The most open at once is
    unchanged: one per thread.

    `hide_parameters`: a database error's message leaves out the statement's values, which are workers' NSS, CURP
    and salaries (an insert of 500 of them at once): an unexpected error is logged with its traceback, and the log
    must not become a copy of the payroll."""
    pool = {"pool_size": conexiones} if conexiones else {}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": sqlite_espera},
                               hide_parameters=True, **pool)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # WAL lets waitress's threads read while one writes; foreign keys are off by default in SQLite.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, **pool)


def init_app(app: Flask) -> None:
    app.extensions["engine"] = make_engine(app.config["DATABASE_URL"],
                                           sqlite_espera=float(app.config.get("SQLITE_ESPERA", SQLITE_ESPERA)),
                                           conexiones=app.config.get("DB_CONEXIONES"))
    app.teardown_appcontext(close_session)


def get_session() -> Session:
    """The request's session. `expire_on_commit=False`: what a view read or wrote stays readable after its commit
    (for the redirect and the message that follow it). Expiring reloaded each attribute from the database after
    the commit, and when another tab had deleted the row meanwhile (Eliminar contrato during a Cargar or a
    Guardar) the reload raised ObjectDeletedError: a 500 for a change that was stored. Code that needs another
    request's committed changes reads them again (`populate_existing`, `refresh`), as `informativas` does after
    `bloquear`."""
    if "session" not in g:
        g.session = Session(current_app.extensions["engine"], expire_on_commit=False)
    return g.session


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("session", None)
    if session is not None:
        session.close()


def upsert(session: Session, model: type[SQLModel], conflicto: list[str], valores: dict) -> None:
    """INSERT … ON CONFLICT (conflicto) DO UPDATE, one statement on SQLite and PostgreSQL alike: concurrent saves of
    one row (a Guardar overlapping autosaves, two tabs) never race between a read and a write. Not committed."""
    statement = _upsert(session.get_bind().dialect.name, model.__table__, tuple(conflicto), tuple(valores))
    session.execute(statement, valores)


@lru_cache(maxsize=32)
def _upsert(dialecto: str, tabla: Table, conflicto: tuple[str, ...], columnas: tuple[str, ...]):
    """The upsert of `columnas`, built once: its values are the execution's parameters. Building it (the EXCLUDED
    alias, its column proxies) and its cache key took a third of a draft autosave's database work. The callers'
    column sets are fixed in the code."""
    insert = postgresql.insert if dialecto == "postgresql" else sqlite.insert
    statement = insert(tabla)
    cambios = {name: statement.excluded[name] for name in columnas if name not in conflicto}
    return statement.on_conflict_do_update(index_elements=list(conflicto), set_=cambios)


def bloquear_borradores(session: Session, contratista_id: int) -> None:
    """Begin a read-modify-write of the contratista's drafts (Datos generales, a contract page): held until the
    commit, so that two requests of one contratista (an autosave fired 300 ms after a change, and the Ubicar the
    user pressed meanwhile; two tabs; two capturistas) read and write its drafts one after the other. Without it
    the autosave, which read the draft before Ubicar saved Paso 3, wrote back its stale Paso 2 (the last writer
    won with what it had read first). PostgreSQL locks the contratista's row; SQLite takes its write lock with a
    no-op UPDATE (it has no row locks, and a read takes none)."""
    sentencia = _BLOQUEO["postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"]
    session.connection().execute(sentencia, {"contratista_id": contratista_id})


def leer_borrador(session: Session, contratista_id: int, clave: str) -> object:
    """The contratista's draft `clave` (its JSON), or None."""
    return session.connection().execute(_BORRADOR, {"contratista_id": contratista_id, "clave": clave}).scalar()


# The statements of every locator request and autosave, built once: building a statement and its cache key cost
# more than running it (the draft's read: 163 µs through the ORM, 30 µs so).
_CONTRATISTA = models.Contratista.__table__
_BLOQUEO = {
    # FOR NO KEY UPDATE: it excludes the drafts' other writers, not the rows that only refer to the contratista
    # (their foreign key takes KEY SHARE): Cargar, holding its informativa, inserts its preview, while Guardar
    # contrato, holding this, waits for that informativa; FOR UPDATE made the two a deadlock.
    "postgresql": select(_CONTRATISTA.c.id).where(_CONTRATISTA.c.id == bindparam("contratista_id"))
    .with_for_update(key_share=True),
    "sqlite": update(_CONTRATISTA).where(_CONTRATISTA.c.id == bindparam("contratista_id"))
    .values(nombre=_CONTRATISTA.c.nombre),
}
_BORRADOR = select(models.Borrador.datos).where(models.Borrador.contratista_id == bindparam("contratista_id"),
                                                models.Borrador.clave == bindparam("clave"))
