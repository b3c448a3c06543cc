"""Folios (issue 13): their format (app/folios.py) and their numbers, given by the database once each even when app
nodes present at the same moment (informativas.siguiente_folio), on SQLite and PostgreSQL."""
from __future__ import annotations

import threading

import pytest
from sqlmodel import Session

from app import folios, informativas


def test_the_folio_format():
    assert folios.folio("normal", 2026, 123) == "ICSOE-N2026-000123"
    assert folios.folio("sin_efectos", 2027, 1) == "ICSOE-E2027-000001"
    assert folios.folio_contrato("ICSOE-N2026-000123", 7) == "ICSOE-N2026-000123-007"
    for malo in ((0, 2026), (1_000_000, 2026), (1, 2020)):
        with pytest.raises(ValueError):
            folios.folio("normal", malo[1], malo[0])
    assert folios.folio_contrato("ICSOE-N2026-000123", 1000) == "ICSOE-N2026-000123-1000"
    for malo in (0, 10_000):  # revision refuses a filing of more than 9,999 contracts
        with pytest.raises(ValueError):
            folios.folio_contrato("ICSOE-N2026-000123", malo)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def motor(request):
    app = request.getfixturevalue("sqlite_app" if request.param == "sqlite" else "pg_app")
    return app.extensions["engine"]


def test_numbers_follow_per_type_and_year_and_a_rollback_gives_its_number_back(motor):
    with Session(motor) as s:
        assert [informativas.siguiente_folio(s, "normal", 2026) for _ in range(3)] == [1, 2, 3]
        assert informativas.siguiente_folio(s, "sin_informacion", 2026) == 1
        assert informativas.siguiente_folio(s, "normal", 2027) == 1
        s.commit()
    with Session(motor) as s:
        assert informativas.siguiente_folio(s, "normal", 2026) == 4
        s.rollback()  # the filing failed: its number is given back
    with Session(motor) as s:
        assert informativas.siguiente_folio(s, "normal", 2026) == 4
        s.commit()


def test_nodes_presenting_at_once_never_share_a_number(motor):
    """20 threads (each its own connection, as app nodes are) take a number and commit at the same moment."""
    numeros, errores, barrera = [], [], threading.Barrier(20)

    def presentar():
        try:
            with Session(motor) as s:
                barrera.wait()
                numeros.append(informativas.siguiente_folio(s, "normal", 2026))
                s.commit()
        except Exception as e:  # noqa: BLE001  reported below, with the numbers
            errores.append(repr(e))

    hilos = [threading.Thread(target=presentar) for _ in range(20)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join(60)
    assert errores == [] and sorted(numeros) == list(range(1, 21))
