"""The Bitácora reviewed (an operator review): Mexico City days at both ends of a filter, odd filters and page numbers
answered (never a 500), the page and its export agreeing for every kind, the export's file, no route that edits or
deletes, every event of a capturista landing with her contratista, a scope that never crosses contratistas, and each
refusal at Ingresar a row."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from app import auditoria
from app.db import get_session
from app.hora import MEXICO

from .conftest import html, token
from .test_administracion import CURP_LUIS, PASSWORD, activar, alta, entrar_capturista, otro_contratista, preparar
from .test_bitacora import contratista_id, filas
from .test_ingreso import ingresar, validar


cid_de = contratista_id


@pytest.fixture
def moral(app, juegos):
    client = preparar(app, app.test_client(), juegos["moral"])
    return client, cid_de(app, juegos["moral"].rfc)


def poner(app, cid, momento: datetime, detalle: str, accion="baja"):
    with app.app_context():
        db = get_session()
        auditoria.registrar(db, accion, contratista_id=cid, actor="sistema", quien="X", detalle=detalle,
                            momento=momento)
        db.commit()


def _detalles(doc) -> list[str]:
    return [tr.select("td")[4].get_text() for tr in doc.select("#bitacora tbody tr")]


# -- filters --------------------------------------------------------------------------------------------------------

def test_dates_are_mexico_city_days_at_both_ends(moral, app):
    client, cid = moral
    # 2026-03-10 23:30 in Mexico City is 2026-03-11 05:30 UTC; 2026-03-11 00:10 there is 06:10 UTC.
    poner(app, cid, datetime(2026, 3, 10, 23, 30, tzinfo=MEXICO), "tarde del 10")
    poner(app, cid, datetime(2026, 3, 11, 0, 10, tzinfo=MEXICO), "temprano del 11")
    poner(app, cid, datetime(2026, 3, 9, 23, 59, 59, tzinfo=MEXICO), "fin del 9")
    assert _detalles(html(client.get("/bitacora/?desde=2026-03-10&hasta=2026-03-10"))) == ["tarde del 10"]
    assert _detalles(html(client.get("/bitacora/?desde=2026-03-11&hasta=2026-03-11"))) == ["temprano del 11"]
    hoja = load_workbook(io.BytesIO(client.get("/bitacora/exportar?desde=2026-03-10&hasta=2026-03-10").data)).active
    datos = list(hoja.values)[1:]
    assert [d[4] for d in datos] == ["tarde del 10"]
    assert datos[0][0] == datetime(2026, 3, 10, 23, 30)  # Mexico City wall time in the sheet


@pytest.mark.parametrize("query", [
    "desde=２０２６-01-01", "desde=2026-01-01%00", "hasta=" + "9" * 5000, "tipo=ingres%C3%B3", "tipo=%00",
    "desde=+2026-01-01", "desde=2026-1-1", "hasta=9999-12-31", "desde=%F0%9F%98%80", "tipo=ingreso&tipo=baja",
    "desde=2026-01-01T00:00", "hasta=0000-01-01",
])
def test_odd_filters_are_answered_not_500(moral, query):
    client, _ = moral
    for url in ("/bitacora/", "/bitacora/exportar"):
        r = client.get(f"{url}?{query}")
        assert r.status_code in (200, 400, 422), (url, query, r.status_code)


@pytest.mark.parametrize("pagina", ["99999999999999999999999999", "-3", "0", "abc", "1.5", "２"])
def test_odd_page_numbers(moral, app, pagina):
    client, cid = moral
    for i in range(30):
        poner(app, cid, datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(hours=i), f"f{i}")
    r = client.get(f"/bitacora/?pagina={pagina}")
    assert r.status_code == 200
    doc = html(r)
    assert len(doc.select("#bitacora tbody tr")) in (25, len(filas(app, contratista_id=cid)) - 25)


def test_huge_page_number_shows_the_last_page(moral, app):
    client, cid = moral
    for i in range(30):
        poner(app, cid, datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(hours=i), f"f{i}")
    total = len(filas(app, contratista_id=cid))
    doc = html(client.get("/bitacora/?pagina=99999999999999999999999999"))
    assert len(doc.select("#bitacora tbody tr")) == total - 25


def test_page_total_and_export_agree_for_each_kind(moral, app, juegos):
    client, cid = moral
    client.get("/administracion/exportar")
    for tipo in [""] + list(auditoria.TIPOS):
        doc = html(client.get(f"/bitacora/?tipo={tipo}"))
        estado = doc.select_one("#bitacora [role=status]").get_text()
        total = int(estado.split()[0])
        r = client.get(f"/bitacora/exportar?tipo={tipo}")
        assert r.status_code == 200
        n = len(list(load_workbook(io.BytesIO(r.data)).active.values)) - 1
        assert n == total, tipo


def test_export_file_headers_name_and_sheet(moral, app):
    client, cid = moral
    r = client.get("/bitacora/exportar")
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    cd = r.headers["Content-Disposition"]
    assert cd.startswith(f"attachment; filename=Bitacora_{cid}_") and cd.endswith(".xlsx")
    wb = load_workbook(io.BytesIO(r.data))
    hoja = wb.active
    assert hoja.title == "Bitacora ICSOE"
    filas_ = list(hoja.values)
    assert filas_[0] == ("Fecha y hora", "Tipo", "RFC o CURP", "Usuario", "Detalle", "Dirección IP")
    assert all(len(f) == 6 for f in filas_)
    assert hoja.freeze_panes == "A2" and hoja.auto_filter.ref == f"A1:F{len(filas_)}"


# -- append only ---------------------------------------------------------------------------------------------------

def test_no_route_edits_or_deletes(moral, app):
    client, cid = moral
    antes = len(filas(app))
    (fila,) = filas(app, contratista_id=cid, accion="terminos")
    for metodo in ("post", "put", "delete", "patch"):
        for url in ("/bitacora/", "/bitacora/exportar", f"/bitacora/{fila.id}", f"/bitacora/{fila.id}/borrar"):
            r = getattr(client, metodo)(url, data={"csrf_token": token(client, "/bitacora/")})
            assert r.status_code in (400, 404, 405), (metodo, url, r.status_code)
    assert len(filas(app)) == antes


# -- events ----------------------------------------------------------------------------------------------------

def test_a_capturistas_sign_out_and_lockout_are_rows_of_her_contratista(moral, app, juegos):
    client, cid = moral
    assert alta(client, CURP_LUIS).status_code == 303
    persona = app.test_client()
    assert activar(persona, app).status_code == 303
    assert entrar_capturista(persona) == "/inicio"
    persona.post("/salir", data={"csrf_token": token(persona, "/inicio")})
    (salida,) = [f for f in filas(app, accion="salida") if f.quien == CURP_LUIS]
    assert salida.contratista_id == cid and salida.actor.startswith("capturista:")
    # Her CURP locked out from another address: one bloqueo row her contratista sees.
    extrano = app.test_client()
    extrano.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    codigos = [extrano.post("/ingreso/capturista", data={"csrf_token": token(extrano, "/"), "curp": CURP_LUIS,
                                                          "password": f"mala {i}"}).status_code for i in range(8)]
    assert 429 in codigos
    bloqueos = filas(app, accion="bloqueo", contratista_id=cid)
    assert len(bloqueos) == 1 and bloqueos[0].direccion == "198.51.100.9"
    todo = " ".join(f"{f.detalle} {f.quien}" for f in filas(app))
    assert "mala " not in todo and PASSWORD not in todo


def test_datos_generales_saved_again_with_a_change_is_a_second_row(app, juegos):
    from .test_datos_generales import _guardar_fisica

    client = app.test_client()
    juego = juegos["fisica"]
    ingresar(client, juego)
    client.post("/ingreso/terminos", data={"csrf_token": token(client, "/ingreso/terminos"), "acepto": "y"})
    _guardar_fisica(client)
    cid = cid_de(app, juego.rfc)
    assert len(filas(app, accion="datos_generales", contratista_id=cid)) == 1


def test_an_invitation_declined_is_a_row_of_the_inviter(moral, app, juegos):
    a, cid_a = moral
    assert alta(a, CURP_LUIS, correo="luis@ejemplo.mx").status_code == 303
    persona = app.test_client()
    activar(persona, app)
    entrar_capturista(persona)
    b = otro_contratista(app, juegos["otra"])
    assert alta(b, CURP_LUIS, correo="luis@ejemplo.mx").status_code == 303
    rol_b = max(int(f.detalle.split()[1]) for f in filas(app, accion="alta"))
    assert persona.post(f"/ingreso/invitaciones/{rol_b}/rechazar",
                        data={"csrf_token": token(persona, "/inicio")}).status_code == 303
    (fila,) = filas(app, accion="invitacion_respondida")
    assert fila.contratista_id == cid_de(app, juegos["otra"].rfc) and "rechazada" in fila.detalle
    # A's Bitácora never shows B's rows, nor B's the ones of A.
    assert _detalles(html(a.get("/bitacora/?tipo=invitacion_respondida"))) == []


# -- scope -------------------------------------------------------------------------------------------------------

def test_a_capturista_of_a_who_is_also_contratista_b_sees_only_bs_rows(moral, app, juegos):
    """Juan is a's capturista (his CURP) and signs in as contratista b with his own e.firma: b's Bitácora is b's."""
    a, cid_a = moral
    poner(app, cid_a, datetime.now(timezone.utc), "secreto de a")
    assert alta(a, CURP_LUIS).status_code == 303
    persona = app.test_client()
    activar(persona, app)
    assert entrar_capturista(persona) == "/inicio"
    assert persona.get("/bitacora/").status_code == 403
    assert persona.get("/bitacora/exportar").status_code == 403
    b = otro_contratista(app, juegos["representante"])
    for url in ("/bitacora/?desde=2021-01-01", "/bitacora/?tipo=baja", "/bitacora/?pagina=2"):
        assert "secreto de a" not in b.get(url).get_data(as_text=True)
    datos = b.get("/bitacora/exportar").data
    hoja = load_workbook(io.BytesIO(datos)).active
    assert all("secreto de a" not in str(v) for fila in hoja.values for v in fila)
    assert all(fila[2] in (juegos["representante"].rfc,) for fila in list(hoja.values)[1:])


def test_an_ingress_refused_at_ingresar_because_its_ca_was_withdrawn_is_a_row(app, juegos, ca):
    """Validar passed, then `icsoe trust remove` withdrew the CA: Ingresar refuses the entry. The README's
    *ingreso rechazado* is "each refusal with its reason"; this one left no row."""
    from app import fiel, trust

    moral = juegos["moral"]
    ingresar(app.test_client(), moral)  # the contratista exists
    cid = cid_de(app, moral.rfc)
    client = app.test_client()
    assert validar(client, moral).status_code == 200
    with app.app_context():
        huella = fiel.read_ca_certificates(ca.cert_der, "demo.cer")[0].fingerprint
        trust.remove(get_session(), huella[:16])
    antes = len(filas(app, contratista_id=cid, accion="ingreso_rechazado"))
    r = client.post("/ingreso/ingresar", data={"csrf_token": token(client)})
    assert r.status_code == 303 and r.headers["Location"].endswith("/ingreso/efirma")
    assert len(filas(app, contratista_id=cid, accion="ingreso_rechazado")) == antes + 1
