"""Inicio: the contratista's board of deadlines (every period from last year's first cuatrimestre to the current
one, its filing's status and the business days left), where ingress lands once Datos generales are saved; and
*Exportar listado*, the contratista's presented filings as IMSS's Listado Público (.xlsx).

The board is the contratista's and, for the contratista they work for, its capturistas'; the Listado is the
contratista's own (a capturista gets 403). Everything is scoped to the signed-in contratista.
"""
from __future__ import annotations

import io

from flask import Blueprint
from flask_login import current_user

from .. import hora, informativas, listado, plazos, seguimiento
from ..auth import auditar, contratista_required, usuario_required
from ..db import get_session
from ..htmx import render, xlsx
from ..models import TIPOS_INFORMATIVA, utcnow

bp = Blueprint("inicio", __name__, url_prefix="/inicio")


@bp.get("/tablero")
@usuario_required
def tablero():
    """Inicio: each period's deadline, where its informativa stands, and the business days left."""
    contratista, hoy, db = current_user.contratista, hora.hoy(), get_session()
    por_firmar = [(r, plazos.Periodo(r.informativa.ejercicio, r.informativa.cuatrimestre))
                  for r in informativas.resumenes(db, contratista.id) if r.informativa.estatus == "por_firmar"]
    return render("inicio/tablero.html", filas=seguimiento.tablero(db, contratista.id, hoy), hoy=hoy,
                  contratista=contratista, por_firmar=por_firmar, tipos=TIPOS_INFORMATIVA)


@bp.get("/listado")
@contratista_required
def exportar_listado():
    """Exportar listado: every presented filing of the contratista, one row per contract, as an .xlsx."""
    contratista = current_user.contratista
    db = get_session()
    out = io.BytesIO()
    n = listado.write_xlsx(seguimiento.filas_listado(db, contratista), out)
    nombre = listado.filename(contratista.id, utcnow())
    auditar("exportacion", f"listado: {n} filas, {nombre}", aparte=True)
    return xlsx(out.getvalue(), nombre)
