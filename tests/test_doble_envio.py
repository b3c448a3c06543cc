"""A second submission of a form whose first one worked (a second click on a slow line, the browser showing the
answer to the second request), and Back to a page the first one removed: the second answer lands where the first
one did, with a status message, never an error page, never a duplicate (app/informativa/routes.py's docstring).

What recognises the repeat never widens what a user may see: an id that was never the signed-in contratista's
answers 404 with the key of any page, another contratista's key (or a forged one) counts for nothing, and a form
without its key is refused as before. Both databases, both modes (a plain form, htmx)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app.db import get_session
from app.models import CargaTrabajadores, Contrato, Informativa, ServicioRepse, Trabajador

from . import cfdi
from .conftest import HTMX, html, token
from .test_administracion import otro_contratista
from .test_informativa import (CONTRATO, _cargar, _trabajador, a, app, contrato, informativa_id,  # noqa: F401
                               lista, registrar, servicio)

MODOS = pytest.mark.parametrize("headers", [{}, HTMX], ids=["sin-js", "htmx"])
RFC_OTRO_CONTRATANTE = cfdi.rfc_con_digito("GAMA800101K2")




def formulario(client, url: str, selector: str) -> tuple[str, dict]:
    """The action and the hidden fields of the form `selector` of the page at `url`, as the browser posts them."""
    form = html(client.get(url)).select_one(selector)
    assert form is not None, (url, selector)
    return form["action"], {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}


def destino(response) -> str:
    """Where an answer sends the browser: the 303's Location, or htmx's HX-Redirect (a 204)."""
    if response.status_code == 204:
        return response.headers["HX-Redirect"]
    assert response.status_code == 303, (response.status_code, response.get_data(as_text=True)[:500])
    return response.headers["Location"]


def mensajes(client, url: str) -> str:
    return html(client.get(url)).select_one("main").get_text(" ", strip=True)


def contar(app, modelo, *condiciones) -> int:
    with app.app_context():
        return len(get_session().exec(select(modelo).where(*condiciones)).all())


@pytest.fixture
def otro(app, juegos):
    """Another contratista with its own informativa, contract and worker: (client, informativa, contract, worker)."""
    cliente = otro_contratista(app, juegos["otra"])
    servicio(cliente)
    iid = informativa_id(registrar(cliente))
    with app.app_context():  # its own service: the newest (contrato() would take the first contratista's)
        suyo = get_session().exec(select(ServicioRepse).order_by(ServicioRepse.id.desc())).first().id
    assert contrato(cliente, app, iid, rfc_contratante=RFC_OTRO_CONTRATANTE, servicio=str(suyo)).status_code == 303
    with app.app_context():
        cid = get_session().exec(select(Contrato).where(Contrato.rfc_contratante == RFC_OTRO_CONTRATANTE)).one().id
    assert _trabajador(cliente, iid, cid, i=9).status_code == 303
    with app.app_context():
        tid = get_session().exec(select(Trabajador).where(Trabajador.contrato_id == cid)).one().id
    return cliente, iid, cid, tid


# -- Registrar informativa --------------------------------------------------------------------------------------------

@MODOS
def test_registrar_twice_lands_on_the_informativa_the_first_registered(a, app, headers):
    action, data = formulario(a, "/informativas/", "form[action='/informativas/']")
    data |= {"ejercicio": "2026", "cuatrimestre": "2", "tipo": "normal"}
    primera = destino(a.post(action, data=data, headers=headers))
    segunda = destino(a.post(action, data=data, headers=headers))
    assert primera == segunda and contar(app, Informativa) == 1
    assert "La informativa Normal de Mayo–Agosto 2026 ya se había registrado." in mensajes(a, segunda)
    # Another type from the same page is still refused: that is not what the first click registered.
    response = a.post(action, data=data | {"tipo": "sin_informacion"})
    assert response.status_code == 422 and "Ya registraste" in html(response).select_one("#cuatrimestre-error").text


def test_registrar_refuses_a_period_that_had_its_informativa_before_the_form(a, app):
    """The key is when the form was served: a period's informativa older than the page is the refusal, as ever."""
    assert registrar(a).status_code == 303
    with app.app_context():
        db = get_session()
        informativa = db.exec(select(Informativa)).one()
        informativa.creada -= timedelta(hours=1)
        db.add(informativa)
        db.commit()
    action, data = formulario(a, "/informativas/", "form[action='/informativas/']")
    response = a.post(action, data=data | {"ejercicio": "2026", "cuatrimestre": "2", "tipo": "normal"})
    assert response.status_code == 422 and "Ya registraste una informativa Normal" in html(response).text
    # Nor does a key of another form, or a forged one, pass for this form's.
    for clave in ("x", data["repeticion"][:-2] + "AA"):
        response = a.post(action, data=data | {"ejercicio": "2026", "cuatrimestre": "2", "tipo": "normal",
                                               "repeticion": clave})
        assert response.status_code == 422


# -- Agregar trabajador, Quitar trabajador ----------------------------------------------------------------------------

@MODOS
def test_agregar_trabajador_twice_adds_one_and_says_so(lista, app, headers):
    a, iid, cid = lista
    url = f"/informativas/{iid}/contratos/{cid}/trabajadores"
    action, data = formulario(a, url, f"form[action='{url}'][method=post]")
    p = cfdi.persona(7)
    data |= {"nss": p.nss, "curp": p.curp, "sbc": "500.00"}
    assert destino(a.post(action, data=data, headers=headers)) == url
    assert destino(a.post(action, data=data, headers=headers)) == url
    assert contar(app, Trabajador, Trabajador.nss == p.nss) == 1
    assert f"El trabajador con NSS {p.nss} ya se había agregado." in mensajes(a, url)
    # The same NSS with another salary is not the same submission: the refusal next to the NSS.
    response = a.post(action, data=data | {"sbc": "600.00"})
    assert response.status_code == 422 and "ya está en este contrato" in html(response).select_one("#nss-error").text


@MODOS
def test_quitar_trabajador_twice_is_no_404(lista, app, headers):
    a, iid, cid = lista
    url = f"/informativas/{iid}/contratos/{cid}/trabajadores"
    assert _trabajador(a, iid, cid, i=3).status_code == 303 and _trabajador(a, iid, cid, i=4).status_code == 303
    action, data = formulario(a, url, "#resultados tbody form")
    assert destino(a.post(action, data=data, headers=headers)) == url
    assert destino(a.post(action, data=data, headers=headers)) == url
    assert contar(app, Trabajador, Trabajador.contrato_id == cid) == 1
    assert "ya se había quitado" in mensajes(a, url)
    # Without its key, or with a forged one, the same URL is the 404 of an id that was never this contratista's.
    assert a.post(action, data={"csrf_token": data["csrf_token"]}).status_code == 404
    assert a.post(action, data=data | {"repeticion": data["repeticion"][:-2] + "AA"}).status_code == 404


def test_a_quitar_key_opens_no_other_id(lista, app, otro):
    """A's key names A's worker: it says nothing of another id under A's contract (another company's worker), and
    another contratista cannot use it, on A's URL or on its own."""
    a, iid, cid = lista
    o, oiid, ocid, otid = otro
    url = f"/informativas/{iid}/contratos/{cid}/trabajadores"
    assert _trabajador(a, iid, cid, i=3).status_code == 303
    action, data = formulario(a, url, "#resultados tbody form")
    ajeno = f"{url}/{otid}/eliminar"
    assert a.post(ajeno, data=data).status_code == 404  # another company's worker under A's contract
    assert o.post(action, data=data | {"csrf_token": token(o, "/informativas/")}).status_code == 404
    assert a.post(action, data=data).status_code == 303  # removed
    csrf = token(o, "/informativas/")
    assert o.post(action, data=data | {"csrf_token": csrf}).status_code == 404
    # On its own contract, A's key for the same action and ids is not o's: o's own worker id is untouched.
    trabajador_id = int(action.split("/")[-2])
    suyo = f"/informativas/{oiid}/contratos/{ocid}/trabajadores/{trabajador_id}/eliminar"
    assert o.post(suyo, data=data | {"csrf_token": csrf}).status_code == 404
    assert contar(app, Trabajador, Trabajador.id == otid) == 1


# -- Eliminar contrato ------------------------------------------------------------------------------------------------

@MODOS
def test_eliminar_contrato_twice_is_no_404(lista, app, otro, headers):
    a, iid, cid = lista
    o, oiid, ocid, _ = otro
    ver = f"/informativas/{iid}"
    action, data = formulario(a, ver, f"form[action='{ver}/contratos/{cid}/eliminar']")
    assert o.post(action, data=data | {"csrf_token": token(o, "/informativas/")}).status_code == 404
    assert a.post(f"{ver}/contratos/{ocid}/eliminar", data=data).status_code == 404  # o's contract: not A's
    assert destino(a.post(action, data=data, headers=headers)) == ver
    assert destino(a.post(action, data=data, headers=headers)) == ver
    assert contar(app, Contrato, Contrato.id == cid) == 0 and contar(app, Contrato, Contrato.id == ocid) == 1
    assert f"El contrato con {CONTRATO['nombre_contratante'].upper()} ya se había eliminado." in mensajes(a, ver)
    assert a.post(action, data={"csrf_token": data["csrf_token"]}).status_code == 404  # no key: as before
    assert o.post(action, data=data | {"csrf_token": token(o, "/informativas/")}).status_code == 404


# -- Descartar --------------------------------------------------------------------------------------------------------

@MODOS
def test_si_descartar_twice_and_back_to_its_confirmation_say_it_was_discarded(lista, app, otro, headers):
    a, iid, cid = lista
    o = otro[0]
    enlace = html(a.get(f"/informativas/{iid}")).select_one(f"a[href^='/informativas/{iid}/descartar']")["href"]
    action, data = formulario(a, enlace, f"form[action='/informativas/{iid}/descartar']")
    assert destino(a.post(action, data=data, headers=headers)) == "/informativas/"
    assert destino(a.post(action, data=data, headers=headers)) == "/informativas/"
    assert contar(app, Informativa, Informativa.id == iid) == 0
    assert "La informativa normal de Mayo–Agosto 2026 ya se había descartado." in mensajes(a, "/informativas/")
    # Back: the confirmation's URL, as the link gave it.
    assert destino(a.get(enlace, headers=headers)) == "/informativas/"
    assert "ya se había descartado" in mensajes(a, "/informativas/")
    # Without the key, or for another contratista with it, a discarded id is a 404 like any other.
    assert a.get(f"/informativas/{iid}/descartar").status_code == 404
    assert a.post(action, data={"csrf_token": data["csrf_token"]}).status_code == 404
    assert o.get(enlace).status_code == 404
    assert o.post(action, data=data | {"csrf_token": token(o, "/informativas/")}).status_code == 404
    assert "descart" not in mensajes(o, "/informativas/")  # nothing said of A's informativa


def test_a_descartar_key_is_for_its_own_informativa(lista, app, otro):
    """A's key for its informativa names that id only: another id (o's, existing) under A is the usual 404."""
    a, iid, _ = lista
    _, oiid, _, _ = otro
    enlace = html(a.get(f"/informativas/{iid}")).select_one(f"a[href^='/informativas/{iid}/descartar']")["href"]
    clave = enlace.split("repeticion=", 1)[1]
    assert a.get(f"/informativas/{oiid}/descartar?repeticion={clave}").status_code == 404
    assert a.get(f"/informativas/{iid + 1000}/descartar?repeticion={clave}").status_code == 404


# -- Enviar a firma ---------------------------------------------------------------------------------------------------

@MODOS
def test_enviar_a_firma_twice_lands_on_the_informativa(lista, app, headers):
    a, iid, cid = lista
    assert _trabajador(a, iid, cid).status_code == 303
    ver = f"/informativas/{iid}"
    action, data = formulario(a, ver, f"form[action='{ver}/enviar']")
    assert destino(a.post(action, data=data, headers=headers)) == ver
    assert destino(a.post(action, data=data, headers=headers)) == ver
    assert "La informativa ya se había enviado a firma" in mensajes(a, ver)
    with app.app_context():
        assert get_session().get(Informativa, iid).estatus == "por_firmar"


@MODOS
def test_regresar_a_captura_twice_lands_on_the_informativa(lista, app, headers):
    """Regresar a captura's twin of Enviar's: the second click finds it in capture, what was asked; a presented one
    is still the 409."""
    a, iid, cid = lista
    assert _trabajador(a, iid, cid).status_code == 303
    ver = f"/informativas/{iid}"
    action, data = formulario(a, ver, f"form[action='{ver}/enviar']")
    assert destino(a.post(action, data=data, headers=headers)) == ver
    action, data = formulario(a, ver, f"form[action='{ver}/regresar']")
    assert destino(a.post(action, data=data, headers=headers)) == ver
    assert destino(a.post(action, data=data, headers=headers)) == ver
    assert "La informativa ya había regresado a captura." in mensajes(a, ver)
    with app.app_context():
        assert get_session().get(Informativa, iid).estatus == "en_captura"


def test_enviar_a_firma_of_another_contratista_stays_404(lista, app, otro):
    a, iid, cid = lista
    o, oiid, _, _ = otro
    assert _trabajador(a, iid, cid).status_code == 303
    data = {"csrf_token": token(a, f"/informativas/{iid}")}
    assert a.post(f"/informativas/{iid}/enviar", data=data).status_code == 303
    assert o.post(f"/informativas/{iid}/enviar", data={"csrf_token": token(o, "/informativas/")}).status_code == 404
    assert a.post(f"/informativas/{oiid}/enviar", data=data).status_code == 404


# -- Back to a preview whose workers were added ----------------------------------------------------------------------

@MODOS
def test_back_to_a_preview_whose_workers_were_added(lista, app, otro, headers):
    a, iid, cid = lista
    o = otro[0]
    trabajadores = f"/informativas/{iid}/contratos/{cid}/trabajadores"
    vista = destino(_cargar(a, iid, cid, "t.xlsx", cfdi.xlsx_de(cfdi.filas_de([cfdi.persona(30 + i)
                                                                                 for i in range(3)]))))
    action, data = formulario(a, vista, "form[action$='/agregar']")
    assert destino(a.post(action, data=data)) == trabajadores
    assert contar(app, CargaTrabajadores) == 0 and contar(app, Trabajador, Trabajador.contrato_id == cid) == 3
    response = a.get(vista, headers=headers)  # Back
    assert destino(response) == trabajadores
    assert "sus trabajadores ya se agregaron" in mensajes(a, trabajadores)
    assert a.get(vista.split("?")[0]).status_code == 404  # the id alone: nothing tells it was this contratista's
    assert o.get(vista).status_code == 404
