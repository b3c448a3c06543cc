"""What Guardar requires of the Datos generales (app/generales.py), without a web server."""
from __future__ import annotations

import pytest

from app import generales
from app.rechazo import todos

BIEN = {"correo": "Contacto@Ejemplo.MX", "celular": "+52 55 1234 5678", "telefono_fijo": ""}
DOMICILIO = {"cp": "01000", "colonia": "San Ángel"}


def rechazos(**kwargs) -> dict[str, str]:
    """field -> message of every refusal of one validar() call (it raises them all at once, as a group)."""
    with pytest.raises(ExceptionGroup) as e:
        generales.validar(**kwargs)
    return {r.campo: r.mensaje for r in todos(e.value)}


def test_persona_fisica_needs_contact_data_and_the_acuse_only():
    datos = generales.validar(BIEN, persona_moral=False, domicilio_aceptado=None, tiene_acuse=True)
    assert datos == generales.Generales("Contacto@ejemplo.mx", "5512345678", None, None, None)


def test_nothing_gives_every_message_at_once():
    errores = rechazos(valores={}, persona_moral=True, domicilio_aceptado=None, tiene_acuse=False)
    assert set(errores) == {"correo", "celular", "domicilio_igual", "acuse"}


@pytest.mark.parametrize("igual, aceptado, esperado", [
    ("si", None, (True, None)),
    ("si", DOMICILIO, (True, None)),  # a located address is not kept when the answer is Sí
    ("no", DOMICILIO, (False, DOMICILIO)),
])
def test_persona_moral_domicilio(igual, aceptado, esperado):
    datos = generales.validar({**BIEN, "domicilio_igual": igual}, persona_moral=True,
                              domicilio_aceptado=aceptado, tiene_acuse=True)
    assert (datos.domicilio_igual_fiscal, datos.domicilio) == esperado


def test_no_without_an_accepted_address_is_refused():
    assert rechazos(valores={**BIEN, "domicilio_igual": "no"}, persona_moral=True, domicilio_aceptado=None,
                    tiene_acuse=True) == {"domicilio": generales.MSG_DOMICILIO}
