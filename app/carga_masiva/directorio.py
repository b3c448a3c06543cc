"""A ZIP's central directory, checked before `zipfile` reads it (an .xlsx and a ZIP of CFDIs alike).

`zipfile.ZipFile()` reads the whole central directory at once and builds a `ZipInfo` for every record in it,
whatever number of files the end record declares, and it splits each record's "extra" field one sub-field at a
time, copying the rest each time. So a 5 MB directory of empty names is 114,000 objects before anyone can count
them, a ZIP64 end record may declare a directory of 46 MB behind a classic one that says "1 file", and 78 records
with 64 KB extra fields of empty sub-fields take 4 s. Hand-written, because no library checks a directory without
building it: the end records are found exactly as `zipfile` finds them (CPython's `_EndRecData` and
`_EndRecData64`), then the directory's records are walked (46 fixed bytes and three lengths each), counted and
measured, before `zipfile` sees them.
"""
from __future__ import annotations

import struct
from typing import BinaryIO

from .comun import MAX_ENTRADAS, ArchivoRechazado

FIN = b"PK\x05\x06"             # end of central directory record, 22 bytes + comment
FIN64 = b"PK\x06\x06"           # ZIP64 end of central directory record, 56 bytes
LOCALIZADOR64 = b"PK\x06\x07"   # ZIP64 end of central directory locator, 20 bytes
REGISTRO = b"PK\x01\x02"        # central directory file header, 46 bytes + name + extra + comment
MAX_BYTES_DIRECTORIO = MAX_ENTRADAS * 1024  # a record is 46 bytes plus a name of a few dozen
MAX_CAMPO_REGISTRO = 1024       # a record's name, extra field or comment: real ones are under 300 bytes

MSG_ZIP_ROTO = "El archivo «{archivo}» no es un ZIP válido o está dañado."
MSG_ENTRADAS = f"El ZIP «{{archivo}}» tiene más de {MAX_ENTRADAS:,} archivos; divídelo en varios ZIP."
MSG_REGISTRO = ("El ZIP «{archivo}» tiene un archivo con un nombre o datos adicionales de más de "
                f"{MAX_CAMPO_REGISTRO:,} bytes; vuelve a comprimirlo con el compresor de Windows o de tu sistema.")


def _fin(fuente: BinaryIO, archivo: str) -> tuple[int, int]:
    """(where the directory starts, its size in bytes), from the end records as zipfile reads them."""
    tamano = fuente.seek(0, 2)
    cola = min(tamano, 22 + 0xFFFF)  # the end record and a comment of at most 64 KB
    fuente.seek(tamano - cola)
    datos = fuente.read(cola)
    # zipfile takes the record at the very end when the file has no comment, else the last one in the tail.
    if len(datos) >= 22 and datos[-22:-18] == FIN and datos[-2:] == b"\x00\x00":
        i = len(datos) - 22
    else:
        i = datos.rfind(FIN)
    if i < 0 or len(datos) - i < 22:
        raise ArchivoRechazado(MSG_ZIP_ROTO.format(archivo=archivo))
    posicion = tamano - cola + i
    entradas, tamano_cd = struct.unpack("<10xHL6x", datos[i:i + 22])
    # zipfile believes a ZIP64 record whenever a ZIP64 locator stands just before the end record, and reads the
    # record just before the locator, whatever the classic record says.
    if posicion >= 20 + 56:
        fuente.seek(posicion - 20)
        localizador = fuente.read(20)
        if localizador[:4] == LOCALIZADOR64:
            fuente.seek(posicion - 20 - 56)
            registro = fuente.read(56)
            if registro[:4] == FIN64:
                entradas, tamano_cd = struct.unpack("<32xQQ8x", registro)
                posicion -= 20 + 56
    if entradas > MAX_ENTRADAS or tamano_cd > MAX_BYTES_DIRECTORIO:
        raise ArchivoRechazado(MSG_ENTRADAS.format(archivo=archivo))
    inicio = posicion - tamano_cd
    if inicio < 0:
        raise ArchivoRechazado(MSG_ZIP_ROTO.format(archivo=archivo))
    return inicio, tamano_cd


def revisar(fuente: BinaryIO, archivo: str) -> None:
    """ArchivoRechazado unless the ZIP's directory has at most MAX_ENTRADAS records, each with a name, extra field
    and comment of at most MAX_CAMPO_REGISTRO bytes. A directory this cannot walk is left to zipfile, which then
    refuses it as damaged."""
    try:
        inicio, tamano_cd = _fin(fuente, archivo)
        fuente.seek(inicio)
        directorio = fuente.read(tamano_cd)
    finally:
        fuente.seek(0)
    p = registros = 0
    while p + 46 <= len(directorio) and directorio[p:p + 4] == REGISTRO:
        nombre, extra, comentario = struct.unpack_from("<HHH", directorio, p + 28)
        if max(nombre, extra, comentario) > MAX_CAMPO_REGISTRO:
            raise ArchivoRechazado(MSG_REGISTRO.format(archivo=archivo))
        registros += 1
        if registros > MAX_ENTRADAS:
            raise ArchivoRechazado(MSG_ENTRADAS.format(archivo=archivo))
        p += 46 + nombre + extra + comentario
