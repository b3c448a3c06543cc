"""app/demo.py: demo e.firma sets written for `icsoe init --demo`, each behaving as its README says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyasn1.codec.der import decoder
from pyasn1_modules import rfc5280
from stdnum.mx import curp as stdnum_curp
from stdnum.mx import rfc as stdnum_rfc

from app import demo, fiel
from tests.sat import requires_sat_fixtures, sat_bytes

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SET_NAMES = [
    "fiel_persona_moral",
    "fiel_persona_fisica",
    "fiel_representante_legal",
    "csd_persona_moral",
    "fiel_vencida",
]


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, list[demo.DemoSet]]:
    folder = tmp_path_factory.mktemp("demo")
    return folder, demo.write_demo_sets(folder, now=NOW)


def _verify(folder: Path, name: str, rfc: str, now: datetime = NOW) -> fiel.Firma:
    return fiel.verify(
        rfc,
        (folder / name / "certificate.cer").read_bytes(),
        (folder / name / "private_key.key").read_bytes(),
        (folder / name / "password.txt").read_text(encoding="utf-8"),
        trust=[(folder / "ca.cer").read_bytes()],
        now=now,
    )


def test_files_written(written) -> None:
    folder, sets = written
    assert [s.name for s in sets] == SET_NAMES
    assert sorted(p.name for p in folder.iterdir()) == sorted([*SET_NAMES, "ca.cer", "README.txt"])
    for name in SET_NAMES:
        assert sorted(p.name for p in (folder / name).iterdir()) == [
            "certificate.cer",
            "password.txt",
            "private_key.key",
        ]
        assert (folder / name / "password.txt").read_bytes() == demo.DEMO_PASSWORD.encode()  # no newline
        with pytest.raises(TypeError):  # encrypted PKCS#8, as SAT's .key
            serialization.load_der_private_key((folder / name / "private_key.key").read_bytes(), None)
    (ca,) = fiel.read_ca_certificates((folder / "ca.cer").read_bytes(), "ca.cer")
    assert ca.self_signed and "no es del SAT" in ca.subject


def test_readme_describes_every_set(written) -> None:
    folder, sets = written
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    assert "NO son del SAT" in readme
    assert f"Contraseña de todas las llaves privadas: {demo.DEMO_PASSWORD}" in readme
    for demo_set in sets:
        assert f"{demo_set.name}/" in readme
        assert f"RFC a capturar: {demo_set.rfc} ({'se acepta' if demo_set.accepted else 'se rechaza'})" in readme
        assert demo_set.description.split()[0] in readme


@pytest.mark.parametrize("index", range(len(SET_NAMES)), ids=SET_NAMES)
def test_each_set_behaves_as_described(written, index: int) -> None:
    folder, sets = written
    demo_set = sets[index]
    if demo_set.accepted:
        assert _verify(folder, demo_set.name, demo_set.rfc).rfc == demo_set.rfc
    else:
        with pytest.raises(fiel.FielRechazada) as info:
            _verify(folder, demo_set.name, demo_set.rfc)
        assert info.value.field == demo_set.refused_field


def test_the_sets_in_detail(written) -> None:
    folder, _ = written
    moral = _verify(folder, "fiel_persona_moral", demo.EMPRESA_RFC)
    assert (moral.nombre, moral.persona, moral.curp, moral.representante_rfc) == (
        demo.EMPRESA_NOMBRE,
        "moral",
        demo.REPRESENTANTE_CURP,
        demo.REPRESENTANTE_RFC,
    )
    assert moral.not_before == NOW - timedelta(days=1)
    assert moral.not_after == NOW - timedelta(days=1) + timedelta(days=4 * 365)

    fisica = _verify(folder, "fiel_persona_fisica", "peñm850315qx4")
    assert (fisica.rfc, fisica.nombre, fisica.persona, fisica.curp) == (
        demo.FISICA_RFC,
        demo.FISICA_NOMBRE,
        "fisica",
        demo.FISICA_CURP,
    )

    with pytest.raises(fiel.FielRechazada, match="no con la de su representante legal"):
        _verify(folder, "fiel_representante_legal", demo.EMPRESA_RFC)
    assert _verify(folder, "fiel_representante_legal", demo.REPRESENTANTE_RFC).persona == "fisica"
    with pytest.raises(fiel.FielRechazada, match="es del representante legal"):
        _verify(folder, "fiel_persona_moral", demo.REPRESENTANTE_RFC)

    with pytest.raises(fiel.FielRechazada, match=r"Certificado de Sello Digital \(CSD\)"):
        _verify(folder, "csd_persona_moral", demo.EMPRESA_RFC)
    with pytest.raises(fiel.FielRechazada, match=r"^El certificado venció el 26/10/2026\.$"):
        _verify(folder, "fiel_vencida", demo.EMPRESA_RFC)


def test_sets_are_refused_by_an_instance_that_does_not_trust_the_demo_ca(written) -> None:
    folder, _ = written
    other = demo.make_ca(now=NOW)
    with pytest.raises(fiel.FielRechazada, match="autoridad certificadora de confianza"):
        fiel.verify(
            demo.EMPRESA_RFC,
            (folder / "fiel_persona_moral/certificate.cer").read_bytes(),
            (folder / "fiel_persona_moral/private_key.key").read_bytes(),
            demo.DEMO_PASSWORD,
            trust=[other.cert_der],
            now=NOW,
        )


@pytest.mark.parametrize("rfc", [demo.EMPRESA_RFC, demo.FISICA_RFC, demo.REPRESENTANTE_RFC])
def test_demo_rfcs_are_well_formed_with_check_digits(rfc: str) -> None:
    assert stdnum_rfc.validate(rfc, validate_check_digits=True) == rfc


@pytest.mark.parametrize("curp", [demo.FISICA_CURP, demo.REPRESENTANTE_CURP])
def test_demo_curps_are_valid(curp: str) -> None:
    assert stdnum_curp.validate(curp) == curp


@pytest.fixture(scope="module")
def demo_ca() -> demo.DemoCA:
    return demo.make_ca("AC DE PRUEBA", now=NOW, years=2)


def _subject(cer_der: bytes) -> list[tuple[str, int, bytes]]:
    """(OID, DER tag, raw value) of each subject attribute, read with pyasn1 as SAT's are."""
    cert, _ = decoder.decode(cer_der, asn1Spec=rfc5280.Certificate())
    out = []
    for rdn in cert["tbsCertificate"]["subject"]["rdnSequence"]:
        for atv in rdn:
            raw = bytes(atv["value"])
            out.append((str(atv["type"]), raw[0], raw[2:]))
    return out


def test_make_ca(demo_ca) -> None:
    cert = demo_ca.cert
    assert cert.subject == cert.issuer
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert cert.not_valid_after_utc == NOW + timedelta(days=2 * 365)
    assert "CN=AC DE PRUEBA" in demo_ca.subject and demo_ca.common_name == "AC DE PRUEBA"


def test_fiel_profile_and_subject_like_sats(demo_ca) -> None:
    efirma = demo.make_efirma(
        demo_ca,
        rfc=demo.EMPRESA_RFC,
        nombre="ESCUELA DEMO SA DE CV",
        representante_rfc=demo.REPRESENTANTE_RFC,
        curp=demo.REPRESENTANTE_CURP,
        not_before=NOW,
        not_after=NOW + timedelta(days=10),
    )
    cert = efirma.cert
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert (
        usage.value.digital_signature,
        usage.value.content_commitment,
        usage.value.data_encipherment,
        usage.value.key_agreement,
        usage.value.key_encipherment,
    ) == (True, True, True, True, False)
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [x509.oid.ExtendedKeyUsageOID.EMAIL_PROTECTION, x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]
    subject = [(oid, value) for oid, _, value in _subject(efirma.cer_der)]
    assert subject == [
        ("2.5.4.3", b"ESCUELA DEMO SA DE CV"),
        ("2.5.4.41", b"ESCUELA DEMO SA DE CV"),
        ("2.5.4.10", b"ESCUELA DEMO SA DE CV"),
        ("2.5.4.6", b"MX"),
        ("1.2.840.113549.1.9.1", demo.DEMO_EMAIL.encode()),
        ("2.5.4.45", f"{demo.EMPRESA_RFC} / {demo.REPRESENTANTE_RFC}".encode()),
        ("2.5.4.5", f" / {demo.REPRESENTANTE_CURP}".encode()),
    ]
    serial = cert.serial_number.to_bytes(20, "big")
    assert serial.isdigit() and serial.startswith(b"9999")
    assert efirma.password == demo.DEMO_PASSWORD
    assert (
        serialization.load_der_private_key(efirma.key_der, demo.DEMO_PASSWORD.encode()).private_numbers()
        == efirma.private_key.private_numbers()
    )


@requires_sat_fixtures
def test_subject_layout_matches_a_real_sat_fiel(demo_ca) -> None:
    real = [oid for oid, _, _ in _subject(sat_bytes("FIEL_EKU9003173C9_2023", "certificate.cer"))]
    made = demo.make_efirma(
        demo_ca,
        rfc="EKU9003173C9",
        nombre="ESCUELA KEMPER URGATE SA DE CV",
        representante_rfc="VADA800927DJ3",
        curp="VADA800927HSRSRL05",
        not_before=NOW,
        not_after=NOW + timedelta(days=10),
    )
    assert [oid for oid, _, _ in _subject(made.cer_der)] == real


def test_csd_profile(demo_ca) -> None:
    efirma = demo.make_efirma(
        demo_ca,
        rfc=demo.EMPRESA_RFC,
        nombre="ESCUELA DEMO SA DE CV",
        tipo="csd",
        sucursal="Sucursal Norte",
        not_before=NOW,
        not_after=NOW + timedelta(days=10),
    )
    cert = efirma.cert
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert (usage.digital_signature, usage.content_commitment, usage.data_encipherment, usage.key_agreement) == (
        True,
        True,
        False,
        False,
    )
    with pytest.raises(x509.ExtensionNotFound):
        cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert _subject(efirma.cer_der)[-1] == ("2.5.4.11", 0x13, b"Sucursal Norte")


def test_t61_names_reproduce_sats_latin1_trap(demo_ca) -> None:
    efirma = demo.make_efirma(
        demo_ca,
        rfc="CAÑF770131PA3",
        nombre="FERNANDO CASTILLO ÑABARRO",
        persona="fisica",
        curp="CANF770131HBCSBR08",
        t61_names=True,
        not_before=NOW,
        not_after=NOW + timedelta(days=10),
    )
    subject = {oid: (tag, value) for oid, tag, value in _subject(efirma.cer_der)}
    assert subject["2.5.4.3"] == (0x14, "FERNANDO CASTILLO ÑABARRO".encode("latin-1"))
    assert subject["2.5.4.45"] == (0x14, b"CA\xd1F770131PA3")
    assert subject["2.5.4.5"] == (0x13, b"CANF770131HBCSBR08")
    with pytest.raises(ValueError):
        efirma.cert.subject  # noqa: B018 (the trap: cryptography cannot read it)
    firma = fiel.verify(
        "CAÑF770131PA3",
        efirma.cer_der,
        efirma.key_der,
        efirma.password,
        trust=[demo_ca.cert_der],
        now=NOW + timedelta(days=1),
    )
    assert (firma.nombre, firma.rfc) == ("FERNANDO CASTILLO ÑABARRO", "CAÑF770131PA3")


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(rfc=demo.EMPRESA_RFC, persona="fisica"),
        dict(rfc=demo.FISICA_RFC, persona="moral"),
        dict(rfc=demo.EMPRESA_RFC, persona="empresa"),
        dict(rfc=demo.EMPRESA_RFC, tipo="sello"),
    ],
)
def test_make_efirma_refuses_inconsistent_arguments(demo_ca, kwargs) -> None:
    with pytest.raises(ValueError):
        demo.make_efirma(
            demo_ca, nombre="X", not_before=NOW, not_after=NOW + timedelta(days=1), key_size=1024, **kwargs
        )
