"""Library hot spots replaced by equivalents, installed by create_app (issue 14 §3: a node's requests per second).
They are written by hand because the libraries offer no hook for them; tests/test_rendimiento.py checks that each
gives what the library's own function gives.

- WTForms renders every field's attributes with `Markup("{k}=\"{v}\"").format(...)`, and markupsafe's `format` runs
  Python's `string.Formatter` with escaping: 60-80 µs for one <input>. The landing page spent a third of its time
  there. `html_params` below builds the same string with plain string operations (the same escaping, the same
  sorted order, the same `data_`/`aria_` names and True/False rules), about 4 times faster.
- itsdangerous's URL-safe serializers (Flask's session cookie, Flask-WTF's CSRF token) try zlib on every payload and
  keep the result when it is shorter. `zlib.compress` releases the GIL, and under waitress's 8 threads each release
  makes the thread queue again for the GIL behind the others: py-spy found a fifth of a loaded node's threads waiting
  there. A payload under COMPRIMIR_DESDE bytes (a CSRF token: 42 B; a new visitor's session: 55 B) is not worth
  compressing anyway, so it is not tried; longer ones (a signed-in session, ~280 B, 20 % shorter compressed) still
  are. The output is one of the two forms the library itself writes and reads, so cookies and tokens stay valid.
- Flask builds a new signing serializer for the session cookie twice a request (open and save), and building one
  serializes `{}` to learn what kind of serializer it is; `SesionFirmada` keeps one per key.
- The session cookie travels with every request (26 of the onboarding's 28), so `SesionCompacta` writes its known
  keys short and Flask-WTF's CSRF secret (40 hex digits) as the 27 base64 characters of its 20 bytes: 210 → 159 B
  a request once signed in, 1.6 KB of the onboarding over HTTP/1.1. A cookie written with the long keys (before this
  version) is still read; an earlier version would not read the short ones, so a rollback signs everyone out (an
  upgrade stops every node first: README, "Upgrading").
- A signed-in page calls `url_for` about 20 times (its menu, its forms' actions, the footer) and werkzeug builds each
  URL anew, a tenth of a page's fixed cost; `url_for_en_plantillas` builds a URL without values once per app and
  script root.
"""
from __future__ import annotations

import base64
import binascii
import zlib

from flask import Flask, has_request_context, request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from markupsafe import Markup, escape
from wtforms.widgets.core import clean_key

COMPRIMIR_DESDE = 256  # bytes of JSON

_instalado = False
originales: dict = {}  # the libraries' own functions, for tests/test_rendimiento.py


def html_params(**kwargs) -> Markup:
    """wtforms.widgets.core.html_params, without markupsafe's string.Formatter."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = str(escape(clean_key(key)))
        if value is True:
            params.append(key)
        elif value is not False:
            params.append(f'{key}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))


def _dump_payload(self, obj) -> bytes:
    """URLSafeSerializerMixin.dump_payload, trying zlib only from COMPRIMIR_DESDE bytes on."""
    from itsdangerous.encoding import base64_encode
    from itsdangerous.url_safe import URLSafeSerializerMixin

    json = super(URLSafeSerializerMixin, self).dump_payload(obj)
    if len(json) >= COMPRIMIR_DESDE:
        compressed = zlib.compress(json)
        if len(compressed) < len(json) - 1:
            return b"." + base64_encode(compressed)
    return base64_encode(json)


CORTAS = {"_user_id": "u", "inicio": "i", "visto": "v", "efirma": "e", "_flashes": "f"}
LARGAS = {corta: larga for larga, corta in CORTAS.items()}
CSRF, CSRF_CORTO = "csrf_token", "c"  # Flask-WTF's session key (WTF_CSRF_FIELD_NAME's default)
HEX = frozenset("0123456789abcdef")


# The shape of the values that code reads without checking: Flask-Login's user id (auth.load_user splits it) and
# Flask's flashed messages (the layout unpacks each pair). A session signed by this server always has it; one
# written otherwise (by a release that stored another shape, under a SECRET_KEY still accepted) loses that key, so
# it is signed out or shows no message, rather than failing every request with a 500 until the cookie expires.
FORMAS = {
    "_user_id": lambda v: isinstance(v, str),
    "_flashes": lambda v: isinstance(v, list) and all(
        isinstance(par, (list, tuple)) and len(par) == 2 and all(isinstance(x, str) for x in par) for par in v),
}


class SesionCompacta(TaggedJSONSerializer):
    """Flask's session serializer (tagged JSON), its top-level keys written short. The values are Flask's own tagged
    JSON, but for a 40-hex-digit CSRF secret, which goes as base64 under its own key (anything else under
    `csrf_token` stays as it is, under that name). Any other key goes as it is, or behind a "~" if it could be read
    as a short one, and reads back as itself."""

    def dumps(self, value: dict) -> str:
        compacto = {}
        for clave, valor in value.items():
            if clave == CSRF and isinstance(valor, str) and len(valor) == 40 and HEX.issuperset(valor):
                compacto[CSRF_CORTO] = base64.urlsafe_b64encode(bytes.fromhex(valor)).rstrip(b"=").decode()
            elif clave in CORTAS:
                compacto[CORTAS[clave]] = valor
            elif isinstance(clave, str) and (clave in LARGAS or clave == CSRF_CORTO or clave[:1] == "~"):
                compacto["~" + clave] = valor  # it could be read as a short one
            else:
                compacto[clave] = valor
        return super().dumps(compacto)

    def loads(self, value: str) -> dict:
        datos: dict = {}
        leidos = super().loads(value)
        if not isinstance(leidos, dict):
            return datos  # signed by this server, so never: a new session rather than a 500 on every request
        for clave, valor in leidos.items():
            if clave == CSRF_CORTO:
                try:
                    datos[CSRF] = base64.urlsafe_b64decode(str(valor) + "=").hex()
                except (binascii.Error, ValueError):
                    continue  # signed by this server, so never; a session without a secret gets a new one
            elif clave[:1] == "~":
                datos[clave[1:]] = valor
            else:
                datos[LARGAS.get(clave, clave)] = valor
        for clave, forma in FORMAS.items():
            if clave in datos and not forma(datos[clave]):
                del datos[clave]
        return datos


class SesionFirmada(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its serializer built once per SECRET_KEY (and fallbacks) and its
    payload written by `SesionCompacta`.

    It also keeps `Vary` to the answers a cache may keep. Saving the session is the last step of every answer,
    after every `after_request`, and Flask adds "Vary: Cookie" there whenever anything looked at the session, which
    Flask-Login does on every answer (its remember-me cookie, unused here):
    - a static file reads no session and sets no cookie, so it is not saved, and caches may share it;
    - an answer with "Cache-Control: no-store" (every page, fragment and redirect) is kept by no cache, so it names
      nothing for one to vary by (RFC 9111 §5.2.2.5, §4.1): about 55 B an answer, 1.2 KB of the onboarding.
    """

    serializer = SesionCompacta()

    def __init__(self) -> None:
        self._serializadores: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        clave = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializador = self._serializadores.get(clave)
        if serializador is None:
            serializador = self._serializadores[clave] = super().get_signing_serializer(app)
        return serializador

    def save_session(self, app: Flask, session, response) -> None:
        if request.endpoint == "static":
            return
        super().save_session(app, session, response)
        if response.cache_control.no_store:
            response.headers.pop("Vary", None)


def instalar() -> None:
    """Put both in place (idempotent)."""
    global _instalado
    if _instalado:
        return
    import wtforms.widgets
    import wtforms.widgets.core as core
    from itsdangerous.url_safe import URLSafeSerializerMixin

    original = originales["html_params"] = core.html_params
    originales["dump_payload"] = URLSafeSerializerMixin.dump_payload
    core.html_params = wtforms.widgets.html_params = html_params  # module functions and wtforms.fields' Label
    for name in dir(core):  # Input and its subclasses keep it as a staticmethod
        widget = getattr(core, name)
        if isinstance(widget, type) and widget.__dict__.get("html_params") is not None \
                and widget.__dict__["html_params"].__func__ is original:
            widget.html_params = staticmethod(html_params)
    URLSafeSerializerMixin.dump_payload = _dump_payload
    _instalado = True


MAX_URLS = 1024


def url_for_en_plantillas(app: Flask) -> None:
    """The templates' `url_for`: a URL with no values (no arguments, no `_external`, not blueprint-relative) is built
    once per script root and kept, as it cannot change while the app runs (the app registers no `url_defaults`);
    anything else is Flask's own call. The script root is the server's or the proxy's fixed prefix, and the kept
    URLs are at most MAX_URLS."""
    construir = app.jinja_env.globals["url_for"]
    hechas: dict[tuple[str, str], str] = {}

    def url_for(endpoint: str, **values) -> str:
        if values or endpoint[:1] == "." or not has_request_context():
            return construir(endpoint, **values)
        clave = (request.script_root, endpoint)
        url = hechas.get(clave)
        if url is None:
            url = construir(endpoint)
            if len(hechas) < MAX_URLS:
                hechas[clave] = url
        return url

    app.jinja_env.globals["url_for"] = url_for
