"""Attacks on the capturista's lifecycle (alta, invitation, reset, baja) that a review reproduced, each performed
here against the fix (a stranger at the owner's address, a hostile contratista, someone in the person's mailbox)."""
from __future__ import annotations

import pytest
from sqlmodel import func, select

from app.db import get_session
from app.models import Auditoria, Persona

from .conftest import html, token
from .test_administracion import (ALTA, CURP_ANA, CURP_LUIS, activar, alta, enlace, entrar_capturista, hacer_curp,
                                  preparar)
from .test_seguridad import outbox, roles

NUEVA = "otra frase muy distinta ahora"


def _pedir_restablecer(cliente, curp=CURP_LUIS):
    return cliente.post("/ingreso/restablecer", data={"csrf_token": token(cliente, "/ingreso/restablecer"),
                                                      "curp": curp})


def _capturista_activa(app, client, juegos):
    """Contratista A, and LUIS activated as its capturista (luis@ejemplo.mx)."""
    a = preparar(app, client, juegos["moral"])
    assert alta(a, CURP_LUIS).status_code == 303
    assert activar(app.test_client(), app).status_code == 303
    return a


def test_a_stranger_at_the_owners_address_silences_her_password_reset(client, app, juegos):
    """A stranger behind the owner's address (an office's router, a carrier's NAT) posts ¿Olvidaste tu contraseña?
    for made-up CURPs until the address's count was used up (LIMITE_POR_DIRECCION; 5 here): the owner's own request
    was then dropped in silence ("enviamos…", no mail) for as long as he kept on. Resets are bounded per account
    only now: hers is sent."""
    _capturista_activa(app, client, juegos)
    suyo = app.test_client()
    assert entrar_capturista(suyo) == "/inicio"  # her own browser, which the sign-in remembers
    suyo.post("/salir", data={"csrf_token": token(suyo, "/inicio")})
    app.config["LIMITE_POR_DIRECCION"] = 5
    extrano = app.test_client()  # same address (127.0.0.1)
    for _ in range(5):
        assert _pedir_restablecer(extrano, CURP_ANA).status_code == 303  # a CURP without account: no mail
    antes = len(outbox(app))
    respuesta = _pedir_restablecer(suyo)
    assert respuesta.status_code == 303  # "Si la CURP tiene un usuario activo, enviamos…"
    nuevos = outbox(app)[antes:]
    assert [m["To"] for m in nuevos] == ["luis@ejemplo.mx"], \
        "the owner's reset was silently dropped because a stranger used up her address's reset count"


def test_sub_addressing_multiplies_invitations_to_one_mailbox(client, app, juegos):
    """A hostile contratista makes altas of made-up CURPs to victima+1@, victima+2@…: the per-mailbox bounds (3 an
    hour from one contratista) were keyed by the address as written, while Gmail, Outlook and most servers deliver
    them all to victima@ (eight mails in a minute). They are counted by mailbox now (enlaces.buzon_de)."""
    b = preparar(app, client, juegos["otra"], directorio=False)
    for dia in range(1, 9):
        alta(b, hacer_curp("GLORIA", "HERNANDEZ", "GARCIA", fecha=f"7001{dia:02d}", sexo="M"),
             ("GLORIA", "HERNANDEZ", "GARCIA"), correo=f"victima+{dia}@correo.example")
    buzon = [m["To"] for m in outbox(app) if m["To"].split("@")[0].split("+")[0] == "victima"]
    assert len(buzon) == 3, f"{len(buzon)} invitations reached victima@correo.example: {buzon}"


def test_a_password_reset_leaves_a_bitacora_row(client, app, juegos):
    """A password set through ¿Olvidaste tu contraseña? (how someone who got into the person's mailbox takes the
    account) left no Bitácora row: neither the contratistas she works for nor an operator could see when or from
    where it was replaced. Now one row for each contratista of an active role, and one of the account's own."""
    a = _capturista_activa(app, client, juegos)
    anonimo = app.test_client()
    assert _pedir_restablecer(anonimo).status_code == 303
    url = enlace(app)
    assert "/ingreso/restablecer/" in url
    with app.app_context():
        antes = get_session().exec(select(func.count()).select_from(Auditoria)).one()
    respuesta = anonimo.post(url, data={"csrf_token": token(anonimo, url), "contrasena": NUEVA, "confirmacion": NUEVA})
    assert respuesta.status_code == 303 and entrar_capturista(app.test_client(), NUEVA) == "/inicio"
    with app.app_context():
        filas = get_session().exec(select(Auditoria).order_by(Auditoria.id)).all()[antes:]
    rol = roles(app)[0]
    reset = [(f.contratista_id, f.actor, f.quien, f.direccion) for f in filas if f.accion == "restablecimiento"]
    assert reset == [(None, f"cuenta:{rol.persona_id}", CURP_LUIS, "127.0.0.1"),
                     (rol.contratista_id, f"capturista:{rol.id}", CURP_LUIS, "127.0.0.1")]
    bitacora = html(a.get("/bitacora/?tipo=restablecimiento")).select_one("table").get_text(" ")
    assert "Contraseña restablecida por correo" in bitacora and f"Capturista (id {rol.id})" in bitacora


def test_a_reset_link_dies_with_the_baja_of_the_accounts_last_role(client, app, juegos):
    """A reset link mailed before the baja of the account's last live role set the account's password after it
    (GET 200, POST 303), though the reset form no longer serves such an account (cuentas_para_ingreso): now 410,
    as an invitation link answers, GET and POST, and the password stays unset by it."""
    a = _capturista_activa(app, client, juegos)
    anonimo = app.test_client()
    _pedir_restablecer(anonimo)
    url = enlace(app)
    rol = roles(app)[0]
    with app.app_context():
        hash_antes = get_session().get(Persona, rol.persona_id).password_hash
    baja = f"/administracion/capturistas/{rol.id}/baja"
    assert a.post(baja, data={"csrf_token": token(a, ALTA)}).status_code == 303
    assert roles(app)[0].estatus == "baja"
    respuesta = anonimo.post(url, data={"csrf_token": token(anonimo, "/ingreso/restablecer"), "contrasena": NUEVA,
                                        "confirmacion": NUEVA})
    assert respuesta.status_code == 410, f"reset link still usable after the baja: {respuesta.status_code}"
    assert anonimo.get(url).status_code == 410
    with app.app_context():
        assert get_session().get(Persona, rol.persona_id).password_hash == hash_antes


@pytest.mark.parametrize("correo, buzon", [
    ("Victima+1@Correo.Example", "victima@correo.example"), ("victima+a+b@correo.example", "victima@correo.example"),
    ("v.i.c.t.i.m.a+x@gmail.com", "victima@gmail.com"), ("v.ictima@googlemail.com", "victima@gmail.com"),
    ("v.ictima@correo.example", "v.ictima@correo.example"), ("sin-arroba", "sin-arroba")])
def test_the_mail_bounds_count_mailboxes_not_spellings(correo, buzon):
    from app.enlaces import buzon_de

    assert buzon_de(correo) == buzon


def test_resets_to_one_mailbox_are_bounded(client, app, juegos):
    """A review: without a bound per client address, one anonymous client that knows the CURPs of the accounts one
    mailbox holds (an office's shared nominas@) sent three resets for each, fifteen in a minute. Resets to one
    mailbox are bounded like invitations (10 an hour), each with a working link."""
    from werkzeug.security import generate_password_hash

    from app.models import Capturista, Contratista

    preparar(app, client, juegos["moral"])
    curps = [hacer_curp("GLORIA", "HERNANDEZ", "GARCIA", fecha=f"7001{d:02d}", sexo="M") for d in range(1, 6)]
    with app.app_context():
        db = get_session()
        cid = db.exec(select(Contratista.id).where(Contratista.rfc == juegos["moral"].rfc)).one()
        for curp in curps:
            persona = Persona(curp=curp, correo="Nominas+rh@empresa.example", password_hash=generate_password_hash("x" * 12))
            db.add(persona)
            db.flush()
            db.add(Capturista(persona_id=persona.id, contratista_id=cid, curp=curp, nombres="GLORIA",
                              primer_apellido="HERNANDEZ", telefono="5512345678", estatus="activo"))
        db.commit()
    extrano = app.test_client()
    antes = len(outbox(app))
    for _ in range(3):
        for curp in curps:
            assert _pedir_restablecer(extrano, curp).status_code == 303
    assert [m["To"] for m in outbox(app)[antes:]] == ["Nominas+rh@empresa.example"] * 10


def test_gmail_and_googlemail_are_one_mailbox(client, app, juegos):
    """A review: Google delivers @googlemail.com to the @gmail.com inbox; alternating the two spellings doubled the
    per-mailbox bounds."""
    b = preparar(app, client, juegos["otra"], directorio=False)
    for dia in range(1, 9):
        alta(b, hacer_curp("GLORIA", "HERNANDEZ", "GARCIA", fecha=f"7001{dia:02d}", sexo="M"),
             ("GLORIA", "HERNANDEZ", "GARCIA"), correo=f"vic.tima@{'gmail.com' if dia % 2 else 'googlemail.com'}")
    assert len([m["To"] for m in outbox(app) if "tima@g" in m["To"]]) == 3


@pytest.mark.parametrize("app", ["sqlite", "postgresql"], indirect=True)
def test_a_reset_racing_the_last_baja_never_answers_500(client, app, juegos):
    """The reset link's POST (the password's hash, then the UPDATE with its live-role condition) against the baja
    of the account's last role: 303 or 410, never 500; a 303 leaves the account's Bitácora row."""
    from .test_ataques_firma import _a_la_vez

    a = _capturista_activa(app, client, juegos)
    rol, anonimo = roles(app)[0], app.test_client()
    assert _pedir_restablecer(anonimo).status_code == 303
    url = enlace(app)
    datos = {"csrf_token": token(anonimo, url), "contrasena": NUEVA, "confirmacion": NUEVA}
    baja = {"csrf_token": token(a, ALTA)}
    reset, respuesta_baja = _a_la_vez(lambda: anonimo.post(url, data=datos).status_code,
                                      lambda: a.post(f"/administracion/capturistas/{rol.id}/baja", data=baja).status_code)
    assert reset in (303, 410) and respuesta_baja == 303, (reset, respuesta_baja)
    with app.app_context():
        propias = get_session().exec(select(Auditoria).where(Auditoria.accion == "restablecimiento",
                                                             Auditoria.contratista_id.is_(None))).all()
    assert (reset == 303) == bool(propias), (reset, propias)
