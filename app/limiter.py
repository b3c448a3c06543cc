"""Slows down repeated failed sign-ins, counting failures in the database (shared by every app node).

A sliding window per key ("ip:…", "rfc:…", "cer:…", "curp:…"): once a key has `limit` failures within
`window`, further attempts for it are refused until the oldest of those failures leaves the window.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, delete, func, select

from .models import IntentoFallido


# IntentoFallido.clave's size. A key is "kind:value"; a value that would not fit (an address that a misconfigured
# proxy lets a client write, say) is replaced by its fingerprint, so any value is counted and none overflows.
MAX_CLAVE = 80


def _clave(clave: str) -> str:
    if len(clave) <= MAX_CLAVE:
        return clave
    kind, _, value = clave.partition(":")
    return f"{kind[:10]}:#{hashlib.sha256(value.encode('utf-8', 'surrogatepass')).hexdigest()}"


@dataclass(frozen=True)
class Regla:
    limit: int
    window: timedelta


def retry_after(session: Session, claves: dict[str, Regla], now: datetime) -> timedelta | None:
    """How long the caller must wait, or None when no key is over its limit."""
    wait = None
    for clave, regla in claves.items():
        clave = _clave(clave)
        since = now - regla.window
        count, oldest = session.exec(
            select(func.count(), func.min(IntentoFallido.momento))
            .where(IntentoFallido.clave == clave, IntentoFallido.momento > since)
        ).one()
        if count >= regla.limit and oldest is not None:
            remaining = oldest + regla.window - now
            if remaining > timedelta(0) and (wait is None or remaining > wait):
                wait = remaining
    return wait


# Failures older than this are of no use to any rule and are deleted as new ones come in.
RETENTION = timedelta(days=1)


def record_failure(session: Session, claves: dict[str, Regla], now: datetime) -> None:
    """Count one failure for every key, and forget failures old enough to matter to no rule."""
    session.exec(delete(IntentoFallido).where(IntentoFallido.momento < now - RETENTION))
    for clave in claves:
        session.add(IntentoFallido(clave=_clave(clave), momento=now))
    session.commit()


def forget(session: Session, claves: list[str]) -> None:
    """A successful sign-in clears the counts of its own keys (not the client address's)."""
    session.exec(delete(IntentoFallido).where(IntentoFallido.clave.in_([_clave(c) for c in claves])))
    session.commit()


def minutos(wait: timedelta) -> int:
    """Whole minutes to tell the user, never 0."""
    return max(1, -(-int(wait.total_seconds()) // 60))
