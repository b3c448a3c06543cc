"""The Bitácora (issue 14): each audit row also keeps who (`quien`: the RFC or CURP) and the client address
(`direccion`); rows written before have both empty. The page reads a contratista's rows newest first, so the index
on `contratista_id` becomes one on (`contratista_id`, `momento`), which serves the foreign key as well.
Columns added in place (a server default fills the existing rows); no table is copied.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 10:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('auditoria', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quien', sa.String(length=18), server_default='', nullable=False))
        batch_op.add_column(sa.Column('direccion', sa.String(length=64), server_default='', nullable=False))
        batch_op.drop_index(batch_op.f('ix_auditoria_contratista_id'))
        batch_op.create_index('ix_auditoria_contratista_id_momento', ['contratista_id', 'momento'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('auditoria', schema=None) as batch_op:
        batch_op.drop_index('ix_auditoria_contratista_id_momento')
        batch_op.create_index(batch_op.f('ix_auditoria_contratista_id'), ['contratista_id'], unique=False)
        batch_op.drop_column('direccion')
        batch_op.drop_column('quien')
