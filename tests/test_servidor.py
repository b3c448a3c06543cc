"""app/servidor.py: waitress without its main loop's busy wait still delivers every answer, whole and at once."""
from __future__ import annotations

import hashlib
import http.client
import select
import socket
import threading
import time

import pytest
from waitress import wasyncore

from app.servidor import Canal, crear


def _servidor(app, **ajustes):
    server = crear(app, host="127.0.0.1", port=0, **ajustes)
    hilo = threading.Thread(target=server.run, daemon=True)
    hilo.start()
    return server, server.effective_port


@pytest.fixture
def servir():
    servidores = []

    def iniciar(app, **ajustes):
        server, puerto = _servidor(app, **ajustes)
        servidores.append(server)
        return puerto

    yield iniciar
    for server in servidores:
        server.close()
        server.task_dispatcher.shutdown()


def _bloques(n: int, tamano: int) -> list[bytes]:
    return [bytes([i % 251]) * tamano for i in range(n)]


def test_every_listening_socket_opens_the_quiet_channels():
    from waitress.server import BaseWSGIServer

    uno = crear(lambda e, s: [], host="127.0.0.1", port=0)
    varios = crear(lambda e, s: [], listen="127.0.0.1:0 127.0.0.1:0")  # waitress's MultiSocketServer
    try:
        assert uno.channel_class is Canal
        escuchas = [d for d in varios.map.values() if isinstance(d, BaseWSGIServer)]
        assert len(escuchas) == 2 and all(d.channel_class is Canal for d in escuchas)
    finally:
        uno.close()
        uno.task_dispatcher.shutdown()
        varios.close()


def test_a_streamed_answer_larger_than_the_socket_buffers_reaches_a_slow_reader_whole(servir):
    """The worker leaves output unsent (the client reads slowly) and its trigger wakes the main loop, which sends
    the rest; with a small high-water mark the worker also waits for the main loop to drain its buffer."""
    bloques = _bloques(40, 256 * 1024)  # 10 MB in chunks

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/octet-stream"),
                                  ("Content-Length", str(sum(map(len, bloques))))])
        return iter(bloques)

    puerto = servir(app, threads=2, outbuf_high_watermark=512 * 1024)
    with socket.create_connection(("127.0.0.1", puerto), timeout=30) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        recibido = bytearray()
        while chunk := s.recv(64 * 1024):
            recibido += chunk
            if len(recibido) < 2 * 1024 * 1024:
                time.sleep(0.002)  # slow at first: the server's buffers fill up
    cabeza, cuerpo = bytes(recibido).split(b"\r\n\r\n", 1)
    assert cabeza.startswith(b"HTTP/1.1 200")
    assert hashlib.sha256(cuerpo).digest() == hashlib.sha256(b"".join(bloques)).digest()


def test_many_answers_on_one_connection_each_come_at_once(servir):
    """A wake-up lost between the worker and the main loop would hold an answer until select()'s 1 s timeout."""
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"x" * 20_000]  # past waitress's first flush

    puerto = servir(app, threads=4)
    conexion = http.client.HTTPConnection("127.0.0.1", puerto, timeout=10)
    inicio = time.monotonic()
    for _ in range(200):
        conexion.request("GET", "/")
        respuesta = conexion.getresponse()
        assert respuesta.status == 200 and len(respuesta.read()) == 20_000
    conexion.close()
    # 200 answers; had one in ten waited for the timeout, this would take 20 s.
    assert time.monotonic() - inicio < 15


def test_the_main_loop_does_not_spin_while_workers_write(servir, monkeypatch):
    """Under load (8 threads busy with Python work, 8 keep-alive clients), select() is called about once per
    request; waitress's own channel made it tens of times (each one a GIL hand-off with the workers)."""
    llamadas = []
    original = select.select

    class Contador:
        error = select.error

        def select(self, *args):
            llamadas.append(1)
            return original(*args)

        def __getattr__(self, nombre):
            return getattr(select, nombre)

    monkeypatch.setattr(wasyncore, "select", Contador())

    def app(environ, start_response):
        sum(i * i for i in range(20_000))  # a page's Python work
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"<p>" + b"x" * 16_000]

    puerto = servir(app, threads=8)
    por_cliente = 30

    def cliente():
        conexion = http.client.HTTPConnection("127.0.0.1", puerto, timeout=30)
        for _ in range(por_cliente):
            conexion.request("GET", "/")
            conexion.getresponse().read()
        conexion.close()

    hilos = [threading.Thread(target=cliente) for _ in range(8)]
    llamadas.clear()
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()
    peticiones = 8 * por_cliente
    assert len(llamadas) <= 4 * peticiones, f"{len(llamadas)} select() calls for {peticiones} requests"
