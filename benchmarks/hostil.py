"""Benchmarks of hostile uploads, printed as numbers (tests only guard against multi-second stalls).

- hostil: the domain check of Validar (`fiel.verify`, as bench_validar's first number; the route adds the
  limiter's deliberate delays) refused for a wrong password, the normal case, and the worst refused ones: a .cer
  and a .key of 64 KB of PEM BEGIN lines (with and without one END at the end) and a key at the largest accepted
  key-derivation count (with an ASCII password and with one that has "ñ", which is tried twice: UTF-8, Latin-1),
  each in ms and as a ratio to the normal one measured in the same run; then the acuse check (`acuse.validate`,
  its child process included) of a normal one-page acuse and of hostile PDFs, in ms.
"""
from __future__ import annotations

import logging
import statistics
import time
from datetime import datetime, timedelta, timezone

from app import acuse, demo, fiel

RUNS = 30


def _median_ms(call, runs: int = RUNS) -> float:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def _refused(rfc, cer, key, password, store, now):
    def call():
        try:
            fiel.verify(rfc, cer, key, password, trust=store, now=now)
        except fiel.FielRechazada:
            return
        raise AssertionError("accepted")

    return call


def bench_hostil() -> None:
    from tests.test_datos_generales import pdf
    from tests.test_fiel import _with_iterations
    from tests.test_hostil import ANIDADOS, PDFS_HOSTILES, PEM_BEGINS, PEM_BEGINS_Y_END, pdf_comprimido

    now = datetime.now(timezone.utc)
    ca = demo.make_ca(now=now)
    moral = demo.make_efirma(ca, rfc="EDE010101AB1", nombre="ESCUELA DEMO SA DE CV", persona="moral",
                             representante_rfc="PERJ800101AB1", curp="PERJ800101HDFRNN09",
                             not_before=now - timedelta(days=1), not_after=now + timedelta(days=365))
    store = fiel.TrustStore([ca.cert_der])
    rfc, cer, key = "EDE010101AB1", moral.cer_der, moral.key_der

    normal = _median_ms(_refused(rfc, cer, key, "incorrecta", store, now))
    print(f"hostil: Validar refused for a wrong password (fiel.verify, median of {RUNS}): {normal:.2f} ms")
    at_cap = _with_iterations(key, fiel.MAX_KDF_ITERATIONS)
    cases = {
        ".cer of 64 KB of PEM BEGIN lines": (PEM_BEGINS, key, "incorrecta"),
        ".cer of 64 KB of PEM BEGIN lines and one END": (PEM_BEGINS_Y_END, key, "incorrecta"),
        ".key of 64 KB of PEM BEGIN lines": (cer, PEM_BEGINS, "incorrecta"),
        ".key of 64 KB of PEM BEGIN lines and one END": (cer, PEM_BEGINS_Y_END, "incorrecta"),
        f".key at the KDF cap ({fiel.MAX_KDF_ITERATIONS:,} PBKDF2 iterations), wrong password": (
            cer, at_cap, "incorrecta"),
        ".key at the KDF cap, wrong password with ñ (tried as UTF-8 and Latin-1)": (cer, at_cap, "contraseña"),
        f".key one over the cap ({fiel.MAX_KDF_ITERATIONS + 1:,}), refused unopened": (
            cer, _with_iterations(key, fiel.MAX_KDF_ITERATIONS + 1), "incorrecta"),
    }
    for label, (c, k, password) in cases.items():
        ms = _median_ms(_refused(rfc, c, k, password, store, now))
        print(f"hostil: Validar refused, {label}: {ms:.2f} ms ({ms / normal:.2f} of the normal refusal)")

    logging.getLogger("app.acuse").setLevel(logging.ERROR)  # its one line per refused upload, not in the numbers
    acuse.validate("calentamiento.pdf", pdf())  # the checking process starts once (a forkserver), not measured
    normal_pdf = _median_ms(lambda: acuse.validate("acuse.pdf", pdf()))
    print(f"hostil: acuse check, a normal one-page acuse (median of {RUNS}): {normal_pdf:.2f} ms")

    def refused_pdf(data: bytes):
        def call():
            try:
                acuse.validate("acuse.pdf", data)
            except acuse.AcuseInvalido:
                return
            raise AssertionError("accepted")

        return call

    for label, data in (("nested-dictionary bomb (200,000 <<)", PDFS_HOSTILES["diccionarios-anidados"]),
                        ("nested dictionaries in the catalog", PDFS_HOSTILES["diccionarios-en-el-catalogo"]),
                        ("nested dictionaries with keys (150,000)", PDFS_HOSTILES["diccionarios-con-claves"]),
                        ("chain of 60,000 indirect references", PDFS_HOSTILES["cadena-de-referencias"]),
                        ("nested dictionaries in a compressed object stream",
                         PDFS_HOSTILES["diccionarios-comprimidos"]),
                        ("26 MB inflated from an object stream", PDFS_HOSTILES["flujo-de-objetos-inflado"])):
        ms = _median_ms(refused_pdf(data), runs=10)
        print(f"hostil: acuse check, {label}, {len(data) / 1024:,.1f} KB: {ms:.2f} ms")
    hidden = pdf_comprimido("/X " + ANIDADOS, hexadecimal=True)
    outcomes = []

    def hidden_call():
        # pypdf needs 0.5-1 s for this one: a fast machine may finish it inside the deadline (a one-page PDF, then
        # accepted); either way it costs at most the deadline.
        try:
            acuse.validate("acuse.pdf", hidden)
            outcomes.append("read in time")
        except acuse.AcuseInvalido:
            outcomes.append("refused")

    ms = _median_ms(hidden_call, runs=3)
    print(f"hostil: acuse check, the bomb in a hexadecimal-then-compressed object stream ({len(hidden):,} B, not "
          f"inflated by the pre-scan, bounded by the {acuse.TIEMPO_MAXIMO} s deadline; {', '.join(outcomes)}): "
          f"{ms:.0f} ms")
