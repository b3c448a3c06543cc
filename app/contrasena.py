"""The capturista's password: a passphrase of at least 12 characters that is not a common one.

zxcvbn (Dropbox's estimator, with its lists of common passwords, names and words) judges "common"; a score of 3
("safely unguessable") is required. Its dictionaries are English, though: it scores "contraseña12", "Mexico2024!!"
and the first 12 characters of a CURP at 3 or 4. So three hand-written rules run before it: nothing built from the
person's own CURP, nothing built from their names or their e-mail, and no common Spanish password word dressed up
with digits or symbols.

Every refusal is a `ContrasenaInvalida` on "contrasena", except the confirmation's on "confirmacion".
"""
from __future__ import annotations

import re
import unicodedata

from zxcvbn import zxcvbn

from .rechazo import Rechazo

MIN_LONGITUD = 12
MAX_LONGITUD = 200
MIN_PUNTAJE = 3
# zxcvbn 4.5 refuses to judge more than 72 characters (ValueError: every longer passphrase, the kind the page asks
# for, was a 500); it judges their first 72, as a password manager's or a long sentence's are strong or weak there.
MAX_ZXCVBN = 72

# A run this long of the person's CURP is "built from the CURP": 6 is the birth date (AAMMDD), or the four letters
# of the name plus two digits of it, which is what people take from their CURP.
MIN_TRAMO_CURP = 6
# A part of a name or of the e-mail's local part this long is the person's own; shorter ones (ANA, LUZ, JR) occur
# inside ordinary words too often to refuse.
MIN_PARTE_NOMBRE = 4

# Words people build passwords from here, compared accent-free and in lower case after removing digits, spaces and
# symbols ("Contraseña_2024!" is "contrasena"). Why hand-written: zxcvbn's word and password lists are English
# (and American names), so it does not know them. Chosen because they are the first guesses against this portal: the
# word "password" in both languages, greetings and affection ("hola", "amor", "te amo"), the country, and the
# portal's own names and roles (IMSS, ICSOE, capturista, usuario, admin), which its pages show to anyone; plus
# keyboard rows. A password made only of these (several together too: "holaamor123") is refused.
PALABRAS_COMUNES = (
    "contraseña", "password", "clave", "secreto", "acceso",
    "méxico", "amor", "te amo", "hola", "bienvenido", "bienvenida",
    "imss", "icsoe", "capturista", "usuario", "admin", "administrador", "sistema", "ingreso",
    "qwerty", "asdf", "asdfgh", "zxcvbn", "abc",
)

# The letters that digits and symbols stand for in "c0ntr4señ@": a word counts as common in this spelling too.
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
_FORMA_CURP = re.compile(r"[a-z]{4}\d{6}[hmx][a-z]{5}[a-z0-9]\d")


class ContrasenaInvalida(Rechazo):
    """`campo` is "contrasena" or "confirmacion"; str(e) is the Spanish message."""


def _plano(texto: str) -> str:
    """Lower case without accents (ñ is n), as people type it on a keyboard without them."""
    sin_acentos = unicodedata.normalize("NFKD", texto)
    return "".join(c for c in sin_acentos if not unicodedata.combining(c)).lower()


def _alfanumerico(texto: str) -> str:
    """Only letters a-z and digits: spaces, punctuation and symbols ignored."""
    return re.sub(r"[^a-z0-9]", "", _plano(texto))


def _tramo_de_curp(contrasena: str, curp: str) -> str | None:
    """The first run of MIN_TRAMO_CURP characters of `curp` that the password contains, or None."""
    texto = _alfanumerico(contrasena)
    for i in range(len(curp) - MIN_TRAMO_CURP + 1):
        if curp[i:i + MIN_TRAMO_CURP] in texto:
            return curp[i:i + MIN_TRAMO_CURP]
    return None


def _parte_de_nombre(contrasena: str, partes: list[str]) -> str | None:
    texto = _alfanumerico(contrasena)
    return next((p for p in partes if p in texto), None)


# Each common word as compared ("contrasena", "teamo") and as written to the user ("contraseña", "te amo").
_COMUNES = {_alfanumerico(p): p for p in PALABRAS_COMUNES}


def _palabra_en(texto: str, i: int, palabra: str) -> int | None:
    """Where `palabra` ends if it is spelled at texto[i:] (letters as themselves or as their leet stand-ins)."""
    if len(texto) - i < len(palabra):
        return None
    for j, letra in enumerate(palabra):
        c = texto[i + j]
        if c != letra and _LEET.get(c) != letra:
            return None
    return i + len(palabra)


def _solo_palabras_comunes(contrasena: str) -> str | None:
    """The first common word, if the password is nothing but common words with digits, spaces or symbols around
    them; None otherwise. Spaces and the symbols that stand for no letter go first ("te amo" is "teamo"); then a
    small dynamic program over positions: skip one digit or symbol, or read one common word."""
    texto = "".join(c for c in _plano(contrasena) if "a" <= c <= "z" or c.isdigit() or c in _LEET)
    n = len(texto)
    # alcanzado[i]: the first common word read on a way to position i ("" when i is reached without a word yet).
    alcanzado: list[str | None] = [None] * (n + 1)
    alcanzado[0] = ""
    for i in range(n):
        if alcanzado[i] is None:
            continue
        if not ("a" <= texto[i] <= "z") and alcanzado[i + 1] is None:
            alcanzado[i + 1] = alcanzado[i]
        for palabra, escrita in _COMUNES.items():
            fin = _palabra_en(texto, i, palabra)
            if fin is not None and not alcanzado[fin]:
                alcanzado[fin] = alcanzado[i] or escrita
    return alcanzado[n] or None


def _clasificar(datos_personales: list[str]) -> tuple[list[str], list[str]]:
    """(CURPs, name parts): a datum shaped like a CURP is one; any other (a name, a surname, the e-mail's local
    part) gives its parts of MIN_PARTE_NOMBRE letters or more ("MARIA DEL CARMEN" → maria, carmen)."""
    curps, partes = [], []
    for dato in datos_personales:
        plano = _alfanumerico(dato or "")
        if _FORMA_CURP.fullmatch(plano):
            curps.append(plano)
            continue
        for parte in re.split(r"[^a-z]+", _plano(dato or "")):
            if len(parte) >= MIN_PARTE_NOMBRE and parte not in partes:
                partes.append(parte)
    return curps, partes


def validar(contrasena: str, confirmacion: str, *, datos_personales: list[str]) -> None:
    """Nothing if `contrasena` is acceptable for the person whose CURP, names and e-mail local part are in
    `datos_personales`, and `confirmacion` repeats it; else `ContrasenaInvalida`."""
    if not contrasena:
        raise ContrasenaInvalida("contrasena", "Captura tu nueva contraseña.")
    if len(contrasena) < MIN_LONGITUD:
        raise ContrasenaInvalida("contrasena", f"La contraseña debe tener al menos {MIN_LONGITUD} caracteres; "
                                 f"tiene {len(contrasena)}. Una frase de varias palabras es fácil de recordar.")
    if len(contrasena) > MAX_LONGITUD:
        raise ContrasenaInvalida("contrasena", f"La contraseña puede tener como máximo {MAX_LONGITUD} caracteres.")
    curps, partes = _clasificar([d for d in datos_personales if d])
    for curp in curps:
        tramo = _tramo_de_curp(contrasena, curp)
        if tramo is not None:
            raise ContrasenaInvalida("contrasena", f"La contraseña no puede contener partes de tu CURP "
                                     f"(contiene «{tramo.upper()}»). Usa una frase de tres o cuatro palabras.")
    parte = _parte_de_nombre(contrasena, partes)
    if parte is not None:
        raise ContrasenaInvalida("contrasena", f"La contraseña no puede contener tu nombre, tus apellidos ni tu "
                                 f"correo electrónico (contiene «{parte.upper()}»).")
    comun = _solo_palabras_comunes(contrasena)
    if comun is not None:
        raise ContrasenaInvalida("contrasena", f"La contraseña no puede formarse solo con palabras muy usadas "
                                 f"en contraseñas («{comun}»), números y signos. Usa una frase de tres o cuatro "
                                 "palabras poco relacionadas.")
    personales = [_plano(d) for d in datos_personales if d]
    if zxcvbn(contrasena[:MAX_ZXCVBN], user_inputs=personales)["score"] < MIN_PUNTAJE:
        raise ContrasenaInvalida("contrasena", "Esa contraseña es demasiado común o fácil de adivinar. Usa una "
                                 "frase de tres o cuatro palabras poco relacionadas.")
    if contrasena != confirmacion:
        raise ContrasenaInvalida("confirmacion", "Las contraseñas no coinciden.")
