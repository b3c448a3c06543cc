"""Benchmarks of the informativa's domain side, printed as numbers and ratios to the issue's targets (never asserted).

    python -m benchmarks informativa
    python -m benchmarks.informativa

- csv: reading and checking a 3,000-row CSV (`carga_masiva.leer_trabajadores`), median of 5. The target (<= 2 s)
  includes storing the rows, which the web side adds; this is the reading part.
- zip: a ZIP of 3,000 nómina CFDIs (one per worker, about 5.5 KB each) read into the preview, median of 3
  (target <= 10 s); then tracemalloc's peak (the most Python memory held at once) at 1,000 and at 3,000 receipts,
  each in a fresh process, and at 3,000 receipts of 1,000 workers (three fortnights each). The ZIP itself is built
  before tracing starts, as the upload is in memory before it is read. Flat across sizes means the receipts
  stream one at a time; what grows is the preview itself (one row per worker).
- revision: `revision.revisar` over 50 contracts of 3,000 workers each (the workers as counts), median of 30
  (target <= 1 s).
"""
from __future__ import annotations

import io
import multiprocessing
import statistics
import time
import tracemalloc
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import date

from app import carga_masiva, revision
from app.plazos import Periodo
from tests import cfdi

PERIODO = Periodo(2026, 1)
HOY = date(2026, 5, 10)
KB = 1024
MB = 1024 * 1024


def _ratio(value: float, target: float, unit: str) -> str:
    return f"{value / target:.2f} of the {target:g} {unit} target"


def _leer(nombre: str, datos: bytes) -> carga_masiva.Vista:
    return carga_masiva.leer_trabajadores(nombre, datos, rfc_contratista=cfdi.RFC_CONTRATISTA, periodo=PERIODO,
                                          hoy=HOY)


def _median_s(call, runs: int) -> float:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def bench_csv(n: int = 3000) -> None:
    filas = [(p.nss, p.curp, f"{350 + (i * 7.31) % 2000:.2f}") for i, p in enumerate(map(cfdi.persona, range(n)))]
    datos = cfdi.csv_de(filas)
    vista = _leer("trabajadores.csv", datos)
    assert vista.filas_validas == n, (vista.filas_validas, vista.errores[:3])
    segundos = _median_s(lambda: _leer("trabajadores.csv", datos), 5)
    print(f"informativa: CSV of {n:,} rows ({len(datos) / KB:,.0f} KB) read and checked in {segundos:.3f} s "
          f"({_ratio(segundos, 2.0, 's')}, which also counts storing; median of 5)")


def _zip(receipts: int, workers: int) -> bytes:
    por_persona = receipts // workers
    return cfdi.zip_de(cfdi.recibos_de_periodo(workers, date(2026, 4, 30), por_persona=por_persona))


def _peak(receipts: int, workers: int) -> tuple[int, int, int, int]:
    """(tracemalloc peak, ZIP size, its XML inflated, valid rows) of reading one ZIP, in this (fresh) process."""
    datos = _zip(receipts, workers)
    with zipfile.ZipFile(io.BytesIO(datos)) as z:
        xml = sum(i.file_size for i in z.infolist())
    tracemalloc.start()
    vista = _leer("nomina.zip", datos)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, len(datos), xml, vista.filas_validas


def bench_zip(n: int = 3000) -> None:
    datos = _zip(n, n)
    vista = _leer("nomina.zip", datos)
    assert vista.filas_validas == n and not vista.errores and not vista.omitidos
    segundos = _median_s(lambda: _leer("nomina.zip", datos), 3)
    print(f"informativa: ZIP of {n:,} nómina CFDIs ({len(datos) / MB:.1f} MB, {n} workers) read into the preview in "
          f"{segundos:.2f} s ({_ratio(segundos, 10.0, 's')}; median of 3)")
    for receipts, workers in ((1000, 1000), (3000, 3000), (3000, 1000)):
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            peak, size, xml, rows = pool.submit(_peak, receipts, workers).result()
        print(f"informativa: ZIP memory: {receipts:,} receipts of {workers:,} workers ({size / MB:.1f} MB, "
              f"{xml / MB:.1f} MB of XML): tracemalloc peak {peak / MB:.2f} MB, {rows:,} rows in the preview")


def bench_revision(contratos: int = 50, trabajadores: int = 3000) -> None:
    base = revision.DatosContrato(id=0, rfc_contratante=cfdi.RFC_CLIENTE_A, servicio_folio="AR12345/2021-S1",
                                     objeto="Mantenimiento", fecha_inicio=date(2026, 2, 1), fecha_termino=None,
                                     trabajadores=trabajadores, nombre="CONSTRUCTORA ALFA SA DE CV")
    lista = [replace(base, id=i, objeto=f"Mantenimiento {i}") for i in range(contratos)]

    def run():
        return revision.revisar("normal", PERIODO, cfdi.RFC_CONTRATISTA, {"AR12345/2021-S1"}, lista, hoy=HOY)

    assert run() == []
    segundos = _median_s(run, 30)
    print(f"informativa: revisar over {contratos} contracts × {trabajadores:,} workers: {segundos * 1000:.2f} ms "
          f"({_ratio(segundos, 1.0, 's')}; median of 30)")


def bench_informativa() -> None:
    bench_csv()
    bench_zip()
    bench_revision()


if __name__ == "__main__":
    bench_informativa()
