"""Capturista accounts and their roles in the database. The rules of who may be what live here; the views only read
forms and pick responses.

The rules (README, "Cuentas de capturista"):
- An account (`Persona`) is a CURP plus the mailbox that activated it. A contratista vouches only for "CURP X is
  reachable at the e-mail I typed", so its alta makes or reuses the account of exactly (CURP, that e-mail); two
  contratistas who type different e-mails for one CURP make two independent accounts, each with its password.
- A role (`Capturista`) belongs to the account whose mailbox received its invitation. A new role is "pendiente":
  on an account without password, its invitation link sets that account's password and activates that role only;
  on an active account, the person accepts or declines it after signing in.
- A reset goes only to the account's own mailbox and changes only that account's password.
- Names are per role, as the contratista's registry or typing gave them; no contratista sees another's.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import NamedTuple

from sqlalchemy import bindparam, exists
from sqlmodel import Session, col, func, or_, select, update

from . import busqueda, export, lectura
from .models import Capturista, Contratista, Persona
from .rechazo import Rechazo


class YaEsCapturista(Rechazo):
    """The CURP already has an active or pending role with this contratista (on the field "curp")."""


class RolCambiado(Exception):
    """The role changed between this request's read and its write (another tab's alta, baja, reactivación or
    resend): nothing was written; the caller reads it again or tells the user."""


# A red-team review: Reactivar, Reenviar and an alta that reuses a role read the role and wrote it back whatever
# another request had written meanwhile. Reactivar racing an alta of the same CURP at another mailbox mailed its
# link to the mailbox it had read, for a role that by then belonged to the other mailbox's account, whose password
# that link then set. Each such write is now conditioned on the role as it was read (`_como_se_leyo`), and a link
# names its account too (enlaces.invitar).
def _como_se_leyo(rol: Capturista):
    return (Capturista.id == rol.id, Capturista.estatus == rol.estatus, Capturista.persona_id == rol.persona_id,
            Capturista.invitacion == rol.invitacion)  # None compares as IS NULL


def _escribir(session: Session, rol: Capturista, **valores) -> None:
    """UPDATE the role with `valores` only if it is still as this request read it; RolCambiado otherwise. The object
    takes what was written."""
    if session.exec(update(Capturista).where(*_como_se_leyo(rol)).values(**valores)).rowcount != 1:
        raise RolCambiado()
    session.refresh(rol)


@dataclass(frozen=True)
class Alta:
    cuenta: Persona
    capturista: Capturista
    reactivado: bool

    @property
    def requiere_activacion(self) -> bool:
        """The invitation carries a link to set the account's password; otherwise she accepts after signing in."""
        return not self.cuenta.activa


def correo_de_cuenta(correo: str) -> str:
    """The mailbox an account is keyed by: the normalised address, lower case (providers ignore the local part's
    case, and two spellings of one mailbox must not make two accounts)."""
    return correo.strip().lower()


def cuenta(session: Session, curp: str, correo: str) -> Persona | None:
    return session.exec(select(Persona).where(Persona.curp == curp,
                                              Persona.correo == correo_de_cuenta(correo))).first()


def _con_rol_vivo():
    """The condition "the account has a live role (active, or an invitation pending)", for a query on Persona."""
    return exists().where(Capturista.persona_id == Persona.id, col(Capturista.estatus).in_(("activo", "pendiente")))


def tiene_rol_vivo(session: Session, la_cuenta: Persona) -> bool:
    """Whether the account still has something to enter (cuentas_para_ingreso's condition): a reset link of an
    account whose every role was dado de baja or declined is dead, as its invitations are."""
    return session.exec(select(Persona.id).where(Persona.id == la_cuenta.id, _con_rol_vivo())).first() is not None


def cuentas_para_ingreso(session: Session, curp: str) -> list[Persona]:
    """The accounts that a sign-in with this CURP (or a password reset) is for: with a password and a live role
    (active, or an invitation pending). An account whose every role was dado de baja or declined has nothing to
    enter; counting it would let a contratista pile accounts on anyone's CURP (an alta with a new mailbox, its
    activation, a baja, again: 60 an hour), each one more password hash for every sign-in with that CURP, the
    owner's included. A contratista has one live role per CURP, so this is at most one account per contratista."""
    vivas = select(Capturista.persona_id).where(Capturista.curp == curp,
                                                col(Capturista.estatus).in_(("activo", "pendiente")))
    return list(session.exec(select(Persona).where(Persona.curp == curp, col(Persona.password_hash).is_not(None),
                                                   col(Persona.id).in_(vivas)).order_by(Persona.id)).all())


def contratistas_de_curp(session: Session, curp: str) -> list[int]:
    """The contratistas this CURP works for (an active role): a refused sign-in with the CURP concerns each."""
    return list(session.exec(select(Capturista.contratista_id).where(Capturista.curp == curp,
                                                                     Capturista.estatus == "activo")
                             .order_by(Capturista.contratista_id)).all())


def contratistas_de_rechazo(session: Session, curp: str, cuentas_conocidas: set[int]) -> list[int]:
    """Whose Bitácora shows a refused CURP sign-in. A CURP may have several accounts (one per mailbox: any
    contratista may make one), and a refused password matched none. A browser that signed in to some of them
    before (`cuentas_conocidas`) is their person's: only the contratistas those accounts work for see her mistakes,
    and where she typed them from (an account another contratista made on her CURP does not). A browser that knows
    none could be trying any: every contratista the CURP works for."""
    if not cuentas_conocidas:
        return contratistas_de_curp(session, curp)
    return list(session.exec(select(Capturista.contratista_id).where(col(Capturista.persona_id).in_(cuentas_conocidas),
                                                                     Capturista.estatus == "activo")
                             .distinct().order_by(Capturista.contratista_id)).all())


def rol_de(session: Session, contratista_id: int, curp: str) -> Capturista | None:
    return session.exec(select(Capturista).where(Capturista.contratista_id == contratista_id,
                                                 Capturista.curp == curp)).first()


def verificar_alta_posible(rol: Capturista | None) -> None:
    """YaEsCapturista when the CURP's role with this contratista is live (active or pending): one role per CURP and
    contratista. A role dado de baja or declined can be invited again."""
    if rol is not None and rol.estatus in ("activo", "pendiente"):
        raise YaEsCapturista("curp", f"{rol.nombre_completo} ya es capturista de este contratista (estatus: "
                                     f"{rol.estatus_texto}). Búscalo en la Consulta.")


def nueva_invitacion(rol: Capturista, now: datetime) -> None:
    """A new random nonce: the links of every earlier invitation of this role stop working."""
    rol.invitacion, rol.invitado = secrets.token_hex(16), now


def renovar_invitacion(session: Session, rol: Capturista, now: datetime) -> None:
    """Reenviar's new nonce, for the pending invitation this request read; RolCambiado if it is no longer that one
    (dado de baja, reactivated, moved to another account). Not committed."""
    if rol.estatus != "pendiente":
        raise RolCambiado()
    _escribir(session, rol, invitacion=secrets.token_hex(16), invitado=now)


def deshacer_invitacion(session: Session, rol: Capturista, anterior: tuple[str | None, datetime | None]) -> None:
    """Put back the (nonce, time) of the invitation that Reenviar replaced, when the new one's e-mail did not go out
    (the hourly limit, a mail server that failed): the link the person holds works again. Conditioned on the new
    nonce, so a later resend that did go out is not undone. Not committed."""
    try:
        _escribir(session, rol, invitacion=anterior[0], invitado=anterior[1])
    except RolCambiado:
        pass  # another request changed it since: what it wrote stands


def dar_de_alta(session: Session, contratista: Contratista, *, curp: str, nombres: str, primer_apellido: str,
                segundo_apellido: str, telefono: str, correo: str, now: datetime) -> Alta:
    """The role of (CURP, e-mail)'s account with this contratista: new, or again after a baja or a declined
    invitation (then it may move to the account of the new e-mail). Always "pendiente", with a new invitation.
    Flushed, not committed; two altas racing end in an IntegrityError on a unique constraint (a new role) or in
    RolCambiado (a role reused), which the caller answers by trying once more (it then finds what the other one
    wrote)."""
    rol = rol_de(session, contratista.id, curp)
    verificar_alta_posible(rol)
    la_cuenta = cuenta(session, curp, correo)
    if la_cuenta is None:
        la_cuenta = Persona(curp=curp, correo=correo_de_cuenta(correo), creado=now)
        session.add(la_cuenta)
        session.flush()
    reactivado = rol is not None
    if reactivado:
        _escribir(session, rol, persona_id=la_cuenta.id, nombres=nombres, primer_apellido=primer_apellido,
                  segundo_apellido=segundo_apellido, telefono=telefono, estatus="pendiente", baja=None,
                  actualizado=now, sesion=Capturista.sesion + 1, invitacion=secrets.token_hex(16), invitado=now)
        return Alta(la_cuenta, rol, reactivado)
    rol = Capturista(persona_id=la_cuenta.id, contratista_id=contratista.id, curp=curp, nombres=nombres,
                     primer_apellido=primer_apellido, segundo_apellido=segundo_apellido, telefono=telefono,
                     estatus="pendiente", alta=now, actualizado=now)
    nueva_invitacion(rol, now)
    session.add(rol)
    session.flush()
    return Alta(la_cuenta, rol, reactivado)


def dar_de_baja(session: Session, rol: Capturista, now: datetime) -> bool:
    """True when it changed (a second baja is a no-op). Its sessions and its invitation links end."""
    if rol.estatus == "baja":
        return False
    rol.estatus, rol.baja, rol.actualizado, rol.invitacion = "baja", now, now, None
    rol.sesion = Capturista.sesion + 1  # in SQL: concurrent changes both count
    session.add(rol)
    return True


def reactivar(session: Session, rol: Capturista, now: datetime) -> bool:
    """A role dado de baja, or whose invitation the person declined ("rechazado": the contratista may invite her
    again), becomes "pendiente" with a new invitation: the person accepts it (or activates her account with its
    link). Sessions from before stay ended. False when it is neither, or is no longer as this request read it (a
    double click, an alta in another tab). Not committed."""
    if rol.estatus not in ("baja", "rechazado"):
        return False
    try:
        _escribir(session, rol, estatus="pendiente", baja=None, actualizado=now, sesion=Capturista.sesion + 1,
                  invitacion=secrets.token_hex(16), invitado=now)
    except RolCambiado:
        return False
    return True


def activar(session: Session, rol: Capturista, la_cuenta: Persona, password_hash: str, now: datetime) -> bool:
    """An invitation link was used: the password of the link's own account, and the link's own role only. Each
    write is conditioned on what the link was made for (the account still without password, the role's nonce), so
    of several uses at once exactly one succeeds; False for the others (the caller rolls back). Not committed."""
    cuentas = session.exec(update(Persona).where(Persona.id == la_cuenta.id, col(Persona.password_hash).is_(None))
                           .values(password_hash=password_hash, password_cambiado=now, sesion=Persona.sesion + 1))
    roles = session.exec(update(Capturista).where(Capturista.id == rol.id, Capturista.invitacion == rol.invitacion,
                                                  Capturista.estatus == "pendiente",
                                                  Capturista.persona_id == la_cuenta.id)
                         .values(estatus="activo", invitacion=None, actualizado=now))
    return cuentas.rowcount == 1 and roles.rowcount == 1


def cambiar_contrasena(session: Session, la_cuenta: Persona, password_hash: str, now: datetime) -> bool:
    """A reset link was used: this account's password; every earlier session of the account ends. Conditioned on
    the password the link was made for (of several uses at once exactly one succeeds) and on a live role (a baja
    committed after the link was read wins). Not committed."""
    cambio = session.exec(update(Persona).where(Persona.id == la_cuenta.id,
                                                Persona.password_hash == la_cuenta.password_hash, _con_rol_vivo())
                          .values(password_hash=password_hash, password_cambiado=now, sesion=Persona.sesion + 1))
    return cambio.rowcount == 1


def responder_invitacion(session: Session, la_cuenta: Persona, rol_id: int, acepta: bool, now: datetime) -> Capturista | None:
    """Aceptar or Rechazar a pending role of this account (another account's id, or one not pending: None). The
    write is conditioned on the role still being that pending invitation: a baja (or a new invitation) committed
    after the role was read wins, and the answer changes nothing (None). Not committed."""
    rol = session.get(Capturista, rol_id)
    if rol is None or rol.persona_id != la_cuenta.id or rol.estatus != "pendiente":
        return None
    try:
        _escribir(session, rol, estatus="activo" if acepta else "rechazado", invitacion=None, actualizado=now)
    except RolCambiado:
        return None
    return rol


def roles_activos(session: Session, la_cuenta: Persona) -> list[Capturista]:
    return list(session.exec(select(Capturista).where(Capturista.persona_id == la_cuenta.id,
                                                      Capturista.estatus == "activo").order_by(Capturista.id)).all())


def invitaciones_pendientes(session: Session, la_cuenta: Persona) -> list[tuple[Capturista, Contratista]]:
    """The roles this account has been invited to and has not answered, with their contratistas."""
    return list(session.exec(select(Capturista, Contratista).join(Contratista, Contratista.id == Capturista.contratista_id)
                             .where(Capturista.persona_id == la_cuenta.id, Capturista.estatus == "pendiente")
                             .order_by(Capturista.id)).all())


def _de(contratista_id: int):
    return select(Capturista).where(Capturista.contratista_id == contratista_id)


class Renglon(NamedTuple):
    """A capturista as the Consulta lists it: only the columns its table shows, read as a plain row (no ORM
    object, no account)."""

    id: int
    curp: str
    nombres: str
    primer_apellido: str
    segundo_apellido: str
    rol: str
    estatus: str
    alta: datetime
    baja: datetime | None
    actualizado: datetime

    nombre_completo = Capturista.nombre_completo
    estatus_texto = Capturista.estatus_texto


_COLUMNAS = tuple(getattr(Capturista, name) for name in Renglon._fields)
_CAMPOS_ORDEN = ("primer_apellido", "segundo_apellido", "nombres", "id")  # Consulta's order (index of revision 0013)
_ORDEN = tuple(getattr(Capturista, name) for name in _CAMPOS_ORDEN)


_DEL_CONTRATISTA = Capturista.contratista_id == bindparam("contratista_id")
_NOMBRE = busqueda.plegado(Capturista.nombres + " " + Capturista.primer_apellido + " " + Capturista.segundo_apellido)
_BUSCADOS = or_(col(Capturista.curp).like(bindparam("like"), escape="\\"),
                _NOMBRE.like(bindparam("like"), escape="\\"))
_CONDICIONES = {False: (_DEL_CONTRATISTA,), True: (_DEL_CONTRATISTA, _BUSCADOS)}  # without and with a search
_CUANTOS = {buscar: select(func.count(Capturista.id)).where(*c) for buscar, c in _CONDICIONES.items()}
# A page of the Consulta read in one step (app/lectura.py).
_PAGINA = {buscar: lectura.Lectura(select(*_COLUMNAS).where(*c).order_by(*_ORDEN).limit(bindparam("limite"))
                                   .offset(bindparam("desde")))
           for buscar, c in _CONDICIONES.items()}


def consulta(session: Session, contratista_id: int, q: str, pagina: int, por_pagina: int) -> dict:
    """One page of this contratista's capturistas (Renglon), searched by CURP or name (any part, any case)."""
    parametros: dict = {"contratista_id": contratista_id}
    buscado = busqueda.texto_buscado(q)  # with or without accents, composed or not (app/busqueda.py)
    if buscado:
        parametros["like"] = busqueda.patron(buscado)
    total = session.connection().execute(_CUANTOS[bool(buscado)], parametros).scalar_one()
    paginas = max(1, -(-total // por_pagina))
    pagina = min(max(1, pagina), paginas)
    # The page's rows in one read, then in the page's order again: the query's ORDER BY (names compare by code
    # point in Python as SQLite's BINARY collation compares their UTF-8 bytes).
    leidas = _PAGINA[bool(buscado)].filas(session, **parametros, limite=por_pagina, desde=(pagina - 1) * por_pagina)
    filas = sorted((Renglon(*fila) for fila in leidas), key=attrgetter(*_CAMPOS_ORDEN))
    return {"filas": filas, "q": q, "pagina": pagina, "paginas": paginas, "total": total}


def filas_exportacion(session: Session, contratista: Contratista) -> Iterator[export.FilaCapturista]:
    """Every capturista role of this contratista, bajas included, streamed from the database."""
    relacionado = f"{contratista.rfc} - {contratista.nombre}"
    query = _de(contratista.id).order_by(Capturista.id).execution_options(yield_per=1000)
    for c in session.exec(query):
        yield export.FilaCapturista(
            curp=c.curp, nombres=c.nombres, primer_apellido=c.primer_apellido, segundo_apellido=c.segundo_apellido,
            rol=c.rol, estatus=c.estatus_texto, grupo=contratista.rfc, contratista=relacionado,
            fecha_alta=c.alta, fecha_baja=c.baja, fecha_actualizacion=c.actualizado)
