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
from app.models import AvisoCorreo, AvisoEnviado, Informativa

from .test_administracion import CURP_LUIS, activar, alta, otro_contratista
from .test_correo import Bandeja, body, servidor
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


def _presentada(app, iid: int) -> None:
    """The informativa presented on time (as far as the notices can tell)."""
    with app.app_context():
        db = get_session()
        informativa = db.get(Informativa, iid)
        informativa.estatus, informativa.fuera_de_plazo = "presentada", False
        db.add(informativa)
        db.commit()


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
    _presentada(app, iid)
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
    # Runs may share one notice's messages (each takes a message's lease), but each message goes out once.
    assert sum(r.correos for r in resultados) == 3 and sum(r.fallidos for r in resultados) == 0
    assert sorted(m["To"] for m in outbox(app)[antes:]) == ["a@ejemplo.mx", "a@ejemplo.mx", "luis@ejemplo.mx"]


def test_a_notice_that_fails_unexpectedly_is_retried_and_the_run_goes_on(dos, app, avisos, juegos, monkeypatch):
    """An unexpected error while writing one contratista's notice (here: reading its informativa) loses neither
    that notice (its messages stay unsent: the next run writes and sends it) nor the others' (the run goes on)."""
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
        assert sorted((c.correo, c.enviado is not None, c.intentos) for c in get_session().exec(select(AvisoCorreo))) \
            == [("a@ejemplo.mx", False, 0), ("a@ejemplo.mx", True, 0), ("luis@ejemplo.mx", False, 0)]

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
        # Nothing went out: each message keeps its failure, for the next run to retry.
        assert [(c.enviado, c.intentos, c.reclamado) for c in get_session().exec(select(AvisoCorreo))] == \
            [(None, 1, None)] * 3
        assert get_session().exec(select(AvisoCorreo)).first().error == \
            "No se pudo enviar el correo. Intenta de nuevo más tarde."
    with servidor() as (bandeja, port), app.app_context():
        correo = Correo(f"smtp://127.0.0.1:{port}", tmp_path / "nada")
        resultado = seguimiento.enviar_avisos(get_session(), correo, date(2026, 9, 14), lambda _: "https://x.mx/")
        assert (resultado.avisos, resultado.correos) == (2, 3)
        assert sorted(r for e in bandeja.recibidos for r in e.rcpt_tos) == \
            ["a@ejemplo.mx", "a@ejemplo.mx", "luis@ejemplo.mx"]


# -- Delivery at least once (app.seguimiento: a lease per message, failures retried) -------------------------------

def _mensajes(app) -> list[tuple[str, bool, int]]:
    """Each notice's recipients: (address, sent, failures), in the order they were claimed."""
    with app.app_context():
        return [(c.correo, c.enviado is not None, c.intentos)
                for c in get_session().exec(select(AvisoCorreo).order_by(AvisoCorreo.id))]


def _correr(app, correo, fecha: str) -> seguimiento.Resultado:
    with app.app_context():
        return seguimiento.enviar_avisos(get_session(), correo, date.fromisoformat(fecha), lambda _: "https://x.mx/")


def _vencer_reclamos(app, minutos: int = 11) -> None:
    """Move every live lease `minutos` into the past: what waiting that long would do."""
    from datetime import timedelta

    from sqlalchemy import update

    with app.app_context():
        db = get_session()
        tabla = AvisoCorreo.__table__
        for fila in db.exec(select(AvisoCorreo).where(AvisoCorreo.reclamado.is_not(None))).all():
            db.execute(update(tabla).where(tabla.c.id == fila.id)
                       .values(reclamado=fila.reclamado - timedelta(minutes=minutos)))
        db.commit()


def _asuntos(bandeja) -> set[str]:
    from email import policy
    from email.parser import BytesParser

    return {BytesParser(policy=policy.default).parsebytes(e.content)["Subject"] for e in bandeja.recibidos}


def _caido(tmp_path) -> Correo:
    from .test_correo import free_port

    return Correo(f"smtp://127.0.0.1:{free_port()}", tmp_path / "nada", timeout=2)  # nobody listens there


class _Retenida(Bandeja):
    """A mail server that accepts the first message and holds the second one's DATA without answering."""

    def __init__(self):
        super().__init__()
        self.reteniendo = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        if self.recibidos:
            self.reteniendo.set()
            await asyncio.sleep(120)
        return await super().handle_DATA(server, session, envelope)


def test_a_run_killed_while_sending_is_taken_over_once_its_lease_runs_out(dos, app, tmp_path):
    """`icsoe avisos` killed (SIGKILL) while the mail server holds its second message: the message it sent stays
    sent, the one in flight and the ones after it stay leased (another run does not send them while the lease
    lives), and the first run after the lease ran out sends each of them once."""
    import os
    import signal
    import subprocess
    import sys

    from aiosmtpd.controller import Controller

    from .test_correo import free_port

    retenida = _Retenida()
    controlador = Controller(retenida, hostname="127.0.0.1", port=free_port())
    controlador.start()
    try:
        entorno = {**os.environ, "ICSOE_INSTANCE": app.instance_path, "DATABASE_URL": app.config["DATABASE_URL"],
                   "ICSOE_URL": "https://icsoe.example.mx", "SMTP_URL": f"smtp://127.0.0.1:{controlador.port}"}
        proceso = subprocess.Popen([sys.executable, "-c", "from app.cli import main; main()", "avisos", "--fecha",
                                    "2026-09-11"], env=entorno, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            assert retenida.reteniendo.wait(60), proceso.stdout.read1().decode() if proceso.poll() is not None else ""
        finally:
            proceso.send_signal(signal.SIGKILL)
            proceso.wait(10)
        assert len(retenida.recibidos) == 1
    finally:
        controlador.stop()
    # The persona moral's notice: its first message sent, the second in flight; the persona física's not claimed.
    assert _mensajes(app) == [("a@ejemplo.mx", True, 0), ("luis@ejemplo.mx", False, 0)]

    with servidor() as (bandeja, port):
        correo = Correo(f"smtp://127.0.0.1:{port}", tmp_path / "nada")
        resultado = _correr(app, correo, "2026-09-11")  # the lease of the message in flight still lives
        enviados_antes = sorted(r for e in bandeja.recibidos for r in e.rcpt_tos)
        _vencer_reclamos(app)
        resultado = _correr(app, correo, "2026-09-11")
        assert resultado.fallidos == 0
        recibidos = sorted(r for e in bandeja.recibidos for r in e.rcpt_tos)
    primero = retenida.recibidos[0].rcpt_tos
    assert "luis@ejemplo.mx" not in enviados_antes  # in flight when the run died: leased, not sent by the next
    assert sorted(primero + recibidos) == ["a@ejemplo.mx", "a@ejemplo.mx", "luis@ejemplo.mx"]
    assert [enviado for _, enviado, _ in _mensajes(app)] == [True, True, True]


def test_a_failed_message_is_retried_with_that_days_text_until_it_is_given_up(dos, app, tmp_path):
    """The 10-day notice of Mayo–Agosto 2026 (due 17/09) claimed on 02/09 with the mail server down goes out on
    03/09 saying what is true on 03/09; an address the server refuses is tried MAX_INTENTOS times in all, then
    given up; a run in which nothing is left sends nothing."""
    from sqlalchemy import update

    from app.models import Persona

    with app.app_context():
        db = get_session()
        db.execute(update(Persona.__table__).where(Persona.__table__.c.correo == "luis@ejemplo.mx")
                   .values(correo="luis@rechazado.invalid"))
        db.commit()
    resultado = _correr(app, _caido(tmp_path), "2026-09-02")
    assert (resultado.correos, resultado.fallidos) == (0, 3)
    with servidor() as (bandeja, port):
        correo = Correo(f"smtp://127.0.0.1:{port}", tmp_path / "nada")
        resultado = _correr(app, correo, "2026-09-03")
        assert (resultado.avisos, resultado.correos, resultado.fallidos) == (2, 2, 1)
        assert _asuntos(bandeja) == {"ICSOE: quedan 10 días hábiles para presentar la informativa de Mayo–Agosto 2026 "
                           "(vence el 17/09/2026)"}
        for fecha, fallidos in (("2026-09-04", 1), ("2026-09-07", 0), ("2026-09-08", 0)):
            resultado = _correr(app, correo, fecha)
            assert (resultado.correos, resultado.fallidos) == (0, fallidos), fecha
        assert len(bandeja.recibidos) == 2
    assert _mensajes(app) == [("a@ejemplo.mx", True, 1), ("luis@rechazado.invalid", False, 3),
                              ("a@ejemplo.mx", True, 1)]
    with app.app_context():
        assert [a.correos for a in get_session().exec(select(AvisoEnviado).order_by(AvisoEnviado.id))] == [1, 1]


def test_an_unsent_message_is_not_retried_once_a_more_urgent_notice_or_the_filing_went_out(dos, app, tmp_path):
    """Messages of the 10-day notice that never went out are not sent after the 3-day notice was claimed (that one
    goes to everyone), nor once the period is presented, nor after the deadline."""
    resultado = _correr(app, _caido(tmp_path), "2026-09-02")
    assert resultado.fallidos == 3
    with servidor() as (bandeja, port):
        correo = Correo(f"smtp://127.0.0.1:{port}", tmp_path / "nada")
        resultado = _correr(app, correo, "2026-09-11")
        assert (resultado.avisos, resultado.correos) == (2, 3)
        assert {a[:25] for a in _asuntos(bandeja)} == {"ICSOE: quedan 4 días hábi"}
    assert [enviado for _, enviado, _ in _mensajes(app)] == [False] * 3 + [True] * 3

    # The 1-day notice fails for everyone; the persona moral presents; past the deadline nothing is retried.
    _, iid = dos
    assert _correr(app, _caido(tmp_path), "2026-09-15").fallidos == 3
    _presentada(app, iid)
    with servidor() as (bandeja, port):
        correo = Correo(f"smtp://127.0.0.1:{port}", tmp_path / "nada")
        assert _correr(app, correo, "2026-09-16").correos == 1  # only the persona física's
        assert [r for e in bandeja.recibidos for r in e.rcpt_tos] == ["a@ejemplo.mx"]
        assert _correr(app, correo, "2026-09-18").correos == 0


def test_a_capturista_given_de_baja_before_her_retry_is_not_written_to(dos, app, tmp_path):
    from app.models import Capturista

    assert _correr(app, _caido(tmp_path), "2026-09-11").fallidos == 3
    with app.app_context():
        db = get_session()
        capturista = db.exec(select(Capturista)).one()
        capturista.estatus = "baja"
        db.add(capturista)
        db.commit()
    with servidor() as (bandeja, port):
        resultado = _correr(app, Correo(f"smtp://127.0.0.1:{port}", tmp_path / "nada"), "2026-09-14")
        assert (resultado.correos, resultado.fallidos) == (2, 0)
        assert sorted(r for e in bandeja.recibidos for r in e.rcpt_tos) == ["a@ejemplo.mx", "a@ejemplo.mx"]
    with app.app_context():  # given up, with the reason, so that no later run loads it again
        luis = get_session().exec(select(AvisoCorreo).where(AvisoCorreo.correo == "luis@ejemplo.mx")).one()
        assert (luis.enviado, luis.intentos, luis.error) == (None, seguimiento.MAX_INTENTOS, seguimiento.MSG_YA_NO)


def test_a_contratista_that_fixed_the_address_the_server_refused_gets_the_notice_there(dos, app, tmp_path,
                                                                                      monkeypatch):
    """A review: the retry went only to the recipients frozen at the claim, so the contratista that fixed its
    e-mail in Datos generales after a failure never got the notice. And a run reads the claims once, not once
    per contratista with something pending (a mail server down for a day is all of them)."""
    from sqlalchemy import update

    from app.models import DatosGenerales

    _, iid = dos
    assert _correr(app, _caido(tmp_path), "2026-09-11").fallidos == 3
    with app.app_context():
        db = get_session()
        cid = db.get(Informativa, iid).contratista_id
        tabla = DatosGenerales.__table__
        db.execute(update(tabla).where(tabla.c.contratista_id == cid).values(correo="nuevo@ejemplo.mx"))
        db.commit()
    lecturas = []
    original = seguimiento._reclamados
    monkeypatch.setattr(seguimiento, "_reclamados", lambda *a: lecturas.append(1) or original(*a))
    with servidor() as (bandeja, port):
        resultado = _correr(app, Correo(f"smtp://127.0.0.1:{port}", tmp_path / "nada"), "2026-09-14")
        recibidos = sorted(r for e in bandeja.recibidos for r in e.rcpt_tos)
    assert recibidos == ["a@ejemplo.mx", "luis@ejemplo.mx", "nuevo@ejemplo.mx"] and resultado.fallidos == 0
    assert lecturas == [1]
    assert [(c, e) for c, e, _ in _mensajes(app)] == [("a@ejemplo.mx", False), ("luis@ejemplo.mx", True),
                                                      ("a@ejemplo.mx", True), ("nuevo@ejemplo.mx", True)]
