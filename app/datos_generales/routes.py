"""Datos generales: the "Configuración" notice after the terms, and the contratista's general data page."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ..auth import contratista_required

bp = Blueprint("datos_generales", __name__, url_prefix="/datos-generales")


@bp.get("/configuracion")
@contratista_required
def configuracion():
    """Configuración: "Por favor ingresa tus datos generales." with Continuar."""
    return render_template("datos_generales/configuracion.html")


@bp.get("/")
@contratista_required
def index():
    """The Datos generales page with the contratista's header (RFC, name, role)."""
    return render_template("datos_generales/index.html", contratista=current_user.contratista)
