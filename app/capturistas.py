"""The capturistas of a contratista in the database: alta (or reactivation), baja, activation, consulta and the
rows of the export. The rules of who may be what live here; the views only read forms and pick responses."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, or_, select

from . import export
from .models import Capturista, Contratista, Persona


class YaEsCapturista(Exception):
    """The person already has an active or pending role with this contratista; str(e) is the Spanish message."""


@dataclass(frozen=True)
class Alta:
    persona: Persona
    capturista: Capturista
    reactivado: bool


def _estatus_inicial(persona: Persona) -> str:
    """A person who already has a password (capturista of another contratista) is active at once."""
    return "activo" if persona.password_hash else "pendiente"


def persona_por_curp(session: Session, curp: str) -> Persona | None:
    return session.exec(select(Persona).where(Persona.curp == curp)).first()


def dar_de_alta(session: Session, contratista: Contratista, *, curp: str, nombres: str, primer_apellido: str,
                segundo_apellido: str, telefono: str, correo: str, now: datetime) -> Alta:
    """The person's Capturista role with this contratista: new, or reactivated if it was dado de baja (with the new
    contact data). One person may be capturista of several contratistas. Flushed, not committed."""
    persona = persona_por_curp(session, curp)
    if persona is None:
        persona = Persona(curp=curp, nombres=nombres, primer_apellido=primer_apellido,
                          segundo_apellido=segundo_apellido)
        session.add(persona)
        session.flush()
    capturista = session.exec(select(Capturista).where(Capturista.persona_id == persona.id,
                                                       Capturista.contratista_id == contratista.id)).first()
    if capturista is not None and capturista.estatus != "baja":
        raise YaEsCapturista(f"{persona.nombre_completo} ya es capturista de este contratista "
                             f"(estatus: {capturista.estatus_texto}).")
    reactivado = capturista is not None
    if capturista is None:
        capturista = Capturista(persona_id=persona.id, contratista_id=contratista.id, telefono=telefono,
                                correo=correo, alta=now)
    capturista.telefono, capturista.correo = telefono, correo
    capturista.estatus, capturista.baja, capturista.actualizado = _estatus_inicial(persona), None, now
    session.add(capturista)
    session.flush()
    return Alta(persona, capturista, reactivado)


def dar_de_baja(session: Session, capturista: Capturista, now: datetime) -> bool:
    """True when it changed (a second baja is a no-op)."""
    if capturista.estatus == "baja":
        return False
    capturista.estatus, capturista.baja, capturista.actualizado = "baja", now, now
    session.add(capturista)
    return True


def reactivar(session: Session, capturista: Capturista, persona: Persona, now: datetime) -> bool:
    if capturista.estatus != "baja":
        return False
    capturista.estatus, capturista.baja, capturista.actualizado = _estatus_inicial(persona), None, now
    session.add(capturista)
    return True


def roles_activos(session: Session, persona: Persona) -> list[Capturista]:
    return list(session.exec(select(Capturista).where(Capturista.persona_id == persona.id,
                                                      Capturista.estatus == "activo")).all())


def activar(session: Session, persona: Persona, password_hash: str, now: datetime) -> None:
    """A password set from a one-time link: the person's pending roles become active."""
    persona.password_hash, persona.password_cambiado = password_hash, now
    session.add(persona)
    for rol in session.exec(select(Capturista).where(Capturista.persona_id == persona.id,
                                                     Capturista.estatus == "pendiente")).all():
        rol.estatus, rol.actualizado = "activo", now
        session.add(rol)


def _de(contratista_id: int):
    return select(Capturista, Persona).join(Persona, Persona.id == Capturista.persona_id).where(
        Capturista.contratista_id == contratista_id)


def consulta(session: Session, contratista_id: int, q: str, pagina: int, por_pagina: int) -> dict:
    """One page of this contratista's capturistas, searched by CURP or name (any part, any case)."""
    query = _de(contratista_id)
    if q:
        like = f"%{q.upper()}%"
        nombre = func.upper(Persona.nombres + " " + Persona.primer_apellido + " " + Persona.segundo_apellido)
        query = query.where(or_(col(Persona.curp).like(like), nombre.like(like)))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    paginas = max(1, -(-total // por_pagina))
    pagina = min(max(1, pagina), paginas)
    filas = session.exec(query.order_by(Persona.primer_apellido, Persona.segundo_apellido, Persona.nombres,
                                        Capturista.id).offset((pagina - 1) * por_pagina).limit(por_pagina)).all()
    return {"filas": filas, "q": q, "pagina": pagina, "paginas": paginas, "total": total}


def filas_exportacion(session: Session, contratista: Contratista) -> Iterator[export.FilaCapturista]:
    """Every capturista role of this contratista, bajas included, streamed from the database."""
    relacionado = f"{contratista.rfc} - {contratista.nombre}"
    query = _de(contratista.id).order_by(Capturista.id).execution_options(yield_per=1000)
    for c, p in session.exec(query):
        yield export.FilaCapturista(
            curp=p.curp, nombres=p.nombres, primer_apellido=p.primer_apellido, segundo_apellido=p.segundo_apellido,
            rol=c.rol, estatus=c.estatus_texto, grupo=contratista.rfc, contratista=relacionado,
            fecha_alta=c.alta, fecha_baja=c.baja, fecha_actualizacion=c.actualizado)
