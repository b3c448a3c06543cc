"""Inicio (the board of deadlines, where ingress lands) and Exportar listado, through the routes: content, the menu,
scoping to the signed-in contratista, a capturista's access."""
from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from app import informativas, listado
from app.db import get_session
from app.models import Auditoria, Informativa

from .conftest import html, token
from .test_administracion import CURP_LUIS, activar, alta, entrar_capturista, otro_contratista
from .test_informativa import (_trabajador, a, app, contrato, informativa_id, lista, registrar,  # noqa: F401
                               servicio, RFC_CONTRATANTE_MORAL)
from .test_presentar import AHORA, _enviar, _firmar

HOY = date(2026, 9, 14)  # three business days before Mayo–Agosto 2026's deadline (Thursday 17 September)


@pytest.fixture(autouse=True)
def _hoy(monkeypatch):
    monkeypatch.setattr("app.hora.hoy", lambda: HOY)


def filas(doc) -> list[list[str]]:
    return [[c.get_text(" ", strip=True) for c in tr.select("th, td")] for tr in doc.select("#tablero tbody tr")]


def test_ingress_lands_on_the_board_once_datos_generales_are_saved(a):
    assert a.get("/").headers["Location"] == "/inicio/tablero"
    doc = html(a.get("/inicio/tablero"))
    assert [x.get_text() for x in doc.select("nav.menu a")][:6] == ["Inicio", "Datos generales", "Registro REPSE",
                                                                      "Informativa", "Acuses de presentación",
                                                                      "Exportar listado"]
    assert doc.h1.get_text() == "Inicio"


def test_the_board_shows_each_period_with_its_deadline_status_and_days(a, app, juegos):
    iid = informativa_id(registrar(a))  # Mayo–Agosto 2026, Normal, en captura
    otro = otro_contratista(app, juegos["fisica"])
    otra = informativa_id(registrar(otro, cuatrimestre="1"))  # another contratista's Enero–Abril 2026
    doc = html(a.get("/inicio/tablero"))
    tabla = doc.select_one("#tablero")
    assert tabla.caption.get_text() == "Plazos de las informativas al 14/09/2026"
    assert all(th["scope"] == "col" for th in tabla.select("thead th"))
    assert all(th["scope"] == "row" for th in tabla.select("tbody th"))
    assert filas(doc) == [
        ["Septiembre–Diciembre 2026 : registrar su informativa", "18/01/2027", "Sin registrar", "87 días hábiles"],
        ["Mayo–Agosto 2026", "17/09/2026", "En captura", "3 días hábiles"],
        ["Enero–Abril 2026 : registrar su informativa", "18/05/2026", "Sin registrar", "Vencido"],
        ["Septiembre–Diciembre 2025 : registrar su informativa", "19/01/2026", "Sin registrar", "Vencido"],
        ["Mayo–Agosto 2025 : registrar su informativa", "17/09/2025", "Sin registrar", "Vencido"],
        ["Enero–Abril 2025 : registrar su informativa", "19/05/2025", "Sin registrar", "Vencido"],
    ]
    enlaces = [x["href"] for x in tabla.select("tbody a")]
    assert enlaces[1] == f"/informativas/{iid}" and set(enlaces) - {enlaces[1]} == {"/informativas/"}
    assert f"/informativas/{otra}" not in enlaces  # the other contratista's filing is not on this board
    # The other contratista sees its own.
    assert html(otro.get("/inicio/tablero")).select("#tablero tbody a")[2]["href"] == f"/informativas/{otra}"


def test_a_capturista_sees_its_contratistas_board_and_no_listado(a, app):
    iid = informativa_id(registrar(a))
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    capturista = app.test_client()
    assert entrar_capturista(capturista) == "/inicio"
    # She reaches it from her start page and her menu (no page she could reach linked to it).
    inicio = html(capturista.get("/inicio"))
    assert inicio.select_one("nav.menu a[href='/inicio/tablero']").get_text() == "Plazos"
    assert inicio.select_one("main a[href='/inicio/tablero']")
    doc = html(capturista.get("/inicio/tablero"))
    assert f"/informativas/{iid}" in [x["href"] for x in doc.select("#tablero a")]
    assert capturista.get("/inicio/listado").status_code == 403


def test_signed_out_goes_to_sign_in(client):
    assert client.get("/inicio/tablero").headers["Location"] == "/"
    assert client.get("/inicio/listado").headers["Location"] == "/"


# -- Exportar listado ----------------------------------------------------------------------------------------------

def _presentar(app, juegos, ca, iid):
    firmada = _firmar(app, juegos["moral"], ca, iid)
    with app.app_context():
        db = get_session()
        assert informativas.presentar(db, db.get(Informativa, iid), firmada, AHORA)


def test_exportar_listado_one_row_per_contract_of_the_presented_filings(lista, app, juegos, ca):
    a, iid, cid = lista
    assert contrato(a, app, iid, rfc_contratante=RFC_CONTRATANTE_MORAL, nombre_contratante="=CLIENTE SA DE CV",
                    domicilio_igual="si").status_code == 303
    with app.app_context():
        db = get_session()
        segundo = max(c.id for c in informativas.contratos(db, db.get(Informativa, iid)))
    assert _trabajador(a, iid, cid).status_code == 303
    assert _trabajador(a, iid, cid, i=4).status_code == 303
    assert _trabajador(a, iid, segundo, i=5).status_code == 303
    assert _enviar(a, iid).status_code == 303
    _presentar(app, juegos, ca, iid)
    sin = informativa_id(registrar(a, tipo="sin_informacion", cuatrimestre="1"))
    assert _enviar(a, sin).status_code == 303
    _presentar(app, juegos, ca, sin)
    informativa_id(registrar(a, tipo="sin_informacion", ejercicio="2025", cuatrimestre="3"))  # not presented
    # Another contratista's presented filing.
    otro = otro_contratista(app, juegos["fisica"])
    ajena = informativa_id(registrar(otro, tipo="sin_informacion"))
    with app.app_context():
        db = get_session()
        i = db.get(Informativa, ajena)
        i.estatus, i.folio, i.presentada = "presentada", "ICSOE-S2026-000999", AHORA
        db.add(i)
        db.commit()

    response = a.get("/inicio/listado")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Content-Disposition"].startswith("attachment; filename=Listado_ICSOE_")
    ws = load_workbook(io.BytesIO(response.data)).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert tuple(rows[0]) == listado.HEADERS
    assert len(rows) == 4, rows  # header, Sin información (Enero–Abril), two contracts (Mayo–Agosto)
    sin_info, uno, dos = rows[1:]
    with app.app_context():
        firmante = get_session().get(Informativa, sin)
        assert firmante.rfc_firmante == juegos["moral"].rfc
        # Each party's tipo de persona (informativa.md §5), by its RFC's length.
        assert sin_info[:12] == [firmante.rfc_firmante, firmante.nombre_firmante, "Moral"] + [None] * 9
    assert sin_info[12:16] == [1, 2026, "Sin información", "ICSOE-S2026-000001"]
    assert uno[6] == "ICSOE-N2026-000001-001" and dos[6] == "ICSOE-N2026-000001-002"
    assert uno[3] != dos[3] and dos[3] == RFC_CONTRATANTE_MORAL
    assert (uno[5], dos[5]) == ("Física", "Moral")
    assert dos[4] == "=CLIENTE SA DE CV"  # text, never a formula
    assert (uno[7], uno[8]) == ("AR12345/2021-1", "Mantenimiento de instalaciones eléctricas")
    assert uno[9] == datetime(2026, 6, 15) and uno[10] is None
    assert (uno[11], dos[11]) == (2, 1)
    assert uno[12:16] == [2, 2026, "Normal", "ICSOE-N2026-000001"]
    assert uno[16] == datetime(2026, 11, 30, 12, 0)  # 18:00 UTC is noon in Mexico City
    assert "ICSOE-S2026-000999" not in str(rows)
    # The other contratista's own listado has its filing only.
    rows = list(load_workbook(io.BytesIO(otro.get("/inicio/listado").data)).active.iter_rows(values_only=True))
    assert [r[15] for r in rows[1:]] == ["ICSOE-S2026-000999"]
    with app.app_context():
        auditoria = get_session().exec(select(Auditoria).where(Auditoria.accion == "exportacion")).all()
        assert [x.detalle.split(",")[0] for x in auditoria] == ["listado: 3 filas", "listado: 1 filas"]
