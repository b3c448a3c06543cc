"""The `icsoe` console script: init (demo), trust add/list, serve."""
from __future__ import annotations

import io
import re
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from app import create_app, demo
from app.db import get_session
from app.trust import all_cas

from .conftest import html, token
from .sat import SAT_FIXTURES, ca_files, sat_path


def test_init_creates_the_instance_with_a_private_secret_key(icsoe, tmp_path):
    result = icsoe("init")
    assert result.exit_code == 0, result.output
    instance = tmp_path / "instance"
    assert (instance / "icsoe.sqlite").is_file()
    assert (instance / "secret_key").stat().st_mode & 0o777 == 0o600
    assert "icsoe trust add Cert_Prod.zip" in result.output
    assert "No hay autoridades" in icsoe("trust", "list").output


def test_init_demo_writes_sets_that_sign_in_as_described(icsoe, tmp_path):
    result = icsoe("init", "--demo")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "instance" / "demo"
    assert str(folder) in result.output and demo.DEMO_PASSWORD in result.output
    assert icsoe("init", "--demo").exit_code == 0  # idempotent: the same CA, trusted once
    from app.cli import DEMO_PERSONAS
    from app.models import DirectorioCurp

    curps = re.findall(r"\b[A-Z]{4}\d{6}[HM][A-Z]{5}[0-9A-Z]\d\b", result.output)
    assert len(curps) == len(DEMO_PERSONAS)
    assert "AC DEMO ICSOE" in icsoe("trust", "list").output
    assert len(icsoe("trust", "list").output.strip().splitlines()) == 1

    app = create_app({"TESTING": True}, instance_path=str(tmp_path / "instance"))
    with app.app_context():
        assert get_session().get(DirectorioCurp, curps[0]).nombres == "JOSE LUIS"
    client = app.test_client()
    outcomes = {}
    for name, rfc in [("fiel_persona_moral", demo.EMPRESA_RFC), ("fiel_persona_fisica", demo.FISICA_RFC),
                      ("fiel_representante_legal", demo.EMPRESA_RFC), ("csd_persona_moral", demo.EMPRESA_RFC),
                      ("fiel_vencida", demo.EMPRESA_RFC)]:
        set_folder = folder / name
        response = client.post("/ingreso/efirma", content_type="multipart/form-data", data={
            "csrf_token": token(client), "rfc": rfc, "password": (set_folder / "password.txt").read_text(),
            "cer": (io.BytesIO((set_folder / "certificate.cer").read_bytes()), "certificate.cer"),
            "key": (io.BytesIO((set_folder / "private_key.key").read_bytes()), "private_key.key")})
        outcomes[name] = response.status_code
    assert outcomes == {"fiel_persona_moral": 200, "fiel_persona_fisica": 200, "fiel_representante_legal": 422,
                        "csd_persona_moral": 422, "fiel_vencida": 422}


def test_trust_add_reads_sat_files_and_a_cert_prod_like_zip(icsoe, tmp_path):
    prod = ca_files("prod")
    if not prod:
        pytest.skip(f"SAT fixtures not found at {SAT_FIXTURES}; set ICSOE_SAT_FIXTURES")
    zipped = tmp_path / "Cert_Prod.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        for path in prod:
            archive.write(path, path.name)
    assert icsoe("init").exit_code == 0
    result = icsoe("trust", "add", str(zipped))
    assert result.exit_code == 0, result.output
    assert result.output.count("agregada") == len(prod) - 2  # the two OCSP responder certificates are no CAs
    again = icsoe("trust", "add", str(sat_path("ca", "prod", "AC5_SAT.cer")))
    assert "ya era de confianza" in again.output
    listed = icsoe("trust", "list").output
    assert "Administración Tributaria" in listed  # AC6's double-encoded name, read and repaired
    assert "AGENCIA REGISTRADORA CENTRAL" in listed


def test_trust_add_refuses_what_is_not_a_ca(icsoe, tmp_path):
    junk = tmp_path / "basura.cer"
    junk.write_bytes(b"no es un certificado")
    assert icsoe("init").exit_code == 0
    result = icsoe("trust", "add", str(junk))
    assert result.exit_code == 1
    assert "basura.cer" in result.output
    assert "No hay autoridades" in icsoe("trust", "list").output


def test_trusted_sat_test_cas_let_the_2023_fiel_in(tmp_path, icsoe):
    """The real 2023 SAT test e.firma (valid until May 2027) through the whole route, at today's date."""
    assert icsoe("init").exit_code == 0
    icsoe("trust", "add", *[str(p) for p in ca_files("test")] or pytest.skip("SAT fixtures not found"))
    folder = sat_path("FIEL_EKU9003173C9_2023")
    app = create_app({"TESTING": True}, instance_path=str(tmp_path / "instance"))
    client = app.test_client()
    response = client.post("/ingreso/efirma", content_type="multipart/form-data", data={
        "csrf_token": token(client), "rfc": "eku9003173c9", "password": (folder / "password.txt").read_text(),
        "cer": (io.BytesIO((folder / "certificate.cer").read_bytes()), "EKU9003173C9.cer"),
        "key": (io.BytesIO((folder / "private_key.key").read_bytes()), "EKU9003173C9.key")})
    if response.status_code == 422 and "venció" in response.get_data(as_text=True):
        pytest.skip("the 2023 SAT test e.firma has expired (May 2027)")
    assert response.status_code == 200
    assert "ESCUELA KEMPER URGATE SA DE CV" in html(response).select_one(".resumen").get_text()
    with app.app_context():
        assert len(all_cas(get_session())) == len(ca_files("test"))


def test_serve_answers_on_its_port(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"ICSOE_INSTANCE": str(tmp_path / "instance"), "PATH": "/usr/bin:/bin"}
    server = subprocess.Popen([sys.executable, "-c", "from app.cli import main; main()", "serve", "--port", str(port),
                               "--threads", "2"], env=env, cwd=Path(__file__).parents[1],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        # A fresh instance: the schema and the 145,468 postal codes are loaded before it listens (about 10 s on a
        # machine running other tests beside it).
        limite = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    assert response.status == 200
                    assert 'lang="es-MX"' in response.read().decode()
                    break
            except OSError:
                if time.monotonic() > limite or server.poll() is not None:
                    pytest.fail("icsoe serve did not answer")
                time.sleep(0.1)
        assert (tmp_path / "instance" / "icsoe.sqlite").is_file()  # created on start
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0].decode()
    assert "Traceback" not in output


def test_waitress_queue_warnings_reach_the_log_only_when_as_deep_as_the_threads():
    """`icsoe serve` filters waitress's "Task queue depth is N" (logged for every request that waits for a thread,
    while the dispatcher holds its lock) below N = threads; other records pass."""
    import logging

    from app.cli import ColaProfunda

    filtro = ColaProfunda(8)
    registro = lambda mensaje, *args: logging.LogRecord("waitress.queue", logging.WARNING, __file__, 1, mensaje,  # noqa
                                                         args, None)
    assert not filtro.filter(registro("Task queue depth is %d", 1))
    assert not filtro.filter(registro("Task queue depth is %d", 7))
    assert filtro.filter(registro("Task queue depth is %d", 8))
    assert filtro.filter(registro("otro aviso"))
    assert filtro.filter(registro("otro aviso %s", "x"))


def test_curp_import_fills_the_directory(icsoe, tmp_path):
    from .test_administracion import CURP_ANA, CURP_LUIS

    data = tmp_path / "curp.csv"
    data.write_text("curp,nombres,primer_apellido,segundo_apellido\n"
                    f"{CURP_LUIS},José Luis,García,López\n"
                    f"{CURP_ANA.lower()},Ana,Martínez,Ruiz\n"
                    "NO-ES-CURP,X,Y,Z\n", encoding="utf-8")
    assert icsoe("init").exit_code == 0
    result = icsoe("curp", "import", str(data))
    assert result.exit_code == 0, result.output
    assert "2 registros cargados, 1 omitidos" in result.output
    app = create_app({"TESTING": True}, instance_path=str(tmp_path / "instance"))
    with app.app_context():
        from app.models import DirectorioCurp

        fila = get_session().get(DirectorioCurp, CURP_ANA)
        assert (fila.nombres, fila.primer_apellido) == ("ANA", "MARTÍNEZ")
    bad = tmp_path / "mal.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    assert icsoe("curp", "import", str(bad)).exit_code == 1


def test_the_sender_of_every_message_is_ICSOE_REMITENTE(icsoe, tmp_path, monkeypatch):
    # An operator's walkthrough: the sender was fixed at no-responder@icsoe.invalid, which a real mail server refuses.
    monkeypatch.setenv("ICSOE_REMITENTE", "Portal ICSOE <icsoe@empresa.example>")
    monkeypatch.setenv("ICSOE_OUTBOX", str(tmp_path / "salida"))
    assert icsoe("init").exit_code == 0
    from app.correo import Mensaje

    app = create_app()
    app.extensions["correo"].enviar(Mensaje(para="ana@example.com", asunto="Aviso", texto="Hola.\n"))
    [eml] = (tmp_path / "salida").glob("*.eml")
    assert "From: Portal ICSOE <icsoe@empresa.example>" in eml.read_text(encoding="utf-8")


def test_a_setting_it_cannot_use_is_one_line_not_a_traceback(icsoe, monkeypatch):
    monkeypatch.setenv("ICSOE_REMITENTE", "no es una dirección")
    result = icsoe("init")
    assert result.exit_code == 1
    assert result.output.strip().startswith("Configuración inválida: remitente is not an e-mail address")
    assert "Traceback" not in result.output


def test_a_database_that_does_not_answer_is_one_line_not_a_traceback(icsoe, monkeypatch):
    # An operator's walkthrough: a wrong DATABASE_URL printed ~110 lines of SQLAlchemy traceback.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nobody listens there
    monkeypatch.setenv("DATABASE_URL", f"postgresql://icsoe:secreto@127.0.0.1:{port}/icsoe")
    for args in (("db", "upgrade"), ("serve", "--port", str(port))):
        result = icsoe(*args)
        assert result.exit_code == 1, result.output
        *antes, linea = result.output.strip().splitlines()  # db upgrade names the database first
        assert len(antes) <= 1 and linea.startswith(f"No fue posible usar la base de datos postgresql://icsoe:***@127.0.0.1:{port}/icsoe: ")
        assert "secreto" not in result.output


def test_trust_remove_withdraws_a_ca_at_once(icsoe, tmp_path):
    # An operator's walkthrough: `icsoe init --demo` run on the wrong database trusted a CA whose key is on disk,
    # and nothing could take it back. Then a red-team review: the sessions opened with its e.firmas went on for up
    # to 12 hours, and an e.firma validated just before could still Ingresar.
    assert icsoe("init", "--demo").exit_code == 0
    [linea] = icsoe("trust", "list").output.strip().splitlines()
    huella = linea.split()[0]
    for malo, dice in (("zz", "no es el principio de una huella"), ("0" * 8, "Ninguna autoridad")):
        result = icsoe("trust", "remove", malo)
        assert result.exit_code == 1 and dice in result.output
    assert "AC DEMO ICSOE" in icsoe("trust", "list").output  # a refused name removes nothing

    app = create_app({"TESTING": True}, instance_path=str(tmp_path / "instance"))
    carpeta = tmp_path / "instance" / "demo" / "fiel_persona_moral"

    def validar(client):
        return client.post("/ingreso/efirma", content_type="multipart/form-data", data={
            "csrf_token": token(client), "rfc": demo.EMPRESA_RFC, "password": (carpeta / "password.txt").read_text(),
            "cer": (io.BytesIO((carpeta / "certificate.cer").read_bytes()), "certificate.cer"),
            "key": (io.BytesIO((carpeta / "private_key.key").read_bytes()), "private_key.key")})

    def ingresar(client):
        return client.post("/ingreso/ingresar", data={"csrf_token": token(client, "/ingreso/efirma")})

    dentro, a_medias = app.test_client(), app.test_client()
    assert validar(dentro).status_code == 200 and ingresar(dentro).status_code == 303
    assert dentro.get("/ingreso/terminos").status_code == 200  # signed in
    assert validar(a_medias).status_code == 200  # validated, not yet in

    result = icsoe("trust", "remove", huella.upper())
    assert result.exit_code == 0 and "AC DEMO ICSOE" in result.output, result.output
    assert result.output.strip().endswith(": ya no es de confianza; el contratista registrado deberá ingresar de "
                                          "nuevo con su e.firma.")
    assert "No hay autoridades" in icsoe("trust", "list").output

    assert dentro.get("/ingreso/terminos").headers["Location"] == "/"  # the session ended
    response = ingresar(a_medias)
    assert response.headers["Location"] == "/ingreso/efirma"
    assert "ya no es de confianza" in html(a_medias.get("/ingreso/efirma")).get_text()
    assert a_medias.get("/ingreso/terminos").headers["Location"] == "/"  # and did not enter
    response = validar(app.test_client())
    assert response.status_code == 422
    assert "autoridad certificadora" in html(response).select_one("#cer-error").get_text()


def test_serve_refuses_to_start_when_it_could_not_check_a_pdf(icsoe, monkeypatch):
    # An operator's walkthrough: a node whose checking child could not start (a venv on an interpreter under /root,
    # unreadable by the service's user) served every page and refused every acuse, and /salud said nothing.
    from app import acuse

    assert icsoe("init").exit_code == 0
    monkeypatch.setattr(acuse._Revisor, "contar", lambda self, data: ("murio", None))
    result = icsoe("serve", "--port", "1")
    assert result.exit_code == 1
    assert result.output.startswith("No fue posible iniciar la revisión de PDF (the checking process answered")


def test_settings_an_operator_gets_wrong_are_refused_in_one_line(icsoe, monkeypatch):
    """An operator's second walkthrough: deploy/icsoe.env.example's SECRET_KEY placeholder was served with (anyone
    who read the example could sign sessions), and a password with "@" in DATABASE_URL was misread and half shown."""
    monkeypatch.setenv("SECRET_KEY", "change-me-to-64-random-hex-characters")
    result = icsoe("init")
    assert result.exit_code == 1 and result.output.startswith("Configuración inválida: SECRET_KEY debe ser")
    monkeypatch.setenv("SECRET_KEY", "a" * 31)
    assert icsoe("init").exit_code == 1
    monkeypatch.setenv("SECRET_KEY", "0123456789abcdef" * 4)
    monkeypatch.setenv("DATABASE_URL", "postgresql://icsoe:Cl@ve#2024@127.0.0.1:5433/icsoe")
    result = icsoe("db", "current")
    assert result.exit_code == 1 and "«@», «/», «?» o «#»" in result.output
    assert "ve#2024" not in result.output and "Cl" not in result.output.replace("Configuración", "")
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.setenv("ICSOE_INSTANCE", "/etc/passwd/instancia")  # a folder it cannot make
    result = icsoe("init")
    assert result.exit_code == 1 and result.output.startswith("No fue posible crear la carpeta de la instancia")


def test_a_command_run_outside_the_service_environment_creates_no_database(icsoe, tmp_path, monkeypatch):
    """An operator's one-off command without the service's ICSOE_INSTANCE (or DATABASE_URL) created an empty
    database in ./instance and acted on it: `trust add` reported a CA trusted that the portal never saw, `trust
    list` none trusted. Every command but init and serve now refuses a SQLite database that does not exist, and
    creates nothing."""
    ca = tmp_path / "ca.cer"
    ca.write_bytes(b"-")
    reporte = tmp_path / "curp.csv"
    reporte.write_text("curp,nombres,primer_apellido,segundo_apellido\n", encoding="utf-8")
    for args in (("trust", "list"), ("trust", "add", str(ca)), ("trust", "remove", "0" * 8), ("db", "upgrade"),
                 ("db", "current"), ("avisos",), ("curp", "import", str(reporte)),
                 ("sepomex", "import", str(reporte))):
        result = icsoe(*args)
        assert result.exit_code == 1, (args, result.output)
        assert result.output.startswith(f"No hay base de datos en {tmp_path / 'instance' / 'icsoe.sqlite'}. "), args
        assert "icsoe init" in result.output and "ICSOE_INSTANCE" in result.output
    assert not (tmp_path / "instance").exists()  # no folder, no database, no secret key
    assert icsoe("init").exit_code == 0
    assert icsoe("trust", "list").exit_code == 0 and icsoe("db", "current").exit_code == 0


@pytest.mark.parametrize("url, mostrada", [
    ("postgresql://icsoe:secreto@db/icsoe", "postgresql://icsoe:***@db/icsoe"),
    ("postgresql://icsoe:Cl@ve#2024@127.0.0.1:5433/icsoe", "postgresql://icsoe:***@127.0.0.1:5433/icsoe"),
    ("postgresql://icsoe@db/icsoe", "postgresql://icsoe@db/icsoe"), ("sqlite:////srv/i/icsoe.sqlite", None),
    ("sqlite:////srv/a:b@c/icsoe.sqlite", None),  # a path, whatever it holds
])
def test_a_database_url_is_printed_without_any_of_its_password(url, mostrada, monkeypatch):
    from app.config import database_url, url_sin_contrasena

    assert url_sin_contrasena(url) == (mostrada or url)
    if url.startswith("sqlite"):  # and it is no URL with a password to refuse
        monkeypatch.setenv("DATABASE_URL", url)
        assert database_url(Path("/x")) == url


def test_db_current_names_the_database(icsoe, tmp_path):
    assert icsoe("init").exit_code == 0
    result = icsoe("db", "current")
    assert result.output.startswith(f"Base de datos: sqlite:///{tmp_path / 'instance' / 'icsoe.sqlite'}\n")
