"""No URL answers 500: every route, anonymous, as a contratista and as a capturista, with garbage input."""
from __future__ import annotations

import io
import random



from .conftest import HTMX, token
from .test_administracion import CURP_LUIS, PASSWORD, activar, alta, preparar
from .test_ingreso import ingresar

BASURA = ["", " ", "x" * 5000, "<script>alert(1)</script>", "' OR 1=1 --", "ñáé\u202e", "0", "-1", "99999999999",
          "{}", "\x00", "%00", "../../etc/passwd"]


def _urls(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "ingreso.salir"):  # salir would end the session being tested
            continue
        values = {arg: (1 if rule._converters[arg].__class__.__name__ == "IntegerConverter" else "x")
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
    capturista.post("/ingreso/capturista", data={"csrf_token": token(capturista, "/"), "curp": CURP_LUIS,
                                                 "password": PASSWORD})
    _pound(capturista, app, 4)
    assert capturista.get("/inicio").status_code == 200  # still signed in: every URL was tried as a capturista
