"""Accessibility audit of whole pages of the informativa flow, the administration and the public pages: skip link,
focus visible and not hidden on every Tab stop, unique titles, read-only views, tables at 320 px, 200 % text, the
complementaria's refusal and the error pages."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..test_firma import _enviar, firmar
from ..test_informativa import con_contrato, informativa_id, registrar
from .test_administracion_browser import _capturistas
from .test_datos_generales_browser import entrar
from .test_informativa_browser import _axe, _nueva_pagina


def _presentada(app, juegos) -> tuple[int, int, int]:
    """A Normal informativa of 2026-2 signed and filed; a second one (2026-1) in capture: (filed, its contract,
    in capture)."""
    cliente, iid, cid = con_contrato(app, juegos["moral"], trabajadores=(3, 4, 5))
    assert _enviar(cliente, iid).status_code == 303
    assert firmar(cliente, iid, juegos["moral"]).status_code == 303
    otra = informativa_id(registrar(cliente, cuatrimestre="1"))
    return iid, cid, otra


def _paginas(live, iid, cid, otra) -> list[str]:
    return [f"{live}{p}" for p in (
        "/inicio/tablero", "/datos-generales/", "/datos-generales/repse", "/informativas/", f"/informativas/{iid}",
        f"/informativas/{iid}/revision", f"/informativas/{iid}/contratos/{cid}",
        f"/informativas/{iid}/contratos/{cid}/trabajadores", f"/informativas/{otra}",
        f"/informativas/{otra}/contratos/nuevo", f"/informativas/{otra}/copiar", "/informativas/historial/2026-2",
        "/acuses/", "/bitacora/", "/administracion/alta", "/administracion/consulta", "/acuses/verificar")]


@pytest.fixture
def flujo(browser, live_app, archivos, juegos):
    app, live = live_app
    contexto, page = _nueva_pagina(browser, True, 320)
    entrar(page, live, archivos, "moral")
    iid, cid, otra = _presentada(app, juegos)
    _capturistas(app, archivos["moral"][0], n=4)
    yield app, live, page, iid, cid, otra
    contexto.close()


FOCO_VISIBLE = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return 'body';
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  const visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1) || (s.boxShadow && s.boxShadow !== 'none');
  const dentro = r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
  const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1), y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
  const arriba = document.elementFromPoint(x, y);
  const tapado = arriba && !(e === arriba || e.contains(arriba) || arriba.contains(e) || (e.labels && [...e.labels].some(l => l.contains(arriba))));
  return {tag: e.outerHTML.slice(0, 90), visible, dentro, tapado};
}"""


def test_skip_link_and_focus_on_every_tab_stop(flujo):
    """Each page at 320 px: the first Tab shows «Saltar al contenido», Enter moves the focus into <main>; every Tab
    stop (up to 60) has a visible indicator (2.4.7) and is not hidden under something else (2.4.11)."""
    _, live, page, iid, cid, otra = flujo
    page.emulate_media(reduced_motion="reduce")  # no smooth scrolling: the box is measured where it ends
    fallas = []
    for url in _paginas(live, iid, cid, otra):
        page.goto(url)
        page.keyboard.press("Tab")
        salto = page.get_by_role("link", name="Saltar al contenido")
        if not salto.evaluate("e => e === document.activeElement"):
            fallas.append(f"{url}: first Tab is not the skip link")
            continue
        caja = salto.bounding_box()
        if not caja or caja["y"] < 0:
            fallas.append(f"{url}: focused skip link off screen {caja}")
        page.keyboard.press("Enter")
        if page.evaluate("document.activeElement.id") != "contenido":
            fallas.append(f"{url}: skip link did not move focus to main")
        page.keyboard.press("Tab")
        if not page.evaluate("!!document.activeElement.closest('main')"):
            fallas.append(f"{url}: Tab after the skip link left main: {page.evaluate('document.activeElement.outerHTML.slice(0,80)')}")
        page.goto(url)
        vistos = set()
        for _ in range(60):
            page.keyboard.press("Tab")
            estado = page.evaluate(FOCO_VISIBLE)
            if estado == "body":
                break
            if estado["tag"] in vistos:
                break
            vistos.add(estado["tag"])
            if not estado["visible"] or not estado["dentro"] or estado["tapado"]:
                fallas.append(f"{url}: {estado}")
    assert not fallas, "\n".join(fallas)


def test_titles_unique_and_descriptive(flujo):
    """2.4.2: each distinct page (distinct <h1>) has its own title; the title and the <h1> agree."""
    _, live, page, iid, cid, otra = flujo
    titulos = {}
    for url in _paginas(live, iid, cid, otra) + [f"{live}/administracion/consulta?pagina=1"]:
        page.goto(url)
        titulos.setdefault(page.title(), set()).add(page.locator("h1").first.inner_text())
    repetidos = {t: h for t, h in titulos.items() if len(h) > 1}
    assert not repetidos, f"one title for different pages: {repetidos}"


def test_read_only_views_say_so(flujo):
    """A filed informativa's worker and contract ("Ver" links): nothing can be saved, so the fields must not be
    presented as editable text boxes (4.1.2: the read-only state programmatically determinable; 3.3.2)."""
    _, live, page, iid, cid, _ = flujo
    fallas = []
    page.goto(f"{live}/informativas/{iid}/contratos/{cid}/trabajadores")
    page.locator("#resultados tbody a").first.click()
    expect(page.get_by_role("heading", name=re.compile("Trabajador con NSS"))).to_be_visible()
    assert page.get_by_role("button", name="Guardar trabajador").count() == 0
    editables = page.locator("main form input:not([type=hidden]):not([readonly]):not([disabled])")
    if editables.count():
        fallas.append(f"worker of a filed informativa: {editables.count()} editable fields, no way to save them")
    page.goto(f"{live}/informativas/{iid}/contratos/{cid}")
    assert page.get_by_role("button", name="Guardar contrato").count() == 0
    editables = page.locator("#contrato form :is(input:not([type=hidden]), textarea, select)"
                             ":not([readonly]):not([disabled]):not([tabindex='-1'])")
    if editables.count():
        fallas.append(f"contract of a filed informativa: {editables.count()} editable fields, no way to save them")
    assert not fallas, "\n".join(fallas)


def test_tables_at_320_scroll_in_a_focusable_region(flujo):
    """1.4.10 / 2.1.1: a table wider than 320 px scrolls inside a box a keyboard can reach, with a name."""
    _, live, page, iid, cid, otra = flujo
    fallas = []
    for url in _paginas(live, iid, cid, otra):
        page.goto(url)
        for tabla in page.locator("table").all():
            info = tabla.evaluate("""t => { const c = t.closest('.tabla-contenedor');
                return {ancho: t.scrollWidth, caja: c ? c.clientWidth : null, foco: c ? c.tabIndex : null,
                        nombre: c ? (c.getAttribute('aria-labelledby') || c.getAttribute('aria-label')) : null,
                        pagina: document.documentElement.scrollWidth}; }""")
            if info["pagina"] > 320:
                fallas.append(f"{url}: page {info['pagina']} px wide")
            if info["caja"] is None and info["ancho"] > 320:
                fallas.append(f"{url}: table {info['ancho']} px outside a scroll box")
            elif info["caja"] is not None and info["ancho"] > info["caja"] and (info["foco"] != 0 or not info["nombre"]):
                fallas.append(f"{url}: scroll box not focusable or unnamed {info}")
    assert not fallas, "\n".join(fallas)


# At 320 px the text at 200 % still widens some pages (tables, long legends: beyond 1.4.4 and 1.4.10,
# which ask 200 % text or 320 px, not both); the perfil, the selects and the hints now wrap there.
@pytest.mark.parametrize("ancho", [640, 1280])
def test_text_at_200_percent(flujo, ancho):
    """1.4.4: text at 200 % (the root font size doubled, as a browser's text-only zoom or a larger default font
    does): nothing clipped or overlapping; at 320 px no page-level horizontal scroll either."""
    _, live, page, iid, cid, otra = flujo
    page.set_viewport_size({"width": ancho, "height": 640})
    fallas = []
    for url in _paginas(live, iid, cid, otra):
        page.goto(url)
        page.evaluate("document.documentElement.style.setProperty('font-size', '200%', 'important')")
        page.wait_for_timeout(50)
        r = page.evaluate("""() => {
          const fuera = [];
          for (const e of document.querySelectorAll('main *, header *, footer *')) {
            const s = getComputedStyle(e);
            if (e.closest('.visually-hidden, .tabla-contenedor') || s.display === 'none' || s.visibility === 'hidden') continue;
            const r = e.getBoundingClientRect();
            if (r.width && (r.right > document.documentElement.clientWidth + 1 || r.left < -1)) fuera.push(e.outerHTML.slice(0, 80));
            if ((s.overflow === 'hidden' || s.overflowX === 'hidden') && e.scrollWidth > e.clientWidth + 1) fuera.push('clipped ' + e.outerHTML.slice(0, 80));
          }
          return {ancho: document.documentElement.scrollWidth, fuera: fuera.slice(0, 4)};
        }""")
        if r["ancho"] > ancho or r["fuera"]:
            fallas.append(f"{url}: {r}")
    assert not fallas, "\n".join(fallas)


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "sin-js"])
def test_error_pages(browser, live_app, archivos, javascript):
    """404 and 403 pages: lang, a descriptive title, an <h1>, axe, 320 px."""
    _, live = live_app
    contexto, page = _nueva_pagina(browser, javascript, 320)
    entrar(page, live, archivos, "moral")
    fallas = []
    for url, status in (("/informativas/999999", 404), ("/no-existe", 404)):
        r = page.goto(live + url)
        if r.status != status:
            fallas.append(f"{url}: {r.status}")
        if page.evaluate("document.documentElement.lang") != "es-MX" or not page.title().strip(" -"):
            fallas.append(f"{url}: lang/title {page.title()!r}")
        if page.locator("h1").count() != 1:
            fallas.append(f"{url}: no h1")
        try:
            _axe(page, url, javascript)
        except AssertionError as e:
            fallas.append(str(e)[:2000])
    assert not fallas, "\n".join(fallas)
    contexto.close()
