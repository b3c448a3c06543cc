"""Mexico City time, the portal's clock for people: dates shown, "today" for a CURP's birth date, deadlines."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ZONA = "America/Mexico_City"


def _zona_mexico(del_host: Callable[[str], ZoneInfo] = ZoneInfo) -> ZoneInfo:
    """Mexico City's zone from the host's database when it knows that Mexico has had no daylight saving time since
    October 2022; otherwise (no database, as in a slim container, or one older than that: a filing at 23:30 on the
    17th of May would read as 00:30 of the 18th, late) from the `tzdata` package this project depends on."""
    try:
        zona = del_host(ZONA)
        if datetime(2026, 7, 1, 12, tzinfo=zona).utcoffset() == timedelta(hours=-6):
            return zona
    except ZoneInfoNotFoundError:
        pass
    with resources.files("tzdata.zoneinfo").joinpath(*ZONA.split("/")).open("rb") as datos:
        return ZoneInfo.from_file(datos, key=ZONA)


MEXICO = _zona_mexico()


def ahora() -> datetime:
    return datetime.now(timezone.utc).astimezone(MEXICO)


def hoy() -> date:
    """Today's date in Mexico City (a UTC date is tomorrow there every evening)."""
    return ahora().date()


def fecha_hora(moment: datetime | None) -> str:
    """A moment as people in Mexico read it: dd/mm/aaaa hh:mm, Mexico City time; empty for None. (An f-string: twice
    as fast as strftime, and tables format three per row.)"""
    if not moment:
        return ""
    m = moment.astimezone(MEXICO)
    return f"{m.day:02}/{m.month:02}/{m.year} {m.hour:02}:{m.minute:02}"
