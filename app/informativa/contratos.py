"""A contract of a Normal informativa: *Agregar contrato*, edit, *Eliminar*, *Copiar de otra informativa*.

The contract's page works like Datos generales: one form, its draft kept on every POST (key
"contrato:<informativa>:<contrato or nuevo>"), the same address locator for a persona moral's social address (the
same object, routes and blocks), and nothing stored until *Guardar contrato*.
"""
from __future__ import annotations

import secrets

from flask import abort, flash, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, delete

from .. import contratos as reglas
from .. import informativas, localizador_web, servicios_repse
from ..auth import Usuario, conserva_al_expirar
from ..db import bloquear_borradores, get_session, leer_borrador, upsert
from ..fiel import normalize_rfc
from ..formularios import rechazar, solo_lectura
from ..htmx import render, see_other, wants_fragment
from ..localizador import Localizador, Paso
from ..models import TIPOS_CON_CONTRATOS, Borrador, Contrato, Informativa, utcnow
from ..rechazo import Rechazo, todos
from ..uploads import limit_body
from .forms import CAMPOS_CONTRATO, ContratoForm
from .routes import bloquear, bp, en_captura, periodo, propia, repeticion

TEMPLATE = "informativa/contrato.html"
MAX_CAMPO = 1000
MAX_REQUEST = 256 * 1024  # typed fields only


def _clave(informativa_id: int, clave: str) -> str:
    return f"contrato:{informativa_id}:{clave}"


def _id(clave: str) -> int | None:
    """A contract id from the URL: ASCII digits only ("²" and "١" are digits to str.isdigit, and int("²") fails)."""
    return int(clave) if clave.isascii() and clave.isdigit() and len(clave) <= 9 else None


def _alta(valor: str | None) -> str | None:
    """An Agregar contrato form's key as posted, when it has the shape we give it (secrets.token_urlsafe(16))."""
    if valor and len(valor) <= 32 and valor.isascii() and all(c.isalnum() or c in "-_" for c in valor):
        return valor
    return None


class EstadoContrato:
    """The contract page's state for one request: the draft over the stored contract, the locator, the refusals."""

    def __init__(self, db: Session, informativa: Informativa, contrato: Contrato | None):
        self.db, self.informativa, self.contrato = db, informativa, contrato
        self.clave = _clave(informativa.id, str(contrato.id) if contrato else "nuevo")
        self._base = self._de_lo_guardado()
        borrador = leer_borrador(db, informativa.contratista_id, self.clave)
        datos = borrador if isinstance(borrador, dict) and "campos" in borrador else self._base
        if contrato is None and self._alta_usada(_alta(datos.get("alta"))):
            datos = self._base  # the draft of a form already saved as a contract: Agregar contrato starts anew
        self.campos: dict[str, str] = {k: str(v) for k, v in dict(datos["campos"]).items() if k in CAMPOS_CONTRATO}
        self.localizador = Localizador.from_dict(datos.get("localizador"))
        self.revisar = bool(datos.get("revisar"))
        # Agregar contrato's form key (see Contrato.clave_alta): the posted one, the draft's, or a new one.
        self.alta = None if contrato else (_alta(datos.get("alta")) or secrets.token_urlsafe(16))
        self.rechazos: list[Rechazo] = []
        self.avisos: list[str] = []
        self.enfoque: str | None = None
        self.aviso: str | None = None
        self.revisando = False  # this answer only refreshes the errors (the user is still typing): no focus move

    def _de_lo_guardado(self) -> dict:
        c = self.contrato
        if c is None:
            return {"campos": {}, "localizador": Localizador().to_dict()}
        campos = {"rfc_contratante": c.rfc_contratante, "nombre_contratante": c.nombre_contratante,
                  "correo": c.correo, "celular": c.celular, "telefono_fijo": c.telefono_fijo or "",
                  "objeto": c.objeto, "servicio": str(c.servicio_id or ""),
                  "fecha_inicio": c.fecha_inicio.isoformat(),
                  "fecha_termino": c.fecha_termino.isoformat() if c.fecha_termino else ""}
        if c.domicilio_igual_fiscal is not None:
            campos["domicilio_igual"] = "si" if c.domicilio_igual_fiscal else "no"
        return {"campos": campos, "localizador": Localizador.de_domicilio(c.domicilio).to_dict()}

    @property
    def persona_moral(self) -> bool:
        """The locator is offered while the RFC is not a persona física's (13 characters)."""
        return len(self._rfc()) != 13

    def recibir(self) -> None:
        form = request.form
        for name in CAMPOS_CONTRATO:
            values = form.getlist(name)
            if values:
                self.campos[name] = values[-1].strip()[:MAX_CAMPO]
        self.localizador = self.localizador.con(localizador_web.recibidos())
        if self.contrato is None:
            self.alta = _alta(request.form.get("clave_alta")) or self.alta
        self.ofrecer_nombre()

    def _rfc(self) -> str:
        """The contratante's RFC as Guardar reads it (fiel.normalize_rfc: no spaces, hyphens or invisible characters,
        NFC, upper case), so the page judges the RFC it will store, however it was typed."""
        return normalize_rfc(self.campos.get("rfc_contratante") or "")

    def ofrecer_nombre(self) -> None:
        """The contratante's name from an earlier contract with the same RFC, when none was typed."""
        rfc = self._rfc()
        if rfc and not self.campos.get("nombre_contratante"):
            nombre = informativas.nombre_conocido(self.db, self.informativa.contratista_id, rfc)
            if nombre:
                self.campos["nombre_contratante"] = nombre
                self.aviso = "Tomamos el nombre de tu contrato anterior con ese RFC; corrígelo si cambió."

    def _alta_usada(self, alta: str | None) -> bool:
        return alta is not None and informativas.contrato_por_alta(self.db, self.informativa, alta) is not None

    def guardar_borrador(self) -> None:
        """Keep the page's state as the draft; not for an Agregar contrato form already saved as a contract (an
        autosave fired 300 ms after a change can arrive after its Guardar, and brought its draft and clave_alta
        back: the next Agregar contrato then landed on the first contract)."""
        if self.contrato is None and self._alta_usada(self.alta):
            return
        upsert(self.db, Borrador, ["contratista_id", "clave"],
               {"contratista_id": self.informativa.contratista_id, "clave": self.clave,
                "datos": {"campos": self.campos, "localizador": self.localizador.to_dict(), "revisar": self.revisar,
                          "alta": self.alta},
                "actualizado": utcnow()})
        self.db.commit()

    @property
    def cambios_sin_guardar(self) -> bool:
        return self.campos != self._base["campos"] or self.localizador.to_dict() != self._base["localizador"]

    def validar(self) -> reglas.DatosContrato | None:
        loc = self.localizador
        servicios = {s.id for s in servicios_repse.servicios(self.db, self.informativa.contratista_id)}
        try:
            datos, avisos = reglas.validar(self.campos, rfc_contratista=current_user.contratista.rfc,
                                           periodo=periodo(self.informativa), servicios=servicios,
                                           domicilio_aceptado=dict(loc.domicilio) if loc.paso is Paso.UBICADO and
                                           loc.domicilio else None)
        except ExceptionGroup as grupo:
            ya = {r.campo for r in self.rechazos}
            self.rechazos.extend(r for r in todos(grupo) if r.campo not in ya)
            return None
        self.avisos = avisos
        return datos

    def form(self) -> ContratoForm:
        form = ContratoForm(formdata=None, data={**self.campos, **localizador_web.valores_formulario(self.localizador)})
        form.servicio.choices = [("", "--Selecciona por favor--")] + [
            (str(s.id), f"{s.folio} — {s.descripcion}")
            for s in servicios_repse.servicios(self.db, self.informativa.contratista_id)]
        rechazar(form, [r for r in self.rechazos if r.campo != "domicilio"])
        return form

    def valores_ruta(self) -> dict:
        return {"informativa_id": self.informativa.id, "clave": str(self.contrato.id) if self.contrato else "nuevo"}

    def responder(self, bloque: str = "contrato", status: int | None = None):
        if self.revisar and not self.rechazos:
            self.validar()
        ampliar = self.revisar and wants_fragment() and bloque != "contrato"
        self.revisando = self.revisando or ampliar
        fragmento = localizador_web.es_fragmento(bloque, ampliar)
        form = localizador_web.formulario_fragmento(self, bloque) if fragmento else self.form()
        if self.informativa.estatus != "en_captura":
            solo_lectura(form)
        mensaje_domicilio = next((r.mensaje for r in self.rechazos if r.campo == "domicilio"), None)
        context = dict(form=form, estado=self, informativa=self.informativa, contrato=self.contrato,
                       periodo=periodo(self.informativa), contratista=current_user.contratista,
                       mensaje_domicilio=mensaje_domicilio,
                       otros_errores=[("#ubicar-titulo", mensaje_domicilio)] if mensaje_domicilio else [],
                       **localizador_web.contexto(self, form, "informativa.contrato_", self.valores_ruta(),
                                                  titulo_ubicado="Domicilio social del contratante ubicado"))
        if fragmento:
            return localizador_web.responder_fragmento(bloque, **context)
        response = render(TEMPLATE, "contrato" if ampliar else bloque, status, **context)
        if ampliar:
            response.headers["HX-Retarget"], response.headers["HX-Reswap"] = "#contrato", "innerMorph"
        return response


def _contrato(informativa: Informativa, clave: str) -> Contrato | None:
    """None for "nuevo"; the informativa's own contract for its id; 404 for anything else."""
    if clave == "nuevo":
        return None
    contrato_id = _id(clave)
    if contrato_id is None:
        abort(404)
    contrato = informativas.contrato_propio(get_session(), informativa, contrato_id)
    if contrato is None:
        abort(404)
    return contrato


def _estado(informativa_id: int, clave: str) -> EstadoContrato:
    informativa = propia(informativa_id)
    if informativa.tipo not in TIPOS_CON_CONTRATOS:
        abort(404)  # a Sin información or a Sin efectos has no contracts
    return EstadoContrato(get_session(), informativa, _contrato(informativa, clave))


def _cargar(informativa_id: int, clave: str) -> EstadoContrato:
    """The state for a POST: the draft read under bloquear_borradores (as Datos generales), and what the request
    carried."""
    bloquear_borradores(get_session(), current_user.contratista.id)
    estado = _estado(informativa_id, clave)
    en_captura(estado.informativa)
    estado.recibir()
    return estado


def _conservar(usuario: Usuario) -> None:
    """A contract's fields posted after the session expired: kept in its draft. An account that had not chosen a
    contratista (Cambiar de contratista) works for none: nothing is kept."""
    if usuario.contratista is None:
        return
    args = request.view_args or {}
    informativa = informativas.propia(get_session(), usuario.contratista.id, int(args.get("informativa_id", 0)))
    if informativa is not None and informativa.estatus == "en_captura":
        clave = str(args.get("clave", "nuevo"))
        contrato_id = _id(clave)
        contrato = informativas.contrato_propio(get_session(), informativa, contrato_id) if contrato_id else None
        if clave == "nuevo" or contrato is not None:
            bloquear_borradores(get_session(), usuario.contratista.id)
            estado = EstadoContrato(get_session(), informativa, contrato)
            estado.recibir()
            estado.guardar_borrador()


conserva = conserva_al_expirar(_conservar)
localizador_web.registrar_rutas(
    bp, cargar=_cargar, responder=lambda estado, bloque: estado.responder(bloque),
    decorar=lambda view: conserva(limit_body(MAX_REQUEST)(view)),
    prefijo="/<int:informativa_id>/contratos/<clave>", nombre="contrato_")


@bp.route("/<int:informativa_id>/contratos/<clave>", methods=["GET", "POST"])
@conserva
@limit_body(MAX_REQUEST)
def contrato(informativa_id: int, clave: str):
    """Agregar contrato (clave "nuevo") or a contract's page; POST: Guardar contrato. (One rule for both methods,
    so an id past any column is a 404 for each.)"""
    if request.method == "GET":
        return _estado(informativa_id, clave).responder()
    return _guardar_contrato(informativa_id, clave)


def _guardar_contrato(informativa_id: int, clave: str):
    """Guardar contrato: checked whole, stored, its draft gone; back to the informativa."""
    estado = _cargar(informativa_id, clave)
    datos = estado.validar()
    if datos is None:
        estado.revisar = True
        estado.guardar_borrador()
        return estado.responder()
    db, informativa = estado.db, estado.informativa
    bloquear(informativa)
    if estado.contrato is not None:
        contrato = informativas.contrato_propio(db, informativa, estado.contrato.id, fresco=True)
        if contrato is None:  # deleted by another request meanwhile
            db.rollback()
            abort(404)
    else:
        contrato = Contrato(informativa_id=informativa.id, contratista_id=informativa.contratista_id,
                            rfc_contratante="", persona_contratante="", nombre_contratante="", correo="", celular="",
                            objeto="", fecha_inicio=datos.fecha_inicio, clave_alta=estado.alta)
        if estado.alta and informativas.contrato_por_alta(db, informativa, estado.alta) is not None:
            return _ya_guardado(estado)
    for campo in reglas.DatosContrato.__dataclass_fields__:
        setattr(contrato, campo, getattr(datos, campo))
    contrato.actualizado = utcnow()
    db.add(contrato)
    db.exec(delete(Borrador).where(Borrador.contratista_id == informativa.contratista_id,
                                   Borrador.clave == estado.clave))
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        if estado.contrato is None and estado.alta:  # the same form saved at once on another node: its clave_alta
            return _ya_guardado(estado)
        abort(409)  # what the contract points at changed meanwhile (its service removed in another tab)
    flash(f"Se guardó el contrato con {contrato.nombre_contratante}."
          + (" " + " ".join(estado.avisos) if estado.avisos else ""), "status")
    return see_other(url_for("informativa.ver", informativa_id=estado.informativa.id) + f"#contrato-{contrato.id}")


def _ya_guardado(estado: EstadoContrato):
    """A second Guardar of one Agregar contrato form (a double click, a retry, a second tab of the same draft): the
    contract the first one stored, not a copy of it."""
    db, informativa = estado.db, estado.informativa
    contrato = informativas.contrato_por_alta(db, informativa, estado.alta)
    if contrato is None:
        abort(409)
    nombre, contrato_id = contrato.nombre_contratante, contrato.id
    db.rollback()
    flash(f"El contrato con {nombre} ya se había guardado con este formulario; revisa sus datos.", "status")
    return see_other(url_for("informativa.contrato", informativa_id=informativa.id, clave=contrato_id))


@bp.post("/<int:informativa_id>/contratos/<clave>/borrador")
@conserva
@limit_body(MAX_REQUEST)
def borrador_contrato(informativa_id: int, clave: str):
    """With JavaScript every change is kept as it happens; after a failed Guardar the form comes back checked."""
    from flask import Response

    estado = _cargar(informativa_id, clave)
    estado.guardar_borrador()
    if not estado.revisar:
        return Response(status=204)
    estado.revisando = True
    response = estado.responder()
    response.headers["HX-Retarget"], response.headers["HX-Reswap"] = "#contrato", "innerMorph"
    return response


@bp.post("/<int:informativa_id>/contratos/<clave>/actualizar")
@conserva
@limit_body(MAX_REQUEST)
def actualizar_contrato(informativa_id: int, clave: str):
    """The form's default button (Enter): keep what was typed, offer the contratante's known name, show it again."""
    estado = _cargar(informativa_id, clave)
    if estado.localizador.paso is Paso.BUSCAR:
        localizador_web.transicion(estado, "buscar", silencioso=True)
    estado.guardar_borrador()
    estado.revisando = estado.revisar and wants_fragment()
    return estado.responder()


@bp.post("/<int:informativa_id>/contratos/<clave>/descartar")
def descartar_contrato(informativa_id: int, clave: str):
    """Descartar cambios: the contract as stored (or an empty one)."""
    estado = _estado(informativa_id, clave)
    db = get_session()
    db.exec(delete(Borrador).where(Borrador.contratista_id == estado.informativa.contratista_id,
                                   Borrador.clave == estado.clave))
    db.commit()
    flash("Se descartaron los cambios del contrato.", "status")
    return see_other(url_for("informativa.contrato", **estado.valores_ruta()))


@bp.post("/<int:informativa_id>/contratos/<int:contrato_id>/eliminar")
def eliminar_contrato(informativa_id: int, contrato_id: int):
    """Eliminar a contract (and its workers) while the informativa is in capture; a second click (the first deleted
    it) lands on the informativa too."""
    informativa = propia(informativa_id)
    if informativas.contrato_propio(get_session(), informativa, contrato_id) is None:
        return _ya_eliminado(informativa_id, contrato_id)
    bloquear(informativa)
    contrato = informativas.contrato_propio(get_session(), informativa, contrato_id, fresco=True)
    if contrato is None:  # deleted by another request meanwhile
        get_session().rollback()
        return _ya_eliminado(informativa_id, contrato_id)
    nombre = contrato.nombre_contratante
    informativas.eliminar_contrato(get_session(), contrato, _clave(informativa.id, str(contrato.id)))
    flash(f"Se eliminó el contrato con {nombre} y sus trabajadores.", "status")
    return see_other(url_for("informativa.ver", informativa_id=informativa.id))


def _ya_eliminado(informativa_id: int, contrato_id: int):
    """Eliminar of a contract no longer in the informativa: its page and what happened when the form's
    clave_repeticion (routes' module docstring) names this contract of this informativa (it was this contratista's:
    a second click, another tab); else 404, as for an id that was never the contratista's."""
    clave = repeticion("eliminar", informativa_id, contrato_id)
    if clave is None:
        abort(404)
    flash(f"El contrato con {clave.dato} ya se había eliminado.", "status")
    return see_other(url_for("informativa.ver", informativa_id=informativa_id))


@bp.get("/<int:informativa_id>/copiar")
def copiar(informativa_id: int):
    """Copiar de otra informativa: the contratista's contracts in its other informativas."""
    from .routes import contexto_base

    informativa = propia(informativa_id)
    if informativa.tipo not in TIPOS_CON_CONTRATOS:
        abort(404)  # a Sin información or a Sin efectos has no contracts
    en_captura(informativa)
    origenes = informativas.contratos_de_otras(get_session(), informativa.contratista_id, informativa)
    return render("informativa/copiar.html", origenes=origenes, **contexto_base(informativa))


@bp.post("/<int:informativa_id>/copiar/<int:contrato_id>")
def copiar_contrato(informativa_id: int, contrato_id: int):
    """Start a new contract from another informativa's: its contratante, objeto and servicio; the dates are typed
    anew (they belong to this period)."""
    informativa = propia(informativa_id)
    if informativa.tipo not in TIPOS_CON_CONTRATOS:
        abort(404)
    en_captura(informativa)
    db = get_session()
    origen = db.get(Contrato, contrato_id)
    if origen is None or origen.contratista_id != informativa.contratista_id:
        abort(404)
    bloquear_borradores(db, informativa.contratista_id)
    estado = EstadoContrato(db, informativa, None)
    base = EstadoContrato(db, informativa, origen)._base
    estado.campos = {k: v for k, v in base["campos"].items() if k not in ("fecha_inicio", "fecha_termino")}
    estado.localizador = Localizador.from_dict(base["localizador"])
    estado.guardar_borrador()
    flash(f"Copiamos el contrato con {origen.nombre_contratante}: captura sus fechas en este cuatrimestre y "
          "guárdalo.", "status")
    return see_other(url_for("informativa.contrato", informativa_id=informativa.id, clave="nuevo"))
