"""Benchmark of Exportar Excel (app.export), printed as numbers (never asserted in tests).

    python -m benchmarks.export            # 10,000 and 50,000 rows
    python -m benchmarks.export 100000     # any sizes

- seconds to write n rows to a temporary file, and the file's size;
- tracemalloc peak: the most Python memory held at once while writing. Flat across sizes means the rows stream
  (openpyxl's write-only mode) instead of piling up in a workbook;
- ru_maxrss growth: how much the peak resident memory of a fresh process grew while writing (C allocations
  included).
"""
from __future__ import annotations

import multiprocessing
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta, timezone

from app import export

ALTA = datetime(2021, 7, 28, 2, 18, 59, tzinfo=timezone.utc)


def filas(n: int) -> Iterator[export.FilaCapturista]:
    """n made-up capturistas, generated one at a time as a database cursor would yield them."""
    for i in range(n):
        yield export.FilaCapturista(
            curp=f"PERJ{800101 + i % 9000:06d}HDFRNN{i % 100:02d}", nombres=f"JOSÉ MARÍA {i}",
            primer_apellido="PEÑA", segundo_apellido="" if i % 7 == 0 else "NÚÑEZ", rol="Capturista",
            estatus=("Activo", "Pendiente de activación", "Baja")[i % 3], grupo="PEM2107000000",
            contratista="PEM2107000000 - PERSONA MORAL SA DE CV", fecha_alta=ALTA + timedelta(minutes=i),
            fecha_baja=ALTA + timedelta(days=30, minutes=i) if i % 3 == 2 else None,
            fecha_actualizacion=ALTA + timedelta(days=1, minutes=i))


def _maxrss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux


def _measure(n: int) -> dict:
    """Write n rows twice, in a process of its own (so ru_maxrss starts from the imports, not an earlier size):
    once plain for the time and resident memory, once under tracemalloc (which slows Python code) for its peak."""
    with tempfile.TemporaryFile() as out:
        rss_before = _maxrss_kb()
        t0 = time.perf_counter()
        written = export.write_xlsx(filas(n), out)
        seconds = time.perf_counter() - t0
        rss_growth = _maxrss_kb() - rss_before
        size = out.tell()
    with tempfile.TemporaryFile() as out:
        tracemalloc.start()
        export.write_xlsx(filas(n), out)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {"written": written, "seconds": seconds, "size": size, "rss_growth": rss_growth, "peak": peak}


def bench_export(n: int = 10_000, *, flat_check: int | None = 50_000) -> float:
    """Write n rows, then `flat_check` rows (None: skip) to show the memory does not grow with them."""
    seconds = 0.0
    for size in (n, flat_check) if flat_check else (n,):
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            m = pool.submit(_measure, size).result()
        assert m["written"] == size
        print(f"export: {size:,} rows in {m['seconds']:.2f} s ({size / m['seconds']:,.0f} rows/s), "
              f"{m['size'] / 1024:,.0f} KB file; tracemalloc peak {m['peak'] / 1024 / 1024:.2f} MB, "
              f"ru_maxrss growth {m['rss_growth'] / 1024:.1f} MB")
        seconds = seconds or m["seconds"]
    return seconds


if __name__ == "__main__":
    if sys.argv[1:]:
        for size in map(int, sys.argv[1:]):
            bench_export(size, flat_check=None)
    else:
        bench_export()
