"""Throttling counted in the database (shared by every app node): sign-in attempts and e-mails sent.

A sliding window per key ("efirma-ip:…", "cer:…@…", "curp:…", "correo:…"). Counting is atomic without locks: an
attempt is first recorded and committed, and only then are the rows in the window counted, its own included. Of N
requests racing for one key, the k-th to commit sees at least k rows, so at most `limit` of them get through, on any
number of nodes (a check-then-record counter let 30 parallel guesses make 10-11 tries against a limit of 5).

A rule either refuses (the caller answers 429 with Retry-After) or, with `retraso`, only slows down: what applies
to an account as a whole must never refuse its owner's right credentials, or a stranger could lock her out.
"""
from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, func, or_, select

from .models import IntentoFallido

# IntentoFallido.clave's size. A key is "kind:value"; a value that would not fit (an address that a misconfigured
# proxy lets a client write, say) is replaced by its fingerprint, so any value is counted and none overflows.
MAX_CLAVE = 80

# Rows older than this are of no use to any rule and are deleted as new ones come in.
RETENTION = timedelta(days=1)


@dataclass(frozen=True)
class Regla:
    limit: int
    window: timedelta
    retraso: float = 0.0  # seconds: over the limit, go on after this delay instead of refusing


@dataclass
class Intento:
    """One recorded attempt: its rows, and what the rules said."""

    ids: list[int] = field(default_factory=list)
    espera: timedelta | None = None  # refused: how long until the oldest counted row leaves the window
    retraso: float = 0.0  # allowed after this delay
    # Refused as the first attempt past a limit (the moment a lockout begins): the kind of its key ("efirma-ip",
    # "cer", …). The attempts refused after it are the same lockout, so the Bitácora records it once.
    bloqueo: str | None = None

    @property
    def rechazado(self) -> bool:
        return self.espera is not None


# An IPv6 client is counted by its /64: that is the block one home or office gets (RFC 6177 at the least), and any
# host rotates its low 64 bits at will (privacy addresses, RFC 8981), so counting each address would give one
# attacker a fresh count per request.
PREFIJO_IPV6 = 64


# RFC 6052's well-known prefix: a NAT64 (or SIIT) in front of the portal writes each IPv4 client inside it.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def lugar(direccion: str | None) -> str:
    """The client address as the limits count it: an IPv4 address itself, an IPv6 address its /64, anything else
    as it came ("desconocida" when missing).

    An IPv4 client carried in an IPv6 address is that IPv4 client: mapped (::ffff:a.b.c.d), translated by a NAT64
    (where every IPv4 client would otherwise share one /64), 6to4 (2002:a.b.c.d::/48, which would give one IPv4
    address 65,536 /64s) or Teredo (its client, not its server's /64). A port after the address (a proxy that
    writes one, which werkzeug's ProxyFix keeps) is dropped: each connection must not get a count of its own."""
    if not direccion:
        return "desconocida"
    try:
        ip = ipaddress.ip_address(_sin_puerto(direccion.strip()))
    except ValueError:
        return direccion
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        if ip in _NAT64:
            return str(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.sixtofour is not None:
            return str(ip.sixtofour)
        if ip.teredo is not None:
            return str(ip.teredo[1])
        return str(ipaddress.IPv6Network((ip, PREFIJO_IPV6), strict=False))
    return str(ip)


# The block a site gets (RFC 6177: a /48 or a /56; anyone can get a /48 from a tunnel broker): 65,536 /64s, each
# counted on its own by `lugar`. A looser count per credential over the whole block keeps them from multiplying
# the guesses at one credential.
PREFIJO_IPV6_SITIO = 48


def red_de(lugar_contado: str) -> str | None:
    """The /48 of a place `lugar` counted as an IPv6 /64; None for anything else (an IPv4 address)."""
    try:
        red = ipaddress.IPv6Network(lugar_contado)
    except ValueError:
        return None
    return str(red.supernet(new_prefix=PREFIJO_IPV6_SITIO))


def _sin_puerto(direccion: str) -> str:
    """"[2001:db8::1]:443" → "2001:db8::1", "198.51.100.7:5555" → "198.51.100.7"; anything else as it is. (By
    hand: two splits, no pattern to backtrack over what a proxy passes.)"""
    if direccion.startswith("["):
        interior, cierre, resto = direccion[1:].partition("]")
        if cierre and (not resto or (resto[0] == ":" and resto[1:].isdigit())):
            return interior
        return direccion
    host, dos_puntos, puerto = direccion.rpartition(":")
    if dos_puntos and ":" not in host and puerto.isdigit():  # an IPv6 address has more than one colon
        return host
    return direccion


def clave(clave: str) -> str:
    """The stored form of a key: itself when it fits the column, else its kind and a fingerprint of its value."""
    if len(clave) <= MAX_CLAVE:
        return clave
    kind, _, value = clave.partition(":")
    return f"{kind[:10]}:#{hashlib.sha256(value.encode('utf-8', 'surrogatepass')).hexdigest()}"


def intentar(session: Session, claves: dict[str, Regla], now: datetime) -> Intento:
    """Record one attempt under every key (committed), then count each key's window, this attempt included."""
    session.exec(delete(IntentoFallido).where(IntentoFallido.momento < now - RETENTION))
    filas = [IntentoFallido(clave=clave(k), momento=now) for k in claves]
    session.add_all(filas)
    session.commit()
    intento = Intento(ids=[f.id for f in filas])
    for (k, regla), fila in zip(claves.items(), filas):
        count, oldest = session.exec(
            select(func.count(), func.min(IntentoFallido.momento))
            .where(IntentoFallido.clave == clave(k), IntentoFallido.momento > now - regla.window)
        ).one()
        if count <= regla.limit or oldest is None:
            continue
        if regla.retraso:
            intento.retraso = max(intento.retraso, regla.retraso)
            continue
        wait = max(oldest + regla.window - now, timedelta(seconds=1))
        intento.espera = wait if intento.espera is None else max(intento.espera, wait)
        if intento.bloqueo is None and _puesto(session, clave(k), regla, now, fila.id) == regla.limit + 1:
            intento.bloqueo = k.partition(":")[0]
    return intento


def _puesto(session: Session, stored: str, regla: Regla, now: datetime, fila_id: int) -> int:
    """This attempt's place among the key's rows in the window, by id, so that of attempts racing past the limit
    one, seldom two, takes place limit + 1 (a lockout recorded twice at worst; a row committed out of id order
    could hide it, at worst once)."""
    return session.exec(select(func.count()).where(IntentoFallido.clave == stored,
                                                   IntentoFallido.momento > now - regla.window,
                                                   col(IntentoFallido.id) <= fila_id)).one()


def puesto(session: Session, k: str, regla: Regla, now: datetime) -> int:
    """Record one event under `k` (committed) and give its place among the key's events in the window, by id: how a
    bound on what gets written (the Bitácora's rows) admits the first `regla.limit` of events that race, where
    counting after recording (`intentar`) would have each of them count the others and refuse them all."""
    session.exec(delete(IntentoFallido).where(IntentoFallido.momento < now - RETENTION))
    fila = IntentoFallido(clave=clave(k), momento=now)
    session.add(fila)
    session.commit()
    return _puesto(session, fila.clave, regla, now, fila.id)


def hay(session: Session, k: str, window: timedelta, now: datetime) -> bool:
    """Whether `k` has an event in the window."""
    return session.exec(select(IntentoFallido.id).where(IntentoFallido.clave == clave(k),
                                                        IntentoFallido.momento > now - window).limit(1)).first() \
        is not None


def acierto(session: Session, *intentos: Intento | None, olvidar: list[str] = ()) -> None:
    """The attempts succeeded: they were no failures (their rows go), and the failures of `olvidar` are forgotten.
    One commit."""
    condicion = col(IntentoFallido.id).in_([i for intento in intentos if intento for i in intento.ids])
    if olvidar:
        condicion = or_(condicion, col(IntentoFallido.clave).in_([clave(k) for k in olvidar]))
    # One statement, its rows locked in id order (PostgreSQL): two successes of one credential at once (a double
    # click on Firmar y presentar, two tabs) each forget the other's rows too, and two DELETEs each (its own ids,
    # then the forgotten key) locked them crosswise: a deadlock, a 500 for one of them.
    filas = select(IntentoFallido.id).where(condicion).order_by(IntentoFallido.id).with_for_update()
    session.exec(delete(IntentoFallido).where(col(IntentoFallido.id).in_(filas)))
    session.commit()


def minutos(wait: timedelta) -> int:
    """Whole minutes to tell the user, never 0."""
    return max(1, -(-int(wait.total_seconds()) // 60))
