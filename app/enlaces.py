"""One-time links sent by e-mail, and the e-mails that carry them: a role's invitation (48 h) and an account's
password reset (2 h). Used by Administración (alta, reenviar) and Ingreso (activation, reset), below both.

- Every link is built from the configured public address (ICSOE_URL), never from the request's Host header, which
  a client chooses (an anonymous reset sent with `Host: evil.example` would mail the victim a link to evil.example).
- An invitation link carries its role and the role's current random nonce: a newer invitation, a baja or the
  activation replaces or clears the nonce, so only the newest link of a live invitation works; and it sets the
  password of its own account only, while that account has none.
- A reset link carries its account and a fingerprint of the account's password hash: it dies once a password is set
  with it, and it changes that account's password only.
- E-mails are bounded, counted in the database, and only what was sent counts (a refused attempt leaves no trace
  that could fill the window, so nobody can use up someone else's resets): a reset at most CORREOS_POR_HORA an
  hour per account and INVITACIONES_POR_BUZON per mailbox (each with a working link: a stranger who asks for them
  sends the owner links, never silences her); an invitation at most CORREOS_POR_HORA an hour from one contratista
  to one mailbox, INVITACIONES_POR_BUZON from all contratistas together to one mailbox (made-up CURPs make new
  accounts, not new mailboxes; nor do sub-addresses: `buzon_de`) and INVITACIONES_POR_CONTRATISTA from one
  contratista in all, so no contratista can use the portal's mail to flood a mailbox. Mail is sent only after the
  change it announces was committed.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from enum import Enum

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session

from . import capturistas, limiter
from .correo import CorreoNoEnviado, Mensaje
from .models import Capturista, Contratista, Persona

VIGENCIA_INVITACION = timedelta(hours=48)
VIGENCIA_RESTABLECER = timedelta(hours=2)
CORREOS_POR_HORA = limiter.Regla(limit=3, window=timedelta(hours=1))
INVITACIONES_POR_BUZON = limiter.Regla(limit=10, window=timedelta(hours=1))
INVITACIONES_POR_CONTRATISTA = limiter.Regla(limit=60, window=timedelta(hours=1))


class Envio(Enum):
    ENVIADO = "enviado"
    LIMITE = "limite"  # the account got CORREOS_POR_HORA e-mails in the last hour
    FALLO = "fallo"  # the mail server refused or did not answer (app.correo logged why)

    @property
    def texto(self) -> str:
        """What happened, as the Bitácora says it."""
        return {"enviado": "enviada", "limite": "no enviada: ya se enviaron varios correos a esa dirección en la "
                "última hora", "fallo": "no enviada: el servidor de correo no la aceptó"}[self.value]


def huella(password_hash: str | None) -> str:
    """A short fingerprint of a password hash: a reset link carries it, so a new password kills the link."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:12]


def _serializer(proposito: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"icsoe.{proposito}")


def publico(endpoint: str, **values) -> str:
    """An absolute URL on the portal's public address (ICSOE_URL), whatever Host the current request named."""
    return current_app.config["ICSOE_URL"].rstrip("/") + url_for(endpoint, **values)


def leer_invitacion(session: Session, token: str) -> tuple[Capturista, Persona] | None:
    """The role and account of a live invitation link whose account still has no password; else None (forged,
    expired, superseded by a newer invitation, dado de baja, already used, or the account is active: then the
    person signs in and accepts it on her home page)."""
    try:
        data = _serializer("activar").loads(token, max_age=int(VIGENCIA_INVITACION.total_seconds()))
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int) or not isinstance(data.get("n"), str) \
            or not isinstance(data.get("p"), int):
        return None  # (a link of a release before "p": Reenviar invitación sends one that works)
    rol = session.get(Capturista, data["r"])
    if rol is None or rol.estatus != "pendiente" or not rol.invitacion or rol.invitacion != data["n"] \
            or rol.persona_id != data["p"]:
        return None
    cuenta = session.get(Persona, rol.persona_id)
    if cuenta is None or cuenta.activa:
        return None
    return rol, cuenta


def leer_restablecer(session: Session, token: str) -> Persona | None:
    """The account of a live reset link, or None."""
    try:
        data = _serializer("restablecer").loads(token, max_age=int(VIGENCIA_RESTABLECER.total_seconds()))
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("p"), int):
        return None
    cuenta = session.get(Persona, data["p"])
    if cuenta is None or not cuenta.activa or huella(cuenta.password_hash) != data.get("h"):
        return None
    if not capturistas.tiene_rol_vivo(session, cuenta):  # every role dado de baja since it was mailed
        return None
    return cuenta


def _turno(session: Session, claves: dict[str, limiter.Regla], now: datetime) -> bool:
    """Whether one more e-mail may go now (counted atomically, on every node). A refusal is not counted."""
    intento = limiter.intentar(session, claves, now)
    if intento.rechazado:
        limiter.acierto(session, intento)  # not sent: it takes no place in the window
        return False
    return True


def _enviar(mensaje: Mensaje) -> Envio:
    try:
        current_app.extensions["correo"].enviar(mensaje)
    except CorreoNoEnviado:  # app.correo has logged why
        return Envio.FALLO
    return Envio.ENVIADO


# Providers that ignore dots in the local part (victima@, v.i.c.t.i.m.a@ are one mailbox), and domains that are
# another's name (Google delivers @googlemail.com to the @gmail.com inbox).
_SIN_PUNTOS = frozenset({"gmail.com"})
_MISMO_BUZON = {"googlemail.com": "gmail.com"}


def buzon_de(correo: str) -> str:
    """The mailbox an address delivers to, as far as the mail bounds are concerned: case-folded, without a
    sub-address ("+etiqueta", which Gmail, Outlook, Fastmail, iCloud and most servers deliver to the same inbox) and,
    where the provider ignores them, without dots. Without it, victima+1@, victima+2@… each had their own three
    invitations an hour, all landing in one inbox (a review). Only for counting: mail goes to the address as typed."""
    local, arroba, dominio = correo.casefold().rpartition("@")
    if not arroba:
        return correo.casefold()
    local, dominio = local.split("+", 1)[0], _MISMO_BUZON.get(dominio, dominio)
    if dominio in _SIN_PUNTOS:
        local = local.replace(".", "")
    return f"{local}@{dominio}"


def invitar(session: Session, rol: Capturista, cuenta: Persona, contratista: Contratista, now: datetime) -> Envio:
    """E-mail a role's invitation to its account's mailbox: a link to set the password (a new account), or a
    notice to sign in and accept it (an active account). Call after committing the role."""
    buzon = buzon_de(cuenta.correo)
    claves = {f"invitacion:{contratista.id}:{buzon}": CORREOS_POR_HORA,
              f"buzon:{buzon}": INVITACIONES_POR_BUZON,
              f"invitaciones:{contratista.id}": INVITACIONES_POR_CONTRATISTA}
    if not _turno(session, claves, now):
        return Envio.LIMITE
    saludo = (f"Hola, {rol.nombre_completo}:\n\n{contratista.nombre} (RFC {contratista.rfc}) te invita a ser "
              f"capturista en el ICSOE del IMSS.")
    if cuenta.activa:
        texto = (f"{saludo}\n\nYa tienes una cuenta con esta dirección de correo. Ingresa con tu CURP y tu "
                 f"contraseña en {publico('ingreso.index')} y, en tu página de inicio, elige «Aceptar invitación» "
                 "o «Rechazar invitación».\n\nSi no esperabas este correo, rechaza la invitación o ignóralo.\n")
    else:
        # The link names the account whose mailbox it goes to: it never sets another's password, even if the role
        # has moved to another account since (an alta at another mailbox).
        token = _serializer("activar").dumps({"r": rol.id, "n": rol.invitacion, "p": cuenta.id})
        enlace = publico("ingreso.activar", token=token)
        texto = (f"{saludo}\n\nPara activar tu acceso, define tu contraseña en este enlace (válido por 48 horas, "
                 f"una sola vez; solo funciona el enlace del correo más reciente):\n\n{enlace}\n\n"
                 "Si no esperabas este correo, ignóralo.\n")
    return _enviar(Mensaje(para=cuenta.correo, asunto="ICSOE: invitación como capturista", texto=texto))


def restablecer(session: Session, cuenta: Persona, nombre: str, now: datetime) -> Envio:
    """E-mail a reset link to the account's own mailbox (and to no other)."""
    if not _turno(session, {f"restablecer:{cuenta.id}": CORREOS_POR_HORA,
                            f"restablecer-buzon:{buzon_de(cuenta.correo)}": INVITACIONES_POR_BUZON}, now):
        return Envio.LIMITE
    token = _serializer("restablecer").dumps({"p": cuenta.id, "h": huella(cuenta.password_hash)})
    enlace = publico("ingreso.restablecer_con_enlace", token=token)
    texto = (f"Hola{', ' + nombre if nombre else ''}:\n\nPara definir una nueva contraseña del ICSOE usa este enlace "
             f"(válido por 2 horas, una sola vez):\n\n{enlace}\n\nSi no lo pediste, ignora este correo: tu contraseña "
             "no cambia.\n")
    return _enviar(Mensaje(para=cuenta.correo, asunto="ICSOE: restablecer tu contraseña", texto=texto))
