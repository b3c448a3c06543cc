"""Each attack of the security review, performed: accounts that belong to their person, links that point at the
portal, throttling a stranger cannot turn against the owner, sessions that end, concurrency without 500s, and the
smaller points (instance permissions, LIKE wildcards, one CURP rule). The hostile uploads are in test_hostil.py."""
from __future__ import annotations

import io
import re
import stat
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import delete, select
from stdnum.mx import curp as stdnum_curp

from app import curp as curp_rules
from app import demo, hora
from app.correo import leer_outbox
from app.db import get_session
from app.models import Auditoria, Borrador, Capturista, DatosGenerales, Documento, IntentoFallido, Persona

from .conftest import HTMX, NOW, Juego, html, token
from .test_administracion import (ALTA, CURP_ANA, CURP_LUIS, PASSWORD, activar, alta, enlace, entrar_capturista,
                                  otro_contratista, preparar)
from .test_datos_generales import pdf
from .test_ingreso import ingresar, validar
from .test_navegador import alterar


def outbox(app) -> list:
    return leer_outbox(Path(app.instance_path) / "outbox")


def cuerpo(mensaje) -> str:
    return mensaje.get_body(preferencelist=("plain",)).get_content()


def cuentas(app) -> list[Persona]:
    with app.app_context():
        return list(get_session().exec(select(Persona).order_by(Persona.id)).all())


def roles(app) -> list[Capturista]:
    with app.app_context():
        return list(get_session().exec(select(Capturista).order_by(Capturista.id)).all())


@pytest.fixture
def a(client, app, juegos):
    """Contratista A (persona moral), ready for Administración."""
    return preparar(app, client, juegos["moral"])


@pytest.fixture
def b(app, juegos):
    """Contratista B, another company with a valid e.firma: the attacker."""
    return otro_contratista(app, juegos["otra"])


# §1 A capturista's account belongs to its person ----------------------------------------------------------------

def test_takeover_of_a_pending_capturista_fails(a, b, app):
    """A registers X (not activated yet); B registers X with B's own e-mail, activates that link and signs in:
    B enters B's own account, which holds only B's role; A's role and A's link are untouched."""
    assert alta(a, CURP_LUIS, correo="luis@ejemplo.mx").status_code == 303
    enlace_de_a = enlace(app)
    assert alta(b, CURP_LUIS, correo="atacante@ejemplo.mx").status_code == 303
    atacante = app.test_client()
    assert activar(atacante, app, password="tortuga violeta cruza montanas").headers["Location"] == "/"
    rol_a, rol_b = roles(app)
    assert rol_a.estatus == "pendiente" and rol_b.estatus == "activo"
    assert rol_a.persona_id != rol_b.persona_id
    assert entrar_capturista(atacante, "tortuga violeta cruza montanas") == "/inicio"
    assert "OTRA EMPRESA" in html(atacante.get("/inicio")).select_one(".perfil").get_text()
    doc = html(atacante.get("/ingreso/elegir?cambiar=1"))
    assert "ESCUELA DEMO" not in doc.get_text()
    assert atacante.post(f"/ingreso/invitaciones/{rol_a.id}/aceptar",
                         data={"csrf_token": token(atacante, "/inicio")}).status_code == 404
    assert atacante.post("/ingreso/elegir", data={"csrf_token": token(atacante, "/ingreso/elegir?cambiar=1"),
                                                  "capturista": rol_a.id}).status_code == 422
    # X's own invitation still works, for X's own account only.
    persona = app.test_client()
    assert persona.get(enlace_de_a).status_code == 200
    persona.post(enlace_de_a, data={"csrf_token": token(persona, enlace_de_a), "contrasena": PASSWORD,
                                    "confirmacion": PASSWORD})
    assert entrar_capturista(persona) == "/inicio"
    assert "ESCUELA DEMO" in html(persona.get("/inicio")).select_one(".perfil").get_text()


def test_a_baja_committed_while_an_invitation_is_being_accepted_wins(a, b, app):
    """A red-team review: X's account has B's pending invitation; X pressed Aceptar as B pressed Dar de baja. The
    accept had read the role as pending, B's baja committed, then the accept wrote "activo" over it: B's Consulta
    said Activo right after "Se dio de baja", and X could enter B's portal. The answer is conditioned on the
    invitation it read, so the baja wins and the answer changes nothing."""
    from sqlmodel import Session

    from app import capturistas
    from app.models import utcnow

    alta(a, CURP_LUIS, correo="luis@ejemplo.mx")
    persona = app.test_client()
    activar(persona, app)
    alta(b, CURP_LUIS, correo="luis@ejemplo.mx")
    rol_b = roles(app)[1]
    engine = app.extensions["engine"]
    for acepta in (True, False):
        with Session(engine) as respuesta:
            leido = respuesta.get(Capturista, rol_b.id)  # X's answer reads the role: pending
            cuenta = respuesta.get(Persona, leido.persona_id)
            assert leido.estatus == "pendiente"
            with Session(engine) as baja:  # then B's baja commits
                assert capturistas.dar_de_baja(baja, baja.get(Capturista, rol_b.id), utcnow())
                baja.commit()
            assert capturistas.responder_invitacion(respuesta, cuenta, rol_b.id, acepta, utcnow()) is None
            respuesta.commit()
        assert roles(app)[1].estatus == "baja"
        with Session(engine) as otra:  # B reactivates: pending again, for the next round
            assert capturistas.reactivar(otra, otra.get(Capturista, rol_b.id), utcnow())
            otra.commit()
    # Unraced, the answer still works.
    assert entrar_capturista(persona) == "/ingreso/elegir"
    assert persona.post(f"/ingreso/invitaciones/{rol_b.id}/aceptar",
                        data={"csrf_token": token(persona, "/ingreso/elegir?cambiar=1")}).status_code == 303
    assert roles(app)[1].estatus == "activo"


def test_takeover_of_an_active_capturista_by_reset_fails(a, b, app):
    """X has activated with A. B registers X with B's e-mail: no access to X's account; an anonymous reset for X
    mails only X's own mailbox; B's mailbox gets nothing it can use on X's account."""
    alta(a, CURP_LUIS, correo="luis@ejemplo.mx")
    activar(app.test_client(), app)
    assert alta(b, CURP_LUIS, correo="atacante@ejemplo.mx").status_code == 303
    rol_b = roles(app)[1]
    assert rol_b.estatus == "pendiente"
    assert rol_b.persona_id != roles(app)[0].persona_id  # another account, not X's
    antes = len(outbox(app))
    anonimo = app.test_client()
    anonimo.post("/ingreso/restablecer", data={"csrf_token": token(anonimo, "/ingreso/restablecer"),
                                               "curp": CURP_LUIS})
    nuevos = outbox(app)[antes:]
    assert [m["To"] for m in nuevos] == ["luis@ejemplo.mx"]
    # B activates its own invitation and resets "its" account: X's password does not change.
    atacante = app.test_client()
    url = re.search(r"https?://[^/\s]+(/\S+)", cuerpo([m for m in outbox(app) if m["To"] == "atacante@ejemplo.mx"][-1]))
    assert url is not None
    atacante.post(url.group(1), data={"csrf_token": token(atacante, url.group(1)),
                                      "contrasena": "tortuga violeta cruza montanas",
                                      "confirmacion": "tortuga violeta cruza montanas"})
    assert entrar_capturista(app.test_client()) == "/inicio"  # X's password still works
    assert entrar_capturista(app.test_client(), "tortuga violeta cruza montanas") == "/inicio"  # B's own account
    cuenta_x, cuenta_b = cuentas(app)
    assert (cuenta_x.correo, cuenta_b.correo) == ("luis@ejemplo.mx", "atacante@ejemplo.mx")
    # X's own link works (on both databases: the new password is written only while the account has a live role).
    suyo = re.search(r"https?://[^/\s]+(/\S+)", cuerpo(nuevos[0])).group(1)
    x, nueva = app.test_client(), "otra frase muy distinta ahora"
    assert x.post(suyo, data={"csrf_token": token(x, suyo), "contrasena": nueva, "confirmacion": nueva}).status_code == 303
    assert entrar_capturista(app.test_client(), nueva) == "/inicio"


def test_names_typed_by_one_contratista_are_never_shown_to_another(a, b, app):
    assert alta(a, CURP_ANA, ("ANA", "MARTINEZ", "RUIZ"), correo="ana@ejemplo.mx").status_code == 303
    doc = html(b.post("/administracion/alta/validar", data={"csrf_token": token(b, ALTA), "curp": CURP_ANA}))
    assert doc.select_one("#nombres").get("value", "") == ""
    assert "MARTINEZ" not in doc.get_text()


def test_an_invitation_to_an_active_account_is_accepted_or_declined_by_its_person(a, b, app):
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    alta(b, CURP_LUIS, correo="luis@ejemplo.mx")
    assert "/ingreso/activar/" not in cuerpo(outbox(app)[-1]) and "Aceptar invitación" in cuerpo(outbox(app)[-1])
    persona = app.test_client()
    assert entrar_capturista(persona) == "/ingreso/elegir"
    rechazar = html(persona.get("/ingreso/elegir")).select(".invitaciones form")[1]["action"]
    assert persona.post(rechazar, data={"csrf_token": token(persona, "/ingreso/elegir")}).status_code == 303
    assert roles(app)[1].estatus == "rechazado"
    doc = html(b.get("/administracion/consulta"))
    assert "Invitación rechazada" in doc.get_text()
    # The contratista may invite her again: its Reactivar (which did nothing for a declined one) sends a new
    # invitation, which she can accept.
    reactivar = next(x for x in doc.select("button") if x.get_text().startswith("Reactivar"))
    antes = len(outbox(app))
    assert b.post(reactivar["formaction"], data={"csrf_token": token(b, ALTA)}).status_code == 303
    assert roles(app)[1].estatus == "pendiente" and len(outbox(app)) == antes + 1
    assert "Aceptar invitación" in cuerpo(outbox(app)[-1])
    # A second click finds it no longer declined, and says so.
    response = b.post(reactivar["formaction"], data={"csrf_token": token(b, ALTA)})
    assert "cambió mientras tanto" in html(b.get(response.headers["Location"])).get_text()


def test_an_invitation_link_works_only_while_it_is_the_newest_of_a_live_invitation(a, app):
    alta(a, CURP_LUIS)
    primero = enlace(app)
    rol = roles(app)[0]
    a.post(f"/administracion/capturistas/{rol.id}/reenviar", data={"csrf_token": token(a, ALTA)})
    segundo = enlace(app)
    assert primero != segundo
    assert app.test_client().get(primero).status_code == 410
    a.post(f"/administracion/capturistas/{rol.id}/baja", data={"csrf_token": token(a, ALTA)})
    assert app.test_client().get(segundo).status_code == 410  # dado de baja: no link works


def test_a_resend_whose_mail_did_not_go_out_leaves_the_link_the_person_holds(a, app, tmp_path):
    """A red-team review: Reenviar replaced the invitation's nonce, then the hourly limit (or a mail server that
    failed) kept the new mail from going out: the link in the person's mailbox was dead, and no other came, for up
    to an hour. A resend whose mail did not go out changes nothing."""
    import socket

    from app.correo import Correo

    alta(a, CURP_LUIS)
    rol = roles(app)[0]
    for _ in range(2):
        a.post(f"/administracion/capturistas/{rol.id}/reenviar", data={"csrf_token": token(a, ALTA)})
    vigente = enlace(app)
    assert len(outbox(app)) == 3
    respuesta = a.post(f"/administracion/capturistas/{rol.id}/reenviar", data={"csrf_token": token(a, ALTA)})
    assert "ya se enviaron varios a esa dirección" in html(a.get(respuesta.headers["Location"])).get_text()
    assert len(outbox(app)) == 3 and app.test_client().get(vigente).status_code == 200

    with socket.socket() as s:  # a mail server that does not answer: the port is closed once the block ends
        s.bind(("127.0.0.1", 0))
        puerto = s.getsockname()[1]
    propio = app.extensions["correo"]
    app.extensions["correo"] = Correo(f"smtp://127.0.0.1:{puerto}", tmp_path / "nada", timeout=2)
    try:
        with app.app_context():  # the hour has passed for the limit
            get_session().exec(delete(IntentoFallido))
            get_session().commit()
        respuesta = a.post(f"/administracion/capturistas/{rol.id}/reenviar", data={"csrf_token": token(a, ALTA)})
        assert "No se pudo enviar el correo" in html(a.get(respuesta.headers["Location"])).get_text()
    finally:
        app.extensions["correo"] = propio
    assert app.test_client().get(vigente).status_code == 200
    a.post(f"/administracion/capturistas/{rol.id}/reenviar", data={"csrf_token": token(a, ALTA)})
    assert enlace(app) != vigente and app.test_client().get(vigente).status_code == 410  # one that went out does


# §2 Links point at the portal -----------------------------------------------------------------------------------

def test_a_foreign_host_is_refused_and_links_use_the_configured_address(a, app):
    app.config["ICSOE_URL"] = "https://icsoe.example.mx"
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    anonimo = app.test_client()
    csrf = token(anonimo, "/ingreso/restablecer")
    response = anonimo.post("/ingreso/restablecer", headers={"Host": "evil.example"},
                            data={"csrf_token": csrf, "curp": CURP_LUIS})
    assert response.status_code == 400 and "no es la del portal" in response.get_data(as_text=True)
    anonimo.post("/ingreso/restablecer", data={"csrf_token": csrf, "curp": CURP_LUIS})
    body = cuerpo(outbox(app)[-1])
    assert "https://icsoe.example.mx/ingreso/restablecer/" in body and "evil.example" not in body
    assert app.test_client().get("/", headers={"Host": "evil.example"}).status_code == 400


# §4 Throttling a stranger cannot turn against the owner ---------------------------------------------------------

def test_a_self_made_certificate_never_locks_the_owner_out(client, app, juegos, otra_ca):
    """Five (and more) wrong passwords with A's RFC, a certificate no trusted CA issued, and any key: refused as
    untrusted before the password is tried; A's real e.firma still signs in at once, from the same address."""
    falsa = demo.make_efirma(otra_ca, rfc=juegos["moral"].rfc, nombre="ESCUELA DEMO SA DE CV", persona="moral",
                             not_before=NOW - timedelta(days=1), not_after=NOW + timedelta(days=30))
    for _ in range(8):
        response = validar(client, Juego(juegos["moral"].rfc, falsa.cer_der, falsa.key_der, "equivocada"))
        assert response.status_code == 422
        assert "autoridad certificadora" in html(response).select_one("#cer-error").get_text()
    assert validar(client, juegos["moral"]).status_code == 200
    with app.app_context():
        claves = {i.clave for i in get_session().exec(select(IntentoFallido)).all()}
    assert not any(c.startswith("cer:") for c in claves)


def test_wrong_passwords_with_the_real_certificate_lock_that_address_only(client, app, juegos):
    for _ in range(5):
        assert validar(client, juegos["moral"], password="equivocada").status_code == 422
    assert validar(client, juegos["moral"]).status_code == 429  # this address: wait
    duena = app.test_client()
    duena.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    assert validar(duena, juegos["moral"]).status_code == 200  # the owner, elsewhere: in


def test_each_way_in_has_its_own_counter_per_address(client, app, juegos):
    app.config["LIMITE_POR_DIRECCION"] = 3
    for _ in range(3):
        client.post("/ingreso/capturista", data={"csrf_token": token(client, "/"), "curp": CURP_LUIS,
                                                 "password": "x"})
    assert client.post("/ingreso/capturista", data={"csrf_token": token(client, "/"), "curp": CURP_ANA,
                                                    "password": "x"}).status_code == 429
    assert validar(client, juegos["moral"]).status_code == 200  # the e.firma's counter is another


def _extrano_agota_la_direccion(app, juego, veces=5):
    """A stranger's browser behind the owner's address: wrong passwords with her (public) certificate until the
    address is refused, for that certificate and for every e.firma (the address's count is set low)."""
    app.config["LIMITE_POR_DIRECCION"] = veces
    extrano = app.test_client()
    for _ in range(veces):
        assert validar(extrano, juego, password="adivinanza").status_code == 422
    assert validar(extrano, juego).status_code == 429
    return extrano


def test_a_stranger_behind_the_owners_address_cannot_lock_her_browser_out(client, app, juegos):
    """Attack: the owner signed in from her browser once; a stranger behind the same address (her office, her
    carrier's NAT) uses up both the address's count and (certificate, address). Her browser still validates at once:
    it is counted on its own (app.navegador). A browser she never signed in from waits, as before."""
    assert validar(client, juegos["moral"]).status_code == 200
    _extrano_agota_la_direccion(app, juegos["moral"])
    assert validar(client, juegos["moral"]).status_code == 200
    assert ingresar(client, juegos["moral"]).status_code == 303
    assert validar(app.test_client(), juegos["moral"]).status_code == 429


def test_the_browsers_cookie_speaks_for_its_own_certificates_only(client, app, juegos):
    """A browser that signed in with one e.firma (the stranger's own company) is counted by address, as any
    other, when it tries another company's certificate: the cookie moves no guesses off the address."""
    extrano = app.test_client()
    assert validar(extrano, juegos["otra"]).status_code == 200
    app.config["LIMITE_POR_DIRECCION"] = 100
    for _ in range(5):
        assert validar(extrano, juegos["moral"], password="adivinanza").status_code == 422
    assert validar(extrano, juegos["moral"]).status_code == 429
    assert validar(app.test_client(), juegos["moral"]).status_code == 429  # (certificate, address) used up
    assert validar(extrano, juegos["otra"]).status_code == 200  # its own, counted by the browser


def test_what_fails_with_another_certificate_stays_counted_by_address(client, app, juegos):
    """A browser that knows one e.firma tries another company's certificate with a key it can open (its own): no
    password was guessed, so nothing counts against that certificate, but the failure stays on the address."""
    extrano = app.test_client()
    assert validar(extrano, juegos["otra"]).status_code == 200
    ajena = Juego(juegos["moral"].rfc, juegos["moral"].cer, juegos["otra"].key, juegos["otra"].password)
    assert validar(extrano, ajena).status_code == 422
    with app.app_context():
        claves = sorted(i.clave.partition(":")[0] for i in get_session().exec(select(IntentoFallido)).all())
    assert [c for c in claves if not c.startswith("bitacora")] == ["efirma-ip", "efirma-nav"]


def test_a_forged_or_copied_browser_cookie_grants_nothing(client, app, juegos):
    """The cookie is signed and names credentials by an HMAC: altered, it is no cookie at all (counted by
    address); it holds no RFC, certificate or CURP; copied into another browser, it only moves the copier's guesses
    to the owner's browser count, five per 15 minutes as by address."""
    assert validar(client, juegos["moral"]).status_code == 200
    valor = client.get_cookie("icsoe_nav_efirma", path="/ingreso/efirma").value
    assert juegos["moral"].rfc not in valor and len(valor) < 120
    _extrano_agota_la_direccion(app, juegos["moral"])
    falsa = app.test_client()
    falsa.set_cookie("icsoe_nav_efirma", alterar(valor, len(valor) - 5), path="/ingreso/efirma")
    assert validar(falsa, juegos["moral"]).status_code == 429
    copia = app.test_client()
    copia.set_cookie("icsoe_nav_efirma", valor, path="/ingreso/efirma")
    for _ in range(5):
        assert validar(copia, juegos["moral"], password="adivinanza").status_code == 422
    assert validar(copia, juegos["moral"]).status_code == 429
    assert validar(client, juegos["moral"]).status_code == 429  # the same browser's count, as it should be
    with app.app_context():
        filas = get_session().exec(select(Auditoria).where(Auditoria.accion == "bloqueo")).all()
    assert any("desde este navegador" in f.detalle for f in filas)


def test_the_browsers_cookie_is_sent_to_its_sign_in_page_only(client, app, juegos):
    assert validar(client, juegos["moral"]).status_code == 200
    cookie = client.get_cookie("icsoe_nav_efirma", path="/ingreso/efirma")
    assert cookie.path == "/ingreso/efirma" and cookie.http_only and cookie.same_site == "Strict"
    assert cookie.expires is not None and (cookie.expires - NOW).days >= 170
    assert client.get_cookie("icsoe_nav_efirma") is None  # not on "/": no other request carries it


def test_the_browsers_cookie_follows_a_portal_served_under_a_prefix(app, juegos):
    cliente = app.test_client()
    base = "http://localhost/icsoe"
    doc = html(cliente.get("/ingreso/efirma", base_url=base))
    juego = juegos["moral"]
    response = cliente.post("/ingreso/efirma", base_url=base, content_type="multipart/form-data", data={
        "csrf_token": doc.select_one("input[name=csrf_token]")["value"], "rfc": juego.rfc, "password": juego.password,
        "cer": (io.BytesIO(juego.cer), "certificado.cer"), "key": (io.BytesIO(juego.key), "llave.key")})
    assert response.status_code == 200
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("icsoe_nav_efirma=")]
    assert "Path=/icsoe/ingreso/efirma" in cookie


def test_a_stranger_behind_the_capturistas_address_cannot_lock_her_browser_out(a, app):
    """The same attack against CURP and password: her browser signs in though the stranger used up the address and
    (CURP, address); a browser she never used waits."""
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    suyo = app.test_client()
    destino = entrar_capturista(suyo)
    assert destino == "/inicio"
    suyo.post("/salir", data={"csrf_token": token(suyo, "/inicio")})
    app.config["LIMITE_POR_DIRECCION"] = 5
    extrano = app.test_client()
    for _ in range(5):
        assert extrano.post("/ingreso/capturista", data={"csrf_token": token(extrano, "/"), "curp": CURP_LUIS,
                                                         "password": "adivinanza"}).status_code == 422
    assert extrano.post("/ingreso/capturista", data={"csrf_token": token(extrano, "/"), "curp": CURP_LUIS,
                                                     "password": PASSWORD}).status_code == 429
    assert entrar_capturista(suyo) == destino
    otro = app.test_client()
    assert otro.post("/ingreso/capturista", data={"csrf_token": token(otro, "/"), "curp": CURP_LUIS,
                                                  "password": PASSWORD}).status_code == 429


def _intento_curp(cliente, password, curp=CURP_LUIS) -> int:
    return cliente.post("/ingreso/capturista", data={"csrf_token": token(cliente, "/"), "curp": curp,
                                                     "password": password}).status_code


def test_a_second_account_of_the_curp_earns_no_guesses_at_the_first(a, b, app, monkeypatch):
    """Attack: B makes its own account for A's capturista's CURP (with a mailbox it controls), signs in with it in
    three browsers, and from each tries passwords for the CURP, whose every account's hash is checked. The cookie
    remembers B's account, not the CURP: those guesses are counted by address, and once the address has had its
    count, even the right password of A's capturista does not enter."""
    from app.ingreso import routes
    monkeypatch.setattr(routes.time, "sleep", lambda s: None)  # the per-CURP delay slows, never stops
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    alta(b, CURP_LUIS, correo="atacante@ejemplo.mx")
    activar(app.test_client(), app, password="tortuga violeta cruza montanas")
    app.config["LIMITE_POR_DIRECCION"] = 5
    navegadores = [app.test_client() for _ in range(3)]
    for nav in navegadores:
        assert entrar_capturista(nav, "tortuga violeta cruza montanas") == "/inicio"
        nav.post("/salir", data={"csrf_token": token(nav, "/inicio")})
    estados = [_intento_curp(nav, f"adivinanza {n}-{i}") for n, nav in enumerate(navegadores) for i in range(2)]
    assert estados == [422] * 5 + [429]
    assert _intento_curp(navegadores[-1], PASSWORD) == 429
    # B's own account still enters from its own browser: counted there, whatever the address had.
    assert entrar_capturista(navegadores[0], "tortuga violeta cruza montanas") == "/inicio"


def test_the_attackers_own_account_does_not_forget_his_guesses_at_the_owners(a, b, app, monkeypatch):
    """Attack: B makes its own account for A's capturista's CURP, guesses her password four times from one address,
    then enters its own account from a fresh browser there, again and again. A success proves one account's
    password, not the CURP's: with another account on the CURP, it forgets none of the CURP's failures."""
    from app.ingreso import routes
    monkeypatch.setattr(routes.time, "sleep", lambda s: None)
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    alta(b, CURP_LUIS, correo="atacante@ejemplo.mx")
    activar(app.test_client(), app, password="tortuga violeta cruza montanas")
    estados, suyas = [], []
    for ronda in range(3):
        estados += [_intento_curp(app.test_client(), f"adivinanza {ronda}-{i}") for i in range(4)]
        suyas.append(_intento_curp(app.test_client(), "tortuga violeta cruza montanas"))
    assert estados == [422] * 5 + [429] * 7
    assert suyas == [303, 429, 429]  # his own account waits there too, once the CURP's count there is used up


def test_accounts_piled_on_a_curp_cost_its_sign_in_nothing(a, b, app, monkeypatch):
    """Attack: B makes an account for A's capturista's CURP with a new mailbox, activates it, gives it de baja,
    and again (60 invitations an hour). Every sign-in with the CURP checked every account's password hash, the
    owner's own included: now only the accounts with a live role are checked, one per contratista at most."""
    from app.ingreso import routes
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    for n in range(4):
        assert alta(b, CURP_LUIS, correo=f"buzon{n}@atacante.mx").status_code == 303
        activar(app.test_client(), app, password="tortuga violeta cruza montanas")
        de_a = roles(app)[0].contratista_id
        rol = next(r for r in roles(app) if r.estatus == "activo" and r.contratista_id != de_a)
        b.post(f"/administracion/capturistas/{rol.id}/baja", data={"csrf_token": token(b, "/administracion/alta")})
    assert len([c for c in cuentas(app) if c.password_hash]) == 5
    hashes = []
    original = routes.check_password_hash
    monkeypatch.setattr(routes, "check_password_hash", lambda h, p: hashes.append(h) or original(h, p))
    assert entrar_capturista(app.test_client()) == "/inicio"
    assert len(hashes) == routes.HASHES_POR_INGRESO


def test_a_browser_that_knows_one_account_still_enters_the_curps_other(a, b, app):
    """A person with two accounts (two mailboxes, two contratistas): her browser knows the first; the second's
    password enters too, counted by address as from any browser."""
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    alta(b, CURP_LUIS, correo="luis.otro@ejemplo.mx")
    activar(app.test_client(), app, password="tortuga violeta cruza montanas")
    suyo = app.test_client()
    assert entrar_capturista(suyo) == "/inicio"
    suyo.post("/salir", data={"csrf_token": token(suyo, "/inicio")})
    assert entrar_capturista(suyo, "tortuga violeta cruza montanas") == "/inicio"
    suyo.post("/salir", data={"csrf_token": token(suyo, "/inicio")})
    assert entrar_capturista(suyo) == "/inicio"


@pytest.mark.parametrize("fallidas, rechazada, otra", [
    # A host rotates the low 64 bits of its address (it owns the whole /64): the /64 is one client, five guesses.
    ([f"2001:db8:1:2:{n:x}:5a:{n * 7:x}:1" for n in range(5)], "2001:db8:1:2:ffff:ffff:ffff:fffe", "2001:db8:1:3::1"),
    # A routed /48 (a tunnel broker gives one away) holds 65,536 /64s, five guesses each: over the /48, twenty.
    ([f"2001:db8:7:{red:x}::{n + 1:x}" for red in range(4) for n in range(5)], "2001:db8:7:ff::1", "2001:db8:8::1"),
], ids=["one /64", "one /48"])
def test_an_ipv6_client_cannot_multiply_its_guesses_by_changing_its_address(client, app, juegos, fallidas,
                                                                            rechazada, otra):
    """Attack: wrong passwords for one certificate, each from another address of the attacker's own block. Once
    the block's count is used up, even the right password waits there; another block is another client."""
    for direccion in fallidas:
        client.environ_base["REMOTE_ADDR"] = direccion
        assert validar(client, juegos["moral"], password="adivinanza").status_code == 422
    client.environ_base["REMOTE_ADDR"] = rechazada
    assert validar(client, juegos["moral"]).status_code == 429
    ajeno = app.test_client()
    ajeno.environ_base["REMOTE_ADDR"] = otra
    assert validar(ajeno, juegos["moral"]).status_code == 200


def test_the_site_of_an_ipv6_place(client):
    from app.limiter import red_de
    assert red_de("2001:db8:7:ff::/64") == "2001:db8:7::/48"
    assert red_de("198.51.100.7") is None and red_de("desconocida") is None


@pytest.mark.parametrize("direccion, contada", [
    ("198.51.100.7", "198.51.100.7"), ("::ffff:198.51.100.7", "198.51.100.7"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"), ("2001:DB8:1:2::9", "2001:db8:1:2::/64"),
    ("fe80::1%eth0", "fe80::/64"), ("", "desconocida"), (None, "desconocida"),
    ("no es una dirección", "no es una dirección"),
    # An IPv4 client inside IPv6 is that client: NAT64 (not every IPv4 client in one 64:ff9b::/64), 6to4 (not
    # 65,536 /64s for one IPv4 address), Teredo (its client, not its server's /64).
    ("64:ff9b::c633:6407", "198.51.100.7"), ("2002:c633:6407:1234::1", "198.51.100.7"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "192.0.2.45"),
    # A proxy that writes the port: not a count per connection.
    ("198.51.100.7:5555", "198.51.100.7"), ("[2001:db8::1]:443", "2001:db8::/64"), ("[2001:db8::1]", "2001:db8::/64"),
    ("[2001:db8::1]:x", "[2001:db8::1]:x"), ("1.2.3.4:", "1.2.3.4:"), (" 198.51.100.7 ", "198.51.100.7"),
])
def test_addresses_are_counted_by_client(direccion, contada):
    from app.limiter import lugar
    assert lugar(direccion) == contada


def test_parallel_guesses_never_exceed_the_limit(a, app):
    """30 wrong passwords at once against one CURP from one address: at most 5 are tried."""
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    clientes = [app.test_client() for _ in range(30)]
    tokens = [token(c, "/") for c in clientes]
    barrera, estados = threading.Barrier(30), []

    def adivinar(cliente, csrf):
        barrera.wait()
        estados.append(cliente.post("/ingreso/capturista", data={"csrf_token": csrf, "curp": CURP_LUIS,
                                                                 "password": "adivinanza"}).status_code)

    hilos = [threading.Thread(target=adivinar, args=pair) for pair in zip(clientes, tokens)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join()
    assert set(estados) <= {422, 429} and estados.count(422) <= 5 and estados.count(429) >= 25


def test_a_sign_in_checks_as_many_hashes_whatever_accounts_the_curp_has(a, b, app, monkeypatch):
    """The time of the answer tells a stranger neither which CURPs have an account nor which have a second one (a
    contratista can make one, inviting a mailbox it controls)."""
    from app.ingreso import routes

    llamadas = []
    original = routes.check_password_hash
    monkeypatch.setattr(routes, "check_password_hash", lambda h, p: llamadas.append(h) or original(h, p))

    def intentos() -> int:
        llamadas.clear()
        cliente = app.test_client()
        cliente.post("/ingreso/capturista", data={"csrf_token": token(cliente, "/"), "curp": CURP_LUIS,
                                                  "password": "no es la contraseña"})
        return len(llamadas)

    sin_cuenta = intentos()
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    una = intentos()
    alta(b, CURP_LUIS, correo="segunda@ejemplo.mx")
    activar(app.test_client(), app, password="tortuga violeta cruza montanas")
    dos = intentos()
    assert sin_cuenta == una == dos == routes.HASHES_POR_INGRESO


def test_at_most_three_e_mails_per_account_per_hour(a, app):
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    antes = len(outbox(app))
    anonimo = app.test_client()
    for _ in range(5):
        anonimo.post("/ingreso/restablecer", data={"csrf_token": token(anonimo, "/ingreso/restablecer"),
                                                   "curp": CURP_LUIS})
    assert len(outbox(app)) - antes == 3  # resets have their own three an hour
    with app.app_context():  # and only what was sent counts: the two refused asked for nothing
        claves = [i.clave for i in get_session().exec(select(IntentoFallido)).all()]
    assert sum(c.startswith("restablecer:") for c in claves) == 3


def test_a_contratista_cannot_use_up_the_owners_resets(a, b, app):
    """B invites X's own mailbox again and again: B's invitations have their own bound, and X can still reset."""
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    alta(b, CURP_LUIS, correo="luis@ejemplo.mx")
    rol_b = roles(app)[1]
    for _ in range(4):
        b.post(f"/administracion/capturistas/{rol_b.id}/reenviar", data={"csrf_token": token(b, ALTA)})
    antes = len(outbox(app))
    anonimo = app.test_client()
    anonimo.post("/ingreso/restablecer", data={"csrf_token": token(anonimo, "/ingreso/restablecer"),
                                               "curp": CURP_LUIS})
    assert len(outbox(app)) == antes + 1 and "/ingreso/restablecer/" in cuerpo(outbox(app)[-1])


def test_made_up_curps_cannot_flood_one_mailbox(b, app):
    """Altas of made-up CURPs (one account each) to one victim's mailbox: at most three mails an hour from one
    contratista to one mailbox."""
    from .test_administracion import hacer_curp

    for dia in range(1, 9):
        alta(b, hacer_curp("GLORIA", "HERNANDEZ", "GARCIA", fecha=f"7001{dia:02d}", sexo="M"),
             ("GLORIA", "HERNANDEZ", "GARCIA"), correo="victima@correo.example")
    assert sum(m["To"] == "victima@correo.example" for m in outbox(app)) == 3


def test_reenviar_is_bounded_too(a, app):
    alta(a, CURP_LUIS)
    rol = roles(app)[0]
    for _ in range(4):
        response = a.post(f"/administracion/capturistas/{rol.id}/reenviar", data={"csrf_token": token(a, ALTA)})
    assert len(outbox(app)) == 3
    assert "ya se enviaron varios a esa dirección" in html(a.get(response.headers["Location"])).get_text()


@pytest.mark.parametrize("nombre", ["SU CUENTA SERA BLOQUEADA, VERIFIQUE EN HTTPS://EVIL.EXAMPLE", "ANA <b>",
                                    "АNA"])  # the last one starts with a Cyrillic А
def test_names_in_an_alta_are_letters_and_renapos_punctuation(a, nombre):
    response = alta(a, CURP_ANA, (nombre, "MARTINEZ", "RUIZ"), correo="ana@ejemplo.mx")
    assert response.status_code == 422
    assert "solo letras" in html(response).select_one("#nombres-error").get_text()


# §5 Sessions end ------------------------------------------------------------------------------------------------

def _cookie(client) -> str:
    return client.get_cookie("session").value


def _con_cookie(app, valor):
    otro = app.test_client()
    otro.set_cookie("session", valor)
    return otro


def test_a_cookie_saved_before_cerrar_sesion_no_longer_works(a, app):
    guardada = _cookie(a)
    assert _con_cookie(app, guardada).get("/datos-generales/").status_code == 200
    a.post("/salir", data={"csrf_token": token(a, "/datos-generales/")})
    assert _con_cookie(app, guardada).get("/datos-generales/").status_code == 303


def test_logout_ends_a_capturistas_sessions_everywhere(a, app):
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    movil, escritorio = app.test_client(), app.test_client()
    entrar_capturista(movil), entrar_capturista(escritorio)
    guardada = _cookie(movil)
    movil.post("/salir", data={"csrf_token": token(movil, "/inicio")})
    assert escritorio.get("/inicio").status_code == 303
    assert _con_cookie(app, guardada).get("/inicio").status_code == 303


def test_reactivation_does_not_revive_cookies_from_before_the_baja(a, app):
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    capturista = app.test_client()
    entrar_capturista(capturista)
    guardada = _cookie(capturista)
    rol = roles(app)[0]
    a.post(f"/administracion/capturistas/{rol.id}/baja", data={"csrf_token": token(a, ALTA)})
    a.post(f"/administracion/capturistas/{rol.id}/reactivar", data={"csrf_token": token(a, ALTA)})
    assert roles(app)[0].estatus == "pendiente"  # she accepts it again
    assert _con_cookie(app, guardada).get("/inicio").status_code == 303


def test_a_new_password_ends_earlier_sessions(a, app):
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    sesion = app.test_client()
    entrar_capturista(sesion)
    anonimo = app.test_client()
    anonimo.post("/ingreso/restablecer", data={"csrf_token": token(anonimo, "/ingreso/restablecer"),
                                               "curp": CURP_LUIS})
    url = enlace(app)
    nueva = "otra frase muy distinta ahora"
    anonimo.post(url, data={"csrf_token": token(anonimo, url), "contrasena": nueva, "confirmacion": nueva})
    assert sesion.get("/inicio").status_code == 303


def test_the_idle_clock_moves_the_cookie_once_a_twentieth_of_the_window(a, app):
    """Issue 14 §3: each rewrite of the session cookie is sent to the browser and back (over HTTP/2, as new bytes
    both ways). The idle clock ("visto") moves once 3 of the default 60 minutes have passed, not every minute."""
    import time

    paso = app.config["SESION_INACTIVA"] // 20
    assert paso == 180
    for atras, reescrita in ((paso - 30, False), (paso + 1, True)):
        with a.session_transaction() as s:
            s["visto"] = int(time.time()) - atras
        respuesta = a.get("/datos-generales/")
        assert respuesta.status_code == 200
        assert ("Set-Cookie" in respuesta.headers) is reescrita
        with a.session_transaction() as s:
            assert (int(time.time()) - s["visto"] <= 5) is reescrita


@pytest.mark.parametrize("clave, segundos", [("visto", 61 * 60), ("inicio", 13 * 3600)],
                         ids=["inactividad", "duracion-maxima"])
def test_sessions_expire_and_what_was_posted_waits_as_a_draft(a, app, clave, segundos):
    with a.session_transaction() as s:
        s[clave] -= segundos
    response = a.post("/datos-generales/borrador", headers=HTMX,
                      data={"csrf_token": token_en_sesion(a), "correo": "escrito@despues.mx"})
    assert response.headers["HX-Redirect"] == "/"  # an autosave: htmx loads the landing page
    doc = html(a.get("/"))
    assert "quedó guardado" in doc.select_one(".avisos").get_text()
    assert a.get("/datos-generales/").status_code == 303  # signed out
    with app.app_context():
        assert get_session().exec(select(Borrador)).one().datos["campos"]["correo"] == "escrito@despues.mx"


def _expirar(client) -> None:
    with client.session_transaction() as s:
        s["visto"] -= 61 * 60


def test_a_worker_or_an_alta_posted_after_the_session_ended_waits_for_the_same_user(a, app, juegos):
    """WCAG 2.2.1 (an accessibility review: Agregar trabajador and Alta de usuario lost what was typed to the idle
    timeout, without JavaScript always): the typed text fields wait in the contratista's drafts, under the user and
    the page, and fill the same form once, after signing in again. Never another field (a password field posted
    along is not kept)."""
    from . import cfdi
    from .test_informativa import contrato, contrato_id, informativa_id, registrar, servicio

    servicio(a)
    iid = informativa_id(registrar(a))
    assert contrato(a, app, iid).status_code == 303
    url = f"/informativas/{iid}/contratos/{contrato_id(app)}/trabajadores"
    p = cfdi.persona(5)
    csrf = token(a, url)
    _expirar(a)
    respuesta = a.post(url, data={"csrf_token": csrf, "nss": p.nss, "curp": p.curp, "sbc": "450.25",
                                  "contrasena": "no se guarda"})
    assert respuesta.status_code == 303
    assert "quedó guardado" in html(a.get("/")).get_text()
    with app.app_context():
        [borrador] = get_session().exec(select(Borrador)).all()
        assert borrador.datos == {"campos": {"nss": p.nss, "curp": p.curp, "sbc": "450.25"}}

    ingresar(a, juegos["moral"])
    doc = html(a.get(url))
    assert [doc.select_one(f"#{c}").get("value") for c in ("nss", "curp", "sbc")] == [p.nss, p.curp, "450.25"]
    assert "Recuperamos lo que se envió desde esta página" in doc.get_text()
    assert html(a.get(url)).select_one("#nss").get("value", "") == ""  # once

    csrf = token(a, ALTA)
    _expirar(a)
    a.post("/administracion/alta/validar", data={"csrf_token": csrf, "curp": CURP_ANA, "nombres": "ANA",
                                                 "primer_apellido": "MARTINEZ", "correo": "ana@ejemplo.mx"})
    ingresar(a, juegos["moral"])
    doc = html(a.get(ALTA))
    assert doc.select_one("#curp")["value"] == CURP_ANA and doc.select_one("#nombres")["value"] == "ANA"
    assert doc.select_one("#correo").get("value", "") == ""  # where an invitation would go: never kept
    with app.app_context():
        assert get_session().exec(select(Borrador)).all() == []


# Attacks on what a form keeps after its session ended (an attack review of formularios.conservar).

def _borradores(app) -> list[Borrador]:
    with app.app_context():
        return list(get_session().exec(select(Borrador)).all())


def _lista(a, app) -> tuple[int, int]:
    from .test_informativa import contrato, contrato_id, informativa_id, registrar, servicio

    servicio(a)
    iid = informativa_id(registrar(a))
    assert contrato(a, app, iid).status_code == 303
    return iid, contrato_id(app)


def test_an_expired_cookie_replayed_stores_a_draft_for_every_page_id_it_names(a, app):
    """conservar() keeps a row for whatever contrato_id / trabajador_id the URL names: not the user's contract, not
    an existing worker, not even an existing informativa. The session is a signed cookie, so the same expired cookie
    (with the CSRF token of its page) can be replayed for up to SESION_MAXIMA, one new Borrador row of up to
    4 x 500 characters per id: unbounded storage, and rows no page will ever read or delete. (The contract's own
    saver, contratos._conservar, checks informativas.propia/contrato_propio and en_captura first; now these do
    too.)"""
    iid, cid = _lista(a, app)
    propia = f"/informativas/{iid}/contratos/{cid}/trabajadores"
    csrf = token(a, propia)
    _expirar(a)
    viejo = a.get_cookie("session").value
    ajenas = [f"/informativas/999/contratos/{n}/trabajadores" for n in range(700, 720)] + \
             [f"{propia}/{n}" for n in range(5000, 5020)]  # no such contracts / workers
    for url in ajenas:
        a.set_cookie("session", viejo)  # the same expired cookie, again and again
        respuesta = a.post(url, data={"csrf_token": csrf, "nss": "1" * 500, "curp": "C" * 500, "sbc": "S" * 500,
                                      "nombre": "N" * 500})
        assert respuesta.status_code == 303
    assert len(_borradores(app)) == 0, f"{len(_borradores(app))} drafts kept for pages the user has no access to"


def test_a_capturista_whose_session_ended_keeps_an_alta_draft_it_can_never_open(a, app):
    """Alta de usuario is the contratista's own (a capturista gets 403), but conserva_alta runs in _caducidad,
    before the blueprint's guard, and conservar() checks no role: the capturista's expired POST writes a draft
    under "capturista:<id>|alta" that no page reads (and, replayed, overwrites it at will)."""
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    capturista = app.test_client()
    entrar_capturista(capturista)
    csrf = token(capturista, "/informativas/")
    assert capturista.get(ALTA).status_code == 403
    _expirar(capturista)
    respuesta = capturista.post(f"{ALTA}/validar", data={"csrf_token": csrf, "curp": CURP_ANA,
                                                          "correo": "otra@ejemplo.mx"})
    assert respuesta.status_code == 303
    assert _borradores(app) == []


def test_an_expired_tab_prefills_the_owners_live_alta_with_an_invitation_address(a, app, juegos):
    """Whoever sits at a tab whose session timed out (the timeout exists for that unattended terminal) types their
    own CURP and e-mail into Alta de usuario and posts it. The owner, already signed in again elsewhere (a sign-in
    moves no counter, so the old cookie still loads her user), opens Alta and is told "Recuperamos lo que
    enviaste": the stranger's address, confirmed twice, one Guardar away from an invitation into the company.
    Now the e-mail is never kept, and the message says when the fields were sent."""
    csrf = token(a, ALTA)
    _expirar(a)
    duena = app.test_client()
    ingresar(duena, juegos["moral"])  # the owner's new, live session
    assert a.post(f"{ALTA}/validar", data={"csrf_token": csrf, "curp": CURP_ANA, "nombres": "ANA",
                                           "primer_apellido": "MARTINEZ", "correo": "intruso@ejemplo.mx",
                                           "confirmar_correo": "intruso@ejemplo.mx"}).status_code == 303
    doc = html(duena.get(ALTA))
    assert doc.select_one("#correo").get("value", "") != "intruso@ejemplo.mx", \
        "the stranger's e-mail is offered to the owner as what she sent"


def test_a_roles_kept_fields_go_to_the_next_account_that_holds_the_role(a, app):
    """The key is the role ("capturista:<rol id>"), not the person's account; a role given de baja and registered
    again with another e-mail moves to that e-mail's account (capturistas.dar_de_alta), a different sign-in that
    README's §1 treats as possibly another person. What the first account posted after its session ended is
    offered to the second as "Recuperamos lo que enviaste" (workers' NSS, CURP, salary typed by someone else).
    Now the key names the account too."""
    from . import cfdi
    from app.models import Capturista

    iid, cid = _lista(a, app)
    url = f"/informativas/{iid}/contratos/{cid}/trabajadores"
    alta(a, CURP_LUIS, correo="luis@ejemplo.mx")
    activar(app.test_client(), app)
    primera = app.test_client()
    entrar_capturista(primera)
    p = cfdi.persona(7)
    csrf = token(primera, url)
    _expirar(primera)
    assert primera.post(url, data={"csrf_token": csrf, "nss": p.nss, "curp": p.curp, "sbc": "321.00"}).status_code == 303
    assert len(_borradores(app)) == 1

    with app.app_context():
        rol = get_session().exec(select(Capturista)).one()
    baja = f"/administracion/capturistas/{rol.id}/baja"
    assert a.post(baja, data={"csrf_token": token(a, baja)}).status_code == 303
    assert alta(a, CURP_LUIS, correo="otro.buzon@ejemplo.mx").status_code == 303  # the role moves to a new account
    clave = "violeta tortuga cruza montanas"
    assert activar(app.test_client(), app, password=clave).status_code == 303
    segunda = app.test_client()
    assert entrar_capturista(segunda, password=clave) == "/inicio"
    doc = html(segunda.get(url))
    assert doc.select_one("#nss").get("value", "") != p.nss, "another account's kept fields were restored"


def test_the_idle_warning_tells_the_time_left_without_moving_the_clock_and_continuar_restarts_it(a, app):
    """WCAG 2.2.1 (an accessibility review: the session ended after an hour idle with no warning): every signed-in
    page carries a clock htmx follows to /ingreso/sesion two minutes before the idle limit; asking moves no clock
    and writes no cookie; the warning offers Continuar sesión, which starts the idle clock again."""
    import time

    doc = html(a.get("/datos-generales/"))
    reloj = doc.select_one("#aviso-sesion[role=alert] span[hidden][hx-get='/ingreso/sesion']")
    segundos = int(reloj["hx-trigger"].removeprefix("load delay:").removesuffix("s"))
    assert 3600 - 120 - 5 <= segundos <= 3600 - 120
    assert html(app.test_client().get("/ingreso/efirma")).select_one("#aviso-sesion") is None  # not signed in

    def preguntar(hace: int):
        with a.session_transaction() as s:
            s["visto"] = int(time.time()) - hace
        respuesta = a.get("/ingreso/sesion", headers=HTMX)
        assert "Set-Cookie" not in respuesta.headers
        with a.session_transaction() as s:
            assert int(time.time()) - s["visto"] >= hace  # asking moved nothing
        return respuesta

    lejos = html(preguntar(600))  # 50 minutes left: nothing to say yet, ask again in 48
    # The clock is in whole seconds: one may tick between setting `visto` and the request (CI saw 2879).
    espera = int(lejos.select_one("span[hidden]")["hx-trigger"].removeprefix("load delay:").removesuffix("s"))
    assert lejos.get_text(strip=True) == "" and 2880 - 2 <= espera <= 2880
    pronto = preguntar(3600 - 100)
    assert pronto.status_code == 200
    texto = html(pronto).get_text(" ", strip=True)
    assert "Tu sesión terminará en 2 minutos por inactividad" in texto
    boton = html(pronto).select_one("form[hx-post='/ingreso/sesion'] button[autofocus]")
    assert boton.get_text() == "Continuar sesión"
    terminada = preguntar(3600 + 10)
    assert "Tu sesión terminó por inactividad" in html(terminada).get_text()
    assert a.get("/datos-generales/").status_code == 303  # the next request ends it, as before


def test_continuar_sesion_restarts_the_idle_clock_and_not_the_absolute_one(a, app):
    import time

    with a.session_transaction() as s:
        s["visto"], inicio = int(time.time()) - 3500, s["inicio"]
    respuesta = a.post("/ingreso/sesion", headers=HTMX, data={"csrf_token": token(a, "/datos-generales/")})
    assert respuesta.status_code == 200 and "Tu sesión continúa." in respuesta.get_data(as_text=True)
    with a.session_transaction() as s:
        assert int(time.time()) - s["visto"] <= 5 and s["inicio"] == inicio
    assert a.post("/ingreso/sesion", data={"csrf_token": token(a, "/datos-generales/")}).status_code == 204
    assert a.post("/ingreso/sesion", data={}).status_code == 400  # CSRF
    anonimo = app.test_client()
    assert anonimo.get("/ingreso/sesion", headers=HTMX).status_code == 204
    # Twelve hours after sign-in the warning cannot extend it: it says so, with no button.
    with a.session_transaction() as s:
        s["inicio"] = int(time.time()) - app.config["SESION_MAXIMA"] + 90
    doc = html(a.get("/ingreso/sesion", headers=HTMX))
    assert "alcanzó su duración máxima" in doc.get_text() and doc.select_one("button") is None

    # Signed out in another tab (or node): the warning's button says so instead of doing nothing (an attack review).
    otra = _con_cookie(app, _cookie(a))
    csrf = token(a, "/datos-generales/")
    a.post("/salir", data={"csrf_token": csrf})
    respuesta = otra.post("/ingreso/sesion", headers=HTMX, data={"csrf_token": csrf})
    assert respuesta.status_code == 200
    assert "Tu sesión terminó. Ingresa de nuevo" in html(respuesta).get_text(" ", strip=True)


def token_en_sesion(client) -> str:
    """The CSRF token the page held before the session expired (read without a request that would renew it)."""
    from flask_wtf.csrf import generate_csrf

    with client.session_transaction() as s:
        raw = s.get("csrf_token")
    assert raw
    app = client.application
    with app.test_request_context():
        from flask import session

        session["csrf_token"] = raw
        return generate_csrf()


def test_the_proof_of_validar_enters_once(client, app, juegos):
    assert validar(client, juegos["moral"]).status_code == 200
    copia = _cookie(client)
    assert client.post("/ingreso/ingresar", data={"csrf_token": token(client)}).status_code == 303
    repetido = _con_cookie(app, copia)
    response = repetido.post("/ingreso/ingresar", data={"csrf_token": token_en_sesion(repetido)})
    assert response.headers["Location"] == "/ingreso/efirma"
    assert repetido.get("/datos-generales/").status_code == 303


def test_a_capturista_cannot_accept_the_terms_for_the_contratista(a, app):
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    capturista = app.test_client()
    entrar_capturista(capturista)
    response = capturista.post("/ingreso/terminos", data={"csrf_token": token(capturista, "/inicio"), "acepto": "y"})
    assert response.status_code == 403


# §6 Concurrency never answers 500 -------------------------------------------------------------------------------

def _en_paralelo(trabajos) -> list[int]:
    barrera, estados = threading.Barrier(len(trabajos)), []

    def correr(trabajo):
        barrera.wait()
        estados.append(trabajo())

    hilos = [threading.Thread(target=correr, args=(t,)) for t in trabajos]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join()
    return estados


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app(request):
    return request.getfixturevalue("sqlite_app" if request.param == "sqlite" else "pg_app")


def test_guardar_overlapping_autosaves_never_fails(app, juegos):
    client = app.test_client()
    ingresar(client, juegos["fisica"])
    client.post("/ingreso/terminos", data={"csrf_token": token(client, "/ingreso/terminos"), "acepto": "y"})
    csrf = token(client, "/datos-generales/")
    clientes = [_con_cookie(app, _cookie(client)) for _ in range(30)]
    datos = {"csrf_token": csrf, "correo": "maria@ejemplo.mx", "celular": "5512345678"}

    def guardar(c):
        return lambda: c.post("/datos-generales/", content_type="multipart/form-data",
                              data={**datos, "acuse": (io.BytesIO(pdf()), "acuse.pdf")}).status_code

    def autoguardar(c, i):
        return lambda: c.post("/datos-generales/borrador", headers=HTMX,
                              data={**datos, "telefono_fijo": f"55{i:08d}"}).status_code

    trabajos = [guardar(c) if i % 3 == 0 else autoguardar(c, i) for i, c in enumerate(clientes)]
    estados = _en_paralelo(trabajos)
    assert all(s < 500 for s in estados), estados
    assert set(estados) <= {303, 204}
    with app.app_context():
        db = get_session()
        assert db.exec(select(DatosGenerales)).one().correo == "maria@ejemplo.mx"
        assert len(db.exec(select(Documento)).all()) == 1


def test_parallel_altas_of_one_new_curp_answer_as_one_would(app, juegos):
    a = preparar(app, app.test_client(), juegos["moral"])
    clientes = [_con_cookie(app, _cookie(a)) for _ in range(20)]
    csrf = token(a, ALTA)
    datos = {"csrf_token": csrf, "curp": CURP_LUIS, "nombres": "JOSE LUIS", "primer_apellido": "GARCIA",
             "segundo_apellido": "LOPEZ", "rol": "Capturista", "telefono": "5598765432",
             "correo": "luis@ejemplo.mx", "confirmar_correo": "luis@ejemplo.mx"}
    estados = _en_paralelo([lambda c=c: c.post(ALTA, data=datos).status_code for c in clientes])
    assert all(s < 500 for s in estados), estados
    assert estados.count(303) >= 1 and set(estados) <= {303, 422}
    assert len(roles(app)) == 1 and len(cuentas(app)) == 1


# §7 Smaller points ----------------------------------------------------------------------------------------------

def test_every_file_in_the_instance_is_the_owners_only(icsoe, tmp_path):
    assert icsoe("init", "--demo").exit_code == 0
    instance = tmp_path / "instance"
    from app import create_app

    app = create_app({"TESTING": True}, instance_path=str(instance))
    with app.app_context():  # a write, so that SQLite makes its WAL files
        get_session().add(IntentoFallido(clave="x", momento=NOW))
        get_session().commit()
        assert any(p.name.endswith("-wal") for p in instance.iterdir())
        for path in [instance, *instance.rglob("*")]:
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode & 0o077 == 0, (path, oct(mode))


def test_a_release_instance_is_made_private_at_start(icsoe, tmp_path):
    instance = tmp_path / "instance"
    assert icsoe("init").exit_code == 0
    (instance / "icsoe.sqlite").chmod(0o644)
    instance.chmod(0o755)
    assert icsoe("db", "current").exit_code == 0
    icsoe("trust", "list")
    assert stat.S_IMODE((instance / "icsoe.sqlite").stat().st_mode) == 0o600
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700


def test_consulta_search_takes_percent_and_underscore_literally(a, app):
    alta(a, CURP_LUIS)
    for q in ("%", "_", "%%", "J_SE"):
        doc = html(a.get(f"/administracion/consulta?q={q.replace('%', '%25')}"))
        assert doc.select("tbody tr") == [], q


def _curp_x() -> str:
    base = curp_rules.clave_nombre("ALEX", "GARCIA", "LOPEZ")
    base = base[:4] + "900101" + "X" + "DF" + base[4:] + "0"
    return base + stdnum_curp.calc_check_digit(base)


def test_a_curp_with_sex_x_is_accepted_everywhere(a, app, icsoe, tmp_path):
    curp_x = _curp_x()
    assert alta(a, curp_x, ("ALEX", "GARCIA", "LOPEZ"), correo="alex@ejemplo.mx").status_code == 303
    activar(app.test_client(), app)
    assert entrar_capturista(app.test_client(), curp=curp_x) == "/inicio"
    anonimo = app.test_client()
    response = anonimo.post("/ingreso/restablecer", data={"csrf_token": token(anonimo, "/ingreso/restablecer"),
                                                          "curp": curp_x})
    assert response.status_code == 303
    archivo = tmp_path / "x.csv"
    archivo.write_text(f"curp,nombres,primer_apellido,segundo_apellido\n{curp_x},ALEX,GARCIA,LOPEZ\n")
    assert icsoe("init").exit_code == 0
    assert "1 registros cargados" in icsoe("curp", "import", str(archivo)).output


def test_a_birth_date_after_today_is_refused_everywhere(a, app, icsoe, tmp_path):
    manana = hora.hoy() + timedelta(days=400)
    base = curp_rules.clave_nombre("ANA", "MARTINEZ", "RUIZ")
    base = base[:4] + manana.strftime("%y%m%d") + "M" + "DF" + base[4:] + "A"  # A: born in the 2000s
    futura = base + stdnum_curp.calc_check_digit(base)
    response = a.post("/administracion/alta/validar", data={"csrf_token": token(a, ALTA), "curp": futura})
    assert response.status_code == 422 and "posterior a hoy" in html(response).select_one("#curp-error").get_text()
    anonimo = app.test_client()
    response = anonimo.post("/ingreso/capturista", data={"csrf_token": token(anonimo, "/"), "curp": futura,
                                                         "password": "x"})
    assert response.status_code == 422 and "posterior a hoy" in response.get_data(as_text=True)
    archivo = tmp_path / "f.csv"
    archivo.write_text(f"curp,nombres,primer_apellido,segundo_apellido\n{futura},ANA,MARTINEZ,RUIZ\n")
    assert icsoe("init").exit_code == 0
    assert "0 registros cargados, 1 omitidos" in icsoe("curp", "import", str(archivo)).output


def _servir(tmp_path, entorno: dict):
    """`icsoe serve` in a child process on a free loopback port; returns (process, base URL)."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"ICSOE_INSTANCE": str(tmp_path / "instance"), "PATH": "/usr/bin:/bin", **entorno}
    proceso = subprocess.Popen([sys.executable, "-c", "from app.cli import main; main()", "serve", "--port",
                                str(port), "--threads", "2"], env=env, cwd=Path(__file__).parents[1],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            return proceso, base
        except OSError:
            time.sleep(0.1)
    proceso.kill()
    pytest.fail("icsoe serve did not answer")


@pytest.mark.parametrize("proxies, esperada", [("1", "203.0.113.50"), ("", "127.0.0.1")],
                         ids=["detras-de-un-proxy", "sin-proxy"])
def test_waitress_reads_the_client_address_from_a_trusted_proxy_only(tmp_path, proxies, esperada):
    """Under `icsoe serve`, ICSOE_PROXIES makes waitress take X-Forwarded-For from the proxy on loopback; without
    it the header is a client's claim and is ignored."""
    import http.cookiejar
    import urllib.parse
    import urllib.request

    from sqlalchemy import create_engine, text

    proceso, base = _servir(tmp_path, {"ICSOE_PROXIES": proxies} if proxies else {})
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        pagina = opener.open(base + "/").read().decode()
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"',
                         pagina)
        csrf = next(g for g in csrf.groups() if g)
        cuerpo_ = urllib.parse.urlencode({"csrf_token": csrf, "curp": CURP_LUIS, "password": "x"}).encode()
        peticion = urllib.request.Request(base + "/ingreso/capturista", data=cuerpo_,
                                          headers={"X-Forwarded-For": "203.0.113.50",
                                                   "X-Forwarded-Proto": "https",
                                                   # A browser sends it; over HTTPS Flask-WTF requires it.
                                                   "Referer": base.replace("http:", "https:") + "/"})
        try:
            opener.open(peticion)
        except urllib.error.HTTPError as e:
            assert e.code == 422
    finally:
        proceso.terminate()
        proceso.wait(timeout=10)
    engine = create_engine(f"sqlite:///{tmp_path / 'instance' / 'icsoe.sqlite'}")
    with engine.connect() as connection:
        claves = {row[0] for row in connection.execute(text("SELECT clave FROM intentofallido"))}
    engine.dispose()
    assert f"curp-ip:{esperada}" in claves



def test_choosing_another_contratista_does_not_extend_the_session(a, b, app):
    """The red team's 14-hour session: Cambiar de contratista and Elegir began a new session clock."""
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    alta(b, CURP_LUIS, correo="luis@ejemplo.mx")
    capturista = app.test_client()
    entrar_capturista(capturista)
    aceptar = html(capturista.get("/ingreso/elegir")).select_one(".invitaciones form")["action"]
    capturista.post(aceptar, data={"csrf_token": token(capturista, "/ingreso/elegir")})
    with capturista.session_transaction() as s:
        s["inicio"] -= 11 * 3600
        inicio = s["inicio"]
    capturista.post("/ingreso/cambiar", data={"csrf_token": token(capturista, "/ingreso/elegir")})
    rol = html(capturista.get("/ingreso/elegir")).select_one("input[name=capturista]")["value"]
    capturista.post("/ingreso/elegir", data={"csrf_token": token(capturista, "/ingreso/elegir"), "capturista": rol})
    with capturista.session_transaction() as s:
        assert s["inicio"] == inicio
        s["inicio"] -= 2 * 3600  # 13 h after the password was typed
    assert capturista.get("/inicio").status_code == 303


def test_a_cookie_long_expired_cannot_write_the_owners_draft(a, app):
    with a.session_transaction() as s:
        s["visto"] -= 30 * 24 * 3600
        s["inicio"] -= 30 * 24 * 3600
    a.post("/datos-generales/borrador", headers=HTMX,
           data={"csrf_token": token_en_sesion(a), "correo": "pagos@atacante.example"})
    with app.app_context():
        assert get_session().exec(select(Borrador)).first() is None


def test_an_activation_link_used_at_once_sets_one_password(a, app):
    alta(a, CURP_LUIS)
    url = enlace(app)
    clientes = [app.test_client() for _ in range(12)]
    tokens = [token(c, url) for c in clientes]
    frases = [f"tortuga violeta cruza montanas {n} veces" for n in range(12)]
    estados = _en_paralelo([lambda c=c, t=t, f=f: c.post(url, data={"csrf_token": t, "contrasena": f,
                                                                      "confirmacion": f}).status_code
                            for c, t, f in zip(clientes, tokens, frases)])
    assert estados.count(303) == 1 and set(estados) <= {303, 410}, estados
    with app.app_context():
        assert get_session().exec(select(Persona)).one().sesion == 1


def test_a_name_cannot_carry_a_sentence_into_the_portals_e_mail(a, app):
    """The red team's phishing alta: only a surname's first letters are checked against the CURP, so the rest of a
    "surname" reached the invitation's greeting. A name now has a name's shape."""
    from .test_administracion import hacer_curp

    clave = hacer_curp("GLORIA", "HERNANDEZ", "GARCIA", sexo="M", fecha="700110")
    for segundo in ("GARCIA SU CUENTA SERA BLOQUEADA HOY VERIFIQUE SUS DATOS EN WWW.IMSS-VERIFICA.EXAMPLE",
                    "GARCIA WWW.IMSS-VERIFICA.EXAMPLE", "GARCIA SU CUENTA SERA BLOQUEADA HOY VERIFIQUE SUS DATOS"):
        response = alta(a, clave, ("GLORIA", "HERNANDEZ", segundo), correo="victima@correo.example")
        assert response.status_code == 422
        assert html(response).select_one("#segundo_apellido-error")
    assert not any(m["To"] == "victima@correo.example" for m in outbox(app))


def test_a_redirect_is_its_location_and_nothing_a_page_has(app, juegos):
    """A 303 after a POST without htmx, or to the sign-in, is followed and never shown: no body (werkzeug wrote a
    221 B "You should be redirected automatically" note), no type, none of a document's headers (the page it lands
    on has them), and never kept."""
    client = app.test_client()
    al_ingreso = client.get("/administracion/consulta")
    validar(client, juegos["moral"])
    tras_post = client.post("/ingreso/ingresar", data={"csrf_token": token(client)})
    for respuesta, destino in ((al_ingreso, "/"), (tras_post, "/ingreso/terminos")):
        assert respuesta.status_code in (302, 303) and respuesta.headers["Location"].endswith(destino)
        assert respuesta.data == b"" and respuesta.headers["Content-Length"] == "0"
        assert respuesta.headers["Cache-Control"] == "no-store"
        for cabecera in ("Content-Type", "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                         "Referrer-Policy", "Permissions-Policy", "Vary"):
            assert cabecera not in respuesta.headers, cabecera


def test_an_htmx_redirect_is_never_kept_by_a_cache(app, juegos):
    """A 204 with HX-Redirect (htmx's see_other) answers a GET too (a page that needs a sign-in, the terms, a session
    that just expired): it is this user's answer for this moment, as personal as the 303 a browser gets for the same
    URL. Without Cache-Control a 204 is heuristically cacheable (RFC 9111 §4.2.2; Varnish keeps one for its
    default_ttl), and a cache could hand it to a plain navigation of the same URL. With no-store no cache keeps it
    (RFC 9111 §5.2.2.5), so it needs no Vary: HX-Request to be told apart from that navigation's page, and carries
    none (rendimiento.SesionFirmada: 55 B on every answer)."""
    client = app.test_client()
    pide = {**HTMX, "Accept-Encoding": "br, gzip"}
    anonima = client.get("/administracion/consulta", headers=pide)
    ingresar(client, juegos["moral"])
    sin_terminos = client.get("/administracion/consulta", headers=pide)
    with client.session_transaction() as s:
        s["visto"] = 1  # long inactive
    expirada = client.get("/administracion/consulta", headers=pide)
    for respuesta in (anonima, sin_terminos, expirada):
        assert respuesta.status_code == 204 and respuesta.headers["HX-Redirect"]
        assert respuesta.headers.get("Cache-Control") == "no-store" and "Vary" not in respuesta.headers
        # No content: neither a type nor an encoding (Flask-Compress marked it br); the bytes of every autosave.
        assert not {"Content-Type", "Content-Encoding", "X-Content-Type-Options"} & set(respuesta.headers.keys())
