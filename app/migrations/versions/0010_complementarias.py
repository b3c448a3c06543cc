"""Complementarias (issue 13): the presented informativa a Corrección or Sin efectos complements (`complementa_id`)
and `pendiente`, True while a period's complementaria is under way, unique per period so there is one at a time;
the signer's RFC and name, so a filing's cadena can be rebuilt from its rows alone.
The informativa table is copied on SQLite (a new unique constraint): batch mode keeps its AUTOINCREMENT (0007).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 19:45:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE = {"sqlite_autoincrement": True}


def upgrade() -> None:
    with op.batch_alter_table('informativa', schema=None, table_kwargs=_SQLITE) as batch_op:
        batch_op.add_column(sa.Column('complementa_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('pendiente', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('rfc_firmante', sa.String(length=13), nullable=True))
        batch_op.add_column(sa.Column('nombre_firmante', sa.String(length=300), nullable=True))
        batch_op.create_index(batch_op.f('ix_informativa_complementa_id'), ['complementa_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('informativa_contratista_id_ejercicio_cuatrimestre_pendiente_key'),
                                          ['contratista_id', 'ejercicio', 'cuatrimestre', 'pendiente'])
        batch_op.create_foreign_key(batch_op.f('informativa_complementa_id_fkey'), 'informativa',
                                    ['complementa_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('informativa', schema=None, table_kwargs=_SQLITE) as batch_op:
        batch_op.drop_constraint(batch_op.f('informativa_complementa_id_fkey'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('informativa_contratista_id_ejercicio_cuatrimestre_pendiente_key'),
                                 type_='unique')
        batch_op.drop_index(batch_op.f('ix_informativa_complementa_id'))
        batch_op.drop_column('nombre_firmante')
        batch_op.drop_column('rfc_firmante')
        batch_op.drop_column('pendiente')
        batch_op.drop_column('complementa_id')
