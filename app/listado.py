"""*Exportar listado*: the contratista's presented filings as one .xlsx sheet with the columns of IMSS's Listado
Público de informativas (one row per contract; a filing without contracts, Sin información or Sin efectos, is one
row whose contract columns are empty).

Decided here: a contract's folio is its filing's folio and its number (folios.folio_contrato; the number is its
position by id within the filing, as in the cadena original); the contratista's RFC and name are those the filing
was signed with; dates are real Excel dates, the time of presentation in Mexico City (export's rule); the
cuatrimestre and the ejercicio are numbers, so they sort and filter. Text goes through export.text_cell, which
keeps what looks like a formula as text.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import BinaryIO

from openpyxl.cell import WriteOnlyCell

from . import folios
from .export import date_cell, text_cell, write_sheet

__all__ = ["HEADERS", "SHEET", "FilaListado", "filename", "write_xlsx"]

TIPOS = {"normal": "Normal", "sin_informacion": "Sin información", "correccion": "Complementaria de corrección",
         "sin_efectos": "Complementaria sin efectos"}
HEADERS = ("RFC del contratista", "Nombre, denominación o razón social del contratista",
           "Tipo de persona del contratista", "RFC del contratante",
           "Nombre, denominación o razón social del contratante", "Tipo de persona del contratante",
           "Folio del contrato", "Folio del servicio", "Descripción del servicio", "Fecha de inicio",
           "Fecha de término", "Número de trabajadores", "Cuatrimestre", "Ejercicio", "Tipo de informativa",
           "Folio de la informativa", "Fecha de presentación")
SHEET = "Listado ICSOE"
WIDTHS = {"A": 16, "B": 40, "C": 12, "D": 16, "E": 40, "F": 12, "G": 24, "H": 20, "I": 40, "J": 14, "K": 14,
          "L": 12, "M": 12, "N": 10, "O": 28, "P": 22, "Q": 18}
LAST_COLUMN = "Q"
# The Listado Público names each party's tipo de persona (informativa.md §5); an RFC of 12 characters is a persona
# moral's, one of 13 a persona física's (SAT), as the contract form decides it.
PERSONAS = {12: "Moral", 13: "Física"}
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class FilaListado:
    """One row: a contract of a presented filing, or the filing alone (no contract: the contract fields stay
    empty)."""

    rfc_contratista: str
    nombre_contratista: str
    cuatrimestre: int
    ejercicio: int
    tipo: str                       # a key of TIPOS
    folio_informativa: str
    presentada: datetime | None     # aware
    rfc_contratante: str = ""
    nombre_contratante: str = ""
    numero_contrato: int | None = None  # 1, 2, … by id within the filing
    folio_servicio: str = ""
    descripcion_servicio: str = ""
    fecha_inicio: date | None = None
    fecha_termino: date | None = None
    trabajadores: int | None = None

    @property
    def folio_contrato(self) -> str:
        if self.numero_contrato is None or not self.folio_informativa:
            return ""
        return folios.folio_contrato(self.folio_informativa, self.numero_contrato)


def filename(contratista_id: int, now: datetime) -> str:
    """"Listado_ICSOE_<contratista id>_<epoch ms>.xlsx", like Exportar Excel's name."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return f"Listado_ICSOE_{contratista_id}_{(now - EPOCH) // timedelta(milliseconds=1)}.xlsx"


def _fecha(ws, value: date | None):
    if value is None:
        return None
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = "dd/mm/yyyy"
    return cell


def _persona(rfc: str) -> str:
    return PERSONAS.get(len(rfc), "")


def write_xlsx(rows: Iterable[FilaListado], out: BinaryIO) -> int:
    """Write the Listado to `out` (binary); return how many rows it has."""
    return write_sheet(out, SHEET, HEADERS, WIDTHS, rows, lambda ws, f: [
        text_cell(ws, f.rfc_contratista), text_cell(ws, f.nombre_contratista),
        text_cell(ws, _persona(f.rfc_contratista)), text_cell(ws, f.rfc_contratante),
        text_cell(ws, f.nombre_contratante), text_cell(ws, _persona(f.rfc_contratante)),
        text_cell(ws, f.folio_contrato), text_cell(ws, f.folio_servicio),
        text_cell(ws, f.descripcion_servicio), _fecha(ws, f.fecha_inicio), _fecha(ws, f.fecha_termino),
        f.trabajadores, f.cuatrimestre, f.ejercicio, text_cell(ws, TIPOS.get(f.tipo, f.tipo)),
        text_cell(ws, f.folio_informativa), date_cell(ws, f.presentada),
    ], autofilter=LAST_COLUMN)
