"""Races a red-team review found (2026-12-02): two requests of one contratista (two tabs: two clients sharing its
session cookie) whose interleaving is pinned by a hook at the point where the real race happens, so that each run
shows the same outcome. Each answered 500, or left Datos generales without the acuse they require:
- a REPSE service edited while another tab deleted it (the edit's write found no row: StaleDataError);
- Cargar, holding its informativa, inserting its preview (whose foreign key locks the contratista's row KEY SHARE)
  while Guardar contrato, holding the contratista's row FOR UPDATE (the drafts' lock), waited for the informativa:
  PostgreSQL's deadlock detector killed one;
- Descartar cambios took no drafts' lock: with Guardar it deleted the acuse Guardar was promoting, and with
  Adjuntar it took the draft and its document in the other order (a deadlock)."""
from __future__ import annotations

import io
import threading
import time

import pytest
from sqlmodel import select

from app.db import get_session
from app.models import DatosGenerales, Documento, ServicioRepse

from . import cfdi
from .conftest import HTMX, token
from .test_datos_generales import pdf
from .test_informativa import CONTRATO, contrato, contrato_id, informativa_id, registrar, servicio, servicio_id
from .test_administracion import preparar
from .test_ingreso import ingresar


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app(request):
    return request.getfixturevalue("sqlite_app" if request.param == "sqlite" else "pg_app")


def _clon(app, client):
    otro = app.test_client()
    otro.set_cookie("session", client.get_cookie("session").value)
    return otro


def _hilos(**trabajos) -> dict:
    """Run each job in its own thread (named by its key); answers {name: status code or the exception}."""
    resultados: dict = {}

    def correr(nombre, trabajo):
        try:
            resultados[nombre] = trabajo()
        except Exception as e:  # noqa: BLE001
            resultados[nombre] = e

    hilos = [threading.Thread(target=correr, args=(n, t), name=n) for n, t in trabajos.items()]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join(60)
    return resultados


# -- Registro REPSE: a service edited in one tab while another tab deletes it -------------------------------------

def test_editar_servicio_mientras_otra_pestana_lo_elimina_no_es_500(app, juegos, monkeypatch):
    a = preparar(app, app.test_client(), juegos["moral"])
    assert servicio(a).status_code == 303
    sid = servicio_id(app)
    csrf = token(a, "/datos-generales/repse")
    editor, borrador_ = _clon(app, a), _clon(app, a)
    en_edicion, eliminado = threading.Event(), threading.Event()

    from app import repse
    original = repse.validar_servicio

    def validar_servicio(*args, **kwargs):
        # The edit has read its service (repse_editar's _servicio) and checks the form: the other tab's Eliminar
        # lands now.
        if threading.current_thread().name == "editar":
            en_edicion.set()
            eliminado.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(repse, "validar_servicio", validar_servicio)

    def editar():
        return editor.post(f"/datos-generales/repse/servicios/{sid}",
                           data={"csrf_token": csrf, "folio": "AR12345/2021-1", "descripcion": "Limpieza"}).status_code

    def eliminar():
        en_edicion.wait(10)
        try:
            return borrador_.post(f"/datos-generales/repse/servicios/{sid}/eliminar",
                                  data={"csrf_token": csrf}).status_code
        finally:
            eliminado.set()

    estados = _hilos(editar=editar, eliminar=eliminar)
    assert estados["eliminar"] == 303, estados
    assert isinstance(estados["editar"], int) and estados["editar"] < 500, estados
    with app.app_context():
        assert get_session().exec(select(ServicioRepse)).all() == []


# -- Informativa: Cargar (a bulk upload) while another tab saves a contract of the same informativa ------------------

def test_cargar_mientras_otra_pestana_guarda_un_contrato_no_es_500(app, juegos, monkeypatch):
    a = preparar(app, app.test_client(), juegos["moral"])
    servicio(a)
    iid = informativa_id(registrar(a))
    assert contrato(a, app, iid).status_code == 303
    cid = contrato_id(app)
    url_contrato = f"/informativas/{iid}/contratos/{cid}"
    datos_contrato = {"csrf_token": token(a, url_contrato), **CONTRATO, "servicio": str(servicio_id(app)),
                      "objeto": "Mantenimiento correctivo"}
    csrf_trab = token(a, f"/informativas/{iid}/contratos/{cid}/trabajadores")
    archivo = cfdi.csv_de(cfdi.filas_de([cfdi.persona(i) for i in range(3)]))
    cargador, guardador = _clon(app, a), _clon(app, a)
    bloqueada = threading.Event()

    from app.informativa import trabajadores as vistas
    original = vistas._bloquear

    def _bloquear(informativa, contrato_):
        original(informativa, contrato_)
        if threading.current_thread().name == "cargar":
            # Cargar holds the informativa (its bloquear) and is about to store its preview; the other tab's
            # Guardar contrato comes in now (a slow database, a large preview: the gap is real, only short).
            bloqueada.set()
            time.sleep(1.5)

    monkeypatch.setattr(vistas, "_bloquear", _bloquear)

    def cargar():
        return cargador.post(f"/informativas/{iid}/contratos/{cid}/carga", content_type="multipart/form-data",
                             data={"csrf_token": csrf_trab, "archivo": (io.BytesIO(archivo), "t.csv")}).status_code

    def guardar():
        bloqueada.wait(10)
        return guardador.post(url_contrato, data=datos_contrato).status_code

    estados = _hilos(cargar=cargar, guardar=guardar)
    assert all(isinstance(s, int) and s < 500 for s in estados.values()), estados


# -- Datos generales: Guardar in one tab, Descartar cambios in another --------------------------------------------

def _contratista_con_acuse_guardado_y_otro_adjunto(app, juegos):
    a = app.test_client()
    ingresar(a, juegos["fisica"])
    a.post("/ingreso/terminos", data={"csrf_token": token(a, "/ingreso/terminos"), "acepto": "y"})
    csrf = token(a, "/datos-generales/")
    datos = {"csrf_token": csrf, "correo": "maria@ejemplo.mx", "celular": "5512345678"}
    assert a.post("/datos-generales/", content_type="multipart/form-data",
                  data={**datos, "acuse": (io.BytesIO(pdf()), "viejo.pdf")}).status_code == 303
    # A new acuse chosen (htmx sends it at once): it waits as the draft's document until Guardar.
    assert a.post("/datos-generales/acuse", content_type="multipart/form-data", headers=HTMX,
                  data={**datos, "acuse": (io.BytesIO(pdf(2)), "nuevo.pdf")}).status_code == 200
    return a, datos


def test_guardar_y_descartar_a_la_vez_nunca_dejan_sin_acuse(app, juegos, monkeypatch):
    a, datos = _contratista_con_acuse_guardado_y_otro_adjunto(app, juegos)
    guardador, descartador = _clon(app, a), _clon(app, a)
    validando, descartado = threading.Event(), threading.Event()

    from app import generales
    original = generales.validar

    def validar(*args, **kwargs):
        if threading.current_thread().name == "guardar":
            validando.set()
            descartado.wait(3)  # SQLite: Descartar waits for Guardar's write lock, so this times out
        return original(*args, **kwargs)

    monkeypatch.setattr(generales, "validar", validar)

    def guardar():
        return guardador.post("/datos-generales/", data={**datos, "telefono_fijo": "5587654321"}).status_code

    def descartar():
        validando.wait(10)
        try:
            return descartador.post("/datos-generales/descartar", data={"csrf_token": datos["csrf_token"]}).status_code
        finally:
            descartado.set()

    estados = _hilos(guardar=guardar, descartar=descartar)
    assert estados == {"guardar": 303, "descartar": 303}, estados
    with app.app_context():
        db = get_session()
        assert db.get(DatosGenerales, 1) is not None
        tipos = [d.tipo for d in db.exec(select(Documento)).all()]
    # Whichever went first, the contratista keeps a saved acuse (the old one, or the new one Guardar took): Guardar
    # never stores Datos generales without the acuse it requires.
    assert tipos == ["acuse_stps"], tipos


def test_adjuntar_y_descartar_a_la_vez_no_es_500(app, juegos, monkeypatch):
    a = app.test_client()
    ingresar(a, juegos["fisica"])
    a.post("/ingreso/terminos", data={"csrf_token": token(a, "/ingreso/terminos"), "acepto": "y"})
    csrf = token(a, "/datos-generales/")
    datos = {"csrf_token": csrf, "correo": "maria@ejemplo.mx", "celular": "5512345678"}
    # A first acuse chosen: the draft and its document exist; the user then chooses another file.
    assert a.post("/datos-generales/acuse", content_type="multipart/form-data", headers=HTMX,
                  data={**datos, "acuse": (io.BytesIO(pdf(2)), "primero.pdf")}).status_code == 200
    adjuntador, descartador = _clon(app, a), _clon(app, a)
    adjuntado = threading.Event()

    from app.datos_generales import routes
    original = routes._recibir_acuse

    def _recibir_acuse(estado):
        original(estado)
        if threading.current_thread().name == "adjuntar":
            adjuntado.set()
            time.sleep(1.5)  # the acuse is written; its draft is written next

    monkeypatch.setattr(routes, "_recibir_acuse", _recibir_acuse)

    def adjuntar():
        return adjuntador.post("/datos-generales/acuse", content_type="multipart/form-data", headers=HTMX,
                               data={**datos, "acuse": (io.BytesIO(pdf()), "acuse.pdf")}).status_code

    def descartar():
        adjuntado.wait(10)
        return descartador.post("/datos-generales/descartar", data={"csrf_token": csrf}).status_code

    estados = _hilos(adjuntar=adjuntar, descartar=descartar)
    assert all(isinstance(s, int) and s < 500 for s in estados.values()), estados
