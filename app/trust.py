"""The trust store: CA certificates, kept in the database so every app node shares them."""
from __future__ import annotations

from sqlmodel import Session, select

from . import fiel
from .models import AutoridadCertificadora


def add(session: Session, cas: list[fiel.CaInfo]) -> list[tuple[fiel.CaInfo, bool]]:
    """Add CA certificates; returns each with True when new, False when it was already trusted."""
    known = set(session.exec(select(AutoridadCertificadora.fingerprint)).all())
    result = []
    for ca in cas:
        new = ca.fingerprint not in known
        if new:
            session.add(AutoridadCertificadora(fingerprint=ca.fingerprint, subject=ca.subject[:1000],
                                               not_after=ca.not_after, der=ca.der))
            known.add(ca.fingerprint)
        result.append((ca, new))
    session.commit()
    return result


def all_cas(session: Session) -> list[AutoridadCertificadora]:
    return list(session.exec(select(AutoridadCertificadora).order_by(AutoridadCertificadora.subject)).all())


def store(session: Session) -> fiel.TrustStore:
    return fiel.TrustStore(ca.der for ca in all_cas(session))
