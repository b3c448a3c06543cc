"""Spreadsheet formula injection (a review): a value starting with =, +, -, @, a tab or a CR, or an error code, stays
text in every .xlsx the portal writes (Consulta, Bitácora, Listado, the worker-upload errors), through the writers
and through the real routes; and each export's shape (headers, columns)."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook

from app import export, listado
from app.bitacora import reglas
from app.db import get_session
from app.models import Contrato, DirectorioCurp

from .conftest import token
from .test_administracion import alta, preparar, hacer_curp
from .test_firma import _enviar, firmar
from .test_informativa import _trabajador, contrato, contrato_id, informativa_id, registrar, servicio

PELIGROSOS = ["=HYPERLINK(\"http://x.example\",\"clic\")", "+1+2", "-1-2", "@SUMA(1)", "\t=1+1", "\r=1+1",
              "=cmd|' /C calc'!A0", "#N/A", "#REF!"]


@pytest.fixture
def app(sqlite_app):
    return sqlite_app


def es_texto(celda, valor) -> None:
    # XML turns a CR into LF on reading: the same text for this purpose.
    assert celda.value.replace("\r", "\n") == valor.replace("\r", "\n") and celda.data_type == "s", (
        valor, celda.value, celda.data_type)
    if valor.startswith(export.FORMULA_PREFIXES) or valor in ("#N/A", "#REF!"):
        assert celda.quotePrefix, valor


@pytest.mark.parametrize("valor", PELIGROSOS)
def test_text_cell_round_trip_in_every_writer(valor, tmp_path):
    now = datetime(2026, 11, 30, tzinfo=timezone.utc)
    # Consulta
    out = io.BytesIO()
    export.write_xlsx([export.FilaCapturista(valor, valor, valor, valor, valor, valor, valor, valor, now, None, now)],
                      out)
    hoja = load_workbook(io.BytesIO(out.getvalue())).active
    for col in "ABCDEFGH":
        es_texto(hoja[f"{col}2"], valor)
    # Bitácora
    out = io.BytesIO()
    reglas.write_xlsx([reglas.FilaBitacora(now, valor, valor, valor, valor, valor)], out)
    hoja = load_workbook(io.BytesIO(out.getvalue())).active
    for col in "BCDEF":
        es_texto(hoja[f"{col}2"], valor)
    # Listado
    out = io.BytesIO()
    listado.write_xlsx([listado.FilaListado(valor, valor, 2, 2026, valor, valor, now, valor, valor, None, valor,
                                            valor, None, None, 3)], out)
    hoja = load_workbook(io.BytesIO(out.getvalue())).active
    for col in "ABDEHIOP":
        es_texto(hoja[f"{col}2"], valor)


def test_listado_through_the_routes_keeps_formulas_as_text(app, juegos):
    """A service description and folio a user types, a contratante's name: in the Listado they stay text."""
    a = preparar(app, app.test_client(), juegos["moral"])
    descripcion = "=HYPERLINK(\"http://x.example\",\"Mantenimiento\")"
    r = servicio(a, folio="-1-2", descripcion=descripcion)
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    iid = informativa_id(registrar(a))
    assert contrato(a, app, iid).status_code == 303
    cid = contrato_id(app)
    with app.app_context():
        db = get_session()
        c = db.get(Contrato, cid)
        c.nombre_contratante = "@SUMA(A1:A9)"
        db.add(c)
        db.commit()
    assert _trabajador(a, iid, cid).status_code == 303
    assert _enviar(a, iid).status_code == 303
    assert firmar(a, iid, juegos["moral"]).status_code == 303
    r = a.get("/inicio/listado")
    assert r.status_code == 200
    assert "filename=Listado_ICSOE_" in r.headers["Content-Disposition"]
    hoja = load_workbook(io.BytesIO(r.data)).active
    encabezado, *datos = list(hoja.iter_rows())
    assert tuple(c.value for c in encabezado) == listado.HEADERS
    assert len(datos) == 1 and all(len(f) == len(listado.HEADERS) for f in [encabezado, *datos])
    fila = {listado.HEADERS[i]: c for i, c in enumerate(datos[0])}
    es_texto(fila["Descripción del servicio"], descripcion)
    es_texto(fila["Folio del servicio"], "-1-2")
    es_texto(fila["Nombre, denominación o razón social del contratante"], "@SUMA(A1:A9)")
    assert fila["Número de trabajadores"].value == 1
    assert fila["Folio del contrato"].value.endswith("-001")


def test_consulta_names_that_look_like_formulas_never_get_in(app, juegos):
    """A CURP directory row whose names look like formulas: the alta refuses them (names are letters), so no such
    name reaches the Consulta's export."""
    a = preparar(app, app.test_client(), juegos["moral"])
    curp = hacer_curp("ANA", "MARTINEZ", "RUIZ", sexo="M", fecha="900521")
    with app.app_context():
        db = get_session()
        db.add(DirectorioCurp(curp=curp, nombres="=1+1", primer_apellido="-MARTINEZ", segundo_apellido="@RUIZ"))
        db.commit()
    assert alta(a, curp, correo="ana@ejemplo.mx").status_code == 422
    hoja = load_workbook(io.BytesIO(a.get("/administracion/exportar").data)).active
    assert tuple(c.value for c in next(hoja.iter_rows())) == export.HEADERS
    assert len(list(hoja.iter_rows())) == 1


def test_carga_errors_export_keeps_values_as_text(app, juegos):
    a = preparar(app, app.test_client(), juegos["moral"])
    servicio(a)
    iid = informativa_id(registrar(a))
    assert contrato(a, app, iid).status_code == 303
    cid = contrato_id(app)
    csv = "NSS,CURP,SBC\n=HYPERLINK(\"x\"),@CURP,+99\n"
    url = f"/informativas/{iid}/contratos/{cid}/carga"
    r = a.post(url, data={"csrf_token": token(a, f"/informativas/{iid}/contratos/{cid}/trabajadores"),
                          "archivo": (io.BytesIO(csv.encode()), "t.csv")}, content_type="multipart/form-data")
    assert r.status_code in (200, 303), r.status_code
    import re
    loc = r.headers.get("Location") or ""
    m = re.search(r"/carga/(\d+)", loc or r.get_data(as_text=True))
    assert m, r.get_data(as_text=True)[:2000]
    r = a.get(f"/informativas/{iid}/contratos/{cid}/carga/{m.group(1)}/errores.xlsx")
    assert r.status_code == 200
    hoja = load_workbook(io.BytesIO(r.data)).active
    valores = {c.value: c for fila in list(hoja.iter_rows())[1:] for c in fila if c.value is not None}
    for v in ("=HYPERLINK(\"x\")", "@CURP", "+99"):
        if v in valores:
            es_texto(valores[v], v)
    assert any(v in valores for v in ("=HYPERLINK(\"x\")", "@CURP", "+99"))
