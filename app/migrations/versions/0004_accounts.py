"""A capturista's account belongs to its person: a CURP plus the mailbox that activated it.

Release 0.1.0 had one `persona` per CURP, and any contratista could add a role for any CURP with an e-mail of its
choosing, which let one contratista take over another's capturista. Now:
- `persona` is an account: (curp, correo) is unique, the password is the account's; names move to each role.
- `capturista` (a role) gets the CURP (one role per CURP and contratista: unique), the names that contratista gave,
  the nonce and time of its newest invitation, and a session counter; its e-mail is its account's.
- `contratista.sesion` and `persona.sesion` end sessions at Cerrar sesión on every node.
- `comprobanteusado` makes the proof of a validated e.firma single-use.

Data: a persona whose roles all carry one e-mail keeps its password. A persona whose roles carry several e-mails
(the state the takeover left behind) is split into one account per e-mail, and since nobody can tell which mailbox
set the password, every one of those accounts loses it and its active roles go back to "pendiente": each
contratista sends its invitation again (Consulta › Reenviar invitación).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 14:10:00
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

persona = sa.table("persona", sa.column("id", sa.Integer), sa.column("curp", sa.String), sa.column("correo", sa.String),
                   sa.column("nombres", sa.String), sa.column("primer_apellido", sa.String),
                   sa.column("segundo_apellido", sa.String), sa.column("password_hash", sa.String),
                   sa.column("creado", sa.DateTime(timezone=True)), sa.column("sesion", sa.Integer))
capturista = sa.table("capturista", sa.column("id", sa.Integer), sa.column("persona_id", sa.Integer),
                      sa.column("correo", sa.String), sa.column("estatus", sa.String), sa.column("curp", sa.String),
                      sa.column("nombres", sa.String), sa.column("primer_apellido", sa.String),
                      sa.column("segundo_apellido", sa.String))


def upgrade() -> None:
    op.create_table(
        "comprobanteusado",
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("vence", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nonce", name=op.f("comprobanteusado_pkey")),
    )
    op.create_index("ix_comprobanteusado_vence", "comprobanteusado", ["vence"], unique=False)

    with op.batch_alter_table("contratista", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sesion", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("persona", schema=None) as batch_op:
        batch_op.add_column(sa.Column("correo", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("sesion", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_index("ix_persona_curp")  # unique in 0.1.0; one CURP may now have several accounts
        batch_op.create_index("ix_persona_curp", ["curp"], unique=False)
    with op.batch_alter_table("capturista", schema=None) as batch_op:
        batch_op.add_column(sa.Column("curp", sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column("nombres", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("primer_apellido", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("segundo_apellido", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("invitacion", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("invitado", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sesion", sa.Integer(), server_default="0", nullable=False))

    _one_account_per_mailbox(op.get_bind())

    with op.batch_alter_table("capturista", schema=None) as batch_op:
        for column in ("curp", "nombres", "primer_apellido", "segundo_apellido"):
            batch_op.alter_column(column, existing_type=sa.String(length=18 if column == "curp" else 120),
                                  nullable=False)
        batch_op.drop_constraint("capturista_persona_id_contratista_id_key", type_="unique")
        batch_op.create_unique_constraint("capturista_contratista_id_curp_key", ["contratista_id", "curp"])
        batch_op.drop_column("correo")
    with op.batch_alter_table("persona", schema=None) as batch_op:
        batch_op.alter_column("correo", existing_type=sa.String(length=254), nullable=False)
        batch_op.create_unique_constraint("persona_curp_correo_key", ["curp", "correo"])
        batch_op.drop_column("nombres")
        batch_op.drop_column("segundo_apellido")
        batch_op.drop_column("primer_apellido")


def _one_account_per_mailbox(bind) -> None:
    """Names onto the roles; one account per (CURP, mailbox); a split account loses its password (see above)."""
    now = datetime.now(timezone.utc)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    for p in bind.execute(sa.select(persona).order_by(persona.c.id)).all():
        bind.execute(capturista.update().where(capturista.c.persona_id == p.id).values(
            curp=p.curp, nombres=p.nombres, primer_apellido=p.primer_apellido,
            segundo_apellido=p.segundo_apellido or ""))
        mailboxes: dict[str, list[int]] = {}
        for rol in bind.execute(sa.select(capturista.c.id, capturista.c.correo)
                                .where(capturista.c.persona_id == p.id).order_by(capturista.c.id)).all():
            mailboxes.setdefault((rol.correo or "").strip().lower(), []).append(rol.id)
        correos = list(mailboxes) or [""]
        if len(correos) == 1:
            bind.execute(persona.update().where(persona.c.id == p.id).values(correo=correos[0]))
            continue
        bind.execute(persona.update().where(persona.c.id == p.id).values(
            correo=correos[0], password_hash=None, sesion=(p.sesion or 0) + 1))
        for correo in correos[1:]:
            nueva = bind.execute(persona.insert().values(curp=p.curp, correo=correo, nombres=p.nombres,
                                                         primer_apellido=p.primer_apellido,
                                                         segundo_apellido=p.segundo_apellido or "",
                                                         password_hash=None, creado=now, sesion=0)
                                 .returning(persona.c.id)).scalar_one()
            bind.execute(capturista.update().where(capturista.c.id.in_(mailboxes[correo]))
                         .values(persona_id=nueva))
        bind.execute(capturista.update().where(capturista.c.curp == p.curp, capturista.c.estatus == "activo")
                     .values(estatus="pendiente"))


def downgrade() -> None:
    raise NotImplementedError("Accounts split by mailbox cannot be merged back safely; restore a backup instead.")
