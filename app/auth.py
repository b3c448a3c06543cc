"""Who is signed in: Flask-Login's user, and the guards that views put in front of themselves."""
from __future__ import annotations

import hashlib
from functools import wraps

from flask import abort, current_app, url_for
from flask_login import UserMixin, current_user

from .db import get_session
from .htmx import see_other
from .models import Capturista, Contratista, Persona


def huella(password_hash: str | None) -> str:
    """A short fingerprint of a password hash: sessions and one-time links carry it, so that a new password ends
    every session and link made before it."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:12]


class Usuario(UserMixin):
    """A signed-in person: a contratista itself, or a capturista acting for one contratista. The session cookie
    holds only "contratista:<id>" or "capturista:<id>:<password fingerprint>"."""

    def __init__(self, contratista: Contratista, capturista: Capturista | None = None,
                 persona: Persona | None = None):
        self.contratista, self.capturista, self.persona = contratista, capturista, persona
        self.rol = "Capturista" if capturista else "Contratista"

    @property
    def es_contratista(self) -> bool:
        return self.capturista is None

    def get_id(self) -> str:
        if self.capturista is not None:
            return f"capturista:{self.capturista.id}:{huella(self.persona.password_hash)}"
        return f"contratista:{self.contratista.id}"

    @property
    def acepto_terminos(self) -> bool:
        """Capturistas act under their contratista's acceptance of the terms."""
        return not self.es_contratista or \
            self.contratista.terminos_version == current_app.config["TERMINOS_VERSION"]


def load_user(user_id: str) -> Usuario | None:
    kind, _, rest = user_id.partition(":")
    raw_id, _, firma = rest.partition(":")
    if not raw_id.isdigit():
        return None
    db = get_session()
    if kind == "contratista":
        contratista = db.get(Contratista, int(raw_id))
        return Usuario(contratista) if contratista else None
    if kind == "capturista":
        capturista = db.get(Capturista, int(raw_id))
        if capturista is None or capturista.estatus != "activo":
            return None  # dado de baja: the session ends at its next request
        persona = db.get(Persona, capturista.persona_id)
        if persona is None or huella(persona.password_hash) != firma:
            return None  # the password changed since this session began
        return Usuario(db.get(Contratista, capturista.contratista_id), capturista, persona)
    return None


def contratista_required(view):
    """Signed in as a contratista who has accepted the current terms; otherwise sent where it must go first.
    A capturista gets 403: these pages are the contratista's own."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return see_other(url_for("ingreso.index"))
        if not current_user.es_contratista:
            abort(403)
        if not current_user.acepto_terminos:
            return see_other(url_for("ingreso.terminos"))
        return view(*args, **kwargs)

    return guarded


def usuario_required(view):
    """Signed in, as a contratista (terms accepted) or as a capturista."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return see_other(url_for("ingreso.index"))
        if not current_user.acepto_terminos:
            return see_other(url_for("ingreso.terminos"))
        return view(*args, **kwargs)

    return guarded
