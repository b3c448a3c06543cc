"""The cadena original (app.cadena) and the sello over it (app.fiel.sello, fiel.verify(..., sellar=)): the first
piece of presenting an informativa (issue 13). The cadena is checked against a golden file; the sello verifies with
`cryptography` and with `openssl dgst -sha256 -verify`, with the demo e.firma and with SAT's real test sets."""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from app import fiel
from app.cadena import (ContratoCadena, InformativaCadena, TrabajadorCadena, cadena_original, huella_trabajadores,
                        lista_trabajadores)
from app.fiel import sello
from tests.conftest import NOW
from tests.sat import ca_files, load_set, requires_sat_fixtures

GOLDEN = Path(__file__).parent / "fixtures" / "cadena" / "informativa-v1.txt"
GOLDEN_1_1 = Path(__file__).parent / "fixtures" / "cadena" / "correccion-v1.1.txt"

TRABAJADORES = (TrabajadorCadena("92919084431", "PEGL850315HDFRRS09", Decimal("450.25")),
                TrabajadorCadena("01234567890", "GALA900101MDFRRN05", Decimal("2932.75")),
                TrabajadorCadena("45678901234", "RUIA700707HJCZZN01", Decimal("300")))
INFORMATIVA = InformativaCadena(
    rfc="EDE010101AB1", nombre="ESCUELA  DEMO\tSA DE CV ", ejercicio=2026, cuatrimestre=2, tipo="normal",
    contratos=(
        ContratoCadena("CAL091016KT8", "Constructora Ñandú | Hijos", "AR12345/2021-1",
                       "Mantenimiento\r\nde instalaciones eléctricas \\ planta", date(2026, 5, 4), None, TRABAJADORES),
        ContratoCadena("PEGL850315H42", "Luis Pérez García", "AR12345/2021-2", "Limpieza", date(2026, 6, 1),
                       date(2026, 8, 31), TRABAJADORES[:1]),
    ))


def test_the_cadena_is_the_golden_file():
    """Each version as documented in app/cadena.py: any change to this text is a new version, not an edit; the
    filings an older version signed are still verified with it."""
    assert cadena_original(INFORMATIVA, version="1.0") == GOLDEN.read_text(encoding="utf-8").rstrip("\n")
    correccion = replace(INFORMATIVA, tipo="correccion", complementa="ICSOE-N2026-000123")
    assert cadena_original(correccion) == GOLDEN_1_1.read_text(encoding="utf-8").rstrip("\n")
    assert cadena_original(INFORMATIVA) == GOLDEN.read_text(encoding="utf-8").rstrip("\n").replace(
        "||1.0|", "||1.1|").replace("|normal|", "|normal||")
    with pytest.raises(ValueError):
        cadena_original(correccion, version="1.0")  # 1.0 knew no complementarias
    with pytest.raises(ValueError):
        cadena_original(INFORMATIVA, version="2.0")


def test_the_cadena_is_canonical():
    cadena = cadena_original(INFORMATIVA)
    assert cadena.startswith("||1.1|ICSOE-INFORMATIVA|EDE010101AB1|ESCUELA DEMO SA DE CV|2026|2|normal||2|4|")
    assert "Constructora Ñandú \\| Hijos" in cadena and "Mantenimiento de instalaciones eléctricas \\\\ planta" in cadena
    # The workers' order does not matter; every stored value does.
    otro_orden = replace(INFORMATIVA, contratos=(replace(INFORMATIVA.contratos[0], trabajadores=TRABAJADORES[::-1]),
                                                 INFORMATIVA.contratos[1]))
    assert cadena_original(otro_orden) == cadena
    for cambio in (replace(TRABAJADORES[2], sbc=Decimal("300.01")), replace(TRABAJADORES[2], curp="RUIA700707HJCZZN02"),
                   replace(TRABAJADORES[2], nss="45678901235")):
        cambiada = replace(INFORMATIVA.contratos[0], trabajadores=TRABAJADORES[:2] + (cambio,))
        assert cadena_original(replace(INFORMATIVA, contratos=(cambiada, INFORMATIVA.contratos[1]))) != cadena
    # NFC: a name typed with a combining accent is the same name.
    descompuesto = replace(INFORMATIVA.contratos[1], nombre_contratante="Luis Pe\u0301rez Garci\u0301a")
    assert cadena_original(replace(INFORMATIVA, contratos=(INFORMATIVA.contratos[0], descompuesto))) == cadena
    # A value cannot forge a field boundary: moving a "|" from one field into the next changes the cadena.
    a = replace(INFORMATIVA.contratos[1], nombre_contratante="A|B", servicio_folio="C")
    b = replace(INFORMATIVA.contratos[1], nombre_contratante="A", servicio_folio="B|C")
    assert cadena_original(replace(INFORMATIVA, contratos=(a,))) != cadena_original(replace(INFORMATIVA, contratos=(b,)))


def test_a_contracts_workers_hash():
    assert lista_trabajadores(TRABAJADORES).decode().splitlines() == [
        "01234567890|GALA900101MDFRRN05|2932.75", "45678901234|RUIA700707HJCZZN01|300.00",
        "92919084431|PEGL850315HDFRRS09|450.25"]
    assert huella_trabajadores(()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"  # SHA-256("")


def _sellar(juego, datos: bytes, trust, now=NOW) -> fiel.Firma:
    return fiel.verify(juego.rfc, juego.cer, juego.key, juego.password, trust=trust, now=now, sellar=datos)


def test_the_sello_verifies_and_fails_on_any_change(juegos, ca):
    datos = cadena_original(INFORMATIVA).encode("utf-8")
    firma = _sellar(juegos["moral"], datos, [ca.cert_der])
    assert firma.sello and len(firma.sello) == 256  # a 2,048-bit key
    assert sello.verificar(juegos["moral"].cer, datos, firma.sello)
    assert not sello.verificar(juegos["moral"].cer, datos.replace(b"|2026|2|", b"|2026|3|"), firma.sello)
    assert not sello.verificar(juegos["otra"].cer, datos, firma.sello)
    assert not sello.verificar(b"no es un certificado", datos, firma.sello)
    assert sello.de_texto(sello.a_texto(firma.sello)) == firma.sello and sello.de_texto("no*base64") is None
    # Without `sellar` nothing is signed; a refused e.firma signs nothing (the exception is all it gives).
    assert fiel.verify(juegos["moral"].rfc, juegos["moral"].cer, juegos["moral"].key, juegos["moral"].password,
                       trust=[ca.cert_der], now=NOW).sello is None
    for nombre in ("csd", "vencida"):
        with pytest.raises(fiel.FielRechazada):
            _sellar(juegos[nombre], datos, [ca.cert_der])


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_openssl_verifies_the_sello(juegos, ca, tmp_path):
    """Anyone can check a sello with the certificate alone: `openssl dgst -sha256 -verify`."""
    datos = cadena_original(INFORMATIVA).encode("utf-8")
    firma = _sellar(juegos["fisica"], datos, [ca.cert_der])
    publica = fiel.Certificado.from_bytes(juegos["fisica"].cer).public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (tmp_path / "publica.pem").write_bytes(publica)
    (tmp_path / "cadena.txt").write_bytes(datos)
    (tmp_path / "sello.bin").write_bytes(firma.sello)
    comando = ["openssl", "dgst", "-sha256", "-verify", "publica.pem", "-signature", "sello.bin", "cadena.txt"]
    resultado = subprocess.run(comando, cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert resultado.returncode == 0 and "Verified OK" in resultado.stdout
    (tmp_path / "cadena.txt").write_bytes(datos + b" ")
    assert subprocess.run(comando, cwd=tmp_path, capture_output=True, timeout=30).returncode != 0


@requires_sat_fixtures
def test_a_real_sat_e_firma_signs_and_verifies():
    """SAT's 2023 test e.firma (a 2,048-bit key issued by its test CA) signs the cadena; its sello verifies with
    its certificate."""
    cer, key, password = load_set("FIEL_EKU9003173C9_2023")
    trust = fiel.TrustStore(p.read_bytes() for p in ca_files("test") if p.suffix == ".cer")
    datos = cadena_original(replace(INFORMATIVA, rfc="EKU9003173C9")).encode("utf-8")
    firma = fiel.verify("EKU9003173C9", cer, key, password, trust=trust,
                        now=datetime(2026, 11, 25, tzinfo=timezone.utc), sellar=datos)
    assert sello.verificar(cer, datos, firma.sello)
