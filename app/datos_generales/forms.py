"""The Datos generales page's form: one HTML form, several actions (the locator's steps, attach the acuse, save).

Which fields an action needs depends on the action and on the locator's step, so the fields carry no validators:
the domain rules (app.generales, app.localizador, app.acuse) judge them and the views put each refusal on its field.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, StringField

from .. import localizador_web

CAMPOS = ("correo", "celular", "telefono_fijo", "domicilio_igual")  # the page's own typed fields (not the locator's)


class DatosGeneralesForm(FlaskForm):
    correo = StringField("Correo electrónico")
    celular = StringField("Celular")
    telefono_fijo = StringField("Teléfono fijo")
    domicilio_igual = RadioField("¿El domicilio social del contratista es igual a su domicilio fiscal?",
                                 choices=localizador_web.SI_NO, validate_choice=False)


localizador_web.agregar_campos(DatosGeneralesForm)  # after the page's own fields, before the acuse: page order
DatosGeneralesForm.acuse = FileField("Acuse de registro en padrón de la STPS")
