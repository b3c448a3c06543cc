"""The informativa cuatrimestral in the database: informativas and their contracts (their workers: app.plantilla;
the REPSE registration and its services: app.servicios_repse). Every function takes the contratista's id and never reaches another's
rows: a view that passes an id of another contratista gets None (and answers 404). Rules live in the plain modules
(repse, plazos, trabajadores, carga_masiva, revision); here they meet the tables, with races answered by the unique
constraints.

Every change to an informativa's contracts or workers, and its Enviar a firma, begins with `bloquear()`: one
conditional UPDATE of the informativa's row, which PostgreSQL holds locked and SQLite holds under its write lock
until the commit. Two such changes of one informativa therefore run one after the other, and each reads what it
depends on (the contract still there, the informativa still in capture, Revisar's data) after it, never before:
Enviar a firma cannot pass Revisar while a worker is being removed, nor a worker be added to a contract being
deleted.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import distinct, insert, literal, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, delete, func, select

from . import cadena, folios, plazos, revision
from .hora import MEXICO, fecha_hora
from .models import (Borrador, CargaTrabajadores, Contrato, FolioConsecutivo, Informativa, ServicioRepse,
                     TIPOS_COMPLEMENTARIA, TIPOS_INFORMATIVA, Trabajador, utcnow)
from .rechazo import Rechazo
from .servicios_repse import registro_repse, servicios

# -- Informativas --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resumen:
    informativa: Informativa
    contratos: int
    trabajadores: int


def registrar(session: Session, contratista_id: int, ejercicio: int, cuatrimestre: int, tipo: str) -> Informativa:
    """A new informativa, or Rechazo("cuatrimestre") when the period already has one that counts. The unique
    constraint decides between requests racing on several nodes. Committed."""
    existente = vigente(session, contratista_id, ejercicio, cuatrimestre)
    if existente is None:
        informativa = Informativa(contratista_id=contratista_id, ejercicio=ejercicio, cuatrimestre=cuatrimestre,
                                  tipo=tipo)
        session.add(informativa)
        try:
            session.commit()
            return informativa
        except IntegrityError:
            session.rollback()
            existente = vigente(session, contratista_id, ejercicio, cuatrimestre)
    nombre = TIPOS_INFORMATIVA.get(existente.tipo, existente.tipo) if existente else ""
    if existente is not None and existente.estatus == "presentada":
        raise Rechazo("cuatrimestre", f"Ya presentaste una informativa ({nombre}, folio {existente.folio}) de ese "
                                      "cuatrimestre. Para corregirla o dejarla sin efectos, registra una "
                                      "complementaria desde esa informativa.")
    raise Rechazo("cuatrimestre", f"Ya registraste una informativa {nombre} de ese cuatrimestre. Para corregirla, "
                                  "edítala mientras esté en captura; si la registraste con otro tipo por error, "
                                  "descártala desde su página y registra la correcta.")


def vigente(session: Session, contratista_id: int, ejercicio: int, cuatrimestre: int) -> Informativa | None:
    return session.exec(select(Informativa).where(Informativa.contratista_id == contratista_id,
                                                  Informativa.ejercicio == ejercicio,
                                                  Informativa.cuatrimestre == cuatrimestre,
                                                  col(Informativa.vigente).is_(True))).first()


def propia(session: Session, contratista_id: int, informativa_id: int) -> Informativa | None:
    informativa = session.get(Informativa, informativa_id)
    return informativa if informativa is not None and informativa.contratista_id == contratista_id else None


def resumenes(session: Session, contratista_id: int) -> list[Resumen]:
    """Every informativa of the contratista, newest period first, with its contracts and workers counted (two
    grouped queries, whatever the number of informativas)."""
    informativas = list(session.exec(select(Informativa).where(Informativa.contratista_id == contratista_id)
                                     .order_by(col(Informativa.ejercicio).desc(), col(Informativa.cuatrimestre).desc(),
                                               col(Informativa.id).desc())).all())
    ids = [i.id for i in informativas]
    contratos = dict(session.exec(select(Contrato.informativa_id, func.count()).where(
        col(Contrato.informativa_id).in_(ids)).group_by(Contrato.informativa_id)).all()) if ids else {}
    trabajadores = dict(session.exec(
        select(Contrato.informativa_id, func.count(Trabajador.id)).join(Trabajador, Trabajador.contrato_id == Contrato.id)
        .where(col(Contrato.informativa_id).in_(ids)).group_by(Contrato.informativa_id)).all()) if ids else {}
    return [Resumen(i, contratos.get(i.id, 0), trabajadores.get(i.id, 0)) for i in informativas]


def bloquear(session: Session, informativa: Informativa) -> bool:
    """Begin the change of an informativa in capture (see the module's docstring): False, and nothing held, when it
    is no longer in capture. Its `actualizada` moves. Not committed."""
    resultado = session.execute(update(Informativa.__table__)
                                .where(Informativa.__table__.c.id == informativa.id,
                                       Informativa.__table__.c.estatus == "en_captura")
                                .values(actualizada=utcnow()))
    if resultado.rowcount != 1:
        session.rollback()
        return False
    return True


def bloquear_servicios(session: Session, informativa: Informativa) -> None:
    """Hold the REPSE services the informativa's contracts use until the commit (PostgreSQL; SQLite's write lock
    already holds everything), so that a service changed at the same time is either seen by Revisar or refused
    afterwards by servicios_repse.guardar_servicio."""
    usados = select(Contrato.servicio_id).where(Contrato.informativa_id == informativa.id)
    # In one order everywhere: two Enviar of informativas sharing services never wait on each other crosswise.
    session.exec(select(ServicioRepse.id).where(col(ServicioRepse.id).in_(usados)).order_by(ServicioRepse.id)
                 .with_for_update()).all()


def cambiar_estatus(session: Session, informativa: Informativa, de: str, a: str) -> bool:
    """Move the informativa from `de` to `a` (en_captura ↔ por_firmar) in one conditional UPDATE; False when it was
    not in `de` (another request moved it). Committed. The object takes the values written, not a fresh read: a
    complementaria discarded in another tab right after the commit would make that read fail (a 500 for a change
    that was stored)."""
    tabla, ahora = Informativa.__table__, utcnow()
    resultado = session.execute(update(tabla).where(tabla.c.id == informativa.id, tabla.c.estatus == de)
                                .values(estatus=a, actualizada=ahora))
    if resultado.rowcount != 1:
        session.rollback()
        return False
    session.commit()
    set_committed_value(informativa, "estatus", a)
    set_committed_value(informativa, "actualizada", ahora)
    return True


def estado_actual(informativa: Informativa) -> str:
    """Where the informativa stands, for one who asked a change it no longer admits (a second click, another tab):
    what happened and what can be done instead."""
    if informativa.estatus == "presentada":
        return (f"La informativa ya se presentó con el folio {informativa.folio} el "
                f"{fecha_hora(informativa.presentada)}. Ya no se puede cambiar; para corregirla, registra una "
                "complementaria.")
    if informativa.estatus == "por_firmar":
        return ("La informativa ya se envió a firma y no se puede cambiar mientras espera la e.firma del contratista. "
                "Si falta algo, regrésala a captura.")
    return ("La informativa está en captura: el capturista todavía puede cambiarla y, cuando esté completa, enviarla a "
            "firma.")


# -- Contratos -----------------------------------------------------------------------------------------------------


def contratos(session: Session, informativa: Informativa) -> list[Contrato]:
    return list(session.exec(select(Contrato).where(Contrato.informativa_id == informativa.id,
                                                    Contrato.contratista_id == informativa.contratista_id)
                             .order_by(Contrato.id)).all())


def contrato_propio(session: Session, informativa: Informativa, contrato_id: int, *,
                    fresco: bool = False) -> Contrato | None:
    """The informativa's contract with that id, or None. `fresco` reads the row again (after `bloquear`: another
    request may have deleted or changed it since this one first read it)."""
    contrato = session.get(Contrato, contrato_id, populate_existing=fresco)
    if contrato is None or contrato.informativa_id != informativa.id or \
            contrato.contratista_id != informativa.contratista_id:
        return None
    return contrato


def trabajadores_por_contrato(session: Session, informativa: Informativa) -> dict[int, int]:
    return dict(session.exec(select(Trabajador.contrato_id, func.count()).join(Contrato, Contrato.id == Trabajador.contrato_id)
                             .where(Contrato.informativa_id == informativa.id).group_by(Trabajador.contrato_id)).all())


def resumen_trabajadores(session: Session, informativa: Informativa) -> dict[int, tuple[int, Decimal, int]]:
    """Per contract with workers: how many, the highest SBC (Revisar checks it against 25 UMA again) and how many
    repeat another one's CURP (two tabs adding one person under two NSS at once can still store it)."""
    return {cid: (total, Decimal(v), total - distintas) for cid, v, total, distintas in session.exec(
        select(Trabajador.contrato_id, func.max(Trabajador.sbc), func.count(), func.count(distinct(Trabajador.curp)))
        .join(Contrato, Contrato.id == Trabajador.contrato_id)
        .where(Contrato.informativa_id == informativa.id).group_by(Trabajador.contrato_id)).all()}


def cargas_pendientes(session: Session, informativa: Informativa) -> dict[int, tuple[int, str]]:
    """contract id → (id, file name) of its worker file checked and waiting for Agregar trabajadores (its preview,
    not read: a preview may hold thousands of rows)."""
    return {contrato_id: (carga_id, archivo) for carga_id, contrato_id, archivo in session.exec(
        select(CargaTrabajadores.id, CargaTrabajadores.contrato_id, CargaTrabajadores.archivo)
        .join(Contrato, Contrato.id == CargaTrabajadores.contrato_id)
        .where(Contrato.informativa_id == informativa.id,
               CargaTrabajadores.contratista_id == informativa.contratista_id))}


def contrato_por_alta(session: Session, informativa: Informativa, clave_alta: str | None) -> Contrato | None:
    """The contract an Agregar contrato form (its `clave_alta`) already stored in this informativa; None for no key
    (contracts stored before revision 0007 have none, and none of them is a form's)."""
    if not clave_alta:
        return None
    return session.exec(select(Contrato).where(Contrato.informativa_id == informativa.id,
                                               Contrato.contratista_id == informativa.contratista_id,
                                               Contrato.clave_alta == clave_alta)).first()


def nombre_conocido(session: Session, contratista_id: int, rfc: str) -> str | None:
    """The contratante's name as this contratista wrote it in its latest contract with that RFC."""
    return session.exec(select(Contrato.nombre_contratante).where(Contrato.contratista_id == contratista_id,
                                                                  Contrato.rfc_contratante == rfc)
                        .order_by(col(Contrato.id).desc()).limit(1)).first()


def contratos_de_otras(session: Session, contratista_id: int, informativa: Informativa) -> list[tuple[Contrato, Informativa]]:
    """The contratista's contracts in its other informativas (Copiar de otra informativa), newest first."""
    return list(session.exec(select(Contrato, Informativa).join(Informativa, Informativa.id == Contrato.informativa_id)
                             .where(Contrato.contratista_id == contratista_id, Contrato.informativa_id != informativa.id)
                             .order_by(col(Informativa.ejercicio).desc(), col(Informativa.cuatrimestre).desc(),
                                       col(Contrato.id).desc())).all())


def eliminar_contrato(session: Session, contrato: Contrato, clave_borrador: str) -> None:
    """A contract, its workers, its previews and its unsaved draft (`clave_borrador`). Committed."""
    session.exec(delete(Trabajador).where(Trabajador.contrato_id == contrato.id))
    session.exec(delete(CargaTrabajadores).where(CargaTrabajadores.contrato_id == contrato.id))
    session.exec(delete(Borrador).where(Borrador.contratista_id == contrato.contratista_id,
                                        Borrador.clave == clave_borrador))
    session.delete(contrato)
    session.commit()


# -- Complementarias ----------------------------------------------------------------------------------------------

# A period's filing may be complemented four times (Lineamientos: "hasta cuatro complementarias").
MAX_COMPLEMENTARIAS = 4


def complementarias_usadas(session: Session, contratista_id: int, ejercicio: int, cuatrimestre: int) -> int:
    """The period's complementarias registered (presented or under way: a discarded one is deleted)."""
    return session.exec(select(func.count()).select_from(Informativa).where(
        Informativa.contratista_id == contratista_id, Informativa.ejercicio == ejercicio,
        Informativa.cuatrimestre == cuatrimestre, col(Informativa.tipo).in_(TIPOS_COMPLEMENTARIA))).one()


def en_curso(session: Session, contratista_id: int, ejercicio: int, cuatrimestre: int) -> Informativa | None:
    """The period's complementaria under way (registered, not presented): at most one (`pendiente` is unique)."""
    return session.exec(select(Informativa).where(
        Informativa.contratista_id == contratista_id, Informativa.ejercicio == ejercicio,
        Informativa.cuatrimestre == cuatrimestre, col(Informativa.pendiente).is_(True))).first()


def historial(session: Session, contratista_id: int, ejercicio: int, cuatrimestre: int) -> list[Informativa]:
    """Every filing of a period, in the order they were registered."""
    return list(session.exec(select(Informativa).where(
        Informativa.contratista_id == contratista_id, Informativa.ejercicio == ejercicio,
        Informativa.cuatrimestre == cuatrimestre).order_by(Informativa.id)).all())


def complementada_por(session: Session, informativa: Informativa) -> list[Informativa]:
    """The complementarias that name this filing, oldest first."""
    return list(session.exec(select(Informativa).where(Informativa.complementa_id == informativa.id,
                                                       Informativa.contratista_id == informativa.contratista_id)
                             .order_by(Informativa.id)).all())


def registrar_complementaria(session: Session, original: Informativa, tipo: str,
                             antes_de_confirmar: Callable[[Informativa], None] = lambda nueva: None) -> Informativa:
    """A Corrección (a copy of the filed informativa's contracts and workers, to edit) or a Sin efectos (nothing to
    capture) of the period's vigente presented filing, in capture. Rechazo("tipo") when the filing is not the
    period's vigente presented one, when the period used its four, or when another is under way (the unique
    `pendiente` decides between racing requests). `antes_de_confirmar(nueva)` adds to the same transaction.
    Committed."""
    if tipo not in TIPOS_COMPLEMENTARIA:
        raise ValueError(tipo)
    no_vigente = "Solo la informativa vigente y presentada de un cuatrimestre puede complementarse."
    cuatro = f"Ya registraste las {MAX_COMPLEMENTARIAS} complementarias que permite un cuatrimestre."
    if original.estatus != "presentada" or original.vigente is not True:
        raise Rechazo("tipo", no_vigente)
    if complementarias_usadas(session, original.contratista_id, original.ejercicio,
                              original.cuatrimestre) >= MAX_COMPLEMENTARIAS:
        raise Rechazo("tipo", cuatro)
    ahora = utcnow()
    # A Core INSERT: the ORM would write `vigente`'s default (True) for the None given.
    alta = insert(Informativa.__table__).values(
        contratista_id=original.contratista_id, ejercicio=original.ejercicio, cuatrimestre=original.cuatrimestre,
        tipo=tipo, estatus="en_captura", vigente=None, pendiente=True, complementa_id=original.id, creada=ahora,
        actualizada=ahora)
    try:
        nueva = session.get(Informativa, session.execute(alta).inserted_primary_key[0])
    except IntegrityError:
        session.rollback()
        raise Rechazo("tipo", "Ya hay una complementaria en curso de este cuatrimestre: termínala o descártala "
                              "antes de registrar otra.") from None
    # What was read above may have changed since (another complementaria presented on another node): checked again
    # now that this one is the period's pendiente. The filing's row is held until the commit, on the condition that
    # it is still the vigente presented one; presentar takes the complementaria's row and then this one, in the
    # same order, so the two run one after the other and never wait on each other crosswise.
    tabla = Informativa.__table__
    if session.execute(update(tabla).where(tabla.c.id == original.id,
                                           tabla.c.contratista_id == original.contratista_id,
                                           tabla.c.estatus == "presentada", tabla.c.vigente.is_(True))
                       .values(actualizada=tabla.c.actualizada)).rowcount != 1:
        session.rollback()
        raise Rechazo("tipo", no_vigente)
    if complementarias_usadas(session, original.contratista_id, original.ejercicio,
                              original.cuatrimestre) > MAX_COMPLEMENTARIAS:  # this one included
        session.rollback()
        raise Rechazo("tipo", cuatro)
    if tipo == "correccion":
        _copiar_contratos(session, original, nueva)
    antes_de_confirmar(nueva)
    session.commit()
    return nueva


def _copiar_contratos(session: Session, origen: Informativa, destino: Informativa) -> None:
    """Every contract of `origen` into `destino`, in the same order, each with its workers (one INSERT … SELECT per
    contract). Not committed."""
    tabla = Trabajador.__table__
    for contrato in contratos(session, origen):
        copia = Contrato(**contrato.model_dump(exclude={"id", "informativa_id", "clave_alta", "creado", "actualizado"}),
                         informativa_id=destino.id)
        session.add(copia)
        session.flush()
        columnas = ["nss", "curp", "sbc", "nombre", "origen", "creado"]
        session.execute(tabla.insert().from_select(
            ["contrato_id", *columnas],
            select(literal(copia.id), *(tabla.c[c] for c in columnas)).where(tabla.c.contrato_id == contrato.id)))


def descartable(informativa: Informativa) -> bool:
    """Whether Descartar applies: a complementaria not presented (the period's count gets it back), or a period's
    first filing never presented (registered with the wrong type, or for the wrong period: without it, a Normal with
    no contracts could neither be sent nor give way to a Sin información, and the only way out was to sign it)."""
    return informativa.estatus != "presentada" and (informativa.pendiente is True or informativa.complementa_id is None)


MSG_DESCARTE_CAMBIO = ("{que} cambió desde que abriste la confirmación: ahora tiene {contratos} contrato{s_c} y "
                       "{trabajadores} trabajador{es_t}. No se descartó; confirma de nuevo si quieres descartarla.")


def contenido(session: Session, informativa: Informativa) -> tuple[int, int]:
    """How many contracts and workers the informativa has: what Descartar's confirmation says will go."""
    return (session.exec(select(func.count()).select_from(Contrato).where(Contrato.informativa_id == informativa.id))
            .one(), sum(trabajadores_por_contrato(session, informativa).values()))


def descartar(session: Session, informativa: Informativa, confirmado: tuple[int, int] | None) -> bool:
    """Delete an informativa that is descartable(), its contracts, workers and previews. False when it was presented
    (or is gone) meanwhile. `confirmado`: the contracts and workers its confirmation page said would go; Rechazo
    (nothing deleted) when it holds others now (a tab added some since), or for None (a page that said nothing). They are counted once the informativa's
    row is held, so that a change that takes it too (bloquear) comes before or after, not during. Committed."""
    tabla = Informativa.__table__
    resultado = session.execute(update(tabla).where(
        tabla.c.id == informativa.id, tabla.c.estatus != "presentada",
        tabla.c.pendiente.is_(True) | tabla.c.complementa_id.is_(None)).values(actualizada=utcnow()))
    if resultado.rowcount != 1:
        session.rollback()
        return False
    if (ahora := contenido(session, informativa)) != confirmado:
        session.rollback()
        raise Rechazo("", MSG_DESCARTE_CAMBIO.format(
            que="La complementaria" if informativa.complementa_id else "La informativa", contratos=ahora[0],
            s_c="s" if ahora[0] != 1 else "", trabajadores=ahora[1], es_t="es" if ahora[1] != 1 else ""))
    suyos = select(Contrato.id).where(Contrato.informativa_id == informativa.id)
    session.exec(delete(Trabajador).where(col(Trabajador.contrato_id).in_(suyos)))
    session.exec(delete(CargaTrabajadores).where(col(CargaTrabajadores.contrato_id).in_(suyos)))
    session.exec(delete(Borrador).where(Borrador.contratista_id == informativa.contratista_id,
                                        col(Borrador.clave).startswith(f"contrato:{informativa.id}:")))
    session.exec(delete(Contrato).where(Contrato.informativa_id == informativa.id))
    session.exec(delete(Informativa).where(col(Informativa.id) == informativa.id))
    session.commit()
    return True


# -- Folios --------------------------------------------------------------------------------------------------------

def siguiente_folio(session: Session, tipo: str, anio: int) -> int:
    """The next number of `tipo`'s folios of `anio` (folios.py): one INSERT … ON CONFLICT DO UPDATE … RETURNING,
    whose row stays locked until the caller's commit (PostgreSQL's row lock, SQLite's write lock), so two nodes
    never get one number, and a rollback gives it back. Not committed."""
    tabla = FolioConsecutivo.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    sentencia = insert(tabla).values(prefijo=folios.prefijo(tipo), anio=anio, ultimo=1)
    sentencia = sentencia.on_conflict_do_update(index_elements=["prefijo", "anio"],
                                                set_={"ultimo": tabla.c.ultimo + 1}).returning(tabla.c.ultimo)
    return session.execute(sentencia).scalar_one()


# -- Presentación --------------------------------------------------------------------------------------------------

def datos_cadena(session: Session, informativa: Informativa, rfc: str, nombre: str) -> cadena.InformativaCadena:
    """What the cadena original of the informativa reads (app.cadena), from its stored contracts (in the order of
    their ids, which is their number), their services and their workers."""
    servicios_ = {s.id: s.folio for s in servicios(session, informativa.contratista_id)}
    por_contrato: dict[int, list[cadena.TrabajadorCadena]] = {}
    for contrato_id, nss, curp, sbc in session.exec(
            select(Trabajador.contrato_id, Trabajador.nss, Trabajador.curp, Trabajador.sbc)
            .join(Contrato, Contrato.id == Trabajador.contrato_id)
            .where(Contrato.informativa_id == informativa.id)).all():
        por_contrato.setdefault(contrato_id, []).append(cadena.TrabajadorCadena(nss, curp, Decimal(sbc)))
    complementada = propia(session, informativa.contratista_id, informativa.complementa_id) \
        if informativa.complementa_id else None
    return cadena.InformativaCadena(
        rfc=rfc, nombre=nombre, ejercicio=informativa.ejercicio, cuatrimestre=informativa.cuatrimestre,
        tipo=informativa.tipo, complementa=complementada.folio or "" if complementada else "", contratos=[
            cadena.ContratoCadena(c.rfc_contratante, c.nombre_contratante, servicios_.get(c.servicio_id, ""),
                                  c.objeto, c.fecha_inicio, c.fecha_termino, por_contrato.get(c.id, []))
            for c in contratos(session, informativa)])


def huella_contenido(session: Session, informativa: Informativa) -> str:
    """What the informativa reports now, as cadena.huella_contenido: the Firmar page's fingerprint."""
    return cadena.huella_contenido(datos_cadena(session, informativa, "", ""))


def cadena_reconstruida(session: Session, informativa: Informativa) -> str | None:
    """The cadena original a presented informativa's stored rows give today: equal to its stored `cadena` unless a
    row it reports was changed after it was signed; None when its stored version cannot write it (a version this
    release does not know, or 1.0 for a complementaria: the row was altered)."""
    try:
        return cadena.cadena_original(datos_cadena(session, informativa, informativa.rfc_firmante or "",
                                                   informativa.nombre_firmante or ""),
                                      version=informativa.cadena_version or cadena.VERSION)
    except ValueError:
        return None


@dataclass(frozen=True)
class Firmada:
    """What the contratista's e.firma signed: the cadena original and its sello, and the certificate."""

    cadena: str
    sello: str                    # base64
    certificado: bytes            # DER
    serial: str
    rfc: str
    nombre: str


def presentar(session: Session, informativa: Informativa, firmada: Firmada, ahora: datetime,
              antes_de_confirmar: Callable[[str], None] = lambda folio: None) -> str | None:
    """Por firmar → Presentada: the folio, the time, the deadline's verdict, the cadena, the sello and the
    certificate, in one transaction. Answers the folio, or None (nothing stored) when the informativa is no longer
    por firmar, or when its stored data no longer give the cadena that was signed (it changed while the
    contratista signed: Regresar a captura, a change, Enviar again). The conditional UPDATE comes first, so that
    nothing can change it between that check and the commit. `antes_de_confirmar(folio)` adds to the same
    transaction (the Bitácora's row). Committed."""
    tabla = Informativa.__table__
    resultado = session.execute(update(tabla).where(tabla.c.id == informativa.id, tabla.c.estatus == "por_firmar")
                                .values(estatus="presentada", actualizada=ahora))
    if resultado.rowcount != 1 or \
            cadena.cadena_original(datos_cadena(session, informativa, firmada.rfc, firmada.nombre)) != firmada.cadena:
        session.rollback()
        return None
    if informativa.complementa_id is not None:
        # The filing it corrects or cancels stops being the period's (still vigente and presented: nothing else
        # can have replaced it while this one was pendiente); a Corrección takes its place.
        reemplazada = session.execute(update(tabla).where(tabla.c.id == informativa.complementa_id,
                                                          tabla.c.contratista_id == informativa.contratista_id,
                                                          tabla.c.estatus == "presentada",
                                                          tabla.c.vigente.is_(True)).values(vigente=None))
        if reemplazada.rowcount != 1:
            session.rollback()
            return None
        session.execute(update(tabla).where(tabla.c.id == informativa.id).values(
            pendiente=None, vigente=True if informativa.tipo == "correccion" else None))
    local = ahora.astimezone(MEXICO)
    folio = folios.folio(informativa.tipo, local.year, siguiente_folio(session, informativa.tipo, local.year))
    periodo = plazos.Periodo(informativa.ejercicio, informativa.cuatrimestre)
    session.execute(update(tabla).where(tabla.c.id == informativa.id).values(
        folio=folio, presentada=ahora, fuera_de_plazo=plazos.fuera_de_plazo(
            informativa.tipo, periodo, local.date(), corregida_tarde(session, informativa)),
        regla_plazo=plazos.REGLA_PLAZO,
        cadena_version=cadena.VERSION, cadena=firmada.cadena, sello=firmada.sello, certificado=firmada.certificado,
        cert_serial=firmada.serial, rfc_firmante=firmada.rfc, nombre_firmante=firmada.nombre))
    antes_de_confirmar(folio)
    session.commit()
    session.refresh(informativa)
    return folio


def corregida_tarde(session: Session, informativa: Informativa) -> bool:
    """For a Corrección: whether the period's filing it ultimately corrects (back along Correcciones to the Normal or
    Sin información) was marked late (plazos.fuera_de_plazo); False otherwise. Not the flag of the Corrección it
    corrects directly: one presented by an earlier release was marked by its own date (rule 1), and would pass that
    on to an on-time period."""
    if informativa.tipo != "correccion":
        return False
    siguiente = informativa.complementa_id
    for _ in range(MAX_COMPLEMENTARIAS + 1):  # a chain is at most the period's complementarias long
        if siguiente is None:
            return False
        fila = session.exec(select(Informativa.tipo, Informativa.complementa_id, Informativa.fuera_de_plazo).where(
            Informativa.id == siguiente, Informativa.contratista_id == informativa.contratista_id)).first()
        if fila is None:
            return False
        tipo, siguiente, tarde = fila
        if tipo != "correccion":
            return bool(tarde)
    return False


# -- Revisar -------------------------------------------------------------------------------------------------------

def problemas_revision(session: Session, informativa: Informativa, rfc: str, hoy: date | None, *,
                       contratos_: list[Contrato] | None = None,
                       servicios_: dict[int, ServicioRepse] | None = None) -> list[revision.Problema]:
    """What Revisar reports of the informativa (revision.revisar over its stored contracts, their workers' count,
    highest SBC and repeated CURPs, and the contratista's REPSE services); `rfc` is the contratista's. A caller that
    already read the contracts or the services (the informativa's page) passes them instead of reading them
    again."""
    if contratos_ is None:
        contratos_ = contratos(session, informativa)
    if servicios_ is None:
        servicios_ = {s.id: s for s in servicios(session, informativa.contratista_id)}
    resumen = resumen_trabajadores(session, informativa)
    pendientes = cargas_pendientes(session, informativa)
    datos = []
    for c in contratos_:
        total, sbc, repetidas = resumen.get(c.id, (0, None, 0))
        servicio = servicios_.get(c.servicio_id)
        pendiente = pendientes.get(c.id)
        datos.append(revision.DatosContrato(id=c.id, rfc_contratante=c.rfc_contratante, nombre=c.nombre_contratante,
                                            servicio_folio=servicio.folio if servicio else None, objeto=c.objeto,
                                            fecha_inicio=c.fecha_inicio, fecha_termino=c.fecha_termino,
                                            trabajadores=total, sbc_maximo=sbc, curps_repetidas=repetidas,
                                            carga_pendiente=pendiente[1] if pendiente else None))
    periodo = plazos.Periodo(informativa.ejercicio, informativa.cuatrimestre)
    return revision.revisar(informativa.tipo, periodo, rfc, {s.folio for s in servicios_.values()}, datos, hoy=hoy,
                            corregida_tarde=corregida_tarde(session, informativa),
                            registro_repse=registro_repse(session, informativa.contratista_id) is not None)
