"""A draft's key is `clave`, not `pagina`: "pagina" also meant a page number and the Datos generales state object.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 15:30:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("borrador", schema=None) as batch_op:
        batch_op.drop_constraint("borrador_contratista_id_pagina_key", type_="unique")
        batch_op.alter_column("pagina", new_column_name="clave", existing_type=sa.String(length=40),
                              existing_nullable=False)
    # Apart: SQLite's batch copy drops a constraint on a column renamed in the same batch.
    with op.batch_alter_table("borrador", schema=None) as batch_op:
        batch_op.create_unique_constraint("borrador_contratista_id_clave_key", ["contratista_id", "clave"])


def downgrade() -> None:
    with op.batch_alter_table("borrador", schema=None) as batch_op:
        batch_op.drop_constraint("borrador_contratista_id_clave_key", type_="unique")
        batch_op.alter_column("clave", new_column_name="pagina", existing_type=sa.String(length=40),
                              existing_nullable=False)
    with op.batch_alter_table("borrador", schema=None) as batch_op:
        batch_op.create_unique_constraint("borrador_contratista_id_pagina_key", ["contratista_id", "pagina"])
