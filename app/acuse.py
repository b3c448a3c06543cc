"""The STPS acuse of Datos generales (guide steps 13-15): "Acuse de registro en padrón de la STPS",
"Archivo con extensión: .pdf, 5MB máx".

`validate(filename, data)` returns the name to show next to *Ver archivo* / *Eliminar*, or raises `AcuseInvalido`
with a Spanish message. No Flask, no forms, no database (STYLE.md §1).
"""
from __future__ import annotations

import io
import unicodedata

import pypdf

MAX_BYTES = 5 * 1024 * 1024
MAX_NOMBRE = 120
EXTENSION = ".pdf"

# Acrobat accepts a header anywhere in the first 1024 bytes (PDF 1.7 implementation note 13); so do we.
_HEADER = b"%PDF-"
_HEADER_WINDOW = 1024

_MB = 1024 * 1024

# pypdf is lazy: the reader reads the trailer and cross-reference table, and `len(reader.pages)` walks the page
# tree. Nothing else (content streams, images, fonts) is decoded here. These limits, tighter than pypdf's defaults,
# bound the work a hostile file can cause in that walk (a page tree of 100,000 entries, pypdf's default, takes about
# a second): an acuse has a few pages, and 5 MB of input has no business inflating its xref or object streams past
# 25 MB. `apply_configuration` sets them in a context variable, so other threads and other PDF code keep theirs.
_LIMITES = {
    "page_tree_maximum_entries": 10_000,
    "page_tree_maximum_depth": 32,
    "zlib_maximum_output_length": 25 * _MB,
}

_VACIO = "Selecciona el acuse de registro en el padrón de la STPS."
_NO_ES_PDF = "El archivo no es un PDF válido; revisa que no esté dañado."


class AcuseInvalido(ValueError):
    """The uploaded acuse was refused; `str(error)` is the Spanish message for the user."""


def validate(filename: str | None, data: bytes) -> str:
    """The display name of a PDF that IMSS staff can open, or AcuseInvalido saying what is wrong with the file."""
    if not filename and not data:
        raise AcuseInvalido(_VACIO)
    nombre = display_name(filename or "")
    if not nombre.lower().endswith(EXTENSION):
        raise AcuseInvalido("El acuse debe ser un archivo con extensión .pdf.")
    if not data:
        raise AcuseInvalido(f"El archivo está vacío. {_VACIO}")
    if len(data) > MAX_BYTES:
        raise AcuseInvalido(mensaje_tamano(len(data)))
    if data.find(_HEADER, 0, _HEADER_WINDOW) < 0:
        raise AcuseInvalido(_NO_ES_PDF)  # a picture or a Word file renamed .pdf
    paginas = _count_pages(data)
    if paginas == 0:
        raise AcuseInvalido("El PDF no tiene páginas; descarga de nuevo el acuse del padrón de la STPS.")
    return nombre


def display_name(filename: str) -> str:
    """The file's own name, safe to show and store: no folders, no control characters, at most MAX_NOMBRE long.

    Hand-written: werkzeug's `secure_filename` is web code, and it drops accents and turns spaces into underscores
    ("Acuse Peñoles.pdf" becomes "Acuse_Penoles.pdf"), while the name is shown back to its owner as they wrote it;
    `os.path.basename` only knows the server's separator, and some browsers (old IE/Edge) send Windows paths.
    """
    nombre = unicodedata.normalize("NFC", filename)  # macOS sends decomposed accents
    # Category C: control characters, and also format characters such as U+202E (right-to-left override), which
    # can make "acuse\u202efdp.exe" read as "acuseexe.pdf".
    nombre = "".join(c for c in nombre if not unicodedata.category(c).startswith("C"))
    nombre = nombre.replace("\\", "/").rsplit("/", 1)[-1].strip()
    base, punto, extension = nombre.rpartition(".")
    if not punto:
        return nombre[:MAX_NOMBRE]
    base = base.strip(" .") or "acuse"  # ".pdf" or "...pdf" alone: a hidden or empty name
    extension = extension.strip()[:10]  # a "pdf" is all that passes; a longer one only needs to stay short
    return base[: MAX_NOMBRE - len(extension) - 1].rstrip() + "." + extension


def mensaje_tamano(size: int) -> str:
    """The message for a file of `size` bytes, over the limit (also used when only the size is known)."""
    return f"El archivo pesa {_megabytes(size)} MB; el máximo es {MAX_BYTES // _MB} MB."


def _megabytes(size: int) -> str:
    """Size in MB with one decimal, rounded up, so 5 MB and one byte reads "5.1" and never "5.0" (es-MX writes
    the decimal point)."""
    decimas = -(-size * 10 // _MB)
    return f"{decimas // 10}.{decimas % 10}"


def _count_pages(data: bytes) -> int:
    """The number of pages, read with pypdf; AcuseInvalido if pypdf cannot read the file or a password is needed."""
    try:
        with pypdf.apply_configuration(**_LIMITES):
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                # An empty user password opens files that are encrypted only to restrict printing or editing;
                # anything else needs a password the IMSS staff who review the acuse do not have.
                raise AcuseInvalido(
                    "El PDF está protegido con contraseña y el personal del IMSS no podría abrirlo. "
                    "Súbelo sin contraseña."
                )
            return len(reader.pages)
    except AcuseInvalido:
        raise
    except Exception:
        # Deliberately broad: besides PdfReadError and PdfStreamError, malformed files make pypdf raise ValueError,
        # TypeError, AttributeError, NotImplementedError (a garbled encryption method), RecursionError,
        # zlib.error… (see the mutation test). LimitReachedError lands here too: pypdf raises it for the limits
        # above but also for plain corruption (a self-referencing object, a /Length past the end), so it cannot
        # tell "too big" from "damaged". The user gets one answer for all of them.
        raise AcuseInvalido(_NO_ES_PDF) from None
