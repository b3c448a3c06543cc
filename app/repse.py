"""The contratista's REPSE registration (Registro de Prestadoras de Servicios Especializados u Obras Especializadas,
STPS) as the informativa needs it: the registration's folio and date, and the authorised services, each a folio and
a description. Contracts choose their service from this list (the IMSS FAQ: the contract's "servicio" is the REPSE
folio plus the authorised service). Plain rules: no Flask, no database.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from .texto import normalize_text, sin_invisibles
from .rechazo import Rechazo, varios

MAX_FOLIO = 40
MAX_DESCRIPCION = 500
# The REPSE opened with the subcontracting reform (DOF 23-04-2021, in force the 24th).
INICIO_REPSE = date(2021, 4, 24)

# A folio as the STPS writes them ("AR12345/2021", "12345/2021-1"): letters, digits and / - . only.
_SIGNOS_FOLIO = frozenset("/-.")


@dataclass(frozen=True)
class Registro:
    folio: str
    fecha_registro: date


@dataclass(frozen=True)
class Servicio:
    folio: str
    descripcion: str


def leer_fecha(valor: str | date | None, campo: str, nombre: str) -> date:
    """A date as the browser's date field sends it (AAAA-MM-DD) or as people type it (dd/mm/aaaa), or Rechazo."""
    if isinstance(valor, date):
        return valor
    texto = (valor or "").strip()
    if not texto:
        raise Rechazo(campo, f"Captura la {nombre}.")
    for formato in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(texto, formato).date()
        except ValueError:
            continue
    raise Rechazo(campo, f"La {nombre} no es una fecha válida; escríbela como dd/mm/aaaa.")


def _folio(valor: str | None, campo: str, nombre: str) -> str:
    folio = " ".join(unicodedata.normalize("NFKC", sin_invisibles(valor or "")).split()).upper()
    if not folio:
        raise Rechazo(campo, f"Captura el {nombre}.")
    if len(folio) > MAX_FOLIO:
        raise Rechazo(campo, f"El {nombre} debe tener como máximo {MAX_FOLIO} caracteres.")
    if not all(c.isascii() and (c.isalnum() or c in _SIGNOS_FOLIO) for c in folio):
        raise Rechazo(campo, f"El {nombre} solo puede tener letras, números y los signos / - . (sin espacios).")
    return folio


def validar_registro(folio: str | None, fecha: str | date | None, *, hoy: date) -> Registro:
    """The registration's folio and date, or every refusal at once (fields "folio", "fecha_registro")."""
    rechazos, datos = [], {}
    for campo, leer in (("folio", lambda: _folio(folio, "folio", "folio de registro REPSE")),
                        ("fecha_registro", lambda: leer_fecha(fecha, "fecha_registro", "fecha de registro"))):
        try:
            datos[campo] = leer()
        except Rechazo as e:
            rechazos.append(e)
    fecha_ok = datos.get("fecha_registro")
    if fecha_ok is not None and fecha_ok > hoy:
        rechazos.append(Rechazo("fecha_registro", "La fecha de registro no puede ser posterior a hoy."))
    elif fecha_ok is not None and fecha_ok < INICIO_REPSE:
        rechazos.append(Rechazo("fecha_registro", "La fecha de registro no puede ser anterior al 24/04/2021, "
                                                  "cuando abrió el REPSE."))
    if rechazos:
        raise varios(rechazos)
    return Registro(datos["folio"], datos["fecha_registro"])


def validar_servicio(folio: str | None, descripcion: str | None) -> Servicio:
    """An authorised service: its folio and its description, or every refusal at once ("folio", "descripcion")."""
    rechazos, datos = [], {}
    try:
        datos["folio"] = _folio(folio, "folio", "folio del servicio")
    except Rechazo as e:
        rechazos.append(e)
    texto = " ".join(normalize_text(descripcion or "").split())
    if not texto:
        rechazos.append(Rechazo("descripcion", "Captura la descripción del servicio autorizado."))
    elif len(texto) > MAX_DESCRIPCION:
        rechazos.append(Rechazo("descripcion", f"La descripción debe tener como máximo {MAX_DESCRIPCION} caracteres."))
    elif not texto.isprintable():
        rechazos.append(Rechazo("descripcion", "La descripción tiene caracteres no válidos."))
    if rechazos:
        raise varios(rechazos)
    return Servicio(datos["folio"], texto)
