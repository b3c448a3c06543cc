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


class NoHay(LookupError):
    """No trusted CA, or more than one, has a fingerprint that begins so."""


def remove(session: Session, prefijo: str) -> AutoridadCertificadora:
    """Stop trusting the one CA whose fingerprint begins with `prefijo` (hex, as `icsoe trust list` shows it, at
    least 8 digits); committed. An e.firma it issued is refused from then on at every node, at Validar and at
    Firmar y presentar alike (each reads the store anew)."""
    prefijo = prefijo.strip().lower()
    if len(prefijo) < 8 or len(prefijo) > 64 or any(c not in "0123456789abcdef" for c in prefijo):
        raise NoHay(f"«{prefijo[:70]}» no es el principio de una huella: de 8 a 64 dígitos hexadecimales.")
    cas = [ca for ca in all_cas(session) if ca.fingerprint.startswith(prefijo)]
    if len(cas) != 1:
        raise NoHay(f"Ninguna autoridad de confianza tiene la huella {prefijo}." if not cas else
                    f"{len(cas)} autoridades tienen una huella que empieza con {prefijo}: escribe más dígitos.")
    session.delete(cas[0])
    session.commit()
    return cas[0]


def all_cas(session: Session) -> list[AutoridadCertificadora]:
    return list(session.exec(select(AutoridadCertificadora).order_by(AutoridadCertificadora.subject)).all())


def store(session: Session) -> fiel.TrustStore:
    return fiel.TrustStore(ca.der for ca in all_cas(session))
