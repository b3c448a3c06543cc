"""app/fiel/: every e.firma rule, on demo certificates (app/demo.py) and on SAT's real test sets."""

from __future__ import annotations

import base64
import hashlib
import io
import random
import socket
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyasn1.codec.der import decoder, encoder
from pyasn1_modules import rfc5208, rfc7914, rfc8018

from app import demo, fiel
from app.fiel import llave
from tests.sat import ca_files, load_set, requires_sat_fixtures, sat_bytes, sat_path, set_names

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PASSWORD = demo.DEMO_PASSWORD

# Dates inside the validity of SAT's test sets (and of the test CA that issued them).
IN_2023_SETS = datetime(2026, 11, 25, tzinfo=UTC)
IN_2019_SETS = datetime(2020, 1, 1, tzinfo=UTC)
IN_2017_SETS = datetime(2018, 6, 1, tzinfo=UTC)


def rechazo(call: Callable[[], object]) -> fiel.FielRechazada:
    """The FielRechazada that `call` raises."""
    with pytest.raises(fiel.FielRechazada) as info:
        call()
    return info.value


def test_rechazo_names_its_field_and_reads_as_its_message() -> None:
    error = fiel.FielRechazada("password", "La contraseña de la llave privada es incorrecta.")
    assert error.field == "password"
    assert str(error) == "La contraseña de la llave privada es incorrecta."


@dataclass(frozen=True)
class Juego:
    """What a user uploads."""

    rfc: str
    cer: bytes
    key: bytes
    password: str = PASSWORD
    efirma: demo.DemoEfirma | None = field(default=None, compare=False)


@pytest.fixture(scope="module")
def demo_ca() -> demo.DemoCA:
    return demo.make_ca(now=NOW)


@pytest.fixture(scope="module")
def trust(demo_ca: demo.DemoCA) -> fiel.TrustStore:
    return fiel.TrustStore([demo_ca.cert_der])


def _juego(ca: demo.DemoCA, rfc: str, **kwargs) -> Juego:
    kwargs.setdefault("nombre", "EMPRESA DEMOSTRACIÓN SA DE CV")
    kwargs.setdefault("persona", "moral" if len(rfc) == 12 else "fisica")
    kwargs.setdefault("not_before", NOW - timedelta(days=1))
    kwargs.setdefault("not_after", NOW + timedelta(days=4 * 365))
    efirma = demo.make_efirma(ca, rfc=rfc, **kwargs)
    return Juego(rfc, efirma.cer_der, efirma.key_der, efirma.password, efirma)


@pytest.fixture(scope="module")
def juegos(demo_ca: demo.DemoCA) -> dict[str, Juego]:
    moral = dict(representante_rfc=demo.REPRESENTANTE_RFC, curp=demo.REPRESENTANTE_CURP)
    return {
        "moral": _juego(demo_ca, demo.EMPRESA_RFC, **moral),
        "fisica": _juego(
            demo_ca, demo.FISICA_RFC, nombre=demo.FISICA_NOMBRE, curp=demo.FISICA_CURP, t61_names=True
        ),
        "representante": _juego(
            demo_ca, demo.REPRESENTANTE_RFC, nombre=demo.REPRESENTANTE_NOMBRE, curp=demo.REPRESENTANTE_CURP
        ),
        "csd": _juego(demo_ca, demo.EMPRESA_RFC, tipo="csd", **moral),
        "vencida": _juego(
            demo_ca,
            demo.EMPRESA_RFC,
            not_before=datetime(2021, 6, 1, tzinfo=UTC),
            not_after=datetime(2025, 6, 1, 18, tzinfo=UTC),
            **moral,
        ),
        "futura": _juego(
            demo_ca,
            demo.EMPRESA_RFC,
            not_before=datetime(2027, 1, 15, tzinfo=UTC),
            not_after=datetime(2031, 1, 15, tzinfo=UTC),
            **moral,
        ),
    }


def verify_juego(
    juego: Juego, trust: fiel.TrustStore | list[bytes], *, now: datetime = NOW, **overrides
) -> fiel.Firma:
    args = {"rfc": juego.rfc, "cer": juego.cer, "key": juego.key, "password": juego.password}
    args.update(overrides)
    return fiel.verify(
        args["rfc"],
        args["cer"],
        args["key"],
        args["password"],
        trust=trust,
        now=now,
        revocation=args.get("revocation"),
    )


def issue(
    ca: demo.DemoCA,
    *,
    key_usage: dict[str, bool],
    eku: list[x509.ObjectIdentifier] | None,
    ou: str | None = None,
    rfc: str = demo.EMPRESA_RFC,
) -> tuple[bytes, rsa.RSAPrivateKey]:
    """A certificate with any key usages, for the profiles SAT does not issue."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    usages = (
        dict.fromkeys(
            [
                "digital_signature",
                "content_commitment",
                "key_encipherment",
                "data_encipherment",
                "key_agreement",
                "key_cert_sign",
                "crl_sign",
                "encipher_only",
                "decipher_only",
            ],
            False,
        )
        | key_usage
    )
    attributes = [
        x509.NameAttribute(NameOID.COMMON_NAME, "PERFIL RARO SA DE CV"),
        x509.NameAttribute(NameOID.X500_UNIQUE_IDENTIFIER, rfc, _type=x509.name._ASN1Type.PrintableString),
    ]
    if ou:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=365))
        .add_extension(x509.KeyUsage(**usages), critical=True)
    )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    return builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER), key


def encrypted(
    key: rsa.RSAPrivateKey,
    password: bytes,
    *,
    encoding=serialization.Encoding.DER,
    private_format=serialization.PrivateFormat.PKCS8,
) -> bytes:
    return key.private_bytes(encoding, private_format, serialization.BestAvailableEncryption(password))


def unencrypted(
    key: rsa.RSAPrivateKey,
    *,
    encoding=serialization.Encoding.DER,
    private_format=serialization.PrivateFormat.PKCS8,
) -> bytes:
    return key.private_bytes(encoding, private_format, serialization.NoEncryption())


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (" eku-900317 3c9 ", "EKU9003173C9"),
        ("cañf770131pa3", "CAÑF770131PA3"),
        ("CAN\u0303F770131PA3", "CAÑF770131PA3"),  # "Ñ" as N + combining tilde (NFD)
        ("h&e951128469", "H&E951128469"),
        ("\tAAA010101AAA\n", "AAA010101AAA"),
    ],
)
def test_normalize_rfc(typed: str, expected: str) -> None:
    assert fiel.normalize_rfc(typed) == expected


@pytest.mark.parametrize(
    "rfc",
    [
        "EKU9003173C9",
        "AAA010101AAA",
        "CAÑF770131PA3",
        "H&E951128469",
        "CACX7605101P8",
        "VADA800927DJ3",
        demo.EMPRESA_RFC,
        demo.FISICA_RFC,
        demo.REPRESENTANTE_RFC,
    ],
)
def test_well_formed_rfcs_pass_the_rfc_check(rfc: str) -> None:
    # Another field fails instead: the RFC passed.
    assert rechazo(lambda: fiel.verify(rfc, b"", b"", "", trust=[], now=NOW)).field == "cer"


@pytest.mark.parametrize(
    ("rfc", "message"),
    [
        ("", fiel.MSG_RFC_EMPTY),
        ("  - ", fiel.MSG_RFC_EMPTY),
        ("EKU900317", fiel.MSG_RFC_LENGTH),
        ("COMG600703", fiel.MSG_RFC_LENGTH),  # a física RFC without homoclave: SAT's certificates carry it
        ("EKU9003173C9X1", fiel.MSG_RFC_LENGTH),
        ("EKU9013173C9", fiel.MSG_RFC_FORMAT),  # month 13
        ("EKU9002303C9", fiel.MSG_RFC_FORMAT),  # 30 February
        ("1KU9003173C9", fiel.MSG_RFC_FORMAT),
        ("EKU90031$3C9", fiel.MSG_RFC_FORMAT),
        ("CACA760510AB1", fiel.MSG_RFC_FORMAT),  # SAT never issues these first four letters
    ],
)
def test_malformed_rfc_is_refused_first(rfc: str, message: str) -> None:
    error = rechazo(lambda: fiel.verify(rfc, b"", b"", "", trust=[], now=NOW))
    assert (error.field, str(error)) == ("rfc", message)


def test_empty_certificate(juegos) -> None:
    error = rechazo(lambda: verify_juego(juegos["moral"], [], cer=b""))
    assert (error.field, str(error)) == ("cer", fiel.MSG_CER_EMPTY)


@pytest.mark.parametrize(
    "cer",
    [
        b"hola",
        b"\x30\x03\x02\x01\x00",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        b"\x00" * 100,
    ],
)
def test_not_a_certificate(juegos, cer: bytes) -> None:
    error = rechazo(lambda: verify_juego(juegos["moral"], [], cer=cer))
    assert (error.field, str(error)) == ("cer", fiel.MSG_CER_INVALID)


def test_huge_certificate_is_refused_without_parsing(juegos) -> None:
    error = rechazo(
        lambda: verify_juego(juegos["moral"], [], cer=juegos["moral"].cer + b"\n" * fiel.MAX_FILE_BYTES)
    )
    assert (error.field, str(error)) == ("cer", fiel.MSG_CER_TOO_BIG)


def test_key_chosen_as_certificate_is_named(juegos) -> None:
    error = rechazo(lambda: verify_juego(juegos["moral"], [], cer=juegos["moral"].key))
    assert (error.field, str(error)) == ("cer", fiel.MSG_CER_IS_KEY)


def test_pem_and_base64_certificates_are_read(juegos, trust) -> None:
    juego = juegos["moral"]
    pem = x509.load_der_x509_certificate(juego.cer).public_bytes(serialization.Encoding.PEM)
    public_key = juego.efirma.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    one_line = base64.b64encode(juego.cer)
    for cer in (pem, public_key + pem, one_line, one_line + b"\n", pem.replace(b"\n", b"\r\n"), juego.cer + b"\n"):
        assert fiel.Certificado.from_bytes(cer).der == juego.cer
        assert verify_juego(juego, trust, cer=cer).rfc == demo.EMPRESA_RFC


@requires_sat_fixtures
@pytest.mark.parametrize(
    ("folder", "variant"),
    [
        ("FIEL_AAA010101AAA_2017", "certificate.cer.pem"),
        ("FIEL_AAA010101AAA_2017", "certificate_plain.pem"),  # one line of base64, no PEM header
        ("CSD01_AAA010101AAA_2017", "certificate.cer.pem"),
        ("CSD01_AAA010101AAA_2017", "certificate_public_key.pem"),  # PUBLIC KEY, then CERTIFICATE
        ("CSD_EKU9003173C9_2023", "certificate.cer.pem"),  # PUBLIC KEY, then CERTIFICATE
    ],
)
def test_real_pem_variants_are_the_same_certificate(folder: str, variant: str) -> None:
    der = sat_bytes(folder, "certificate.cer")
    assert fiel.Certificado.from_bytes(sat_bytes(folder, variant)).der == der


def test_empty_key(juegos) -> None:
    error = rechazo(lambda: verify_juego(juegos["moral"], [], key=b""))
    assert (error.field, str(error)) == ("key", fiel.MSG_KEY_EMPTY)


@pytest.mark.parametrize(
    "key",
    [
        b"hola",
        b"\x30\x03\x02\x01\x00",
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        bytes(range(256)),
    ],
)
def test_not_a_key(juegos, key: bytes) -> None:
    error = rechazo(lambda: verify_juego(juegos["moral"], [], key=key))
    assert (error.field, str(error)) == ("key", fiel.MSG_KEY_INVALID)


def test_certificate_chosen_as_key_is_named(juegos) -> None:
    error = rechazo(lambda: verify_juego(juegos["moral"], [], key=juegos["moral"].cer))
    assert (error.field, str(error)) == ("key", fiel.MSG_KEY_IS_CER)


def test_huge_key_is_refused_without_parsing(juegos) -> None:
    error = rechazo(
        lambda: verify_juego(juegos["moral"], [], key=juegos["moral"].key + b"\0" * fiel.MAX_FILE_BYTES)
    )
    assert (error.field, str(error)) == ("key", fiel.MSG_KEY_TOO_BIG)


@pytest.mark.parametrize(
    ("encoding", "private_format"),
    [
        (serialization.Encoding.DER, serialization.PrivateFormat.PKCS8),
        (serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8),
        (serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL),
        (serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL),
    ],
)
def test_unprotected_key_is_refused_even_with_the_right_password(juegos, trust, encoding, private_format) -> None:
    juego = juegos["moral"]
    key = unencrypted(juego.efirma.private_key, encoding=encoding, private_format=private_format)
    error = rechazo(lambda: verify_juego(juego, trust, key=key))
    assert (error.field, str(error)) == ("key", fiel.MSG_KEY_UNPROTECTED)


@pytest.mark.parametrize(
    ("encoding", "private_format"),
    [
        (serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8),  # "ENCRYPTED PRIVATE KEY"
        (serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL),  # RSA with DEK-Info
    ],
)
def test_protected_pem_keys_are_accepted(juegos, trust, encoding, private_format) -> None:
    juego = juegos["moral"]
    key = encrypted(juego.efirma.private_key, PASSWORD.encode(), encoding=encoding, private_format=private_format)
    assert verify_juego(juego, trust, key=key).rfc == demo.EMPRESA_RFC


def test_empty_password(juegos, trust) -> None:
    error = rechazo(lambda: verify_juego(juegos["moral"], trust, password=""))
    assert (error.field, str(error)) == ("password", fiel.MSG_PASSWORD_EMPTY)


@pytest.mark.parametrize("password", ["12345678", "12345678A", " 12345678a", "contraseña"])
def test_wrong_password(juegos, trust, password: str) -> None:
    error = rechazo(lambda: verify_juego(juegos["moral"], trust, password=password))
    assert (error.field, str(error)) == ("password", "La contraseña de la llave privada es incorrecta.")


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1"])
def test_password_with_enye_in_utf8_or_latin1(juegos, trust, encoding: str) -> None:
    juego = juegos["moral"]
    key = encrypted(juego.efirma.private_key, "contraseña".encode(encoding))
    assert verify_juego(juego, trust, key=key, password="contraseña").rfc == demo.EMPRESA_RFC


def _with_iterations(key_der: bytes, iterations: int, *, scrypt: bool = False) -> bytes:
    """The same encrypted PKCS#8 key with another PBKDF2 iteration count, or with scrypt as the KDF."""
    info, _ = decoder.decode(key_der, asn1Spec=rfc5208.EncryptedPrivateKeyInfo())
    params, _ = decoder.decode(bytes(info["encryptionAlgorithm"]["parameters"]), asn1Spec=rfc8018.PBES2_params())
    kdf, _ = decoder.decode(bytes(params["keyDerivationFunc"]["parameters"]), asn1Spec=rfc8018.PBKDF2_params())
    kdf["iterationCount"] = iterations
    params["keyDerivationFunc"]["parameters"] = encoder.encode(kdf)
    if scrypt:
        scrypt_params = rfc7914.Scrypt_params()
        scrypt_params["salt"] = b"12345678"
        scrypt_params["costParameter"] = 2**20
        scrypt_params["blockSize"] = 8
        scrypt_params["parallelizationParameter"] = 1
        params["keyDerivationFunc"]["algorithm"] = rfc7914.id_scrypt
        params["keyDerivationFunc"]["parameters"] = encoder.encode(scrypt_params)
    info["encryptionAlgorithm"]["parameters"] = encoder.encode(params)
    return encoder.encode(info)


def test_absurd_key_derivation_cost_is_refused_before_trying(juegos, trust) -> None:
    juego = juegos["moral"]
    # A billion PBKDF2 rounds would take minutes: the test finishing at all shows the key was not opened.
    error = rechazo(lambda: verify_juego(juego, trust, key=_with_iterations(juego.key, 10**9)))
    assert (error.field, str(error)) == ("key", fiel.MSG_KEY_UNSUPPORTED)
    # scrypt's cost is not an iteration count (and 2**20 would take a gigabyte): refused rather than tried.
    error = rechazo(lambda: verify_juego(juego, trust, key=_with_iterations(juego.key, 2048, scrypt=True)))
    assert (error.field, str(error)) == ("key", fiel.MSG_KEY_UNSUPPORTED)


def test_iteration_rewrite_keeps_a_valid_key(juegos, trust) -> None:
    """The helper above only changes the count: with SAT's 2048 the key still opens (wrong count → wrong key)."""
    juego = juegos["moral"]
    assert verify_juego(juego, trust, key=_with_iterations(juego.key, 2048)).rfc == demo.EMPRESA_RFC
    assert rechazo(lambda: verify_juego(juego, trust, key=_with_iterations(juego.key, 2049))).field == "password"


def test_key_of_another_efirma(juegos, trust) -> None:
    error = rechazo(lambda: verify_juego(juegos["moral"], trust, key=juegos["fisica"].key))
    assert (error.field, str(error)) == ("key", "La llave privada no corresponde al certificado.")


def test_demo_efirma_accepted_with_trust_store_or_plain_list(juegos, demo_ca, trust) -> None:
    assert verify_juego(juegos["moral"], trust).rfc == demo.EMPRESA_RFC
    assert verify_juego(juegos["moral"], [demo_ca.cert_der]).rfc == demo.EMPRESA_RFC


def test_untrusted_issuer(juegos) -> None:
    error = rechazo(lambda: verify_juego(juegos["moral"], []))
    assert (error.field, str(error)) == ("cer", fiel.MSG_UNTRUSTED)


def test_untrusted_certificate_is_refused_before_its_password_is_tried(juegos, demo_ca, monkeypatch) -> None:
    """A certificate nobody trusts says so, whatever the password: trying it (the key derivation) is never reached,
    and a wrong password there is not what the user needs to hear."""
    ajena = _juego(demo.make_ca("AC AJENA DE PRUEBA", now=NOW), demo.EMPRESA_RFC)
    tried: list[str] = []
    opener = llave._open_private_key
    monkeypatch.setattr(fiel, "_open_private_key",  # where verify() looks it up
                        lambda key, password: tried.append(password) or opener(key, password))
    for password in ("incorrecta", PASSWORD):
        error = rechazo(lambda: verify_juego(ajena, [demo_ca.cert_der], password=password))
        assert (error.field, str(error)) == ("cer", fiel.MSG_UNTRUSTED)
    assert tried == []
    error = rechazo(lambda: verify_juego(juegos["moral"], [demo_ca.cert_der], password="incorrecta"))
    assert (error.field, str(error)) == ("password", fiel.MSG_PASSWORD_WRONG)  # trusted: now the password counts
    assert tried == ["incorrecta"]


def test_same_issuer_name_but_another_key_is_untrusted(juegos, demo_ca) -> None:
    impostor = demo.make_ca(demo_ca.common_name, now=NOW)  # the same DN, byte for byte
    assert (
        fiel.Certificado.from_der(impostor.cert_der).subject_dn
        == fiel.Certificado.from_der(demo_ca.cert_der).subject_dn
    )
    error = rechazo(lambda: verify_juego(juegos["moral"], [impostor.cert_der]))
    assert (error.field, str(error)) == ("cer", fiel.MSG_UNTRUSTED)
    # Both in the store: the signature picks the right one.
    assert verify_juego(juegos["moral"], [impostor.cert_der, demo_ca.cert_der]).rfc == demo.EMPRESA_RFC


def test_tampered_certificate_is_untrusted(juegos, trust) -> None:
    juego = juegos["moral"]
    cer = juego.cer.replace(b"EMPRESA DEMOSTRACI", b"EMPRESA FALSIFICAD")
    assert cer != juego.cer
    error = rechazo(lambda: verify_juego(juego, trust, cer=cer))
    assert (error.field, str(error)) == ("cer", fiel.MSG_UNTRUSTED)


def test_trust_store_refuses_what_is_not_a_ca(juegos, demo_ca) -> None:
    with pytest.raises(ValueError):
        fiel.TrustStore([juegos["moral"].cer])
    with pytest.raises(ValueError):
        fiel.TrustStore([b"no es un certificado"])
    assert len(fiel.TrustStore([demo_ca.cert_der, demo_ca.cert_der])) == 2


def test_csd_is_refused_as_csd(juegos, trust) -> None:
    error = rechazo(lambda: verify_juego(juegos["csd"], trust))
    assert (error.field, str(error)) == ("cer", fiel.MSG_CSD)
    assert "Certificado de Sello Digital (CSD)" in str(error)


def test_profiles_sat_does_not_issue(demo_ca, trust) -> None:
    fiel_usages = dict(digital_signature=True, content_commitment=True, data_encipherment=True, key_agreement=True)
    fiel_eku = [ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.CLIENT_AUTH]
    cases = [
        (dict(digital_signature=True), None, None, fiel.MSG_NOT_FIEL),
        (
            dict(digital_signature=True, key_encipherment=True),
            [ExtendedKeyUsageOID.SERVER_AUTH],
            None,
            fiel.MSG_NOT_FIEL,
        ),
        (fiel_usages, [ExtendedKeyUsageOID.EMAIL_PROTECTION], None, fiel.MSG_NOT_FIEL),  # EKU incomplete
        (fiel_usages, fiel_eku, "Sucursal 1", fiel.MSG_NOT_FIEL),  # the two witnesses disagree
        (dict(digital_signature=True, content_commitment=True), None, None, fiel.MSG_CSD),
        (dict(digital_signature=True), None, "Sucursal 1", fiel.MSG_CSD),  # OU names a branch: a sello
    ]
    for usages, eku, ou, message in cases:
        cer, key = issue(demo_ca, key_usage=usages, eku=eku, ou=ou)
        error = rechazo(
            lambda: fiel.verify(demo.EMPRESA_RFC, cer, encrypted(key, b"x"), "x", trust=trust, now=NOW)
        )
        assert (error.field, str(error)) == ("cer", message), (usages, eku, ou)
    cer, key = issue(demo_ca, key_usage=fiel_usages, eku=fiel_eku)
    assert (
        fiel.verify(demo.EMPRESA_RFC, cer, encrypted(key, b"x"), "x", trust=trust, now=NOW).nombre
        == "PERFIL RARO SA DE CV"
    )


def test_expired(juegos, trust) -> None:
    error = rechazo(lambda: verify_juego(juegos["vencida"], trust))
    assert (error.field, str(error)) == ("cer", "El certificado venció el 01/06/2025.")


def test_not_yet_valid(juegos, trust) -> None:
    error = rechazo(lambda: verify_juego(juegos["futura"], trust))
    assert (error.field, str(error)) == ("cer", "El certificado será válido a partir del 14/01/2027 18:00 (hora de la Ciudad de México).")  # 00:00 UTC


def test_validity_edges(juegos, trust) -> None:
    juego = juegos["vencida"]
    assert verify_juego(juego, trust, now=datetime(2025, 6, 1, 18, tzinfo=UTC)).rfc == demo.EMPRESA_RFC
    assert (
        rechazo(lambda: verify_juego(juego, trust, now=datetime(2025, 6, 1, 18, 0, 1, tzinfo=UTC))).field == "cer"
    )


def test_naive_now_is_a_programming_error(juegos, trust) -> None:
    with pytest.raises(ValueError):
        verify_juego(juegos["moral"], trust, now=datetime(2026, 11, 25))


def test_wrong_rfc(juegos, trust) -> None:
    error = rechazo(lambda: verify_juego(juegos["moral"], trust, rfc="OTR020202CD3"))
    assert (error.field, str(error)) == ("rfc", "El RFC OTR020202CD3 no corresponde al certificado de la e.firma.")


def test_moral_rfc_with_its_representatives_fiel(juegos, trust) -> None:
    error = rechazo(lambda: verify_juego(juegos["representante"], trust, rfc=demo.EMPRESA_RFC))
    assert error.field == "rfc"
    assert "persona moral" in str(error) and "no con la de su representante legal" in str(error)


def test_representatives_rfc_with_the_moral_fiel(juegos, trust) -> None:
    error = rechazo(lambda: verify_juego(juegos["moral"], trust, rfc=demo.REPRESENTANTE_RFC))
    assert error.field == "rfc"
    assert str(error) == (
        f"El RFC {demo.REPRESENTANTE_RFC} es del representante legal de {demo.EMPRESA_NOMBRE}. "
        f"Captura el RFC de la persona moral ({demo.EMPRESA_RFC})."
    )


def test_representative_signs_in_as_a_persona_fisica_with_own_rfc(juegos, trust) -> None:
    firma = verify_juego(juegos["representante"], trust)
    assert (firma.rfc, firma.persona, firma.curp, firma.representante_rfc) == (
        demo.REPRESENTANTE_RFC,
        "fisica",
        demo.REPRESENTANTE_CURP,
        None,
    )


def test_typed_rfc_is_normalised(juegos, trust) -> None:
    assert verify_juego(juegos["moral"], trust, rfc=" ede-150310 ab0 ").rfc == demo.EMPRESA_RFC
    assert verify_juego(juegos["fisica"], trust, rfc="peñm850315qx4").rfc == demo.FISICA_RFC


def test_demo_firma_fields(juegos, demo_ca, trust) -> None:
    juego = juegos["fisica"]
    firma = verify_juego(juego, trust)
    cert = x509.load_der_x509_certificate(juego.cer)
    assert firma == fiel.Firma(
        rfc=demo.FISICA_RFC,
        nombre=demo.FISICA_NOMBRE,  # written as T61String/Latin-1
        persona="fisica",
        curp=demo.FISICA_CURP,
        representante_rfc=None,
        serial=cert.serial_number.to_bytes(20, "big").decode("ascii"),
        fingerprint=hashlib.sha256(juego.cer).hexdigest(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        issuer="AC DEMO ICSOE (no es del SAT)",
        certificado=juego.cer,
        emisor=hashlib.sha256(demo_ca.cert_der).hexdigest(),
    )
    assert len(firma.serial) == 20 and firma.serial.isdigit()
    assert firma.not_before.tzinfo is not None


def test_revocation_runs_last_with_the_certificate_and_its_issuer(juegos, demo_ca, trust) -> None:
    calls: list[tuple[bytes, bytes]] = []
    juego = juegos["moral"]
    verify_juego(juego, trust, revocation=lambda cer, issuer: calls.append((cer, issuer)))
    assert calls == [(juego.cer, demo_ca.cert_der)]
    calls.clear()
    rechazo(lambda: verify_juego(juego, trust, rfc="OTR020202CD3", revocation=lambda *a: calls.append(a)))
    assert calls == []


def test_revocation_refusal_passes_through(juegos, trust) -> None:
    def revoked(cer: bytes, issuer: bytes) -> None:
        raise fiel.FielRechazada("cer", "El certificado fue revocado.")

    assert (
        str(rechazo(lambda: verify_juego(juegos["moral"], trust, revocation=revoked)))
        == "El certificado fue revocado."
    )


def test_check_order(juegos, trust) -> None:
    moral, vencida = juegos["moral"], juegos["vencida"]
    # RFC before files, certificate before key, key file before an empty password, all of them before trust …
    assert rechazo(lambda: verify_juego(moral, [], rfc="x", cer=b"", key=b"")).field == "rfc"
    assert rechazo(lambda: verify_juego(moral, [], cer=b"", key=b"")).field == "cer"
    assert rechazo(lambda: verify_juego(moral, [], key=b"", password="")).field == "key"
    assert rechazo(lambda: verify_juego(moral, [], password="")).field == "password"
    # … trust before the password is tried and before the key match …
    assert str(rechazo(lambda: verify_juego(moral, [], key=juegos["fisica"].key))) == fiel.MSG_UNTRUSTED
    assert str(rechazo(lambda: verify_juego(moral, [], password="incorrecta"))) == fiel.MSG_UNTRUSTED
    assert str(rechazo(lambda: verify_juego(moral, trust, key=juegos["fisica"].key))) == fiel.MSG_KEY_MISMATCH
    # … trust before profile and dates, profile before dates, dates before the RFC match.
    assert str(rechazo(lambda: verify_juego(juegos["csd"], [], rfc="OTR020202CD3"))) == fiel.MSG_UNTRUSTED
    assert (
        str(rechazo(lambda: verify_juego(juegos["csd"], trust, now=datetime(2040, 1, 1, tzinfo=UTC))))
        == fiel.MSG_CSD
    )
    assert rechazo(lambda: verify_juego(vencida, trust, rfc="OTR020202CD3")).field == "cer"


@pytest.fixture(scope="module")
def uat_cas() -> fiel.TrustStore:
    return fiel.TrustStore(p.read_bytes() for p in ca_files("test") if p.suffix == ".cer")


@pytest.fixture(scope="module")
def all_cas() -> fiel.TrustStore:
    found = [ca.der for kind in ("prod", "test") for p in ca_files(kind) for ca in _cas_or_none(p)]
    return fiel.TrustStore(found)


def _cas_or_none(path: Path) -> list[fiel.CaInfo]:
    try:
        return fiel.read_ca_certificates(path.read_bytes(), path.name)
    except ValueError:
        return []


def _set_date(cert: fiel.Certificado, store: fiel.TrustStore) -> datetime:
    """A moment inside the validity of the certificate and of the CA that issued it."""
    issuer = store.issuer_of(cert)
    start = max(cert.not_before, issuer.not_before) if issuer else cert.not_before
    end = min(cert.not_after, issuer.not_after) if issuer else cert.not_after
    return start + (end - start) / 2


@requires_sat_fixtures
@pytest.mark.parametrize("folder", set_names())
def test_every_real_set(folder: str, all_cas: fiel.TrustStore) -> None:
    """Each set folder by its kind: FIEL_* accepted, CSD* refused as CSD, FAKE_* untrusted, others read."""
    cer = sat_bytes(folder, "certificate.cer")
    cert = fiel.Certificado.from_bytes(cer)
    assert cert.subject_display and cert.issuer_display
    if not sat_path(folder).joinpath("private_key.key").exists():
        return  # SYNTHETIC_AC6_ISSUER: no key; see its own test
    cer, key, password = load_set(folder)
    holder_rfc = cert.subject_value(fiel.OID_X500_UNIQUE_IDENTIFIER).split("/")[0].strip()
    now = _set_date(cert, all_cas)
    if folder.startswith("FIEL_"):
        firma = fiel.verify(holder_rfc, cer, key, password, trust=all_cas, now=now)
        assert firma.rfc == holder_rfc
        assert firma.fingerprint == hashlib.sha256(cer).hexdigest()
    elif folder.startswith("CSD"):
        error = rechazo(lambda: fiel.verify(holder_rfc, cer, key, password, trust=all_cas, now=now))
        assert (error.field, str(error)) == ("cer", fiel.MSG_CSD)
    elif folder.startswith("FAKE_"):
        error = rechazo(lambda: fiel.verify(holder_rfc, cer, key, password, trust=all_cas, now=now))
        assert (error.field, str(error)) == ("cer", fiel.MSG_UNTRUSTED)
    else:
        try:
            fiel.verify(holder_rfc, cer, key, password, trust=all_cas, now=now)
        except fiel.FielRechazada:
            pass


REAL_FIELS = [
    # folder, typed RFC, date inside its validity, nombre, persona, curp, representante
    (
        "FIEL_EKU9003173C9_2023",
        "EKU9003173C9",
        IN_2023_SETS,
        "ESCUELA KEMPER URGATE SA DE CV",
        "moral",
        "VADA800927HSRSRL05",
        "VADA800927DJ3",
    ),
    (
        "FIEL_EKU9003173C9_2019",
        "EKU9003173C9",
        IN_2019_SETS,
        "ESCUELA KEMPER URGATE SA DE CV",
        "moral",
        "XIQB891116MGRMZR05",
        "XIQB891116QE4",
    ),
    (
        "FIEL_CACX7605101P8_2019",
        "CACX7605101P8",
        IN_2019_SETS,
        "XOCHILT CASAS CHAVEZ",
        "fisica",
        "CACX760510MGTSHC04",
        None,
    ),
    (
        "FIEL_CANF770131PA3_2019",
        "CAÑF770131PA3",
        IN_2019_SETS,
        "FERNANDO CASTILLO ÑABARRO",
        "fisica",
        "CANF770131HBCSBR08",
        None,
    ),
    (
        "FIEL_HE951128469_2019",
        "H&E951128469",
        IN_2019_SETS,
        "HERRERIA & ELECTRICOS S DE CV",
        "moral",
        "XOJI740919MQTDMN02",
        "XOJI740919U48",
    ),
    (
        "FIEL_AAA010101AAA_2017",
        "AAA010101AAA",
        IN_2017_SETS,
        "ACCEM SERVICIOS EMPRESARIALES SC",
        "moral",
        "HEGT761003MDFRNN09",
        "HEGT7610034S2",
    ),
]


@requires_sat_fixtures
@pytest.mark.parametrize(("folder", "rfc", "now", "nombre", "persona", "curp", "representante"), REAL_FIELS)
def test_real_fiel_accepted_with_its_details(
    folder, rfc, now, nombre, persona, curp, representante, uat_cas
) -> None:
    cer, key, password = load_set(folder)
    firma = fiel.verify(rfc, cer, key, password, trust=uat_cas, now=now)
    assert (firma.rfc, firma.nombre, firma.persona, firma.curp, firma.representante_rfc) == (
        rfc,
        nombre,
        persona,
        curp,
        representante,
    )
    assert firma.issuer in ("AC UAT", "A.C. 2 de pruebas(4096)")


@requires_sat_fixtures
def test_real_fiel_2023_serial_and_dates(uat_cas) -> None:
    cer, key, password = load_set("FIEL_EKU9003173C9_2023")
    firma = fiel.verify("EKU9003173C9", cer, key, password, trust=uat_cas, now=IN_2023_SETS)
    assert firma.serial == "30001000000500003415"
    assert firma.not_before == datetime(2023, 5, 18, 4, 37, 14, tzinfo=UTC)
    assert firma.not_after == datetime(2027, 5, 17, 4, 37, 14, tzinfo=UTC)
    assert (
        fiel.verify(
            "EKU9003173C9", cer, key, password, trust=uat_cas, now=datetime(2027, 5, 17, 4, 37, 14, tzinfo=UTC)
        ).rfc
        == "EKU9003173C9"
    )


@requires_sat_fixtures
def test_real_rfc_typed_in_lower_case_with_spaces(uat_cas) -> None:
    cer, key, password = load_set("FIEL_CANF770131PA3_2019")
    assert (
        fiel.verify(" cañf-770131 pa3 ", cer, key, password, trust=uat_cas, now=IN_2019_SETS).rfc
        == "CAÑF770131PA3"
    )


@requires_sat_fixtures
@pytest.mark.parametrize(
    ("folder", "now"),
    [
        ("CSD_EKU9003173C9_2023", IN_2023_SETS),
        ("CSD_EKU9003173C9_2019", IN_2019_SETS),
        ("CSD_CACX7605101P8_2019", IN_2019_SETS),
        ("CSD01_AAA010101AAA_2017", IN_2017_SETS),
    ],
)
def test_real_csd_refused_as_csd(folder: str, now: datetime, uat_cas) -> None:
    cer, key, password = load_set(folder)
    rfc = fiel.Certificado.from_bytes(cer).subject_value(fiel.OID_X500_UNIQUE_IDENTIFIER).split("/")[0].strip()
    error = rechazo(lambda: fiel.verify(rfc, cer, key, password, trust=uat_cas, now=now))
    assert (error.field, str(error)) == ("cer", fiel.MSG_CSD)


@requires_sat_fixtures
def test_real_csd_protected_pem_key_opens(uat_cas) -> None:
    """openssl's PBES2 re-encryption ("ENCRYPTED PRIVATE KEY"): the key opens, then the CSD is refused."""
    cer, _, password = load_set("CSD_EKU9003173C9_2023")
    key = sat_bytes("CSD_EKU9003173C9_2023", "private_key_protected.key.pem")
    assert (
        str(rechazo(lambda: fiel.verify("EKU9003173C9", cer, key, password, trust=uat_cas, now=IN_2023_SETS)))
        == fiel.MSG_CSD
    )


@requires_sat_fixtures
def test_fake_issuer_is_untrusted(all_cas) -> None:
    cer, key, password = load_set("FAKE_ISSUER_AAA010101AAA_2021")
    error = rechazo(lambda: fiel.verify("AAA010101AAA", cer, key, password, trust=all_cas, now=IN_2023_SETS))
    assert (error.field, str(error)) == ("cer", fiel.MSG_UNTRUSTED)
    error = rechazo(lambda: fiel.verify("AAA010101AAA", cer, key, "incorrecta", trust=all_cas, now=IN_2023_SETS))
    assert (error.field, str(error)) == ("cer", fiel.MSG_UNTRUSTED)  # not "the password is wrong"


@requires_sat_fixtures
def test_synthetic_ac6_issuer_parses_and_is_untrusted(all_cas) -> None:
    cer = sat_bytes("SYNTHETIC_AC6_ISSUER", "certificate.cer")
    with pytest.raises(ValueError):
        x509.load_der_x509_certificate(cer)  # the trap this parser exists for
    cert = fiel.Certificado.from_bytes(cer)
    assert cert.issuer_display == "A.C. del Servicio de Administración Tributaria"
    assert cert.subject_display == "ESCUELA KEMPER URGATE SA DE CV"
    assert cert.issuer_dn == fiel.Certificado.from_bytes(sat_bytes("ca", "prod", "ac-sat-ac6.pem")).subject_dn
    # Its public key is FIEL_EKU9003173C9_2023's, so that set's key matches it.
    _, key, password = load_set("FIEL_EKU9003173C9_2023")
    error = rechazo(lambda: fiel.verify("EKU9003173C9", cer, key, password, trust=all_cas, now=IN_2023_SETS))
    assert (error.field, str(error)) == ("cer", fiel.MSG_UNTRUSTED)


@requires_sat_fixtures
def test_two_ac_uat_cas_are_not_confused() -> None:
    ac_2018 = sat_bytes("ca", "test", "AC_4096_2018.cer")
    ac_2022 = sat_bytes("ca", "test", "AC_UAT_2022.cer")
    cer, key, password = load_set("FIEL_EKU9003173C9_2023")
    error = rechazo(lambda: fiel.verify("EKU9003173C9", cer, key, password, trust=[ac_2018], now=IN_2023_SETS))
    assert (error.field, str(error)) == ("cer", fiel.MSG_UNTRUSTED)
    assert fiel.verify("EKU9003173C9", cer, key, password, trust=[ac_2022], now=IN_2023_SETS).issuer == "AC UAT"
    cer, key, password = load_set("FIEL_EKU9003173C9_2019")
    assert (
        rechazo(lambda: fiel.verify("EKU9003173C9", cer, key, password, trust=[ac_2022], now=IN_2019_SETS)).field
        == "cer"
    )
    assert fiel.verify("EKU9003173C9", cer, key, password, trust=[ac_2018], now=IN_2019_SETS).rfc == "EKU9003173C9"


@requires_sat_fixtures
def test_a_root_alone_does_not_trust_what_its_intermediate_issued() -> None:
    cer, key, password = load_set("FIEL_EKU9003173C9_2023")
    root = sat_bytes("ca", "test", "ARC_UAT_2022.cer")
    assert (
        str(rechazo(lambda: fiel.verify("EKU9003173C9", cer, key, password, trust=[root], now=IN_2023_SETS)))
        == fiel.MSG_UNTRUSTED
    )


@requires_sat_fixtures
def test_real_expired_and_not_yet_valid_with_dates(uat_cas) -> None:
    cer, key, password = load_set("FIEL_CACX7605101P8_2019")
    error = rechazo(lambda: fiel.verify("CACX7605101P8", cer, key, password, trust=uat_cas, now=NOW))
    assert (error.field, str(error)) == ("cer", "El certificado venció el 27/05/2023.")
    cer, key, password = load_set("FIEL_EKU9003173C9_2023")
    error = rechazo(
        lambda: fiel.verify(
            "EKU9003173C9", cer, key, password, trust=uat_cas, now=datetime(2023, 1, 1, tzinfo=UTC)
        )
    )
    assert (error.field, str(error)) == ("cer", "El certificado será válido a partir del 17/05/2023 22:37 (hora de la Ciudad de México).")
    error = rechazo(
        lambda: fiel.verify(
            "EKU9003173C9", cer, key, password, trust=uat_cas, now=datetime(2027, 5, 17, 4, 37, 15, tzinfo=UTC)
        )
    )
    assert str(error) == "El certificado venció el 16/05/2027."  # 04:37 UTC of the 17th: 22:37 of the 16th there


@requires_sat_fixtures
def test_issuing_ca_expired_before_the_certificate(uat_cas) -> None:
    """AC_4096_2018 expired on 2022-02-23; the 2019 FIELs it issued last until 2023."""
    cer, key, password = load_set("FIEL_CACX7605101P8_2019")
    error = rechazo(
        lambda: fiel.verify(
            "CACX7605101P8", cer, key, password, trust=uat_cas, now=datetime(2022, 6, 1, tzinfo=UTC)
        )
    )
    assert error.field == "cer"
    assert "autoridad certificadora" in str(error) and "23/02/2022" in str(error)


@requires_sat_fixtures
def test_real_wrong_password_and_mismatched_key(uat_cas) -> None:
    cer, key, _ = load_set("FIEL_EKU9003173C9_2023")
    error = rechazo(lambda: fiel.verify("EKU9003173C9", cer, key, "12345678b", trust=uat_cas, now=IN_2023_SETS))
    assert (error.field, str(error)) == ("password", "La contraseña de la llave privada es incorrecta.")
    _, other_key, password = load_set("FIEL_CACX7605101P8_2019")
    error = rechazo(
        lambda: fiel.verify("EKU9003173C9", cer, other_key, password, trust=uat_cas, now=IN_2023_SETS)
    )
    assert (error.field, str(error)) == ("key", fiel.MSG_KEY_MISMATCH)


@requires_sat_fixtures
@pytest.mark.parametrize(
    ("folder", "variant"),
    [
        ("FIEL_AAA010101AAA_2017", "private_key.key.pem"),  # unencrypted PKCS#8 PEM
        ("FIEL_EKU9003173C9_2023", "private_key_plain.key.pem"),
        ("CSD01_AAA010101AAA_2017", "private_key_plain.key"),  # unencrypted PKCS#8 DER
        ("CSD01_AAA010101AAA_2017", "private_key.key.pem"),
    ],
)
def test_real_unprotected_keys_refused(folder: str, variant: str, uat_cas) -> None:
    cer, _, password = load_set(folder)
    rfc = "AAA010101AAA" if "AAA" in folder else "EKU9003173C9"
    now = IN_2017_SETS if "2017" in folder else IN_2023_SETS
    error = rechazo(lambda: fiel.verify(rfc, cer, sat_bytes(folder, variant), password, trust=uat_cas, now=now))
    assert (error.field, str(error)) == ("key", fiel.MSG_KEY_UNPROTECTED)


@requires_sat_fixtures
def test_real_pem_variants_accepted(uat_cas) -> None:
    """certificate.cer.pem and certificate_plain.pem with the RSA PRIVATE KEY + DEK-Info (DES-EDE3) key."""
    folder = "FIEL_AAA010101AAA_2017"
    key = sat_bytes(folder, "private_key_protected.key.pem")
    assert b"DEK-Info" in key
    for variant in ("certificate.cer.pem", "certificate_plain.pem"):
        firma = fiel.verify(
            "AAA010101AAA", sat_bytes(folder, variant), key, "12345678a", trust=uat_cas, now=IN_2017_SETS
        )
        assert firma.rfc == "AAA010101AAA"


@requires_sat_fixtures
def test_real_rfc_mismatches(uat_cas) -> None:
    cer, key, password = load_set("FIEL_EKU9003173C9_2023")
    error = rechazo(lambda: fiel.verify("AAA010101AAA", cer, key, password, trust=uat_cas, now=IN_2023_SETS))
    assert (error.field, str(error)) == ("rfc", "El RFC AAA010101AAA no corresponde al certificado de la e.firma.")
    error = rechazo(lambda: fiel.verify("VADA800927DJ3", cer, key, password, trust=uat_cas, now=IN_2023_SETS))
    assert error.field == "rfc" and "representante legal" in str(error) and "(EKU9003173C9)" in str(error)
    cer, key, password = load_set("FIEL_CACX7605101P8_2019")
    error = rechazo(lambda: fiel.verify("EKU9003173C9", cer, key, password, trust=uat_cas, now=IN_2019_SETS))
    assert error.field == "rfc" and "no con la de su representante legal" in str(error)


NOT_CAS = {"ocsp.ac4_sat.cer", "ocsp.ac5_sat.cer"}


@requires_sat_fixtures
@pytest.mark.parametrize("path", ca_files("prod") + ca_files("test"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_read_every_sat_ca_file(path: Path) -> None:
    if path.name in NOT_CAS:
        with pytest.raises(ValueError, match="autoridad certificadora"):
            fiel.read_ca_certificates(path.read_bytes(), path.name)
        return
    (info,) = fiel.read_ca_certificates(path.read_bytes(), path.name)
    assert info.fingerprint == hashlib.sha256(info.der).hexdigest()
    assert info.not_before < info.not_after and info.not_after.tzinfo is not None
    assert info.subject and info.issuer
    assert info.self_signed == (info.subject == info.issuer)
    fiel.TrustStore([info.der])  # usable as a trust anchor


@requires_sat_fixtures
def test_read_ac6_which_cryptography_refuses() -> None:
    data = sat_bytes("ca", "prod", "ac-sat-ac6.pem")
    with pytest.raises(ValueError):
        x509.load_pem_x509_certificate(data)
    (ac6,) = fiel.read_ca_certificates(data, "ac-sat-ac6.pem")
    assert ac6.subject.startswith("CN=A.C. del Servicio de Administración Tributaria, ")
    assert "AGENCIA REGISTRADORA CENTRAL" in ac6.issuer
    assert (ac6.not_before.date().isoformat(), ac6.not_after.date().isoformat()) == ("2023-03-24", "2031-03-24")
    assert not ac6.self_signed


@requires_sat_fixtures
def test_roots_are_self_signed_and_the_two_ac_uat_differ() -> None:
    (arc0,) = fiel.read_ca_certificates(
        sat_bytes("ca", "prod", "ARC0_IES.cer")
    )  # no extensions, md5 self-signature
    assert arc0.self_signed
    (uat_2018,) = fiel.read_ca_certificates(sat_bytes("ca", "test", "AC_4096_2018.cer"))
    (uat_2022,) = fiel.read_ca_certificates(sat_bytes("ca", "test", "AC_UAT_2022.cer"))
    assert "street=3ra cerrada de cadiz" in uat_2018.subject and "street=3ra cerrada de caliz" in uat_2022.subject


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@requires_sat_fixtures
def test_read_a_zip_like_cert_prod() -> None:
    prod = {f"Cert_Prod/{p.name}": p.read_bytes() for p in ca_files("prod")}
    inner = _zip({"pruebas/AC_UAT_2022.cer": sat_bytes("ca", "test", "AC_UAT_2022.cer")})
    data = _zip(
        prod
        | {
            "LEEME.txt": "Certificados del SAT".encode(),
            "efirma/FIEL.cer": sat_bytes("FIEL_EKU9003173C9_2023", "certificate.cer"),  # an end-entity: skipped
            "otra/copia_AC5.cer": sat_bytes("ca", "prod", "AC5_SAT.cer"),  # a duplicate: once
            "pruebas.zip": inner,
            "vacio/": b"",
        }
    )
    infos = fiel.read_ca_certificates(data, "Cert_Prod.zip")
    assert len(infos) == len(prod) - len(NOT_CAS) + 1
    assert len({i.fingerprint for i in infos}) == len(infos)
    assert any("AC UAT" in i.subject for i in infos)


@requires_sat_fixtures
def test_read_a_pem_bundle() -> None:
    ders = [sat_bytes("ca", "test", name) for name in ("AC_UAT_2022.cer", "ARC_UAT_2022.cer", "AC_4096_2018.cer")]
    pem = b"".join(x509.load_der_x509_certificate(d).public_bytes(serialization.Encoding.PEM) for d in ders)
    leading_key = sat_bytes("CSD01_AAA010101AAA_2017", "public_key.pem")
    bundle = leading_key + pem + sat_bytes("ca", "prod", "ac-sat-ac6.pem")
    infos = fiel.read_ca_certificates(bundle, "bundle.pem")
    assert [i.der for i in infos[:3]] == ders
    assert len(infos) == 4


def test_read_the_demo_ca(demo_ca) -> None:
    (info,) = fiel.read_ca_certificates(demo_ca.cert_der, "ca.cer")
    assert info.self_signed and "AC DEMO ICSOE" in info.subject


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"no es un certificado",
        bytes(range(256)) * 4,
        _zip({"a.txt": b"hola"}),
        b"PK\x03\x04roto",
        b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
    ],
)
def test_read_ca_certificates_garbage(data: bytes) -> None:
    with pytest.raises(ValueError):
        fiel.read_ca_certificates(data, "basura")


def test_read_ca_certificates_end_entity_only(juegos) -> None:
    with pytest.raises(ValueError, match="no es de una autoridad certificadora"):
        fiel.read_ca_certificates(juegos["moral"].cer, "FIEL.cer")


def _garbage(rng: random.Random, samples: list[bytes]) -> Iterator[bytes]:
    yield b""
    for sample in samples:
        for cut in sorted(rng.sample(range(1, len(sample)), 25)):
            yield sample[:cut]  # truncated
        for _ in range(25):
            mutated = bytearray(sample)
            for _ in range(rng.randint(1, 4)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            yield bytes(mutated)  # flipped bytes
    for _ in range(60):
        yield rng.randbytes(rng.randint(1, 3000))
    huge_lengths = [
        b"\x30\x84\xff\xff\xff\xff",
        b"\x30\x88" + b"\xff" * 8,
        b"\x30\x80\x30\x80\x00\x00",
        b"\x30\x82\x05\x00\x30\x84\x7f\xff\xff\xff\x02\x01\x01",
        b"\x30\x01",
        b"\x30\x00",
        b"\x30\x03\xa0\x01\x00",
        b"\x30" * 5000,
        b"\x30\x82\x10\x00" * 1000,
        b"\x1f\xff\xff\xff\x01\x00",
    ]
    yield from huge_lengths
    yield from (
        b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(h) + b"-----END CERTIFICATE-----\n"
        for h in huge_lengths
    )
    yield base64.b64encode(rng.randbytes(500))


def test_verify_raises_only_fielrechazada_on_garbage(juegos, trust) -> None:
    rng = random.Random(20261125)
    juego = juegos["moral"]
    samples = [
        juego.cer,
        juego.key,
        encrypted(juego.efirma.private_key, PASSWORD.encode(), encoding=serialization.Encoding.PEM),
    ]
    count = 0
    for data in _garbage(rng, samples):
        for args in ((data, juego.key), (juego.cer, data)):
            try:
                verify_juego(juego, trust, cer=args[0], key=args[1])
            except fiel.FielRechazada as error:
                assert error.field in ("cer", "key", "password") and str(error)
            count += 1
    for _ in range(50):
        password = "".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(rng.randint(1, 20)))
        with pytest.raises(fiel.FielRechazada):
            verify_juego(juego, trust, password=password)
    assert count > 300


@requires_sat_fixtures
def test_parsers_raise_only_their_errors_on_real_garbage() -> None:
    rng = random.Random(7)
    samples = [
        sat_bytes("FIEL_CANF770131PA3_2019", "certificate.cer"),
        sat_bytes("SYNTHETIC_AC6_ISSUER", "certificate.cer"),
        sat_bytes("ca", "prod", "ac-sat-ac6.pem"),
    ]
    for data in _garbage(rng, samples):
        try:
            fiel.Certificado.from_bytes(data)
        except fiel.FielRechazada as error:
            assert error.field == "cer"
        try:
            fiel.read_ca_certificates(data)
        except ValueError:
            pass


@dataclass
class Responder:
    """A tiny OCSP responder on 127.0.0.1 that answers for the demo CA."""

    ca: demo.DemoCA
    statuses: dict[int, ocsp.OCSPCertStatus] = field(default_factory=dict)
    mode: str = "ok"  # ok | delegated | one of UNTRUSTWORTHY_ANSWERS
    delegate: tuple[x509.Certificate, rsa.RSAPrivateKey] | None = None
    requests: list[ocsp.OCSPRequest] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/ocsp"

    def answer(self, body: bytes) -> tuple[int, bytes]:
        if self.mode == "http-error":
            return 500, b"error"
        if self.mode == "try-later":
            return 200, ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.TRY_LATER
            ).public_bytes(serialization.Encoding.DER)
        request = ocsp.load_der_ocsp_request(body)
        self.requests.append(request)
        status = self.statuses.get(request.serial_number, ocsp.OCSPCertStatus.UNKNOWN)
        now = datetime.now(UTC)
        this_update = now - timedelta(days=3) if self.mode == "stale" else now - timedelta(minutes=1)
        revoked = status == ocsp.OCSPCertStatus.REVOKED
        builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
            request.issuer_name_hash,
            request.issuer_key_hash,
            request.serial_number,
            request.hash_algorithm,
            status,
            this_update,
            this_update + timedelta(days=1),
            datetime(2026, 10, 1, tzinfo=UTC) if revoked else None,
            x509.ReasonFlags.key_compromise if revoked else None,
        )
        nonce = next((e.value.nonce for e in request.extensions if isinstance(e.value, x509.OCSPNonce)), None)
        if nonce is not None:
            builder = builder.add_extension(
                x509.OCSPNonce(b"x" * 16 if self.mode == "wrong-nonce" else nonce), critical=False
            )
        signer_cert, signer_key, by = self.ca.cert, self.ca.key, ocsp.OCSPResponderEncoding.HASH
        if self.mode == "bad-signature":
            # Named like the CA (by name, not key hash), signed by another key.
            impostor = demo.make_ca(self.ca.common_name, now=now)
            signer_cert, signer_key, by = impostor.cert, impostor.key, ocsp.OCSPResponderEncoding.NAME
        if self.mode == "delegated":
            signer_cert, signer_key = self.delegate
            builder = builder.certificates([signer_cert])
        response = builder.responder_id(by, signer_cert).sign(signer_key, hashes.SHA256())
        return 200, response.public_bytes(serialization.Encoding.DER)


@pytest.fixture
def responder(demo_ca) -> Iterator[Responder]:
    state = Responder(demo_ca)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status, answer = state.answer(body)
            self.send_response(status)
            self.send_header("Content-Type", "application/ocsp-response")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args) -> None:
            pass

    state.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=state.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    state.server.shutdown()
    state.server.server_close()
    thread.join(timeout=5)


def _serial(juego: Juego) -> int:
    return x509.load_der_x509_certificate(juego.cer).serial_number


def test_ocsp_good(juegos, trust, responder) -> None:
    juego = juegos["moral"]
    responder.statuses[_serial(juego)] = ocsp.OCSPCertStatus.GOOD
    assert (
        verify_juego(juego, trust, revocation=fiel.OcspRevocation(responder.url, timeout=5)).rfc
        == demo.EMPRESA_RFC
    )
    (request,) = responder.requests
    assert request.serial_number == _serial(juego)
    assert isinstance(request.hash_algorithm, hashes.SHA1)


def test_ocsp_revoked(juegos, trust, responder) -> None:
    juego = juegos["moral"]
    responder.statuses[_serial(juego)] = ocsp.OCSPCertStatus.REVOKED
    error = rechazo(lambda: verify_juego(juego, trust, revocation=fiel.OcspRevocation(responder.url, timeout=5)))
    assert error.field == "cer"
    assert str(error).startswith("El certificado fue revocado el 30/09/2026.")  # 00:00 UTC: the evening before


def test_ocsp_unknown(juegos, trust, responder) -> None:
    error = rechazo(
        lambda: verify_juego(juegos["moral"], trust, revocation=fiel.OcspRevocation(responder.url, timeout=5))
    )
    assert (error.field, str(error)) == ("cer", fiel.MSG_REVOCATION_UNKNOWN)


def test_ocsp_t61_certificate(juegos, trust, responder) -> None:
    juego = juegos["fisica"]  # cryptography cannot read its subject: the request is built by hash
    responder.statuses[_serial(juego)] = ocsp.OCSPCertStatus.GOOD
    assert (
        verify_juego(juego, trust, revocation=fiel.OcspRevocation(responder.url, timeout=5)).rfc == demo.FISICA_RFC
    )


def test_ocsp_delegated_responder(juegos, demo_ca, trust, responder) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    delegate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "OCSP DEMO")]))
        .issuer_name(demo_ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.now(UTC) - timedelta(days=1))
        .not_valid_after(datetime.now(UTC) + timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=False)
        .sign(demo_ca.key, hashes.SHA256())
    )
    responder.mode, responder.delegate = "delegated", (delegate, key)
    juego = juegos["moral"]
    responder.statuses[_serial(juego)] = ocsp.OCSPCertStatus.GOOD
    assert (
        verify_juego(juego, trust, revocation=fiel.OcspRevocation(responder.url, timeout=5)).rfc
        == demo.EMPRESA_RFC
    )


UNTRUSTWORTHY_ANSWERS = {
    "bad-signature": fiel.MSG_REVOCATION_BAD_ANSWER,
    "wrong-nonce": fiel.MSG_REVOCATION_BAD_ANSWER,
    "stale": fiel.MSG_REVOCATION_BAD_ANSWER,
    "try-later": fiel.MSG_REVOCATION_UNAVAILABLE,
    "http-error": fiel.MSG_REVOCATION_UNAVAILABLE,
}


@pytest.mark.parametrize("mode", UNTRUSTWORTHY_ANSWERS)
def test_ocsp_answers_that_cannot_be_trusted(juegos, trust, responder, mode: str) -> None:
    message = UNTRUSTWORTHY_ANSWERS[mode]
    juego = juegos["moral"]
    responder.statuses[_serial(juego)] = ocsp.OCSPCertStatus.GOOD
    responder.mode = mode
    error = rechazo(lambda: verify_juego(juego, trust, revocation=fiel.OcspRevocation(responder.url, timeout=5)))
    assert (error.field, str(error)) == ("cer", message)


def test_ocsp_unreachable(juegos, trust) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The port is closed now: the connection is refused.
    error = rechazo(
        lambda: verify_juego(
            juegos["moral"], trust, revocation=fiel.OcspRevocation(f"http://127.0.0.1:{port}/", timeout=2)
        )
    )
    assert (error.field, str(error)) == ("cer", fiel.MSG_REVOCATION_UNAVAILABLE)
    assert "intenta más tarde" in str(error).lower()


def test_ocsp_silent_responder_times_out(juegos, trust) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts the connection (backlog) but never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        error = rechazo(
            lambda: verify_juego(juegos["moral"], trust, revocation=fiel.OcspRevocation(url, timeout=0.5))
        )
    assert str(error) == fiel.MSG_REVOCATION_UNAVAILABLE


def test_ocsp_url_must_be_http() -> None:
    with pytest.raises(ValueError):
        fiel.OcspRevocation("file:///etc/passwd")
