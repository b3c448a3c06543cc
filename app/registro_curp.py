"""Where the names of a CURP come from: RENAPO-style HTTP service (CURP_SERVICE_URL) or the embedded directory.

One interface, `buscar(session, curp, url)`; when neither source knows the CURP, the contratista types the names
and `curp.verificar_nombre` checks them against the CURP.
"""
from __future__ import annotations

import csv
import io
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from . import curp as curp_rules
from .models import DirectorioCurp

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NombreCurp:
    nombres: str
    primer_apellido: str
    segundo_apellido: str
    fuente: str  # "servicio" or "directorio"


class RegistroNoDisponible(Exception):
    """The CURP service did not answer (the names can still be typed)."""


def buscar_http(url: str, curp: str, timeout: float = 5.0) -> NombreCurp | None:
    """GET <url>/<CURP> answering JSON {"nombres", "primer_apellido", "segundo_apellido"}; 404: unknown CURP."""
    request = urllib.request.Request(f"{url.rstrip('/')}/{urllib.parse.quote(curp)}",
                                     headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = json.loads(response.read(64 * 1024).decode("utf-8"))
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None
        log.warning("CURP service %s answered %s", url, e.code)
        raise RegistroNoDisponible from None
    except (urllib.error.URLError, OSError, ValueError):
        log.warning("CURP service %s unreachable or unreadable", url, exc_info=True)
        raise RegistroNoDisponible from None
    try:
        nombre = NombreCurp(str(data["nombres"]).strip().upper(), str(data["primer_apellido"]).strip().upper(),
                            str(data.get("segundo_apellido") or "").strip().upper(), "servicio")
    except (KeyError, TypeError, AttributeError):
        raise RegistroNoDisponible from None
    try:
        return NombreCurp(*_nombres(nombre.nombres, nombre.primer_apellido, nombre.segundo_apellido), "servicio")
    except curp_rules.CurpInvalida:
        log.warning("CURP service %s answered a name that is not one (too long, or not letters)", url)
        raise RegistroNoDisponible from None


def _nombres(nombres: str, primer: str, segundo: str) -> tuple[str, str, str]:
    """The three names by the project's name rule (curp.validar_nombre), or CurpInvalida."""
    return (curp_rules.validar_nombre(nombres, "nombres"), curp_rules.validar_nombre(primer, "primer_apellido"),
            curp_rules.validar_nombre(segundo, "segundo_apellido"))


def buscar(session: Session, curp: str, url: str | None = None) -> NombreCurp | None:
    """The names of a CURP from the configured source, or None when it does not know it."""
    if url:
        return buscar_http(url, curp)
    row = session.get(DirectorioCurp, curp)
    if row is None:
        return None
    return NombreCurp(row.nombres, row.primer_apellido, row.segundo_apellido, "directorio")


def importar(session: Session, data: bytes, hoy: date) -> tuple[int, list[str]]:
    """Load (insert or replace) the directory from a UTF-8 CSV with header curp,nombres,primer_apellido,
    segundo_apellido. Returns (rows loaded, messages about rows skipped). `hoy` is Mexico City's date: a CURP born
    after it is skipped, as everywhere else."""
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    try:
        cargadas, omitidas = _cargar(session, reader, hoy)
    except csv.Error as e:  # a field past csv's limit (131,072 characters), a NUL…: nothing is loaded
        session.rollback()
        raise ValueError(f"Línea {reader.line_num}: no es un CSV válido ({e}). No se cargó nada.") from None
    session.commit()
    return cargadas, omitidas


def _cargar(session: Session, reader: csv.DictReader, hoy: date) -> tuple[int, list[str]]:
    expected = {"curp", "nombres", "primer_apellido", "segundo_apellido"}
    if not reader.fieldnames or not expected <= {f.strip().lower() for f in reader.fieldnames}:
        raise ValueError("El archivo debe tener el encabezado curp,nombres,primer_apellido,segundo_apellido.")
    cargadas, omitidas = 0, []
    for number, row in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        try:
            clave = curp_rules.validate(row["curp"], today=hoy)
        except curp_rules.CurpInvalida as e:
            omitidas.append(f"línea {number}: {e}")
            continue
        if not row["nombres"] or not row["primer_apellido"]:
            omitidas.append(f"línea {number}: faltan los nombres o el primer apellido")
            continue
        try:
            nombres, primer, segundo = _nombres(row["nombres"], row["primer_apellido"], row["segundo_apellido"])
        except curp_rules.CurpInvalida as e:
            omitidas.append(f"línea {number}: {e.campo.replace('_', ' ')}: {e}")
            continue
        existing = session.get(DirectorioCurp, clave) or DirectorioCurp(curp=clave)
        existing.nombres, existing.primer_apellido, existing.segundo_apellido = nombres, primer, segundo
        session.add(existing)
        cargadas += 1
    return cargadas, omitidas
