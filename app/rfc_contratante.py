"""The contratante's RFC (the company that hired the specialised service), with no web or database.

`validar_rfc_contratante()` answers the RFC normalised, the kind of person it names (12 characters: persona moral;
13: persona física) and its warnings, or refuses it with `Rechazo("rfc", …)`.

python-stdnum's `stdnum.mx.rfc` checks the structure (letters, Ñ and &, the date, the words RENAPO and SAT avoid)
and is used for it, with two additions: it accepts a 10-character RFC without homoclave, which no contract carries
(the length must be 12 or 13), and its check-digit test is run apart, as a warning: SAT has issued RFCs that fail it
(its own test RFC AAA010101AAA does; python-stdnum notes about 1.5% of real ones), so a refusal would shut out real
companies. The generic RFCs of CFDI (público en general, extranjeros) name nobody and are refused.
"""
from __future__ import annotations

from stdnum.exceptions import InvalidLength, ValidationError
from stdnum.mx import rfc as stdnum_rfc

from .fiel import normalize_rfc
from .rechazo import Rechazo

__all__ = ["GENERICOS", "validar_rfc_contratante"]

MAX_TEXTO = 64  # longer input is refused before it is looked at
# SAT's generic RFCs (Anexo 20): sales to the general public, and to foreigners without an RFC.
GENERICOS = frozenset({"XAXX010101000", "XEXX010101000"})

MSG_VACIO = "Captura el RFC del contratante."
MSG_LONGITUD = "El RFC del contratante debe tener 12 caracteres (persona moral) o 13 (persona física); tiene {n}."
MSG_FORMATO = "El RFC del contratante no tiene un formato válido. Revisa que esté bien escrito."
MSG_GENERICO = "El RFC genérico {rfc} no identifica a un contratante: captura su RFC."
MSG_PROPIO = ("El RFC del contratante no puede ser el tuyo: la informativa reporta los contratos con otras "
              "empresas o personas.")
AVISO_VERIFICADOR = ("El dígito verificador del RFC {rfc} no corresponde. Algunos RFC emitidos por el SAT no lo "
                     "cumplen; si el del contratante está bien escrito, puedes continuar.")


def validar_rfc_contratante(valor: str, *, rfc_contratista: str) -> tuple[str, str, tuple[str, ...]]:
    """(rfc, "moral" or "fisica", warnings), or `Rechazo("rfc", …)` for an empty, malformed or generic RFC, or the
    contratista's own."""
    texto = "" if valor is None else str(valor)
    if len(texto) > MAX_TEXTO:
        raise Rechazo("rfc", MSG_LONGITUD.format(n=f"más de {MAX_TEXTO}"))
    rfc = normalize_rfc(texto)
    if not rfc:
        raise Rechazo("rfc", MSG_VACIO)
    if len(rfc) not in (12, 13):
        raise Rechazo("rfc", MSG_LONGITUD.format(n=len(rfc)))
    if rfc in GENERICOS:
        raise Rechazo("rfc", MSG_GENERICO.format(rfc=rfc))
    try:
        stdnum_rfc.validate(rfc)  # structure only: validate_check_digits stays False (module docstring)
    except InvalidLength:
        raise Rechazo("rfc", MSG_LONGITUD.format(n=len(rfc))) from None
    except ValidationError:
        raise Rechazo("rfc", MSG_FORMATO) from None
    if rfc == normalize_rfc(rfc_contratista or ""):
        raise Rechazo("rfc", MSG_PROPIO)
    avisos = []
    try:
        stdnum_rfc.validate(rfc, validate_check_digits=True)
    except ValidationError:  # InvalidChecksum, or a homoclave outside SAT's alphabet
        avisos.append(AVISO_VERIFICADOR.format(rfc=rfc))
    return rfc, "moral" if len(rfc) == 12 else "fisica", tuple(avisos)
