"""What *Guardar* requires of the Datos generales (guide steps 8-15), as a plain rule: no Flask, no database.

Correo and celular are required, teléfono fijo is optional (contacto.py says what each must look like). A persona
moral answers "¿El domicilio social del contratista es igual a su domicilio fiscal?"; with *No*, the address must
have been located and accepted (step 3, *Aceptar*). A persona física never sees that question (guide step 8).
The STPS acuse is required.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import contacto
from .rechazo import Rechazo, varios

MSG_DOMICILIO_IGUAL = "Indica si el domicilio social es igual al domicilio fiscal."
MSG_DOMICILIO = ("Ubica el domicilio social en los tres pasos de «Ubicar domicilio geográfico nacional» y da clic en "
                 "Aceptar.")
MSG_ACUSE = "Adjunta el acuse de registro en el padrón de la STPS (archivo .pdf)."


@dataclass(frozen=True)
class Generales:
    correo: str
    celular: str
    telefono_fijo: str | None
    domicilio_igual_fiscal: bool | None  # None for a persona física
    domicilio: dict | None  # the accepted located address, only when it differs from the fiscal one


def validar(valores: Mapping[str, Any], *, persona_moral: bool, domicilio_aceptado: dict | None,
            tiene_acuse: bool) -> Generales:
    """The data to store, or every problem at once: a group of Rechazo (app.rechazo.varios), one per field
    ("domicilio" for the locator as a whole)."""
    rechazos: list[Rechazo] = []
    contacto_ok: dict[str, Any] = {}
    for name, check in (("correo", contacto.normalize_correo), ("celular", contacto.normalize_telefono),
                        ("telefono_fijo", contacto.normalize_telefono_opcional)):
        try:
            contacto_ok[name] = check(str(valores.get(name) or ""))
        except contacto.DatoInvalido as e:
            rechazos.append(e)
    igual = None
    if persona_moral:
        igual = {"si": True, "no": False}.get(str(valores.get("domicilio_igual") or ""))
        if igual is None:
            rechazos.append(Rechazo("domicilio_igual", MSG_DOMICILIO_IGUAL))
        elif not igual and not domicilio_aceptado:
            rechazos.append(Rechazo("domicilio", MSG_DOMICILIO))
    if not tiene_acuse:
        rechazos.append(Rechazo("acuse", MSG_ACUSE))
    if rechazos:
        raise varios(rechazos)
    return Generales(domicilio_igual_fiscal=igual, domicilio=domicilio_aceptado if igual is False else None,
                     **contacto_ok)
