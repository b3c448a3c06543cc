"""The acuse de presentación in a real Chromium (issue 13): the contratista downloads it from *Acuses de presentación*;
anyone, signed in or not, verifies it on *Verificar acuse* by typing its folio and sello (JavaScript on and off,
keyboard only) or by following its QR code's link; a worker changed in the database makes it "NO es válido". Every
state passes axe-core and fits 320 px."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app import acuse_presentacion
from app.db import get_session
from app.models import Contrato, Informativa, Trabajador

from ..test_acuses import pasa_la_vigencia
from .conftest import tab_to
from .test_datos_generales_browser import entrar
from .test_firma_browser import _firmar, _por_firmar
from .test_informativa_browser import _axe, _cabe, _nueva_pagina


def _revisar(page, estado, javascript=True):
    _axe(page, estado, javascript)
    _cabe(page, estado)


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "sin-js"])
def test_download_then_verify_typed_and_by_qr_then_tampered(browser, live_app, archivos, juegos, javascript):
    app, live = live_app
    contexto, page = _nueva_pagina(browser, javascript, 320)
    entrar(page, live, archivos, "moral")
    iid = _por_firmar(app, juegos)
    page.goto(f"{live}/informativas/{iid}/firmar")
    _firmar(page, archivos, "moral")
    expect(page.locator("dl.resumen")).to_contain_text(re.compile(r"ICSOE-N\d{4}-"))  # the year it is presented

    page.locator("nav.menu").get_by_role("link", name="Acuses de presentación").click()
    expect(page.get_by_role("heading", name="Acuses de presentación")).to_be_visible()
    _revisar(page, "acuses", javascript)
    with page.expect_download() as descarga:
        page.get_by_role("link", name="Descargar PDF").click()
    leido = acuse_presentacion.leer(descarga.value.path().read_bytes())
    assert "Número de contratos: 1" in leido.texto and descarga.value.suggested_filename == f"acuse-{leido.folio}.pdf"

    # Someone who was never signed in: typed, then through the QR code's link.
    anonimo_contexto, anonimo = _nueva_pagina(browser, javascript, 320)
    anonimo.goto(live + "/")
    anonimo.get_by_role("link", name="Verificar acuse").click()
    _revisar(anonimo, "verificar (vacío)", javascript)
    anonimo.get_by_label("Folio").fill(leido.folio)
    anonimo.get_by_label("Primeros 8 caracteres del sello").fill("AAAAAAAA" if leido.sello[:8] != "AAAAAAAA" else "BBBBBBBB")
    anonimo.get_by_role("button", name="Verificar").click()
    expect(anonimo.get_by_role("alert")).to_contain_text("No encontramos un acuse con ese folio y sello.")
    _revisar(anonimo, "verificar (no encontrado)", javascript)
    anonimo.get_by_label("Primeros 8 caracteres del sello").fill(leido.sello[:8])
    anonimo.get_by_role("button", name="Verificar").click()
    expect(anonimo.get_by_role("heading", name=f"El acuse {leido.folio} es auténtico")).to_be_visible()
    expect(anonimo.locator("dl.resumen")).to_contain_text("Presentada fuera de plazo")
    _revisar(anonimo, "verificar (auténtico)", javascript)
    anonimo.goto(leido.datos["url_verificacion"].replace("http://127.0.0.1:8000", live))
    expect(anonimo.get_by_role("heading", name=f"El acuse {leido.folio} es auténtico")).to_be_visible()

    # One worker's salary changed in the database after the filing: the same link then says it is not valid.
    with app.app_context():
        db = get_session()
        trabajador = db.exec(select(Trabajador).join(Contrato, Contrato.id == Trabajador.contrato_id)
                             .where(Contrato.informativa_id == iid)).first()
        trabajador.sbc = Decimal(trabajador.sbc) + 1
        db.add(trabajador)
        db.commit()
    pasa_la_vigencia(app)  # the last verdict stands for presentaciones.VIGENCIA_COMPROBACION
    anonimo.reload()
    expect(anonimo.get_by_role("alert")).to_contain_text("NO es válido")
    _revisar(anonimo, "verificar (alterado)", javascript)
    anonimo_contexto.close()
    contexto.close()


def test_verifying_by_keyboard_only(browser, live_app, archivos, juegos):
    app, live = live_app
    contexto, page = _nueva_pagina(browser, True, 1280)
    entrar(page, live, archivos, "moral")
    iid = _por_firmar(app, juegos)
    page.goto(f"{live}/informativas/{iid}/firmar")
    _firmar(page, archivos, "moral")
    with app.app_context():
        informativa = get_session().get(Informativa, iid)
    anonimo_contexto, anonimo = _nueva_pagina(browser, True, 1280)
    anonimo.goto(live + "/acuses/verificar")
    tab_to(anonimo, anonimo.get_by_label("Folio"))
    anonimo.keyboard.type(informativa.folio)
    tab_to(anonimo, anonimo.get_by_label("Primeros 8 caracteres del sello"))
    anonimo.keyboard.type(informativa.sello[:8])
    anonimo.keyboard.press("Enter")
    expect(anonimo.get_by_role("heading", name=f"El acuse {informativa.folio} es auténtico")).to_be_visible()
    anonimo_contexto.close()
    contexto.close()
