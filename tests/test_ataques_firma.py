"""Red-team attacks on Firmar y presentar and complementarias (issue 13): each test performs one attack, on SQLite
and PostgreSQL (the `app` fixture of test_informativa is parametrized). The ones that failed when written name the
defect they show."""
from __future__ import annotations

import io
import threading

import pytest
from flask import request
from sqlalchemy import update
from sqlmodel import select

from app import informativas
from app.db import get_session
from app.models import Contrato, FolioConsecutivo, Informativa, Trabajador

from .conftest import html, token
from .test_administracion import otro_contratista
from .test_ataques_descartar import confirmacion
from .test_complementarias import complementar, presentada, presentar  # noqa: F401  (fixture)
from .test_firma import _enviar, _informativa, firmar, por_firmar  # noqa: F401  (fixture)
from .test_informativa import (CUATRIMESTRE, EJERCICIO, _trabajador, a, app, contrato, informativa_id,  # noqa: F401
                               lista, registrar)


def _clon(app, client):
    """Another client (another tab, another node) with the same session cookie."""
    otro = app.test_client()
    otro.set_cookie("session", client.get_cookie("session").value)
    return otro


def _a_la_vez(*acciones):
    """Run each callable in its own thread, released together; their results in order."""
    barrera, resultados = threading.Barrier(len(acciones)), [None] * len(acciones)

    def correr(i, accion):
        barrera.wait()
        try:
            resultados[i] = accion()
        except BaseException as e:  # noqa: BLE001  (reported by the assertion below)
            resultados[i] = e

    hilos = [threading.Thread(target=correr, args=(i, accion)) for i, accion in enumerate(acciones)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join()
    return resultados


def _vigentes(app, contratista_id):
    with app.app_context():
        return get_session().exec(select(Informativa).where(
            Informativa.contratista_id == contratista_id, Informativa.ejercicio == int(EJERCICIO),
            Informativa.cuatrimestre == int(CUATRIMESTRE), Informativa.vigente == True)).all()  # noqa: E712


# -- Racing Firmar y presentar -------------------------------------------------------------------------------------

def test_two_firmar_at_once_present_once_with_one_number(por_firmar, app, juegos):
    """Two tabs (or a double click reaching two nodes) sign one informativa at once: one 303, one 409, no 500, one
    folio; the next filing takes the very next number."""
    a, iid, _ = por_firmar
    clientes = [_clon(app, a) for _ in range(4)]
    estados = _a_la_vez(*[(lambda c=c: firmar(c, iid, juegos["moral"]).status_code) for c in clientes])
    assert sorted(estados) == [303, 409, 409, 409], estados
    informativa = _informativa(app, iid)
    assert informativa.estatus == "presentada" and informativa.folio.endswith("-000001")
    with app.app_context():
        [consecutivo] = get_session().exec(select(FolioConsecutivo)).all()
        assert consecutivo.ultimo == 1


def test_what_is_signed_is_what_the_firmar_page_showed(por_firmar, app, juegos):
    """A red-team review: the contratista opens Firmar y presentar ("Lo que vas a firmar": 1 worker); in another tab
    a capturista presses Regresar a captura, adds three workers and sends it again; then the contratista presses
    Firmar y presentar on the page she read. It presented the 4 workers under her e.firma. Now her POST carries
    the fingerprint of what her page showed: 409, nothing presented, and the page shows what it holds now; signed
    from that page, it is presented."""
    from .conftest import html
    from .test_firma import revisado
    from .test_informativa import _trabajador

    a, iid, cid = por_firmar
    leida = revisado(a, iid)
    nada_cambio = firmar(a, iid, juegos["moral"], revisado=leida, password="no-es-la-contrasena")
    assert nada_cambio.status_code == 422 and "cambió" not in html(nada_cambio).select_one(".error-summary").get_text()
    assert "Trabajadores 1" in html(a.get(f"/informativas/{iid}/firmar")).select_one("dl.resumen").get_text(" ")
    otra = _clon(app, a)
    assert otra.post(f"/informativas/{iid}/regresar",
                     data={"csrf_token": token(otra, f"/informativas/{iid}")}).status_code == 303
    for i in (11, 12, 13):
        assert _trabajador(otra, iid, cid, i=i, sbc="999.99").status_code == 303
    assert _enviar(otra, iid).status_code == 303

    # A wrong password on the page read before: the e.firma's message, and beside it that the content changed.
    response = firmar(a, iid, juegos["moral"], revisado=leida, password="no-es-la-contrasena")
    assert response.status_code == 422
    errores = html(response).select_one(".error-summary").get_text()
    assert "cambió desde que abriste esta página" in errores and "contraseña" in errores.lower()
    assert html(response).select_one("input[name=revisado]")["value"] != leida
    assert _informativa(app, iid).folio is None

    response = firmar(a, iid, juegos["moral"], revisado=leida)
    assert response.status_code == 409
    doc = html(response)
    assert "cambió desde que abriste esta página" in doc.select_one(".error-summary").get_text()
    assert "Trabajadores 4" in doc.select_one("dl.resumen").get_text(" ")
    assert doc.select_one("input[name=revisado]")["value"] == revisado(a, iid) != leida
    assert doc.select_one("title").get_text().startswith("Error: ")
    informativa = _informativa(app, iid)
    assert informativa.estatus == "por_firmar" and informativa.folio is None
    # Without any fingerprint (a form from before it, or a script): the same.
    assert firmar(a, iid, juegos["moral"], revisado="").status_code == 409
    assert _informativa(app, iid).folio is None
    # Regresar and Enviar again with nothing changed: the page read before still shows what is signed.
    actual = revisado(a, iid)
    assert otra.post(f"/informativas/{iid}/regresar",
                     data={"csrf_token": token(otra, f"/informativas/{iid}")}).status_code == 303
    assert _enviar(otra, iid).status_code == 303
    assert firmar(a, iid, juegos["moral"], revisado=actual).status_code == 303
    assert _informativa(app, iid).estatus == "presentada"


def test_a_change_while_the_key_signs_is_refused_by_the_fingerprint_too(por_firmar, app, juegos, monkeypatch):
    """The fingerprint is checked on the content the key signs: a change that lands between the page's GET and
    the signature (Regresar, a worker, Enviar in another tab) presents nothing."""
    from app import efirma_web

    from .test_informativa import _trabajador

    a, iid, cid = por_firmar
    otra = _clon(app, a)
    verificar = efirma_web.verificar

    def cambiar_y_verificar(*args, **kwargs):
        assert otra.post(f"/informativas/{iid}/regresar",
                         data={"csrf_token": token(otra, f"/informativas/{iid}")}).status_code == 303
        assert _trabajador(otra, iid, cid, i=14).status_code == 303
        assert _enviar(otra, iid).status_code == 303
        return verificar(*args, **kwargs)

    import app.informativa.firma as vista
    monkeypatch.setattr(vista.efirma_web, "verificar", cambiar_y_verificar)
    assert firmar(a, iid, juegos["moral"]).status_code == 409
    monkeypatch.undo()
    assert _informativa(app, iid).folio is None


def test_firmar_against_regresar_never_500(por_firmar, app, juegos):
    a, iid, _ = por_firmar
    csrf = token(a, f"/informativas/{iid}")
    firma, regreso = _a_la_vez(lambda: firmar(_clon(app, a), iid, juegos["moral"]).status_code,
                               lambda: _clon(app, a).post(f"/informativas/{iid}/regresar",
                                                          data={"csrf_token": csrf}).status_code)
    informativa = _informativa(app, iid)
    assert (firma, regreso) in ((303, 409), (409, 303)), (firma, regreso)
    assert (informativa.estatus == "presentada") == (firma == 303)
    assert (informativa.folio is not None) == (firma == 303)


def test_firmar_against_descartar_of_a_complementaria(presentada, app, juegos):
    a, iid, cid = presentada
    nueva = informativa_id(complementar(a, iid))
    presentar_listo = _enviar(a, nueva)
    assert presentar_listo.status_code == 303
    datos = confirmacion(a, nueva, token(a, f"/informativas/{nueva}"))
    firma, descarte = _a_la_vez(lambda: firmar(_clon(app, a), nueva, juegos["moral"]).status_code,
                                lambda: _clon(app, a).post(f"/informativas/{nueva}/descartar",
                                                           data=datos).status_code)
    # A Firmar that arrives after the Descartar finds no informativa: 404.
    assert (firma, descarte) in ((303, 409), (409, 303), (404, 303)), (firma, descarte)
    original = _informativa(app, iid)
    with app.app_context():
        correccion = get_session().get(Informativa, nueva)
    if firma == 303:
        assert original.vigente is None and correccion.vigente is True
    else:
        assert original.vigente is True and correccion is None
    assert len(_vigentes(app, original.contratista_id)) == 1


def test_descartar_while_the_complementaria_is_being_signed_is_no_500(presentada, app, juegos, monkeypatch):
    """The contratista signs a Corrección in one tab; in another (or a capturista) Descartar complementaria lands
    after the e.firma was checked and before informativas.presentar's UPDATE. Found: presentar rolls back (which
    expires the informativa), the refusal page reloads the deleted row: ObjectDeletedError, a 500 (seen too with
    real threads on PostgreSQL, test_firmar_against_descartar_of_a_complementaria)."""
    a, iid, _ = presentada
    nueva = informativa_id(complementar(a, iid))
    assert _enviar(a, nueva).status_code == 303
    datos = confirmacion(a, nueva, token(a, f"/informativas/{nueva}"))
    otra = _durante(monkeypatch, "presentar", lambda: _clon(app, a).post(f"/informativas/{nueva}/descartar",
                                                                          data=datos).status_code)
    response = firmar(a, nueva, juegos["moral"])
    assert otra.terminar()[1:] == [303]
    assert response.status_code in (404, 409), response.status_code
    assert _informativa(app, iid).vigente is True and _informativa(app, nueva) is None


# -- Registering a complementaria while another is being presented ------------------------------------------------

class _Durante(list):
    """What the other request answered (after `terminar()`), as [True, answer]."""

    hilo: threading.Thread | None = None

    def terminar(self) -> _Durante:
        if self.hilo is not None:
            self.hilo.join(60)
            assert not self.hilo.is_alive()
        return self


def _durante(monkeypatch, funcion, otra_peticion, despues=False):
    """Run `otra_peticion` (another tab / node, in another thread) the first time a POST calls
    `informativas.<funcion>`, just before it runs (`despues`: just after): the interleaving a race can give. This
    request goes on once the other has answered, or after 3 s when the other waits for a lock this one holds
    (which is how a correct fix serializes them); `terminar()` waits for the other's answer."""
    original = getattr(informativas, funcion)
    hecho = _Durante()

    def otra():
        try:
            hecho.append(otra_peticion())
        except BaseException as e:  # noqa: BLE001
            hecho.append(e)

    def envuelta(*args, **kwargs):
        resultado = original(*args, **kwargs) if despues else None
        if not hecho and request.method == "POST":
            hecho.append(True)
            hecho.hilo = threading.Thread(target=otra)
            hecho.hilo.start()
            hecho.hilo.join(3)
        return resultado if despues else original(*args, **kwargs)

    monkeypatch.setattr(informativas, funcion, envuelta)
    return hecho


@pytest.mark.parametrize("tipo", ["sin_efectos", "correccion"])
def test_a_complementaria_registered_while_another_is_presented_must_not_name_a_replaced_filing(
        presentada, app, juegos, monkeypatch, tipo):
    """A Corrección of the period's filing is por firmar. The contratista signs it in one tab (or node) while, in
    another, Registrar complementaria of the same filing is pressed: that request read the filing as vigente before
    the Corrección was presented, and inserts after it (its `pendiente` no longer blocks). Found: a complementaria
    of a filing that is no longer vigente is stored; it can never be presented (presentar refuses it with 'la
    informativa cambió mientras la firmabas', forever) and it holds one of the period's four places."""
    a, iid, _ = presentada
    correccion = informativa_id(complementar(a, iid))
    assert _enviar(a, correccion).status_code == 303
    otra = _durante(monkeypatch, "complementarias_usadas",
                    lambda: firmar(_clon(app, a), correccion, juegos["moral"]).status_code)
    response = complementar(a, iid, tipo)
    assert otra.terminar()[1:] == [303]  # the Corrección was presented meanwhile (or right after)
    assert response.status_code in (409, 422), response.status_code
    with app.app_context():
        colgadas = get_session().exec(select(Informativa).where(Informativa.complementa_id == iid,
                                                                Informativa.pendiente == True)).all()  # noqa: E712
    assert colgadas == []


def test_no_fifth_complementaria_when_the_fourth_is_filed_meanwhile(presentada, app, juegos, monkeypatch):
    """Three complementarias presented. One request (Registrar complementaria of the vigente filing) counts three;
    before it inserts, another tab or node registers the fourth, sends it and signs it (the request stalled: a
    loaded node, a slow database). Found: the stalled request then inserts a fifth complementaria, since neither
    the count nor the filing's vigencia is checked again under the insert. The same root cause as the test above,
    with a much wider window (here only to show the count is not guarded)."""
    a, iid, _ = presentada
    vigente = iid
    for _ in range(3):
        nueva = informativa_id(complementar(a, vigente))
        presentar(a, nueva, juegos["moral"])
        vigente = nueva

    def cuarta_completa():
        otro = _clon(app, a)
        cuarta = informativa_id(complementar(otro, vigente, "sin_efectos"))
        assert _enviar(otro, cuarta).status_code == 303
        return firmar(otro, cuarta, juegos["moral"]).status_code

    otra = _durante(monkeypatch, "complementarias_usadas", cuarta_completa, despues=True)
    response = complementar(a, vigente, "sin_efectos")
    otra.terminar()
    # Either this request or the other tab's registration is the fourth (the other one is refused), never both.
    assert response.status_code in (303, 409, 422), response.status_code
    assert (response.status_code == 303) != (otra[1:] == [303]), (response.status_code, otra)
    contratista_id = _informativa(app, iid).contratista_id
    with app.app_context():
        assert informativas.complementarias_usadas(get_session(), contratista_id, int(EJERCICIO),
                                                   int(CUATRIMESTRE)) == informativas.MAX_COMPLEMENTARIAS


# -- Scoping ---------------------------------------------------------------------------------------------------------

def test_a_complementa_id_of_another_contratista_shows_nothing_of_it(presentada, app, juegos):
    """If a complementaria's stored complementa_id ever named another contratista's filing (a bad restore, a manual
    fix gone wrong), its page must not show that filing's folio nor link to it (every query scoped). Found: the
    page reads the complemented row with an unscoped session.get and shows the other company's folio."""
    a, iid, _ = presentada
    nueva = informativa_id(complementar(a, iid))
    otro = otro_contratista(app, juegos["otra"])
    ajena = informativa_id(registrar(otro, tipo="sin_informacion"))
    assert _enviar(otro, ajena).status_code == 303
    assert firmar(otro, ajena, juegos["otra"]).status_code == 303
    folio_ajeno = _informativa(app, ajena).folio
    with app.app_context():
        db = get_session()
        db.execute(update(Informativa.__table__).where(Informativa.__table__.c.id == nueva)
                   .values(complementa_id=ajena))
        db.commit()
    response = a.get(f"/informativas/{nueva}")
    assert response.status_code in (200, 404)
    assert folio_ajeno not in response.get_data(as_text=True)
    assert f"/informativas/{ajena}\"" not in response.get_data(as_text=True)
    with app.app_context():
        # Nor does the cadena it would sign name it.
        db = get_session()
        datos = informativas.datos_cadena(db, db.get(Informativa, nueva), juegos["moral"].rfc, "X")
        assert datos.complementa != folio_ajeno


# -- Complementarias: what held --------------------------------------------------------------------------------------

def test_sin_efectos_then_a_new_normal_then_its_correccion(presentada, app, juegos):
    a, iid, cid = presentada
    sin_efectos = informativa_id(complementar(a, iid, "sin_efectos"))
    presentar(a, sin_efectos, juegos["moral"])
    nueva = informativa_id(registrar(a))
    assert contrato(a, app, nueva).status_code == 303
    with app.app_context():
        ncid = get_session().exec(select(Contrato).where(Contrato.informativa_id == nueva)).one().id
    assert _trabajador(a, nueva, ncid).status_code == 303
    presentar(a, nueva, juegos["moral"])
    assert complementar(a, iid).status_code == 409  # the cancelled one is not complemented
    correccion = informativa_id(complementar(a, nueva))
    presentar(a, correccion, juegos["moral"])
    c = _informativa(app, correccion)
    assert c.vigente is True and f"|correccion|{_informativa(app, nueva).folio}|" in c.cadena
    assert [i.id for i in _vigentes(app, c.contratista_id)] == [correccion]
    doc = html(a.get(f"/informativas/historial/{EJERCICIO}-{CUATRIMESTRE}"))
    assert len(doc.select("tbody tr")) == 4 and "2 de 4" in doc.get_text()


def test_editing_the_correccion_never_touches_the_original(presentada, app, juegos):
    a, iid, cid = presentada
    nueva = informativa_id(complementar(a, iid))
    with app.app_context():
        db = get_session()
        copia = db.exec(select(Contrato).where(Contrato.informativa_id == nueva)).one()
        [trabajador] = db.exec(select(Trabajador).where(Trabajador.contrato_id == copia.id)).all()
        [suyo] = db.exec(select(Trabajador).where(Trabajador.contrato_id == cid)).all()
        copia_id, tid, suyo_id = copia.id, trabajador.id, suyo.id
    # Mixed ids: the Corrección's URL with the original's contract or worker.
    csrf = token(a, f"/informativas/{nueva}")
    assert a.post(f"/informativas/{nueva}/contratos/{cid}/eliminar", data={"csrf_token": csrf}).status_code == 404
    assert a.post(f"/informativas/{nueva}/contratos/{copia_id}/trabajadores/{suyo_id}/eliminar",
                  data={"csrf_token": csrf}).status_code == 404
    assert a.post(f"/informativas/{nueva}/contratos/{copia_id}/trabajadores/{tid}/eliminar",
                  data={"csrf_token": csrf}).status_code == 303
    assert contrato(a, app, nueva, clave=str(copia_id), objeto="Otro objeto").status_code == 303
    assert a.post(f"/informativas/{nueva}/contratos/{copia_id}/eliminar", data={"csrf_token": csrf}).status_code == 303
    original = _informativa(app, iid)
    with app.app_context():
        assert informativas.cadena_reconstruida(get_session(), original) == original.cadena


def test_a_presented_informativa_refuses_every_change(presentada, app):
    a, iid, cid = presentada
    with app.app_context():
        tid = get_session().exec(select(Trabajador).where(Trabajador.contrato_id == cid)).one().id
    csrf = token(a, f"/informativas/{iid}")
    base = f"/informativas/{iid}"
    rutas = [f"{base}/contratos/{cid}/eliminar", f"{base}/contratos/{cid}/trabajadores/{tid}/eliminar",
             f"{base}/enviar", f"{base}/regresar", f"{base}/descartar", f"{base}/copiar/{cid}",
             f"{base}/contratos/{cid}/borrador", f"{base}/contratos/nuevo/borrador",
             f"{base}/contratos/{cid}/actualizar"]
    for ruta in rutas:
        assert a.post(ruta, data={"csrf_token": csrf}).status_code == 409, ruta
    assert contrato(a, app, iid).status_code == 409
    assert contrato(a, app, iid, clave=str(cid), objeto="Otro").status_code == 409
    assert _trabajador(a, iid, cid, i=7).status_code == 409
    assert a.post(f"{base}/contratos/{cid}/trabajadores/{tid}", data={
        "csrf_token": csrf, "nss": "12345678903", "curp": "X", "sbc": "500"}).status_code == 409
    assert a.post(f"{base}/contratos/{cid}/carga", data={
        "csrf_token": csrf, "archivo": (io.BytesIO(b"nss,curp,sbc\n"), "t.csv")},
        content_type="multipart/form-data").status_code == 409
    original = _informativa(app, iid)
    with app.app_context():
        assert informativas.cadena_reconstruida(get_session(), original) == original.cadena


def test_a_multipart_bomb_to_firmar_is_413(por_firmar, app):
    a, iid, _ = por_firmar
    csrf = token(a, f"/informativas/{iid}")
    grande = a.post(f"/informativas/{iid}/firmar", data={
        "csrf_token": csrf, "password": "x", "cer": (io.BytesIO(b"0" * 300_000), "a.cer"),
        "key": (io.BytesIO(b"0"), "a.key")}, content_type="multipart/form-data")
    assert grande.status_code == 413
    partes = {f"c{i}": "x" for i in range(5000)}
    muchas = a.post(f"/informativas/{iid}/firmar", data={"csrf_token": csrf, **partes},
                    content_type="multipart/form-data")
    assert muchas.status_code in (413, 422)
    assert _informativa(app, iid).estatus == "por_firmar"


def test_historial_with_numbers_out_of_range(a):
    for ruta in ("99999999999999999999-2", "2147483647-2", "2026-2147483647", "2026-0", "-1-2", "2026--1",
                 "0-0", "2020-3"):
        assert a.get(f"/informativas/historial/{ruta}").status_code == 404, ruta


def test_copying_a_large_filing_is_quick(presentada, app):
    """A Corrección of a filing with 20 contracts of 3,000 workers each (60,000 rows): copied in a few seconds, every
    worker copied once, the original untouched."""
    import time
    from datetime import datetime, timezone
    from decimal import Decimal

    from sqlalchemy import insert

    a, iid, cid = presentada
    with app.app_context():
        db = get_session()
        original = db.get(Informativa, iid)
        base = db.get(Contrato, cid)
        ahora = datetime.now(timezone.utc)
        for n in range(20):
            c = Contrato(**base.model_dump(exclude={"id", "clave_alta", "creado", "actualizado"}))
            db.add(c)
            db.flush()
            db.execute(insert(Trabajador.__table__), [
                {"contrato_id": c.id, "nss": f"{n:02d}{k:09d}", "curp": "RATJ600421HDFMRN06", "sbc": Decimal("300.00"),
                 "nombre": "X", "origen": "manual", "creado": ahora} for k in range(3000)])
        db.commit()
        inicio = time.monotonic()
        nueva = informativas.registrar_complementaria(db, original, "correccion")
        duracion = time.monotonic() - inicio
        copiados = db.exec(select(Trabajador).join(Contrato, Contrato.id == Trabajador.contrato_id)
                           .where(Contrato.informativa_id == nueva.id)).all()
        assert len(copiados) == 60_001
    assert duracion < 10, duracion


def test_only_the_vigente_presented_filing_is_complemented(lista, app, juegos):
    """In capture, por firmar, a complementaria itself before it is presented, a Sin efectos once presented, the
    filing a Corrección replaced: 409, nothing stored."""
    a, iid, cid = lista
    assert complementar(a, iid).status_code == 409  # in capture
    assert _trabajador(a, iid, cid).status_code == 303
    assert _enviar(a, iid).status_code == 303
    assert complementar(a, iid).status_code == 409  # por firmar
    assert firmar(a, iid, juegos["moral"]).status_code == 303
    sin_efectos = informativa_id(complementar(a, iid, "sin_efectos"))
    assert complementar(a, sin_efectos).status_code == 409  # a complementaria in capture
    presentar(a, sin_efectos, juegos["moral"])
    for cual in (iid, sin_efectos):
        assert complementar(a, cual).status_code == 409
    with app.app_context():
        assert informativas.complementarias_usadas(get_session(), _informativa(app, iid).contratista_id,
                                                   int(EJERCICIO), int(CUATRIMESTRE)) == 1


def test_two_successes_of_one_credential_at_once_never_deadlock(app):
    """limiter.acierto of two attempts of one certificate from one address, at once (what two Firmar y presentar, or
    two Validar, of the same e.firma do): each forgets the other's rows too. Found on PostgreSQL: two DELETEs each,
    rows locked crosswise, 'deadlock detected', a 500 for one of the requests."""
    from datetime import timedelta

    from sqlmodel import Session as OrmSession

    from app import limiter
    from app.models import IntentoFallido, utcnow

    reglas = {"efirma-ip:1.2.3.4": limiter.Regla(100, timedelta(minutes=15)),
              "cer:abc@1.2.3.4": limiter.Regla(5, timedelta(minutes=15)),
              "cer:abc": limiter.Regla(10, timedelta(minutes=15), retraso=0.0)}
    engine = app.extensions["engine"]
    for _ in range(25):
        sesiones = [OrmSession(engine, expire_on_commit=False) for _ in range(3)]
        intentos = [limiter.intentar(s, reglas, utcnow()) for s in sesiones]
        resultados = _a_la_vez(*[(lambda s=s, i=i: limiter.acierto(s, i, olvidar=["cer:abc@1.2.3.4"]))
                                 for s, i in zip(sesiones, intentos)])
        for s in sesiones:
            s.close()
        assert not [r for r in resultados if isinstance(r, BaseException)], resultados
    with OrmSession(engine) as s:
        assert not s.exec(select(IntentoFallido).where(IntentoFallido.clave.like("cer:abc%"))).all()


@pytest.mark.parametrize("pausa", [0.0, 0.2])
def test_firmar_racing_regresar_presents_only_what_the_page_showed(por_firmar, app, juegos, pausa):
    """With the fingerprint checked only on what the key signs (one reading of the content): the POST against the
    capturista's Regresar + a new worker + Enviar in another tab, released together or 0.2 s apart. Whatever wins,
    a presented informativa reports what the contratista's page showed and its rows still give the signed cadena;
    no 500 (a review's race, both databases)."""
    import time

    from .test_firma import revisado

    a, iid, cid = por_firmar
    leida, otra = revisado(a, iid), _clon(app, a)

    def cambiar():
        time.sleep(pausa)
        r = otra.post(f"/informativas/{iid}/regresar", data={"csrf_token": token(otra, f"/informativas/{iid}")})
        return (r.status_code, _trabajador(otra, iid, cid, i=20, sbc="999.99").status_code,
                _enviar(otra, iid).status_code)

    estado, otros = _a_la_vez(lambda: firmar(a, iid, juegos["moral"], revisado=leida).status_code, cambiar)
    assert estado in (303, 409) and 500 not in otros, (estado, otros)
    with app.app_context():
        db = get_session()
        informativa = db.get(Informativa, iid)
        assert (informativa.estatus == "presentada") == (estado == 303), (estado, otros)
        if estado == 303:
            assert informativas.huella_contenido(db, informativa) == leida
            assert informativas.cadena_reconstruida(db, informativa) == informativa.cadena
