"""app/rendimiento.py's replacements give what the libraries' own functions give."""
from __future__ import annotations

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from markupsafe import Markup
from wtforms import Form, PasswordField, StringField, SubmitField
from wtforms.widgets import core

from app import rendimiento

rendimiento.instalar()

VALORES = ["texto", 'con "comillas" y <etiquetas> & \'apóstrofos\'', Markup('<b title="x">ya seguro</b>'), 0, 25,
           3.5, None, "", "ñ Á ü", True, False]
CLAVES = ["class_", "id", "aria_describedby", "data_hx_post", "for_", "autocomplete", "x_y_", "a&b<c>"]


@pytest.mark.parametrize("valor", VALORES, ids=repr)
def test_html_params_gives_what_wtforms_gives(valor):
    original = rendimiento.originales["html_params"]
    for clave in CLAVES:
        kwargs = {clave: valor, "name": "campo", "required": True, "disabled": False}
        assert rendimiento.html_params(**kwargs) == original(**kwargs)
        assert isinstance(rendimiento.html_params(**kwargs), Markup)


def test_the_widgets_use_it_and_render_as_before():
    class F(Form):
        curp = StringField("CURP")
        password = PasswordField("Contraseña")
        enviar = SubmitField("Ingresar")

    form = F(data={"curp": 'AB"<CD>&'})
    assert core.Input.html_params is rendimiento.html_params
    assert core.Button.html_params is rendimiento.html_params
    html = str(form.curp(class_="input", aria_invalid="true", autocomplete=False, spellcheck="false"))
    assert html == ('<input aria-invalid="true" class="input" id="curp" name="curp" spellcheck="false" type="text" '
                    'value="AB&#34;&lt;CD&gt;&amp;">')
    assert str(form.curp.label(class_="label")) == '<label class="label" for="curp">CURP</label>'
    assert str(form.password()) == '<input id="password" name="password" type="password" value="">'
    assert str(form.enviar()) == '<input id="enviar" name="enviar" type="submit" value="Ingresar">'


@pytest.mark.parametrize("datos", [
    {"csrf_token": "b8d9b30aa7ea26eda5db53f016c2fc64fca87624"},  # short: never compressed
    "b8d9b30aa7ea26eda5db53f016c2fc64fca87624",
    {"_id": "03f0" * 32, "_user_id": "contratista:1:0", "csrf_token": "b8d9" * 10, "inicio": 1, "visto": 2},
    {"azar": "x7Q" * 200},  # long and compressible
])
def test_signed_payloads_round_trip_and_long_ones_are_still_compressed(datos):
    serializador = URLSafeTimedSerializer("secreto", salt="prueba")
    firmado = serializador.dumps(datos)
    assert serializador.loads(firmado) == datos
    largo = len(serializador.serializer.dumps(datos, separators=(",", ":")))
    if largo < rendimiento.COMPRIMIR_DESDE:
        assert not firmado.startswith(".")  # not even tried: zlib would release the GIL for nothing
    elif largo > 500:
        assert firmado.startswith(".")  # zlib, as itsdangerous does
    # what the library itself wrote (compressed or not) is read back the same
    class Original(URLSafeTimedSerializer):
        dump_payload = rendimiento.originales["dump_payload"]

    assert serializador.loads(Original("secreto", salt="prueba").dumps(datos)) == datos


def test_a_flask_session_cookie_written_before_is_still_read():
    app = Flask(__name__)
    app.secret_key = "secreto"

    class Original(URLSafeTimedSerializer):
        dump_payload = rendimiento.originales["dump_payload"]

    datos = {"_id": "03f0" * 32, "_user_id": "contratista:1:0", "csrf_token": "b8d9" * 10}
    antes = SecureCookieSessionInterface()
    cookie = Original(app.secret_key, salt=antes.salt, serializer=antes.serializer,
                      signer_kwargs={"key_derivation": antes.key_derivation,
                                     "digest_method": antes.digest_method}).dumps(datos)
    assert cookie.startswith(".")
    assert antes.get_signing_serializer(app).loads(cookie) == datos


def test_the_session_serializer_is_built_once_per_key_and_follows_a_new_key():
    app = Flask(__name__)
    app.secret_key = "uno"
    sesiones = rendimiento.SesionFirmada()
    primero = sesiones.get_signing_serializer(app)
    assert sesiones.get_signing_serializer(app) is primero
    cookie = primero.dumps({"a": 1})
    app.secret_key = "dos"
    app.config["SECRET_KEY_FALLBACKS"] = ["uno"]
    segundo = sesiones.get_signing_serializer(app)
    assert segundo is not primero
    assert segundo.loads(cookie) == {"a": 1}  # the old key still reads what it signed
    app.config["SECRET_KEY_FALLBACKS"] = []
    with pytest.raises(Exception):
        sesiones.get_signing_serializer(app).loads(cookie)
    app.secret_key = None
    assert sesiones.get_signing_serializer(app) is None


def test_templates_url_for_gives_flasks_urls_under_each_script_root():
    app = Flask(__name__)
    app.add_url_rule("/inicio/tablero", "tablero", lambda: "")
    app.add_url_rule("/c/<int:n>", "capturista", lambda n: "")
    rendimiento.url_for_en_plantillas(app)
    plantilla = "{{ url_for('tablero') }} {{ url_for('capturista', n=7) }} {{ url_for('tablero', _external=True) }}"
    for raiz in ("", "/icsoe", "/otra/raiz", ""):
        with app.test_request_context("/", base_url=f"http://ejemplo.mx{raiz}"):
            from flask import render_template_string, url_for
            esperado = f"{url_for('tablero')} {url_for('capturista', n=7)} {url_for('tablero', _external=True)}"
            assert render_template_string(plantilla) == esperado
            assert esperado.startswith(f"{raiz}/inicio/tablero {raiz}/c/7 http://ejemplo.mx{raiz}/inicio/tablero")


SESIONES = [
    {},
    {"csrf_token": "b8d9b30aa7ea26eda5db53f016c2fc64fca87624"},
    {"_user_id": "contratista:1:0", "csrf_token": "b8d9b30aa7ea26eda5db53f016c2fc64fca87624", "inicio": 1796108575,
     "visto": 1796108575},
    {"_user_id": "capturista:7:3", "efirma": ".eJxtzk1OwzAQBeCrRN5CpRmPf7MLbRZdFFBbsUV2MkaRaFK52VWcgiNxMZyIJd6M9",
     "_flashes": [("status", "Tus datos generales se guardaron correctamente.")], "inicio": 1, "visto": 2},
    {"csrf_token": "no es hexadecimal", " t": "etiqueta"},
    {"u": "una clave corta que nadie usa", "~v": 1, "c": "x", "~": 2},
    {"csrf_token": "B8D9B30AA7EA26EDA5DB53F016C2FC64FCA87624"},  # not Flask-WTF's lowercase: kept as written
    {"csrf_token": 12345, "_fresh": True, "_id": "03f0" * 32},
]


@pytest.mark.parametrize("datos", SESIONES, ids=range(len(SESIONES)))
def test_the_compact_session_reads_back_what_it_wrote(datos):
    app = Flask(__name__)
    app.secret_key = "secreto"
    firmado = rendimiento.SesionFirmada().get_signing_serializer(app)
    assert firmado.loads(firmado.dumps(datos)) == datos
    # A cookie written by Flask's own serializer (an earlier version, a node not yet upgraded) reads the same,
    # for the keys the app writes.
    if not {"u", "c"} & set(datos) and not any(clave.startswith("~") for clave in datos):
        original = SecureCookieSessionInterface().get_signing_serializer(app)
        assert firmado.loads(original.dumps(datos)) == datos


@pytest.mark.parametrize("datos, queda", [
    ({"_user_id": 5, "inicio": 1}, {"inicio": 1}),
    ({"_user_id": ["contratista:1:0"]}, {}),
    ({"_flashes": "status"}, {}),
    ({"_flashes": [("status",)], "csrf_token": "x"}, {"csrf_token": "x"}),
    ({"_flashes": [("status", 5)]}, {}),
    ({"_flashes": [["status", "Listo."]]}, {"_flashes": [["status", "Listo."]]}),
])
def test_a_session_of_another_shape_loses_that_key(datos, queda):
    app = Flask(__name__)
    app.secret_key = "secreto"
    firmado = rendimiento.SesionFirmada().get_signing_serializer(app)
    assert firmado.loads(firmado.dumps(datos)) == queda
    assert firmado.loads(SecureCookieSessionInterface().get_signing_serializer(app).dumps(datos)) == queda


def test_a_signed_payload_that_is_no_dict_is_an_empty_session():
    app = Flask(__name__)
    app.secret_key = "secreto"
    firmado = rendimiento.SesionFirmada().get_signing_serializer(app)
    assert firmado.loads(SecureCookieSessionInterface().get_signing_serializer(app).dumps([1, 2])) == {}


@pytest.mark.parametrize("datos", [{"_user_id": 5}, {"_user_id": {"a": 1}}, {"_flashes": [("status",)]},
                                   {"_flashes": 7}, [1, 2], "texto"])
def test_pages_answer_a_session_of_another_shape_without_a_500(app, datos):
    """A cookie signed with the app's own key (a release that wrote another shape, under a key still accepted):
    the landing page and a signed-in page answer as to a visitor, never 500."""
    cookie = SecureCookieSessionInterface().get_signing_serializer(app).dumps(datos)
    for ruta, estado in (("/", 200), ("/inicio/tablero", 303), ("/datos-generales/", 303)):
        cliente = app.test_client()
        cliente.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        assert cliente.get(ruta).status_code == estado, ruta


def test_a_signed_in_session_cookie_is_a_quarter_shorter():
    app = Flask(__name__)
    app.secret_key = "secreto"
    datos = SESIONES[2]
    corta = rendimiento.SesionFirmada().get_signing_serializer(app).dumps(datos)
    larga = SecureCookieSessionInterface().get_signing_serializer(app).dumps(datos)
    assert len(corta) <= 0.75 * len(larga), (len(corta), len(larga))

