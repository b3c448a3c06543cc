"""The public Verificar acuse keeps its last integrity verdict per presented informativa (`comprobacion_acuse`) and
checks again at most once every few minutes, one request at a time across nodes: rebuilding a large filing's cadena
on every anonymous lookup kept a node busy for seconds each time (a red-team review). A new table only.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 15:50:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('comprobacion_acuse',
    sa.Column('informativa_id', sa.Integer(), nullable=False),
    sa.Column('comprobada', sa.DateTime(timezone=True), nullable=False),
    sa.Column('integra', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['informativa_id'], ['informativa.id'],
                            name=op.f('comprobacion_acuse_informativa_id_fkey')),
    sa.PrimaryKeyConstraint('informativa_id', name=op.f('comprobacion_acuse_pkey'))
    )


def downgrade() -> None:
    op.drop_table('comprobacion_acuse')
