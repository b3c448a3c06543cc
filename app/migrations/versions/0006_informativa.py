"""The informativa cuatrimestral: the REPSE registration and its services, informativas, contracts, their workers,
and the worker files waiting for *Agregar trabajadores*. New tables only: an instance of an earlier release gains
them empty.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 15:41:38.616199
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('informativa',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contratista_id', sa.Integer(), nullable=False),
    sa.Column('ejercicio', sa.Integer(), nullable=False),
    sa.Column('cuatrimestre', sa.Integer(), nullable=False),
    sa.Column('tipo', sa.String(length=20), nullable=False),
    sa.Column('estatus', sa.String(length=12), nullable=False),
    sa.Column('vigente', sa.Boolean(), nullable=True),
    sa.Column('creada', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actualizada', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contratista_id'], ['contratista.id'], name=op.f('informativa_contratista_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('informativa_pkey')),
    sa.UniqueConstraint('contratista_id', 'ejercicio', 'cuatrimestre', 'vigente', name=op.f('informativa_contratista_id_ejercicio_cuatrimestre_vigente_key'))
    )
    with op.batch_alter_table('informativa', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_informativa_contratista_id'), ['contratista_id'], unique=False)

    op.create_table('registrorepse',
    sa.Column('contratista_id', sa.Integer(), nullable=False),
    sa.Column('folio', sa.String(length=40), nullable=False),
    sa.Column('fecha_registro', sa.Date(), nullable=False),
    sa.Column('actualizado', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contratista_id'], ['contratista.id'], name=op.f('registrorepse_contratista_id_fkey')),
    sa.PrimaryKeyConstraint('contratista_id', name=op.f('registrorepse_pkey'))
    )
    op.create_table('serviciorepse',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contratista_id', sa.Integer(), nullable=False),
    sa.Column('folio', sa.String(length=40), nullable=False),
    sa.Column('descripcion', sa.String(length=500), nullable=False),
    sa.Column('creado', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contratista_id'], ['contratista.id'], name=op.f('serviciorepse_contratista_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('serviciorepse_pkey')),
    sa.UniqueConstraint('contratista_id', 'folio', name=op.f('serviciorepse_contratista_id_folio_key'))
    )
    with op.batch_alter_table('serviciorepse', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_serviciorepse_contratista_id'), ['contratista_id'], unique=False)

    op.create_table('contrato',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('informativa_id', sa.Integer(), nullable=False),
    sa.Column('contratista_id', sa.Integer(), nullable=False),
    sa.Column('rfc_contratante', sa.String(length=13), nullable=False),
    sa.Column('persona_contratante', sa.String(length=6), nullable=False),
    sa.Column('nombre_contratante', sa.String(length=300), nullable=False),
    sa.Column('correo', sa.String(length=254), nullable=False),
    sa.Column('celular', sa.String(length=10), nullable=False),
    sa.Column('telefono_fijo', sa.String(length=10), nullable=True),
    sa.Column('domicilio_igual_fiscal', sa.Boolean(), nullable=True),
    sa.Column('domicilio', sa.JSON(), nullable=True),
    sa.Column('objeto', sa.String(length=500), nullable=False),
    sa.Column('servicio_id', sa.Integer(), nullable=True),
    sa.Column('fecha_inicio', sa.Date(), nullable=False),
    sa.Column('fecha_termino', sa.Date(), nullable=True),
    sa.Column('creado', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actualizado', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contratista_id'], ['contratista.id'], name=op.f('contrato_contratista_id_fkey')),
    sa.ForeignKeyConstraint(['informativa_id'], ['informativa.id'], name=op.f('contrato_informativa_id_fkey')),
    sa.ForeignKeyConstraint(['servicio_id'], ['serviciorepse.id'], name=op.f('contrato_servicio_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('contrato_pkey'))
    )
    with op.batch_alter_table('contrato', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contrato_contratista_id'), ['contratista_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contrato_informativa_id'), ['informativa_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contrato_rfc_contratante'), ['rfc_contratante'], unique=False)
        batch_op.create_index(batch_op.f('ix_contrato_servicio_id'), ['servicio_id'], unique=False)

    op.create_table('cargatrabajadores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contrato_id', sa.Integer(), nullable=False),
    sa.Column('contratista_id', sa.Integer(), nullable=False),
    sa.Column('archivo', sa.String(length=255), nullable=False),
    sa.Column('formato', sa.String(length=10), nullable=False),
    sa.Column('vista', sa.JSON(), nullable=False),
    sa.Column('creada', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contratista_id'], ['contratista.id'], name=op.f('cargatrabajadores_contratista_id_fkey')),
    sa.ForeignKeyConstraint(['contrato_id'], ['contrato.id'], name=op.f('cargatrabajadores_contrato_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('cargatrabajadores_pkey'))
    )
    with op.batch_alter_table('cargatrabajadores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cargatrabajadores_contratista_id'), ['contratista_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cargatrabajadores_contrato_id'), ['contrato_id'], unique=False)

    op.create_table('trabajador',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contrato_id', sa.Integer(), nullable=False),
    sa.Column('nss', sa.String(length=11), nullable=False),
    sa.Column('curp', sa.String(length=18), nullable=False),
    sa.Column('sbc', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('nombre', sa.String(length=362), nullable=False),
    sa.Column('origen', sa.String(length=10), nullable=False),
    sa.Column('creado', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contrato_id'], ['contrato.id'], name=op.f('trabajador_contrato_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('trabajador_pkey')),
    sa.UniqueConstraint('contrato_id', 'nss', name=op.f('trabajador_contrato_id_nss_key'))
    )
    with op.batch_alter_table('trabajador', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trabajador_contrato_id'), ['contrato_id'], unique=False)
        batch_op.create_index('ix_trabajador_contrato_id_curp', ['contrato_id', 'curp'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('trabajador', schema=None) as batch_op:
        batch_op.drop_index('ix_trabajador_contrato_id_curp')
        batch_op.drop_index(batch_op.f('ix_trabajador_contrato_id'))

    op.drop_table('trabajador')
    with op.batch_alter_table('cargatrabajadores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cargatrabajadores_contrato_id'))
        batch_op.drop_index(batch_op.f('ix_cargatrabajadores_contratista_id'))

    op.drop_table('cargatrabajadores')
    with op.batch_alter_table('contrato', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contrato_servicio_id'))
        batch_op.drop_index(batch_op.f('ix_contrato_rfc_contratante'))
        batch_op.drop_index(batch_op.f('ix_contrato_informativa_id'))
        batch_op.drop_index(batch_op.f('ix_contrato_contratista_id'))

    op.drop_table('contrato')
    with op.batch_alter_table('serviciorepse', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_serviciorepse_contratista_id'))

    op.drop_table('serviciorepse')
    op.drop_table('registrorepse')
    with op.batch_alter_table('informativa', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_informativa_contratista_id'))

    op.drop_table('informativa')
