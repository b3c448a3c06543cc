"""No URL answers 500: every route, anonymous, as a contratista and as a capturista, with garbage input."""
from __future__ import annotations

import io
import random

import pytest
from werkzeug.routing import IntegerConverter

from .conftest import HTMX, token
from .test_administracion import CURP_LUIS, activar, alta, entrar_capturista, preparar
from .test_ingreso import ingresar

@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app(request):
    """Every test here on both databases: PostgreSQL refuses what SQLite lets through (NUL characters, values too
    long for their column, integers out of range)."""
    return request.getfixturevalue(f"{request.param}_app" if request.param == "sqlite" else "pg_app")


BASURA = ["", " ", "x" * 5000, "<script>alert(1)</script>", "' OR 1=1 --", "ñáé\u202e", "0", "-1", "99999999999",
          "{}", "\x00", "%00", "../../etc/passwd"]


def _urls(app, id_value=1):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "ingreso.salir"):  # salir would end the session being tested
            continue
        values = {arg: (id_value if isinstance(rule._converters[arg], IntegerConverter) else "x")
                  for arg in rule.arguments}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


def _pound(client, app, seed):
    rng = random.Random(seed)
    sent = 0
    for method, url in _urls(app):
        for headers in ({}, HTMX):
            if method == "GET":
                response = client.get(url + "?" + "&".join(f"{k}={rng.choice(BASURA)}" for k in ("q", "pagina", "paso")),
                                      headers=headers)
            else:
                data = {name: rng.choice(BASURA) for name in (
                    "rfc", "password", "curp", "correo", "celular", "telefono_fijo", "domicilio_igual", "conoce_cp",
                    "cp", "estado", "municipio", "colonia", "calle_tipo", "calle_nombre", "numero_exterior",
                    "sin_numero", "descripcion", "nombres", "primer_apellido", "segundo_apellido", "rol",
                    "telefono", "confirmar_correo", "capturista", "contrasena", "confirmacion", "acepto")}
                data["csrf_token"] = token(client, "/ingreso/efirma")
                data["cer"] = (io.BytesIO(rng.randbytes(200)), "x.cer")
                data["key"] = (io.BytesIO(rng.randbytes(200)), "x.key")
                data["acuse"] = (io.BytesIO(b"%PDF-" + rng.randbytes(300)), "x.pdf")
                response = client.open(url, method=method, data=data, headers=headers,
                                       content_type="multipart/form-data")
            assert response.status_code < 500, (method, url, response.status_code)
            sent += 1
    assert sent > 60


def test_anonymous(client, app):
    _pound(client, app, 1)


def test_contratista_without_datos_generales(client, app, juegos):
    ingresar(client, juegos["moral"])
    client.post("/ingreso/terminos", data={"csrf_token": token(client, "/ingreso/terminos"), "acepto": "y"})
    _pound(client, app, 2)


def test_contratista_with_datos_generales(client, app, juegos):
    preparar(app, client, juegos["moral"])
    _pound(client, app, 3)
    assert client.get("/administracion/consulta").status_code == 200


def test_capturista(client, app, juegos):
    preparar(app, client, juegos["moral"])
    alta(client, CURP_LUIS)
    capturista = app.test_client()
    activar(capturista, app)
    assert entrar_capturista(capturista) == "/inicio"
    _pound(capturista, app, 4)
    assert capturista.get("/inicio").status_code == 200  # still signed in: every URL was tried as a capturista


def test_ids_beyond_any_column_are_pages_that_do_not_exist(client, app, juegos):
    """An id past PostgreSQL's INTEGER (or past SQLite's 64 bits) is a 404, never an overflow in the driver."""
    preparar(app, client, juegos["moral"])
    tried = 0
    for huge in (2**31, 10**20):
        for method, url in _urls(app, id_value=huge):
            if str(huge) in url:
                response = client.open(url, method=method, data={"csrf_token": token(client, "/ingreso/efirma")})
                assert response.status_code == 404, (method, url)
                tried += 1
    assert tried >= 8


def test_a_nul_character_is_refused_with_a_reason(client, app):
    """PostgreSQL cannot hold NUL; every database refuses it alike, with a Spanish reason and no 500."""
    for response in (client.get("/administracion/consulta?q=a%00b"), client.get("/ingreso/activar/a%00b"),
                     client.post("/ingreso/capturista", data={"csrf_token": token(client, "/"), "curp": "A\x00",
                                                              "password": "x"})):
        assert response.status_code == 400
        assert "carácter no válido (NUL)" in response.get_data(as_text=True)
