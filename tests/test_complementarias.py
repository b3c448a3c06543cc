"""Complementarias (issue 13): a Corrección replaces the period's presented filing, a Sin efectos cancels it; at
most four per period, one under way at a time, each signed with its own folio; the period's history in order."""
from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from app import hora, informativas
from app.db import get_session
from app.models import Contrato, Informativa, Trabajador

from .conftest import html, token
from .test_administracion import otro_contratista
from .test_firma import _enviar, _informativa, firmar, por_firmar  # noqa: F401  (fixture)
from .test_informativa import (CUATRIMESTRE, EJERCICIO, _trabajador, a, app, informativa_id, lista,  # noqa: F401
                               registrar)


def anio(informativa) -> str:
    """The year of the informativa's folio: that of its presentation in Mexico City (a test run on New Year's Day
    presents in 2027 a period of 2026)."""
    return hora.fecha_hora(informativa.presentada)[6:10]


@pytest.fixture
def presentada(por_firmar, juegos):
    a, iid, cid = por_firmar
    assert firmar(a, iid, juegos["moral"]).status_code == 303
    return a, iid, cid


def complementar(client, iid, tipo="correccion"):
    return client.post(f"/informativas/{iid}/complementaria",
                       data={"csrf_token": token(client, f"/informativas/{iid}"), "tipo": tipo})


def presentar(client, iid, juego):
    assert _enviar(client, iid).status_code == 303
    assert firmar(client, iid, juego).status_code == 303


def test_a_correccion_starts_as_a_copy_and_replaces_the_filing(presentada, app, juegos):
    a, iid, cid = presentada
    doc = html(a.get(f"/informativas/{iid}"))
    assert "Te quedan 4 de 4" in doc.select_one("#complementarias-titulo").parent.get_text(" ", strip=True)
    response = complementar(a, iid)
    assert response.status_code == 303
    nueva = informativa_id(response)
    with app.app_context():
        db = get_session()
        correccion = db.get(Informativa, nueva)
        assert (correccion.tipo, correccion.estatus, correccion.vigente, correccion.pendiente,
                correccion.complementa_id) == ("correccion", "en_captura", None, True, iid)
        [copia] = db.exec(select(Contrato).where(Contrato.informativa_id == nueva)).all()
        original = db.get(Contrato, cid)
        assert (copia.rfc_contratante, copia.objeto, copia.servicio_id) == \
            (original.rfc_contratante, original.objeto, original.servicio_id) and copia.id != cid
        assert [(t.nss, t.sbc) for t in db.exec(select(Trabajador).where(Trabajador.contrato_id == copia.id))] == \
            [(t.nss, t.sbc) for t in db.exec(select(Trabajador).where(Trabajador.contrato_id == cid))]
        copia_id = copia.id
    # It is edited like a Normal: one more worker. The filing it corrects is untouched.
    assert _trabajador(a, nueva, copia_id, i=8).status_code == 303
    assert "complementa la informativa" in html(a.get(f"/informativas/{nueva}")).get_text()
    presentar(a, nueva, juegos["moral"])
    corregida, correccion = _informativa(app, iid), _informativa(app, nueva)
    # A folio carries the year it was presented in (Mexico City's), not the period's: 2027 from New Year on.
    assert correccion.folio.startswith(f"ICSOE-C{anio(correccion)}-") and correccion.vigente is True
    assert correccion.pendiente is None and corregida.vigente is None
    assert f"|correccion|{corregida.folio}|1|2|" in correccion.cadena
    with app.app_context():
        db = get_session()
        assert informativas.cadena_reconstruida(db, corregida) == corregida.cadena
        assert informativas.cadena_reconstruida(db, correccion) == correccion.cadena
    texto = html(a.get(f"/informativas/{iid}")).get_text(" ", strip=True)
    assert f"Sustituida por la complementaria de corrección {correccion.folio}" in texto
    assert "Registrar complementaria" not in texto  # only the vigente filing is complemented
    assert complementar(a, iid).status_code == 409
    # The period's history lists both, in order; the corrección can itself be corrected.
    doc = html(a.get(f"/informativas/historial/{EJERCICIO}-{CUATRIMESTRE}"))
    filas = [tr.get_text(" ", strip=True) for tr in doc.select("tbody tr")]
    assert corregida.folio in filas[0] and "Sin efectos o sustituida" in filas[0]
    assert correccion.folio in filas[1] and "Vigente" in filas[1]
    assert "3 de 4" in doc.get_text()
    assert complementar(a, nueva).status_code == 303


def test_a_sin_efectos_cancels_and_the_period_can_be_filed_again(presentada, app, juegos):
    a, iid, _ = presentada
    assert registrar(a).status_code == 422  # the period has its filing
    assert "registra una complementaria" in html(registrar(a)).get_text()
    nueva = informativa_id(complementar(a, iid, "sin_efectos"))
    assert not html(a.get(f"/informativas/{nueva}")).select("#contratos-titulo")
    assert a.get(f"/informativas/{nueva}/contratos/nuevo").status_code == 404
    assert "vencida" not in html(a.get(f"/informativas/{nueva}")).select_one("main").get_text()
    assert _enviar(a, nueva).status_code == 303
    # Past the deadline, but cancelling is not filing late: the Firmar page does not say it will be marked so.
    assert "fuera de plazo" not in html(a.get(f"/informativas/{nueva}/firmar")).select_one("main").get_text()
    assert firmar(a, nueva, juegos["moral"]).status_code == 303
    cancelada, sin_efectos = _informativa(app, iid), _informativa(app, nueva)
    assert sin_efectos.folio.startswith(f"ICSOE-E{anio(sin_efectos)}-") and f"|sin_efectos|{cancelada.folio}|0|0||" in \
        sin_efectos.cadena
    assert cancelada.vigente is None and sin_efectos.vigente is None
    assert cancelada.fuera_de_plazo is True and sin_efectos.fuera_de_plazo is False  # cancelling is not filing late
    assert "Dejada sin efectos por la complementaria" in html(a.get(f"/informativas/{iid}")).get_text()
    # A new Sin información for the same period, then presented: the period's vigente filing.
    otra = informativa_id(registrar(a, tipo="sin_informacion"))
    presentar(a, otra, juegos["moral"])
    assert _informativa(app, otra).vigente is True


def test_at_most_four_per_period(presentada, app, juegos):
    a, iid, _ = presentada
    vigente = iid
    for _ in range(4):
        nueva = informativa_id(complementar(a, vigente))
        presentar(a, nueva, juegos["moral"])
        vigente = nueva
    doc = html(a.get(f"/informativas/{vigente}"))
    assert "Te quedan 0 de 4" in doc.get_text(" ", strip=True) and not doc.select("form[action$=complementaria]")
    response = complementar(a, vigente)
    assert response.status_code == 422
    assert "Ya registraste las 4 complementarias" in html(response).select_one("#tipo-error").get_text()


def test_one_under_way_at_a_time_and_a_discarded_one_gives_its_place_back(presentada, app):
    a, iid, _ = presentada
    nueva = informativa_id(complementar(a, iid))
    response = complementar(a, iid, "sin_efectos")  # a second click, say
    assert response.status_code == 422 and "Ya hay una complementaria en curso" in html(response).get_text()
    # The filing's page leads to the one under way, and offers no form that would be refused.
    for doc in (html(response), html(a.get(f"/informativas/{iid}"))):
        en_curso = doc.select_one(f"#complementarias-titulo ~ .aviso a[href='/informativas/{nueva}']")
        assert en_curso.get_text() == "Complementaria de corrección (en captura)"
    assert not html(a.get(f"/informativas/{iid}")).select(f"form[action='/informativas/{iid}/complementaria']")
    from .test_ataques_descartar import confirmacion
    descartar = a.post(f"/informativas/{nueva}/descartar",
                       data=confirmacion(a, nueva, token(a, f"/informativas/{nueva}")))
    assert descartar.status_code == 303 and descartar.headers["Location"] == f"/informativas/{iid}"
    assert a.get(f"/informativas/{nueva}").status_code == 404
    with app.app_context():
        assert not get_session().exec(select(Contrato).where(Contrato.informativa_id == nueva)).all()
    assert "Te quedan 4 de 4" in html(a.get(f"/informativas/{iid}")).get_text(" ", strip=True)
    # A presented filing is never discarded.
    assert a.post(f"/informativas/{iid}/descartar",
                  data={"csrf_token": token(a, f"/informativas/{iid}")}).status_code == 409


def test_racing_registrations_store_one(presentada, app):
    """Ten requests at once (two tabs, a double click, several nodes): one complementaria, nine refusals, no 500."""
    a, iid, _ = presentada
    csrf = token(a, f"/informativas/{iid}")
    estados, barrera = [], threading.Barrier(10)

    def uno():
        cliente = app.test_client()
        cliente.set_cookie("session", a.get_cookie("session").value)
        barrera.wait()
        estados.append(cliente.post(f"/informativas/{iid}/complementaria",
                                    data={"csrf_token": csrf, "tipo": "correccion"}).status_code)

    hilos = [threading.Thread(target=uno) for _ in range(10)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join()
    assert sorted(estados) == [303] + [422] * 9
    with app.app_context():
        assert informativas.complementarias_usadas(get_session(), _informativa(app, iid).contratista_id,
                                                   int(EJERCICIO), int(CUATRIMESTRE)) == 1


@pytest.mark.parametrize("accion", ["enviar", "regresar"])
def test_a_complementaria_discarded_right_after_its_status_changed_is_no_500(presentada, app, monkeypatch, accion):
    """A red-team review: Enviar a firma (or Regresar a captura) committed the new status and then read the
    informativa again; a Descartar of the same complementaria in another tab, waiting for the row until then,
    deleted it in between, and the read failed: a 500 for a change that was stored."""
    from sqlmodel import Session

    a, iid, _ = presentada
    nueva = informativa_id(complementar(a, iid))
    if accion == "regresar":
        assert a.post(f"/informativas/{nueva}/enviar", data={"csrf_token": token(a, f"/informativas/{nueva}")}) \
            .status_code == 303
    from .test_ataques_descartar import confirmacion
    csrf = token(a, f"/informativas/{nueva}")
    datos = confirmacion(a, nueva, csrf)
    otra = app.test_client()
    otra.set_cookie("session", a.get_cookie("session").value)
    descartada: dict = {}
    commit = Session.commit

    def commit_y_descartar(self):
        commit(self)
        if not descartada and threading.current_thread() is principal:  # the status change is stored: now
            descartada["status"] = None
            hilo = threading.Thread(target=lambda: descartada.__setitem__("status", otra.post(
                f"/informativas/{nueva}/descartar", data=datos).status_code))
            hilo.start()
            hilo.join(30)

    principal = threading.current_thread()
    monkeypatch.setattr(Session, "commit", commit_y_descartar)
    respuesta = a.post(f"/informativas/{nueva}/{accion}", data={"csrf_token": csrf})
    monkeypatch.undo()
    assert descartada == {"status": 303} and respuesta.status_code == 303
    with app.app_context():
        assert get_session().get(Informativa, nueva) is None


def test_another_contratista_gets_404(presentada, app, juegos):
    a, iid, _ = presentada
    nueva = informativa_id(complementar(a, iid))
    otro = otro_contratista(app, juegos["otra"])
    csrf = token(otro, "/informativas/")
    for ruta in (f"/informativas/{iid}/complementaria", f"/informativas/{nueva}/descartar"):
        assert otro.post(ruta, data={"csrf_token": csrf, "tipo": "sin_efectos"}).status_code == 404
    doc = html(otro.get(f"/informativas/historial/{EJERCICIO}-{CUATRIMESTRE}"))
    assert not doc.select("tbody tr") and "No hay informativas" in doc.get_text()
    assert otro.get("/informativas/historial/1999-1").status_code == 404
    assert _informativa(app, nueva).pendiente is True


def test_a_complementaria_type_that_is_not_one_is_refused(presentada):
    a, iid, _ = presentada
    for tipo in ("normal", "", "x" * 5000):
        response = complementar(a, iid, tipo)
        assert response.status_code == 422 and html(response).select_one("#tipo-error")


def test_a_correccion_is_marked_late_only_when_the_filing_it_corrects_was(por_firmar, app, juegos, monkeypatch):
    """informativa.md §1: a Corrección may be presented any time. One presented after the deadline, of a filing
    presented on time, left the period "Presentada fuera de plazo" on Inicio and its acuse; now it is marked as the
    filing it corrects, and Revisar and Firmar say so. Filings marked by the earlier rule (a Corrección by its own
    date; regla_plazo NULL) still verify as they were issued."""
    from datetime import UTC, date, datetime

    from app import presentaciones
    from app.models import utcnow

    a, iid, _ = por_firmar
    monkeypatch.setattr("app.informativa.firma.utcnow", lambda: datetime(2026, 9, 10, 17, 0, tzinfo=UTC))
    assert firmar(a, iid, juegos["moral"]).status_code == 303  # 10/09/2026, before the 17/09/2026 deadline
    monkeypatch.setattr("app.informativa.firma.utcnow", utcnow)
    correccion = informativa_id(complementar(a, iid))
    assert "fuera de plazo" not in html(a.get(f"/informativas/{correccion}/revision")).select_one("main").get_text()
    assert _enviar(a, correccion).status_code == 303
    assert "fuera de plazo" not in html(a.get(f"/informativas/{correccion}/firmar")).select_one("main").get_text()
    assert firmar(a, correccion, juegos["moral"]).status_code == 303
    monkeypatch.setattr("app.hora.hoy", lambda: date(2026, 12, 1))
    filas = {tr.select_one("th").get_text(" ", strip=True): [td.get_text(" ", strip=True) for td in tr.select("td")]
             for tr in html(a.get("/inicio/tablero")).select("#tablero tbody tr")}
    assert filas["Mayo–Agosto 2026"][1] == "Presentada"
    with app.app_context():
        db = get_session()
        guardada = db.get(Informativa, correccion)
        assert (guardada.fuera_de_plazo, guardada.regla_plazo) == (False, 2)
        assert presentaciones.plazo_coherente(db, guardada)
        # As an earlier release stored it (rule 1: late by its own date), it still verifies; flipped, it does not.
        guardada.regla_plazo, guardada.fuera_de_plazo = None, True
        assert presentaciones.plazo_coherente(db, guardada)
        guardada.fuera_de_plazo = False
        assert not presentaciones.plazo_coherente(db, guardada)
        db.rollback()

    # A Corrección of a period whose filing was presented late is late too (through the Corrección in between), and
    # Revisar and Firmar say why.
    otra = informativa_id(complementar(a, correccion))
    with app.app_context():
        db = get_session()
        db.get(Informativa, iid).fuera_de_plazo = True  # as if the period's Normal had been presented late
        db.commit()
    aviso = "La informativa que corriges se presentó fuera de plazo"
    assert aviso in html(a.get(f"/informativas/{otra}/revision")).select_one("main").get_text()
    assert _enviar(a, otra).status_code == 303
    assert aviso in html(a.get(f"/informativas/{otra}/firmar")).select_one("main").get_text()
    assert firmar(a, otra, juegos["moral"]).status_code == 303
    assert _informativa(app, otra).fuera_de_plazo is True


def test_a_correccion_of_an_earlier_releases_correccion_is_on_time_as_the_period(por_firmar, app, juegos, monkeypatch):
    """The period's Normal was presented on time. An earlier release marked its Corrección late by its own date (rule
    1, regla NULL: it keeps that marking and verifies). A Corrección of that Corrección, presented now, copies the
    stale 'late' from the row it corrects: the on-time period reads 'Presentada fuera de plazo' again on Inicio and
    on the new acuse, which is what revision 0015 set out to end ('correcting neither makes an on-time period late')."""
    a, iid, _ = por_firmar
    from datetime import UTC, datetime

    from app import presentaciones
    from app.models import utcnow

    monkeypatch.setattr("app.informativa.firma.utcnow", lambda: datetime(2026, 9, 10, 17, 0, tzinfo=UTC))
    assert firmar(a, iid, juegos["moral"]).status_code == 303  # on time (deadline 17/09/2026)
    monkeypatch.setattr("app.informativa.firma.utcnow", utcnow)
    c1 = informativa_id(complementar(a, iid))
    assert _enviar(a, c1).status_code == 303
    assert firmar(a, c1, juegos["moral"]).status_code == 303
    with app.app_context():
        db = get_session()
        fila = db.get(Informativa, c1)
        fila.regla_plazo, fila.fuera_de_plazo = None, True  # as release 1 stored it (late by its own date)
        db.commit()
        assert presentaciones.plazo_coherente(db, db.get(Informativa, c1))
    c2 = informativa_id(complementar(a, c1))
    assert _enviar(a, c2).status_code == 303
    assert firmar(a, c2, juegos["moral"]).status_code == 303
    with app.app_context():
        assert get_session().get(Informativa, c2).fuera_de_plazo is False, \
            "the period's own filing was on time: its Corrección must not be marked late"
