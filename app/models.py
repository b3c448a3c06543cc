"""Every table of the application. Models carry fields and small invariants, never a request or a URL."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import JSON, Column, DateTime, Index, LargeBinary, Numeric, Text, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from . import contacto, fiel
from .curp import MAX_NOMBRE as MAX_NOMBRE_PERSONA

# A worker's whole name (three parts of curp.MAX_NOMBRE and their spaces).
MAX_NOMBRE_TRABAJADOR = 3 * MAX_NOMBRE_PERSONA + 2

# Constraint names as PostgreSQL gives them when none is set (release 0.1.0 set none, so its PostgreSQL databases
# carry exactly these): a migration can then drop or alter a constraint by one name on every database.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "fk": "%(table_name)s_%(column_0_N_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, on every database.

    SQLite has no time zones and hands back naive values, which then cannot be compared with aware ones;
    PostgreSQL's timestamptz keeps them. Store UTC, return UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime: pass an aware UTC datetime")
            value = value.astimezone(timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None:
            value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        return value


def _ts(**kwargs) -> Column:
    """A UTC timestamp column."""
    return Column(UTCDateTime(), **kwargs)


class Contratista(SQLModel, table=True):
    """A specialised-services contractor, created on its first entry with its e.firma."""

    id: int | None = Field(default=None, primary_key=True)
    rfc: str = Field(max_length=13, unique=True, index=True)
    nombre: str = Field(max_length=fiel.MAX_NOMBRE)  # denominación o razón social, or the persona física's name
    persona: str = Field(max_length=6)  # "moral" or "fisica"
    cert_serial: str = Field(max_length=fiel.MAX_SERIAL_DIGITS)  # decimal, or SAT's 20 digits
    cert_fingerprint: str = Field(max_length=64)
    cert_not_before: datetime = Field(sa_column=_ts(nullable=False))
    cert_not_after: datetime = Field(sa_column=_ts(nullable=False))
    terminos_version: str | None = Field(default=None, max_length=20)
    terminos_aceptados: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    creado: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    ultimo_ingreso: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    # Every session carries the value it began with; Cerrar sesión raises it, which ends every earlier session of
    # this contratista on every node.
    sesion: int = Field(default=0, sa_column_kwargs={"server_default": "0"})

    @property
    def es_persona_moral(self) -> bool:
        return self.persona == "moral"


class AceptacionTerminos(SQLModel, table=True):
    """Every acceptance of the terms and conditions: which version, by whom, when (kept as evidence)."""

    id: int | None = Field(default=None, primary_key=True)
    contratista_id: int = Field(foreign_key="contratista.id", index=True)
    version: str = Field(max_length=20)
    aceptado: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class AutoridadCertificadora(SQLModel, table=True):
    """A CA certificate trusted to have issued e.firmas (the trust store, shared by every app node)."""

    id: int | None = Field(default=None, primary_key=True)
    fingerprint: str = Field(max_length=64, unique=True)  # SHA-256 of the DER, lowercase hex
    subject: str = Field(max_length=1000)
    not_after: datetime = Field(sa_column=_ts(nullable=False))
    der: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    agregado: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class IntentoFallido(SQLModel, table=True):
    """One counted event for app.limiter: a sign-in attempt ("efirma-ip:…", "cer:…", "curp:…") or an e-mail sent
    ("correo:…"), per key over a sliding window.

    In the database, not in process memory, so that every app node behind a proxy sees the same counts.
    """

    __table_args__ = (
        Index("ix_intentofallido_clave_momento", "clave", "momento"),
        Index("ix_intentofallido_momento", "momento"),
    )

    id: int | None = Field(default=None, primary_key=True)
    clave: str = Field(max_length=80)  # limiter.MAX_CLAVE: longer keys are fingerprinted there
    momento: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class Asentamiento(SQLModel, table=True):
    """One SEPOMEX asentamiento (a colonia, barrio, fraccionamiento…) with its postal code: the catalog the
    address locator reads. Loaded by `icsoe init` and replaced by `icsoe sepomex import`."""

    __table_args__ = (Index("ix_asentamiento_estado_municipio", "estado", "municipio"),)

    id: int | None = Field(default=None, primary_key=True)
    cp: str = Field(max_length=5, index=True)  # d_codigo
    nombre: str = Field(max_length=200)  # d_asenta
    tipo: str = Field(max_length=60)  # d_tipo_asenta
    municipio: str = Field(max_length=120)  # D_mnpio
    estado: str = Field(max_length=60)  # d_estado
    ciudad: str | None = Field(default=None, max_length=120)  # d_ciudad
    c_estado: str = Field(max_length=2)  # INEGI code of the estado
    c_mnpio: str | None = Field(default=None, max_length=3)  # SEPOMEX municipio code (not in every source)
    zona: str | None = Field(default=None, max_length=20)  # Urbano, Rural, Semiurbano


class DatosGenerales(SQLModel, table=True):
    """The contratista's general data, as last saved with Guardar."""

    contratista_id: int = Field(foreign_key="contratista.id", primary_key=True)
    correo: str = Field(max_length=contacto.MAX_CORREO)
    celular: str = Field(max_length=10)  # 10 digits, no prefix
    telefono_fijo: str | None = Field(default=None, max_length=10)
    domicilio_igual_fiscal: bool | None = None  # persona moral only
    domicilio: dict | None = Field(default=None, sa_column=Column(JSON))  # the located address's components
    actualizado: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class Borrador(SQLModel, table=True):
    """What a contratista typed on a page and has not saved yet, so that nothing is lost on an error or a
    reload (kept in the database: any app node may serve the next request)."""

    __table_args__ = (UniqueConstraint("contratista_id", "clave"),)

    id: int | None = Field(default=None, primary_key=True)
    contratista_id: int = Field(foreign_key="contratista.id", index=True)
    clave: str = Field(max_length=40)  # which draft: the page's own key ("datos_generales")
    datos: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    actualizado: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class Documento(SQLModel, table=True):
    """An uploaded document (the STPS acuse), in the database so that any app node can serve it."""

    __table_args__ = (UniqueConstraint("contratista_id", "tipo"),)

    id: int | None = Field(default=None, primary_key=True)
    contratista_id: int = Field(foreign_key="contratista.id", index=True)
    tipo: str = Field(max_length=40)  # "acuse_stps"
    nombre: str = Field(max_length=255)  # the file name as uploaded, cut to acuse.MAX_NOMBRE (120) by acuse
    contenido: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    tamano: int
    sha256: str = Field(max_length=64)
    subido: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class Persona(SQLModel, table=True):
    """A capturista's account: a CURP plus the mailbox that activated it, and its password.

    A contratista vouches only for "CURP X is reachable at the e-mail I typed", so two contratistas who type
    different e-mails for one CURP make two accounts, each with its own password; a role (Capturista) belongs to the
    account whose mailbox received its invitation. Names are not here: each contratista's own typed names stay on
    its role and are never shown to another contratista.
    """

    __table_args__ = (UniqueConstraint("curp", "correo"),)

    id: int | None = Field(default=None, primary_key=True)
    curp: str = Field(max_length=18, index=True)
    correo: str = Field(max_length=contacto.MAX_CORREO)  # normalised by contacto.normalize_correo
    password_hash: str | None = Field(default=None, max_length=255)
    password_cambiado: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    creado: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    # Raised at Cerrar sesión and at every new password: ends every earlier session of the account, on every node.
    sesion: int = Field(default=0, sa_column_kwargs={"server_default": "0"})

    @property
    def activa(self) -> bool:
        return self.password_hash is not None


class Capturista(SQLModel, table=True):
    """An account's role with one contratista: its invitation, alta, baja, reactivación.

    One role per CURP and contratista (the unique constraint answers parallel altas). `invitacion` is the random
    nonce of the newest invitation: a link works only while it matches, so a new invitation, a baja or the
    activation kills every earlier link.
    """

    # Consulta's order after the contratista (revision 0013); it serves the foreign key too.
    __table_args__ = (UniqueConstraint("contratista_id", "curp"),
                      Index("ix_capturista_consulta", "contratista_id", "primer_apellido", "segundo_apellido",
                            "nombres", "id"))

    id: int | None = Field(default=None, primary_key=True)
    persona_id: int = Field(foreign_key="persona.id", index=True)
    contratista_id: int = Field(foreign_key="contratista.id")
    curp: str = Field(max_length=18)
    nombres: str = Field(max_length=MAX_NOMBRE_PERSONA)  # as this contratista's registry or typing gave them
    primer_apellido: str = Field(max_length=MAX_NOMBRE_PERSONA)
    segundo_apellido: str = Field(default="", max_length=MAX_NOMBRE_PERSONA)
    rol: str = Field(default="Capturista", max_length=30)
    telefono: str = Field(max_length=10)
    estatus: str = Field(default="pendiente", max_length=10)  # pendiente, activo, baja, rechazado
    invitacion: str | None = Field(default=None, max_length=32)
    invitado: datetime | None = Field(default=None, sa_column=_ts(nullable=True))  # when `invitacion` was made
    alta: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    baja: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    actualizado: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    # Raised at baja and at reactivación: a session of this role that began before either ends.
    sesion: int = Field(default=0, sa_column_kwargs={"server_default": "0"})

    @property
    def nombre_completo(self) -> str:
        return " ".join(p for p in (self.nombres, self.primer_apellido, self.segundo_apellido) if p)

    @property
    def estatus_texto(self) -> str:
        return ESTATUS_CAPTURISTA.get(self.estatus, self.estatus)


ESTATUS_CAPTURISTA = {"pendiente": "Pendiente", "activo": "Activo", "baja": "Baja",
                      "rechazado": "Invitación rechazada"}


class ComprobanteUsado(SQLModel, table=True):
    """A comprobante (proof of a validated e.firma) already used at Ingresar: each one enters once, on any node."""

    nonce: str = Field(max_length=32, primary_key=True)
    vence: datetime = Field(sa_column=_ts(nullable=False, index=True))  # after this, the proof is dead anyway


class DirectorioCurp(SQLModel, table=True):
    """The embedded CURP registry: names by CURP, filled with `icsoe curp import FILE`."""

    curp: str = Field(max_length=18, primary_key=True)
    nombres: str = Field(max_length=MAX_NOMBRE_PERSONA)
    primer_apellido: str = Field(max_length=MAX_NOMBRE_PERSONA)
    segundo_apellido: str = Field(default="", max_length=MAX_NOMBRE_PERSONA)


class Auditoria(SQLModel, table=True):
    """The Bitácora: one append-only row per event (ingress and each refusal, términos, datos generales, capturistas'
    alta, baja, reactivación, invitation and activation, exports, lockouts, sign-out, filings). Written only through
    app.auditoria.registrar; the app never updates or deletes a row."""

    # The contratista's Bitácora filters its own rows and sorts them newest first.
    __table_args__ = (Index("ix_auditoria_contratista_id_momento", "contratista_id", "momento"),)

    id: int | None = Field(default=None, primary_key=True)
    momento: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    actor: str = Field(max_length=40)  # "contratista:<id>", "capturista:<id>", "cuenta:<id>", "anonimo", "sistema"
    # Whose portal it concerns (None: an attempt against an RFC or CURP the portal does not know, kept, shown to none)
    contratista_id: int | None = Field(default=None, foreign_key="contratista.id")
    accion: str = Field(max_length=30)  # the kind: a key of app.auditoria.TIPOS
    detalle: str = Field(default="", max_length=500)
    quien: str = Field(default="", max_length=18, sa_column_kwargs={"server_default": ""})  # RFC (13) or CURP (18)
    direccion: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})  # client address


# -- Registro REPSE and the informativa cuatrimestral -------------------------------------------------------------

class RegistroRepse(SQLModel, table=True):
    """The contratista's registration in the REPSE (STPS): its folio and date (Datos generales › Registro REPSE)."""

    contratista_id: int = Field(foreign_key="contratista.id", primary_key=True)
    folio: str = Field(max_length=40)
    fecha_registro: date
    actualizado: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


# The informativa's tables never reuse an id on SQLite (AUTOINCREMENT; PostgreSQL's sequences never do): a draft,
# a bookmark or a tab's preview that names a deleted row must not land on the row that took its place.
NUNCA_REUSAR = {"sqlite_autoincrement": True}


class ServicioRepse(SQLModel, table=True):
    """A service or work the REPSE registration authorises ("Folio del servicio" and its description); contracts
    choose theirs from this list."""

    __table_args__ = (UniqueConstraint("contratista_id", "folio"), dict(NUNCA_REUSAR))

    id: int | None = Field(default=None, primary_key=True)
    contratista_id: int = Field(foreign_key="contratista.id", index=True)
    folio: str = Field(max_length=40)
    descripcion: str = Field(max_length=500)
    creado: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class Informativa(SQLModel, table=True):
    """One informativa cuatrimestral of a contratista: its period, its type and where it stands.

    `vigente` is True while it is the period's informativa and NULL otherwise: a complementaria before it is
    presented, one that a Corrección replaced, one a Sin efectos cancelled, and the Sin efectos itself. The unique
    constraint then lets one vigente informativa per period exist, whatever several nodes try at once (NULLs never
    collide, on SQLite or PostgreSQL). A complementaria (Corrección or Sin efectos) names the presented informativa
    it corrects or cancels (`complementa_id`); `pendiente` is True from its registration until it is presented, and
    NULL otherwise, so that a period has at most one complementaria under way."""

    __table_args__ = (UniqueConstraint("contratista_id", "ejercicio", "cuatrimestre", "vigente"),
                      UniqueConstraint("contratista_id", "ejercicio", "cuatrimestre", "pendiente"), dict(NUNCA_REUSAR))

    id: int | None = Field(default=None, primary_key=True)
    contratista_id: int = Field(foreign_key="contratista.id", index=True)
    ejercicio: int
    cuatrimestre: int  # 1 enero-abril, 2 mayo-agosto, 3 septiembre-diciembre
    tipo: str = Field(max_length=20)  # TIPOS_INFORMATIVA
    estatus: str = Field(default="en_captura", max_length=12)  # en_captura, por_firmar, presentada
    vigente: bool | None = Field(default=True)
    complementa_id: int | None = Field(default=None, foreign_key="informativa.id", index=True)
    pendiente: bool | None = Field(default=None)
    creada: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    actualizada: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    # Once presentada (informativas.presentar): what was signed, by whom, when, and the folio it got.
    folio: str | None = Field(default=None, max_length=24, unique=True, index=True)  # folios.folio()
    presentada: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    fuera_de_plazo: bool | None = Field(default=None)
    regla_plazo: int | None = None  # plazos.REGLA_PLAZO it was marked by; None: presented under rule 1
    cadena_version: str | None = Field(default=None, max_length=8)  # cadena.VERSION
    cadena: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sello: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # base64 (fiel.sello.a_texto)
    certificado: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))  # DER
    cert_serial: str | None = Field(default=None, max_length=fiel.MAX_SERIAL_DIGITS)
    # The RFC and name the signing certificate gives (the cadena's second and third fields): the cadena can be
    # rebuilt from the stored rows without parsing it, whatever the contratista's name becomes later.
    rfc_firmante: str | None = Field(default=None, max_length=13)
    nombre_firmante: str | None = Field(default=None, max_length=fiel.MAX_NOMBRE)


TIPOS_INFORMATIVA = {"normal": "Normal", "sin_informacion": "Sin información",
                     "correccion": "Complementaria de corrección", "sin_efectos": "Complementaria sin efectos"}
# The types a period's first filing may have (Registrar informativa); the others complement a presented one.
TIPOS_INICIALES = ("normal", "sin_informacion")
TIPOS_COMPLEMENTARIA = ("correccion", "sin_efectos")
TIPOS_CON_CONTRATOS = ("normal", "correccion")  # the others report none
ESTATUS_INFORMATIVA = {"en_captura": "En captura", "por_firmar": "Por firmar", "presentada": "Presentada"}


class Contrato(SQLModel, table=True):
    """A contract of specialised services or works reported in a Normal informativa: the contratante, the object,
    the service (from the REPSE list) and the dates. `contratista_id` repeats the informativa's, so every query can
    be scoped to the signed-in contratista in one condition. `clave_alta` is the Agregar contrato form's own
    random key: a second Guardar of the same form (a double click, a retry on a slow line) finds the contract the
    first one stored instead of storing it twice."""

    __table_args__ = (UniqueConstraint("informativa_id", "clave_alta"), dict(NUNCA_REUSAR))

    id: int | None = Field(default=None, primary_key=True)
    informativa_id: int = Field(foreign_key="informativa.id", index=True)
    contratista_id: int = Field(foreign_key="contratista.id", index=True)
    rfc_contratante: str = Field(max_length=13, index=True)
    persona_contratante: str = Field(max_length=6)  # "moral" (12-character RFC) or "fisica" (13)
    nombre_contratante: str = Field(max_length=300)
    correo: str = Field(max_length=contacto.MAX_CORREO)
    celular: str = Field(max_length=10)
    telefono_fijo: str | None = Field(default=None, max_length=10)
    domicilio_igual_fiscal: bool | None = None  # persona moral only
    domicilio: dict | None = Field(default=None, sa_column=Column(JSON))  # the located social address
    objeto: str = Field(max_length=500)
    servicio_id: int | None = Field(default=None, foreign_key="serviciorepse.id", index=True)
    fecha_inicio: date
    fecha_termino: date | None = None
    clave_alta: str | None = Field(default=None, max_length=32)
    creado: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    actualizado: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class Trabajador(SQLModel, table=True):
    """A worker of a contract: NSS (once per contract), CURP, salario base de cotización, names."""

    __table_args__ = (UniqueConstraint("contrato_id", "nss"), Index("ix_trabajador_contrato_id_curp", "contrato_id",
                                                                     "curp"), dict(NUNCA_REUSAR))

    id: int | None = Field(default=None, primary_key=True)
    contrato_id: int = Field(foreign_key="contrato.id", index=True)
    nss: str = Field(max_length=11)
    curp: str = Field(max_length=18)
    sbc: Decimal = Field(sa_column=Column(Numeric(10, 2), nullable=False))  # pesos per day
    nombre: str = Field(default="", max_length=MAX_NOMBRE_TRABAJADOR)  # as the directory, the CFDI or typing gave it
    origen: str = Field(default="captura", max_length=10)  # captura, csv, xlsx, cfdi
    creado: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class CargaTrabajadores(SQLModel, table=True):
    """A worker file read and checked, waiting for *Agregar trabajadores*: the preview lives in the database, so
    any node can show it and add its rows."""

    __table_args__ = dict(NUNCA_REUSAR)

    id: int | None = Field(default=None, primary_key=True)
    contrato_id: int = Field(foreign_key="contrato.id", index=True)
    contratista_id: int = Field(foreign_key="contratista.id", index=True)
    archivo: str = Field(max_length=255)
    formato: str = Field(max_length=10)
    vista: dict = Field(sa_column=Column(JSON, nullable=False))  # valid rows, error rows, skipped receipts
    creada: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class FolioConsecutivo(SQLModel, table=True):
    """The last folio number given per folio prefix and year (app/folios.py): one row each, raised by one atomic
    upsert inside the filing's transaction (informativas.siguiente_folio), so that app nodes presenting at once
    never give one number twice, and a filing that fails gives its number back."""

    prefijo: str = Field(max_length=1, primary_key=True)
    anio: int = Field(primary_key=True)
    ultimo: int


class ComprobacionAcuse(SQLModel, table=True):
    """The last verdict of a presented informativa's integrity check for the public Verificar acuse
    (presentaciones.integra_reciente): rebuilding its cadena reads every worker (seconds for 150,000), so one request
    at a time per informativa, all nodes together, checks it again once `comprobada` is older than
    presentaciones.VIGENCIA_COMPROBACION; the others answer the last verdict. `integra` is None while the first
    check runs."""

    __tablename__ = "comprobacion_acuse"

    informativa_id: int = Field(foreign_key="informativa.id", primary_key=True)
    comprobada: datetime = Field(sa_column=_ts(nullable=False))  # when the check now standing was begun
    integra: bool | None = Field(default=None)


class AvisoEnviado(SQLModel, table=True):
    """A reminder notice (app.avisos: 10, 3 or 1 business days before a period's deadline), claimed once per
    contratista, period and anticipation: `icsoe avisos` inserts the row (ON CONFLICT DO NOTHING) with one
    AvisoCorreo per recipient, and then sends those (app.seguimiento). The table is "aviso": "avisoenviado" would
    make the unique constraint's name 67 characters, past PostgreSQL's 63."""

    __tablename__ = "aviso"
    __table_args__ = (UniqueConstraint("contratista_id", "ejercicio", "cuatrimestre", "anticipacion"),)

    id: int | None = Field(default=None, primary_key=True)
    contratista_id: int = Field(foreign_key="contratista.id")
    ejercicio: int
    cuatrimestre: int
    anticipacion: int  # 10, 3 or 1
    enviado: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))  # when it was claimed
    correos: int = Field(default=0)  # messages that went out so far


class AvisoCorreo(SQLModel, table=True):
    """One recipient of a notice: the message is sent when `enviado` is set. `reclamado` is the lease of the run
    sending it (another run takes it over once the lease has run out: the first died); `intentos` counts the
    failures, and the message is given up after app.seguimiento.MAX_INTENTOS."""

    __tablename__ = "aviso_correo"
    __table_args__ = (UniqueConstraint("aviso_id", "correo"),)

    id: int | None = Field(default=None, primary_key=True)
    aviso_id: int = Field(foreign_key="aviso.id")
    correo: str = Field(max_length=contacto.MAX_CORREO)
    enviado: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    reclamado: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    intentos: int = Field(default=0)
    error: str | None = Field(default=None, max_length=300)  # the last failure, for the operator
