"""The Datos generales page's form: one HTML form, several actions (locate the address, attach the acuse, save).

Which fields an action needs depends on the action and on the locator's step, so the fields carry no validators:
the views call the domain modules (contacto, address, acuse) and put each message on the field it concerns.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

SI_NO = [SelectChoice("si", "Sí"), SelectChoice("no", "No")]
VACIO = [SelectChoice("", "--Selecciona por favor--")]


def opciones(pairs) -> list[SelectChoice]:
    """Select options after the guide's empty first one; `pairs` are (value, label)."""
    return VACIO + [SelectChoice(value, label) for value, label in pairs]

# The fields whose values are kept in the draft (everything typed, never the file).
TEXTO = ("correo", "celular", "telefono_fijo", "domicilio_igual", "conoce_cp", "cp", "estado", "municipio",
         "colonia", "calle_tipo", "calle_nombre", "numero_exterior", "letra_exterior", "sin_numero",
         "numero_interior", "letra_interior", "numero_exterior_secundario", "entre_calle_tipo",
         "entre_calle_nombre", "y_calle_tipo", "y_calle_nombre", "calle_posterior_tipo", "calle_posterior_nombre",
         "descripcion")
PASO_2 = TEXTO[TEXTO.index("calle_tipo"):]


class DatosGeneralesForm(FlaskForm):
    correo = StringField("Correo electrónico")
    celular = StringField("Celular")
    telefono_fijo = StringField("Teléfono fijo")
    domicilio_igual = RadioField("¿El domicilio social del contratista es igual a su domicilio fiscal?",
                                 choices=SI_NO, validate_choice=False)
    conoce_cp = RadioField("¿Conoces tu Código Postal?", choices=SI_NO, validate_choice=False)
    cp = StringField("Código Postal")
    estado = SelectField("Estado", choices=VACIO, validate_choice=False)
    municipio = SelectField("Municipio o Alcaldía", choices=VACIO, validate_choice=False)
    colonia = SelectField("Colonia", choices=VACIO, validate_choice=False)
    calle_tipo = SelectField("Tipo de vialidad", choices=VACIO, validate_choice=False)
    calle_nombre = StringField("Nombre")
    numero_exterior = StringField("Número exterior")
    letra_exterior = StringField("Letra exterior")
    sin_numero = BooleanField("Sin número", false_values=("", "false", "0", "n"))
    numero_interior = StringField("Número interior")
    letra_interior = StringField("Letra interior")
    numero_exterior_secundario = StringField("Número exterior secundario")
    entre_calle_tipo = SelectField("Tipo de vialidad", choices=VACIO, validate_choice=False)
    entre_calle_nombre = StringField("Nombre")
    y_calle_tipo = SelectField("Tipo de vialidad", choices=VACIO, validate_choice=False)
    y_calle_nombre = StringField("Nombre")
    calle_posterior_tipo = SelectField("Tipo de vialidad", choices=VACIO, validate_choice=False)
    calle_posterior_nombre = StringField("Nombre")
    descripcion = TextAreaField("Descripción de la ubicación")
    acuse = FileField("Acuse de registro en padrón de la STPS")
