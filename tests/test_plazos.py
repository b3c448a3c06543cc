"""Periods and deadlines of the informativa (app.plazos), across years and holidays."""
from __future__ import annotations

from datetime import date

import pytest

from app import plazos
from app.plazos import Periodo
from app.rechazo import Rechazo


@pytest.mark.parametrize("ejercicio, cuatrimestre, inicio, fin, nombre", [
    (2026, 1, date(2026, 1, 1), date(2026, 4, 30), "Enero–Abril 2026"),
    (2026, 2, date(2026, 5, 1), date(2026, 8, 31), "Mayo–Agosto 2026"),
    (2026, 3, date(2026, 9, 1), date(2026, 12, 31), "Septiembre–Diciembre 2026"),
    (2024, 1, date(2024, 1, 1), date(2024, 4, 30), "Enero–Abril 2024"),
])
def test_periodo_has_its_dates_and_spanish_name(ejercicio, cuatrimestre, inicio, fin, nombre):
    p = Periodo(ejercicio, cuatrimestre)
    assert (p.inicio, p.fin, p.nombre, str(p)) == (inicio, fin, nombre, nombre)
    assert p.contiene(inicio) and p.contiene(fin)
    assert not p.contiene(date.fromordinal(inicio.toordinal() - 1))
    assert not p.contiene(date.fromordinal(fin.toordinal() + 1))


@pytest.mark.parametrize("fecha, esperado", [
    (date(2026, 1, 1), (2026, 1)), (date(2026, 4, 30), (2026, 1)), (date(2026, 5, 1), (2026, 2)),
    (date(2026, 8, 31), (2026, 2)), (date(2026, 9, 1), (2026, 3)), (date(2026, 12, 31), (2026, 3)),
    (date(2024, 2, 29), (2024, 1)),
])
def test_periodo_de(fecha, esperado):
    assert plazos.periodo_de(fecha) == Periodo(*esperado)


@pytest.mark.parametrize("ejercicio, cuatrimestre, campo", [
    (2020, 1, "ejercicio"), (2101, 1, "ejercicio"), ("2026", 1, "ejercicio"), (2026, 0, "cuatrimestre"),
    (2026, 4, "cuatrimestre"), (2026, True, "cuatrimestre"), (2026, 1.0, "cuatrimestre"),
])
def test_periodo_refuses_out_of_range(ejercicio, cuatrimestre, campo):
    with pytest.raises(Rechazo) as e:
        Periodo(ejercicio, cuatrimestre)
    assert e.value.campo == campo


def test_periodo_before_the_reform_says_why():
    with pytest.raises(Rechazo, match="24 de abril de 2021"):
        Periodo(2020, 3)


def test_periodos_are_values_that_sort_by_time():
    assert Periodo(2026, 1) == Periodo(2026, 1)
    assert sorted([Periodo(2026, 1), Periodo(2025, 3), Periodo(2025, 2)]) == [
        Periodo(2025, 2), Periodo(2025, 3), Periodo(2026, 1)]
    assert len({Periodo(2026, 1), Periodo(2026, 1)}) == 1


@pytest.mark.parametrize("ejercicio, cuatrimestre, limite", [
    (2026, 1, date(2026, 5, 18)),   # 17 May 2026 is a Sunday
    (2026, 2, date(2026, 9, 17)),   # a Thursday
    (2026, 3, date(2027, 1, 18)),   # 17 Jan 2027 is a Sunday; the deadline falls in the next year
    (2025, 3, date(2026, 1, 19)),   # 17 Jan 2026 is a Saturday
    (2025, 1, date(2025, 5, 19)),   # a Saturday
    (2023, 2, date(2023, 9, 18)),   # a Sunday
    (2021, 2, date(2021, 9, 17)),   # a Friday
    (2022, 1, date(2022, 5, 17)),   # a Tuesday
    (2027, 1, date(2027, 5, 17)),   # a Monday
    (2024, 2, date(2024, 9, 17)),   # a Tuesday, the day after Independence Day
])
def test_fecha_limite_is_the_17th_or_the_next_business_day(ejercicio, cuatrimestre, limite):
    assert plazos.fecha_limite(Periodo(ejercicio, cuatrimestre)) == limite
    assert plazos.es_habil(limite)


def test_fecha_limite_skips_days_imss_declared_inhabiles():
    # 18 May 2026 (the Monday after a Sunday 17th) declared non-business by an IMSS acuerdo: Tuesday 19.
    assert plazos.fecha_limite(Periodo(2026, 1), inhabiles={date(2026, 5, 18)}) == date(2026, 5, 19)


@pytest.mark.parametrize("dia, nombre", [
    (date(2026, 1, 1), "Año Nuevo"),
    (date(2026, 2, 2), "Día de la Constitución"),          # first Monday of February
    (date(2026, 3, 16), "Natalicio de Benito Juárez"),     # third Monday of March
    (date(2026, 5, 1), "Día del Trabajo"),
    (date(2026, 9, 16), "Día de la Independencia"),
    (date(2026, 11, 16), "Día de la Revolución"),          # third Monday of November
    (date(2026, 12, 25), "Navidad"),
    (date(2024, 10, 1), "Transmisión del Poder Ejecutivo Federal"),  # every six years (LFT art. 74 VII)
    (date(2030, 10, 1), "Transmisión del Poder Ejecutivo Federal"),
])
def test_lft_art_74_holidays_are_not_business_days(dia, nombre):
    assert dia.weekday() < 5
    assert plazos.feriado(dia) == nombre
    assert not plazos.es_habil(dia)


@pytest.mark.parametrize("dia", [
    date(2026, 4, 2), date(2026, 4, 3),   # Holy Thursday and Friday: not LFT rest days
    date(2026, 11, 2), date(2026, 12, 14), date(2025, 12, 12),  # 2 November, a Monday, 12 December
    date(2025, 10, 1),                    # no change of federal executive that year
])
def test_days_outside_lft_art_74_are_business_days(dia):
    assert plazos.feriado(dia) is None
    assert plazos.es_habil(dia)


def test_weekends_are_not_business_days():
    assert not plazos.es_habil(date(2026, 5, 16)) and not plazos.es_habil(date(2026, 5, 17))


@pytest.mark.parametrize("dia, siguiente", [
    (date(2026, 11, 13), date(2026, 11, 17)),   # Friday → Tuesday: weekend and Revolution Day
    (date(2026, 5, 15), date(2026, 5, 18)),     # Friday → Monday
    (date(2026, 5, 18), date(2026, 5, 19)),     # strictly after
    (date(2026, 12, 24), date(2026, 12, 28)),   # Christmas on Friday, then the weekend
    (date(2026, 12, 31), date(2027, 1, 4)),     # New Year on Friday, then the weekend, across the year
    (date(2026, 4, 30), date(2026, 5, 4)),      # 1 May on Friday
])
def test_dia_habil_siguiente(dia, siguiente):
    assert plazos.dia_habil_siguiente(dia) == siguiente


@pytest.mark.parametrize("a, b, n", [
    (date(2026, 11, 13), date(2026, 11, 17), 1),   # Sat, Sun, Revolution Day, Tuesday
    (date(2026, 5, 4), date(2026, 5, 4), 0),
    (date(2026, 5, 4), date(2026, 5, 8), 4),        # Tue-Fri
    (date(2026, 5, 1), date(2026, 5, 18), 11),
    (date(2026, 12, 1), date(2027, 1, 31), 41),     # across the year: 22 - Christmas, 21 - New Year
    (date(2026, 5, 18), date(2026, 5, 4), -10),
])
def test_dias_habiles_entre(a, b, n):
    assert plazos.dias_habiles_entre(a, b) == n


def test_dias_habiles_entre_agrees_with_counting_day_by_day():
    inicio = date(2025, 12, 20)
    for dias in range(0, 800, 7):
        fin = date.fromordinal(inicio.toordinal() + dias)
        uno_a_uno = sum(1 for k in range(1, dias + 1) if plazos.es_habil(date.fromordinal(inicio.toordinal() + k)))
        assert plazos.dias_habiles_entre(inicio, fin) == uno_a_uno
    declarados = {date(2026, 4, 2), date(2026, 4, 3), date(2026, 4, 4)}  # a Saturday among them counts nothing
    assert plazos.dias_habiles_entre(date(2026, 3, 31), date(2026, 4, 10), declarados) == 6


@pytest.mark.parametrize("hoy, terminado", [
    (date(2026, 4, 30), False), (date(2026, 5, 1), True), (date(2026, 1, 15), False), (date(2027, 1, 1), True),
])
def test_terminado(hoy, terminado):
    assert plazos.terminado(Periodo(2026, 1), hoy) is terminado


def test_mexico_city_time_without_the_hosts_zone_database(tmp_path):
    """A host with no zone database (a slim container; Debian 13 makes tzdata optional): the app still starts and
    reads Mexico City's time (from the tzdata package). 05:30 UTC on 18/09/2026 is 23:30 of the 17th there."""
    import subprocess
    import sys
    from pathlib import Path

    codigo = ("from datetime import datetime, timezone\nfrom app import hora\n"
              "print(datetime(2026, 9, 18, 5, 30, tzinfo=timezone.utc).astimezone(hora.MEXICO).strftime("
              "'%d/%m/%Y %H:%M %z'))")
    r = subprocess.run([sys.executable, "-c", codigo], cwd=Path(__file__).resolve().parents[1], capture_output=True,
                       text=True, env={"PYTHONTZPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert r.returncode == 0, r.stderr[-400:]
    assert r.stdout.strip() == "17/09/2026 23:30 -0600"


def test_a_host_zone_database_from_before_2022_is_not_used():
    """A host whose data still has Mexico's daylight saving time (before October 2022) would put a filing at 23:30
    of the 17th at 00:30 of the 18th, late: such data is passed over for the tzdata package's."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from app import hora

    zona = hora._zona_mexico(lambda _clave: ZoneInfo("America/Chicago"))  # -05:00 in July, as Mexico was

    assert str(zona) == "America/Mexico_City"
    assert datetime(2026, 7, 1, 12, tzinfo=zona).utcoffset() == timedelta(hours=-6)
