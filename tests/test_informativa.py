"""The informativa cuatrimestral through the routes (issue 12): Registro REPSE, informativas, contracts with the
shared address locator, workers one by one and from files (CSV, XLSX, ZIP of payroll CFDIs), Revisar and Enviar a
firma; every URL scoped to the contratista, for it and for its capturistas."""
from __future__ import annotations

import io
from decimal import Decimal
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from app.db import get_session
from app.models import Borrador, Contrato, Informativa, ServicioRepse, Trabajador

from . import cfdi
from .conftest import HTMX, html, token
from .test_administracion import activar, alta, entrar_capturista, otro_contratista, preparar, CURP_LUIS

# The second cuatrimestre of 2026 (May-August) has ended (today is after it): it can be sent.
EJERCICIO, CUATRIMESTRE = "2026", "2"
EN_PERIODO = "2026-06-15"
RFC_CONTRATANTE_MORAL = cfdi.rfc_con_digito("CLI0102033A")  # a persona moral contratante
RFC_CONTRATANTE_FISICA = cfdi.rfc_con_digito("PEGL850315H4")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app(request):
    """Every test here on both databases (PostgreSQL enforces the column sizes, the numeric SBC, the constraints)."""
    return request.getfixturevalue("sqlite_app" if request.param == "sqlite" else "pg_app")


@pytest.fixture
def a(app, client, juegos):
    return preparar(app, client, juegos["moral"])


def servicio(client, folio="AR12345/2021-1", descripcion="Mantenimiento de instalaciones eléctricas"):
    client.post("/datos-generales/repse", data={"csrf_token": token(client, "/datos-generales/repse"),
                                                "folio": "AR12345/2021", "fecha_registro": "2021-06-01"})
    return client.post("/datos-generales/repse/servicios", data={
        "csrf_token": token(client, "/datos-generales/repse"), "servicio-folio": folio,
        "servicio-descripcion": descripcion})


def registrar(client, tipo="normal", ejercicio=EJERCICIO, cuatrimestre=CUATRIMESTRE):
    return client.post("/informativas/", data={"csrf_token": token(client, "/informativas/"), "ejercicio": ejercicio,
                                               "cuatrimestre": cuatrimestre, "tipo": tipo})


def informativa_id(response) -> int:
    return int(re.search(r"/informativas/(\d+)", response.headers["Location"]).group(1))


def servicio_id(app) -> int:
    with app.app_context():
        return get_session().exec(select(ServicioRepse)).first().id


CONTRATO = {"rfc_contratante": RFC_CONTRATANTE_FISICA, "nombre_contratante": "Luis Pérez García",
            "correo": "compras@cliente.mx", "celular": "5512345678", "objeto": "Mantenimiento preventivo",
            "fecha_inicio": EN_PERIODO, "fecha_termino": ""}


def contrato(client, app, iid, clave="nuevo", headers=None, **cambios):
    url = f"/informativas/{iid}/contratos/{clave}"
    data = {"csrf_token": token(client, url), **CONTRATO, "servicio": str(servicio_id(app)), **cambios}
    return client.post(url, data=data, headers=headers or {})


def contrato_id(app, rfc=RFC_CONTRATANTE_FISICA) -> int:
    with app.app_context():
        return get_session().exec(select(Contrato).where(Contrato.rfc_contratante == rfc)).one().id


@pytest.fixture
def lista(a, app):
    """A Normal informativa of an ended period with one contract (a persona física contratante): (client, ids)."""
    servicio(a)
    iid = informativa_id(registrar(a))
    assert contrato(a, app, iid).status_code == 303
    return a, iid, contrato_id(app)


# -- Registro REPSE ------------------------------------------------------------------------------------------------

def test_registro_repse_and_its_services(a, app):
    response = a.post("/datos-generales/repse", data={"csrf_token": token(a, "/datos-generales/repse"),
                                                      "folio": "AR 123#", "fecha_registro": "2019-01-01"})
    doc = html(response)
    assert response.status_code == 422 and doc.select_one("#folio-error") and doc.select_one("#fecha_registro-error")
    assert doc.title.get_text().startswith("Error:")
    assert servicio(a).status_code == 303
    response = servicio(a)  # the same folio twice
    doc = html(response)
    assert response.status_code == 422 and "Ya registraste" in doc.select_one("#servicio-folio-error").get_text()
    assert doc.select_one(".error-summary a")["href"] == "#servicio-folio"
    # Both forms have a "folio": every id is unique and each label names its own input (two id="folio" once gave
    # the registration's input both labels and the service's none).
    ids = [e["id"] for e in doc.select("[id]")]
    assert len(ids) == len(set(ids))
    assert {label["for"] for label in doc.select("label[for]")} <= {e["id"] for e in doc.select("input[id], textarea[id]")}
    doc = html(a.get("/datos-generales/repse"))
    assert doc.select_one("#folio")["value"] == "AR12345/2021"
    assert "Mantenimiento de instalaciones eléctricas" in doc.select_one("#servicios table").get_text()
    sid = servicio_id(app)
    response = a.post(f"/datos-generales/repse/servicios/{sid}", data={
        "csrf_token": token(a, "/datos-generales/repse"), "folio": "AR12345/2021-1", "descripcion": "Limpieza"})
    assert response.status_code == 303
    with app.app_context():
        assert get_session().get(ServicioRepse, sid).descripcion == "Limpieza"



def test_services_without_the_registration_cannot_be_sent_to_sign(a, app):
    """Services typed under Registro REPSE but the registration (folio, fecha) never saved: Revisar blocks Enviar a
    firma (the law asks for the registration; it passed)."""
    a.post("/datos-generales/repse/servicios", data={
        "csrf_token": token(a, "/datos-generales/repse"), "servicio-folio": "AR12345/2021-1",
        "servicio-descripcion": "Limpieza"})
    iid = informativa_id(registrar(a))
    assert contrato(a, app, iid).status_code == 303
    assert _trabajador(a, iid, contrato_id(app)).status_code == 303
    errores = html(a.get(f"/informativas/{iid}/revision")).select_one(".error-summary").get_text(" ", strip=True)
    assert "tu folio REPSE, su fecha de registro" in errores
    assert a.post(f"/informativas/{iid}/enviar", data={"csrf_token": token(a, f"/informativas/{iid}")}
                  ).status_code == 422

def test_a_service_a_contract_uses_cannot_be_removed(lista, app):
    a, _iid, _cid = lista
    sid = servicio_id(app)
    response = a.post(f"/datos-generales/repse/servicios/{sid}/eliminar",
                      data={"csrf_token": token(a, "/datos-generales/repse")})
    assert response.status_code == 409 and "lo usa el contrato" in response.get_data(as_text=True)
    servicio(a, folio="AR12345/2021-2", descripcion="Otro")
    with app.app_context():
        otro = get_session().exec(select(ServicioRepse).where(ServicioRepse.folio == "AR12345/2021-2")).one().id
    assert a.post(f"/datos-generales/repse/servicios/{otro}/eliminar",
                  data={"csrf_token": token(a, "/datos-generales/repse")}).status_code == 303


# -- Informativas --------------------------------------------------------------------------------------------------

def test_one_normal_or_sin_informacion_per_period(a, app):
    assert registrar(a).status_code == 303
    for tipo in ("normal", "sin_informacion"):
        response = registrar(a, tipo=tipo)
        assert response.status_code == 422
        assert "Ya registraste una informativa Normal" in html(response).select_one("#cuatrimestre-error").get_text()
        # Each radio of the group says it is invalid (an accessibility review: some screen readers read only that).
        radios = html(response).select("input[name=cuatrimestre]")
        assert radios and all(r.get("aria-invalid") == "true" for r in radios)
        assert not any(r.get("aria-invalid") for r in html(response).select("input[name=tipo]"))
    assert registrar(a, tipo="sin_informacion", cuatrimestre="1").status_code == 303
    doc = html(a.get("/informativas/"))
    filas = [[td.get_text(" ", strip=True) for td in tr.select("td")] for tr in doc.select("tbody tr")]
    assert filas[0][:3] == ["Mayo–Agosto 2026", "Normal", "En captura"]
    assert filas[0][5].startswith("17/09/2026")  # 17 September 2026 is a Thursday
    assert filas[1][:2] == ["Enero–Abril 2026", "Sin información"]
    assert filas[1][5].startswith("18/05/2026")  # the 17th is a Sunday: the next business day



def test_a_first_filing_registered_with_the_wrong_type_is_discarded_and_registered_again(lista, app, juegos):
    """A Normal registered by mistake (the form's default) for a period with no contracts could never be sent, and
    the period took no Sin información: the only way out was to sign a wrong return. A first filing never presented
    is discarded, with its contracts and workers, after a page that says what goes; the period is free again. A
    presented one, or another contratista's, is not."""
    from .test_administracion import otro_contratista

    a, iid, cid = lista
    assert _trabajador(a, iid, cid).status_code == 303
    url = f"/informativas/{iid}/descartar"
    enlace = html(a.get(f"/informativas/{iid}")).select_one(f"a[href^='{url}']")
    assert enlace.get_text() == "Descartar informativa" and "?repeticion=" in enlace["href"]
    pagina = html(a.get(url)).select_one("main").get_text(" ", strip=True)
    assert "¿Descartar la informativa Normal de Mayo–Agosto 2026?" in pagina
    assert "Se eliminarán 1 contrato y 1 trabajador" in pagina
    otro = otro_contratista(app, juegos["fisica"])
    assert otro.get(url).status_code == 404
    assert otro.post(url, data={"csrf_token": token(otro, "/informativas/")}).status_code == 404
    confirmado = {c["name"]: c["value"] for c in html(a.get(url)).select("form input[type=hidden]")}
    assert (confirmado["contratos"], confirmado["trabajadores"]) == ("1", "1")  # what it says will go
    response = a.post(url, data=confirmado)
    assert response.status_code == 303 and response.headers["Location"] == "/informativas/"
    assert "Se descartó la informativa normal de Mayo–Agosto 2026" in html(a.get("/informativas/")).get_text()
    assert a.get(f"/informativas/{iid}").status_code == 404
    with app.app_context():
        db = get_session()
        assert db.get(Contrato, cid) is None and not db.exec(select(Trabajador)).all()
    # The period takes the right type now; once sent to be signed it can still be discarded, once presented not.
    sin = informativa_id(registrar(a, tipo="sin_informacion"))
    assert a.post(f"/informativas/{sin}/enviar", data={"csrf_token": token(a, url)}).status_code == 303
    from .test_firma import firmar
    assert firmar(a, sin, juegos["moral"]).status_code == 303
    assert not html(a.get(f"/informativas/{sin}")).select(f"a[href^='/informativas/{sin}/descartar']")
    response = a.post(f"/informativas/{sin}/descartar", data={"csrf_token": token(a, url)})
    assert response.status_code == 409 and "ya se presentó con el folio" in html(response).get_text()

def test_parallel_registrations_of_one_period_store_one(app, juegos):
    import threading

    a = preparar(app, app.test_client(), juegos["moral"])
    csrf = token(a, "/informativas/")
    cookie = a.get_cookie("session").value
    clientes = []
    for _ in range(12):
        c = app.test_client()
        c.set_cookie("session", cookie)
        clientes.append(c)
    estados, barrera = [], threading.Barrier(12)

    def correr(c):
        barrera.wait()
        estados.append(c.post("/informativas/", data={"csrf_token": csrf, "ejercicio": EJERCICIO,
                                                      "cuatrimestre": CUATRIMESTRE, "tipo": "normal"}).status_code)

    hilos = [threading.Thread(target=correr, args=(c,)) for c in clientes]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join()
    assert estados.count(303) == 1 and set(estados) == {303, 422}
    with app.app_context():
        assert len(get_session().exec(select(Informativa)).all()) == 1


# -- Contratos -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [{}, HTMX], ids=["sin-js", "htmx"])
def test_each_bad_contract_field_is_refused_next_to_it(a, app, headers):
    servicio(a)
    iid = informativa_id(registrar(a))
    response = contrato(a, app, iid, headers=headers, rfc_contratante="EDE010101AB1", objeto="", servicio="",
                        fecha_inicio="2026-01-10", fecha_termino="2026-01-01", correo="x")
    doc = html(response)
    assert response.status_code == 422
    errores = {e["id"].removesuffix("-error"): e.get_text(" ") for e in doc.select(".error-message")}
    assert "no puede ser el tuyo" in errores["rfc_contratante"]
    assert {"objeto", "servicio", "fecha_inicio", "fecha_termino", "correo"} <= set(errores)
    assert "dentro del cuatrimestre" in errores["fecha_inicio"]
    with app.app_context():
        assert get_session().exec(select(Contrato)).first() is None
    # The failed Guardar takes the focus to its summary; the answers that only refresh the errors while the user
    # types (the draft, Enter) leave the focus where it is.
    assert doc.select_one(".error-summary").has_attr("autofocus")
    if headers:
        url = f"/informativas/{iid}/contratos/nuevo"
        for accion in ("borrador", "actualizar"):
            response = a.post(f"{url}/{accion}", headers=headers, data={
                "csrf_token": token(a, url), **CONTRATO, "rfc_contratante": "EDE010101AB1", "objeto": ""})
            doc = html(response)
            assert response.status_code == 422 and doc.select_one("#rfc_contratante-error"), accion
            assert not doc.select_one(".error-summary").has_attr("autofocus"), accion


def test_a_persona_moral_contratante_uses_the_same_locator(a, app, juegos):
    servicio(a)
    iid = informativa_id(registrar(a))
    base = {"rfc_contratante": RFC_CONTRATANTE_MORAL, "nombre_contratante": "Cliente SA de CV"}
    response = contrato(a, app, iid, **base, domicilio_igual="no")
    assert response.status_code == 422
    assert "Ubica el domicilio social del contratante" in html(response).select_one(".error-summary").get_text()
    url = f"/informativas/{iid}/contratos/nuevo/domicilio"
    datos = {"csrf_token": token(a, f"/informativas/{iid}/contratos/nuevo"), "domicilio_igual": "no",
             "conoce_cp": "si", "cp": "01000"}
    doc = html(a.post(f"{url}/buscar", data=datos, headers=HTMX))
    assert "San Ángel" in [o.get_text() for o in doc.select("#colonia option")]
    a.post(f"{url}/ubicar", data={**datos, "colonia": "San Ángel"}, headers=HTMX)
    doc = html(a.post(f"{url}/ubicar", headers=HTMX, data={
        "csrf_token": datos["csrf_token"], "calle_tipo": "CALLE", "calle_nombre": "Reforma", "numero_exterior": "10"}))
    assert doc.select_one("#paso-titulo").get_text(" ", strip=True).startswith("Paso 3 / 3")
    a.post(f"{url}/aceptar", data={"csrf_token": datos["csrf_token"]}, headers=HTMX)
    assert contrato(a, app, iid, **base, domicilio_igual="no").status_code == 303
    with app.app_context():
        guardado = get_session().exec(select(Contrato)).one()
        assert guardado.persona_contratante == "moral" and guardado.domicilio["calle"]["nombre"] == "REFORMA"

    # Filed, the contract and its workers are shown read-only, as assistive technology tells (an accessibility
    # review found editable boxes whose typing went nowhere): no Guardar, no locator steps, every field readonly
    # or disabled; the address as it was filed.
    from .test_firma import _enviar, firmar

    cid = guardado.id
    assert _trabajador(a, iid, cid).status_code == 303
    assert _enviar(a, iid).status_code == 303 and firmar(a, iid, juegos["moral"]).status_code == 303
    with app.app_context():
        tid = get_session().exec(select(Trabajador)).one().id
    for url in (f"/informativas/{iid}/contratos/{cid}", f"/informativas/{iid}/contratos/{cid}/trabajadores/{tid}"):
        doc = html(a.get(url))
        main = doc.select_one("main")
        assert [b.get_text(strip=True) for b in main.select("button")] == [], url
        controles = main.select("input:not([type=hidden]), select, textarea")
        assert controles and all(c.has_attr("readonly") or c.has_attr("disabled") for c in controles), url
    doc = html(a.get(f"/informativas/{iid}/contratos/{cid}"))
    assert "REFORMA" in doc.select_one("#contrato .resumen").get_text()


def test_the_name_is_offered_from_an_earlier_contract_and_contracts_can_be_copied(lista, app):
    a, iid, _cid = lista
    otra = informativa_id(registrar(a, cuatrimestre="3"))
    url = f"/informativas/{otra}/contratos/nuevo"
    doc = html(a.post(f"{url}/actualizar", data={"csrf_token": token(a, url),
                                                 "rfc_contratante": RFC_CONTRATANTE_FISICA}))
    assert doc.select_one("#nombre_contratante")["value"] == "LUIS PÉREZ GARCÍA"
    a.post(f"/informativas/{otra}/contratos/nuevo/descartar", data={"csrf_token": token(a, url)})
    doc = html(a.get(f"/informativas/{otra}/copiar"))
    copiar = doc.select_one("form[action*='/copiar/']")["action"]
    assert a.post(copiar, data={"csrf_token": token(a, url)}).status_code == 303
    doc = html(a.get(url))
    assert doc.select_one("#objeto").get_text().strip() == "Mantenimiento preventivo"
    assert doc.select_one("#fecha_inicio").get("value", "") == ""  # dates are typed anew


# -- Trabajadores --------------------------------------------------------------------------------------------------

def test_workers_one_by_one(lista, app):
    a, iid, cid = lista
    url = f"/informativas/{iid}/contratos/{cid}/trabajadores"
    p = cfdi.persona(1)
    for nss, sbc, campo in ((cfdi.nss_con_digito_equivocado(p.nss), "450.25", "nss"), (p.nss, "3000.00", "sbc"),
                            (p.nss, "-1", "sbc")):
        response = a.post(url, data={"csrf_token": token(a, url), "nss": nss, "curp": p.curp, "sbc": sbc})
        assert response.status_code == 422 and html(response).select_one(f"#{campo}-error"), (nss, sbc)
    assert a.post(url, data={"csrf_token": token(a, url), "nss": p.nss, "curp": p.curp, "sbc": "2932.75",
                             "nombre": p.nombre}).status_code == 303  # exactly 25 UMA: accepted
    response = a.post(url, data={"csrf_token": token(a, url), "nss": p.nss, "curp": p.curp, "sbc": "450.25"})
    assert response.status_code == 422 and "ya está en este contrato" in html(response).select_one("#nss-error").get_text()
    doc = html(a.get(f"{url}?q={p.nss[:6]}", headers=HTMX))
    assert doc.find("html") is None and len(doc.select("tbody tr")) == 1
    with app.app_context():
        tid = get_session().exec(select(Trabajador)).one().id
    response = a.post(f"{url}/{tid}", data={"csrf_token": token(a, url), "nss": p.nss, "curp": p.curp,
                                            "sbc": "500.00", "nombre": p.nombre})
    assert response.status_code == 303
    assert a.post(f"{url}/{tid}/eliminar", data={"csrf_token": token(a, url)}).status_code == 303
    with app.app_context():
        assert get_session().exec(select(Trabajador)).first() is None


def _cargar(client, iid, cid, nombre, datos):
    url = f"/informativas/{iid}/contratos/{cid}/trabajadores"
    return client.post(f"/informativas/{iid}/contratos/{cid}/carga", content_type="multipart/form-data",
                       data={"csrf_token": token(client, url), "archivo": (io.BytesIO(datos), nombre)})


def test_a_latin_1_csv_with_bad_rows_previews_then_adds_once(lista, app):
    a, iid, cid = lista
    personas = [cfdi.persona(i) for i in range(6)]
    filas = cfdi.filas_de(personas[:4]) + [
        (cfdi.nss_con_digito_equivocado(personas[4].nss), personas[4].curp, "450.25"),
        (personas[5].nss, personas[5].curp, "3500.00"),  # above 25 UMA
        (personas[0].nss, personas[0].curp, "450.25"),  # repeated in the file
    ]
    response = _cargar(a, iid, cid, "trabajadores ñ.csv", cfdi.csv_de(filas, encoding="latin-1"))
    assert response.status_code == 303
    vista = a.get(response.headers["Location"])
    doc = html(vista)
    assert (doc.select_one("#filas-validas").get_text(), doc.select_one("#filas-error").get_text()) == ("4", "3")
    with app.app_context():
        assert get_session().exec(select(Trabajador)).first() is None  # nothing stored before Agregar
    errores = a.get(doc.find("a", string=re.compile("Descargar errores"))["href"])
    hoja = load_workbook(io.BytesIO(errores.data)).active
    assert hoja.max_row == 4
    agregar = doc.select_one("form[action$='/agregar']")["action"]
    response = a.post(agregar, data={"csrf_token": token(a, f"/informativas/{iid}")})
    assert response.status_code == 303
    # The count told is the count stored, on both databases (psycopg's rowcount said 0 on PostgreSQL).
    assert "Se agregaron 4 trabajadores." in html(a.get(response.headers["Location"])).get_text()
    response = _cargar(a, iid, cid, "otra vez.csv", cfdi.csv_de(filas))
    doc = html(a.get(response.headers["Location"]))
    response = a.post(doc.select_one("form[action$='/agregar']")["action"],
                      data={"csrf_token": token(a, f"/informativas/{iid}")})
    assert "Se agregaron 0 trabajadores. 4 ya estaban en su contrato." in \
        html(a.get(response.headers["Location"])).get_text()
    with app.app_context():
        assert len(get_session().exec(select(Trabajador)).all()) == 4  # the same file twice adds nothing


def test_one_person_under_two_nss_is_refused_typed_imported_and_by_revisar(lista, app):
    """informativa.md §3: the portal refuses rows whose "NSS/CURP [is] already in the contract". A red-team review
    stored one person (one CURP) under a second NSS, typed and imported; a race could still store it, so Revisar
    blocks Enviar a firma while a contract has it."""
    a, iid, cid = lista
    url = f"/informativas/{iid}/contratos/{cid}/trabajadores"
    p, q, r = cfdi.persona(0), cfdi.persona(1), cfdi.persona(2)
    assert a.post(url, data={"csrf_token": token(a, url), "nss": p.nss, "curp": p.curp,
                             "sbc": "450.25"}).status_code == 303
    response = a.post(url, data={"csrf_token": token(a, url), "nss": q.nss, "curp": p.curp, "sbc": "450.25"})
    assert response.status_code == 422
    assert html(response).select_one("#curp-error").get_text(strip=True).endswith(
        f"La CURP {p.curp} ya está en este contrato, con el NSS {p.nss}.")
    # Editing the worker keeps its own CURP; giving it another worker's is refused.
    assert a.post(url, data={"csrf_token": token(a, url), "nss": r.nss, "curp": r.curp,
                             "sbc": "450.25"}).status_code == 303
    with app.app_context():
        tid = get_session().exec(select(Trabajador).where(Trabajador.nss == r.nss)).one().id
    assert a.post(f"{url}/{tid}", data={"csrf_token": token(a, url), "nss": r.nss, "curp": r.curp,
                                        "sbc": "500.00"}).status_code == 303
    assert a.post(f"{url}/{tid}", data={"csrf_token": token(a, url), "nss": r.nss, "curp": p.curp,
                                        "sbc": "500.00"}).status_code == 422
    # A file: p's CURP under q's NSS is left out like an NSS the contract has.
    response = _cargar(a, iid, cid, "t.csv", cfdi.csv_de([(q.nss, p.curp, "450.25")]))
    doc = html(a.get(response.headers["Location"]))
    response = a.post(doc.select_one("form[action$='/agregar']")["action"],
                      data={"csrf_token": token(a, f"/informativas/{iid}")})
    assert "Se agregaron 0 trabajadores. 1 ya estaban en su contrato." in \
        html(a.get(response.headers["Location"])).get_text()
    # What a race could store: Revisar names it and Enviar a firma is refused.
    with app.app_context():
        db = get_session()
        db.add(Trabajador(contrato_id=cid, nss=q.nss, curp=p.curp, sbc=Decimal("450.25"), nombre=""))
        db.commit()
    doc = html(a.get(f"/informativas/{iid}/revision"))
    assert "con la CURP de otro trabajador del contrato" in doc.select_one(".error-summary").get_text()
    assert a.post(f"/informativas/{iid}/enviar", data={"csrf_token": token(a, url)}).status_code == 422
    # The worker kept can still be corrected beside the duplicate (its CURP unchanged); then the duplicate goes.
    with app.app_context():
        pid, qid = (get_session().exec(select(Trabajador.id).where(Trabajador.nss == n)).one() for n in (p.nss, q.nss))
    assert a.post(f"{url}/{pid}", data={"csrf_token": token(a, url), "nss": p.nss, "curp": p.curp,
                                        "sbc": "500.00"}).status_code == 303
    assert a.post(f"{url}/{qid}/eliminar", data={"csrf_token": token(a, url)}).status_code == 303
    assert not html(a.get(f"/informativas/{iid}/revision")).select(".error-summary")


def test_a_zip_of_payroll_cfdis_goes_to_each_contratantes_contract(lista, app):
    a, iid, cid = lista
    contrato(a, app, iid, rfc_contratante=RFC_CONTRATANTE_MORAL, nombre_contratante="Cliente SA",
             domicilio_igual="si")
    moral = contrato_id(app, RFC_CONTRATANTE_MORAL)
    fin = date(2026, 8, 15)
    recibos = [
        (f"r{i}.xml", cfdi.Recibo(cfdi.persona(i), fin, emisor_rfc="EDE010101AB1",
                                  subcontrataciones=[(RFC_CONTRATANTE_FISICA, "50.000"), (RFC_CONTRATANTE_MORAL, "50.000")]
                                  if i == 0 else [(RFC_CONTRATANTE_MORAL, "100.000")] if i == 1 else ()))
        for i in range(3)] + [
        ("otro.xml", cfdi.Recibo(cfdi.persona(7), fin, emisor_rfc="OTR020202CD3")),
        ("viejo.xml", cfdi.Recibo(cfdi.persona(8), date(2025, 3, 1), emisor_rfc="EDE010101AB1")),
        ("sin_sbc.xml", cfdi.Recibo(cfdi.persona(9), fin, emisor_rfc="EDE010101AB1", sbc=None))]
    response = _cargar(a, iid, cid, "nomina.zip", cfdi.zip_de(recibos))
    doc = html(a.get(response.headers["Location"]))
    assert doc.select_one("#recibos-omitidos").get_text() == "2"
    assert doc.select_one("#filas-error").get_text() == "1"  # the receipt without SalarioBaseCotApor
    a.post(doc.select_one("form[action$='/agregar']")["action"], data={"csrf_token": token(a, f"/informativas/{iid}")})
    with app.app_context():
        por_contrato = {}
        for t in get_session().exec(select(Trabajador)).all():
            por_contrato.setdefault(t.contrato_id, set()).add(t.nss)
    assert por_contrato[cid] == {cfdi.persona(0).nss, cfdi.persona(2).nss}
    assert por_contrato[moral] == {cfdi.persona(0).nss, cfdi.persona(1).nss}



def test_a_zip_loaded_on_one_of_a_contratantes_contracts_goes_to_that_one(lista, app):
    """A contratante often has two contracts (two sites, two services): a ZIP whose receipts name it, loaded on the
    second, goes to the second (it went to the first). Loaded on a contract with another contratante, the
    contratante's workers go nowhere and the preview says why, rather than to whichever came first."""
    a, iid, fisica = lista
    for objeto in ("Limpieza de la planta norte", "Limpieza de la planta sur"):
        assert contrato(a, app, iid, rfc_contratante=RFC_CONTRATANTE_MORAL, nombre_contratante="Cliente SA",
                        domicilio_igual="si", objeto=objeto).status_code == 303
    with app.app_context():
        norte, sur = [c.id for c in get_session().exec(select(Contrato).where(
            Contrato.rfc_contratante == RFC_CONTRATANTE_MORAL).order_by(Contrato.id))]
    recibos = cfdi.zip_de([(f"r{i}.xml", cfdi.Recibo(cfdi.persona(i), date(2026, 8, 15), emisor_rfc="EDE010101AB1",
                                                     subcontrataciones=[(RFC_CONTRATANTE_MORAL, "100.000")]))
                           for i in (0, 1)])

    def cargar_y_agregar(cid):
        doc = html(a.get(_cargar(a, iid, cid, "nomina.zip", recibos).headers["Location"]))
        destinos = doc.select_one("#destinos-titulo").find_parent("section").get_text(" ", strip=True)
        r = a.post(doc.select_one("form[action$='/agregar']")["action"],
                   data={"csrf_token": token(a, f"/informativas/{iid}")})
        return destinos, html(a.get(r.headers["Location"])).get_text(" ", strip=True)

    destinos, _ = cargar_y_agregar(sur)
    assert "van a este contrato" in destinos
    destinos, pagina = cargar_y_agregar(fisica)
    assert "hay varios contratos con ese contratante" in destinos
    assert "2 no se agregaron: su contratante tiene varios contratos" in pagina
    with app.app_context():
        por_contrato = {cid: len(get_session().exec(select(Trabajador).where(Trabajador.contrato_id == cid)).all())
                        for cid in (fisica, norte, sur)}
    assert por_contrato == {fisica: 0, norte: 0, sur: 2}

def test_a_hostile_file_is_refused_with_its_reason_and_nothing_stored(lista, app):
    a, iid, cid = lista
    bomba = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
             b'<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4">&lol2;</cfdi:Comprobante>')
    for nombre, datos, palabras in (("bomba.zip", cfdi.zip_de([("a.xml", bomba)]), "DTD o entidades"),
                                    ("no.zip", b"PK\x03\x04 no es un zip", "ZIP"),
                                    ("mal.csv", b"NSS,CURP\n1,2\n", "columnas")):
        response = _cargar(a, iid, cid, nombre, datos)
        assert response.status_code == 422, nombre
        assert palabras in html(response).select_one("#archivo-error").get_text(), nombre
    with app.app_context():
        assert get_session().exec(select(Trabajador)).first() is None


# -- Revisar, Enviar a firma ---------------------------------------------------------------------------------------

def test_revisar_blocks_enviar_until_every_error_is_fixed(lista, app):
    a, iid, cid = lista
    doc = html(a.get(f"/informativas/{iid}/revision"))
    enlaces = {li.get_text(" ", strip=True): li.a["href"] for li in doc.select(".error-summary li")}
    assert any("trabajadores" in texto.lower() for texto in enlaces)
    assert f"/contratos/{cid}/trabajadores" in " ".join(enlaces.values())
    response = a.post(f"/informativas/{iid}/enviar", data={"csrf_token": token(a, f"/informativas/{iid}")})
    assert response.status_code == 422
    url = f"/informativas/{iid}/contratos/{cid}/trabajadores"
    p = cfdi.persona(3)
    a.post(url, data={"csrf_token": token(a, url), "nss": p.nss, "curp": p.curp, "sbc": "450.25"})
    assert not html(a.get(f"/informativas/{iid}/revision")).select(".error-summary")
    assert a.post(f"/informativas/{iid}/enviar", data={"csrf_token": token(a, url)}).status_code == 303
    with app.app_context():
        assert get_session().get(Informativa, iid).estatus == "por_firmar"
    # Por firmar: read-only until Regresar a captura.
    assert a.post(url, data={"csrf_token": token(a, url), "nss": cfdi.persona(4).nss, "curp": cfdi.persona(4).curp,
                             "sbc": "450.25"}).status_code == 409
    assert a.post(f"/informativas/{iid}/regresar", data={"csrf_token": token(a, url)}).status_code == 303
    with app.app_context():
        assert get_session().get(Informativa, iid).estatus == "en_captura"


def test_a_normal_informativa_without_contracts_cannot_be_sent(a):
    iid = informativa_id(registrar(a))
    response = a.post(f"/informativas/{iid}/enviar", data={"csrf_token": token(a, f"/informativas/{iid}")})
    resumen = html(response).select_one(".error-summary").get_text(" ", strip=True)
    assert response.status_code == 422 and "al menos un contrato" in resumen
    # The way out when the period had none: Descartar, then a Sin información (registering it is refused meanwhile).
    assert "descártala y registra una informativa Sin información" in resumen
    refusal = html(registrar(a, tipo="sin_informacion")).select_one("#cuatrimestre-error").get_text()
    assert "descártala desde su página y registra la correcta" in refusal
    assert html(a.get(f"/informativas/{iid}")).select_one(f"a[href^='/informativas/{iid}/descartar']")


# -- Who sees what -------------------------------------------------------------------------------------------------

def test_the_capturista_works_in_its_contratistas_informativas(lista, app):
    a, iid, cid = lista
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    capturista = app.test_client()
    entrar_capturista(capturista)
    doc = html(capturista.get("/informativas/"))
    assert "Mayo–Agosto 2026" in doc.select_one("tbody").get_text()
    assert [x.get_text() for x in doc.select("nav.menu a")] == ["Inicio", "Plazos", "Informativa",
                                                                 "Acuses de presentación"]
    url = f"/informativas/{iid}/contratos/{cid}/trabajadores"
    p = cfdi.persona(5)
    assert capturista.post(url, data={"csrf_token": token(capturista, url), "nss": p.nss, "curp": p.curp,
                                      "sbc": "450.25"}).status_code == 303
    assert capturista.get("/datos-generales/repse").status_code == 403


def test_an_expired_session_of_an_account_that_works_for_no_contratista_keeps_nothing(lista, app):
    """A red-team review: a capturista who pressed Cambiar de contratista (her session is the account's, with no
    contratista) posted a contract form after the session expired, and the draft keeper read the contratista it
    does not have: a 500. It keeps nothing and sends her to sign in."""
    from .test_seguridad import token_en_sesion

    a, iid, _cid = lista
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    capturista = app.test_client()
    entrar_capturista(capturista)
    assert capturista.post("/ingreso/cambiar", data={"csrf_token": token(capturista, "/inicio")}).status_code == 303
    assert capturista.get("/ingreso/elegir?cambiar=1").status_code == 200  # the page her form came from
    with capturista.session_transaction() as s:
        s["visto"] -= 2 * 3600  # idle past the window, recently enough to keep what is posted
    response = capturista.post(f"/informativas/{iid}/contratos/nuevo",
                               data={"csrf_token": token_en_sesion(capturista), "objeto": "escrito tarde"})
    assert response.status_code == 303 and response.location.endswith("/")
    with app.app_context():
        assert not [b for b in get_session().exec(select(Borrador)).all() if "escrito tarde" in str(b.datos)]


def test_another_contratista_gets_404_on_every_informativa_url(lista, app, juegos):
    a, iid, cid = lista
    url = f"/informativas/{iid}/contratos/{cid}/trabajadores"
    p = cfdi.persona(6)
    a.post(url, data={"csrf_token": token(a, url), "nss": p.nss, "curp": p.curp, "sbc": "450.25"})
    response = _cargar(a, iid, cid, "t.csv", cfdi.csv_de(cfdi.filas_de([cfdi.persona(7)])))
    con_clave = response.headers["Location"]  # with the preview's clave_repeticion (of the other contratista)
    carga = con_clave.split("?")[0]
    with app.app_context():
        tid = get_session().exec(select(Trabajador)).one().id
    otro = otro_contratista(app, juegos["otra"])
    csrf = token(otro, "/informativas/")
    for metodo, ruta in [("GET", f"/informativas/{iid}"), ("GET", f"/informativas/{iid}/revision"),
                         ("POST", f"/informativas/{iid}/enviar"), ("GET", f"/informativas/{iid}/contratos/{cid}"),
                         ("POST", f"/informativas/{iid}/contratos/{cid}"), ("GET", url), ("POST", url),
                         ("GET", f"{url}/{tid}"), ("POST", f"{url}/{tid}/eliminar"), ("GET", carga), ("GET", con_clave),
                         ("POST", f"{carga}/agregar"), ("GET", f"{carga}/errores.xlsx"),
                         ("POST", f"/informativas/{iid}/contratos/{cid}/eliminar"),
                         ("POST", f"/informativas/{iid}/contratos/{cid}/domicilio/buscar")]:
        assert otro.open(ruta, method=metodo, data={"csrf_token": csrf}).status_code == 404, (metodo, ruta)
    assert "Mayo–Agosto 2026" not in html(otro.get("/informativas/")).get_text()


def test_a_zip_bigger_than_an_acuse_is_read_whole(lista, app):
    """Uploads keep 5 MB of a file by default (the acuse's size); the worker files' view keeps its own 50 MB, or a
    ZIP of receipts past 5 MB would arrive cut and read as damaged."""
    import random

    a, iid, cid = lista
    datos = cfdi.zip_de([("r.xml", cfdi.Recibo(cfdi.persona(0), date(2026, 8, 15), emisor_rfc="EDE010101AB1")),
                         ("foto.jpg", random.Random(1).randbytes(6 * 1024 * 1024))])
    response = _cargar(a, iid, cid, "nomina.zip", datos)
    assert response.status_code == 303
    doc = html(a.get(response.headers["Location"]))
    assert doc.select_one("#filas-validas").get_text() == "1" and doc.select_one("#recibos-omitidos").get_text() == "1"


# -- Attacks (each performs what a red-team run did to the informativa) --------------------------------------------

def con_contrato(app, juego, trabajadores=()) -> tuple:
    """`juego`'s contratista signed in on a client of its own, with its REPSE service and a Normal informativa of
    2026-2 in capture holding one contract (a persona física contratante) and the workers cfdi.persona(i) for each i
    in `trabajadores`: (client, informativa id, contract id). The browser tests' common start."""
    cliente = preparar(app, app.test_client(), juego)
    servicio(cliente)
    iid = informativa_id(registrar(cliente))
    assert contrato(cliente, app, iid).status_code == 303
    cid = contrato_id(app)
    for i in trabajadores:
        assert _trabajador(cliente, iid, cid, i=i).status_code == 303
    return cliente, iid, cid


def _trabajador(client, iid, cid, i=3, sbc="450.25"):
    url = f"/informativas/{iid}/contratos/{cid}/trabajadores"
    p = cfdi.persona(i)
    return client.post(url, data={"csrf_token": token(client, url), "nss": p.nss, "curp": p.curp, "sbc": sbc})


def test_bloquear_orders_changes_and_sees_a_status_moved_by_another_node(lista, app):
    """Enviar a firma once passed Revisar while another request removed the last worker: both read first and wrote
    later. Every change now begins with informativas.bloquear(), one conditional UPDATE of the informativa's row: a
    second change waits for the first's commit, and a change that finds the informativa out of capture (moved by
    another node, whatever this request's copy of the row says) is refused."""
    import threading

    from sqlmodel import Session

    from app import informativas

    a, iid, cid = lista
    engine = app.extensions["engine"]
    with Session(engine) as primera, Session(engine) as vieja:
        copia = vieja.get(Informativa, iid)  # read before the change below: says en_captura
        assert informativas.bloquear(primera, primera.get(Informativa, iid))
        hecho = threading.Event()

        def segunda():
            with Session(engine) as s:
                informativas.bloquear(s, s.get(Informativa, iid))
                s.rollback()
            hecho.set()

        hilo = threading.Thread(target=segunda)
        hilo.start()
        assert not hecho.wait(0.5)  # waits while the first change is open
        primera.commit()
        hilo.join(20)
        assert hecho.is_set()
        assert informativas.cambiar_estatus(primera, primera.get(Informativa, iid), "en_captura", "por_firmar")
        assert copia.estatus == "en_captura" and not informativas.bloquear(vieja, copia)
    # Through the routes: once por firmar, every change of its contracts and workers is a 409, nothing stored.
    url = f"/informativas/{iid}/contratos/{cid}"
    assert _trabajador(a, iid, cid).status_code == 409
    assert contrato(a, app, iid, clave=str(cid), objeto="Otro").status_code == 409
    assert a.post(f"{url}/eliminar", data={"csrf_token": token(a, url)}).status_code == 409
    with app.app_context():
        assert get_session().get(Contrato, cid).objeto == "Mantenimiento preventivo"
        assert get_session().exec(select(Trabajador)).first() is None


def test_enviar_rechecks_after_the_lock(lista, app):
    """Enviar reads Revisar's data after bloquear(): a worker removed by a request that committed just before is
    seen, and the informativa stays in capture."""
    a, iid, cid = lista
    assert _trabajador(a, iid, cid).status_code == 303
    with app.app_context():  # another node removes the only worker between this page and Enviar
        db = get_session()
        db.delete(db.exec(select(Trabajador)).one())
        db.commit()
    response = a.post(f"/informativas/{iid}/enviar", data={"csrf_token": token(a, f"/informativas/{iid}")})
    assert response.status_code == 422
    with app.app_context():
        assert get_session().get(Informativa, iid).estatus == "en_captura"


def test_a_deleted_contracts_id_and_draft_are_never_reused(lista, app):
    """A deleted contract's unsaved draft was kept and its id reused (SQLite reuses the largest rowid): the next
    contract showed the deleted one's draft instead of its own data. Ids now never come back (AUTOINCREMENT on
    SQLite, sequences on PostgreSQL), and Eliminar removes the draft."""
    a, iid, cid = lista
    url = f"/informativas/{iid}/contratos/{cid}"
    a.post(f"{url}/borrador", data={"csrf_token": token(a, url), **CONTRATO, "objeto": "Borrador sin guardar"},
           headers=HTMX)
    assert html(a.get(url)).select_one("#objeto").get_text().strip() == "Borrador sin guardar"
    assert a.post(f"{url}/eliminar", data={"csrf_token": token(a, url)}).status_code == 303
    assert contrato(a, app, iid, objeto="Contrato nuevo").status_code == 303
    with app.app_context():
        nuevo = get_session().exec(select(Contrato)).one()
        from app.models import Borrador

        assert get_session().exec(select(Borrador).where(Borrador.clave == f"contrato:{iid}:{cid}")).first() is None
    assert nuevo.id > cid
    assert a.get(url).status_code == 404
    assert html(a.get(f"/informativas/{iid}/contratos/{nuevo.id}")).select_one("#objeto").get_text().strip() \
        == "Contrato nuevo"


def test_a_replaced_previews_id_is_gone(lista, app):
    """A second Cargar replaces the contract's preview; the first preview's URL must not come to show the new
    one (or another contract's) under the old id."""
    a, iid, cid = lista
    primera = _cargar(a, iid, cid, "a.csv", cfdi.csv_de(cfdi.filas_de([cfdi.persona(1)]))).headers["Location"]
    segunda = _cargar(a, iid, cid, "b.csv", cfdi.csv_de(cfdi.filas_de([cfdi.persona(2)]))).headers["Location"]
    assert primera != segunda
    # Its URL as cargar gave it (its clave_repeticion names the preview): the contract's workers, saying why;
    # without that key, nothing tells it from an id that was never this contratista's: 404.
    response = a.get(primera)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/contratos/{cid}/trabajadores")
    assert "se cargó otro archivo en su lugar" in html(a.get(response.headers["Location"])).get_text()
    primera = primera.split("?")[0]
    assert a.get(primera).status_code == 404
    # Its Agregar adds nothing and says so on the contract's workers (as a second click of Agregar would).
    response = a.post(f"{primera}/agregar", data={"csrf_token": token(a, f"/informativas/{iid}")})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/contratos/{cid}/trabajadores")
    assert "se cargó otro archivo en su lugar" in html(a.get(response.headers["Location"])).get_text()
    assert a.get(segunda).status_code == 200
    with app.app_context():
        assert not get_session().exec(select(Trabajador).where(Trabajador.contrato_id == cid)).all()


def test_a_contract_deleted_while_it_is_saved_answers_404(lista, app):
    """Guardar on a contract another tab has just deleted: 404 (it is gone), never a 500 nor a resurrected row."""
    a, iid, cid = lista
    url = f"/informativas/{iid}/contratos/{cid}"
    csrf = token(a, url)
    assert a.post(f"{url}/eliminar", data={"csrf_token": csrf}).status_code == 303
    response = a.post(url, data={"csrf_token": csrf, **CONTRATO, "servicio": str(servicio_id(app))})
    assert response.status_code == 404
    assert _trabajador(a, iid, cid).status_code == 404
    with app.app_context():
        assert get_session().exec(select(Contrato)).first() is None


def test_a_salary_no_column_can_hold_is_refused_for_a_period_without_uma(a, app):
    """For a period whose UMA is not yet published (2027) the 25-UMA cap was skipped, and 9,999,999,999,999.99
    reached PostgreSQL's NUMERIC(12, 2): a 500. A provisional cap (the latest UMA raised by a margin) bounds it."""
    servicio(a)
    iid = informativa_id(registrar(a, ejercicio="2027", cuatrimestre="1"))
    assert contrato(a, app, iid, fecha_inicio="2027-02-01").status_code == 303
    cid = contrato_id(app)
    for sbc in ("9999999999999.99", "99999999999.99", "5000.00"):
        response = _trabajador(a, iid, cid, sbc=sbc)
        assert response.status_code == 422, sbc
        assert html(response).select_one("#sbc-error").get_text(strip=True), sbc
    assert _trabajador(a, iid, cid, sbc="450.25").status_code == 303


@pytest.mark.parametrize("clave", ["%C2%B2", "%D9%A1", "1" * 10, "-1", "nuevo2"])
def test_a_contract_url_that_is_not_an_id_is_404(lista, clave):
    """"²" is a digit to str.isdigit() and int("²") raises: the contract URL answered 500."""
    a, iid, _cid = lista
    assert a.get(f"/informativas/{iid}/contratos/{clave}").status_code == 404
    url = f"/informativas/{iid}/contratos/{clave}"
    assert a.post(url, data={"csrf_token": token(a, f"/informativas/{iid}"), **CONTRATO}).status_code == 404


def test_a_double_guardar_of_one_new_contract_stores_it_once(a, app):
    """The same Agregar contrato form posted twice (a double click on a slow line, a retry after a timeout) stored
    two identical contracts. Its hidden clave_alta, unique per informativa, makes the second Guardar land on the
    first one's contract; posted at once from two threads, one stores and the other is sent to it."""
    import threading

    servicio(a)
    iid = informativa_id(registrar(a))
    url = f"/informativas/{iid}/contratos/nuevo"
    doc = html(a.get(url))
    clave_alta = doc.select_one("input[name=clave_alta]")["value"]
    datos = {"csrf_token": token(a, url), **CONTRATO, "servicio": str(servicio_id(app)), "clave_alta": clave_alta}
    primera = a.post(url, data=datos)
    assert primera.status_code == 303
    segunda = a.post(url, data=datos)
    assert segunda.status_code == 303
    with app.app_context():
        unico = get_session().exec(select(Contrato)).one()
    assert segunda.headers["Location"].endswith(f"/contratos/{unico.id}")
    # Two at once, from two "tabs" of one session.
    doc = html(a.get(url))
    datos = {**datos, "clave_alta": doc.select_one("input[name=clave_alta]")["value"], "objeto": "Segundo"}
    cookie = a.get_cookie("session").value
    estados, barrera = [], threading.Barrier(2)

    def correr():
        c = app.test_client()
        c.set_cookie("session", cookie)
        barrera.wait()
        estados.append(c.post(url, data=datos).status_code)

    hilos = [threading.Thread(target=correr) for _ in range(2)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join()
    assert estados == [303, 303]
    with app.app_context():
        assert len(get_session().exec(select(Contrato).where(Contrato.objeto == "Segundo")).all()) == 1


def test_a_service_an_informativa_por_firmar_uses_cannot_change(lista, app):
    """What was sent to be signed must not change under the contratista: the service's folio and description are
    part of it. While an informativa that uses it is por firmar, editing the service is refused next to the field."""
    a, iid, cid = lista
    assert _trabajador(a, iid, cid).status_code == 303
    assert a.post(f"/informativas/{iid}/enviar", data={"csrf_token": token(a, f"/informativas/{iid}")}).status_code \
        == 303
    sid = servicio_id(app)
    response = a.post(f"/datos-generales/repse/servicios/{sid}", data={
        "csrf_token": token(a, "/datos-generales/repse"), "folio": "AR12345/2021-9", "descripcion": "Limpieza"})
    assert response.status_code == 422
    assert "Regrésala a captura" in html(response).select_one(".error-message").get_text()
    with app.app_context():
        assert get_session().get(ServicioRepse, sid).folio == "AR12345/2021-1"
    a.post(f"/informativas/{iid}/regresar", data={"csrf_token": token(a, f"/informativas/{iid}")})
    assert a.post(f"/datos-generales/repse/servicios/{sid}", data={
        "csrf_token": token(a, "/datos-generales/repse"), "folio": "AR12345/2021-9",
        "descripcion": "Limpieza"}).status_code == 303


def test_a_sin_informacion_informativa_has_no_copiar(a, app):
    iid = informativa_id(registrar(a, tipo="sin_informacion"))
    csrf = token(a, "/informativas/")
    assert a.get(f"/informativas/{iid}/copiar").status_code == 404
    assert a.post(f"/informativas/{iid}/copiar/1", data={"csrf_token": csrf}).status_code == 404


def test_a_database_error_does_not_carry_the_workers_data(app):
    """An unexpected database error is logged with its message; the message must not list the statement's values
    (NSS, CURP, salaries)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    engine = app.extensions["engine"]
    with engine.connect() as conexion, pytest.raises(DBAPIError) as error:
        conexion.execute(text("INSERT INTO tabla_que_no_existe (nss) VALUES (:nss)"), {"nss": "12345678901"})
    assert "12345678901" not in str(error.value)


def test_a_late_autosave_of_a_saved_new_contract_does_not_bring_its_form_back(lista, app):
    """With JavaScript a change saves the draft 300 ms later; on a slow line that autosave can reach the server
    after Guardar stored the contract and dropped the draft. It brought the draft and its clave_alta back, and the
    next Agregar contrato (same form key) landed on the first contract: "ya se había guardado con este
    formulario" (the browser test caught it on a loaded machine)."""
    a, iid, _cid = lista
    url = f"/informativas/{iid}/contratos/nuevo"
    clave_alta = html(a.get(url)).select_one("input[name=clave_alta]")["value"]
    datos = {"csrf_token": token(a, url), **CONTRATO, "rfc_contratante": RFC_CONTRATANTE_MORAL,
             "nombre_contratante": "Cliente SA", "domicilio_igual": "si", "servicio": str(servicio_id(app)),
             "clave_alta": clave_alta}
    assert a.post(url, data=datos).status_code == 303
    assert a.post(f"{url}/borrador", data=datos, headers=HTMX).status_code in (200, 204)  # the late autosave
    doc = html(a.get(url))
    assert doc.select_one("input[name=clave_alta]")["value"] != clave_alta
    assert doc.select_one("#rfc_contratante").get("value", "") == ""
    otro = {**datos, "clave_alta": doc.select_one("input[name=clave_alta]")["value"], "objeto": "Segundo contrato"}
    assert a.post(url, data=otro).status_code == 303
    with app.app_context():
        assert len(get_session().exec(select(Contrato)).all()) == 3  # the lista's, the first and this one


def test_a_row_deleted_by_another_tab_right_after_a_commit_is_no_500(lista, app):
    """A view commits, then builds its redirect and message from what it stored; the session expired those
    objects at the commit, and when another tab deleted the row in between, reloading them raised
    ObjectDeletedError: a 500 for a change that was stored. Another tab's Eliminar contrato runs here right after
    each view's own commit (an after_commit hook), deterministically."""
    import threading

    from sqlalchemy import event
    from sqlmodel import Session

    a, iid, _cid = lista
    csrf = token(a, f"/informativas/{iid}")
    cookie = a.get_cookie("session").value
    armado: dict = {}

    def otra_pestana(ruta):
        c = app.test_client()
        c.set_cookie("session", cookie)
        return lambda: c.post(ruta, data={"csrf_token": csrf})

    @event.listens_for(Session, "after_commit")
    def _tras_commit(_session):
        if armado.get("hilo") == threading.get_ident() and "accion" in armado:
            hilo = threading.Thread(target=armado.pop("accion"))
            hilo.start()
            hilo.join()

    def nuevo(objeto):
        respuesta = contrato(a, app, iid, objeto=objeto)
        return int(respuesta.headers["Location"].rsplit("-", 1)[1])

    csv = cfdi.csv_de(cfdi.filas_de([cfdi.persona(i) for i in range(20, 25)]))
    otra = informativa_id(registrar(a, cuatrimestre="1"))
    origen = int(contrato(a, app, otra, fecha_inicio="2026-02-01").headers["Location"].rsplit("-", 1)[1])
    try:
        casos = []
        for nombre, vista in (
                ("Cargar", lambda c: _cargar(a, iid, c, "t.csv", csv)),
                ("Agregar trabajador", lambda c: _trabajador(a, iid, c, i=21)),
                ("Guardar contrato", lambda c: contrato(a, app, iid, clave=str(c), objeto="editado"))):
            c = nuevo(nombre)
            casos.append((nombre, vista, c, f"/informativas/{iid}/contratos/{c}/eliminar"))
        casos.append(("Copiar contrato", lambda _c: a.post(f"/informativas/{iid}/copiar/{origen}",
                                                            data={"csrf_token": csrf}),
                      origen, f"/informativas/{otra}/contratos/{origen}/eliminar"))
        for nombre, vista, c, eliminar in casos:
            armado.update(hilo=threading.get_ident(), accion=otra_pestana(eliminar))
            assert vista(c).status_code == 303, nombre
            armado.clear()
    finally:
        event.remove(Session, "after_commit", _tras_commit)


def test_names_that_grow_when_upper_cased_and_superscript_digits_are_refused_not_500(lista, app):
    """A name of 300 "ß" passed the 300-character check and became 600 characters upper-cased ("SS"):
    PostgreSQL refused it (a 500). servicio="²" passed str.isdigit() and int("²") raised (a 500), and, kept in the
    draft after a failed Guardar, broke the page until Descartar."""
    a, iid, _cid = lista
    respuesta = contrato(a, app, iid, nombre_contratante="ß" * 300)
    assert respuesta.status_code == 422 and html(respuesta).select_one("#nombre_contratante-error")
    assert contrato(a, app, iid, nombre_contratante="ß" * 150).status_code == 303
    with app.app_context():
        assert get_session().exec(select(Contrato).where(Contrato.nombre_contratante == "SS" * 150)).one()
    url = f"/informativas/{iid}/contratos/nuevo"
    for valor in ("²", "¹²", "٣"):
        respuesta = contrato(a, app, iid, servicio=valor)
        assert respuesta.status_code == 422 and html(respuesta).select_one("#servicio-error"), valor
        assert a.post(f"{url}/borrador", data={"csrf_token": token(a, url), **CONTRATO, "servicio": valor},
                      headers=HTMX).status_code in (200, 204, 422), valor
        assert a.get(url).status_code in (200, 422), valor  # the page, with its errors (revisar)


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["sin-js", "htmx"])
def test_sqlite_locked_past_its_wait_answers_503_and_changes_nothing(lista, app, headers):
    """20 imports of 3,000 rows at once on one SQLite node held the write lock past the 15 s wait: "database is
    locked" was a 500. The wait is 30 s now, and past it the answer is a Spanish 503 with Retry-After; nothing is
    stored, and the same request succeeds once the lock is free."""
    import sqlite3

    from app.db import make_engine

    a, iid, cid = lista
    url = app.config["DATABASE_URL"]
    app.extensions["engine"] = make_engine(url, sqlite_espera=0.2)
    otro = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    otro.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        ruta = f"/informativas/{iid}/contratos/{cid}/trabajadores"
        p = cfdi.persona(30)
        datos = {"csrf_token": token(a, ruta), "nss": p.nss, "curp": p.curp, "sbc": "450.25"}
        respuesta = a.post(ruta, data=datos, headers=headers)
        assert respuesta.status_code == 503 and respuesta.headers["Retry-After"] == "5"
        assert "Espera unos segundos" in respuesta.get_data(as_text=True)
    finally:
        otro.execute("ROLLBACK")
        otro.close()
    with app.app_context():
        assert get_session().exec(select(Trabajador)).first() is None
    assert a.post(ruta, data=datos, headers=headers).status_code in (204, 303)  # htmx: 204 and HX-Location
    with app.app_context():
        assert get_session().exec(select(Trabajador)).one().nss == p.nss


def test_a_file_checked_but_never_added_is_not_lost_in_silence(lista, app):
    """Cargar, see "Filas válidas", leave without Agregar trabajadores: Revisar said "No encontramos problemas" and
    the filing could be signed without those workers. Revisar now warns (without blocking) and the workers page
    leads back to the preview; once added, both say nothing more."""
    a, iid, cid = lista
    assert _trabajador(a, iid, cid).status_code == 303
    vista = _cargar(a, iid, cid, "nomina-abril.csv", cfdi.csv_de(cfdi.filas_de([cfdi.persona(5)]))).headers["Location"]
    revision = html(a.get(f"/informativas/{iid}/revision"))
    assert not revision.select(".error-summary")
    aviso = revision.select_one("#avisos-titulo").find_parent("section")
    assert "archivo de trabajadores revisado (nomina-abril.csv) que no se agregó" in aviso.get_text()
    trabajadores = f"/informativas/{iid}/contratos/{cid}/trabajadores"
    assert aviso.select_one(f"a[href='{trabajadores}']")
    assert html(a.get(trabajadores)).select_one(f".carga a[href^='{vista.split('?')[0]}']").get_text() \
        == "nomina-abril.csv"
    a.post(html(a.get(vista)).select_one("form[action$='/agregar']")["action"],
           data={"csrf_token": token(a, trabajadores)})
    assert "no se agregó" not in html(a.get(f"/informativas/{iid}/revision")).get_text()
    assert not html(a.get(trabajadores)).select(".carga .aviso")
