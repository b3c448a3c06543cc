"""Bitácora: the contratista's own audit rows (app.auditoria), 25 a page, newest first, filtered by kind and dates,
and exported to .xlsx. Read only: nothing here edits or deletes a row. The contratista's alone: a capturista gets
403, and every query is scoped to the signed-in contratista."""
from __future__ import annotations

import io

from flask import Blueprint, request
from flask_login import current_user

from .. import auditoria
from ..auth import auditar, contratista_required
from ..db import get_session
from ..formularios import rechazar, tiene_errores
from ..htmx import render, xlsx
from ..models import utcnow
from ..rechazo import Rechazo
from . import reglas
from .forms import FiltroForm

bp = Blueprint("bitacora", __name__, url_prefix="/bitacora")
POR_PAGINA = 25


def _filtro() -> tuple[FiltroForm, auditoria.Filtro | None]:
    """The form read from the query string, and its filter (None when a field was refused: errors on the form)."""
    form = FiltroForm(formdata=request.args)
    tipo = form.tipo.data or ""
    if tipo not in auditoria.TIPOS and tipo != "":
        form.tipo.errors = ["Selecciona un tipo de evento de la lista."]
    fechas = {}
    for campo in ("desde", "hasta"):
        try:
            fechas[campo] = reglas.fecha(form[campo].data, campo)
        except Rechazo as e:
            rechazar(form, e)
    if not tiene_errores(form):
        try:
            reglas.rango(fechas["desde"], fechas["hasta"])
        except Rechazo as e:
            rechazar(form, e)
    if tiene_errores(form):
        return form, None
    return form, auditoria.Filtro(tipo, fechas["desde"], fechas["hasta"])


def _parametros(form: FiltroForm) -> dict:
    """The filter as it goes into the paging and export links (empty fields left out)."""
    return {k: (form[k].data or "").strip() for k in ("tipo", "desde", "hasta") if (form[k].data or "").strip()}


def _contexto(form: FiltroForm, parametros: dict) -> dict:
    return dict(form=form, contratista=current_user.contratista, tipos=auditoria.TIPOS, parametros=parametros,
                momento=reglas.momento, usuario=reglas.usuario)


@bp.get("/")
@contratista_required
def index():
    """Bitácora: what happened in the contratista's portal, newest first, 25 a page."""
    form, filtro = _filtro()
    contexto = _contexto(form, _parametros(form) if filtro else {})
    if filtro is None:
        return render("bitacora/index.html", "bitacora", filas=[], pagina=1, paginas=1, total=0, **contexto)
    pagina = request.args.get("pagina", 1, type=int) or 1
    return render("bitacora/index.html", "bitacora", **contexto,
                  **auditoria.consulta(get_session(), current_user.contratista.id, filtro, pagina, POR_PAGINA))


@bp.get("/exportar")
@contratista_required
def exportar():
    """Exportar a Excel: every row that passes the filter, newest first, as an .xlsx (at most
    reglas.MAX_EXPORTACION: more is refused next to the dates)."""
    form, filtro = _filtro()
    contratista, db = current_user.contratista, get_session()
    if filtro is not None:
        try:
            reglas.exportable(auditoria.cuantas(db, contratista.id, filtro))
        except Rechazo as e:
            rechazar(form, e)
            filtro = None
    if filtro is None:
        return render("bitacora/index.html", "bitacora", filas=[], pagina=1, paginas=1, total=0,
                      **_contexto(form, {}))
    out = io.BytesIO()
    n = reglas.write_xlsx((reglas.FilaBitacora(momento=f.momento, tipo=auditoria.TIPOS.get(f.accion, f.accion),
                                               quien=f.quien, actor=f.actor, detalle=f.detalle,
                                               direccion=f.direccion)
                           for f in auditoria.filas(db, contratista.id, filtro)), out)
    nombre = reglas.filename(contratista.id, utcnow())
    auditar("exportacion", f"bitácora: {n} filas, {nombre}", aparte=True)
    return xlsx(out.getvalue(), nombre)
