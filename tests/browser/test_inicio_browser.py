"""Inicio's board of deadlines in a real Chromium, with JavaScript and without it, at 320 px: axe-core finds
nothing and the page fits the window; the menu's first entry leads to it."""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from ..test_administracion import preparar
from ..test_informativa import informativa_id, registrar
from .test_informativa_browser import _axe, _cabe, _menu, _nueva_pagina


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx-320", "sin-js-320"])
def test_the_board_is_accessible_and_fits_320_px(browser, live_app, juegos, javascript, monkeypatch):
    monkeypatch.setattr("app.hora.hoy", lambda: date(2026, 9, 14))  # six periods on the board, whatever the date
    app, live = live_app
    cliente = preparar(app, app.test_client(), juegos["moral"])
    iid = informativa_id(registrar(cliente))
    contexto, page = _nueva_pagina(browser, javascript, 320)
    contexto.add_cookies([{"name": "session", "value": cliente.get_cookie("session").value, "url": live}])
    page.goto(live + "/")
    expect(page.get_by_role("heading", name="Inicio", exact=True)).to_be_visible()
    tabla = page.get_by_role("table", name="Plazos de las informativas")
    expect(tabla.get_by_role("row")).to_have_count(7)
    expect(tabla.get_by_role("link", name="Mayo–Agosto 2026")).to_have_attribute("href", f"/informativas/{iid}")
    _cabe(page, "tablero")
    _axe(page, "tablero", javascript)
    _menu(page, "Informativa").click()
    _menu(page, "Inicio").click()
    expect(page).to_have_url(live + "/inicio/tablero")
    contexto.close()
