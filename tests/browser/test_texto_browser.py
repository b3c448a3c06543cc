"""Long Spanish words at 320 px in a real Chromium: a razón social's words are long ("TELECOMUNICACIONES",
"ELECTROMECÁNICA") and some names glue words together ("SERVICIOSINTEGRALESDE…"). The pages whose heading names
the contratante must wrap it instead of scrolling sideways (WCAG 1.4.10)."""
from __future__ import annotations

import pytest
from sqlmodel import select

from app.db import get_session
from app.models import Contrato, ServicioRepse

from ..test_informativa import con_contrato
from .test_informativa_browser import _nueva_pagina

NOMBRES = {
    "palabras-largas": "TELECOMUNICACIONES Y ELECTROMECÁNICA INTERNACIONAL DEL NORESTE, S.A.P.I. DE C.V.",
    "palabras-pegadas": "SERVICIOSINTEGRALESDEMANTENIMIENTOINDUSTRIAL, S.A. DE C.V.",
}


def _con_nombre_largo(app, cid: int, nombre: str) -> None:
    """The contract's contratante, its object and the REPSE service, all named `nombre`."""
    with app.app_context():
        db = get_session()
        c = db.get(Contrato, cid)
        c.nombre_contratante = nombre
        c.objeto = "MANTENIMIENTO ELECTROMECÁNICO DE SUBESTACIONES " + nombre
        s = db.exec(select(ServicioRepse)).one()
        s.descripcion = "Servicios de " + nombre.lower()
        db.add_all([c, s])
        db.commit()


@pytest.mark.parametrize("nombre", NOMBRES.values(), ids=NOMBRES.keys())
def test_long_spanish_words_in_headings_fit_320_px(browser, live_app, juegos, nombre):
    app, live = live_app
    cliente, iid, cid = con_contrato(app, juegos["moral"], trabajadores=(3,))
    _con_nombre_largo(app, cid, nombre)
    contexto, page = _nueva_pagina(browser, True, 320)
    contexto.add_cookies([{"name": "session", "value": cliente.get_cookie("session").value, "url": live}])
    try:
        anchos = {}
        for ruta in (f"/informativas/{iid}", f"/informativas/{iid}/contratos/{cid}",
                     f"/informativas/{iid}/contratos/{cid}/trabajadores", f"/informativas/{iid}/revision",
                     "/datos-generales/repse"):
            page.goto(live + ruta)
            anchos[ruta] = page.evaluate("() => document.documentElement.scrollWidth")
        assert all(ancho <= 320 for ancho in anchos.values()), anchos
    finally:
        contexto.close()
