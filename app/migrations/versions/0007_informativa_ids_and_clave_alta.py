"""The informativa's tables never reuse an id on SQLite, and a contract remembers the form that added it.

SQLite gives a new row the highest rowid + 1, so deleting the newest contract handed its id to the next one, with
the deleted one's unsaved draft and a tab's stale preview link. AUTOINCREMENT exists only in CREATE TABLE: each
table is copied (batch mode) with it. PostgreSQL's sequences never reuse an id: nothing to do there but the column.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 16:50:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("serviciorepse", "informativa", "contrato", "trabajador", "cargatrabajadores")


def upgrade() -> None:
    with op.batch_alter_table("contrato", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clave_alta", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint("contrato_informativa_id_clave_alta_key", ["informativa_id", "clave_alta"])
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
                pass


def downgrade() -> None:
    with op.batch_alter_table("contrato", schema=None) as batch_op:
        batch_op.drop_constraint("contrato_informativa_id_clave_alta_key", type_="unique")
        batch_op.drop_column("clave_alta")
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": False}):
                pass
