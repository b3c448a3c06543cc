"""Datos generales: contact data, the social address (located in three steps) and the STPS acuse.

One HTML form with several buttons. Every POST first keeps what the request carries in the contratista's draft
(the database), then does its own action and answers the whole page, or for htmx the block it changed. So nothing
typed is lost on an error, a reload or a step of the locator, with or without JavaScript.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, flash, make_response, render_template, request, url_for
from flask_login import current_user
from sqlmodel import Session, delete, select

from .. import acuse, address, sepomex
from ..generales import validar as validar_generales
from ..auth import Usuario, conserva_al_expirar, contratista_required
from ..db import get_session, upsert
from ..htmx import render, see_other, wants_fragment
from ..models import Borrador, Contratista, DatosGenerales, Documento, utcnow
from ..uploads import limit_body, upload_size
from .forms import PASO_2, TEXTO, DatosGeneralesForm, opciones

bp = Blueprint("datos_generales", __name__, url_prefix="/datos-generales")

TEMPLATE = "datos_generales/index.html"
PAGINA = "datos_generales"
ACUSE = "acuse_stps"
MEXICO = ZoneInfo("America/Mexico_City")
MAX_CAMPO = 1000  # characters of one field kept in the draft (the longest field, the descripción, takes 250)
# A request may carry a file far over the acuse's 5 MB, so that the user's typed fields still arrive with it and
# the file is refused next to its field: uploads.CappedBuffer keeps only its first 5 MB. A request over this is not
# read at all: the too_large hooks answer it with the same message next to the file field.
MAX_REQUEST = 64 * 1024 * 1024


@bp.get("/configuracion")
@contratista_required
def configuracion():
    """Configuración: "Por favor ingresa tus datos generales." with Continuar."""
    return render_template("datos_generales/configuracion.html")


class Pagina:
    """The page's state for one request: the draft over the saved data, the form bound to it, its errors."""

    def __init__(self, db: Session, contratista: Contratista):
        self.db, self.contratista = db, contratista
        self.guardado = db.get(DatosGenerales, contratista.id)
        borrador = db.exec(select(Borrador.datos).where(Borrador.contratista_id == contratista.id,
                                                        Borrador.pagina == PAGINA)).first()
        self.valores = self._guardados() | (borrador or {})
        self.acuse = self._acuse()
        self.errores: dict[str, str] = {}  # field name -> message
        self.aviso: str | None = None  # a status message of the region that changed
        self.enfoque: str | None = None  # the region whose heading gets focus after an action
        self._colonias: list | None = None  # step 1's search, run once per request

    def _guardados(self) -> dict:
        g = self.guardado
        if g is None:
            return {}
        valores = {"correo": g.correo, "celular": g.celular, "telefono_fijo": g.telefono_fijo or ""}
        if g.domicilio_igual_fiscal is not None:
            valores["domicilio_igual"] = "si" if g.domicilio_igual_fiscal else "no"
        if g.domicilio:
            valores |= {"paso": "ubicado", "domicilio": g.domicilio, **_campos_paso_2(g.domicilio)}
        return valores

    def recibir(self) -> None:
        """Keep in the draft every field this request carries (the last value of a repeated name wins: a
        checkbox follows its hidden "off" value)."""
        for name in TEXTO:
            values = request.form.getlist(name)
            if values:
                # Bounded: a draft is for what a person types, not a place to store megabytes.
                self.valores[name] = values[-1].strip()[:MAX_CAMPO]
        self.guardar_borrador()

    def _acuse(self) -> Documento | None:
        return self.db.exec(select(Documento).where(Documento.contratista_id == self.contratista.id,
                                                    Documento.tipo == ACUSE)).first()

    def guardar_borrador(self) -> None:
        """One atomic upsert: autosaves racing a Guardar or each other never fail (the last one wins)."""
        upsert(self.db, Borrador, ["contratista_id", "pagina"],
               {"contratista_id": self.contratista.id, "pagina": PAGINA, "datos": dict(self.valores),
                "actualizado": utcnow()})
        self.db.commit()

    @property
    def paso(self) -> str:
        return self.valores.get("paso") or "1"

    def ubicacion(self) -> dict | None:
        """Where step 1 placed the address (cp, estado, municipio, colonia, asentamiento_id), or None."""
        return self.valores.get("ubicacion")

    def elegida(self):
        """The asentamiento chosen in the colonia select, or None. An option's value is its label (no value
        attribute): ids would add a third to the bytes of a postal code with hundreds of asentamientos, and the
        label is unique where names are not (a Pueblo and a Colonia of one name share a postal code; the few
        exact repeats in SEPOMEX's catalog are the same place twice)."""
        colonia = str(self.valores.get("colonia") or "")
        etiquetas = self.etiquetas()
        return self.colonias()[etiquetas.index(colonia)] if colonia in etiquetas else None

    def etiquetas(self) -> list[str]:
        """The colonia select's labels: the name, with the asentamiento type where two share a name, and the
        postal code when searching by estado and municipio."""
        colonias = self.colonias()
        veces = Counter(a.nombre for a in colonias)
        por_cp = self.valores.get("conoce_cp") != "no"
        return [(a.nombre if por_cp else f"{a.nombre} (C.P. {a.cp})") + (f" ({a.tipo})" if veces[a.nombre] > 1 else "")
                for a in colonias]

    def form(self) -> DatosGeneralesForm:
        v = self.valores
        data = {name: v.get(name, "") for name in TEXTO}
        data["sin_numero"] = v.get("sin_numero") in ("y", "on", "true", True)
        data["conoce_cp"] = v.get("conoce_cp") or "si"  # the guide's default path: by postal code
        form = DatosGeneralesForm(formdata=None, data=data)
        tipos = opciones((t, t) for t in address.TIPOS_VIALIDAD)
        for f in (form.calle_tipo, form.entre_calle_tipo, form.y_calle_tipo, form.calle_posterior_tipo):
            f.choices = tipos
        if self.contratista.es_persona_moral and self.paso == "1":
            form.estado.choices = opciones((e, e) for e in sepomex.estados(self.db))
            if self.valores.get("estado"):
                form.municipio.choices = opciones((m, m) for m in sepomex.municipios(self.db, self.valores["estado"]))
        for name, message in self.errores.items():
            if name in form:
                form[name].errors = [message]
        return form

    def otros_errores(self) -> list[tuple[str, str]]:
        """(link, message) of the errors that belong to no single field: the locator as a whole."""
        return [("#ubicar-titulo", message) for name, message in self.errores.items() if name == "domicilio"]

    def colonias(self) -> list:
        """The colonias of step 1's search (postal code, or estado and municipio), in the select's order."""
        if self._colonias is None:
            self._colonias = self._buscar_colonias()
        return self._colonias

    def _buscar_colonias(self) -> list:
        v = self.valores
        if v.get("conoce_cp") == "no":
            if v.get("estado") and v.get("municipio"):
                return sepomex.colonias(self.db, v["estado"], v["municipio"])
            return []
        try:
            cp = address.validate_cp(v.get("cp", ""))
        except address.DomicilioInvalido:
            return []
        return sepomex.colonias_por_cp(self.db, cp)

    def responder(self, block: str, status: int | None = None) -> Response:
        if status is None:
            status = 422 if self.errores else 200
        actualizado = self.guardado.actualizado.astimezone(MEXICO) if self.guardado else None
        paso_1 = self.contratista.es_persona_moral and self.paso == "1"
        return render(TEMPLATE, block, status, form=self.form(), pagina=self, contratista=self.contratista,
                      ubicacion=self.ubicacion() if self.paso != "1" else None, resumen=self._resumen(),
                      actualizado=actualizado, fragmento=wants_fragment(),
                      etiquetas=self.etiquetas() if paso_1 else [])

    def _resumen(self):
        if self.paso == "3" and self.valores.get("candidato"):
            return address.resumen(address.Domicilio.from_dict(self.valores["candidato"]))
        if self.paso == "ubicado" and self.valores.get("domicilio"):
            return address.resumen(address.Domicilio.from_dict(self.valores["domicilio"]))
        return None


def _campos_paso_2(domicilio: dict) -> dict:
    """The step-2 fields of a located address, so that "Cambiar" starts from it."""
    d = address.Domicilio.from_dict(domicilio)
    campos = {"calle_tipo": d.calle.tipo, "calle_nombre": d.calle.nombre, "numero_exterior": d.numero_exterior,
              "letra_exterior": d.letra_exterior, "sin_numero": "y" if d.sin_numero else "",
              "numero_interior": d.numero_interior, "letra_interior": d.letra_interior,
              "numero_exterior_secundario": d.numero_exterior_secundario, "descripcion": d.descripcion,
              "cp": d.cp, "conoce_cp": "si",
              "ubicacion": {"cp": d.cp, "estado": d.estado, "municipio": d.municipio, "colonia": d.colonia,
                            "asentamiento_id": d.asentamiento_id}}
    for prefix, calle in (("entre_calle", d.entre_calle), ("y_calle", d.y_calle),
                          ("calle_posterior", d.calle_posterior)):
        campos[f"{prefix}_tipo"], campos[f"{prefix}_nombre"] = (calle.tipo, calle.nombre) if calle else ("", "")
    return campos


def _pagina() -> Pagina:
    return Pagina(get_session(), current_user.contratista)


def _conservar(usuario: Usuario) -> None:
    """What a POST carried when its session had just expired: kept as the contratista's draft."""
    if usuario.es_contratista:
        Pagina(get_session(), usuario.contratista).recibir()


conserva = conserva_al_expirar(_conservar)


@bp.get("/")
@contratista_required
def index():
    """The Datos generales page, with what was saved and what was typed since."""
    return _pagina().responder("datos_generales")


def _recibir_acuse(pagina: Pagina) -> None:
    """Store the chosen acuse, if one came with this request (replacing the previous one)."""
    archivo = request.files.get("acuse")
    if archivo is None or not archivo.filename:
        return
    size = upload_size(archivo)
    if size > acuse.MAX_BYTES:
        pagina.errores["acuse"] = acuse.mensaje_tamano(size)
        return
    archivo.stream.seek(0)
    data = archivo.read()
    try:
        nombre = acuse.validate(archivo.filename, data)
    except acuse.AcuseInvalido as e:
        pagina.errores["acuse"] = str(e)
        return
    upsert(pagina.db, Documento, ["contratista_id", "tipo"],
           {"contratista_id": pagina.contratista.id, "tipo": ACUSE, "nombre": nombre, "contenido": data,
            "tamano": len(data), "sha256": hashlib.sha256(data).hexdigest(), "subido": utcnow()})
    pagina.db.commit()
    pagina.db.expire_all()
    pagina.acuse = pagina._acuse()
    pagina.aviso = f"Se adjuntó {nombre}."


def _too_large(block: str):
    """The answer to a request too big to read: the page (or `block`) with the acuse's size message."""

    def answer() -> Response:
        pagina = _pagina()
        pagina.errores["acuse"] = acuse.mensaje_tamano(request.content_length or MAX_REQUEST)
        pagina.enfoque = "acuse"
        return pagina.responder(block, 413)

    return answer


@bp.post("/")
@contratista_required
@conserva
@limit_body(MAX_REQUEST, too_large=_too_large("datos_generales"))
def guardar():
    """Guardar: check everything, store it, and come back to the page with a confirmation."""
    pagina = _pagina()
    pagina.recibir()
    _recibir_acuse(pagina)
    v = pagina.valores
    aceptado = v.get("domicilio") if pagina.paso == "ubicado" else None
    generales, errores = validar_generales(v, persona_moral=pagina.contratista.es_persona_moral,
                                           domicilio_aceptado=aceptado, tiene_acuse=pagina.acuse is not None)
    if errores or pagina.errores:
        pagina.errores = {**errores, **pagina.errores}  # an upload's own message wins over "adjunta el acuse"
        return pagina.responder("datos_generales")
    contratista_id = pagina.contratista.id
    upsert(pagina.db, DatosGenerales, ["contratista_id"],
           {"contratista_id": contratista_id, "correo": generales.correo, "celular": generales.celular,
            "telefono_fijo": generales.telefono_fijo, "domicilio_igual_fiscal": generales.domicilio_igual_fiscal,
            "domicilio": generales.domicilio, "actualizado": utcnow()})
    pagina.db.exec(delete(Borrador).where(Borrador.contratista_id == contratista_id, Borrador.pagina == PAGINA))
    pagina.db.commit()
    flash("Tus datos generales se guardaron correctamente.", "status")
    return see_other(url_for("datos_generales.index"))


def _locator(action):
    """A step of the locator: keep the draft, act, answer the locator region (or the page)."""
    pagina = _pagina()
    if not pagina.contratista.es_persona_moral:
        abort(404)  # a persona física has no social address to locate
    pagina.recibir()
    block = action(pagina) or "ubicar"
    pagina.guardar_borrador()
    pagina.enfoque = pagina.enfoque or "ubicar"
    return pagina.responder(block)


def _buscar(pagina: Pagina, *, silencioso: bool = False) -> None:
    """Paso 1's lookups: the colonias of the postal code, or the municipios of the estado and their colonias.
    `silencioso`: no message for what was not typed yet (the page's default button, pressed with Enter)."""
    v = pagina.valores
    if not pagina.contratista.es_persona_moral or pagina.paso != "1":
        return
    if v.get("conoce_cp") == "no":
        if v.get("estado") and v.get("municipio") not in sepomex.municipios(pagina.db, v["estado"]):
            v["municipio"] = ""
        if not v.get("estado") and not silencioso:
            pagina.errores["estado"] = "Selecciona el estado."
    elif v.get("cp") or not silencioso:
        v["conoce_cp"] = "si"
        try:
            v["cp"] = address.validate_cp(v.get("cp", ""))
        except address.DomicilioInvalido as e:
            pagina.errores["cp"] = str(e)
        else:
            if not sepomex.colonias_por_cp(pagina.db, v["cp"]):
                pagina.errores["cp"] = address.MSG_CP_DESCONOCIDO
    pagina._colonias = None  # the search changed
    if pagina.elegida() is None:
        v["colonia"] = ""


@bp.post("/domicilio/buscar")
@contratista_required
@conserva
@limit_body(MAX_REQUEST, too_large=_too_large("ubicar"))
def buscar():
    """Buscar colonias / Buscar municipios (paso 1): htmx sends it when the postal code, estado or municipio
    changes."""

    def action(pagina: Pagina) -> str:
        # silencioso: "¿Conoces tu Código Postal?" changed; nothing was searched yet, so nothing is wrong yet.
        _buscar(pagina, silencioso=request.args.get("silencioso") == "1")
        return "busqueda"

    return _locator(action)


@bp.post("/borrador")
@contratista_required
@conserva
@limit_body(MAX_REQUEST)
def borrador():
    """With JavaScript, every change is kept in the draft as it happens, so that even a reload before any button
    loses nothing. Nothing on the page changes."""
    _pagina().recibir()
    return Response(status=204)


@bp.post("/actualizar")
@contratista_required
@conserva
@limit_body(MAX_REQUEST, too_large=_too_large("datos_generales"))
def actualizar():
    """The form's default button (Enter in any field): keep what was typed, run the pending lookup, and show the
    page again, without judging what is not finished yet."""
    pagina = _pagina()
    pagina.recibir()
    _recibir_acuse(pagina)
    _buscar(pagina, silencioso=True)
    pagina.guardar_borrador()
    return pagina.responder("datos_generales")


@bp.post("/domicilio/ubicar")
@contratista_required
@conserva
@limit_body(MAX_REQUEST, too_large=_too_large("ubicar"))
def ubicar():
    """Ubicar: from step 1 to step 2 (a colonia chosen), or from step 2 to the summary of step 3."""

    def action(pagina: Pagina) -> None:
        v = pagina.valores
        if pagina.paso in ("1", "ubicado"):
            elegida = pagina.elegida()
            if elegida is None:
                pagina.errores["colonia"] = "Selecciona la colonia de tu domicilio."
                v["paso"] = "1"
                return
            v["ubicacion"], v["paso"] = _ubicacion(elegida), "2"
            return
        ubicacion = pagina.ubicacion()
        if ubicacion is None:
            v["paso"] = "1"
            pagina.errores["colonia"] = "Selecciona la colonia de tu domicilio."
            return
        try:
            domicilio = address.validar_paso2({k: str(v.get(k, "")) for k in PASO_2}, ubicacion)
        except address.ErroresDomicilio as e:
            pagina.errores.update(e.errores)
            return
        v["candidato"], v["paso"] = domicilio.to_dict(), "3"
        v.update(_campos_paso_2(v["candidato"]))  # "Cambiar" shows the values as they were normalised

    return _locator(action)


def _ubicacion(a) -> dict:
    return {"cp": a.cp, "estado": a.estado, "municipio": a.municipio, "colonia": a.nombre, "asentamiento_id": a.id}


@bp.post("/domicilio/aceptar")
@contratista_required
@conserva
@limit_body(MAX_REQUEST, too_large=_too_large("ubicar"))
def aceptar():
    """Aceptar the located address (step 3)."""

    def action(pagina: Pagina) -> None:
        v = pagina.valores
        if pagina.paso == "3" and v.get("candidato"):
            v["domicilio"], v["paso"] = v.pop("candidato"), "ubicado"
            pagina.aviso = "Domicilio ubicado. Da clic en Guardar para conservarlo."

    return _locator(action)


@bp.post("/domicilio/cambiar")
@contratista_required
@conserva
@limit_body(MAX_REQUEST, too_large=_too_large("ubicar"))
def cambiar():
    """Go back to step 1 (another colonia) or step 2 (the street), keeping what was typed."""

    def action(pagina: Pagina) -> None:
        pagina.valores["paso"] = "1" if request.args.get("paso") == "1" else "2"
        if pagina.valores["paso"] == "2" and pagina.ubicacion() is None:
            pagina.valores["paso"] = "1"

    return _locator(action)


@bp.post("/acuse")
@contratista_required
@conserva
@limit_body(MAX_REQUEST, too_large=_too_large("adjunto"))
def adjuntar():
    """Adjuntar the STPS acuse (htmx sends it as soon as it is chosen)."""
    pagina = _pagina()
    pagina.recibir()
    archivo = request.files.get("acuse")
    if archivo is None or not archivo.filename:
        pagina.errores["acuse"] = "Selecciona el acuse de registro en el padrón de la STPS."
    else:
        _recibir_acuse(pagina)
    pagina.enfoque = "acuse"
    return pagina.responder("adjunto")


@bp.post("/acuse/eliminar")
@contratista_required
@conserva
@limit_body(MAX_REQUEST, too_large=_too_large("adjunto"))
def eliminar():
    """Eliminar the attached acuse; the file input comes back."""
    pagina = _pagina()
    pagina.recibir()
    if pagina.acuse is not None:
        pagina.db.exec(delete(Documento).where(Documento.contratista_id == pagina.contratista.id,
                                               Documento.tipo == ACUSE))
        pagina.db.commit()
        pagina.acuse = None
        pagina.aviso = "Se eliminó el acuse."
    pagina.enfoque = "acuse"
    return pagina.responder("adjunto")


@bp.get("/acuse/ver")
@contratista_required
def ver_acuse():
    """Ver archivo: the contratista's own acuse, shown by the browser's PDF viewer."""
    documento = get_session().exec(select(Documento).where(
        Documento.contratista_id == current_user.contratista.id, Documento.tipo == ACUSE)).first()
    if documento is None:
        abort(404)
    response = make_response(documento.contenido)
    response.headers["Content-Type"] = "application/pdf"
    response.headers.set("Content-Disposition", "inline", filename=documento.nombre)
    # A document from a user is never a page of ours: no script, no same-origin access, even if it is not a PDF.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; object-src 'self'; frame-ancestors 'self'"
    response.headers["Cache-Control"] = "private, no-store"
    return response
