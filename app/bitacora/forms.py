"""The Bitácora's filter: a GET form (it changes nothing), read from the query string."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from ..auditoria import TIPOS


class FiltroForm(FlaskForm):
    class Meta:
        csrf = False  # a GET that changes nothing; its links (pages, export) carry no token

    # Checked by the view (a Spanish message: WTForms' own "Not a valid choice" is English).
    tipo = SelectField("Tipo de evento", validate_choice=False,
                       choices=[SelectChoice("", "Todos")] + [SelectChoice(k, v) for k, v in TIPOS.items()])
    desde = StringField("Desde (AAAA-MM-DD)")
    hasta = StringField("Hasta (AAAA-MM-DD)")
