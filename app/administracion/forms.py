"""Forms of Administración: alta de usuarios (capturistas).

What one field decides alone is a validator here (the names, the rol, the e-mail repeated); the CURP, the phone and
the e-mail are the domain's rules (app.curp, app.contacto), which the view calls and whose refusals it puts on the
fields with app.formularios.rechazar.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, ValidationError

from .. import contacto
from .. import curp as reglas_curp  # the class body has a field named curp

ROL = "Capturista"


def _nombre_valido(_form, field) -> None:
    """The project's one name rule (app.curp: RENAPO's characters, at most 120), in its stored form."""
    try:
        field.data = reglas_curp.validar_nombre(field.data or "", field.name)
    except reglas_curp.CurpInvalida as e:
        raise ValidationError(str(e)) from None


class AltaUsuarioForm(FlaskForm):
    curp = StringField("CURP")
    nombres = StringField("Nombre(s)", validators=[DataRequired(reglas_curp.MSG_SIN_NOMBRE), _nombre_valido])
    primer_apellido = StringField("Primer apellido",
                                  validators=[DataRequired(reglas_curp.MSG_SIN_PRIMER_APELLIDO), _nombre_valido])
    segundo_apellido = StringField("Segundo apellido", validators=[_nombre_valido])
    rol = SelectField("Rol asignado", choices=[SelectChoice(ROL, ROL)], validate_choice=False,
                      validators=[AnyOf([ROL], message="Selecciona el rol asignado.")])
    telefono = StringField("Teléfono")
    correo = StringField("Correo electrónico")
    confirmar_correo = StringField("Confirmar correo electrónico")

    def validate_confirmar_correo(self, field) -> None:
        """The same address twice, as the domain normalises it (so "Luis@Ejemplo.MX" repeats "Luis@ejemplo.mx").
        Judged only when the first one is valid: an invalid one is refused on its own field."""
        try:
            correo = contacto.normalize_correo(self.correo.data)
        except contacto.DatoInvalido:
            return
        try:
            confirmado = contacto.normalize_correo(field.data, campo=field.name)
        except contacto.DatoInvalido:
            confirmado = None
        if confirmado != correo:
            raise ValidationError("Los correos electrónicos no coinciden.")
