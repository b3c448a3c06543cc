"""The acuse de presentación of an informativa cuatrimestral (issue 13): the PDF a contratista downloads once its
informativa is presented, and reading one back (`icsoe acuse verificar FILE.pdf`). No Flask, no database.

`generar(datos)` writes the PDF with reportlab: the folio, the date and time in Mexico City, "Presentada fuera de
plazo" when so, RFC and name, period, type, the counts, the contracts (a table that continues on the next pages),
the cadena original and the sello in a monospace font (cut anywhere: they have no spaces to wrap on), the
certificate's serial and a QR code to the public verification page. The fonts are DejaVu (app/fonts, their licence
beside them), embedded as subsets: the PDF shows Ñ and accents on any reader, and no system font is used. The same
facts travel machine-readable inside the PDF, as an embedded JSON file (ACUSE_JSON), so that a reader gets the cadena
and the sello back exactly, not as text pulled from the page's lines. The same `DatosAcuse` gives the same bytes:
reportlab's invariant mode (a fixed document ID) and the presentation time as the document's date. So the CLI tells
a genuine acuse from an edited one (a box painted over a line, a page added, a link or QR code to elsewhere) by
generating it again and comparing bytes; the JSON names what generated it (GENERADOR: this layout's number and the
libraries whose output is in the bytes), because an acuse issued by another release cannot be reproduced here.

`leer(pdf)` reads a PDF that anyone may hand to the CLI, so it is bounded the way app/acuse.py bounds an upload:
at most MAX_BYTES, acuse.py's linear pre-scan first, then pypdf (with tight configuration limits) in a child
process that is killed after TIEMPO_MAXIMO seconds (an in-process parse cannot be interrupted).
"""
from __future__ import annotations

import io
import json
import logging
import math
import multiprocessing
import re
import resource
import threading
import warnings
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import escape

import reportlab  # only its version here (the package's __init__ is small); the rest is imported where it is used

from . import acuse, plazos
from .hora import MEXICO
from .rechazo import Rechazo, varios

log = logging.getLogger(__name__)

FUENTES = Path(__file__).resolve().parent / "fonts"
SANS, SANS_NEGRITA, MONO = "ICSOE-DejaVuSans", "ICSOE-DejaVuSans-Bold", "ICSOE-DejaVuSansMono"
ACUSE_JSON = "acuse-presentacion.json"  # the embedded file with the machine-readable facts
FORMATO = 2  # of that JSON: a change to its fields is a new number, readers keep the old one (1: no "generador")
# The layout's number: bump it with any change to what generar writes (its code, app/fonts), so that acuses issued
# before are told to come from another release instead of failing as edited (test_acuses pins the bytes).
DISENO = 1
# What generated an acuse, in its JSON: the layout and the libraries whose output is in the bytes (reportlab writes
# the file, zlib compresses its streams; an upgrade of either, or zlib-ng on another node, changes the bytes).
GENERADOR = f"icsoe-acuse/{DISENO} reportlab/{reportlab.Version} zlib/{zlib.ZLIB_RUNTIME_VERSION}"
MAX_GENERADOR = 200  # characters of a generador read from a PDF
MAX_URL = 1000  # bytes of a verification URL drawn again as a QR code (its capacity is about 2,300; a real one: 120)

MAX_BYTES = 2 * 1024 * 1024  # a real acuse of 50 contracts is about 60 KB
MAX_PAGINAS = 200
MAX_TEXTO = 2_000_000  # characters of page text kept
TIEMPO_MAXIMO = 5.0  # seconds for pypdf in the child (a real acuse: about 0.1 s)
ARRANQUE_MAXIMO = 20.0
_MEMORIA_HIJO = 512 * 1024 * 1024
_LIMITES = {"page_tree_maximum_entries": MAX_PAGINAS, "page_tree_maximum_depth": 32,
            "zlib_maximum_output_length": 25 * 1024 * 1024}

_ILEGIBLE = "El archivo no es un acuse de presentación del portal ICSOE que se pueda leer; revisa que no esté dañado."
_SIN_DATOS = ("El PDF no trae los datos del acuse (el archivo con la cadena original y el sello). Descarga de nuevo "
              "el acuse desde Acuses de presentación.")


class AcuseIlegible(Rechazo):
    """The file cannot be read as an acuse de presentación; `str(error)` says why, in Spanish."""

    def __init__(self, mensaje: str) -> None:
        super().__init__("acuse", mensaje)


class ContratoAcuse(NamedTuple):
    folio: str               # the contract's folio (folios.folio_contrato)
    rfc_contratante: str
    nombre_contratante: str
    trabajadores: int


@dataclass(frozen=True)
class DatosAcuse:
    """What an acuse de presentación shows: the stored filing (its signed fields verbatim) and its counts."""

    folio: str
    presentada: datetime     # aware
    fuera_de_plazo: bool
    rfc: str
    nombre: str
    ejercicio: int
    cuatrimestre: int
    tipo: str                # models.TIPOS_INFORMATIVA's key
    tipo_nombre: str         # its Spanish name
    folio_complementado: str | None
    contratos: tuple[ContratoAcuse, ...]
    cadena: str
    sello: str               # base64
    cert_serial: str
    url_verificacion: str

    def __post_init__(self) -> None:
        if self.presentada.tzinfo is None:
            raise ValueError("presentada must be an aware datetime")
        object.__setattr__(self, "contratos", tuple(ContratoAcuse(*c) for c in self.contratos))

    @property
    def total_trabajadores(self) -> int:
        return sum(c.trabajadores for c in self.contratos)

    @property
    def periodo(self) -> str:
        return plazos.Periodo(self.ejercicio, self.cuatrimestre).nombre


@dataclass(frozen=True)
class Leido:
    """What `leer` found in a PDF: the embedded facts (`datos`, the JSON as written) and the pages' text."""

    datos: dict = field(repr=False)
    texto: str = field(repr=False)
    paginas: int = 0
    archivo: bytes = field(default=b"", repr=False)  # the PDF as read, to compare with the acuse generated again

    @property
    def folio(self) -> str:
        return self.datos["folio"]

    @property
    def cadena(self) -> str:
        return self.datos["cadena"]

    @property
    def sello(self) -> str:
        return self.datos["sello"]

    @property
    def cert_serial(self) -> str:
        return self.datos["cert_serial"]

    @property
    def generador(self) -> str | None:
        """What generated the PDF, as its JSON says (GENERADOR then); None for formato 1, which did not say."""
        return self.datos.get("generador")


def fecha_hora(momento: datetime) -> str:
    """"30/11/2026 12:00:00 (hora de la Ciudad de México)"."""
    return momento.astimezone(MEXICO).strftime("%d/%m/%Y %H:%M:%S") + " (hora de la Ciudad de México)"


def numero(n: int) -> str:
    """A count as es-MX writes it: 150,000."""
    return f"{n:,}"


def hechos(datos: DatosAcuse, generador: str | None = GENERADOR) -> dict:
    """The machine-readable facts embedded in the PDF, with what generated it (None: formato 1, without it)."""
    if generador is not None:
        return {**hechos(datos, None), "formato": FORMATO, "generador": generador}
    return {"formato": 1, "folio": datos.folio, "presentada": datos.presentada.astimezone(timezone.utc).isoformat(),
            "fuera_de_plazo": datos.fuera_de_plazo, "rfc": datos.rfc, "nombre": datos.nombre,
            "ejercicio": datos.ejercicio, "cuatrimestre": datos.cuatrimestre, "tipo": datos.tipo,
            "folio_complementado": datos.folio_complementado, "contratos": len(datos.contratos),
            "trabajadores": datos.total_trabajadores, "cadena": datos.cadena, "sello": datos.sello,
            "cert_serial": datos.cert_serial, "url_verificacion": datos.url_verificacion}


# -- The public verification's question ---------------------------------------------------------------------------

FOLIO = re.compile(r"ICSOE-[NSCE][0-9]{4}-[0-9]{6}")  # app/folios.py's "ICSOE-N2026-000123"
LARGO_PREFIJO = 8  # of the sello, typed on the verification page or carried by the QR code
MAX_ENTRADA = 64  # characters of either field read at all
_BASE64 = re.compile(r"[A-Za-z0-9+/=]{%d}" % LARGO_PREFIJO)
MSG_FOLIO = "Escribe el folio como aparece en el acuse, por ejemplo ICSOE-N2026-000123."
MSG_SELLO = f"Escribe los primeros {LARGO_PREFIJO} caracteres del sello digital, como aparecen en el acuse."


def consulta(folio: str, sello: str) -> tuple[str, str]:
    """The folio and the sello's first characters as typed or pasted (spaces around, the folio in any case), or the
    Rechazos ("folio", "sello") of what cannot be one, checked before any query: bounded, ASCII, their shape. A space
    inside the sello's characters is a "+" that a hand-written URL did not encode (base64 has no spaces); one at
    either end is too when the 8 characters are not there without it."""
    rechazos = []
    folio = folio[:MAX_ENTRADA + 1].strip().upper() if folio.isascii() else ""
    if len(folio) > MAX_ENTRADA or not FOLIO.fullmatch(folio):
        rechazos.append(Rechazo("folio", MSG_FOLIO))
    crudo = sello[:MAX_ENTRADA + 1] if sello.isascii() else ""
    sello = crudo.strip().replace(" ", "+")
    if not _BASE64.fullmatch(sello):  # a "+" at either end, unencoded, is a space there: not one to strip
        sello = crudo.strip("\t\n\r\x0b\x0c").replace(" ", "+")
    if not _BASE64.fullmatch(sello):
        rechazos.append(Rechazo("sello", MSG_SELLO))
    if rechazos:
        raise varios(rechazos)
    return folio, sello


# -- Writing -------------------------------------------------------------------------------------------------------

_registro = threading.Lock()


def cargar_fuentes() -> None:
    """Register the DejaVu fonts with reportlab once per process (its registry is global)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _registro:
        if SANS in pdfmetrics.getRegisteredFontNames():
            return
        pdfmetrics.registerFont(TTFont(SANS, str(FUENTES / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(SANS_NEGRITA, str(FUENTES / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFont(TTFont(MONO, str(FUENTES / "DejaVuSansMono.ttf")))
        pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=SANS_NEGRITA, italic=SANS, boldItalic=SANS_NEGRITA)


def generar(datos: DatosAcuse, generador: str | None = GENERADOR) -> bytes:
    """The acuse de presentación as a PDF (letter size). `generador` is what its JSON says generated it: this
    release's, except when the CLI generates again an acuse that names another (or, formato 1, none)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import (KeepTogether, Paragraph, Preformatted, SimpleDocTemplate, Spacer, Table,
                                    TableStyle)

    cargar_fuentes()
    margen = 18 * mm
    ancho = letter[0] - 2 * margen
    normal = ParagraphStyle("normal", fontName=SANS, fontSize=9, leading=12)
    titulo = ParagraphStyle("titulo", parent=normal, fontName=SANS_NEGRITA, fontSize=14, leading=18)
    subtitulo = ParagraphStyle("subtitulo", parent=normal, fontName=SANS_NEGRITA, fontSize=11, leading=15,
                               spaceBefore=10, spaceAfter=4)
    celda = ParagraphStyle("celda", parent=normal, fontSize=8, leading=10)
    aviso = ParagraphStyle("aviso", parent=normal, fontName=SANS_NEGRITA, fontSize=11, leading=15,
                           textColor=colors.HexColor("#8a1c1c"), borderColor=colors.HexColor("#8a1c1c"),
                           borderWidth=1, borderPadding=5, spaceBefore=6, spaceAfter=10)
    mono = ParagraphStyle("mono", parent=normal, fontName=MONO, fontSize=6.5, leading=8.2)

    def p(texto: str, estilo=normal) -> Paragraph:
        return Paragraph(escape(texto), estilo)

    def dato(etiqueta: str, valor: str) -> Paragraph:
        return Paragraph(f"<b>{escape(etiqueta)}:</b> {escape(valor)}", normal)

    encabezado = Table([[[p("Acuse de presentación de la informativa cuatrimestral", titulo), Spacer(1, 4),
                          p("Instituto Mexicano del Seguro Social. ICSOE: Informativa de Contratos de Servicios u "
                            "Obras Especializados.")],
                         [_qr(datos.url_verificacion, 30 * mm), p("Verifica este acuse", celda)]]],
                       colWidths=[ancho - 36 * mm, 36 * mm])
    encabezado.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), SANS), ("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "CENTER"),
                                    ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    historia = [encabezado, Spacer(1, 6)]
    if datos.fuera_de_plazo:
        historia.append(p("Presentada fuera de plazo", aviso))
    historia += [dato("Folio", datos.folio), dato("Fecha y hora de presentación", fecha_hora(datos.presentada)),
                 dato("RFC", datos.rfc), dato("Nombre, denominación o razón social", datos.nombre),
                 dato("Periodo", f"{datos.periodo} (ejercicio {datos.ejercicio}, cuatrimestre {datos.cuatrimestre})"),
                 dato("Tipo de informativa", datos.tipo_nombre)]
    if datos.folio_complementado:
        historia.append(dato("Folio de la informativa que complementa", datos.folio_complementado))
    historia += [dato("Número de contratos", numero(len(datos.contratos))),
                 dato("Número de trabajadores", numero(datos.total_trabajadores)),
                 dato("Número de serie del certificado", datos.cert_serial),
                 dato("Verificación", datos.url_verificacion)]
    if datos.contratos:
        filas = [[p(t, celda) for t in ("Folio del contrato", "RFC del contratante",
                                         "Nombre, denominación o razón social del contratante", "Trabajadores")]]
        # Plain strings where nothing wraps (a Paragraph per cell was most of the time for 50 contracts).
        filas += [[c.folio, c.rfc_contratante, p(c.nombre_contratante, celda), numero(c.trabajadores)]
                  for c in datos.contratos]
        tabla = Table(filas, colWidths=[42 * mm, 28 * mm, ancho - 96 * mm, 26 * mm], repeatRows=1)
        tabla.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), SANS), ("FONTSIZE", (0, 0), (-1, -1), 8),
                                   ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#7a7a7a")),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        historia += [p("Contratos informados", subtitulo), tabla]
    # The cadena and the sello have no spaces to wrap on: cut into lines of as many characters as fit.
    por_linea = int(ancho // stringWidth("0", MONO, mono.fontSize))
    for etiqueta, texto in (("Cadena original", datos.cadena), ("Sello digital", datos.sello)):
        lineas = [texto[i:i + por_linea] for i in range(0, len(texto), por_linea)] or [""]
        historia.append(KeepTogether([p(etiqueta, subtitulo), Preformatted("\n".join(lineas[:3]), mono)]))
        if len(lineas) > 3:  # the rest flows on, across pages if it must
            historia.append(Preformatted("\n".join(lineas[3:]), mono))

    salida = io.BytesIO()
    documento = SimpleDocTemplate(salida, pagesize=letter, leftMargin=margen, rightMargin=margen, topMargin=margen,
                                  bottomMargin=margen, title=f"Acuse de presentación {datos.folio}",
                                  author="ICSOE", subject="Acuse de presentación de la informativa cuatrimestral",
                                  keywords=datos.folio, creator="ICSOE", producer="ICSOE (ReportLab)",
                                  invariant=1, lang="es-MX", initialFontName=SANS)  # no Helvetica: only embedded fonts
    adjunto = json.dumps(hechos(datos, generador), ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    fecha = datos.presentada.astimezone(timezone.utc)

    def pie(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(SANS, 7.5)
        canvas.drawString(margen, margen / 2, f"Acuse de presentación {datos.folio}")
        canvas.drawRightString(letter[0] - margen, margen / 2, f"Página {doc.page}")
        canvas.restoreState()

    def primera(canvas, doc) -> None:
        # The document's dates: the presentation's, never the clock's (same data, same bytes).
        canvas.setDateFormatter(lambda *_: fecha.strftime("D:%Y%m%d%H%M%S+00'00'"))
        _adjuntar(canvas, ACUSE_JSON, adjunto)
        pie(canvas, doc)

    documento.build(historia, onFirstPage=primera, onLaterPages=pie)
    return salida.getvalue()


def _qr(url: str, lado: float):
    """reportlab's QR flowable: drawn with rectangles on the canvas (its Drawing widget would add a Helvetica font
    resource, which is not embedded)."""
    from reportlab.graphics.barcode.qr import QrCode

    return QrCode(url, width=lado, height=lado, qrLevel="M")


def _adjuntar(canvas, nombre: str, contenido: bytes) -> None:
    """Embed `contenido` as the document's file `nombre` (the catalog's EmbeddedFiles name tree, PDF 1.7 §7.11.4).
    Hand-written: reportlab has no API for attachments, only these low-level objects."""
    from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFString

    documento = canvas._doc
    # No /Params /Size: optional, and acuse.py's pre-scan (which `leer` runs) reads any /Size as the trailer's.
    flujo = PDFStream(PDFDictionary({"Type": PDFName("EmbeddedFile"), "Subtype": PDFName("application#2Fjson")}),
                      contenido)
    especificacion = PDFDictionary({"Type": PDFName("Filespec"), "F": PDFString(nombre), "UF": PDFString(nombre),
                                    "Desc": PDFString("Datos del acuse: folio, cadena original, sello"),
                                    "AFRelationship": PDFName("Data"),
                                    "EF": PDFDictionary({"F": documento.Reference(flujo)})})
    documento.Catalog.Names = PDFDictionary({"EmbeddedFiles": PDFDictionary(
        {"Names": PDFArray([PDFString(nombre), documento.Reference(especificacion)])})})


# -- Reading -------------------------------------------------------------------------------------------------------

_CAMPOS = {"folio": str, "cadena": str, "sello": str, "cert_serial": str, "rfc": str, "contratos": int,
           "trabajadores": int}


def leer(pdf: bytes) -> Leido:
    """The facts embedded in an acuse de presentación and its pages' text; AcuseIlegible (Spanish) for a file that
    is too large, not a PDF, too complex, damaged, or without the embedded facts."""
    if len(pdf) > MAX_BYTES:
        raise AcuseIlegible(f"El archivo pesa más de {MAX_BYTES // (1024 * 1024)} MB; un acuse de presentación pesa "
                            "mucho menos. Revisa que elegiste el archivo correcto.")
    if not pdf.startswith(b"%PDF-"):
        raise AcuseIlegible(_ILEGIBLE)
    motivo = acuse._prescan(pdf)  # the STPS acuse's linear pre-scan: the known pypdf bombs stop here
    if motivo:
        log.info("acuse de presentación refused before parsing: %s", motivo)
        raise AcuseIlegible(_ILEGIBLE)
    resultado, valor = _en_hijo(pdf)
    if resultado != "leido":
        log.info("acuse de presentación not read: %s %s", resultado, valor or "")
        raise AcuseIlegible(_ILEGIBLE)
    adjunto, texto, paginas = valor
    if adjunto is None:
        raise AcuseIlegible(_SIN_DATOS)
    try:
        datos = json.loads(adjunto.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise AcuseIlegible(_SIN_DATOS) from None
    if not isinstance(datos, dict) or any(type(datos.get(k)) is not t for k, t in _CAMPOS.items()):
        raise AcuseIlegible(_SIN_DATOS)
    try:  # JSON may escape a lone surrogate ("\ud800"), which no text encodes: the checks would fail on it (a review)
        json.dumps(datos, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise AcuseIlegible(_SIN_DATOS) from None
    generador = datos.get("generador", "")  # printed by the CLI: no control characters for its terminal
    if type(generador) is not str or len(generador) > MAX_GENERADOR or not (generador.isascii() and
                                                                            generador.isprintable()):
        raise AcuseIlegible(_SIN_DATOS)
    return Leido(datos=datos, texto=texto, paginas=paginas, archivo=pdf)


def _en_hijo(pdf: bytes) -> tuple[str, object]:
    """("leido", (attachment or None, text, pages)), ("invalido", why), ("tarde", None) or ("murio", None): pypdf
    in a child process from multiprocessing's forkserver, killed after TIEMPO_MAXIMO seconds."""
    contexto = multiprocessing.get_context("forkserver")
    conexion, extremo = contexto.Pipe()
    proceso = contexto.Process(target=_leer_hijo, args=(extremo,), name="icsoe-acuse-presentacion", daemon=True)
    iniciado = False
    try:
        proceso.start()
        iniciado = True
        extremo.close()
        if not (conexion.poll(ARRANQUE_MAXIMO) and conexion.recv() == "listo"):
            return "murio", None
        conexion.send_bytes(pdf)
        if not conexion.poll(TIEMPO_MAXIMO):
            return "tarde", None
        return conexion.recv()
    except (EOFError, OSError):
        return "murio", None
    finally:
        conexion.close()
        if iniciado:
            if proceso.is_alive():
                proceso.kill()
            proceso.join()


def _leer_hijo(conexion) -> None:
    logging.disable(logging.CRITICAL)  # pypdf's warnings, one per repair, stay here
    warnings.simplefilter("ignore")
    _limitar()
    conexion.send("listo")
    try:
        datos = conexion.recv_bytes()
    except (EOFError, OSError):
        return
    try:
        respuesta = ("leido", _leer_pypdf(datos))
    except MemoryError:
        respuesta = ("invalido", "memoria")
    except Exception as error:  # deliberately broad: pypdf raises many kinds on malformed files (see acuse.py)
        respuesta = ("invalido", type(error).__name__)
    conexion.send(respuesta)


def _limitar() -> None:
    """CPU seconds and address space for the child, should the parent's deadline ever fail to end it."""
    usado = resource.getrusage(resource.RUSAGE_SELF)
    blando = math.ceil(usado.ru_utime + usado.ru_stime + TIEMPO_MAXIMO) + 1
    duro = resource.getrlimit(resource.RLIMIT_CPU)[1]
    resource.setrlimit(resource.RLIMIT_CPU, (blando if duro == resource.RLIM_INFINITY else min(blando, duro), duro))
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            heredado = int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError):
        return
    duro = resource.getrlimit(resource.RLIMIT_AS)[1]
    if duro == resource.RLIM_INFINITY or heredado + _MEMORIA_HIJO <= duro:
        resource.setrlimit(resource.RLIMIT_AS, (heredado + _MEMORIA_HIJO, duro))


def _leer_pypdf(pdf: bytes) -> tuple[bytes | None, str, int]:
    import pypdf

    with pypdf.apply_configuration(**_LIMITES):
        lector = pypdf.PdfReader(io.BytesIO(pdf), strict=False)
        if lector.is_encrypted:
            raise ValueError("encrypted")
        adjuntos = lector.attachments.get(ACUSE_JSON) or [None]
        paginas = len(lector.pages)
        partes, total = [], 0
        for pagina in lector.pages:
            texto = pagina.extract_text() or ""
            partes.append(texto[:MAX_TEXTO - total])
            total += len(partes[-1])
            if total >= MAX_TEXTO:
                break
    return adjuntos[0], "\n".join(partes), paginas


# The children come from multiprocessing's forkserver, which imports these modules once (acuse.py's own included:
# the preload list is the context's, one for the process).
multiprocessing.get_context("forkserver").set_forkserver_preload([acuse.__name__, __name__])
