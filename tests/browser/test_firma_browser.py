"""Firmar y presentar and the complementarias in a real Chromium (issue 13), with JavaScript and without it at 320 px
and with it at 1280 px, and by keyboard only: the contratista opens its informativa por firmar, is refused with
another company's e.firma (the reason next to the field), signs with its own, reads its folio and "Presentada
fuera de plazo", registers a Corrección, sends and signs it, and reads the period's history. Every page and every
state with errors passes axe-core and fits the window."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..test_administracion import preparar
from ..test_firma import _enviar
from ..test_informativa import _trabajador, contrato, contrato_id, informativa_id, registrar, servicio
from .conftest import tab_to
from .test_datos_generales_browser import entrar
from .test_informativa_browser import _axe, _cabe, _nueva_pagina


def _por_firmar(app, juegos) -> int:
    """A Normal informativa of 2026-2 with one contract and one worker, sent to be signed (through the routes)."""
    cliente = preparar(app, app.test_client(), juegos["moral"])
    servicio(cliente)
    iid = informativa_id(registrar(cliente))
    assert contrato(cliente, app, iid).status_code == 303
    assert _trabajador(cliente, iid, contrato_id(app)).status_code == 303
    assert _enviar(cliente, iid).status_code == 303
    return iid


def _firmar(page, archivos, nombre) -> None:
    _, cer, key, password = archivos[nombre]
    page.get_by_label("Certificado (.cer)").set_input_files(cer)
    page.get_by_label("Llave privada (.key)").set_input_files(key)
    page.get_by_label("Contraseña de la llave privada").fill(password)
    page.get_by_role("button", name="Firmar y presentar").click()


def _revisar(page, estado, javascript):
    _axe(page, estado, javascript)
    _cabe(page, estado)


@pytest.mark.parametrize("javascript, ancho", [(True, 320), (False, 320), (True, 1280)],
                         ids=["htmx-320", "sin-js-320", "htmx-1280"])
def test_the_contratista_signs_then_files_a_correccion(browser, live_app, archivos, juegos, javascript, ancho):
    app, live = live_app
    contexto, page = _nueva_pagina(browser, javascript, ancho)
    entrar(page, live, archivos, "moral")
    iid = _por_firmar(app, juegos)

    page.goto(f"{live}/inicio/tablero")
    expect(page.get_by_role("heading", name="Por firmar")).to_be_visible()
    _revisar(page, "inicio con una informativa por firmar", javascript)
    page.goto(f"{live}/informativas/{iid}")
    _revisar(page, "informativa por firmar", javascript)
    page.get_by_role("link", name="Firmar y presentar").click()
    expect(page.get_by_role("heading", name="Firmar y presentar")).to_be_visible()
    expect(page.locator("dl.resumen")).to_contain_text("Trabajadores")
    expect(page.locator("main")).to_contain_text("presentada fuera de plazo")
    _revisar(page, "firmar", javascript)

    _firmar(page, archivos, "otra")
    expect(page.locator(".error-summary")).to_contain_text("no corresponde al certificado")
    expect(page).to_have_title(re.compile("^Error: "))
    _revisar(page, "firmar con la e.firma de otra empresa", javascript)

    _firmar(page, archivos, "moral")
    expect(page.locator("[role=status], .aviso").first).to_contain_text("Se presentó la informativa con el folio")
    folio = re.search(r"ICSOE-N\d{4}-\d{6}", page.locator("main").inner_text()).group(0)
    expect(page.locator("dl.resumen")).to_contain_text("Presentada fuera de plazo")
    _revisar(page, "presentada", javascript)

    # A Corrección: a copy to edit, sent and signed like the Normal; it replaces it.
    page.get_by_label(re.compile("^Corrección")).check()
    page.get_by_role("button", name="Registrar complementaria").click()
    expect(page.get_by_role("heading", name=re.compile("Complementaria de corrección"))).to_be_visible()
    expect(page.locator("main")).to_contain_text(f"complementa la informativa {folio}")
    _revisar(page, "corrección en captura", javascript)
    page.get_by_role("button", name="Enviar a firma").click()
    page.get_by_role("link", name="Firmar y presentar").click()
    _firmar(page, archivos, "moral")
    expect(page.locator("dl.resumen")).to_contain_text(re.compile(r"ICSOE-C\d{4}-"))

    page.get_by_role("link", name=re.compile("^Historial de")).click()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tbody tr").nth(1)).to_contain_text("Vigente")
    _revisar(page, "historial", javascript)
    contexto.close()


def test_signing_by_keyboard_only(browser, live_app, archivos, juegos):
    app, live = live_app
    contexto, page = _nueva_pagina(browser, True, 1280)
    entrar(page, live, archivos, "moral")
    iid = _por_firmar(app, juegos)
    _, cer, key, password = archivos["moral"]
    choosers = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    page.goto(f"{live}/informativas/{iid}")
    tab_to(page, page.get_by_role("link", name="Firmar y presentar"), limit=80)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Firmar y presentar")).to_be_visible()
    for label, path in (("Certificado (.cer)", cer), ("Llave privada (.key)", key)):
        tab_to(page, page.get_by_label(label), limit=80)
        abiertos = len(choosers)
        page.keyboard.press("Space")
        for _ in range(100):
            if len(choosers) > abiertos:
                break
            page.wait_for_timeout(50)
        choosers[-1].set_files(path)
    tab_to(page, page.get_by_label("Contraseña de la llave privada"))
    page.keyboard.type(password)
    page.keyboard.press("Enter")  # implicit submission
    expect(page.locator("dl.resumen")).to_contain_text(re.compile(r"ICSOE-N\d{4}-"))
    contexto.close()


@pytest.mark.postgres
def test_signing_and_a_correccion_through_the_proxy_on_two_nodes(browser, live_app_cluster, archivos, juegos):
    """Firmar y presentar and a Corrección through haproxy onto two nodes on PostgreSQL (issue 14)."""
    test_the_contratista_signs_then_files_a_correccion(browser, live_app_cluster, archivos, juegos, True, 320)
