"""The request class (htmx-aware, uploads kept in memory) and per-view limits on the request body."""
from __future__ import annotations

import io

from flask import Flask, current_app, request
from htmx_flask.requests import HtmxAwareRequest
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter


# The most of one uploaded file that is kept: the largest document (the 5 MB acuse) and one byte more, enough to
# know it is too big. The rest is counted, not kept, so a 20 MB file costs no more memory than a 5 MB one and the
# form's other fields are still read (what the user typed is not lost for a file that was too big).
MAX_FILE_KEPT = 5 * 1024 * 1024 + 1


class CappedBuffer(io.BytesIO):
    """An upload's stream: keeps the first `cap` bytes, counts them all in `size`."""

    def __init__(self, cap: int = MAX_FILE_KEPT):
        super().__init__()
        self.cap, self.size = cap, 0

    def write(self, data) -> int:
        self.size += len(data)
        room = self.cap - self.tell()
        if room > 0:
            super().write(bytes(data[:room]))
        return len(data)

    @property
    def truncated(self) -> bool:
        return self.size > self.cap


def upload_size(file_storage) -> int:
    """The real size of an upload, even when only its first bytes were kept."""
    stream = file_storage.stream
    return stream.size if isinstance(stream, CappedBuffer) else len(file_storage.read())


class Request(HtmxAwareRequest):
    """Uploads stay in memory, never in a temporary file: a private key must not touch the disk, and documents
    go to the database anyway. Each file keeps at most MAX_FILE_KEPT bytes; MAX_CONTENT_LENGTH (or a view's own
    limit) bounds the request."""

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return CappedBuffer()


def limit_body(max_bytes: int, too_large=None):
    """Mark a view whose requests may carry at most `max_bytes` (the app-wide limit is sized for a 5 MB PDF).

    `too_large()`, if given, answers a request over the limit in the view's own terms (its page, the message next
    to the file field) instead of the generic 413 page. It must not read the request's body."""

    def mark(view):
        view.max_content_length = max_bytes
        view.too_large = too_large
        return view

    return mark


def too_large_answer():
    """The answer of the current view's `too_large` hook, or None when it has none."""
    view = current_app.view_functions.get(request.endpoint or "")
    hook = getattr(view, "too_large", None)
    return hook() if hook else None


class CaracterNulo(BadRequest):
    """A NUL character ("\\x00") in the address, a field or a file name. Nobody types one, and PostgreSQL can neither
    store nor compare text that holds it (SQLite can), so it is refused at the door on every database alike."""

    description = ("La solicitud contiene un carácter no válido (NUL). Revisa lo que escribiste o pegaste e "
                   "inténtalo de nuevo.")


def _has_nul(values: MultiDict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in items) for key, items in values.lists())


class IdConverter(IntegerConverter):
    """`<int:…>` in a route: a database id, so at most PostgreSQL's INTEGER (2**31 - 1). A longer number is a page
    that does not exist (404), not an overflow in the driver (SQLite refuses Python ints beyond 64 bits)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Install the request class and apply view limits. Call before CSRFProtect, whose check reads the body, and
    before registering blueprints (their `<int:…>` routes take IdConverter)."""
    app.request_class = Request
    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def _apply_view_limit() -> None:
        view = current_app.view_functions.get(request.endpoint or "")
        limit = getattr(view, "max_content_length", None)
        if limit is not None:
            request.max_content_length = limit

    @app.before_request
    def _refuse_nul() -> None:
        if "\x00" in request.path or _has_nul(request.args):
            raise CaracterNulo()
        if request.method == "POST" and (
                _has_nul(request.form) or any("\x00" in (f.filename or "") for f in request.files.values())):
            raise CaracterNulo()
