"""Datos generales › Registro REPSE: the registration's folio and date, and the authorised services (Agregar
servicio, edit, Eliminar; a service that a contract uses cannot be removed). Views on the Datos generales
blueprint (its guard: the contratista only)."""
from __future__ import annotations

from flask import abort, flash, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from .. import hora, repse, servicios_repse
from ..db import get_session
from ..formularios import rechazar
from ..htmx import render, see_other
from ..rechazo import Rechazo
from .routes import bp

__all__ = ["bp"]

TEMPLATE = "datos_generales/repse.html"


class RegistroForm(FlaskForm):
    folio = StringField("Folio de registro REPSE")
    fecha_registro = StringField("Fecha de registro")


class ServicioForm(FlaskForm):
    folio = StringField("Folio del servicio")
    descripcion = TextAreaField("Descripción del servicio autorizado")


# Registro REPSE shows both forms, and both have a "folio": the service's fields are prefixed there ("servicio-folio")
# so that every id, and the label that names it, is unique on the page. Its own edit page has one form, unprefixed.
AGREGAR = "servicio"


def _pagina(registro_form=None, servicio_form=None, status=None, editar=None):
    db, contratista = get_session(), current_user.contratista
    registro = servicios_repse.registro_repse(db, contratista.id)
    if registro_form is None:
        registro_form = RegistroForm(formdata=None, data={"folio": registro.folio if registro else "",
                                                          "fecha_registro": registro.fecha_registro.isoformat()
                                                          if registro else ""})
    return render(TEMPLATE, status=status, contratista=contratista, registro=registro,
                  registro_form=registro_form, servicio_form=servicio_form or ServicioForm(formdata=None, prefix=AGREGAR),
                  servicios=servicios_repse.servicios(db, contratista.id), editar=editar)


@bp.get("/repse")
def repse_index():
    """Registro REPSE."""
    return _pagina()


@bp.post("/repse")
def repse_guardar():
    """Guardar the registration's folio and date."""
    form = RegistroForm()
    if form.validate_on_submit():
        try:
            registro = repse.validar_registro(form.folio.data, form.fecha_registro.data, hoy=hora.hoy())
        except ExceptionGroup as grupo:
            rechazar(form, grupo)
        else:
            db = get_session()
            servicios_repse.guardar_registro(db, current_user.contratista.id, registro)
            db.commit()
            flash("Se guardó el registro REPSE.", "status")
            return see_other(url_for("datos_generales.repse_index"))
    return _pagina(registro_form=form)


@bp.post("/repse/servicios")
def repse_agregar():
    """Agregar servicio."""
    form = ServicioForm(prefix=AGREGAR)
    if form.validate_on_submit():
        try:
            datos = repse.validar_servicio(form.folio.data, form.descripcion.data)
            servicios_repse.guardar_servicio(get_session(), current_user.contratista.id, datos)
        except (ExceptionGroup, Rechazo) as error:
            rechazar(form, error)
        else:
            flash(f"Se agregó el servicio {datos.folio}.", "status")
            return see_other(url_for("datos_generales.repse_index") + "#servicios")
    return _pagina(servicio_form=form)


def _servicio(servicio_id: int):
    servicio = servicios_repse.servicio_propio(get_session(), current_user.contratista.id, servicio_id)
    if servicio is None:
        abort(404)
    return servicio


@bp.route("/repse/servicios/<int:servicio_id>", methods=["GET", "POST"])
def repse_editar(servicio_id: int):
    """Edit a service's folio or description."""
    servicio = _servicio(servicio_id)
    form = ServicioForm()
    if not form.is_submitted():
        form = ServicioForm(formdata=None, data={"folio": servicio.folio, "descripcion": servicio.descripcion})
    elif form.validate_on_submit():
        try:
            datos = repse.validar_servicio(form.folio.data, form.descripcion.data)
            servicios_repse.guardar_servicio(get_session(), current_user.contratista.id, datos, servicio)
        except (ExceptionGroup, Rechazo) as error:
            rechazar(form, error)
        except servicios_repse.ServicioInexistente:
            abort(404)  # deleted in another tab since this request read it
        else:
            flash(f"Se guardó el servicio {datos.folio}.", "status")
            return see_other(url_for("datos_generales.repse_index") + "#servicios")
    return render("datos_generales/servicio.html", form=form, servicio=servicio, contratista=current_user.contratista)


@bp.post("/repse/servicios/<int:servicio_id>/eliminar")
def repse_eliminar(servicio_id: int):
    """Eliminar a service no contract uses."""
    servicio = _servicio(servicio_id)
    folio = servicio.folio
    try:
        servicios_repse.eliminar_servicio(get_session(), servicio)
    except Rechazo as e:
        flash(str(e), "error")
        return _pagina(status=409)
    flash(f"Se eliminó el servicio {folio}.", "status")
    return see_other(url_for("datos_generales.repse_index") + "#servicios")
