"""Accessibility audit (WCAG 2.2 AA) of the 422 states of forms the other browser tests leave out, with JavaScript
and without it, at 320 px: the status is 422 (never 500), the focus lands on the error summary or the first invalid
field, every invalid control says why through aria-describedby, the page fits 320 px, lang is es-MX and axe-core
finds nothing."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..test_administracion import preparar
from ..test_informativa import con_contrato, servicio
from .test_datos_generales_browser import entrar
from .test_informativa_browser import _axe, _nueva_pagina

MODOS = pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "sin-js"])


class Respuestas:
    """The status of every document load and htmx request the page makes."""

    def __init__(self, page):
        self.lista = []
        page.on("response", self._respuesta)

    def _respuesta(self, response) -> None:
        request = response.request
        if request.resource_type == "document" or request.headers.get("hx-request") == "true":
            self.lista.append((request.method, response.url, response.status))

    def ultima(self):
        return self.lista[-1] if self.lista else None

    def ninguna_500(self):
        return [r for r in self.lista if r[2] >= 500]


def enviar(page, boton) -> None:
    """Click a submit button and wait for its answer to be in the page: the form's response, then htmx's swap and
    settle over (no-op without JavaScript). A page refused twice keeps its first error visible, so waiting for an
    error to show is not enough (CI once checked the focus before the second answer came)."""
    with page.expect_response(lambda r: r.request.resource_type == "document"
                              or r.request.headers.get("hx-request") == "true"):
        boton.click()
    page.wait_for_load_state()
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def comprobar_error(page, respuestas: Respuestas, estado: str, javascript: bool, ancho: int = 320) -> list[str]:
    """The checks every refused form must pass; returns the failures (empty when all pass)."""
    fallas = []
    page.wait_for_load_state()
    ultima = respuestas.ultima()
    if ultima is None or ultima[2] != 422:
        fallas.append(f"status {ultima} (expected 422)")
    if respuestas.ninguna_500():
        fallas.append(f"5xx: {respuestas.ninguna_500()}")
    if page.evaluate("document.documentElement.lang") != "es-MX":
        fallas.append("lang is not es-MX")
    foco = page.evaluate("""() => { const a = document.activeElement;
        return a && (a.matches('.error-summary, .error-summary *, [aria-invalid=true]') ? 'ok'
                     : (a.outerHTML || '').slice(0, 120)); }""")
    if foco != "ok":
        fallas.append(f"focus is not on the error summary nor an invalid field: {foco}")
    sin_descripcion = page.evaluate("""() => [...document.querySelectorAll('[aria-invalid=true]')].filter(e => {
        const ids = (e.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
        const owner = e.closest('fieldset[aria-describedby]');
        if (owner) ids.push(...owner.getAttribute('aria-describedby').split(/\\s+/));
        return !ids.some(id => { const d = document.getElementById(id);
                                 return d && d.classList.contains('error-message') && d.textContent.trim(); });
    }).map(e => e.id || e.name)""")
    if sin_descripcion:
        fallas.append(f"invalid controls without their message in aria-describedby: {sin_descripcion}")
    mensajes = page.locator(".error-message")
    if mensajes.count() == 0 and page.locator(".error-summary").count() == 0:
        fallas.append("no error message at all")
    if not javascript and not page.title().startswith("Error: "):
        fallas.append(f"title {page.title()!r} does not start with 'Error: '")
    ancho_real = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if ancho_real[0] > ancho_real[1]:
        fallas.append(f"{ancho_real[0]} px wide in a {ancho_real[1]} px window")
    try:
        _axe(page, estado, javascript)
    except AssertionError as e:
        fallas.append(str(e)[:3000])
    return [f"{estado}: {f}" for f in fallas]


def _informativa(app, juegos) -> tuple[int, int, str]:
    """A Normal informativa of 2026-2 in capture, one contract and one worker: (informativa, contract, worker url)."""
    cliente, iid, cid = con_contrato(app, juegos["moral"], trabajadores=(3,))
    return iid, cid, cliente


@MODOS
def test_capture_forms_refused(browser, live_app, archivos, juegos, javascript, tmp_path):
    """Agregar trabajador empty and wrong, Cargar without a file and with a text file, a worker's page with a wrong
    NSS."""
    app, live = live_app
    contexto, page = _nueva_pagina(browser, javascript, 320)
    entrar(page, live, archivos, "moral")
    iid, cid, _ = _informativa(app, juegos)
    respuestas = Respuestas(page)
    fallas = []
    trabajadores = f"{live}/informativas/{iid}/contratos/{cid}/trabajadores"

    page.goto(trabajadores)
    enviar(page, page.get_by_role("button", name="Agregar trabajador"))
    expect(page.locator("#nss-error")).to_be_visible()
    fallas += comprobar_error(page, respuestas, "agregar trabajador vacío", javascript)

    page.get_by_label("NSS", exact=True).fill("123")
    page.get_by_label("CURP", exact=True).fill("XXXX")
    page.get_by_label("Salario base de cotización").fill("-5")
    enviar(page, page.get_by_role("button", name="Agregar trabajador"))
    expect(page.locator("#nss-error")).to_be_visible()
    fallas += comprobar_error(page, respuestas, "agregar trabajador con datos erróneos", javascript)

    page.goto(trabajadores)
    enviar(page, page.get_by_role("button", name="Cargar"))
    expect(page.locator("#archivo-error")).to_be_visible()
    fallas += comprobar_error(page, respuestas, "cargar sin archivo", javascript)

    texto = tmp_path / "notas.txt"
    texto.write_text("hola")
    page.get_by_label("Archivo de trabajadores").set_input_files(str(texto))
    enviar(page, page.get_by_role("button", name="Cargar"))
    expect(page.locator("#archivo-error")).to_be_visible()
    fallas += comprobar_error(page, respuestas, "cargar un .txt", javascript)

    page.goto(trabajadores)
    page.locator("#resultados tbody a").first.click()
    expect(page.get_by_role("heading", name=re.compile("Trabajador con NSS"))).to_be_visible()
    page.get_by_label("NSS", exact=True).fill("1")
    enviar(page, page.get_by_role("button", name="Guardar trabajador"))
    expect(page.locator("#nss-error")).to_be_visible()
    fallas += comprobar_error(page, respuestas, "editar trabajador con NSS erróneo", javascript)

    assert not fallas, "\n".join(fallas)
    contexto.close()


@MODOS
def test_firmar_refused_empty(browser, live_app, archivos, juegos, javascript):
    app, live = live_app
    contexto, page = _nueva_pagina(browser, javascript, 320)
    entrar(page, live, archivos, "moral")
    iid, _, cliente = _informativa(app, juegos)
    from ..test_firma import _enviar
    assert _enviar(cliente, iid).status_code == 303
    respuestas = Respuestas(page)
    page.goto(f"{live}/informativas/{iid}/firmar")
    enviar(page, page.get_by_role("button", name="Firmar y presentar"))
    expect(page.locator(".error-summary")).to_be_visible()
    fallas = comprobar_error(page, respuestas, "firmar sin nada", javascript)
    assert not fallas, "\n".join(fallas)
    contexto.close()


@MODOS
def test_public_forms_refused(browser, live_app, javascript):
    """Verificar acuse with a folio of the wrong shape, ¿Olvidaste tu contraseña? and the capturista's sign-in
    empty: no session needed."""
    _, live = live_app
    contexto, page = _nueva_pagina(browser, javascript, 320)
    respuestas = Respuestas(page)
    fallas = []
    page.goto(live + "/acuses/verificar")
    page.get_by_label("Folio").fill("no es un folio")
    page.get_by_label("Primeros 8 caracteres del sello").fill("x")
    enviar(page, page.get_by_role("button", name="Verificar"))
    expect(page.locator(".error-summary")).to_be_visible()
    fallas += comprobar_error(page, respuestas, "verificar con folio mal escrito", javascript)

    page.goto(live + "/ingreso/restablecer")
    enviar(page, page.get_by_role("button", name="Enviar enlace"))
    expect(page.locator(".error-summary")).to_be_visible()
    fallas += comprobar_error(page, respuestas, "restablecer vacío", javascript)
    page.get_by_label("CURP").fill("ABC")
    enviar(page, page.get_by_role("button", name="Enviar enlace"))
    # The first refusal's message was there already: wait for the second's (CI saw the check run before it came).
    expect(page.locator("#curp-error")).to_contain_text("18 caracteres")
    fallas += comprobar_error(page, respuestas, "restablecer con CURP errónea", javascript)

    page.goto(live + "/")
    enviar(page, page.locator("#capturista").get_by_role("button", name="Ingresar"))
    expect(page.locator(".error-summary")).to_be_visible()
    fallas += comprobar_error(page, respuestas, "ingreso de capturista vacío", javascript)
    assert not fallas, "\n".join(fallas)
    contexto.close()


@MODOS
def test_bitacora_and_servicio_refused(browser, live_app, archivos, juegos, javascript):
    app, live = live_app
    contexto, page = _nueva_pagina(browser, javascript, 320)
    entrar(page, live, archivos, "moral")
    cliente = preparar(app, app.test_client(), juegos["moral"])
    servicio(cliente)
    respuestas = Respuestas(page)
    fallas = []
    page.goto(live + "/bitacora/")
    page.get_by_label("Desde (AAAA-MM-DD)").fill("2026-12-01")
    page.get_by_label("Hasta (AAAA-MM-DD)").fill("2026-01-01")
    enviar(page, page.get_by_role("button", name="Filtrar"))
    expect(page.locator("#hasta-error")).to_be_visible()
    fallas += comprobar_error(page, respuestas, "bitácora con rango invertido", javascript)

    page.goto(live + "/datos-generales/repse")
    page.locator("#servicios a").first.click()
    expect(page.get_by_role("heading", name="Servicio autorizado")).to_be_visible()
    page.get_by_label(re.compile("Folio")).fill("")
    enviar(page, page.get_by_role("button", name="Guardar servicio"))
    expect(page.locator(".error-summary")).to_be_visible()
    fallas += comprobar_error(page, respuestas, "servicio sin folio", javascript)
    assert not fallas, "\n".join(fallas)
    contexto.close()


@MODOS
def test_activation_refused(browser, live_app, juegos, javascript):
    """The invitation link: passwords that differ, then one too short; an expired/invalid link is a clear page."""
    from ..test_administracion import CURP_LUIS, alta, enlace
    app, live = live_app
    cliente = preparar(app, app.test_client(), juegos["moral"])
    assert alta(cliente, CURP_LUIS).status_code in (200, 303)
    url = live + enlace(app)
    contexto, page = _nueva_pagina(browser, javascript, 320)
    respuestas = Respuestas(page)
    fallas = []
    page.goto(url)
    page.get_by_label("Nueva contraseña").fill("tres tigres tristes trigal")
    page.get_by_label("Confirmar contraseña").fill("tres tigres tristes trigo")
    enviar(page, page.get_by_role("button", name="Guardar contraseña"))
    expect(page.locator(".error-summary")).to_be_visible()
    fallas += comprobar_error(page, respuestas, "confirmación distinta", javascript)
    page.get_by_label("Nueva contraseña").fill("")
    page.get_by_label("Confirmar contraseña").fill("")
    enviar(page, page.get_by_role("button", name="Guardar contraseña"))
    expect(page.locator(".error-summary")).to_be_visible()
    fallas += comprobar_error(page, respuestas, "contraseña vacía", javascript)
    r = page.goto(live + "/ingreso/activar/no-es-un-token")
    if r.status >= 500:
        fallas.append(f"invalid link: {r.status}")
    try:
        _axe(page, "enlace inválido", javascript)
    except AssertionError as e:
        fallas.append(str(e)[:2000])
    assert not fallas, "\n".join(fallas)
    contexto.close()
