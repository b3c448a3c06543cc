"""Accessibility audit of htmx swaps: a keyboard user's focus survives a swap (WCAG 2.4.3 Focus Order), and the
result's status message sits in a live region that was already in the page before the swap, so a screen reader
announces it (WCAG 4.1.3 Status Messages: a live region inserted together with its text is not announced reliably).
An accessibility review found both broken on Bitácora, Consulta and Trabajadores (their results were swapped whole,
`innerHTML`); they now swap with `innerMorph`, which keeps the elements that stay, the button and the live region."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from ..test_informativa import con_contrato
from .conftest import tab_to
from .test_administracion_browser import _capturistas, _datos_guardados
from .test_datos_generales_browser import entrar
from .test_informativa_browser import _nueva_pagina

MARCAR = "s => { const e = document.querySelector(s); if (e) e.__auditoria = 'antes'; return !!e; }"
MARCADO = "s => { const e = document.querySelector(s); return e ? e.__auditoria || 'nuevo' : 'ninguno'; }"
FOCO = "() => document.activeElement === document.body ? 'body' : document.activeElement.outerHTML.slice(0, 100)"


def _buscar_por_teclado(page, boton, patron) -> None:
    tab_to(page, boton, limit=80)
    with page.expect_response(re.compile(patron)):
        page.keyboard.press("Enter")
    page.wait_for_timeout(300)  # htmx's settle


def _foco_y_region_siguen(page, boton: str, region: str) -> None:
    """After a keyboard search: the focus is not on <body>, and the live region is the one marked before."""
    fallas = []
    if page.evaluate(FOCO) == "body":
        fallas.append(f"after {boton} the focus fell to <body>: the next Tab starts over from the top")
    marcada = page.evaluate(MARCADO, region)
    if marcada != "antes":
        fallas.append(f"the status region was replaced by the swap ({marcada}): its message is not announced")
    assert not fallas, "\n".join(fallas)


def test_bitacora_filter_keeps_focus_and_announces(browser, live_app, archivos):
    """Filtrar by keyboard with htmx: the focus must not fall to <body>, and "N registros con el filtro elegido."
    must be announced."""
    _, live = live_app
    contexto, page = _nueva_pagina(browser, True, 320)
    entrar(page, live, archivos, "moral")
    page.goto(live + "/bitacora/")
    assert page.evaluate(MARCAR, "#bitacora [role=status]")
    page.get_by_label("Tipo de evento").select_option(label="Ingreso rechazado")
    _buscar_por_teclado(page, page.get_by_role("button", name="Filtrar"), r"/bitacora/\?")
    expect(page.get_by_text("con el filtro elegido")).to_be_visible()
    _foco_y_region_siguen(page, "Filtrar", "#bitacora [role=status]")
    contexto.close()


def test_consulta_search_announces(browser, live_app, archivos):
    app, live = live_app
    contexto, page = _nueva_pagina(browser, True, 320)
    entrar(page, live, archivos, "moral")
    _datos_guardados(app, archivos["moral"][0])
    _capturistas(app, archivos["moral"][0], n=3)
    page.goto(live + "/administracion/consulta")
    assert page.evaluate(MARCAR, "#resultados [role=status]")
    page.get_by_label("Buscar por CURP o nombre").fill("XAXX000001")
    _buscar_por_teclado(page, page.get_by_role("button", name="Buscar"), r"/consulta\?")
    expect(page.locator("tbody tr")).to_have_count(1)
    _foco_y_region_siguen(page, "Buscar", "#resultados [role=status]")
    contexto.close()


def test_trabajadores_search_announces(browser, live_app, archivos, juegos):
    app, live = live_app
    contexto, page = _nueva_pagina(browser, True, 320)
    entrar(page, live, archivos, "moral")
    _, iid, cid = con_contrato(app, juegos["moral"], trabajadores=(3, 4))
    page.goto(f"{live}/informativas/{iid}/contratos/{cid}/trabajadores")
    assert page.evaluate(MARCAR, "#resultados [role=status]")
    page.get_by_label("Buscar por NSS, CURP o nombre").fill("zzzz")
    _buscar_por_teclado(page, page.get_by_role("button", name="Buscar"), r"/trabajadores\?")
    expect(page.get_by_text("0 trabajadores para «zzzz».")).to_be_visible()
    _foco_y_region_siguen(page, "Buscar", "#resultados [role=status]")
    contexto.close()
