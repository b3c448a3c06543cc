"""Informativa: the contratista's and its capturistas' informativas cuatrimestrales (register, open, review, send to
be signed). A capturista of several contratistas works in the one it chose at sign-in.

Every URL holds an informativa id and answers 404 for one that is not the signed-in contratista's (or the one the
capturista works for). Contracts are in contratos.py, workers and files in trabajadores.py, on this blueprint.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from flask import Blueprint, abort, current_app, flash, url_for
from flask_login import current_user
from sqlalchemy import inspect

from .. import hora, informativas, plazos, revision
from ..auth import usuario_required
from ..db import get_session
from ..errors import Conflicto
from ..formularios import rechazar
from ..htmx import render, see_other
from ..models import ESTATUS_INFORMATIVA, TIPOS_INFORMATIVA, TIPOS_INICIALES, Informativa
from ..rechazo import Rechazo
from .forms import ComplementariaForm, RegistrarForm

bp = Blueprint("informativa", __name__, url_prefix="/informativas")

# The first period with informativas: the reform took effect on 24-04-2021, in the first cuatrimestre of 2021.
PRIMER_EJERCICIO = 2021


@bp.before_request
@usuario_required
def _firmado():
    """The contratista (terms accepted) or a capturista working for it; anyone else goes to sign in."""
    return None


def contratista_id() -> int:
    return current_user.contratista.id


def propia(informativa_id: int) -> Informativa:
    """The signed-in contratista's informativa, or 404."""
    informativa = informativas.propia(get_session(), contratista_id(), informativa_id)
    if informativa is None:
        abort(404)
    return informativa


def conflicto(informativa: Informativa) -> NoReturn:
    """409 for a change the informativa no longer admits, saying where it stands now (read again after the rollback,
    which expired what this request had read: another request moved it) and linking to it."""
    db = get_session()
    (informativa_id,) = inspect(informativa).identity  # without loading it: it may be expired and deleted
    db.rollback()
    actual = informativas.propia(db, contratista_id(), informativa_id)
    if actual is None:
        abort(409)  # gone meanwhile (a complementaria discarded in another tab): the generic 409 says so
    raise Conflicto(informativas.estado_actual(actual), url_for("informativa.ver", informativa_id=actual.id),
                    "Ver la informativa")


def en_captura(informativa: Informativa) -> None:
    """Contracts and workers change only while the informativa is in capture (409 otherwise): the early check,
    before a form is read; the change itself begins with bloquear()."""
    if informativa.estatus != "en_captura":
        conflicto(informativa)


def bloquear(informativa: Informativa) -> None:
    """Begin the change of the informativa's contracts or workers (informativas.bloquear: one at a time per
    informativa, all nodes); 409 when it left capture meanwhile. Read what the change depends on after this."""
    if not informativas.bloquear(get_session(), informativa):
        conflicto(informativa)


def periodo(informativa: Informativa) -> plazos.Periodo:
    return plazos.Periodo(informativa.ejercicio, informativa.cuatrimestre)


def _ejercicios() -> list[tuple[str, str]]:
    hoy = hora.hoy()
    return [(str(a), str(a)) for a in range(hoy.year + (1 if hoy.month >= 9 else 0), PRIMER_EJERCICIO - 1, -1)]


def _pagina(form: RegistrarForm | None = None):
    db, hoy = get_session(), hora.hoy()
    if form is None:
        actual = plazos.periodo_de(hoy)
        form = RegistrarForm(formdata=None, data={"ejercicio": str(actual.ejercicio),
                                                  "cuatrimestre": str(actual.cuatrimestre), "tipo": "normal"})
    form.ejercicio.choices = _ejercicios()
    filas = []
    for r in informativas.resumenes(db, contratista_id()):
        p = periodo(r.informativa)
        limite = plazos.fecha_limite(p)
        filas.append({"resumen": r, "periodo": p, "limite": limite,
                      # Business days left, today included (on the deadline itself: 1).
                      "dias": plazos.dias_habiles_entre(hoy, limite) + (1 if plazos.es_habil(hoy) else 0)
                      if hoy <= limite else None})
    return render("informativa/index.html", form=form, filas=filas, contratista=current_user.contratista,
                  tipos=TIPOS_INFORMATIVA, estatus=ESTATUS_INFORMATIVA, hoy=hoy)


@bp.route("/", methods=["GET", "POST"])
def index():
    """Informativa: the list (period, type, status, contracts, workers, deadline); POST: Registrar informativa, one
    Normal or Sin información per period."""
    from flask import request

    if request.method == "GET":
        return _pagina()
    form = RegistrarForm()
    form.ejercicio.choices = _ejercicios()
    if form.validate_on_submit():
        ejercicio = form.ejercicio.data or ""
        if ejercicio not in {v for v, _ in form.ejercicio.choices}:
            form.ejercicio.errors = ["Selecciona el ejercicio."]
        if form.cuatrimestre.data not in ("1", "2", "3"):
            form.cuatrimestre.errors = ["Selecciona el cuatrimestre."]
        if form.tipo.data not in TIPOS_INICIALES:
            form.tipo.errors = ["Selecciona el tipo de informativa."]
        if not any(f.errors for f in form):
            try:
                informativa = informativas.registrar(get_session(), contratista_id(), int(ejercicio),
                                                     int(form.cuatrimestre.data), form.tipo.data)
            except Rechazo as e:
                rechazar(form, e)
            else:
                flash(f"Se registró la informativa {TIPOS_INFORMATIVA[informativa.tipo]} de "
                      f"{periodo(informativa).nombre}.", "status")
                return see_other(url_for("informativa.ver", informativa_id=informativa.id))
    return _pagina(form)


def contexto_base(informativa: Informativa) -> dict:
    """What every page of an informativa shows of it (its period, deadline, type, status), without a query."""
    hoy = hora.hoy()
    p = periodo(informativa)
    return {"informativa": informativa, "periodo": p, "limite": plazos.fecha_limite(p), "hoy": hoy,
            "terminado": plazos.terminado(p, hoy), "tipos": TIPOS_INFORMATIVA, "estatus": ESTATUS_INFORMATIVA,
            "contratista": current_user.contratista, "descartable": informativas.descartable(informativa)}


def contexto_informativa(informativa: Informativa) -> dict:
    """contexto_base and the contracts, their worker counts and the services: the informativa's page and Revisar."""
    db = get_session()
    return {**contexto_base(informativa), "contratos": informativas.contratos(db, informativa),
            "conteos": informativas.trabajadores_por_contrato(db, informativa),
            "servicios": {s.id: s for s in informativas.servicios(db, informativa.contratista_id)}}


def _revisar(informativa: Informativa, contexto: dict) -> list[revision.Problema]:
    return informativas.problemas_revision(get_session(), informativa, current_user.contratista.rfc,
                                           contexto["hoy"], contratos_=contexto["contratos"],
                                           servicios_=contexto["servicios"])


def contexto_ver(informativa: Informativa, complementaria: ComplementariaForm | None = None) -> dict:
    """The informativa's page: contexto_informativa, and where it stands among the period's filings (what it
    complements, what replaced or cancelled it, the complementarias left)."""
    db = get_session()
    usadas = informativas.complementarias_usadas(db, informativa.contratista_id, informativa.ejercicio,
                                                 informativa.cuatrimestre)
    complementable = informativa.estatus == "presentada" and informativa.vigente is True
    return {**contexto_informativa(informativa),
            "complementa": informativas.propia(db, informativa.contratista_id, informativa.complementa_id)
            if informativa.complementa_id else None,
            "complementada_por": [c for c in informativas.complementada_por(db, informativa)
                                  if c.estatus == "presentada"],
            "restantes": max(0, informativas.MAX_COMPLEMENTARIAS - usadas),
            "en_curso": informativas.en_curso(db, informativa.contratista_id, informativa.ejercicio,
                                              informativa.cuatrimestre) if complementable else None,
            "maximo": informativas.MAX_COMPLEMENTARIAS,
            "complementaria": (complementaria or ComplementariaForm(formdata=None, data={"tipo": "correccion"}))
            if complementable else None}


@bp.get("/<int:informativa_id>")
def ver(informativa_id: int):
    """One informativa: its period, deadline and status, its contracts (Normal, Corrección), its place among the
    period's filings and what can be done next."""
    informativa = propia(informativa_id)
    return render("informativa/ver.html", **contexto_ver(informativa))


@dataclass(frozen=True)
class Problema:
    """A problem of Revisar with the link to where it is fixed."""

    nivel: str
    mensaje: str
    enlace: str


def _enlace(informativa: Informativa, p: revision.Problema) -> str:
    if p.contrato_id is None:
        return url_for("informativa.ver", informativa_id=informativa.id)
    if p.campo == "trabajadores":
        return url_for("informativa.trabajadores", informativa_id=informativa.id, contrato_id=p.contrato_id)
    return url_for("informativa.contrato", informativa_id=informativa.id, clave=p.contrato_id) + \
        (f"#{p.campo if p.campo != 'rfc' else 'rfc_contratante'}" if p.campo else "")


def problemas(informativa: Informativa, contexto: dict | None = None) -> list[Problema]:
    """What Revisar reports: every inconsistency IMSS would publish, and warnings, each with its link."""
    lista = _revisar(informativa, contexto or contexto_informativa(informativa))
    return [Problema(p.nivel, p.mensaje, _enlace(informativa, p)) for p in lista]


@bp.get("/<int:informativa_id>/revision")
def revisar(informativa_id: int):
    """Revisar: every problem, each a link to where it is fixed; errors block Enviar a firma, warnings do not."""
    informativa = propia(informativa_id)
    contexto = contexto_informativa(informativa)
    lista = problemas(informativa, contexto)
    return render("informativa/revision.html", problemas=lista,
                  errores=[p for p in lista if p.nivel == "error"], **contexto)


@bp.post("/<int:informativa_id>/enviar")
def enviar(informativa_id: int):
    """Enviar a firma: refused while Revisar reports an error, or before the period has ended."""
    informativa = propia(informativa_id)
    bloquear(informativa)  # from here to the commit no change of its contracts or workers runs
    db = get_session()
    informativas.bloquear_servicios(db, informativa)
    db.refresh(informativa)
    contexto = contexto_informativa(informativa)
    lista = problemas(informativa, contexto)
    errores = [p for p in lista if p.nivel == "error"]
    if errores:
        # The page of what was checked, rendered before the rollback (which would expire what it shows).
        respuesta = render("informativa/revision.html", status=422, problemas=lista, errores=errores,
                           otros_errores=errores, rechazada=True, **contexto)  # otros_errores: "Error:" title
        db.rollback()
        return respuesta
    if not informativas.cambiar_estatus(db, informativa, "en_captura", "por_firmar"):
        conflicto(informativa)
    flash("La informativa quedó lista para que el contratista la firme con su e.firma.", "status")
    current_app.logger.info("informativa %s enviada a firma por %s", informativa.id, current_user.actor)
    return see_other(url_for("informativa.ver", informativa_id=informativa.id))


@bp.post("/<int:informativa_id>/regresar")
def regresar(informativa_id: int):
    """Regresar a captura: a Por firmar informativa can be changed again."""
    informativa = propia(informativa_id)
    if not informativas.cambiar_estatus(get_session(), informativa, "por_firmar", "en_captura"):
        conflicto(informativa)
    flash("La informativa regresó a captura.", "status")
    return see_other(url_for("informativa.ver", informativa_id=informativa.id))


from . import contratos as _contratos  # noqa: E402,F401  (their views register on this blueprint)
from . import complementarias as _complementarias  # noqa: E402,F401
from . import firma as _firma  # noqa: E402,F401
from . import trabajadores as _trabajadores  # noqa: E402,F401
