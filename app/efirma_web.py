"""The e.firma on a web page: its file fields, and the one throttled check that both ways of using it share,
*Validar* at ingress (app.ingreso) and *Firmar y presentar* an informativa (app.informativa). Signing is a
password guess like any other: counted against the certificate as a whole as ingress counts it, and against the
signed-in contratista where ingress counts against the address.

Throttling (app.limiter), counted in the database. Per client address, each way in on its own and sized for an
office whose staff all sign in from one address; per credential and client address, strict (the only place a
password can be guessed); per credential as a whole, a delay only, so no stranger can lock its owner out.
(config LIMITE_POR_DIRECCION: 100 failures per address and way in, per 15 minutes.)

An address is shared by strangers (an office, a carrier's NAT), so two kinds of attempt are counted elsewhere:
- a browser's attempt with a credential that once signed in from it (its cookie, app.navegador) is counted against
  that browser, with the same limits;
- *Firmar y presentar* is counted against the signed-in contratista, whom no stranger can be.
Either way a stranger's failures, from the owner's own address, can no longer make her wait.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import NamedTuple

from flask import Response, after_this_request, current_app, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import PasswordField
from wtforms.validators import InputRequired, Length

from sqlmodel import select

from . import fiel, limiter, navegador, trust
from .auth import auditar
from .db import get_session
from .formularios import rechazar
from .htmx import render
from .models import Contratista, utcnow

POR_CREDENCIAL_Y_DIRECCION = limiter.Regla(limit=5, window=timedelta(minutes=15))
# An IPv6 client is counted by its /64, and a site holds 65,536 of them: over its whole /48, four addresses' worth.
POR_CREDENCIAL_Y_RED = limiter.Regla(limit=20, window=timedelta(minutes=15))
POR_CREDENCIAL = limiter.Regla(limit=10, window=timedelta(minutes=15), retraso=1.0)

# A contratista's Bitácora takes this many refused attempts against it (its RFC, its capturistas' CURPs) of each
# kind, one row each, in any 15 minutes; past it, one row every 15 minutes says that they go on, and the rest are
# counted, not written. Each address has its own limit, but a site has 65,536 IPv6 /64s, an untrusted certificate
# counts against no credential, and a browser's cookie is free: without this, a stranger could bury a company's
# Bitácora under millions of rows. The kinds are capped apart (an attack review), so that a flood of the free
# refusals cannot hide guessed passwords nor lockouts; the guesses are bounded by the credential's own counts.
# Attempts against an RFC or CURP the portal does not know are capped together.
TOPE_RECHAZOS = limiter.Regla(limit=200, window=timedelta(minutes=15))
MSG_TOPE = ("{motivo}. Van más de {tope} intentos de este tipo rechazados en 15 minutos: mientras sigan a ese ritmo, "
            "se anota uno cada 15 minutos.")

# Two files of about 2 KB and three short fields: far less than the app-wide limit, which is sized for a PDF.
MAX_EFIRMA_REQUEST = 256 * 1024

# A SAT .cer or .key is 1-2 KB; anything far bigger is not one, and is refused before any parsing.
MAX_CREDENTIAL_BYTES = 64 * 1024
TOO_BIG = "El archivo es demasiado grande para ser un {}: un archivo del SAT ocupa unos 2 KB."


def campo_cer() -> FileField:
    return FileField("Certificado (.cer)", validators=[
        FileRequired("Selecciona el archivo del certificado (.cer)."),
        FileSize(MAX_CREDENTIAL_BYTES, message=TOO_BIG.format("certificado")),
    ])


def campo_key() -> FileField:
    return FileField("Llave privada (.key)", validators=[
        FileRequired("Selecciona el archivo de la llave privada (.key)."),
        FileSize(MAX_CREDENTIAL_BYTES, message=TOO_BIG.format("archivo de llave privada")),
    ])


def campo_contrasena() -> PasswordField:
    return PasswordField("Contraseña de la llave privada", validators=[
        # InputRequired, not DataRequired: a password made of spaces is still a password.
        InputRequired("Captura la contraseña de la llave privada."),
        Length(max=256, message="La contraseña es demasiado larga."),
    ])


def direccion() -> str:
    """The client's address as the limits count it (limiter.lugar: an IPv6 client by its /64)."""
    return limiter.lugar(request.remote_addr)


def por_direccion() -> limiter.Regla:
    return limiter.Regla(limit=current_app.config["LIMITE_POR_DIRECCION"], window=timedelta(minutes=15))


# A browser's cookie (app.navegador) per way in, each sent only to the one page that signs in that way: the other
# requests, of every page, do not carry its bytes.
COOKIE_EFIRMA = ("icsoe_nav_efirma", "/ingreso/efirma")
COOKIE_CURP = ("icsoe_nav_curp", "/ingreso/capturista")


def por_direccion_de(credencial: str, desde: str) -> dict[str, limiter.Regla]:
    """A credential's counts at a client address: (credential, address), and over an IPv6 client's /48 too."""
    claves = {f"{credencial}@{desde}": POR_CREDENCIAL_Y_DIRECCION}
    if (red := limiter.red_de(desde)) is not None:
        claves[f"{credencial}@{red}"] = POR_CREDENCIAL_Y_RED
    return claves


def credencial_cer(fingerprint: str) -> str:
    """A certificate as the limiter counts it."""
    return f"cer:{fingerprint[:40]}"


def navegador_de(cookie: tuple[str, str]) -> navegador.Navegador | None:
    """This request's browser, when its cookie for that way in is one of ours and still valid."""
    return navegador.leer(current_app.config["SECRET_KEY"], request.cookies.get(cookie[0]))


def recordar_navegador(cookie: tuple[str, str], credencial: str) -> None:
    """The credential signed in: the answer to this request tells the browser so (its cookie for that way in)."""
    secreto, nav = current_app.config["SECRET_KEY"], navegador_de(cookie)
    valor = navegador.recordar(secreto, nav, credencial)

    ruta = request.script_root + cookie[1]  # the portal may be served under a prefix ("/icsoe/ingreso/efirma")

    @after_this_request
    def _poner(response: Response) -> Response:
        response.set_cookie(cookie[0], valor, max_age=int(navegador.VIGENCIA.total_seconds()), path=ruta,
                            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Strict")
        return response


def demasiados(form: FlaskForm, espera: timedelta) -> int:
    """Put the message on the form; the seconds for Retry-After."""
    form.form_errors.append(f"Demasiados intentos fallidos. Espera {limiter.minutos(espera)} minuto(s) "
                            "antes de volver a intentarlo.")
    return int(espera.total_seconds()) + 1


def form_response(template: str, block: str, form: FlaskForm, retry: int | None, **context) -> Response:
    """The page (or block) of the form: 429 with Retry-After when the limiter said wait, else as htmx.render
    decides (422 with errors)."""
    response = render(template, block, 429 if retry else None, form=form, **context)
    if retry:
        response.headers["Retry-After"] = str(retry)
    return response


class _Demasiados(Exception):
    def __init__(self, intento: limiter.Intento):
        super().__init__()
        self.intento = intento


# What a lockout is counted against, for the Bitácora (the kinds of app.limiter's keys).
BLOQUEOS = {"efirma-ip": "intentos con e.firma desde esta dirección",
            "curp-ip": "intentos con CURP y contraseña desde esta dirección",
            "cer": "intentos con este certificado desde esta dirección",
            "curp": "intentos con esta CURP desde esta dirección",
            "efirma-nav": "intentos con e.firma desde este navegador",
            "curp-nav": "intentos con CURP y contraseña desde este navegador",
            "cer-nav": "intentos con este certificado desde este navegador",
            "cuenta-nav": "intentos con esta CURP desde este navegador",
            "efirma-cuenta": "intentos con e.firma en la sesión del contratista",
            "cer-cuenta": "intentos con este certificado en la sesión del contratista"}


def auditar_intento(rechazo: str, quien: str, contratista_ids: list[int | None], motivo: str,
                    intento: limiter.Intento | None = None, *, contrasena: bool = False) -> None:
    """A refused attempt in the Bitácora, once for each contratista it concerns: the reason (`rechazo` is its kind)
    or, when the limiter refused it, the lockout, recorded at its first refused attempt only (the attempts refused
    after it are that lockout). Never the password or the key. Committed on its own. `contrasena`: a wrong password
    of a credential the portal knows (counted against it). At most TOPE_RECHAZOS rows of each kind (lockouts,
    wrong passwords, the rest) per contratista, then one every 15 minutes."""
    tipo = "contrasena" if contrasena else "otro"
    if intento is not None and intento.rechazado:
        if intento.bloqueo is None:
            return
        tipo, rechazo, motivo = "bloqueo", "bloqueo", f"{motivo} ({BLOQUEOS.get(intento.bloqueo, intento.bloqueo)})"
    db, now, tope = get_session(), utcnow(), TOPE_RECHAZOS
    for contratista_id in contratista_ids or [None]:
        de = f"{tipo}:{contratista_id or 'desconocido'}"
        if limiter.puesto(db, f"bitacora-{de}", tope, now) <= tope.limit:
            auditar(rechazo, motivo, contratista_id=contratista_id, quien=quien, aparte=True)
        elif not limiter.hay(db, f"bitacora-resumen-{de}", tope.window, now) and \
                limiter.puesto(db, f"bitacora-resumen-{de}", tope, now) == 1:
            auditar(rechazo, MSG_TOPE.format(motivo=motivo.rstrip("."), tope=tope.limit),
                    contratista_id=contratista_id, quien=quien, aparte=True)


def contratista_de(rfc: str) -> int | None:
    """The contratista of this RFC, if the portal knows it: attempts against its RFC are shown to it."""
    return get_session().exec(select(Contratista.id).where(Contratista.rfc == rfc)).first()


class Verificacion(NamedTuple):
    firma: fiel.Firma | None  # None: refused, the reasons are on the form
    retry: int | None         # seconds for Retry-After when the limiter refused


def verificar(form: FlaskForm, rfc: str, *, sellar: Callable[[fiel.Firma], bytes] | None = None,
              rechazo: str = "ingreso_rechazado", referencia: str = "e.firma",
              contratista_id: int | None = None) -> Verificacion:
    """Check the e.firma of a validated form (its `cer`, `key` and `password`) for `rfc`, as ingress does (fiel.verify,
    its messages onto the form), throttled. `sellar`, when given, is what the key signs once every check passed.

    Every attempt counts against the client address until it succeeds. A certificate that no trusted CA issued is
    refused before its password is tried and counts against nobody's credential; once the certificate is trusted,
    a wrong password counts against (certificate, address), which refuses after five, and against the certificate
    as a whole, which only slows down. The key and its password live in this call only.

    Where the address is not who tries: with `contratista_id` (Firmar y presentar, signed in) every count by
    address is one by that contratista instead, for the contratista's own certificates; from a browser whose cookie
    (app.navegador) knows the certificate, one by that browser. Either speaks for its own certificates only: any
    other (another company's, whose stolen key a signed-in contratista could try at Firmar) is counted by address
    as well, once it is read. What fails before the certificate is read counts against the browser or the
    contratista only.

    A refusal is a Bitácora row of kind `rechazo` ("ingreso_rechazado", "firma_rechazada") with its reason after
    `referencia`, shown to the contratista of `rfc` when the portal knows it; a lockout, a "bloqueo" row."""
    db, now, desde = get_session(), utcnow(), direccion()
    secreto = current_app.config["SECRET_KEY"]
    cer, key = form.cer.data.read(), form.key.data.read()
    nav = navegador_de(COOKIE_EFIRMA) if contratista_id is None else None
    # Who the count is against (limiter keys "efirma-<quien>:<lugar>" and "cer-<quien>:<fp>@<lugar>"; by address,
    # the kind is plain "cer", as it always was).
    quien, lugar = ("cuenta", str(contratista_id)) if contratista_id is not None else \
        ("nav", nav.id) if nav is not None else ("ip", desde)
    por_ip = limiter.intentar(db, {f"efirma-{quien}:{lugar}": por_direccion()}, now)

    def rechazada(motivo: str, intento: limiter.Intento | None = None, contrasena: bool = False) -> None:
        auditar_intento(rechazo, rfc, [contratista_de(rfc)], f"{referencia}: {motivo}", intento,
                        contrasena=contrasena)

    if por_ip.rechazado:
        rechazada("Demasiados intentos fallidos", por_ip)
        return Verificacion(None, demasiados(form, por_ip.espera))
    por_credencial: limiter.Intento | None = None
    por_ip_tambien: limiter.Intento | None = None  # the address's count, for a certificate not the browser's own
    credencial_y_lugar = ""

    def propio(cert: fiel.Certificado, credencial: str) -> bool:
        if quien == "nav":
            return navegador.conoce(secreto, nav, credencial)
        return quien == "cuenta" and fiel.rfc_del_titular(cert) == fiel.normalize_rfc(rfc)

    def antes_de_la_contrasena(cert: fiel.Certificado) -> None:
        nonlocal por_credencial, por_ip_tambien, credencial_y_lugar
        credencial = credencial_cer(cert.fingerprint)
        if quien == "ip" or not propio(cert, credencial):
            claves = por_direccion_de(credencial, desde)
            credencial_y_lugar = f"{credencial}@{desde}"
            if quien != "ip":
                por_ip_tambien = limiter.intentar(db, {f"efirma-ip:{desde}": por_direccion()}, now)
                if por_ip_tambien.rechazado:
                    raise _Demasiados(por_ip_tambien)
        else:
            credencial_y_lugar = f"cer-{quien}:{cert.fingerprint[:40]}@{lugar}"
            claves = {credencial_y_lugar: POR_CREDENCIAL_Y_DIRECCION}
        por_credencial = limiter.intentar(db, claves | {credencial: POR_CREDENCIAL}, now)
        if por_credencial.rechazado:
            raise _Demasiados(por_credencial)
        time.sleep(por_credencial.retraso)

    try:
        firma = fiel.verify(rfc, cer, key, form.password.data, trust=trust.store(db), now=now,
                            revocation=_revocation(), antes_de_la_contrasena=antes_de_la_contrasena, sellar=sellar)
    except _Demasiados as e:
        rechazada("Demasiados intentos fallidos", e.intento)
        return Verificacion(None, demasiados(form, e.intento.espera))
    except fiel.FielRechazada as e:
        rechazar(form, e)
        rechazada(str(e), contrasena=por_credencial is not None and e.field == "password")
        if por_credencial is not None and e.field != "password":
            limiter.acierto(db, por_credencial)  # no password guess: not against the credential, only the place
        return Verificacion(None, None)
    limiter.acierto(db, por_ip, por_ip_tambien, por_credencial, olvidar=[credencial_y_lugar])
    return Verificacion(firma, None)


def _revocation():
    url = current_app.config.get("OCSP_URL")
    return fiel.OcspRevocation(url) if url else None
