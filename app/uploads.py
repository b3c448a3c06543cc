"""The request class (htmx-aware, uploads kept in memory) and per-view limits on the request body."""
from __future__ import annotations

import io

from flask import Flask, current_app, request, session
from htmx_flask.requests import HtmxAwareRequest
from werkzeug import formparser
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter


# The most of one uploaded file that is kept: the largest document (the 5 MB acuse) and one byte more, enough to
# know it is too big. The rest is counted, not kept, so a 20 MB file costs no more memory than a 5 MB one and the
# form's other fields are still read (what the user typed is not lost for a file that was too big).
MAX_FILE_KEPT = 5 * 1024 * 1024 + 1


class CappedBuffer(io.BytesIO):
    """An upload's stream: keeps the first `cap` bytes, counts them all in `size`. `budget`, shared by the
    request's file parts, is what all of them may still keep together: a request of ten 5 MB files keeps 5 MB,
    not 50 (a view reads one or two files; the e.firma's two are a few KB)."""

    def __init__(self, cap: int = MAX_FILE_KEPT, budget: list[int] | None = None):
        super().__init__()
        self.cap, self.size, self.kept = cap, 0, 0
        self.budget = budget if budget is not None else [cap]

    def write(self, data) -> int:
        self.size += len(data)
        room = min(self.cap - self.kept, self.budget[0])
        if room > 0:
            part = bytes(data[:room])
            super().write(part)
            self.kept += len(part)
            self.budget[0] -= len(part)
        return len(data)

    @property
    def truncated(self) -> bool:
        return self.size > self.kept


def upload_size(file_storage) -> int:
    """The real size of an upload, even when only its first bytes were kept; a file that the request's other
    parts left no room to keep whole counts as over its cap (a hostile request: every view refuses it as too
    big, never reads it cut short)."""
    stream = file_storage.stream
    if not isinstance(stream, CappedBuffer):
        return len(file_storage.read())
    return max(stream.size, stream.cap + 1) if stream.truncated else stream.size


class FormDataParser(formparser.FormDataParser):
    """Werkzeug 3.1 applies MAX_FORM_MEMORY_SIZE and MAX_FORM_PARTS to multipart bodies only: a URL-encoded body
    is read whole, decoded and split with no limit but the request's (its `_parse_urlencoded` says so), so a 60 MB
    body to Datos generales (whose limit is 64 MB, for the acuse) peaked at 125 MB of Python memory, as bytes and
    as text, and eight at once took the process to 722 MB.

    Here a URL-encoded body, which is all form fields, may be as big as one multipart field and hold as many
    fields as a multipart body: over either, 413, and a body declared too big is not read at all."""

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        limit = self.max_form_memory_size
        if limit is None:
            body = stream.read()
        elif content_length is not None and content_length > limit:
            raise RequestEntityTooLarge()
        else:
            body = stream.read(limit + 1)  # a body without Content-Length (chunked) is read this far only
            if len(body) > limit:
                raise RequestEntityTooLarge()
        if self.max_form_parts is not None and body.count(b"&") >= self.max_form_parts:
            raise RequestEntityTooLarge()
        _, form, files = super()._parse_urlencoded(io.BytesIO(body), mimetype, len(body), options)
        return stream, form, files


class Request(HtmxAwareRequest):
    """Uploads stay in memory, never in a temporary file: a private key must not touch the disk, and documents
    go to the database anyway. Each file keeps at most MAX_FILE_KEPT bytes; MAX_CONTENT_LENGTH (or a view's own
    limit) bounds the request, MAX_FORM_MEMORY_SIZE and MAX_FORM_PARTS (or the view's) its form fields."""

    form_data_parser_class = FormDataParser

    # The most of one file kept, and of all the request's files together (a view may keep more: limit_body's
    # `archivo`).
    max_file_kept = MAX_FILE_KEPT

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        budget = self.__dict__.setdefault("_file_budget", [self.max_file_kept])
        return CappedBuffer(self.max_file_kept, budget)


def limit_body(max_bytes: int, too_large=None, *, form_memory: int | None = None, form_parts: int | None = None,
               archivo: int | None = None):
    """Mark a view whose requests may carry at most `max_bytes` (the app-wide limit is sized for a 5 MB PDF), and,
    if given, at most `form_memory` bytes in one form field (or in a whole URL-encoded body) and `form_parts`
    fields (files included) instead of the app's MAX_FORM_MEMORY_SIZE and MAX_FORM_PARTS; `archivo`: keep up to
    this much of one uploaded file (and one byte more) instead of MAX_FILE_KEPT.

    `too_large()`, if given, answers a request over `max_bytes` in the view's own terms (its page, the message next
    to the file field) instead of the generic 413 page, or returns None to leave it to that page (the 413 comes
    before the view's own guards run: it answers only a user the view would serve). It must not read the request's
    body."""

    def mark(view):
        view.max_content_length = max_bytes
        view.max_form_memory_size = form_memory
        view.max_form_parts = form_parts
        view.max_file_kept = archivo + 1 if archivo else None
        view.too_large = too_large
        return view

    return mark


def too_large_answer():
    """The answer of the current view's `too_large` hook, or None when it has none or when the body was within the
    view's limit (the 413 is then about its form fields, too many or one too long, not about a file's size)."""
    view = current_app.view_functions.get(request.endpoint or "")
    hook = getattr(view, "too_large", None)
    if hook is None or not _con_sesion():
        return None
    length, limit = request.content_length, request.max_content_length
    if length is not None and limit is not None and length <= limit:
        return None
    return hook()


def _con_sesion() -> bool:
    """Whether the request comes with a session that is (or was, until it expired) signed in: the body is read
    before any view's sign-in guard runs, so this is what may raise a view's limits."""
    return "_user_id" in session


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
        # A view's limits apply before anything reads the body (this hook, NUL's and CSRF's come before the
        # view's own sign-in guard). Those above the app's own (the acuse, a worker file) only for a session
        # that is signed in (or was: an expired one's POST is kept as its draft): an anonymous 50 MB body to
        # Datos generales is refused by its length, unread, as on any page.
        view = current_app.view_functions.get(request.endpoint or "")
        firmado = _con_sesion()
        for name in ("max_content_length", "max_form_memory_size", "max_form_parts", "max_file_kept"):
            limit = getattr(view, name, None)
            if limit is not None and (firmado or limit <= (getattr(request, name) or limit)):
                setattr(request, name, limit)

    @app.before_request
    def _refuse_nul() -> None:
        if "\x00" in request.path or _has_nul(request.args):
            raise CaracterNulo()
        if request.method == "POST" and (
                _has_nul(request.form) or any("\x00" in (f.filename or "") for f in request.files.values())):
            raise CaracterNulo()
