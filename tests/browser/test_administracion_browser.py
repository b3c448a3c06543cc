"""Administración in a real Chromium: alta, the capturista's activation from the outbox and sign-in, consulta,
baja and export, with JavaScript and without it, by keyboard, under axe-core."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app.correo import leer_outbox
from app.db import get_session
from app.models import Capturista, Contratista, DatosGenerales, DirectorioCurp, Persona, utcnow

from ..test_administracion import ANA, CURP_ANA, CURP_LUIS, LUIS, PASSWORD
from .test_datos_generales_browser import entrar
from .test_ingreso_browser import assert_no_axe_violations
from .conftest import tab_to


@pytest.fixture(params=["sqlite", pytest.param("cluster", marks=pytest.mark.postgres)])
def live_app(request):
    """Every test here twice: on one node on SQLite, and through haproxy onto two nodes on PostgreSQL, where alta,
    the activation link and the capturista's sign-in may each land on either node (issue 14)."""
    return request.getfixturevalue("live_app_sqlite" if request.param == "sqlite" else "live_app_cluster")


def _datos_guardados(app, rfc):
    with app.app_context():
        db = get_session()
        c = db.exec(select(Contratista).where(Contratista.rfc == rfc)).one()
        if db.get(DatosGenerales, c.id) is None:
            db.add(DatosGenerales(contratista_id=c.id, correo="a@ejemplo.mx", celular="5512345678"))
        if db.get(DirectorioCurp, CURP_LUIS) is None:
            db.add(DirectorioCurp(curp=CURP_LUIS, nombres=LUIS[0], primer_apellido=LUIS[1], segundo_apellido=LUIS[2]))
        db.commit()


def _enlace(app) -> str:
    body = leer_outbox(Path(app.instance_path) / "outbox")[-1].get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://\S+/ingreso/activar/\S+", body).group(0)


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "sin-js"])
def test_alta_activation_sign_in_consulta_baja(browser, live_app, archivos, javascript):
    app, live = live_app
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    entrar(page, live, archivos, "moral")
    _datos_guardados(app, archivos["moral"][0])
    page.get_by_role("link", name="Alta de usuarios").click()
    expect(page.get_by_role("heading", name="Alta de usuario")).to_be_visible()
    assert_no_axe_violations(page, "alta", javascript)
    page.get_by_label("CURP").fill("NO-ES-CURP")
    page.get_by_role("button", name="Validar").click()
    expect(page.locator("#curp-error")).to_be_visible()
    page.get_by_label("CURP").fill(CURP_LUIS)
    page.get_by_role("button", name="Validar").click()
    expect(page.get_by_label("Nombre(s)")).to_have_value("JOSE LUIS")
    assert_no_axe_violations(page, "alta validada", javascript)
    page.get_by_label("Teléfono").fill("55 9876 5432")
    page.get_by_label("Correo electrónico", exact=True).fill("luis@ejemplo.mx")
    page.get_by_label("Confirmar correo electrónico").fill("luis@ejemplo.mx")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("El usuario se guardo exitosamente")).to_be_visible()
    assert_no_axe_violations(page, "guardado", javascript)
    page.get_by_role("link", name="Aceptar").click()
    expect(page.get_by_label("CURP")).to_have_value("")

    page.get_by_role("link", name="Consulta").first.click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("Pendiente")
    assert_no_axe_violations(page, "consulta", javascript)
    with page.expect_download() as download:
        page.get_by_role("link", name="Exportar Excel").first.click()
    assert re.fullmatch(r"Capturistas_\d+_\d{13}\.xlsx", download.value.suggested_filename)

    # The capturista, in its own browser, from the e-mail in the outbox.
    other = browser.new_context(java_script_enabled=javascript)
    capturista = other.new_page()
    capturista.goto(_enlace(app))
    capturista.get_by_label("Nueva contraseña").fill("corta")
    capturista.get_by_label("Confirmar contraseña").fill("corta")
    capturista.get_by_role("button", name="Guardar contraseña").click()
    expect(capturista.locator("#contrasena-error")).to_contain_text("12 caracteres")
    assert_no_axe_violations(capturista, "contraseña con error", javascript)
    capturista.get_by_label("Nueva contraseña").fill(PASSWORD)
    capturista.get_by_label("Confirmar contraseña").fill(PASSWORD)
    capturista.get_by_role("button", name="Guardar contraseña").click()
    capturista.get_by_label("CURP").fill(CURP_LUIS)
    capturista.get_by_label("Contraseña").fill(PASSWORD)
    capturista.get_by_role("button", name="Ingresar").click()
    expect(capturista.locator(".perfil")).to_contain_text("Capturista")
    expect(capturista.get_by_role("link", name="Alta de usuarios")).to_have_count(0)
    assert_no_axe_violations(capturista, "inicio del capturista", javascript)

    page.reload()
    expect(page.locator("tbody")).to_contain_text("Activo")
    page.get_by_role("link", name=re.compile("Dar de baja")).click()
    page.get_by_role("button", name="Sí, dar de baja").click()
    expect(page.locator("tbody")).to_contain_text("Baja")
    capturista.reload()
    expect(capturista.get_by_role("heading", name="Ingreso al ICSOE")).to_be_visible()  # signed out by the baja
    other.close()
    context.close()


def test_typed_names_checked_against_the_curp_by_keyboard(page, live_app, archivos):
    app, live = live_app
    entrar(page, live, archivos, "moral")
    _datos_guardados(app, archivos["moral"][0])
    page.goto(live + "/administracion/alta")


    tab_to(page, page.get_by_label("CURP"))
    page.keyboard.type(CURP_ANA)
    tab_to(page, page.get_by_role("button", name="Validar"))
    page.keyboard.press("Enter")
    expect(page.locator(".aviso")).to_contain_text("No encontramos la CURP")
    tab_to(page, page.get_by_label("Nombre(s)"))
    page.keyboard.type(ANA[0])
    page.keyboard.press("Tab")
    page.keyboard.type("MORALES")
    page.keyboard.press("Tab")
    page.keyboard.type(ANA[2])
    tab_to(page, page.get_by_label("Teléfono"))
    page.keyboard.type("5512345678")
    page.keyboard.press("Tab")
    page.keyboard.type("ana@ejemplo.mx")
    page.keyboard.press("Tab")
    page.keyboard.type("ana@ejemplo.mx")
    tab_to(page, page.get_by_role("button", name="Guardar"))
    page.keyboard.press("Enter")
    expect(page.locator("#primer_apellido-error")).to_contain_text("primer apellido")
    expect(page.locator(".error-summary")).to_be_focused()
    assert_no_axe_violations(page, "nombres que no corresponden")


def test_signed_in_pages_fit_320_px_wide(browser, live_app, archivos):
    app, live = live_app
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    entrar(page, live, archivos, "moral")
    _datos_guardados(app, archivos["moral"][0])
    for path in ("/datos-generales/", "/administracion/alta", "/administracion/consulta"):
        page.goto(live + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    page.goto(live + "/datos-generales/")
    page.get_by_role("radio", name="No").first.check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, "locator"
    context.close()


def test_an_invitation_to_an_active_account_is_accepted_by_keyboard(browser, live_app, archivos, juegos):
    """The person signs in, answers the second contratista's invitation with the keyboard, and chooses."""
    from ..test_administracion import activar, alta, otro_contratista, preparar

    app, live = live_app
    a = preparar(app, app.test_client(), juegos["moral"])
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    alta(otro_contratista(app, juegos["otra"]), CURP_LUIS, correo="luis@ejemplo.mx")
    context = browser.new_context()
    page = context.new_page()
    page.goto(live + "/")
    page.get_by_label("CURP").fill(CURP_LUIS)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", name="Invitaciones por responder")).to_be_visible()
    assert_no_axe_violations(page, "invitaciones")
    aceptar = page.get_by_role("button", name=re.compile("Aceptar invitación"))
    tab_to(page, aceptar)
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile("Aceptaste la invitación"))).to_be_visible()
    expect(page.locator("input[name=capturista]")).to_have_count(2)
    page.get_by_label(re.compile("OTRA EMPRESA")).check()
    page.get_by_role("button", name="Ingresar").click()
    expect(page.locator(".perfil")).to_contain_text("OTRA EMPRESA")
    assert_no_axe_violations(page, "inicio tras aceptar")
    context.close()


# Long but real Spanish names (RENAPO writes them whole), and one at the 120-character bound of every name.
NOMBRES_LARGOS = [
    ("MARIA DE LOS ANGELES GUADALUPE DEL CARMEN", "FERNANDEZ DE CORDOBA Y ALVARADO", "VILLASEÑOR-MONTENEGRO"),
    ("JOSE " + "MAXIMILIANO " * 9 + "ANTONIO", "DE LA " + "SANTISIMA " * 10 + "TRINIDAD", "O'DONOJU"),
]
CORREO_LARGO = "a" * 64 + "@" + ".".join(["b" * 62, "c" * 62, "d" * 60]) + ".mx"  # 254 characters, RFC 5321's bound


def _capturistas(app, rfc, n: int = 30) -> None:
    """`n` capturistas of the contratista with long names, in every estatus (so every Acciones cell appears)."""
    with app.app_context():
        db = get_session()
        contratista_id = db.exec(select(Contratista).where(Contratista.rfc == rfc)).one().id
        for i in range(n):
            curp = f"XAXX{i:06d}HDFXXX0{i % 10}"
            persona = Persona(curp=curp, correo=f"persona{i}@ejemplo.mx")
            db.add(persona)
            db.flush()
            nombres, primero, segundo = NOMBRES_LARGOS[i % len(NOMBRES_LARGOS)]
            estatus = ("pendiente", "activo", "baja", "rechazado")[i % 4]
            db.add(Capturista(persona_id=persona.id, contratista_id=contratista_id, curp=curp, nombres=nombres,
                              primer_apellido=primero, segundo_apellido=segundo, telefono="5512345678",
                              estatus=estatus, baja=utcnow() if estatus == "baja" else None))
        db.commit()


def _sin_desplazamiento_horizontal(page, donde: str) -> None:
    ancho = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert ancho[0] <= ancho[1], f"{donde}: the page is {ancho[0]} px wide in a {ancho[1]} px window"


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "sin-js"])
@pytest.mark.parametrize("ancho", [320, 1280])
def test_consulta_and_the_alta_confirmation_fit_the_window(browser, live_app, archivos, javascript, ancho):
    """No horizontal page scroll at 320 or 1280 px: the table scrolls inside its own box, the Acciones column fits
    in that box at desktop widths, and the confirmation wraps the longest e-mail."""
    app, live = live_app
    context = browser.new_context(viewport={"width": ancho, "height": 800}, java_script_enabled=javascript)
    page = context.new_page()
    entrar(page, live, archivos, "moral")
    _datos_guardados(app, archivos["moral"][0])
    _capturistas(app, archivos["moral"][0])

    page.goto(live + "/administracion/consulta")
    expect(page.locator("tbody tr")).to_have_count(25)
    _sin_desplazamiento_horizontal(page, "consulta")
    contenedor = page.locator(".tabla-contenedor").bounding_box()
    assert contenedor["x"] + contenedor["width"] <= ancho
    if ancho >= 1280:
        for celda in page.locator("thead th:last-child, tbody td:last-child").all():
            caja = celda.bounding_box()
            assert caja["x"] + caja["width"] <= contenedor["x"] + contenedor["width"] + 0.5, celda.inner_text()
        for accion in page.locator("tbody td:last-child a, tbody td:last-child button").all():
            caja = accion.bounding_box()
            assert caja["x"] + caja["width"] <= contenedor["x"] + contenedor["width"] + 0.5, accion.inner_text()
        assert page.evaluate("(e => e.scrollWidth <= e.clientWidth)(document.querySelector('.tabla-contenedor'))")
    if javascript:
        page.get_by_label("Buscar por CURP o nombre").fill("XAXX000004")
        page.get_by_role("button", name="Buscar").click()
        expect(page.locator("tbody tr")).to_have_count(1)
        _sin_desplazamiento_horizontal(page, "consulta tras buscar")

    page.goto(live + "/administracion/alta")
    page.get_by_label("CURP").fill(CURP_LUIS)
    page.get_by_role("button", name="Validar").click()
    expect(page.get_by_label("Nombre(s)")).to_have_value("JOSE LUIS")
    _sin_desplazamiento_horizontal(page, "alta validada")
    page.get_by_label("Teléfono").fill("5598765432")
    page.get_by_label("Correo electrónico", exact=True).fill(CORREO_LARGO)
    page.get_by_label("Confirmar correo electrónico").fill(CORREO_LARGO)
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("El usuario se guardo exitosamente")).to_be_visible()
    _sin_desplazamiento_horizontal(page, "confirmación con el correo más largo")
    assert_no_axe_violations(page, f"confirmación a {ancho} px", javascript)
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "sin-js"])
def test_enter_validates_before_validar_and_saves_after(browser, live_app, archivos, javascript):
    """Enter in the CURP runs Validar; once validated, Enter in any field (here "Confirmar correo electrónico")
    runs Guardar, not Validar again."""
    app, live = live_app
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    entrar(page, live, archivos, "moral")
    _datos_guardados(app, archivos["moral"][0])
    page.goto(live + "/administracion/alta")
    page.get_by_label("CURP").fill(CURP_LUIS)
    page.get_by_label("CURP").press("Enter")
    expect(page.get_by_label("Nombre(s)")).to_have_value("JOSE LUIS")
    page.get_by_label("Teléfono").fill("5598765432")
    page.get_by_label("Teléfono").press("Enter")  # Guardar, refused: the e-mail is missing
    expect(page.locator("#correo-error")).to_contain_text("Captura el correo electrónico")
    expect(page.get_by_label("Nombre(s)")).to_have_value("JOSE LUIS")
    page.get_by_label("Correo electrónico", exact=True).fill("luis@ejemplo.mx")
    page.get_by_label("Confirmar correo electrónico").fill("luis@ejemplo.mx")
    page.get_by_label("Confirmar correo electrónico").press("Enter")
    expect(page.get_by_text("El usuario se guardo exitosamente")).to_be_visible()
    expect(page.get_by_role("heading", name="Alta de usuario")).to_be_visible()
    with app.app_context():
        assert len(get_session().exec(select(Capturista)).all()) == 1
    context.close()
