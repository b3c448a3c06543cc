"""The folios' counters (issue 13): the last number given per folio prefix and year. A new table only: an instance
of an earlier release gains it empty.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 18:26:31.394761
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('folioconsecutivo',
    sa.Column('prefijo', sa.String(length=1), nullable=False),
    sa.Column('anio', sa.Integer(), nullable=False),
    sa.Column('ultimo', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefijo', 'anio', name=op.f('folioconsecutivo_pkey'))
    )


def downgrade() -> None:
    op.drop_table('folioconsecutivo')
