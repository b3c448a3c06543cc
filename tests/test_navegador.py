"""app.navegador: the browser's cookie that moves its own sign-in attempts off the shared address."""
from __future__ import annotations

import time

import pytest
from itsdangerous import TimestampSigner

from app import navegador

SECRETO = "s" * 32


def test_a_credential_remembered_is_known_and_no_other():
    nav = navegador.leer(SECRETO, navegador.recordar(SECRETO, None, "curp:AAAA000101HDFRRN09"))
    assert nav is not None and len(nav.id) == 16
    assert navegador.conoce(SECRETO, nav, "curp:AAAA000101HDFRRN09")
    assert not navegador.conoce(SECRETO, nav, "curp:BBBB000101HDFRRN09")
    assert not navegador.conoce(SECRETO, None, "curp:AAAA000101HDFRRN09")


def test_the_browser_keeps_its_id_and_its_newest_credentials_first():
    valor = navegador.recordar(SECRETO, None, "cer:0")
    primero = navegador.leer(SECRETO, valor)
    for n in range(1, 12):
        valor = navegador.recordar(SECRETO, navegador.leer(SECRETO, valor), f"cer:{n}")
    nav = navegador.leer(SECRETO, valor)
    assert nav.id == primero.id and len(nav.huellas) == navegador.MAX_CREDENCIALES
    assert nav.huellas[0] == navegador.huella(SECRETO, "cer:11")
    assert navegador.conoce(SECRETO, nav, "cer:4") and not navegador.conoce(SECRETO, nav, "cer:3")
    # Signing in again with one it knows moves it first, without repeating it.
    nav = navegador.leer(SECRETO, navegador.recordar(SECRETO, nav, "cer:4"))
    assert nav.huellas[0] == navegador.huella(SECRETO, "cer:4") and len(set(nav.huellas)) == len(nav.huellas)
    assert len(valor) <= navegador.MAX_VALOR


def test_two_new_browsers_get_two_ids():
    uno = navegador.leer(SECRETO, navegador.recordar(SECRETO, None, "cer:0"))
    otro = navegador.leer(SECRETO, navegador.recordar(SECRETO, None, "cer:0"))
    assert uno.id != otro.id


def test_the_cookie_names_no_credential_and_depends_on_the_secret():
    valor = navegador.recordar(SECRETO, None, "curp:AAAA000101HDFRRN09")
    assert "AAAA000101HDFRRN09" not in valor
    assert navegador.huella(SECRETO, "curp:X") != navegador.huella("t" * 32, "curp:X")
    assert navegador.leer("t" * 32, valor) is None


@pytest.mark.parametrize("valor", [None, "", "x", "a" * (navegador.MAX_VALOR + 1), "ñ" * 40, "a.b.c"])
def test_anything_but_a_valid_cookie_is_none(valor):
    assert navegador.leer(SECRETO, valor) is None


B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def alterar(valor: str, i: int) -> str:
    """`valor` with its i-th character changed in the top bit of its six: a change base64 cannot drop (the low bits
    of a last character may be padding, which a decoder ignores)."""
    c = valor[i]
    otro = B64URL[B64URL.index(c) ^ 32] if c in B64URL else "A"
    return valor[:i] + otro + valor[i + 1:]


def test_an_altered_cookie_is_none():
    valor = navegador.recordar(SECRETO, None, "cer:0")
    for i in range(len(valor)):
        assert navegador.leer(SECRETO, alterar(valor, i)) is None


@pytest.mark.parametrize("datos", ["corto", "A" * 16 + "~corto", "A" * 16 + "~" + "B" * 12 * 2,
                                   "~".join(["A" * 16] + ["B" * 12] * (navegador.MAX_CREDENCIALES + 1)),
                                   "A" * 15 + "*~" + "B" * 12])
def test_a_well_signed_but_malformed_cookie_is_none(datos):
    assert navegador.leer(SECRETO, TimestampSigner(SECRETO, salt=navegador.SALT).sign(datos).decode()) is None


def test_a_cookie_older_than_its_life_is_none(monkeypatch):
    antes = time.time() - navegador.VIGENCIA.total_seconds() - 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(antes))
    valor = navegador.recordar(SECRETO, None, "cer:0")
    monkeypatch.undo()
    assert navegador.leer(SECRETO, valor) is None
