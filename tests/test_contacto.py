"""app/contacto.py: Correo electrónico, Celular and Teléfono fijo of Datos generales (guide step 8); the address
rules also through the Alta and Datos generales forms."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlmodel import select

from app import contacto
from app.correo import leer_outbox
from app.db import get_session
from app.models import Capturista, DatosGenerales

from .conftest import HTMX, html, token
from .test_administracion import CURP_LUIS, alta, preparar
from .test_ingreso import ingresar


CORREO_NO_VALIDO = "El correo electrónico no es válido. Escríbelo como nombre@dominio.com."
MSG_BUZON_CON_ACENTOS = ("Escribe la parte antes de la @ sin acentos ni ñ: la mayoría de los servidores de correo no "
                         "la entregan.")


def rechazo(call, *args, **kwargs) -> str:
    """The Spanish message of the DatoInvalido that `call` raises."""
    with pytest.raises(contacto.DatoInvalido) as info:
        call(*args, **kwargs)
    return str(info.value)




def test_dato_invalido_is_a_rechazo_that_names_its_field():
    from app.rechazo import Rechazo

    error = contacto.DatoInvalido("correo", "Captura el correo electrónico.")
    assert isinstance(error, Rechazo) and isinstance(error, ValueError)
    assert (error.campo, str(error)) == ("correo", "Captura el correo electrónico.")
    with pytest.raises(contacto.DatoInvalido) as e:
        contacto.normalize_telefono("55", campo="telefono")
    assert e.value.campo == "telefono" and str(e.value).startswith("El teléfono debe")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("nombre@dominio.com", "nombre@dominio.com"),
        ("USUARIO@Ejemplo.COM", "USUARIO@ejemplo.com"),  # the domain is lower-cased, the mailbox is not touched
        ("  contacto@empresa.com.mx \t", "contacto@empresa.com.mx"),  # pasted with blanks around it
        ("usuario@méxico.mx", "usuario@méxico.mx"),  # an internationalised domain
        ("usuario@xn--mxico-bsa.mx", "usuario@méxico.mx"),  # the same domain in its ASCII (IDNA) form
        ("luis@PEÑA.com.mx", "luis@peña.com.mx"),  # one mailbox however its domain is written: an account is keyed
        ("luis@xn--pea-8ma.com.mx", "luis@peña.com.mx"),  # by CURP and address (capturistas.correo_de_cuenta)
        ("ventas+icsoe@sub.dominio.org", "ventas+icsoe@sub.dominio.org"),
    ],
)
def test_good_correo_is_normalized(typed, stored):
    assert contacto.normalize_correo(typed) == stored


@pytest.mark.parametrize("typed", ["", "   ", None])
def test_missing_correo_asks_for_it(typed):
    assert rechazo(contacto.normalize_correo, typed) == "Captura el correo electrónico."


@pytest.mark.parametrize(
    "typed",
    [
        "nombre.dominio.com",  # no @
        "nombre@",
        "@dominio.com",
        "nombre@dominio",  # no dot in the domain
        "nombre apellido@dominio.com",  # a space
        "nombre@dominio .com",
        "nombre..apellido@dominio.com",  # two dots in a row
        "nombre@dominio..com",
        "nombre@@dominio.com",
        "nombre\x00@dominio.com",  # a control character inside
        "nombre@[192.168.0.1]",  # an IP address instead of a domain
        "nombre@localhost",
        "nombre@servidor.local",  # a special-use domain nobody can write to from outside
        "nombre@-dominio.com",
    ],
)
def test_bad_correo_is_refused_in_spanish(typed):
    assert rechazo(contacto.normalize_correo, typed) == CORREO_NO_VALIDO


@pytest.mark.parametrize("typed", ["josé@ejemplo.mx", "josé.pérez@correo.mx", "peña@peña.com.mx",
                                   "NUÑEZ@ejemplo.mx", "jose\u0301@ejemplo.mx"],
                         ids=["acento", "dos-acentos", "enye-y-dominio-idn", "mayusculas", "nfd"])
def test_a_mailbox_name_with_accents_or_enye_is_refused_in_spanish(typed):
    """Before the @ only ASCII goes everywhere: "josé@…" needs SMTPUTF8, which most relays lack, and has no ASCII
    form to send instead (a domain has: IDNA). It was stored, and every e-mail to it failed."""
    assert rechazo(contacto.normalize_correo, typed) == MSG_BUZON_CON_ACENTOS
    assert rechazo(contacto.normalize_correo, typed, campo="confirmar_correo") == MSG_BUZON_CON_ACENTOS


def test_correo_longer_than_254_characters_is_refused_before_parsing():
    correo = "a" * 60 + "@" + ".".join(["dominio"] * 30) + ".com"
    assert len(correo) > 254
    assert rechazo(contacto.normalize_correo, correo) == (
        "El correo electrónico es demasiado largo; el máximo es 254 caracteres."
    )


def test_random_text_never_raises_anything_but_dato_invalido():
    rng = random.Random(20240801)
    alphabet = "aé@.-_+ ()\"\\[]\x00ñ📧xn--" + "".join(map(chr, range(0x20, 0x7F)))
    for _ in range(500):
        texto = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        for call in (contacto.normalize_correo, contacto.normalize_telefono, contacto.normalize_telefono_opcional):
            try:
                call(texto)
            except contacto.DatoInvalido:
                pass


@pytest.mark.parametrize(
    "typed",
    [
        "5512345678",
        "55 1234 5678",
        "55-1234-5678",
        "55.1234.5678",
        "(55) 1234 5678",
        "+52 55-1234-5678",
        "+525512345678",
        "(+52) 55 1234 5678",
        "52 55 1234 5678",
        "+52 1 55 1234 5678",  # the mobile "1" dropped in 2019
        "52 1 55 1234 5678",
        "044 55 1234 5678",  # old local mobile prefix
        "045 55 1234 5678",  # old long-distance mobile prefix
        "01 55 1234 5678",  # old long-distance prefix
        "55\u00a01234\u00a05678",  # no-break spaces pasted from a web page
        "５５ １２３４ ５６７８",  # full-width digits
    ],
)
def test_good_celular_is_its_10_digits(typed):
    assert contacto.normalize_telefono(typed) == "5512345678"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("999 123 4567", "9991234567"),
        ("+52 (999) 123-4567", "9991234567"),
        ("5212345678", "5212345678"),  # 10 digits starting with 52 are a number, not a prefix
        ("0449991234567", "9991234567"),
    ],
)
def test_prefixes_are_stripped_only_when_10_digits_follow(typed, stored):
    assert contacto.normalize_telefono(typed) == stored


@pytest.mark.parametrize(("typed", "count"), [("55 1234 567", 9), ("55 1234 56789", 11), ("123", 3),
                                               ("+52 55 1234 567", 9), ("52 55 1234 567", 11)])
def test_wrong_digit_count_is_named(typed, count):
    assert rechazo(contacto.normalize_telefono, typed) == (
        f"El número de celular debe tener 10 dígitos; tienes {count}."
    )


@pytest.mark.parametrize("typed", ["55 1234 abcd", "cincuenta y cinco", "55 1234 5678 ext 12", "55/1234/5678",
                                   "55 1234+5678", "٥٥١٢٣٤٥٦٧٨"])
def test_letters_and_symbols_are_refused(typed):
    assert rechazo(contacto.normalize_telefono, typed) == (
        "El número de celular solo puede tener dígitos, espacios, guiones y el prefijo +52."
    )


@pytest.mark.parametrize(("typed", "first"), [("0551234567", "0"), ("1551234567", "1"), ("+52 0551234567", "0")])
def test_number_starting_with_0_or_1_is_refused(typed, first):
    assert rechazo(contacto.normalize_telefono, typed) == (
        f"El número de celular no puede empezar con {first}; escribe la lada y el número, 10 dígitos."
    )


def test_foreign_country_code_is_refused():
    assert rechazo(contacto.normalize_telefono, "+1 555 123 4567") == (
        "El número de celular debe ser de México: el único prefijo internacional aceptado es +52."
    )


@pytest.mark.parametrize("typed", ["", "  ", None])
def test_missing_celular_asks_for_it(typed):
    assert rechazo(contacto.normalize_telefono, typed) == "Captura el número de celular."


def test_telefono_fijo_messages_name_the_field():
    fijo = {"campo": "telefono_fijo"}
    assert rechazo(contacto.normalize_telefono, "", **fijo) == "Captura el teléfono fijo."
    assert rechazo(contacto.normalize_telefono, "55 1234", **fijo) == (
        "El teléfono fijo debe tener 10 dígitos; tienes 6."
    )
    assert rechazo(contacto.normalize_telefono, "55 ABC", **fijo) == (
        "El teléfono fijo solo puede tener dígitos, espacios, guiones y el prefijo +52."
    )


def test_unknown_campo_is_a_programming_error_not_a_user_message():
    with pytest.raises(ValueError) as info:
        contacto.normalize_telefono("5512345678", campo="fax")
    assert not isinstance(info.value, contacto.DatoInvalido)


@pytest.mark.parametrize("typed", ["", "   ", None])
def test_empty_telefono_fijo_is_none(typed):
    assert contacto.normalize_telefono_opcional(typed) is None


def test_telefono_fijo_typed_is_checked():
    assert contacto.normalize_telefono_opcional("(33) 3614-5000") == "3336145000"
    assert rechazo(contacto.normalize_telefono_opcional, "33 3614 500") == (
        "El teléfono fijo debe tener 10 dígitos; tienes 9."
    )


@pytest.mark.parametrize(
    ("digits", "shown"),
    [
        ("5512345678", "55 1234 5678"),  # Mexico City
        ("5612345678", "56 1234 5678"),  # Mexico City, the newer area code
        ("3336145000", "33 3614 5000"),  # Guadalajara
        ("8112345678", "81 1234 5678"),  # Monterrey
        ("9991234567", "999 123 4567"),  # Mérida
        ("2221234567", "222 123 4567"),  # Puebla
        ("12345", "12345"),  # not 10 digits: shown as stored
        ("", ""),
    ],
)
def test_formatear_telefono(digits, shown):
    assert contacto.formatear_telefono(digits) == shown


def test_formatted_number_normalizes_back():
    for digits in ("5512345678", "9991234567"):
        assert contacto.normalize_telefono(contacto.formatear_telefono(digits)) == digits


# The same refusal through the forms that take an address, next to its field.

@pytest.mark.parametrize("headers", [{}, HTMX], ids=["sin-js", "htmx"])
def test_the_alta_refuses_a_mailbox_name_with_accents_next_to_the_field(client, juegos, app, headers):
    contratista = preparar(app, client, juegos["moral"])
    response = alta(contratista, CURP_LUIS, correo="josé@ejemplo.mx", headers=headers)
    doc = html(response)
    assert response.status_code == 422
    assert doc.select_one("#correo-error").get_text(" ", strip=True) == f"Error: {MSG_BUZON_CON_ACENTOS}"
    assert doc.select_one("#confirmar_correo-error") is None   # the first field says it, once
    assert doc.select_one(".error-summary a[href='#correo']").get_text() == MSG_BUZON_CON_ACENTOS
    assert doc.select_one("#correo")["value"] == "josé@ejemplo.mx"
    with app.app_context():
        assert get_session().exec(select(Capturista)).first() is None
    assert leer_outbox(Path(app.instance_path) / "outbox") == []


def test_the_alta_accepts_an_idn_domain_typed_either_way_as_one_address(client, juegos, app):
    contratista = preparar(app, client, juegos["moral"])
    response = alta(contratista, CURP_LUIS, correo="luis@peña.com.mx", confirmar="luis@xn--pea-8ma.com.mx")
    assert response.status_code == 303


def test_datos_generales_refuses_a_mailbox_name_with_accents_next_to_the_field(client, juegos, app):
    ingresar(client, juegos["fisica"])
    client.post("/ingreso/terminos", data={"csrf_token": token(client, "/ingreso/terminos"), "acepto": "y"})
    url = "/datos-generales/"
    response = client.post(url, data={"csrf_token": token(client, url), "correo": "peña@ejemplo.mx",
                                      "celular": "5512345678"}, content_type="multipart/form-data")
    doc = html(response)
    assert response.status_code == 422
    assert doc.select_one("#correo-error").get_text(" ", strip=True) == f"Error: {MSG_BUZON_CON_ACENTOS}"
    assert doc.select_one("#correo")["value"] == "peña@ejemplo.mx"
    with app.app_context():
        assert get_session().exec(select(DatosGenerales)).first() is None
