"""The informativa cuatrimestral in a real Chromium (issue 12, "How this is checked"), with JavaScript and without
it at 320 px and with it at 1280 px (the longest pages, 50 rows, in all four): the contratista saves its Registro
REPSE (by keyboard) and a service; its capturista registers a Normal informativa of an ended period, adds a
contract with a persona física contratante and another with a persona moral located with the address locator,
loads workers from a Latin-1 CSV with bad rows and from ZIPs of payroll CFDIs (an entity bomb refused,
SubContratacion for both contratantes), fixes what Revisar reports through its links and sends it to firma;
another contratista's capturista gets 404 on all of it.

Every page and every state with errors passes axe-core and fits the window; every htmx fragment weighs at most
4 KB on the wire with its headers (12 KB for a page of a list or of an import preview)."""
from __future__ import annotations

import re
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .. import cfdi
from ..test_administracion import ANA, CURP_ANA, CURP_LUIS, PASSWORD, activar, alta, otro_contratista, preparar
from ..test_informativa import (RFC_CONTRATANTE_FISICA, RFC_CONTRATANTE_MORAL, _cargar as cargar_archivo, contrato,
                                contrato_id, informativa_id, registrar, servicio)
from .conftest import tab_to
from .test_datos_generales_browser import entrar
from .test_ingreso_browser import AXE_OPTIONS

KB = 1024
LIMITE_FRAGMENTO = 4 * KB
LIMITE_LISTA = 12 * KB  # a page of a list (50 rows) or of an import preview
FIN_DE_PERIODO = date(2026, 8, 14)  # a Friday payday inside May-August 2026


def _axe(page, estado: str, javascript: bool) -> None:
    """axe-core on what the page shows now; without JavaScript on the same HTML, in a scripting page of the same
    browser and window size (as test_ingreso_browser.assert_no_axe_violations does)."""
    if javascript:
        resultados = Axe().run(page, options=AXE_OPTIONS)
    else:
        contexto = page.context.browser.new_context(viewport=page.viewport_size)
        revisor = contexto.new_page()
        revisor.goto(page.url)
        revisor.set_content(page.content())
        resultados = Axe().run(revisor, options=AXE_OPTIONS)
        contexto.close()
    assert resultados.violations_count == 0, f"{estado}:\n{resultados.generate_report()}"


def _cabe(page, estado: str) -> None:
    ancho = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert ancho[0] <= ancho[1], f"{estado}: the page is {ancho[0]} px wide in a {ancho[1]} px window"


class Comprobador:
    """axe-core and the window's width on each page and state, and the htmx fragments the page receives."""

    def __init__(self, page, javascript: bool):
        self.page, self.javascript = page, javascript
        self.peticiones = []
        page.on("requestfinished", self._terminada)

    def _terminada(self, request) -> None:
        if request.headers.get("hx-request") == "true":
            self.peticiones.append(request)

    def __call__(self, estado: str) -> None:
        _cabe(self.page, estado)
        _axe(self.page, estado, self.javascript)

    def fragmentos(self) -> list[tuple[str, str, int, int, str]]:
        """(method, path, status, bytes on the wire: headers + body as sent, content encoding) of every htmx
        exchange."""
        filas = []
        for request in self.peticiones:
            tamanos = request.sizes()
            respuesta = request.response()
            filas.append((request.method, re.sub(r"^https?://[^/]+", "", request.url),
                          respuesta.status if respuesta else 0,
                          tamanos["responseHeadersSize"] + tamanos["responseBodySize"],
                          respuesta.headers.get("content-encoding", "") if respuesta else ""))
        return filas


def _limite(metodo: str, ruta: str) -> int:
    lista = metodo == "GET" and re.search(r"/trabajadores(\?|$)", ruta)
    return LIMITE_LISTA if lista or "/carga/" in ruta else LIMITE_FRAGMENTO


def _menu(page, nombre: str):
    return page.get_by_role("navigation", name="Menú principal").get_by_role("link", name=nombre, exact=True)


def _nueva_pagina(browser, javascript: bool, ancho: int):
    contexto = browser.new_context(java_script_enabled=javascript, viewport={"width": ancho, "height": 900},
                                   locale="es-MX")
    return contexto, contexto.new_page()


# -- Files the capturista loads -----------------------------------------------------------------------------------

def _csv_latin_1(carpeta) -> tuple[str, int, int]:
    """IMSS's template as Excel's «CSV (delimitado por comas)» writes it (Windows-1252: the header's «ó»), with a
    wrong NSS check digit, an SBC above 25 UMA and an NSS repeated: (path, valid rows, error rows)."""
    personas = [cfdi.persona(i) for i in range(6)]
    filas = cfdi.filas_de(personas[:4]) + [
        (cfdi.nss_con_digito_equivocado(personas[4].nss), personas[4].curp, "450.25"),
        (personas[5].nss, personas[5].curp, "3500.00"),
        (personas[0].nss, personas[0].curp, "450.25"),
    ]
    ruta = carpeta / "Plantilla_IMSS_trabajadores_PEGL850315H4_2026_2_señor.csv"
    ruta.write_bytes(cfdi.csv_de(filas, encabezado=("NSS", "CURP", "Salario base de cotización"), encoding="latin-1"))
    return str(ruta), 4, 3


def _zip_bomba(carpeta) -> str:
    bomba = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
             b'<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4">&lol2;</cfdi:Comprobante>')
    recibos = [(f"r{i}.xml", cfdi.Recibo(cfdi.persona(20 + i), FIN_DE_PERIODO, emisor_rfc="EDE010101AB1"))
               for i in range(2)]
    ruta = carpeta / "NOMINA_QUINCENAL_EDE010101AB1_2026_08_15_TIMBRADOS.zip"
    ruta.write_bytes(cfdi.zip_de(recibos + [("bomba.xml", bomba)]))
    return str(ruta)


OTRO_PATRON, DE_2025 = "5C2E7A10-3B4D-4E8F-9A1B-2C3D4E5F6A7B", "NOMINA_EDE010101AB1_20250301_QUINCENAL_000123"


def _zip_nomina(carpeta) -> str:
    """Receipts of four workers, two fortnights each (the later counts): one split between both contratantes, one
    for the moral, one for the física (SubContratacion), one without SubContratacion (the contract being edited);
    plus a receipt of another employer and one of an earlier period (skipped)."""
    sub = {10: [(RFC_CONTRATANTE_FISICA, "50.000"), (RFC_CONTRATANTE_MORAL, "50.000")],
           11: [(RFC_CONTRATANTE_MORAL, "100.000")], 12: [(RFC_CONTRATANTE_FISICA, "100.000")], 13: []}
    recibos = []
    for i, subcontrataciones in sub.items():
        for k, fin in enumerate((FIN_DE_PERIODO, date(2026, 7, 31))):
            recibos.append((f"{cfdi.persona(i).rfc}_{fin}.xml",
                            cfdi.Recibo(cfdi.persona(i), fin, emisor_rfc="EDE010101AB1", sbc=f"{500 + i + k}.00",
                                        subcontrataciones=subcontrataciones, semilla=i * 10 + k + 1)))
    # Named as SAT's Descarga Masiva names them (the folio fiscal), or as a payroll program does: one long word.
    recibos += [(f"{OTRO_PATRON}.xml", cfdi.Recibo(cfdi.persona(14), FIN_DE_PERIODO, emisor_rfc="OTR020202CD3")),
                (f"{DE_2025}.xml", cfdi.Recibo(cfdi.persona(15), date(2025, 3, 1), emisor_rfc="EDE010101AB1"))]
    ruta = carpeta / "nomina mayo-agosto.zip"
    ruta.write_bytes(cfdi.zip_de(recibos))
    return str(ruta)


# -- The contratista: Registro REPSE ------------------------------------------------------------------------------

def _registro_repse(page, comprobar) -> None:
    _menu(page, "Registro REPSE").click()
    expect(page.get_by_role("heading", name="Registro REPSE", exact=True)).to_be_visible()
    comprobar("registro REPSE vacío")
    page.get_by_label("Folio de registro REPSE").fill("AR 123#")
    page.get_by_label("Fecha de registro").fill("2019-01-01")
    page.get_by_role("button", name="Guardar registro").click()
    expect(page.locator("#folio-error")).to_be_visible()
    expect(page.locator(".error-summary")).to_be_focused()
    comprobar("registro REPSE con errores")
    # By keyboard: Tab to the fields, type, Tab to the button, Enter.
    folio = page.get_by_label("Folio de registro REPSE")
    tab_to(page, folio)
    page.keyboard.press("Control+A")
    page.keyboard.type("AR12345/2021")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Fecha de registro")).to_be_focused()
    page.keyboard.type("06062021")  # the same in dd/mm/aaaa and mm/dd/aaaa, whatever the browser's locale
    tab_to(page, page.get_by_role("button", name="Guardar registro"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Se guardó el registro REPSE.")).to_be_visible()
    expect(page.get_by_label("Fecha de registro")).to_have_value("2021-06-06")
    # Each "folio" is named by its own label (both forms once had id="folio").
    expect(page.get_by_role("textbox", name="Folio de registro REPSE", exact=True)).to_have_value("AR12345/2021")
    servicio = page.get_by_role("textbox", name="Folio del servicio", exact=True)
    expect(servicio).to_have_value("")
    tab_to(page, servicio)
    page.keyboard.type("AR12345/2021-1")
    page.keyboard.press("Tab")
    page.keyboard.type("Mantenimiento de instalaciones eléctricas")
    tab_to(page, page.get_by_role("button", name="Agregar servicio"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Se agregó el servicio AR12345/2021-1.")).to_be_visible()
    expect(page.locator("#servicios tbody")).to_contain_text("Mantenimiento de instalaciones eléctricas")
    comprobar("registro REPSE con un servicio")


# -- The capturista: informativa, contracts, workers, Revisar, Enviar a firma -------------------------------------

def _registrar(page, comprobar) -> int:
    _menu(page, "Informativa").click()
    expect(page.get_by_role("heading", name="Informativa cuatrimestral")).to_be_visible()
    comprobar("lista vacía")
    page.get_by_label("Ejercicio").select_option("2026")
    page.get_by_label("2 (mayo–agosto)").check()
    page.get_by_label("Normal", exact=True).check()
    page.get_by_role("button", name="Registrar informativa").click()
    expect(page.get_by_role("heading", name="Informativa Normal de Mayo–Agosto 2026")).to_be_visible()
    expect(page.get_by_text("Se registró la informativa Normal de Mayo–Agosto 2026.")).to_be_visible()
    comprobar("informativa sin contratos")
    iid = int(re.search(r"/informativas/(\d+)", page.url).group(1))
    page.get_by_role("link", name="Revisar").click()
    expect(page.locator(".error-summary")).to_contain_text("debe tener al menos un contrato")
    comprobar("revisión de una informativa Normal sin contratos")
    page.locator(".error-summary a").click()  # where it is fixed: the informativa, with Agregar contrato
    expect(page.get_by_role("link", name="Agregar contrato")).to_be_visible()

    # The same period again (as Sin información): refused next to the cuatrimestre.
    page.get_by_role("link", name="Todas las informativas").click()
    page.get_by_label("Ejercicio").select_option("2026")
    page.get_by_label("2 (mayo–agosto)").check()
    page.get_by_label("Sin información").check()
    page.get_by_role("button", name="Registrar informativa").click()
    expect(page.locator("#cuatrimestre-error")).to_contain_text("Ya registraste una informativa Normal")
    expect(page.locator(".error-summary")).to_be_focused()
    assert page.title().startswith("Error: ")
    comprobar("registrar con errores")
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name=re.compile("Abrir")).click()
    return iid


def _contrato_fisica(page, comprobar) -> None:
    page.get_by_role("link", name="Agregar contrato").click()
    expect(page.get_by_role("heading", name="Agregar contrato")).to_be_visible()
    comprobar("contrato nuevo")
    page.get_by_label("RFC del contratante").fill("EDE010101AB1")  # the contratista's own
    page.get_by_label("Correo electrónico").fill("compras")
    page.get_by_label("Fecha de inicio").fill("2026-01-10")
    page.get_by_role("button", name="Guardar contrato").click()
    expect(page.locator("#rfc_contratante-error")).to_contain_text("no puede ser el tuyo")
    for campo in ("nombre_contratante", "correo", "celular", "objeto", "servicio", "fecha_inicio"):
        expect(page.locator(f"#{campo}-error")).to_be_visible()
    expect(page.locator(".error-summary")).to_be_focused()
    comprobar("contrato con errores")
    # The summary's link lands on its field.
    page.locator('.error-summary a[href="#rfc_contratante"]').click()
    expect(page.get_by_label("RFC del contratante")).to_be_focused()
    page.get_by_label("RFC del contratante").fill(RFC_CONTRATANTE_FISICA)
    page.get_by_label("Nombre, denominación o razón social").fill("Luis Pérez García")
    page.get_by_label("Correo electrónico").fill("compras@cliente.mx")
    page.get_by_label("Celular").fill("5512345678")
    page.get_by_label("Objeto del contrato").fill("Mantenimiento preventivo de las instalaciones eléctricas")
    page.get_by_label("Servicio u obra especializado contratado").select_option(index=1)
    page.get_by_label("Fecha de inicio").fill("2026-05-04")
    page.get_by_role("button", name="Guardar contrato").click()
    expect(page.get_by_text("Se guardó el contrato con LUIS PÉREZ GARCÍA", exact=False)).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(1)
    comprobar("informativa con un contrato")


def _contrato_moral(page, comprobar, javascript: bool) -> None:
    page.get_by_role("link", name="Agregar contrato").click()
    page.get_by_label("RFC del contratante").fill(RFC_CONTRATANTE_MORAL)
    page.get_by_label("RFC del contratante").press("Enter")  # keeps the draft: never a premature Guardar
    expect(page.get_by_text("Este contrato aún no se guarda.")).to_be_visible()
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(page.get_by_label("RFC del contratante")).to_have_value(RFC_CONTRATANTE_MORAL)
    page.get_by_label("Nombre, denominación o razón social").fill("Cliente Industrial SA de CV")
    page.get_by_label("Correo electrónico").fill("compras@industrial.mx")
    page.get_by_label("Celular").fill("5587654321")
    page.get_by_label("Teléfono fijo").fill("5555555555")
    page.locator("#domicilio_igual-1").check()  # No: the locator
    expect(page.get_by_role("heading", name="Ubicar domicilio geográfico nacional")).to_be_visible()
    page.locator("#conoce_cp-0").check()
    page.get_by_label("Código Postal").fill("01000")
    if javascript:
        with page.expect_response("**/domicilio/buscar"):
            page.get_by_label("Código Postal").press("Tab")
    else:
        page.get_by_role("button", name="Buscar colonias").first.click()
    page.get_by_label("Colonia").select_option(label="San Ángel")
    comprobar("localizador, paso 1")
    page.get_by_role("button", name="Ubicar").click()
    expect(page.locator("#paso-titulo")).to_contain_text("Paso 2 / 3")
    expect(page.locator("#paso-titulo")).to_be_focused()
    expect(page.get_by_label("Correo electrónico")).to_have_value("compras@industrial.mx")  # nothing lost
    page.get_by_role("button", name="Ubicar").click()  # no street yet
    expect(page.locator("#calle_nombre-error")).to_be_visible()
    comprobar("localizador, paso 2 con errores")
    page.locator("#calle_tipo").select_option("CALLE")
    page.locator("#calle_nombre").fill("Avenida de la Paz")
    page.get_by_label("Número exterior", exact=True).fill("26")
    page.get_by_role("button", name="Ubicar").click()
    expect(page.locator("#paso-titulo")).to_contain_text("Paso 3 / 3")
    comprobar("localizador, paso 3")
    page.get_by_role("button", name="Aceptar").click()
    expect(page.locator("#paso-titulo")).to_have_text("Domicilio social del contratante ubicado")
    page.get_by_label("Objeto del contrato").fill("Limpieza industrial de la planta")
    page.get_by_label("Servicio u obra especializado contratado").select_option(index=1)
    page.get_by_label("Fecha de inicio").fill("2026-06-01")
    page.get_by_label("Fecha de término").fill("2026-08-31")
    comprobar("contrato moral ubicado")
    page.get_by_role("button", name="Guardar contrato").click()
    expect(page.get_by_text("Se guardó el contrato con CLIENTE INDUSTRIAL", exact=False)).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(2)
    page.get_by_role("link", name="Editar el contrato con CLIENTE INDUSTRIAL SA DE CV").click()
    expect(page.locator("#paso-titulo")).to_have_text("Domicilio social del contratante ubicado")
    expect(page.locator("#ubicar .resumen")).to_contain_text("AVENIDA DE LA PAZ")
    expect(page.locator("#ubicar .resumen")).to_contain_text("01000")
    page.get_by_role("link", name="Volver a la informativa").click()


def _cargar(page, archivo: str) -> None:
    page.get_by_label("Archivo de trabajadores").set_input_files(archivo)
    page.get_by_role("button", name="Cargar").click()


def _trabajadores_csv(page, comprobar, carpeta, javascript: bool) -> str:
    """Loads the CSV into the física's contract; returns the path of a worker's page."""
    page.get_by_role("link", name="Trabajadores del contrato con LUIS PÉREZ GARCÍA").click()
    expect(page.get_by_role("heading", name=re.compile("Trabajadores del contrato"))).to_be_visible()
    comprobar("contrato sin trabajadores")
    archivo, validas, con_error = _csv_latin_1(carpeta)
    _cargar(page, archivo)
    expect(page.get_by_role("heading", name="Vista previa de la carga")).to_be_visible()
    expect(page.locator("#filas-validas")).to_have_text(str(validas))
    expect(page.locator("#filas-error")).to_have_text(str(con_error))
    # Each error row with its row number (the header is row 1), field and reason.
    errores = page.locator("#errores tbody tr")
    expect(errores).to_have_count(3)
    expect(errores.nth(0)).to_contain_text("6")
    expect(errores.nth(0)).to_contain_text("dígito verificador")
    expect(errores.nth(1)).to_contain_text("7")
    expect(errores.nth(1)).to_contain_text("25 UMA")
    expect(errores.nth(2)).to_contain_text("8")
    expect(errores.nth(2)).to_contain_text("ya está en la fila 2")
    comprobar("vista previa del CSV")
    with page.expect_download() as descarga:
        page.get_by_role("link", name=re.compile("Descargar errores")).click()
    assert descarga.value.suggested_filename.endswith(".xlsx")
    page.get_by_role("button", name="Agregar trabajadores").click()
    expect(page.get_by_text("Se agregaron 4 trabajadores.")).to_be_visible()
    expect(page.locator("#resultados tbody tr")).to_have_count(4)
    comprobar("cuatro trabajadores")
    if javascript:  # the search swaps only the list
        page.get_by_label("Buscar por NSS, CURP o nombre").fill(cfdi.persona(2).nss[:8])
        with page.expect_response(re.compile(r"/trabajadores\?q=")):
            page.get_by_role("button", name="Buscar").click()
        expect(page.locator("#resultados tbody tr")).to_have_count(1)
        comprobar("búsqueda de trabajadores")
    return page.locator("#resultados tbody a").first.get_attribute("href")


def _revisar_y_corregir(page, comprobar, carpeta, javascript: bool) -> None:
    page.get_by_role("link", name="Volver a la informativa").click()
    page.get_by_role("button", name="Enviar a firma").click()  # refused: the moral's contract has no workers
    expect(page.locator(".error-summary")).to_contain_text("No se puede enviar a firma")
    expect(page.locator(".error-summary")).to_be_focused()
    comprobar("enviar a firma rechazado")
    page.get_by_role("link", name="Revisar").click()
    resumen = page.locator(".error-summary")
    expect(resumen).to_contain_text("CLIENTE INDUSTRIAL")
    expect(resumen.locator("li")).to_have_count(1)
    comprobar("revisión con errores")
    enlace = resumen.get_by_role("link", name=re.compile("trabajadores"))
    tab_to(page, enlace)  # by keyboard
    page.keyboard.press("Enter")
    titulo = page.get_by_role("heading", name="Trabajadores del contrato con CLIENTE INDUSTRIAL SA DE CV")
    expect(titulo).to_be_visible()

    _cargar(page, _zip_bomba(carpeta))
    expect(page.locator("#archivo-error")).to_contain_text("DTD o entidades")
    expect(page.locator(".error-summary")).to_be_focused()
    comprobar("ZIP con una bomba de entidades")
    _cargar(page, _zip_nomina(carpeta))
    expect(page.locator("#filas-validas")).to_have_text("4")
    expect(page.locator("#filas-error")).to_have_text("0")
    expect(page.locator("#recibos-omitidos")).to_have_text("2")
    expect(page.locator(".omitidos")).to_contain_text(f"{OTRO_PATRON}.xml")
    expect(page.locator(".omitidos")).to_contain_text(f"{DE_2025}.xml")
    destinos = page.locator("#destinos-titulo + ul")
    expect(destinos).to_contain_text(RFC_CONTRATANTE_FISICA)
    expect(destinos).to_contain_text(RFC_CONTRATANTE_MORAL)
    comprobar("vista previa del ZIP")
    page.get_by_role("button", name="Agregar trabajadores").click()
    expect(page.get_by_text("Se agregaron 5 trabajadores.")).to_be_visible()
    expect(page.locator("#resultados tbody tr")).to_have_count(3)  # 10 (half), 11, 13
    # Per worker, the receipt with the latest FechaFinalPago counts (the ZIP holds it before the older one).
    expect(page.locator("#resultados tbody tr").filter(has_text=cfdi.persona(10).nss)).to_contain_text("510.00")

    page.get_by_role("link", name="Volver a la informativa").click()
    filas = page.locator("tbody tr")
    expect(filas.filter(has_text="LUIS PÉREZ GARCÍA").locator("td").nth(5)).to_have_text("6")  # 4 + 10 + 12
    expect(filas.filter(has_text="CLIENTE INDUSTRIAL").locator("td").nth(5)).to_have_text("3")
    page.get_by_role("link", name="Revisar").click()
    expect(page.locator(".error-summary")).to_have_count(0)
    comprobar("revisión sin errores")
    page.get_by_role("button", name="Enviar a firma").click()
    expect(page.get_by_text("La informativa quedó lista para que el contratista la firme")).to_be_visible()
    expect(page.locator(".resumen--informativa")).to_contain_text("Por firmar")
    expect(page.get_by_role("link", name="Agregar contrato")).to_have_count(0)
    comprobar("por firmar")


def _otro_no_ve_nada(browser, live, javascript: bool, ancho: int, urls: list[str], posts: list[str]) -> None:
    """Another contratista's capturista: the informativa is not in its list, and each of its URLs is a 404 (a POST
    too, with that capturista's own valid token: not a 409 that would tell it exists)."""
    contexto, page = _nueva_pagina(browser, javascript, ancho)
    page.goto(live + "/")
    page.get_by_label("CURP").fill(CURP_ANA)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.locator(".perfil")).to_contain_text("OTRA EMPRESA")
    _menu(page, "Informativa").click()
    expect(page.get_by_role("heading", name="Informativa cuatrimestral")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Mayo–Agosto 2026")
    for url in urls:
        respuesta = page.goto(live + url)
        assert respuesta.status == 404, url
    page.goto(live + "/informativas/")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    for url in posts:
        respuesta = page.request.post(live + url, form={"csrf_token": token}, max_redirects=0)
        assert respuesta.status == 404, url
    contexto.close()


@pytest.mark.parametrize("javascript, ancho", [(True, 320), (False, 320), (True, 1280)],
                         ids=["htmx-320", "sin-js-320", "htmx-1280"])
def test_capturista_registers_fixes_and_sends_an_informativa(browser, live_app, archivos, juegos, tmp_path,
                                                              javascript, ancho):
    app, live = live_app
    contexto, page = _nueva_pagina(browser, javascript, ancho)
    comprobar = Comprobador(page, javascript)
    entrar(page, live, archivos, "moral")
    _registro_repse(page, comprobar)

    # Its capturista (and another contratista's), made through the routes.
    contratista = preparar(app, app.test_client(), juegos["moral"])
    alta(contratista, CURP_LUIS)
    activar(app.test_client(), app)
    otro = otro_contratista(app, juegos["otra"])
    alta(otro, CURP_ANA, nombres=ANA, correo="ana@ejemplo.mx")
    activar(app.test_client(), app)

    capturista_contexto, capturista = _nueva_pagina(browser, javascript, ancho)
    comprobar = Comprobador(capturista, javascript)
    capturista.goto(live + "/")
    capturista.get_by_label("CURP").fill(CURP_LUIS)
    capturista.get_by_label("Contraseña").fill(PASSWORD)
    capturista.get_by_role("button", name="Ingresar").click()
    expect(capturista.locator(".perfil")).to_contain_text("Capturista")
    iid = _registrar(capturista, comprobar)
    _contrato_fisica(capturista, comprobar)
    _contrato_moral(capturista, comprobar, javascript)
    trabajador = _trabajadores_csv(capturista, comprobar, tmp_path, javascript)
    contrato_fisica = int(re.search(r"/contratos/(\d+)/", trabajador).group(1))
    _revisar_y_corregir(capturista, comprobar, tmp_path, javascript)
    fragmentos = comprobar.fragmentos()  # while the page that received them is open

    base = f"/informativas/{iid}"
    _otro_no_ve_nada(browser, live, javascript, ancho, [
        base, f"{base}/revision", f"{base}/contratos/{contrato_fisica}",
        f"{base}/contratos/{contrato_fisica}/trabajadores", trabajador, f"{base}/contratos/nuevo", f"{base}/copiar"],
        [f"{base}/regresar", f"{base}/enviar", f"{base}/contratos/{contrato_fisica}/eliminar",
         f"{trabajador}/eliminar", f"{base}/contratos/{contrato_fisica}/domicilio/buscar"])
    capturista_contexto.close()
    contexto.close()

    for metodo, ruta, estado, tamano, codificacion in fragmentos:
        print(f"fragment: {metodo} {ruta} {estado}: {tamano} B {codificacion or 'identity'}")
    assert bool(fragmentos) == javascript
    demasiado = [f for f in fragmentos if f[3] > _limite(f[0], f[1])]
    # Flask-Compress compresses only 2xx answers; a 422 with its errors (the contract, the locator's Paso 2) went
    # out whole, ~10 KB instead of ~2.5 KB, until app.extensions.CompressErrors.
    assert not demasiado, demasiado


# -- A page of 50 workers and a page of 50 error rows -------------------------------------------------------------

NOMBRES_LARGOS = ["MARIA DE LOS ANGELES GUADALUPE FERNANDEZ DE CORDOBA VILLASEÑOR",
                  "JOSE MAXIMILIANO ANTONIO DE LA SANTISIMA TRINIDAD O'DONOJU MONTENEGRO"]


@pytest.mark.parametrize("ancho", [320, 1280])
@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "sin-js"])
def test_a_page_of_50_workers_and_of_50_error_rows(browser, live_app, juegos, javascript, ancho):
    """The longest pages a capturista gets: 50 workers with long names (the list, and its htmx search: at most
    12 KB), and the preview of a file with 60 bad rows (50 a page); each fits the window and passes axe-core."""
    app, live = live_app
    a = preparar(app, app.test_client(), juegos["moral"])
    servicio(a)
    iid = informativa_id(registrar(a))
    assert contrato(a, app, iid).status_code == 303
    cid = contrato_id(app)
    recibos = [(f"r{i}.xml", cfdi.Recibo(cfdi.Persona(p.nss, p.curp, NOMBRES_LARGOS[i % 2], p.rfc), FIN_DE_PERIODO,
                                         emisor_rfc="EDE010101AB1", sbc="2932.75"))
               for i, p in enumerate(cfdi.persona(100 + i) for i in range(60))]
    vista = a.get(cargar_archivo(a, iid, cid, "nomina.zip", cfdi.zip_de(recibos)).headers["Location"])
    agregar = re.search(r'action="([^"]+/agregar)"', vista.get_data(as_text=True)).group(1)
    a.post(agregar, data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                                                  vista.get_data(as_text=True)).group(1)})
    malas = [(cfdi.nss_con_digito_equivocado(cfdi.persona(200 + i).nss), cfdi.persona(200 + i).curp, "99999.99")
             for i in range(60)]
    preview = cargar_archivo(a, iid, cid, "malas.csv", cfdi.csv_de(malas)).headers["Location"]
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)

    contexto, page = _nueva_pagina(browser, javascript, ancho)
    comprobar = Comprobador(page, javascript)
    documentos = []
    page.on("requestfinished", lambda r: documentos.append(r) if r.resource_type == "document" else None)
    page.goto(live + "/")
    page.get_by_label("CURP").fill(CURP_LUIS)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.locator(".perfil")).to_contain_text("Capturista")
    page.goto(f"{live}/informativas/{iid}/contratos/{cid}/trabajadores")
    expect(page.locator("#resultados tbody tr")).to_have_count(50)
    comprobar("50 trabajadores")
    if javascript:
        page.get_by_label("Buscar por NSS, CURP o nombre").fill("MARIA DE LOS")
        with page.expect_response(re.compile(r"/trabajadores\?q=")):
            page.get_by_role("button", name="Buscar").click()
        expect(page.locator("#resultados")).to_contain_text("30 trabajadores")
        page.get_by_label("Buscar por NSS, CURP o nombre").fill("")
        with page.expect_response(re.compile(r"/trabajadores\?q=")):
            page.get_by_role("button", name="Buscar").click()
        expect(page.locator("#resultados tbody tr")).to_have_count(50)
        comprobar("50 trabajadores tras buscar")
    page.get_by_role("link", name=re.compile("Siguiente")).click()
    expect(page.locator("#resultados tbody tr")).to_have_count(10)
    page.goto(live + preview)
    expect(page.locator("#filas-error")).to_have_text("60")
    expect(page.locator("#errores tbody tr")).to_have_count(50)
    comprobar("50 filas con error")
    fragmentos = comprobar.fragmentos()
    paginas = [(re.sub(r"^https?://[^/]+", "", r.url), r.sizes()["responseHeadersSize"] + r.sizes()["responseBodySize"])
               for r in documentos]
    contexto.close()
    for metodo, ruta, estado, tamano, codificacion in fragmentos:
        print(f"fragment: {metodo} {ruta} {estado}: {tamano} B {codificacion or 'identity'}")
        assert tamano <= _limite(metodo, ruta), (metodo, ruta, estado, tamano)
    for ruta, tamano in paginas:
        print(f"page: GET {ruta}: {tamano} B")
    assert bool(fragmentos) == javascript


@pytest.mark.postgres
def test_the_same_through_the_proxy_on_two_nodes(browser, live_app_cluster, archivos, juegos, tmp_path):
    """The whole capture (REPSE, contracts with the locator, worker files, Revisar, Enviar) through haproxy onto two
    nodes on PostgreSQL (issue 14): each request may land on either node, previews and drafts included."""
    test_capturista_registers_fixes_and_sends_an_informativa(browser, live_app_cluster, archivos, juegos, tmp_path,
                                                              True, 320)
