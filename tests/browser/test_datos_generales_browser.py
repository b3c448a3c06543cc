"""Datos generales in a real Chromium: the guide's steps 8-15 with JavaScript, without it, and by keyboard."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ..test_datos_generales import pdf
from .test_ingreso_browser import assert_no_axe_violations, fill_efirma
from .conftest import tab_to


@pytest.fixture(params=["sqlite", pytest.param("cluster", marks=pytest.mark.postgres)])
def live(request):
    """Every test here twice: on one node on SQLite, and through haproxy onto two nodes on PostgreSQL, where each
    step of the Datos generales (the locator, the acuse upload) may land on either node (issue 14)."""
    if request.param == "sqlite":
        return request.getfixturevalue("live_app")[1]
    return request.getfixturevalue("live_cluster")


@pytest.fixture
def pdfs(tmp_path):
    folder = tmp_path / "pdfs"
    folder.mkdir()
    files = {"bueno": pdf(), "grande": pdf(padding=6 * 1024 * 1024), "falso": b"\x89PNG\r\n\x1a\n" + b"0" * 500}
    for name, data in files.items():
        (folder / f"{name}.pdf").write_bytes(data)
    return {name: str(folder / f"{name}.pdf") for name in files}


def entrar(page, live, archivos, nombre):
    """Through Ingreso, the terms and Configuración to the Datos generales page."""
    page.goto(live + "/ingreso/efirma")
    hasta_datos_generales(page, *archivos[nombre])


def hasta_datos_generales(page, rfc, cer, key, password):
    """From the e.firma page: Validar, Ingresar, the terms and Configuración (also benchmarks/peso.py)."""
    fill_efirma(page, rfc, cer, key, password)
    page.get_by_role("button", name="Validar").click()
    expect(page.locator("#efirma-resultado")).to_be_visible()
    page.get_by_role("button", name="Ingresar").click()
    page.get_by_label("He leído y acepto los términos y condiciones").check()
    page.get_by_role("button", name="Ingresar").click()
    page.get_by_role("link", name="Continuar").click()
    expect(page.get_by_role("heading", name="Datos generales", exact=True)).to_be_visible()


def test_persona_moral_with_javascript(page, live, archivos, pdfs):
    entrar(page, live, archivos, "moral")
    assert_no_axe_violations(page, "datos generales")
    page.get_by_label("Correo electrónico").fill("contacto@ejemplo.mx")
    page.get_by_label("Celular").fill("+52 55 1234 5678")
    expect(page.locator("#ubicar")).to_be_hidden()  # only for "No"
    page.get_by_role("radio", name="No").first.check()
    expect(page.get_by_role("heading", name="Ubicar domicilio geográfico nacional")).to_be_visible()
    assert_no_axe_violations(page, "paso 1")

    page.get_by_label("Código Postal").fill("00000")
    with page.expect_response("**/domicilio/buscar") as response:
        page.get_by_label("Código Postal").press("Tab")  # htmx on change
    assert response.value.status == 422
    expect(page.locator("#cp-error")).to_contain_text("código postal")
    page.get_by_label("Código Postal").fill("01000")
    with page.expect_response("**/domicilio/buscar"):
        page.get_by_label("Código Postal").press("Tab")
    expect(page.locator("#cp-error")).to_have_count(0)
    page.get_by_label("Colonia").select_option(label="San Ángel")
    page.get_by_role("button", name="Ubicar").click()
    expect(page.locator("#paso-titulo")).to_be_focused()
    expect(page.locator("#paso-titulo")).to_contain_text("Paso 2 / 3")
    assert_no_axe_violations(page, "paso 2")

    page.get_by_role("button", name="Ubicar").click()  # nothing typed
    expect(page.locator("#calle_nombre-error")).to_be_visible()
    assert_no_axe_violations(page, "paso 2 con errores")
    page.locator("#calle_tipo").select_option("RETORNO")
    page.locator("#calle_nombre").fill("1 Norte")
    page.get_by_label("Número exterior", exact=True).fill("23")
    page.locator("#entre_calle_tipo").select_option("ANDADOR")
    page.locator("#entre_calle_nombre").fill("1 Tepecoluima")
    page.get_by_role("button", name="Ubicar").click()
    expect(page.locator("#paso-titulo")).to_be_focused()
    expect(page.locator("#paso-titulo")).to_contain_text("Paso 3 / 3")
    expect(page.locator(".resumen")).to_contain_text("RETORNO - 1 NORTE")
    assert_no_axe_violations(page, "paso 3")
    page.get_by_role("button", name="Aceptar").click()
    expect(page.locator("#paso-titulo")).to_have_text("Domicilio social ubicado")

    page.get_by_label("Acuse de registro en padrón de la STPS").set_input_files(pdfs["falso"])
    expect(page.locator("#acuse-error")).to_contain_text("PDF válido")
    page.get_by_label("Acuse de registro en padrón de la STPS").set_input_files(pdfs["grande"])
    expect(page.locator("#acuse-error")).to_contain_text("el máximo es 5 MB")
    page.get_by_label("Acuse de registro en padrón de la STPS").set_input_files(pdfs["bueno"])
    expect(page.locator("#acuse-archivo")).to_contain_text("bueno.pdf")
    expect(page.locator("#acuse-archivo")).to_be_focused()
    assert page.get_by_role("link", name="Ver archivo").get_attribute("target") == "_blank"
    assert_no_axe_violations(page, "acuse adjunto")

    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Tus datos generales se guardaron correctamente.")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Correo electrónico")).to_have_value("contacto@ejemplo.mx")
    expect(page.get_by_label("Celular")).to_have_value("5512345678")
    expect(page.locator("#paso-titulo")).to_have_text("Domicilio social ubicado")
    expect(page.locator("#acuse-archivo")).to_contain_text("bueno.pdf")
    assert_no_axe_violations(page, "guardado")


def test_persona_moral_without_javascript(page_sin_js, live, archivos, pdfs):
    page = page_sin_js
    entrar(page, live, archivos, "moral")
    page.get_by_label("Correo electrónico").fill("contacto@ejemplo.mx")
    page.get_by_label("Celular").fill("55 1234 5678")
    page.get_by_role("radio", name="No").first.check()
    page.get_by_label("Código Postal").fill("01000")
    page.get_by_role("button", name="Buscar colonias").click()
    expect(page.get_by_label("Correo electrónico")).to_have_value("contacto@ejemplo.mx")  # nothing lost
    page.get_by_label("Colonia").select_option(label="San Ángel")
    page.get_by_role("button", name="Ubicar").click()
    expect(page.locator("#paso-titulo")).to_contain_text("Paso 2 / 3")
    expect(page.locator("#paso-titulo")).to_be_focused()
    assert_no_axe_violations(page, "paso 2 sin JavaScript", javascript=False)
    page.locator("#calle_tipo").select_option("CALLE")
    page.locator("#calle_nombre").fill("Reforma")
    page.get_by_label("Sin número").check()
    page.get_by_role("button", name="Ubicar").click()
    expect(page.locator("#paso-titulo")).to_contain_text("Paso 3 / 3")
    page.get_by_role("button", name="Aceptar").click()
    page.get_by_label("Acuse de registro en padrón de la STPS").set_input_files(pdfs["bueno"])
    page.get_by_role("button", name="Adjuntar").click()
    expect(page.locator("#acuse-archivo")).to_contain_text("bueno.pdf")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Tus datos generales se guardaron correctamente.")).to_be_visible()
    expect(page.locator(".resumen")).to_contain_text("CALLE - REFORMA")


def test_persona_fisica_errors_then_saves(page, live, archivos, pdfs):
    entrar(page, live, archivos, "fisica")
    expect(page.get_by_text("¿El domicilio social del contratista es igual a su domicilio fiscal?")).to_have_count(0)
    page.get_by_label("Celular").fill("551234567")
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#celular-error")).to_contain_text("10 dígitos")
    assert_no_axe_violations(page, "errores de Guardar")
    page.locator('.error-summary a[href="#correo"]').click()
    expect(page.get_by_label("Correo electrónico")).to_be_focused()
    page.get_by_label("Correo electrónico").fill("maria@ejemplo.mx")
    page.get_by_label("Celular").fill("5512345678")
    page.get_by_label("Acuse de registro en padrón de la STPS").set_input_files(pdfs["bueno"])
    expect(page.locator("#acuse-archivo")).to_be_visible()
    page.get_by_role("button", name="Eliminar").click()
    expect(page.get_by_label("Acuse de registro en padrón de la STPS")).to_be_focused()
    page.get_by_label("Acuse de registro en padrón de la STPS").set_input_files(pdfs["bueno"])
    expect(page.locator("#acuse-archivo")).to_be_visible()
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Tus datos generales se guardaron correctamente.")).to_be_visible()


def test_keyboard_only_through_the_locator(page, live, archivos):
    entrar(page, live, archivos, "moral")


    tab_to(page, page.locator("#domicilio_igual-0"))  # Tab enters a radio group on its first radio
    page.keyboard.press("ArrowRight")  # and the arrows choose: "No"
    expect(page.locator("#domicilio_igual-1")).to_be_checked()
    tab_to(page, page.get_by_label("Código Postal"))
    page.keyboard.type("01000")
    with page.expect_response("**/domicilio/buscar"):
        page.keyboard.press("Tab")
    colonia = page.get_by_label("Colonia")
    # The answer came; its swap may still be under way on a loaded machine: wait for the colonias themselves.
    expect(colonia.locator("option:not([value=''])").first).to_be_attached()
    tab_to(page, colonia)
    page.keyboard.press("ArrowDown")  # the first colonia
    expect(colonia).not_to_have_value("")
    tab_to(page, page.get_by_role("button", name="Ubicar"))
    page.keyboard.press("Enter")
    expect(page.locator("#paso-titulo")).to_contain_text("Paso 2 / 3", timeout=15_000)
    expect(page.locator("#paso-titulo")).to_be_focused()
    tab_to(page, page.locator("#calle_tipo"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.type("Insurgentes")
    tab_to(page, page.get_by_label("Número exterior", exact=True))
    page.keyboard.type("100")
    tab_to(page, page.get_by_role("button", name="Ubicar"))
    page.keyboard.press("Enter")
    expect(page.locator("#paso-titulo")).to_contain_text("Paso 3 / 3")
    expect(page.locator("#paso-titulo")).to_be_focused()
    tab_to(page, page.get_by_role("button", name="Aceptar"))
    page.keyboard.press("Enter")
    expect(page.locator("#paso-titulo")).to_have_text("Domicilio social ubicado")


def test_enter_in_the_postal_code_searches_instead_of_saving(page, live, archivos):
    entrar(page, live, archivos, "moral")
    page.get_by_role("radio", name="No").first.check()
    page.get_by_label("Código Postal").fill("06700")
    page.get_by_label("Código Postal").press("Enter")
    expect(page.get_by_label("Colonia")).to_contain_text("Roma Norte")
    expect(page.locator(".error-summary")).to_have_count(0)


def test_what_is_typed_survives_a_reload_before_any_button(page, live, archivos):
    entrar(page, live, archivos, "fisica")
    with page.expect_response("**/datos-generales/borrador") as response:
        page.get_by_label("Correo electrónico").fill("maria@ejemplo.mx")
        page.get_by_label("Correo electrónico").press("Tab")  # change: kept in the draft
    assert response.value.status == 204
    page.reload()
    expect(page.get_by_label("Correo electrónico")).to_have_value("maria@ejemplo.mx")


def test_persona_fisica_without_javascript_bad_inputs_and_reload(page_sin_js, live, archivos, pdfs):
    page = page_sin_js
    entrar(page, live, archivos, "fisica")
    page.get_by_label("Correo electrónico").fill("maria@@ejemplo")
    page.get_by_label("Celular").fill("551234567")
    page.get_by_label("Acuse de registro en padrón de la STPS").set_input_files(pdfs["grande"])
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator("#acuse-error")).to_contain_text("el máximo es 5 MB")
    page.get_by_label("Acuse de registro en padrón de la STPS").set_input_files(pdfs["falso"])
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator("#correo-error")).to_contain_text("no es válido")
    expect(page.locator("#celular-error")).to_contain_text("10 dígitos")
    expect(page.locator("#acuse-error")).to_contain_text("PDF válido")
    expect(page.get_by_label("Correo electrónico")).to_have_value("maria@@ejemplo")  # nothing lost
    assert_no_axe_violations(page, "errores sin JavaScript", javascript=False)
    page.get_by_label("Correo electrónico").fill("maria@ejemplo.mx")
    page.get_by_label("Celular").fill("55 1234 5678")
    page.get_by_label("Acuse de registro en padrón de la STPS").set_input_files(pdfs["bueno"])
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Tus datos generales se guardaron correctamente.")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Celular")).to_have_value("5512345678")
    expect(page.locator("#acuse-archivo")).to_contain_text("bueno.pdf")


def _sin_desplazamiento(page) -> None:
    ancho = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert ancho[0] <= ancho[1], f"the page scrolls sideways: {ancho}"


@pytest.mark.parametrize("ancho", [320, 1280])
@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "sin-js"])
def test_nothing_saved_changes_until_guardar(browser, live, archivos, pdfs, ancho, javascript):
    """Issue 11 §5, as a returning contratista walks it: Eliminar keeps the saved acuse until Guardar, a draft says
    it is one and can be discarded, the guide's own hints are accepted, and nothing scrolls sideways."""
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": ancho, "height": 900})
    page = context.new_page()
    entrar(page, live, archivos, "moral")
    page.get_by_label("Correo electrónico").fill("contacto@ejemplo.mx")
    page.get_by_label("Celular").fill("5512345678")
    page.get_by_role("radio", name="No").first.check()
    if not javascript:
        page.get_by_role("radio", name="Sí").nth(1).check()  # ¿Conoces tu Código Postal? (already Sí with JS)
    page.get_by_label("Código Postal").fill("01000")
    page.get_by_role("button", name="Buscar colonias").first.click()
    page.get_by_label("Colonia").select_option(label="San Ángel")
    page.get_by_role("button", name="Ubicar").click()
    expect(page.locator("#paso-titulo")).to_contain_text("Paso 2 / 3")
    page.locator("#calle_tipo").select_option("CALLE")
    page.locator("#calle_nombre").fill("Reforma")
    page.get_by_label("Número exterior", exact=True).fill("Mz. 9 Lt. 8")  # the field's own hint
    page.get_by_label("Número interior", exact=True).fill("Depto. 45 int.")
    page.get_by_role("button", name="Ubicar").click()
    expect(page.locator("#paso-titulo")).to_contain_text("Paso 3 / 3")
    expect(page.locator(".resumen")).to_contain_text("MZ. 9 LT. 8")
    page.get_by_role("button", name="Aceptar").click()
    page.get_by_label("Acuse de registro en padrón de la STPS").set_input_files(pdfs["bueno"])
    if not javascript:
        page.get_by_role("button", name="Adjuntar").click()
    expect(page.locator("#acuse-archivo")).to_be_visible()
    _sin_desplazamiento(page)
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Tus datos generales se guardaron correctamente.")).to_be_visible()

    # Eliminar, then a failed Guardar: the saved acuse is still there, and the page says what is unsaved.
    page.get_by_role("button", name="Eliminar").click()
    page.get_by_label("Celular").fill("55")
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator("#acuse-error")).to_be_visible()
    expect(page.locator(".aviso--pendiente")).to_contain_text("cambios sin guardar")
    assert_no_axe_violations(page, "cambios sin guardar", javascript)
    _sin_desplazamiento(page)
    if javascript:  # the errors follow the values while the user fixes them
        page.get_by_label("Celular").fill("5512345678")
        page.get_by_label("Celular").press("Tab")
        expect(page.locator("#celular-error")).to_have_count(0)
        expect(page.locator("#acuse-error")).to_be_visible()
    page.goto(live + "/datos-generales/")  # a returning user
    expect(page.locator(".aviso--pendiente")).to_be_visible()
    page.get_by_role("button", name="Descartar cambios").click()
    expect(page.get_by_text("Se descartaron los cambios")).to_be_visible()
    expect(page.locator("#acuse-archivo")).to_be_visible()
    expect(page.get_by_label("Celular")).to_have_value("5512345678")
    expect(page.locator(".aviso--pendiente")).to_have_count(0)
    _sin_desplazamiento(page)
    context.close()
