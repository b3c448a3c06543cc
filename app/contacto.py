"""The contact fields of Datos generales (guide step 8): Correo electrónico, Celular and Teléfono fijo.

Each `normalize_*` accepts what people paste and returns the form we store, or raises `DatoInvalido` with a Spanish
message for the field. No Flask, no forms, no database (STYLE.md §1).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Literal

from email_validator import EmailNotValidError, validate_email

from .rechazo import Rechazo

# RFC 5321's limit for a whole address (a path is 256 octets, minus the angle brackets). Checked before the library
# runs so a pasted essay costs nothing.
MAX_CORREO = 254

Campo = Literal["celular", "telefono_fijo", "telefono"]

# How each phone field is named inside a sentence ("El número de celular debe tener…").
_NOMBRE: dict[str, str] = {"celular": "número de celular", "telefono_fijo": "teléfono fijo", "telefono": "teléfono"}

# Area codes of two digits (Mexico City, its 56 extension, Guadalajara, Monterrey): there the subscriber number has
# 8 digits and is written "55 1234 5678"; everywhere else the area code has 3 digits ("999 123 4567").
_LADAS_DE_DOS = {"55", "56", "33", "81"}

# What people type around the digits: spaces (also the no-break spaces of a pasted web page, made plain by NFKC),
# dashes, dots and parentheses. A "+" is allowed only at the start, for the country code.
_SEPARADORES = re.compile(r"[\s\-.()]+")


class DatoInvalido(Rechazo):
    """A contact field was refused: `campo` is the field, `str(error)` the Spanish message for the user."""


def normalize_correo(value: str | None, *, campo: str = "correo") -> str:
    """The address as email-validator normalises it: the domain lower-cased and in its Unicode form, so
    "luis@PEÑA.com.mx" and "luis@xn--pea-8ma.com.mx" are one mailbox, stored as the user knows it; app.correo writes
    the domain as IDNA (xn--…) when it sends. The part before the @ must be ASCII."""
    correo = (value or "").strip()
    if not correo:
        raise DatoInvalido(campo, "Captura el correo electrónico.")
    if len(correo) > MAX_CORREO:
        raise DatoInvalido(campo, f"El correo electrónico es demasiado largo; el máximo es {MAX_CORREO} caracteres.")
    try:
        # No DNS lookup (check_deliverability=False): on-premise installs may have no internet access, and a
        # lookup would make saving the page wait on a resolver. Syntax, length and IDNA are checked offline.
        validado = validate_email(correo, check_deliverability=False)
    except EmailNotValidError:
        # The library's reason is English; the user gets the Spanish one with an example instead.
        raise DatoInvalido(campo, "El correo electrónico no es válido. Escríbelo como nombre@dominio.com.") from None
    if validado.smtputf8:
        # A non-ASCII mailbox name ("josé@…") travels only over SMTPUTF8, which most relays do not offer: unlike a
        # domain, it has no ASCII form to send instead. Read from the result (allow_smtputf8=False would refuse it
        # with the same exception type as any syntax error, told apart only by its English text).
        raise DatoInvalido(campo, "Escribe la parte antes de la @ sin acentos ni ñ: la mayoría de los servidores de "
                                  "correo no la entregan.")
    if "=?" in validado.local_part:
        # Valid characters, but an RFC 2047 encoded word to a mail header: "=?utf-8?q?director?=@…" would be stored as
        # one mailbox and delivered to another (director@…), or carry an accented name past the check above.
        raise DatoInvalido(campo, "El correo electrónico no es válido. Escríbelo como nombre@dominio.com.")
    if len(validado.normalized) > MAX_CORREO:  # the column's size; normalising (NFC, IDNA) may change the length
        raise DatoInvalido(campo, f"El correo electrónico es demasiado largo; el máximo es {MAX_CORREO} caracteres.")
    return validado.normalized


def normalize_telefono(value: str | None, *, campo: Campo = "celular") -> str:
    """The 10 digits of a Mexican number, without the +52, 52, +52 1, 044, 045 or 01 prefixes people still type.

    Hand-written rather than with `phonenumbers` (not installed; ~10 MB of metadata for every country) or
    python-stdnum (a dependency already, but it checks identifiers such as the RFC and CURP, not phone numbers):
    since August 2019 every Mexican number, mobile or fixed, is dialled as 10 digits (IFT's Plan Nacional de
    Numeración), so the rule is a length check plus stripping the old prefixes.
    """
    if campo not in _NOMBRE:
        raise ValueError(f"campo must be one of {sorted(_NOMBRE)}, not {campo!r}")
    nombre = _NOMBRE[campo]
    texto = unicodedata.normalize("NFKC", value or "").strip()
    if not texto:
        raise DatoInvalido(campo, f"Captura el {nombre}.")

    limpio = _SEPARADORES.sub("", texto)
    internacional = limpio.startswith("+")
    digitos = limpio[1:] if internacional else limpio
    if not (digitos.isascii() and digitos.isdigit()):
        raise DatoInvalido(campo, f"El {nombre} solo puede tener dígitos, espacios, guiones y el prefijo +52.")

    if internacional:
        if not digitos.startswith("52"):
            raise DatoInvalido(campo, f"El {nombre} debe ser de México: el único prefijo internacional aceptado es +52.")
        digitos = digitos[2:]
        if len(digitos) == 11 and digitos.startswith("1"):  # "+52 1": the mobile marker dropped in 2019
            digitos = digitos[1:]
    else:
        # Without "+", a prefix is only recognised when exactly 10 digits follow it, so a 10-digit number is never
        # cut. 52 is the country code; 044/045 (local/long-distance mobile) and 01 (long distance) predate 2019.
        for prefijo in ("521", "044", "045", "52", "01"):
            if len(digitos) == len(prefijo) + 10 and digitos.startswith(prefijo):
                digitos = digitos[len(prefijo):]
                break

    if len(digitos) != 10:
        raise DatoInvalido(campo, f"El {nombre} debe tener 10 dígitos; tienes {len(digitos)}.")
    if digitos[0] in "01":
        # No area code starts with 0 or 1; a leading 0 or 1 is a leftover prefix or a typo.
        raise DatoInvalido(campo, f"El {nombre} no puede empezar con {digitos[0]}; escribe la lada y el número, 10 dígitos.")
    return digitos


def normalize_telefono_opcional(value: str | None) -> str | None:
    """Teléfono fijo is optional: nothing typed is None, anything typed must be a valid number."""
    if not unicodedata.normalize("NFKC", value or "").strip():
        return None
    return normalize_telefono(value, campo="telefono_fijo")


def formatear_telefono(digits: str) -> str:
    """The number as people read it: "55 1234 5678" for the two-digit area codes, "999 123 4567" for the rest.
    Anything but 10 digits comes back as is, so a page never fails on a value stored before these rules."""
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        return digits
    if digits[:2] in _LADAS_DE_DOS:
        return f"{digits[:2]} {digits[2:6]} {digits[6:]}"
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
