"""The sello: what the contratista's e.firma signs when it presents an informativa.

RSA with SHA-256 and PKCS#1 v1.5 padding over the bytes given (the cadena original's UTF-8), the scheme of SAT's
own seals (a CFDI's sello is the same), so that `openssl dgst -sha256 -verify` checks it as well as
`cryptography`. The key is opened by `fiel.verify(..., sellar=datos)` after every ingress check has passed, signs
once and is dropped with the request.
"""
from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .certificado import Certificado
from .mensajes import FielRechazada


def sellar(llave: rsa.RSAPrivateKey, datos: bytes) -> bytes:
    """The signature of `datos` (the key is RSA: fiel.verify refused any other before this)."""
    return llave.sign(datos, padding.PKCS1v15(), hashes.SHA256())


def verificar(certificado_der: bytes, datos: bytes, sello: bytes) -> bool:
    """Whether `sello` is the signature of `datos` by the key of that certificate (False for anything that is
    not: another key, altered data, a certificate that cannot be read or whose key is not RSA)."""
    try:
        llave = Certificado.from_bytes(certificado_der).public_key
    except FielRechazada:
        return False
    if not isinstance(llave, rsa.RSAPublicKey):
        return False
    try:
        llave.verify(sello, datos, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def a_texto(sello: bytes) -> str:
    """The sello as the acuse prints it: base64."""
    return base64.b64encode(sello).decode("ascii")


def de_texto(texto: str) -> bytes | None:
    """The sello from its base64 (None when it is not base64)."""
    try:
        return base64.b64decode(texto.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
