"""Ingreso: the landing page, e.firma validation, first entry (términos y condiciones), the capturista's account
(sign-in, choosing a contratista, invitations, activation and reset links) and sign-out."""
from __future__ import annotations

import time
from datetime import timedelta

from flask import (Blueprint, abort, copy_current_request_context, current_app, flash, redirect, request,
                   session, url_for)
from flask_login import current_user
from werkzeug.security import check_password_hash, generate_password_hash

from .. import capturistas, comprobante, contrasena, contratistas, efirma_web, enlaces, limiter, navegador, trust
from ..formularios import rechazar
from ..auth import Usuario, auditar, cuenta_required, entrar, salir as terminar_sesion, usuario_required
from ..db import get_session
from ..htmx import render, render_fijo, see_other, wants_fragment
from ..models import Capturista, Contratista, Persona, utcnow
from ..uploads import limit_body
from .forms import CapturistaForm, ContrasenaForm, EfirmaForm, ElegirForm, RestablecerForm, TerminosForm

bp = Blueprint("ingreso", __name__)

# The capturista's sign-in is throttled as the e.firma is (app.efirma_web): per address, per (CURP, address),
# and per CURP as a delay only; from a browser the CURP signed in from, by that browser instead of the address.
POR_CREDENCIAL_Y_DIRECCION = efirma_web.POR_CREDENCIAL_Y_DIRECCION
POR_CREDENCIAL = efirma_web.POR_CREDENCIAL

# A capturista sign-in checks a password hash even when the CURP has no account, so that both answers take the same
# time (150 ms of scrypt against 15 ms told a stranger which CURPs have an account). Computed once per process.
_HASH_DE_RELLENO = generate_password_hash("icsoe: no account has this password")

MSG_CAPTURISTA = ("La CURP o la contraseña son incorrectas. Si aún no tienes usuario, el contratista debe darte "
                  "de alta en Administración - Alta de usuarios.")


_direccion, _por_direccion, _demasiados = efirma_web.direccion, efirma_web.por_direccion, efirma_web.demasiados
_form_response = efirma_web.form_response


@bp.get("/")
def index():
    """The landing page: both ways in, e.firma for contratistas, CURP and password for capturistas."""
    if current_user.is_authenticated:
        if current_user.es_contratista:
            return redirect(_inicio(current_user.contratista))
        return redirect(url_for("ingreso.inicio" if current_user.es_capturista else "ingreso.elegir"))
    return render_fijo("ingreso/index.html", "capturista", lambda: {"form": CapturistaForm()})


@bp.get("/ingreso/efirma")
def efirma():
    """The e.firma form (Firma digital - Validación FIEL)."""
    return _form_response("ingreso/efirma.html", "efirma", EfirmaForm(), None, firma=None, archivos_perdidos=False)


@bp.post("/ingreso/efirma")
@limit_body(efirma_web.MAX_EFIRMA_REQUEST)
def validar():
    """Check an e.firma (efirma_web.verificar: throttled, nothing of the private key or its password is kept); a
    signed proof of it goes into the session for Ingresar."""
    form, firma, retry = EfirmaForm(), None, None
    if form.validate_on_submit():
        firma, retry = efirma_web.verificar(form, form.rfc.data)
        if firma is not None:
            session["efirma"] = comprobante.emitir(current_app.config["SECRET_KEY"], firma)
            efirma_web.recordar_navegador(efirma_web.COOKIE_EFIRMA, efirma_web.credencial_cer(firma.fingerprint))
    return _form_response("ingreso/efirma.html", "efirma", form, retry, firma=firma,
                          archivos_perdidos=not wants_fragment())


@bp.post("/ingreso/ingresar")
def ingresar():
    """Enter with the e.firma validated moments ago (once): creates the contratista on its first entry."""
    config, db, now = current_app.config, get_session(), utcnow()
    vigencia = config["EFIRMA_PRUEBA_SEGUNDOS"]
    proof = comprobante.leer(config["SECRET_KEY"], session.pop("efirma", ""), vigencia)
    # Each refusal is a Bitácora row, as Validar's are (ingreso rechazado, with its reason), for the contratista of
    # the proof's RFC when the portal knows it: an operator review found these two left none.
    if proof is not None and not trust.confia(db, proof.emisor):  # withdrawn since Validar (icsoe trust remove)
        efirma_web.auditar_intento("ingreso_rechazado", proof.rfc, [efirma_web.contratista_de(proof.rfc)],
                                   "Ingresar: la autoridad certificadora de la e.firma ya no es de confianza")
        flash("La autoridad certificadora que emitió tu e.firma ya no es de confianza en este portal.", "error")
        return see_other(url_for("ingreso.efirma"))
    if proof is None or not contratistas.usar_comprobante(db, proof, timedelta(seconds=vigencia), now):
        efirma_web.auditar_intento("ingreso_rechazado", proof.rfc if proof else "",
                                   [efirma_web.contratista_de(proof.rfc) if proof else None],
                                   "Ingresar: la validación de la e.firma expiró, ya se usó o no se encontró")
        flash("La validación de tu e.firma expiró, ya se usó o no se encontró. Valídala de nuevo para ingresar.",
              "error")
        return see_other(url_for("ingreso.efirma"))
    contratista = contratistas.registrar_ingreso(
        db, proof, now, lambda c: auditar("ingreso", f"e.firma, certificado {proof.serial}", contratista_id=c.id,
                                          quien=c.rfc, actor=f"contratista:{c.id}"))
    usuario = Usuario(contratista)
    entrar(usuario)
    if not usuario.acepto_terminos:
        return see_other(url_for("ingreso.terminos"))
    return see_other(_inicio(contratista))


def _inicio(contratista: Contratista) -> str:
    """Where a signed-in contratista starts: the "Configuración" notice until its datos generales are saved, then
    Inicio's board of deadlines."""
    if not contratistas.datos_generales_guardados(get_session(), contratista.id):
        return url_for("datos_generales.configuracion")
    return url_for("inicio.tablero")


@bp.route("/ingreso/terminos", methods=["GET", "POST"])
def terminos():
    """Términos y condiciones, accepted on first entry and again whenever their version changes. Only the
    contratista accepts its own terms: a capturista gets 403."""
    if not current_user.is_authenticated:
        return see_other(url_for("ingreso.index"))
    if not current_user.es_contratista:
        abort(403)
    form = TerminosForm()
    if form.validate_on_submit():
        contratista, version, db = current_user.contratista, current_app.config["TERMINOS_VERSION"], get_session()
        if contratistas.aceptar_terminos(db, contratista, version, utcnow()):  # not twice: a double click, Back
            auditar("terminos", f"versión {version}")
        db.commit()
        db.refresh(contratista)
        return see_other(_inicio(contratista))
    return render("ingreso/terminos.html", "terminos", form=form, version=current_app.config["TERMINOS_VERSION"])


@bp.post("/ingreso/capturista")
def capturista():
    """Sign-in of a capturista with CURP and password: enters the account whose password matches."""
    form, retry = CapturistaForm(), None
    if form.validate_on_submit():
        cuenta, retry = _verificar_capturista(form)
        if cuenta is not None:
            efirma_web.recordar_navegador(efirma_web.COOKIE_CURP, _credencial_cuenta(cuenta))
            entrar(Usuario(cuenta=cuenta))
            # The account's own sign-in concerns no contratista yet (kept, shown to none): each contratista
            # sees the entry into its portal, when the account chooses it (_entrar_como).
            auditar("ingreso", "CURP y contraseña", contratista_id=None, quien=form.curp.data,
                    actor=f"cuenta:{cuenta.id}", aparte=True)
            return see_other(url_for("ingreso.elegir"))
    return _form_response("ingreso/index.html", "capturista", form, retry)


def _credencial_cuenta(cuenta: Persona) -> str:
    """What a browser's cookie remembers of a capturista's sign-in: the account, not its CURP. A CURP may have
    several accounts, and any contratista can make one with a mailbox it controls: a cookie earned with that one
    must not move guesses at the owner's account off the address."""
    return f"cuenta:{cuenta.id}"


def _verificar_capturista(form: CapturistaForm) -> tuple[Persona | None, int | None]:
    """The account whose password this is, or None with the reasons on the form (and the seconds for Retry-After
    when the limiter refused).

    Counted as the e.firma is (app.efirma_web): per address, per (CURP, address), per CURP as a delay only. From a
    browser in which an account of this CURP signed in (app.navegador), per browser instead of per address: if the
    password turns out to be that account's, no stranger's failures at the address stood in the way. If it is
    another account's, or none's, the attempt is counted by address too, as from any browser, and an address that
    has had too many refuses it, right password or not."""
    db, now, curp, password = get_session(), utcnow(), form.curp.data, form.password.data
    cuentas = capturistas.cuentas_para_ingreso(db, curp)
    nav = efirma_web.navegador_de(efirma_web.COOKIE_CURP)
    propias = {c.id for c in cuentas if navegador.conoce(current_app.config["SECRET_KEY"], nav, _credencial_cuenta(c))}
    desde = _direccion()
    curp_y_direccion = f"curp:{curp}@{desde}"
    por_direccion = {f"curp-ip:{desde}": _por_direccion(), **efirma_web.por_direccion_de(f"curp:{curp}", desde)}
    curp_y_navegador = f"cuenta-nav:{curp}@{nav.id}" if propias else ""
    en_navegador = {f"curp-nav:{nav.id}": _por_direccion(),
                    curp_y_navegador: POR_CREDENCIAL_Y_DIRECCION} if propias else {}

    def rechazado(motivo: str, intento: limiter.Intento | None = None) -> None:
        efirma_web.auditar_intento("ingreso_rechazado", curp, capturistas.contratistas_de_rechazo(db, curp, propias),
                                   f"CURP y contraseña: {motivo}", intento, contrasena=bool(cuentas))

    intento = limiter.intentar(db, (en_navegador or por_direccion) | {f"curp:{curp}": POR_CREDENCIAL}, now)
    if intento.rechazado:
        rechazado("Demasiados intentos fallidos", intento)
        return None, _demasiados(form, intento.espera)
    time.sleep(intento.retraso)
    cuenta = _cuenta_con_contrasena(cuentas, password)
    intentos = [intento]
    if en_navegador and (cuenta is None or cuenta.id not in propias):
        intentos.append(por_ip := limiter.intentar(db, por_direccion, now))
        if por_ip.rechazado:
            rechazado("Demasiados intentos fallidos", por_ip)
            return None, _demasiados(form, por_ip.espera)
    if cuenta is None:
        form.form_errors.append(MSG_CAPTURISTA)
        rechazado("la CURP o la contraseña son incorrectas")
        return None, None
    # A success proves one account's password, not the CURP's: the failures of (CURP, place) may be guesses at
    # another account of the CURP (a contratista can make one with its own mailbox, and enter it to forget its
    # guesses at the owner's). They are forgotten only when the CURP has no other account.
    olvidar = [curp_y_navegador if cuenta.id in propias else curp_y_direccion] if len(cuentas) == 1 else []
    limiter.acierto(db, *intentos, olvidar=olvidar)
    return cuenta, None


# A CURP may have an account per mailbox, and any contratista can make a second one (inviting a mailbox it controls):
# every sign-in checks at least this many hashes, so the time tells neither whether a CURP has an account nor
# whether it has a second one.
HASHES_POR_INGRESO = 2


def _cuenta_con_contrasena(cuentas: list[Persona], password: str) -> Persona | None:
    """The account among a CURP's `cuentas` whose password this is, or None. Every account's hash is checked, and
    stand-in hashes make up HASHES_POR_INGRESO, so the time does not tell which CURPs have accounts or which one
    matched."""
    encontrada = None
    for cuenta in cuentas:
        if check_password_hash(cuenta.password_hash, password) and encontrada is None:
            encontrada = cuenta
    for _ in range(HASHES_POR_INGRESO - len(cuentas)):
        check_password_hash(_HASH_DE_RELLENO, password)
    return encontrada


@bp.route("/ingreso/elegir", methods=["GET", "POST"])
@cuenta_required
def elegir():
    """The account's start: its invitations to accept or decline, and the contratista to work for (with a single
    active role and nothing to answer, it goes straight in)."""
    db, cuenta = get_session(), current_user.cuenta
    roles = capturistas.roles_activos(db, cuenta)
    invitaciones = capturistas.invitaciones_pendientes(db, cuenta)
    form = ElegirForm()
    form.capturista.choices = [(r.id, _nombre_contratista(r)) for r in roles]
    if request.method == "GET" and len(roles) == 1:
        form.capturista.data = roles[0].id
    if form.validate_on_submit():
        return _entrar_como(cuenta, next(r for r in roles if r.id == form.capturista.data))
    if request.method == "GET" and len(roles) == 1 and not invitaciones and not current_user.es_capturista \
            and not request.args.get("cambiar"):
        return _entrar_como(cuenta, roles[0])
    return render("ingreso/elegir.html", form=form, roles=roles, invitaciones=invitaciones)


def _nombre_contratista(rol: Capturista) -> str:
    contratista = get_session().get(Contratista, rol.contratista_id)
    return f"{contratista.nombre} (RFC {contratista.rfc})"


def _entrar_como(cuenta, rol: Capturista):
    # Same person, same sign-in: the session's clock goes on (choosing again must not extend SESION_MAXIMA).
    entrar(Usuario(get_session().get(Contratista, rol.contratista_id), rol, cuenta), inicio=session.get("inicio"))
    auditar("ingreso", f"capturista {rol.id} {rol.nombre_completo}, con CURP y contraseña", aparte=True)
    return see_other(url_for("ingreso.inicio"))


@bp.post("/ingreso/cambiar")
@cuenta_required
def cambiar():
    """Cambiar de contratista: back to the account, to choose again."""
    entrar(Usuario(cuenta=current_user.cuenta), inicio=session.get("inicio"))
    return see_other(url_for("ingreso.elegir", cambiar=1))


@bp.post("/ingreso/invitaciones/<int:capturista_id>/aceptar")
@cuenta_required
def aceptar_invitacion(capturista_id: int):
    """Aceptar invitación: a pending role of the signed-in account becomes active (any other id: 404)."""
    return _responder(capturista_id, acepta=True)


@bp.post("/ingreso/invitaciones/<int:capturista_id>/rechazar")
@cuenta_required
def rechazar_invitacion(capturista_id: int):
    """Rechazar invitación: the contratista sees it declined and may invite again."""
    return _responder(capturista_id, acepta=False)


def _responder(capturista_id: int, acepta: bool):
    db = get_session()
    rol = capturistas.responder_invitacion(db, current_user.cuenta, capturista_id, acepta, utcnow())
    if rol is None:
        abort(404)
    # In the inviting contratista's Bitácora, under its own role of this person: she may be signed in working for
    # another contratista, whose role id means nothing (or someone else) there.
    auditar("invitacion_respondida", f"capturista {rol.id}: {'aceptada' if acepta else 'rechazada'}",
            contratista_id=rol.contratista_id, actor=f"capturista:{rol.id}")
    db.commit()
    contratista = db.get(Contratista, rol.contratista_id)
    flash(f"{'Aceptaste' if acepta else 'Rechazaste'} la invitación de {contratista.nombre}.", "status")
    return see_other(url_for("ingreso.elegir", cambiar=1))


@bp.get("/inicio")
@usuario_required
def inicio():
    """A capturista's start page: for whom it works, its other invitations, and a way to change contratista."""
    if current_user.es_contratista:
        return redirect(_inicio(current_user.contratista))
    db = get_session()
    return render("ingreso/inicio.html", contratista=current_user.contratista,
                           invitaciones=capturistas.invitaciones_pendientes(db, current_user.cuenta),
                           otros_roles=len(capturistas.roles_activos(db, current_user.cuenta)) > 1)


def _definir_contrasena(proposito: str, cuenta, rol: Capturista | None, guardar):
    """The form to set a password from a one-time link; `guardar(hash)` stores it, False when the link was used
    meanwhile. An activation (a role given) is a Bitácora row of the role's contratista; a reset, one of each
    contratista the account works for and one of the account's own (as its sign-in): whoever got into the mailbox
    and took the account leaves a trace. Both in the password's own commit."""
    form = ContrasenaForm()
    nombre = rol.nombre_completo if rol is not None else ""
    if form.validate_on_submit():
        personales = [cuenta.curp, cuenta.correo.split("@")[0]]
        if rol is not None:
            personales += [rol.nombres, rol.primer_apellido, rol.segundo_apellido]
        try:
            contrasena.validar(form.contrasena.data, form.confirmacion.data, datos_personales=personales)
        except contrasena.ContrasenaInvalida as e:
            rechazar(form, e)
        else:
            db = get_session()
            if not guardar(generate_password_hash(form.contrasena.data)):
                db.rollback()  # the same link used at the same time elsewhere: that use won
                return _enlace_invalido()
            if rol is not None:
                auditar("activacion", f"capturista {rol.id} {rol.nombre_completo}", contratista_id=rol.contratista_id,
                        quien=cuenta.curp, actor=f"capturista:{rol.id}")
            else:
                quienes = [(None, f"cuenta:{cuenta.id}")] + [(r.contratista_id, f"capturista:{r.id}")
                                                             for r in capturistas.roles_activos(db, cuenta)]
                for contratista_id, actor in quienes:
                    auditar("restablecimiento", "nueva contraseña definida con el enlace enviado a su correo",
                            contratista_id=contratista_id, quien=cuenta.curp, actor=actor)
            db.commit()
            flash("Tu contraseña quedó registrada. Ya puedes ingresar con tu CURP y tu contraseña.", "status")
            return see_other(url_for("ingreso.index"))
    return render("ingreso/contrasena.html", form=form, nombre=nombre, curp=cuenta.curp, proposito=proposito)


def _enlace_invalido():
    return render("ingreso/enlace_invalido.html", status=410)


@bp.route("/ingreso/activar/<token>", methods=["GET", "POST"])
def activar(token: str):
    """The invitation link: sets the password of its own account and activates its own role (48 h, one use)."""
    db = get_session()
    leido = enlaces.leer_invitacion(db, token)
    if leido is None:
        return _enlace_invalido()
    rol, cuenta = leido
    return _definir_contrasena("activar", cuenta, rol,
                               lambda hash_: capturistas.activar(db, rol, cuenta, hash_, utcnow()))


@bp.route("/ingreso/restablecer", methods=["GET", "POST"])
def restablecer():
    """¿Olvidaste tu contraseña? Each active account of the CURP gets a reset link at its own mailbox. The answer
    never tells whether the CURP has an account, not even by its time: the lookup and the mail happen after the
    response has been sent.

    Bounded per account only (enlaces.restablecer: three mails an hour, each with a working link), not per client
    address: a stranger behind the owner's address (an office's router, a carrier's NAT) asking for made-up CURPs
    used up the address's count, and her own request was then dropped in silence for as long as he kept on (a
    review). A CURP without an account costs one lookup and sends nothing."""
    form = RestablecerForm()
    if form.validate_on_submit():
        curp = form.curp.data

        @copy_current_request_context
        def enviar() -> None:
            try:
                db, now = get_session(), utcnow()
                for cuenta in capturistas.cuentas_para_ingreso(db, curp):
                    roles = capturistas.roles_activos(db, cuenta)
                    enlaces.restablecer(db, cuenta, roles[-1].nombre_completo if roles else "", now)
            except Exception:  # noqa: BLE001  (after the response: nobody to answer, so it is logged)
                current_app.logger.exception("password reset mail not sent")

        flash("Si la CURP tiene un usuario activo, enviamos a su correo electrónico un enlace para definir una "
              "nueva contraseña.", "status")
        response = see_other(url_for("ingreso.index"))
        response.call_on_close(enviar)
        return response
    return render("ingreso/restablecer.html", "restablecer", form=form)


@bp.route("/ingreso/restablecer/<token>", methods=["GET", "POST"])
def restablecer_con_enlace(token: str):
    """The reset link: a new password for its own account (2 h, one use)."""
    db = get_session()
    cuenta = enlaces.leer_restablecer(db, token)
    if cuenta is None:
        return _enlace_invalido()
    return _definir_contrasena("restablecer", cuenta, None,
                               lambda hash_: capturistas.cambiar_contrasena(db, cuenta, hash_, utcnow()))


@bp.route("/ingreso/sesion", methods=["GET", "POST"])
def sesion():
    """The idle-time warning (auth.AVISO_SESION), asked by htmx from every signed-in page: nothing yet (asked again
    later), "your session ends in N minutes" with Continuar sesión, or that it ended (also when it was closed
    elsewhere). GET reads the clocks without moving them; POST (Continuar sesión) starts the idle clock again. Not
    signed in: nothing (204)."""
    from ..auth import anticipo_aviso, continuar_sesion, restante_sesion

    restante = restante_sesion()
    if restante is None:
        return "", 204  # not signed in
    segundos, motivo = restante
    if not current_user.is_authenticated:  # signed out meanwhile (Cerrar sesión in another tab, a new password…)
        segundos, motivo = 0, "cerrada"
    elif request.method == "POST":
        continuar_sesion()
        if not request.htmx:
            return "", 204  # a plain post: the page stays as it was
    estado = "terminada" if segundos <= 0 else "continua" if request.method == "POST" else \
        "pronto" if segundos <= anticipo_aviso() else "lejos"
    return render("ingreso/sesion.html", segundos=segundos, motivo=motivo, estado=estado,
                  minutos=max(1, round(segundos / 60)), reloj=max(segundos - anticipo_aviso(), 1)
                  if estado in ("lejos", "continua") else segundos + 1)


@bp.post("/salir")
def salir():
    """Cerrar sesión: this session and every other one of the same contratista or account end, on every node."""
    terminar_sesion()
    flash("Cerraste tu sesión.", "status")
    return see_other(url_for("ingreso.index"))
