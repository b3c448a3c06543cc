"""A node killed under load (issue 14, §2), at benchmark size: USUARIOS contratistas for SEGUNDOS seconds through
two nodes on PostgreSQL behind haproxy (tests/cluster.py), each saving Datos generales with a PDF and giving
capturistas of alta (and repeating every other alta, as a user does who did not see the answer); `kill -9` of one
node at a third of the run, started again at two thirds. The CI runs the same at 6 users for 12 s
(tests/test_fallos.py); this prints the numbers at full size:

- requests made, requests cut by the kill (a connection reset or haproxy's 502/503/504 while it noticed), and
  any other error (goal: 0);
- whether every user is still signed in afterwards, on whichever node answers;
- the database row by row against what the clients saw (tests.test_fallos.comprobar): no half-written document,
  no duplicate alta, every success stored, pg_amcheck clean (goal: no problems).

    python -m benchmarks caida          (ICSOE_CAIDA_USUARIOS=50, ICSOE_CAIDA_SEGUNDOS=60 by default)
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

USUARIOS = int(os.environ.get("ICSOE_CAIDA_USUARIOS", "50"))
SEGUNDOS = int(os.environ.get("ICSOE_CAIDA_SEGUNDOS", "60"))
REPO = Path(__file__).resolve().parents[1]


def bench_caida() -> None:
    from app import demo
    from tests import test_fallos as fallos
    from tests.cluster import HAPROXY, levantar, postgres_desechable

    if not Path(HAPROXY).exists():
        print("caida: haproxy not found (apt-get install haproxy): skipped")
        return
    carpeta = Path(tempfile.mkdtemp(prefix="icsoe-caida-"))
    try:
        with postgres_desechable() as base:
            if base is None:
                print("caida: PostgreSQL not found (apt-get install postgresql): skipped")
                return
            ca = demo.make_ca(now=datetime.now(timezone.utc))
            (carpeta / "ca.cer").write_bytes(ca.cert_der)

            def preparar(database_url: str) -> None:
                entorno = {k: v for k, v in os.environ.items() if not k.startswith(("ICSOE_", "DATABASE_URL"))}
                subprocess.run([sys.executable, "-c", "from app.cli import main; main()", "trust", "add",
                                str(carpeta / "ca.cer")], cwd=REPO, check=True, capture_output=True,
                               env={**entorno, "DATABASE_URL": database_url,
                                    "ICSOE_INSTANCE": str(carpeta / "operador")})

            cluster = levantar(carpeta / "cluster", base + "postgres", preparar)
            try:
                usuarios = fallos._usuarios(ca, USUARIOS)
                caido, terminaron = fallos.bajo_carga_con_caida(cluster, cluster.proxy, usuarios, SEGUNDOS, 300)
                if not terminaron:
                    print("caida: some users' threads did not end within 300 s")
                pedidos = sum(u.pedidos for u in usuarios)
                cortados = sum(u.caidas for u in usuarios)
                errores = [e for u in usuarios for e in u.errores]
                print(f"caida: {USUARIOS} users for {SEGUNDOS} s through haproxy, nodo1 killed (SIGKILL) at "
                      f"{SEGUNDOS / 3:.0f} s and back {caido:.1f} s later")
                print(f"caida: {pedidos:,} requests, {cortados} cut by the kill ({cortados / max(pedidos, 1):.2%}), "
                      f"{len(errores)} other errors {errores[:5] if errores else ''}")
                print(f"caida: {sum(len(u.altas) for u in usuarios):,} altas and "
                      f"{sum(1 for u in usuarios if u.documento):,} users' Datos generales stored as they saw them")
                fuera = 0
                for u in usuarios:
                    respuesta = u.cliente.get(cluster.proxy + "/datos-generales/", allow_redirects=False, timeout=30)
                    fuera += respuesta.status_code != 200
                print(f"caida: users signed out by the kill: {fuera} of {USUARIOS} (goal 0)")
                problemas = fallos.comprobar(cluster.database_url, usuarios)
                print(f"caida: the database row by row and pg_amcheck: "
                      f"{'no problems' if not problemas else problemas[:5]}")
            finally:
                cluster.parar()
    finally:
        shutil.rmtree(carpeta, ignore_errors=True)
