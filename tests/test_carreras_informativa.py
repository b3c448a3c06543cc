"""Red-team: requests of one informativa at once, released together by a barrier, on SQLite and PostgreSQL:
never a 500, never a duplicate, never a filing sent or signed whose rows differ from what passed Revisar."""
from __future__ import annotations

from sqlmodel import select

from app.db import get_session
from app.models import CargaTrabajadores, Contrato, Informativa, Trabajador

from . import cfdi
from .conftest import token
from .test_ataques_firma import _a_la_vez
from .test_carreras import _clon, app  # noqa: F401  (both databases)
from .test_firma import _enviar, firmar
from .test_informativa import _cargar, con_contrato


def _estados(resultados):
    return [r if isinstance(r, Exception) else r.status_code for r in resultados]


def _sin_500(resultados):
    estados = _estados(resultados)
    assert all(isinstance(e, int) and e < 500 for e in estados), estados
    return estados


def _trabajadores(app, cid):
    with app.app_context():
        return get_session().exec(select(Trabajador).where(Trabajador.contrato_id == cid)).all()


def test_two_tabs_add_the_same_worker_at_once(app, juegos):
    a, iid, cid = con_contrato(app, juegos["moral"])
    url = f"/informativas/{iid}/contratos/{cid}/trabajadores"
    csrf = token(a, url)
    p = cfdi.persona(4)
    clientes = [_clon(app, a) for _ in range(4)]
    resultados = _a_la_vez(*[lambda c=c: c.post(url, data={"csrf_token": csrf, "nss": p.nss, "curp": p.curp,
                                                             "sbc": "450.25"}) for c in clientes])
    estados = _sin_500(resultados)
    assert sorted(estados) == [303, 422, 422, 422], estados
    assert len(_trabajadores(app, cid)) == 1


def test_agregar_carga_twice_at_once_adds_once(app, juegos):
    a, iid, cid = con_contrato(app, juegos["moral"])
    r = _cargar(a, iid, cid, "t.csv", cfdi.csv_de(cfdi.filas_de([cfdi.persona(i) for i in range(5)])))
    url = r.headers["Location"].split("?")[0] + "/agregar"
    csrf = token(a, f"/informativas/{iid}")
    clientes = [_clon(app, a) for _ in range(3)]
    _sin_500(_a_la_vez(*[lambda c=c: c.post(url, data={"csrf_token": csrf}) for c in clientes]))
    assert len(_trabajadores(app, cid)) == 5
    with app.app_context():
        assert get_session().exec(select(CargaTrabajadores)).all() == []


def test_two_cargar_at_once_leave_one_preview_and_no_500(app, juegos):
    a, iid, cid = con_contrato(app, juegos["moral"])
    url = f"/informativas/{iid}/contratos/{cid}/carga"
    datos = [cfdi.csv_de(cfdi.filas_de([cfdi.persona(i)])) for i in (1, 2, 3)]
    clientes = [_clon(app, a) for _ in datos]
    import io
    csrf = token(a, f"/informativas/{iid}/contratos/{cid}/trabajadores")
    _sin_500(_a_la_vez(*[lambda c=c, d=d: c.post(url, content_type="multipart/form-data", data={
        "csrf_token": csrf, "archivo": (io.BytesIO(d), "t.csv")}) for c, d in zip(clientes, datos)]))
    with app.app_context():
        assert len(get_session().exec(select(CargaTrabajadores)).all()) == 1


def test_enviar_while_workers_are_added_sends_what_revisar_saw(app, juegos):
    """Enviar a firma racing Agregar trabajador and Agregar trabajadores: whatever order, the informativa that is
    por firmar has exactly the rows its Revisar passed (then Firmar signs them), and none is added after it."""
    a, iid, cid = con_contrato(app, juegos["moral"], trabajadores=(3,))
    r = _cargar(a, iid, cid, "t.csv", cfdi.csv_de(cfdi.filas_de([cfdi.persona(i) for i in range(10, 15)])))
    agregar = r.headers["Location"].split("?")[0] + "/agregar"
    url = f"/informativas/{iid}/contratos/{cid}/trabajadores"
    csrf = token(a, url)
    p = cfdi.persona(20)
    c1, c2, c3 = (_clon(app, a) for _ in range(3))
    resultados = _a_la_vez(lambda: c1.post(f"/informativas/{iid}/enviar", data={"csrf_token": csrf}),
                           lambda: c2.post(url, data={"csrf_token": csrf, "nss": p.nss, "curp": p.curp,
                                                      "sbc": "450.25"}),
                           lambda: c3.post(agregar, data={"csrf_token": csrf}))
    estados = _sin_500(resultados)
    with app.app_context():
        inf = get_session().get(Informativa, iid)
    antes = len(_trabajadores(app, cid))
    if inf.estatus == "por_firmar":
        assert firmar(a, iid, juegos["moral"]).status_code == 303, estados
        assert len(_trabajadores(app, cid)) == antes


def test_two_complementarias_and_a_descartar_at_once(app, juegos):
    a, iid, cid = con_contrato(app, juegos["moral"], trabajadores=(3,))
    assert _enviar(a, iid).status_code == 303
    assert firmar(a, iid, juegos["moral"]).status_code == 303
    csrf = token(a, f"/informativas/{iid}")
    clientes = [_clon(app, a) for _ in range(4)]
    resultados = _a_la_vez(*[lambda c=c, t=t: c.post(f"/informativas/{iid}/complementaria",
                                                      data={"csrf_token": csrf, "tipo": t})
                             for c, t in zip(clientes, ("correccion", "correccion", "sin_efectos", "correccion"))])
    estados = _sin_500(resultados)
    assert estados.count(303) == 1, estados
    with app.app_context():
        db = get_session()
        nuevas = db.exec(select(Informativa).where(Informativa.complementa_id == iid)).all()
        assert len(nuevas) == 1
        if nuevas[0].tipo == "correccion":
            cids = [c.id for c in db.exec(select(Contrato).where(Contrato.informativa_id == nuevas[0].id)).all()]
            assert len(cids) == 1
            assert len(db.exec(select(Trabajador).where(Trabajador.contrato_id == cids[0])).all()) == 1
