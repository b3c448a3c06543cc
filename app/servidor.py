"""waitress, as `icsoe serve` runs it: the same server, without its main loop's busy wait (issue 14 §3).

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

Nothing is lost by waiting: the worker calls waitress's trigger (which wakes select()) whenever it leaves output
unsent (the client reads slowly) or waits for the main thread to drain it (over `outbuf_high_watermark`), and when
its request ends. The only change is `HTTPChannel.writable`; waitress offers no setting for it, so it is a subclass
(`channel_class` is how waitress's own servers pick theirs). tests/test_servidor.py checks large, streamed and
slowly read answers through it, and counts select() calls under load.
"""
from __future__ import annotations

import logging

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server


class Canal(HTTPChannel):
    """waitress's channel, out of select()'s write set while its worker writes to it."""

    def writable(self):
        if not super().writable():
            return False
        if self.requests and not (self.will_close or self.close_when_flushed):
            # A request is running. If its worker holds the output lock, the main thread could not flush anyway;
            # the worker triggers the main loop when it leaves anything for it.
            if not self.outbuf_lock.acquire(False):
                return False
            self.outbuf_lock.release()
        return True


def crear(app, **ajustes):
    """waitress's create_server(app, **ajustes), its listening sockets opening `Canal`s."""
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
