"""Informativa: the contratista's and its capturistas' informativas cuatrimestrales (register, open, review, send to
be signed). A capturista of several contratistas works in the one it chose at sign-in.

Every URL holds an informativa id and answers 404 for one that is not the signed-in contratista's (or the one the
capturista works for). Contracts are in contratos.py, workers and files in trabajadores.py, on this blueprint.

A second submission of a form whose first one worked (a second click on a slow line, the browser showing the answer
to the second request; Back to a page the first one removed) lands where the first one landed, with a status
message, never an error page. What it takes depends on what the first one did:

- it changed a state (Enviar a firma): the state says it; the second request finds it and says so;
- it created something (Registrar informativa, Agregar trabajador): the form carries a `clave_repeticion` issued when
  the page was served; what the second request is refused for was created after that, with what this form asked;
- it deleted something (Quitar trabajador, Eliminar contrato, Descartar, a preview whose workers were added): the
  form or link carries a `clave_repeticion` naming what it acts on, so the second request can tell "this
  contratista's, and gone" from "never this contratista's", which stays a 404 and says nothing.

The key is signed with SECRET_KEY (itsdangerous, as app.comprobante) and names the signed-in contratista: every node
reads it, no state is kept anywhere, another company's key (or a key of another of the user's contratistas) is
ignored, and it lives as long as a session may (SESION_MAXIMA). It is not secret (it says what the page showed, to
the user it was shown to); in a link it names ids only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import inspect

from .. import hora, informativas, plazos, revision, servicios_repse
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


SAL_REPETICION = "icsoe.informativa.repeticion"
MAX_CLAVE_REPETICION = 4096  # ours: under 200 characters, or ~2,500 with a 300-character contratante


@dataclass(frozen=True)
class Repeticion:
    """A valid `clave_repeticion`: when its page was served, and what the page said of what it acts on."""

    emitida: datetime  # aware UTC, to the second (itsdangerous' timestamp)
    dato: Any


def _serializador() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SAL_REPETICION)


def clave_repeticion(*que: str | int, dato: Any = None) -> str:
    """The key a form or link carries (field or query `repeticion`, see the module's docstring): the signed-in
    contratista, `que` (the action and the ids it acts on) and `dato` (what the message of a repeat names: an NSS,
    a contratante's name), signed, with the time."""
    return _serializador().dumps([contratista_id(), list(que), dato])


def repeticion(*que: str | int) -> Repeticion | None:
    """The request's `repeticion` key when it is ours, unexpired, of the signed-in contratista and names exactly
    `que`; None otherwise (none posted, forged, another contratista's, another action or id)."""
    valor = request.values.get("repeticion", "")
    if not valor or len(valor) > MAX_CLAVE_REPETICION:
        return None
    try:
        carga, emitida = _serializador().loads(valor, max_age=current_app.config["SESION_MAXIMA"],
                                               return_timestamp=True)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not (isinstance(carga, list) and len(carga) == 3 and carga[0] == contratista_id() and carga[1] == list(que)):
        return None
    return Repeticion(emitida, carga[2])


@bp.context_processor
def _claves_repeticion() -> dict:
    return {"clave_repeticion": clave_repeticion}


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
    Normal or Sin información per period (a second click of the same form: the one the first registered)."""
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
                if (ya := _ya_registrada(int(ejercicio), int(form.cuatrimestre.data), form.tipo.data)) is not None:
                    return ya
                rechazar(form, e)
            else:
                flash(f"Se registró la informativa {TIPOS_INFORMATIVA[informativa.tipo]} de "
                      f"{periodo(informativa).nombre}.", "status")
                return see_other(url_for("informativa.ver", informativa_id=informativa.id))
    return _pagina(form)


def _ya_registrada(ejercicio: int, cuatrimestre: int, tipo: str):
    """A second Registrar of one form (a double click, a retry on a slow line): the period's informativa of that
    type registered since the form was served is the one the first click registered (or another tab's, which is
    what this one asked for too): its page, not "Ya registraste…". None when the form carries no key of its own, or
    the period's informativa was there before it (the refusal stands). The key's time is to the second: a page
    served within the second of the registration counts it as its own, and that page already lists it."""
    clave = repeticion("registrar")
    if clave is None:
        return None
    informativa = informativas.vigente(get_session(), contratista_id(), ejercicio, cuatrimestre)
    if informativa is None or informativa.tipo != tipo or informativa.creada < clave.emitida:
        return None
    flash(f"La informativa {TIPOS_INFORMATIVA[informativa.tipo]} de {periodo(informativa).nombre} ya se había "
          "registrado.", "status")
    return see_other(url_for("informativa.ver", informativa_id=informativa.id))


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
            "servicios": {s.id: s for s in servicios_repse.servicios(db, informativa.contratista_id)}}


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
    """Enviar a firma: refused while Revisar reports an error, or before the period has ended. Once sent, a second
    click (or another tab) lands on it with a status message."""
    informativa = propia(informativa_id)
    db = get_session()
    if not informativas.bloquear(db, informativa):  # from here to the commit no change of its contracts or workers
        return _ya_enviada(informativa)
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
        return _ya_enviada(informativa)
    flash("La informativa quedó lista para que el contratista la firme con su e.firma.", "status")
    current_app.logger.info("informativa %s enviada a firma por %s", informativa.id, current_user.actor)
    return see_other(url_for("informativa.ver", informativa_id=informativa.id))


def _ya_enviada(informativa: Informativa):
    return _ya_hecho(informativa, "por_firmar", "La informativa ya se había enviado a firma: está lista para que el "
                                                "contratista la firme con su e.firma.")


def _ya_hecho(informativa: Informativa, estatus: str, mensaje: str):
    """A change of status (Enviar a firma, Regresar a captura) that found the informativa elsewhere: when it already
    has the status asked for, what was asked is done (a second click, another tab): its page, saying so. Presented
    (or gone): the 409 of conflicto()."""
    db = get_session()
    (informativa_id,) = inspect(informativa).identity  # without loading it: the rollback expired it
    db.rollback()
    actual = informativas.propia(db, contratista_id(), informativa_id)
    if actual is None or actual.estatus != estatus:
        conflicto(informativa)
    flash(mensaje, "status")
    return see_other(url_for("informativa.ver", informativa_id=actual.id))


@bp.post("/<int:informativa_id>/regresar")
def regresar(informativa_id: int):
    """Regresar a captura: a Por firmar informativa can be changed again (a second click: its page, saying so)."""
    informativa = propia(informativa_id)
    if not informativas.cambiar_estatus(get_session(), informativa, "por_firmar", "en_captura"):
        return _ya_hecho(informativa, "en_captura", "La informativa ya había regresado a captura.")
    flash("La informativa regresó a captura.", "status")
    return see_other(url_for("informativa.ver", informativa_id=informativa.id))


from . import contratos as _contratos  # noqa: E402,F401  (their views register on this blueprint)
from . import complementarias as _complementarias  # noqa: E402,F401
from . import firma as _firma  # noqa: E402,F401
from . import trabajadores as _trabajadores  # noqa: E402,F401
