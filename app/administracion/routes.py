"""Administración: alta de capturistas, their consulta, baja / reactivación / invitación, and the Excel export.

Every query is scoped to the signed-in contratista: another contratista's ids answer 404. What a contratista may do
to a capturista's account is in app.capturistas (the README's "Cuentas de capturista").
"""
from __future__ import annotations

import io
from functools import wraps

from flask import Blueprint, Response, abort, current_app, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from .. import capturistas, contacto, curp, enlaces, export, hora, registro_curp
from ..auth import contratista_required
from ..db import get_session
from ..htmx import render, see_other
from ..models import Auditoria, Capturista, DatosGenerales, Persona, utcnow
from .forms import AltaUsuarioForm

bp = Blueprint("administracion", __name__, url_prefix="/administracion")
POR_PAGINA = 25
NOMBRES = ("nombres", "primer_apellido", "segundo_apellido")


def datos_generales_required(view):
    """A contratista whose datos generales are saved; otherwise a page that says so and links there."""

    @wraps(view)
    @contratista_required
    def guarded(*args, **kwargs):
        if get_session().get(DatosGenerales, current_user.contratista.id) is None:
            return render_template("administracion/pendiente.html"), 200
        return view(*args, **kwargs)

    return guarded


def auditar(accion: str, detalle: str) -> None:
    """Record who (the signed-in contratista), when and what; committed with the change it describes."""
    get_session().add(Auditoria(actor=current_user.actor, contratista_id=current_user.contratista.id,
                                accion=accion, detalle=detalle[:500]))


def _capturista_propio(capturista_id: int) -> tuple[Capturista, Persona]:
    """A capturista role of the signed-in contratista and its account, or 404 (never another contratista's)."""
    capturista = get_session().get(Capturista, capturista_id)
    if capturista is None or capturista.contratista_id != current_user.contratista.id:
        abort(404)
    return capturista, get_session().get(Persona, capturista.persona_id)


def _avisar_envio(envio: enlaces.Envio, correo: str, exito: str) -> None:
    if envio is enlaces.Envio.ENVIADO:
        flash(exito, "status")
    elif envio is enlaces.Envio.LIMITE:
        flash(f"No se envió el correo a {correo}: esa cuenta ya recibió {enlaces.CORREOS_POR_HORA.limit} correos "
              "del ICSOE en la última hora. Usa «Reenviar invitación» más tarde.", "error")
    else:
        flash("No se pudo enviar el correo electrónico. Intenta más tarde con «Reenviar invitación».", "error")


@bp.get("/")
@datos_generales_required
def index():
    return see_other(url_for("administracion.alta"))


class EstadoAlta:
    """The state of the Alta de usuario form for one request."""

    def __init__(self, form: AltaUsuarioForm):
        self.form, self.registro, self.aviso = form, None, None

    def validar_curp(self) -> str | None:
        """The CURP, and the names from the registry when it knows them; errors on the form otherwise. A CURP that
        already has a live role with this contratista is reported here, before anything else is typed."""
        try:
            clave = curp.validate(self.form.curp.data or "", today=hora.hoy())
        except curp.CurpInvalida as e:
            self.form.curp.errors = [str(e)]
            return None
        self.form.curp.data = clave
        db = get_session()
        rol = capturistas.rol_de(db, current_user.contratista.id, clave)
        if rol is not None and rol.estatus in ("activo", "pendiente"):
            self.form.curp.errors = [f"{rol.nombre_completo} ya es capturista de este contratista (estatus: "
                                     f"{rol.estatus_texto}). Búscalo en la Consulta."]
            return None
        try:
            self.registro = registro_curp.buscar(db, clave, current_app.config.get("CURP_SERVICE_URL"))
        except registro_curp.RegistroNoDisponible:
            self.aviso = ("El servicio de consulta de la CURP no respondió. Captura los nombres como aparecen "
                          "en la CURP.")
        if self.registro is None and rol is not None:
            # Names this contratista itself gave before (a baja or a declined invitation): never another's.
            self.registro = registro_curp.NombreCurp(rol.nombres, rol.primer_apellido, rol.segundo_apellido,
                                                     "usuarios")
        if self.registro is not None:
            f = self.form
            f.nombres.data, f.primer_apellido.data = self.registro.nombres, self.registro.primer_apellido
            f.segundo_apellido.data = self.registro.segundo_apellido
        elif self.aviso is None:
            self.aviso = "No encontramos la CURP en el registro. Captura los nombres como aparecen en la CURP."
        return clave

    def validar_nombres(self, clave: str) -> None:
        """Typed names: RENAPO's characters, bounded, and the letters the CURP was built from."""
        form = self.form
        for name in NOMBRES:
            try:
                form[name].data = curp.validar_nombre(form[name].data or "", name)
            except curp.CurpInvalida as e:
                form[name].errors = [str(e)]
        if not form.nombres.errors and not form.nombres.data:
            form.nombres.errors = ["Captura el nombre o los nombres."]
        if not form.primer_apellido.errors and not form.primer_apellido.data:
            form.primer_apellido.errors = ["Captura el primer apellido."]
        if not any(form[name].errors for name in NOMBRES):
            try:
                curp.verificar_nombre(clave, form.nombres.data, form.primer_apellido.data,
                                      form.segundo_apellido.data or "")
            except curp.CurpInvalida as e:
                form[e.campo if e.campo in form else "curp"].errors = [str(e)]

    def responder(self, status: int | None = None, validada: bool = True):
        errors = any(f.errors for f in self.form)
        return render("administracion/alta.html", "alta", status or (422 if errors else 200), form=self.form,
                      alta=self, validada=validada, contratista=current_user.contratista)


@bp.get("/alta")
@datos_generales_required
def alta():
    """Alta de usuario: the CURP first."""
    return EstadoAlta(AltaUsuarioForm(formdata=None)).responder(validada=False)


@bp.post("/alta/validar")
@datos_generales_required
def validar():
    """Validar the CURP: its names from the registry (read-only), or fields to type them."""
    estado = EstadoAlta(AltaUsuarioForm())
    clave = estado.validar_curp()
    return estado.responder(validada=clave is not None)


@bp.post("/alta")
@datos_generales_required
def guardar():
    """Guardar: the role of (CURP, e-mail)'s account with this contratista; then, once it is committed, an e-mail
    with the invitation."""
    form = AltaUsuarioForm()
    estado = EstadoAlta(form)
    clave = estado.validar_curp()
    if clave is None:
        return estado.responder(validada=False)
    if estado.registro is None:
        estado.validar_nombres(clave)
    if form.rol.data != "Capturista":
        form.rol.errors = ["Selecciona el rol asignado."]
    datos = {}
    try:
        datos["telefono"] = contacto.normalize_telefono(form.telefono.data or "", campo="telefono_fijo")
    except contacto.DatoInvalido as e:
        form.telefono.errors = [str(e).replace("teléfono fijo", "teléfono")]
    try:
        datos["correo"] = contacto.normalize_correo(form.correo.data or "")
    except contacto.DatoInvalido as e:
        form.correo.errors = [str(e)]
    else:
        try:
            confirmado = contacto.normalize_correo(form.confirmar_correo.data or "")
        except contacto.DatoInvalido:
            confirmado = None
        if confirmado != datos["correo"]:
            form.confirmar_correo.errors = ["Los correos electrónicos no coinciden."]
    if any(f.errors for f in form):
        return estado.responder()

    db, contratista = get_session(), current_user.contratista
    for intento in range(2):  # a parallel alta of the same CURP or account: the second try sees what it wrote
        try:
            nuevo = capturistas.dar_de_alta(db, contratista, curp=clave, nombres=form.nombres.data,
                                            primer_apellido=form.primer_apellido.data,
                                            segundo_apellido=form.segundo_apellido.data or "", now=utcnow(), **datos)
            auditar("reactivacion" if nuevo.reactivado else "alta", f"capturista {nuevo.capturista.id} {clave}")
            db.commit()
            break
        except capturistas.YaEsCapturista as e:
            db.rollback()
            form.curp.errors = [str(e)]
            return estado.responder()
        except IntegrityError:
            db.rollback()
            if intento:
                raise
    rol, cuenta = nuevo.capturista, nuevo.cuenta
    envio = enlaces.invitar(db, rol, cuenta, contratista, utcnow())
    auditar("invitacion", f"capturista {rol.id} a {cuenta.correo}: {envio.value}")
    db.commit()
    _avisar_envio(envio, cuenta.correo, "El usuario se guardo exitosamente")
    return see_other(url_for("administracion.guardado", capturista_id=rol.id))


@bp.get("/alta/<int:capturista_id>")
@datos_generales_required
def guardado(capturista_id: int):
    """After Guardar: the confirmation and the person's roles with this contratista (Id, Rol asignado, Eliminar)."""
    capturista, cuenta = _capturista_propio(capturista_id)
    return render_template("administracion/guardado.html", capturista=capturista, cuenta=cuenta,
                           contratista=current_user.contratista)


@bp.get("/consulta")
@datos_generales_required
def consulta():
    """Consulta: this contratista's capturistas, searchable, 25 a page."""
    q = (request.args.get("q") or "").strip()[:100]
    pagina = request.args.get("pagina", 1, type=int) or 1
    return render("administracion/consulta.html", "resultados", contratista=current_user.contratista,
                  **capturistas.consulta(get_session(), current_user.contratista.id, q, pagina, POR_PAGINA))


@bp.route("/capturistas/<int:capturista_id>/baja", methods=["GET", "POST"])
@datos_generales_required
def baja(capturista_id: int):
    """Dar de baja, after a confirmation page: the capturista can no longer sign in for this contratista, its
    sessions end and its invitation links die."""
    capturista, _cuenta = _capturista_propio(capturista_id)
    if request.method == "GET":
        return render_template("administracion/baja.html", capturista=capturista)
    if capturistas.dar_de_baja(get_session(), capturista, utcnow()):
        auditar("baja", f"capturista {capturista.id} {capturista.curp}")
        get_session().commit()
    flash(f"Se dio de baja a {capturista.nombre_completo}.", "status")
    return see_other(url_for("administracion.consulta"))


@bp.post("/capturistas/<int:capturista_id>/reactivar")
@datos_generales_required
def reactivar(capturista_id: int):
    """Reactivar a capturista dado de baja: a new invitation that the person accepts (or activates) again."""
    db = get_session()
    capturista, cuenta = _capturista_propio(capturista_id)
    if capturistas.reactivar(db, capturista, utcnow()):
        auditar("reactivacion", f"capturista {capturista.id} {capturista.curp}")
        db.commit()
        envio = enlaces.invitar(db, capturista, cuenta, current_user.contratista, utcnow())
        auditar("invitacion", f"capturista {capturista.id} a {cuenta.correo}: {envio.value}")
        db.commit()
        _avisar_envio(envio, cuenta.correo, f"Se reactivó a {capturista.nombre_completo}; le enviamos una "
                                            f"invitación a {cuenta.correo}.")
    return see_other(url_for("administracion.consulta"))


@bp.post("/capturistas/<int:capturista_id>/reenviar")
@datos_generales_required
def reenviar(capturista_id: int):
    """Reenviar invitación: a new invitation; the links of the earlier ones stop working."""
    db = get_session()
    capturista, cuenta = _capturista_propio(capturista_id)
    if capturista.estatus != "pendiente":
        abort(409)
    capturistas.nueva_invitacion(capturista, utcnow())
    db.add(capturista)
    db.commit()
    envio = enlaces.invitar(db, capturista, cuenta, current_user.contratista, utcnow())
    auditar("invitacion", f"capturista {capturista.id} a {cuenta.correo}: {envio.value}")
    db.commit()
    _avisar_envio(envio, cuenta.correo, f"Se reenvió la invitación a {cuenta.correo}.")
    return see_other(url_for("administracion.consulta"))


@bp.get("/exportar")
@datos_generales_required
def exportar():
    """Exportar Excel: every capturista role of this contratista, bajas included."""
    contratista = current_user.contratista
    db = get_session()
    out = io.BytesIO()
    n = export.write_xlsx(capturistas.filas_exportacion(db, contratista), out)
    nombre = export.filename(contratista.id, utcnow())
    auditar("exportacion", f"{n} filas, {nombre}")
    db.commit()
    response = Response(out.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers.set("Content-Disposition", "attachment", filename=nombre)
    response.headers["Cache-Control"] = "private, no-store"
    return response
