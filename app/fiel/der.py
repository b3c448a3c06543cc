"""Reading DER and PEM by hand: a small DER walker, the bound on what pyasn1 is given, and PEM unwrapping.

The DER walker is hand-written because a signature must be checked over the certificate's ORIGINAL tbsCertificate
bytes and issuers matched by their exact DN bytes: pyasn1 hands back decoded values (re-encoding them may change
non-canonical input) and `cryptography` cannot load every SAT certificate.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from pyasn1.codec.der import decoder


def _tlv(data: bytes, pos: int = 0) -> tuple[int, int, int]:
    """(tag, start of contents, end) of the DER element at `data[pos:]`; ValueError when it is malformed."""
    if pos + 2 > len(data):
        raise ValueError("truncated DER header")
    tag, length = data[pos], data[pos + 1]
    if tag & 0x1F == 0x1F:
        raise ValueError("multi-byte tags do not occur in the structures read here")
    pos += 2
    if length & 0x80:
        size = length & 0x7F
        if size == 0 or size > 4:  # indefinite length (BER only) or more than 4 GB
            raise ValueError("unsupported DER length")
        if pos + size > len(data):
            raise ValueError("truncated DER length")
        length = int.from_bytes(data[pos : pos + size], "big")
        pos += size
    end = pos + length
    if end > len(data):
        raise ValueError("DER length beyond the data")
    return tag, pos, end


def _contents(element: bytes, tag: int) -> bytes:
    """The contents of one DER element that must fill `element` and carry `tag`."""
    found, start, end = _tlv(element)
    if found != tag or end != len(element):
        raise ValueError(f"expected one DER element with tag {tag:#x}")
    return element[start:end]


def _children(element: bytes, tag: int = 0x30) -> list[bytes]:
    """The elements inside one constructed DER element (a SEQUENCE by default), each with its own header."""
    data = _contents(element, tag)
    items, pos = [], 0
    while pos < len(data):
        _, _, end = _tlv(data, pos)
        items.append(data[pos:end])
        pos = end
    return items


def _first_element(data: bytes) -> bytes:
    """The first whole DER element of `data` (a file may carry a trailing newline after it)."""
    _, _, end = _tlv(data)
    if data[end:].strip(b"\r\n\t \x00"):
        raise ValueError("data after the DER element")
    return data[:end]


# pyasn1 spends tens of microseconds on each element it decodes, so a 64 KB certificate whose name holds a thousand
# attributes (or its extensions a thousand entries) cost 150-250 ms to refuse. SAT's largest piece decoded here (an
# e.firma's subject) has about 50 elements; a piece with more is refused before pyasn1 sees it.
MAX_DER_ELEMENTS = 256


def _check_element_count(der: bytes) -> None:
    """ValueError when `der` holds more than MAX_DER_ELEMENTS elements, counted by walking the headers (each
    element is visited once, and the walk stops at the limit)."""
    count, pending = 0, [(0, len(der))]
    while pending:
        pos, end = pending.pop()
        while pos < end:
            tag, start, stop = _tlv(der, pos)
            if stop > end:
                raise ValueError("DER element beyond its parent")
            count += 1
            if count > MAX_DER_ELEMENTS:
                raise ValueError("too many DER elements")
            if tag & 0x20:  # constructed: its contents are elements too
                pending.append((start, stop))
            pos = stop


def _decode(der: bytes, spec: Any) -> Any:
    """pyasn1-decode one whole element with `spec` (at most MAX_DER_ELEMENTS of them)."""
    _check_element_count(der)
    value, rest = decoder.decode(der, asn1Spec=spec)
    if rest:
        raise ValueError("data after the ASN.1 value")
    return value


_PEM_BEGIN = b"-----BEGIN "
_PEM_END = b"-----END "
_PEM_DASHES = b"-----"
_PEM_LABEL_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ")
MAX_PEM_LABEL = 64  # RFC 7468 labels are short: "ENCRYPTED PRIVATE KEY" has 21 characters
# Candidate blocks examined per file: a .cer or .key holds one or two blocks, a CA bundle for `icsoe trust add` a few
# dozen; a file of thousands of BEGIN/END lines is not worth reading to its end.
MAX_PEM_BLOCKS = 256


@dataclass(frozen=True)
class _PemBlock:
    label: str
    text: bytes  # the whole block, BEGIN to END, for loaders that want PEM
    der: bytes | None  # None when the body has headers (Proc-Type/DEK-Info) or is not base64


def _pem_blocks(data: bytes) -> list[_PemBlock]:
    """Every PEM block in `data`, in order (at most MAX_PEM_BLOCKS candidates are examined). Unwrapped by hand
    because `cryptography`'s PEM loaders also parse what is inside, and a PEM certificate issued by AC6 is refused.

    A single forward pass, hand-written instead of the regex it replaces (BEGIN (label) … END \\1): that regex
    scanned the rest of the input again from every BEGIN without its END, so a 64 KB upload of BEGIN lines cost
    seconds (quadratic). A block is a BEGIN whose END comes before the next BEGIN, so only the last BEGIN before
    each END can start one: the scan jumps there (bytes.find/rfind, in C), reads the label in a window of
    MAX_PEM_LABEL bytes and looks for the END up to the next BEGIN. Every search starts where the previous one
    stopped, so each byte is read a bounded number of times. Blocks nested inside another block, which no tool
    writes, are read as the inner block alone."""
    blocks: list[_PemBlock] = []
    pos = 0
    for _ in range(MAX_PEM_BLOCKS):
        next_end = data.find(_PEM_END, pos)
        if next_end < 0:
            break
        begin = data.rfind(_PEM_BEGIN, pos, next_end)
        if begin < 0:
            pos = next_end + len(_PEM_END)  # an END without its BEGIN
            continue
        label_start = begin + len(_PEM_BEGIN)
        label_end = data.find(_PEM_DASHES, label_start, label_start + MAX_PEM_LABEL + len(_PEM_DASHES))
        label = data[label_start:label_end] if label_end > label_start else b""
        next_begin = data.find(_PEM_BEGIN, label_start)
        if not label or not _PEM_LABEL_BYTES.issuperset(label):
            pos = label_start
            continue
        body_start = label_end + len(_PEM_DASHES)
        end_marker = _PEM_END + label + _PEM_DASHES
        # The window reaches into the next BEGIN's leading dashes: "-----END X-----BEGIN Y-----" shares them.
        limit = len(data) if next_begin < 0 else next_begin + len(_PEM_DASHES)
        end = data.find(end_marker, body_start, limit)
        if end < 0:
            pos = label_start  # another label's END, or none before the next BEGIN: not a block
            continue
        body = data[body_start:end]
        der = None if b":" in body else _base64(body)
        blocks.append(_PemBlock(label.decode("ascii"), data[begin : end + len(end_marker)], der))
        pos = end + len(end_marker)
    return blocks


def _base64(data: bytes) -> bytes | None:
    """`data` decoded as base64 ignoring whitespace (line breaks), or None if it is not base64."""
    try:
        return base64.b64decode(b"".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def _certificate_ders(data: bytes) -> list[bytes]:
    """The DER of every certificate in `data`: DER as SAT ships it, PEM with any number of CERTIFICATE blocks
    (other blocks, like the PUBLIC KEY some tools put first, are skipped), or base64 DER on its own without the PEM
    header lines (as some tools write it)."""
    if data[:1] == b"\x30":
        return [data]
    if b"-----BEGIN" in data:
        return [b.der for b in _pem_blocks(data) if b.label in ("CERTIFICATE", "X509 CERTIFICATE") and b.der]
    der = _base64(data)
    return [der] if der and der[:1] == b"\x30" else []
