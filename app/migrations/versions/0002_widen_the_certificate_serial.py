"""Widen contratista.cert_serial to 49 characters.

Release 0.1.0 sized it for SAT's 20-digit serials (VARCHAR(40)); a trusted CA may issue any serial up to 20 bytes
(RFC 5280), which is 49 decimal digits, and PostgreSQL refused such an e.firma at Ingresar. fiel.MAX_SERIAL_DIGITS
is the bound; fiel refuses a longer serial before anything is stored.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 13:39:04.694493
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contratista", schema=None) as batch_op:
        batch_op.alter_column("cert_serial", existing_type=sa.VARCHAR(length=40), type_=sa.String(length=49),
                              existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("contratista", schema=None) as batch_op:
        batch_op.alter_column("cert_serial", existing_type=sa.String(length=49), type_=sa.VARCHAR(length=40),
                              existing_nullable=False)
