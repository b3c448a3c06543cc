"""Demo and test e.firmas: a demo CA and certificates with SAT's profiles (FIEL and CSD).

`icsoe init --demo` writes demo sets with `write_demo_sets` so the portal can be tried without SAT credentials,
and the tests make every bad case with `make_efirma`. Nothing here is from SAT or valid before it: the demo CA
is trusted only by an instance that was told to trust it.

The certificates copy what SAT issues (see `shared/fixtures/sat/README.md`, the SAT fixtures README):

* subject CN = name = O = the holder's name, C = MX, emailAddress, x500UniqueIdentifier (2.5.4.45) = "RFC"
  (persona física) or "RFC / RFC DEL REPRESENTANTE" (moral), serialNumber (2.5.4.5) = "CURP" (física) or
  " / CURP DEL REPRESENTANTE" (moral); a CSD adds OU = the branch name;
* FIEL: keyUsage digitalSignature, nonRepudiation, dataEncipherment, keyAgreement + extendedKeyUsage
  emailProtection, clientAuth; CSD: keyUsage digitalSignature, nonRepudiation and no extendedKeyUsage;
* the serial number is the ASCII codes of a 20-digit number, as SAT's;
* the private key is an encrypted PKCS#8 DER file, as SAT's .key.
"""

from __future__ import annotations

import secrets
import textwrap
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from pyasn1.codec.der import decoder, encoder
from pyasn1.type import char, univ
from pyasn1_modules import rfc5280

__all__ = ["DEMO_PASSWORD", "DemoCA", "DemoEfirma", "DemoSet", "make_ca", "make_efirma", "write_demo_sets"]

DEMO_PASSWORD = "12345678a"  # the same as SAT's test sets, so one password opens every demo and test key

NAME_OID = ObjectIdentifier("2.5.4.41")  # X.520 "name"; SAT repeats the holder's name there
DEMO_EMAIL = "efirma.demo@icsoe.invalid"
PRINTABLE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?")

# Demo holders. The RFCs and CURPs are fictitious but well formed, check digits included.
EMPRESA_RFC = "EDE150310AB0"
EMPRESA_NOMBRE = "EMPRESA DEMOSTRACIÓN SA DE CV"
REPRESENTANTE_RFC = "PEGJ800927H29"
REPRESENTANTE_CURP = "PEGJ800927HDFRMN05"
REPRESENTANTE_NOMBRE = "JUAN PÉREZ GÓMEZ"
FISICA_RFC = "PEÑM850315QX4"  # "Ñ" in the RFC, like SAT's test RFC CAÑF770131PA3
FISICA_CURP = "PEXM850315MDFXXR08"  # a CURP writes "Ñ" as "X"
FISICA_NOMBRE = "MARÍA PEÑA ÑÚÑEZ"


@dataclass(frozen=True)
class DemoCA:
    """A demo certification authority. Its key stays in memory: `write_demo_sets` does not write it."""

    cert_der: bytes
    key: rsa.RSAPrivateKey
    subject: str  # RFC 4514 text of its DN
    common_name: str

    @property
    def cert(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.cert_der)


@dataclass(frozen=True)
class DemoEfirma:
    """A demo e.firma: the certificate, SAT's kind of encrypted key file, and its password."""

    cer_der: bytes
    key_der: bytes  # encrypted PKCS#8 DER, as SAT's .key
    password: str
    private_key: rsa.RSAPrivateKey

    @property
    def cert(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.cer_der)


@dataclass(frozen=True)
class DemoSet:
    """What a demo folder holds and demonstrates on the e.firma page."""

    name: str  # sub-folder name
    rfc: str  # the RFC to type with it
    description: str  # in Spanish, what it demonstrates
    refused_field: str | None  # None when the page accepts it; else the field the refusal is shown next to

    @property
    def accepted(self) -> bool:
        return self.refused_field is None


def make_ca(
    common_name: str = "AC DEMO ICSOE (no es del SAT)", *, now: datetime, years: int = 10, key_size: int = 2048
) -> DemoCA:
    """A self-signed demo CA, valid from five years before `now` (so an expired demo e.firma still falls inside
    its life) until `years` after it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ICSOE, DEMOSTRACIÓN"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Solo para pruebas; no es del SAT"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "MX"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(_sat_style_serial())
        .not_valid_before(now - timedelta(days=5 * 365))
        .not_valid_after(now + timedelta(days=years * 365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,  # it also signs the demo OCSP answers
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return DemoCA(cert.public_bytes(serialization.Encoding.DER), key, name.rfc4514_string(), common_name)


def make_efirma(
    ca: DemoCA,
    *,
    rfc: str,
    nombre: str,
    persona: str = "moral",
    curp: str | None = None,
    representante_rfc: str | None = None,
    tipo: str = "fiel",
    not_before: datetime,
    not_after: datetime,
    password: str = DEMO_PASSWORD,
    t61_names: bool = False,
    key_size: int = 2048,
    sucursal: str = "Sucursal 1",
    serial: int | None = None,
) -> DemoEfirma:
    """A certificate and key like SAT's: `tipo` "fiel" (e.firma) or "csd" (sello digital, with `sucursal` as
    its OU); `persona` "moral" (12-character RFC; `curp` and `representante_rfc` are the legal representative's)
    or "fisica" (13 characters; `curp` is the holder's). `t61_names` writes the name and RFC as T61String in
    Latin-1, as SAT does for names with "Ñ" or "&", the case that makes `cryptography`'s `.subject` raise.
    `serial` replaces SAT's style of serial with any integer, up to the 20 bytes (160 bits) RFC 5280 allows, which
    `cryptography` itself refuses to write beyond 159 bits."""
    if persona not in ("moral", "fisica"):
        raise ValueError("persona must be 'moral' or 'fisica'")
    if tipo not in ("fiel", "csd"):
        raise ValueError("tipo must be 'fiel' or 'csd'")
    if len(rfc) != (12 if persona == "moral" else 13):
        raise ValueError("a persona moral has a 12-character RFC and a persona física a 13-character one")

    if persona == "moral":
        unique = f"{rfc} / {representante_rfc}" if representante_rfc else rfc
        serial_attr = f" / {curp}" if curp else ""
    else:
        unique, serial_attr = rfc, curp or ""
    attributes = [
        _attribute(NameOID.COMMON_NAME, nombre),
        _attribute(NAME_OID, nombre),
        _attribute(NameOID.ORGANIZATION_NAME, nombre),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "MX"),
        x509.NameAttribute(NameOID.EMAIL_ADDRESS, DEMO_EMAIL),
        _attribute(NameOID.X500_UNIQUE_IDENTIFIER, unique),
    ]
    if serial_attr:
        attributes.append(_attribute(NameOID.SERIAL_NUMBER, serial_attr))
    if tipo == "csd":
        attributes.append(_attribute(NameOID.ORGANIZATIONAL_UNIT_NAME, sucursal))

    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    fiel = tipo == "fiel"
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(serial if serial is not None and 0 < serial < 2**159 else _sat_style_serial())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=fiel,
                key_agreement=fiel,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if fiel:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
    cer_der = builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    if t61_names:
        names = {NameOID.COMMON_NAME: nombre, NAME_OID: nombre, NameOID.ORGANIZATION_NAME: nombre}
        names[NameOID.X500_UNIQUE_IDENTIFIER] = unique
        cer_der = _resigned(cer_der, ca.key, texts={oid.dotted_string: text for oid, text in names.items()})
    if serial is not None and not 0 < serial < 2**159:
        cer_der = _resigned(cer_der, ca.key, serial=serial)
    key_der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password.encode("utf-8")),
    )
    return DemoEfirma(cer_der, key_der, password, key)


def write_demo_sets(folder: Path, *, now: datetime) -> list[DemoSet]:
    """Write `folder/ca.cer` (the demo CA to trust), one sub-folder per demo e.firma with certificate.cer,
    private_key.key and password.txt (no newline), and README.txt in Spanish. Returns what each set shows."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ca = make_ca(now=now)
    start, end = now - timedelta(days=1), now - timedelta(days=1) + timedelta(days=4 * 365)
    moral = {
        "rfc": EMPRESA_RFC,
        "nombre": EMPRESA_NOMBRE,
        "persona": "moral",
        "curp": REPRESENTANTE_CURP,
        "representante_rfc": REPRESENTANTE_RFC,
    }
    sets: list[tuple[DemoSet, DemoEfirma]] = [
        (
            DemoSet(
                "fiel_persona_moral",
                EMPRESA_RFC,
                f"e.firma vigente de la persona moral {EMPRESA_NOMBRE}. Se acepta con el RFC {EMPRESA_RFC}. "
                f"Con el RFC de su representante legal ({REPRESENTANTE_RFC}) se rechaza.",
                None,
            ),
            make_efirma(ca, **moral, not_before=start, not_after=end),
        ),
        (
            DemoSet(
                "fiel_persona_fisica",
                FISICA_RFC,
                f"e.firma vigente de la persona física {FISICA_NOMBRE}, con «Ñ» en el nombre y en el RFC, "
                "escritos en T61String/Latin-1 como lo hace el SAT. Se acepta.",
                None,
            ),
            make_efirma(
                ca,
                rfc=FISICA_RFC,
                nombre=FISICA_NOMBRE,
                persona="fisica",
                curp=FISICA_CURP,
                not_before=start,
                not_after=end,
                t61_names=True,
            ),
        ),
        (
            DemoSet(
                "fiel_representante_legal",
                EMPRESA_RFC,
                f"e.firma vigente de {REPRESENTANTE_NOMBRE}, persona física y representante legal de "
                f"{EMPRESA_NOMBRE}. Con el RFC de la persona moral ({EMPRESA_RFC}) se rechaza: una persona "
                f"moral ingresa con su propia e.firma. Con su propio RFC ({REPRESENTANTE_RFC}) se acepta como "
                "persona física.",
                "rfc",
            ),
            make_efirma(
                ca,
                rfc=REPRESENTANTE_RFC,
                nombre=REPRESENTANTE_NOMBRE,
                persona="fisica",
                curp=REPRESENTANTE_CURP,
                not_before=start,
                not_after=end,
            ),
        ),
        (
            DemoSet(
                "csd_persona_moral",
                EMPRESA_RFC,
                f"Certificado de Sello Digital (CSD) de {EMPRESA_NOMBRE}, no una e.firma: se rechaza.",
                "cer",
            ),
            make_efirma(ca, **moral, tipo="csd", sucursal="Matriz", not_before=start, not_after=end),
        ),
        (
            DemoSet(
                "fiel_vencida",
                EMPRESA_RFC,
                f"e.firma anterior de {EMPRESA_NOMBRE}, vencida hace 30 días: se rechaza.",
                "cer",
            ),
            make_efirma(
                ca,
                **moral,
                not_before=now - timedelta(days=30 + 4 * 365),
                not_after=now - timedelta(days=30),
            ),
        ),
    ]

    (folder / "ca.cer").write_bytes(ca.cert_der)
    for demo_set, efirma in sets:
        target = folder / demo_set.name
        target.mkdir(exist_ok=True)
        (target / "certificate.cer").write_bytes(efirma.cer_der)
        (target / "private_key.key").write_bytes(efirma.key_der)
        (target / "password.txt").write_text(efirma.password, encoding="utf-8")  # no newline, like SAT's sets
    (folder / "README.txt").write_text(_readme([s for s, _ in sets], ca, now), encoding="utf-8")
    return [s for s, _ in sets]


def _readme(sets: list[DemoSet], ca: DemoCA, now: datetime) -> str:
    intro = (
        "Estos certificados NO son del SAT ni tienen validez legal o fiscal. Los emitió la autoridad "
        f"certificadora de demostración «{ca.common_name}» el {now:%d/%m/%Y}; solo los acepta una instancia "
        "que confía en ca.cer (icsoe init --demo lo hace)."
    )
    files = (
        "Cada carpeta tiene certificate.cer (el certificado), private_key.key (la llave privada, protegida con "
        "contraseña, como la entrega el SAT) y password.txt (la contraseña)."
    )
    lines = ["e.firmas de DEMOSTRACIÓN del portal ICSOE", "", *textwrap.wrap(intro, 100), ""]
    lines += [f"Contraseña de todas las llaves privadas: {DEMO_PASSWORD}", "", *textwrap.wrap(files, 100), ""]
    for demo_set in sets:
        result = "se acepta" if demo_set.accepted else "se rechaza"
        lines += [f"{demo_set.name}/", f"  RFC a capturar: {demo_set.rfc} ({result})"]
        lines += textwrap.wrap(demo_set.description, 100, initial_indent="  ", subsequent_indent="  ")
        lines.append("")
    return "\n".join(lines)


def _attribute(oid: ObjectIdentifier, value: str) -> x509.NameAttribute:
    """A name attribute typed as SAT types it: PrintableString when the text fits, else UTF8String. Typed
    explicitly because `cryptography` types x500UniqueIdentifier as a BIT STRING (X.520), and SAT stores the RFC
    there as a string. X.520's 64-character bound on a CN is not enforced (`_validate=False`): SAT writes whole
    razones sociales there, and many are longer."""
    asn1_type = _ASN1Type.PrintableString if set(value) <= PRINTABLE else _ASN1Type.UTF8String
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Attribute's length", UserWarning)
        return x509.NameAttribute(oid, value, _type=asn1_type, _validate=False)


def _sat_style_serial() -> int:
    """A serial like SAT's: the integer whose bytes are the ASCII codes of a 20-digit number. It starts with
    "9999" so no demo serial can collide with SAT's ("0000…" production, "3000…" test)."""
    digits = "9999" + "".join(secrets.choice("0123456789") for _ in range(16))
    return int.from_bytes(digits.encode("ascii"), "big")


def _resigned(cer_der: bytes, ca_key: rsa.RSAPrivateKey, *, texts: dict[str, str] | None = None,
              serial: int | None = None) -> bytes:
    """Re-encode the subject attributes named in `texts` (OID → text) as T61String holding Latin-1, and/or set the
    serial number, then sign the certificate again. Done with pyasn1 because `cryptography` writes UTF-8 bytes into
    a T61String and refuses serials of 160 bits and more (or zero, or negative)."""
    cert, _ = decoder.decode(cer_der, asn1Spec=rfc5280.Certificate())
    tbs = cert["tbsCertificate"]
    if serial is not None:
        tbs["serialNumber"] = serial
    for rdn in tbs["subject"]["rdnSequence"] if texts else ():
        for atv in rdn:
            text = texts.get(str(atv["type"]))  # type: ignore[union-attr]
            if text is not None:
                atv["value"] = univ.Any(encoder.encode(char.TeletexString(text)))  # pyasn1 encodes it as Latin-1
    tbs_der = encoder.encode(tbs)
    signature = ca_key.sign(tbs_der, padding.PKCS1v15(), hashes.SHA256())
    cert["tbsCertificate"] = tbs
    cert["signature"] = univ.BitString.fromOctetString(signature)
    return encoder.encode(cert)
