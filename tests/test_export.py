"""Exportar Excel (app.export): the file is read back with openpyxl and its XML, cell by cell."""
from __future__ import annotations

import gc
import io
import tempfile
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from app import export
from app.export import HEADERS, SHEET, FilaCapturista

UTC = timezone.utc
ALTA = datetime(2021, 7, 28, 2, 18, 59, 667000, tzinfo=UTC)  # the guide's file: Capturistas_112_1627438739667


def fila(**cambios) -> FilaCapturista:
    datos = dict(curp="PEÑJ800101HDFRNN09", nombres="JOSÉ MARÍA", primer_apellido="PEÑA",
                 segundo_apellido="NÚÑEZ",
                 rol="Capturista", estatus="Activo", grupo="PEM2107000000",
                 contratista="PEM2107000000 - PERSONA MORAL SA DE CV", fecha_alta=ALTA, fecha_baja=None,
                 fecha_actualizacion=ALTA + timedelta(days=1))
    return FilaCapturista(**{**datos, **cambios})


def write(rows) -> tuple[int, bytes]:
    out = io.BytesIO()
    n = export.write_xlsx(rows, out)
    return n, out.getvalue()


def sheet(data: bytes):
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [SHEET]
    return wb[SHEET]


def sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("xl/worksheets/sheet1.xml").decode("utf-8")




def test_filename_is_the_guides_with_epoch_milliseconds():
    assert export.filename(112, ALTA) == "Capturistas_112_1627438739667.xlsx"
    same_instant = ALTA.astimezone(timezone(timedelta(hours=-5)))
    assert export.filename(7, same_instant) == "Capturistas_7_1627438739667.xlsx"


def test_filename_refuses_a_naive_now():
    with pytest.raises(ValueError):
        export.filename(112, datetime(2021, 7, 28, 2, 18, 59))


def test_header_only_when_there_are_no_capturistas():
    n, data = write([])
    ws = sheet(data)
    assert n == 0
    assert [c.value for c in next(ws.iter_rows())] == list(HEADERS)
    assert ws.max_row == 1
    assert ws.auto_filter.ref == "A1:K1"


def test_header_bold_frozen_filtered_and_columns_sized():
    n, data = write([fila(), fila(curp="MAPL900202MDFRRR01")])
    ws = sheet(data)
    header = list(next(ws.iter_rows(max_row=1)))
    assert tuple(c.value for c in header) == HEADERS
    assert all(c.font.b for c in header)
    assert not ws["A2"].font.b
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:K3"
    widths = {col: ws.column_dimensions[col].width for col in "ABCDEFGHIJK"}
    assert 18 <= widths["A"] <= 24                           # an 18-character CURP
    assert all(widths[c] >= 20 for c in "BCD")                # names
    assert widths["F"] >= len("Pendiente de activación")
    assert widths["H"] >= len("PEM2107000000 - PERSONA MORAL SA DE CV")
    assert all(widths[c] >= 16 for c in "IJK")                # "28/07/2021 21:18"


def test_autofilter_is_in_the_sheet_xml_and_the_workbook_names():
    _, data = write([fila()] * 3)
    assert '<autoFilter ref="A1:K4"' in sheet_xml(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "_xlnm._FilterDatabase" in z.read("xl/workbook.xml").decode()


def test_one_row_cell_by_cell_with_accents():
    n, data = write([fila()])
    ws = sheet(data)
    assert n == 1
    assert [c.value for c in ws[2]] == [
        "PEÑJ800101HDFRNN09", "JOSÉ MARÍA", "PEÑA", "NÚÑEZ", "Capturista", "Activo", "PEM2107000000",
        "PEM2107000000 - PERSONA MORAL SA DE CV",
        datetime(2021, 7, 27, 21, 18, 59),   # 02:18:59.667 UTC is 21:18:59 the day before in Mexico City (UTC-5)
        None,                                 # no baja: an empty cell
        datetime(2021, 7, 28, 21, 18, 59),
    ]


def test_dates_are_excel_dates_with_a_date_format():
    baja = datetime(2024, 1, 15, 18, 30, tzinfo=UTC)
    _, data = write([fila(fecha_baja=baja)])
    ws = sheet(data)
    for ref in ("I2", "J2", "K2"):
        assert ws[ref].is_date
        assert ws[ref].number_format == export.DATE_FORMAT == "dd/mm/yyyy hh:mm"
        assert ws[ref].value.tzinfo is None
    assert ws["J2"].value == datetime(2024, 1, 15, 12, 30)   # CST, UTC-6 (Mexico has had no DST since 2022)
    assert '<c r="J2" s=' in sheet_xml(data) and 't="n"' in sheet_xml(data)  # a number, not a text of a date


@pytest.mark.parametrize("instant, local", [
    (datetime(2021, 7, 1, 17, 0, tzinfo=UTC), datetime(2021, 7, 1, 12, 0)),    # summer time then: UTC-5
    (datetime(2021, 12, 1, 18, 0, tzinfo=UTC), datetime(2021, 12, 1, 12, 0)),  # winter: UTC-6
    (datetime(2025, 7, 1, 18, 0, tzinfo=UTC), datetime(2025, 7, 1, 12, 0)),    # no more summer time
    (datetime(2025, 7, 1, 13, 0, tzinfo=timezone(timedelta(hours=-5))), datetime(2025, 7, 1, 12, 0)),
])
def test_aware_datetimes_become_mexico_city_local_time(instant, local):
    _, data = write([fila(fecha_alta=instant)])
    assert sheet(data)["I2"].value == local


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        write([fila(fecha_actualizacion=datetime(2024, 1, 1, 12, 0))])


def failing_rows():
    yield fila()
    raise ConnectionError("the database went away")


@pytest.mark.parametrize("rows", [[fila(), fila(fecha_alta=datetime(2024, 1, 1))], failing_rows()],
                         ids=["bad-row", "failing-source"])
def test_a_failed_export_leaves_no_temporary_file(rows, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))   # where openpyxl's write-only sheets stream to
    with pytest.raises((ValueError, ConnectionError)):
        write(rows)
    gc.collect()   # an open openpyxl row generator would complain here (an error under our pytest settings)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("texto", [
    '=HYPERLINK("http://evil.invalid","clic")', "=1+1", "+52 55", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "#N/A",
    "#REF!",
])
def test_formula_like_text_stays_literal_text(texto):
    _, data = write([fila(nombres=texto, contratista=texto)])
    ws = sheet(data)
    for ref in ("B2", "H2"):
        assert ws[ref].value == texto.replace("\r", "\n")   # an XML reader reads a raw CR as LF, as Excel does
        assert ws[ref].data_type == "s"
        assert ws[ref].quotePrefix   # Excel keeps it text even when the cell is edited
    xml = sheet_xml(data)
    assert "<f>" not in xml and 't="e"' not in xml


def test_plain_text_has_no_quote_prefix():
    _, data = write([fila(nombres="ANA-LUISA")])  # a hyphen inside is harmless
    ws = sheet(data)
    assert ws["B2"].value == "ANA-LUISA"
    assert not ws["B2"].quotePrefix


def test_empty_segundo_apellido_is_an_empty_cell():
    _, data = write([fila(segundo_apellido="")])
    assert sheet(data)["D2"].value is None


def test_control_characters_xml_cannot_hold_are_dropped():
    _, data = write([fila(nombres="JOSÉ\x00\x07 MARÍA\x1f")])
    assert sheet(data)["B2"].value == "JOSÉ MARÍA"


def test_rows_may_be_a_generator_and_are_counted():
    n, data = write(fila(curp=f"PERJ800101HDFRNN{i:02d}") for i in range(25))
    ws = sheet(data)
    assert n == 25
    assert ws.max_row == 26
    assert ws["A26"].value == "PERJ800101HDFRNN24"


def test_ten_thousand_rows_write():
    n, data = write(fila(fecha_alta=ALTA + timedelta(minutes=i), estatus=("Activo", "Baja")[i % 2],
                         fecha_baja=ALTA + timedelta(days=1) if i % 2 else None) for i in range(10_000))
    assert n == 10_000
    ws = load_workbook(io.BytesIO(data), read_only=True)[SHEET]
    last = list(ws.iter_rows(min_row=10_001, max_row=10_001, values_only=True))[0]
    assert last[5] == "Baja" and last[8] == datetime(2021, 8, 3, 19, 57, 59)  # ALTA + 9999 min, in local time
