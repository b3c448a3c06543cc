"""The Bitácora in a real Chromium, with JavaScript and without it, at 320 px: a refused e.firma and the ingress are
there, the filter (by kind, a bad date refused next to its field), paging and the export work, and every state passes
axe-core and fits the window."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlmodel import select

from app import auditoria
from app.db import get_session
from app.models import Contratista

from .test_datos_generales_browser import entrar
from .test_informativa_browser import _axe, _cabe, _menu, _nueva_pagina
from .test_ingreso_browser import fill_efirma


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx-320", "sin-js-320"])
def test_the_bitacora_is_accessible_and_fits_320_px(browser, live_app, archivos, javascript, tmp_path):
    app, live = live_app
    contexto, page = _nueva_pagina(browser, javascript, 320)
    rfc, cer, key, _password = archivos["moral"]
    entrar(page, live, archivos, "moral")
    page.goto(live + "/ingreso/efirma")  # a wrong password against its RFC, once it is known
    fill_efirma(page, rfc, cer, key, "no-es-la-contraseña")
    page.get_by_role("button", name="Validar").click()
    expect(page.locator("#password-error")).to_be_visible()
    with app.app_context():  # a month of older rows, so that there are two pages
        db = get_session()
        cid = db.exec(select(Contratista.id).where(Contratista.rfc == rfc)).one()
        for i in range(30):
            auditoria.registrar(db, "exportacion", contratista_id=cid, actor=f"contratista:{cid}", quien=rfc,
                                direccion="2001:db8:85a3::8a2e:370:7334", detalle=f"listado: {i} filas, "
                                f"Listado_ICSOE_{cid}_17000000000{i:02}.xlsx",
                                momento=datetime.now(timezone.utc) - timedelta(days=31 - i))
        db.commit()

    _menu(page, "Bitácora").click()
    expect(page.get_by_role("heading", name="Bitácora", exact=True)).to_be_visible()
    tabla = page.get_by_role("table", name="Registros de la bitácora")
    expect(tabla.get_by_role("row")).to_have_count(26)  # the header and 25
    expect(tabla.get_by_role("row").nth(1)).to_contain_text("Ingreso rechazado")
    expect(tabla.get_by_role("row").nth(2)).to_contain_text("Términos y condiciones aceptados")
    _cabe(page, "bitácora")
    _axe(page, "bitácora", javascript)

    page.get_by_role("link", name="Siguiente página").click()
    expect(page.get_by_text("Página 2 de 2", exact=True)).to_be_visible()
    # ingress, términos, the refusal and 30 exports: 8 after the first 25, and the header
    expect(page.get_by_role("table", name="Registros de la bitácora").get_by_role("row")).to_have_count(9)
    _cabe(page, "página 2")

    page.get_by_label("Tipo de evento").select_option(label="Ingreso rechazado")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.get_by_text("1 registro con el filtro elegido.")).to_be_visible()
    fila = page.get_by_role("table", name="Registros de la bitácora").get_by_role("row").nth(1)
    expect(fila).to_contain_text("La contraseña de la llave privada es incorrecta")
    expect(fila).to_contain_text(rfc)
    assert "no-es-la-contraseña" not in page.content()
    _cabe(page, "filtrada")
    _axe(page, "filtrada", javascript)

    with page.expect_download() as descarga:
        page.get_by_role("link", name="Exportar a Excel").click()
    archivo = tmp_path / descarga.value.suggested_filename
    descarga.value.save_as(archivo)
    encabezado, *datos = list(load_workbook(archivo).active.values)
    assert encabezado[0] == "Fecha y hora" and len(datos) == 1 and datos[0][1] == "Ingreso rechazado"

    page.get_by_label("Desde (AAAA-MM-DD)").fill("30/11/2026")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.locator("#desde-error")).to_contain_text("AAAA-MM-DD")
    expect(page.get_by_role("table", name="Registros de la bitácora")).to_have_count(0)
    if not javascript:
        assert page.title().startswith("Error:")
    _cabe(page, "fecha inválida")
    _axe(page, "fecha inválida", javascript)
    contexto.close()
