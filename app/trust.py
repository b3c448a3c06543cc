"""The trust store: CA certificates, kept in the database so every app node shares them."""
from __future__ import annotations

from sqlmodel import Session, select, update

from . import fiel
from .models import AutoridadCertificadora, Contratista


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


def remove(session: Session, prefijo: str) -> tuple[AutoridadCertificadora, int]:
    """Stop trusting the one CA whose fingerprint begins with `prefijo` (hex, as `icsoe trust list` shows it, at
    least 8 digits); committed, with how many contratistas' sessions it ended. An e.firma it issued is refused
    from then on at every node, at Validar, at Ingresar (a validation moments before) and at Firmar y presentar
    alike (each reads the store anew). Every contratista's open session ends with it: which CA issued the e.firma
    a session began with is not kept, and withdrawing a CA (one compromised, the demo CA on a real database) is
    rare and grave enough that everyone signs in again, each with an e.firma still trusted. Capturistas' sessions,
    opened with a password, go on."""
    prefijo = prefijo.strip().lower()
    if len(prefijo) < 8 or len(prefijo) > 64 or any(c not in "0123456789abcdef" for c in prefijo):
        raise NoHay(f"«{prefijo[:70]}» no es el principio de una huella: de 8 a 64 dígitos hexadecimales.")
    cas = [ca for ca in all_cas(session) if ca.fingerprint.startswith(prefijo)]
    if len(cas) != 1:
        raise NoHay(f"Ninguna autoridad de confianza tiene la huella {prefijo}." if not cas else
                    f"{len(cas)} autoridades tienen una huella que empieza con {prefijo}: escribe más dígitos.")
    session.delete(cas[0])
    terminadas = session.exec(update(Contratista).values(sesion=Contratista.sesion + 1)).rowcount  # all of them
    session.commit()
    return cas[0], terminadas


def confia(session: Session, huella: str) -> bool:
    """Whether the CA of this fingerprint is trusted now."""
    return bool(huella) and session.exec(select(AutoridadCertificadora.id)
                                         .where(AutoridadCertificadora.fingerprint == huella)).first() is not None


def all_cas(session: Session) -> list[AutoridadCertificadora]:
    return list(session.exec(select(AutoridadCertificadora).order_by(AutoridadCertificadora.subject)).all())


def store(session: Session) -> fiel.TrustStore:
    return fiel.TrustStore(ca.der for ca in all_cas(session))
