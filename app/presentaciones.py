"""Presented informativas in the database, for their acuses (issue 13): the contratista's list, the acuse's data
built from the stored row, and the checks that tell an authentic acuse from a tampered one (the public
verification page and `icsoe acuse verificar`). Read-only; the rules live in app.acuse_presentacion and app.fiel.

An acuse is authentic when the folio names a presented informativa, the stored sello verifies with the stored
certificate over the stored cadena, and the cadena the stored rows give today (informativas.cadena_reconstruida) is
that cadena: a row changed in the database after signing (a worker's SBC, a contract's name, the cadena or the sello
columns themselves) makes it fail.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, func, select

from . import acuse_presentacion, fiel, folios, informativas, plazos, trust
from .acuse_presentacion import FOLIO, LARGO_PREFIJO, ContratoAcuse, DatosAcuse, Leido
from .fiel import sello as sellos
from .hora import MEXICO
from .models import ComprobacionAcuse, Contrato, Informativa, TIPOS_INFORMATIVA, Trabajador


def presentadas(session: Session, contratista_id: int) -> list[Informativa]:
    """The contratista's presented informativas, newest first."""
    return list(session.exec(select(Informativa).where(Informativa.contratista_id == contratista_id,
                                                       Informativa.estatus == "presentada",
                                                       col(Informativa.folio).is_not(None))
                             .order_by(col(Informativa.presentada).desc(), col(Informativa.id).desc())).all())


def por_folio(session: Session, folio: str, contratista_id: int | None = None) -> Informativa | None:
    """The presented informativa with that folio (the contratista's only, when given), or None."""
    consulta = select(Informativa).where(Informativa.folio == folio, Informativa.estatus == "presentada")
    if contratista_id is not None:
        consulta = consulta.where(Informativa.contratista_id == contratista_id)
    return session.exec(consulta).first()


def complementaria(session: Session, informativa: Informativa) -> Informativa | None:
    """The presented complementaria (Corrección or Sin efectos) that replaced or cancelled this filing, if any."""
    return session.exec(select(Informativa).where(Informativa.complementa_id == informativa.id,
                                                  Informativa.estatus == "presentada")
                        .order_by(col(Informativa.presentada).desc())).first()


def _contratos(session: Session, informativa: Informativa) -> list[ContratoAcuse]:
    """Each reported contract with its folio (its number is its position, as in the cadena) and its workers."""
    conteos = dict(session.exec(select(Trabajador.contrato_id, func.count()).join(
        Contrato, Contrato.id == Trabajador.contrato_id).where(Contrato.informativa_id == informativa.id)
        .group_by(Trabajador.contrato_id)).all())
    return [ContratoAcuse(folios.folio_contrato(informativa.folio, n), c.rfc_contratante, c.nombre_contratante,
                          conteos.get(c.id, 0))
            for n, c in enumerate(informativas.contratos(session, informativa), start=1)]


def datos_acuse(session: Session, informativa: Informativa, url_verificacion: str) -> DatosAcuse:
    """What the acuse of a presented informativa shows: the counts and contracts from the stored rows, the cadena,
    sello and serial exactly as they were signed and stored."""
    complementada = session.get(Informativa, informativa.complementa_id) if informativa.complementa_id else None
    return DatosAcuse(
        folio=informativa.folio, presentada=informativa.presentada, fuera_de_plazo=bool(informativa.fuera_de_plazo),
        rfc=informativa.rfc_firmante or "", nombre=informativa.nombre_firmante or "",
        ejercicio=informativa.ejercicio, cuatrimestre=informativa.cuatrimestre, tipo=informativa.tipo,
        tipo_nombre=TIPOS_INFORMATIVA.get(informativa.tipo, informativa.tipo),
        folio_complementado=complementada.folio if complementada else None,
        contratos=tuple(_contratos(session, informativa)), cadena=informativa.cadena or "",
        sello=informativa.sello or "", cert_serial=informativa.cert_serial or "", url_verificacion=url_verificacion)


def prefijo_coincide(informativa: Informativa, prefijo: str) -> bool:
    """The first characters of the stored sello, compared in constant time."""
    return hmac.compare_digest((informativa.sello or "")[:LARGO_PREFIJO].encode("ascii", "replace"),
                               prefijo.encode("ascii", "replace"))


def certificado_del_firmante(session: Session, informativa: Informativa) -> bool:
    """The stored certificate is one a trusted CA issued, to the stored signer (its RFC and name) and with the
    stored serial: without this, whoever rewrites the rows can re-sign them with any key (a certificate of their
    own making, or another company's e.firma) and store that certificate beside them."""
    try:
        cert = fiel.Certificado.from_bytes(informativa.certificado or b"")
        emisora = trust.store(session).issuer_of(cert)
        firmante = fiel._firma(cert, emisora) if emisora is not None else None
    except (fiel.FielRechazada, ValueError):
        return False
    return firmante is not None and (firmante.rfc, firmante.nombre, firmante.serial) == \
        (informativa.rfc_firmante, informativa.nombre_firmante, informativa.cert_serial)


def plazo_coherente(session: Session, informativa: Informativa) -> bool:
    """The stored "fuera de plazo" is what the stored presentation time (and, for a Corrección, the filing it
    corrects) says of the period's deadline, as informativas.presentar decided it (plazos.fuera_de_plazo)."""
    if informativa.presentada is None:
        return False
    tarde = plazos.fuera_de_plazo(informativa.tipo, plazos.Periodo(informativa.ejercicio, informativa.cuatrimestre),
                                  informativa.presentada.astimezone(MEXICO).date(),
                                  informativas.corregida_tarde(session, informativa), informativa.regla_plazo or 1)
    return bool(informativa.fuera_de_plazo) == tarde


def sello_valido(session: Session, informativa: Informativa) -> bool:
    """The stored sello verifies with the stored certificate over the stored cadena, and that certificate is the
    stored signer's, issued by a trusted CA."""
    firma = sellos.de_texto(informativa.sello or "")
    return bool(firma and informativa.certificado and informativa.cadena is not None and
                sellos.verificar(informativa.certificado, informativa.cadena.encode("utf-8"), firma) and
                certificado_del_firmante(session, informativa))


def integra(session: Session, informativa: Informativa) -> bool:
    """The stored signature holds, the stored rows still give the signed cadena and the stored facts agree."""
    return sello_valido(session, informativa) and plazo_coherente(session, informativa) and \
        informativas.cadena_reconstruida(session, informativa) == informativa.cadena


# How long the public Verificar acuse answers a presented informativa's last integrity verdict before checking it
# again: a row altered behind the app shows as altered within this time, and a large filing's cadena is rebuilt at
# most once in it, whoever asks and however often.
VIGENCIA_COMPROBACION = timedelta(minutes=5)


def integra_reciente(session: Session, informativa: Informativa, ahora: datetime) -> bool:
    """integra(), for anonymous lookups (a red-team review: every lookup of a filing of 150,000 workers rebuilt its
    cadena, 3-4 s of a node's CPU, and a successful lookup is not throttled). The last verdict
    (models.ComprobacionAcuse) while younger than VIGENCIA_COMPROBACION; once older, the one request whose
    conditional upsert claims the row (any node) checks again and stores the verdict, while the others answer the
    last one. Before a first verdict is stored, whoever asks checks. Committed."""
    tabla = ComprobacionAcuse.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    reclamo = insert(tabla).values(informativa_id=informativa.id, comprobada=ahora, integra=None)
    reclamo = reclamo.on_conflict_do_update(
        index_elements=["informativa_id"], set_={"comprobada": ahora},
        where=tabla.c.comprobada <= ahora - VIGENCIA_COMPROBACION).returning(tabla.c.informativa_id)
    informativa_id = informativa.id
    reclamada = session.execute(reclamo).first() is not None
    anterior = session.execute(select(tabla.c.integra).where(tabla.c.informativa_id == informativa_id)).scalar()
    session.commit()  # the claim is seen at once: the check below takes seconds for a large filing
    if not reclamada and anterior is not None:
        return bool(anterior)
    veredicto = integra(session, informativa)
    if reclamada:
        session.execute(tabla.update().where(tabla.c.informativa_id == informativa_id,
                                             tabla.c.comprobada == ahora).values(integra=veredicto))
        session.commit()
    return veredicto


@dataclass(frozen=True)
class Comprobacion:
    descripcion: str
    correcta: bool | None  # None: could not be checked (an acuse that another release generated), never authentic


def comprobar_pdf(session: Session, leido: Leido) -> tuple[Informativa | None, list[Comprobacion]]:
    """`icsoe acuse verificar`: each check of a PDF read by acuse_presentacion.leer against the database. The
    informativa is None (and the list holds that one failed check) when no presented informativa has its folio.
    The verification link must ask the portal's verification page for this folio and sello; its origin is the
    PDF's own (the portal's address when it was issued, which an operator may have changed since), and is printed
    so that whoever checks can see where the QR code leads.

    The PDF must be the acuse the portal issues for the stored rows: its embedded facts those of
    acuse_presentacion.hechos, and its bytes those of the same acuse generated again (generation is deterministic),
    with the PDF's own verification link and generador. Comparing the bytes is what catches an edit that leaves
    the facts and the text alone (a white box over "Presentada fuera de plazo", a page added, a link annotation, a
    QR code drawn for another address: a red-team review); the text check beside it says when what differs is a
    printed value (the name, the period, the date, a contract).

    An acuse whose JSON names another generador than this release's (an earlier layout, another reportlab or
    zlib; formato 1 names none) and whose bytes this release does not reproduce cannot be compared: its bytes and
    its text are "not checked" (correcta None), which the CLI reports as a verdict that is never "auténtico"."""
    informativa = por_folio(session, leido.folio) if FOLIO.fullmatch(leido.folio) else None
    if informativa is None:
        return None, [Comprobacion(f"El folio {leido.folio[:40]} es de una informativa presentada en el portal", False)]
    firma = sellos.de_texto(leido.sello)
    contratos = _contratos(session, informativa)
    trabajadores = sum(c.trabajadores for c in contratos)
    url = str(leido.datos.get("url_verificacion", ""))
    try:
        enlace = urlsplit(url)
    except ValueError:  # "Invalid IPv6 URL": an unpaired bracket in the host a file wrote (a review: a traceback)
        enlace = urlsplit("")
    # The host must be where a browser or a QR reader finds it too: "http:/evil.example/…", "http:evil.example/…"
    # or "https:\\evil.example/…" have no host for urlsplit and evil.example's for them (a review), so the link must
    # start with scheme://host/ as written.
    enlace_correcto = (enlace.scheme in ("http", "https") and bool(enlace.netloc) and "\\" not in url and
                       url.startswith(f"{enlace.scheme}://{enlace.netloc}/") and
                       enlace.path.endswith("/acuses/verificar") and
                       parse_qs(enlace.query) == {"folio": [informativa.folio],
                                                  "sello": [(informativa.sello or "")[:LARGO_PREFIJO]]})
    generador = leido.generador
    esperado = datos_acuse(session, informativa, url)
    pdf_esperado = texto_esperado = None
    if len(url.encode("utf-8")) <= acuse_presentacion.MAX_URL:  # a longer one does not fit a QR code
        pdf_esperado = acuse_presentacion.generar(esperado, generador)
    identico = pdf_esperado is not None and leido.archivo == pdf_esperado
    if identico:
        texto_esperado = leido.texto
    elif pdf_esperado is not None:
        try:
            texto_esperado = acuse_presentacion.leer(pdf_esperado).texto
        except acuse_presentacion.AcuseIlegible:
            pass
    # Another release's acuse that this one does not reproduce: its look is not comparable, neither right nor wrong.
    ajeno = generador != acuse_presentacion.GENERADOR and not identico

    def plano(texto: str) -> str:
        return " ".join(texto.split())

    def comparado(igual: bool) -> bool | None:
        return True if igual else None if ajeno else False

    if identico or not ajeno:
        archivo = Comprobacion("El archivo es idéntico al acuse que el portal emite para este folio" if identico else
                               "El archivo no es idéntico al acuse que el portal emite para este folio (pudo "
                               "editarse: lo que se ve, sus páginas, enlaces o el código QR)", identico)
    else:
        origen = (f"otra versión del portal ({generador}; esta es "
                  f"{acuse_presentacion.GENERADOR})" if generador is not None else
                  "una versión del portal que no lo anotaba")
        archivo = Comprobacion(f"El archivo lo generó {origen}, y esta no lo reproduce: no se puede comprobar que "
                               "no se editó lo que se ve, sus páginas, enlaces o el código QR", None)

    comprobaciones = [
        Comprobacion(f"El folio {informativa.folio} es de una informativa presentada en el portal", True),
        Comprobacion("El sello del PDF es la firma de su cadena original con el certificado registrado "
                     f"(número de serie {informativa.cert_serial})",
                     bool(firma and informativa.certificado and
                          sellos.verificar(informativa.certificado, leido.cadena.encode("utf-8"), firma))),
        Comprobacion("La cadena original, el sello y el número de serie del PDF son los registrados",
                     leido.cadena == informativa.cadena and leido.sello == informativa.sello and
                     leido.cert_serial == informativa.cert_serial),
        Comprobacion("El sello registrado es la firma de la cadena registrada, con el certificado del firmante registrado "
                     "emitido por una autoridad de confianza", sello_valido(session, informativa)),
        Comprobacion("Los datos registrados en el portal siguen dando la cadena original firmada",
                     informativas.cadena_reconstruida(session, informativa) == informativa.cadena),
        Comprobacion("Los datos incluidos en el PDF (fecha, plazo, contratista, periodo, conteos, enlace de "
                     "verificación) son los registrados",
                     leido.datos == acuse_presentacion.hechos(esperado, generador) and
                     leido.datos.get("contratos") == len(contratos) and
                     leido.datos.get("trabajadores") == trabajadores),
        Comprobacion("El texto del PDF es el del acuse que el portal emite con los datos registrados",
                     comparado(texto_esperado is not None and plano(leido.texto) == plano(texto_esperado))),
        archivo,
        Comprobacion(f"El código QR lleva a la verificación de este acuse en {enlace.scheme}://{enlace.netloc[:80]}"
                     if enlace_correcto else f"El código QR lleva a la verificación de este acuse en una dirección "
                     f"válida; lleva a «{url[:120]}»", enlace_correcto),
    ]
    return informativa, comprobaciones
