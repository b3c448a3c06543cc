"""The capturista's password: a passphrase of at least 12 characters that is not a common one.

zxcvbn (Dropbox's estimator, with its lists of common passwords, names and words) judges "common"; a score of 3
("safely unguessable") is required. Hand-written rules here are only the length and the person's own data.
"""
from __future__ import annotations

from zxcvbn import zxcvbn

MIN_LONGITUD = 12
MAX_LONGITUD = 200
MIN_PUNTAJE = 3


class ContrasenaInvalida(ValueError):
    """str(e) is the Spanish message."""


def validar(contrasena: str, confirmacion: str, *, datos_personales: list[str]) -> None:
    if not contrasena:
        raise ContrasenaInvalida("Captura tu nueva contraseña.")
    if len(contrasena) < MIN_LONGITUD:
        raise ContrasenaInvalida(f"La contraseña debe tener al menos {MIN_LONGITUD} caracteres; tiene "
                                 f"{len(contrasena)}. Una frase de varias palabras es fácil de recordar.")
    if len(contrasena) > MAX_LONGITUD:
        raise ContrasenaInvalida(f"La contraseña puede tener como máximo {MAX_LONGITUD} caracteres.")
    personales = [d for d in datos_personales if d]
    if any(d.lower() in contrasena.lower() for d in personales if len(d) >= 4):
        raise ContrasenaInvalida("La contraseña no puede contener tu CURP ni tus nombres.")
    if zxcvbn(contrasena[:100], user_inputs=personales)["score"] < MIN_PUNTAJE:
        raise ContrasenaInvalida("Esa contraseña es demasiado común o fácil de adivinar. Usa una frase de tres o "
                                 "cuatro palabras poco relacionadas.")
    if contrasena != confirmacion:
        raise ContrasenaInvalida("Las contraseñas no coinciden.")
