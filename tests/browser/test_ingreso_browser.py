"""The whole ingress in a real Chromium: with JavaScript (htmx), without it, by keyboard only, and under axe-core."""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from .conftest import tab_to

SUCCESS = "La validación de la FIEL fue exitosa."


@pytest.fixture(params=["sqlite", pytest.param("cluster", marks=pytest.mark.postgres)])
def live(request):
    """Every test here twice: on one node on SQLite, and through haproxy onto two nodes on PostgreSQL, where each
    step of the ingress may land on either node (issue 14)."""
    if request.param == "sqlite":
        return request.getfixturevalue("live_app")[1]
    return request.getfixturevalue("live_cluster")


# WCAG 2.2 AA (target-size among them) and axe's best practices, not only axe's default set.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                                      "best-practice"]}}


def assert_no_axe_violations(page, state: str, javascript: bool = True) -> None:
    """axe-core on what the page shows now. axe is a script, so the HTML of a page without JavaScript is
    checked in a scripting page of the same browser, opened at the same URL (same styles, same base)."""
    if javascript:
        results = Axe().run(page, options=AXE_OPTIONS)
    else:
        context = page.context.browser.new_context()
        checker = context.new_page()
        checker.goto(page.url)
        checker.set_content(page.content())
        results = Axe().run(checker, options=AXE_OPTIONS)
        context.close()
    assert results.violations_count == 0, f"{state}:\n{results.generate_report()}"


def fill_efirma(page, rfc, cer, key, password) -> None:
    page.get_by_label("RFC").fill(rfc)
    page.get_by_label("Certificado (.cer)").set_input_files(cer)
    page.get_by_label("Llave privada (.key)").set_input_files(key)
    page.get_by_label("Contraseña de la llave privada").fill(password)


def test_ingress_with_javascript_follows_the_guide(page, live, archivos):
    rfc, cer, key, password = archivos["moral"]
    page.goto(live + "/")
    assert_no_axe_violations(page, "landing")
    page.get_by_role("link", name="Ingresar con e.firma").click()
    expect(page.get_by_role("heading", name="Firma digital")).to_be_visible()
    assert_no_axe_violations(page, "e.firma form")

    fill_efirma(page, rfc, cer, key, "contraseña-equivocada")
    with page.expect_response("**/ingreso/efirma") as response:
        page.get_by_role("button", name="Validar").click()
    assert response.value.status == 422 and response.value.request.headers.get("hx-request") == "true"
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#password-error")).to_contain_text("incorrecta")
    assert_no_axe_violations(page, "e.firma error")
    # htmx morphs the form in place: the chosen files are still there, only the password needs fixing.
    assert page.locator("#cer").evaluate("e => e.files.length") == 1

    page.get_by_label("Contraseña de la llave privada").fill(password)
    with page.expect_response("**/ingreso/efirma") as response:
        page.get_by_role("button", name="Validar").click()
    assert response.value.status == 200 and response.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#efirma-resultado")).to_have_text(SUCCESS)
    expect(page.locator("#efirma-resultado")).to_be_focused()
    assert_no_axe_violations(page, "e.firma success")

    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", name="Términos y condiciones")).to_be_visible()
    assert_no_axe_violations(page, "terms")
    page.get_by_role("button", name="Ingresar").click()
    expect(page.locator("#acepto-error")).to_contain_text("aceptar")
    assert_no_axe_violations(page, "terms error")
    page.get_by_label("He leído y acepto los términos y condiciones").check()
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", name="Configuración")).to_be_visible()
    expect(page.get_by_text("Por favor ingresa tus datos generales.")).to_be_visible()
    assert_no_axe_violations(page, "configuración")
    page.get_by_role("link", name="Continuar").click()
    expect(page.locator(".perfil")).to_contain_text(rfc)
    expect(page.locator(".perfil")).to_contain_text("Contratista")
    assert_no_axe_violations(page, "datos generales")
    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page.get_by_role("heading", name="Ingreso al ICSOE")).to_be_visible()


def test_ingress_without_javascript(page_sin_js, live, archivos):
    page = page_sin_js
    rfc, cer, key, password = archivos["fisica"]
    page.goto(live + "/ingreso/efirma")
    fill_efirma(page, rfc.lower(), cer, key, "equivocada")
    page.get_by_role("button", name="Validar").click()
    expect(page.locator("#password-error")).to_contain_text("incorrecta")
    assert page.title().startswith("Error: ")
    assert_no_axe_violations(page, "e.firma error, no JavaScript", javascript=False)
    fill_efirma(page, rfc.lower(), cer, key, password)  # the browser kept no file: choose them again
    page.get_by_role("button", name="Validar").click()
    expect(page.locator("#efirma-resultado")).to_have_text(SUCCESS)
    assert page.title() == "Firma digital - ICSOE IMSS"
    assert_no_axe_violations(page, "e.firma success, no JavaScript", javascript=False)
    page.get_by_role("button", name="Ingresar").click()
    page.get_by_role("button", name="Ingresar").click()  # without accepting
    expect(page.locator("#acepto-error")).to_contain_text("aceptar")
    assert_no_axe_violations(page, "terms error, no JavaScript", javascript=False)
    page.get_by_label("He leído y acepto los términos y condiciones").check()
    page.get_by_role("button", name="Ingresar").click()
    page.get_by_role("link", name="Continuar").click()
    expect(page.locator(".perfil")).to_contain_text("MARÍA PEÑA NÚÑEZ")
    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page.get_by_role("heading", name="Ingreso al ICSOE")).to_be_visible()


def test_the_browser_remembers_its_efirma_for_its_sign_in_page_only(page, live, archivos):
    """The cookie that counts this browser's own attempts apart (app.navegador): a real Chromium keeps it after a
    successful Validar, HttpOnly and SameSite=Strict, sends it with the next Validar and with nothing else."""
    rfc, cer, key, password = archivos["moral"]
    page.goto(live + "/ingreso/efirma")
    fill_efirma(page, rfc, cer, key, password)
    with page.expect_request("**/ingreso/efirma") as primera:
        page.get_by_role("button", name="Validar").click()
    expect(page.locator("#efirma-resultado")).to_have_text(SUCCESS)
    assert "icsoe_nav_efirma" not in (primera.value.all_headers().get("cookie") or "")
    [cookie] = [c for c in page.context.cookies() if c["name"] == "icsoe_nav_efirma"]
    assert cookie["path"] == "/ingreso/efirma" and cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    page.goto(live + "/ingreso/efirma")
    fill_efirma(page, rfc, cer, key, password)
    with page.expect_request("**/ingreso/efirma") as segunda:
        page.get_by_role("button", name="Validar").click()
    expect(page.locator("#efirma-resultado")).to_have_text(SUCCESS)
    assert "icsoe_nav_efirma=" in segunda.value.all_headers()["cookie"]
    with page.expect_request("**/ingreso/ingresar") as ingresar:
        page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", name="Términos y condiciones")).to_be_visible()
    assert "icsoe_nav_efirma" not in ingresar.value.all_headers()["cookie"]


BAD = [
    ("csd", None, "cer", "CSD"),
    ("vencida", None, "cer", "venció"),
    ("futura", None, "cer", "válido"),
    ("ajena", None, "cer", "confianza"),
    ("representante", "moral", "rfc", "representante"),
    ("otra", "moral", "rfc", "RFC"),
]


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "sin-js"])
def test_bad_efirmas_are_refused_with_their_reason(browser, live, archivos, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    for name, rfc_of, field, words in BAD:
        rfc, cer, key, password = archivos[name]
        if rfc_of:
            rfc = archivos[rfc_of][0]
        page.goto(live + "/ingreso/efirma")
        fill_efirma(page, rfc, cer, key, password)
        page.get_by_role("button", name="Validar").click()
        expect(page.locator(f"#{field}-error")).to_contain_text(words)
        expect(page.locator(".error-summary")).to_be_focused()
        assert page.locator("#efirma-resultado").count() == 0
    assert_no_axe_violations(page, "last error", javascript)
    context.close()


def test_keyboard_only(page, live, archivos):
    rfc, cer, key, password = archivos["moral"]
    # Listen before any key press: expect_file_chooser() arms itself too late for a keyboard-opened chooser.
    choosers = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    page.goto(live + "/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Saltar al contenido")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Ingresar con e.firma")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Firma digital")).to_be_visible()


    tab_to(page, page.get_by_label("RFC"))
    page.keyboard.type(rfc)
    for label, path in (("Certificado (.cer)", cer), ("Llave privada (.key)", key)):
        tab_to(page, page.get_by_label(label))
        opened = len(choosers)
        page.keyboard.press("Space")
        for _ in range(100):
            if len(choosers) > opened:
                break
            page.wait_for_timeout(50)
        choosers[-1].set_files(path)
    tab_to(page, page.get_by_label("Contraseña de la llave privada"))
    page.keyboard.type(password)
    with page.expect_response("**/ingreso/efirma"):
        page.keyboard.press("Enter")  # implicit submission, sent by htmx
    expect(page.locator("#efirma-resultado")).to_be_focused()
    tab_to(page, page.get_by_role("button", name="Ingresar"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Términos y condiciones")).to_be_visible()
    tab_to(page, page.get_by_label("He leído y acepto los términos y condiciones"))
    page.keyboard.press("Space")
    expect(page.get_by_label("He leído y acepto los términos y condiciones")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Configuración")).to_be_visible()
    tab_to(page, page.get_by_role("link", name="Continuar"))
    page.keyboard.press("Enter")
    expect(page.locator(".perfil")).to_contain_text("Contratista")


@pytest.mark.parametrize("path", ["/", "/ingreso/efirma"])
def test_pages_fit_320_px_wide(browser, live, path):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(live + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def test_focus_is_visible(page, live):
    page.goto(live + "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")


def test_capturista_form_refuses_clearly(page, live):
    page.goto(live + "/")
    page.get_by_label("CURP").fill("BOXW310820HNERXN09")
    page.get_by_label("Contraseña").fill("una contraseña cualquiera")
    page.get_by_role("button", name="Ingresar").click()
    expect(page.locator(".error-summary")).to_contain_text("Alta de usuarios")
    assert_no_axe_violations(page, "capturista error")
