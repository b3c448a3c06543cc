"""Presenting an informativa (issue 13), its domain side: the cadena built from what is stored, signed by the
contratista's e.firma through fiel.verify(..., sellar=), and informativas.presentar (Por firmar → Presentada: the
folio, the deadline's verdict, what was signed), on SQLite and PostgreSQL. The route comes next."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from sqlmodel import select

from app import cadena, fiel, informativas
from app.db import get_session
from app.fiel import sello
from app.models import Informativa, Trabajador

from . import cfdi
from .conftest import NOW, token
from .test_informativa import _trabajador, a, app, informativa_id, lista, registrar  # noqa: F401  (fixtures)

AHORA = datetime(2026, 11, 30, 18, 0, tzinfo=timezone.utc)  # after the 2026-2 deadline (17/09/2026)


def _enviar(client, iid):
    return client.post(f"/informativas/{iid}/enviar", data={"csrf_token": token(client, f"/informativas/{iid}")})


def _firmar(app, juego, ca, iid) -> informativas.Firmada:
    """What the route will do: the cadena of what is stored, signed by the e.firma checked as at ingress."""
    with app.app_context():
        db = get_session()
        texto = cadena.cadena_original(informativas.datos_cadena(db, db.get(Informativa, iid), juego.rfc,
                                                                 "ESCUELA DEMO SA DE CV"))
    firma = fiel.verify(juego.rfc, juego.cer, juego.key, juego.password, trust=[ca.cert_der], now=NOW,
                        sellar=texto.encode("utf-8"))
    return informativas.Firmada(texto, sello.a_texto(firma.sello), juego.cer, firma.serial, firma.rfc, firma.nombre)


def _firmada(lista, app, juegos, ca) -> tuple[int, informativas.Firmada]:
    """The list's informativa with one worker, sent to be signed, and its cadena signed: (its id, the signature)."""
    a, iid, cid = lista
    assert _trabajador(a, iid, cid).status_code == 303
    assert _enviar(a, iid).status_code == 303
    return iid, _firmar(app, juegos["moral"], ca, iid)


def test_presentar_gives_a_folio_and_keeps_what_was_signed(lista, app, juegos, ca):
    a, _iid, cid = lista
    iid, firmada = _firmada(lista, app, juegos, ca)
    with app.app_context():
        db = get_session()
        informativa = db.get(Informativa, iid)
        assert informativas.presentar(db, informativa, firmada, AHORA) == "ICSOE-N2026-000001"
        assert (informativa.estatus, informativa.fuera_de_plazo, informativa.cadena_version) == \
            ("presentada", True, cadena.VERSION)
        assert informativa.presentada == AHORA and informativa.cert_serial == firmada.serial
        # Anyone holding the certificate can check the stored sello against the stored cadena.
        assert sello.verificar(informativa.certificado, informativa.cadena.encode("utf-8"),
                               sello.de_texto(informativa.sello))
        assert informativas.presentar(db, informativa, firmada, AHORA) is None  # only once
        assert informativas.cadena_reconstruida(db, informativa) == informativa.cadena
        # A worker changed in the database afterwards no longer gives the cadena that was signed.
        trabajador = db.exec(select(Trabajador)).one()
        trabajador.sbc = Decimal("451.25")
        db.add(trabajador)
        db.commit()
        assert informativas.cadena_reconstruida(db, informativa) != informativa.cadena
    # Presentada: nothing of it changes any more.
    assert _trabajador(a, iid, cid, i=4).status_code == 409


@pytest.mark.parametrize("momento, folio", [(datetime(2027, 1, 1, 5, 30, tzinfo=timezone.utc), "ICSOE-N2026-000001"),
                                            (datetime(2027, 1, 1, 6, 30, tzinfo=timezone.utc), "ICSOE-N2027-000001")])
def test_the_folio_carries_the_year_of_mexico_city_when_presented(lista, app, juegos, ca, momento, folio):
    """A review of the tests' dates: a period of 2026 presented on New Year's Day in Mexico City has a 2027 folio,
    while 2027-01-01 05:30 UTC is still 31 December there (a 2026 folio)."""
    iid, firmada = _firmada(lista, app, juegos, ca)
    with app.app_context():
        db = get_session()
        assert informativas.presentar(db, db.get(Informativa, iid), firmada, momento) == folio


def test_an_informativa_changed_while_it_was_signed_is_not_presented(lista, app, juegos, ca):
    """The contratista signs what it read; meanwhile a capturista sends it back to capture, changes a worker and
    sends it again. The signed cadena no longer matches what is stored: nothing is presented, no folio is used."""
    a, iid, cid = lista
    _trabajador(a, iid, cid)
    _enviar(a, iid)
    firmada = _firmar(app, juegos["moral"], ca, iid)
    a.post(f"/informativas/{iid}/regresar", data={"csrf_token": token(a, f"/informativas/{iid}")})
    assert _trabajador(a, iid, cid, i=5).status_code == 303
    _enviar(a, iid)
    with app.app_context():
        db = get_session()
        informativa = db.get(Informativa, iid)
        assert informativas.presentar(db, informativa, firmada, AHORA) is None
        assert informativa.estatus == "por_firmar" and informativa.folio is None
        # Signed again, it is presented, with the first number: the refused filing used none.
    firmada = _firmar(app, juegos["moral"], ca, iid)
    with app.app_context():
        db = get_session()
        assert informativas.presentar(db, db.get(Informativa, iid), firmada, AHORA) == "ICSOE-N2026-000001"


def test_a_sin_informacion_presented_in_time(a, app, juegos, ca):
    iid = informativa_id(registrar(a, tipo="sin_informacion"))
    assert _enviar(a, iid).status_code == 303
    firmada = _firmar(app, juegos["moral"], ca, iid)
    assert "|sin_informacion||0|0||" in firmada.cadena
    with app.app_context():
        db = get_session()
        informativa = db.get(Informativa, iid)
        en_plazo = datetime(2026, 9, 10, 12, 0, tzinfo=timezone.utc)
        assert informativas.presentar(db, informativa, firmada, en_plazo) == "ICSOE-S2026-000001"
        assert informativa.fuera_de_plazo is False
