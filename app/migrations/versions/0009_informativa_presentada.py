"""An informativa presented (issue 13): its folio (unique), when, whether past the deadline, the cadena original
it signed and its version, the sello and the signing certificate. Nullable columns added in place (SQLite's ALTER
TABLE ADD COLUMN: no copy of the table); a downgrade that must copy it keeps its AUTOINCREMENT (0007).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 18:45:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE = {"sqlite_autoincrement": True}


def upgrade() -> None:
    with op.batch_alter_table('informativa', schema=None, table_kwargs=_SQLITE) as batch_op:
        batch_op.add_column(sa.Column('folio', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('presentada', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('fuera_de_plazo', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('cadena_version', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('cadena', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('sello', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('certificado', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('cert_serial', sa.String(length=49), nullable=True))
        batch_op.create_index(batch_op.f('ix_informativa_folio'), ['folio'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('informativa', schema=None, table_kwargs=_SQLITE) as batch_op:
        batch_op.drop_index(batch_op.f('ix_informativa_folio'))
        for columna in ('cert_serial', 'certificado', 'sello', 'cadena', 'cadena_version', 'fuera_de_plazo',
                        'presentada', 'folio'):
            batch_op.drop_column(columna)
