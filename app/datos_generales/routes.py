"""Datos generales: contact data, the social address (app.localizador, in three steps) and the STPS acuse.

One HTML form with several buttons. Every POST keeps what the request carries in the contratista's draft (the
database), does its own action, and answers the whole page, or for htmx the region it changed. Nothing saved
changes until *Guardar*: an attached acuse waits as a draft document and *Eliminar* only marks the saved one; a
draft that differs from what is saved says so and offers *Descartar cambios*. After a failed *Guardar* the page
checks the current values on every change, so its errors always describe what is on screen.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cached_property

from flask import Blueprint, Response, abort, flash, make_response, render_template, request, url_for
from flask_login import current_user
from sqlmodel import Session, delete, select, update

from .. import acuse, generales, localizador_web
from ..auth import Usuario, auditar, conserva_al_expirar, contratista_required
from ..db import bloquear_borradores, get_session, leer_borrador, upsert
from ..formularios import rechazar
from ..htmx import nombrar, render, see_other, wants_fragment
from ..localizador import Localizador, Paso
from ..models import Borrador, Contratista, DatosGenerales, Documento, utcnow
from ..rechazo import Rechazo, todos
from ..uploads import limit_body, upload_size
from .forms import CAMPOS, DatosGeneralesForm

bp = Blueprint("datos_generales", __name__, url_prefix="/datos-generales")

TEMPLATE = "datos_generales/index.html"
BORRADOR = "datos_generales"  # the draft's key (Borrador.clave)
ACUSE, ACUSE_BORRADOR = "acuse_stps", "acuse_stps_borrador"  # Documento.tipo: saved, and attached since
MAX_CAMPO = 1000  # characters of one field kept in the draft (the longest field, the descripción, takes 250)
# A request may carry a file far over the acuse's 5 MB, so that the user's typed fields still arrive with it and
# the file is refused next to its field: uploads.CappedBuffer keeps only its first 5 MB. A request over this is not
# read at all: the too_large hooks answer it with the same message next to the file field.
MAX_REQUEST = 64 * 1024 * 1024


@bp.before_request
@contratista_required
def _solo_el_contratista():
    """Every page here is the contratista's own (capturistas get 403), once its terms are accepted."""
    return None


class EstadoDatosGenerales:
    """The page's state for one request: the draft over the saved data, the locator, the acuse, the refusals."""

    def __init__(self, db: Session, contratista: Contratista):
        self.db, self.contratista = db, contratista
        borrador = leer_borrador(db, contratista.id, BORRADOR)
        datos = _leer_borrador(borrador) if borrador is not None else self._base
        self.campos: dict[str, str] = dict(datos["campos"])
        self.localizador = Localizador.from_dict(datos["localizador"]) if self.contratista.es_persona_moral \
            else Localizador()
        self.cambio_acuse: str | None = datos.get("acuse")  # None, "nuevo" (a draft document) or "eliminado"
        self.revisar: bool = bool(datos.get("revisar"))  # a Guardar failed: every change is checked again
        self.revisando = False  # this answer only refreshes the errors (the user is still typing): no focus move
        self.rechazos: list[Rechazo] = []
        self.enfoque: str | None = None
        self.aviso: str | None = None

    @cached_property
    def guardado(self) -> DatosGenerales | None:
        """What Guardar last saved, read when needed: a locator's fragment or a draft's autosave shows none of it."""
        return self.db.get(DatosGenerales, self.contratista.id)

    @property
    def actualizado(self) -> datetime | None:
        return self.guardado.actualizado if self.guardado else None

    @cached_property
    def _base(self) -> dict:
        """The page's fields and locator as saved."""
        g = self.guardado
        if g is None:
            return {"campos": {}, "localizador": Localizador().to_dict()}
        campos = {"correo": g.correo, "celular": g.celular, "telefono_fijo": g.telefono_fijo or ""}
        if g.domicilio_igual_fiscal is not None:
            campos["domicilio_igual"] = "si" if g.domicilio_igual_fiscal else "no"
        return {"campos": campos, "localizador": Localizador.de_domicilio(g.domicilio).to_dict()}

    # -- reading the request, keeping the draft ---------------------------------------------------------------------

    def recibir(self) -> None:
        """What this request carries (the last value of a repeated name wins: a checkbox follows its hidden "off"
        value), bounded: a draft is for what a person types, not a place to store megabytes."""
        form = request.form
        for name in CAMPOS:
            values = form.getlist(name)
            if values:
                self.campos[name] = values[-1].strip()[:MAX_CAMPO]
        if self.contratista.es_persona_moral:
            self.localizador = self.localizador.con(localizador_web.recibidos())

    def guardar_borrador(self) -> None:
        """One atomic upsert: autosaves racing a Guardar or each other never fail (the last one wins)."""
        datos = {"campos": self.campos, "localizador": self.localizador.to_dict(), "acuse": self.cambio_acuse,
                 "revisar": self.revisar}
        upsert(self.db, Borrador, ["contratista_id", "clave"],
               {"contratista_id": self.contratista.id, "clave": BORRADOR, "datos": datos, "actualizado": utcnow()})
        self.db.commit()

    # -- the acuse -------------------------------------------------------------------------------------------------

    def _documento(self, tipo: str) -> Documento | None:
        return self.db.exec(select(Documento).where(Documento.contratista_id == self.contratista.id,
                                                    Documento.tipo == tipo)).first()

    @property
    def acuse(self) -> Documento | None:
        """The acuse the page shows: the one attached since the last Guardar, else the saved one unless marked
        for deletion."""
        if self.cambio_acuse == "nuevo":
            return self._documento(ACUSE_BORRADOR)
        if self.cambio_acuse == "eliminado":
            return None
        return self._documento(ACUSE)

    # -- what the page says ----------------------------------------------------------------------------------------

    @property
    def cambios_sin_guardar(self) -> bool:
        """Whether what the page shows differs from what is saved."""
        return (self.campos != self._base["campos"] or self.localizador.to_dict() != self._base["localizador"]
                or self.cambio_acuse is not None)

    def validar(self) -> generales.Generales | None:
        """Guardar's rule over the current values; its refusals join this request's own (which win per field)."""
        loc = self.localizador
        try:
            return generales.validar(self.campos, persona_moral=self.contratista.es_persona_moral,
                                     domicilio_aceptado=dict(loc.domicilio) if loc.paso is Paso.UBICADO and
                                     loc.domicilio else None, tiene_acuse=self.acuse is not None)
        except ExceptionGroup as grupo:
            ya = {r.campo for r in self.rechazos}
            self.rechazos.extend(r for r in todos(grupo) if r.campo not in ya)
            return None

    def form(self) -> DatosGeneralesForm:
        form = DatosGeneralesForm(formdata=None, data={**self.campos,
                                                       **localizador_web.valores_formulario(self.localizador)})
        rechazar(form, [r for r in self.rechazos if r.campo != "domicilio"])
        return form

    def responder(self, bloque: str, status: int | None = None) -> Response:
        """The page, or for htmx the block `bloque`; after a failed Guardar, the whole form, whose errors must
        describe the current values (an error fixed since disappears, a new one appears)."""
        if self.revisar and not self.rechazos:
            self.validar()
        ampliar = self.revisar and wants_fragment() and bloque != "datos_generales"
        self.revisando = self.revisando or ampliar
        fragmento = localizador_web.es_fragmento(bloque, ampliar)
        form = localizador_web.formulario_fragmento(self, bloque) if fragmento else self.form()
        mensaje_domicilio = next((r.mensaje for r in self.rechazos if r.campo == "domicilio"), None)
        context = dict(form=form, estado=self, contratista=self.contratista,
                       mensaje_domicilio=mensaje_domicilio,
                       otros_errores=[("#ubicar-titulo", mensaje_domicilio)] if mensaje_domicilio else [],
                       **localizador_web.contexto(self, form, "datos_generales.",
                                                  titulo_ubicado="Domicilio social ubicado"))
        if fragmento:
            return localizador_web.responder_fragmento(bloque, **context)
        response = render(TEMPLATE, "datos_generales" if ampliar else bloque, status, **context)
        if ampliar:
            response.headers["HX-Retarget"], response.headers["HX-Reswap"] = "#datos-generales", "innerMorph"
        return response


def _leer_borrador(datos: dict) -> dict:
    """A draft as this release keeps it. Release 0.1.0 kept the page's fields flat (correo, …, paso, cp, …)."""
    if not isinstance(datos, dict):
        return {"campos": {}, "localizador": None}
    if "campos" in datos:
        return datos
    campos = {k: str(v) for k, v in datos.items() if k in CAMPOS}
    return {"campos": campos, "localizador": {**datos, "por_cp": datos.get("conoce_cp") != "no",
                                              "calle": {k: v for k, v in datos.items() if isinstance(v, str)}}}


def _estado() -> EstadoDatosGenerales:
    return EstadoDatosGenerales(get_session(), current_user.contratista)


def _cargar() -> EstadoDatosGenerales:
    """The state for a POST: the draft read under bloquear_borradores (this request's write of it cannot lose what
    another wrote since it read it), and what the request carried."""
    bloquear_borradores(get_session(), current_user.contratista.id)
    estado = _estado()
    estado.recibir()
    return estado


def _conservar(usuario: Usuario) -> None:
    """What a POST carried when its session had just expired: kept as the contratista's draft."""
    if usuario.es_contratista:
        bloquear_borradores(get_session(), usuario.contratista.id)
        estado = EstadoDatosGenerales(get_session(), usuario.contratista)
        estado.recibir()
        estado.guardar_borrador()


conserva = conserva_al_expirar(_conservar)


def _too_large(block: str):
    """The answer to a request too big to read: the page (or `block`) with the acuse's size message."""

    def answer() -> Response | None:
        if not (current_user.is_authenticated and current_user.es_contratista and current_user.acepto_terminos):
            return None  # the page is the contratista's own (the 413 came before _solo_el_contratista)
        estado = _estado()
        estado.rechazos.append(acuse.AcuseInvalido(acuse.mensaje_tamano(request.content_length or MAX_REQUEST)))
        estado.enfoque = "acuse"
        return estado.responder(block, 413)

    return answer


def _solo_moral(view):
    """The locator's routes: a persona física has no social address to locate (404)."""

    def guarded(**kwargs):
        if not current_user.contratista.es_persona_moral:
            abort(404)
        return view(**kwargs)

    guarded.__name__, guarded.__doc__ = view.__name__, view.__doc__
    return guarded


localizador_web.registrar_rutas(
    bp, cargar=_cargar, responder=lambda estado, bloque: estado.responder(bloque),
    decorar=lambda view: conserva(limit_body(MAX_REQUEST, too_large=_too_large("ubicar"))(_solo_moral(view))))


@bp.get("/configuracion")
def configuracion():
    """Configuración: "Por favor ingresa tus datos generales." with Continuar."""
    return render_template("datos_generales/configuracion.html")


@bp.get("/")
def index():
    """The Datos generales page, with what was saved and what was typed since."""
    return _estado().responder("datos_generales")


def _recibir_acuse(estado: EstadoDatosGenerales) -> None:
    """Keep the chosen acuse, if one came with this request, as the draft's document (Guardar makes it the saved
    one)."""
    archivo = request.files.get("acuse")
    if archivo is None or not archivo.filename:
        return
    size = upload_size(archivo)
    if size > acuse.MAX_BYTES:
        estado.rechazos.append(acuse.AcuseInvalido(acuse.mensaje_tamano(size)))
        return
    archivo.stream.seek(0)
    data = archivo.read()
    try:
        nombre = acuse.validate(archivo.filename, data)
    except acuse.AcuseInvalido as e:
        estado.rechazos.append(e)
        return
    upsert(estado.db, Documento, ["contratista_id", "tipo"],
           {"contratista_id": estado.contratista.id, "tipo": ACUSE_BORRADOR, "nombre": nombre, "contenido": data,
            "tamano": len(data), "sha256": hashlib.sha256(data).hexdigest(), "subido": utcnow()})
    estado.cambio_acuse = "nuevo"
    estado.aviso = f"Se adjuntó {nombre}. Da clic en Guardar para conservarlo."


@bp.post("/")
@conserva
@limit_body(MAX_REQUEST, too_large=_too_large("datos_generales"))
def guardar():
    """Guardar: check everything, store it all at once (the data, the acuse attached since, the deletion of the
    one marked) and come back to the page with a confirmation."""
    estado = _cargar()
    _recibir_acuse(estado)
    datos = estado.validar()
    # A file chosen with Guardar and refused is an error even with an acuse already kept: saving the rest said
    # "se guardaron" while the new file was dropped and the old one stayed (a review).
    if datos is None or estado.rechazos:
        estado.revisar = True
        estado.guardar_borrador()
        return estado.responder("datos_generales")
    contratista_id, db = estado.contratista.id, estado.db
    valores = {"correo": datos.correo, "celular": datos.celular, "telefono_fijo": datos.telefono_fijo,
               "domicilio_igual_fiscal": datos.domicilio_igual_fiscal, "domicilio": datos.domicilio}
    # What is saved now (read under the drafts' lock): a second Guardar of the same page (a double click) changes
    # nothing, and writes no second Bitácora row.
    antes = db.exec(select(*(getattr(DatosGenerales, c) for c in valores))
                    .where(DatosGenerales.contratista_id == contratista_id)).first()
    cambio = estado.cambio_acuse == "nuevo" or antes is None or tuple(antes) != tuple(valores.values())
    upsert(db, DatosGenerales, ["contratista_id"],
           {"contratista_id": contratista_id, **valores, "actualizado": utcnow()})
    if estado.cambio_acuse == "nuevo":
        db.exec(delete(Documento).where(Documento.contratista_id == contratista_id, Documento.tipo == ACUSE))
        db.exec(update(Documento).where(Documento.contratista_id == contratista_id, Documento.tipo == ACUSE_BORRADOR)
                .values(tipo=ACUSE))
    db.exec(delete(Borrador).where(Borrador.contratista_id == contratista_id, Borrador.clave == BORRADOR))
    if cambio:
        auditar("datos_generales", "con un acuse STPS nuevo" if estado.cambio_acuse == "nuevo" else "")
    db.commit()
    flash("Tus datos generales se guardaron correctamente.", "status")
    return see_other(url_for("datos_generales.index"))


@bp.post("/descartar")
@conserva
@limit_body(MAX_REQUEST)
def descartar():
    """Descartar cambios: back to what is saved (the draft and the acuse attached since are deleted). Under the
    drafts' lock, as every change of them: a Guardar in another tab promotes the acuse it read, or finds none."""
    db, contratista_id = get_session(), current_user.contratista.id
    bloquear_borradores(db, contratista_id)
    db.exec(delete(Borrador).where(Borrador.contratista_id == contratista_id, Borrador.clave == BORRADOR))
    db.exec(delete(Documento).where(Documento.contratista_id == contratista_id, Documento.tipo == ACUSE_BORRADOR))
    db.commit()
    flash("Se descartaron los cambios: la página muestra lo que está guardado.", "status")
    return see_other(url_for("datos_generales.index"))


@bp.post("/borrador")
@conserva
@limit_body(MAX_REQUEST)
def borrador():
    """With JavaScript, every change is kept in the draft as it happens, so that even a reload before any button
    loses nothing. Nothing on the page changes, unless a Guardar failed: then the form comes back with the errors
    of the current values."""
    estado = _cargar()
    estado.guardar_borrador()
    if not estado.revisar:
        return Response(status=204)
    estado.revisando = True
    response = estado.responder("datos_generales")
    response.headers["HX-Retarget"], response.headers["HX-Reswap"] = "#datos-generales", "innerMorph"
    return response


@bp.post("/actualizar")
@conserva
@limit_body(MAX_REQUEST, too_large=_too_large("datos_generales"))
def actualizar():
    """The form's default button (Enter in any field): keep what was typed and the chosen file, run the pending
    search, and show the page again, without judging what is not finished yet."""
    estado = _cargar()
    _recibir_acuse(estado)
    if estado.contratista.es_persona_moral and estado.localizador.paso is Paso.BUSCAR:
        localizador_web.transicion(estado, "buscar", silencioso=True)
    estado.guardar_borrador()
    return estado.responder("datos_generales")


@bp.post("/acuse")
@conserva
@limit_body(MAX_REQUEST, too_large=_too_large("adjunto"))
def adjuntar():
    """Adjuntar the STPS acuse (htmx sends it as soon as it is chosen)."""
    estado = _cargar()
    archivo = request.files.get("acuse")
    if archivo is None or not archivo.filename:
        estado.rechazos.append(acuse.AcuseInvalido("Selecciona el acuse de registro en el padrón de la STPS."))
    else:
        _recibir_acuse(estado)
    estado.guardar_borrador()
    estado.enfoque = "acuse"
    return estado.responder("adjunto")


@bp.post("/acuse/eliminar")
@conserva
@limit_body(MAX_REQUEST, too_large=_too_large("adjunto"))
def eliminar():
    """Eliminar the acuse shown: one attached since the last Guardar is deleted; the saved one is only marked, and
    goes at Guardar (Descartar cambios brings it back)."""
    estado = _cargar()
    if estado.acuse is not None:
        estado.db.exec(delete(Documento).where(Documento.contratista_id == estado.contratista.id,
                                               Documento.tipo == ACUSE_BORRADOR))
        estado.cambio_acuse = "eliminado" if estado._documento(ACUSE) is not None else None
        estado.aviso = "Se quitó el acuse. Adjunta otro y da clic en Guardar."
    estado.guardar_borrador()
    estado.enfoque = "acuse"
    return estado.responder("adjunto")


@bp.get("/acuse/ver")
def ver_acuse():
    """Ver archivo: the contratista's own acuse as the page shows it, by the browser's PDF viewer."""
    documento = _estado().acuse
    if documento is None:
        abort(404)
    response = make_response(documento.contenido)
    response.headers["Content-Type"] = "application/pdf"
    nombrar(response, "inline", documento.nombre)
    # A document from a user is never a page of ours: no script, no same-origin access, even if it is not a PDF.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; object-src 'self'; frame-ancestors 'self'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


from . import repse as _repse  # noqa: E402,F401  (Registro REPSE's views register on this blueprint)
