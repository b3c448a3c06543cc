"""Acuses de presentación: the signed-in contratista's (or its capturista's working contratista's) presented
informativas and their acuse PDFs, and the public *Verificar acuse* page (no sign-in: the QR code of every acuse
links to it).

Verificar acuse answers one thing for an unknown folio and for a wrong sello: "No encontramos un acuse con ese folio
y sello." with 404 (the acuse asked for does not exist), so the page tells nobody which folios exist; those failures
are counted per client address in the database (app.limiter) and past LIMITE_VERIFICAR_ACUSE in 15 minutes the
answer is 429 with Retry-After. A folio and sello that match answer 200, saying whether the acuse is authentic or
whether the portal's data no longer match what was signed.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, make_response, request
from flask_login import current_user
from werkzeug.datastructures import ImmutableMultiDict

from .. import acuse_presentacion, limiter, plazos, presentaciones
from ..auth import usuario_required
from ..db import get_session
from ..enlaces import publico
from ..formularios import rechazar
from ..htmx import render
from ..models import TIPOS_INFORMATIVA, Informativa, utcnow
from ..rechazo import Rechazo
from .forms import VerificarForm

bp = Blueprint("acuses", __name__, url_prefix="/acuses")
# reportlab reads the three TrueType fonts once per process (about half a second): at start, not in a download.
bp.record_once(lambda _state: acuse_presentacion.cargar_fuentes())

NO_ENCONTRADO = "No encontramos un acuse con ese folio y sello."
VENTANA = timedelta(minutes=15)
LIMITE_VERIFICAR_ACUSE = 30  # failed lookups per client address and VENTANA (config LIMITE_VERIFICAR_ACUSE)


def _url_verificacion(informativa: Informativa) -> str:
    """The QR code's link: the public page on the portal's public address, already asking for this acuse."""
    return publico("acuses.verificar", folio=informativa.folio,
                   sello=(informativa.sello or "")[:acuse_presentacion.LARGO_PREFIJO])


@bp.get("/")
@usuario_required
def index():
    """Acuses de presentación: every presented informativa, newest first, each with its PDF."""
    filas = [{"informativa": i, "periodo": plazos.Periodo(i.ejercicio, i.cuatrimestre)}
             for i in presentaciones.presentadas(get_session(), current_user.contratista.id)]
    return render("acuses/index.html", filas=filas, tipos=TIPOS_INFORMATIVA, contratista=current_user.contratista,
                  fecha_hora=acuse_presentacion.fecha_hora)


@bp.get("/<folio>.pdf")
@usuario_required
def descargar(folio: str):
    """The acuse de presentación PDF of one of the contratista's presented informativas (404 for anyone else's)."""
    if not acuse_presentacion.FOLIO.fullmatch(folio):
        abort(404)
    db = get_session()
    informativa = presentaciones.por_folio(db, folio, current_user.contratista.id)
    if informativa is None:
        abort(404)
    pdf = acuse_presentacion.generar(presentaciones.datos_acuse(db, informativa, _url_verificacion(informativa)))
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="acuse-{informativa.folio}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/verificar")
def verificar():
    """Verificar acuse (public): with a folio and the sello's first 8 characters, whether the acuse is authentic
    and the filing's summary."""
    # The form shows back what was asked, never more than a field reads (a 10 MB query is not echoed whole).
    form = VerificarForm(formdata=ImmutableMultiDict(
        [(k, request.args.get(k, "")[:acuse_presentacion.MAX_ENTRADA]) for k in ("folio", "sello") if k in request.args]))
    if "folio" not in request.args and "sello" not in request.args:
        return render("acuses/verificar.html", "resultado", form=form)
    try:
        folio, prefijo = acuse_presentacion.consulta(request.args.get("folio", ""), request.args.get("sello", ""))
    except (Rechazo, ExceptionGroup) as error:
        rechazar(form, error)
        return render("acuses/verificar.html", "resultado", form=form)
    db, direccion = get_session(), limiter.lugar(request.remote_addr)
    regla = limiter.Regla(limit=current_app.config.get("LIMITE_VERIFICAR_ACUSE", LIMITE_VERIFICAR_ACUSE),
                          window=VENTANA)
    intento = limiter.intentar(db, {f"acuse-ip:{direccion}": regla}, utcnow())
    if intento.rechazado:
        response = render("acuses/verificar.html", "resultado", 429, form=form, demasiados=limiter.minutos(
            intento.espera))
        response.headers["Retry-After"] = str(int(intento.espera.total_seconds()) + 1)
        return response
    informativa = presentaciones.por_folio(db, folio)
    if informativa is None or not presentaciones.prefijo_coincide(informativa, prefijo):
        return render("acuses/verificar.html", "resultado", 404, form=form, no_encontrado=NO_ENCONTRADO)
    limiter.acierto(db, intento)
    if not presentaciones.integra_reciente(db, informativa, utcnow()):
        return render("acuses/verificar.html", "resultado", form=form, alterado=informativa.folio)
    datos = presentaciones.datos_acuse(db, informativa, "")
    return render("acuses/verificar.html", "resultado", form=form, datos=datos,
                  vigente=informativa.vigente is True, complementaria=presentaciones.complementaria(db, informativa),
                  tipos=TIPOS_INFORMATIVA,
                  fecha_hora=acuse_presentacion.fecha_hora, numero=acuse_presentacion.numero)
