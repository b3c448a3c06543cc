"""A second click of a submit button on a slow line (the first POST still in flight, the browser showing the answer
to the second), and the Back button after a POST, with JavaScript and without it, at 320 px (an accessibility
walkthrough).

What a user sees is what happened: her first click did the thing, so the page she lands on says so (or shows where
the informativa stands now); never a bare "Página no encontrada" (404), "Ya no se puede hacer" (409) or a form error
(422) for an action that succeeded, and never a duplicate (app/informativa/routes.py's docstring: the forms' and
links' clave_repeticion). tests/test_doble_envio.py performs each case without a browser, with the cross-company
404s."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app.db import get_session
from app.models import Contrato, Informativa, Trabajador

from .. import cfdi
from ..test_informativa import con_contrato
from .test_datos_generales_browser import entrar
from .test_informativa_browser import _axe, _nueva_pagina

MODOS = pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "sin-js"])
RETRASO = 0.8  # seconds each POST takes on the "slow line"


def _linea_lenta(app) -> None:
    """Every POST answers RETRASO seconds late (the WSGI app waitress calls is app.wsgi_app, looked up per call)."""
    original = app.wsgi_app

    def lenta(environ, start_response):
        if environ["REQUEST_METHOD"] == "POST":
            time.sleep(RETRASO)
        return original(environ, start_response)

    app.wsgi_app = lenta


class Documentos:
    """(method, path, status) of every document the page loads."""

    def __init__(self, page):
        self.lista = []
        page.on("response", lambda r: self.lista.append((r.request.method, re.sub(r"^https?://[^/]+", "", r.url),
                                                         r.status))
                if r.request.resource_type == "document" else None)

    def ultimo(self):
        return self.lista[-1]


def _dos_clics(page, boton) -> None:
    """Click, and click the same spot again 300 ms later while the first POST is still in flight (a user on a slow
    line who thinks the first click was lost). Mouse clicks at the button's position: Playwright's own click would
    wait for the navigation to end."""
    boton.scroll_into_view_if_needed()
    caja = boton.bounding_box()
    x, y = caja["x"] + caja["width"] / 2, caja["y"] + caja["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)
    page.wait_for_timeout(int(RETRASO * 2 * 1000) + 1500)
    page.wait_for_load_state()


def _sin_error(page, docs: Documentos, estado: str) -> None:
    metodo, ruta, status = docs.ultimo()
    texto = page.locator("main").inner_text()
    assert status < 400, f"{estado}: the user ends on {metodo} {ruta} {status}: {texto[:300]!r}"
    assert page.locator(".error-summary").count() == 0, f"{estado}: an error for an action that succeeded: {texto[:300]!r}"


def _inicio(browser, live_app, archivos, juegos, javascript, trabajadores=(3, 4)):
    app, live = live_app
    contexto, page = _nueva_pagina(browser, javascript, 320)
    entrar(page, live, archivos, "moral")
    cliente, iid, cid = con_contrato(app, juegos["moral"], trabajadores=trabajadores)
    docs = Documentos(page)
    _linea_lenta(app)
    return app, live, contexto, page, docs, iid, cid


def _contar(app, modelo, *condiciones) -> int:
    with app.app_context():
        return len(get_session().exec(select(modelo).where(*condiciones)).all())


@MODOS
def test_double_click_registrar_informativa_lands_on_it(browser, live_app, archivos, juegos, javascript):
    """Registrar informativa twice: one informativa, and its page ("ya se había registrado"), not "Ya registraste
    una informativa Normal de ese cuatrimestre…" next to the cuatrimestre."""
    app, live, contexto, page, docs, *_ = _inicio(browser, live_app, archivos, juegos, javascript, ())
    page.goto(f"{live}/informativas/")
    page.get_by_label("Ejercicio").select_option("2026")
    page.get_by_label("1 (enero–abril)").check()
    page.get_by_label("Normal", exact=True).check()
    _dos_clics(page, page.get_by_role("button", name="Registrar informativa"))
    assert _contar(app, Informativa, Informativa.cuatrimestre == 1) == 1
    _sin_error(page, docs, "Registrar informativa twice")
    expect(page.get_by_role("heading", name="Informativa Normal de Enero–Abril 2026")).to_be_visible()
    contexto.close()


@MODOS
def test_double_click_agregar_trabajador_is_no_error(browser, live_app, archivos, juegos, javascript):
    """Agregar trabajador twice: one worker, and the list ("ya se había agregado"), not "El NSS … ya está en este
    contrato." with the error summary focused."""
    app, live, contexto, page, docs, iid, cid = _inicio(browser, live_app, archivos, juegos, javascript)
    page.goto(f"{live}/informativas/{iid}/contratos/{cid}/trabajadores")
    p = cfdi.persona(7)
    page.get_by_label("NSS", exact=True).fill(p.nss)
    page.get_by_label("CURP", exact=True).fill(p.curp)
    page.get_by_label("Salario base de cotización").fill("500.00")
    _dos_clics(page, page.get_by_role("button", name="Agregar trabajador"))
    assert _contar(app, Trabajador, Trabajador.nss == p.nss) == 1
    _sin_error(page, docs, "Agregar trabajador twice")
    contexto.close()


@MODOS
def test_double_click_quitar_trabajador_is_not_a_404(browser, live_app, archivos, juegos, javascript):
    """Quitar twice: one worker removed, and the list ("ya se había quitado"), not "Página no encontrada"."""
    app, live, contexto, page, docs, iid, cid = _inicio(browser, live_app, archivos, juegos, javascript)
    page.goto(f"{live}/informativas/{iid}/contratos/{cid}/trabajadores")
    _dos_clics(page, page.locator("#resultados tbody button").first)
    assert _contar(app, Trabajador, Trabajador.contrato_id == cid) == 1
    _sin_error(page, docs, "Quitar trabajador twice")
    contexto.close()


@MODOS
def test_double_click_eliminar_contrato_is_not_a_404(browser, live_app, archivos, juegos, javascript):
    """Eliminar contrato twice: the informativa's page ("ya se había eliminado"), not "Página no encontrada"."""
    app, live, contexto, page, docs, iid, cid = _inicio(browser, live_app, archivos, juegos, javascript)
    page.goto(f"{live}/informativas/{iid}")
    _dos_clics(page, page.get_by_role("button", name=re.compile("^Eliminar")).first)
    assert _contar(app, Contrato, Contrato.id == cid) == 0
    _sin_error(page, docs, "Eliminar contrato twice")
    contexto.close()


@MODOS
def test_double_click_si_descartar_is_not_a_404(browser, live_app, archivos, juegos, javascript):
    """Sí, descartar twice: the list of informativas ("ya se había descartado"), not "Página no encontrada"."""
    app, live, contexto, page, docs, iid, _ = _inicio(browser, live_app, archivos, juegos, javascript)
    page.goto(f"{live}/informativas/{iid}/descartar")
    expect(page.get_by_role("heading", name=re.compile("¿Descartar la informativa"))).to_be_visible()
    _dos_clics(page, page.get_by_role("button", name="Sí, descartar"))
    assert _contar(app, Informativa) == 0
    _sin_error(page, docs, "Sí, descartar twice")
    contexto.close()


@MODOS
def test_double_click_enviar_a_firma_is_not_a_409(browser, live_app, archivos, juegos, javascript):
    """Enviar a firma twice: the informativa's page ("ya se había enviado a firma"), not a "Ya no se puede hacer"
    page (409)."""
    app, live, contexto, page, docs, iid, _ = _inicio(browser, live_app, archivos, juegos, javascript)
    page.goto(f"{live}/informativas/{iid}")
    _dos_clics(page, page.get_by_role("button", name="Enviar a firma"))
    _sin_error(page, docs, "Enviar a firma twice")
    contexto.close()


# -- Back after a POST ---------------------------------------------------------------------------------------------

@MODOS
def test_back_after_agregar_trabajadores_is_not_a_404(browser, live_app, archivos, juegos, javascript, tmp_path):
    """Cargar an .xlsx, Agregar trabajadores, then Back: the browser asks again for the preview, which Agregar
    deleted; its URL (with the clave_repeticion cargar gave it) answers as a second click of Agregar does: the
    contract's workers and why the file is no longer there, not a bare "Página no encontrada"."""
    app, live = live_app
    contexto, page = _nueva_pagina(browser, javascript, 320)
    entrar(page, live, archivos, "moral")
    _, iid, cid = con_contrato(app, juegos["moral"])
    docs = Documentos(page)
    ruta = tmp_path / "Trabajadores mayo-agosto.xlsx"
    ruta.write_bytes(cfdi.xlsx_de(cfdi.filas_de([cfdi.persona(30 + i) for i in range(3)])))
    page.goto(f"{live}/informativas/{iid}/contratos/{cid}/trabajadores")
    page.get_by_label("Archivo de trabajadores").set_input_files(str(ruta))
    page.get_by_role("button", name="Cargar").click()
    expect(page.locator("#filas-validas")).to_have_text("3")
    page.get_by_role("button", name="Agregar trabajadores").click()
    expect(page.get_by_text("Se agregaron 3 trabajadores.")).to_be_visible()
    page.go_back()
    page.wait_for_load_state()
    _sin_error(page, docs, "Back after Agregar trabajadores")
    contexto.close()


@MODOS
def test_back_after_descartar_is_not_a_404(browser, live_app, archivos, juegos, javascript):
    """Sí, descartar, then Back: the confirmation's URL (with the clave_repeticion its link carried) answers with
    the list of informativas and "ya se había descartado", not a bare "Página no encontrada"."""
    app, live = live_app
    contexto, page = _nueva_pagina(browser, javascript, 320)
    entrar(page, live, archivos, "moral")
    _, iid, _ = con_contrato(app, juegos["moral"])
    docs = Documentos(page)
    page.goto(f"{live}/informativas/{iid}")
    page.get_by_role("link", name="Descartar informativa").click()
    page.get_by_role("button", name="Sí, descartar").click()
    expect(page.get_by_text(re.compile("Se descartó la informativa"))).to_be_visible()
    page.go_back()
    page.wait_for_load_state()
    _sin_error(page, docs, "Back after Sí, descartar")
    contexto.close()
