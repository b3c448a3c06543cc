"""Attacks on Descartar (a complementaria, or a period's first filing never presented) and on the 409 answers that
say where an informativa stands (a red-team review): who may discard what, and Descartar racing Firmar, Enviar,
Guardar contrato, Cargar and a contract page's autosave, on SQLite and PostgreSQL. Each race is pinned by a hook
where the other request must land; the outcome is checked, never the timing."""
from __future__ import annotations

import sys
import threading
import time

import pytest
from sqlmodel import select

from app import informativas
from app.db import get_session
from app.models import Borrador, CargaTrabajadores, Contrato, Informativa, Trabajador

from . import cfdi
from .conftest import HTMX, html, token
from .test_administracion import CURP_LUIS, activar, alta, entrar_capturista, otro_contratista, preparar
from .test_complementarias import complementar, presentar
from .test_firma import _enviar, firmar
from .test_carreras import _clon, _hilos, _pausar, app  # noqa: F401  (app: both databases)
from .test_informativa import (CONTRATO, _trabajador, contrato, contrato_id, informativa_id, registrar,
                               servicio, servicio_id)


def confirmacion(cliente, iid: int, csrf: str) -> dict:
    """What Sí, descartar posts: the token, and the counts of contracts and workers its confirmation page shows
    (what it says will go), read from that page now."""
    pagina = cliente.get(f"/informativas/{iid}/descartar")
    assert pagina.status_code == 200, pagina.status_code
    campos = html(pagina).select("form input[type=hidden]")
    return {**{c["name"]: c["value"] for c in campos}, "csrf_token": csrf}


def _con_contrato(app, juego):
    a = preparar(app, app.test_client(), juego)
    servicio(a)
    iid = informativa_id(registrar(a))
    assert contrato(a, app, iid).status_code == 303
    cid = contrato_id(app)
    assert _trabajador(a, iid, cid).status_code == 303
    return a, iid, cid


def _filas(app, iid):
    with app.app_context():
        db = get_session()
        return (db.get(Informativa, iid),
                db.exec(select(Contrato).where(Contrato.informativa_id == iid)).all(),
                db.exec(select(Borrador)).all())


# -- Who may discard what ----------------------------------------------------------------------------------------

def test_another_contratista_and_its_capturista_never_discard_nor_learn(app, juegos):
    a, iid, cid = _con_contrato(app, juegos["moral"])
    b = otro_contratista(app, juegos["otra"])
    alta(b, CURP_LUIS)
    activar(app.test_client(), app)
    capturista_b = app.test_client()
    entrar_capturista(capturista_b)
    url = f"/informativas/{iid}/descartar"
    for cliente in (b, capturista_b):
        csrf = token(cliente, "/informativas/")
        for headers in ({}, HTMX):
            assert cliente.get(url, headers=headers).status_code == 404
            r = cliente.post(url, data={"csrf_token": csrf}, headers=headers)
            assert r.status_code == 404
            assert "folio" not in r.get_data(as_text=True).lower()
    inf, contratos, _ = _filas(app, iid)
    assert inf is not None and len(contratos) == 1


def test_presented_filing_a_correccions_original_and_one_after_sin_efectos(app, juegos):
    """Presented: 409, nothing deleted. A Corrección's original (presented): 409. After a Sin efectos the period's
    new Normal (never presented) is discardable, the cancelled original is not."""
    a, iid, cid = _con_contrato(app, juegos["moral"])
    presentar(a, iid, juegos["moral"])
    csrf = token(a, f"/informativas/{iid}")
    for headers in ({}, HTMX):
        assert a.get(f"/informativas/{iid}/descartar", headers=headers).status_code == 409
        r = a.post(f"/informativas/{iid}/descartar", data={"csrf_token": csrf}, headers=headers)
        assert r.status_code == 409
    correccion = informativa_id(complementar(a, iid))
    assert a.post(f"/informativas/{iid}/descartar", data={"csrf_token": csrf}).status_code == 409
    # Discard the Corrección: the original stays, presented.
    assert a.post(f"/informativas/{correccion}/descartar", data=confirmacion(a, correccion, csrf)).status_code == 303
    sin = informativa_id(complementar(a, iid, "sin_efectos"))
    presentar(a, sin, juegos["moral"])
    for i in (iid, sin):
        assert a.post(f"/informativas/{i}/descartar", data={"csrf_token": csrf}).status_code == 409
    nueva = informativa_id(registrar(a))
    assert a.post(f"/informativas/{nueva}/descartar", data=confirmacion(a, nueva, csrf)).status_code == 303
    with app.app_context():
        db = get_session()
        assert db.get(Informativa, iid).estatus == "presentada"
        assert db.get(Informativa, sin).estatus == "presentada"
        assert db.get(Informativa, nueva) is None
        assert db.exec(select(Contrato).where(Contrato.informativa_id == iid)).all()


@pytest.mark.parametrize("ruta", ["descartar", "enviar", "regresar", "firmar"])
def test_an_id_past_every_column_is_404_not_500(app, juegos, ruta):
    a = preparar(app, app.test_client(), juegos["moral"])
    csrf = token(a, "/informativas/")
    for iid in ("9223372036854775808", "99999999999999999999999", "2147483648"):
        for headers in ({}, HTMX):
            r = a.post(f"/informativas/{iid}/{ruta}", data={"csrf_token": csrf}, headers=headers)
            assert r.status_code == 404, (iid, r.status_code)


# -- conflicto(): the row deleted between its two reads -------------------------------------------------------------

def test_conflicto_of_a_complementaria_discarded_meanwhile_is_no_500(app, juegos, monkeypatch):
    """Tab 1's second click of Enviar a firma on a complementaria already sent: enviar reads it again (propia, in
    _ya_hecho) to say where it stands; tab 2's Descartar lands right after that read. A refresh of the deleted row
    would raise (InvalidRequestError): a 500. Now the answer is built from what was read: the complementaria was
    sent, its page (303; gone by the time it loads, which says so)."""
    a, iid, cid = _con_contrato(app, juegos["moral"])
    presentar(a, iid, juegos["moral"])
    nueva = informativa_id(complementar(a, iid))
    assert _enviar(a, nueva).status_code == 303
    csrf = token(a, f"/informativas/{nueva}")
    otra, datos = _clon(app, a), confirmacion(a, nueva, csrf)
    original = informativas.propia
    hecho: dict = {}

    def propia(*args, **kwargs):
        resultado = original(*args, **kwargs)
        if sys._getframe(1).f_code.co_name == "_ya_hecho" and not hecho:
            hecho["descartar"] = None
            h = threading.Thread(target=lambda: hecho.__setitem__("descartar", otra.post(
                f"/informativas/{nueva}/descartar", data=datos).status_code))
            h.start()
            h.join(60)
        return resultado

    monkeypatch.setattr(informativas, "propia", propia)
    r = a.post(f"/informativas/{nueva}/enviar", data={"csrf_token": csrf})
    monkeypatch.undo()
    assert hecho == {"descartar": 303}, hecho
    assert r.status_code == 303, r.status_code


# -- Descartar racing Firmar, Guardar contrato, Cargar, autosave ---------------------------------------------------

def _descartar_en_la_pausa(cliente, iid: int, csrf: str, llego, sigue):
    """A job for _hilos: Descartar, from its confirmation page as it is now, once the other request is paused
    (test_carreras._pausar), then let it go on."""
    datos = confirmacion(cliente, iid, csrf)

    def descartar():
        llego.wait(20)
        try:
            return cliente.post(f"/informativas/{iid}/descartar", data=datos).status_code
        finally:
            sigue.set()
    return descartar


def test_descartar_while_firmar_presents_never_deletes_a_presented_filing(app, juegos, monkeypatch):
    a, iid, cid = _con_contrato(app, juegos["moral"])
    assert _enviar(a, iid).status_code == 303
    firmador, descartador = _clon(app, a), _clon(app, a)
    csrf = token(a, f"/informativas/{iid}")
    llego = threading.Event()
    original = informativas.siguiente_folio

    def siguiente_folio(*args, **kwargs):
        if threading.current_thread().name == "firmar":
            llego.set()
            time.sleep(1.5)  # presentar holds the row (its UPDATE ran): Descartar comes in now
        return original(*args, **kwargs)

    monkeypatch.setattr(informativas, "siguiente_folio", siguiente_folio)
    datos = confirmacion(descartador, iid, csrf)

    def descartar():
        llego.wait(20)
        return descartador.post(f"/informativas/{iid}/descartar", data=datos).status_code

    estados = _hilos(firmar=lambda: firmar(firmador, iid, juegos["moral"]).status_code, descartar=descartar)
    assert estados == {"firmar": 303, "descartar": 409}, estados
    inf, contratos, _ = _filas(app, iid)
    assert inf.estatus == "presentada" and len(contratos) == 1


def test_firmar_after_descartar_answers_409_and_leaves_nothing(app, juegos, monkeypatch):
    a, iid, cid = _con_contrato(app, juegos["moral"])
    assert _enviar(a, iid).status_code == 303
    firmador, descartador = _clon(app, a), _clon(app, a)
    csrf = token(a, f"/informativas/{iid}")
    llego, sigue = _pausar(monkeypatch, informativas, "presentar", "firmar", 20)
    estados = _hilos(firmar=lambda: firmar(firmador, iid, juegos["moral"]).status_code,
                     descartar=_descartar_en_la_pausa(descartador, iid, csrf, llego, sigue))
    assert estados == {"firmar": 409, "descartar": 303}, estados
    with app.app_context():
        db = get_session()
        assert db.get(Informativa, iid) is None
        assert not db.exec(select(Contrato)).all() and not db.exec(select(Trabajador)).all()


def test_guardar_contrato_racing_descartar_is_409_and_leaves_no_contract(app, juegos, monkeypatch):
    a, iid, cid = _con_contrato(app, juegos["moral"])
    guardador, descartador = _clon(app, a), _clon(app, a)
    url = f"/informativas/{iid}/contratos/nuevo"
    datos = {"csrf_token": token(a, url), **CONTRATO, "servicio": str(servicio_id(app)), "objeto": "Otro objeto"}
    from app import contratos as reglas

    llego, sigue = _pausar(monkeypatch, reglas, "validar", "guardar", 5)
    estados = _hilos(guardar=lambda: guardador.post(url, data=datos).status_code,
                     descartar=_descartar_en_la_pausa(descartador, iid, datos["csrf_token"], llego, sigue))
    assert all(isinstance(s, int) and s < 500 for s in estados.values()), estados
    with app.app_context():
        db = get_session()
        if db.get(Informativa, iid) is None:
            assert not db.exec(select(Contrato)).all()
            assert not [b for b in db.exec(select(Borrador)).all() if b.clave.startswith(f"contrato:{iid}:")]


def test_cargar_racing_descartar_is_409_and_leaves_no_preview(app, juegos, monkeypatch):
    a, iid, cid = _con_contrato(app, juegos["moral"])
    cargador, descartador = _clon(app, a), _clon(app, a)
    csrf = token(a, f"/informativas/{iid}/contratos/{cid}/trabajadores")
    from app import carga_masiva

    llego, sigue = _pausar(monkeypatch, carga_masiva, "leer_trabajadores", "cargar", 5)
    datos = cfdi.csv_de(cfdi.filas_de([cfdi.persona(i) for i in range(5)]))

    def cargar():
        import io
        return cargador.post(f"/informativas/{iid}/contratos/{cid}/carga", content_type="multipart/form-data",
                             data={"csrf_token": csrf, "archivo": (io.BytesIO(datos), "t.csv")}).status_code

    estados = _hilos(cargar=cargar, descartar=_descartar_en_la_pausa(descartador, iid, csrf, llego, sigue))
    assert estados == {"cargar": 409, "descartar": 303}, estados
    with app.app_context():
        assert not get_session().exec(select(CargaTrabajadores)).all()


def test_an_autosave_racing_descartar_leaves_no_orphan_draft(app, juegos, monkeypatch):
    """The contract form's autosave (hx-post …/borrador 300 ms after a keystroke) has read the informativa (in
    capture) when another tab's Descartar deletes it with its drafts; the autosave then writes its draft. The
    draft of a deleted informativa is never shown, never cleaned: the contratante's RFC, name, e-mail and phone
    stay stored after 'no se podrán recuperar'. (Datos generales' Descartar had this race: bloquear_borradores.)"""
    a, iid, cid = _con_contrato(app, juegos["moral"])
    autosave, descartador = _clon(app, a), _clon(app, a)
    url = f"/informativas/{iid}/contratos/nuevo"
    csrf = token(a, url)
    from app.informativa import contratos as vistas

    llego, sigue = _pausar(monkeypatch, vistas.EstadoContrato, "guardar_borrador", "autosave", 4)

    def guardar():
        return autosave.post(f"{url}/borrador", headers=HTMX, data={
            "csrf_token": csrf, "rfc_contratante": "XAXX010101000", "nombre_contratante": "SECRETO SA",
            "correo": "privado@cliente.mx", "celular": "5511112222"}).status_code

    estados = _hilos(autosave=guardar, descartar=_descartar_en_la_pausa(descartador, iid, csrf, llego, sigue))
    assert all(isinstance(s, int) and s < 500 for s in estados.values()), estados
    with app.app_context():
        db = get_session()
        if db.get(Informativa, iid) is None:
            huerfanos = [b.clave for b in db.exec(select(Borrador)).all() if b.clave.startswith(f"contrato:{iid}:")]
            assert huerfanos == [], f"drafts of a discarded informativa left behind: {huerfanos}"


def test_double_click_descartar_second_is_not_500(app, juegos):
    a, iid, cid = _con_contrato(app, juegos["moral"])
    csrf = token(a, f"/informativas/{iid}")
    uno, dos, datos = _clon(app, a), _clon(app, a), confirmacion(a, iid, csrf)
    barrera = threading.Barrier(2, timeout=20)

    def clic(c):
        def f():
            barrera.wait()
            return c.post(f"/informativas/{iid}/descartar", data=datos).status_code
        return f

    estados = _hilos(uno=clic(uno), dos=clic(dos))
    # The confirmation's clave_repeticion: the second lands where the first did (tests/test_doble_envio.py).
    assert list(estados.values()) == [303, 303], estados
    with app.app_context():
        assert not get_session().exec(select(Contrato)).all()


def test_descartar_deletes_only_what_its_confirmation_said(app, juegos):
    """A red-team review: the confirmation says "Se eliminarán 1 contrato y 1 trabajador"; another tab adds a
    contract with three workers; "Sí, descartar" deleted all of it. Now: 409, nothing deleted, the page says what it
    holds now and asks again; confirmed from that page, it goes."""
    from .test_informativa import CONTRATO, con_contrato

    a, iid, cid = con_contrato(app, juegos["moral"], trabajadores=(3,))
    datos = confirmacion(a, iid, token(a, f"/informativas/{iid}"))
    assert (datos["contratos"], datos["trabajadores"]) == ("1", "1")
    otra = _clon(app, a)
    url = f"/informativas/{iid}/contratos/nuevo"
    assert otra.post(url, data={"csrf_token": token(otra, url), **CONTRATO, "rfc_contratante": "PEGL850316AB1",
                                "servicio": str(servicio_id(app))}).status_code == 303
    with app.app_context():
        nuevo = get_session().exec(select(Contrato.id).where(Contrato.informativa_id == iid, Contrato.id != cid)).one()
    for i in (40, 41, 42):
        assert _trabajador(otra, iid, nuevo, i=i).status_code == 303

    for headers in ({}, HTMX):
        r = a.post(f"/informativas/{iid}/descartar", data=datos, headers=headers)
        assert r.status_code == 409
        doc = html(r)
        assert "ahora tiene 2 contratos y 4 trabajadores" in doc.select_one(".error-summary").get_text()
        assert "Se eliminarán 2 contratos y 4 trabajadores" in doc.select_one("main").get_text(" ", strip=True)
        assert doc.select_one("title").get_text().startswith("Error: ")
        inf, contratos, _ = _filas(app, iid)
        with app.app_context():
            trabajadores = get_session().exec(select(Trabajador).join(Contrato).where(
                Contrato.informativa_id == iid)).all()
        assert inf is not None and len(contratos) == 2 and len(trabajadores) == 4
    # Counts missing or not numbers (a page from before them, a script): asked again, nothing deleted.
    for malos in ({}, {"contratos": "2", "trabajadores": "x"}, {"contratos": "9" * 40, "trabajadores": "4"}):
        r = a.post(f"/informativas/{iid}/descartar", data={"csrf_token": datos["csrf_token"], **malos})
        assert r.status_code == 409 and _filas(app, iid)[0] is not None
    assert a.post(f"/informativas/{iid}/descartar", data=confirmacion(a, iid, datos["csrf_token"])).status_code == 303
    assert _filas(app, iid)[0] is None
