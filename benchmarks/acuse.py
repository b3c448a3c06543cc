"""Benchmark of the acuse de presentación PDF, printed as numbers and ratios to the issue's targets (never asserted).

    python -m benchmarks acuse

An informativa of 50 contracts × 3,000 workers: its real cadena original (app.cadena over 150,000 made-up workers:
fifty hashes of 3,000 rows; about 10 KB) and a sello of a 2048-bit key (344 base64 characters). Measured: the PDF's
size (target <= 200 KB) and `acuse_presentacion.generar`'s time, median of 10 after a first run (target <= 0.5 s);
printed beside them, that first run in a fresh process (importing reportlab's modules and reading the fonts, which
the app does at start) and `leer` (what `icsoe acuse verificar` adds: pypdf in a child process, started then). The
route adds one grouped count of the workers to `generar`.
"""
from __future__ import annotations

import base64
import random
import statistics
import time
from datetime import date, datetime, timezone
from decimal import Decimal

from app import acuse_presentacion, cadena, folios
from tests import cfdi

KB = 1024
FOLIO = "ICSOE-N2026-000123"


def _datos(contratos: int = 50, trabajadores: int = 3000) -> acuse_presentacion.DatosAcuse:
    personas = [cfdi.persona(i) for i in range(trabajadores)]
    lista = [cadena.ContratoCadena(f"CLI0102{i:02d}3A1", f"CONSTRUCTORA PEÑA Y ÁLVAREZ NÚMERO {i} SA DE CV",
                                   "AR12345/2021-1", "Mantenimiento de instalaciones eléctricas", date(2026, 5, 4),
                                   None, [cadena.TrabajadorCadena(p.nss, p.curp, Decimal("450.25")) for p in personas])
             for i in range(contratos)]
    texto = cadena.cadena_original(cadena.InformativaCadena(
        rfc="EDE010101AB1", nombre="ESCUELA DEMO SA DE CV", ejercicio=2026, cuatrimestre=2, tipo="normal",
        contratos=lista))
    sello = base64.b64encode(random.Random(13).randbytes(256)).decode("ascii")
    return acuse_presentacion.DatosAcuse(
        folio=FOLIO, presentada=datetime(2026, 11, 30, 18, 0, tzinfo=timezone.utc), fuera_de_plazo=True,
        rfc="EDE010101AB1", nombre="ESCUELA DEMO SA DE CV", ejercicio=2026, cuatrimestre=2, tipo="normal",
        tipo_nombre="Normal", folio_complementado=None,
        contratos=tuple(acuse_presentacion.ContratoAcuse(folios.folio_contrato(FOLIO, n), c.rfc_contratante,
                                                         c.nombre_contratante, trabajadores)
                        for n, c in enumerate(lista, start=1)),
        cadena=texto, sello=sello, cert_serial="30001000000500003416",
        url_verificacion=f"https://icsoe.example.mx/acuses/verificar?folio={FOLIO}&sello={sello[:8]}")


def bench_acuse(runs: int = 10) -> None:
    datos = _datos()
    t0 = time.perf_counter()
    pdf = acuse_presentacion.generar(datos)
    primera = time.perf_counter() - t0
    muestras = []
    for _ in range(runs):
        t0 = time.perf_counter()
        acuse_presentacion.generar(datos)
        muestras.append(time.perf_counter() - t0)
    mediana = statistics.median(muestras)
    t0 = time.perf_counter()
    leido = acuse_presentacion.leer(pdf)
    lectura = time.perf_counter() - t0
    assert leido.cadena == datos.cadena
    print(f"acuse: 50 contracts x 3,000 workers (cadena {len(datos.cadena) / KB:.1f} KB), {leido.paginas} pages: "
          f"{len(pdf) / KB:.1f} KB ({len(pdf) / (200 * KB):.2f} of the 200 KB target)")
    print(f"acuse: generar median {mediana * 1000:.0f} ms ({mediana / 0.5:.2f} of the 0.5 s target; median of "
          f"{runs}); the first in a fresh process: {primera * 1000:.0f} ms ({primera / 0.5:.2f})")
    print(f"acuse: leer (icsoe acuse verificar's reading, a child process): {lectura * 1000:.0f} ms")


if __name__ == "__main__":
    bench_acuse()
