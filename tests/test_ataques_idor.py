"""Red-team: contratista B (its own valid e.firma) and a capturista of B, with every id of contratista A.

Every informativa URL called with A's ids answers 404 and shows nothing of A; mixed ids (B's own informativa with
A's contract, B's own contract with A's worker or preview) too; a capturista of A and B who changes contratista
mid-flow cannot post a form she got for A into B; a capturista given de baja, with her old cookie, CSRF token and an
htmx fragment, changes nothing and reads nothing."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlmodel import select

from app.db import get_session
from app.models import CargaTrabajadores, Contrato, Informativa, Trabajador

from . import cfdi
from .conftest import HTMX, html, token
from .test_administracion import (ANA, CURP_ANA, CURP_LUIS, activar, alta, entrar_capturista, otro_contratista,
                                  preparar)
from .test_carreras import app  # noqa: F401  (both databases)
from .test_complementarias import complementar
from .test_firma import _enviar, firmar
from .test_informativa import (CONTRATO, _cargar, _trabajador, contrato, informativa_id, registrar, servicio,
                               servicio_id)

SECRETOS = ("Luis Pérez García", "Luis P&eacute;rez", "EDE010101AB1", "ESCUELA DEMO", "PEGL850315")


def _cid(app, iid) -> int:
    with app.app_context():
        return get_session().exec(select(Contrato).where(Contrato.informativa_id == iid)).first().id


def _a_completo(app, juegos):
    """A: a presented Normal (folio), its Corrección in capture (contract, worker, a preview waiting)."""
    a = preparar(app, app.test_client(), juegos["moral"])
    servicio(a)
    iid = informativa_id(registrar(a))
    assert contrato(a, app, iid).status_code == 303
    cid = _cid(app, iid)
    assert _trabajador(a, iid, cid, i=3).status_code == 303
    assert _enviar(a, iid).status_code == 303
    assert firmar(a, iid, juegos["moral"]).status_code == 303
    r = complementar(a, iid)
    assert r.status_code == 303
    nueva = informativa_id(r)
    cid2 = _cid(app, nueva)
    r = _cargar(a, nueva, cid2, "t.csv", cfdi.csv_de(cfdi.filas_de([cfdi.persona(7), cfdi.persona(8)])))
    assert r.status_code == 303
    with app.app_context():
        db = get_session()
        folio = db.get(Informativa, iid).folio
        tid = db.exec(select(Trabajador).where(Trabajador.contrato_id == cid2)).first().id
        carga = db.exec(select(CargaTrabajadores)).one().id
    return a, {"iid": iid, "cid": cid, "nueva": nueva, "cid2": cid2, "tid": tid, "carga": carga, "folio": folio}


def _rutas(ids) -> list[tuple[str, str]]:
    i, n, c, c2, t, k = ids["iid"], ids["nueva"], ids["cid"], ids["cid2"], ids["tid"], ids["carga"]
    base = f"/informativas/{n}/contratos/{c2}"
    rutas = [("GET", f"/informativas/{i}"), ("GET", f"/informativas/{n}"), ("GET", f"/informativas/{n}/revision"),
             ("POST", f"/informativas/{n}/enviar"), ("POST", f"/informativas/{n}/regresar"),
             ("GET", f"/informativas/{i}/firmar"), ("POST", f"/informativas/{i}/firmar"),
             ("GET", f"/informativas/{n}/firmar"), ("POST", f"/informativas/{n}/firmar"),
             ("POST", f"/informativas/{i}/complementaria"), ("GET", f"/informativas/{n}/descartar"),
             ("POST", f"/informativas/{n}/descartar"), ("GET", f"/informativas/{n}/copiar"),
             ("POST", f"/informativas/{n}/copiar/{c}"), ("GET", f"/informativas/{n}/contratos/nuevo"),
             ("POST", f"/informativas/{n}/contratos/nuevo"), ("GET", base), ("POST", base),
             ("POST", f"{base}/borrador"), ("POST", f"{base}/actualizar"), ("POST", f"{base}/descartar"),
             ("POST", f"{base}/domicilio/buscar"), ("POST", f"{base}/domicilio/ubicar"),
             ("POST", f"{base}/domicilio/aceptar"), ("POST", f"{base}/domicilio/cambiar"),
             ("POST", f"/informativas/{n}/contratos/{c2}/eliminar"), ("GET", f"{base}/trabajadores"),
             ("POST", f"{base}/trabajadores"), ("GET", f"{base}/trabajadores/{t}"),
             ("POST", f"{base}/trabajadores/{t}"), ("POST", f"{base}/trabajadores/{t}/eliminar"),
             ("POST", f"{base}/carga"), ("GET", f"{base}/carga/{k}"), ("POST", f"{base}/carga/{k}/agregar"),
             ("GET", f"{base}/carga/{k}/errores.xlsx"), ("GET", f"/acuses/{ids['folio']}.pdf")]
    return rutas


def _datos(cliente, metodo, ruta=""):
    if metodo == "GET":
        return None
    if ruta.endswith("/carga"):  # its view admits 10 parts: the file and the token
        return {"csrf_token": token(cliente, "/informativas/"),
                "archivo": (io.BytesIO(cfdi.csv_de(cfdi.filas_de([cfdi.persona(9)]))), "t.csv")}
    return {"csrf_token": token(cliente, "/informativas/"), "tipo": "correccion", **CONTRATO,
            "nss": cfdi.persona(9).nss, "curp": cfdi.persona(9).curp, "sbc": "450.00", "archivo": (
                io.BytesIO(cfdi.csv_de(cfdi.filas_de([cfdi.persona(9)]))), "t.csv")}


def _sin_huella(app, ids):
    """A's rows as they were: nothing discarded, added, removed, presented."""
    with app.app_context():
        db = get_session()
        assert db.get(Informativa, ids["nueva"]).estatus == "en_captura"
        assert db.get(Informativa, ids["iid"]).estatus == "presentada"
        assert db.get(CargaTrabajadores, ids["carga"]) is not None
        assert db.get(Trabajador, ids["tid"]) is not None
        assert len(db.exec(select(Trabajador).where(Trabajador.contrato_id == ids["cid2"])).all()) == 1
        assert len(db.exec(select(Contrato).where(Contrato.informativa_id == ids["nueva"])).all()) == 1
        a_id = db.get(Informativa, ids["iid"]).contratista_id
        assert len(db.exec(select(Informativa).where(Informativa.contratista_id == a_id)).all()) == 2


def _todas_404(app, cliente, ids, headers=None):
    malas = []
    for metodo, ruta in _rutas(ids):
        for h in ({}, HTMX) if headers is None else (headers,):
            r = cliente.open(ruta, method=metodo, data=_datos(cliente, metodo, ruta), headers=h,
                             content_type="multipart/form-data" if metodo == "POST" else None)
            cuerpo = r.get_data(as_text=True)
            if r.status_code != 404 or any(s in cuerpo for s in SECRETOS):
                malas.append((metodo, ruta, bool(h), r.status_code))
    assert not malas, malas
    _sin_huella(app, ids)


def test_contratista_b_gets_404_on_every_url_with_as_ids(app, juegos):
    _a, ids = _a_completo(app, juegos)
    b = otro_contratista(app, juegos["otra"])
    _todas_404(app, b, ids)
    # B's own lists show nothing of A.
    for ruta in ("/informativas/", "/informativas/historial/2026-2", "/acuses/", "/inicio/tablero"):
        cuerpo = b.get(ruta).get_data(as_text=True)
        assert ids["folio"] not in cuerpo and "Luis Pérez" not in cuerpo, ruta
    libro = load_workbook(io.BytesIO(b.get("/inicio/listado").data))
    assert ids["folio"] not in str([[c.value for c in f] for f in libro.active.iter_rows()])


def test_a_capturista_of_b_gets_404_on_every_url_with_as_ids(app, juegos):
    _a, ids = _a_completo(app, juegos)
    b = otro_contratista(app, juegos["otra"])
    assert alta(b, CURP_ANA, ANA, correo="ana@ejemplo.mx").status_code == 303
    activar(app.test_client(), app)
    cap = app.test_client()
    entrar_capturista(cap, curp=CURP_ANA)
    assert cap.get("/informativas/").status_code == 200
    _todas_404(app, cap, ids)


def test_mixed_ids_b_own_informativa_with_as_contract_worker_and_preview(app, juegos):
    _a, ids = _a_completo(app, juegos)
    b = otro_contratista(app, juegos["otra"])
    servicio(b)
    iid_b = informativa_id(registrar(b))
    url = f"/informativas/{iid_b}/contratos/nuevo"
    with app.app_context():
        sid_b = get_session().exec(select(__import__("app.models", fromlist=["ServicioRepse"]).ServicioRepse)
                                   .order_by(__import__("app.models", fromlist=["ServicioRepse"]).ServicioRepse.id
                                             .desc())).first().id
    assert b.post(url, data={"csrf_token": token(b, url), **CONTRATO, "servicio": str(sid_b)}).status_code == 303
    cid_b = _cid(app, iid_b)
    assert _trabajador(b, iid_b, cid_b, i=20).status_code == 303
    # A's service id in B's contract form: refused next to the field, never stored.
    r = b.post(f"/informativas/{iid_b}/contratos/{cid_b}", data={
        "csrf_token": token(b, url), **CONTRATO, "servicio": str(servicio_id(app))})
    with app.app_context():
        assert get_session().get(Contrato, cid_b).servicio_id == sid_b, r.status_code
    base = f"/informativas/{iid_b}/contratos"
    malas = []
    for metodo, ruta in [("GET", f"{base}/{ids['cid2']}"), ("POST", f"{base}/{ids['cid2']}"),
                         ("POST", f"{base}/{ids['cid2']}/borrador"), ("GET", f"{base}/{ids['cid2']}/trabajadores"),
                         ("POST", f"{base}/{ids['cid2']}/eliminar"),
                         ("GET", f"{base}/{cid_b}/trabajadores/{ids['tid']}"),
                         ("POST", f"{base}/{cid_b}/trabajadores/{ids['tid']}"),
                         ("POST", f"{base}/{cid_b}/trabajadores/{ids['tid']}/eliminar"),
                         ("GET", f"{base}/{cid_b}/carga/{ids['carga']}"),
                         ("POST", f"{base}/{cid_b}/carga/{ids['carga']}/agregar"),
                         ("GET", f"{base}/{cid_b}/carga/{ids['carga']}/errores.xlsx"),
                         ("POST", f"/informativas/{iid_b}/copiar/{ids['cid']}"),
                         ("POST", f"/informativas/{iid_b}/copiar/{ids['cid2']}")]:
        r = b.open(ruta, method=metodo, data=_datos(b, metodo, ruta),
                   content_type="multipart/form-data" if metodo == "POST" else None)
        cuerpo = r.get_data(as_text=True)
        # agregar of a preview that is not this contract's says "ya no está por agregar" (303): it adds nothing.
        permitido = {404} | ({303} if ruta.endswith("/agregar") else set())
        if r.status_code not in permitido or any(s in cuerpo for s in SECRETOS):
            malas.append((metodo, ruta, r.status_code))
    assert not malas, malas
    _sin_huella(app, ids)
    with app.app_context():
        assert len(get_session().exec(select(Trabajador).where(Trabajador.contrato_id == cid_b)).all()) == 1
        borradores = get_session().exec(select(__import__("app.models", fromlist=["Borrador"]).Borrador)).all()
        ajenas = (f"contrato:{ids['nueva']}:", f"contrato:{ids['iid']}:")
        assert not [x for x in borradores if x.clave.startswith(ajenas) and x.contratista_id != 1], borradores


def test_a_capturista_of_a_and_b_switching_mid_flow_posts_nothing_of_a_into_b(app, juegos):
    a, ids = _a_completo(app, juegos)
    assert alta(a, CURP_LUIS).status_code == 303
    cap = app.test_client()
    activar(cap, app)
    b = otro_contratista(app, juegos["otra"])
    servicio(b)
    assert alta(b, CURP_LUIS, correo="Luis@Ejemplo.mx").status_code == 303  # the same mailbox: one account
    entrar_capturista(cap)
    doc = html(cap.get("/ingreso/elegir"))
    aceptar = doc.select_one(".invitaciones form")["action"]
    assert cap.post(aceptar, data={"csrf_token": token(cap, "/ingreso/elegir")}).status_code == 303
    opciones = [o["value"] for o in html(cap.get("/ingreso/elegir")).select("input[name=capturista]")]

    def elegir(i):
        return cap.post("/ingreso/elegir", data={"csrf_token": token(cap, "/ingreso/elegir"), "capturista": opciones[i]})

    # Which option is A's: the one whose informativas list shows A's period.
    elegir(0)
    if str(ids["nueva"]) not in cap.get("/informativas/").get_data(as_text=True):
        opciones.reverse()
        assert cap.post("/ingreso/cambiar", data={"csrf_token": token(cap, "/inicio")}).status_code == 303
        elegir(0)
    # Forms of A opened: Registrar informativa, Agregar trabajador on A's contract, A's contract page.
    registrar_a = html(cap.get("/informativas/"))
    csrf_a = registrar_a.select_one("input[name=csrf_token]")["value"]
    trab_url = f"/informativas/{ids['nueva']}/contratos/{ids['cid2']}/trabajadores"
    assert cap.get(trab_url).status_code == 200
    # Another tab: Cambiar de contratista → B.
    assert cap.post("/ingreso/cambiar", data={"csrf_token": csrf_a}).status_code == 303
    elegir(1)
    assert "OTRA EMPRESA" in html(cap.get("/inicio")).select_one(".perfil").get_text()
    # The old tab posts A's forms with A's token.
    r1 = cap.post("/informativas/", data={"csrf_token": csrf_a, "ejercicio": "2026", "cuatrimestre": "2",
                                          "tipo": "normal"})
    p = cfdi.persona(30)
    r2 = cap.post(trab_url, data={"csrf_token": csrf_a, "nss": p.nss, "curp": p.curp, "sbc": "400.00"})
    r3 = cap.post(trab_url, data={"csrf_token": token(cap, "/informativas/"), "nss": p.nss, "curp": p.curp,
                                  "sbc": "400.00"})
    with app.app_context():
        db = get_session()
        de_b = db.exec(select(Informativa).where(Informativa.contratista_id != db.get(
            Informativa, ids["iid"]).contratista_id)).all()
        assert not db.exec(select(Trabajador).where(Trabajador.nss == p.nss)).all()
    assert r1.status_code == 400 and not de_b, (r1.status_code, de_b)
    assert r2.status_code in (400, 404) and r3.status_code == 404, (r2.status_code, r3.status_code)
    assert "Luis Pérez" not in r3.get_data(as_text=True)


def test_a_capturista_given_de_baja_with_her_old_cookie_token_and_htmx_fragment(app, juegos):
    a, ids = _a_completo(app, juegos)
    assert alta(a, CURP_LUIS).status_code == 303
    cap = app.test_client()
    activar(cap, app)
    entrar_capturista(cap)
    trab_url = f"/informativas/{ids['nueva']}/contratos/{ids['cid2']}/trabajadores"
    csrf = token(cap, trab_url)
    cookie = cap.get_cookie("session").value
    with app.app_context():
        from app.models import Capturista
        rol = get_session().exec(select(Capturista)).one()
    r = a.post(f"/administracion/capturistas/{rol.id}/baja", data={"csrf_token": token(a, "/informativas/")})
    with app.app_context():
        from app.models import Capturista
        assert get_session().get(Capturista, rol.id).estatus != "activo", r.status_code
    viejo = app.test_client()
    viejo.set_cookie("session", cookie)
    p = cfdi.persona(31)
    respuestas = [
        viejo.post(trab_url, data={"csrf_token": csrf, "nss": p.nss, "curp": p.curp, "sbc": "400.00"}),
        viejo.post(trab_url, data={"csrf_token": csrf, "nss": p.nss, "curp": p.curp, "sbc": "400.00"}, headers=HTMX),
        viejo.get(trab_url, headers=HTMX), viejo.get(f"{trab_url}/{ids['tid']}"),
        viejo.post(f"/informativas/{ids['nueva']}/contratos/{ids['cid2']}/domicilio/buscar",
                   data={"csrf_token": csrf, "cp": "06700"}, headers=HTMX),
        viejo.post(f"/informativas/{ids['nueva']}/contratos/{ids['cid2']}/borrador",
                   data={"csrf_token": csrf, "objeto": "escrito tras la baja"}, headers=HTMX),
        viejo.post(f"/informativas/{ids['nueva']}/descartar", data={"csrf_token": csrf}),
        viejo.get(f"/informativas/{ids['nueva']}/contratos/{ids['cid2']}/carga/{ids['carga']}/errores.xlsx"),
    ]
    for r in respuestas:
        cuerpo = r.get_data(as_text=True)
        assert r.status_code in (200, 204, 302, 303, 404) and r.status_code < 500
        assert cfdi.persona(3).nss not in cuerpo and "Luis Pérez" not in cuerpo and not cuerpo.startswith("PK"), \
            (r.status_code, r.request.path)
    _sin_huella(app, ids)
    with app.app_context():
        from app.models import Borrador
        assert not [x for x in get_session().exec(select(Borrador)).all() if "tras la baja" in str(x.datos)]
        assert not get_session().exec(select(Trabajador).where(Trabajador.nss == p.nss)).all()
