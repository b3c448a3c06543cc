"""Benchmarks of the postal-code catalog (app.sepomex), printed as numbers (never asserted in tests).

- catalog_load: seconds to load the full postalcodes-mexico catalog (145,468 rows) into a fresh SQLite database,
  and to replace it (the `icsoe sepomex import` path: delete + insert in one transaction).
- cp_lookup: median and p90 ms of colonias_por_cp over a few hundred random real CPs, and of the
  estado -> municipios -> colonias chain.
"""
from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import Session, select

from app import address, schema, sepomex
from app.db import make_engine
from app.models import Asentamiento


def _fresh_engine(folder: Path):
    engine = make_engine(f"sqlite:///{folder / 'sepomex.sqlite'}")
    schema.upgrade(engine)
    return engine


def _ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples):.2f} ms, p90 {statistics.quantiles(samples, n=10)[-1]:.2f} ms"


def bench_catalog_load() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        engine = _fresh_engine(Path(tmp))
        t0 = time.perf_counter()
        loaded = sepomex.ensure_loaded(engine)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        sepomex.replace_catalog(engine, address.read_postalcodes_mexico())
        again = time.perf_counter() - t0
        t0 = time.perf_counter()
        rows = sum(1 for _ in address.read_postalcodes_mexico())
        reading = time.perf_counter() - t0
        engine.dispose()
    print(f"catalog_load: {loaded:,} asentamientos into a fresh SQLite in {first:.2f} s "
          f"(reading the package's file alone: {reading:.2f} s for {rows:,} rows)")
    print(f"catalog_load: replacing the loaded catalog (delete + insert, one transaction): {again:.2f} s")
    return first


def bench_cp_lookup(runs: int = 300, seed: int = 2021) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = _fresh_engine(Path(tmp))
        sepomex.ensure_loaded(engine)
        rng = random.Random(seed)
        with Session(engine) as session:
            cps = sorted(set(session.exec(select(Asentamiento.cp)).all()))
            por_cp = []
            for cp in rng.sample(cps, runs):
                t0 = time.perf_counter()
                found = sepomex.colonias_por_cp(session, cp)
                por_cp.append((time.perf_counter() - t0) * 1000)
                assert found, cp
            t_estados, t_municipios, t_colonias, sizes = [], [], [], []
            for _ in range(runs):
                t0 = time.perf_counter()
                estados = sepomex.estados(session)
                t_estados.append((time.perf_counter() - t0) * 1000)
                estado = rng.choice(estados)
                t0 = time.perf_counter()
                municipios = sepomex.municipios(session, estado)
                t_municipios.append((time.perf_counter() - t0) * 1000)
                municipio = rng.choice(municipios)
                t0 = time.perf_counter()
                colonias = sepomex.colonias(session, estado, municipio)
                t_colonias.append((time.perf_counter() - t0) * 1000)
                sizes.append(len(colonias))
            t0 = time.perf_counter()
            session.connection().exec_driver_sql("SELECT DISTINCT estado FROM asentamiento").all()
            plain = (time.perf_counter() - t0) * 1000
        engine.dispose()
    print(f"cp_lookup: colonias_por_cp over {runs} random real CPs: {_ms(por_cp)}")
    print(f"cp_lookup: estados: {_ms(t_estados)} (a plain SELECT DISTINCT over the index: {plain:.2f} ms)")
    print(f"cp_lookup: municipios(estado): {_ms(t_municipios)}")
    print(f"cp_lookup: colonias(estado, municipio): {_ms(t_colonias)} "
          f"({statistics.median(sizes):.0f} asentamientos median, {max(sizes)} max)")


BENCHMARKS = {"catalog_load": bench_catalog_load, "cp_lookup": bench_cp_lookup}

if __name__ == "__main__":
    for benchmark in BENCHMARKS.values():
        benchmark()
