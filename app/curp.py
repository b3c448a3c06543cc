"""The CURP rules of "Alta de usuarios" (guide steps 16-20), with no web or database.

`validate()` checks a typed CURP and answers it normalized, or raises `CurpInvalida("curp", message)` naming the
part that is wrong; `datos()` reads what the CURP itself says (birth date, sex, state of birth);
`verificar_nombre()` checks typed names against the CURP the way RENAPO builds it (Instructivo normativo para la
asignación de la CURP) and raises `CurpInvalida` on the field that does not match ("primer_apellido",
"segundo_apellido", "nombres"). Messages are Spanish, one per failure.

python-stdnum's `stdnum.mx.curp` does part of the job and is used for it: `compact()`, `get_birth_date()` (the
century from the 17th character: digit → 1900s, letter → 2000s) and `calc_check_digit()`. Its `validate()` is not
used, because:
- it raises the same `InvalidComponent` for a bad date, sex, state or an inconvenient word, so it cannot say which
  part is wrong;
- its `get_gender()` knows only H and M, so it refuses the X (non-binary) that RENAPO assigns since 2023;
- it does not check that characters 14-16 are consonants, nor that the 17th and 18th are alphanumeric and a digit
  before computing the check digit;
- its state list and inconvenient-word list are hard-coded; ours come from `app/catalogs/` (they agree today).
Nothing in stdnum builds the name letters, so `clave_nombre()` is hand-written from the Instructivo.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from importlib import resources

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.mx import curp as stdnum_curp

from .rechazo import Rechazo
from .texto import normalize_text, signos_de_nombre

# The app's own catalogs (package data). A string, not a relative import: domain modules import no app code.
_CATALOGS = resources.files("app").joinpath("catalogs")

# A person's given names, and each surname, as stored (Persona, DirectorioCurp): typed ones are refused beyond it,
# and a registry's longer answer is not used.
MAX_NOMBRE = 120

MSG_VACIA = "Captura la CURP."
MSG_LONGITUD = "La CURP debe tener 18 caracteres; tiene {n}."
MSG_LETRAS = "Los primeros 4 caracteres de la CURP deben ser letras de la A a la Z; tiene «{valor}»."
MSG_VOCAL = ("El segundo carácter de la CURP es la primera vocal interna del primer apellido (o X); tiene "
             "«{valor}».")
MSG_FECHA_FORMATO = ("La fecha de nacimiento de la CURP (caracteres 5 a 10) debe ser de 6 dígitos; "
                     "tiene «{valor}».")
MSG_FECHA = "La fecha de nacimiento de la CURP no existe ({valor})."
MSG_FECHA_FUTURA = "La fecha de nacimiento de la CURP ({valor}) es posterior a hoy."
MSG_SEXO = "El sexo de la CURP debe ser H, M o X; tiene «{valor}»."
MSG_ENTIDAD = "La clave de entidad «{valor}» de la CURP no existe."
MSG_ENYE = ("La CURP no lleva Ñ: donde el nombre o un apellido daría Ñ, RENAPO escribe X (PEÑA da X en la "
            "posición 14). Revisa que esté bien escrita.")
MSG_CONSONANTES = "Los caracteres 14 a 16 de la CURP deben ser consonantes; tiene «{valor}»."
MSG_HOMOCLAVE = ("El carácter 17 de la CURP debe ser un dígito (nacidos antes de 2000) o una letra (desde 2000); "
                 "tiene «{valor}».")
MSG_VERIFICADOR_FORMATO = ("El último carácter de la CURP (dígito verificador) debe ser un número; "
                           "tiene «{valor}».")
MSG_INCONVENIENTE = ("La CURP no puede empezar con «{valor}»: RENAPO cambia la segunda letra por X ({reemplazo}); "
                     "revisa que esté bien escrita.")
MSG_VERIFICADOR = "El dígito verificador de la CURP no corresponde; revisa que esté bien escrita."

MSG_SIN_NOMBRE = "Captura el nombre o los nombres."
MSG_SIN_PRIMER_APELLIDO = "Captura el primer apellido."
MSG_PRIMER_APELLIDO_INICIO = ("El primer apellido no corresponde a la CURP (la CURP empieza con {curp}; "
                              "con el primer apellido «{tecleado}» empezaría con {esperado}…).")
# `cual` is "con el segundo apellido «LÓPEZ»", or "sin segundo apellido".
MSG_POSICION = ("{parte} no corresponde a la CURP (en la posición {pos} la CURP tiene {curp}; "
                "{cual} tendría {esperado}).")
MSG_LETRA = "{parte} no corresponde a la CURP (la {ordinal} letra de la CURP es {curp}; {cual} sería {esperado})."

_VOCALES = frozenset("AEIOU")
# Ñ counts as a consonant when looking for the internal consonant; the CURP then writes it as X.
_CONSONANTES = frozenset("BCDFGHJKLMNÑPQRSTVWXYZ")
_LETRAS_AZ = re.compile(r"[A-Z]+")
_DIGITOS = re.compile(r"[0-9]+")


class CurpInvalida(Rechazo):
    """A CURP, or a name checked against it, refused. `campo` names the form field the message belongs next to:
    "curp", "nombres", "primer_apellido" or "segundo_apellido". `str(e)` is the Spanish message."""


@dataclass(frozen=True)
class DatosCurp:
    """What a CURP says about its holder by itself."""

    fecha_nacimiento: date
    sexo: str  # "H", "M" or "X"
    entidad: str  # the state's name, or "Nacido en el extranjero"
    entidad_clave: str  # the two letters of positions 12-13 ("DF", "NE")


def _read_catalog(name: str) -> list[dict[str, str]]:
    with _CATALOGS.joinpath(name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# Positions 12-13: state code → name; "NE" (born abroad) is in the catalog too.
_ENTIDADES: dict[str, str] = {r["abreviatura_curp"]: r["nombre"] for r in _read_catalog("entidades.csv")}
# Given names skipped when a person has a compound given name (JOSE LUIS → L).
_NOMBRES_OMITIDOS = frozenset(r["nombre"] for r in _read_catalog("curp_nombres_omitidos.csv"))
# Leading particles skipped in compound names and surnames (DE LA CRUZ → C).
_PARTICULAS = frozenset(r["particula"] for r in _read_catalog("curp_particulas.csv"))
# Four letters RENAPO never writes in positions 1-4, and what it writes instead (second letter → X).
_INCONVENIENTES: dict[str, str] = {r["palabra"]: r["reemplazo"]
                                   for r in _read_catalog("curp_palabras_inconvenientes.csv")}


def normalize(value: str) -> str:
    """The CURP as pasted, without whitespace, hyphens, underscores, dots or invisible characters, in upper case."""
    # stdnum's compact() removes spaces, hyphens and underscores; dots and other whitespace (tabs, the
    # no-break space of a copied web page) are removed here first.
    return stdnum_curp.compact("".join(normalize_text(value or "").split()).replace(".", ""))


def _invalida(mensaje: str) -> CurpInvalida:
    return CurpInvalida("curp", mensaje)


def validate(value: str, *, today: date | None) -> str:
    """The normalized CURP, or `CurpInvalida("curp", …)` naming the part that is wrong.

    Checks go in the order of the characters, so the message names the first wrong part; the date is checked after
    the 17th character because that character decides the century (and so whether 29 February exists), then come
    the inconvenient words (more telling than the check digit they would also break) and the check digit. `today`
    (Mexico City's, app.hora.hoy()) refuses a birth date in the future; every caller passes it, so sign-in, reset,
    alta and import apply one rule (None only where no date is known, in tests of the structure).
    """
    curp = normalize(value)
    if not curp:
        raise _invalida(MSG_VACIA)
    if len(curp) != 18:
        raise _invalida(MSG_LONGITUD.format(n=len(curp)))
    if not _LETRAS_AZ.fullmatch(curp[:4]):  # "de la A a la Z" already tells a Ñ there
        raise _invalida(MSG_LETRAS.format(valor=curp[:4]))
    if "Ñ" in curp:  # before the consonants of 14-16 ("deben ser consonantes" about a Ñ, which is one)
        raise _invalida(MSG_ENYE)
    if curp[1] not in "AEIOUX":  # RENAPO's rule; SAT's t_CURP pattern writes it [A,E,I,O,U,X] too
        raise _invalida(MSG_VOCAL.format(valor=curp[1]))
    if not _DIGITOS.fullmatch(curp[4:10]):
        raise _invalida(MSG_FECHA_FORMATO.format(valor=curp[4:10]))
    if curp[10] not in "HMX":
        raise _invalida(MSG_SEXO.format(valor=curp[10]))
    if curp[11:13] not in _ENTIDADES:
        raise _invalida(MSG_ENTIDAD.format(valor=curp[11:13]))
    if not all(c in _CONSONANTES and c != "Ñ" for c in curp[13:16]):
        raise _invalida(MSG_CONSONANTES.format(valor=curp[13:16]))
    if not (_LETRAS_AZ.fullmatch(curp[16]) or _DIGITOS.fullmatch(curp[16])):
        raise _invalida(MSG_HOMOCLAVE.format(valor=curp[16]))
    if not _DIGITOS.fullmatch(curp[17]):
        raise _invalida(MSG_VERIFICADOR_FORMATO.format(valor=curp[17]))
    try:
        nacimiento = stdnum_curp.get_birth_date(curp)
    except StdnumError:
        raise _invalida(MSG_FECHA.format(valor=curp[4:10])) from None
    if today is not None and nacimiento > today:
        raise _invalida(MSG_FECHA_FUTURA.format(valor=curp[4:10]))
    if curp[:4] in _INCONVENIENTES:
        raise _invalida(MSG_INCONVENIENTE.format(valor=curp[:4], reemplazo=_INCONVENIENTES[curp[:4]]))
    if stdnum_curp.calc_check_digit(curp) != curp[17]:
        raise _invalida(MSG_VERIFICADOR)
    return curp


def datos(curp: str) -> DatosCurp:
    """Birth date, sex and state of birth as the CURP says them (after `validate`)."""
    curp = validate(curp, today=None)
    return DatosCurp(
        fecha_nacimiento=stdnum_curp.get_birth_date(curp),
        sexo=curp[10],
        entidad=_ENTIDADES[curp[11:13]],
        entidad_clave=curp[11:13],
    )


def _palabras(texto: str) -> list[str]:
    """Upper case, accents removed but Ñ kept, split on whitespace; other characters are kept as typed."""
    letras = []
    for c in signos_de_nombre(normalize_text(texto or "")).upper():
        if c != "Ñ":
            c = "".join(d for d in unicodedata.normalize("NFD", c) if not unicodedata.combining(d))
        letras.append(c)
    return "".join(letras).split()


def _palabra_clave(texto: str, *, nombre: bool = False) -> str | None:
    """The word of a name or surname the CURP is built from, or None when nothing was typed.

    A compound given name skips a first MARIA/JOSE/MA./J… (curp_nombres_omitidos.csv); then leading particles are
    skipped (DE LA CRUZ → CRUZ, MARIA DE LOURDES → LOURDES). Of the rest, RENAPO uses the first word
    (RIVA PALACIO → RIVA). The last word is never skipped, so "MARIA" alone or a surname "DE" still give a letter.
    """
    palabras = _palabras(texto)
    if not palabras:
        return None
    if nombre and len(palabras) > 1 and palabras[0] in _NOMBRES_OMITIDOS:
        palabras = palabras[1:]
    while len(palabras) > 1 and palabras[0] in _PARTICULAS:
        palabras = palabras[1:]
    return palabras[0]


# Special characters: the Instructivo says a name is captured as the document writes it, slash, hyphen or dot
# included, and "the application assigns an X when that position takes part in the key" (its example:
# D/AMICO → DX…). So any character that is not a letter A-Z or Ñ (/, -, ., ', a digit) becomes X when it is the
# initial, or when the search for the internal vowel or consonant reaches it first; past the letter sought it
# changes nothing (PEREZ-GOMEZ → P, E, R). Ñ becomes X wherever it lands.

def _inicial(palabra: str | None) -> str:
    if palabra is None:
        return "X"
    c = palabra[0]
    return c if c in _VOCALES or (c in _CONSONANTES and c != "Ñ") else "X"


def _interna(palabra: str | None, buscadas: frozenset[str], otras: frozenset[str]) -> str:
    """The first character after the initial that is one of `buscadas`; X if a special character comes first, or if
    there is none. A letter of `otras` is passed over."""
    for c in (palabra or "")[1:]:
        if c in buscadas:
            return "X" if c == "Ñ" else c
        if c not in otras:
            return "X"
    return "X"


@dataclass(frozen=True)
class _Letras:
    """The name letters of a CURP before the inconvenient-word rule: positions 1, 2, 3, 4, 14, 15 and 16."""

    p1: str
    p2: str
    p3: str
    p4: str
    p14: str
    p15: str
    p16: str


def _letras(nombres: str, primer_apellido: str, segundo_apellido: str) -> _Letras:
    nombre = _palabra_clave(nombres, nombre=True)
    if nombre is None:
        raise CurpInvalida("nombres", MSG_SIN_NOMBRE)
    apellido1 = _palabra_clave(primer_apellido)
    if apellido1 is None:
        raise CurpInvalida("primer_apellido", MSG_SIN_PRIMER_APELLIDO)
    apellido2 = _palabra_clave(segundo_apellido)  # none: X in positions 3 and 15
    return _Letras(
        p1=_inicial(apellido1),
        p2=_interna(apellido1, _VOCALES, _CONSONANTES),
        p3=_inicial(apellido2),
        p4=_inicial(nombre),
        p14=_interna(apellido1, _CONSONANTES, _VOCALES),
        p15=_interna(apellido2, _CONSONANTES, _VOCALES),
        p16=_interna(nombre, _CONSONANTES, _VOCALES),
    )


def _sin_inconveniente(cuatro: str) -> str:
    return _INCONVENIENTES.get(cuatro, cuatro)


def clave_nombre(nombres: str, primer_apellido: str, segundo_apellido: str) -> str:
    """The name letters RENAPO would write: positions 1-4 then 14-16, as 7 characters ("HEGG" + "RRL")."""
    x = _letras(nombres, primer_apellido, segundo_apellido)
    return _sin_inconveniente(x.p1 + x.p2 + x.p3 + x.p4) + x.p14 + x.p15 + x.p16


def _tecleado(texto: str) -> str:
    return " ".join(normalize_text(texto or "").split())


# A name as RENAPO writes it: Latin letters (Ñ, Ü and accented vowels included), spaces, and the apostrophe, hyphen
# and period of names such as O'BRIEN, MARIA-JOSE or MA. DE LOURDES. Nothing else: a name goes into the portal's own
# e-mails, where a contratista must not be able to write "SU CUENTA SERÁ BLOQUEADA, VERIFIQUE EN HTTPS://…".
_SIGNOS_NOMBRE = frozenset(" '-.")
# And a name's shape: at most MAX_PALABRAS words (MARIA DE LOS ANGELES has 4; DE LA FUENTE Y DE LA VEGA 7), a period only
# closing an abbreviation of up to three letters (MA., J.), an apostrophe or hyphen only between letters. Only the
# first letters of a name are checked against the CURP, so without this an alta could append a sentence ("GARCIA
# SU CUENTA SERA BLOQUEADA … WWW.EXAMPLE") that the portal's own e-mail would then carry.
MAX_PALABRAS = 8
MSG_NOMBRE_CARACTERES = "Escribe solo letras, espacios y los signos ' - . (como aparecen en la CURP)."
MSG_NOMBRE_LARGO = f"Escribe como máximo {MAX_NOMBRE} caracteres."
MSG_NOMBRE_PALABRAS = f"Escribe como máximo {MAX_PALABRAS} palabras, como aparecen en la CURP."
MSG_NOMBRE_FORMA = ("Escribe el nombre como aparece en la CURP: el punto solo al final de una abreviatura (MA.), el "
                    "guion y el apóstrofo solo entre letras.")


def validar_nombre(texto: str, campo: str) -> str:
    """One of a person's names (given names or a surname) in upper case with single spaces, or `CurpInvalida` on
    `campo`. Empty stays empty (the caller says which ones are required)."""
    nombre = " ".join(signos_de_nombre(normalize_text(texto or "")).split()).upper()
    if len(nombre) > MAX_NOMBRE:
        raise CurpInvalida(campo, MSG_NOMBRE_LARGO)
    for c in nombre:
        if c not in _SIGNOS_NOMBRE and not (c.isalpha() and unicodedata.name(c, "").startswith("LATIN ")):
            raise CurpInvalida(campo, MSG_NOMBRE_CARACTERES)
    palabras = nombre.split(" ") if nombre else []
    if len(palabras) > MAX_PALABRAS:
        raise CurpInvalida(campo, MSG_NOMBRE_PALABRAS)
    for palabra in palabras:
        cuerpo = palabra[:-1] if palabra.endswith(".") and 1 <= len(palabra) - 1 <= 3 else palabra
        partes = cuerpo.replace("-", "'").split("'")
        if "." in cuerpo or not all(partes):  # a period inside a word, or a sign at an end or doubled
            raise CurpInvalida(campo, MSG_NOMBRE_FORMA)
    return nombre


def verificar_nombre(curp: str, nombres: str, primer_apellido: str, segundo_apellido: str) -> None:
    """Nothing if the names match the CURP; else `CurpInvalida` on the first field (in the form's order: primer
    apellido, segundo apellido, nombres) whose letters differ, saying which letters the CURP has."""
    curp = validate(curp, today=None)  # the CURP was validated where it came in; this reads its structure
    x = _letras(nombres, primer_apellido, segundo_apellido)

    # Position 2 depends on all four letters (BUEI → BXEI). Judge the surname with the CURP's own letters 3-4, so
    # a wrong given name is not blamed on the surname.
    inicio = _sin_inconveniente(x.p1 + x.p2 + curp[2:4])[:2]
    cual = f"con el primer apellido «{_tecleado(primer_apellido)}»"
    if inicio != curp[:2]:
        raise CurpInvalida("primer_apellido", MSG_PRIMER_APELLIDO_INICIO.format(
            curp=curp[:4], tecleado=_tecleado(primer_apellido), esperado=inicio))
    if x.p14 != curp[13]:
        raise CurpInvalida("primer_apellido", MSG_POSICION.format(
            parte="El primer apellido", pos=14, curp=curp[13], cual=cual, esperado=x.p14))

    segundo = _tecleado(segundo_apellido)
    cual = f"con el segundo apellido «{segundo}»" if segundo else "sin segundo apellido"
    if x.p3 != curp[2]:
        raise CurpInvalida("segundo_apellido", MSG_LETRA.format(
            parte="El segundo apellido", ordinal="tercera", curp=curp[2], cual=cual, esperado=x.p3))
    if x.p15 != curp[14]:
        raise CurpInvalida("segundo_apellido", MSG_POSICION.format(
            parte="El segundo apellido", pos=15, curp=curp[14], cual=cual, esperado=x.p15))

    cual = f"con el nombre «{_tecleado(nombres)}»"
    if x.p4 != curp[3]:
        raise CurpInvalida("nombres", MSG_LETRA.format(
            parte="El nombre", ordinal="cuarta", curp=curp[3], cual=cual, esperado=x.p4))
    if x.p16 != curp[15]:
        raise CurpInvalida("nombres", MSG_POSICION.format(
            parte="El nombre", pos=16, curp=curp[15], cual=cual, esperado=x.p16))
