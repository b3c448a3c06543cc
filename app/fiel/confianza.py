"""Whom the operator trusts: `TrustStore` (the CA certificates, each a trust anchor) and reading CA certificates
for it (`read_ca_certificates`: DER, PEM, or a ZIP such as SAT's Cert_Prod.zip, read within bounds)."""

from __future__ import annotations

import io
import logging
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from .certificado import Certificado
from .der import _certificate_ders
from .mensajes import MSG_UNTRUSTED, FielRechazada

log = logging.getLogger("app.fiel")  # one logger for the whole e.firma check


@dataclass(frozen=True)
class CaInfo:
    """A CA certificate read for the trust store (`icsoe trust add|list`)."""

    der: bytes
    subject: str  # the whole DN, readable: two SAT test CAs share a CN and differ only in streetAddress
    issuer: str
    not_before: datetime
    not_after: datetime
    fingerprint: str  # SHA-256 of the DER, lowercase hex
    self_signed: bool


class TrustStore:
    """The CA certificates the operator trusts. Each one is a trust anchor: a certificate is trusted when one of
    them issued it directly, so an intermediate such as SAT's AC5 is enough without its root."""

    def __init__(self, ders: Iterable[bytes]) -> None:
        self._by_subject: dict[bytes, list[Certificado]] = {}
        for der in ders:
            try:
                ca = Certificado.from_der(der)
            except FielRechazada:
                raise ValueError("An entry of the trust store is not a readable certificate.") from None
            if not ca.is_ca:
                raise ValueError(f"Not a CA certificate, so not a trust anchor: {ca.subject_text}")
            self._by_subject.setdefault(ca.subject_dn, []).append(ca)

    def __len__(self) -> int:
        return sum(len(cas) for cas in self._by_subject.values())

    def __iter__(self) -> Iterator[Certificado]:
        return (ca for cas in self._by_subject.values() for ca in cas)

    def issuer_of(self, cert: Certificado) -> Certificado | None:
        """The trusted CA that issued `cert`, or None. Two CAs may share a DN (a renewed key); the signature
        decides."""
        return next((ca for ca in self._by_subject.get(cert.issuer_dn, ()) if cert.issued_by(ca)), None)


def _trusted_issuer(store: TrustStore, cert: Certificado) -> Certificado:
    """The trusted CA that issued `cert`; FielRechazada("cer") when none did."""
    issuer = store.issuer_of(cert)
    if issuer is None:
        raise FielRechazada("cer", MSG_UNTRUSTED)
    return issuer


# What `icsoe trust add` reads of a ZIP, whatever the archive declares (a ZIP's sizes are the sender's word):
MAX_ZIP_ENTRY_BYTES = 1024 * 1024  # of one entry: a CA certificate is a few KB, a PEM bundle or a zipped ZIP tens
MAX_ZIP_TOTAL_BYTES = 20 * 1024 * 1024  # decompressed from one file, nested ZIPs included (SAT's bundle: tens of KB)
MAX_ZIP_ENTRIES = 1000  # per archive (SAT's bundle holds a few dozen certificates)
MAX_ZIP_DEPTH = 1  # a ZIP inside the ZIP is opened (Cert_Prod.zip zipped again); one inside that is not
MAX_SKIPPED_LOGGED = 20


def _files(
    data: bytes, filename: str, skipped: list[str], depth: int = 0, budget: list[int] | None = None
) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of `data`, or of every file in it when it is a ZIP (SAT's Cert_Prod.zip), one nested ZIP deep.
    What is left out is appended to `skipped`, with the reason in Spanish.

    Bounded by what is really read, never by the sizes the archive declares: each entry is decompressed up to
    MAX_ZIP_ENTRY_BYTES and one byte more, and `budget` (one list shared down the nesting) counts what is left of
    MAX_ZIP_TOTAL_BYTES for the whole file, so a ZIP bomb costs a bounded amount of work."""
    if not data.startswith(b"PK\x03\x04"):
        yield filename, data
        return
    label = filename or "ZIP"
    if depth > MAX_ZIP_DEPTH:
        skipped.append(f"{label}: es un ZIP dentro de un ZIP dentro de otro; solo se abre un ZIP anidado")
        return
    if budget is None:
        budget = [MAX_ZIP_TOTAL_BYTES]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        yield filename, data
        return
    if len(entries) > MAX_ZIP_ENTRIES:
        skipped.append(f"{label}: tiene {len(entries)} archivos; solo se leyeron los primeros {MAX_ZIP_ENTRIES}")
        entries = entries[:MAX_ZIP_ENTRIES]
    for info in entries:
        name = f"{filename}/{info.filename}" if filename else info.filename
        limit = min(MAX_ZIP_ENTRY_BYTES, budget[0])
        try:
            with archive.open(info) as stream:
                content = stream.read(limit + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError, zlib.error):
            # RuntimeError: a password-protected entry
            skipped.append(f"{name}: no se pudo leer del ZIP (dañado o protegido con contraseña)")
            continue
        budget[0] -= len(content)
        if len(content) > limit and limit < MAX_ZIP_ENTRY_BYTES:
            skipped.append(f"{name} y lo que sigue: no se leyeron; lo descomprimido del archivo pasa de "
                           f"{MAX_ZIP_TOTAL_BYTES // (1024 * 1024)} MB")
            budget[0] = 0
            return
        if len(content) > limit:
            skipped.append(f"{name}: pasa de {MAX_ZIP_ENTRY_BYTES // 1024} KB descomprimido; no es un certificado")
            continue
        yield from _files(content, name, skipped, depth + 1, budget)


def read_ca_certificates(data: bytes, filename: str = "") -> list[CaInfo]:
    """The CA certificates in a DER certificate, a PEM file with one or more, or a ZIP of them (like SAT's
    Cert_Prod.zip). Entries that are not certificates, and certificates that are not CAs (an e.firma, SAT's OCSP
    responder certificates) are skipped and logged. ValueError when no CA certificate is found."""
    found: dict[str, CaInfo] = {}
    skipped: list[str] = []
    for name, content in _files(data, filename, skipped):
        for der in _certificate_ders(content) if content else []:
            try:
                cert = Certificado.from_der(der)
            except FielRechazada:
                skipped.append(f"{name or 'certificado'}: no es un certificado legible")
                continue
            if not cert.is_ca:
                skipped.append(
                    f"{name or 'certificado'}: no es de una autoridad certificadora ({cert.subject_text})"
                )
                continue
            found.setdefault(
                cert.fingerprint,
                CaInfo(
                    der=cert.der,
                    subject=cert.subject_text,
                    issuer=cert.issuer_text,
                    not_before=cert.not_before,
                    not_after=cert.not_after,
                    fingerprint=cert.fingerprint,
                    self_signed=cert.self_issued,
                ),
            )
    for reason in skipped[:MAX_SKIPPED_LOGGED]:
        log.info("skipped %s", reason)
    if len(skipped) > MAX_SKIPPED_LOGGED:
        log.info("skipped %d more", len(skipped) - MAX_SKIPPED_LOGGED)
    if not found:
        detail = f" ({'; '.join(skipped[:5])})" if skipped else ""
        raise ValueError(
            f"No se encontró ningún certificado de autoridad certificadora en {filename or 'el archivo'}{detail}."
        )
    return list(found.values())
