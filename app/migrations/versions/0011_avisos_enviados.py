"""The reminder notices sent (issue 13, `icsoe avisos`): one row per contratista, period and anticipation (10, 3 or
1 business days before the deadline), unique, so that a notice goes out once however many runs race. A new table
only: an instance of an earlier release gains it empty.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 19:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('aviso',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contratista_id', sa.Integer(), nullable=False),
    sa.Column('ejercicio', sa.Integer(), nullable=False),
    sa.Column('cuatrimestre', sa.Integer(), nullable=False),
    sa.Column('anticipacion', sa.Integer(), nullable=False),
    sa.Column('enviado', sa.DateTime(timezone=True), nullable=False),
    sa.Column('correos', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contratista_id'], ['contratista.id'], name=op.f('aviso_contratista_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('aviso_pkey')),
    sa.UniqueConstraint('contratista_id', 'ejercicio', 'cuatrimestre', 'anticipacion',
                        name=op.f('aviso_contratista_id_ejercicio_cuatrimestre_anticipacion_key'))
    )


def downgrade() -> None:
    op.drop_table('aviso')
