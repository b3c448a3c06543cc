"""Folios of presented informativas and of their contracts (issue 13): "ICSOE-<prefix><year>-<number>".

The prefix says the filing's type (N Normal, S Sin información, C Corrección, E Sin efectos), the year is the
year it was presented (Mexico City), the number counts that type's filings of that year from 1 across the whole
portal (the database gives it: informativas.siguiente_folio). A contract's folio is its informativa's folio and its
number in the cadena original (app.cadena: 1, 2, … in the order the filing lists them).
"""
from __future__ import annotations

PREFIJOS = {"normal": "N", "sin_informacion": "S", "correccion": "C", "sin_efectos": "E"}
MAX_NUMERO = 999_999
# A filing's contracts: numbered with three digits, a fourth from the 1,000th (Revisar refuses more).
MAX_CONTRATO = 9_999


def prefijo(tipo: str) -> str:
    return PREFIJOS[tipo]


def folio(tipo: str, anio: int, numero: int) -> str:
    """The filing's folio: "ICSOE-N2026-000123"."""
    if not 1 <= numero <= MAX_NUMERO or not 2021 <= anio <= 9999:
        raise ValueError(f"no folio for number {numero} of {anio}")
    return f"ICSOE-{PREFIJOS[tipo]}{anio}-{numero:06d}"


def folio_contrato(folio_informativa: str, numero: int) -> str:
    """A contract's folio: its informativa's and its number, "ICSOE-N2026-000123-001" ("…-1000" from the 1,000th)."""
    if not 1 <= numero <= MAX_CONTRATO:
        raise ValueError(f"no contract number {numero}")
    return f"{folio_informativa}-{numero:03d}"
