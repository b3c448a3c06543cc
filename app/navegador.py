"""A browser's own sign-in budget: the "device cookie" of OWASP's Authentication Cheat Sheet.

Sign-in attempts are counted per client address (app.limiter), and an address is not a person: behind an office's
router or a mobile carrier's NAT, a stranger shares the owner's address. Five wrong passwords of his with her
certificate (which is public) or her CURP, or a hundred failures of any kind, would make her wait 15 minutes.

So a browser in which a credential once signed in gets a cookie that says so: a random id for the browser and, for
each credential (at most `MAX_CREDENCIALES`, the newest kept), an HMAC of it under SECRET_KEY, so the cookie names no
CURP or certificate to whoever reads it. The whole is signed (itsdangerous) with its time, and kept `VIGENCIA`.
When that browser tries one of its credentials again, the attempt is counted against the browser, not the address:
the same five guesses per 15 minutes, which the stranger, without the cookie, cannot use up. A browser without the
cookie (a first sign-in, a cleared browser) is counted by address as before.

The cookie grants nothing: it is no session, opens no page, and a copy of it only moves the copier's guesses from
his address to that browser's count. Nothing here imports Flask; app.efirma_web reads and writes the cookie.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, TimestampSigner

SALT = "icsoe.navegador"
VIGENCIA = timedelta(days=180)
MAX_CREDENCIALES = 8

_LARGO_ID = 16      # characters: 12 random bytes in base64url
_LARGO_HUELLA = 12  # characters: 9 bytes of an HMAC-SHA256 in base64url
_SEP = "~"          # not in base64url's alphabet, nor itsdangerous' "."
# id, huellas, separators, itsdangerous' timestamp and signature, with room to spare. A longer value is not
# one of ours and is refused before any parsing.
MAX_VALOR = _LARGO_ID + MAX_CREDENCIALES * (_LARGO_HUELLA + 1) + 64
_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True)
class Navegador:
    id: str
    huellas: tuple[str, ...] = ()


def _signer(secret_key: str) -> TimestampSigner:
    return TimestampSigner(secret_key, salt=SALT)


def huella(secret_key: str, credencial: str) -> str:
    """The credential ("cer:…", "curp:…") as the cookie holds it: keyed, so its reader cannot test CURPs against it."""
    mac = hmac.new(secret_key.encode(), f"{SALT}|{credencial}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:9]).decode()


def _es(valor: str, largo: int) -> bool:
    return len(valor) == largo and _B64URL.issuperset(valor)


def leer(secret_key: str, valor: str | None) -> Navegador | None:
    """The browser of this cookie, or None when it is missing, too long, forged, malformed or older than
    VIGENCIA."""
    if not valor or len(valor) > MAX_VALOR:
        return None
    try:
        datos = _signer(secret_key).unsign(valor, max_age=int(VIGENCIA.total_seconds())).decode("ascii")
    except (BadSignature, UnicodeDecodeError):  # SignatureExpired is a BadSignature too
        return None
    id_, *huellas = datos.split(_SEP)
    if not _es(id_, _LARGO_ID) or len(huellas) > MAX_CREDENCIALES or not all(_es(h, _LARGO_HUELLA) for h in huellas):
        return None
    return Navegador(id_, tuple(huellas))


def conoce(secret_key: str, navegador: Navegador | None, credencial: str) -> bool:
    """Whether the credential signed in from this browser."""
    return navegador is not None and huella(secret_key, credencial) in navegador.huellas


def recordar(secret_key: str, navegador: Navegador | None, credencial: str) -> str:
    """The cookie's new value once the credential signed in from this browser: its id kept (a new one for a new
    browser), the credential first, the oldest dropped past MAX_CREDENCIALES, the time renewed."""
    nueva = huella(secret_key, credencial)
    id_ = navegador.id if navegador else base64.urlsafe_b64encode(secrets.token_bytes(12)).decode()
    anteriores = [h for h in (navegador.huellas if navegador else ()) if h != nueva]
    datos = _SEP.join([id_, nueva, *anteriores[:MAX_CREDENCIALES - 1]])
    return _signer(secret_key).sign(datos).decode("ascii")
