"""Benchmark of `icsoe backup` and `icsoe restore` (app.respaldo), printed as numbers (never asserted in tests).

    python -m benchmarks respaldo                                    # SQLite
    ICSOE_BENCH_POSTGRES=postgresql://icsoe@127.0.0.1:5432/postgres python -m benchmarks respaldo   # and PostgreSQL

A database with N audit rows of 200 characters and N capturistas (accounts and roles) of one contratista; then:
the backup's seconds and size with nobody writing, the same while a thread commits one row at a time (and how
many commits per second that thread managed before and during the backup: a backup that blocked writers would show
~0), and the restore's seconds into an empty database (the schema upgrade included). On PostgreSQL the new
databases are created on the server ICSOE_BENCH_POSTGRES names and dropped afterwards.
"""
from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlmodel import Session

from app import respaldo, schema
from app.db import make_engine
from app.models import Auditoria, Capturista, Contratista, Persona, utcnow

N = 10_000


def _llenar(engine, n: int) -> None:
    ahora = utcnow()
    with engine.begin() as connection:
        connection.execute(insert(Contratista.__table__).values(
            id=1, rfc="EDE010101AB1", nombre="ESCUELA DEMO SA DE CV", persona="moral", cert_serial="1",
            cert_fingerprint="ab" * 32, cert_not_before=ahora, cert_not_after=ahora, creado=ahora,
            ultimo_ingreso=ahora))
        connection.execute(insert(Auditoria.__table__), [
            {"momento": ahora, "actor": "sistema", "accion": "relleno", "detalle": "x" * 200} for _ in range(n)])
        connection.execute(insert(Persona.__table__), [
            {"id": i + 1, "curp": f"XAXX{i:06d}HDFXXX00", "correo": f"c{i}@ejemplo.mx", "creado": ahora}
            for i in range(n)])
        connection.execute(insert(Capturista.__table__), [
            {"persona_id": i + 1, "contratista_id": 1, "curp": f"XAXX{i:06d}HDFXXX00", "nombres": f"NOMBRE {i}",
             "primer_apellido": "APELLIDO", "segundo_apellido": "PRUEBA", "rol": "Capturista",
             "telefono": "5512345678", "estatus": "activo", "alta": ahora, "actualizado": ahora} for i in range(n)])


def _escrituras_por_segundo(engine, mientras) -> tuple[float, float, float]:
    """Commits per second of one writer over 1 s alone, then during `mientras()`; and how long that took."""
    alto, cuenta = threading.Event(), [0]

    def escribir():
        with Session(engine) as session:
            while not alto.is_set():
                session.add(Auditoria(actor="sistema", accion="carga"))
                session.commit()
                cuenta[0] += 1

    hilo = threading.Thread(target=escribir, daemon=True)
    hilo.start()
    time.sleep(1.0)
    solo = cuenta[0]
    t0 = time.perf_counter()
    mientras()
    segundos = time.perf_counter() - t0
    durante = cuenta[0] - solo
    alto.set()
    hilo.join()
    return solo / 1.0, durante / segundos, segundos


def _medir(nombre: str, origen, nuevo_destino, archivo: Path) -> None:
    _llenar(origen, N)
    t0 = time.perf_counter()
    respaldo.backup(origen, archivo)
    quieta = time.perf_counter() - t0
    print(f"respaldo ({nombre}): backup of {N:,} audit rows + {N:,} capturistas: {quieta:.2f} s, "
          f"{archivo.stat().st_size / 1024 / 1024:.1f} MB")
    solo, durante, segundos = _escrituras_por_segundo(origen, lambda: respaldo.backup(origen, archivo))
    print(f"respaldo ({nombre}): backup while one thread commits rows: {segundos:.2f} s; the writer's commits/s "
          f"{solo:.0f} alone, {durante:.0f} during the backup")
    destino = nuevo_destino()
    t0 = time.perf_counter()
    respaldo.restore(destino, archivo)
    print(f"respaldo ({nombre}): restore into an empty database, schema check and upgrade included: "
          f"{time.perf_counter() - t0:.2f} s")
    destino.dispose()


def bench_respaldo() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        carpeta = Path(tmp)
        origen = make_engine(f"sqlite:///{carpeta / 'origen.sqlite'}")
        schema.upgrade(origen)
        _medir("SQLite", origen, lambda: make_engine(f"sqlite:///{carpeta / 'destino.sqlite'}"),
               carpeta / "respaldo.sqlite")
        origen.dispose()
        url = os.environ.get("ICSOE_BENCH_POSTGRES", "").strip()
        if not url:
            print("respaldo (PostgreSQL): set ICSOE_BENCH_POSTGRES=postgresql://… to measure it too")
            return
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        servidor = create_engine(url, isolation_level="AUTOCOMMIT")
        nombres = [f"icsoe_bench_{uuid.uuid4().hex[:8]}" for _ in range(2)]
        with servidor.connect() as connection:
            for nombre in nombres:
                connection.execute(text(f'CREATE DATABASE "{nombre}"'))
        base = url.rsplit("/", 1)[0]
        try:
            origen = make_engine(f"{base}/{nombres[0]}")
            schema.upgrade(origen)
            _medir("PostgreSQL", origen, lambda: make_engine(f"{base}/{nombres[1]}"), carpeta / "respaldo.dump")
            origen.dispose()
        finally:
            with servidor.connect() as connection:
                for nombre in nombres:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{nombre}" WITH (FORCE)'))
            servidor.dispose()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        N = int(sys.argv[1])
    bench_respaldo()
