"""Datos generales through the routes: contact data, the three-step locator, the STPS acuse and Guardar, each with
and without htmx."""
from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfWriter
from sqlmodel import select
from werkzeug.http import parse_options_header

from app.db import get_session
from app.localizador import MAX_OPCIONES
from app.models import Borrador, DatosGenerales, Documento

from .conftest import HTMX, html, token
from .test_ingreso import ingresar

URL = "/datos-generales/"


def pdf(pages: int = 1, padding: int = 0) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    if padding:
        writer.add_metadata({"/Relleno": "x" * padding})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def entrar(client):
    """Sign in with an e.firma set and accept the terms; returns the client."""

    def login(juego):
        ingresar(client, juego)
        client.post("/ingreso/terminos", data={"csrf_token": token(client, "/ingreso/terminos"), "acepto": "y"})
        return client

    return login


def post(client, path, data=None, headers=None, files=None):
    body = {"csrf_token": token(client, URL), **(data or {})}
    body.update(files or {})
    return client.post(URL.rstrip("/") + path if path else URL, data=body, headers=headers or {},
                       content_type="multipart/form-data")


def test_persona_fisica_sees_no_domicilio(entrar, juegos):
    client = entrar(juegos["fisica"])
    doc = html(client.get(URL))
    assert doc.h1.get_text() == "Datos generales"
    labels = [label.get_text(strip=True) for label in doc.select("#datos-generales label")]
    assert labels[:3] == ["Correo electrónico", "Celular", "Teléfono fijo"]
    assert "Acuse de registro en padrón de la STPS" in labels
    assert doc.select_one("#acuse-hint").get_text() == "Archivo con extensión: .pdf, 5MB máx"
    assert doc.select_one("#ubicar") is None and not doc.find(string="Domicilio")
    assert doc.find("h2", string="Carga y adjunto de documentos")
    assert doc.find("button", string="Guardar")


def test_persona_moral_sees_the_domicilio_question_and_the_locator(entrar, juegos):
    doc = html(entrar(juegos["moral"]).get(URL))
    legend = doc.select_one("#domicilio_igual-0").find_parent("fieldset").legend
    assert legend.get_text() == "¿El domicilio social del contratista es igual a su domicilio fiscal?"
    assert [label.get_text() for label in legend.find_parent("fieldset").select("label")] == ["Sí", "No"]
    assert doc.select_one("#ubicar-titulo").get_text() == "Ubicar domicilio geográfico nacional"
    assert doc.select_one("#paso-titulo").get_text(" ", strip=True).startswith("Paso 1 / 3")
    assert doc.select_one("#conoce_cp-0").find_parent("fieldset").legend.get_text() == "¿Conoces tu Código Postal?"


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["sin-js", "htmx"])
def test_postal_code_fills_the_colonias(entrar, juegos, headers):
    client = entrar(juegos["moral"])
    response = post(client, "/domicilio/buscar", {"domicilio_igual": "no", "conoce_cp": "si", "cp": " 01000 ",
                                                  "correo": "a medias"}, headers)
    doc = html(response)
    assert response.status_code == 200
    assert (doc.find("html") is None) == bool(headers)
    options = [o.get_text() for o in doc.select("#colonia option")]
    assert options[0] == "--Selecciona por favor--" and "San Ángel" in options
    assert doc.select_one("#cp")["value"] == "01000"
    if not headers:  # the whole page again, with what was typed elsewhere
        assert doc.select_one("#correo")["value"] == "a medias"


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["sin-js", "htmx"])
@pytest.mark.parametrize("cp, words", [("00000", "código postal"), ("abcde", "5 dígitos"), ("1234", "5 dígitos"),
                                       ("", "código postal"), ("99999", "No encontramos")])
def test_bad_postal_codes_are_refused_next_to_the_field(entrar, juegos, headers, cp, words):
    client = entrar(juegos["moral"])
    response = post(client, "/domicilio/buscar", {"domicilio_igual": "no", "conoce_cp": "si", "cp": cp}, headers)
    doc = html(response)
    assert response.status_code == 422
    assert words.lower() in doc.select_one("#cp-error").get_text().lower()
    assert "cp-error" in doc.select_one("#cp")["aria-describedby"].split()
    assert len(doc.select("#colonia option")) == 1


def test_estado_municipio_colonia_path(entrar, juegos):
    client = entrar(juegos["moral"])
    doc = html(post(client, "/domicilio/buscar", {"domicilio_igual": "no", "conoce_cp": "no",
                                                  "estado": "Ciudad de México"}, HTMX))
    assert "Álvaro Obregón" in [o.get_text() for o in doc.select("#municipio option")]
    doc = html(post(client, "/domicilio/buscar", {"domicilio_igual": "no", "conoce_cp": "no",
                                                  "estado": "Ciudad de México", "municipio": "Álvaro Obregón"}, HTMX))
    options = [o.get_text() for o in doc.select("#colonia option")]
    assert "San Ángel (C.P. 01000)" in options


def _colonia(doc, nombre: str) -> str:
    return next(o.get("value", o.get_text()) for o in doc.select("#colonia option") if o.get_text().startswith(nombre))


PASO_2 = {"calle_tipo": "RETORNO", "calle_nombre": "1 norte", "numero_exterior": "23", "letra_exterior": "qtvv",
          "numero_interior": "12", "letra_interior": "PGM", "numero_exterior_secundario": "23456",
          "entre_calle_tipo": "ANDADOR", "entre_calle_nombre": "1 Tepecoluima",
          "y_calle_tipo": "CALLE", "y_calle_nombre": "11 de Noviembre",
          "calle_posterior_tipo": "ANDADOR", "calle_posterior_nombre": "10 de Abril", "descripcion": ""}


def ubicar_hasta_paso_3(client, headers=None):
    doc = html(post(client, "/domicilio/buscar", {"domicilio_igual": "no", "conoce_cp": "si", "cp": "01000"}))
    colonia = _colonia(doc, "San Ángel")
    response = post(client, "/domicilio/ubicar", {"colonia": colonia}, headers)
    assert response.status_code == 200
    return post(client, "/domicilio/ubicar", PASO_2, headers)


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["sin-js", "htmx"])
def test_the_three_steps_and_aceptar(entrar, juegos, app, headers):
    client = entrar(juegos["moral"])
    response = post(client, "/domicilio/ubicar", {"domicilio_igual": "no", "conoce_cp": "si", "cp": "01000"}, headers)
    assert response.status_code == 422  # no colonia chosen yet
    assert "colonia" in html(response).select_one("#colonia-error").get_text()

    doc = html(post(client, "/domicilio/buscar", {"cp": "01000"}))
    response = post(client, "/domicilio/ubicar", {"colonia": _colonia(doc, "San Ángel")}, headers)
    doc = html(response)
    heading = doc.select_one("#paso-titulo")
    assert heading.get_text(" ", strip=True).startswith("Paso 2 / 3") and heading.has_attr("autofocus")
    ubicacion = {dt.get_text(): dt.find_next_sibling("dd").get_text() for dt in doc.select(".resumen--ubicacion dt")}
    assert ubicacion == {"Colonia": "San Ángel", "Código Postal": "01000", "Municipio o Alcaldía": "Álvaro Obregón",
                         "Estado": "Ciudad de México"}

    response = post(client, "/domicilio/ubicar", {**PASO_2, "calle_nombre": "", "numero_exterior": ""}, headers)
    doc = html(response)
    assert response.status_code == 422
    assert doc.select_one("#calle_nombre-error") and doc.select_one("#numero_exterior-error")
    assert doc.select_one("#letra_exterior")["value"] == "qtvv" or doc.select_one("#letra_exterior")["value"] == "QTVV"

    response = post(client, "/domicilio/ubicar", PASO_2, headers)
    doc = html(response)
    assert response.status_code == 200
    assert doc.select_one("#paso-titulo").get_text(" ", strip=True).startswith("Paso 3 / 3")
    resumen = {dt.get_text(): dt.find_next_sibling("dd").get_text() for dt in doc.select(".resumen dt")}
    assert resumen["Calle"] == "RETORNO - 1 NORTE"
    assert resumen["Número / Letra exterior"] == "23 / QTVV"
    assert resumen["Entre calle"] == "ANDADOR - 1 TEPECOLUIMA"
    assert resumen["Código Postal"] == "01000"

    doc = html(post(client, "/domicilio/aceptar", {}, headers))
    assert doc.select_one("#paso-titulo").get_text() == "Domicilio social ubicado"
    assert doc.find("button", string="Cambiar domicilio")
    doc = html(post(client, "/domicilio/cambiar?paso=2", {}, headers))
    assert doc.select_one("#calle_nombre")["value"] == "1 NORTE"


def test_sin_numero_lets_the_exterior_number_go(entrar, juegos):
    client = entrar(juegos["moral"])
    doc = html(post(client, "/domicilio/buscar", {"domicilio_igual": "no", "conoce_cp": "si", "cp": "01000"}))
    post(client, "/domicilio/ubicar", {"colonia": _colonia(doc, "San Ángel")})
    response = post(client, "/domicilio/ubicar", {**PASO_2, "numero_exterior": "", "letra_exterior": "",
                                                  "sin_numero": "y"})
    assert response.status_code == 200
    resumen = {dt.get_text(): dt.find_next_sibling("dd").get_text() for dt in html(response).select(".resumen dt")}
    assert "SIN NÚMERO" in resumen["Número / Letra exterior"].upper()


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["sin-js", "htmx"])
def test_acuse_attach_view_and_delete(entrar, juegos, app, headers):
    client = entrar(juegos["fisica"])
    response = post(client, "/acuse", {}, headers, {"acuse": (io.BytesIO(pdf()), "Registro_STPS.pdf")})
    doc = html(response)
    assert response.status_code == 200
    assert "Registro_STPS.pdf" in doc.select_one("#acuse-archivo").get_text()
    ver = doc.select_one('a[href$="/acuse/ver"]')
    assert ver.get_text(" ", strip=True).startswith("Ver archivo")
    assert ver["target"] == "_blank"
    shown = client.get(ver["href"])
    assert shown.status_code == 200 and shown.data.startswith(b"%PDF-")
    assert shown.headers["Content-Type"] == "application/pdf"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert shown.headers["Content-Security-Policy"].startswith("sandbox")
    assert shown.headers["Content-Disposition"].startswith("inline")

    doc = html(post(client, "/acuse/eliminar", {}, headers))
    assert doc.select_one("#acuse-archivo") is None and doc.select_one("input#acuse")
    assert client.get(ver["href"]).status_code == 404
    with app.app_context():
        assert get_session().exec(select(Documento)).first() is None


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["sin-js", "htmx"])
@pytest.mark.parametrize("name, data, words", [
    ("acuse.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, ".pdf"),
    ("acuse.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "PDF válido"),
    ("acuse.pdf", b"", "vacío"),
])
def test_bad_acuse_is_refused_next_to_the_field(entrar, juegos, headers, name, data, words):
    client = entrar(juegos["fisica"])
    response = post(client, "/acuse", {}, headers, {"acuse": (io.BytesIO(data), name)})
    doc = html(response)
    assert response.status_code == 422
    assert words in doc.select_one("#acuse-error").get_text()
    assert "acuse-error" in doc.select_one("#acuse")["aria-describedby"].split()


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["sin-js", "htmx"])
def test_too_big_acuse_gets_the_same_message_not_a_bare_413(entrar, juegos, headers):
    client = entrar(juegos["fisica"])
    big = pdf(padding=5 * 1024 * 1024 + 100)  # over 5 MB, under the request limit: the domain says so
    response = post(client, "/acuse", {}, headers, {"acuse": (io.BytesIO(big), "grande.pdf")})
    assert response.status_code == 422
    assert "el máximo es 5 MB" in html(response).select_one("#acuse-error").get_text()
    response = post(client, "", {"correo": "tecleado@ejemplo.mx"}, headers,
                    {"acuse": (io.BytesIO(pdf(padding=20 * 1024 * 1024)), "enorme.pdf")})
    doc = html(response)
    assert response.status_code == 422
    assert "pesa 20.1 MB; el máximo es 5 MB" in doc.select_one("#acuse-error").get_text()
    assert doc.select_one("#correo")["value"] == "tecleado@ejemplo.mx"  # what was typed came through


def test_request_over_the_upload_limit_is_refused_cleanly(entrar, juegos, app, monkeypatch):
    # The view's limit is 64 MB; lowered here so that the test need not send that much.
    monkeypatch.setattr(app.view_functions["datos_generales.adjuntar"], "max_content_length", 1024 * 1024)
    client = entrar(juegos["fisica"])
    huge = b"%PDF-" + b"0" * (2 * 1024 * 1024)
    response = post(client, "/acuse", {}, HTMX, {"acuse": (io.BytesIO(huge), "enorme.pdf")})
    doc = html(response)
    assert response.status_code == 413
    assert "el máximo es 5 MB" in doc.select_one("#acuse-error").get_text()
    assert doc.find("html") is None


def test_another_contratista_cannot_see_the_acuse(app, juegos, entrar):
    client = entrar(juegos["fisica"])
    post(client, "/acuse", {}, None, {"acuse": (io.BytesIO(pdf()), "mio.pdf")})
    otro = app.test_client()
    ingresar(otro, juegos["otra"])
    otro.post("/ingreso/terminos", data={"csrf_token": token(otro, "/ingreso/terminos"), "acepto": "y"})
    assert otro.get("/datos-generales/acuse/ver").status_code == 404
    assert app.test_client().get("/datos-generales/acuse/ver").status_code == 303  # not signed in


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["sin-js", "htmx"])
def test_guardar_with_nothing_lists_every_problem(entrar, juegos, headers):
    client = entrar(juegos["moral"])
    response = post(client, "", {}, headers)
    doc = html(response)
    assert response.status_code == 422
    links = {a["href"] for a in doc.select(".error-summary a")}
    assert {"#correo", "#celular", "#domicilio_igual-0", "#acuse"} <= links
    for href in links:
        assert doc.select_one(href) is not None  # every link lands on something


@pytest.mark.parametrize("correo, celular, field, words", [
    ("no-es-correo", "5512345678", "correo", "no es válido"),
    ("a@ejemplo.mx", "551234567", "celular", "10 dígitos"),
    ("a@ejemplo.mx", "55-1234-567a", "celular", "dígitos"),
])
def test_bad_contact_data(entrar, juegos, correo, celular, field, words):
    client = entrar(juegos["fisica"])
    response = post(client, "", {"correo": correo, "celular": celular})
    doc = html(response)
    assert response.status_code == 422
    assert words in doc.select_one(f"#{field}-error").get_text()
    assert doc.select_one("#correo")["value"] == correo and doc.select_one("#celular")["value"] == celular


def test_typed_data_survives_an_error_and_a_reload(entrar, juegos):
    client = entrar(juegos["moral"])
    post(client, "", {"correo": "a@ejemplo.mx", "celular": "55 12", "domicilio_igual": "no"})
    doc = html(client.get(URL))  # a reload, with no POST
    assert doc.select_one("#correo")["value"] == "a@ejemplo.mx"
    assert doc.select_one("#celular")["value"] == "55 12"
    assert doc.select_one("#domicilio_igual-1").has_attr("checked")


def test_guardar_persona_moral_stores_everything_and_comes_back_editable(entrar, juegos, app):
    client = entrar(juegos["moral"])
    ubicar_hasta_paso_3(client)
    post(client, "/domicilio/aceptar")
    post(client, "/acuse", {}, None, {"acuse": (io.BytesIO(pdf()), "acuse.pdf")})
    response = post(client, "", {"correo": "Contacto@Ejemplo.MX", "celular": "+52 55 1234 5678",
                                 "telefono_fijo": "", "domicilio_igual": "no"})
    assert response.status_code == 303 and response.headers["Location"] == URL
    doc = html(client.get(URL))
    assert "se guardaron" in doc.select_one(".aviso").get_text()
    assert doc.select_one("#correo")["value"] == "Contacto@ejemplo.mx"
    assert doc.select_one("#celular")["value"] == "5512345678"
    assert doc.select_one("#paso-titulo").get_text() == "Domicilio social ubicado"
    assert "Última actualización" in doc.get_text()
    with app.app_context():
        db = get_session()
        datos = db.exec(select(DatosGenerales)).one()
        assert (datos.correo, datos.celular, datos.telefono_fijo) == ("Contacto@ejemplo.mx", "5512345678", None)
        assert datos.domicilio_igual_fiscal is False and datos.domicilio["cp"] == "01000"
        assert db.exec(select(Borrador)).first() is None
    # The next entry starts on Inicio's board, not on the "Configuración" notice.
    client.post("/salir", data={"csrf_token": token(client, URL)})
    assert ingresar(client, juegos["moral"]).headers["Location"] == "/inicio/tablero"


def test_guardar_with_no_located_address_is_refused(entrar, juegos):
    client = entrar(juegos["moral"])
    post(client, "/acuse", {}, None, {"acuse": (io.BytesIO(pdf()), "acuse.pdf")})
    response = post(client, "", {"correo": "a@ejemplo.mx", "celular": "5512345678", "domicilio_igual": "no"})
    doc = html(response)
    assert response.status_code == 422
    link = doc.select_one('.error-summary a[href="#ubicar-titulo"]')
    assert "Aceptar" in link.get_text() and doc.select_one("#ubicar-titulo")


def test_guardar_persona_fisica_with_the_file_chosen_and_not_attached(entrar, juegos, app):
    client = entrar(juegos["fisica"])
    response = post(client, "", {"correo": "maria@ejemplo.mx", "celular": "3312345678", "telefono_fijo": "(33) 3333 4444"},
                    None, {"acuse": (io.BytesIO(pdf()), "acuse.pdf")})
    assert response.status_code == 303
    with app.app_context():
        datos = get_session().exec(select(DatosGenerales)).one()
        assert datos.telefono_fijo == "3333334444" and datos.domicilio is None and datos.domicilio_igual_fiscal is None
    # A second Guardar of the same page (a double click) changes nothing and writes no second Bitácora row; a real
    # change writes one.
    contacto = {"correo": "maria@ejemplo.mx", "celular": "3312345678", "telefono_fijo": "3333334444"}
    assert post(client, "", contacto).status_code == 303
    assert post(client, "", {**contacto, "celular": "3312345679"}).status_code == 303
    with app.app_context():
        from app.models import Auditoria
        assert [a.detalle for a in get_session().exec(select(Auditoria).where(
            Auditoria.accion == "datos_generales").order_by(Auditoria.id)).all()] == ["con un acuse STPS nuevo", ""]


def test_persona_fisica_has_no_locator(entrar, juegos):
    client = entrar(juegos["fisica"])
    assert post(client, "/domicilio/buscar", {"cp": "01000"}).status_code == 404


def test_enter_in_a_field_keeps_what_was_typed_and_searches(entrar, juegos):
    client = entrar(juegos["moral"])
    response = post(client, "/actualizar", {"correo": "x", "domicilio_igual": "no", "conoce_cp": "si", "cp": "06700"},
                    HTMX)
    doc = html(response)
    assert response.status_code == 200 and not doc.select(".error-summary")
    assert "Roma Norte" in [o.get_text() for o in doc.select("#colonia option")]


def _gzip_page(response):
    import gzip

    return BeautifulSoup(gzip.decompress(response.data).decode(), "html.parser")


def _sobre_el_cable(response) -> int:
    """Bytes on the wire: the compressed body and the status line and headers."""
    cabeceras = sum(len(f"{k}: {v}\r\n") for k, v in response.headers.items()) + len("HTTP/1.1 200 OK\r\n\r\n")
    return len(response.data) + cabeceras


def test_only_the_posts_that_carry_the_acuse_are_multipart(entrar, juegos):
    """Issue 14 §3: the draft's and the locator's posts send the form URL-encoded (a multipart part costs about 90
    bytes of boundary and headers per field, 26 fields), and the draft does not send the chosen acuse again after
    its own upload. With and without JavaScript, Guardar, Adjuntar and Enter (Actualizar) still carry the file."""
    doc = html(entrar(juegos["moral"]).get("/datos-generales/"))
    form = doc.select_one("form[action='/datos-generales/']")
    assert form.get("enctype") is None and form["hx-encoding"] == "multipart/form-data"
    multipart = {b.get_text(strip=True) for b in form.select("button[formenctype='multipart/form-data']")}
    assert multipart == {"Guardar", "Adjuntar", "Actualizar"}
    assert all(b["hx-encoding"] == "multipart/form-data" for b in form.select("button[formenctype][hx-post]"))
    acuse = form.select_one("input[type=file][name=acuse]")
    assert acuse["hx-encoding"] == "multipart/form-data" and acuse["hx-trigger"] == "change consume"
    assert form.select_one("#cp")["hx-trigger"] == "change consume"


def test_an_answer_with_errors_is_compressed_and_keeps_its_status(entrar, juegos):
    """Flask-Compress leaves answers outside 2xx whole: Paso 2 with errors went out as 11 KB (found by the browser
    test of the informativa). A 422 and a 404 are compressed now and keep their status; a validator sent by the
    browser does not turn an error into a 304."""
    client = entrar(juegos["moral"])
    doc = html(post(client, "/domicilio/buscar", {"domicilio_igual": "no", "conoce_cp": "si", "cp": "01000"}))
    post(client, "/domicilio/ubicar", {"colonia": _colonia(doc, "San Ángel")}, HTMX)
    comprimido = {**HTMX, "Accept-Encoding": "gzip"}
    response = post(client, "/domicilio/ubicar", {**PASO_2, "calle_nombre": "", "numero_exterior": ""}, comprimido)
    assert response.status_code == 422 and response.headers["Content-Encoding"] == "gzip"
    assert _gzip_page(response).select_one("#calle_nombre-error")
    assert _sobre_el_cable(response) < 4 * 1024
    brotli = post(client, "/domicilio/ubicar", {**PASO_2, "calle_nombre": "", "numero_exterior": ""},
                  {**HTMX, "Accept-Encoding": "gzip, deflate, br, zstd"})  # what Chromium sends
    assert brotli.status_code == 422 and brotli.headers["Content-Encoding"] == "br"
    response = client.get("/no-existe", headers={"Accept-Encoding": "gzip", "If-None-Match": "*",
                                                 "If-Modified-Since": "Mon, 30 Nov 2026 00:00:00 GMT"})
    assert response.status_code == 404 and response.headers["Content-Encoding"] == "gzip"
    assert _gzip_page(response).select_one("h1")


def test_the_largest_postal_code_is_narrowed_by_typing_part_of_the_name(entrar, juegos):
    """85203 has 352 asentamientos: no list of 352 is sent; the user types part of the name, and every fragment
    stays under 4 KB on the wire, headers included."""
    client = entrar(juegos["moral"])
    datos = {"csrf_token": token(client, URL), "domicilio_igual": "no", "conoce_cp": "si", "cp": "85203"}
    response = client.post("/datos-generales/domicilio/buscar", headers={**HTMX, "Accept-Encoding": "gzip"}, data=datos)
    doc = _gzip_page(response)
    assert len(doc.select("#colonia option")) == 1  # only "--Selecciona por favor--"
    assert "Hay 352 colonias" in doc.select_one("#filtro_colonia-hint").get_text()
    assert _sobre_el_cable(response) <= 4 * 1024
    for headers in (HTMX, {}):
        response = client.post("/datos-generales/domicilio/buscar", headers={**headers, "Accept-Encoding": "gzip"},
                               data={**datos, "filtro_colonia": "los"})
        doc = _gzip_page(response)
        opciones = [o.get_text() for o in doc.select("#colonia option")][1:]
        assert 0 < len(opciones) <= MAX_OPCIONES and all("los" in o.lower() for o in opciones)
        if headers:
            assert _sobre_el_cable(response) <= 4 * 1024
    elegida = opciones[0]
    response = client.post("/datos-generales/domicilio/ubicar", headers=HTMX,
                           data={**datos, "filtro_colonia": "los", "colonia": elegida})
    assert html(response).select_one("#paso-titulo").get_text(" ", strip=True).startswith("Paso 2 / 3")


# Nothing saved changes until Guardar; a draft says it is one; errors describe what is on screen (issue 11, §5).

def _guardar_fisica(client):
    """A persona física's datos generales saved with an acuse; returns the acuse's bytes."""
    datos = pdf()
    response = post(client, "", {"correo": "maria@ejemplo.mx", "celular": "5512345678"},
                    files={"acuse": (io.BytesIO(datos), "acuse guardado.pdf")})
    assert response.status_code == 303
    return datos


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["sin-js", "htmx"])
def test_eliminar_changes_nothing_saved_until_guardar(entrar, juegos, app, headers):
    client = entrar(juegos["fisica"])
    guardado = _guardar_fisica(client)
    response = post(client, "/acuse/eliminar", {}, headers)
    assert response.status_code == 200 and "acuse guardado.pdf" not in response.get_data(as_text=True)
    # A failed Guardar (the acuse is now missing on the page) leaves the saved acuse where it was.
    response = post(client, "", {"correo": "otro@ejemplo.mx"}, headers)
    assert response.status_code == 422 and html(response).select_one("#acuse-error")
    with app.app_context():
        documento = get_session().exec(select(Documento)).one()
        assert documento.contenido == guardado and documento.tipo == "acuse_stps"
        assert get_session().exec(select(DatosGenerales)).one().correo == "maria@ejemplo.mx"
    # The returning user sees the unsaved draft, and says so; Descartar cambios brings back what is saved.
    doc = html(client.get(URL))
    aviso = doc.select_one(".aviso--pendiente").get_text(" ")
    assert "cambios sin guardar" in aviso and doc.select_one("#correo")["value"] == "otro@ejemplo.mx"
    response = post(client, "/descartar", {}, headers)
    assert response.status_code in (204, 303)
    doc = html(client.get(URL))
    assert doc.select_one(".aviso--pendiente") is None and doc.select_one("#correo")["value"] == "maria@ejemplo.mx"
    assert "acuse guardado.pdf" in doc.select_one("#adjunto").get_text()


def test_a_new_acuse_replaces_the_saved_one_only_at_guardar(entrar, juegos, app):
    client = entrar(juegos["fisica"])
    guardado = _guardar_fisica(client)
    nuevo = pdf(pages=2)
    post(client, "/acuse", {}, HTMX, files={"acuse": (io.BytesIO(nuevo), "acuse nuevo.pdf")})
    assert client.get(f"{URL}acuse/ver").data == nuevo  # Ver archivo shows what the page shows
    with app.app_context():
        tipos = {d.tipo: d.contenido for d in get_session().exec(select(Documento)).all()}
        assert tipos == {"acuse_stps": guardado, "acuse_stps_borrador": nuevo}
    assert post(client, "", {}).status_code == 303
    with app.app_context():
        [documento] = get_session().exec(select(Documento)).all()
        assert (documento.tipo, documento.contenido, documento.nombre) == ("acuse_stps", nuevo, "acuse nuevo.pdf")
    assert html(client.get(URL)).select_one(".aviso--pendiente") is None


def test_after_a_failed_guardar_the_errors_follow_the_values(entrar, juegos):
    """With JavaScript, each change after a failed Guardar brings the form back checked against what is on
    screen: a fixed field loses its error, and the summary says only what is still wrong."""
    client = entrar(juegos["fisica"])
    response = post(client, "", {"correo": "no-es-correo", "celular": "55"}, HTMX)
    doc = html(response)
    assert response.status_code == 422 and doc.select_one("#correo-error") and doc.select_one("#celular-error")
    response = client.post(f"{URL}borrador", headers=HTMX, data={"csrf_token": token(client, URL),
                                                                 "correo": "maria@ejemplo.mx", "celular": "55"})
    assert response.headers["HX-Retarget"] == "#datos-generales"
    doc = html(response)
    assert doc.select_one("#correo-error") is None and doc.select_one("#celular-error")
    assert [a.get_text() for a in doc.select(".error-summary a")][0].startswith("El número de celular")
    # Before any failed Guardar, an autosave changes nothing on the page.
    otro = entrar(juegos["moral"])
    guardado = otro.post(f"{URL}borrador", headers={**HTMX, "Accept-Encoding": "br, gzip"},
                         data={"csrf_token": token(otro, URL), "correo": "x"})
    assert guardado.status_code == 204 and not guardado.data
    # No content: no type, and no encoding (Flask-Compress marked it br), on each of a form's many autosaves.
    assert "Content-Type" not in guardado.headers and "Content-Encoding" not in guardado.headers


def test_after_a_failed_guardar_a_locator_step_refreshes_the_whole_form(entrar, juegos):
    client = entrar(juegos["moral"])
    post(client, "", {"correo": "nada"}, HTMX)  # fails: errors on screen
    response = post(client, "/domicilio/buscar", {"domicilio_igual": "no", "conoce_cp": "si", "cp": "01000",
                                                  "correo": "maria@ejemplo.mx"}, HTMX)
    assert response.headers["HX-Retarget"] == "#datos-generales"
    doc = html(response)
    assert doc.select_one("#correo-error") is None and doc.select_one(".error-summary")  # the acuse is still missing
    assert doc.select("#colonia option")[1:]


def test_a_search_writes_the_draft_once(entrar, juegos, app, monkeypatch):
    from app.datos_generales import routes

    client = entrar(juegos["moral"])
    escrituras = []
    original = routes.EstadoDatosGenerales.guardar_borrador
    monkeypatch.setattr(routes.EstadoDatosGenerales, "guardar_borrador",
                        lambda self: escrituras.append(1) or original(self))
    post(client, "/domicilio/buscar", {"domicilio_igual": "no", "conoce_cp": "si", "cp": "01000"}, HTMX)
    assert escrituras == [1]


@pytest.fixture(scope="module")
def catalogo_grande() -> list:
    """The longest lists the catalog has: Oaxaca's 570 municipios, Hermosillo's 2,344 asentamientos."""
    from app import address

    return [r for r in address.read_postalcodes_mexico() if r.estado == "Oaxaca" or r.municipio == "Hermosillo"]


def test_the_longest_municipio_lists_are_narrowed_too(entrar, juegos, app, catalogo_grande):
    from app import sepomex

    sepomex.replace_catalog(app.extensions["engine"], catalogo_grande)
    client = entrar(juegos["moral"])
    datos = {"csrf_token": token(client, URL), "domicilio_igual": "no", "conoce_cp": "no"}
    gz = {**HTMX, "Accept-Encoding": "gzip"}

    response = client.post(f"{URL}domicilio/buscar", headers=gz, data={**datos, "estado": "Oaxaca"})
    doc = _gzip_page(response)
    assert "Hay 570 municipios" in doc.select_one("#filtro_municipio-hint").get_text()
    assert len(doc.select("#municipio option")) == 1 and _sobre_el_cable(response) <= 4 * 1024
    response = client.post(f"{URL}domicilio/buscar", headers=gz,
                           data={**datos, "estado": "Oaxaca", "filtro_municipio": "juarez"})
    municipios = [o.get_text() for o in _gzip_page(response).select("#municipio option")][1:]
    assert municipios and all("JUÁREZ" in m.upper() or "JUAREZ" in m.upper() for m in municipios)
    assert _sobre_el_cable(response) <= 4 * 1024

    response = client.post(f"{URL}domicilio/buscar", headers=gz, data={**datos, "estado": "Sonora",
                                                                        "municipio": "Hermosillo"})
    doc = _gzip_page(response)
    assert "Hay 2344 colonias" in doc.select_one("#filtro_colonia-hint").get_text()
    assert _sobre_el_cable(response) <= 4 * 1024
    response = client.post(f"{URL}domicilio/buscar", headers=gz, data={**datos, "estado": "Sonora",
                                                                        "municipio": "Hermosillo",
                                                                        "filtro_colonia": "pitic"})
    opciones = [o.get_text() for o in _gzip_page(response).select("#colonia option")][1:]
    assert opciones and all("(C.P. " in o for o in opciones) and _sobre_el_cable(response) <= 4 * 1024


@pytest.mark.parametrize("base", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_an_autosave_that_read_the_draft_before_ubicar_does_not_undo_it(request, base, juegos, monkeypatch):
    """With JavaScript, a change saves the draft 300 ms later; the user may press Ubicar meanwhile. The autosave
    had read the draft at Paso 2, Ubicar saved Paso 3, and the autosave wrote its Paso 2 back: Aceptar then found
    Paso 2 (a browser test caught it on a loaded machine). Drafts are now read and written under a lock: the
    autosave is made to stop between its read and its write, and Ubicar, sent then, waits for it and builds on it."""
    import threading
    import time

    from app.datos_generales import routes

    app = request.getfixturevalue("sqlite_app" if base == "sqlite" else "pg_app")
    client = app.test_client()
    ingresar(client, juegos["moral"])
    client.post("/ingreso/terminos", data={"csrf_token": token(client, "/ingreso/terminos"), "acepto": "y"})
    doc = html(post(client, "/domicilio/buscar", {"domicilio_igual": "no", "conoce_cp": "si", "cp": "01000"}))
    assert post(client, "/domicilio/ubicar", {"colonia": _colonia(doc, "San Ángel")}).status_code == 200  # Paso 2
    leido, original = threading.Event(), routes.EstadoDatosGenerales.guardar_borrador

    def lento(self):
        if threading.current_thread().name == "autosave":
            leido.set()
            time.sleep(1.0)  # between its read of the draft and its write
        original(self)

    monkeypatch.setattr(routes.EstadoDatosGenerales, "guardar_borrador", lento)
    autosave = threading.Thread(name="autosave", target=lambda: post(client, "/borrador", PASO_2, HTMX))
    autosave.start()
    assert leido.wait(10)
    respuesta = post(client, "/domicilio/ubicar", PASO_2, HTMX)  # Paso 2 → 3 while the autosave is in flight
    autosave.join(20)
    assert html(respuesta).select_one("#paso-titulo").get_text(" ", strip=True).startswith("Paso 3 / 3")
    doc = html(post(client, "/domicilio/aceptar", {}, HTMX))
    assert doc.select_one("#paso-titulo").get_text(" ", strip=True) == "Domicilio social ubicado"


@pytest.mark.parametrize("nombre, ascii_", [
    ("Acuse STPS – 2024.pdf", "Acuse STPS  2024.pdf"),   # Word's en dash: a 500 under waitress, found by a review
    ("Añadido “final”.pdf", "Anadido final.pdf"), ("Акт.pdf", "archivo.pdf"), ("📄.pdf", "archivo.pdf"),
    ("España.pdf", "Espana.pdf"),
    # Browsers percent-decode a plain filename (RFC 6266 appendix D): saved as "Acuse STPS.pdf" (an attack review)
    ("Acuse%20STPS.pdf", "Acuse_20STPS.pdf"),
])
def test_ver_archivo_of_a_name_outside_latin1_is_sent_as_rfc_6266(entrar, juegos, nombre, ascii_):
    client = entrar(juegos["fisica"])
    assert post(client, "/acuse", {}, HTMX, {"acuse": (io.BytesIO(pdf()), nombre)}).status_code == 200
    shown = client.get(f"{URL}acuse/ver")  # the conftest hook encodes every header as Latin-1, as waitress does
    assert shown.status_code == 200 and shown.data.startswith(b"%PDF-")
    disposicion = shown.headers["Content-Disposition"]
    assert disposicion.startswith("inline; ") and disposicion.isascii()
    assert parse_options_header(disposicion)[1]["filename"] == nombre  # what a browser shows: the name as typed
    assert f'filename="{ascii_}"' in disposicion or f"filename={ascii_}" in disposicion
