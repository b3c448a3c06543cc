"""A contract's workers (app.trabajadores: NSS, SBC and its dated UMA/minimum-wage table) and the contratante's RFC
(app.rfc_contratante)."""
from __future__ import annotations

import csv
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest

from app import trabajadores
from app.rechazo import Rechazo, todos
from app.rfc_contratante import validar_rfc_contratante
from app.trabajadores import FueraDeTabla, Trabajador, validar_nss, validar_sbc, validar_trabajador
from tests.cfdi import RFC_CLIENTE_A, RFC_CONTRATISTA, hacer_curp, rfc_con_digito

CURP = hacer_curp("JOSE LUIS", "GARCIA", "LOPEZ")
HOY = date(2026, 5, 10)
TABLA = Path(__file__).resolve().parents[1] / "app" / "catalogs" / "uma_salario_minimo.csv"


@pytest.mark.parametrize("texto, nss", [
    ("92919084431", "92919084431"),         # the reference vector (informativa.md §6)
    (" 9291908443 1 ", "92919084431"),
    ("9291-90-8443-1", "92919084431"),
    ("01106000001", "01106000001"),         # leading zeros are digits like any other
])
def test_nss_valid(texto, nss):
    assert validar_nss(texto) == nss


@pytest.mark.parametrize("texto, mensaje", [
    ("", "Captura el NSS"), (None, "Captura el NSS"), ("   ", "Captura el NSS"),
    ("92919084432", "dígito verificador"),  # the reference vector with a wrong check digit
    ("9291908443", "11 dígitos; tiene 10.$"), ("929190844310", "11 dígitos; tiene 12"),
    # 10 digits that a leading 0 would make valid: the message says so (a CFDI's NumSeguridadSocial, a CSV saved
    # from a spreadsheet), and the NSS is not completed behind the user's back
    ("1106000001", "tiene 10. Quizá le falta el 0 inicial: con él, 01106000001 tiene un dígito verificador válido"),
    ("9291908443A", "solo dígitos"), ("٩٢٩١٩٠٨٤٤٣١", "solo dígitos"),  # Arabic-Indic digits are not ASCII
    ("9" * 500, "más de 64"),
])
def test_nss_refused(texto, mensaje):
    with pytest.raises(Rechazo, match=mensaje) as e:
        validar_nss(texto)
    assert e.value.campo == "nss"


def test_every_nss_check_digit_but_one_is_refused():
    base = "9291908443"
    validos = []
    for d in "0123456789":
        try:
            validar_nss(base + d)
            validos.append(d)
        except Rechazo:
            pass
    assert validos == ["1"]


@pytest.mark.parametrize("fecha, uma", [
    (date(2021, 1, 31), Decimal("86.88")), (date(2021, 2, 1), Decimal("89.62")), (date(2022, 6, 1), Decimal("96.22")),
    (date(2023, 2, 1), Decimal("103.74")), (date(2024, 12, 31), Decimal("108.57")),
    (date(2025, 2, 1), Decimal("113.14")), (date(2026, 1, 31), Decimal("113.14")),
    (date(2026, 2, 1), Decimal("117.31")), (date(2027, 1, 31), Decimal("117.31")),
])
def test_uma_changes_each_first_of_february(fecha, uma):
    assert trabajadores.uma_en(fecha) == uma


@pytest.mark.parametrize("fecha, general, zlfn", [
    (date(2021, 1, 1), "141.70", "213.39"), (date(2022, 1, 1), "172.87", "260.34"),
    (date(2023, 12, 31), "207.44", "312.41"), (date(2024, 1, 1), "248.93", "374.89"),
    (date(2025, 7, 1), "278.80", "419.88"), (date(2026, 1, 1), "315.04", "440.87"),
])
def test_minimum_wage_changes_each_first_of_january(fecha, general, zlfn):
    assert trabajadores.salario_minimo_en(fecha) == Decimal(general)
    assert trabajadores.salario_minimo_en(fecha, zona_libre=True) == Decimal(zlfn)


def test_the_table_does_not_guess_past_what_it_knows():
    with pytest.raises(FueraDeTabla):
        trabajadores.uma_en(date(2027, 2, 1))        # the UMA of February 2027 is not published yet
    with pytest.raises(FueraDeTabla):
        trabajadores.salario_minimo_en(date(2027, 1, 1))
    with pytest.raises(FueraDeTabla):
        trabajadores.uma_en(date(2019, 12, 31))      # before the first row


def test_every_row_of_the_table_cites_its_source():
    with TABLA.open(encoding="utf-8", newline="") as f:
        filas = list(csv.DictReader(f))
    assert list(filas[0]) == ["vigente_desde", "uma_diaria", "salario_minimo_general", "salario_minimo_zlfn", "fuente"]
    for fila in filas:
        assert "INEGI" in fila["fuente"] and "CONASAMI" in fila["fuente"]
        desde = date.fromisoformat(fila["vigente_desde"])
        assert (desde.month, desde.day) in {(1, 1), (2, 1)}
    assert {date.fromisoformat(f["vigente_desde"]).year for f in filas} >= set(range(2021, 2027))


def test_tope_is_25_uma():
    assert trabajadores.tope_sbc(date(2026, 2, 1)) == Decimal("2932.75")
    assert trabajadores.tope_sbc(date(2026, 1, 31)) == Decimal("2828.50")


@pytest.mark.parametrize("valor, sbc", [
    ("315.04", "315.04"), ("315.1", "315.10"), ("315", "315.00"), (" $1250.50 ", "1250.50"), ("2932.75", "2932.75"),
    (Decimal("450.5"), "450.50"), (450, "450.00"), (315.04, "315.04"),
    (315.04000000000002, "315.04"),  # how Excel may store 315.04
])
def test_sbc_valid(valor, sbc):
    valor_sbc, _ = validar_sbc(valor, date(2026, 4, 30))
    assert valor_sbc == Decimal(sbc) and valor_sbc.as_tuple().exponent == -2


@pytest.mark.parametrize("valor, mensaje", [
    ("", "Captura el salario"), (None, "Captura el salario"), ("0", "mayor que cero"), ("0.00", "mayor que cero"),
    ("-5", "mayor que cero"), ("315.041", "dos decimales"), (315.041, "dos decimales"), ("abc", "número"),
    ("1e3", "número"), ("NaN", "número"), ("Infinity", "número"), (float("nan"), "número"), (float("inf"), "número"),
    ("315,04", "punto decimal"), ("1,250.50", "punto decimal"), ("31.5.1", "número"), ("5.", "número"),
    (True, "número"), ("9" * 100, "número"), (Decimal("1E+30"), "número"),
    ("2932.76", "excede el tope de 25 UMA vigente el 30/04/2026"),
])
def test_sbc_refused(valor, mensaje):
    with pytest.raises(Rechazo, match=mensaje) as e:
        validar_sbc(valor, date(2026, 4, 30))
    assert e.value.campo == "sbc"


def test_sbc_cap_follows_the_uma_of_the_reference_date():
    # 2,900 is above 25 UMA of January 2026 (2,828.50) and below that of February (2,932.75).
    with pytest.raises(Rechazo, match=r"\$2,828.50 \(UMA de \$113.14\)"):
        validar_sbc("2900.00", date(2026, 1, 31))
    assert validar_sbc("2900.00", date(2026, 2, 1))[0] == Decimal("2900.00")


def test_sbc_below_minimum_wage_is_a_warning():
    sbc, avisos = validar_sbc("300.00", date(2026, 4, 30))
    assert sbc == Decimal("300.00")
    assert avisos == ("El salario base de cotización ($300.00) es menor que el salario mínimo general vigente el "
                      "30/04/2026 ($315.04).",)
    assert validar_sbc("315.04", date(2026, 4, 30))[1] == ()


def test_sbc_past_the_table_is_accepted_with_a_warning():
    sbc, avisos = validar_sbc("3000.00", date(2027, 3, 31))
    assert sbc == Decimal("3000.00")
    assert len(avisos) == 1 and "No se pudo comprobar el tope" in avisos[0]


@pytest.mark.parametrize("valor", ["3372.67", "5000.00", "123456789012.50", "9999999999999.99"])
def test_sbc_past_the_table_is_still_bounded(valor):
    """Red team: past the table's horizon (a 2027-1 informativa, registrable from September 2026) any SBC of up to
    13 digits passed with a warning: PostgreSQL's NUMERIC(10,2) answered 500 and SQLite stored it. The provisional
    cap is 25 × the last UMA known (117.31) × 1.15 = 3,372.66."""
    assert trabajadores.tope_provisional() == (Decimal("3372.66"), Decimal("117.31"))
    assert validar_sbc("3372.66", date(2027, 3, 31))[0] == Decimal("3372.66")
    with pytest.raises(Rechazo, match=r"excede \$3,372.66: el portal aún no tiene la UMA vigente el 31/03/2027") as e:
        validar_sbc(valor, date(2027, 3, 31))
    assert e.value.campo == "sbc"


def test_trabajador_valid():
    t, avisos = validar_trabajador("92919084431", CURP.lower(), "450.25", fecha_referencia=date(2026, 4, 30),
                                   hoy=HOY, nombre="  José Luis  García López ")
    assert t == Trabajador("92919084431", CURP, Decimal("450.25"), "JOSÉ LUIS GARCÍA LÓPEZ")
    assert avisos == ()


def test_trabajador_refuses_every_bad_field_at_once():
    with pytest.raises(ExceptionGroup) as e:
        validar_trabajador("92919084432", "HEGG560427MVZRRL05", "3000", fecha_referencia=date(2026, 4, 30), hoy=HOY)
    assert [(r.campo, "NSS" in r.mensaje or "CURP" in r.mensaje or "salario" in r.mensaje)
            for r in todos(e.value)] == [("nss", True), ("curp", True), ("sbc", True)]


def test_trabajador_refuses_a_curp_born_after_today():
    futuro = hacer_curp("ANA", "MARTINEZ", "RUIZ", fecha="260601", sexo="M", homoclave="A")
    with pytest.raises(ExceptionGroup) as e:
        validar_trabajador("92919084431", futuro, "450", fecha_referencia=date(2026, 4, 30), hoy=HOY)
    assert [r.campo for r in todos(e.value)] == ["curp"]


@pytest.mark.parametrize("largo", [65, 500, 1_000_000])
def test_a_curp_longer_than_the_bound_says_so_not_the_length_of_what_was_kept(largo):
    # An attack review found "tiene 65." for any CURP over 64 characters: the cell was cut before it was measured.
    with pytest.raises(ExceptionGroup) as e:
        validar_trabajador("92919084431", CURP + "X" * (largo - len(CURP)), "450", fecha_referencia=date(2026, 4, 30),
                           hoy=HOY)
    [rechazo] = todos(e.value)
    assert rechazo.campo == "curp"
    assert rechazo.mensaje == "La CURP debe tener 18 caracteres; tiene más de 64."


@pytest.mark.parametrize("celda, que", [
    (123456789012345678, "un número"), (1.5e17, "un número"), (Decimal("1"), "un número"), (True, "un valor lógico"),
    (date(1980, 1, 1), "una fecha"), (datetime(1980, 1, 1, 8, 0), "una fecha"), (time(8, 0), "una fecha u hora"),
    (10**60, "un número"),  # kept as a placeholder text by the reader (carga_masiva.tabla._celda)
])
def test_a_curp_cell_that_is_no_text_says_what_it_holds(celda, que):
    # An attack review: an XLSX cell of 10**60 was "tiene 26" (its placeholder's length), True "tiene 4", a date
    # "tiene 8": no CURP is a number or a date, and the length of its text is no help.
    from app.carga_masiva.tabla import _celda

    with pytest.raises(ExceptionGroup) as e:
        validar_trabajador("92919084431", _celda(celda), "450", fecha_referencia=date(2026, 4, 30), hoy=HOY)
    [rechazo] = todos(e.value)
    assert rechazo.campo == "curp" and rechazo.mensaje.startswith("La CURP debe ser un texto de 18 caracteres; ")
    assert que in rechazo.mensaje


def test_a_curp_at_the_bound_reports_its_length():
    with pytest.raises(ExceptionGroup) as e:
        validar_trabajador("92919084431", "A" * 64, "450", fecha_referencia=date(2026, 4, 30), hoy=HOY)
    assert [r.mensaje for r in todos(e.value)] == ["La CURP debe tener 18 caracteres; tiene 64."]


@pytest.mark.parametrize("nombre", ["=HYPERLINK(\"http://x\")", "JUAN 2", "<script>", "A" * 400])
def test_a_name_that_is_not_a_name_is_dropped_with_a_warning(nombre):
    t, avisos = validar_trabajador("92919084431", CURP, "450", fecha_referencia=date(2026, 4, 30), hoy=HOY,
                                   nombre=nombre)
    assert t.nombre is None
    assert len(avisos) == 1 and "no se usó" in avisos[0]


def test_trabajador_is_frozen():
    t, _ = validar_trabajador("92919084431", CURP, "450", fecha_referencia=date(2026, 4, 30), hoy=HOY)
    with pytest.raises(AttributeError):
        t.sbc = Decimal("1")


# The contratante's RFC

def test_rfc_moral_and_fisica():
    assert validar_rfc_contratante(f" {RFC_CLIENTE_A.lower()} ", rfc_contratista=RFC_CONTRATISTA) == (
        RFC_CLIENTE_A, "moral", ())
    fisica = rfc_con_digito("GODE561231GR")
    assert validar_rfc_contratante(fisica, rfc_contratista=RFC_CONTRATISTA) == (fisica, "fisica", ())
    assert validar_rfc_contratante(rfc_con_digito("&AB010101AB"), rfc_contratista=RFC_CONTRATISTA)[1] == "moral"


def test_rfc_wrong_check_digit_is_a_warning():
    mal = RFC_CLIENTE_A[:-1] + ("1" if RFC_CLIENTE_A[-1] != "1" else "2")
    rfc, persona, avisos = validar_rfc_contratante(mal, rfc_contratista=RFC_CONTRATISTA)
    assert (rfc, persona) == (mal, "moral")
    assert len(avisos) == 1 and "dígito verificador" in avisos[0]
    # SAT's own test RFC fails the check digit too, and passes with the warning
    assert validar_rfc_contratante("AAA010101AAA", rfc_contratista=RFC_CONTRATISTA)[2]


@pytest.mark.parametrize("valor, mensaje", [
    ("", "Captura el RFC"), (None, "Captura el RFC"),
    ("GODE561231", "tiene 10"),                   # stdnum accepts it; a contract needs the homoclave
    ("CAL091016KT45", "formato"), ("CAL0910", "tiene 7"), ("C4L091016KT4", "formato"),
    ("CAL091316KT4", "formato"),                  # month 13
    ("XAXX010101000", "genérico"), ("XEXX010101000", "genérico"),
    ("A" * 500, "más de 64"),
])
def test_rfc_refused(valor, mensaje):
    with pytest.raises(Rechazo, match=mensaje) as e:
        validar_rfc_contratante(valor, rfc_contratista=RFC_CONTRATISTA)
    assert e.value.campo == "rfc"


def test_rfc_never_the_contratistas_own():
    with pytest.raises(Rechazo, match="no puede ser el tuyo") as e:
        validar_rfc_contratante("ede-150310-ab0", rfc_contratista=RFC_CONTRATISTA)
    assert e.value.campo == "rfc"
