"""A contract's workers (its plantilla) in the database: one page of them, one of them, adding a file's rows and
adding or changing one. The caller has checked that the contract is the contratista's own (app.informativas) and,
for a change, holds the informativa (informativas.bloquear). One person is one worker per contract: an NSS the
contract has is refused by its unique constraint, a CURP it has under another NSS here (informativa.md §3);
Revisar reports what a race could still store (revision "curp_repetida").
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, or_, select

from . import busqueda
from .models import Contrato, Trabajador, utcnow
from .rechazo import Rechazo


def trabajadores(session: Session, contrato: Contrato, q: str, pagina: int, por_pagina: int) -> dict:
    """One page of a contract's workers, searched by NSS, CURP or name (any part, any case)."""
    query = select(Trabajador).where(Trabajador.contrato_id == contrato.id)
    buscado = _buscado(q or "")
    if buscado:
        patron = busqueda.patron(buscado)
        query = query.where(or_(col(Trabajador.nss).like(patron, escape="\\"),
                                col(Trabajador.curp).like(patron, escape="\\"),
                                busqueda.plegado(Trabajador.nombre).like(patron, escape="\\")))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    paginas = max(1, -(-total // por_pagina))
    pagina = min(max(1, pagina), paginas)
    filas = session.exec(query.order_by(Trabajador.nombre, Trabajador.nss).offset((pagina - 1) * por_pagina)
                         .limit(por_pagina)).all()
    return {"filas": filas, "q": q, "pagina": pagina, "paginas": paginas, "total": total}


def _buscado(q: str) -> str:
    """The search as busqueda.texto_buscado reads it (any case, with or without accents, composed or not); an NSS
    written in groups ("0510 6000", "0510-6000", as the form accepts it) as its digits."""
    texto = busqueda.texto_buscado(q)
    digitos = re.sub(r"[\s\-]+", "", texto)
    return digitos if digitos.isascii() and digitos.isdigit() else texto


def trabajador_propio(session: Session, contrato: Contrato, trabajador_id: int, *,
                      fresco: bool = False) -> Trabajador | None:
    trabajador = session.get(Trabajador, trabajador_id, populate_existing=fresco)
    return trabajador if trabajador is not None and trabajador.contrato_id == contrato.id else None


@dataclass(frozen=True)
class FilaNueva:
    nss: str
    curp: str
    sbc: Decimal
    nombre: str
    origen: str


def agregar_trabajadores(session: Session, contrato_id: int, filas: Iterable[FilaNueva]) -> int:
    """Insert the workers whose NSS and CURP the contract does not have yet (INSERT … ON CONFLICT DO NOTHING on
    (contrato, nss): importing the same file twice, or two imports at once, adds nothing twice; a CURP the contract
    has is left out too: one person under a second NSS). Returns how many were added. Not committed."""
    filas = list(filas)
    curps = set(session.exec(select(Trabajador.curp).where(Trabajador.contrato_id == contrato_id,
                                                           col(Trabajador.curp).in_({f.curp for f in filas}))).all())
    valores = []
    for f in filas:
        if f.curp not in curps:
            curps.add(f.curp)
            valores.append({"contrato_id": contrato_id, "nss": f.nss, "curp": f.curp, "sbc": f.sbc,
                            "nombre": f.nombre[:362], "origen": f.origen, "creado": utcnow()})
    if not valores:
        return 0
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    tabla = Trabajador.__table__
    agregados = 0
    for inicio in range(0, len(valores), 500):
        # RETURNING names the rows inserted (not those the conflict skipped): psycopg's rowcount is -1 for this
        # statement, which told "Se agregaron 0 trabajadores" on PostgreSQL (the cluster's browser test saw it).
        resultado = session.execute(insert(tabla).values(valores[inicio:inicio + 500])
                                    .on_conflict_do_nothing(index_elements=["contrato_id", "nss"])
                                    .returning(tabla.c.id))
        agregados += len(resultado.all())
    return agregados


def guardar_trabajador(session: Session, contrato: Contrato, fila: FilaNueva,
                       trabajador: Trabajador | None = None) -> Trabajador:
    """Add one worker or change one; Rechazo("nss") when the contract already has that NSS, Rechazo("curp") when
    another of its workers has that CURP. Committed."""
    mismo = select(Trabajador.nss).where(Trabajador.contrato_id == contrato.id, Trabajador.curp == fila.curp,
                                         Trabajador.nss != fila.nss)  # the same NSS: the constraint's message
    if trabajador is not None and trabajador.id is not None:
        mismo = mismo.where(Trabajador.id != trabajador.id)
    # A worker whose CURP does not change can be corrected even beside a duplicate (the one Revisar asks to leave).
    cambia = trabajador is None or trabajador.curp != fila.curp
    otro = session.exec(mismo).first() if cambia else None
    if otro is not None:
        raise Rechazo("curp", f"La CURP {fila.curp} ya está en este contrato, con el NSS {otro}.")
    trabajador = trabajador or Trabajador(contrato_id=contrato.id, nss=fila.nss, curp=fila.curp, sbc=fila.sbc)
    trabajador.nss, trabajador.curp, trabajador.sbc, trabajador.nombre = fila.nss, fila.curp, fila.sbc, fila.nombre
    trabajador.origen = trabajador.origen or fila.origen
    session.add(trabajador)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Rechazo("nss", f"El NSS {fila.nss} ya está en este contrato.") from None
    return trabajador
