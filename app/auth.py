"""Who is signed in: Flask-Login's user, and the guards that views put in front of themselves."""
from __future__ import annotations

from functools import wraps

from flask import current_app, url_for
from flask_login import UserMixin, current_user

from .db import get_session
from .htmx import see_other
from .models import Contratista

class Usuario(UserMixin):
    """A signed-in person. The session cookie holds only "contratista:<id>"."""

    def __init__(self, contratista: Contratista):
        self.contratista = contratista
        self.rol = "Contratista"

    def get_id(self) -> str:
        return f"contratista:{self.contratista.id}"

    @property
    def acepto_terminos(self) -> bool:
        return self.contratista.terminos_version == current_app.config["TERMINOS_VERSION"]


def load_user(user_id: str) -> Usuario | None:
    kind, _, raw_id = user_id.partition(":")
    if kind != "contratista" or not raw_id.isdigit():
        return None
    contratista = get_session().get(Contratista, int(raw_id))
    return Usuario(contratista) if contratista else None


def contratista_required(view):
    """Signed in as a contratista who has accepted the current terms; otherwise sent where it must go first."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return see_other(url_for("ingreso.index"))
        if not current_user.acepto_terminos:
            return see_other(url_for("ingreso.terminos"))
        return view(*args, **kwargs)

    return guarded
