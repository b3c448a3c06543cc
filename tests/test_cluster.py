"""Two nodes on one PostgreSQL behind haproxy (issue 14, §1): every multi-step flow may cross nodes, throttling
counts failures across them, and signing out ends the session on both. The cluster is real (tests/cluster.py):
`icsoe serve` processes, deploy/haproxy.cfg, the throwaway PostgreSQL server; the client is plain HTTP."""
from __future__ import annotations

import pytest
import requests
from bs4 import BeautifulSoup

pytestmark = pytest.mark.postgres


@pytest.fixture
def cluster(live_cluster, cluster_compartido):
    """The cluster, its database emptied for this test."""
    return cluster_compartido


def _csrf(respuesta) -> str:
    return BeautifulSoup(respuesta.text, "html.parser").select_one("input[name=csrf_token]")["value"]


def _validar(cliente, base, juego, password=None):
    token = _csrf(cliente.get(base + "/ingreso/efirma"))
    return cliente.post(base + "/ingreso/efirma", data={"csrf_token": token, "rfc": juego.rfc,
                                                        "password": juego.password if password is None else password},
                        files={"cer": ("certificado.cer", juego.cer), "key": ("llave.key", juego.key)},
                        allow_redirects=False)


def _nodo(respuesta) -> str:
    return respuesta.headers["X-ICSOE-Nodo"]


def test_the_proxy_spreads_requests_over_both_nodes(cluster):
    assert requests.get(cluster.proxy + "/salud").text == "ok\n"
    nodos = [_nodo(requests.get(cluster.proxy + "/")) for _ in range(6)]
    assert set(nodos) == {"nodo1", "nodo2"}, nodos


def test_validar_on_one_node_and_ingresar_on_the_other(cluster, juegos):
    cliente = requests.Session()
    validado = _validar(cliente, cluster.proxy, juegos["moral"])
    assert validado.status_code == 200 and "La validación de la FIEL fue exitosa." in validado.text
    token = _csrf(validado)
    ingreso = cliente.post(cluster.proxy + "/ingreso/ingresar", data={"csrf_token": token}, allow_redirects=False)
    assert ingreso.status_code == 303 and ingreso.headers["Location"].endswith("/ingreso/terminos")
    assert _nodo(validado) != _nodo(ingreso)  # round robin: the signed proof and the session cross nodes
    # The session holds on each node by itself.
    for nodo in ("nodo1", "nodo2"):
        pagina = cliente.get(cluster.nodo(nodo) + "/ingreso/terminos", allow_redirects=False)
        assert pagina.status_code == 200 and "Términos y condiciones" in pagina.text, nodo


def test_throttling_counts_failures_on_every_node(cluster, juegos):
    """Five wrong passwords spread over both nodes: the sixth attempt is refused on either, even with the right
    password (N failures in all, not N per node)."""
    cliente = requests.Session()
    nodos = []
    for i in range(5):
        if i % 2:
            cliente.get(cluster.proxy + "/salud")  # round robin: shift which node gets the POST
        respuesta = _validar(cliente, cluster.proxy, juegos["fisica"], password="adivinanza")
        assert respuesta.status_code == 422
        nodos.append(_nodo(respuesta))
    assert set(nodos) == {"nodo1", "nodo2"}
    for nodo in ("nodo1", "nodo2"):
        respuesta = _validar(cliente, cluster.nodo(nodo), juegos["fisica"])
        assert respuesta.status_code == 429 and "Demasiados intentos fallidos" in respuesta.text, nodo


def test_signing_out_ends_the_session_on_both_nodes(cluster, juegos):
    cliente = requests.Session()
    validado = _validar(cliente, cluster.proxy, juegos["otra"])
    cliente.post(cluster.proxy + "/ingreso/ingresar", data={"csrf_token": _csrf(validado)}, allow_redirects=False)
    galleta = cliente.cookies.get("session")
    pagina = cliente.get(cluster.proxy + "/ingreso/terminos")
    salida = cliente.post(cluster.proxy + "/salir", data={"csrf_token": _csrf(pagina)}, allow_redirects=False)
    assert salida.status_code == 303
    # The cookie from before the sign-out, replayed on each node directly: no session on either.
    for nodo in ("nodo1", "nodo2"):
        robada = requests.get(cluster.nodo(nodo) + "/ingreso/terminos", cookies={"session": galleta},
                              allow_redirects=False)
        assert robada.status_code == 303 and robada.headers["Location"].endswith("/"), nodo


def test_salud_is_answered_by_each_node_and_sets_no_cookie(cluster):
    for nodo in ("nodo1", "nodo2"):
        respuesta = requests.get(cluster.nodo(nodo) + "/salud")
        assert (respuesta.status_code, respuesta.text, _nodo(respuesta)) == (200, "ok\n", nodo)
        assert "Set-Cookie" not in respuesta.headers
