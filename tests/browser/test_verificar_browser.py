"""Verificar acuse in Chromium at 320 px, with and without JavaScript: the states the existing browser test does not
reach (a form that did not validate, 422; too many failed lookups, 429), each checked with axe-core and for
width, and where the keyboard focus lands."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .test_informativa_browser import _axe, _cabe, _nueva_pagina


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sin-js"])
def test_verificar_422_y_429_a_320px(browser, live_app, javascript):
    app, live = live_app
    app.config["LIMITE_VERIFICAR_ACUSE"] = 2
    contexto, page = _nueva_pagina(browser, javascript, 320)
    page.goto(live + "/acuses/verificar")
    page.get_by_label("Folio").fill("123")
    page.get_by_label("Primeros 8 caracteres del sello").fill("ñññ")
    with page.expect_navigation():
        page.get_by_role("button", name="Verificar").click()
    assert page.title().startswith("Error:")
    expect(page.locator("#folio-error")).to_contain_text("ICSOE-N2026-000123")
    expect(page.locator("#sello-error")).to_contain_text("primeros 8 caracteres")
    assert page.evaluate("() => document.activeElement.closest('.error-summary') !== null")
    _axe(page, "verificar (422)", javascript)
    _cabe(page, "verificar (422)")
    page.locator(".error-summary a").first.click()
    assert page.evaluate("() => document.activeElement.id") == "folio"
    for n in range(3):
        page.goto(live + f"/acuses/verificar?folio=ICSOE-N2026-00090{n}&sello=AAAAAAAA")
    expect(page.get_by_role("alert")).to_contain_text("Demasiadas consultas")
    _axe(page, "verificar (429)", javascript)
    _cabe(page, "verificar (429)")
    contexto.close()
