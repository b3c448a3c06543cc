"""A real cluster on loopback, started by the tests: two `icsoe serve` nodes on one PostgreSQL database (the
throwaway server of tests/conftest.py), behind haproxy running deploy/haproxy.cfg itself (only its three
addresses changed). Each node has its own instance folder, as on separate machines; they share SECRET_KEY,
DATABASE_URL and ICSOE_URL, as README "Varios nodos" says, and name themselves in the X-ICSOE-Nodo header.

`Cluster.matar(nodo)` kills a node with SIGKILL and `arrancar(nodo)` starts it again: the crash tests use them.
"""
from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[1]
HAPROXY = os.environ.get("ICSOE_HAPROXY", shutil.which("haproxy") or "/usr/sbin/haproxy")
NODOS = ("nodo1", "nodo2")


def _puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def esperar(url: str, segundos: float = 30.0, estado: int = 200) -> None:
    """Until `url` answers `estado` (a node or the proxy is up), or fail."""
    limite = time.monotonic() + segundos
    ultimo = None
    while time.monotonic() < limite:
        try:
            respuesta = requests.get(url, timeout=2)
            if respuesta.status_code == estado:
                return
            ultimo = respuesta.status_code
        except requests.RequestException as e:
            ultimo = type(e).__name__
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer {estado} within {segundos} s (last: {ultimo})")


@dataclass
class Cluster:
    carpeta: Path
    database_url: str
    puertos: dict[str, int]
    puerto_proxy: int
    entorno: dict[str, str]
    procesos: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.puerto_proxy}"

    def nodo(self, nombre: str) -> str:
        return f"http://127.0.0.1:{self.puertos[nombre]}"

    def arrancar(self, nombre: str) -> None:
        entorno = {**self.entorno, "ICSOE_INSTANCE": str(self.carpeta / nombre), "ICSOE_NODO": nombre}
        registro = (self.carpeta / f"{nombre}.log").open("ab")
        self.procesos[nombre] = subprocess.Popen(
            [sys.executable, "-c", "from app.cli import main; main()", "serve", "--host", "127.0.0.1",
             "--port", str(self.puertos[nombre]), "--threads", "8"],
            cwd=REPO, env=entorno, stdout=registro, stderr=subprocess.STDOUT)
        esperar(self.nodo(nombre) + "/salud")

    def matar(self, nombre: str) -> None:
        proceso = self.procesos.pop(nombre)
        proceso.send_signal(signal.SIGKILL)
        proceso.wait(timeout=10)

    def arrancar_proxy(self) -> None:
        texto = (REPO / "deploy" / "haproxy.cfg").read_text(encoding="utf-8")
        for viejo, nuevo in (("127.0.0.1:8080", f"127.0.0.1:{self.puerto_proxy}"),
                             ("127.0.0.1:8001", f"127.0.0.1:{self.puertos['nodo1']}"),
                             ("127.0.0.1:8002", f"127.0.0.1:{self.puertos['nodo2']}")):
            assert viejo in texto, f"deploy/haproxy.cfg no longer has {viejo}"
            texto = texto.replace(viejo, nuevo)
        configuracion = self.carpeta / "haproxy.cfg"
        configuracion.write_text(texto, encoding="utf-8")
        registro = (self.carpeta / "haproxy.log").open("ab")
        self.procesos["haproxy"] = subprocess.Popen([HAPROXY, "-db", "-f", str(configuracion)],
                                                    stdout=registro, stderr=subprocess.STDOUT)
        esperar(self.proxy + "/salud")

    def parar(self) -> None:
        for nombre in list(self.procesos):
            proceso = self.procesos.pop(nombre)
            proceso.terminate()
            try:
                proceso.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proceso.kill()

    def registro(self, nombre: str) -> str:
        return (self.carpeta / f"{nombre}.log").read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def postgres_desechable():
    """A throwaway PostgreSQL server on loopback (initdb + pg_ctl in a temporary folder, as Debian's postgres user
    when run as root): yields its base URL (postgresql://icsoe@127.0.0.1:PORT/), stopped and deleted afterwards.
    None when the server binaries are missing."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        yield None
        return
    bindir = os.path.dirname(found[-1])
    folder = tempfile.mkdtemp(prefix="icsoe-pg-")
    data, port = os.path.join(folder, "data"), _puerto_libre()
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    run = lambda *cmd: subprocess.run([*prefix, *cmd], check=True, capture_output=True)  # noqa: E731
    run(f"{bindir}/initdb", "-D", data, "-U", "icsoe", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
    run(f"{bindir}/pg_ctl", "-D", data, "-w", "-l", os.path.join(folder, "log"),
        "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start")
    try:
        yield f"postgresql://icsoe@127.0.0.1:{port}/"
    finally:
        run(f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def haproxy_o_saltar() -> None:
    if not os.path.exists(HAPROXY):
        message = f"haproxy not found at {HAPROXY} (apt-get install haproxy, or set ICSOE_HAPROXY)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def levantar(carpeta: Path, database_url: str, preparar) -> Cluster:
    """Upgrade the database once (`icsoe db upgrade`, as the operator does before starting the nodes), let
    `preparar(database_url)` put what the tests need in it (the trusted CA, the postal codes), then start the two
    nodes and the proxy."""
    carpeta.mkdir(parents=True, exist_ok=True)
    puertos = {n: _puerto_libre() for n in NODOS}
    proxy = _puerto_libre()
    entorno = {k: v for k, v in os.environ.items() if not k.startswith(("ICSOE_", "SMTP_"))}
    entorno.update({"DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32),
                    "ICSOE_URL": f"http://127.0.0.1:{proxy}", "ICSOE_PROXIES": "1",
                    # One outbox for both nodes, as one mail server would be: a test reads what either sent.
                    "ICSOE_OUTBOX": str(carpeta / "outbox")})
    subprocess.run([sys.executable, "-c", "from app.cli import main; main()", "db", "upgrade"], cwd=REPO,
                   env={**entorno, "ICSOE_INSTANCE": str(carpeta / "operador")}, check=True, capture_output=True)
    preparar(database_url)
    cluster = Cluster(carpeta, database_url, puertos, proxy, entorno)
    try:
        for nombre in NODOS:
            cluster.arrancar(nombre)
        cluster.arrancar_proxy()
    except BaseException:
        cluster.parar()
        raise
    return cluster
