"""The board of deadlines and the reminder rule (app.avisos), with no app: across year ends, weekends and the LFT
holidays that plazos knows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from app import avisos, plazos
from app.plazos import Periodo


@dataclass
class Inf:
    id: int
    ejercicio: int
    cuatrimestre: int
    tipo: str = "normal"
    estatus: str = "en_captura"
    vigente: bool | None = True
    fuera_de_plazo: bool | None = None


# -- Business days left --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("hoy, esperado", [
    (date(2026, 9, 17), 1),     # the deadline itself (Thursday)
    (date(2026, 9, 16), 1),     # Independence Day (a Wednesday): only the deadline is left
    (date(2026, 9, 15), 2),
    (date(2026, 9, 14), 3),
    (date(2026, 9, 12), 3),     # a Saturday: Monday, Tuesday and Thursday
    (date(2026, 9, 3), 10),
    (date(2026, 9, 18), None),  # the day after: Vencido
])
def test_business_days_left_count_today_and_the_deadline(hoy, esperado):
    assert plazos.fecha_limite(Periodo(2026, 2)) == date(2026, 9, 17)
    assert avisos.dias_restantes(date(2026, 9, 17), hoy) == esperado


# -- The board -----------------------------------------------------------------------------------------------------

def test_board_periods_from_last_years_first_up_to_the_current_newest_first():
    assert avisos.periodos_del_tablero(date(2026, 1, 10)) == [Periodo(2026, 1), Periodo(2025, 3), Periodo(2025, 2),
                                                              Periodo(2025, 1)]
    assert avisos.periodos_del_tablero(date(2026, 12, 31)) == [Periodo(2026, c) for c in (3, 2, 1)] + \
        [Periodo(2025, c) for c in (3, 2, 1)]
    assert avisos.periodos_del_tablero(date(2021, 5, 3)) == [Periodo(2021, 2), Periodo(2021, 1)]  # none before 2021


def test_board_rows_status_deadline_and_days():
    informativas = [
        Inf(1, 2025, 3, estatus="presentada", fuera_de_plazo=False),
        Inf(2, 2025, 2, estatus="presentada", fuera_de_plazo=True),
        # 2025-1: presented, then cancelled by a presented Sin efectos (neither is vigente)
        Inf(3, 2025, 1, estatus="presentada", vigente=None, fuera_de_plazo=False),
        Inf(4, 2025, 1, tipo="sin_efectos", estatus="presentada", vigente=None, fuera_de_plazo=False),
        Inf(5, 2026, 1, estatus="por_firmar"),
        # 2026-2: presented, a Corrección under way (not vigente until presented): still the presented one
        Inf(6, 2026, 2, estatus="presentada", fuera_de_plazo=False),
        Inf(7, 2026, 2, tipo="correccion", estatus="en_captura", vigente=None),
        Inf(8, 2024, 3, estatus="en_captura"),  # off the board
    ]
    filas = avisos.tablero(date(2026, 9, 14), informativas)
    assert [(str(f.periodo), f.estado_texto, f.informativa_id, f.limite, f.restante) for f in filas] == [
        ("Septiembre–Diciembre 2026", "Sin registrar", None, date(2027, 1, 18), "87 días hábiles"),
        ("Mayo–Agosto 2026", "Presentada", 6, date(2026, 9, 17), ""),
        ("Enero–Abril 2026", "Por firmar", 5, date(2026, 5, 18), "Vencido"),
        ("Septiembre–Diciembre 2025", "Presentada", 1, date(2026, 1, 19), ""),
        ("Mayo–Agosto 2025", "Presentada fuera de plazo", 2, date(2025, 9, 17), ""),
        ("Enero–Abril 2025", "Sin efectos", 4, date(2025, 5, 19), "Vencido"),
    ]
    assert filas[0].dias == avisos.dias_restantes(date(2027, 1, 18), date(2026, 9, 14))
    assert not filas[1].pendiente and filas[2].pendiente and filas[5].pendiente


def test_the_vigente_filing_wins_over_a_later_one():
    original = Inf(1, 2026, 2, estatus="presentada", fuera_de_plazo=False)
    complementaria = Inf(2, 2026, 2, tipo="sin_efectos", estatus="por_firmar", vigente=None)
    assert avisos.informativa_del_periodo([complementaria, original]) is original
    assert avisos.informativa_del_periodo([]) is None
    assert avisos.estado(None) == "sin_registrar"


# -- The reminder rule ---------------------------------------------------------------------------------------------

def enviados_en_cada_dia(limite: date, desde: date, hasta: date, dias_de_cron=range(5)) -> dict[date, int]:
    """Run the rule every day of cron (weekdays by default) and remember what it sent: {date: anticipation}."""
    enviados: list[int] = []
    salida = {}
    d = desde
    while d <= hasta:
        if d.weekday() in dias_de_cron:
            n = avisos.aviso_debido(limite, d, enviados)
            if n is not None:
                enviados.append(n)
                salida[d] = n
        d += timedelta(days=1)
    return salida


def test_a_daily_weekday_cron_sends_10_3_1_once_each_around_independence_day():
    limite = plazos.fecha_limite(Periodo(2026, 2))
    assert enviados_en_cada_dia(limite, date(2026, 8, 1), date(2026, 10, 1)) == {
        date(2026, 9, 2): 10,   # 3, 4, 7-11, 14, 15 and 17 are left
        date(2026, 9, 11): 3,   # 14, 15 and 17
        date(2026, 9, 15): 1,   # 16 is a holiday: only the deadline, Thursday 17, is left
    }


def test_across_the_year_end_and_new_years_day():
    # Septiembre–Diciembre 2026: 17 January 2027 is a Sunday, the deadline Monday 18; 1 January is a holiday.
    limite = plazos.fecha_limite(Periodo(2026, 3))
    assert limite == date(2027, 1, 18)
    assert enviados_en_cada_dia(limite, date(2026, 12, 1), date(2027, 2, 1)) == {
        date(2027, 1, 4): 10, date(2027, 1, 13): 3, date(2027, 1, 15): 1}
    # Every day of the week: the same days (a weekend before them has more left).
    assert enviados_en_cada_dia(limite, date(2026, 12, 1), date(2027, 2, 1), range(7)) == {
        date(2027, 1, 4): 10, date(2027, 1, 13): 3, date(2027, 1, 15): 1}
    # Septiembre–Diciembre 2025: 17 January 2026 is a Saturday, the deadline Monday 19.
    limite = plazos.fecha_limite(Periodo(2025, 3))
    assert enviados_en_cada_dia(limite, date(2025, 12, 1), date(2026, 2, 1)) == {
        date(2026, 1, 5): 10, date(2026, 1, 14): 3, date(2026, 1, 16): 1}


def test_a_missed_day_sends_the_most_urgent_notice_and_never_a_larger_one_afterwards():
    limite = date(2026, 9, 17)
    # Cron was down from 1 to 10 September: on the 11th the 3-day notice (not the 10-day one), once.
    assert avisos.aviso_debido(limite, date(2026, 9, 11), []) == 3
    assert avisos.aviso_debido(limite, date(2026, 9, 11), [3]) is None
    # A 10-day notice is not sent after a 3-day one, whatever the date says (a run with an earlier --fecha).
    assert avisos.aviso_debido(limite, date(2026, 9, 4), [3]) is None
    assert avisos.aviso_debido(limite, date(2026, 9, 4), [10]) is None
    assert avisos.aviso_debido(limite, date(2026, 9, 17), [10]) == 1  # the deadline itself: still due
    # Before the window and after the deadline: nothing.
    assert avisos.aviso_debido(limite, date(2026, 9, 1), []) is None
    assert avisos.aviso_debido(limite, date(2026, 9, 18), []) is None


def test_notices_due_only_for_periods_without_a_presented_vigente_informativa():
    hoy = date(2026, 9, 14)  # 3 business days before 2026-2's deadline
    assert [(a.periodo, a.anticipacion, a.dias, a.estado) for a in avisos.avisos_debidos(hoy, [], {})] == \
        [(Periodo(2026, 2), 3, 3, "sin_registrar")]
    en_captura = Inf(9, 2026, 2)
    assert [(a.estado, a.informativa_id) for a in avisos.avisos_debidos(hoy, [en_captura], {})] == \
        [("en_captura", 9)]
    assert avisos.avisos_debidos(hoy, [Inf(9, 2026, 2, estatus="presentada", fuera_de_plazo=False)], {}) == []
    assert avisos.avisos_debidos(hoy, [en_captura], {(2026, 2): {3}}) == []
    assert avisos.avisos_debidos(hoy, [en_captura], {(2026, 1): {3}})[0].anticipacion == 3  # another period's


def test_a_notice_left_unsent_is_sent_later_as_that_day_reads_while_it_is_still_the_periods_latest():
    p = Periodo(2026, 2)  # due 17/09/2026
    en_captura = Inf(9, 2026, 2)
    pendiente = avisos.aviso_pendiente(date(2026, 9, 3), p, 10, [en_captura], {10})
    assert (pendiente.anticipacion, pendiente.dias, pendiente.estado, pendiente.informativa_id) == \
        (10, 10, "en_captura", 9)  # claimed on 02/09 (11 left), sent on 03/09 saying 10
    assert avisos.aviso_pendiente(date(2026, 9, 17), p, 1, [], {10, 3, 1}).dias == 1  # the deadline itself
    assert avisos.aviso_pendiente(date(2026, 9, 11), p, 10, [en_captura], {10, 3}) is None  # the 3-day one went
    assert avisos.aviso_pendiente(date(2026, 9, 18), p, 1, [], {1}) is None  # past the deadline
    presentada = Inf(9, 2026, 2, estatus="presentada", fuera_de_plazo=False)
    assert avisos.aviso_pendiente(date(2026, 9, 3), p, 10, [presentada], {10}) is None
    assert avisos.aviso_pendiente(date(2026, 9, 3), p, 10, [Inf(8, 2026, 1, estatus="presentada")], {10}) \
        .estado == "sin_registrar"  # another period's filing


def test_the_notice_text():
    aviso = avisos.Aviso(Periodo(2026, 2), date(2026, 9, 17), 3, 3, "en_captura", 9)
    asunto, texto = avisos.redactar(aviso, "EDE150310AB0 - ESCUELA DEMO SA DE CV",
                                    [f"Problema {i}" for i in range(30)], "https://icsoe.example.mx/informativas/9")
    assert asunto == "ICSOE: quedan 3 días hábiles para presentar la informativa de Mayo–Agosto 2026 (vence el 17/09/2026)"
    assert "- Problema 0\n" in texto and "- Problema 24\n" in texto and "Problema 25" not in texto
    assert "y 5 más" in texto and "https://icsoe.example.mx/informativas/9" in texto
    uno = avisos.Aviso(Periodo(2026, 2), date(2026, 9, 17), 1, 1, "por_firmar", 9)
    asunto, texto = avisos.redactar(uno, "X", [], "u")
    assert "queda 1 día hábil" in asunto and "firmarla y presentarla con su e.firma" in texto
    sin = avisos.Aviso(Periodo(2026, 2), date(2026, 9, 17), 10, 10, "sin_registrar", None)
    assert "Aún no registras" in avisos.redactar(sin, "X", [], "u")[1]
