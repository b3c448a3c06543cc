"""Revocation: `OcspRevocation` asks SAT's OCSP responder (RFC 6960) about a certificate; `verify` runs it last,
when one is given, because it goes to the network."""

from __future__ import annotations

import hashlib
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.client import HTTPException

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.x509 import ocsp

from .certificado import EKU_OCSP_SIGNING, Certificado
from .mensajes import (
    MSG_REVOCATION_BAD_ANSWER,
    MSG_REVOCATION_UNAVAILABLE,
    MSG_REVOCATION_UNKNOWN,
    FielRechazada,
    _fecha,
)

log = logging.getLogger("app.fiel")  # one logger for the whole e.firma check

OCSP_CLOCK_SKEW = timedelta(minutes=5)
MAX_OCSP_RESPONSE_BYTES = 1024 * 1024


class OcspRevocation:
    """Ask an OCSP responder (RFC 6960) whether a certificate was revoked; pass an instance as `verify`'s
    `revocation`. Fails closed: an unreachable responder or an answer that cannot be trusted refuses the e.firma
    with a "try later" message. Off by default in the app.

    Known limit: `cryptography` parses the OCSP response, so a response carrying a responder certificate whose
    names `cryptography` refuses (one issued by AC6) reads as an invalid answer."""

    def __init__(self, url: str, timeout: float = 10.0, *, clock: Callable[[], datetime] | None = None) -> None:
        if not url.lower().startswith(("http://", "https://")):
            raise ValueError("The OCSP responder URL must be http:// or https://")
        self.url = url
        self.timeout = timeout
        self._clock = clock or (lambda: datetime.now(UTC))

    def __call__(self, cert_der: bytes, issuer_der: bytes) -> None:
        cert = Certificado.from_der(cert_der)
        issuer = Certificado.from_der(issuer_der)
        # By hash rather than add_certificate(): `cryptography` cannot load certificates issued by AC6.
        name_hash = hashlib.sha1(issuer.subject_dn).digest()
        key_hash = hashlib.sha1(issuer.public_key_bits).digest()
        nonce = os.urandom(16)
        request = (
            ocsp.OCSPRequestBuilder()
            .add_certificate_by_hash(name_hash, key_hash, cert.serial_number, hashes.SHA1())
            .add_extension(x509.OCSPNonce(nonce), critical=False)
            .build()
            .public_bytes(serialization.Encoding.DER)
        )
        answer = self._post(request)
        try:
            self._check(answer, cert, issuer, nonce)
        except FielRechazada:
            raise  # a Rechazo is a ValueError too: "revoked" or "unknown" must not read as an unreadable answer
        except (ValueError, UnsupportedAlgorithm):  # `cryptography` could not read the answer
            raise FielRechazada("cer", MSG_REVOCATION_BAD_ANSWER) from None

    def _check(self, answer: bytes, cert: Certificado, issuer: Certificado, nonce: bytes) -> None:
        """Read the responder's answer; raise FielRechazada unless it says, trustworthily, that `cert` is good."""
        response = ocsp.load_der_ocsp_response(answer)
        if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
            raise FielRechazada("cer", MSG_REVOCATION_UNAVAILABLE)  # tryLater, internalError, …
        self._check_signature(response, issuer)
        self._check_nonce(response, nonce)
        single = next(
            (
                r
                for r in response.responses
                if r.serial_number == cert.serial_number
                and r.issuer_key_hash == _digest(r.hash_algorithm, issuer.public_key_bits)
                and r.issuer_name_hash == _digest(r.hash_algorithm, issuer.subject_dn)
            ),
            None,
        )
        if single is None:
            raise FielRechazada("cer", MSG_REVOCATION_BAD_ANSWER)
        now = self._clock()
        if single.this_update_utc > now + OCSP_CLOCK_SKEW or (
            single.next_update_utc is not None and single.next_update_utc < now - OCSP_CLOCK_SKEW
        ):
            raise FielRechazada("cer", MSG_REVOCATION_BAD_ANSWER)  # from the future, or stale
        if single.certificate_status == ocsp.OCSPCertStatus.REVOKED:
            when = single.revocation_time_utc
            date = f" el {_fecha(when)}" if when else ""
            raise FielRechazada("cer", f"El certificado fue revocado{date}. Tramita una nueva e.firma en el SAT.")
        if single.certificate_status == ocsp.OCSPCertStatus.UNKNOWN:
            raise FielRechazada("cer", MSG_REVOCATION_UNKNOWN)

    def _post(self, request: bytes) -> bytes:
        http_request = urllib.request.Request(
            self.url,
            data=request,
            headers={"Content-Type": "application/ocsp-request", "Accept": "application/ocsp-response"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(http_request, timeout=self.timeout) as answer:
                body = answer.read(MAX_OCSP_RESPONSE_BYTES + 1)
        except (urllib.error.URLError, HTTPException, OSError, ValueError):
            # URLError covers refused connections and HTTP errors; OSError timeouts and resets.
            log.warning("OCSP responder %s unreachable", self.url, exc_info=True)
            raise FielRechazada("cer", MSG_REVOCATION_UNAVAILABLE) from None
        if len(body) > MAX_OCSP_RESPONSE_BYTES:
            raise FielRechazada("cer", MSG_REVOCATION_BAD_ANSWER)
        return body

    def _check_signature(self, response: ocsp.OCSPResponse, issuer: Certificado) -> None:
        """The response is signed by the CA itself or by a responder certificate that the CA issued for OCSP
        signing (RFC 6960, 4.2.2.2)."""
        signer = self._signer_key(response, issuer)
        hash_algorithm = response.signature_hash_algorithm
        if not isinstance(signer, rsa.RSAPublicKey) or hash_algorithm is None:
            raise FielRechazada("cer", MSG_REVOCATION_BAD_ANSWER)
        try:
            signer.verify(response.signature, response.tbs_response_bytes, padding.PKCS1v15(), hash_algorithm)
        except InvalidSignature:
            raise FielRechazada("cer", MSG_REVOCATION_BAD_ANSWER) from None

    def _signer_key(self, response: ocsp.OCSPResponse, issuer: Certificado) -> PublicKeyTypes:
        if _responder_is(response, issuer.subject_dn, issuer.public_key_bits):
            return issuer.public_key
        now = self._clock()
        for candidate in response.certificates:
            try:
                responder = Certificado.from_der(candidate.public_bytes(serialization.Encoding.DER))
            except FielRechazada:
                continue
            if (
                _responder_is(response, responder.subject_dn, responder.public_key_bits)
                and responder.issued_by(issuer)
                and EKU_OCSP_SIGNING in (responder.extended_key_usage or ())
                and responder.not_before <= now <= responder.not_after
            ):
                return responder.public_key
        raise FielRechazada("cer", MSG_REVOCATION_BAD_ANSWER)

    @staticmethod
    def _check_nonce(response: ocsp.OCSPResponse, nonce: bytes) -> None:
        """A responder may ignore the nonce (many do, using pre-signed answers); if it echoes one, it must be ours."""
        try:
            echoed = response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
        except x509.ExtensionNotFound:
            return
        if echoed != nonce:
            raise FielRechazada("cer", MSG_REVOCATION_BAD_ANSWER)


def _digest(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    digest = hashes.Hash(algorithm)
    digest.update(data)
    return digest.finalize()


def _responder_is(response: ocsp.OCSPResponse, subject_dn: bytes, key_bits: bytes) -> bool:
    """Whether the response's ResponderID (by name or by key hash) names this certificate."""
    if response.responder_key_hash is not None:
        return response.responder_key_hash == hashlib.sha1(key_bits).digest()
    name = response.responder_name
    return name is not None and name.public_bytes() == subject_dn
