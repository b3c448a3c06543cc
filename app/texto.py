"""Text as people type and paste it, read the same way by every module that takes typed or pasted text (RFC, CURP,
NSS, folios, contracts, names, addresses, searches, worker files): without the invisible characters that ride along
from a web page, a PDF or Word, accents composed, and a name's typographic signs as the ASCII ones."""
from __future__ import annotations

import unicodedata

__all__ = ["normalize_text", "signos_de_nombre", "sin_invisibles"]

# The apostrophe and hyphen of a name as phones and word processors type them (iOS and macOS Smart Punctuation, on
# by default, write ' as ’; Word writes - as ‐ or –): read as the ASCII signs the name rule allows.
_SIGNOS_TIPOGRAFICOS = str.maketrans(dict.fromkeys("\u2019\u02bc\u2018\u00b4`", "'")
                                     | dict.fromkeys("\u2010\u2011\u2013", "-"))


def sin_invisibles(texto: str) -> str:
    """`texto` without Unicode format characters (category Cf: zero-width space, BOM, LRM/RLM, soft hyphen, word
    joiner, bidi overrides). Copied from a web page, a PDF or Word they ride along unseen with a CURP, an RFC or a
    name, and a refusal then names a length or a character the user cannot see; none belongs in what we store."""
    if texto.isascii():  # no format character is ASCII: the usual text costs one pass in C
        return texto
    return "".join(c for c in texto if unicodedata.category(c) != "Cf")


def normalize_text(texto: str) -> str:
    """`texto` without format characters, its accents composed (NFC: macOS and some PDFs send "Ñ" as "N" and a
    combining tilde)."""
    return unicodedata.normalize("NFC", sin_invisibles(texto))


def signos_de_nombre(texto: str) -> str:
    """`texto` with the typographic apostrophes (’ ʼ ‘ ´ `) and hyphens (‐ ‑ –) of a name as ' and -."""
    return texto.translate(_SIGNOS_TIPOGRAFICOS)
