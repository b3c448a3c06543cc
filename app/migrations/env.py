"""Alembic's environment: one migration history for SQLite and PostgreSQL (see app/schema.py).

Run by `icsoe db upgrade`, `icsoe init` and `icsoe serve` through app.schema, which hand over their own connection
in `config.attributes["connection"]`; and by a developer's `alembic revision --autogenerate` or `alembic check`
(alembic.ini at the repository root), which connect to DATABASE_URL or the instance's SQLite database, or, when
neither exists (a fresh clone), to a scratch SQLite database that the revisions bring to head first: the models
are then compared with what the revisions make.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from alembic import context
from sqlalchemy import String, pool
from sqlalchemy.types import DateTime
from sqlmodel import SQLModel

from app import config as app_config
from app import models  # noqa: F401  (registers every table on SQLModel.metadata)

target_metadata = SQLModel.metadata


def render_item(type_: str, obj, autogen_context):
    """Write plain SQLAlchemy types into revisions, so that a revision never imports app code that may change
    later: SQLModel's AutoString is a VARCHAR, and models.UTCDateTime a timezone-aware timestamp."""
    if type_ == "type":
        implementation = getattr(obj, "impl", obj)  # a TypeDecorator (AutoString, UTCDateTime) wraps its type
        if isinstance(implementation, String) and type(obj).__module__.startswith("sqlmodel"):
            length = implementation.length
            return f"sa.String(length={length})" if length else "sa.String()"
        if isinstance(implementation, DateTime) and implementation.timezone:
            return "sa.DateTime(timezone=True)"
    return False


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters a table by copying it: batch mode writes revisions that do so
        render_item=render_item,
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from sqlalchemy import create_engine

    url = app_config.database_url(app_config.instance_folder())
    with tempfile.TemporaryDirectory(prefix="icsoe-alembic-") as carpeta:
        if _compara() and url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
            url = _base_de_prueba(Path(carpeta) / "icsoe.sqlite")
        engine = create_engine(url, poolclass=pool.NullPool)
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
        engine.dispose()


def _compara() -> bool:
    """Whether this is `alembic check` or `alembic revision` (which only compare): an `alembic upgrade` must not
    quietly migrate a scratch database."""
    orden = getattr(context.config.cmd_opts, "cmd", None)
    return bool(orden) and getattr(orden[0], "__name__", "") in ("check", "revision")


def _base_de_prueba(archivo: Path) -> str:
    """A SQLite database at the newest revision, made by app.schema in a child process (an alembic command cannot
    run inside this one: it would replace, then remove, the `context` this script is using)."""
    url = f"sqlite:///{archivo}"
    subprocess.run([sys.executable, "-c", "import sys; from app import db, schema; "
                    "schema.upgrade(db.make_engine(sys.argv[1]))", url], check=True,
                   cwd=Path(__file__).resolve().parents[2])
    return url


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported: run `icsoe db upgrade`.")
run_migrations_online()
