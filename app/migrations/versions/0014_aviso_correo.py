"""Reminder notices are delivered at least once (`icsoe avisos`): each notice keeps one row per recipient in
`aviso_correo` (sent when `enviado` is set; `reclamado` is the lease of the run sending it, so that a run that died
mid-send is taken over; `intentos` and `error` the failures, retried by later runs). A new table only: the notices
of an earlier release have no recipient rows and count as delivered.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 07:16:28
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('aviso_correo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('aviso_id', sa.Integer(), nullable=False),
    sa.Column('correo', sa.String(length=254), nullable=False),
    sa.Column('enviado', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reclamado', sa.DateTime(timezone=True), nullable=True),
    sa.Column('intentos', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['aviso_id'], ['aviso.id'], name=op.f('aviso_correo_aviso_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('aviso_correo_pkey')),
    sa.UniqueConstraint('aviso_id', 'correo', name=op.f('aviso_correo_aviso_id_correo_key'))
    )


def downgrade() -> None:
    op.drop_table('aviso_correo')
