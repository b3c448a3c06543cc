"""Administración through the routes: alta de capturistas, their access, consulta, baja, export, isolation."""
from __future__ import annotations

import io
import json
import re
import threading
from pathlib import Path
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from openpyxl import load_workbook
from sqlmodel import select
from stdnum.mx import curp as stdnum_curp

from app import curp as curp_rules
from app.correo import leer_outbox
from app.db import get_session
from app.models import Auditoria, Capturista, Contratista, DatosGenerales, DirectorioCurp, Persona, utcnow

from .conftest import HTMX, html, token
from .test_ingreso import ingresar

ALTA = "/administracion/alta"
PASSWORD = "tres tigres tristes trigal"


def hacer_curp(nombres: str, primer: str, segundo: str, fecha: str = "850315", sexo: str = "H",
               entidad: str = "DF") -> str:
    """A CURP RENAPO would give these names (homoclave 0), with its check digit."""
    clave = curp_rules.clave_nombre(nombres, primer, segundo)
    base = clave[:4] + fecha + sexo + entidad + clave[4:] + "0"
    return base + stdnum_curp.calc_check_digit(base)


LUIS = ("JOSE LUIS", "GARCIA", "LOPEZ")
CURP_LUIS = hacer_curp(*LUIS)
ANA = ("ANA", "MARTINEZ", "RUIZ")
CURP_ANA = hacer_curp(*ANA, sexo="M", fecha="900521")


def preparar(app, client, juego, directorio: bool = True):
    """Sign `client` in as `juego`'s contratista, accept the terms, save its datos generales, and (once) put LUIS
    in the CURP directory."""
    ingresar(client, juego)
    client.post("/ingreso/terminos", data={"csrf_token": token(client, "/ingreso/terminos"), "acepto": "y"})
    with app.app_context():
        db = get_session()
        c = db.exec(select(Contratista).where(Contratista.rfc == juego.rfc)).one()
        db.add(DatosGenerales(contratista_id=c.id, correo="a@ejemplo.mx", celular="5512345678"))
        if directorio and db.get(DirectorioCurp, CURP_LUIS) is None:
            db.add(DirectorioCurp(curp=CURP_LUIS, nombres=LUIS[0], primer_apellido=LUIS[1],
                                  segundo_apellido=LUIS[2]))
        db.commit()
    return client


@pytest.fixture
def contratista(client, juegos, app):
    """Signed in as the persona moral, terms accepted, datos generales saved."""
    return preparar(app, client, juegos["moral"])


def otro_contratista(app, juego):
    """A second contratista, signed in its own client, with its datos generales saved."""
    return preparar(app, app.test_client(), juego, directorio=False)


def alta(client, curp, nombres=None, telefono="5598765432", correo="luis@ejemplo.mx", confirmar=None,
         headers=None):
    """Alta as a browser does it: Validar first (the names a registry knows come back read-only, and are posted
    with Guardar), then Guardar with `nombres` typed when given."""
    if nombres is None:
        doc = html(client.post(f"{ALTA}/validar", data={"csrf_token": token(client, ALTA), "curp": curp}))
        nombres = tuple((doc.select_one(f"#{n}") or {}).get("value", "") if doc.select_one(f"#{n}") else ""
                        for n in ("nombres", "primer_apellido", "segundo_apellido"))
    data = {"csrf_token": token(client, ALTA), "curp": curp, "nombres": nombres[0], "primer_apellido": nombres[1],
            "segundo_apellido": nombres[2], "rol": "Capturista", "telefono": telefono, "correo": correo,
            "confirmar_correo": correo if confirmar is None else confirmar}
    return client.post(ALTA, data=data, headers=headers or {})


def enlace(app) -> str:
    mensaje = leer_outbox(Path(app.instance_path) / "outbox")[-1]
    body = mensaje.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/\S+)", body).group(1)


def activar(client, app, password=PASSWORD):
    url = enlace(app)
    return client.post(url, data={"csrf_token": token(client, url), "contrasena": password, "confirmacion": password})


def entrar_capturista(client, password=PASSWORD, curp=CURP_LUIS) -> str:
    """Sign in with CURP and password and follow the account to where it lands; returns that path."""
    r = client.post("/ingreso/capturista", data={"csrf_token": token(client, "/"), "curp": curp,
                                                 "password": password})
    while r.status_code in (302, 303) and r.headers["Location"] == "/ingreso/elegir":
        r = client.get("/ingreso/elegir")
        if r.status_code == 200:
            return "/ingreso/elegir"
    return r.headers.get("Location", "")


def test_menu_and_the_pages_ask_for_datos_generales_first(client, juegos):
    ingresar(client, juegos["fisica"])
    client.post("/ingreso/terminos", data={"csrf_token": token(client, "/ingreso/terminos"), "acepto": "y"})
    doc = html(client.get(ALTA))
    nav = doc.select_one("nav.menu")
    assert [a.get_text() for a in nav.select("a")] == ["Inicio", "Datos generales", "Registro REPSE", "Informativa",
                                                         "Acuses de presentación", "Exportar listado", "Bitácora",
                                                         "Alta de usuarios", "Consulta",
                                                         "Exportar Excel"]
    assert "primero guarda tus datos generales" in doc.main.get_text()
    assert doc.find("a", string="Ir a Datos generales")["href"] == "/datos-generales/"


def test_the_datos_generales_check_rides_on_the_users_row_and_follows_a_save(client, juegos, app):
    """Administración asks for saved Datos generales on every page: the answer comes with the signed-in user's row
    (one query: a Consulta is that row, the count and the page), and the request after a save opens the pages."""
    from sqlalchemy import event

    ingresar(client, juegos["fisica"])
    client.post("/ingreso/terminos", data={"csrf_token": token(client, "/ingreso/terminos"), "acepto": "y"})
    assert "primero guarda tus datos generales" in html(client.get("/administracion/consulta")).main.get_text()
    with app.app_context():
        db = get_session()
        c = db.exec(select(Contratista).where(Contratista.rfc == juegos["fisica"].rfc)).one()
        db.add(DatosGenerales(contratista_id=c.id, correo="a@ejemplo.mx", celular="5512345678"))
        db.commit()
    sentencias = []
    escuchar = lambda conn, cursor, sentencia, *args: sentencias.append(sentencia)  # noqa: E731
    event.listen(app.extensions["engine"], "before_cursor_execute", escuchar)
    try:
        doc = html(client.get("/administracion/consulta"))
    finally:
        event.remove(app.extensions["engine"], "before_cursor_execute", escuchar)
    assert doc.h1.get_text() == "Consulta" and "0 usuarios" in doc.main.get_text()
    assert len(sentencias) == 3, sentencias
    assert "datosgenerales" in sentencias[0] and "FROM contratista" in sentencias[0]


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["sin-js", "htmx"])
def test_validar_fills_the_names_from_the_directory(contratista, headers):
    response = contratista.post("/administracion/alta/validar", headers=headers,
                                data={"csrf_token": token(contratista, ALTA), "curp": CURP_LUIS.lower()})
    doc = html(response)
    assert response.status_code == 200
    assert doc.select_one("#nombres")["value"] == "JOSE LUIS" and doc.select_one("#nombres").has_attr("readonly")
    assert doc.select_one("#primer_apellido")["value"] == "GARCIA"
    assert [o.get_text() for o in doc.select("#rol option")] == ["Capturista"]
    labels = [label.get_text(strip=True) for label in doc.select("form label")]
    assert labels == ["CURP", "Nombre(s)", "Primer apellido", "Segundo apellido", "Rol asignado", "Teléfono",
                      "Correo electrónico", "Confirmar correo electrónico"]
    assert [b.get_text() for b in doc.select("form .acciones a, form .acciones button")][-3:] == \
        ["Regresar", "Limpiar", "Guardar"]


def test_a_fragment_answering_a_form_carries_the_page_title(contratista):
    """htmx puts a <title> it finds in a fragment into document.title: a refusal answered by htmx says "Error:" in
    the title as the whole page does without JavaScript (an accessibility review), and the answer to the corrected
    form takes it away; a fragment a GET asks for carries none."""
    refusal = contratista.post("/administracion/alta/validar", headers=HTMX,
                               data={"csrf_token": token(contratista, ALTA), "curp": "ABC"})
    assert refusal.status_code == 422
    assert refusal.get_data(as_text=True).startswith("<title>Error: Alta de usuario - ICSOE IMSS</title>")
    accepted = contratista.post("/administracion/alta/validar", headers=HTMX,
                                data={"csrf_token": token(contratista, ALTA), "curp": CURP_LUIS})
    assert accepted.status_code == 200
    assert accepted.get_data(as_text=True).startswith("<title>Alta de usuario - ICSOE IMSS</title>")
    assert "<title>" not in contratista.get("/administracion/consulta?q=x", headers=HTMX).get_data(as_text=True)
    assert html(contratista.post("/administracion/alta/validar", data={
        "csrf_token": token(contratista, ALTA), "curp": "ABC"})).title.get_text().startswith("Error: ")


@pytest.mark.parametrize("curp, words", [("", "Captura la CURP"), ("ABC", "18 caracteres"),
                                         (CURP_LUIS[:-1] + ("0" if CURP_LUIS[-1] != "0" else "1"), "verificador")])
def test_bad_curp_is_refused_next_to_the_field(contratista, curp, words):
    response = contratista.post("/administracion/alta/validar", data={"csrf_token": token(contratista, ALTA),
                                                                      "curp": curp})
    doc = html(response)
    assert response.status_code == 422
    assert words in doc.select_one("#curp-error").get_text()
    assert doc.select_one(".error-summary a[href='#curp']")


def test_unknown_curp_lets_the_names_be_typed_and_checks_them(contratista, app):
    response = contratista.post("/administracion/alta/validar", data={"csrf_token": token(contratista, ALTA),
                                                                      "curp": CURP_ANA})
    doc = html(response)
    assert not doc.select_one("#nombres").has_attr("readonly")
    assert "No encontramos la CURP" in doc.select_one(".aviso").get_text()
    # The page says what the form does: a second surname may be left empty (it said "all fields are required").
    assert "salvo el segundo apellido" in doc.select_one("#alta .hint").get_text()
    response = alta(contratista, CURP_ANA, ("ANA", "MORALES", "RUIZ"), correo="ana@ejemplo.mx")
    doc = html(response)
    assert response.status_code == 422
    assert "primer apellido" in doc.select_one("#primer_apellido-error").get_text().lower()
    assert alta(contratista, CURP_ANA, ANA, correo="ana@ejemplo.mx").status_code == 303


def test_overlong_typed_names_are_refused_not_stored(contratista):
    response = alta(contratista, CURP_ANA, ("ANA " + "X" * 200, "MARTINEZ", "RUIZ"), correo="ana@ejemplo.mx")
    assert response.status_code == 422
    assert "120 caracteres" in html(response).select_one("#nombres-error").get_text()


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["sin-js", "htmx"])
@pytest.mark.parametrize("field, kwargs, words", [
    ("telefono", {"telefono": "55123"}, "El teléfono debe tener 10 dígitos"),
    ("telefono", {"telefono": ""}, "Captura el teléfono."),
    ("correo", {"correo": "no-es-correo"}, "no es válido"),
    ("confirmar_correo", {"confirmar": "otro@ejemplo.mx"}, "no coinciden"),
    ("confirmar_correo", {"confirmar": ""}, "no coinciden"),
])
def test_bad_contact_data_of_the_alta(contratista, field, kwargs, words, headers):
    response = alta(contratista, CURP_LUIS, headers=headers, **kwargs)
    doc = html(response)
    assert response.status_code == 422
    assert (doc.find("html") is None) == bool(headers)
    assert words in doc.select_one(f"#{field}-error").get_text()
    assert "fijo" not in doc.select_one(f"#{field}-error").get_text()  # the alta's field is "Teléfono"
    assert doc.select_one(f".error-summary a[href='#{field}']")
    assert "curp-error" not in str(doc)
    if not headers:
        assert doc.title.get_text().startswith("Error: Alta de usuario")


def test_the_second_email_is_compared_as_the_domain_normalises_it(contratista):
    assert alta(contratista, CURP_LUIS, correo="luis@Ejemplo.MX", confirmar="luis@ejemplo.mx").status_code == 303


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["sin-js", "htmx"])
def test_every_refusal_of_the_alta_is_shown_at_once(contratista, headers):
    """Typed names missing, a rol that is not offered, bad contact data: each on its field, in one answer."""
    data = {"csrf_token": token(contratista, ALTA), "curp": CURP_ANA, "nombres": " ", "primer_apellido": "",
            "segundo_apellido": "R0DRIGUEZ", "rol": "Administrador", "telefono": "12", "correo": "x",
            "confirmar_correo": "x"}
    response = contratista.post(ALTA, data=data, headers=headers)
    doc = html(response)
    assert response.status_code == 422
    errores = {e["id"].removesuffix("-error"): e.get_text(" ", strip=True) for e in doc.select(".error-message")}
    assert errores == {
        "nombres": "Error: Captura el nombre o los nombres.",
        "primer_apellido": "Error: Captura el primer apellido.",
        "segundo_apellido": "Error: Escribe solo letras, espacios y los signos ' - . (como aparecen en la CURP).",
        "rol": "Error: Selecciona el rol asignado.",
        "telefono": "Error: El teléfono debe tener 10 dígitos; tienes 2.",
        "correo": "Error: El correo electrónico no es válido. Escríbelo como nombre@dominio.com.",
    }
    assert [a["href"] for a in doc.select(".error-summary a")] == [
        "#nombres", "#primer_apellido", "#segundo_apellido", "#rol", "#telefono", "#correo"]
    assert doc.select_one("#segundo_apellido")["value"] == "R0DRIGUEZ"  # nothing typed is lost


def test_validar_reports_a_curp_already_registered_with_this_contratista(contratista):
    assert alta(contratista, CURP_LUIS).status_code == 303
    response = contratista.post("/administracion/alta/validar", data={"csrf_token": token(contratista, ALTA),
                                                                      "curp": CURP_LUIS})
    doc = html(response)
    assert response.status_code == 422
    assert "ya es capturista" in doc.select_one("#curp-error").get_text()
    assert doc.select_one("#correo") is None  # nothing more to type


BOTONES_ALTA = f"form[action='{ALTA}'] button"


def _botones(doc) -> list[tuple[str, str, str]]:
    """The form's submit buttons in tree order: (text, formaction, hx-post)."""
    return [(b.get_text(strip=True), b.get("formaction"), b.get("hx-post")) for b in doc.select(BOTONES_ALTA)]


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["sin-js", "htmx"])
def test_enter_validates_first_and_saves_after_validar(contratista, headers):
    """Enter in a field submits through the form's first submit button (HTML's default button): Validar before the
    CURP is validated, Guardar after, so Enter in "Confirmar correo electrónico" saves."""
    antes = html(contratista.get(ALTA))
    assert _botones(antes) == [("Validar", "/administracion/alta/validar", "/administracion/alta/validar")]
    response = contratista.post("/administracion/alta/validar", headers=headers,
                                data={"csrf_token": token(contratista, ALTA), "curp": CURP_LUIS})
    doc = html(response)
    botones = _botones(doc)
    assert botones[0] == ("Guardar", ALTA, ALTA) and botones[-1] == ("Guardar", ALTA, ALTA)
    assert [b[0] for b in botones] == ["Guardar", "Validar", "Guardar"]
    predeterminado = doc.select(BOTONES_ALTA)[0]
    assert predeterminado["tabindex"] == "-1" and predeterminado["aria-hidden"] == "true"
    assert "visually-hidden" in predeterminado["class"]
    assert all(b.get("hx-target") == "#alta" for b in doc.select(BOTONES_ALTA))
    # After a refused Guardar the default is still Guardar.
    doc = html(alta(contratista, CURP_LUIS, telefono="1", headers=headers))
    assert _botones(doc)[0][0] == "Guardar"


def test_pages_without_errors_answer_200_with_a_plain_title(contratista):
    response = contratista.get(ALTA)
    assert response.status_code == 200
    assert html(response).title.get_text() == "Alta de usuario - ICSOE IMSS"
    response = contratista.post("/administracion/alta/validar", data={"csrf_token": token(contratista, ALTA),
                                                                      "curp": CURP_LUIS})
    assert response.status_code == 200 and not html(response).title.get_text().startswith("Error")


def test_guardar_invites_by_mail_and_the_capturista_activates_and_signs_in(contratista, app):
    client = app.test_client()  # the capturista's own browser
    response = alta(contratista, CURP_LUIS)
    assert response.status_code == 303
    doc = html(contratista.get(response.headers["Location"]))
    assert "El usuario se guardo exitosamente" in doc.select_one(".aviso").get_text()
    assert [th.get_text() for th in doc.select("table th")][:2] == ["Id", "Rol asignado"]
    assert doc.find("a", string="Aceptar")
    with app.app_context():
        db = get_session()
        capturista = db.exec(select(Capturista)).one()
        assert capturista.estatus == "pendiente" and db.get(Persona, capturista.persona_id).correo == "luis@ejemplo.mx"
        assert {a.accion for a in db.exec(select(Auditoria)).all()} == {"ingreso", "terminos", "alta", "invitacion"}
    mensaje = leer_outbox(Path(app.instance_path) / "outbox")[-1]
    assert mensaje["To"] == "luis@ejemplo.mx"

    url = enlace(app)
    for weak in ("corta", "password1234", "contrasena123"):
        response = client.post(url, data={"csrf_token": token(client, url), "contrasena": weak, "confirmacion": weak})
        assert response.status_code == 422
    assert activar(client, app).headers["Location"] == "/"
    assert client.get(url).status_code == 410  # one use only

    assert entrar_capturista(client) == "/inicio"
    doc = html(client.get("/inicio"))
    perfil = {dt.get_text(): dt.find_next_sibling("dd").get_text() for dt in doc.select(".perfil dt")}
    assert perfil["Rol"] == "Capturista"
    assert "Administración" not in doc.select_one("nav.menu").get_text()
    for url in (ALTA, "/administracion/consulta", "/administracion/exportar", "/datos-generales/"):
        assert client.get(url).status_code == 403


def test_same_curp_twice_and_reactivation(contratista, app):
    assert alta(contratista, CURP_LUIS).status_code == 303
    response = alta(contratista, CURP_LUIS)
    assert response.status_code == 422 and "ya es capturista" in html(response).select_one("#curp-error").get_text()
    with app.app_context():
        capturista_id = get_session().exec(select(Capturista)).one().id
    baja_url = f"/administracion/capturistas/{capturista_id}/baja"
    doc = html(contratista.get(baja_url))
    assert doc.h1.get_text().startswith("¿Dar de baja")
    contratista.post(baja_url, data={"csrf_token": token(contratista, baja_url)})
    assert alta(contratista, CURP_LUIS, correo="nuevo@ejemplo.mx").status_code == 303  # reactivated
    with app.app_context():
        db = get_session()
        capturista = db.exec(select(Capturista)).one()
        assert capturista.estatus == "pendiente" and capturista.baja is None
        assert db.get(Persona, capturista.persona_id).correo == "nuevo@ejemplo.mx"  # the new mailbox's account


def test_five_wrong_passwords_lock_that_client_only(contratista, app):
    """A stranger's guesses lock the stranger's address out, never the owner at hers."""
    extrano = app.test_client()
    extrano.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    alta(contratista, CURP_LUIS)
    activar(app.test_client(), app)
    for _ in range(5):
        r = extrano.post("/ingreso/capturista", data={"csrf_token": token(extrano, "/"), "curp": CURP_LUIS,
                                                      "password": "equivocada"})
        assert r.status_code == 422
    r = extrano.post("/ingreso/capturista", data={"csrf_token": token(extrano, "/"), "curp": CURP_LUIS,
                                                  "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 14 * 60
    assert entrar_capturista(app.test_client()) == "/inicio"  # the owner, from her own address


def test_baja_ends_access_and_sessions(contratista, app):
    client = app.test_client()  # the capturista's own browser
    alta(contratista, CURP_LUIS)
    activar(client, app)
    assert entrar_capturista(client) == "/inicio"
    assert client.get("/inicio").status_code == 200
    with app.app_context():
        capturista_id = get_session().exec(select(Capturista)).one().id
    url = f"/administracion/capturistas/{capturista_id}/baja"
    contratista.post(url, data={"csrf_token": token(contratista, url)})
    assert client.get("/inicio").status_code == 303  # the session ended with the baja
    # Her account, with no live role, no longer signs in (app.capturistas.cuentas_para_ingreso: a contratista could
    # otherwise pile such accounts on a CURP); the message says the contratista gives the access.
    response = client.post("/ingreso/capturista", data={"csrf_token": token(client, "/"), "curp": CURP_LUIS,
                                                         "password": PASSWORD})
    assert response.status_code == 422
    assert "el contratista debe darte de alta" in html(response).select_one(".error-summary").get_text()


def test_capturista_of_two_contratistas_accepts_and_chooses(contratista, app, juegos):
    client = app.test_client()  # the capturista's own browser
    alta(contratista, CURP_LUIS)
    activar(client, app)
    otro = otro_contratista(app, juegos["otra"])
    assert alta(otro, CURP_LUIS, correo="Luis@Ejemplo.mx").status_code == 303  # her mailbox: an invitation
    assert "/ingreso/activar/" not in leer_outbox(Path(app.instance_path) / "outbox")[-1].get_content()
    r = client.post("/ingreso/capturista", data={"csrf_token": token(client, "/"), "curp": CURP_LUIS,
                                                 "password": PASSWORD})
    assert r.headers["Location"] == "/ingreso/elegir"
    doc = html(client.get("/ingreso/elegir"))
    assert "OTRA EMPRESA" in doc.select_one(".invitaciones").get_text()
    aceptar = doc.select_one(".invitaciones form")["action"]
    assert aceptar.endswith("/aceptar")
    assert client.post(aceptar, data={"csrf_token": token(client, "/ingreso/elegir")}).status_code == 303
    doc = html(client.get("/ingreso/elegir"))
    options = doc.select("input[name=capturista]")
    assert len(options) == 2
    r = client.post("/ingreso/elegir", data={"csrf_token": token(client, "/ingreso/elegir"),
                                             "capturista": options[1]["value"]})
    assert r.headers["Location"] == "/inicio"
    assert "OTRA EMPRESA" in html(client.get("/inicio")).select_one(".perfil").get_text()


def test_consulta_search_pages_and_export(contratista, app):
    with app.app_context():
        db = get_session()
        contratista_id = db.exec(select(Contratista)).first().id
        for i in range(30):
            curp = f"XAXX{i:06d}HDFXXX0{i % 10}"
            p = Persona(curp=curp, correo=f"p{i}@ejemplo.mx")
            db.add(p)
            db.flush()
            db.add(Capturista(persona_id=p.id, contratista_id=contratista_id, curp=curp, nombres=f"PERSONA {i:02d}",
                              primer_apellido="PRUEBA", segundo_apellido="=SUMA(1)" if i == 0 else "",
                              telefono="5512345678", estatus="baja" if i == 1 else "activo",
                              baja=utcnow() if i == 1 else None))
        db.commit()
    doc = html(contratista.get("/administracion/consulta"))
    assert len(doc.select("tbody tr")) == 25
    assert [th.get_text() for th in doc.select("thead th")][:9] == [
        "CURP", "Nombre(s)", "Primer apellido", "Segundo apellido", "Rol", "Estatus", "Fecha alta", "Fecha baja",
        "Fecha actualización"]
    assert doc.select_one("caption").get_text().startswith("Capturistas")
    doc = html(contratista.get("/administracion/consulta?pagina=2"))
    assert len(doc.select("tbody tr")) == 5
    doc = html(contratista.get("/administracion/consulta?q=persona 07", headers=HTMX))
    assert doc.find("html") is None and len(doc.select("tbody tr")) == 1
    # Dar de baja from a search's second page comes back to it (it went back to the whole list, page 1), and so
    # does its Cancelar; the table's Reactivar too.
    doc = html(contratista.get("/administracion/consulta?q=prueba&pagina=2"))
    baja = doc.select_one("tbody a[href*='/baja']")["href"]
    assert baja.endswith("/baja?q=prueba&pagina=2")
    confirmacion = html(contratista.get(baja))
    assert confirmacion.find("a", string="Cancelar")["href"] == "/administracion/consulta?q=prueba&pagina=2"
    datos = {i["name"]: i["value"] for i in confirmacion.select("form[method=post] input[type=hidden]")}
    response = contratista.post(baja.split("?")[0], data=datos)
    assert response.headers["Location"] == "/administracion/consulta?q=prueba&pagina=2"
    forma = html(contratista.get(response.headers["Location"])).select_one("#resultados form[method=post]")
    reactivar = next(b for b in forma.select("button") if b.get_text().startswith("Reactivar"))
    datos = {i["name"]: i["value"] for i in forma.select("input[type=hidden]")}
    assert contratista.post(reactivar["formaction"], data=datos).headers["Location"] == \
        "/administracion/consulta?q=prueba&pagina=2"

    response = contratista.get("/administracion/exportar")
    assert response.status_code == 200
    assert re.fullmatch(r'attachment; filename=Capturistas_\d+_\d{13}\.xlsx', response.headers["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(response.data))["Reporte Usuarios Icsoe"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("CURP", "Nombre(s)", "Primer Apellido", "Segundo Apellido", "Rol", "Estatus", "Grupo",
                       "Contratista relacionado", "Fecha alta", "Fecha baja", "Fecha actualización")
    assert len(rows) == 31
    assert any(r[5] == "Baja" and r[9] is not None for r in rows[1:])
    assert "=SUMA(1)" in [r[3] for r in rows[1:]]  # text, not a formula
    with app.app_context():
        assert get_session().exec(select(Auditoria).where(Auditoria.accion == "exportacion")).one()


def test_consulta_rows_post_their_actions_through_the_tables_one_form(contratista, app):
    """The table is one form with one CSRF token; each row's Reenviar invitación or Reactivar posts to its own URL
    (formaction), as a browser without JavaScript sends it."""
    alta(contratista, CURP_LUIS)
    doc = html(contratista.get("/administracion/consulta"))
    forma = doc.select_one("#resultados form[method=post]")
    assert len(forma.select("input[name=csrf_token]")) == 1 and not doc.select("td form")
    boton = next(b for b in forma.select("button") if b.get_text().startswith("Reenviar invitación"))
    with app.app_context():
        rol = get_session().exec(select(Capturista)).one()
    assert boton["formaction"] == f"/administracion/capturistas/{rol.id}/reenviar"
    assert "LUIS" in boton.select_one(".visually-hidden").get_text()
    datos = {i["name"]: i["value"] for i in forma.select("input[type=hidden]")}
    assert contratista.post(boton["formaction"], data=datos).status_code == 303

    baja = contratista.post(f"/administracion/capturistas/{rol.id}/baja", data={"csrf_token": token(contratista, ALTA)})
    assert baja.status_code == 303
    forma = html(contratista.get("/administracion/consulta")).select_one("#resultados form[method=post]")
    boton = next(b for b in forma.select("button") if b.get_text().startswith("Reactivar"))
    assert boton["formaction"] == f"/administracion/capturistas/{rol.id}/reactivar"
    datos = {i["name"]: i["value"] for i in forma.select("input[type=hidden]")}
    assert contratista.post(boton["formaction"], data=datos).status_code == 303
    with app.app_context():
        assert get_session().get(Capturista, rol.id).estatus != "baja"


def test_another_contratista_gets_404_on_every_url(contratista, app, juegos):
    alta(contratista, CURP_LUIS)
    with app.app_context():
        capturista_id = get_session().exec(select(Capturista)).one().id
    otro = otro_contratista(app, juegos["otra"])
    base = f"/administracion/capturistas/{capturista_id}"
    assert otro.get(f"/administracion/alta/{capturista_id}").status_code == 404
    assert otro.get(f"{base}/baja").status_code == 404
    for action in ("baja", "reactivar", "reenviar"):
        assert otro.post(f"{base}/{action}", data={"csrf_token": token(otro, ALTA)}).status_code == 404
    assert html(otro.get("/administracion/consulta")).select("tbody tr") == []
    sheet = load_workbook(io.BytesIO(otro.get("/administracion/exportar").data)).active
    assert sheet.max_row == 1


class _Renapo(BaseHTTPRequestHandler):
    """A small RENAPO-style service: GET /<CURP> -> JSON names, 404 when unknown."""

    def do_GET(self):
        curp = self.path.rsplit("/", 1)[-1]
        if curp == CURP_ANA:
            body = json.dumps({"nombres": "ANA", "primer_apellido": "MARTINEZ", "segundo_apellido": "RUIZ"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def renapo():
    server = HTTPServer(("127.0.0.1", 0), _Renapo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/curp"
    server.shutdown()


def test_curp_service_over_http(contratista, app, renapo):
    app.config["CURP_SERVICE_URL"] = renapo
    doc = html(contratista.post("/administracion/alta/validar", data={"csrf_token": token(contratista, ALTA),
                                                                      "curp": CURP_ANA}))
    assert doc.select_one("#nombres")["value"] == "ANA" and doc.select_one("#nombres").has_attr("readonly")
    doc = html(contratista.post("/administracion/alta/validar", data={"csrf_token": token(contratista, ALTA),
                                                                      "curp": hacer_curp("PEDRO", "SOTO", "LUNA")}))
    assert not doc.select_one("#nombres").has_attr("readonly")
    app.config["CURP_SERVICE_URL"] = "http://127.0.0.1:9/curp"  # nothing listens there
    doc = html(contratista.post("/administracion/alta/validar", data={"csrf_token": token(contratista, ALTA),
                                                                      "curp": CURP_ANA}))
    assert "no respondió" in doc.select_one(".aviso").get_text()


def test_password_reset_by_mail(contratista, app):
    client = app.test_client()  # the capturista's own browser
    alta(contratista, CURP_LUIS)
    activar(client, app)
    r = client.post("/ingreso/restablecer", data={"csrf_token": token(client, "/ingreso/restablecer"),
                                                  "curp": CURP_LUIS})
    assert r.status_code == 303
    nueva = "otra frase muy distinta ahora"
    url = enlace(app)
    assert "restablecer" in url
    client.post(url, data={"csrf_token": token(client, url), "contrasena": nueva, "confirmacion": nueva})
    assert entrar_capturista(client, nueva) == "/inicio"
    # An unknown CURP gets the same answer and no mail.
    count = len(leer_outbox(Path(app.instance_path) / "outbox"))
    client.post("/salir", data={"csrf_token": token(client, "/inicio")})
    r = client.post("/ingreso/restablecer", data={"csrf_token": token(client, "/ingreso/restablecer"),
                                                  "curp": CURP_ANA})
    assert r.status_code == 303
    assert len(leer_outbox(Path(app.instance_path) / "outbox")) == count


def test_invitation_goes_through_a_real_smtp_server(tmp_path, juegos, ca, catalogo, monkeypatch, esquema_sqlite):
    """With SMTP_URL set, the alta's invitation reaches an SMTP server (aiosmtpd on loopback), not the outbox."""
    from app import fiel, trust

    from .conftest import make_app

    from .test_correo import servidor

    with servidor() as (bandeja, port):
        monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{port}")
        app = make_app(tmp_path, esquema_sqlite, "smtp.sqlite", TESTING=True)
        with app.app_context():
            trust.add(get_session(), fiel.read_ca_certificates(ca.cert_der, "demo.cer"))
        client = preparar(app, app.test_client(), juegos["moral"])
        assert alta(client, CURP_LUIS).status_code == 303
        assert [e.rcpt_tos for e in bandeja.recibidos] == [["luis@ejemplo.mx"]]
        assert b"/ingreso/activar/" in bandeja.recibidos[0].original_content
        assert not (tmp_path / "outbox").exists() or not list((tmp_path / "outbox").iterdir())


def test_guardar_never_stores_names_the_contratista_did_not_see(contratista, app):
    """Validar with one CURP, change it to another the registry knows, Guardar: the page shows the other CURP's
    names and asks again; nothing is stored until those names were on screen."""
    with app.app_context():
        db = get_session()
        db.add(DirectorioCurp(curp=CURP_ANA, nombres="ANA", primer_apellido="MARTINEZ", segundo_apellido="RUIZ"))
        db.commit()
    response = alta(contratista, CURP_ANA, nombres=LUIS)  # JOSE LUIS GARCIA LOPEZ was on screen, for CURP_LUIS
    doc = html(response)
    assert response.status_code == 422 and "no son los que estaban en pantalla" in doc.select_one(".error-summary").get_text()
    assert doc.select_one("#nombres")["value"] == "ANA"
    with app.app_context():
        assert get_session().exec(select(Capturista)).first() is None
    assert alta(contratista, CURP_ANA, nombres=("ANA", "MARTINEZ", "RUIZ")).status_code == 303


def test_an_alta_whose_invitation_did_not_go_says_so_everywhere(contratista, app):
    """Four capturistas given the office's one mailbox: the fourth invitation is past the hourly limit. Its
    confirmation said "Le enviamos una invitación" below the error, the guide's "El usuario se guardo exitosamente"
    was missing, and the Bitácora recorded "Invitación enviada … limite"."""
    personas = [("ANA", "MARTINEZ", "RUIZ"), ("LUISA", "PEREZ", "SOTO"), ("MARIO", "DIAZ", "VEGA"),
                ("ROSA", "LUNA", "MORA")]
    for nombres in personas:
        response = alta(contratista, hacer_curp(*nombres), nombres, correo="oficina@ejemplo.mx")
        assert response.status_code == 303
    texto = html(contratista.get(response.headers["Location"])).select_one("main").get_text(" ", strip=True)
    assert "El usuario se guardo exitosamente" in texto and "No se envió el correo a oficina@ejemplo.mx" in texto
    assert "Le enviamos una invitación" not in texto
    assert "La invitación a oficina@ejemplo.mx no se envió: envíala desde la Consulta" in texto
    filas = [[td.get_text(" ", strip=True) for td in tr.select("td")]
             for tr in html(contratista.get("/bitacora/?tipo=invitacion")).select("tbody tr")]
    assert "Invitación por correo" in filas[0] and "no enviada: ya se enviaron varios correos" in " ".join(filas[0])
    assert "capturista 1 a oficina@ejemplo.mx: enviada" in [celda for fila in filas for celda in fila]
