"""The e.firma (FIEL) rules: is this RFC, certificate, private key and password an e.firma we accept?

`verify()` answers with a `Firma` or raises `FielRechazada(field, message)` (a `Rechazo`), the message in Spanish
and the field being the form field it belongs next to ("rfc", "cer", "key" or "password"). Everything it depends
on comes in as an argument (the trust store, "now", the optional revocation check), so it knows no request, table
or clock.

Order of the checks (cheap and specific first, in the order of the form's fields, then what needs them all):

 1. RFC typed: present and well formed (field "rfc").
 2. Certificate file: a readable X.509 certificate (field "cer").
 3. Private key file, read without the password: SAT's password-protected key; an unprotected key, or one whose
    key derivation would cost more than MAX_KDF_ITERATIONS, is refused (field "key").
 4. Password: present (field "password").
 5. Trust: the certificate was issued (exact issuer DN bytes and a valid signature) by a CA of the trust store
    (field "cer"). Before the password is tried: trying it is the costly step (the key derivation) and the one
    an attacker would repeat, and a certificate nobody trusts is refused whatever the password. Before the
    profile, because an untrusted certificate says nothing reliable about itself: `FAKE_ISSUER` carries CSD key
    usages, and "it is a CSD" would be the wrong thing to tell its holder.
    Then `antes_de_la_contrasena(cert)`, when given: the caller counts password attempts against that trusted
    certificate there, and may raise to stop.
 6. Password: able to open the key (field "password").
 7. The key belongs to the certificate: a fresh challenge signed with the key verifies with the certificate's
    public key (field "key").
 8. Profile: an e.firma (FIEL), not a Certificado de Sello Digital (CSD) nor anything else (field "cer").
 9. Dates: the certificate, then the CA that issued it, valid at `now` (field "cer"). After the profile, because
    "this is a CSD" tells someone with an old CSD what to do, "it expired" does not.
10. Holder data: the certificate names its holder's RFC, a name that can be stored (MAX_NOMBRE) and a serial of
    at most 20 bytes (field "cer").
11. RFC match: the typed RFC is the holder's, with specific messages for a legal representative's e.firma
    (field "rfc").
12. Revocation, when a checker is given (it may go to the network, so it runs last).

The modules: `mensajes` (FielRechazada and every message), `limites` (the sizes admitted), `der` (DER and PEM
read by hand), `certificado` (Certificado, read without `cryptography.x509`, and why; the profile and the dates),
`llave` (the private key and its password), `confianza` (TrustStore, CA certificates and SAT's ZIP bundle),
`ocsp` (OcspRevocation). Everything other modules use is re-exported here: `fiel.X`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from stdnum.exceptions import InvalidLength, ValidationError
from stdnum.mx import rfc as stdnum_rfc

from ..texto import normalize_text
from .certificado import (
    OID_BASIC_CONSTRAINTS, OID_COMMON_NAME, OID_EXTENDED_KEY_USAGE, OID_KEY_USAGE, OID_NAME, OID_ORGANIZATION,
    OID_ORGANIZATIONAL_UNIT, OID_SERIAL_NUMBER, OID_X500_UNIQUE_IDENTIFIER, Certificado, _check_dates, _check_profile,
)
from .confianza import (
    MAX_SKIPPED_LOGGED, MAX_ZIP_DEPTH, MAX_ZIP_ENTRIES, MAX_ZIP_ENTRY_BYTES, MAX_ZIP_TOTAL_BYTES, CaInfo, TrustStore,
    _trusted_issuer, read_ca_certificates,
)
from . import sello
from .der import MAX_DER_ELEMENTS, MAX_PEM_BLOCKS, MAX_PEM_LABEL
from .limites import MAX_FILE_BYTES, MAX_KDF_ITERATIONS, MAX_NOMBRE, MAX_SERIAL_BITS, MAX_SERIAL_DIGITS
from .llave import _check_key_matches, _check_password_given, _is_private_key, _open_private_key, _read_private_key
from .mensajes import (
    MSG_CER_EMPTY, MSG_CER_INVALID, MSG_CER_IS_KEY, MSG_CER_KEY_TYPE, MSG_CER_NAME, MSG_CER_SERIAL, MSG_CER_TOO_BIG,
    MSG_CSD, MSG_KEY_EMPTY, MSG_KEY_INVALID, MSG_KEY_IS_CER, MSG_KEY_MISMATCH, MSG_KEY_TOO_BIG, MSG_KEY_UNPROTECTED,
    MSG_KEY_UNSUPPORTED, MSG_NO_RFC, MSG_NOT_FIEL, MSG_PASSWORD_EMPTY, MSG_PASSWORD_WRONG, MSG_REVOCATION_BAD_ANSWER,
    MSG_REVOCATION_UNAVAILABLE, MSG_REVOCATION_UNKNOWN, MSG_RFC_EMPTY, MSG_RFC_FORMAT, MSG_RFC_LENGTH, MSG_UNTRUSTED,
    FielRechazada,
)
from .ocsp import MAX_OCSP_RESPONSE_BYTES, OcspRevocation

# What the rest of the app uses: the check and what it answers, the trust store and revocation, and every bound
# (MAX_*), message (MSG_*) and certificate attribute OID (OID_*) of the package.
__all__ = [
    "CaInfo", "Certificado", "FielRechazada", "Firma", "OcspRevocation", "TrustStore", "normalize_rfc",
    "read_ca_certificates", "verify",
    "MAX_DER_ELEMENTS", "MAX_FILE_BYTES", "MAX_KDF_ITERATIONS", "MAX_NOMBRE", "MAX_OCSP_RESPONSE_BYTES",
    "MAX_PEM_BLOCKS", "MAX_PEM_LABEL", "MAX_SERIAL_BITS", "MAX_SERIAL_DIGITS", "MAX_SKIPPED_LOGGED", "MAX_ZIP_DEPTH",
    "MAX_ZIP_ENTRIES", "MAX_ZIP_ENTRY_BYTES", "MAX_ZIP_TOTAL_BYTES",
    "MSG_CER_EMPTY", "MSG_CER_INVALID", "MSG_CER_IS_KEY", "MSG_CER_KEY_TYPE", "MSG_CER_NAME", "MSG_CER_SERIAL",
    "MSG_CER_TOO_BIG", "MSG_CSD", "MSG_KEY_EMPTY", "MSG_KEY_INVALID", "MSG_KEY_IS_CER", "MSG_KEY_MISMATCH",
    "MSG_KEY_TOO_BIG", "MSG_KEY_UNPROTECTED", "MSG_KEY_UNSUPPORTED", "MSG_NO_RFC", "MSG_NOT_FIEL",
    "MSG_PASSWORD_EMPTY", "MSG_PASSWORD_WRONG", "MSG_REVOCATION_BAD_ANSWER", "MSG_REVOCATION_UNAVAILABLE",
    "MSG_REVOCATION_UNKNOWN", "MSG_RFC_EMPTY", "MSG_RFC_FORMAT", "MSG_RFC_LENGTH", "MSG_UNTRUSTED",
    "OID_BASIC_CONSTRAINTS", "OID_COMMON_NAME", "OID_EXTENDED_KEY_USAGE", "OID_KEY_USAGE", "OID_NAME",
    "OID_ORGANIZATION", "OID_ORGANIZATIONAL_UNIT", "OID_SERIAL_NUMBER", "OID_X500_UNIQUE_IDENTIFIER",
]


@dataclass(frozen=True)
class Firma:
    """An e.firma that passed every check."""

    rfc: str  # the holder's own RFC (for a persona moral: the company's 12-char RFC)
    nombre: str  # denominación/razón social or full name
    persona: str  # "moral" or "fisica"
    curp: str | None  # persona física: its CURP; persona moral: the representative's CURP (or None)
    representante_rfc: str | None  # persona moral: the legal representative's RFC, else None
    serial: str  # SAT's certificate number, e.g. "30001000000500003415"
    fingerprint: str  # SHA-256 of the certificate DER, lowercase hex
    not_before: datetime  # aware, UTC
    not_after: datetime  # aware, UTC
    issuer: str  # the issuing CA's display name (CN)
    sello: bytes | None = None  # the signature of `sellar`'s bytes (sello.sellar), when verify() was asked for one
    certificado: bytes = b""  # the certificate's DER (a PEM upload's too), what a sello is verified with
    emisor: str = ""  # SHA-256 of the issuing CA's DER, lowercase hex: its fingerprint in the trust store


def verify(
    rfc: str,
    cer: bytes,
    key: bytes,
    password: str,
    *,
    trust: TrustStore | Sequence[bytes],
    now: datetime,
    revocation: Callable[[bytes, bytes], None] | None = None,
    antes_de_la_contrasena: Callable[[Certificado], None] | None = None,
    sellar: bytes | Callable[[Firma], bytes] | None = None,
) -> Firma:
    """Check an e.firma for ingress (see the module docstring for the order). `trust` holds the CA certificates
    (any of them is a trust anchor); `now` must be timezone-aware; `revocation(cert_der, issuer_der)`, if given,
    raises FielRechazada("cer", …) for a revoked certificate. Nothing of the private key is kept.

    A certificate that no trusted CA issued is refused before the key's password is tried, and
    `antes_de_la_contrasena(cert)` runs between the two (the caller counts password attempts against that
    trusted certificate there, and may raise to stop).

    `sellar`, when given, is signed with the key once every check has passed (sello.sellar), and the Firma
    carries the signature: presenting an informativa checks the e.firma exactly as ingress does. It may be a
    function of the checked Firma (the cadena original names the signer as its certificate does)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    store = trust if isinstance(trust, TrustStore) else TrustStore(trust)

    typed_rfc = _check_rfc(rfc)
    cert = _read_certificate(cer)
    encrypted_key = _read_private_key(key)
    _check_password_given(password)
    issuer = _trusted_issuer(store, cert)
    if antes_de_la_contrasena is not None:
        antes_de_la_contrasena(cert)
    llave = _open_private_key(encrypted_key, password)
    _check_key_matches(llave, cert)
    _check_profile(cert)
    _check_dates(cert, issuer, now)
    firma = _firma(cert, issuer)
    _check_rfc_matches(typed_rfc, firma)
    if revocation is not None:
        revocation(cert.der, issuer.der)
    if sellar is not None:
        datos = sellar(firma) if callable(sellar) else sellar
        firma = replace(firma, sello=sello.sellar(llave, datos))
    return firma


def normalize_rfc(value: str) -> str:
    """The RFC as SAT writes it: no surrounding or inner spaces, no hyphens, upper case ("ñ" becomes "Ñ")."""
    return _compact(value)


def _compact(value: str) -> str:
    """Without spaces, hyphens or invisible characters (a zero-width space, a BOM pasted with it), upper case; for
    RFCs and CURPs."""
    # NFC first: a "Ñ" pasted from some systems arrives as "N" plus a combining tilde.
    return re.sub(r"[\s\-]+", "", normalize_text(value or "")).upper()


def _check_rfc(value: str) -> str:
    """The normalised RFC, or FielRechazada("rfc") when it is empty or not well formed."""
    rfc = normalize_rfc(value)
    if not rfc:
        raise FielRechazada("rfc", MSG_RFC_EMPTY)
    # python-stdnum checks the letters (Ñ and & included) and the date. Its check-digit test stays off (its
    # default): SAT's own test RFC AAA010101AAA fails it, and stdnum notes ~1.5% of real RFCs do too.
    # stdnum also accepts a 10-character RFC without homoclave; SAT's certificates always carry all 12/13.
    if len(rfc) not in (12, 13):
        raise FielRechazada("rfc", MSG_RFC_LENGTH)
    try:
        stdnum_rfc.validate(rfc)
    except InvalidLength:
        raise FielRechazada("rfc", MSG_RFC_LENGTH) from None
    except ValidationError:
        raise FielRechazada("rfc", MSG_RFC_FORMAT) from None
    return rfc


def _read_certificate(data: bytes) -> Certificado:
    """The uploaded certificate, with a specific message when the .key was chosen instead."""
    try:
        return Certificado.from_bytes(data)
    except FielRechazada:
        if data and len(data) <= MAX_FILE_BYTES and _is_private_key(data):
            raise FielRechazada("cer", MSG_CER_IS_KEY) from None
        raise


def rfc_del_titular(cert: Certificado) -> str:
    """The holder's RFC as the certificate writes it (normalised), "" when it has none: what `verify` compares with
    the RFC it is given, once the key is opened."""
    return _compact((cert.subject_value(OID_X500_UNIQUE_IDENTIFIER) or "").partition("/")[0])


def _firma(cert: Certificado, issuer: Certificado) -> Firma:
    """What the certificate says about its holder. SAT writes "RFC" (física) or "RFC MORAL / RFC REPRESENTANTE"
    (moral) in x500UniqueIdentifier, and "CURP" or " / CURP DEL REPRESENTANTE" in serialNumber."""
    representative_rfc = (cert.subject_value(OID_X500_UNIQUE_IDENTIFIER) or "").partition("/")[2]
    holder, representative = rfc_del_titular(cert), _compact(representative_rfc)
    if not holder:
        raise FielRechazada("cer", MSG_NO_RFC)
    moral = len(holder) == 12
    own_curp, _, representative_curp = (cert.subject_value(OID_SERIAL_NUMBER) or "").partition("/")
    curp = _compact(representative_curp if moral else own_curp)
    nombre = (
        cert.subject_value(OID_COMMON_NAME)
        or cert.subject_value(OID_NAME)
        or cert.subject_value(OID_ORGANIZATION)
        or ""
    ).strip()
    if len(nombre) > MAX_NOMBRE or any(unicodedata.category(ch) == "Cc" for ch in nombre):
        raise FielRechazada("cer", MSG_CER_NAME)
    if not 0 < cert.serial_number < 2**MAX_SERIAL_BITS:
        raise FielRechazada("cer", MSG_CER_SERIAL)
    return Firma(
        rfc=holder,
        nombre=nombre,
        persona="moral" if moral else "fisica",
        curp=curp or None,
        representante_rfc=(representative or None) if moral else None,
        serial=cert.sat_serial,
        fingerprint=cert.fingerprint,
        not_before=cert.not_before,
        not_after=cert.not_after,
        issuer=issuer.subject_display,
        certificado=cert.der,
        emisor=issuer.fingerprint,
    )


def _check_rfc_matches(rfc: str, firma: Firma) -> None:
    if rfc == firma.rfc:
        return
    if len(rfc) == 12 and firma.persona == "fisica":
        raise FielRechazada(
            "rfc",
            f"El RFC {rfc} es de una persona moral, pero la e.firma es de una persona física. Una persona moral "
            "ingresa con la e.firma de la propia persona moral, no con la de su representante legal.",
        )
    if firma.representante_rfc and rfc == firma.representante_rfc:
        raise FielRechazada(
            "rfc",
            f"El RFC {rfc} es del representante legal de {firma.nombre}. Captura el RFC de la persona moral "
            f"({firma.rfc}).",
        )
    raise FielRechazada("rfc", f"El RFC {rfc} no corresponde al certificado de la e.firma.")
