"""The e.firma (FIEL) rules: is this RFC, certificate, private key and password an e.firma we accept?

`verify()` answers with a `Firma` or raises `FielRechazada(field, message)`, the message in Spanish and the
field being the form field it belongs next to ("rfc", "cer", "key" or "password"). Everything it depends on comes
in as an argument (the trust store, "now", the optional revocation check), so it knows no request, table or clock.

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
 6. Password: able to open the key (field "password").
 7. The key belongs to the certificate: a fresh challenge signed with the key verifies with the certificate's
    public key (field "key").
 8. Profile: an e.firma (FIEL), not a Certificado de Sello Digital (CSD) nor anything else (field "cer").
 9. Dates: the certificate, then the CA that issued it, valid at `now` (field "cer"). After the profile, because
    "this is a CSD" tells someone with an old CSD what to do, "it expired" does not.
10. RFC match: the typed RFC is the holder's, with specific messages for a legal representative's e.firma
    (field "rfc").
11. Revocation, when a checker is given (it may go to the network, so it runs last).

Certificates are parsed by hand (a DER walker that slices the original bytes, plus pyasn1-modules for the
pieces) rather than with `cryptography.x509`, because `cryptography` refuses every certificate issued by SAT's
AC6 (its DN holds UTF-8 in a PrintableString) and raises on `.subject` for names in T61String/Latin-1 (the "Ñ"
in SAT's certificates). `cryptography` does everything else: keys, signatures, PKCS#8, OCSP. See
the SAT fixtures README (`shared/fixtures/sat/README.md`), "Known parser traps".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
import os
import re
import unicodedata
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.client import HTTPException
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes
from cryptography.x509 import ocsp
from pyasn1.codec.der import decoder
from pyasn1.error import PyAsn1Error
from pyasn1_modules import rfc5208, rfc5280, rfc8018
from stdnum.exceptions import InvalidLength, ValidationError
from stdnum.mx import rfc as stdnum_rfc

__all__ = [
    "CaInfo",
    "Certificado",
    "FielRechazada",
    "Firma",
    "OcspRevocation",
    "TrustStore",
    "normalize_rfc",
    "read_ca_certificates",
    "verify",
]

log = logging.getLogger(__name__)

# A SAT .cer is about 1.5 KB and a .key 1.3 KB; anything far bigger is not one, and parsing it would only cost time.
MAX_FILE_BYTES = 64 * 1024
# An uploaded key names its own key-derivation cost, paid on every password tried before the password is known to
# be right, so a large count would tie up a worker (1,000,000 PBKDF2 rounds took 0.2-0.8 s per Validar). Every real
# SAT key (fixtures/sat: the 2017-2023 e.firmas and CSDs, and openssl's PEM re-encryptions) uses PBKDF2 with 2,048
# iterations, and so do the demo keys (`cryptography` 50's BestAvailableEncryption) and openssl's PKCS#8 default;
# openssl's "RSA PRIVATE KEY" with DEK-Info derives with one MD5 round (EVP_BytesToKey), not PBKDF2. 3,000 is the
# smallest round number above 2,048: a hostile key costs at most ~1.5 times a real one. Above it: MSG_KEY_UNSUPPORTED.
MAX_KDF_ITERATIONS = 3_000
# What is stored of an admitted e.firma (models.Contratista sizes its columns with these):
# - the serial: RFC 5280 (4.1.2.2) allows at most 20 octets, a positive integer below 2**160, which is 49 decimal
#   digits at most ("SAT-style" serials, the ASCII codes of 20 digits, show as those 20 digits);
MAX_SERIAL_BITS = 160
MAX_SERIAL_DIGITS = len(str(2**MAX_SERIAL_BITS - 1))  # 49
# - the holder's name (CN): SAT's names fit CFDI's 254 characters; a longer one is refused, not cut.
MAX_NOMBRE = 300

OID_COMMON_NAME = "2.5.4.3"
OID_SERIAL_NUMBER = "2.5.4.5"  # SAT puts the CURP here
OID_ORGANIZATION = "2.5.4.10"
OID_ORGANIZATIONAL_UNIT = "2.5.4.11"  # a CSD's branch name; an e.firma has none
OID_NAME = "2.5.4.41"
OID_X500_UNIQUE_IDENTIFIER = "2.5.4.45"  # SAT puts the RFC here ("RFC" or "RFC MORAL / RFC REPRESENTANTE")

OID_KEY_USAGE = "2.5.29.15"
OID_BASIC_CONSTRAINTS = "2.5.29.19"
OID_EXTENDED_KEY_USAGE = "2.5.29.37"
EKU_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"
EKU_EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4"
EKU_OCSP_SIGNING = "1.3.6.1.5.5.7.3.9"

# The bit order of KeyUsage (RFC 5280, 4.2.1.3).
KEY_USAGE_BITS = (
    "digitalSignature",
    "nonRepudiation",
    "keyEncipherment",
    "dataEncipherment",
    "keyAgreement",
    "keyCertSign",
    "cRLSign",
    "encipherOnly",
    "decipherOnly",
)

# SAT's profiles (fixtures README, "FIEL or CSD").
FIEL_KEY_USAGE = frozenset({"digitalSignature", "nonRepudiation", "dataEncipherment", "keyAgreement"})
FIEL_EXTENDED_KEY_USAGE = frozenset({EKU_EMAIL_PROTECTION, EKU_CLIENT_AUTH})
CSD_KEY_USAGE = frozenset({"digitalSignature", "nonRepudiation"})

# SAT's PKI is RSA only: its certificates are signed with RSA PKCS#1 v1.5, sha256 today and sha1 on the old CAs.
RSA_SIGNATURE_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "1.2.840.113549.1.1.5": hashes.SHA1,
    "1.2.840.113549.1.1.14": hashes.SHA224,
    "1.2.840.113549.1.1.11": hashes.SHA256,
    "1.2.840.113549.1.1.12": hashes.SHA384,
    "1.2.840.113549.1.1.13": hashes.SHA512,
}

DN_SHORT_NAMES = {
    "2.5.4.3": "CN",
    "2.5.4.5": "serialNumber",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.9": "street",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.12": "title",
    "2.5.4.16": "postalAddress",
    "2.5.4.17": "postalCode",
    "2.5.4.41": "name",
    "2.5.4.45": "x500UniqueIdentifier",
    "1.2.840.113549.1.9.1": "emailAddress",
    "1.2.840.113549.1.9.2": "unstructuredName",
}

# Messages (es-MX). Kept together so the wording stays consistent.
MSG_RFC_EMPTY = "Captura el RFC."
MSG_RFC_LENGTH = "El RFC debe tener 12 caracteres (persona moral) o 13 (persona física)."
MSG_RFC_FORMAT = "El RFC no tiene un formato válido. Revisa que esté bien escrito."
MSG_CER_EMPTY = "Selecciona el archivo del certificado (.cer)."
MSG_CER_TOO_BIG = "El archivo del certificado es demasiado grande para ser un certificado (.cer)."
MSG_CER_INVALID = "El archivo seleccionado no es un certificado (.cer) válido."
MSG_CER_IS_KEY = (
    "El archivo seleccionado como certificado es una llave privada (.key). Selecciona el certificado (.cer)."
)
MSG_CER_KEY_TYPE = "El certificado usa un tipo de llave pública que no es el de una e.firma del SAT."
MSG_CER_SERIAL = ("El número de serie del certificado no es válido: debe ser un entero positivo de 20 bytes como "
                  "máximo.")
MSG_CER_NAME = (f"El nombre del titular en el certificado no es válido: tiene caracteres de control o más de "
                f"{MAX_NOMBRE} caracteres.")
MSG_KEY_EMPTY = "Selecciona el archivo de la llave privada (.key)."
MSG_KEY_TOO_BIG = "El archivo de la llave privada es demasiado grande para ser una llave privada (.key)."
MSG_KEY_INVALID = "El archivo seleccionado no es una llave privada (.key) válida."
MSG_KEY_IS_CER = (
    "El archivo seleccionado como llave privada es un certificado (.cer). Selecciona la llave privada (.key)."
)
MSG_KEY_UNPROTECTED = (
    "La llave privada no está protegida con contraseña. Usa el archivo .key que entrega el SAT, "
    "protegido con la contraseña de tu e.firma."
)
MSG_KEY_UNSUPPORTED = (
    "La llave privada está cifrada con un método que no se admite. Usa el archivo .key que entrega el SAT."
)
MSG_KEY_MISMATCH = "La llave privada no corresponde al certificado."
MSG_PASSWORD_EMPTY = "Captura la contraseña de la llave privada."
MSG_PASSWORD_WRONG = "La contraseña de la llave privada es incorrecta."
MSG_UNTRUSTED = "El certificado no fue emitido por una autoridad certificadora de confianza del SAT."
MSG_CSD = (
    "El certificado es un Certificado de Sello Digital (CSD), no una e.firma. "
    "Usa el certificado de tu e.firma (FIEL)."
)
MSG_NOT_FIEL = "El certificado no es de una e.firma (FIEL) del SAT."
MSG_NO_RFC = "El certificado no indica el RFC de su titular; no es una e.firma del SAT."
MSG_REVOCATION_UNAVAILABLE = (
    "No fue posible consultar el estado de revocación del certificado en el SAT. Intenta más tarde."
)
MSG_REVOCATION_BAD_ANSWER = (
    "La respuesta del servicio de estado de revocación del SAT no es válida. Intenta más tarde."
)
MSG_REVOCATION_UNKNOWN = "El servicio de estado de revocación del SAT no reconoce este certificado."


class FielRechazada(Exception):
    """An e.firma refused; `field` names the form field the message belongs next to: "rfc", "cer", "key" or
    "password". `str(e)` is the Spanish message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return self.message


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


@dataclass(frozen=True)
class CaInfo:
    """A CA certificate read for the trust store (`icsoe trust add|list`)."""

    der: bytes
    subject: str  # the whole DN, readable: two SAT test CAs share a CN and differ only in streetAddress
    issuer: str
    not_before: datetime
    not_after: datetime
    fingerprint: str  # SHA-256 of the DER, lowercase hex
    self_signed: bool


def normalize_rfc(value: str) -> str:
    """The RFC as SAT writes it: no surrounding or inner spaces, no hyphens, upper case ("ñ" becomes "Ñ")."""
    return _compact(value)


def _compact(value: str) -> str:
    """Without spaces or hyphens, upper case; for RFCs and CURPs."""
    # NFC first: a "Ñ" pasted from some systems arrives as "N" plus a combining tilde.
    value = unicodedata.normalize("NFC", value or "")
    return re.sub(r"[\s\-]+", "", value).upper()


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


# A small DER walker, hand-written because a signature must be checked over the certificate's ORIGINAL
# tbsCertificate bytes and issuers matched by their exact DN bytes: pyasn1 hands back decoded values (re-encoding
# them may change non-canonical input) and `cryptography` cannot load every SAT certificate.


def _tlv(data: bytes, pos: int = 0) -> tuple[int, int, int]:
    """(tag, start of contents, end) of the DER element at `data[pos:]`; ValueError when it is malformed."""
    if pos + 2 > len(data):
        raise ValueError("truncated DER header")
    tag, length = data[pos], data[pos + 1]
    if tag & 0x1F == 0x1F:
        raise ValueError("multi-byte tags do not occur in the structures read here")
    pos += 2
    if length & 0x80:
        size = length & 0x7F
        if size == 0 or size > 4:  # indefinite length (BER only) or more than 4 GB
            raise ValueError("unsupported DER length")
        if pos + size > len(data):
            raise ValueError("truncated DER length")
        length = int.from_bytes(data[pos : pos + size], "big")
        pos += size
    end = pos + length
    if end > len(data):
        raise ValueError("DER length beyond the data")
    return tag, pos, end


def _contents(element: bytes, tag: int) -> bytes:
    """The contents of one DER element that must fill `element` and carry `tag`."""
    found, start, end = _tlv(element)
    if found != tag or end != len(element):
        raise ValueError(f"expected one DER element with tag {tag:#x}")
    return element[start:end]


def _children(element: bytes, tag: int = 0x30) -> list[bytes]:
    """The elements inside one constructed DER element (a SEQUENCE by default), each with its own header."""
    data = _contents(element, tag)
    items, pos = [], 0
    while pos < len(data):
        _, _, end = _tlv(data, pos)
        items.append(data[pos:end])
        pos = end
    return items


def _first_element(data: bytes) -> bytes:
    """The first whole DER element of `data` (a file may carry a trailing newline after it)."""
    _, _, end = _tlv(data)
    if data[end:].strip(b"\r\n\t \x00"):
        raise ValueError("data after the DER element")
    return data[:end]


# pyasn1 spends tens of microseconds on each element it decodes, so a 64 KB certificate whose name holds a thousand
# attributes (or its extensions a thousand entries) cost 150-250 ms to refuse. SAT's largest piece decoded here (an
# e.firma's subject) has about 50 elements; a piece with more is refused before pyasn1 sees it.
MAX_DER_ELEMENTS = 256


def _check_element_count(der: bytes) -> None:
    """ValueError when `der` holds more than MAX_DER_ELEMENTS elements, counted by walking the headers (each
    element is visited once, and the walk stops at the limit)."""
    count, pending = 0, [(0, len(der))]
    while pending:
        pos, end = pending.pop()
        while pos < end:
            tag, start, stop = _tlv(der, pos)
            if stop > end:
                raise ValueError("DER element beyond its parent")
            count += 1
            if count > MAX_DER_ELEMENTS:
                raise ValueError("too many DER elements")
            if tag & 0x20:  # constructed: its contents are elements too
                pending.append((start, stop))
            pos = stop


def _decode(der: bytes, spec: Any) -> Any:
    """pyasn1-decode one whole element with `spec` (at most MAX_DER_ELEMENTS of them)."""
    _check_element_count(der)
    value, rest = decoder.decode(der, asn1Spec=spec)
    if rest:
        raise ValueError("data after the ASN.1 value")
    return value


_PEM_BEGIN = b"-----BEGIN "
_PEM_END = b"-----END "
_PEM_DASHES = b"-----"
_PEM_LABEL_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ")
MAX_PEM_LABEL = 64  # RFC 7468 labels are short: "ENCRYPTED PRIVATE KEY" has 21 characters
# Candidate blocks examined per file: a .cer or .key holds one or two blocks, a CA bundle for `icsoe trust add` a few
# dozen; a file of thousands of BEGIN/END lines is not worth reading to its end.
MAX_PEM_BLOCKS = 256


@dataclass(frozen=True)
class _PemBlock:
    label: str
    text: bytes  # the whole block, BEGIN to END, for loaders that want PEM
    der: bytes | None  # None when the body has headers (Proc-Type/DEK-Info) or is not base64


def _pem_blocks(data: bytes) -> list[_PemBlock]:
    """Every PEM block in `data`, in order (at most MAX_PEM_BLOCKS candidates are examined). Unwrapped by hand
    because `cryptography`'s PEM loaders also parse what is inside, and a PEM certificate issued by AC6 is refused.

    A single forward pass, hand-written instead of the regex it replaces (BEGIN (label) … END \\1): that regex
    scanned the rest of the input again from every BEGIN without its END, so a 64 KB upload of BEGIN lines cost
    seconds (quadratic). A block is a BEGIN whose END comes before the next BEGIN, so only the last BEGIN before
    each END can start one: the scan jumps there (bytes.find/rfind, in C), reads the label in a window of
    MAX_PEM_LABEL bytes and looks for the END up to the next BEGIN. Every search starts where the previous one
    stopped, so each byte is read a bounded number of times. Blocks nested inside another block, which no tool
    writes, are read as the inner block alone."""
    blocks: list[_PemBlock] = []
    pos = 0
    for _ in range(MAX_PEM_BLOCKS):
        next_end = data.find(_PEM_END, pos)
        if next_end < 0:
            break
        begin = data.rfind(_PEM_BEGIN, pos, next_end)
        if begin < 0:
            pos = next_end + len(_PEM_END)  # an END without its BEGIN
            continue
        label_start = begin + len(_PEM_BEGIN)
        label_end = data.find(_PEM_DASHES, label_start, label_start + MAX_PEM_LABEL + len(_PEM_DASHES))
        label = data[label_start:label_end] if label_end > label_start else b""
        next_begin = data.find(_PEM_BEGIN, label_start)
        if not label or not _PEM_LABEL_BYTES.issuperset(label):
            pos = label_start
            continue
        body_start = label_end + len(_PEM_DASHES)
        end_marker = _PEM_END + label + _PEM_DASHES
        # The window reaches into the next BEGIN's leading dashes: "-----END X-----BEGIN Y-----" shares them.
        limit = len(data) if next_begin < 0 else next_begin + len(_PEM_DASHES)
        end = data.find(end_marker, body_start, limit)
        if end < 0:
            pos = label_start  # another label's END, or none before the next BEGIN: not a block
            continue
        body = data[body_start:end]
        der = None if b":" in body else _base64(body)
        blocks.append(_PemBlock(label.decode("ascii"), data[begin : end + len(end_marker)], der))
        pos = end + len(end_marker)
    return blocks


def _base64(data: bytes) -> bytes | None:
    """`data` decoded as base64 ignoring whitespace (line breaks), or None if it is not base64."""
    try:
        return base64.b64decode(b"".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def _certificate_ders(data: bytes) -> list[bytes]:
    """The DER of every certificate in `data`: DER as SAT ships it, PEM with any number of CERTIFICATE blocks
    (other blocks, like the PUBLIC KEY some tools put first, are skipped), or base64 DER on its own without the PEM
    header lines (as some tools write it)."""
    if data[:1] == b"\x30":
        return [data]
    if b"-----BEGIN" in data:
        return [b.der for b in _pem_blocks(data) if b.label in ("CERTIFICATE", "X509 CERTIFICATE") and b.der]
    der = _base64(data)
    return [der] if der and der[:1] == b"\x30" else []


def _decode_string(element: bytes) -> str:
    """A directory string by its DER tag, as SAT really encodes them."""
    tag, start, end = _tlv(element)
    raw = element[start:end]
    if tag == 0x1E:  # BMPString
        return raw.decode("utf-16-be", errors="replace")
    if tag == 0x1C:  # UniversalString
        return raw.decode("utf-32-be", errors="replace")
    # Every other tag: UTF-8, else Latin-1, whatever the tag promises. SAT writes Latin-1 into T61String
    # ("CAÑF770131PA3" has 0xD1) but UTF-8 into the T61Strings of its OCSP responder certificates and into AC6's
    # PrintableStrings. Latin-1 text is practically never valid UTF-8 (0xD1 followed by "F" is not), so trying
    # UTF-8 first tells them apart.
    try:
        return _repair_double_utf8(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _repair_double_utf8(text: str) -> str:
    """Undo UTF-8 encoded twice ("AdministraciÃ³n" → "Administración"), as in AC6's DN and the OCSP responders'.
    Safe for real text: a string that is Latin-1 and whose Latin-1 bytes are valid UTF-8 is, in practice, only
    ever mojibake; plain ASCII is left alone."""
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _read_name(element: bytes) -> tuple[tuple[str, str], ...]:
    """A DN as (OID, text) pairs in certificate order."""
    name = _decode(element, rfc5280.Name())
    return tuple(
        (str(atv["type"]), _decode_string(bytes(atv["value"]))) for rdn in name["rdnSequence"] for atv in rdn
    )


def _dn_text(attributes: Sequence[tuple[str, str]]) -> str:
    """A DN for people: "CN=AC UAT, O=…", in certificate order, as openssl prints it."""
    return ", ".join(f"{DN_SHORT_NAMES.get(oid, oid)}={value}" for oid, value in attributes)


def _read_time(time: Any) -> datetime:
    return time.getComponent().asDateTime.astimezone(UTC)


def _read_extensions(element: bytes | None) -> dict[str, bytes]:
    """extnID → extnValue bytes (the [3] EXPLICIT wrapper holds the Extensions SEQUENCE)."""
    if element is None:
        return {}
    extensions = _decode(_contents(element, 0xA3), rfc5280.Extensions())
    return {str(ext["extnID"]): bytes(ext["extnValue"]) for ext in extensions}


@dataclass(frozen=True, eq=False)
class Certificado:
    """An X.509 certificate read tolerantly (see the module docstring for why not `cryptography.x509`)."""

    der: bytes
    tbs: bytes  # the original tbsCertificate bytes, which the issuer signed
    serial_number: int
    signature_algorithm: str  # dotted OID
    signature: bytes
    issuer_dn: bytes  # exact DER of the issuer Name
    subject_dn: bytes  # exact DER of the subject Name
    issuer: tuple[tuple[str, str], ...]
    subject: tuple[tuple[str, str], ...]
    not_before: datetime  # aware, UTC
    not_after: datetime  # aware, UTC
    public_key: PublicKeyTypes
    public_key_bits: bytes  # the subjectPublicKey BIT STRING value: what OCSP's issuerKeyHash hashes
    key_usage: frozenset[str] | None  # None when the extension is absent
    extended_key_usage: frozenset[str] | None  # dotted OIDs; None when absent
    basic_constraints_ca: bool | None  # None when the extension is absent

    @classmethod
    def from_bytes(cls, data: bytes) -> Certificado:
        """The first certificate in `data` (DER, PEM or headerless base64); FielRechazada("cer") if none."""
        if not data:
            raise FielRechazada("cer", MSG_CER_EMPTY)
        if len(data) > MAX_FILE_BYTES:
            raise FielRechazada("cer", MSG_CER_TOO_BIG)
        ders = _certificate_ders(data)
        if not ders:
            raise FielRechazada("cer", MSG_CER_INVALID)
        return cls.from_der(ders[0])

    @classmethod
    def from_der(cls, data: bytes) -> Certificado:
        """Parse one DER certificate; any malformation becomes FielRechazada("cer")."""
        try:
            return cls._parse(data)
        except FielRechazada:
            raise
        except (ValueError, TypeError, IndexError, KeyError, OverflowError, RecursionError, PyAsn1Error):
            # pyasn1 and the DER walker signal malformed input with these; none of it is a certificate.
            raise FielRechazada("cer", MSG_CER_INVALID) from None

    @classmethod
    def _parse(cls, data: bytes) -> Certificado:
        der = _first_element(data)
        tbs, outer_algorithm, signature_bits = _children(der)
        fields = _children(tbs)
        if _tlv(fields[0])[0] == 0xA0:  # version [0] EXPLICIT, absent in v1 certificates
            fields = fields[1:]
        serial, inner_algorithm, issuer, validity, subject, spki = fields[:6]
        extensions = next((f for f in fields[6:] if f[0] == 0xA3), None)

        algorithm = str(_decode(outer_algorithm, rfc5280.AlgorithmIdentifier())["algorithm"])
        if str(_decode(inner_algorithm, rfc5280.AlgorithmIdentifier())["algorithm"]) != algorithm:
            raise ValueError("the two signature algorithms differ")  # RFC 5280, 4.1.1.2
        signature = _contents(signature_bits, 0x03)
        if signature[:1] != b"\x00":
            raise ValueError("signature BIT STRING with unused bits")
        key_bits = _contents(_children(spki)[1], 0x03)
        if key_bits[:1] != b"\x00":
            raise ValueError("public key BIT STRING with unused bits")
        try:
            public_key = serialization.load_der_public_key(spki)
        except (ValueError, UnsupportedAlgorithm):
            raise FielRechazada("cer", MSG_CER_KEY_TYPE) from None
        times = _decode(validity, rfc5280.Validity())
        ext = _read_extensions(extensions)
        return cls(
            der=der,
            tbs=tbs,
            serial_number=int.from_bytes(_contents(serial, 0x02), "big", signed=True),
            signature_algorithm=algorithm,
            signature=signature[1:],
            issuer_dn=issuer,
            subject_dn=subject,
            issuer=_read_name(issuer),
            subject=_read_name(subject),
            not_before=_read_time(times["notBefore"]),
            not_after=_read_time(times["notAfter"]),
            public_key=public_key,
            public_key_bits=key_bits[1:],
            key_usage=_read_key_usage(ext.get(OID_KEY_USAGE)),
            extended_key_usage=_read_extended_key_usage(ext.get(OID_EXTENDED_KEY_USAGE)),
            basic_constraints_ca=_read_basic_constraints(ext.get(OID_BASIC_CONSTRAINTS)),
        )

    def subject_value(self, oid: str) -> str | None:
        """The first subject attribute with this OID."""
        return next((value for found, value in self.subject if found == oid), None)

    @property
    def subject_text(self) -> str:
        return _dn_text(self.subject)

    @property
    def issuer_text(self) -> str:
        return _dn_text(self.issuer)

    @property
    def subject_display(self) -> str:
        """The subject's CN, or failing that its whole DN."""
        return self.subject_value(OID_COMMON_NAME) or self.subject_text

    @property
    def issuer_display(self) -> str:
        return next((value for oid, value in self.issuer if oid == OID_COMMON_NAME), None) or self.issuer_text

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.der).hexdigest()

    @property
    def sat_serial(self) -> str:
        """The serial as SAT shows it: SAT's serial integer is made of the ASCII codes of a 20-digit number."""
        if self.serial_number > 0:
            raw = self.serial_number.to_bytes((self.serial_number.bit_length() + 7) // 8, "big")
            if raw.isdigit():
                return raw.decode("ascii")
        return str(self.serial_number)  # not a SAT-style serial

    def issued_by(self, issuer: Certificado) -> bool:
        """Whether `issuer` issued this certificate: the exact issuer DN bytes and a valid signature over the
        original tbsCertificate. Never by CN: SAT's two "AC UAT" test CAs differ only in streetAddress."""
        if self.issuer_dn != issuer.subject_dn:
            return False
        hash_type = RSA_SIGNATURE_HASHES.get(self.signature_algorithm)
        if hash_type is None or not isinstance(issuer.public_key, rsa.RSAPublicKey):
            return False
        try:
            issuer.public_key.verify(self.signature, self.tbs, padding.PKCS1v15(), hash_type())
        except InvalidSignature:
            return False
        return True

    @property
    def self_issued(self) -> bool:
        """Subject and issuer are the same DN: a root. The DN, not the signature, because Banxico's 2001 root
        (ARC0) signs itself with md5WithRSA, which is not accepted for anything else here."""
        return self.subject_dn == self.issuer_dn

    @property
    def is_ca(self) -> bool:
        """Whether this may issue certificates: basicConstraints cA, or, for the oldest roots (ARC0, 2001), which
        carry no extensions at all, being a root. A keyUsage without keyCertSign (an OCSP responder) says no."""
        if self.key_usage is not None and "keyCertSign" not in self.key_usage:
            return False
        if self.basic_constraints_ca is not None:
            return self.basic_constraints_ca
        return self.self_issued


def _read_key_usage(value: bytes | None) -> frozenset[str] | None:
    if value is None:
        return None
    bits = _decode(value, rfc5280.KeyUsage())
    return frozenset(name for name, bit in zip(KEY_USAGE_BITS, bits) if bit)


def _read_extended_key_usage(value: bytes | None) -> frozenset[str] | None:
    if value is None:
        return None
    return frozenset(str(oid) for oid in _decode(value, rfc5280.ExtKeyUsageSyntax()))


def _read_basic_constraints(value: bytes | None) -> bool | None:
    if value is None:
        return None
    return bool(_decode(value, rfc5280.BasicConstraints())["cA"])


def _read_certificate(data: bytes) -> Certificado:
    """The uploaded certificate, with a specific message when the .key was chosen instead."""
    try:
        return Certificado.from_bytes(data)
    except FielRechazada:
        if data and len(data) <= MAX_FILE_BYTES and _is_private_key(data):
            raise FielRechazada("cer", MSG_CER_IS_KEY) from None
        raise


class TrustStore:
    """The CA certificates the operator trusts. Each one is a trust anchor: a certificate is trusted when one of
    them issued it directly, so an intermediate such as SAT's AC5 is enough without its root."""

    def __init__(self, ders: Iterable[bytes]) -> None:
        self._by_subject: dict[bytes, list[Certificado]] = {}
        for der in ders:
            try:
                ca = Certificado.from_der(der)
            except FielRechazada:
                raise ValueError("An entry of the trust store is not a readable certificate.") from None
            if not ca.is_ca:
                raise ValueError(f"Not a CA certificate, so not a trust anchor: {ca.subject_text}")
            self._by_subject.setdefault(ca.subject_dn, []).append(ca)

    def __len__(self) -> int:
        return sum(len(cas) for cas in self._by_subject.values())

    def __iter__(self) -> Iterator[Certificado]:
        return (ca for cas in self._by_subject.values() for ca in cas)

    def issuer_of(self, cert: Certificado) -> Certificado | None:
        """The trusted CA that issued `cert`, or None. Two CAs may share a DN (a renewed key); the signature
        decides."""
        return next((ca for ca in self._by_subject.get(cert.issuer_dn, ()) if cert.issued_by(ca)), None)


def _is_certificate(data: bytes) -> bool:
    try:
        Certificado.from_bytes(data)
    except FielRechazada:
        return False
    return True


def _is_private_key(data: bytes) -> bool:
    """Whether `data` holds a private key, protected or not."""
    try:
        _, payload, loader = _key_payload(data)
        loader(payload, None)
    except TypeError:  # `cryptography`'s documented answer for an encrypted key loaded without a password
        return True
    except (FielRechazada, ValueError, UnsupportedAlgorithm):
        return False
    return True


def _key_payload(data: bytes) -> tuple[bytes | None, bytes, Callable[..., PrivateKeyTypes]]:
    """(DER when known, what to give the loader, the loader) for SAT's DER key, a PEM key file (the first
    "… PRIVATE KEY" block; openssl's "RSA PRIVATE KEY" with DEK-Info only makes sense as PEM text) or base64 DER.
    """
    if b"-----BEGIN" in data:
        block = next((b for b in _pem_blocks(data) if b.label.endswith("PRIVATE KEY")), None)
        if block is None:
            raise FielRechazada("key", MSG_KEY_INVALID)
        return block.der, block.text, serialization.load_pem_private_key
    der = data if data[:1] == b"\x30" else _base64(data)
    if not der:
        raise FielRechazada("key", MSG_KEY_INVALID)
    return der, der, serialization.load_der_private_key


def _check_key_encryption_cost(der: bytes | None) -> None:
    """Refuse an encrypted PKCS#8 key whose key derivation would take absurdly long (see MAX_KDF_ITERATIONS)."""
    if der is None:
        return
    try:
        info = _decode(der, rfc5208.EncryptedPrivateKeyInfo())
        algorithm = info["encryptionAlgorithm"]
        oid = str(algorithm["algorithm"])
        params = bytes(algorithm["parameters"]) if algorithm["parameters"].hasValue() else b""
        if oid == str(rfc8018.id_PBES2):  # SAT's: PBES2 with PBKDF2 and DES-EDE3-CBC
            kdf = _decode(params, rfc8018.PBES2_params())["keyDerivationFunc"]
            if str(kdf["algorithm"]) != str(rfc8018.id_PBKDF2):
                raise FielRechazada("key", MSG_KEY_UNSUPPORTED)  # scrypt's cost could not be bounded the same way
            iterations = int(_decode(bytes(kdf["parameters"]), rfc8018.PBKDF2_params())["iterationCount"])
        elif oid.startswith(("1.2.840.113549.1.5.", "1.2.840.113549.1.12.1.")):
            # PBES1 and PKCS#12 PBE: parameters are SEQUENCE { salt, iterationCount }.
            _check_element_count(params)
            iterations = int(decoder.decode(params)[0][1])
        else:
            return  # `cryptography` refuses what it does not know
    except (ValueError, TypeError, IndexError, KeyError, OverflowError, RecursionError, PyAsn1Error):
        return  # not PKCS#8 as we know it: `cryptography` decides below
    if iterations > MAX_KDF_ITERATIONS:
        raise FielRechazada("key", MSG_KEY_UNSUPPORTED)


def _password_candidates(password: str) -> list[bytes]:
    """UTF-8 first; then Latin-1, because a password with "ñ" or accents set in SAT's Windows tools may have been
    turned into Latin-1 bytes when the key was encrypted."""
    candidates = [password.encode("utf-8")]
    try:
        latin1 = password.encode("latin-1")
    except UnicodeEncodeError:
        return candidates
    if latin1 != candidates[0]:
        candidates.append(latin1)
    return candidates


@dataclass(frozen=True)
class _EncryptedKey:
    """A password-protected key file, read but not opened."""

    payload: bytes  # what to give the loader with the password
    loader: Callable[..., PrivateKeyTypes]


def _read_private_key(data: bytes) -> _EncryptedKey:
    """SAT's password-protected key (encrypted PKCS#8 DER, its PEM form, or openssl's "RSA PRIVATE KEY" with
    DEK-Info), read without its password. An unprotected key is refused: ingress must prove the password
    (decisions.md, 8); so is a key whose derivation would cost too much (MAX_KDF_ITERATIONS)."""
    if not data:
        raise FielRechazada("key", MSG_KEY_EMPTY)
    if len(data) > MAX_FILE_BYTES:
        raise FielRechazada("key", MSG_KEY_TOO_BIG)
    try:
        der, payload, loader = _key_payload(data)
        loader(payload, None)
    except TypeError:
        pass  # encrypted, as it must be
    except (FielRechazada, ValueError, UnsupportedAlgorithm):
        message = MSG_KEY_IS_CER if _is_certificate(data) else MSG_KEY_INVALID
        raise FielRechazada("key", message) from None
    else:
        raise FielRechazada("key", MSG_KEY_UNPROTECTED)
    _check_key_encryption_cost(der)
    return _EncryptedKey(payload, loader)


def _open_private_key(key: _EncryptedKey, password: str) -> PrivateKeyTypes:
    """The private key, opened with `password` (UTF-8, else Latin-1); FielRechazada("password") when it does not
    open it."""
    for secret in _password_candidates(password):
        try:
            # RSA key validation (about 20 ms, half of a Validar) is skipped: _check_key_matches() signs and verifies
            # a challenge with this key, which a damaged key fails, and that signature never leaves the process.
            return key.loader(key.payload, secret, unsafe_skip_rsa_key_validation=True)
        except ValueError:
            continue  # wrong password (the structure was already read without one)
        except (TypeError, UnsupportedAlgorithm):
            raise FielRechazada("key", MSG_KEY_UNSUPPORTED) from None
    raise FielRechazada("password", MSG_PASSWORD_WRONG)


def _check_key_matches(private_key: PrivateKeyTypes, cert: Certificado) -> None:
    """Prove possession: sign a fresh random challenge and verify it with the certificate's public key (stronger
    than comparing moduli: it also catches a damaged key)."""
    public_key = cert.public_key
    if not isinstance(private_key, rsa.RSAPrivateKey) or not isinstance(public_key, rsa.RSAPublicKey):
        raise FielRechazada("key", MSG_KEY_MISMATCH)  # SAT's keys are RSA; anything else cannot be its pair
    # Compare the public halves first: signing is the costly step, and an uploaded key may be any size (a
    # 16,384-bit key takes half a second to sign with), while a key that matches is the certificate's own.
    if private_key.public_key().public_numbers() != public_key.public_numbers():
        raise FielRechazada("key", MSG_KEY_MISMATCH)
    challenge = os.urandom(32)
    try:
        signature = private_key.sign(challenge, padding.PKCS1v15(), hashes.SHA256())
        public_key.verify(signature, challenge, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        raise FielRechazada("key", MSG_KEY_MISMATCH) from None


def _check_profile(cert: Certificado) -> None:
    """An e.firma, per SAT's profile: its key usages and extended key usages decide, and the OU is the second
    witness (an e.firma has none, a CSD names its branch there); both must agree for an e.firma."""
    key_usage = cert.key_usage or frozenset()
    extended = cert.extended_key_usage or frozenset()
    has_ou = cert.subject_value(OID_ORGANIZATIONAL_UNIT) is not None
    if FIEL_KEY_USAGE <= key_usage and FIEL_EXTENDED_KEY_USAGE <= extended and not has_ou:
        return
    csd_usages = key_usage == CSD_KEY_USAGE and not extended
    if csd_usages or (has_ou and not FIEL_KEY_USAGE <= key_usage):
        raise FielRechazada("cer", MSG_CSD)
    raise FielRechazada("cer", MSG_NOT_FIEL)


def _fecha(moment: datetime) -> str:
    """A date as people in Mexico write it (dd/mm/aaaa), in UTC like the certificate."""
    return moment.astimezone(UTC).strftime("%d/%m/%Y")


def _check_dates(cert: Certificado, issuer: Certificado, now: datetime) -> None:
    """The certificate, then the CA that issued it, valid at `now`. The CA is checked too because SAT's test CA
    AC_4096_2018 expired (2022-02-23) before the e.firmas it issued (2023)."""
    if now < cert.not_before:
        raise FielRechazada("cer", f"El certificado será válido a partir del {_fecha(cert.not_before)}.")
    if now > cert.not_after:
        raise FielRechazada("cer", f"El certificado venció el {_fecha(cert.not_after)}.")
    if now < issuer.not_before:
        raise FielRechazada(
            "cer",
            f"La autoridad certificadora que emitió el certificado ({issuer.subject_display}) será válida "
            f"a partir del {_fecha(issuer.not_before)}.",
        )
    if now > issuer.not_after:
        raise FielRechazada(
            "cer",
            f"El certificado de la autoridad certificadora que lo emitió ({issuer.subject_display}) venció "
            f"el {_fecha(issuer.not_after)}.",
        )


def _firma(cert: Certificado, issuer: Certificado) -> Firma:
    """What the certificate says about its holder. SAT writes "RFC" (física) or "RFC MORAL / RFC REPRESENTANTE"
    (moral) in x500UniqueIdentifier, and "CURP" or " / CURP DEL REPRESENTANTE" in serialNumber."""
    own_rfc, _, representative_rfc = (cert.subject_value(OID_X500_UNIQUE_IDENTIFIER) or "").partition("/")
    holder, representative = _compact(own_rfc), _compact(representative_rfc)
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
) -> Firma:
    """Check an e.firma for ingress (see the module docstring for the order). `trust` holds the CA certificates
    (any of them is a trust anchor); `now` must be timezone-aware; `revocation(cert_der, issuer_der)`, if given,
    raises FielRechazada("cer", …) for a revoked certificate. Nothing of the private key is kept.

    A certificate that no trusted CA issued is refused before the key's password is tried, and
    `antes_de_la_contrasena(cert)` runs between the two (the caller counts password attempts against that
    trusted certificate there, and may raise to stop)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    store = trust if isinstance(trust, TrustStore) else TrustStore(trust)

    typed_rfc = _check_rfc(rfc)
    cert = _read_certificate(cer)
    encrypted_key = _read_private_key(key)
    if not password:
        raise FielRechazada("password", MSG_PASSWORD_EMPTY)
    issuer = store.issuer_of(cert)
    if issuer is None:
        raise FielRechazada("cer", MSG_UNTRUSTED)
    if antes_de_la_contrasena is not None:
        antes_de_la_contrasena(cert)
    _check_key_matches(_open_private_key(encrypted_key, password), cert)
    _check_profile(cert)
    _check_dates(cert, issuer, now)
    firma = _firma(cert, issuer)
    _check_rfc_matches(typed_rfc, firma)
    if revocation is not None:
        revocation(cert.der, issuer.der)
    return firma


# What `icsoe trust add` reads of a ZIP, whatever the archive declares (a ZIP's sizes are the sender's word):
MAX_ZIP_ENTRY_BYTES = 1024 * 1024  # of one entry: a CA certificate is a few KB, a PEM bundle or a zipped ZIP tens
MAX_ZIP_TOTAL_BYTES = 20 * 1024 * 1024  # decompressed from one file, nested ZIPs included (SAT's bundle: tens of KB)
MAX_ZIP_ENTRIES = 1000  # per archive (SAT's bundle holds a few dozen certificates)
MAX_ZIP_DEPTH = 1  # a ZIP inside the ZIP is opened (Cert_Prod.zip zipped again); one inside that is not
MAX_SKIPPED_LOGGED = 20


def _files(
    data: bytes, filename: str, skipped: list[str], depth: int = 0, budget: list[int] | None = None
) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of `data`, or of every file in it when it is a ZIP (SAT's Cert_Prod.zip), one nested ZIP deep.
    What is left out is appended to `skipped`, with the reason in Spanish.

    Bounded by what is really read, never by the sizes the archive declares: each entry is decompressed up to
    MAX_ZIP_ENTRY_BYTES and one byte more, and `budget` (one list shared down the nesting) counts what is left of
    MAX_ZIP_TOTAL_BYTES for the whole file, so a ZIP bomb costs a bounded amount of work."""
    if not data.startswith(b"PK\x03\x04"):
        yield filename, data
        return
    label = filename or "ZIP"
    if depth > MAX_ZIP_DEPTH:
        skipped.append(f"{label}: es un ZIP dentro de un ZIP dentro de otro; solo se abre un ZIP anidado")
        return
    if budget is None:
        budget = [MAX_ZIP_TOTAL_BYTES]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        yield filename, data
        return
    if len(entries) > MAX_ZIP_ENTRIES:
        skipped.append(f"{label}: tiene {len(entries)} archivos; solo se leyeron los primeros {MAX_ZIP_ENTRIES}")
        entries = entries[:MAX_ZIP_ENTRIES]
    for info in entries:
        name = f"{filename}/{info.filename}" if filename else info.filename
        limit = min(MAX_ZIP_ENTRY_BYTES, budget[0])
        try:
            with archive.open(info) as stream:
                content = stream.read(limit + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError, zlib.error):
            # RuntimeError: a password-protected entry
            skipped.append(f"{name}: no se pudo leer del ZIP (dañado o protegido con contraseña)")
            continue
        budget[0] -= len(content)
        if len(content) > limit and limit < MAX_ZIP_ENTRY_BYTES:
            skipped.append(f"{name} y lo que sigue: no se leyeron; lo descomprimido del archivo pasa de "
                           f"{MAX_ZIP_TOTAL_BYTES // (1024 * 1024)} MB")
            budget[0] = 0
            return
        if len(content) > limit:
            skipped.append(f"{name}: pasa de {MAX_ZIP_ENTRY_BYTES // 1024} KB descomprimido; no es un certificado")
            continue
        yield from _files(content, name, skipped, depth + 1, budget)


def read_ca_certificates(data: bytes, filename: str = "") -> list[CaInfo]:
    """The CA certificates in a DER certificate, a PEM file with one or more, or a ZIP of them (like SAT's
    Cert_Prod.zip). Entries that are not certificates, and certificates that are not CAs (an e.firma, SAT's OCSP
    responder certificates) are skipped and logged. ValueError when no CA certificate is found."""
    found: dict[str, CaInfo] = {}
    skipped: list[str] = []
    for name, content in _files(data, filename, skipped):
        for der in _certificate_ders(content) if content else []:
            try:
                cert = Certificado.from_der(der)
            except FielRechazada:
                skipped.append(f"{name or 'certificado'}: no es un certificado legible")
                continue
            if not cert.is_ca:
                skipped.append(
                    f"{name or 'certificado'}: no es de una autoridad certificadora ({cert.subject_text})"
                )
                continue
            found.setdefault(
                cert.fingerprint,
                CaInfo(
                    der=cert.der,
                    subject=cert.subject_text,
                    issuer=cert.issuer_text,
                    not_before=cert.not_before,
                    not_after=cert.not_after,
                    fingerprint=cert.fingerprint,
                    self_signed=cert.self_issued,
                ),
            )
    for reason in skipped[:MAX_SKIPPED_LOGGED]:
        log.info("skipped %s", reason)
    if len(skipped) > MAX_SKIPPED_LOGGED:
        log.info("skipped %d more", len(skipped) - MAX_SKIPPED_LOGGED)
    if not found:
        detail = f" ({'; '.join(skipped[:5])})" if skipped else ""
        raise ValueError(
            f"No se encontró ningún certificado de autoridad certificadora en {filename or 'el archivo'}{detail}."
        )
    return list(found.values())


OCSP_CLOCK_SKEW = timedelta(minutes=5)
MAX_OCSP_RESPONSE_BYTES = 1024 * 1024


class OcspRevocation:
    """Ask an OCSP responder (RFC 6960) whether a certificate was revoked; pass an instance as `verify`'s
    `revocation`. Fails closed: an unreachable responder or an answer that cannot be trusted refuses the e.firma
    with a "try later" message. Off by default in the app.

    Known limit: `cryptography` parses the OCSP response, so a response carrying a responder certificate whose
    names `cryptography` refuses (one issued by AC6) reads as an invalid answer."""

    def __init__(self, url: str, timeout: float = 10.0, *, clock: Callable[[], datetime] | None = None) -> None:
        if not url.lower().startswith(("http://", "https://")):
            raise ValueError("The OCSP responder URL must be http:// or https://")
        self.url = url
        self.timeout = timeout
        self._clock = clock or (lambda: datetime.now(UTC))

    def __call__(self, cert_der: bytes, issuer_der: bytes) -> None:
        cert = Certificado.from_der(cert_der)
        issuer = Certificado.from_der(issuer_der)
        # By hash rather than add_certificate(): `cryptography` cannot load certificates issued by AC6.
        name_hash = hashlib.sha1(issuer.subject_dn).digest()
        key_hash = hashlib.sha1(issuer.public_key_bits).digest()
        nonce = os.urandom(16)
        request = (
            ocsp.OCSPRequestBuilder()
            .add_certificate_by_hash(name_hash, key_hash, cert.serial_number, hashes.SHA1())
            .add_extension(x509.OCSPNonce(nonce), critical=False)
            .build()
            .public_bytes(serialization.Encoding.DER)
        )
        answer = self._post(request)
        try:
            self._check(answer, cert, issuer, nonce)
        except (ValueError, UnsupportedAlgorithm):  # `cryptography` could not read the answer
            raise FielRechazada("cer", MSG_REVOCATION_BAD_ANSWER) from None

    def _check(self, answer: bytes, cert: Certificado, issuer: Certificado, nonce: bytes) -> None:
        """Read the responder's answer; raise FielRechazada unless it says, trustworthily, that `cert` is good."""
        response = ocsp.load_der_ocsp_response(answer)
        if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
            raise FielRechazada("cer", MSG_REVOCATION_UNAVAILABLE)  # tryLater, internalError, …
        self._check_signature(response, issuer)
        self._check_nonce(response, nonce)
        single = next(
            (
                r
                for r in response.responses
                if r.serial_number == cert.serial_number
                and r.issuer_key_hash == _digest(r.hash_algorithm, issuer.public_key_bits)
                and r.issuer_name_hash == _digest(r.hash_algorithm, issuer.subject_dn)
            ),
            None,
        )
        if single is None:
            raise FielRechazada("cer", MSG_REVOCATION_BAD_ANSWER)
        now = self._clock()
        if single.this_update_utc > now + OCSP_CLOCK_SKEW or (
            single.next_update_utc is not None and single.next_update_utc < now - OCSP_CLOCK_SKEW
        ):
            raise FielRechazada("cer", MSG_REVOCATION_BAD_ANSWER)  # from the future, or stale
        if single.certificate_status == ocsp.OCSPCertStatus.REVOKED:
            when = single.revocation_time_utc
            date = f" el {_fecha(when)}" if when else ""
            raise FielRechazada("cer", f"El certificado fue revocado{date}. Tramita una nueva e.firma en el SAT.")
        if single.certificate_status == ocsp.OCSPCertStatus.UNKNOWN:
            raise FielRechazada("cer", MSG_REVOCATION_UNKNOWN)

    def _post(self, request: bytes) -> bytes:
        http_request = urllib.request.Request(
            self.url,
            data=request,
            headers={"Content-Type": "application/ocsp-request", "Accept": "application/ocsp-response"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(http_request, timeout=self.timeout) as answer:
                body = answer.read(MAX_OCSP_RESPONSE_BYTES + 1)
        except (urllib.error.URLError, HTTPException, OSError, ValueError):
            # URLError covers refused connections and HTTP errors; OSError timeouts and resets.
            log.warning("OCSP responder %s unreachable", self.url, exc_info=True)
            raise FielRechazada("cer", MSG_REVOCATION_UNAVAILABLE) from None
        if len(body) > MAX_OCSP_RESPONSE_BYTES:
            raise FielRechazada("cer", MSG_REVOCATION_BAD_ANSWER)
        return body

    def _check_signature(self, response: ocsp.OCSPResponse, issuer: Certificado) -> None:
        """The response is signed by the CA itself or by a responder certificate that the CA issued for OCSP
        signing (RFC 6960, 4.2.2.2)."""
        signer = self._signer_key(response, issuer)
        hash_algorithm = response.signature_hash_algorithm
        if not isinstance(signer, rsa.RSAPublicKey) or hash_algorithm is None:
            raise FielRechazada("cer", MSG_REVOCATION_BAD_ANSWER)
        try:
            signer.verify(response.signature, response.tbs_response_bytes, padding.PKCS1v15(), hash_algorithm)
        except InvalidSignature:
            raise FielRechazada("cer", MSG_REVOCATION_BAD_ANSWER) from None

    def _signer_key(self, response: ocsp.OCSPResponse, issuer: Certificado) -> PublicKeyTypes:
        if _responder_is(response, issuer.subject_dn, issuer.public_key_bits):
            return issuer.public_key
        now = self._clock()
        for candidate in response.certificates:
            try:
                responder = Certificado.from_der(candidate.public_bytes(serialization.Encoding.DER))
            except FielRechazada:
                continue
            if (
                _responder_is(response, responder.subject_dn, responder.public_key_bits)
                and responder.issued_by(issuer)
                and EKU_OCSP_SIGNING in (responder.extended_key_usage or ())
                and responder.not_before <= now <= responder.not_after
            ):
                return responder.public_key
        raise FielRechazada("cer", MSG_REVOCATION_BAD_ANSWER)

    @staticmethod
    def _check_nonce(response: ocsp.OCSPResponse, nonce: bytes) -> None:
        """A responder may ignore the nonce (many do, using pre-signed answers); if it echoes one, it must be ours."""
        try:
            echoed = response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
        except x509.ExtensionNotFound:
            return
        if echoed != nonce:
            raise FielRechazada("cer", MSG_REVOCATION_BAD_ANSWER)


def _digest(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    digest = hashes.Hash(algorithm)
    digest.update(data)
    return digest.finalize()


def _responder_is(response: ocsp.OCSPResponse, subject_dn: bytes, key_bits: bytes) -> bool:
    """Whether the response's ResponderID (by name or by key hash) names this certificate."""
    if response.responder_key_hash is not None:
        return response.responder_key_hash == hashlib.sha1(key_bits).digest()
    name = response.responder_name
    return name is not None and name.public_bytes() == subject_dn
