"""The acuse de presentación (a red-team review): its PDF content, its public verification through the real flows
(Corrección, Sin efectos, Sin información), and who can see which acuse."""
from __future__ import annotations

import io
import json

from pypdf import PdfReader
from sqlmodel import select

from app import acuse_presentacion as ap
from app.db import get_session
from app.models import Capturista, Trabajador

from .conftest import html, token
from .test_administracion import CURP_LUIS, PASSWORD, activar, alta, entrar_capturista, otro_contratista
from .test_complementarias import complementar, presentar, presentada  # noqa: F401
from .test_firma import _informativa, por_firmar  # noqa: F401
from .test_informativa import _trabajador, a, app, informativa_id, lista, registrar  # noqa: F401


def _verificar(cliente, folio, sello):
    return cliente.get("/acuses/verificar", query_string={"folio": folio, "sello": sello[:8]})


def _resumen(response) -> dict:
    return {d.select_one("dt").get_text(): d.select_one("dd").get_text(" ", strip=True)
            for d in html(response).select("dl.resumen div")}


def test_pdf_has_what_the_readme_lists_and_no_worker_data(presentada, app):
    a, iid, _cid = presentada
    inf = _informativa(app, iid)
    pdf = a.get(f"/acuses/{inf.folio}.pdf")
    leido = ap.leer(pdf.data)
    texto = " ".join(leido.texto.split())
    for esperado in (inf.folio, "Fecha y hora de presentación", "hora de la Ciudad de México",
                     "Presentada fuera de plazo", inf.rfc_firmante, inf.nombre_firmante, "Mayo–Agosto 2026",
                     "Normal", "Número de contratos: 1", "Número de trabajadores: 1", f"{inf.folio}-001",
                     "Cadena original", "Sello digital", inf.cert_serial, "/acuses/verificar"):
        assert esperado in texto, esperado
    # the cadena and the sello are printed whole (line breaks aside)
    plano = "".join(leido.texto.split())
    assert "".join(inf.cadena.split()) in plano and inf.sello in plano
    with app.app_context():
        trabajadores = get_session().exec(select(Trabajador)).all()
    bruto = pdf.data + json.dumps(leido.datos).encode()
    for t in trabajadores:
        for dato in (t.nss, t.curp):
            assert dato not in leido.texto and dato.encode() not in bruto
    # only embedded fonts
    reader = PdfReader(io.BytesIO(pdf.data))
    for page in reader.pages:
        for f in page["/Resources"]["/Font"].values():
            f = f.get_object()
            desc = f.get("/FontDescriptor") or f["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            desc = desc.get_object()
            assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), f


def test_verificacion_publica_no_muestra_datos_de_trabajadores_ni_contratantes(presentada, app):
    a, iid, _cid = presentada
    inf = _informativa(app, iid)
    r = _verificar(app.test_client(), inf.folio, inf.sello)
    assert r.status_code == 200 and "es auténtico" in r.get_data(as_text=True)
    cuerpo = r.get_data(as_text=True)
    with app.app_context():
        db = get_session()
        trabajadores = db.exec(select(Trabajador)).all()
        from app.models import Contrato
        contratos = db.exec(select(Contrato)).all()
    for t in trabajadores:
        assert t.nss not in cuerpo and t.curp not in cuerpo and str(t.sbc) not in cuerpo
    for c in contratos:
        assert c.rfc_contratante not in cuerpo
    assert inf.cadena[:40] not in cuerpo and inf.sello[8:30] not in cuerpo


def test_correccion_presentada_la_original_sigue_autentica_y_dice_sustituida(presentada, app, juegos):
    a, iid, _cid = presentada
    nueva = informativa_id(complementar(a, iid))
    with app.app_context():
        from app.models import Contrato
        copia = get_session().exec(select(Contrato).where(Contrato.informativa_id == nueva)).one().id
    assert _trabajador(a, nueva, copia, i=8).status_code == 303
    presentar(a, nueva, juegos["moral"])
    original, correccion = _informativa(app, iid), _informativa(app, nueva)
    cliente = app.test_client()
    r = _verificar(cliente, original.folio, original.sello)
    assert r.status_code == 200 and "es auténtico" in r.get_data(as_text=True), r.get_data(as_text=True)
    assert _resumen(r)["Situación"].startswith(f"Sustituida por la complementaria de corrección con folio {correccion.folio}")
    r = _verificar(cliente, correccion.folio, correccion.sello)
    assert r.status_code == 200 and "es auténtico" in r.get_data(as_text=True)
    resumen = _resumen(r)
    assert resumen["Folio de la informativa que complementa"] == original.folio
    assert resumen["Situación"].startswith("Vigente") and resumen["Trabajadores"] == "2"
    # Corrección: late as the filing it corrects (late)
    assert resumen["Plazo"] == "Presentada fuera de plazo"
    leido = ap.leer(a.get(f"/acuses/{correccion.folio}.pdf").data)
    assert "Folio de la informativa que complementa" in leido.texto and original.folio in leido.texto
    assert "Complementaria de corrección" in leido.texto


def test_sin_efectos_y_nueva_sin_informacion(presentada, app, juegos):
    a, iid, _cid = presentada
    nueva = informativa_id(complementar(a, iid, "sin_efectos"))
    presentar(a, nueva, juegos["moral"])
    otra = informativa_id(registrar(a, tipo="sin_informacion"))
    presentar(a, otra, juegos["moral"])
    cliente = app.test_client()
    original, se, si = _informativa(app, iid), _informativa(app, nueva), _informativa(app, otra)
    for inf, situacion in ((original, f"Dejada sin efectos por la complementaria con folio {se.folio}"),
                           (se, f"Deja sin efectos la informativa con folio {original.folio}"),
                           (si, "Vigente")):
        r = _verificar(cliente, inf.folio, inf.sello)
        assert r.status_code == 200 and "es auténtico" in r.get_data(as_text=True), inf.folio
        assert _resumen(r)["Situación"].startswith(situacion), _resumen(r)
    assert _resumen(_verificar(cliente, se.folio, se.sello))["Plazo"] == "Presentada en plazo"
    # the list: newest first, all four kinds
    filas = [tr.select("td")[0].get_text() for tr in html(a.get("/acuses/")).select("tbody tr")]
    assert filas == [si.folio, se.folio, original.folio]
    for inf in (se, si):
        leido = ap.leer(a.get(f"/acuses/{inf.folio}.pdf").data)
        assert "Número de contratos: 0" in leido.texto and "Contratos informados" not in leido.texto


# -- who sees which acuse ----------------------------------------------------------------------------------------

def _capturista_de_los_dos(app, a, juegos):
    """LUIS: capturista of A (the presented filing's contratista) and of B (OTRA EMPRESA), signed in and working
    for B. Returns (his client, B's client)."""
    luis = app.test_client()
    alta(a, CURP_LUIS)
    activar(luis, app)
    otro = otro_contratista(app, juegos["otra"])
    assert alta(otro, CURP_LUIS, correo="Luis@Ejemplo.mx").status_code == 303
    luis.post("/ingreso/capturista", data={"csrf_token": token(luis, "/"), "curp": CURP_LUIS, "password": PASSWORD})
    doc = html(luis.get("/ingreso/elegir"))
    aceptar = doc.select_one(".invitaciones form")["action"]
    luis.post(aceptar, data={"csrf_token": token(luis, "/ingreso/elegir")})
    doc = html(luis.get("/ingreso/elegir"))
    opciones = doc.select("input[name=capturista]")
    with app.app_context():
        roles = {str(c.id): c.contratista_id for c in get_session().exec(select(Capturista)).all()}
    return luis, otro, opciones, roles


def test_capturista_de_dos_contratistas_solo_ve_los_acuses_del_que_eligio(presentada, app, juegos):
    a, iid, _cid = presentada
    inf = _informativa(app, iid)
    luis, _otro, opciones, roles = _capturista_de_los_dos(app, a, juegos)
    de_b = next(o["value"] for o in opciones if roles[o["value"]] != inf.contratista_id)
    r = luis.post("/ingreso/elegir", data={"csrf_token": token(luis, "/ingreso/elegir"), "capturista": de_b})
    assert r.status_code == 303
    assert inf.folio not in luis.get("/acuses/").get_data(as_text=True)
    assert luis.get(f"/acuses/{inf.folio}.pdf").status_code == 404
    assert luis.head(f"/acuses/{inf.folio}.pdf").status_code == 404


def test_capturista_dado_de_baja_ya_no_descarga_acuses(presentada, app):
    a, iid, _cid = presentada
    inf = _informativa(app, iid)
    luis = app.test_client()
    alta(a, CURP_LUIS)
    activar(luis, app)
    entrar_capturista(luis)
    assert luis.get(f"/acuses/{inf.folio}.pdf").status_code == 200
    with app.app_context():
        rol = get_session().exec(select(Capturista)).one().id
    url = f"/administracion/capturistas/{rol}/baja"
    a.post(url, data={"csrf_token": token(a, url)})
    assert luis.get(f"/acuses/{inf.folio}.pdf").status_code == 303
    assert luis.get("/acuses/").status_code == 303


def test_otro_contratista_con_su_efirma_no_obtiene_el_pdf_por_ningun_camino(presentada, app, juegos):
    a, iid, _cid = presentada
    inf = _informativa(app, iid)
    otro = otro_contratista(app, juegos["otra"])
    for url in (f"/acuses/{inf.folio}.pdf", f"/acuses/{inf.folio.lower()}.pdf", f"/acuses/{iid}.pdf",
                f"/acuses/{inf.folio}.pdf?contratista={inf.contratista_id}", f"/acuses/{inf.folio}%2Epdf",
                f"/acuses/{inf.folio}.PDF"):
        r = otro.get(url)
        assert r.status_code == 404, url
        assert b"%PDF" not in r.data


def test_editar_el_servicio_repse_despues_de_presentar_no_invalida_el_acuse(presentada, app):
    """The contratista edits the REPSE service a presented contract uses (its folio is in the cadena): refused, and
    the acuse stays authentic."""
    from app.models import ServicioRepse
    a, iid, _cid = presentada
    inf = _informativa(app, iid)
    with app.app_context():
        sid = get_session().exec(select(ServicioRepse)).first().id
    url = f"/datos-generales/repse/servicios/{sid}"
    r = a.post(url, data={"csrf_token": token(a, url), "folio": "AR99999/2021-9", "descripcion": "Otro servicio"})
    assert r.status_code in (409, 422)
    r = _verificar(app.test_client(), inf.folio, inf.sello)
    assert "es auténtico" in r.get_data(as_text=True)


def test_el_mismo_acuse_da_los_mismos_bytes_para_contratista_y_capturista(presentada, app):
    a, iid, _cid = presentada
    inf = _informativa(app, iid)
    primero = a.get(f"/acuses/{inf.folio}.pdf")
    assert primero.data == a.get(f"/acuses/{inf.folio}.pdf").data
    luis = app.test_client()
    alta(a, CURP_LUIS)
    activar(luis, app)
    entrar_capturista(luis)
    suyo = luis.get(f"/acuses/{inf.folio}.pdf")
    assert suyo.data == primero.data
    assert suyo.headers["Cache-Control"] == "private, no-store"
    assert suyo.headers["Content-Disposition"] == f'attachment; filename="acuse-{inf.folio}.pdf"'
    meta = PdfReader(io.BytesIO(primero.data)).metadata
    assert meta.creation_date.replace(tzinfo=None) == inf.presentada.replace(tzinfo=None, microsecond=0)
