"""The certificate: `Certificado`, read tolerantly, its names, key usages and extensions, and the checks that need
only it and its issuer (SAT's e.firma profile, the dates).

Certificates are parsed by hand (der.py's walker, which slices the original bytes, plus pyasn1-modules for the
pieces) rather than with `cryptography.x509`, because `cryptography` refuses every certificate issued by SAT's
AC6 (its DN holds UTF-8 in a PrintableString) and raises on `.subject` for names in T61String/Latin-1 (the "Ñ"
in SAT's certificates). `cryptography` does everything else: keys, signatures, PKCS#8, OCSP. See
the SAT fixtures README (`shared/fixtures/sat/README.md`), "Known parser traps".
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from pyasn1.error import PyAsn1Error
from pyasn1_modules import rfc5280

from .der import _certificate_ders, _children, _contents, _decode, _first_element, _tlv
from .limites import MAX_FILE_BYTES
from .mensajes import (
    MSG_CER_EMPTY,
    MSG_CER_INVALID,
    MSG_CER_KEY_TYPE,
    MSG_CER_TOO_BIG,
    MSG_CSD,
    MSG_NOT_FIEL,
    FielRechazada,
    _fecha,
    _momento,
)

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


def _is_certificate(data: bytes) -> bool:
    try:
        Certificado.from_bytes(data)
    except FielRechazada:
        return False
    return True


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


def _check_dates(cert: Certificado, issuer: Certificado, now: datetime) -> None:
    """The certificate, then the CA that issued it, valid at `now`. The CA is checked too because SAT's test CA
    AC_4096_2018 expired (2022-02-23) before the e.firmas it issued (2023)."""
    if now < cert.not_before:
        raise FielRechazada("cer", f"El certificado será válido a partir del {_momento(cert.not_before)}.")
    if now > cert.not_after:
        raise FielRechazada("cer", f"El certificado venció el {_fecha(cert.not_after)}.")
    if now < issuer.not_before:
        raise FielRechazada(
            "cer",
            f"La autoridad certificadora que emitió el certificado ({issuer.subject_display}) será válida "
            f"a partir del {_momento(issuer.not_before)}.",
        )
    if now > issuer.not_after:
        raise FielRechazada(
            "cer",
            f"El certificado de la autoridad certificadora que lo emitió ({issuer.subject_display}) venció "
            f"el {_fecha(issuer.not_after)}.",
        )
