"""Forms of the Ingreso section: e.firma, capturista, términos y condiciones."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, StopValidation, ValidationError

from .. import curp, efirma_web, fiel, hora

class EfirmaForm(FlaskForm):
    rfc = StringField("RFC", validators=[DataRequired("Captura el RFC del contratista.")],
                      filters=[lambda v: fiel.normalize_rfc(v) if v else v])
    cer = efirma_web.campo_cer()
    key = efirma_web.campo_key()
    password = efirma_web.campo_contrasena()


def _curp_valida(_form, field) -> None:
    """The project's one CURP rule (app.curp: H, M or X; no birth date after today in Mexico City)."""
    try:
        field.data = curp.validate(field.data or "", today=hora.hoy())
    except curp.CurpInvalida as e:
        raise ValidationError(str(e)) from None


class CapturistaForm(FlaskForm):
    curp = StringField("CURP", validators=[DataRequired("Captura tu CURP."), _curp_valida])
    password = PasswordField("Contraseña", validators=[InputRequired("Captura tu contraseña."),
                                                       Length(max=1024, message="La contraseña es demasiado larga.")])


class TerminosForm(FlaskForm):
    acepto = BooleanField("He leído y acepto los términos y condiciones",
                          validators=[DataRequired("Para ingresar debes aceptar los términos y condiciones.")])


class RestablecerForm(FlaskForm):
    curp = StringField("CURP", validators=[DataRequired("Captura tu CURP."), _curp_valida])


class ContrasenaForm(FlaskForm):
    contrasena = PasswordField("Nueva contraseña")
    confirmacion = PasswordField("Confirmar contraseña")


def _entero(value) -> int | None:
    """A radio's value as an id; anything else is "nothing chosen" (WTForms' own coercion errors are English)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _elegido(_form, field) -> None:
    if field.data not in {value for value, _label in field.choices}:
        raise StopValidation("Selecciona el contratista para el que vas a trabajar.")


class ElegirForm(FlaskForm):
    """¿Para qué contratista vas a trabajar? Its choices are the account's active roles, set by the view."""

    capturista = RadioField("¿Para qué contratista vas a trabajar?", coerce=_entero, validate_choice=False,
                            validators=[_elegido])
