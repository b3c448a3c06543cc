"""The address locator's rules ("Ubicar domicilio geográfico nacional", guide steps 10-12), with no web or database.

Paso 1 finds the asentamiento (colonia) by código postal or by estado and municipio: this module reads the two
sources of SEPOMEX's catalog (the `postalcodes-mexico` package and SEPOMEX's own CPdescarga.txt) and checks a CP;
`app.sepomex` keeps the catalog in the database. Paso 2 captures the street components (`validar_paso2`) and
Paso 3 shows them as the guide does (`resumen`).
"""
from __future__ import annotations

import csv
import io
import re
import sqlite3
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import IO, Any

from .texto import normalize_text, sin_invisibles
from .rechazo import Rechazo

# The app's own catalogs (package data). A string, not a relative import: domain modules import no app code.
_CATALOGS = resources.files("app").joinpath("catalogs")

MSG_CP_VACIO = "Captura el código postal."
MSG_CP_FORMATO = "El código postal debe tener 5 dígitos."
MSG_CP_INEXISTENTE = "Ese código postal no existe: en México van del 01000 al 99999."
MSG_CP_DESCONOCIDO = "No encontramos ese código postal. Revísalo o búscalo por estado y municipio."


class DomicilioInvalido(Rechazo):
    """One field of the address is wrong: `campo` is the form field, str() the Spanish message."""


class ErroresDomicilio(ExceptionGroup):
    """Every problem of a Paso 2 submission at once, one DomicilioInvalido per field (app.rechazo's "several at
    once"); `errores` maps each form field to its Spanish message."""

    def __new__(cls, errores: Mapping[str, str]):
        grupo = super().__new__(cls, "errores del domicilio",
                                [DomicilioInvalido(campo, mensaje) for campo, mensaje in errores.items()])
        grupo.errores = dict(errores)
        return grupo

    def __init__(self, errores: Mapping[str, str]):
        super().__init__("errores del domicilio", [DomicilioInvalido(c, m) for c, m in errores.items()])

    def derive(self, excs):
        return ExceptionGroup(self.message, excs)


@lru_cache(maxsize=8192)
def clave_orden(texto: str) -> tuple[str, str]:
    """A Spanish-friendly sort key: accents and case ignored, ñ after n ("Ñuñoa" after "Nuevo"). Remembered: the
    locator sorts the same catalog names (estados, a postal code's colonias) on every search.

    Hand-written: locale.strxfrm depends on the locales installed on the server and PyICU is a heavy native
    dependency for sorting short lists of names.
    """
    # "n" plus the highest code point sorts after every "n…" and before "o", where Spanish puts "ñ".
    folded = unicodedata.normalize("NFC", texto).casefold().replace("ñ", "n\U0010ffff")
    bare = "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))
    return bare, texto


def _sin_acentos(texto: str) -> str:
    decomposed = unicodedata.normalize("NFD", texto.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _read_catalog(name: str) -> list[dict[str, str]]:
    with _CATALOGS.joinpath(name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# The 32 entidades by INEGI code, with their official names (entidades.csv; "NE", born abroad, has no code).
ENTIDADES: dict[str, str] = {r["clave_inegi"]: r["nombre"] for r in _read_catalog("entidades.csv") if r["clave_inegi"]}

# Names that SEPOMEX, older downloads or people use for an entidad besides the official one.
_ALIAS_ENTIDADES = {
    "coahuila": "05",
    "distrito federal": "09",
    "cdmx": "09",
    "estado de mexico": "15",
    "edo. de mexico": "15",
    "edomex": "15",
    "michoacan": "16",
    "veracruz": "30",
    "veracruz-llave": "30",
    "veracruz de ignacio de la llave": "30",
}
_CLAVE_POR_NOMBRE = {**{_sin_acentos(n): c for c, n in ENTIDADES.items()}, **_ALIAS_ENTIDADES}


def clave_estado(nombre: str) -> str:
    """The INEGI code ("09") of an estado named as SEPOMEX, INEGI or people spell it; accents and case ignored.

    An unknown name raises ValueError: a catalog with a state we cannot place must not be loaded half-right.
    """
    try:
        return _CLAVE_POR_NOMBRE[_sin_acentos(nombre)]
    except KeyError:
        raise ValueError(f"Estado desconocido: {nombre!r} (no está en app/catalogs/entidades.csv).") from None


# INEGI's road types ("Tipo de vialidad"), in the file's order: the choices of every street's select.
TIPOS_VIALIDAD: tuple[str, ...] = tuple(r["tipo"] for r in _read_catalog("tipos_vialidad.csv"))
_TIPO_POR_CLAVE = {_sin_acentos(t): t for t in TIPOS_VIALIDAD}


@dataclass(frozen=True)
class AsentamientoRow:
    """One row of SEPOMEX's catalog, as the `asentamiento` table stores it (without the id)."""

    cp: str  # d_codigo
    nombre: str  # d_asenta
    tipo: str  # d_tipo_asenta
    municipio: str  # D_mnpio
    estado: str  # d_estado
    ciudad: str | None  # d_ciudad
    c_estado: str  # INEGI code of the estado, 2 digits
    c_mnpio: str | None  # SEPOMEX code of the municipio, 3 digits (CPdescarga.txt only)
    zona: str | None  # d_zona: Urbano, Rural, Semiurbano (CPdescarga.txt only)


# The table's column sizes (app/models.py): PostgreSQL refuses longer values, so the readers check them first.
_LIMITES = {"cp": 5, "nombre": 200, "tipo": 60, "municipio": 120, "estado": 60, "ciudad": 120, "c_estado": 2,
            "c_mnpio": 3, "zona": 20}

_CP = re.compile(r"[0-9]{5}")


def normalize_cp(value: Any) -> str:
    """The CP as people paste it, without spaces or invisible characters (full-width digits become ASCII)."""
    return "".join(unicodedata.normalize("NFKC", sin_invisibles(str(value or ""))).split())


def validate_cp(value: Any) -> str:
    """A well-formed Mexican código postal ("01000"), or DomicilioInvalido on the field `cp`.

    Whether the CP exists is the catalog's question (the caller asks the database; MSG_CP_DESCONOCIDO).
    """
    cp = normalize_cp(value)
    if not cp:
        raise DomicilioInvalido("cp", MSG_CP_VACIO)
    if not _CP.fullmatch(cp):
        raise DomicilioInvalido("cp", MSG_CP_FORMATO)
    if cp < "01000":  # SEPOMEX's codes start at 01000 (Álvaro Obregón, CDMX); 00000-00999 are not assigned
        raise DomicilioInvalido("cp", MSG_CP_INEXISTENTE)
    return cp


def _postalcodes_mexico_db():
    return resources.files("postalcodes_mexico").joinpath("data", "postalcodes.sqlite3")


def read_postalcodes_mexico() -> Iterator[AsentamientoRow]:
    """Every asentamiento of the catalog that the `postalcodes-mexico` package ships (145,468 rows, SQLite).

    The package's own API opens the file read-write and answers one CP at a time; we read its table directly,
    read-only. It has no municipio codes or zones (c_mnpio and zona are None).
    """
    claves: dict[str, str] = {}
    with resources.as_file(_postalcodes_mexico_db()) as path:
        connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = connection.execute(
                "SELECT cp, place, place_type, municipality, city, state FROM places ORDER BY rowid")
            for cp, place, place_type, municipality, city, state in rows:
                if state not in claves:
                    claves[state] = clave_estado(state)
                yield AsentamientoRow(cp=cp, nombre=place, tipo=place_type or "", municipio=municipality or "",
                                      estado=state, ciudad=city or None, c_estado=claves[state], c_mnpio=None,
                                      zona=None)
        finally:
            connection.close()


_CPDESCARGA_REQUERIDAS = ("d_codigo", "d_asenta", "d_tipo_asenta", "d_mnpio", "d_estado", "c_estado")


def _decode(data: bytes) -> str:
    """SEPOMEX publishes CPdescarga.txt in Latin-1; a copy re-saved as UTF-8 must work too.

    UTF-8 is tried first because the test is reliable one way only: Latin-1 decodes any bytes (so it would turn
    a UTF-8 "á" into "Ã¡" without complaint), while Latin-1 text with accents is practically never valid UTF-8
    (an accented letter is one byte >= 0xC0 followed by a plain ASCII byte, which UTF-8 forbids).
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _unzip(data: bytes) -> bytes:
    """SEPOMEX's download page hands the TXT inside a zip; accept either."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            txt = [n for n in archive.namelist() if n.lower().endswith(".txt")]
            if len(txt) != 1:
                raise ValueError(f"El zip debe contener un solo archivo .txt (CPdescarga.txt); contiene {len(txt)}.")
            return archive.read(txt[0])
    except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError) as e:  # cut, damaged, or an odd method
        raise ValueError(f"El archivo parece un zip, pero está dañado o incompleto ({e}).") from None


def read_cpdescarga(data: bytes | str | IO[bytes] | IO[str]) -> Iterator[AsentamientoRow]:
    """The rows of SEPOMEX's official download, CPdescarga.txt (or its zip), as bytes, text or an open file.

    The format: pipe-delimited, a notice on the first line ("El Catálogo Nacional de Códigos Postales, es
    elaborado por Correos de México…"), the header on the second, then one asentamiento per line. Columns are
    read by their header name, so a reordered or extended file still loads. A malformed file raises ValueError
    naming the line, when the iteration reaches it (app.sepomex then keeps the old catalog).
    """
    if hasattr(data, "read"):
        data = data.read()
    if isinstance(data, (bytes, bytearray)):
        data = bytes(data)
        text = _decode(_unzip(data) if data[:4] == b"PK\x03\x04" else data)
    else:
        text = data.removeprefix("\ufeff")
    # split("\n"), not splitlines(): in Latin-1 text byte 0x85 is U+0085, which splitlines() takes for a line end.
    lines = text.split("\n")
    if not text.strip():
        raise ValueError("CPdescarga.txt: el archivo está vacío.")

    header_at = None
    for number in (1, 2):  # the notice may have been removed by hand
        if number <= len(lines) and "d_codigo" in _columns(lines[number - 1]):
            header_at = number
            break
    if header_at is None:
        raise ValueError("CPdescarga.txt, línea 2: no está el encabezado d_codigo|d_asenta|…; "
                         "¿es el archivo de texto que descarga SEPOMEX?")
    header = _columns(lines[header_at - 1])
    missing = [c for c in _CPDESCARGA_REQUERIDAS if c not in header]
    if missing:
        raise ValueError(f"CPdescarga.txt, línea {header_at}: faltan las columnas {', '.join(missing)}.")
    at = {name: i for i, name in enumerate(header)}

    for number, line in enumerate(lines[header_at:], start=header_at + 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue  # the trailing empty line (and any blank one)
        if "\x00" in line:  # PostgreSQL cannot store it; no catalog has one
            raise ValueError(f"CPdescarga.txt, línea {number}: tiene un carácter nulo (NUL).")
        values = [v.strip() for v in line.split("|")]
        if len(values) != len(header):
            raise ValueError(f"CPdescarga.txt, línea {number}: tiene {len(values)} campos separados por «|» y el "
                             f"encabezado {len(header)}.")
        yield _cpdescarga_row(number, {name: values[i] for name, i in at.items()})


def _columns(line: str) -> list[str]:
    return [c.strip().lower() for c in line.rstrip("\r").removeprefix("\ufeff").split("|")]


def _cpdescarga_row(number: int, v: dict[str, str]) -> AsentamientoRow:
    where = f"CPdescarga.txt, línea {number}"
    cp = v["d_codigo"]
    if not _CP.fullmatch(cp) or cp < "01000":
        raise ValueError(f"{where}: el código postal {cp!r} no es válido (5 dígitos, 01000 a 99999).")
    c_estado = v["c_estado"]
    if not (c_estado.isascii() and c_estado.isdigit() and c_estado.zfill(2) in ENTIDADES):
        raise ValueError(f"{where}: la clave de estado {c_estado!r} no es una de las 32 del INEGI.")
    c_mnpio = v.get("c_mnpio", "")
    if c_mnpio and not (c_mnpio.isascii() and c_mnpio.isdigit() and len(c_mnpio) <= 3):
        raise ValueError(f"{where}: la clave de municipio {c_mnpio!r} no es válida (hasta 3 dígitos).")
    if not v["d_asenta"] or not v["d_estado"]:
        raise ValueError(f"{where}: faltan el nombre del asentamiento o el del estado.")
    row = AsentamientoRow(cp=cp, nombre=v["d_asenta"], tipo=v["d_tipo_asenta"], municipio=v["d_mnpio"],
                          estado=v["d_estado"], ciudad=v.get("d_ciudad") or None, c_estado=c_estado.zfill(2),
                          c_mnpio=c_mnpio.zfill(3) if c_mnpio else None, zona=v.get("d_zona") or None)
    for name, limit in _LIMITES.items():
        value = getattr(row, name)
        if value is not None and len(value) > limit:
            raise ValueError(f"{where}: el campo {name} tiene más de {limit} caracteres.")
    return row


@dataclass(frozen=True)
class Calle:
    """A street: its INEGI road type and its name, both upper-case ("RETORNO", "1 NORTE")."""

    tipo: str
    nombre: str

    def __str__(self) -> str:
        return f"{self.tipo} - {self.nombre}"  # as Paso 3 shows it: "RETORNO - 1 NORTE"


@dataclass(frozen=True, kw_only=True)
class Domicilio:
    """A located address: Paso 1's asentamiento plus Paso 2's components. Empty text means "not given".

    `asentamiento_id` is a hint only: `icsoe sepomex import` renumbers the catalog, so the text fields are what
    the address is.
    """

    cp: str
    estado: str
    municipio: str
    colonia: str
    asentamiento_id: int | None = None
    calle: Calle
    numero_exterior: str = ""
    letra_exterior: str = ""
    sin_numero: bool = False
    numero_interior: str = ""
    letra_interior: str = ""
    numero_exterior_secundario: str = ""
    entre_calle: Calle | None = None
    y_calle: Calle | None = None
    calle_posterior: Calle | None = None
    descripcion: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe (for DatosGenerales.domicilio): streets become {"tipo", "nombre"} or None."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = {"tipo": value.tipo, "nombre": value.nombre} if isinstance(value, Calle) else value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Domicilio:
        """The inverse of to_dict; keys it does not know are ignored, missing optional ones take their default."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in _CALLES:
            if isinstance(values.get(name), Mapping):
                values[name] = Calle(tipo=values[name]["tipo"], nombre=values[name]["nombre"])
        return cls(**values)


# The streets of Paso 2: field prefix -> the guide's label.
_CALLES = {"calle": "Calle", "entre_calle": "Entre calle", "y_calle": "Y la calle",
           "calle_posterior": "Calle posterior"}
MAX_NOMBRE_CALLE = 100
# Deviation from the original portal's 10 characters: the guide's own hints under Número exterior and interior are
# "Ej. 999 / Mz. 9 Lt. 8" and "Ej. 54 / Depto. 45 int.", and a number field must take what its hint shows.
MAX_NUMERO = 20
MAX_LETRA = 20
MAX_DESCRIPCION = 250
_NUMERO = re.compile(r"[0-9A-ZÁÉÍÓÚÜÑ .\-/]+")
_NUMERO_AYUDA = "solo puede tener letras, números, espacios y los signos - / ."
_FALSOS = {"", "false", "0", "n", "no", "off"}  # what an unticked box may send (as WTForms' BooleanField reads)


def _texto(value: Any) -> str:
    """Trimmed, runs of spaces (and pasted line breaks) made one space, accents composed (NFC), invisible
    characters (a zero-width space, a soft hyphen: texto.sin_invisibles) dropped."""
    return " ".join(normalize_text(str(value or "")).split())


def _marcado(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() not in _FALSOS


def validar_paso2(values: Mapping[str, Any], ubicacion: Mapping[str, Any]) -> Domicilio:
    """Paso 2's components, checked all at once, joined to Paso 1's `ubicacion` (keys cp, estado, municipio,
    colonia and optionally asentamiento_id, as the catalog gives them).

    Raises ErroresDomicilio with a message per form field. Names, numbers and letters are upper-cased as the
    guide shows them; the description keeps its case. With "Sin número" ticked, número and letra exterior are
    ignored (stored empty): the box is the later, explicit answer, and Paso 3 shows "SIN NÚMERO" for checking.
    """
    errores: dict[str, str] = {}
    try:
        cp = validate_cp(ubicacion.get("cp"))
    except DomicilioInvalido as e:
        errores[e.campo], cp = str(e), ""
    if not _texto(ubicacion.get("colonia")):
        errores["colonia"] = "Selecciona la colonia de tu domicilio."

    calles: dict[str, Calle | None] = {}
    for prefix, label in _CALLES.items():
        calles[prefix] = _calle(values, prefix, label, errores, requerida=prefix == "calle")

    sin_numero = _marcado(values.get("sin_numero"))
    numero_exterior = "" if sin_numero else _numero(values, "numero_exterior", "El número exterior", MAX_NUMERO,
                                                   errores)
    letra_exterior = "" if sin_numero else _numero(values, "letra_exterior", "La letra exterior", MAX_LETRA,
                                                  errores)
    if not sin_numero and not numero_exterior and "numero_exterior" not in errores:
        errores["numero_exterior"] = "Captura el número exterior o marca «Sin número»."
    numero_interior = _numero(values, "numero_interior", "El número interior", MAX_NUMERO, errores)
    letra_interior = _numero(values, "letra_interior", "La letra interior", MAX_LETRA, errores)
    secundario = _numero(values, "numero_exterior_secundario", "El número exterior secundario", MAX_NUMERO,
                         errores)

    descripcion = _texto(values.get("descripcion"))
    if len(descripcion) > MAX_DESCRIPCION:
        errores["descripcion"] = f"La descripción debe tener como máximo {MAX_DESCRIPCION} caracteres."
    elif not descripcion.isprintable():
        errores["descripcion"] = "La descripción tiene caracteres no válidos."

    if errores:
        raise ErroresDomicilio(errores)
    asentamiento_id = ubicacion.get("asentamiento_id")
    return Domicilio(
        cp=cp, estado=_texto(ubicacion["estado"]), municipio=_texto(ubicacion["municipio"]),
        colonia=_texto(ubicacion["colonia"]), asentamiento_id=int(asentamiento_id) if asentamiento_id else None,
        calle=calles["calle"], numero_exterior=numero_exterior, letra_exterior=letra_exterior,
        sin_numero=sin_numero, numero_interior=numero_interior, letra_interior=letra_interior,
        numero_exterior_secundario=secundario, entre_calle=calles["entre_calle"], y_calle=calles["y_calle"],
        calle_posterior=calles["calle_posterior"], descripcion=descripcion)


def _calle(values: Mapping[str, Any], prefix: str, label: str, errores: dict[str, str], *,
           requerida: bool) -> Calle | None:
    """One street: the main one needs both parts; a secondary one is optional but never half given."""
    tipo_field, nombre_field = f"{prefix}_tipo", f"{prefix}_nombre"
    tipo_dado, nombre = _texto(values.get(tipo_field)), _texto(values.get(nombre_field)).upper()
    if not (requerida or tipo_dado or nombre):
        return None
    donde = "de la calle" if requerida else f"de «{label}»"
    tipo = _TIPO_POR_CLAVE.get(_sin_acentos(tipo_dado))
    if not tipo_dado:
        errores[tipo_field] = f"Selecciona el tipo de vialidad {donde}."
    elif tipo is None:
        errores[tipo_field] = f"Selecciona un tipo de vialidad de la lista {donde}."
    if not nombre:
        errores[nombre_field] = f"Captura el nombre {donde}."
    elif len(nombre) > MAX_NOMBRE_CALLE:
        errores[nombre_field] = f"El nombre {donde} debe tener como máximo {MAX_NOMBRE_CALLE} caracteres."
    elif not nombre.isprintable():
        errores[nombre_field] = f"El nombre {donde} tiene caracteres no válidos."
    return Calle(tipo=tipo or "", nombre=nombre)


def _numero(values: Mapping[str, Any], field: str, label: str, limit: int, errores: dict[str, str]) -> str:
    value = _texto(values.get(field)).upper()
    if len(value) > limit:
        errores[field] = f"{label} debe tener como máximo {limit} caracteres."
    elif value and not _NUMERO.fullmatch(value):
        errores[field] = f"{label} {_NUMERO_AYUDA}"
    return value


def _par(numero: str, letra: str) -> str:
    return " / ".join(x for x in (numero, letra) if x)


def resumen(domicilio: Domicilio) -> list[tuple[str, str]]:
    """Paso 3's rows (label, value) as the guide shows them: the first 8 are the "Componentes principales del
    domicilio", the last 4 the "Componentes secundarios". Empty optional values stay as rows with "".
    """
    d = domicilio
    return [
        ("Código Postal", d.cp),
        ("Estado", d.estado.upper()),
        ("Municipio o Alcaldía", d.municipio.upper()),
        ("Colonia", d.colonia),  # as the catalog spells it ("San Angel" in the guide)
        ("Calle", str(d.calle)),
        ("Número / Letra exterior", "SIN NÚMERO" if d.sin_numero else _par(d.numero_exterior, d.letra_exterior)),
        ("Número / Letra interior", _par(d.numero_interior, d.letra_interior)),
        ("Número exterior secundario", d.numero_exterior_secundario),
        ("Entre calle", str(d.entre_calle) if d.entre_calle else ""),
        ("Y la calle", str(d.y_calle) if d.y_calle else ""),
        ("Calle posterior", str(d.calle_posterior) if d.calle_posterior else ""),
        ("Descripción de la ubicación", d.descripcion),
    ]


def una_linea(domicilio: Domicilio) -> str:
    """The address on one line, upper-case, in the usual Mexican order:
    "RETORNO 1 NORTE 23 QTVV INT. 12 PGM, SAN ÁNGEL, C.P. 01000, ÁLVARO OBREGÓN, CIUDAD DE MÉXICO".
    """
    d = domicilio
    numero = "S/N" if d.sin_numero else " ".join(x for x in (d.numero_exterior, d.letra_exterior) if x)
    calle = " ".join(x for x in (d.calle.tipo, d.calle.nombre, numero) if x)
    interior = " ".join(x for x in (d.numero_interior, d.letra_interior) if x)
    if interior:
        calle += f" INT. {interior}"
    return ", ".join([calle, d.colonia.upper(), f"C.P. {d.cp}", d.municipio.upper(), d.estado.upper()])
