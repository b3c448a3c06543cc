"""The comprobante: a short-lived proof that an e.firma was validated, so that Ingresar needs no second upload.

Signed with the shared SECRET_KEY (any app node can read it) and kept in the session cookie. It holds what the
certificate says about its holder, never anything of the private key or its password. Its random `nonce` makes it
single-use: Ingresar records it (app.contratistas.usar_comprobante), so a copy of the cookie cannot enter again.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeTimedSerializer

from .fiel import Firma

SALT = "icsoe.efirma-validada"


@dataclass(frozen=True)
class Comprobante:
    rfc: str
    nombre: str
    persona: str
    serial: str
    fingerprint: str
    not_before: datetime
    not_after: datetime
    nonce: str
    emisor: str  # the fingerprint of the CA that issued the certificate: still trusted at Ingresar?


def emitir(secret_key: str, firma: Firma) -> str:
    data = {k: getattr(firma, k) for k in ("rfc", "nombre", "persona", "serial", "fingerprint", "emisor")}
    data |= {"not_before": firma.not_before.isoformat(), "not_after": firma.not_after.isoformat(),
             "nonce": secrets.token_hex(16)}
    return URLSafeTimedSerializer(secret_key, salt=SALT).dumps(data)


def leer(secret_key: str, token: str, max_age: int) -> Comprobante | None:
    """The proof, or None when it is missing, forged or older than `max_age` seconds."""
    try:
        data = URLSafeTimedSerializer(secret_key, salt=SALT).loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    try:
        data["not_before"] = datetime.fromisoformat(data["not_before"])
        data["not_after"] = datetime.fromisoformat(data["not_after"])
        return Comprobante(**data)
    except (KeyError, TypeError, ValueError):  # a proof signed by an older release, without a nonce or an emisor
        return None
