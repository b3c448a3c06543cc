"""Searching a list by part of a name, a CURP or an NSS as people type it: in any case, composed or decomposed,
with invisible characters pasted along, and with or without accents ("nunez" finds NÚÑEZ, as the address locator's
filter does). Names are stored in upper case with their accents (curp.validar_nombre); the search folds both the
typed text and the stored column the same way, in SQL that SQLite and PostgreSQL both run (nested replace(): neither
has a portable unaccent). A search reads at most a contratista's few thousand rows, so the folding costs little."""
from __future__ import annotations

from functools import reduce

from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement

from .texto import normalize_text

__all__ = ["patron", "plegado", "texto_buscado"]

# The accented capitals of Spanish names (RENAPO's: Á É Í Ó Ú Ü Ñ) and the letters a search without accents types
# for them. Each is one replace() per row searched (`python -m benchmarks consulta`, a search of 10,000 capturistas:
# 14 ms without folding, 55 ms folding sixteen Latin graves and diaereses, about 33 ms folding these seven).
_CON_ACENTO, _SIN_ACENTO = "ÁÉÍÓÚÜÑ", "AEIOUUN"
_PLIEGUE = str.maketrans(_CON_ACENTO, _SIN_ACENTO)


def texto_buscado(q: str) -> str:
    """What was typed as the stored text is compared: NFC, without invisible characters, upper case, folded."""
    return normalize_text(q or "").strip().upper().translate(_PLIEGUE)


def patron(buscado: str) -> str:
    """A LIKE pattern (escape "\\") that finds `buscado` anywhere, its own % and _ taken literally."""
    return "%" + buscado.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def plegado(columna: ColumnElement) -> ColumnElement:
    """The column in upper case and folded as texto_buscado folds a search."""
    return reduce(lambda expr, par: func.replace(expr, *par), zip(_CON_ACENTO, _SIN_ACENTO), func.upper(columna))
