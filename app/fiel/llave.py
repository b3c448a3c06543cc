"""The private key: read without its password (SAT's protected key, at a bounded derivation cost), the password
present, then opened with it, and proved to be the certificate's pair."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from pyasn1.codec.der import decoder
from pyasn1.error import PyAsn1Error
from pyasn1_modules import rfc5208, rfc8018

from .certificado import Certificado, _is_certificate
from .der import _base64, _check_element_count, _decode, _pem_blocks
from .limites import MAX_FILE_BYTES, MAX_KDF_ITERATIONS
from .mensajes import (
    MSG_KEY_EMPTY,
    MSG_KEY_INVALID,
    MSG_KEY_IS_CER,
    MSG_KEY_MISMATCH,
    MSG_KEY_TOO_BIG,
    MSG_KEY_UNPROTECTED,
    MSG_KEY_UNSUPPORTED,
    MSG_PASSWORD_EMPTY,
    MSG_PASSWORD_WRONG,
    FielRechazada,
)


def _is_private_key(data: bytes) -> bool:
    """Whether `data` holds a private key, protected or not."""
    try:
        _, payload, loader = _key_payload(data)
        loader(payload, None)
    except TypeError:  # `cryptography`'s documented answer for an encrypted key loaded without a password
        return True
    except (FielRechazada, ValueError, UnsupportedAlgorithm):
        return False
    return True


def _key_payload(data: bytes) -> tuple[bytes | None, bytes, Callable[..., PrivateKeyTypes]]:
    """(DER when known, what to give the loader, the loader) for SAT's DER key, a PEM key file (the first
    "… PRIVATE KEY" block; openssl's "RSA PRIVATE KEY" with DEK-Info only makes sense as PEM text) or base64 DER.
    """
    if b"-----BEGIN" in data:
        block = next((b for b in _pem_blocks(data) if b.label.endswith("PRIVATE KEY")), None)
        if block is None:
            raise FielRechazada("key", MSG_KEY_INVALID)
        if block.label == "ENCRYPTED PRIVATE KEY" and block.der is None:
            # PKCS#8 in PEM is plain base64: one with headers is not SAT's, and its key derivation could not be
            # read before `cryptography` runs it (a header line hid 2**40 PBKDF2 rounds from the cost check).
            raise FielRechazada("key", MSG_KEY_INVALID)
        return block.der, block.text, serialization.load_pem_private_key
    der = data if data[:1] == b"\x30" else _base64(data)
    if not der:
        raise FielRechazada("key", MSG_KEY_INVALID)
    return der, der, serialization.load_der_private_key


def _check_key_encryption_cost(der: bytes | None) -> None:
    """Refuse an encrypted key whose key derivation would take absurdly long (see MAX_KDF_ITERATIONS), or whose cost
    cannot be read: this check fails closed. `der` is None only for openssl's traditional "RSA PRIVATE KEY" PEM with
    DEK-Info, whose derivation (EVP_BytesToKey, one MD5 round) has a fixed, tiny cost."""
    if der is None:
        return
    try:
        info = _decode(der, rfc5208.EncryptedPrivateKeyInfo())
        algorithm = info["encryptionAlgorithm"]
        oid = str(algorithm["algorithm"])
        params = bytes(algorithm["parameters"]) if algorithm["parameters"].hasValue() else b""
        if oid == str(rfc8018.id_PBES2):  # SAT's: PBES2 with PBKDF2 and DES-EDE3-CBC
            kdf = _decode(params, rfc8018.PBES2_params())["keyDerivationFunc"]
            if str(kdf["algorithm"]) != str(rfc8018.id_PBKDF2):
                raise FielRechazada("key", MSG_KEY_UNSUPPORTED)  # scrypt's cost could not be bounded the same way
            iterations = int(_decode(bytes(kdf["parameters"]), rfc8018.PBKDF2_params())["iterationCount"])
        elif oid.startswith(("1.2.840.113549.1.5.", "1.2.840.113549.1.12.1.")):
            # PBES1 and PKCS#12 PBE: parameters are SEQUENCE { salt, iterationCount }.
            _check_element_count(params)
            iterations = int(decoder.decode(params)[0][1])
        else:
            raise FielRechazada("key", MSG_KEY_UNSUPPORTED)  # an encryption we cannot bound: not SAT's
    except FielRechazada:
        raise  # a Rechazo is a ValueError too: scrypt's refusal must not read as "unreadable" below
    except (ValueError, TypeError, IndexError, KeyError, OverflowError, RecursionError, PyAsn1Error):
        # Encrypted (the loader asked for a password) but not PKCS#8 as we read it: its cost is unknown, so it
        # is refused rather than handed to `cryptography`.
        raise FielRechazada("key", MSG_KEY_INVALID) from None
    if iterations > MAX_KDF_ITERATIONS:
        raise FielRechazada("key", MSG_KEY_UNSUPPORTED)


def _password_candidates(password: str) -> list[bytes]:
    """UTF-8 first; then Latin-1, because a password with "ñ" or accents set in SAT's Windows tools may have been
    turned into Latin-1 bytes when the key was encrypted."""
    candidates = [password.encode("utf-8")]
    try:
        latin1 = password.encode("latin-1")
    except UnicodeEncodeError:
        return candidates
    if latin1 != candidates[0]:
        candidates.append(latin1)
    return candidates


@dataclass(frozen=True)
class _EncryptedKey:
    """A password-protected key file, read but not opened."""

    payload: bytes  # what to give the loader with the password
    loader: Callable[..., PrivateKeyTypes]


def _read_private_key(data: bytes) -> _EncryptedKey:
    """SAT's password-protected key (encrypted PKCS#8 DER, its PEM form, or openssl's "RSA PRIVATE KEY" with
    DEK-Info), read without its password. An unprotected key is refused: ingress must prove the password
    (decisions.md, 8); so is a key whose derivation would cost too much (MAX_KDF_ITERATIONS)."""
    if not data:
        raise FielRechazada("key", MSG_KEY_EMPTY)
    if len(data) > MAX_FILE_BYTES:
        raise FielRechazada("key", MSG_KEY_TOO_BIG)
    try:
        der, payload, loader = _key_payload(data)
        loader(payload, None)
    except TypeError:
        pass  # encrypted, as it must be
    except (FielRechazada, ValueError, UnsupportedAlgorithm):
        message = MSG_KEY_IS_CER if _is_certificate(data) else MSG_KEY_INVALID
        raise FielRechazada("key", message) from None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: B036  pyo3's PanicException (a Rust panic in `cryptography`) is no Exception
        raise FielRechazada("key", MSG_KEY_INVALID) from None
    else:
        raise FielRechazada("key", MSG_KEY_UNPROTECTED)
    _check_key_encryption_cost(der)
    return _EncryptedKey(payload, loader)


def _check_password_given(password: str) -> None:
    if not password:
        raise FielRechazada("password", MSG_PASSWORD_EMPTY)


def _open_private_key(key: _EncryptedKey, password: str) -> PrivateKeyTypes:
    """The private key, opened with `password` (UTF-8, else Latin-1); FielRechazada("password") when it does not
    open it."""
    for secret in _password_candidates(password):
        try:
            # RSA key validation (about 20 ms, half of a Validar) is skipped: _check_key_matches() signs and verifies
            # a challenge with this key, which a damaged key fails, and that signature never leaves the process.
            return key.loader(key.payload, secret, unsafe_skip_rsa_key_validation=True)
        except ValueError:
            continue  # wrong password (the structure was already read without one)
        except (TypeError, UnsupportedAlgorithm):
            raise FielRechazada("key", MSG_KEY_UNSUPPORTED) from None
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # noqa: B036  pyo3's PanicException (a Rust panic in `cryptography`)
            raise FielRechazada("key", MSG_KEY_INVALID) from None
    raise FielRechazada("password", MSG_PASSWORD_WRONG)


def _check_key_matches(private_key: PrivateKeyTypes, cert: Certificado) -> None:
    """Prove possession: sign a fresh random challenge and verify it with the certificate's public key (stronger
    than comparing moduli: it also catches a damaged key)."""
    public_key = cert.public_key
    if not isinstance(private_key, rsa.RSAPrivateKey) or not isinstance(public_key, rsa.RSAPublicKey):
        raise FielRechazada("key", MSG_KEY_MISMATCH)  # SAT's keys are RSA; anything else cannot be its pair
    # Compare the public halves first: signing is the costly step, and an uploaded key may be any size (a
    # 16,384-bit key takes half a second to sign with), while a key that matches is the certificate's own.
    if private_key.public_key().public_numbers() != public_key.public_numbers():
        raise FielRechazada("key", MSG_KEY_MISMATCH)
    challenge = os.urandom(32)
    try:
        signature = private_key.sign(challenge, padding.PKCS1v15(), hashes.SHA256())
        public_key.verify(signature, challenge, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        raise FielRechazada("key", MSG_KEY_MISMATCH) from None
