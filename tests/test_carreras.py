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
import re
import threading
import time

import pytest
from sqlmodel import select

from app.db import get_session
from app.models import Capturista, DatosGenerales, Documento, Persona, ServicioRepse

from . import cfdi
from .conftest import HTMX, html, token
from .test_datos_generales import pdf
from .test_informativa import CONTRATO, contrato, contrato_id, informativa_id, registrar, servicio, servicio_id
from .test_administracion import ALTA, CURP_LUIS, alta, entrar_capturista, otro_contratista, preparar
from .test_ingreso import ingresar
from .test_seguridad import cuerpo, outbox


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



def _pausar(monkeypatch, modulo, nombre: str, hilo: str, espera: float = 10) -> tuple[threading.Event, threading.Event]:
    """Make `modulo.nombre`, called in the thread named `hilo`, stop before it runs: (llego, sigue). `llego` is set
    when it is reached; it goes on when `sigue` is set (or after `espera` seconds)."""
    original = getattr(modulo, nombre)
    llego, sigue = threading.Event(), threading.Event()

    def pausado(*args, **kwargs):
        if threading.current_thread().name == hilo:
            llego.set()
            sigue.wait(espera)
        return original(*args, **kwargs)

    monkeypatch.setattr(modulo, nombre, pausado)
    return llego, sigue

# -- Registro REPSE: a service edited in one tab while another tab deletes it -------------------------------------

def test_editar_servicio_mientras_otra_pestana_lo_elimina_no_es_500(app, juegos, monkeypatch):
    a = preparar(app, app.test_client(), juegos["moral"])
    assert servicio(a).status_code == 303
    sid = servicio_id(app)
    csrf = token(a, "/datos-generales/repse")
    editor, borrador_ = _clon(app, a), _clon(app, a)
    from app import repse

    # The edit has read its service (repse_editar's _servicio) and checks the form: the other tab's Eliminar lands.
    en_edicion, eliminado = _pausar(monkeypatch, repse, "validar_servicio", "editar")

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
    from app import generales

    # Descartar waits for Guardar's lock (the drafts' on PostgreSQL, the write lock on SQLite): the pause times out.
    validando, descartado = _pausar(monkeypatch, generales, "validar", "guardar", espera=3)

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


# -- Administración (the same review): Reactivar, Reenviar and an alta reusing a role wrote it back whatever another
# request had written since they read it. Reactivar racing an alta of the same CURP at another mailbox mailed the
# link to the mailbox it had read, for a role that now belonged to the other mailbox's account, whose password that
# link then set (a contratista taking over another's capturista); so did Reenviar racing a baja and an alta. Two
# altas reusing one role both answered 303; two Reactivar at once sent two invitations; a Reenviar racing a baja
# mailed an invitation after it.

def _roles(app):
    with app.app_context():
        return list(get_session().exec(select(Capturista).order_by(Capturista.id)).all())


def _cuenta(app, correo):
    with app.app_context():
        return get_session().exec(select(Persona).where(Persona.correo == correo)).one()


def _enlace_a(app, correo) -> str:
    mensajes = [m for m in outbox(app) if m["To"] == correo]
    return re.search(r"https?://[^/\s]+(/\S+)", cuerpo(mensajes[-1])).group(1)


def test_reactivar_racing_an_alta_never_lets_one_mailbox_set_another_accounts_password(app, juegos, monkeypatch):
    """Contratista A invited CURP X at luis@ (account V, no password yet). Contratista B (the attacker) had X at
    atacante@ (account T), dado de baja. B presses Reactivar and, at the same moment, an alta of X with luis@ (which
    reuses V). Reactivar read the role (baja, account T) before the alta committed, and wrote its nonce after it:
    the link mailed to atacante@ now names a pending role whose account is V."""
    a = preparar(app, app.test_client(), juegos["moral"])
    b = otro_contratista(app, juegos["otra"])
    assert alta(a, CURP_LUIS, correo="luis@ejemplo.mx").status_code == 303
    assert alta(b, CURP_LUIS, correo="atacante@ejemplo.mx").status_code == 303
    rol_b = _roles(app)[1]
    assert b.post(f"/administracion/capturistas/{rol_b.id}/baja",
                  data={"csrf_token": token(b, ALTA)}).status_code == 303
    v = _cuenta(app, "luis@ejemplo.mx")
    assert v.password_hash is None

    csrf = token(b, ALTA)
    reactivador, altador = _clon(app, b), _clon(app, b)
    from app import capturistas

    # The view has read the role (dado de baja) and its account (T); the alta runs now.
    leido, alta_hecha = _pausar(monkeypatch, capturistas, "reactivar", "reactivar", espera=15)

    def hacer_reactivar():
        return reactivador.post(f"/administracion/capturistas/{rol_b.id}/reactivar",
                                data={"csrf_token": csrf}).status_code

    def hacer_alta():
        leido.wait(15)
        try:
            return alta(altador, CURP_LUIS, correo="luis@ejemplo.mx").status_code
        finally:
            alta_hecha.set()

    estados = _hilos(reactivar=hacer_reactivar, alta=hacer_alta)
    assert all(isinstance(s, int) and s < 500 for s in estados.values()), estados
    rol = _roles(app)[1]

    # The attacker's mailbox received a link (Reactivar's invitation to atacante@): used now.
    url = _enlace_a(app, "atacante@ejemplo.mx")
    atacante = app.test_client()
    frase = "tortuga violeta cruza montanas"
    r = atacante.post(url, data={"csrf_token": token(atacante, url) if atacante.get(url).status_code == 200 else "",
                                 "contrasena": frase, "confirmacion": frase})
    tomada = _cuenta(app, "luis@ejemplo.mx").password_hash is not None
    # Then the attacker signs in with X's CURP and that password: luis@'s account, with A's pending invitation.
    entro_en_a = False
    if tomada:
        assert entrar_capturista(atacante, frase) == "/ingreso/elegir"
        rol_a = _roles(app)[0]
        r = atacante.post(f"/ingreso/invitaciones/{rol_a.id}/aceptar",
                          data={"csrf_token": token(atacante, "/ingreso/elegir?cambiar=1")})
        entro_en_a = r.status_code == 303 and _roles(app)[0].estatus == "activo"
    # The rule: a link sets the password of the account whose mailbox received it. luis@'s account must still have
    # no password set by atacante@'s link, and the attacker never answers A's invitation to luis@.
    assert not tomada, f"the link mailed to atacante@ set the password of luis@'s account (then accepted A's " \
                       f"invitation and works for A: {entro_en_a})"


def test_two_altas_reactivating_one_role_with_different_emails_answer_as_one_would(app, juegos, monkeypatch):
    a = preparar(app, app.test_client(), juegos["moral"])
    assert alta(a, CURP_LUIS, correo="luis@ejemplo.mx").status_code == 303
    rol = _roles(app)[0]
    assert a.post(f"/administracion/capturistas/{rol.id}/baja",
                  data={"csrf_token": token(a, ALTA)}).status_code == 303
    csrf = token(a, ALTA)
    # Validar's names, as the browser posts them with Guardar.
    doc = html(a.post(f"{ALTA}/validar", data={"csrf_token": csrf, "curp": CURP_LUIS}))
    nombres = [doc.select_one(f"#{n}").get("value", "") for n in ("nombres", "primer_apellido", "segundo_apellido")]
    uno, otro = _clon(app, a), _clon(app, a)
    barrera = threading.Barrier(2, timeout=15)

    from app import capturistas
    original = capturistas.cuenta

    def cuenta(*args, **kwargs):
        # dar_de_alta has read the role (dado de baja) and checked it; the other alta has too.
        if threading.current_thread().name in ("uno", "otro"):
            barrera.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(capturistas, "cuenta", cuenta)

    def guardar(cliente, correo):
        return lambda: cliente.post(ALTA, data={"csrf_token": csrf, "curp": CURP_LUIS, "nombres": nombres[0],
                                                "primer_apellido": nombres[1], "segundo_apellido": nombres[2],
                                                "rol": "Capturista", "telefono": "5598765432", "correo": correo,
                                                "confirmar_correo": correo}).status_code

    antes = len(outbox(app))
    estados = _hilos(uno=guardar(uno, "uno@ejemplo.mx"), otro=guardar(otro, "otro@ejemplo.mx"))
    nuevos = outbox(app)[antes:]
    vivos = {m["To"]: app.test_client().get(re.search(r"https?://[^/\s]+(/\S+)", cuerpo(m)).group(1)).status_code
             for m in nuevos}
    rol = _roles(app)[0]
    with app.app_context():
        duena = get_session().get(Persona, rol.persona_id).correo
    assert all(isinstance(s, int) and s < 500 for s in estados.values()), estados
    # As one would: the first reactivates, the second is told the CURP is already a capturista (pending).
    assert sorted(estados.values()) == [303, 422], estados


def _reenviar_en_pausa(app, cliente, rol_id, monkeypatch, mientras):
    """Reenviar of `rol_id`, paused after the view checked the role is pending and before it writes the new nonce;
    `mientras()` runs in that gap."""
    from app import capturistas

    leido, hecho = _pausar(monkeypatch, capturistas, "renovar_invitacion", "reenviar", espera=15)
    csrf = token(cliente, ALTA)
    reenviador = _clon(app, cliente)

    def reenviar():
        return reenviador.post(f"/administracion/capturistas/{rol_id}/reenviar", data={"csrf_token": csrf}).status_code

    def otro():
        leido.wait(15)
        try:
            return mientras()
        finally:
            hecho.set()

    return _hilos(reenviar=reenviar, mientras=otro)


def test_reenviar_racing_a_baja_sends_no_invitation_after_the_baja(app, juegos, monkeypatch):
    a = preparar(app, app.test_client(), juegos["moral"])
    assert alta(a, CURP_LUIS, correo="luis@ejemplo.mx").status_code == 303
    rol = _roles(app)[0]
    otro = _clon(app, a)
    antes = len(outbox(app))
    estados = _reenviar_en_pausa(app, a, rol.id, monkeypatch, lambda: otro.post(
        f"/administracion/capturistas/{rol.id}/baja", data={"csrf_token": token(otro, ALTA)}).status_code)
    despues = _roles(app)[0]
    nuevos = [m["To"] for m in outbox(app)[antes:]]
    assert all(isinstance(s, int) and s < 500 for s in estados.values()), estados
    assert despues.estatus == "baja"
    # The baja clears the invitation and its links die; nothing invites the person after it.
    assert despues.invitacion is None and nuevos == [], (despues.invitacion, nuevos)


def test_reenviar_racing_a_baja_and_an_alta_never_lets_one_mailbox_set_another_accounts_password(app, juegos,
                                                                                              monkeypatch):
    a = preparar(app, app.test_client(), juegos["moral"])
    b = otro_contratista(app, juegos["otra"])
    assert alta(a, CURP_LUIS, correo="luis@ejemplo.mx").status_code == 303  # A's invitation: account V
    assert alta(b, CURP_LUIS, correo="atacante@ejemplo.mx").status_code == 303  # B's: account T
    rol_b = _roles(app)[1]
    otro = _clon(app, b)

    def baja_y_alta():
        r1 = otro.post(f"/administracion/capturistas/{rol_b.id}/baja",
                       data={"csrf_token": token(otro, ALTA)}).status_code
        r2 = alta(otro, CURP_LUIS, correo="luis@ejemplo.mx").status_code
        return r1, r2

    estados = _reenviar_en_pausa(app, b, rol_b.id, monkeypatch, baja_y_alta)
    assert all(isinstance(s, (int, tuple)) for s in estados.values()), estados
    url = _enlace_a(app, "atacante@ejemplo.mx")
    atacante = app.test_client()
    frase = "tortuga violeta cruza montanas"
    if atacante.get(url).status_code == 200:
        atacante.post(url, data={"csrf_token": token(atacante, url), "contrasena": frase, "confirmacion": frase})
    assert _cuenta(app, "luis@ejemplo.mx").password_hash is None, \
        "the link mailed to atacante@ set the password of luis@'s account"


def test_two_reactivar_at_once_invite_once(app, juegos, monkeypatch):
    a = preparar(app, app.test_client(), juegos["moral"])
    assert alta(a, CURP_LUIS, correo="luis@ejemplo.mx").status_code == 303
    rol = _roles(app)[0]
    assert a.post(f"/administracion/capturistas/{rol.id}/baja", data={"csrf_token": token(a, ALTA)}).status_code == 303
    csrf = token(a, ALTA)
    barrera = threading.Barrier(2, timeout=15)
    from app import capturistas
    original = capturistas.reactivar

    def reactivar(*args, **kwargs):
        if threading.current_thread().name in ("uno", "dos"):
            barrera.wait()  # both have read the role: dado de baja
        return original(*args, **kwargs)

    monkeypatch.setattr(capturistas, "reactivar", reactivar)
    uno, dos = _clon(app, a), _clon(app, a)
    antes = len(outbox(app))
    estados = _hilos(**{n: (lambda c=c: c.post(f"/administracion/capturistas/{rol.id}/reactivar",
                                               data={"csrf_token": csrf}).status_code)
                        for n, c in (("uno", uno), ("dos", dos))})
    nuevos = outbox(app)[antes:]
    assert all(isinstance(s, int) and s < 500 for s in estados.values()), estados
    enlaces_ = [re.search(r"https?://[^/\s]+(/\S+)", cuerpo(m)).group(1) for m in nuevos]
    vivos = [u for u in enlaces_ if app.test_client().get(u).status_code == 200]
    assert len(nuevos) == 1, "one reactivación, one invitation (the other mail's link is dead)"
