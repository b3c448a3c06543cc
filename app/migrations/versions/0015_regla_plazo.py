"""A Corrección is marked late as the filing it corrects, not by its own date (plazos.fuera_de_plazo, rule 2).
`informativa.regla_plazo` stores the rule each presented filing was marked by, so that the filings of an earlier
release (NULL: rule 1) still verify as they were issued; their marking is not rewritten (their acuses say it).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 11:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('informativa') as batch_op:
        batch_op.add_column(sa.Column('regla_plazo', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('informativa') as batch_op:
        batch_op.drop_column('regla_plazo')
