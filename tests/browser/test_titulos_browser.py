"""Page titles (WCAG 2.4.2 Page Titled; the portal's rule "the title says «Error:» when a form failed") in states a
keyboard or screen-reader user reaches in the informativa flow, found missing by an accessibility walkthrough: a
refusal answered by htmx (a fragment: htmx.render now puts the page's <title> before it), a refused Enviar a firma,
and the capturista's «Plazos»."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..test_administracion import CURP_LUIS, PASSWORD, activar, alta
from ..test_informativa import con_contrato
from .conftest import tab_to
from .test_datos_generales_browser import entrar
from .test_informativa_browser import _nueva_pagina


def test_guardar_contrato_refused_with_htmx_says_error_in_the_title(browser, live_app, archivos, juegos):
    """With JavaScript, Guardar contrato with errors answers a 422 fragment swapped into #contrato
    (app/informativa/contratos.py:252-259 -> estado.responder() -> htmx.render(block="contrato")): the block has no
    <title>, so the document keeps "Agregar contrato - …" while the same refusal without JavaScript is titled
    "Error: Agregar contrato - …" (layout.html:6). A screen-reader user who checks the title (or the tab list) is
    not told the form failed. The existing tests check the title only without JavaScript
    (test_accesibilidad_errores_browser.comprobar_error: `if not javascript`)."""
    app, live = live_app
    contexto, page = _nueva_pagina(browser, True, 320)
    entrar(page, live, archivos, "moral")
    _, iid, _ = con_contrato(app, juegos["moral"])
    page.goto(f"{live}/informativas/{iid}/contratos/nuevo")
    boton = page.get_by_role("button", name="Guardar contrato")
    tab_to(page, boton, limit=80)
    with page.expect_response(lambda r: r.request.method == "POST" and r.status == 422):
        page.keyboard.press("Enter")
    expect(page.locator("#rfc_contratante-error")).to_be_visible()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page).to_have_title(re.compile("^Error: "))
    contexto.close()


def test_capturista_plazos_page_is_not_titled_inicio(browser, live_app, juegos):
    """The capturista's menu has «Inicio» (/ingreso/inicio) and «Plazos» (/inicio/tablero). Both pages are titled
    "Inicio - ICSOE IMSS" with <h1>Inicio</h1> (app/templates/inicio/tablero.html:2,5 and
    app/templates/ingreso/inicio.html:2,5): two different pages with one title, and the «Plazos» link lands on a
    page that calls itself «Inicio» (2.4.2, 2.4.4/3.2.4). The contratista-only title test
    (test_accesibilidad_paginas_browser.test_titles_unique_and_descriptive) never visits the capturista's menu."""
    app, live = live_app
    cliente, _, _ = con_contrato(app, juegos["moral"])
    alta(cliente, CURP_LUIS)
    activar(app.test_client(), app)
    contexto, page = _nueva_pagina(browser, False, 320)
    page.goto(live + "/")
    page.get_by_label("CURP").fill(CURP_LUIS)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.locator(".perfil")).to_contain_text("Capturista")
    menu = page.get_by_role("navigation", name="Menú principal")
    menu.get_by_role("link", name="Inicio", exact=True).click()
    titulo_inicio, h1_inicio = page.title(), page.locator("h1").inner_text()
    menu.get_by_role("link", name="Plazos", exact=True).click()
    expect(page.get_by_role("table", name=re.compile("Plazos de las informativas"))).to_be_visible()
    titulo_plazos, h1_plazos = page.title(), page.locator("h1").inner_text()
    assert titulo_plazos != titulo_inicio, f"«Inicio» and «Plazos» are both titled {titulo_plazos!r}"
    assert "Inicio" in titulo_inicio and "Inicio" in h1_inicio
    assert "Plazos" in titulo_plazos and "Plazos" in h1_plazos, (titulo_plazos, h1_plazos, h1_inicio)
    contexto.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "sin-js"])
def test_enviar_a_firma_refused_says_error_in_the_title(browser, live_app, archivos, juegos, javascript):
    """Enviar a firma of a Normal informativa whose contract has no workers: 422, the Revisar page with "No se puede
    enviar a firma: 1 problema por corregir" focused, but titled "Revisión de la informativa Mayo–Agosto 2026 -
    ICSOE IMSS" without "Error: ". app/informativa/routes.py:235-236 renders it with status=422 but no form and no
    `otros_errores`, so formularios.hay_errores (app/formularios.py:55-59) is False and layout.html:6 leaves the
    title as on a plain Revisar."""
    app, live = live_app
    contexto, page = _nueva_pagina(browser, javascript, 320)
    entrar(page, live, archivos, "moral")
    _, iid, _ = con_contrato(app, juegos["moral"])  # one contract, no workers: Revisar reports an error
    page.goto(f"{live}/informativas/{iid}")
    with page.expect_response(lambda r: r.request.method == "POST" and "/enviar" in r.url) as respuesta:
        page.get_by_role("button", name="Enviar a firma").click()
    assert respuesta.value.status == 422
    expect(page.locator(".error-summary")).to_contain_text("No se puede enviar a firma")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page).to_have_title(re.compile("^Error: "))
    contexto.close()
