"""The largest value each rule admits is stored, on SQLite and on PostgreSQL (which enforces VARCHAR(n), where SQLite
ignores it); one character more is a 422 next to its field, never a 500."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from app import contacto, curp, demo, fiel, limiter
from app.db import get_session
from app.models import Capturista, Contratista, DatosGenerales, Documento, IntentoFallido, Persona

from .conftest import HTMX, NOW, Juego, html, token
from .test_administracion import alta, hacer_curp, preparar
from .test_datos_generales import pdf
from .test_ingreso import ingresar, validar


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app(request):
    return request.getfixturevalue("sqlite_app" if request.param == "sqlite" else "pg_app")


def juego(ca, rfc="EDE010101AB1", **kwargs) -> Juego:
    kwargs.setdefault("nombre", "ESCUELA DEMO SA DE CV")
    e = demo.make_efirma(ca, rfc=rfc, persona="moral" if len(rfc) == 12 else "fisica",
                         not_before=NOW - timedelta(days=1), not_after=NOW + timedelta(days=365), **kwargs)
    return Juego(rfc, e.cer_der, e.key_der, e.password)


# The largest serial RFC 5280 allows (20 bytes, 49 digits), a random 159-bit one as a trusted CA may issue (48
# digits: release 0.1.0's VARCHAR(40) refused it on PostgreSQL at Ingresar), and SAT's own style (20 digits).
SERIALES = [2**160 - 1, 0x5A3F9C2B7E1D4A6F8B0C3E5D7A9F1B2C4D6E8F0A, None]


@pytest.mark.parametrize("serial", SERIALES, ids=["20-bytes", "159-bits", "sat"])
def test_any_serial_a_ca_may_issue_signs_in_and_is_stored(app, ca, serial):
    firma = juego(ca, serial=serial)
    client = app.test_client()
    assert ingresar(client, firma).status_code == 303
    with app.app_context():
        stored = get_session().exec(select(Contratista)).one().cert_serial
    cert = fiel.Certificado.from_bytes(firma.cer)
    assert stored == cert.sat_serial
    if serial is not None:
        assert stored == str(serial) and len(stored) <= fiel.MAX_SERIAL_DIGITS
    assert len(str(2**160 - 1)) == fiel.MAX_SERIAL_DIGITS == 49


@pytest.mark.parametrize("serial", [2**160, 2**200, -5, 0], ids=["21-bytes", "25-bytes", "negative", "zero"])
def test_a_serial_outside_rfc_5280_is_refused_at_validar(app, ca, serial):
    response = validar(app.test_client(), juego(ca, serial=serial))
    assert response.status_code == 422
    assert fiel.MSG_CER_SERIAL in html(response).select_one("#cer-error").get_text(" ")


def test_the_longest_holder_name_signs_in_and_one_more_is_refused(app, ca):
    nombre = ("GRUPO " + "CONSTRUCTORA Y SERVICIOS ESPECIALIZADOS DEL NORTE " * 6)[:fiel.MAX_NOMBRE].strip()
    nombre = nombre + "X" * (fiel.MAX_NOMBRE - len(nombre))
    assert len(nombre) == fiel.MAX_NOMBRE
    client = app.test_client()
    assert ingresar(client, juego(ca, nombre=nombre)).status_code == 303
    with app.app_context():
        assert get_session().exec(select(Contratista)).one().nombre == nombre
    response = validar(app.test_client(), juego(ca, rfc="OTR020202CD3", nombre=nombre + "Y"))
    assert response.status_code == 422 and fiel.MSG_CER_NAME in response.get_data(as_text=True)


def correo_mas_largo() -> str:
    """An address of exactly 254 characters (RFC 5321's limit) that email-validator accepts: a 64-character local
    part and labels of at most 63."""
    local = "a" * 64
    dominio = "b" * 63 + "." + "c" * 63 + "." + "d" * 58 + ".mx"
    correo = f"{local}@{dominio}"
    assert len(correo) == contacto.MAX_CORREO == 254
    return correo


def test_datos_generales_store_the_longest_email_and_file_name(app, ca):
    client = preparar_sin_datos(app, ca)
    largo = "Acuse de registro en el padrón de la STPS " + "ñ" * 400 + ".pdf"  # 446 characters, as a browser sends
    response = client.post("/datos-generales/", content_type="multipart/form-data", data={
        "csrf_token": token(client, "/datos-generales/"), "correo": correo_mas_largo(), "celular": "5512345678",
        "domicilio_igual": "si", "acuse": (io.BytesIO(pdf()), largo)})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    with app.app_context():
        db = get_session()
        assert db.exec(select(DatosGenerales)).one().correo == correo_mas_largo()
        documento = db.exec(select(Documento)).one()
        assert len(documento.nombre) <= 120 and documento.nombre.endswith("ñ.pdf")
    assert client.get("/datos-generales/acuse/ver").data.startswith(b"%PDF-")


def test_datos_generales_refuse_one_character_more_next_to_the_field(app, ca):
    client = preparar_sin_datos(app, ca)
    for headers in ({}, HTMX):
        response = client.post("/datos-generales/", headers=headers, data={
            "csrf_token": token(client, "/datos-generales/"), "correo": "a" + correo_mas_largo(),
            "celular": "5512345678", "domicilio_igual": "si"})
        assert response.status_code == 422
        assert "el máximo es 254 caracteres" in html(response).select_one("#correo-error").get_text(" ")
    with app.app_context():
        assert get_session().exec(select(DatosGenerales)).first() is None


def preparar_sin_datos(app, ca):
    """Signed in, terms accepted, no datos generales yet."""
    client = app.test_client()
    ingresar(client, juego(ca))
    client.post("/ingreso/terminos", data={"csrf_token": token(client, "/ingreso/terminos"), "acepto": "y"})
    return client


def nombres_mas_largos() -> tuple[str, str, str]:
    """Given names and surnames of exactly curp.MAX_NOMBRE characters each, in curp.MAX_PALABRAS words (the longest
    the name rule admits)."""
    def largo(palabra: str) -> str:
        palabras = [palabra] * curp.MAX_PALABRAS
        falta = curp.MAX_NOMBRE - len(" ".join(palabras))
        palabras[-1] += palabra[-1] * falta if falta > 0 else ""
        texto = " ".join(palabras)
        return texto[:curp.MAX_NOMBRE] if falta >= 0 else texto

    return largo("MAXIMILIANOSS"), largo("VILLASEÑORESS"), largo("SANTISTEBANES")


def test_alta_and_export_with_the_longest_names_and_email(app, juegos):
    client = preparar(app, app.test_client(), juegos["moral"])
    nombres = nombres_mas_largos()
    clave = hacer_curp(*nombres, sexo="M")
    response = alta(client, clave, nombres=nombres, correo=correo_mas_largo())
    assert response.status_code == 303, html(response).select_one("main").get_text(" ")[:1500]
    with app.app_context():
        db = get_session()
        rol = db.exec(select(Capturista)).one()
        assert (rol.nombres, rol.primer_apellido, rol.segundo_apellido) == nombres
        assert db.get(Persona, rol.persona_id).correo == correo_mas_largo()
    sheet = load_workbook(io.BytesIO(client.get("/administracion/exportar").data)).active
    row = [cell.value for cell in next(sheet.iter_rows(min_row=2))]
    assert nombres[0] in row and clave in row
    demasiado = (nombres[0] + "Z", nombres[1], nombres[2])
    response = alta(client, hacer_curp(*demasiado, sexo="M", fecha="900101"), nombres=demasiado)
    assert response.status_code == 422
    assert f"máximo {curp.MAX_NOMBRE} caracteres" in html(response).get_text(" ")


def test_a_failed_attempt_key_never_outgrows_its_column(app, juegos):
    """A client address of any length (as a misconfigured proxy may pass along) is counted by its fingerprint."""
    app.config["PROXIES"] = 1
    from werkzeug.middleware.proxy_fix import ProxyFix

    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)
    client = app.test_client()
    direccion = "2001:db8::" + "f" * 5000
    response = validar(client, juegos["moral"], password="mal", headers={"X-Forwarded-For": direccion})
    assert response.status_code == 422
    with app.app_context():
        claves = [i.clave for i in get_session().exec(select(IntentoFallido)).all()]
    assert claves and all(len(c) <= limiter.MAX_CLAVE for c in claves)
    assert any(c.startswith("efirma-ip:#") for c in claves)
