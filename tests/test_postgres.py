"""The same ingress on PostgreSQL, through DATABASE_URL, on a throwaway server this test starts itself."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile

import pytest
from sqlmodel import select

from app import create_app, fiel, trust
from app.db import get_session
from app.models import AceptacionTerminos, Contratista, IntentoFallido

from .test_ingreso import ingresar, token, validar

pytestmark = pytest.mark.postgres


def _bin_dir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    bindir = _bin_dir()
    if bindir is None:
        message = "PostgreSQL server binaries not found (apt-get install postgresql)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    folder = tempfile.mkdtemp(prefix="icsoe-pg-")
    data, port = os.path.join(folder, "data"), _free_port()
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: run the server as Debian's postgres user
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    run = lambda *cmd: subprocess.run([*prefix, *cmd], check=True, capture_output=True)  # noqa: E731
    run(f"{bindir}/initdb", "-D", data, "-U", "icsoe", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
    run(f"{bindir}/pg_ctl", "-D", data, "-w", "-l", os.path.join(folder, "log"),
        "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    try:
        yield f"postgresql://icsoe@127.0.0.1:{port}/postgres"
    finally:
        run(f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_app(postgres_url, tmp_path, ca, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", postgres_url)  # the operator's way in
    app = create_app({"TESTING": True}, instance_path=str(tmp_path))
    with app.app_context():
        db = get_session()
        for table in (AceptacionTerminos, Contratista, IntentoFallido):
            for row in db.exec(select(table)).all():
                db.delete(row)
        db.commit()
        trust.add(db, fiel.read_ca_certificates(ca.cert_der, "demo.cer"))
    return app


def test_ingress_on_postgresql(pg_app, juegos):
    assert pg_app.extensions["engine"].dialect.name == "postgresql"
    client = pg_app.test_client()
    assert validar(client, juegos["moral"], password="mal").status_code == 422
    assert ingresar(client, juegos["moral"]).headers["Location"] == "/ingreso/terminos"
    response = client.post("/ingreso/terminos", data={"csrf_token": token(client, "/ingreso/terminos"), "acepto": "y"})
    assert response.status_code == 303
    with pg_app.app_context():
        db = get_session()
        contratista = db.exec(select(Contratista)).one()
        assert contratista.rfc == juegos["moral"].rfc
        assert contratista.cert_not_after.tzinfo is not None
        assert db.exec(select(IntentoFallido)).all()
        assert {ca.fingerprint for ca in trust.all_cas(db)}
