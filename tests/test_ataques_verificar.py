"""Hostile input to the public Verificar acuse page: markup, control characters, repeated and oversized
parameters, other methods. Always a Spanish answer, never a 500, nothing echoed raw."""
from __future__ import annotations

import pytest

from .conftest import html
from .test_acuses import app, presentada, sello_de, verificar  # noqa: F401
from .test_informativa import a, lista  # noqa: F401

XSS = '"><script>alert(1)</script><img src=x onerror=alert(1)>'


@pytest.mark.parametrize("folio, sello", [
    (XSS, XSS), ("ICSOE-N2026-000001", XSS[:8]), ("ICSOE-N2026-000001\u200b", "AAAAAAAA"),
    ("ICSOE-N2026-000001", "AAAA\u00a0AAA"), ("ICSOE-N2026-000001", "\x7f" * 8),
    ("ICSOE-N2026-000001\r\nX-Evil: 1", "AAAAAAAA"), ("ICSOE-N2026-0000010", "AAAAAAAA"),
    ("ICSOE-N9999-999999", "////////"), ("ICSOE-N2026-000001", "%2B%2B%2B%2B%2B%2B%2B%2B"),
])
def test_entradas_raras(app, folio, sello):
    r = verificar(app.test_client(), folio, sello)
    cuerpo = r.get_data(as_text=True)
    assert r.status_code in (404, 422), r.status_code
    assert "<script>alert(1)" not in cuerpo and "onerror=alert" not in cuerpo.replace("&#34;", '"').split("<main")[0]
    assert "X-Evil" not in r.headers
    if r.status_code == 422:
        assert html(r).title.get_text().startswith("Error:")


def test_metodos_y_cuerpos(app):
    c = app.test_client()
    for metodo in ("post", "put", "delete", "patch"):
        r = getattr(c, metodo)("/acuses/verificar?folio=ICSOE-N2026-000001&sello=AAAAAAAA", data={"x": "y"})
        assert r.status_code == 405, (metodo, r.status_code)
        assert "no admite" in html(r).get_text()
    r = c.options("/acuses/verificar")
    assert r.status_code < 500
    r = c.get("/acuses/verificar?" + "&".join(f"folio={i}" for i in range(20000)))
    assert r.status_code in (400, 414, 422, 431)


def test_success_is_not_cached_and_echoes_only_the_question(presentada, app):
    _a, iid, folio = presentada
    sello = sello_de(app, iid)
    r = verificar(app.test_client(), folio.lower() + "  ", " " + sello[:8] + " ")
    assert r.status_code == 200 and "es auténtico" in r.get_data(as_text=True)
    assert r.headers["Cache-Control"] == "no-store"
    doc = html(r)
    assert doc.select_one("#folio")["value"].strip().upper() == folio
    assert sello[8:16] not in r.get_data(as_text=True)
