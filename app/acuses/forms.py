"""The public Verificar acuse form: read from the query string (a GET form, so the QR code's link answers directly)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField


class VerificarForm(FlaskForm):
    class Meta:
        csrf = False  # a GET that changes nothing; the QR code's link carries no token

    folio = StringField("Folio")
    sello = StringField("Primeros 8 caracteres del sello")
