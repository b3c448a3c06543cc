"""The contratista's REPSE registration and its registered services (Datos generales, Registro REPSE) in the
database: what an informativa's contracts name. Every function takes the contratista's id and never reaches another's
rows. The rules are app.repse's; app.informativas uses the services for the cadena and Revisar.
"""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from . import repse
from .models import ESTATUS_INFORMATIVA, Contrato, Informativa, RegistroRepse, ServicioRepse, utcnow
from .rechazo import Rechazo


def registro_repse(session: Session, contratista_id: int) -> RegistroRepse | None:
    return session.get(RegistroRepse, contratista_id)


def guardar_registro(session: Session, contratista_id: int, registro: repse.Registro) -> None:
    """Upsert the contratista's REPSE registration (one atomic statement). Not committed."""
    from .db import upsert

    upsert(session, RegistroRepse, ["contratista_id"],
           {"contratista_id": contratista_id, "folio": registro.folio, "fecha_registro": registro.fecha_registro,
            "actualizado": utcnow()})


def servicios(session: Session, contratista_id: int) -> list[ServicioRepse]:
    return list(session.exec(select(ServicioRepse).where(ServicioRepse.contratista_id == contratista_id)
                             .order_by(ServicioRepse.folio)).all())


def servicio_propio(session: Session, contratista_id: int, servicio_id: int) -> ServicioRepse | None:
    servicio = session.get(ServicioRepse, servicio_id)
    return servicio if servicio is not None and servicio.contratista_id == contratista_id else None


class ServicioInexistente(LookupError):
    """The service being changed was deleted meanwhile (Eliminar in another tab)."""


def guardar_servicio(session: Session, contratista_id: int, datos: repse.Servicio,
                     servicio: ServicioRepse | None = None) -> ServicioRepse:
    """Add a service, or change one; Rechazo("folio") when the contratista already has that folio, or when the
    service is changed while an informativa that is not in capture uses it (what is sent to be signed does not
    change under it); ServicioInexistente when the one to change was deleted since it was read. Committed."""
    nuevo = servicio is None
    try:
        # Written first, so that the row is held while it is checked (see enviar's bloquear_servicios).
        if nuevo:
            servicio = ServicioRepse(contratista_id=contratista_id, folio=datos.folio, descripcion=datos.descripcion)
            session.add(servicio)
            session.flush()
        elif session.exec(update(ServicioRepse).where(ServicioRepse.id == servicio.id)
                          .values(folio=datos.folio, descripcion=datos.descripcion)).rowcount != 1:
            session.rollback()
            raise ServicioInexistente()
    except IntegrityError:  # the unique (contratista, folio): typed twice, or two tabs at once
        session.rollback()
        raise Rechazo("folio", f"Ya registraste el servicio con folio {datos.folio}.") from None
    if not nuevo:
        cerrada = session.exec(select(Informativa).join(Contrato, Contrato.informativa_id == Informativa.id)
                               .where(Contrato.servicio_id == servicio.id, Informativa.estatus != "en_captura")
                               .limit(1)).first()
        if cerrada is not None:
            session.rollback()
            raise Rechazo("folio", f"No se puede cambiar este servicio: lo usa la informativa de "
                                   f"{_periodo(cerrada)}, que está {ESTATUS_INFORMATIVA[cerrada.estatus].lower()}. "
                                   "Regrésala a captura para cambiarlo.")
    session.commit()
    return servicio


def _periodo(informativa: Informativa) -> str:
    from .plazos import Periodo

    return Periodo(informativa.ejercicio, informativa.cuatrimestre).nombre


def eliminar_servicio(session: Session, servicio: ServicioRepse) -> None:
    """Remove a service no contract uses; Rechazo("servicio") naming a contract that uses it. Committed."""
    usado = session.exec(select(Contrato).where(Contrato.servicio_id == servicio.id).limit(1)).first()
    if usado is not None:
        raise Rechazo("servicio", f"No se puede eliminar el servicio {servicio.folio}: lo usa el contrato con "
                                  f"{usado.nombre_contratante} ({usado.rfc_contratante}). Cambia antes su servicio.")
    session.delete(servicio)
    try:
        session.commit()
    except IntegrityError:  # a contract took it meanwhile (the foreign key)
        session.rollback()
        raise Rechazo("servicio", f"No se puede eliminar el servicio {servicio.folio}: un contrato lo usa.") from None
