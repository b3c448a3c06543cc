"""Give release 0.1.0's SQLite constraints the names every other database has.

Release 0.1.0 created its tables without constraint names. PostgreSQL then names them itself
(`borrador_contratista_id_pagina_key`, `capturista_persona_id_fkey`, …), and models.py's naming convention gives
exactly those names, so PostgreSQL databases need nothing. SQLite keeps them unnamed, and a later revision could
not drop or change one by name there; this revision copies each such table once (SQLite's only way to change a
constraint), naming its unique and foreign-key constraints as PostgreSQL does. A database created by revision 0001
already has the names, and nothing is copied.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 13:45:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here (not imported from models.py, which may change): PostgreSQL's default constraint names.
CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "fk": "%(table_name)s_%(column_0_N_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}


def _has_unnamed_constraints(inspector, table: str) -> bool:
    return any(c["name"] is None for c in inspector.get_unique_constraints(table)) or any(
        fk["name"] is None for fk in inspector.get_foreign_keys(table))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    inspector = sa.inspect(bind)
    for table in inspector.get_table_names():
        if table != "alembic_version" and _has_unnamed_constraints(inspector, table):
            with op.batch_alter_table(table, recreate="always", naming_convention=CONVENTION):
                pass


def downgrade() -> None:
    pass  # names are harmless to an older release
