"""`icsoe avisos`: the reminders due on a date, e-mailed to each contratista and its active capturistas, once each
(two runs, two runs at once), nothing for a presented period, a failed server retried; and a real SMTP server."""
from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import select

from app import seguimiento
from app.cli import main
from app.correo import Correo, leer_outbox
from app.db import get_session
from app.models import AvisoEnviado, Informativa

from .test_administracion import CURP_LUIS, activar, alta, otro_contratista
from .test_correo import body, servidor
from .test_informativa import a, app, informativa_id, registrar  # noqa: F401  (fixtures)


@pytest.fixture
def avisos(app, monkeypatch):
    """Run `icsoe avisos ARGS...` on the test app's instance and database; returns click's result."""
    monkeypatch.setenv("ICSOE_INSTANCE", app.instance_path)
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("ICSOE_URL", "https://icsoe.example.mx")
    monkeypatch.delenv("SMTP_URL", raising=False)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, ["avisos", *args])


def outbox(app) -> list:
    return leer_outbox(Path(app.instance_path) / "outbox")


@pytest.fixture
def dos(a, app, juegos):
    """The persona moral with an active capturista and a Normal informativa of Mayo–Agosto 2026 in capture (no
    contracts yet), and the persona física with no informativa: (client of a, its informativa's id)."""
    iid = informativa_id(registrar(a))
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    otro_contratista(app, juegos["fisica"])
    return a, iid


def test_the_notices_due_on_a_date_go_out_once(dos, app, avisos, juegos):
    a, iid = dos
    antes = len(outbox(app))  # the capturista's invitation
    resultado = avisos("--fecha", "2026-09-11")  # three business days before the deadline (17/09/2026; 16 is off)
    assert resultado.exit_code == 0, resultado.output
    assert "Avisos del 11/09/2026: 2 avisos, 3 correos enviados." in resultado.output
    nuevos = outbox(app)[antes:]
    assert sorted(m["To"] for m in nuevos) == ["a@ejemplo.mx", "a@ejemplo.mx", "luis@ejemplo.mx"]
    asunto = "ICSOE: quedan 4 días hábiles para presentar la informativa de Mayo–Agosto 2026 (vence el 17/09/2026)"
    assert {m["Subject"] for m in nuevos} == {asunto}
    textos = {body(m) for m in nuevos}
    assert len(textos) == 2  # the contratista and its capturista read the same notice
    en_captura = next(t for t in textos if "Revisar aún señala" in t)
    assert juegos["moral"].rfc in en_captura
    assert "- Una informativa Normal debe tener al menos un contrato" in en_captura
    assert f"https://icsoe.example.mx/informativas/{iid}" in en_captura
    sin_registrar = next(t for t in textos if t != en_captura)
    assert juegos["fisica"].rfc in sin_registrar and "Aún no registras" in sin_registrar
    assert "https://icsoe.example.mx/informativas/\n" in sin_registrar

    # A second run the same day, or on a day before the next notice, sends nothing.
    for fecha in ("2026-09-11", "2026-09-14"):
        resultado = avisos("--fecha", fecha)
        assert resultado.exit_code == 0 and "0 avisos, 0 correos" in resultado.output
    assert len(outbox(app)) == antes + 3

    # The period is presented by the persona moral: on the deadline only the persona física is reminded.
    with app.app_context():
        db = get_session()
        informativa = db.get(Informativa, iid)
        informativa.estatus, informativa.fuera_de_plazo = "presentada", False
        db.add(informativa)
        db.commit()
    resultado = avisos("--fecha", "2026-09-17")
    assert "1 avisos, 1 correos enviados" in resultado.output
    [ultimo] = outbox(app)[antes + 3:]
    assert ultimo["Subject"].startswith("ICSOE: queda 1 día hábil") and juegos["fisica"].rfc in body(ultimo)
    with app.app_context():
        filas = get_session().exec(select(AvisoEnviado).order_by(AvisoEnviado.id)).all()
        assert [(f.anticipacion, f.correos) for f in filas] == [(3, 2), (3, 1), (1, 1)]


def test_por_firmar_asks_the_contratista_to_sign(dos, app, avisos):
    a, iid = dos
    with app.app_context():
        db = get_session()
        informativa = db.get(Informativa, iid)
        informativa.estatus = "por_firmar"
        db.add(informativa)
        db.commit()
    antes = len(outbox(app))
    assert avisos("--fecha", "2026-09-03").exit_code == 0  # ten business days before
    textos = [body(m) for m in outbox(app)[antes:] if m["To"] == "luis@ejemplo.mx"]
    assert len(textos) == 1 and "el contratista debe firmarla y presentarla con su e.firma" in textos[0]
    assert "quedan 10 días hábiles" in textos[0]


@pytest.mark.parametrize("fecha", ["2026-13-01", "14/09/2026", "ayer", "2020-09-14", "2026-9-14"])
def test_an_invalid_date_is_a_spanish_usage_error(avisos, fecha):
    resultado = avisos("--fecha", fecha)
    assert resultado.exit_code == 2
    assert "--fecha debe" in resultado.output


def test_two_runs_at_once_send_each_notice_once(dos, app):
    antes = len(outbox(app))
    barrera = threading.Barrier(4)
    resultados = []

    def correr():
        with app.app_context():
            barrera.wait()
            resultados.append(seguimiento.enviar_avisos(get_session(), app.extensions["correo"], date(2026, 9, 14),
                                                        lambda _: "https://icsoe.example.mx/"))

    hilos = [threading.Thread(target=correr) for _ in range(4)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join()
    assert sum(r.avisos for r in resultados) == 2 and sum(r.correos for r in resultados) == 3
    assert len(outbox(app)) == antes + 3


def test_a_notice_that_fails_unexpectedly_is_retried_and_the_run_goes_on(dos, app, avisos, juegos, monkeypatch):
    """An unexpected error while writing one contratista's notice (here: reading its informativa) loses neither
    that notice (its claim is released: the next run sends it) nor the others' (the run goes on)."""
    antes = len(outbox(app))
    redactar = seguimiento.avisos.redactar

    def falla_para_la_moral(aviso, contratista, *args):
        if contratista.startswith(juegos["moral"].rfc):
            raise RuntimeError("la base de datos se fue")
        return redactar(aviso, contratista, *args)

    monkeypatch.setattr(seguimiento.avisos, "redactar", falla_para_la_moral)
    resultado = avisos("--fecha", "2026-09-11")
    assert resultado.exit_code == 1, resultado.output  # cron sees the failure
    assert "1 avisos, 1 correos enviados" in resultado.output and "No se pudieron enviar" in resultado.output
    assert [m["To"] for m in outbox(app)[antes:]] == ["a@ejemplo.mx"]  # the persona física's
    with app.app_context():
        assert len(get_session().exec(select(AvisoEnviado)).all()) == 1

    monkeypatch.setattr(seguimiento.avisos, "redactar", redactar)
    resultado = avisos("--fecha", "2026-09-11")
    assert resultado.exit_code == 0 and "1 avisos, 2 correos enviados" in resultado.output  # the persona moral and its capturista, now
    assert len(outbox(app)) == antes + 3


def test_a_real_smtp_server_and_a_failed_one_retried(dos, app, tmp_path):
    from .test_correo import free_port

    caido = Correo(f"smtp://127.0.0.1:{free_port()}", tmp_path / "nada", timeout=2)  # nobody listens there
    with app.app_context():
        resultado = seguimiento.enviar_avisos(get_session(), caido, date(2026, 9, 14), lambda _: "https://x.mx/")
        assert (resultado.avisos, resultado.correos, resultado.fallidos) == (0, 0, 3)
        assert get_session().exec(select(AvisoEnviado)).all() == []  # nothing went out: the next run retries
    with servidor() as (bandeja, port), app.app_context():
        correo = Correo(f"smtp://127.0.0.1:{port}", tmp_path / "nada")
        resultado = seguimiento.enviar_avisos(get_session(), correo, date(2026, 9, 14), lambda _: "https://x.mx/")
        assert (resultado.avisos, resultado.correos) == (2, 3)
        assert sorted(r for e in bandeja.recibidos for r in e.rcpt_tos) == \
            ["a@ejemplo.mx", "a@ejemplo.mx", "luis@ejemplo.mx"]
