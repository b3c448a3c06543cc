"""What the readers of a worker file share: its limits, the refusal of a whole file, and the plain rows they hand
to `leer_trabajadores` to be checked."""
from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from ..acuse import display_name
from ..rechazo import Rechazo

MB = 1024 * 1024
MAX_FILAS = 3_000             # worker rows per CSV/XLSX (IMSS's template)
MAX_BYTES_TABLA = 15 * MB     # a CSV or XLSX file
MAX_LINEAS = 20_000           # physical lines or spreadsheet rows read, blank ones included
MAX_LINEA = 1_024             # characters in one CSV line: a row is about 40
MAX_COMAS_LINEA = 64          # commas in one CSV line: 2, and Excel's padding of empty columns
MAX_BYTES_ZIP = 50 * MB       # a ZIP of CFDIs
MAX_ENTRADAS = 5_000          # files in that ZIP
MAX_BYTES_XML = 1 * MB        # one CFDI, decompressed: a real nómina receipt is 3-15 KB
MAX_BYTES_XML_TOTAL = 128 * MB  # all of them, decompressed (5,000 × 25 KB)
MAX_NODOS_XML = 4_000         # tags and attributes ("<" and "=") in one CFDI: a nómina receipt has 100-800
MAX_NODOS_ZIP = 3_000_000     # in all of them: 5,000 receipts of 600 (parsing costs about 1.7 µs for each)
MAX_SUBCONTRATACIONES = 20    # SubContratacion nodes in one receipt (one per contratante the worker served)
MAX_FILAS_VISTA = 15_000      # rows of a preview: a valid row per destination, an error row per error
MAX_VALOR_MOSTRADO = 40       # characters of a bad value shown back in the preview and the .xlsx

MSG_VACIO = "El archivo «{archivo}» está vacío."
MSG_GRANDE = "El archivo «{archivo}» pasa de {limite} MB; divide los trabajadores en varios archivos."


class ArchivoRechazado(Rechazo):
    """A worker file refused as a whole (campo "archivo"): nothing of it is shown or stored."""

    def __init__(self, mensaje: str) -> None:
        super().__init__("archivo", mensaje)


@dataclass(frozen=True, slots=True)
class Entrada:
    """One row as a reader found it, before it is checked: a CSV/XLSX line, or a worker's chosen receipt."""

    fila: int | str                          # line number, or the receipt's file name inside the ZIP
    nss: object
    curp: object
    sbc: object
    fecha_referencia: date                   # the date whose UMA caps the SBC
    nombre: str | None = None
    destinos: tuple[str | None, ...] = (None,)  # RfcLabora of each SubContratacion; None: the contract being edited
    errores: tuple[tuple[str, str, str], ...] = ()  # (campo, motivo, valor) found while reading
    avisos: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Omitido:
    """A file of the ZIP that is no row: another employer's receipt, one outside the period, not a CFDI, …"""

    archivo: str
    motivo: str


def nombre_archivo(nombre: str | None) -> str:
    """The uploaded file's name as it may be shown (acuse.display_name: no folders, no control characters)."""
    return display_name(nombre or "") or "sin nombre"


def mostrar(valor: object, limite: int = MAX_VALOR_MOSTRADO) -> str:
    """A value as the preview shows it back: text, no control or format characters, one line, cut with "…"."""
    if valor is None:
        return ""
    if isinstance(valor, float):
        texto = format(valor, ".15g")
    else:
        texto = str(valor)[: 4 * limite]
    texto = "".join(c for c in texto if not unicodedata.category(c).startswith("C") or c in "\t\n\r")
    texto = " ".join(texto.split())
    return texto if len(texto) <= limite else texto[: limite - 1] + "…"


def fuente(datos: bytes | BinaryIO, limite: int, archivo: str) -> BinaryIO:
    """A seekable binary file over `datos`, refused when larger than `limite` bytes or empty. A seekable file is
    measured without being read; anything else is read up to `limite` + 1 bytes, never more."""
    if isinstance(datos, (bytes, bytearray, memoryview)):
        tamano = len(datos)
        archivo_binario: BinaryIO = io.BytesIO(bytes(datos))
    elif _seekable(datos):
        inicio = datos.tell()
        tamano = datos.seek(0, io.SEEK_END) - inicio
        datos.seek(inicio)
        archivo_binario = datos if inicio == 0 else io.BytesIO(datos.read(limite + 1))
    else:
        leido = datos.read(limite + 1)
        tamano = len(leido)
        archivo_binario = io.BytesIO(leido)
    if tamano > limite:
        raise ArchivoRechazado(MSG_GRANDE.format(archivo=archivo, limite=limite // MB))
    if tamano == 0:
        raise ArchivoRechazado(MSG_VACIO.format(archivo=archivo))
    return archivo_binario


def _seekable(datos) -> bool:
    try:
        return bool(datos.seekable())
    except (AttributeError, ValueError, OSError):
        return False
