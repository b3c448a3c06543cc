"""Exportar Excel (guide step 20 c, Imagen 1.29): the contratista's capturistas as one .xlsx sheet.

The file copies the guide's example: name "Capturistas_<id>_<epoch ms>.xlsx", one sheet "Reporte Usuarios Icsoe",
columns CURP … Fecha actualización. What the guide leaves open is decided here:

* Grupo: the guide shows the column and never fills it. It holds the RFC of the contratista the capturista works
  for. A user's group is the team that shares one contratista's data; one CURP may be capturista of several
  contratistas, each its own row, so the group belongs to the (capturista, contratista) pair, not to the person.
  Within one contratista's export the column is constant; files of several contratistas put together still
  filter by team. The caller fills it (`FilaCapturista.grupo`); this module does not derive it.
* Dates are real Excel dates (numbers with a date format), so they sort and filter as dates. Excel has no time
  zones: aware datetimes are shown in Mexico City's local time (America/Mexico_City, what the users read on the
  portal) and written naive, to the second. Naive datetimes are refused, as by the database layer: their zone
  is unknown.
* Formula injection: names come from users and registries. A text starting with =, +, -, @, tab or CR is written
  as a string cell with Excel's quote prefix (what typing an apostrophe does), so Excel neither runs it on
  opening nor on editing the cell. openpyxl would otherwise write a text starting with "=" as a formula, and one
  equal to an error code ("#N/A") as an error. Control characters that XML cannot hold are dropped.

openpyxl's write-only mode streams the rows to a temporary file, so memory stays flat however many capturistas
there are (benchmarks/export.py). Its limits shape `write_sheet`: widths and the frozen header must be set before
the first row, the autofilter is written after the rows (so its range can count them).
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, BinaryIO, TypeVar

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from . import hora

__all__ = ["DATE_FORMAT", "HEADERS", "SHEET", "FilaCapturista", "date_cell", "filename", "text_cell", "write_sheet", "write_xlsx"]

HEADERS = ("CURP", "Nombre(s)", "Primer Apellido", "Segundo Apellido", "Rol", "Estatus", "Grupo",
           "Contratista relacionado", "Fecha alta", "Fecha baja", "Fecha actualización")
SHEET = "Reporte Usuarios Icsoe"
DATE_FORMAT = "dd/mm/yyyy hh:mm"
WIDTHS = {"A": 21, "B": 22, "C": 22, "D": 22, "E": 13, "F": 24, "G": 16, "H": 48, "I": 18, "J": 18, "K": 20}
LAST_COLUMN = "K"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")  # OWASP "CSV Injection"; Excel reads them as a formula start
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FilaCapturista:
    """One row of the report: a capturista of one contratista."""

    curp: str
    nombres: str
    primer_apellido: str
    segundo_apellido: str           # "" for people with one surname: an empty cell
    rol: str                        # "Capturista"
    estatus: str                    # "Activo", "Pendiente de activación" or "Baja"
    grupo: str                      # the contratista's RFC (module docstring)
    contratista: str                # "RFC - Denominación o razón social"
    fecha_alta: datetime            # timezone-aware, like every datetime of the app
    fecha_baja: datetime | None
    fecha_actualizacion: datetime


def filename(contratista_id: int, now: datetime) -> str:
    """The guide's file name: "Capturistas_112_1627438739667.xlsx" (id, then Unix time in milliseconds)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    millis = (now - EPOCH) // timedelta(milliseconds=1)  # integer arithmetic: no float rounding of timestamp()
    return f"Capturistas_{contratista_id}_{millis}.xlsx"


def write_xlsx(rows: Iterable[FilaCapturista], out: BinaryIO) -> int:
    """Write the report to `out` (a file or BytesIO opened for binary writing); return how many rows it has."""
    return write_sheet(out, SHEET, HEADERS, WIDTHS, rows, lambda ws, fila: [
        text_cell(ws, fila.curp), text_cell(ws, fila.nombres), text_cell(ws, fila.primer_apellido),
        text_cell(ws, fila.segundo_apellido), text_cell(ws, fila.rol), text_cell(ws, fila.estatus),
        text_cell(ws, fila.grupo), text_cell(ws, fila.contratista), date_cell(ws, fila.fecha_alta),
        date_cell(ws, fila.fecha_baja), date_cell(ws, fila.fecha_actualizacion),
    ], autofilter=LAST_COLUMN)


def write_sheet(out: BinaryIO, sheet: str, headers: Sequence[str], widths: Mapping[str, float], rows: Iterable[T],
                cells: Callable[[Any, T], list], *, autofilter: str | None = None) -> int:
    """One-sheet .xlsx in openpyxl's write-only mode (memory stays flat): the column widths, a bold frozen header,
    a row of `cells(ws, row)` per row (text through text_cell), and an autofilter up to column `autofilter` when
    given. Returns how many rows it wrote; a failure deletes the sheet's temporary file at once (_discard)."""
    wb = Workbook(write_only=True)
    wb.properties.creator = "ICSOE"
    ws = wb.create_sheet(sheet)
    for column, width in widths.items():
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"

    bold = Font(bold=True)
    header = []
    for title in headers:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = bold
        header.append(cell)
    n = 0
    try:
        ws.append(header)
        for row in rows:
            ws.append(cells(ws, row))
            n += 1
        if autofilter:
            ws.auto_filter.ref = f"A1:{autofilter}{n + 1}"
        wb.save(out)
    except BaseException:
        _discard(ws)
        raise
    return n


def _discard(ws) -> None:
    """Delete a failed sheet's temporary file now. openpyxl deletes it only at interpreter exit, so a server
    would pile them up, and the open row generator complains when it is collected. openpyxl has no public
    call for this; `_writer` is its streaming writer."""
    writer = ws._writer
    if writer is None:
        return
    with contextlib.suppress(Exception):
        if not ws.closed:
            ws.close()
    with contextlib.suppress(Exception):
        writer.close()
    with contextlib.suppress(Exception):
        if os.path.exists(writer.out):
            writer.cleanup()


def text_cell(ws, value: str | None) -> str | WriteOnlyCell | None:
    """A text cell that Excel shows as typed: never a formula, an error value or an XML error."""
    if not value:
        return None
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith(FORMULA_PREFIXES) and value not in ERROR_CODES:
        return value  # a plain value: openpyxl makes the string cell without a cell object of ours
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"      # openpyxl inferred "f" (formula) or "e" (error) from the text
    cell.quotePrefix = True   # and Excel keeps it text when the cell is edited
    return cell


def date_cell(ws, value: datetime | None, number_format: str = DATE_FORMAT) -> WriteOnlyCell | None:
    """A moment as a date cell in Mexico City time (Excel has no time zones); None stays an empty cell."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: pass a timezone-aware datetime")
    local = value.astimezone(hora.MEXICO).replace(tzinfo=None, microsecond=0)
    cell = WriteOnlyCell(ws, value=local)
    cell.number_format = number_format
    return cell
