"""Worker files as IMSS's template has them: columns NSS, CURP, SBC, in a CSV or in an Excel workbook.

Both readers yield `Entrada`s, one per non-blank row, and refuse the whole file (`ArchivoRechazado`) when it is
not such a list: another number of columns, a header that names other columns, over 3,000 rows, over the limits.

* The header row is optional: a first row whose NSS cell has no digit is a header, and its names (NSS, CURP, SBC,
  or their long forms, accents and case aside) may come in any order.
* CSV: comma-separated, UTF-8 with or without BOM, else Latin-1 (Excel's "CSV (delimitado por comas)" on a Spanish
  Windows). Cells stay text, so an NSS keeps its leading zeros. Trailing empty cells (Excel writes them) are
  ignored; blank lines are skipped.
* XLSX (and the .xlsm of IMSS's template): the first sheet, read with openpyxl in read-only mode. A row may end
  before column C (an empty SBC); a value in columns D to Z refuses the file (columns past Z are not read: a row
  whose last cell is XFD would otherwise be 16,384 cells). A numeric NSS cell lost its leading zeros in Excel: an
  integer below 10^11 is written back as 11 digits.
"""
from __future__ import annotations

import csv
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date
from typing import BinaryIO

from openpyxl import load_workbook
from openpyxl.packaging.manifest import Manifest
from openpyxl.packaging.workbook import WorkbookPackage
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.xml.constants import (ARC_CONTENT_TYPES, ARC_CORE, ARC_CUSTOM, ARC_STYLE, ARC_WORKBOOK,
                                    SHARED_STRINGS, XLSM, XLSX, XLTM, XLTX)
from openpyxl.xml.functions import fromstring as xml_fromstring

from ..trabajadores import MSG_NUMERO_LARGO
from .comun import MAX_COMAS_LINEA, MAX_FILAS, MAX_LINEA, MAX_LINEAS, MB, ArchivoRechazado, Entrada

MSG_COLUMNAS = ("La fila {fila} del archivo «{archivo}» tiene {n} columnas; el archivo debe tener 3: NSS, CURP y "
                "SBC.")
MSG_PUNTO_Y_COMA = ("El archivo «{archivo}» separa sus columnas con punto y coma o tabulador; guárdalo como «CSV "
                    "(delimitado por comas)».")
MSG_ENCABEZADO = ("La primera fila del archivo «{archivo}» es un encabezado, pero sus columnas no son NSS, CURP y "
                  "SBC.")
MSG_FILAS = f"El archivo «{{archivo}}» tiene más de {MAX_FILAS:,} trabajadores; divídelo en varios archivos."
MSG_LINEAS = (f"El archivo «{{archivo}}» tiene más de {MAX_LINEAS:,} filas, contando las vacías; deja solo las de "
              "los trabajadores.")
MSG_LINEA_LARGA = ("La línea {fila} del archivo «{archivo}» es demasiado larga para una fila de NSS, CURP y SBC; "
                   "revisa que sea un CSV.")
MSG_COMAS = (f"La línea {{fila}} del archivo «{{archivo}}» tiene más de {MAX_COMAS_LINEA} comas; el archivo debe "
             "tener 3 columnas: NSS, CURP y SBC.")
MSG_CSV_ROTO = ("El archivo «{archivo}» no se pudo leer como CSV a partir de la línea {fila}; revisa sus comillas.")
MSG_UTF16 = ("El archivo «{archivo}» está guardado en UTF-16 («Texto Unicode»); guárdalo como «CSV UTF-8» o «CSV "
             "(delimitado por comas)».")
MSG_MEZCLA = ("El archivo «{archivo}» empieza como «CSV UTF-8» pero en la línea {fila} tiene caracteres en otra "
              "codificación; guárdalo de nuevo como «CSV UTF-8» o «CSV (delimitado por comas)».")
MSG_SIN_FILAS = "El archivo «{archivo}» no tiene trabajadores."
MSG_XLSX_ROTO = ("El archivo «{archivo}» no se pudo leer como libro de Excel (.xlsx); ábrelo en Excel y guárdalo de "
                 "nuevo, o guárdalo como CSV.")
MSG_XLSX_GRANDE = "El libro de Excel «{archivo}» descomprimido es demasiado grande para una lista de trabajadores."
MSG_XLSX_COMPLEJO = ("El libro de Excel «{archivo}» tiene demasiados estilos, hojas u objetos para una lista de "
                     "trabajadores; copia las columnas NSS, CURP y SBC a un libro nuevo, o guárdalo como CSV.")

# What a header cell may say, once upper-cased without accents, spaces or signs.
_NOMBRES_COLUMNA = {"NSS": "nss", "NUMERODESEGURIDADSOCIAL": "nss", "NUMEROSEGURIDADSOCIAL": "nss",
                    "CURP": "curp", "SBC": "sbc", "SALARIOBASEDECOTIZACION": "sbc", "SALARIOBASE": "sbc"}
_ORDEN_IMSS = ("nss", "curp", "sbc")

# An .xlsx is a ZIP of XML parts. openpyxl (read-only) parses some whole as it opens the workbook (the content
# types, the workbook and its relationships, xl/styles.xml, the document properties, each listed sheet's
# relationships, and each listed sheet up to its <dimension>), reads the shared strings, and streams the first
# sheet. The cost is per XML element, not per byte: 16 MB of "<xf/>" in the styles took 87 s and 1.7 GB, a
# workbook naming 200,000 sheets 42 s, one sheet without <dimension> listed 5,000 times 100 s. So each part is
# bounded by its size (zipfile never hands out more than an entry's declared size: a lie breaks its CRC), and the
# parts openpyxl will parse by their number of "<" (tags), counted in one pass over the inflated bytes before
# openpyxl sees them. A 3,000-row list is about 200 KB and 60,000 tags of sheet; Excel's own parts are a few
# hundred tags. Parts openpyxl never reads (the theme, calcChain.xml, drawings, images, the VBA project) are only
# bounded by size.
MAX_PARTES_XLSX = 200
MAX_BYTES_PARTE_XLSX = 16 * MB
MAX_BYTES_XLSX = 64 * MB
MAX_BYTES_CADENAS_XLSX = 4 * MB
MAX_ETIQUETAS_HOJA = 200_000      # tags of the listed sheets, and of the shared strings (1.1 s of openpyxl a pass)
MAX_ETIQUETAS_OTRAS = 10_000      # tags of the parts parsed whole (1 s at the dearest: 110 µs a listed sheet)
MAX_HOJAS_XLSX = 255
# Text that openpyxl hands to regular expressions of its own while it opens a workbook, quadratic in its length
# (sre holds the GIL, so the node's other requests wait too): each cell style's number format code goes through
# `is_date_format`, once per <xf> that uses it (20,000 "[" took 0.35 s a style), and the print titles and print
# areas of the sheets (defined names) through `PrintTitles`/`PrintArea.from_string` (40,000 characters: 11 s).
MAX_FORMATO = 255                # characters of one number format code: Excel's own limit
MAX_NOMBRES_DEFINIDOS = 4_096    # characters of the print titles' and areas' values together (a print title: ~15)
MAX_CELDA = 128                   # characters of a cell looked at: an NSS, CURP or SBC is under 20
MAX_COLUMNAS_LEIDAS = 26          # columns A to Z of each row

def _clave(texto: str) -> str:
    plano = unicodedata.normalize("NFD", texto.upper())
    return "".join(c for c in plano if c.isascii() and c.isalnum())


def _vacia(valor: object) -> bool:
    return valor is None or (isinstance(valor, str) and not valor.strip())


def _celdas(fila: Iterable[object], minimo: int = 0) -> list[object]:
    """The row without the empty cells past the third (Excel writes "a,b,c,,"), padded to `minimo` cells (a
    spreadsheet row ends at its last filled cell), or [] when every cell is empty."""
    celdas = list(fila)
    if all(_vacia(c) for c in celdas):
        return []
    while len(celdas) > 3 and _vacia(celdas[-1]):
        celdas.pop()
    return celdas + [None] * (minimo - len(celdas))


def _entradas(filas: Iterator[tuple[int, list[object]]], archivo: str, fecha_referencia: date,
              nss_texto) -> Iterator[Entrada]:
    """Entradas from (row number, cells) pairs: header, column count and row limits, the same for CSV and XLSX.
    `nss_texto` turns an NSS cell into text (the XLSX reader restores leading zeros)."""
    orden = _ORDEN_IMSS
    primera = True
    cuantas = 0
    for numero, celdas in filas:
        if not celdas:
            continue
        if primera:
            primera = False
            if len(celdas) == 1 and isinstance(celdas[0], str) and (";" in celdas[0] or "\t" in celdas[0]):
                raise ArchivoRechazado(MSG_PUNTO_Y_COMA.format(archivo=archivo))
            # A header has no digit in any cell; a data row has at least its CURP's.
            if not any(ch.isdigit() for c in celdas for ch in str(c or "")[:64]):
                nombres = tuple(_NOMBRES_COLUMNA.get(_clave(str(c or "")[:64])) for c in celdas)
                if len(celdas) != 3:
                    raise ArchivoRechazado(MSG_COLUMNAS.format(fila=numero, archivo=archivo, n=len(celdas)))
                if set(nombres) != set(_ORDEN_IMSS):
                    raise ArchivoRechazado(MSG_ENCABEZADO.format(archivo=archivo))
                orden = nombres
                continue
        if len(celdas) != 3:
            raise ArchivoRechazado(MSG_COLUMNAS.format(fila=numero, archivo=archivo, n=len(celdas)))
        cuantas += 1
        if cuantas > MAX_FILAS:
            raise ArchivoRechazado(MSG_FILAS.format(archivo=archivo))
        valores = dict(zip(orden, celdas))
        yield Entrada(fila=numero, nss=nss_texto(valores["nss"]), curp=valores["curp"], sbc=valores["sbc"],
                      fecha_referencia=fecha_referencia)
    if cuantas == 0:
        raise ArchivoRechazado(MSG_SIN_FILAS.format(archivo=archivo))


def _texto_csv(datos: bytes, archivo: str) -> str:
    if datos.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ArchivoRechazado(MSG_UTF16.format(archivo=archivo))
    try:
        return datos.decode("utf-8-sig")  # strips the BOM Excel's "CSV UTF-8" writes
    except UnicodeDecodeError as e:
        if datos.startswith(b"\xef\xbb\xbf"):
            # The BOM says UTF-8 and a later byte is not: a file pasted together from two encodings. Read as
            # Latin-1 its header would be "ï»¿NSS" and the user told her columns are wrong; say what is wrong.
            # The line is counted as the reader counts them (CRLF, LF or a lone CR ends one) in the text before
            # the bad byte (`e.start` counts from after the BOM).
            antes = datos[3:3 + e.start].decode("utf-8")
            fila = antes.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
            raise ArchivoRechazado(MSG_MEZCLA.format(archivo=archivo, fila=fila))
        return datos.decode("latin-1")     # never fails: every byte is a Latin-1 character


def leer_csv(fuente: BinaryIO, archivo: str, fecha_referencia: date) -> list[Entrada]:
    """The rows of a CSV (the caller bounded it to 15 MB)."""
    texto = _texto_csv(fuente.read(), archivo)
    # Lines are counted and measured before the csv module sees them, so a file of blank lines or one endless
    # line is refused at once. Only CR LF, LF and CR (old Mac Excel) end a line: str.splitlines() would also
    # split at U+0085, which is what the Latin-1 byte 0x85 ("…" in Windows-1252) decodes to.
    texto = texto.replace("\r\n", "\n").replace("\r", "\n")
    if texto.count("\n") > MAX_LINEAS:  # counted before split(), which would make a list of them all
        raise ArchivoRechazado(MSG_LINEAS.format(archivo=archivo))
    lineas = texto.split("\n")
    del texto
    for numero, linea in enumerate(lineas, start=1):
        if len(linea) > MAX_LINEA:
            raise ArchivoRechazado(MSG_LINEA_LARGA.format(fila=numero, archivo=archivo))
        # A line of 1,023 commas is 1,024 cells to the csv module: 14,000 of them took 3 s. Excel pads each line
        # with a comma per empty column of the used range, a few dozen at most.
        if linea.count(",") > MAX_COMAS_LINEA:
            raise ArchivoRechazado(MSG_COMAS.format(fila=numero, archivo=archivo))
    lector = csv.reader(lineas)

    def filas() -> Iterator[tuple[int, list[object]]]:
        try:
            for fila in lector:
                yield lector.line_num, _celdas(c.strip() for c in fila)
        except csv.Error:
            raise ArchivoRechazado(MSG_CSV_ROTO.format(archivo=archivo, fila=lector.line_num + 1)) from None

    return list(_entradas(filas(), archivo, fecha_referencia, lambda v: v))


def _celda(valor: object) -> object:
    """A cell's value bounded before anything looks at it: text cut to MAX_CELDA characters and stripped (one
    shared string of 4 MB of blanks, referenced by every cell, was stripped, split and copied for each: a minute
    and gigabytes), an integer longer than any NSS or salary as a short text (a number of 4,300 digits was turned
    into text several times per cell: 7 s for 1,800 rows)."""
    if isinstance(valor, str):
        return valor[:MAX_CELDA].strip()
    if isinstance(valor, int) and not isinstance(valor, bool) and valor.bit_length() > 128:
        return MSG_NUMERO_LARGO
    return valor


def _nss_de_celda(valor: object) -> object:
    """An NSS cell as text: Excel turned 01234567890 into the number 1234567890; its 11 digits come back."""
    if isinstance(valor, bool):
        return valor
    if isinstance(valor, float) and valor.is_integer():
        valor = int(valor)
    if isinstance(valor, int) and 0 <= valor < 10**11:
        return f"{valor:011d}"
    if isinstance(valor, str):
        return valor.strip()
    return valor


def _revisar_partes(fuente: BinaryIO, archivo: str) -> None:
    """ArchivoRechazado unless the workbook is within the size bounds and the parts openpyxl will parse within the
    tag bounds (see MAX_PARTES_XLSX)."""
    try:
        with zipfile.ZipFile(fuente) as z:
            partes = z.infolist()
            # Excel deflates its parts; bzip2 and LZMA ones zipfile would inflate a whole chunk at a time (a 5 KB
            # workbook took 2 GB), whatever size they declare.
            if any(p.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for p in partes):
                raise ArchivoRechazado(MSG_XLSX_ROTO.format(archivo=archivo))
            if len(partes) > MAX_PARTES_XLSX or sum(p.file_size for p in partes) > MAX_BYTES_XLSX or any(
                    p.file_size > (MAX_BYTES_CADENAS_XLSX if p.filename.lower().endswith("sharedstrings.xml")
                                   else MAX_BYTES_PARTE_XLSX) for p in partes):
                raise ArchivoRechazado(MSG_XLSX_GRANDE.format(archivo=archivo))
            _revisar_etiquetas(z, archivo)
    except ArchivoRechazado:
        raise
    except Exception:  # zipfile, zlib and openpyxl's package readers raise many kinds alike
        raise ArchivoRechazado(MSG_XLSX_ROTO.format(archivo=archivo)) from None
    finally:
        fuente.seek(0)


def _revisar_etiquetas(z: zipfile.ZipFile, archivo: str) -> None:
    """The tags of what openpyxl will parse, found the way openpyxl finds it (the content types, the workbook and
    its relationships, which are read here once each is known to be small), so that a part named like a sheet but
    used as the styles or the workbook is counted as what it is used for."""
    nombres = set(z.namelist())
    contadas: dict[str, int] = {}

    def etiquetas(nombre: str) -> int:
        if nombre not in nombres:
            return 0
        if nombre not in contadas:
            contadas[nombre] = _etiquetas(z, nombre)
        return contadas[nombre]

    def pequena(nombre: str) -> bytes:
        if etiquetas(nombre) > MAX_ETIQUETAS_OTRAS:
            raise ArchivoRechazado(MSG_XLSX_COMPLEJO.format(archivo=archivo))
        return z.read(nombre)

    manifiesto = Manifest.from_tree(xml_fromstring(pequena(ARC_CONTENT_TYPES)))
    libro = next((parte for tipo in (XLTM, XLTX, XLSM, XLSX) if (parte := manifiesto.find(tipo))), None)
    nombre_libro = libro.PartName[1:] if libro is not None else ARC_WORKBOOK
    relaciones = get_rels_path(nombre_libro)
    if nombre_libro not in nombres or relaciones not in nombres:
        return  # openpyxl finds no workbook and says so
    pequena(relaciones)
    dependientes = {r.Id: r for r in get_dependents(z, relaciones)}
    arbol_libro = xml_fromstring(pequena(nombre_libro))
    listadas = [dependientes[hoja.id] for hoja in WorkbookPackage.from_tree(arbol_libro).sheets
                if hoja.id in dependientes]
    # A chart sheet is parsed whole with its drawing and charts, and a list of workers has none.
    if any((r.Type or "").endswith("/chartsheet") for r in listadas):
        raise ArchivoRechazado(MSG_XLSX_COMPLEJO.format(archivo=archivo))
    _revisar_textos(arbol_libro, xml_fromstring(pequena(ARC_STYLE)) if ARC_STYLE in nombres else None, archivo)
    hojas = [r.target for r in listadas if r.target in nombres]
    completas = [ARC_CONTENT_TYPES, nombre_libro, relaciones, ARC_STYLE, ARC_CORE, ARC_CUSTOM,
                 *(get_rels_path(h) for h in hojas)]
    cadenas = manifiesto.find(SHARED_STRINGS)
    if len(hojas) > MAX_HOJAS_XLSX or sum(map(etiquetas, completas)) > MAX_ETIQUETAS_OTRAS:
        raise ArchivoRechazado(MSG_XLSX_COMPLEJO.format(archivo=archivo))
    if cadenas is not None and cadenas.PartName[1:] in nombres and (
            etiquetas(cadenas.PartName[1:]) > MAX_ETIQUETAS_HOJA
            or z.getinfo(cadenas.PartName[1:]).file_size > MAX_BYTES_CADENAS_XLSX):
        raise ArchivoRechazado(MSG_XLSX_GRANDE.format(archivo=archivo))
    if sum(map(etiquetas, hojas)) > MAX_ETIQUETAS_HOJA:
        raise ArchivoRechazado(MSG_XLSX_GRANDE.format(archivo=archivo))


def _revisar_textos(libro, estilos, archivo: str) -> None:
    """ArchivoRechazado when the workbook's print titles and areas or a number format code of its styles (both
    parts parsed already, small) are longer than openpyxl's regular expressions read in a moment
    (MAX_NOMBRES_DEFINIDOS, MAX_FORMATO). Other defined names (a company's named ranges) openpyxl only stores. Elements
    are known by their local name, in any namespace or none, as openpyxl knows them."""
    definidos = sum(len(e.text or "") for e in _elementos(libro, "definedName")
                    if (e.get("name") or "").lower().startswith("_xlnm.print_"))
    if definidos > MAX_NOMBRES_DEFINIDOS or any(
            len(e.get("formatCode") or "") > MAX_FORMATO for e in _elementos(estilos, "numFmt")):
        raise ArchivoRechazado(MSG_XLSX_COMPLEJO.format(archivo=archivo))


def _elementos(arbol, nombre: str) -> Iterator:
    return (e for e in (arbol.iter() if arbol is not None else ())
            if isinstance(e.tag, str) and e.tag.rpartition("}")[2] == nombre)


def _etiquetas(z: zipfile.ZipFile, nombre: str) -> int:
    """How many "<" a part has, read in 1 MB pieces."""
    cuantas = 0
    with z.open(nombre) as f:
        while pieza := f.read(MB):
            cuantas += pieza.count(b"<")
    return cuantas


def leer_xlsx(fuente: BinaryIO, archivo: str, fecha_referencia: date) -> list[Entrada]:
    """The rows of the workbook's first sheet (the caller bounded the file to 15 MB)."""
    _revisar_partes(fuente, archivo)
    # openpyxl parses with defusedxml when it is installed (a dependency here): no entity expansion.
    try:
        libro = load_workbook(fuente, read_only=True, data_only=True, keep_links=False)
    except Exception:  # openpyxl raises KeyError, ValueError, TypeError, zipfile and XML errors alike
        raise ArchivoRechazado(MSG_XLSX_ROTO.format(archivo=archivo)) from None
    try:
        if not libro.worksheets:
            raise ArchivoRechazado(MSG_SIN_FILAS.format(archivo=archivo))
        hoja = libro.worksheets[0]
        # The sheet's stated dimension may claim a million rows: forget it, read the rows that exist.
        hoja.reset_dimensions()

        def filas() -> Iterator[tuple[int, list[object]]]:
            try:
                for numero, fila in enumerate(hoja.iter_rows(values_only=True, max_col=MAX_COLUMNAS_LEIDAS),
                                               start=1):
                    if numero > MAX_LINEAS:
                        raise ArchivoRechazado(MSG_LINEAS.format(archivo=archivo))
                    if len(fila) > 3 and any(v is not None for v in fila[3:]):
                        ultima = max(i for i, v in enumerate(fila) if v is not None) + 1  # " " in D counts
                        raise ArchivoRechazado(MSG_COLUMNAS.format(fila=numero, archivo=archivo, n=ultima))
                    yield numero, _celdas(map(_celda, fila), minimo=3)
            except ArchivoRechazado:
                raise
            except Exception:
                raise ArchivoRechazado(MSG_XLSX_ROTO.format(archivo=archivo)) from None

        return list(_entradas(filas(), archivo, fecha_referencia, _nss_de_celda))
    finally:
        libro.close()
