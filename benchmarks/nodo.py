"""Per-node efficiency (issue 14, §3): requests per second of one `icsoe serve` node against a waitress "hello
world" Flask app with the same threads, on the same machine, in the same run, both measured with wrk. Printed as
numbers and as the ratio to hello world (target: the landing page >= 50 %; Consulta and the colonias search, >= 20 %,
are not measured here yet).

    python -m benchmarks nodo           (needs wrk: apt-get install wrk)

Each server runs in its own process on loopback with 8 threads; wrk runs 2 threads and 8 connections for
DURACION seconds after a short warm-up. The node serves a fresh SQLite instance (`icsoe init`, the postal codes
loaded) (`icsoe init --demo`).
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

DURACION = int(os.environ.get("ICSOE_BENCH_SEGUNDOS", "10"))
HILOS = 8
REPO = Path(__file__).resolve().parents[1]

HOLA = """
from flask import Flask
from waitress import serve
app = Flask(__name__)
@app.get("/")
def hola():
    return "hello world"
serve(app, host="127.0.0.1", port={port}, threads={hilos}, _quiet=True)
"""


def _puerto() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _esperar(url: str) -> None:
    for _ in range(300):
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} never answered")


def _wrk(url: str, cookie: str | None = None) -> float:
    """Requests per second that wrk measured (non-2xx answers would be counted: checked separately)."""
    comando = ["wrk", "-t2", "-c8", f"-d{DURACION}s", "--latency"]
    if cookie:
        comando += ["-H", f"Cookie: session={cookie}"]
    subprocess.run(["wrk", "-t2", "-c8", "-d2s", url] + (comando[5:] if cookie else []), capture_output=True)
    salida = subprocess.run(comando + [url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in salida:
        raise RuntimeError(f"{url}: answers other than 2xx under load:\n{salida}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", salida).group(1))


def _preparar(entorno: dict) -> None:
    """A fresh demo instance (`icsoe init --demo`: the schema, the postal codes, the demo e.firma sets)."""
    subprocess.run([sys.executable, "-c", "from app.cli import main; main()", "init", "--demo"], cwd=REPO,
                   env=entorno, check=True, capture_output=True)


def bench_nodo() -> None:
    if shutil.which("wrk") is None:
        print("nodo: wrk not found (apt-get install wrk); skipped")
        return
    carpeta = Path(tempfile.mkdtemp(prefix="icsoe-nodo-"))
    procesos = []
    try:
        puerto_hola, puerto_nodo = _puerto(), _puerto()
        procesos.append(subprocess.Popen([sys.executable, "-c", HOLA.format(port=puerto_hola, hilos=HILOS)]))
        entorno = {k: v for k, v in os.environ.items() if not k.startswith(("ICSOE_", "DATABASE_URL", "SECRET_KEY"))}
        entorno["ICSOE_INSTANCE"] = str(carpeta / "instance")
        _preparar(entorno)
        procesos.append(subprocess.Popen(
            [sys.executable, "-c", "from app.cli import main; main()", "serve", "--port", str(puerto_nodo),
             "--threads", str(HILOS)], cwd=REPO, env=entorno, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        hola, nodo = f"http://127.0.0.1:{puerto_hola}/", f"http://127.0.0.1:{puerto_nodo}"
        _esperar(hola)
        _esperar(nodo + "/salud")
        referencia = _wrk(hola)
        print(f"nodo: waitress hello world, {HILOS} threads: {referencia:,.0f} requests/s (the reference)")
        landing = _wrk(nodo + "/")
        print(f"nodo: landing page: {landing:,.0f} requests/s, {landing / referencia:.0%} of hello world "
              f"(target >= 50 %)")
        salud = _wrk(nodo + "/salud")
        print(f"nodo: /salud: {salud:,.0f} requests/s, {salud / referencia:.0%} of hello world")
    finally:
        for proceso in procesos:
            proceso.terminate()
            proceso.wait(timeout=10)
        shutil.rmtree(carpeta, ignore_errors=True)
