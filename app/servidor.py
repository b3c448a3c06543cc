"""waitress, as `icsoe serve` runs it: the same server, without its main loop's busy wait (issue 14 §3) and
without closing the connection after a 204.

waitress has one thread that waits in select() for its sockets and a pool of threads that run the app. A channel
(a client's connection) asks select() to report its socket writable whenever it holds output. While the channel's
request is running, its worker thread writes the answer itself (waitress's `send_bytes` is 1: a worker flushes as
it writes), holding the channel's output lock for that. A socket with room is writable at once, so select()
returned immediately, the main thread found the lock taken (`_flush_some_if_lockable` does not wait for it) and
went round again: tens of select() calls per request, each one giving up Python's GIL and taking it back from the
worker threads, which forced them to switch. On this machine, with 8 threads under load, perf counted 76 select()
calls per Consulta request and 37 per "hello world" request. Left out of select() while the worker holds the lock,
the same loads made 1-2 per request: Consulta went from 4.4-4.9 to 4.0 ms of CPU per request in the server and a
"hello world" app from 0.7-1.0 to 0.3-0.4 ms (benchmarks/nodo.py measures both servers).

The worker calls waitress's trigger (which wakes select()) whenever it leaves output unsent (the client reads
slowly) or waits for the main thread to drain it (over `outbuf_high_watermark`), but it does so still holding the
lock: the main loop can read that wake-up, find the lock taken and leave the channel out of select() until its 1 s
timeout. So the channel's lock, once a worker lets go of it, pulls the trigger again if writable() said no
meanwhile. The change is `HTTPChannel.writable` and its output lock; waitress offers no setting for them, so it is
a subclass (`channel_class` is how waitress's own servers pick theirs). tests/test_servidor.py checks large,
streamed and slowly read answers through it, a wake-up pulled while the worker holds the lock, and counts select()
calls under load.

One more change, of the task (`Tarea`): an HTTP/1.1 connection stays open after a 204 or a 304, which waitress
closed (every draft autosave and htmx redirect is a 204).
"""
from __future__ import annotations

import logging
import threading

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import WSGITask


class _Salida(threading.Condition):
    """waitress's output lock (a Condition on an RLock) that, once a worker lets go of it, wakes the main loop if
    that loop left the channel out of select() meanwhile. waitress pulls its trigger while the worker still holds
    the lock (write_soon, _flush_outbufs_below_high_watermark): the main loop may read that wake-up, find the lock
    taken and go back to select() with nothing left to wake it but the 1 s timeout."""

    def __init__(self, canal):
        super().__init__(threading.RLock())
        soltar = self._release_save  # Condition.wait lets go of the lock through this

        def _release_save():
            estado = soltar()
            canal._avisar()
            return estado

        self._release_save = _release_save
        self._canal = canal

    def __exit__(self, *exc):
        resultado = super().__exit__(*exc)
        if not self._is_owned():  # the outermost `with`: the lock is free
            self._canal._avisar()
        return resultado


class Tarea(WSGITask):
    """waitress's task, which keeps an HTTP/1.1 connection open after a 204 or a 304. waitress closed it: without a
    Content-Length it cannot tell where a body ends, and it (rightly) sends none on those statuses, which have no
    body (RFC 9112 §6.3: they end at their headers). Every draft autosave and htmx redirect is a 204, and the
    next request had to open a new connection: the browser's, or behind a proxy the proxy's to this node."""

    _en_cabecera = False

    def build_response_header(self):
        self._en_cabecera = True
        try:
            return super().build_response_header()
        finally:
            self._en_cabecera = False

    def get_environment(self) -> dict:
        environ = super().get_environment()
        if environ.get("SERVER_SOFTWARE") is None:  # no ident (crear): no Server header, but WSGI asks for a str
            environ["SERVER_SOFTWARE"] = "waitress"
        return environ

    def set_close_on_finish(self) -> None:
        if self._en_cabecera and not self.has_body and self.version == "1.1" and self._puede_seguir():
            return  # no body to delimit: the connection can carry the next request
        super().set_close_on_finish()

    def _puede_seguir(self) -> bool:
        """Whether the request lets the connection go on (a red-team review of this class): not when "close" is
        among its Connection options (`keep-alive, close`, or two headers, which waitress joins with ", "), nor
        when its body came chunked. Browsers and htmx send a Content-Length; a chunked request may have carried a
        Content-Length too, which a front end could have gone by instead, so the bytes after the chunked body
        would be a request smuggled past it (RFC 9112 §6.1: close after answering such a request). Nor when
        the answer declares a length: waitress writes a `wsgi.file_wrapper`'s bytes even after a 304, which on a
        connection that goes on would be read as the start of the next answer (werkzeug answers 204 and 304 with
        no body and no length). Stock waitress closes after every 204, so those stay as it has them."""
        opciones = {o.strip(" \t").lower() for o in self.request.headers.get("CONNECTION", "").split(",")}
        return "close" not in opciones and not self.request.chunked and not self.content_length


class Canal(HTTPChannel):
    """waitress's channel, out of select()'s write set while its worker writes to it; its tasks are `Tarea`s."""

    task_class = Tarea
    _fuera = False  # writable() left the channel out of select(): the lock's next release wakes the main loop

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outbuf_lock = _Salida(self)

    def writable(self):
        if not super().writable():
            return False
        if self.requests and not (self.will_close or self.close_when_flushed):
            # A request is running. If its worker holds the output lock, the main thread could not flush anyway;
            # the lock's release wakes the main loop. The flag goes up before trying the lock: a release between
            # the two pulls a (spare) trigger, one after a failed try always finds it up.
            self._fuera = True
            if not self.outbuf_lock.acquire(False):
                return False
            self.outbuf_lock.release()
            self._fuera = False
        return True

    def _avisar(self):
        if self._fuera:
            self._fuera = False
            self.server.pull_trigger()


def crear(app, **ajustes):
    """waitress's create_server(app, **ajustes), its listening sockets opening `Canal`s. Without an `ident`, answers
    carry no Server header (waitress would name itself): it only tells a prober what runs here, on every answer."""
    ajustes.setdefault("ident", "")
    mapa: dict = {}
    server = create_server(app, map=mapa, **ajustes)
    for despachador in mapa.values():
        if isinstance(despachador, BaseWSGIServer):
            despachador.channel_class = Canal
    return server


def servir(app, **ajustes) -> None:
    """waitress.serve(app, **ajustes) with `crear`: the same log setup and "Serving on" lines."""
    logging.basicConfig()
    server = crear(app, **ajustes)
    server.print_listen("Serving on http://{}:{}")
    server.run()
