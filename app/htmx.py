"""Full page or fragment: the only module that reads htmx's request headers (STYLE.md §3, §5)."""
from __future__ import annotations

from flask import Response, make_response, redirect, render_template
from htmx_flask import request
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
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")  # caches must key on it (htmx docs, "Caching")
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
    response.headers.set("Content-Disposition", "attachment", filename=nombre)
    response.headers["Cache-Control"] = "private, no-store"
    return response
