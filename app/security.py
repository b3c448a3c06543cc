"""HTTP response headers that every answer carries, and the static-file cache policy."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, request, url_for

from .htmx import wants_fragment

# No inline script or style anywhere: htmx's own indicator style sheet is switched off in layout.html's
# htmx-config meta tag and its rules live in app.css. Scripts, styles, fetches and fonts fall back to default-src
# 'self' (naming script-src and style-src too weighed 40 B on every page and allowed nothing more).
CSP = "; ".join([
    "default-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

YEAR = 365 * 24 * 3600


@lru_cache(maxsize=64)
def _content_hash(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=64)
def _version(folder: str, filename: str) -> str:
    path = Path(folder) / filename
    return _content_hash(str(path), path.stat().st_mtime_ns)


def static_url(app: Flask, filename: str) -> str:
    """A static URL that changes with the file's content, so it can be cached for a year ("immutable").

    Files with the version in their name (htmx-4.0.1.min.js) need no query; app.css gets one. The files do not change
    while a node runs (an upgrade restarts it), so the version is computed once per file: a stat() on every render
    cost a GIL hand-off per page under load. In debug mode (editing app.css) it follows the file's changes.
    """
    if app.debug:
        path = Path(app.static_folder) / filename
        version = _content_hash(str(path), path.stat().st_mtime_ns)
    else:
        version = _version(app.static_folder, filename)
    return url_for("static", filename=filename, v=version)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["static_url"] = lambda filename: static_url(app, filename)

    @app.after_request
    def _headers(response: Response) -> Response:
        sin_contenido = response.status_code == 204 or 300 <= response.status_code < 400
        if sin_contenido and response.status_code != 304:
            # A redirect (the 303 after a POST without htmx, a sign-in asked for) is followed, never shown:
            # werkzeug's "You should be redirected automatically" note goes (221 B and its type).
            response.set_data(b"")
        if not sin_contenido:
            response.headers["X-Content-Type-Options"] = "nosniff"  # how a body is read: these have none
        if request.endpoint == "static" and response.status_code == 200:
            # A style sheet or a script: the headers below govern documents (what they load, who frames them,
            # what they refer), which these are not.
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
            return response
        if "Cache-Control" not in response.headers:
            # Pages hold personal data and CSRF tokens: never kept by shared caches or the back button's disk cache.
            # A 204 too: htmx's HX-Redirect answers GETs (sign in, the terms, an expired session), and without
            # Cache-Control a 204 is heuristically cacheable (RFC 9111 §4.2.2).
            response.headers["Cache-Control"] = "no-store"
        if sin_contenido:
            # No content (a kept draft, htmx's HX-Redirect, a redirect): no document either, and no type (Flask
            # gives every answer one; 40 B on each autosave) nor nosniff (31 B); a redirect's headers are not a
            # page's (a browser applies a CSP, framing and referrer rules to the page it lands on).
            response.headers.pop("Content-Type", None)
            return response
        if wants_fragment():
            # A part of a page that htmx swaps into the document, which came with the headers below; a fetch's
            # answer is no document of its own, and a browser that asks for the same URL without htmx gets the
            # whole page and its headers (Vary: HX-Request). 450 B less on each of the onboarding's htmx answers.
            return response
        if app.config.get("SESSION_COOKIE_SECURE"):
            # Kept by the browser from the first page of a visit: every visit begins with one.
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        return response
