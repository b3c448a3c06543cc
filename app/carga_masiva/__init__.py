"""*Carga masiva* of a contract's workers: a file read into a preview before anything is stored (no web, no database).

`leer_trabajadores()` takes a CSV or an Excel workbook as IMSS's template has it (NSS, CURP, SBC), or a ZIP of the
payroll CFDIs the company already issues, and answers a `Vista`: the valid rows, the rows with errors (row number
or receipt, field, reason, the value as it came), and the receipts left out with the reason. A file that is not
such a list (wrong columns, not a ZIP, an XML with a DTD or entities, over the limits, a ZIP bomb) is refused as a
whole with `ArchivoRechazado` (a `Rechazo` on campo "archivo"), and nothing of it is shown.

How the preview counts (the issue's rules):
* a row is a CSV/XLSX line, or a worker of the ZIP after the latest-receipt choice (`nomina.py`); receipts left out
  count in neither number;
* an NSS repeated within one file is an error row after its first occurrence (the first is kept, valid or not);
* a row with only warnings is valid;
* the SBC's cap is 25 UMA in force on the receipt's FechaFinalPago, or on the period's last day for CSV/XLSX rows.

A worker whose receipt carries SubContratacion nodes is one row with one `FilaValida` per RfcLabora (its
`destino_rfc`); `filas_validas` counts rows, not destinations.

The format is told by the content, not the name: a ZIP that holds `xl/workbook.xml` is a workbook, another ZIP is
CFDIs, and anything else must be CSV text. `escribir_errores()` writes the error rows as an .xlsx to download.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import BinaryIO


from ..export import text_cell, write_sheet
from ..plazos import Periodo
from ..rechazo import Rechazo, todos
from ..trabajadores import Trabajador, validar_nss, validar_trabajador
from . import directorio, nomina, tabla
from .comun import (MAX_BYTES_TABLA, MAX_BYTES_ZIP, MAX_BYTES_XML, MAX_ENTRADAS, MAX_FILAS, MAX_FILAS_VISTA,
                    ArchivoRechazado, Entrada, Omitido, fuente, mostrar, nombre_archivo)

__all__ = ["CAMPOS", "MAX_BYTES_TABLA", "MAX_BYTES_XML", "MAX_BYTES_ZIP", "MAX_ENTRADAS", "MAX_FILAS", "MAX_ZIP",
           "ArchivoRechazado", "FilaError", "FilaValida", "Omitido", "Vista", "a_dict", "de_dict", "escribir_errores",
           "leer_trabajadores", "nombre_archivo"]

MAX_ZIP = MAX_BYTES_ZIP  # the largest upload any worker file may be (a ZIP of CFDIs), in bytes

MSG_XLS = ("El archivo «{archivo}» es un libro de Excel 97-2003 (.xls); guárdalo como «Libro de Excel (.xlsx)» o "
           "como CSV.")
MSG_NO_TEXTO = "El archivo «{archivo}» no es un CSV, un libro de Excel (.xlsx) ni un ZIP de CFDI de nómina."
MSG_VISTA = (f"El archivo «{{archivo}}» da más de {MAX_FILAS_VISTA:,} filas de vista previa (una por trabajador y "
             "contratante, y una por error); divídelo en varios archivos.")
MSG_REPETIDO = "El NSS se repite en el archivo: ya está en la fila {primera}."
MSG_REPETIDO_RECIBO = "El NSS se repite en el archivo: ya está en «{primera}»."
MSG_CURP_REPETIDA = "La CURP se repite en el archivo con otro NSS (una persona, un NSS): ya está en la fila {primera}."
MSG_CURP_REPETIDA_RECIBO = ("La CURP se repite en el archivo con otro NSS (una persona, un NSS): ya está en "
                            "«{primera}».")

ENCABEZADOS = ("Fila", "Campo", "Motivo", "Valor")
HOJA_ERRORES = "Errores"
ANCHOS = {"A": 28, "B": 18, "C": 90, "D": 28}
# campo → how the preview and the .xlsx name it
CAMPOS = {"nss": "NSS", "curp": "CURP", "sbc": "SBC", "rfc_labora": "RfcLabora"}
VERSION_DICT = 1


@dataclass(frozen=True, slots=True)
class FilaValida:
    fila: int | str               # line number, or the receipt's file name inside the ZIP
    trabajador: Trabajador
    avisos: tuple[str, ...]
    destino_rfc: str | None = None  # a SubContratacion's RfcLabora; None: the contract being edited


@dataclass(frozen=True, slots=True)
class FilaError:
    fila: int | str
    campo: str                    # "nss", "curp", "sbc", "rfc_labora"
    motivo: str                   # Spanish
    valor: str                    # the value as it came, cut and without control characters ("" when missing)


@dataclass(frozen=True)
class Vista:
    """The preview of one file. Rows keep the file's order."""

    formato: str                  # "csv", "xlsx" or "zip"
    validas: tuple[FilaValida, ...]
    errores: tuple[FilaError, ...]
    omitidos: tuple[Omitido, ...] = ()

    @property
    def filas_validas(self) -> int:
        """"Filas válidas: N": rows (a worker sent to two contratantes is one row)."""
        return len({v.fila for v in self.validas})

    @property
    def filas_con_error(self) -> int:
        """"Filas con error: M": rows with at least one error (each error of a row is listed)."""
        return len({e.fila for e in self.errores})

    @property
    def destinos(self) -> tuple[str, ...]:
        """The RfcLabora the valid rows are sent to, besides the contract being edited, sorted."""
        return tuple(sorted({v.destino_rfc for v in self.validas if v.destino_rfc is not None}))


def a_dict(vista: Vista) -> dict:
    """The preview as JSON-ready data (to keep it between *Cargar* and *Agregar trabajadores*): plain strings,
    numbers and lists; the SBC as text with two decimals; the counts as the preview shows them."""
    return {
        "version": VERSION_DICT, "formato": vista.formato,
        "filas_validas": vista.filas_validas, "filas_con_error": vista.filas_con_error,
        "validas": [{"fila": v.fila, "nss": v.trabajador.nss, "curp": v.trabajador.curp,
                     "sbc": f"{v.trabajador.sbc:.2f}", "nombre": v.trabajador.nombre, "avisos": list(v.avisos),
                     "destino_rfc": v.destino_rfc} for v in vista.validas],
        "errores": [{"fila": e.fila, "campo": e.campo, "etiqueta": CAMPOS.get(e.campo, e.campo), "motivo": e.motivo,
                     "valor": e.valor} for e in vista.errores],
        "omitidos": [{"archivo": o.archivo, "motivo": o.motivo} for o in vista.omitidos],
    }


def de_dict(datos: dict) -> Vista:
    """The Vista that `a_dict` wrote (ValueError when the data is not one)."""
    if datos.get("version") != VERSION_DICT:
        raise ValueError(f"not a preview of version {VERSION_DICT}")
    return Vista(
        datos["formato"],
        tuple(FilaValida(v["fila"], Trabajador(v["nss"], v["curp"], Decimal(v["sbc"]), v.get("nombre")),
                         tuple(v.get("avisos", ())), v.get("destino_rfc")) for v in datos["validas"]),
        tuple(FilaError(e["fila"], e["campo"], e["motivo"], e["valor"]) for e in datos["errores"]),
        tuple(Omitido(o["archivo"], o["motivo"]) for o in datos.get("omitidos", ())),
    )


def _formato(f: BinaryIO, archivo: str) -> str:
    inicio = f.read(8)
    f.seek(0)
    if inicio.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        directorio.revisar(f, archivo)  # before zipfile reads the whole central directory
        try:
            with zipfile.ZipFile(f) as z:
                es_libro = "xl/workbook.xml" in z.namelist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            # NotImplementedError: a record that asks for a newer ZIP version than zipfile reads
            es_libro = False  # nomina.leer_zip says why
        finally:
            f.seek(0)
        return "xlsx" if es_libro else "zip"
    if inicio.startswith(b"\xd0\xcf\x11\xe0"):
        raise ArchivoRechazado(MSG_XLS.format(archivo=archivo))
    return "csv"


def leer_trabajadores(nombre_archivo_subido: str, datos: bytes | BinaryIO, *, rfc_contratista: str,
                      periodo: Periodo, hoy: date | None) -> Vista:
    """The preview of a worker file for a contract of the informativa of `periodo`, or `ArchivoRechazado`.
    `hoy` is Mexico City's today (a CURP born later is refused)."""
    archivo = nombre_archivo(nombre_archivo_subido)
    f = fuente(datos, MAX_BYTES_ZIP, archivo)
    formato = _formato(f, archivo)
    omitidos: list[Omitido] = []
    if formato == "zip":
        entradas, omitidos = nomina.leer_zip(f, archivo, rfc_contratista=rfc_contratista, periodo=periodo)
    else:
        f = fuente(f, MAX_BYTES_TABLA, archivo)
        if formato == "xlsx":
            entradas = tabla.leer_xlsx(f, archivo, periodo.fin)
        else:
            inicio = f.read(8192)
            f.seek(0)
            if b"\x00" in inicio and not inicio.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise ArchivoRechazado(MSG_NO_TEXTO.format(archivo=archivo))
            entradas = tabla.leer_csv(f, archivo, periodo.fin)
    validas, errores = _revisar(entradas, hoy, archivo)
    return Vista(formato, tuple(validas), tuple(errores), tuple(omitidos))


def _revisar(entradas: list[Entrada], hoy: date | None, archivo: str) -> tuple[list[FilaValida], list[FilaError]]:
    """The rows checked; ArchivoRechazado when the preview would pass MAX_FILAS_VISTA rows (it is stored until
    Agregar trabajadores, and each page of it is read from there)."""
    validas: list[FilaValida] = []
    errores: list[FilaError] = []
    primeras: dict[str, int | str] = {}  # the NSS a row claims (_clave_nss) → the row that has it first
    curps: dict[tuple, int | str] = {}   # (contract, CURP) → its first row: one person under two NSS in a
    #                                      contract is one worker twice (rows of a ZIP go to their RfcLabora's)
    for e in entradas:
        valores = {"nss": e.nss, "curp": e.curp, "sbc": e.sbc}
        propios = list(e.errores)
        ya = {campo for campo, _, _ in propios}
        trabajador = None
        avisos: tuple[str, ...] = ()
        try:
            trabajador, avisos = validar_trabajador(e.nss, e.curp, e.sbc, fecha_referencia=e.fecha_referencia,
                                                    hoy=hoy, nombre=e.nombre)
        except* Rechazo as grupo:
            for r in todos(grupo):
                if r.campo not in ya:
                    propios.append((r.campo, r.mensaje, mostrar(valores.get(r.campo))))
        clave = _clave_nss(e.nss)
        nss_repetido = bool(clave) and clave in primeras
        if clave:
            if nss_repetido:
                primera = primeras[clave]
                mensaje = (MSG_REPETIDO if isinstance(primera, int) else MSG_REPETIDO_RECIBO).format(primera=primera)
                propios.append(("nss", mensaje, mostrar(e.nss)))
            else:
                primeras[clave] = e.fila
        # A valid CURP (the worker's) a row with another NSS already has: one person under two NSS.
        if trabajador is not None and not nss_repetido:
            primera = next((curps[(d, trabajador.curp)] for d in e.destinos if (d, trabajador.curp) in curps), None)
            if primera is not None:
                mensaje = (MSG_CURP_REPETIDA if isinstance(primera, int) else
                           MSG_CURP_REPETIDA_RECIBO).format(primera=primera)
                propios.append(("curp", mensaje, mostrar(e.curp)))
            else:
                curps.update({(d, trabajador.curp): e.fila for d in e.destinos})
        if propios:
            errores.extend(FilaError(e.fila, campo, motivo, valor) for campo, motivo, valor in propios)
        else:
            assert trabajador is not None
            validas.extend(FilaValida(e.fila, trabajador, avisos + e.avisos, destino) for destino in e.destinos)
        if len(validas) + len(errores) > MAX_FILAS_VISTA:
            raise ArchivoRechazado(MSG_VISTA.format(archivo=archivo))
    return validas, errores


def _clave_nss(nss: object) -> str:
    """The NSS a row claims: its 11 digits when valid ("9291-90-8443-1" and "92919084431" are one), else the text
    as written without spaces (so a wrong NSS repeated is reported too); "" when empty."""
    try:
        return validar_nss(nss)
    except Rechazo:
        return "".join(str(nss or "").split())[:64]


def escribir_errores(vista: Vista, salida: BinaryIO) -> int:
    """The error rows as an .xlsx (sheet "Errores": Fila, Campo, Motivo, Valor; bold header) written to `salida`;
    answers how many rows it has. Values come from the uploaded file, so text that Excel would read as a formula
    stays text (export.text_cell, the same rule as Exportar Excel); export.write_sheet keeps memory flat."""
    return write_sheet(salida, HOJA_ERRORES, ENCABEZADOS, ANCHOS, vista.errores, lambda hoja, e: [
        e.fila if isinstance(e.fila, int) else text_cell(hoja, e.fila), CAMPOS.get(e.campo, e.campo),
        text_cell(hoja, e.motivo), text_cell(hoja, e.valor)])
