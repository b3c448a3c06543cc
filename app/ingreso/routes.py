"""Ingreso: the landing page, e.firma validation, first entry (términos y condiciones) and sign-out."""
from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlmodel import select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import capturistas, contrasena, fiel, limiter, trust
from ..administracion import invitaciones
from ..auth import Usuario, usuario_required
from ..db import get_session
from ..htmx import render, see_other, wants_fragment
from ..models import AceptacionTerminos, Contratista, DatosGenerales, Persona, utcnow
from ..uploads import limit_body
from . import prueba
from .forms import CapturistaForm, ContrasenaForm, EfirmaForm, RestablecerForm, TerminosForm

bp = Blueprint("ingreso", __name__)

# Failed validations: generous per client address (many employees may share one NAT address), strict per
# certificate and per RFC on wrong passwords, the only thing that can be guessed.
POR_IP = limiter.Regla(limit=50, window=timedelta(minutes=15))
POR_CREDENCIAL = limiter.Regla(limit=5, window=timedelta(minutes=15))

# Two files of about 2 KB and three short fields: far less than the app-wide limit, which is sized for a PDF.
MAX_EFIRMA_REQUEST = 256 * 1024


def _client() -> str:
    return f"ip:{request.remote_addr or 'desconocida'}"


def _too_many(claves: dict[str, limiter.Regla], form: FlaskForm) -> int | None:
    """Seconds to wait when a key is over its limit (the message goes on the form), else None."""
    wait = limiter.retry_after(get_session(), claves, utcnow())
    if wait is None:
        return None
    form.form_errors.append(f"Demasiados intentos fallidos. Espera {limiter.minutos(wait)} minuto(s) "
                            "antes de volver a intentarlo.")
    return int(wait.total_seconds()) + 1


def _form_response(template: str, block: str, form: FlaskForm, retry: int | None, **context) -> Response:
    """200, 422 for a form that did not validate, or 429 with Retry-After when the limiter said wait."""
    status = 429 if retry else 422 if form.errors or form.form_errors else 200
    response = render(template, block, status, form=form, **context)
    if retry:
        response.headers["Retry-After"] = str(retry)
    return response


@bp.get("/")
def index():
    """The landing page: both ways in, e.firma for contratistas, CURP and password for capturistas."""
    if current_user.is_authenticated:
        if not current_user.es_contratista:
            return redirect(url_for("ingreso.inicio"))
        return redirect(_inicio(current_user.contratista))
    return render("ingreso/index.html", "capturista", form=CapturistaForm())


@bp.get("/ingreso/efirma")
def efirma():
    """The e.firma form (Firma digital - Validación FIEL)."""
    return _form_response("ingreso/efirma.html", "efirma", EfirmaForm(), None, firma=None, archivos_perdidos=False)


@bp.post("/ingreso/efirma")
@limit_body(MAX_EFIRMA_REQUEST)
def validar():
    """Check an e.firma. Nothing of the private key or its password is kept."""
    form, firma, retry = EfirmaForm(), None, None
    if form.validate_on_submit():
        cer, key = form.cer.data.read(), form.key.data.read()
        credencial = {f"rfc:{form.rfc.data}": POR_CREDENCIAL,
                      f"cer:{hashlib.sha256(cer).hexdigest()[:40]}": POR_CREDENCIAL}
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
                session["efirma"] = prueba.emitir(current_app.config["SECRET_KEY"], firma)
    return _form_response("ingreso/efirma.html", "efirma", form, retry, firma=firma,
                          archivos_perdidos=not wants_fragment())


def _revocation():
    url = current_app.config.get("OCSP_URL")
    return fiel.OcspRevocation(url) if url else None


@bp.post("/ingreso/ingresar")
def ingresar():
    """Enter with the e.firma validated moments ago: creates the contratista on its first entry."""
    config = current_app.config
    proof = prueba.leer(config["SECRET_KEY"], session.pop("efirma", ""), config["EFIRMA_PRUEBA_SEGUNDOS"])
    if proof is None:
        flash("La validación de tu e.firma expiró o no se encontró. Valídala de nuevo para ingresar.", "error")
        return see_other(url_for("ingreso.efirma"))
    db = get_session()
    contratista = db.exec(select(Contratista).where(Contratista.rfc == proof.rfc)).first() or Contratista(rfc=proof.rfc)
    # The latest certificate is the one on file (a renewed e.firma updates serial, dates and name).
    contratista.nombre, contratista.persona = proof.nombre, proof.persona
    contratista.cert_serial, contratista.cert_fingerprint = proof.serial, proof.fingerprint
    contratista.cert_not_before, contratista.cert_not_after = proof.not_before, proof.not_after
    contratista.ultimo_ingreso = utcnow()
    db.add(contratista)
    db.commit()
    session.clear()  # a new session on sign-in: nothing from before it survives (session fixation)
    login_user(Usuario(contratista))
    if not Usuario(contratista).acepto_terminos:
        return see_other(url_for("ingreso.terminos"))
    return see_other(_inicio(contratista))


def _inicio(contratista: Contratista) -> str:
    """Where a signed-in contratista starts: the "Configuración" notice until its datos generales are saved."""
    if get_session().get(DatosGenerales, contratista.id) is None:
        return url_for("datos_generales.configuracion")
    return url_for("datos_generales.index")


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
        return see_other(_inicio(contratista))
    status = 422 if form.errors else 200
    return render("ingreso/terminos.html", "terminos", status, form=form,
                  version=current_app.config["TERMINOS_VERSION"])


@bp.post("/ingreso/capturista")
def capturista():
    """Sign-in of a capturista with CURP and password; one with several contratistas chooses one next."""
    form, retry = CapturistaForm(), None
    if form.validate_on_submit():
        claves = {_client(): POR_IP, f"curp:{form.curp.data}": POR_CREDENCIAL}
        retry = _too_many(claves, form)
        if retry is None:
            db = get_session()
            persona = capturistas.persona_por_curp(db, form.curp.data)
            ok = persona is not None and persona.password_hash and \
                check_password_hash(persona.password_hash, form.password.data)
            roles = capturistas.roles_activos(get_session(), persona) if ok else []
            if not ok:
                # Five wrong passwords for one CURP lock it for 15 minutes (POR_CREDENCIAL).
                form.form_errors.append("La CURP o la contraseña son incorrectas. Si aún no tienes usuario, el "
                                        "contratista debe darte de alta en Administración - Alta de usuarios.")
                limiter.record_failure(db, claves, utcnow())
            elif not roles:
                form.form_errors.append("Tu acceso como capturista fue dado de baja. Pide al contratista que lo "
                                        "reactive.")
            else:
                limiter.forget(db, [f"curp:{form.curp.data}"])
                if len(roles) == 1:
                    return _entrar_como(persona, roles[0])
                session.clear()
                session["elegir"] = persona.id
                return see_other(url_for("ingreso.elegir"))
    return _form_response("ingreso/index.html", "capturista", form, retry)


def _entrar_como(persona, rol):
    contratista = get_session().get(Contratista, rol.contratista_id)
    session.clear()
    login_user(Usuario(contratista, rol, persona))
    return see_other(url_for("ingreso.inicio"))


@bp.route("/ingreso/elegir", methods=["GET", "POST"])
def elegir():
    """A capturista of several contratistas chooses for which one to work."""
    persona = get_session().get(Persona, session.get("elegir") or 0)
    if persona is None:
        return see_other(url_for("ingreso.index"))
    roles = capturistas.roles_activos(get_session(), persona)
    contratistas = {r.id: get_session().get(Contratista, r.contratista_id) for r in roles}
    error = None
    if request.method == "POST":
        elegido = request.form.get("capturista", type=int)
        rol = next((r for r in roles if r.id == elegido), None)
        if rol is not None:
            return _entrar_como(persona, rol)
        error = "Selecciona el contratista para el que vas a trabajar."
    return render_template("ingreso/elegir.html", roles=roles, contratistas=contratistas, error=error), \
        422 if error else 200


@bp.get("/inicio")
@usuario_required
def inicio():
    """A capturista's start page: for whom it works and with which role."""
    if current_user.es_contratista:
        return redirect(_inicio(current_user.contratista))
    return render_template("ingreso/inicio.html", contratista=current_user.contratista)


def _definir_contrasena(token: str, proposito: str):
    """The form to set a password from a one-time link (activation or reset); 410 for a dead link."""
    persona = invitaciones.leer(token, proposito)
    if persona is None:
        return render_template("ingreso/enlace_invalido.html"), 410
    form = ContrasenaForm()
    if form.validate_on_submit():
        try:
            contrasena.validar(form.contrasena.data, form.confirmacion.data,
                               datos_personales=[persona.curp, persona.nombres, persona.primer_apellido,
                                                 persona.segundo_apellido])
        except contrasena.ContrasenaInvalida as e:
            field = form.confirmacion if "coinciden" in str(e) else form.contrasena
            field.errors = [str(e)]
        else:
            db = get_session()
            capturistas.activar(db, persona, generate_password_hash(form.contrasena.data), utcnow())
            db.commit()
            flash("Tu contraseña quedó registrada. Ya puedes ingresar con tu CURP y tu contraseña.", "status")
            return see_other(url_for("ingreso.index"))
    status = 422 if any(f.errors for f in form) else 200
    return render_template("ingreso/contrasena.html", form=form, persona=persona, proposito=proposito), status


@bp.route("/ingreso/activar/<token>", methods=["GET", "POST"])
def activar(token: str):
    """The invitation link: the capturista sets its password (48 h, one use)."""
    return _definir_contrasena(token, "activar")


@bp.route("/ingreso/restablecer", methods=["GET", "POST"])
def restablecer():
    """¿Olvidaste tu contraseña? The reset link goes to the capturista's e-mail; the answer never tells whether
    the CURP has an account."""
    form = RestablecerForm()
    if form.validate_on_submit():
        db = get_session()
        persona = capturistas.persona_por_curp(db, form.curp.data)
        if persona is not None and persona.password_hash:
            correos = {r.correo for r in capturistas.roles_activos(db, persona)}
            if correos:
                invitaciones.restablecer(persona, correos)
        flash("Si la CURP tiene un usuario activo, enviamos a su correo electrónico un enlace para definir una "
              "nueva contraseña.", "status")
        return see_other(url_for("ingreso.index"))
    status = 422 if form.errors else 200
    return render("ingreso/restablecer.html", "restablecer", status, form=form)


@bp.route("/ingreso/restablecer/<token>", methods=["GET", "POST"])
def restablecer_con_enlace(token: str):
    """The reset link: a new password (2 h, one use)."""
    return _definir_contrasena(token, "restablecer")


@bp.post("/salir")
def salir():
    """Cerrar sesión."""
    logout_user()
    session.clear()
    flash("Cerraste tu sesión.", "status")
    return see_other(url_for("ingreso.index"))
