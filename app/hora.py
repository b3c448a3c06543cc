"""Mexico City time, the portal's clock for people: dates shown, "today" for a CURP's birth date, deadlines."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

MEXICO = ZoneInfo("America/Mexico_City")


def ahora() -> datetime:
    return datetime.now(timezone.utc).astimezone(MEXICO)


def hoy() -> date:
    """Today's date in Mexico City (a UTC date is tomorrow there every evening)."""
    return ahora().date()


def fecha_hora(moment: datetime | None) -> str:
    """A moment as people in Mexico read it: dd/mm/aaaa hh:mm, Mexico City time; empty for None."""
    return moment.astimezone(MEXICO).strftime("%d/%m/%Y %H:%M") if moment else ""
