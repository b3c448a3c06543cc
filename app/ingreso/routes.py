"""Ingreso: the landing page, e.firma validation, first entry (términos y condiciones) and sign-out."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import select

from .. import fiel, limiter, trust
from ..auth import Usuario
from ..db import get_session
from ..htmx import render, see_other, wants_fragment
from ..models import AceptacionTerminos, Contratista, utcnow
from ..uploads import limit_body
from .forms import CapturistaForm, EfirmaForm, TerminosForm

bp = Blueprint("ingreso", __name__)

# After Validar the server keeps only this signed proof, never the key or its password.
PROOF_SALT = "icsoe.efirma-validada"

# Failed validations: generous per client address (many employees may share one NAT address), strict per
# certificate and per RFC on wrong passwords, the only thing that can be guessed.
POR_IP = limiter.Regla(limit=50, window=timedelta(minutes=15))
POR_CREDENCIAL = limiter.Regla(limit=5, window=timedelta(minutes=15))

# Two files of about 2 KB and three short fields: far less than the app-wide limit, which is sized for a PDF.
MAX_EFIRMA_REQUEST = 256 * 1024


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=PROOF_SALT)


def _client() -> str:
    return f"ip:{request.remote_addr or 'desconocida'}"


def _too_many(claves: dict, form) -> str | None:
    wait = limiter.retry_after(get_session(), claves, utcnow())
    if wait is None:
        return None
    message = (f"Demasiados intentos fallidos. Espera {limiter.minutos(wait)} minuto(s) "
               "antes de volver a intentarlo.")
    form.form_errors.append(message)
    return str(int(wait.total_seconds()) + 1)


@bp.get("/")
def index():
    """The landing page: both ways in, e.firma for contratistas, CURP and password for capturistas."""
    if current_user.is_authenticated:
        return redirect(url_for("datos_generales.configuracion"))
    return render("ingreso/index.html", "capturista", form=CapturistaForm())


@bp.get("/ingreso/efirma")
def efirma():
    """The e.firma form (Firma digital - Validación FIEL)."""
    return render("ingreso/efirma.html", "efirma", form=EfirmaForm(), firma=None, archivos_perdidos=False)


@bp.post("/ingreso/efirma")
@limit_body(MAX_EFIRMA_REQUEST)
def validar():
    """Check an e.firma. Nothing of the private key or its password is kept."""
    form, firma, retry = EfirmaForm(), None, None
    if form.validate_on_submit():
        cer, key = form.cer.data.read(), form.key.data.read()
        credencial = {f"rfc:{form.rfc.data}": POR_CREDENCIAL, f"cer:{hashlib.sha256(cer).hexdigest()[:40]}": POR_CREDENCIAL}
        claves = {_client(): POR_IP, **credencial}
        retry = _too_many(claves, form)
        if retry is None:
            try:
                firma = fiel.verify(form.rfc.data, cer, key, form.password.data,
                                    trust=trust.store(get_session()), now=utcnow(),
                                    revocation=_revocation())
            except fiel.FielRechazada as e:
                form[e.field].errors.append(str(e))
                # Only a wrong password counts against the credential; every failure counts against the address.
                counted = claves if e.field == "password" else {_client(): POR_IP}
                limiter.record_failure(get_session(), counted, utcnow())
            else:
                limiter.forget(get_session(), list(credencial))
                session["efirma"] = _serializer().dumps({
                    "rfc": firma.rfc, "serial": firma.serial, "fingerprint": firma.fingerprint,
                    "nombre": firma.nombre, "persona": firma.persona,
                    "not_before": firma.not_before.isoformat(), "not_after": firma.not_after.isoformat(),
                })
        del cer, key
    status = 429 if retry else 422 if form.errors or form.form_errors else 200
    response = render("ingreso/efirma.html", "efirma", status, form=form, firma=firma,
                      archivos_perdidos=not wants_fragment())
    if retry:
        response.headers["Retry-After"] = retry
    return response


def _revocation():
    url = current_app.config.get("OCSP_URL")
    return fiel.OcspRevocation(url) if url else None


@bp.post("/ingreso/ingresar")
def ingresar():
    """Enter with the e.firma validated moments ago: creates the contratista on its first entry."""
    try:
        proof = _serializer().loads(session.get("efirma", ""), max_age=current_app.config["EFIRMA_PRUEBA_SEGUNDOS"])
    except (SignatureExpired, BadSignature):
        session.pop("efirma", None)
        flash("La validación de tu e.firma expiró o no se encontró. Valídala de nuevo para ingresar.", "error")
        return see_other(url_for("ingreso.efirma"))
    db = get_session()
    contratista = db.exec(select(Contratista).where(Contratista.rfc == proof["rfc"])).first()
    if contratista is None:
        contratista = Contratista(rfc=proof["rfc"])
    contratista.nombre = proof["nombre"]
    contratista.persona = proof["persona"]
    contratista.cert_serial = proof["serial"]
    contratista.cert_fingerprint = proof["fingerprint"]
    contratista.cert_not_before = datetime.fromisoformat(proof["not_before"])
    contratista.cert_not_after = datetime.fromisoformat(proof["not_after"])
    contratista.ultimo_ingreso = utcnow()
    db.add(contratista)
    db.commit()
    session.clear()  # a new session on sign-in: nothing from before it survives (session fixation)
    login_user(Usuario(contratista))
    if not Usuario(contratista).acepto_terminos:
        return see_other(url_for("ingreso.terminos"))
    return see_other(url_for("datos_generales.configuracion"))


@bp.route("/ingreso/terminos", methods=["GET", "POST"])
@login_required
def terminos():
    """Términos y condiciones, accepted on first entry and again whenever their version changes."""
    form = TerminosForm()
    if form.validate_on_submit():
        contratista, version, now = current_user.contratista, current_app.config["TERMINOS_VERSION"], utcnow()
        contratista.terminos_version, contratista.terminos_aceptados = version, now
        db = get_session()
        db.add(contratista)
        db.add(AceptacionTerminos(contratista_id=contratista.id, version=version, aceptado=now))
        db.commit()
        return see_other(url_for("datos_generales.configuracion"))
    status = 422 if form.errors else 200
    return render("ingreso/terminos.html", "terminos", status, form=form,
                  version=current_app.config["TERMINOS_VERSION"])


@bp.post("/ingreso/capturista")
def capturista():
    """Sign-in of a capturista with CURP and password (capturistas are created under Administración)."""
    form, retry = CapturistaForm(), None
    if form.validate_on_submit():
        claves = {_client(): POR_IP, f"curp:{form.curp.data}": POR_CREDENCIAL}
        retry = _too_many(claves, form)
        if retry is None:
            # No capturista exists yet: they are given access by a contratista under Administración.
            form.form_errors.append("La CURP o la contraseña no corresponden a un usuario capturista activo. "
                                    "El contratista debe darte de alta en Administración - Alta de usuarios.")
            limiter.record_failure(get_session(), claves, utcnow())
    status = 429 if retry else 422 if form.errors or form.form_errors else 200
    response = render("ingreso/index.html", "capturista", status, form=form)
    if retry:
        response.headers["Retry-After"] = retry
    return response


@bp.post("/salir")
def salir():
    """Cerrar sesión."""
    logout_user()
    session.clear()
    flash("Cerraste tu sesión.", "status")
    return see_other(url_for("ingreso.index"))
