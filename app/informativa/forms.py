"""Forms of the informativa: registering one, a contract (with the address locator's fields), a worker, a file."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from .. import localizador_web

CUATRIMESTRES = [SelectChoice("1", "1 (enero–abril)"), SelectChoice("2", "2 (mayo–agosto)"),
                 SelectChoice("3", "3 (septiembre–diciembre)")]
TIPOS = [SelectChoice("normal", "Normal"), SelectChoice("sin_informacion", "Sin información")]


class RegistrarForm(FlaskForm):
    ejercicio = SelectField("Ejercicio", validate_choice=False)
    cuatrimestre = RadioField("Cuatrimestre", choices=CUATRIMESTRES, validate_choice=False)
    tipo = RadioField("Tipo de informativa", choices=TIPOS, validate_choice=False)


class ComplementariaForm(FlaskForm):
    tipo = RadioField("Tipo de complementaria", choices=[
        SelectChoice("correccion", "Corrección: parte de una copia de la informativa presentada, que corriges y firmas"),
        SelectChoice("sin_efectos", "Sin efectos: deja sin efectos la informativa presentada")], validate_choice=False)


# The contract's own typed fields (the locator's are added after them, for the page's order).
CAMPOS_CONTRATO = ("rfc_contratante", "nombre_contratante", "correo", "celular", "telefono_fijo", "domicilio_igual",
                   "objeto", "servicio", "fecha_inicio", "fecha_termino")


class DescartarForm(FlaskForm):
    """Descartar's confirmation: what its page said would go (informativas.contenido), so that the POST deletes
    nothing else."""

    contratos = HiddenField()
    trabajadores = HiddenField()

    def confirmado(self) -> tuple[int, int] | None:
        """The counts posted; None when either is not a number (a page from before they were posted)."""
        valores = (self.contratos.data or "", self.trabajadores.data or "")
        if all(v.isascii() and v.isdigit() and len(v) < 10 for v in valores):
            return int(valores[0]), int(valores[1])
        return None


class ContratoForm(FlaskForm):
    rfc_contratante = StringField("RFC del contratante")
    nombre_contratante = StringField("Nombre, denominación o razón social")
    correo = StringField("Correo electrónico")
    celular = StringField("Celular")
    telefono_fijo = StringField("Teléfono fijo")
    domicilio_igual = RadioField("¿El domicilio social del contratante es igual a su domicilio fiscal?",
                                 choices=localizador_web.SI_NO, validate_choice=False)


localizador_web.agregar_campos(ContratoForm)
ContratoForm.objeto = TextAreaField("Objeto del contrato")
ContratoForm.servicio = SelectField("Servicio u obra especializado contratado", validate_choice=False)
ContratoForm.fecha_inicio = StringField("Fecha de inicio")
ContratoForm.fecha_termino = StringField("Fecha de término")


class TrabajadorForm(FlaskForm):
    nss = StringField("NSS")
    curp = StringField("CURP")
    sbc = StringField("Salario base de cotización")
    nombre = StringField("Nombre completo")


class CargaForm(FlaskForm):
    archivo = FileField("Archivo de trabajadores")
