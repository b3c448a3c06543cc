"""Release 0.1.0"s schema, as its create_all() made it.

An instance created by release 0.1.0 already holds these tables (and no alembic_version): only the missing ones
are created, so it upgrades in place with its data. Constraint names are PostgreSQL"s own defaults, which is what
release 0.1.0"s PostgreSQL databases carry (models.py"s naming convention reproduces them).

Revision ID: 0001
Revises: 
Create Date: 2026-11-30 13:38:33.727773
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _missing(table: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    if _missing("asentamiento"):
        op.create_table("asentamiento",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("cp", sa.String(length=5), nullable=False),
            sa.Column("nombre", sa.String(length=200), nullable=False),
            sa.Column("tipo", sa.String(length=60), nullable=False),
            sa.Column("municipio", sa.String(length=120), nullable=False),
            sa.Column("estado", sa.String(length=60), nullable=False),
            sa.Column("ciudad", sa.String(length=120), nullable=True),
            sa.Column("c_estado", sa.String(length=2), nullable=False),
            sa.Column("c_mnpio", sa.String(length=3), nullable=True),
            sa.Column("zona", sa.String(length=20), nullable=True),
            sa.PrimaryKeyConstraint("id", name=op.f("asentamiento_pkey"))
        )
        op.create_index("ix_asentamiento_cp", "asentamiento", ["cp"], unique=False)
        op.create_index("ix_asentamiento_estado_municipio", "asentamiento", ["estado", "municipio"], unique=False)

    if _missing("autoridadcertificadora"):
        op.create_table("autoridadcertificadora",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("fingerprint", sa.String(length=64), nullable=False),
            sa.Column("subject", sa.String(length=1000), nullable=False),
            sa.Column("not_after", sa.DateTime(timezone=True), nullable=False),
            sa.Column("der", sa.LargeBinary(), nullable=False),
            sa.Column("agregado", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f("autoridadcertificadora_pkey")),
            sa.UniqueConstraint("fingerprint", name=op.f("autoridadcertificadora_fingerprint_key"))
        )

    if _missing("contratista"):
        op.create_table("contratista",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("rfc", sa.String(length=13), nullable=False),
            sa.Column("nombre", sa.String(length=300), nullable=False),
            sa.Column("persona", sa.String(length=6), nullable=False),
            sa.Column("cert_serial", sa.String(length=40), nullable=False),
            sa.Column("cert_fingerprint", sa.String(length=64), nullable=False),
            sa.Column("cert_not_before", sa.DateTime(timezone=True), nullable=False),
            sa.Column("cert_not_after", sa.DateTime(timezone=True), nullable=False),
            sa.Column("terminos_version", sa.String(length=20), nullable=True),
            sa.Column("terminos_aceptados", sa.DateTime(timezone=True), nullable=True),
            sa.Column("creado", sa.DateTime(timezone=True), nullable=False),
            sa.Column("ultimo_ingreso", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f("contratista_pkey"))
        )
        op.create_index("ix_contratista_rfc", "contratista", ["rfc"], unique=True)

    if _missing("directoriocurp"):
        op.create_table("directoriocurp",
            sa.Column("curp", sa.String(length=18), nullable=False),
            sa.Column("nombres", sa.String(length=120), nullable=False),
            sa.Column("primer_apellido", sa.String(length=120), nullable=False),
            sa.Column("segundo_apellido", sa.String(length=120), nullable=False),
            sa.PrimaryKeyConstraint("curp", name=op.f("directoriocurp_pkey"))
        )

    if _missing("intentofallido"):
        op.create_table("intentofallido",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("clave", sa.String(length=80), nullable=False),
            sa.Column("momento", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f("intentofallido_pkey"))
        )
        op.create_index("ix_intentofallido_clave_momento", "intentofallido", ["clave", "momento"], unique=False)
        op.create_index("ix_intentofallido_momento", "intentofallido", ["momento"], unique=False)

    if _missing("persona"):
        op.create_table("persona",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("curp", sa.String(length=18), nullable=False),
            sa.Column("nombres", sa.String(length=120), nullable=False),
            sa.Column("primer_apellido", sa.String(length=120), nullable=False),
            sa.Column("segundo_apellido", sa.String(length=120), nullable=False),
            sa.Column("password_hash", sa.String(length=255), nullable=True),
            sa.Column("password_cambiado", sa.DateTime(timezone=True), nullable=True),
            sa.Column("creado", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f("persona_pkey"))
        )
        op.create_index("ix_persona_curp", "persona", ["curp"], unique=True)

    if _missing("aceptacionterminos"):
        op.create_table("aceptacionterminos",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("contratista_id", sa.Integer(), nullable=False),
            sa.Column("version", sa.String(length=20), nullable=False),
            sa.Column("aceptado", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["contratista_id"], ["contratista.id"], name=op.f("aceptacionterminos_contratista_id_fkey")),
            sa.PrimaryKeyConstraint("id", name=op.f("aceptacionterminos_pkey"))
        )
        op.create_index("ix_aceptacionterminos_contratista_id", "aceptacionterminos", ["contratista_id"], unique=False)

    if _missing("auditoria"):
        op.create_table("auditoria",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("momento", sa.DateTime(timezone=True), nullable=False),
            sa.Column("actor", sa.String(length=40), nullable=False),
            sa.Column("contratista_id", sa.Integer(), nullable=True),
            sa.Column("accion", sa.String(length=30), nullable=False),
            sa.Column("detalle", sa.String(length=500), nullable=False),
            sa.ForeignKeyConstraint(["contratista_id"], ["contratista.id"], name=op.f("auditoria_contratista_id_fkey")),
            sa.PrimaryKeyConstraint("id", name=op.f("auditoria_pkey"))
        )
        op.create_index("ix_auditoria_contratista_id", "auditoria", ["contratista_id"], unique=False)

    if _missing("borrador"):
        op.create_table("borrador",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("contratista_id", sa.Integer(), nullable=False),
            sa.Column("pagina", sa.String(length=40), nullable=False),
            sa.Column("datos", sa.JSON(), nullable=False),
            sa.Column("actualizado", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["contratista_id"], ["contratista.id"], name=op.f("borrador_contratista_id_fkey")),
            sa.PrimaryKeyConstraint("id", name=op.f("borrador_pkey")),
            sa.UniqueConstraint("contratista_id", "pagina", name=op.f("borrador_contratista_id_pagina_key"))
        )
        op.create_index("ix_borrador_contratista_id", "borrador", ["contratista_id"], unique=False)

    if _missing("capturista"):
        op.create_table("capturista",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("persona_id", sa.Integer(), nullable=False),
            sa.Column("contratista_id", sa.Integer(), nullable=False),
            sa.Column("rol", sa.String(length=30), nullable=False),
            sa.Column("telefono", sa.String(length=10), nullable=False),
            sa.Column("correo", sa.String(length=254), nullable=False),
            sa.Column("estatus", sa.String(length=10), nullable=False),
            sa.Column("alta", sa.DateTime(timezone=True), nullable=False),
            sa.Column("baja", sa.DateTime(timezone=True), nullable=True),
            sa.Column("actualizado", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["contratista_id"], ["contratista.id"], name=op.f("capturista_contratista_id_fkey")),
            sa.ForeignKeyConstraint(["persona_id"], ["persona.id"], name=op.f("capturista_persona_id_fkey")),
            sa.PrimaryKeyConstraint("id", name=op.f("capturista_pkey")),
            sa.UniqueConstraint("persona_id", "contratista_id", name=op.f("capturista_persona_id_contratista_id_key"))
        )
        op.create_index("ix_capturista_contratista_id", "capturista", ["contratista_id"], unique=False)
        op.create_index("ix_capturista_persona_id", "capturista", ["persona_id"], unique=False)

    if _missing("datosgenerales"):
        op.create_table("datosgenerales",
            sa.Column("contratista_id", sa.Integer(), nullable=False),
            sa.Column("correo", sa.String(length=254), nullable=False),
            sa.Column("celular", sa.String(length=10), nullable=False),
            sa.Column("telefono_fijo", sa.String(length=10), nullable=True),
            sa.Column("domicilio_igual_fiscal", sa.Boolean(), nullable=True),
            sa.Column("domicilio", sa.JSON(), nullable=True),
            sa.Column("actualizado", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["contratista_id"], ["contratista.id"], name=op.f("datosgenerales_contratista_id_fkey")),
            sa.PrimaryKeyConstraint("contratista_id", name=op.f("datosgenerales_pkey"))
        )

    if _missing("documento"):
        op.create_table("documento",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("contratista_id", sa.Integer(), nullable=False),
            sa.Column("tipo", sa.String(length=40), nullable=False),
            sa.Column("nombre", sa.String(length=255), nullable=False),
            sa.Column("contenido", sa.LargeBinary(), nullable=False),
            sa.Column("tamano", sa.Integer(), nullable=False),
            sa.Column("sha256", sa.String(length=64), nullable=False),
            sa.Column("subido", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["contratista_id"], ["contratista.id"], name=op.f("documento_contratista_id_fkey")),
            sa.PrimaryKeyConstraint("id", name=op.f("documento_pkey")),
            sa.UniqueConstraint("contratista_id", "tipo", name=op.f("documento_contratista_id_tipo_key"))
        )
        op.create_index("ix_documento_contratista_id", "documento", ["contratista_id"], unique=False)


def downgrade() -> None:
    for table in ("documento", "datosgenerales", "capturista", "borrador", "auditoria", "aceptacionterminos",
                  "persona", "intentofallido", "directoriocurp", "contratista", "autoridadcertificadora",
                  "asentamiento"):
        op.drop_table(table)
