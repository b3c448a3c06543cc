"""Load (issue 14, §2): locust headless, USUARIOS contratistas for SEGUNDOS seconds with the mix of
benchmarks/locustfile.py, against one node on SQLite and against two nodes on PostgreSQL behind haproxy
(tests/cluster.py: a throwaway server, deploy/haproxy.cfg), and the same locust against a waitress "hello world"
with the same threads, on the same machine, in the same run. Printed: requests/s, p50/p95/p99, failures, and the
ratio of requests/s to hello world; and, for SQLite, whether any answer was a 5xx or any log line "database is
locked". Goal: no failures.

    python -m benchmarks carga          (ICSOE_CARGA_USUARIOS=50, ICSOE_CARGA_SEGUNDOS=60 by default)
"""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

USUARIOS = int(os.environ.get("ICSOE_CARGA_USUARIOS", "50"))
SEGUNDOS = int(os.environ.get("ICSOE_CARGA_SEGUNDOS", "60"))
HILOS = 8
REPO = Path(__file__).resolve().parents[1]


def _efirmas(carpeta: Path) -> Path:
    """USUARIOS demo e.firma sets of made-up personas físicas (tests/cfdi.py), and their CA's certificate."""
    from app import demo
    from tests import cfdi

    ahora = datetime.now(timezone.utc)
    ca = demo.make_ca(now=ahora)
    carpeta.mkdir(parents=True)
    (carpeta / "ca.cer").write_bytes(ca.cert_der)
    for i in range(USUARIOS):
        persona = cfdi.persona(700 + i)
        e = demo.make_efirma(ca, rfc=persona.rfc, nombre=persona.nombre, persona="fisica", curp=persona.curp,
                             not_before=ahora - timedelta(days=1), not_after=ahora + timedelta(days=365))
        destino = carpeta / str(i)
        destino.mkdir(parents=True)
        (destino / "certificate.cer").write_bytes(e.cer_der)
        (destino / "private_key.key").write_bytes(e.key_der)
        (destino / "password.txt").write_text(e.password)
        (destino / "rfc.txt").write_text(persona.rfc)
    return carpeta


def _locust(clase: str, host: str, carpeta: Path, efirmas: Path) -> dict:
    """Run locust headless; the aggregated row of its stats."""
    prefijo = carpeta / f"locust-{clase}"
    entorno = {**os.environ, "ICSOE_CARGA_EFIRMAS": str(efirmas), "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-m", "locust", "-f", str(REPO / "benchmarks" / "locustfile.py"), "--headless",
                    "-u", str(USUARIOS), "-r", str(max(1, USUARIOS // 5)), "-t", f"{SEGUNDOS}s", "--host", host,
                    "--csv", str(prefijo), "--only-summary", "--loglevel", "ERROR", clase],
                   cwd=REPO, env=entorno, capture_output=True)
    with open(f"{prefijo}_stats.csv", newline="") as f:
        filas = list(csv.DictReader(f))
    fallos = [f"{r['Name']}: {r['Failure Count']}" for r in filas if r["Name"] != "Aggregated"
              and int(r["Failure Count"])]
    total = next(r for r in filas if r["Name"] == "Aggregated")
    return {"rps": float(total["Requests/s"]), "n": int(total["Request Count"]),
            "fallos": int(total["Failure Count"]), "detalle": fallos,
            "p50": total["50%"], "p95": total["95%"], "p99": total["99%"]}


def _imprimir(nombre: str, r: dict, referencia: float | None) -> None:
    ratio = f", {r['rps'] / referencia:.0%} of hello world" if referencia else ""
    print(f"carga: {nombre}: {r['rps']:.1f} requests/s{ratio}; p50 {r['p50']} ms, p95 {r['p95']} ms, "
          f"p99 {r['p99']} ms; {r['n']:,} requests, {r['fallos']} failed {r['detalle'] if r['fallos'] else ''}")


def _esperar(url: str) -> None:
    from tests.cluster import esperar

    esperar(url, 60)


def bench_carga() -> None:
    from tests.cluster import _puerto_libre, levantar, postgres_desechable

    carpeta = Path(tempfile.mkdtemp(prefix="icsoe-carga-"))
    procesos: list[subprocess.Popen] = []
    try:
        efirmas = _efirmas(carpeta / "efirmas")
        print(f"carga: {USUARIOS} users for {SEGUNDOS} s each run, {HILOS} threads per server")
        # The reference: waitress hello world with the same threads.
        puerto = _puerto_libre()
        from benchmarks.nodo import HOLA

        procesos.append(subprocess.Popen([sys.executable, "-c", HOLA.format(port=puerto, hilos=HILOS)]))
        _esperar(f"http://127.0.0.1:{puerto}/")
        hola = _locust("Hola", f"http://127.0.0.1:{puerto}", carpeta, efirmas)
        _imprimir("waitress hello world", hola, None)

        # One node on SQLite.
        entorno = {k: v for k, v in os.environ.items() if not k.startswith(("ICSOE_", "DATABASE_URL", "SECRET_"))}
        entorno["ICSOE_INSTANCE"] = str(carpeta / "sqlite")
        icsoe = [sys.executable, "-c", "from app.cli import main; main()"]
        subprocess.run(icsoe + ["init"], cwd=REPO, env=entorno, check=True, capture_output=True)
        subprocess.run(icsoe + ["trust", "add", str(efirmas / "ca.cer")], cwd=REPO, env=entorno, check=True,
                       capture_output=True)
        puerto = _puerto_libre()
        registro = (carpeta / "sqlite.log").open("wb")
        procesos.append(subprocess.Popen(icsoe + ["serve", "--port", str(puerto), "--threads", str(HILOS)],
                                         cwd=REPO, env=entorno, stdout=registro, stderr=subprocess.STDOUT))
        _esperar(f"http://127.0.0.1:{puerto}/salud")
        sqlite = _locust("Contratista", f"http://127.0.0.1:{puerto}", carpeta, efirmas)
        _imprimir("one node, SQLite", sqlite, hola["rps"])
        bitacora = "\n".join(p.read_text(errors="replace") for p in (carpeta / "sqlite").glob("logs/*"))
        bitacora += (carpeta / "sqlite.log").read_text(errors="replace")
        print(f"carga: SQLite: 'database is locked' {bitacora.count('database is locked')} times in the logs")

        # Two nodes on PostgreSQL behind haproxy.
        if shutil.which("haproxy") is None and not Path("/usr/sbin/haproxy").exists():
            print("carga: haproxy not found (apt-get install haproxy): the cluster run is skipped")
            return
        with postgres_desechable() as base:
            if base is None:
                print("carga: PostgreSQL not found (apt-get install postgresql): the cluster run is skipped")
                return
            url = base + "postgres"

            def preparar(database_url: str) -> None:
                subprocess.run(icsoe + ["trust", "add", str(efirmas / "ca.cer")], cwd=REPO,
                               env={**entorno, "DATABASE_URL": database_url,
                                    "ICSOE_INSTANCE": str(carpeta / "operador")}, check=True, capture_output=True)

            cluster = levantar(carpeta / "cluster", url, preparar)
            try:
                time.sleep(1)
                pg = _locust("Contratista", cluster.proxy, carpeta, efirmas)
                _imprimir("two nodes, PostgreSQL, haproxy", pg, hola["rps"])
            finally:
                cluster.parar()
    finally:
        for proceso in procesos:
            proceso.terminate()
            proceso.wait(timeout=10)
        shutil.rmtree(carpeta, ignore_errors=True)
