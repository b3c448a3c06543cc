"""Complementarias of a presented informativa, and the history of a period.

A *Corrección* starts as a copy of the filed informativa's contracts and workers, is edited, revised, sent and
signed like a Normal, and replaces it once presented. A *Sin efectos* reports nothing: once signed it cancels the
filing, and the period may then get a new Normal or Sin información. At most four per period
(informativas.MAX_COMPLEMENTARIAS), one under way at a time; the rules and the races are informativas'.
"""
from __future__ import annotations

from flask import abort, current_app, flash, request, url_for
from flask_login import current_user

from .. import informativas, plazos
from ..auth import auditar
from ..db import bloquear_borradores, get_session
from ..formularios import rechazar
from ..htmx import render, see_other
from ..models import ESTATUS_INFORMATIVA, TIPOS_COMPLEMENTARIA, TIPOS_INFORMATIVA
from ..rechazo import Rechazo
from .forms import ComplementariaForm, DescartarForm
from .routes import (bp, conflicto, contexto_informativa, contratista_id, contexto_ver, periodo, propia,
                     repeticion)


@bp.post("/<int:informativa_id>/complementaria")
def complementaria(informativa_id: int):
    """Registrar complementaria of this presented informativa: a Corrección or a Sin efectos, in capture."""
    informativa = propia(informativa_id)
    form = ComplementariaForm()
    if form.validate_on_submit():
        if form.tipo.data not in TIPOS_COMPLEMENTARIA:
            form.tipo.errors = ["Selecciona el tipo de complementaria."]
        else:
            try:
                nueva = informativas.registrar_complementaria(get_session(), informativa, form.tipo.data, lambda n: (
                    auditar("complementaria", f"{TIPOS_INFORMATIVA[n.tipo]} (informativa {n.id}) del folio "
                                              f"{informativa.folio}")))
            except Rechazo as e:
                rechazar(form, e)
            else:
                current_app.logger.info("complementaria %s (%s) de la informativa %s registrada por %s", nueva.id,
                                        nueva.tipo, informativa.id, current_user.actor)
                flash(f"Se registró la {TIPOS_INFORMATIVA[nueva.tipo].lower()} de la informativa "
                      f"{informativa.folio}.", "status")
                return see_other(url_for("informativa.ver", informativa_id=nueva.id))
    contexto = contexto_ver(informativa, form)
    if contexto["complementaria"] is None:
        abort(409)  # not the period's vigente presented filing (any more)
    return render("informativa/ver.html", **contexto)


def _confirmacion(informativa, form: DescartarForm, status: int | None = None):
    """Descartar's page: what goes, with its counts in the form that confirms it."""
    contexto = contexto_informativa(informativa)
    total = sum(contexto["conteos"].values())
    form.contratos.data, form.trabajadores.data = str(len(contexto["contratos"])), str(total)
    return render("informativa/descartar.html", None, status, form=form, total_trabajadores=total, **contexto)


@bp.route("/<int:informativa_id>/descartar", methods=["GET", "POST"])
def descartar(informativa_id: int):
    """Descartar: a complementaria not presented, or a period's first filing never presented, with its contracts and
    workers (informativas.descartable), after a page that says what goes (GET). Once discarded, a second click of
    Sí, descartar, or Back to its confirmation, lands where the first one did (_ya_descartada)."""
    informativa = informativas.propia(get_session(), contratista_id(), informativa_id)
    if informativa is None:
        return _ya_descartada(informativa_id)
    if not informativas.descartable(informativa):
        conflicto(informativa)  # presented (or being signed) meanwhile: says so, with its folio
    form = DescartarForm()
    if request.method == "GET" or not form.validate_on_submit():
        return _confirmacion(informativa, form)
    nombre = f"{TIPOS_INFORMATIVA[informativa.tipo].lower()} de {periodo(informativa).nombre}"
    complementa_id, db = informativa.complementa_id, get_session()
    # The drafts' lock first, in the order Guardar contrato takes its locks (the contratista's, then the
    # informativa's): an autosave of one of its contract pages racing this would write back a draft of a contract
    # page that no longer exists (a red-team review, on PostgreSQL).
    bloquear_borradores(db, informativa.contratista_id)
    try:
        descartada = informativas.descartar(db, informativa, form.confirmado())
    except Rechazo as e:
        # Contracts or workers came (or went) since its confirmation was shown: say what it holds now, ask again.
        actual = informativas.propia(db, contratista_id(), informativa_id)  # the rollback expired `informativa`
        if actual is None and repeticion("descartar", informativa_id) is not None:
            return _ya_descartada(informativa_id)  # a second click, answered once the first had deleted it
        if actual is None or not informativas.descartable(actual):
            conflicto(informativa)
        nueva = DescartarForm(formdata=None)
        rechazar(nueva, e)
        return _confirmacion(actual, nueva, 409)
    if not descartada:
        if informativas.propia(db, contratista_id(), informativa_id) is None and \
                repeticion("descartar", informativa_id) is not None:
            return _ya_descartada(informativa_id)
        conflicto(informativa)
    current_app.logger.info("informativa %s (%s) descartada por %s", informativa_id, nombre, current_user.actor)
    if complementa_id is not None:
        flash("Se descartó la complementaria.", "status")
        return see_other(url_for("informativa.ver", informativa_id=complementa_id))
    flash(f"Se descartó la informativa {nombre}. Puedes registrar la de ese cuatrimestre de nuevo.", "status")
    return see_other(url_for("informativa.index"))


def _ya_descartada(informativa_id: int):
    """An informativa that is not there for the signed-in contratista: when the request's clave_repeticion (its
    confirmation's form, or the link to it that Back asks again; routes' module docstring) names it, it was this
    contratista's and Descartar deleted it (nothing else deletes an informativa): where Descartar lands, saying so.
    Else 404, as for an id that was never the contratista's."""
    clave = repeticion("descartar", informativa_id)
    if clave is None:
        abort(404)
    complementa_id, nombre = clave.dato
    if complementa_id is not None:
        flash("La complementaria ya se había descartado.", "status")
        return see_other(url_for("informativa.ver", informativa_id=complementa_id))
    flash(f"La informativa {nombre} ya se había descartado. Puedes registrar la de ese cuatrimestre de nuevo.",
          "status")
    return see_other(url_for("informativa.index"))


@bp.get("/historial/<int:ejercicio>-<int:cuatrimestre>")
def historial(ejercicio: int, cuatrimestre: int):
    """Every filing of one period, in order: the first one, each complementaria, what is vigente now."""
    try:
        periodo = plazos.Periodo(ejercicio, cuatrimestre)
    except Rechazo:
        abort(404)
    db = get_session()
    filas = informativas.historial(db, contratista_id(), ejercicio, cuatrimestre)
    folios = {i.id: i.folio for i in filas}
    return render("informativa/historial.html", periodo=periodo, filas=filas, folios=folios,
                  tipos=TIPOS_INFORMATIVA, estatus=ESTATUS_INFORMATIVA, contratista=current_user.contratista,
                  restantes=max(0, informativas.MAX_COMPLEMENTARIAS -
                                sum(1 for i in filas if i.tipo in TIPOS_COMPLEMENTARIA)),
                  maximo=informativas.MAX_COMPLEMENTARIAS)
