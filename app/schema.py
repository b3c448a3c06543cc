"""The database schema belongs to Alembic: one migration history (app/migrations) for SQLite and PostgreSQL.

`icsoe init` and `icsoe db upgrade` bring a database to the newest revision; `icsoe serve` does so itself on
SQLite (one node, one file) and on PostgreSQL refuses to start while the schema is behind, because several nodes
starting together must not race to migrate: the operator runs `icsoe db upgrade` once.

An instance created by release 0.1.0 has the tables but no `alembic_version`: revision 0001 creates only the tables
that are missing, so such an instance upgrades in place, with its data.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Any constant: PostgreSQL advisory-lock key that serialises concurrent `icsoe db upgrade` runs.
_LOCK_KEY = 0x1C50E


class SchemaBehind(RuntimeError):
    """The database is not at the newest revision; str(e) tells the operator what to run."""


class SchemaAhead(SchemaBehind):
    """The database is at a revision this release does not know: a newer release wrote it (a rollback of the app
    without its database). Nothing here can use or upgrade it; str(e) says so."""


def ahead(found: str) -> SchemaAhead:
    """The refusal of a database at `found`, a revision this release does not know."""
    return SchemaAhead(f"La base de datos está en la revisión {found}, desconocida para esta versión: la escribió una "
                       f"versión más nueva de ICSOE. Usa esa versión (o una más nueva), o restaura un respaldo hecho "
                       f"con esta.")


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision of this release."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known(revision: str) -> bool:
    """Whether `revision` is in this release's history (a database of a newer release has one that is not)."""
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def current(engine: Engine) -> str | None:
    """The database's revision; None for an empty database or one made by release 0.1.0 (no alembic_version)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the database to the newest revision; returns (revision before, revision after)."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a column by copying its table and dropping the old one; with foreign keys on, that
            # drop would delete (or refuse over) the rows that point at it. Off for the migration only, checked
            # after it. The pragma is a no-op inside a transaction, so it runs first.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            if connection.dialect.name == "postgresql":
                # Two `icsoe db upgrade` (or init) at once: the second waits, then finds nothing left to do.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            before = MigrationContext.configure(connection).get_current_revision()
            if before is not None and not known(before):
                raise ahead(before)
            command.upgrade(alembic_config(connection), "head")
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"La migración dejó referencias rotas: {broken[:5]}")
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            if sqlite:  # the pooled connection goes back as the engine's connect hook made it
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
        after = MigrationContext.configure(connection).get_current_revision()
    return before, after


def require_current(engine: Engine) -> None:
    """SchemaBehind unless the database is at the newest revision (PostgreSQL nodes at start)."""
    found, wanted = current(engine), head()
    if found is not None and found != wanted and not known(found):
        raise ahead(found)
    if found != wanted:
        raise SchemaBehind(
            f"El esquema de la base de datos está en la revisión {found or 'inicial (sin migraciones)'} y esta "
            f"versión necesita la {wanted}. Ejecuta una sola vez, desde un nodo: icsoe db upgrade")
