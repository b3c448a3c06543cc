"""/salud, the proxy's health check (app/salud.py): 200 while the database answers, 503 when it does not."""
from __future__ import annotations

import socket

from app import create_app


def test_salud_answers_ok_with_the_database(client):
    respuesta = client.get("/salud")
    assert (respuesta.status_code, respuesta.get_data(as_text=True)) == (200, "ok\n")
    assert "Set-Cookie" not in respuesta.headers and "X-ICSOE-Nodo" not in respuesta.headers


def test_salud_is_503_when_the_database_does_not_answer(tmp_path, monkeypatch):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        puerto = s.getsockname()[1]
    monkeypatch.setenv("ICSOE_NODO", "nodo-prueba")
    app = create_app({"DATABASE_URL": f"postgresql://icsoe@127.0.0.1:{puerto}/icsoe"}, instance_path=str(tmp_path))
    respuesta = app.test_client().get("/salud")
    assert respuesta.status_code == 503 and respuesta.headers["Retry-After"] == "5"
    assert respuesta.headers["X-ICSOE-Nodo"] == "nodo-prueba"
