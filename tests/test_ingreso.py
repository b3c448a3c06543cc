"""Ingreso through the routes: landing page, Validar, Ingresar, first entry, sign-out, limits and errors."""
from __future__ import annotations

import gzip
import io
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from sqlmodel import select

from app.db import get_session
from app.models import AceptacionTerminos, Auditoria, Contratista, IntentoFallido

from .conftest import HTMX, NOW, html, token

LABELS = ["RFC", "Certificado (.cer)", "Llave privada (.key)", "Contraseña de la llave privada"]
SUCCESS = "La validación de la FIEL fue exitosa."


def validar(client, juego, headers=None, **overrides):
    data = {"csrf_token": token(client), "rfc": juego.rfc, "password": juego.password,
            "cer": (io.BytesIO(juego.cer), "certificado.cer"), "key": (io.BytesIO(juego.key), "llave.key")}
    data.update(overrides)
    return client.post("/ingreso/efirma", data=data, headers=headers or {}, content_type="multipart/form-data")


def ingresar(client, juego):
    assert validar(client, juego).status_code == 200
    return client.post("/ingreso/ingresar", data={"csrf_token": token(client)})


def test_landing_offers_both_ways_in(client):
    response = client.get("/")
    doc = html(response)
    assert response.status_code == 200
    assert doc.html["lang"] == "es-MX"
    assert "Informativa de Contratos de Servicio u Obra Especializados" in doc.select_one("header").get_text(" ")
    skip = doc.select_one("a.skip-link")
    assert skip["href"] == "#contenido" and doc.select_one("main#contenido")
    assert doc.select_one("footer")
    assert doc.find("a", string="Ingresar con e.firma")["href"] == "/ingreso/efirma"
    form = doc.select_one("#capturista form")
    assert [label.get_text(strip=True) for label in form.select("label")] == ["CURP", "Contraseña"]
    assert form.find("button").get_text(strip=True) == "Ingresar"


def test_efirma_form_uses_the_guides_labels(client):
    doc = html(client.get("/ingreso/efirma"))
    form = doc.select_one("#efirma form")
    assert [label.get_text(strip=True) for label in form.select("label")] == LABELS
    for label in form.select("label"):
        assert doc.select_one(f"#{label['for']}")  # each label points at its control
    assert form["enctype"] == "multipart/form-data" and form["hx-encoding"] == "multipart/form-data"
    assert form["hx-post"] == form["action"] and form["hx-target"] == "#efirma"
    assert form.find("button").get_text(strip=True) == "Validar"
    assert form.select_one("input[name=password]")["type"] == "password"


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["sin-js", "htmx"])
@pytest.mark.parametrize("nombre", ["moral", "fisica"])
def test_validar_succeeds_and_offers_ingresar(client, juegos, headers, nombre):
    juego = juegos[nombre]
    response = validar(client, juego, headers, rfc=f"  {juego.rfc.lower()} ")
    doc = html(response)
    assert response.status_code == 200
    assert (doc.find("html") is None) == bool(headers)  # a fragment only for htmx
    result = doc.select_one("#efirma-resultado")
    assert result.get_text() == SUCCESS
    assert result.has_attr("autofocus")  # htmx moves focus to it after the swap
    ingresar_form = doc.find("button", string="Ingresar").find_parent("form")
    assert ingresar_form["action"] == "/ingreso/ingresar"
    assert juego.rfc in doc.select_one(".resumen").get_text()


REJECTIONS = [
    # (case, overrides builder, field, words the message must contain)
    ("rfc-vacio", lambda j, js: {"rfc": ""}, "rfc", "RFC"),
    ("rfc-mal-formado", lambda j, js: {"rfc": "ABC"}, "rfc", "RFC"),
    ("rfc-de-otro", lambda j, js: {"rfc": js["otra"].rfc}, "rfc", "RFC"),
    ("sin-cer", lambda j, js: {"cer": (io.BytesIO(b""), "")}, "cer", "certificado"),
    ("cer-basura", lambda j, js: {"cer": (io.BytesIO(b"no soy un certificado"), "x.cer")}, "cer", "certificado"),
    ("cer-gigante", lambda j, js: {"cer": (io.BytesIO(b"0" * 70_000), "x.cer")}, "cer", "grande"),
    ("sin-key", lambda j, js: {"key": (io.BytesIO(b""), "")}, "key", "llave"),
    ("key-basura", lambda j, js: {"key": (io.BytesIO(b"\x30\x03\x02\x01\x00"), "x.key")}, "key", "llave"),
    ("key-de-otro", lambda j, js: {"key": (io.BytesIO(js["otra"].key), "otra.key")}, "key", "corresponde"),
    ("sin-password", lambda j, js: {"password": ""}, "password", "contraseña"),
    ("password-incorrecta", lambda j, js: {"password": "no-es-esta"}, "password", "incorrecta"),
    ("csd", lambda j, js: _set(js["csd"]), "cer", "CSD"),
    ("vencida", lambda j, js: _set(js["vencida"]), "cer", "venció"),
    ("aun-no-vigente", lambda j, js: _set(js["futura"]), "cer", "válido"),
    ("emisor-no-confiable", lambda j, js: _set(js["ajena"]), "cer", "confianza"),
    ("representante-legal", lambda j, js: _set(js["representante"], rfc=js["moral"].rfc), "rfc", "representante"),
]


def _set(juego, **extra):
    return {"rfc": juego.rfc, "password": juego.password, "cer": (io.BytesIO(juego.cer), "c.cer"),
            "key": (io.BytesIO(juego.key), "k.key"), **extra}


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["sin-js", "htmx"])
@pytest.mark.parametrize("case, overrides, field, words", REJECTIONS, ids=[r[0] for r in REJECTIONS])
def test_each_bad_efirma_is_refused_next_to_its_field(client, juegos, headers, case, overrides, field, words):
    response = validar(client, juegos["moral"], headers, **overrides(juegos["moral"], juegos))
    doc = html(response)
    assert response.status_code == 422
    assert (doc.find("html") is None) == bool(headers)
    if not headers:
        assert doc.title.get_text().startswith("Error: ")
    message = doc.select_one(f"#{field}-error")
    assert message is not None, doc.select_one(".error-summary")
    assert words.lower() in message.get_text().lower()
    control = doc.select_one(f"#{field}")
    assert f"{field}-error" in control["aria-describedby"].split()
    assert control["aria-invalid"] == "true"
    link = doc.select_one(f'.error-summary a[href="#{field}"]')
    assert link.get_text() == message.get_text().replace("Error:", "").strip()
    assert doc.select_one("#rfc")["value"] == overrides(juegos["moral"], juegos).get("rfc", juegos["moral"].rfc).strip()
    assert doc.select_one("#password").get("value") in (None, "")  # a password is never sent back
    assert doc.select_one("#efirma-resultado") is None


def test_unprotected_key_is_refused(client, juegos, ca):
    from app import demo

    e = demo.make_efirma(ca, rfc="SIN010101AB1", nombre="SIN PROTECCION SA DE CV", persona="moral",
                         not_before=NOW - timedelta(days=1), not_after=NOW + timedelta(days=30))
    plain = e.private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
    response = validar(client, juegos["moral"], rfc="SIN010101AB1", cer=(io.BytesIO(e.cer_der), "c.cer"),
                       key=(io.BytesIO(plain), "k.key"))
    assert response.status_code == 422
    assert "contraseña" in html(response).select_one("#key-error").get_text().lower()


def test_first_entry_terms_then_configuracion_then_datos_generales(client, app, juegos):
    juego = juegos["moral"]
    response = ingresar(client, juego)
    assert response.status_code == 303 and response.headers["Location"] == "/ingreso/terminos"

    doc = html(client.get("/ingreso/terminos"))
    assert doc.h1.get_text() == "Términos y condiciones"
    assert doc.select_one("label[for=acepto]").get_text(strip=True) == "He leído y acepto los términos y condiciones"
    assert doc.select_one("#terminos form button").get_text(strip=True) == "Ingresar"
    response = client.post("/ingreso/terminos", data={"csrf_token": token(client, "/ingreso/terminos")})
    assert response.status_code == 422
    assert "aceptar" in html(response).select_one("#acepto-error").get_text()
    # Without the terms, nothing else opens.
    assert client.get("/datos-generales/").headers["Location"] == "/ingreso/terminos"

    response = client.post("/ingreso/terminos", data={"csrf_token": token(client, "/ingreso/terminos"), "acepto": "y"})
    assert response.status_code == 303 and response.headers["Location"] == "/datos-generales/configuracion"
    doc = html(client.get("/datos-generales/configuracion"))
    assert doc.h1.get_text() == "Configuración"
    assert "Por favor ingresa tus datos generales." in doc.main.get_text()
    continuar = doc.find("a", string="Continuar")
    doc = html(client.get(continuar["href"]))
    perfil = {dt.get_text(): dt.find_next_sibling("dd").get_text() for dt in doc.select(".perfil dt")}
    assert perfil == {"RFC": juego.rfc, "Denominación o razón social / Nombre completo": "ESCUELA DEMO SA DE CV",
                      "Rol": "Contratista"}
    assert doc.find("button", string="Cerrar sesión")

    with app.app_context():
        db = get_session()
        contratista = db.exec(select(Contratista)).one()
        assert (contratista.rfc, contratista.persona, contratista.nombre) == (juego.rfc, "moral", "ESCUELA DEMO SA DE CV")
        assert contratista.cert_serial.isdigit() and contratista.cert_not_after > contratista.cert_not_before
        assert contratista.terminos_version == app.config["TERMINOS_VERSION"]
        aceptacion = db.exec(select(AceptacionTerminos)).one()
        assert aceptacion.contratista_id == contratista.id and aceptacion.version == contratista.terminos_version


def test_htmx_terms_acceptance_redirects_with_hx_redirect(client, juegos):
    ingresar(client, juegos["fisica"])
    response = client.post("/ingreso/terminos", data={"csrf_token": token(client, "/ingreso/terminos"), "acepto": "y"},
                           headers=HTMX)
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/datos-generales/configuracion"


def test_second_entry_skips_terms_until_their_version_changes(client, app, juegos):
    juego = juegos["fisica"]
    ingresar(client, juego)
    client.post("/ingreso/terminos", data={"csrf_token": token(client, "/ingreso/terminos"), "acepto": "y"})
    client.post("/salir", data={"csrf_token": token(client, "/datos-generales/configuracion")})
    assert ingresar(client, juego).headers["Location"] == "/datos-generales/configuracion"
    # A second Ingresar of the terms (a double click, or Back and Ingresar again) records no second acceptance.
    assert client.post("/ingreso/terminos", data={"csrf_token": token(client, "/ingreso/terminos"), "acepto": "y"}
                       ).headers["Location"] == "/datos-generales/configuracion"
    app.config["TERMINOS_VERSION"] = "2027-01"
    assert client.get("/datos-generales/configuracion").headers["Location"] == "/ingreso/terminos"
    client.post("/ingreso/terminos", data={"csrf_token": token(client, "/ingreso/terminos"), "acepto": "y"})
    with app.app_context():
        db = get_session()
        contratista = db.exec(select(Contratista)).one()
        assert contratista.persona == "fisica" and contratista.nombre == "MARÍA PEÑA NÚÑEZ"
        assert sorted(a.version for a in db.exec(select(AceptacionTerminos)).all()) == ["2021-08", "2027-01"]
        assert len(db.exec(select(Auditoria).where(Auditoria.accion == "terminos")).all()) == 2


def test_ingresar_without_a_fresh_validation_goes_back_to_the_form(client, app, juegos):
    response = client.post("/ingreso/ingresar", data={"csrf_token": token(client)})
    assert response.status_code == 303 and response.headers["Location"] == "/ingreso/efirma"
    assert "expiró" in html(client.get("/ingreso/efirma")).select_one(".aviso").get_text()
    app.config["EFIRMA_PRUEBA_SEGUNDOS"] = -1  # every proof is already too old
    assert validar(client, juegos["moral"]).status_code == 200
    response = client.post("/ingreso/ingresar", data={"csrf_token": token(client)})
    assert response.headers["Location"] == "/ingreso/efirma"
    with app.app_context():
        assert get_session().exec(select(Contratista)).first() is None


def test_the_key_and_password_are_never_kept(client, app, juegos, tmp_path, caplog):
    juego = juegos["moral"]
    ingresar(client, juego)
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    cookie = client.get_cookie("session").value.encode()
    for secret in (juego.password.encode(), juego.key[40:80]):
        assert secret not in stored and secret not in cookie
    assert juego.password not in caplog.text


def test_uploads_never_go_to_a_temporary_file(client, juegos, monkeypatch):
    import werkzeug.formparser

    def no_disk(*args, **kwargs):
        raise AssertionError("an upload was about to be spooled to disk")

    monkeypatch.setattr(werkzeug.formparser, "SpooledTemporaryFile", no_disk)
    monkeypatch.setattr(werkzeug.formparser, "default_stream_factory", no_disk)
    assert validar(client, juegos["moral"]).status_code == 200


def test_sign_out_ends_the_session(client, juegos):
    ingresar(client, juegos["moral"])
    client.post("/ingreso/terminos", data={"csrf_token": token(client, "/ingreso/terminos"), "acepto": "y"})
    response = client.post("/salir", data={"csrf_token": token(client, "/datos-generales/configuracion")})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert client.get("/datos-generales/").headers["Location"] == "/"


def test_repeated_wrong_passwords_are_slowed_down(client, app, juegos):
    juego = juegos["moral"]
    for _ in range(5):
        assert validar(client, juego, password="incorrecta").status_code == 422
    response = validar(client, juego)  # even the right password waits now
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Demasiados intentos" in html(response).select_one(".error-summary").get_text()
    assert validar(client, juegos["fisica"]).status_code == 200  # another credential from the same address is not
    with app.app_context():
        assert len(get_session().exec(select(IntentoFallido)).all()) >= 5


def test_capturista_sign_in_refuses_clearly_until_capturistas_exist(client):
    url = "/"
    response = client.post("/ingreso/capturista", data={"csrf_token": token(client, url), "curp": "X", "password": "a"})
    assert response.status_code == 422
    assert "CURP" in html(response).select_one("#curp-error").get_text()
    response = client.post("/ingreso/capturista", headers=HTMX, data={
        "csrf_token": token(client, url), "curp": "boxw-310820-hnerxn09", "password": "secreta"})
    doc = html(response)
    assert response.status_code == 422 and doc.find("html") is None
    assert "alta" in doc.select_one(".error-summary").get_text()


def test_post_without_csrf_token_is_refused_in_spanish(client, juegos):
    response = client.post("/ingreso/efirma", data={"rfc": "X"})
    assert response.status_code == 400
    assert "sesión expiró" in html(response).select_one("main").get_text()
    response = client.post("/ingreso/efirma", data={"rfc": "X"}, headers=HTMX)
    assert response.status_code == 400 and response.headers["HX-Retarget"] == "#avisos"


def test_too_large_request_gets_a_spanish_413(client):
    response = client.post("/ingreso/efirma", data={"cer": (io.BytesIO(b"0" * (7 * 1024 * 1024)), "x.cer")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "5 MB" in html(response).select_one("main").get_text()


def test_the_retry_link_of_a_refused_post_never_leaves_the_portal(client):
    """A red-team review: a refused POST's page linked "Volver a intentarlo" to the path as the client sent it. A
    cross-site form posting a NUL to /%5Cevil.example/login (refused before routing) got a link to
    "/\\evil.example/login", which browsers follow to //evil.example. The link is built from the route matched;
    a path that matched none gets none. The same NUL sent with another Host was a 500 (no URL of ours could be
    built for the error page); it gets the foreign host's page."""
    for ruta in ("/%5Cevil.example/login", "/\\evil.example/login"):
        response = client.post(ruta, data={"a": "\x00"})
        assert response.status_code == 400
        assert not html(response).find("a", string="Volver a intentarlo"), ruta
    response = client.post("/ingreso/efirma", data={"rfc": "\x00"})
    assert response.status_code == 400
    assert html(response).find("a", string="Volver a intentarlo")["href"] == "/ingreso/efirma"
    response = client.post("/ingreso/efirma", data={"rfc": "\x00"}, headers={"Host": "evil.example"})
    assert response.status_code == 400 and "no es la del portal" in response.get_data(as_text=True)


def test_efirma_request_is_bounded_far_below_the_app_limit(client):
    response = client.post("/ingreso/efirma", data={"cer": (io.BytesIO(b"0" * 300_000), "x.cer")},
                           content_type="multipart/form-data")
    doc = html(response)
    assert response.status_code == 413
    assert "2 KB" in doc.select_one("main").get_text()
    assert doc.find("a", string="Volver a intentarlo")["href"] == "/ingreso/efirma"
    response = client.post("/ingreso/efirma", data={"cer": (io.BytesIO(b"0" * 300_000), "x.cer")},
                           content_type="multipart/form-data", headers=HTMX)
    assert response.status_code == 413 and response.headers["HX-Retarget"] == "#avisos"


def test_unknown_page_is_a_spanish_404(client):
    response = client.get("/no-existe")
    assert response.status_code == 404 and html(response).h1.get_text() == "Página no encontrada"


def test_security_headers_and_cookies(client, app, juegos):
    response = client.get("/ingreso/efirma")
    csp = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    # Scripts and styles fall back to default-src: this origin's files only, nothing inline.
    assert csp["default-src"] == "'self'" and not {"script-src", "style-src"} & set(csp)
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert csp["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert not html(response).select("script:not([src])")  # no inline script
    validar(client, juegos["moral"])
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"
    # Flask-Login's address-and-browser hash is not kept: nothing asks for a "fresh" session (issue 14 §3).
    session = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert "_id" not in session
    client.post("/ingreso/ingresar", data={"csrf_token": token(client)})
    session = app.session_interface.get_signing_serializer(app).loads(client.get_cookie("session").value)
    assert session["_user_id"].startswith("contratista:") and not {"_id", "_fresh"} & set(session)


def test_a_fragment_carries_no_document_headers_but_the_whole_page_does(client):
    """Issue 14 §3: what htmx swaps into a page is no document; the page it came from has CSP and the rest. The
    same URL without htmx (a reload, no JavaScript) is a page and has them all. Both answers differ by HX-Request,
    and neither may be kept by any cache (no-store), so neither needs a Vary to keep them apart, nor carries one."""
    fragmento = client.get("/", headers=HTMX)
    pagina = client.get("/")
    for respuesta in (fragmento, pagina):
        assert respuesta.headers["Cache-Control"] == "no-store" and "Vary" not in respuesta.headers
        assert respuesta.headers["X-Content-Type-Options"] == "nosniff"
    for header in ("Content-Security-Policy", "X-Frame-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy",
                   "Permissions-Policy"):
        assert header not in fragmento.headers, header
        assert header in pagina.headers, header


def test_cookies_are_secure_when_served_over_https(tmp_path, monkeypatch, esquema_sqlite):
    from .conftest import make_app

    monkeypatch.setenv("ICSOE_HTTPS", "1")
    app = make_app(tmp_path, esquema_sqlite, "h.sqlite", TESTING=True)
    response = app.test_client().get("/ingreso/efirma", base_url="https://localhost")  # the CSRF token opens a session
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    # A browser keeps HSTS from the first page of any visit; what htmx fetches into it and the static files it
    # loads would only repeat it (44 B each, 0.8 KB of the onboarding through TLS).
    cliente = app.test_client()
    cliente.get("/ingreso/efirma", base_url="https://localhost")
    fragmento = cliente.get("/ingreso/efirma", base_url="https://localhost", headers=HTMX)
    estatico = cliente.get(html(response).select_one("script[src]")["src"], base_url="https://localhost")
    assert fragmento.status_code == 200 and estatico.status_code == 200
    assert "Strict-Transport-Security" not in fragmento.headers and "Strict-Transport-Security" not in estatico.headers


def test_pages_are_compressed_and_static_files_cached_for_a_year(client):
    page = client.get("/ingreso/efirma", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    doc = html(client.get("/ingreso/efirma"))
    for url in [doc.select_one("script[src]")["src"], doc.select_one("link[rel=stylesheet]")["href"]]:
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert "immutable" in response.headers["Cache-Control"] and "max-age=31536000" in response.headers["Cache-Control"]
        assert response.headers["Content-Encoding"] == "gzip"
    assert "htmx-4.0.1.min.js" in doc.select_one("script[src]")["src"]
    assert "?v=" in doc.select_one("link[rel=stylesheet]")["href"]


def test_static_files_come_compressed_at_the_best_level_with_few_headers(client):
    """Issue 14 §3: app.css and htmx are compressed once at brotli 11 (gzip 9 for a browser without brotli), not
    streamed at Flask-Compress's quality 4, and carry no validators nor the headers that govern documents."""
    import brotli

    from app import estaticos

    doc = html(client.get("/ingreso/efirma"))
    assert client.get_cookie("session")  # a visitor with a session: the files are the same for every visitor
    for url in [doc.select_one("script[src]")["src"], doc.select_one("link[rel=stylesheet]")["href"]]:
        plain = client.get(url, headers={"Accept-Encoding": ""})
        assert "Content-Encoding" not in plain.headers
        response = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
        # Flask-Login looks at the session on every answer, and Flask then said "Vary: Cookie", which keeps a shared
        # cache (a company's proxy) from giving one visitor's copy to another.
        assert response.headers["Content-Encoding"] == "br" and response.headers["Vary"] == "Accept-Encoding"
        assert brotli.decompress(response.data) == plain.data
        assert len(response.data) == len(brotli.compress(plain.data, quality=11))
        gz = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.data) == plain.data
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        for header in ("ETag", "Last-Modified", "Expires", "Content-Security-Policy", "Set-Cookie",
                       "Content-Disposition"):
            assert header not in response.headers, header
    assert estaticos._versiones.cache_info().currsize >= 2  # compressed once, kept
    assert client.get("/static/no-existe.css").status_code == 404
    missing = client.get("/static/no-existe.css")
    assert missing.headers["Content-Security-Policy"]  # an error page is a page


def test_the_landing_page_is_rendered_once_and_each_visitor_gets_its_own_token(app):
    """Issue 14 §3: the landing page is rendered once per app (htmx.render_fijo) and each answer carries its
    visitor's own CSRF token, which works for that visitor's session and no other."""
    primero, segundo = app.test_client(), app.test_client()
    paginas = [primero.get("/"), segundo.get("/"), primero.get("/")]
    tokens = [html(p).select_one("input[name=csrf_token]")["value"] for p in paginas]
    # A session keeps its token: the same payload (the signature's timestamp moves with the second it was signed in).
    cargas = [t.split(".")[0] for t in tokens]
    assert cargas[0] != cargas[1] and cargas[0] == cargas[2]
    assert all(p.status_code == 200 for p in paginas)
    textos = [p.get_data(as_text=True) for p in paginas]
    assert textos[1].replace(tokens[1], tokens[0]) == textos[0] and tokens[1] in textos[1]
    assert "paginas_fijas" in app.extensions

    fragmentos = [c.get("/", headers=HTMX) for c in (primero, segundo)]
    assert "<html" not in fragmentos[1].get_data(as_text=True)
    assert [html(f).select_one("input[name=csrf_token]")["value"].split(".")[0] for f in fragmentos] == cargas[:2]

    datos = {"curp": "PEGJ800101HDFRRN09", "password": "incorrecta"}
    assert segundo.post("/ingreso/capturista", data={**datos, "csrf_token": tokens[0]}).status_code == 400
    assert segundo.post("/ingreso/capturista", data={**datos, "csrf_token": tokens[1]}).status_code == 422


def test_the_landing_page_still_shows_a_visitors_messages(client):
    """A message waiting in the session (flash) is shown once: that answer is rendered, not the kept text."""
    client.get("/")
    with client.session_transaction() as sesion:
        sesion["_flashes"] = [("status", "Cerraste tu sesión.")]
    assert "Cerraste tu sesión." in client.get("/").get_data(as_text=True)
    assert "Cerraste tu sesión." not in client.get("/").get_data(as_text=True)


def test_templates_reload_when_the_configuration_asks_and_the_landing_page_is_rendered_each_time(tmp_path,
                                                                                                  esquema_sqlite):
    """A developer's TEMPLATES_AUTO_RELOAD reaches Jinja (the templates' url_for must not create its environment
    before the configuration is read), and then the landing page is not kept."""
    from .conftest import make_app

    app = make_app(tmp_path, esquema_sqlite, "r.sqlite", TESTING=True, TEMPLATES_AUTO_RELOAD=True)
    assert app.jinja_env.auto_reload
    app.test_client().get("/")
    assert "paginas_fijas" not in app.extensions
