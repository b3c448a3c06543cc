"""Spanish answers for HTTP errors: a short alert for htmx, the whole page otherwise (never werkzeug's English)."""
from __future__ import annotations

from flask import Flask, current_app, render_template, request, url_for
from jinja2_fragments.flask import render_block
from sqlalchemy.exc import OperationalError
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import Conflict, HTTPException, SecurityError

from .db import get_session
from .htmx import wants_fragment
from .uploads import CaracterNulo, too_large_answer

MESSAGES = {
    400: ("Solicitud no válida", "La solicitud no es válida. Recarga la página e inténtalo de nuevo."),
    403: ("Acceso no permitido", "No tienes permiso para ver esta página."),
    404: ("Página no encontrada", "La página que buscas no existe. Revisa la dirección o vuelve al inicio."),
    405: ("Operación no permitida", "Esta dirección no admite esa operación. Vuelve al inicio."),
    413: ("Archivo demasiado grande", "Lo que enviaste es demasiado grande. Revisa que elegiste los archivos "
          "correctos: un certificado o una llave privada del SAT ocupa unos 2 KB, y un documento PDF, como máximo 5 MB."),
    409: ("Ya no se puede hacer", "Otra pestaña, otra persona o un doble clic lo cambió antes. Revisa cómo quedó y, "
          "si hace falta, vuelve a intentarlo."),
    429: ("Demasiados intentos", "Hiciste demasiados intentos. Espera unos minutos antes de volver a intentarlo."),
    503: ("Portal ocupado", "El portal está atendiendo muchas solicitudes a la vez y la tuya no se guardó. Espera "
          "unos segundos y vuelve a intentarlo."),
    500: ("Error del sistema", "Ocurrió un error inesperado. Tus datos no se perdieron; inténtalo de nuevo en unos minutos."),
}
# A request for a Host that is not the portal's (TRUSTED_HOSTS): no URL of ours can be built for it, so the answer
# is this page, which links nowhere.
HOST_AJENO = ('<!doctype html><html lang="es-MX"><head><meta charset="utf-8"><title>Solicitud no válida - ICSOE IMSS'
              '</title></head><body><main><h1>Solicitud no válida</h1><p>Esta dirección no es la del portal ICSOE. '
              'Escribe la dirección que te dio tu contratista o el IMSS.</p></main></body></html>')
CSRF_MESSAGE = ("Tu sesión expiró o el formulario ya no es válido. Recarga la página e inténtalo de nuevo; "
                "por seguridad, vuelve a seleccionar los archivos.")


class Conflicto(Conflict):
    """409 with what the thing stands at now (`mensaje`, Spanish) and a link to see it (`volver`, `etiqueta`): the
    second click of a double click, or a change another tab or person made first, says what happened instead of
    "no válida"."""

    def __init__(self, mensaje: str, volver: str, etiqueta: str):
        super().__init__(mensaje)
        self.volver, self.etiqueta = volver, etiqueta


def _answer(status: int, message: str, volver: tuple[str, str] | None = None):
    if isinstance(request.routing_exception, SecurityError):
        # A Host that is not the portal's, refused before routing for something else (a NUL in the body, say):
        # no page of ours can be built for it either (its links need the URL adapter that host did not get).
        return HOST_AJENO, 400, {"Content-Type": "text/html; charset=utf-8"}
    title, default = MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
    # After a refused POST, "try again" is the same address read with GET (the form itself), built anew from the
    # route it matched: the path as the client sent it could be "/\\evil.example/" (a NUL or an oversized body is
    # refused before routing), which browsers follow off-site. A path that matched no route gets no link.
    again = None
    if request.method == "POST" and status in (400, 413, 429) and request.url_rule is not None:
        again = url_for(request.url_rule.endpoint, **(request.view_args or {}))
    context = {"titulo": title, "mensaje": message or default, "status": status, "otra_vez": again,
               "volver": volver}
    if wants_fragment():
        # Into the page's alert region, so the form the user was filling in stays as it was.
        body = render_block("error.html", "aviso", **context)
        return body, status, {"HX-Retarget": "#avisos", "HX-Reswap": "innerHTML"}
    return render_template("error.html", **context), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_e):
        return _answer(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        if e.code is None or e.code < 400:
            return e
        if isinstance(e, SecurityError):
            return HOST_AJENO, 400, {"Content-Type": "text/html; charset=utf-8"}
        if e.code == 413:
            answer = too_large_answer()
            if answer is not None:
                return answer
        if isinstance(e, Conflicto):
            return _answer(409, e.description, (e.volver, e.etiqueta))
        return _answer(e.code, e.description if isinstance(e, CaracterNulo) else "")

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        if isinstance(e, HTTPException):
            return _http(e)
        if _bloqueada(e):
            # SQLite's write lock stayed taken past db.SQLITE_ESPERA (a burst of large imports on one node): the
            # request changed nothing (its transaction is rolled back), and trying again later is the answer.
            current_app.logger.warning("database is locked: %s %s answered 503", request.method, request.path)
            get_session().rollback()
            body, status, *headers = _answer(503, "")
            return body, status, {**(headers[0] if headers else {}), "Retry-After": "5"}
        current_app.logger.exception("unexpected error")
        return _answer(500, "")


def _bloqueada(e: BaseException) -> bool:
    """SQLite's "database is locked" (an OperationalError carrying sqlite3's)."""
    return isinstance(e, OperationalError) and "database is locked" in str(getattr(e, "orig", e))
