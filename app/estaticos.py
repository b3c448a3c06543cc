"""Static files (app.css, htmx) compressed once at the best level and kept in memory.

Flask-Compress streams static files through brotli at the quality set for pages made per request (config.py):
at its default 4, htmx went out as 13.9 KB, and app.css as 3.5 KB. These files never change while the app runs and
are asked for by every first visit, so each is compressed once, at brotli 11 and gzip 9 (12.0 and 2.9 KB), when
first asked for.
Their URLs carry a version (security.static_url), so the answer needs no validators (ETag, Last-Modified) and
no Expires beside Cache-Control's year (security.py).
"""
from __future__ import annotations

import gzip
import mimetypes
import os
from functools import lru_cache

import brotli
from flask import Flask, Response, abort, request
from werkzeug.security import safe_join

ENCODINGS = ("br", "gzip")  # preferred first, among those the browser accepts


@lru_cache(maxsize=16)
def _versiones(path: str, mtime_ns: int, size: int) -> dict[str, bytes]:
    with open(path, "rb") as f:
        data = f.read()
    versiones = {"br": brotli.compress(data, quality=11), "gzip": gzip.compress(data, 9, mtime=0)}
    return {"identity": data, **{k: v for k, v in versiones.items() if len(v) < len(data)}}


def servir(app: Flask, filename: str) -> Response:
    path = safe_join(app.static_folder, filename)
    if path is None or not os.path.isfile(path):
        abort(404)
    estado = os.stat(path)
    versiones = _versiones(path, estado.st_mtime_ns, estado.st_size)
    encoding = next((e for e in ENCODINGS if e in versiones and request.accept_encodings[e]), "identity")
    response = Response(versiones[encoding], mimetype=mimetypes.guess_type(filename)[0] or "application/octet-stream")
    if encoding != "identity":
        response.headers["Content-Encoding"] = encoding  # Flask-Compress leaves an encoded answer alone
    response.vary.add("Accept-Encoding")
    return response


def init_app(app: Flask) -> None:
    app.view_functions["static"] = lambda filename: servir(app, filename)
