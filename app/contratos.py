"""What *Guardar* requires of a contract of a Normal informativa (issue 12, §3), as a plain rule: no Flask, no
database. The contratante (RFC, name, contact data and, for a persona moral, its social address), the object, the
service (one of the contratista's REPSE services) and the dates (the start inside the cuatrimestre and not before
24-04-2021, when the reform took effect; the end, if any, not before the start).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import contacto, repse
from .texto import normalize_text
from .plazos import INICIO_REFORMA, Periodo
from .rechazo import Rechazo, varios
from .rfc_contratante import validar_rfc_contratante

MAX_OBJETO = 500
MAX_NOMBRE = 300
# Contracts before the subcontracting reform (DOF 23-04-2021) are reported from the day it took effect.

MSG_DOMICILIO_IGUAL = "Indica si el domicilio social del contratante es igual a su domicilio fiscal."
MSG_DOMICILIO = ("Ubica el domicilio social del contratante en los tres pasos de «Ubicar domicilio geográfico "
                 "nacional» y da clic en Aceptar.")


@dataclass(frozen=True)
class DatosContrato:
    rfc_contratante: str
    persona_contratante: str  # "moral" or "fisica"
    nombre_contratante: str
    correo: str
    celular: str
    telefono_fijo: str | None
    domicilio_igual_fiscal: bool | None  # persona moral only
    domicilio: dict | None  # the located social address, when it is not the fiscal one
    objeto: str
    servicio_id: int
    fecha_inicio: date
    fecha_termino: date | None


def _texto(valor: Any) -> str:
    """Trimmed, one space between words, NFC, without the invisible characters a text copied from the contract (a PDF,
    Word) carries: what is left and not printable (a control character) is refused by the checks below."""
    return " ".join(normalize_text(str(valor or "")).split())


def validar(valores: Mapping[str, Any], *, rfc_contratista: str, periodo: Periodo, servicios: set[int],
            domicilio_aceptado: dict | None) -> tuple[DatosContrato, list[str]]:
    """The contract to store and its warnings, or every refusal at once (a group of Rechazo, one per field;
    "domicilio" for the locator as a whole)."""
    rechazos: list[Rechazo] = []
    avisos: list[str] = []
    datos: dict[str, Any] = {}

    def intentar(campo: str, leer) -> None:
        try:
            datos[campo] = leer()
        except Rechazo as e:
            rechazos.append(e)
        except ExceptionGroup as grupo:
            rechazos.extend(grupo.exceptions)

    def rfc():
        try:
            valor, persona, advertencias = validar_rfc_contratante(valores.get("rfc_contratante") or "",
                                                                   rfc_contratista=rfc_contratista)
        except Rechazo as e:  # the rule names its field "rfc"; on this form it is the contratante's
            raise Rechazo("rfc_contratante", e.mensaje) from None
        avisos.extend(advertencias)
        datos["persona_contratante"] = persona
        return valor

    intentar("rfc_contratante", rfc)
    # Upper-cased before it is measured: "ß" becomes "SS" and "ﬁ" "FI", so a name of 300 characters may be longer
    # once written (PostgreSQL refused it: a 500).
    nombre = _texto(valores.get("nombre_contratante")).upper()
    if not nombre:
        rechazos.append(Rechazo("nombre_contratante", "Captura el nombre, denominación o razón social del contratante."))
    elif len(nombre) > MAX_NOMBRE or not nombre.isprintable():
        rechazos.append(Rechazo("nombre_contratante", f"El nombre debe tener como máximo {MAX_NOMBRE} caracteres, "
                                                      "sin caracteres de control."))
    datos["nombre_contratante"] = nombre
    intentar("correo", lambda: contacto.normalize_correo(str(valores.get("correo") or "")))
    intentar("celular", lambda: contacto.normalize_telefono(str(valores.get("celular") or ""), campo="celular"))
    intentar("telefono_fijo", lambda: contacto.normalize_telefono_opcional(str(valores.get("telefono_fijo") or "")))

    igual = None
    if datos.get("persona_contratante") == "moral":
        igual = {"si": True, "no": False}.get(str(valores.get("domicilio_igual") or ""))
        if igual is None:
            rechazos.append(Rechazo("domicilio_igual", MSG_DOMICILIO_IGUAL))
        elif not igual and not domicilio_aceptado:
            rechazos.append(Rechazo("domicilio", MSG_DOMICILIO))

    objeto = _texto(valores.get("objeto"))
    if not objeto:
        rechazos.append(Rechazo("objeto", "Captura el objeto del contrato."))
    elif len(objeto) > MAX_OBJETO:
        rechazos.append(Rechazo("objeto", f"El objeto del contrato debe tener como máximo {MAX_OBJETO} caracteres."))
    elif not objeto.isprintable():
        rechazos.append(Rechazo("objeto", "El objeto del contrato tiene caracteres no válidos."))

    servicio = str(valores.get("servicio") or "")
    # ASCII digits only: "²" is a digit to str.isdigit(), and int("²") raises (a 500).
    if not servicio:
        rechazos.append(Rechazo("servicio", "Selecciona el servicio u obra especializado contratado."))
    elif not (servicio.isascii() and servicio.isdigit() and len(servicio) <= 18) or int(servicio) not in servicios:
        rechazos.append(Rechazo("servicio", "Selecciona uno de los servicios de tu Registro REPSE."))
    else:
        datos["servicio_id"] = int(servicio)

    intentar("fecha_inicio", lambda: repse.leer_fecha(valores.get("fecha_inicio"), "fecha_inicio", "fecha de inicio"))
    inicio = datos.get("fecha_inicio")
    if inicio is not None:
        if inicio < INICIO_REFORMA:
            rechazos.append(Rechazo("fecha_inicio", "La fecha de inicio no puede ser anterior al 24/04/2021: los "
                                                    "contratos anteriores se informan desde esa fecha."))
        elif not periodo.contiene(inicio):
            rechazos.append(Rechazo("fecha_inicio", f"La fecha de inicio debe estar dentro del cuatrimestre "
                                                    f"({periodo.inicio:%d/%m/%Y} a {periodo.fin:%d/%m/%Y})."))
    termino = None
    if str(valores.get("fecha_termino") or "").strip():
        intentar("fecha_termino", lambda: repse.leer_fecha(valores.get("fecha_termino"), "fecha_termino",
                                                           "fecha de término"))
        termino = datos.get("fecha_termino")
        if termino is not None and inicio is not None and termino < inicio:
            rechazos.append(Rechazo("fecha_termino", "La fecha de término no puede ser anterior a la de inicio."))
    if rechazos:
        raise varios(rechazos)
    return DatosContrato(
        rfc_contratante=datos["rfc_contratante"], persona_contratante=datos["persona_contratante"],
        nombre_contratante=datos["nombre_contratante"], correo=datos["correo"], celular=datos["celular"],
        telefono_fijo=datos["telefono_fijo"], domicilio_igual_fiscal=igual,
        domicilio=dict(domicilio_aceptado) if igual is False and domicilio_aceptado else None,
        objeto=objeto, servicio_id=datos["servicio_id"], fecha_inicio=inicio, fecha_termino=termino), avisos
