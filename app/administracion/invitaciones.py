"""One-time links by e-mail: the capturista's activation (48 h) and password reset (2 h).

A link is a token signed with the shared SECRET_KEY holding the person's id and a fingerprint of the current
password hash: any app node can check it, and it dies as soon as a password is set with it (single use).
"""
from __future__ import annotations

from flask import current_app, flash, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..auth import huella
from ..correo import CorreoNoEnviado, Mensaje
from ..db import get_session
from ..models import Capturista, Contratista, Persona

VIGENCIA = {"activar": 48 * 3600, "restablecer": 2 * 3600}


def _serializer(proposito: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"icsoe.{proposito}")


def token(persona: Persona, proposito: str) -> str:
    return _serializer(proposito).dumps({"p": persona.id, "h": huella(persona.password_hash)})


def leer(valor: str, proposito: str) -> Persona | None:
    """The person a link was made for, or None when it is forged, expired or already used."""
    try:
        data = _serializer(proposito).loads(valor, max_age=VIGENCIA[proposito])
    except BadSignature:
        return None
    persona = get_session().get(Persona, data.get("p"))
    if persona is None or huella(persona.password_hash) != data.get("h"):
        return None
    return persona


def _enviar(mensaje: Mensaje) -> bool:
    try:
        current_app.extensions["correo"].enviar(mensaje)
    except CorreoNoEnviado:  # app.correo has logged why
        flash("No se pudo enviar el correo electrónico. Intenta más tarde con «Reenviar invitación».", "error")
        return False
    return True


def invitar(persona: Persona, capturista: Capturista, contratista: Contratista) -> bool:
    """E-mail the capturista: a link to set a password, or (with a password already) a notice of the new role."""
    saludo = f"Hola, {persona.nombre_completo}:\n\n{contratista.nombre} (RFC {contratista.rfc}) te dio acceso como " \
             f"capturista en el ICSOE del IMSS."
    if persona.password_hash:
        texto = f"{saludo}\n\nIngresa con tu CURP y tu contraseña de siempre: {url_for('ingreso.index', _external=True)}\n"
    else:
        enlace = url_for("ingreso.activar", token=token(persona, "activar"), _external=True)
        texto = (f"{saludo}\n\nPara activar tu acceso, define tu contraseña en este enlace (válido por 48 horas, "
                 f"una sola vez):\n\n{enlace}\n\nSi no esperabas este correo, ignóralo.\n")
    return _enviar(Mensaje(para=capturista.correo, asunto="ICSOE: acceso como capturista", texto=texto))


def restablecer(persona: Persona, correos: set[str]) -> None:
    enlace = url_for("ingreso.restablecer_con_enlace", token=token(persona, "restablecer"), _external=True)
    texto = (f"Hola, {persona.nombre_completo}:\n\nPara definir una nueva contraseña del ICSOE usa este enlace "
             f"(válido por 2 horas, una sola vez):\n\n{enlace}\n\nSi no lo pediste, ignora este correo: tu contraseña "
             "no cambia.\n")
    for correo in sorted(correos):
        _enviar(Mensaje(para=correo, asunto="ICSOE: restablecer tu contraseña", texto=texto))
