"""The STPS acuse of Datos generales (guide steps 13-15): "Acuse de registro en padrón de la STPS",
"Archivo con extensión: .pdf, 5MB máx".

`validate(filename, data)` returns the name to show next to *Ver archivo* / *Eliminar*, or raises `AcuseInvalido`
with a Spanish message. No Flask, no forms, no database (STYLE.md §1).

A hostile PDF must not stall a worker (200,000 nested dictionaries, 1.8 MB, kept pypdf busy 2-6 s and wrote 72,000
warnings to the log), so the check is bounded twice:

1. `_prescan`, one linear pass over the bytes outside streams and inside compressed object streams, refuses what
   no acuse has: dictionaries or arrays nested deeper than MAX_ANIDACION (pypdf's parser recurses into them and
   retries on every failure), more than MAX_OBJETOS objects or a /Size above it (pypdf checks every
   cross-reference entry, ~10 µs each), more than MAX_MARCAS delimiters, or object streams that inflate past
   MAX_INFLADO. It takes milliseconds and stops the known bombs before pypdf runs.
2. pypdf then runs in a child process with a hard deadline of TIEMPO_MAXIMO seconds (and CPU and memory rlimits as
   a second net), killed when it is late. That bounds what the pre-scan does not look for (other filters, a huge
   compressed cross-reference stream, any slow path in pypdf) whatever it is; an in-process parse cannot be
   interrupted (signals reach the main thread only, and waitress runs views in worker threads). The children
   come from multiprocessing's forkserver (a single-threaded process that imported this module once: nothing is
   forked from the threaded server itself) and wait for work between checks, so a check costs a message.

pypdf logs a warning for each thing it repairs; in the child logging is off, and this module writes one line per
refused upload, so a hostile file cannot flood the log.
"""
from __future__ import annotations

import io
import logging
import math
import multiprocessing
import os
import re
import resource
import threading
import unicodedata
import warnings
import zlib

import pypdf

from .rechazo import Rechazo

log = logging.getLogger(__name__)

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

# The pre-scan's bounds. A real acuse nests a few levels and has tens of objects; a long PDF, a few thousand
# (pypdf needs about 0.13 s for 10,000).
MAX_ANIDACION = 64
MAX_OBJETOS = 10_000
MAX_MARCAS = 100_000  # delimiters outside streams, about ten per object
MAX_INFLADO = 25 * _MB  # of compressed object streams, scanned too: pypdf's own limit below, for all of them
# The child's deadline (wall clock, from receiving the file to answering). pypdf reads a real acuse in 1-15 ms
# (5 MB included); the nested-dictionary bomb compressed into a 1.2 KB object stream kept it busy 0.4-0.9 s.
TIEMPO_MAXIMO = 0.5
# A child's start (the forkserver's own, the first time, imports this package) is not the PDF's fault: it has its
# own, longer bound, and the deadline above starts when the child has said it is ready.
ARRANQUE_MAXIMO = 20.0
_MEMORIA_HIJO = 512 * 1024 * 1024  # address space the child may add to what it inherits

_VACIO = "Selecciona el acuse de registro en el padrón de la STPS."
_NO_ES_PDF = "El archivo no es un PDF válido; revisa que no esté dañado."
_COMPLEJO = ("El PDF es demasiado complejo para revisarlo (tiene una estructura que un acuse no tiene). "
             "Descarga de nuevo el acuse del padrón de la STPS y súbelo sin modificarlo.")
_NO_REVISADO = "No fue posible revisar el PDF en este momento. Inténtalo más tarde."
_ACTIVO = ("El PDF contiene JavaScript, archivos incrustados o acciones que abren programas o envían datos, y un "
           "acuse no los tiene. Descarga de nuevo el acuse del padrón de la STPS y súbelo sin modificarlo.")
_CON_CONTRASENA = ("El PDF está protegido con contraseña y el personal del IMSS no podría abrirlo. "
                   "Súbelo sin contraseña.")


class AcuseInvalido(Rechazo):
    """The uploaded acuse was refused; `str(error)` is the Spanish message for the user (field "acuse")."""

    def __init__(self, mensaje: str, campo: str = "acuse") -> None:
        super().__init__(campo, mensaje)


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
    motivo = _prescan(data)
    if motivo:
        log.info("acuse refused before parsing: %s (%d bytes)", motivo, len(data))
        raise AcuseInvalido(_COMPLEJO)
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


# The tokens that matter outside strings and streams: dictionary and array delimiters, string and comment starts,
# and three keywords. A set of fixed tokens (no repetition), so each search is linear in what it passes over.
_MARCA = re.compile(rb"<<|>>|[\[\]()%]|(?<![A-Za-z/])(?:stream|obj)(?![A-Za-z0-9])|/Size(?![A-Za-z0-9])")
_EN_CADENA = re.compile(rb"[()\\]")
_FIN_DE_LINEA = re.compile(rb"[\r\n]")
_ENTERO = re.compile(rb"[ \t\r\n\f\x00]*+([0-9]{1,15})")


def _prescan(data: bytes) -> str | None:
    """Why `data` is refused before parsing (in English, for the log), or None. See _Prescan."""
    return _Prescan().scan(data)


class _Prescan:
    """One forward pass over a PDF's bytes outside streams: strings are followed through their balanced parentheses
    and escapes, comments to the end of their line, and a stream's bytes are jumped over to its `endstream`, except
    a compressed object stream's (/ObjStm, /FlateDecode), which is inflated (MAX_INFLADO in all) and scanned the
    same way, since the objects inside it are parsed by pypdf as much as the others. Every search starts where the
    previous one stopped and at most MAX_MARCAS tokens are handled, so the cost is linear and bounded.
    Hand-written: pypdf is the parser being protected, and no other one is installed."""

    def __init__(self) -> None:
        self.tokens = self.objects = 0
        self.inflated = 0

    def scan(self, data: bytes, *, inflated: bool = False) -> str | None:
        depth, dict_start, pos, size = 0, -1, 0, len(data)
        while pos < size:
            found = _MARCA.search(data, pos)
            if found is None:
                return None
            if self._count():
                return f"more than {MAX_MARCAS} delimiters outside streams"
            token, pos = found.group(), found.end()
            if token in (b"<<", b"["):
                if depth == 0 and token == b"<<":
                    dict_start = found.start()
                depth += 1
                if depth > MAX_ANIDACION:
                    return f"dictionaries or arrays nested more than {MAX_ANIDACION} deep"
            elif token in (b">>", b"]"):
                depth = max(depth - 1, 0)
            elif token == b"(":
                nesting = 1  # a literal string: balanced parentheses, and a backslash escapes the next byte
                while nesting:
                    inside = _EN_CADENA.search(data, pos)
                    if inside is None:
                        return None
                    if self._count():
                        return f"more than {MAX_MARCAS} delimiters outside streams"
                    char, pos = inside.group(), inside.end()
                    if char == b"\\":
                        pos += 1
                    else:
                        nesting += 1 if char == b"(" else -1
            elif token == b"%":
                end = _FIN_DE_LINEA.search(data, pos)
                if end is None:
                    return None
                pos = end.end()
            elif token == b"stream":
                end = data.find(b"endstream", pos)
                if end < 0:
                    return None
                if (not inflated and dict_start >= 0 and data.find(b"/ObjStm", dict_start, found.start()) >= 0
                        and data.find(b"/FlateDecode", dict_start, found.start()) >= 0):
                    motivo = self._scan_object_stream(data[pos:end])
                    if motivo:
                        return motivo
                pos, depth, dict_start = end + len(b"endstream"), 0, -1
            elif token == b"obj":
                self.objects += 1
                depth = 0  # an object starts at the top level, whatever a damaged one before it left open
                if self.objects > MAX_OBJETOS:
                    return f"more than {MAX_OBJETOS} objects"
            else:  # /Size: the number of cross-reference entries
                number = _ENTERO.match(data, pos)
                if number and int(number.group(1)) > MAX_OBJETOS:
                    return f"/Size {int(number.group(1))} above {MAX_OBJETOS}"
        return None

    def _count(self) -> bool:
        self.tokens += 1
        return self.tokens > MAX_MARCAS

    def _scan_object_stream(self, raw: bytes) -> str | None:
        left = MAX_INFLADO - self.inflated
        try:
            objects = zlib.decompressobj().decompress(raw.lstrip(b"\r\n"), left + 1)
        except zlib.error:
            return None  # damaged: pypdf will say so
        self.inflated += len(objects)
        if len(objects) > left:
            return f"object streams inflating past {MAX_INFLADO // _MB} MB"
        return self.scan(objects, inflated=True)


def _count_pages(data: bytes) -> int:
    """The number of pages, read by pypdf in a child process that is killed after TIEMPO_MAXIMO seconds;
    AcuseInvalido if pypdf cannot read the file in time or a password is needed."""
    for _ in range(2):  # an idle child may have died since its last check (the OOM killer, an operator): once more
        try:
            revisor = _Revisor.tomar()
        except OSError:
            log.exception("acuse not checked: the checking process did not start")
            raise AcuseInvalido(_NO_REVISADO) from None
        try:
            outcome, value = revisor.contar(data)
        except OSError:
            revisor.cerrar()
            continue
        if outcome in ("tarde", "murio", "memoria"):
            revisor.cerrar()  # busy, dead or damaged: not reused
        else:
            revisor.devolver()
        break
    else:
        log.error("acuse not checked: the checking process died twice")
        raise AcuseInvalido(_NO_REVISADO)
    if outcome == "paginas":
        return value
    if outcome == "activo":
        log.info("acuse refused: active content, %s (%d bytes)", value, len(data))
        raise AcuseInvalido(_ACTIVO)
    excesivo = outcome in ("tarde", "murio", "memoria")
    motivo = {"tarde": f"pypdf took more than {TIEMPO_MAXIMO} s", "murio": "the checking process died",
              "memoria": "pypdf ran out of its memory limit", "cifrado": "password-protected",
              "invalido": f"pypdf could not read it ({value})"}[outcome]
    (log.warning if excesivo else log.info)("acuse refused: %s (%d bytes)", motivo, len(data))
    if outcome == "cifrado":
        raise AcuseInvalido(_CON_CONTRASENA)
    raise AcuseInvalido(_COMPLEJO if excesivo else _NO_ES_PDF)


_LISTO = "listo"


class _Revisor:
    """A child process that counts the pages of one PDF at a time. Idle ones are kept (up to MAX_LIBRES, each for
    MAX_USOS checks) so that a check costs a message, not a process; one that is late is killed, not reused."""

    MAX_LIBRES = 2
    MAX_USOS = 100
    _libres: list[_Revisor] = []
    _candado = threading.Lock()
    _pid = os.getpid()

    def __init__(self) -> None:
        contexto = multiprocessing.get_context("forkserver")
        self.conexion, extremo = contexto.Pipe()
        self.proceso = contexto.Process(target=_revisar, args=(extremo,), name="icsoe-acuse", daemon=True)
        try:
            self.proceso.start()
        finally:
            extremo.close()
        self.usos = 0
        try:
            listo = self.conexion.poll(ARRANQUE_MAXIMO) and self.conexion.recv() == _LISTO
        except (EOFError, OSError):
            listo = False
        if not listo:
            self.cerrar()
            raise OSError(f"the checking process did not start within {ARRANQUE_MAXIMO} s")

    @classmethod
    def tomar(cls) -> _Revisor:
        with cls._candado:
            if cls._pid != os.getpid():  # this process was forked: those children are its parent's
                cls._libres, cls._pid = [], os.getpid()
            if cls._libres:
                return cls._libres.pop()
        return cls()

    def devolver(self) -> None:
        with self._candado:
            if self.usos < self.MAX_USOS and len(self._libres) < self.MAX_LIBRES:
                self._libres.append(self)
                return
        self.cerrar()

    def contar(self, data: bytes) -> tuple[str, object]:
        """("paginas", n), ("cifrado", None), ("invalido", why), ("memoria", None), ("tarde", None) or ("murio",
        None); OSError when the child was already gone."""
        self.usos += 1
        self.conexion.send_bytes(data)
        if not self.conexion.poll(TIEMPO_MAXIMO):
            return "tarde", None
        try:
            return self.conexion.recv()
        except (EOFError, OSError):
            return "murio", None  # killed by its own rlimits, or crashed

    def cerrar(self) -> None:
        self.conexion.close()
        if self.proceso.is_alive():
            self.proceso.kill()
        self.proceso.join()


def _una_pagina() -> bytes:
    """A PDF of one empty page, for `comprobar_revision` (reportlab writes the acuse de presentación too)."""
    from reportlab.pdfgen.canvas import Canvas

    salida = io.BytesIO()
    lienzo = Canvas(salida, invariant=True)
    lienzo.showPage()
    lienzo.save()
    return salida.getvalue()


def comprobar_revision() -> None:
    """Start a checking child and have it count a page, as a node starts (`icsoe serve`): OSError when it cannot. A
    node whose children cannot start (an interpreter its user may not read, as one under /root; no /dev/shm)
    serves every page but refuses every acuse as "not checked": an operator learns it at start, not from a user."""
    revisor = _Revisor.tomar()
    resultado = revisor.contar(_una_pagina())
    if resultado != ("paginas", 1):
        revisor.cerrar()
        raise OSError(f"the checking process answered {resultado!r} for a one-page PDF")
    revisor.devolver()


def _revisar(conexion) -> None:
    """The child's loop: receive a PDF, answer what `_Revisor.contar` returns, until the parent goes away."""
    logging.disable(logging.CRITICAL)  # pypdf's warnings, one per repair, stay here
    warnings.simplefilter("ignore")
    _limit_memory()
    conexion.send(_LISTO)
    while True:
        try:
            data = conexion.recv_bytes()
        except (EOFError, OSError):
            return
        _limit_cpu()
        try:
            answer = _read_pages(data)
        except _Cifrado:
            answer = ("cifrado", None)
        except MemoryError:
            answer = ("memoria", None)  # the address-space rlimit
        except Exception as error:  # deliberately broad: see _read_pages
            answer = ("invalido", type(error).__name__)
        del data
        conexion.send(answer)


def _limit_cpu() -> None:
    """CPU seconds for this check, should the parent's deadline ever fail to end the child (SIGXCPU kills it)."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(used.ru_utime + used.ru_stime + TIEMPO_MAXIMO) + 1
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def _limit_memory() -> None:
    """Address space the child may add to what it inherited."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            inherited = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    limit = inherited + _MEMORIA_HIJO
    if hard == resource.RLIM_INFINITY or limit <= hard:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


class _Cifrado(Exception):
    """The PDF needs a password."""


def _read_pages(data: bytes) -> tuple[str, int | str]:
    """("paginas", the number of pages) or ("activo", what active content it has), read with pypdf under
    _LIMITES; _Cifrado if a password is needed."""
    with pypdf.apply_configuration(**_LIMITES):
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            # An empty user password opens files that are encrypted only to restrict printing or editing;
            # anything else needs a password the IMSS staff who review the acuse do not have.
            raise _Cifrado()
        # Besides PdfReadError and PdfStreamError, malformed files make pypdf raise ValueError, TypeError,
        # AttributeError, NotImplementedError (a garbled encryption method), RecursionError, zlib.error… (see the
        # mutation test), and LimitReachedError for the limits above but also for plain corruption (a
        # self-referencing object, a /Length past the end), so it cannot tell "too big" from "damaged". The user
        # gets one answer for all of them.
        paginas = len(reader.pages)
        activo = _contenido_activo(reader)
        return ("activo", activo) if activo else ("paginas", paginas)


# What makes a PDF do something when the IMSS staff open it in Acrobat (a review: a /Launch of cmd.exe, JavaScript
# run on opening and an embedded executable were stored as acuses). Its portal copy is served sandboxed; its reader
# is not. An STPS acuse is a printed record: links (/URI, /GoTo) are all it may have.
_ACCIONES_ACTIVAS = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/GoToR",
                               "/RichMediaExecute", "/Rendition", "/Movie", "/Sound"})
_ANOTACIONES_ACTIVAS = frozenset({"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"})
_MAX_NODOS = 10_000  # actions, fields and annotations visited (the child's deadline bounds it too)


def _contenido_activo(reader: pypdf.PdfReader) -> str | None:
    """What a viewer would run, open or send from this document, found where viewers look for it (not by searching
    the bytes, where a name can be hex-escaped or compressed in any filter): the catalog's /OpenAction and /AA,
    /Names' /JavaScript and /EmbeddedFiles, an XFA form, every page's /AA and annotations (their kind, /A and
    /AA), the form fields' /A and /AA through their /Kids, and each action's /Next chain. None when there is none.
    Hand-written: pypdf reads the structure but has no such check."""
    from pypdf.generic import ArrayObject, DictionaryObject

    vistos: set[int] = set()

    def leer(valor):
        valor = valor.get_object() if valor is not None else None
        return valor if isinstance(valor, (DictionaryObject, ArrayObject)) else None

    raiz = leer(reader.trailer.get("/Root"))
    if not isinstance(raiz, DictionaryObject):
        return None
    nombres = leer(raiz.get("/Names"))
    for clave in ("/JavaScript", "/EmbeddedFiles"):
        if isinstance(nombres, DictionaryObject) and clave in nombres:
            return f"/Names {clave}"
    formulario = leer(raiz.get("/AcroForm"))
    if isinstance(formulario, DictionaryObject) and "/XFA" in formulario:
        return "/AcroForm /XFA"
    acciones: list = []

    def disparadores(aa) -> None:  # an /AA dictionary: trigger -> action
        aa = leer(aa)
        if isinstance(aa, DictionaryObject):
            acciones.extend(aa.values())

    abrir = leer(raiz.get("/OpenAction"))
    if isinstance(abrir, DictionaryObject):  # an array is a destination (a page and a zoom), not an action
        acciones.append(abrir)
    disparadores(raiz.get("/AA"))
    nodos = 0
    for pagina in reader.pages:
        disparadores(pagina.get("/AA"))
        for anotacion in leer(pagina.get("/Annots")) or ():
            nodos += 1
            anotacion = leer(anotacion)
            if nodos > _MAX_NODOS:
                return f"more than {_MAX_NODOS} annotations"
            if not isinstance(anotacion, DictionaryObject):
                continue
            if anotacion.get("/Subtype") in _ANOTACIONES_ACTIVAS:
                return f"annotation {anotacion.get('/Subtype')}"
            acciones.append(anotacion.get("/A"))
            disparadores(anotacion.get("/AA"))
    campos = list(leer(formulario.get("/Fields")) or ()) if isinstance(formulario, DictionaryObject) else []
    while campos:
        nodos += 1
        campo = leer(campos.pop())
        if nodos > _MAX_NODOS:
            return f"more than {_MAX_NODOS} form fields"
        if isinstance(campo, DictionaryObject) and id(campo) not in vistos:
            vistos.add(id(campo))
            acciones.append(campo.get("/A"))
            disparadores(campo.get("/AA"))
            campos.extend(leer(campo.get("/Kids")) or ())
    while acciones:
        nodos += 1
        accion = leer(acciones.pop())
        if nodos > _MAX_NODOS:
            return f"more than {_MAX_NODOS} actions"
        if isinstance(accion, ArrayObject):  # /Next may be an array of actions
            acciones.extend(accion)
            continue
        if accion is None or id(accion) in vistos:
            continue
        vistos.add(id(accion))
        if accion.get("/S") in _ACCIONES_ACTIVAS or "/JS" in accion:
            return f"action {accion.get('/S')}"
        acciones.append(accion.get("/Next"))
    return None


# The children are forked from multiprocessing's forkserver, which imports this module (and pypdf) once.
multiprocessing.get_context("forkserver").set_forkserver_preload([__name__])
