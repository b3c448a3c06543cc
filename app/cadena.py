"""The cadena original of an informativa: the one canonical text that the contratista's e.firma signs.

Version 1.1. The text is UTF-8: its fields in this order, separated by "|", between "||" and "||" (SAT's shape
for a CFDI's cadena original):

    ||1.1|ICSOE-INFORMATIVA|<RFC del contratista>|<nombre>|<ejercicio>|<cuatrimestre>|<tipo>|
      <folio of the informativa a complementaria corrects or cancels, or empty>|<número de contratos>|
      <número de trabajadores>|
      for each contract, in the order given (its number is its position, from 1):
        <número>|<RFC del contratante>|<nombre del contratante>|<folio del servicio>|<objeto>|<fecha de inicio>|
        <fecha de término, or empty>|<número de trabajadores>|<SHA-256 of its worker list>|
    ||

(one line; the line breaks above are for reading). A contract's worker list is, for each worker sorted by NSS
and then CURP, "NSS|CURP|SBC" followed by "\\n", the SBC with two decimals; its SHA-256 is written as 64 lowercase
hexadecimal digits. Every text field is normalised before it is written: Unicode NFC, every run of white space as
one space, no space at either end, and "\\" and "|" escaped as "\\\\" and "\\|" (so that no value can forge a
field boundary). Dates are AAAA-MM-DD; the type is "normal", "sin_informacion", "correccion" or "sin_efectos";
numbers are decimal digits.

Version 1.0 is 1.1 without the complemented folio (it knew no complementarias); its filings are verified with it
(`cadena_original(datos, version="1.0")`).

The same informativa always gives the same cadena, whatever order its workers were captured in, and any change to
any stored value a filing reports (a worker's NSS, CURP or SBC included) gives another. `tests/fixtures/cadena/`
holds a golden file; a change to this text is a new version (a new VERSION, the old one kept for the acuses it
signed), never an edit.
"""
from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

VERSION = "1.1"
VERSIONES = ("1.0", "1.1")
DOCUMENTO = "ICSOE-INFORMATIVA"
CENTAVOS = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class TrabajadorCadena:
    nss: str
    curp: str
    sbc: Decimal


@dataclass(frozen=True, slots=True)
class ContratoCadena:
    rfc_contratante: str
    nombre_contratante: str
    servicio_folio: str
    objeto: str
    fecha_inicio: date
    fecha_termino: date | None
    trabajadores: Sequence[TrabajadorCadena]


@dataclass(frozen=True, slots=True)
class InformativaCadena:
    rfc: str                    # the contratista's
    nombre: str
    ejercicio: int
    cuatrimestre: int
    tipo: str                   # models.TIPOS_INFORMATIVA's keys
    contratos: Sequence[ContratoCadena]  # in the order their numbers follow (1, 2, …)
    complementa: str = ""       # a complementaria: the folio of the filing it corrects or cancels


def texto(valor: str) -> str:
    """A text field as the cadena writes it (see the module docstring)."""
    plano = " ".join(unicodedata.normalize("NFC", valor).split())
    return plano.replace("\\", "\\\\").replace("|", "\\|")


def lista_trabajadores(trabajadores: Sequence[TrabajadorCadena]) -> bytes:
    """A contract's worker list as its hash reads it: sorted by NSS and CURP, one "NSS|CURP|SBC\\n" each."""
    filas = sorted((texto(t.nss), texto(t.curp), f"{Decimal(t.sbc).quantize(CENTAVOS)}") for t in trabajadores)
    return "".join(f"{nss}|{curp}|{sbc}\n" for nss, curp, sbc in filas).encode("utf-8")


def huella_trabajadores(trabajadores: Sequence[TrabajadorCadena]) -> str:
    """The SHA-256 of a contract's worker list, 64 lowercase hexadecimal digits."""
    return hashlib.sha256(lista_trabajadores(trabajadores)).hexdigest()


def cadena_original(informativa: InformativaCadena, version: str = VERSION) -> str:
    """The cadena original in `version` (see the module docstring); ValueError for a version that cannot write
    this informativa (1.0 and a complementaria) or that does not exist."""
    if version not in VERSIONES or (version == "1.0" and informativa.complementa):
        raise ValueError(f"the cadena version {version!r} cannot write this informativa")
    campos = [version, DOCUMENTO, texto(informativa.rfc), texto(informativa.nombre), str(informativa.ejercicio),
              str(informativa.cuatrimestre), texto(informativa.tipo)]
    if version != "1.0":
        campos.append(texto(informativa.complementa))
    campos += [str(len(informativa.contratos)), str(sum(len(c.trabajadores) for c in informativa.contratos))]
    for numero, c in enumerate(informativa.contratos, start=1):
        campos += [str(numero), texto(c.rfc_contratante), texto(c.nombre_contratante), texto(c.servicio_folio),
                   texto(c.objeto), c.fecha_inicio.isoformat(), c.fecha_termino.isoformat() if c.fecha_termino else "",
                   str(len(c.trabajadores)), huella_trabajadores(c.trabajadores)]
    return "||" + "|".join(campos) + "||"


def huella_contenido(informativa: InformativaCadena) -> str:
    """The SHA-256 (64 lowercase hexadecimal digits) of what the informativa reports: its cadena original without
    the signer's RFC and name, which only the e.firma gives. The Firmar y presentar page carries it, so that the POST
    signs exactly what that page showed."""
    return hashlib.sha256(cadena_original(replace(informativa, rfc="", nombre="")).encode("utf-8")).hexdigest()
