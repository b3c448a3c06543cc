"""The Bitácora's rules, without web or database: the dates of its filter, and its rows as an .xlsx sheet
("Bitacora_<contratista id>_<epoch ms>.xlsx", written like Exportar Excel: export.write_sheet, text through
export.text_cell so that nothing a user typed becomes a formula; the moment a real Excel date in Mexico City)."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import BinaryIO


from .. import hora
from ..export import date_cell, text_cell, write_sheet
from ..rechazo import Rechazo

__all__ = ["FilaBitacora", "HEADERS", "SHEET", "fecha", "filename", "momento", "rango", "usuario", "write_xlsx"]

HEADERS = ("Fecha y hora", "Tipo", "RFC o CURP", "Usuario", "Detalle", "Dirección IP")
SHEET = "Bitacora ICSOE"
WIDTHS = {"A": 18, "B": 32, "C": 20, "D": 18, "E": 70, "F": 20}
LAST_COLUMN = "F"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
AAAA_MM_DD = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
PRIMER_DIA = date(2021, 1, 1)  # no row is older than the portal


@dataclass(frozen=True, slots=True)
class FilaBitacora:
    momento: datetime  # aware
    tipo: str          # what the contratista reads (auditoria.TIPOS)
    quien: str
    actor: str
    detalle: str
    direccion: str


def momento(valor: datetime) -> str:
    """dd/mm/aaaa hh:mm:ss in Mexico City (the seconds tell apart the rows of one minute)."""
    return valor.astimezone(hora.MEXICO).strftime("%d/%m/%Y %H:%M:%S")


def usuario(actor: str) -> str:
    """Who acted, as the contratista reads it: "contratista:7" is the contratista itself, "capturista:12" a role of
    its own, "cuenta:3" a capturista's account before choosing a contratista, "anonimo" nobody signed in."""
    tipo, _, numero = actor.partition(":")
    return {"contratista": "Contratista", "capturista": f"Capturista (id {numero})",
            "cuenta": f"Cuenta de capturista (id {numero})", "anonimo": "Sin sesión",
            "sistema": "Sistema"}.get(tipo, actor)


def fecha(texto: str, campo: str) -> date | None:
    """A filter's date typed AAAA-MM-DD (None when empty); Rechazo on `campo` otherwise."""
    texto = (texto or "").strip()
    if not texto:
        return None
    if not AAAA_MM_DD.fullmatch(texto):
        raise Rechazo(campo, "Escribe la fecha como AAAA-MM-DD, por ejemplo 2026-11-30.")
    try:
        valor = date.fromisoformat(texto)
    except ValueError:
        raise Rechazo(campo, "Esa fecha no existe: revisa el día y el mes.") from None
    if not PRIMER_DIA <= valor <= date(9998, 12, 31):
        raise Rechazo(campo, f"Escribe una fecha a partir del {PRIMER_DIA:%d/%m/%Y}.")
    return valor


def rango(desde: date | None, hasta: date | None) -> None:
    """Rechazo on "hasta" when the range ends before it begins."""
    if desde and hasta and hasta < desde:
        raise Rechazo("hasta", "La fecha final no puede ser anterior a la fecha inicial.")


# Rows one export may hold: openpyxl's writer costs about 60 µs a row (100,000 rows held a server thread 9 s), so an
# export is bounded like any request; a longer history goes out in several, by date.
MAX_EXPORTACION = 20_000


def exportable(total: int) -> None:
    """Rechazo on "desde" when the filter passes more rows than one export holds."""
    if total > MAX_EXPORTACION:
        raise Rechazo("desde", f"La exportación admite hasta {MAX_EXPORTACION:,} registros y el filtro elegido "
                               f"tiene {total:,}: elige un rango de fechas más corto (Desde y Hasta) o un tipo de "
                               "evento, y exporta por partes.")


def filename(contratista_id: int, now: datetime) -> str:
    """"Bitacora_<contratista id>_<epoch ms>.xlsx", like Exportar Excel's name."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return f"Bitacora_{contratista_id}_{(now - EPOCH) // timedelta(milliseconds=1)}.xlsx"


def write_xlsx(rows: Iterable[FilaBitacora], out: BinaryIO) -> int:
    """Write the rows to `out` (binary); return how many there are."""
    return write_sheet(out, SHEET, HEADERS, WIDTHS, rows, lambda ws, f: [
        date_cell(ws, f.momento, "dd/mm/yyyy hh:mm:ss"), text_cell(ws, f.tipo), text_cell(ws, f.quien), text_cell(ws, usuario(f.actor)),
        text_cell(ws, f.detalle), text_cell(ws, f.direccion),
    ], autofilter=LAST_COLUMN)
