"""Full page or fragment: the only module that reads htmx's request headers (STYLE.md §3, §5)."""
from __future__ import annotations

import unicodedata
from collections.abc import Callable
from urllib.parse import quote

from flask import Response, current_app, make_response, redirect, render_template, session
from flask_wtf.csrf import generate_csrf
from htmx_flask import request
from jinja2_fragments import BlockNotFoundError
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    """True when htmx asked for a part of the page (not a boost or a history restore, which want it whole)."""
    if not request.htmx:  # HX-Request: true
        return False
    kind = request.headers.get("HX-Request-Type")  # htmx 4: "full" for boosts, history, hx-select
    if kind:
        return kind == "partial"
    return not (request.htmx.boosted or request.htmx.history_restore_request)


def render(template: str, block: str | None = None, status: int | None = None, **context) -> Response:
    """The whole page for a browser, the named block of the same template for htmx (always the whole page without
    a block). The status, unless given (413, 429…), is 422 when the context holds errors (app.formularios) and 200
    otherwise; the page title says "Error:" on the same condition."""
    from .formularios import hay_errores

    context["hay_errores"] = hay_errores(context)
    if status is None:
        status = 422 if context["hay_errores"] else 200
    if block is not None and wants_fragment():
        body = render_block(template, block, **context)
        if context["hay_errores"] or request.method != "GET":
            body = _titulo(template, context) + body
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")  # caches must key on it (htmx docs, "Caching")
    response.vary.add("HX-Request-Type")
    return response


def _titulo(template: str, context: dict) -> str:
    """The page's <title>, as layout.html writes it, before a fragment that answers a form: htmx puts it in place
    (document.title), so that a refusal says "Error:" in the title with JavaScript as without it (WCAG 2.4.2, 3.3.1:
    an accessibility review), and the answer after a corrected form takes it away again. A template that is only a
    fragment (no title block of its own) leaves the title as it is."""
    try:
        titulo = render_block(template, "title", **context).strip()
    except BlockNotFoundError:  # a partial of its own (the address locator's steps): the page's title stays
        return ""
    if not titulo:
        return ""
    return f"<title>{'Error: ' if context['hay_errores'] else ''}{titulo} - ICSOE IMSS</title>"


def render_fijo(template: str, block: str | None, contexto: Callable[[], dict]) -> Response:
    """`render` for a page that is the same for every visitor but for its CSRF token: the landing page, which every
    visit, monitor and crawler asks for first. Its template (or block, for htmx) is rendered once per app; each
    answer is that text with the visitor's own token put in place of the one it was rendered with (a random token
    of 90 characters occurs nowhere else). `contexto()` builds the template's context (its form) for that one
    render. Rendered every time when templates reload (debug), when the session holds messages to show
    (`flash`), or under another script root than the first render's (a proxy's prefix)."""
    parte = block if block is not None and wants_fragment() else None
    if current_app.jinja_env.auto_reload or "_flashes" in session:
        return render(template, block, **contexto())
    token = generate_csrf()
    fijos = current_app.extensions.setdefault("paginas_fijas", {})
    fijo = fijos.get((template, parte))
    if fijo is None or fijo[0] != request.script_root:
        response = render(template, block, **contexto())
        if fijo is None and response.status_code == 200:
            fijos[(template, parte)] = (request.script_root, response.get_data(as_text=True), token)
        return response
    _, cuerpo, de_la_plantilla = fijo
    response = make_response(cuerpo.replace(de_la_plantilla, token), 200)
    response.vary.add("HX-Request")
    response.vary.add("HX-Request-Type")
    return response


def see_other(url: str) -> Response:
    """After a successful POST: 303 for a browser, HX-Redirect (a real page load, announced) for htmx."""
    response = make_response("", 204, {"HX-Redirect": url}) if request.htmx else redirect(url, 303)
    response.vary.add("HX-Request")  # the same URL answers a browser and htmx differently
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(datos: bytes, nombre: str) -> Response:
    """An .xlsx to download (Exportar Excel, Exportar listado, the Bitácora's export): never kept by a cache."""
    response = Response(datos, mimetype=XLSX)
    nombrar(response, "attachment", nombre)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def nombrar(response: Response, disposicion: str, nombre: str) -> None:
    """Content-Disposition for a file called `nombre`, whatever its characters. HTTP/1.1 headers are Latin-1 on the
    wire (waitress encodes them so, and a name with an en dash or an emoji made "Ver archivo" a 500): a name that is
    not ASCII goes as RFC 6266's filename*=UTF-8'' plus an ASCII `filename` for old clients, as Flask's send_file
    does; werkzeug quotes both. So does a name with "%": browsers percent-decode a plain `filename` (RFC 6266
    appendix D), and "Acuse%20STPS.pdf" would be saved as "Acuse STPS.pdf"."""
    if nombre.isascii() and "%" not in nombre:
        response.headers.set("Content-Disposition", disposicion, filename=nombre)
        return
    ascii_ = unicodedata.normalize("NFKD", nombre).encode("ascii", "ignore").decode("ascii").replace("%", "_").strip()
    base, punto, extension = ascii_.rpartition(".")
    if punto and not base.strip():  # only the extension was left (a name in emoji or Cyrillic): not a hidden file
        ascii_ = f"archivo.{extension}"
    nombres = {"filename": ascii_ or "archivo", "filename*": "UTF-8''" + quote(nombre, safe="!#$&+-.^_`|~")}
    response.headers.set("Content-Disposition", disposicion, **nombres)
