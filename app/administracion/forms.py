"""Forms of Administración: alta de usuarios (capturistas)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice


class AltaUsuarioForm(FlaskForm):
    curp = StringField("CURP")
    nombres = StringField("Nombre(s)")
    primer_apellido = StringField("Primer apellido")
    segundo_apellido = StringField("Segundo apellido")
    rol = SelectField("Rol asignado", choices=[SelectChoice("Capturista", "Capturista")], validate_choice=False)
    telefono = StringField("Teléfono")
    correo = StringField("Correo electrónico")
    confirmar_correo = StringField("Confirmar correo electrónico")
