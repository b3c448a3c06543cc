"""What an e.firma refusal says: `FielRechazada` and every message (es-MX), kept together so the wording stays
consistent."""

from __future__ import annotations

from datetime import datetime

from ..hora import MEXICO, fecha_hora
from ..rechazo import Rechazo
from .limites import MAX_NOMBRE

MSG_RFC_EMPTY = "Captura el RFC."
MSG_RFC_LENGTH = "El RFC debe tener 12 caracteres (persona moral) o 13 (persona física)."
MSG_RFC_FORMAT = "El RFC no tiene un formato válido. Revisa que esté bien escrito."
MSG_CER_EMPTY = "Selecciona el archivo del certificado (.cer)."
MSG_CER_TOO_BIG = "El archivo del certificado es demasiado grande para ser un certificado (.cer)."
MSG_CER_INVALID = "El archivo seleccionado no es un certificado (.cer) válido."
MSG_CER_IS_KEY = (
    "El archivo seleccionado como certificado es una llave privada (.key). Selecciona el certificado (.cer)."
)
MSG_CER_KEY_TYPE = "El certificado usa un tipo de llave pública que no es el de una e.firma del SAT."
MSG_CER_SERIAL = ("El número de serie del certificado no es válido: debe ser un entero positivo de 20 bytes como "
                  "máximo.")
MSG_CER_NAME = (f"El nombre del titular en el certificado no es válido: tiene caracteres de control o más de "
                f"{MAX_NOMBRE} caracteres.")
MSG_KEY_EMPTY = "Selecciona el archivo de la llave privada (.key)."
MSG_KEY_TOO_BIG = "El archivo de la llave privada es demasiado grande para ser una llave privada (.key)."
MSG_KEY_INVALID = "El archivo seleccionado no es una llave privada (.key) válida."
MSG_KEY_IS_CER = (
    "El archivo seleccionado como llave privada es un certificado (.cer). Selecciona la llave privada (.key)."
)
MSG_KEY_UNPROTECTED = (
    "La llave privada no está protegida con contraseña. Usa el archivo .key que entrega el SAT, "
    "protegido con la contraseña de tu e.firma."
)
MSG_KEY_UNSUPPORTED = (
    "La llave privada está cifrada con un método que no se admite. Usa el archivo .key que entrega el SAT."
)
MSG_KEY_MISMATCH = "La llave privada no corresponde al certificado."
MSG_PASSWORD_EMPTY = "Captura la contraseña de la llave privada."
MSG_PASSWORD_WRONG = "La contraseña de la llave privada es incorrecta."
MSG_UNTRUSTED = "El certificado no fue emitido por una autoridad certificadora de confianza del SAT."
MSG_CSD = (
    "El certificado es un Certificado de Sello Digital (CSD), no una e.firma. "
    "Usa el certificado de tu e.firma (FIEL)."
)
MSG_NOT_FIEL = "El certificado no es de una e.firma (FIEL) del SAT."
MSG_NO_RFC = "El certificado no indica el RFC de su titular; no es una e.firma del SAT."
MSG_REVOCATION_UNAVAILABLE = (
    "No fue posible consultar el estado de revocación del certificado en el SAT. Intenta más tarde."
)
MSG_REVOCATION_BAD_ANSWER = (
    "La respuesta del servicio de estado de revocación del SAT no es válida. Intenta más tarde."
)
MSG_REVOCATION_UNKNOWN = "El servicio de estado de revocación del SAT no reconoce este certificado."


class FielRechazada(Rechazo):
    """An e.firma refused, a Rechazo: `field` names the form field the message belongs next to: "rfc", "cer", "key"
    or "password". `str(e)` and `message` are the Spanish message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)

    @property
    def message(self) -> str:
        """The Spanish message (`mensaje` under its English name)."""
        return self.mensaje


def _fecha(moment: datetime) -> str:
    """A certificate's moment (UTC) as people in Mexico write its date (dd/mm/aaaa), in Mexico City: one that ends
    at 04:00 UTC on the 2nd ended on the 1st there."""
    return moment.astimezone(MEXICO).strftime("%d/%m/%Y")


def _momento(moment: datetime) -> str:
    """A moment from which a certificate holds, with its time: a date alone would read as the whole day, and one that
    starts at 23:00 is not valid at noon of that day."""
    return f"{fecha_hora(moment)} (hora de la Ciudad de México)"
