"""Bad input never answers 500 (the requirement: a clear Spanish message with 422, or a 404): odd query strings,
path values and typed values on the informativa's pages, signed in as the contratista."""
from __future__ import annotations

from ..test_informativa import con_contrato
from .test_datos_generales_browser import entrar
from .test_informativa_browser import _nueva_pagina


def test_odd_input_is_never_a_500(browser, live_app, archivos, juegos):
    app, live = live_app
    contexto, page = _nueva_pagina(browser, False, 320)
    entrar(page, live, archivos, "moral")
    _, iid, cid = con_contrato(app, juegos["moral"], trabajadores=(3,))
    grande = "9" * 40
    urls = [
        "/informativas/historial/2026-9", "/informativas/historial/0-1", "/informativas/historial/99999-1",
        f"/informativas/historial/{grande}-1", "/bitacora/?tipo=%00", "/bitacora/?desde=%00",
        f"/bitacora/?pagina={grande}", "/bitacora/?pagina=-3", "/bitacora/exportar?desde=2026-13-01",
        "/administracion/consulta?q=%00", f"/administracion/consulta?pagina={grande}",
        "/administracion/consulta?q=" + "a" * 5000,
        f"/informativas/{iid}/contratos/{cid}/trabajadores?q=%00",
        f"/informativas/{iid}/contratos/{cid}/trabajadores?pagina={grande}",
        f"/informativas/{iid}/contratos/{cid}/trabajadores?q=" + "%" * 300,
        "/acuses/verificar?folio=%00&sello=x", "/acuses/verificar?folio=ICSOE-N2026-000001&sello=%00%00%00%00%00%00%00%00",
        "/acuses/%00.pdf", f"/informativas/{iid}/contratos/0", f"/informativas/{iid}/contratos/abc",
        f"/informativas/{iid}/contratos/{grande}", f"/informativas/{grande}",
        f"/informativas/{iid}/contratos/{cid}/carga/{grande}", f"/informativas/{iid}/contratos/{cid}/trabajadores/{grande}",
        "/inicio/tablero?x=%ff", "/datos-generales/repse/servicios/0",
    ]
    fallas = []
    for url in urls:
        r = page.request.get(live + url, max_redirects=0)
        if r.status >= 500:
            fallas.append(f"GET {url[:90]}: {r.status}")

    # Typed values in Agregar trabajador and in a contract.
    trabajadores = f"{live}/informativas/{iid}/contratos/{cid}/trabajadores"
    for sbc in ("NaN", "Infinity", "1e400", "٤٥٠.٢٥", "450,25", "-0", "0x10", "1" * 400):
        page.goto(trabajadores)
        page.get_by_label("NSS", exact=True).fill("12345678901")
        page.get_by_label("Salario base de cotización").fill(sbc)
        with page.expect_navigation() as nav:
            page.get_by_role("button", name="Agregar trabajador").click()
        if nav.value.status >= 500:
            fallas.append(f"SBC {sbc[:20]!r}: {nav.value.status}")
    for inicio in ("2026-02-30", "99999-01-01", "0000-00-00", "2026-5-4", "٢٠٢٦-٠٥-٠٤"):
        page.goto(f"{live}/informativas/{iid}/contratos/{cid}")
        page.locator("#fecha_inicio").evaluate("(e, v) => { e.type = 'text'; e.value = v; }", inicio)
        with page.expect_navigation() as nav:
            page.get_by_role("button", name="Guardar contrato").click()
        if nav.value.status >= 500:
            fallas.append(f"fecha_inicio {inicio!r}: {nav.value.status}")
    assert not fallas, "\n".join(fallas)
    contexto.close()
