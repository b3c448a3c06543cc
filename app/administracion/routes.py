"""Administración: alta de capturistas, their consulta, baja / reactivación / invitación, and the Excel export.

Every query is scoped to the signed-in contratista: another contratista's ids answer 404. What a contratista may do
to a capturista's account is in app.capturistas (the README's "Cuentas de capturista").
"""
from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from .. import capturistas, contacto, contratistas, curp, enlaces, export, hora, registro_curp
from ..auth import auditar, conserva_al_expirar, contratista_required
from ..db import get_session
from ..formularios import conservar, mensaje_recuperado, rechazar, recuperar, tiene_errores
from ..htmx import render, see_other, xlsx
from ..models import Capturista, Persona, utcnow
from .forms import AltaUsuarioForm

bp = Blueprint("administracion", __name__, url_prefix="/administracion")
POR_PAGINA = 25
NOMBRES = ("nombres", "primer_apellido", "segundo_apellido")


@bp.before_request
@contratista_required
def _datos_generales_primero():
    """Every page here is the contratista's own (a capturista gets 403), once its terms are accepted and its datos
    generales saved; until then, a page that says so and links there."""
    if not contratistas.datos_generales_guardados(get_session(), current_user.contratista.id):
        return render("administracion/pendiente.html")
    return None


def _capturista_propio(capturista_id: int) -> tuple[Capturista, Persona]:
    """A capturista role of the signed-in contratista and its account, or 404 (never another contratista's)."""
    capturista = get_session().get(Capturista, capturista_id)
    if capturista is None or capturista.contratista_id != current_user.contratista.id:
        abort(404)
    return capturista, get_session().get(Persona, capturista.persona_id)


def _avisar_envio(envio: enlaces.Envio, correo: str, exito: str, hecho: str | None = None) -> None:
    """`exito` when the invitation went; otherwise what was done all the same (`hecho`: the alta, the reactivación)
    and why the e-mail did not go."""
    if envio is enlaces.Envio.ENVIADO:
        flash(exito, "status")
        return
    if hecho:
        flash(hecho, "status")
    if envio is enlaces.Envio.LIMITE:
        # The same words whoever sent the earlier mails: nothing here tells of another contratista's activity.
        flash(f"No se envió el correo a {correo}: ya se enviaron varios a esa dirección en la última hora. Usa "
              "«Reenviar invitación» más tarde.", "error")
    else:
        flash("No se pudo enviar el correo electrónico. Intenta más tarde con «Reenviar invitación».", "error")


@bp.get("/")
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
            rechazar(self.form, e)
            return None
        self.form.curp.data = clave
        db = get_session()
        rol = capturistas.rol_de(db, current_user.contratista.id, clave)
        try:
            capturistas.verificar_alta_posible(rol)
        except capturistas.YaEsCapturista as e:
            rechazar(self.form, e)
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

    def verificar_nombres(self, clave: str) -> None:
        """Typed names (the form validated each one): the letters the CURP was built from. Names from the
        registry need no check: they are the CURP's own."""
        form = self.form
        if self.registro is not None or any(form[name].errors for name in NOMBRES):
            return
        try:
            curp.verificar_nombre(clave, form.nombres.data, form.primer_apellido.data, form.segundo_apellido.data)
        except curp.CurpInvalida as e:
            rechazar(form, e)

    def responder(self, validada: bool = True):
        """The page, or its #alta block for htmx; htmx.render answers 422 when the form carries errors."""
        return render("administracion/alta.html", "alta", form=self.form, alta=self, validada=validada,
                      contratista=current_user.contratista)


# What an Alta posted after the session ended waits for the contratista's next visit of the page
# (formularios.conservar): not the e-mail, where the invitation would go (whoever used the open page after the
# session ended must not have the owner's next Guardar invite their own address); a capturista has no Alta page.
CAMPOS_ALTA = ("curp", "nombres", "primer_apellido", "segundo_apellido", "telefono")
conserva_alta = conserva_al_expirar(conservar(lambda usuario: "alta" if usuario.es_contratista else None,
                                              CAMPOS_ALTA))


@bp.get("/alta")
def alta():
    """Alta de usuario: the CURP first (or what was posted when the session ended, names as they were typed; Guardar
    validates all of it again)."""
    form = AltaUsuarioForm(formdata=None)
    cuando = recuperar(form, current_user, "alta")
    if cuando is not None:
        flash(mensaje_recuperado(cuando), "status")
        return EstadoAlta(form).responder(validada=bool(form.nombres.data or form.primer_apellido.data))
    return EstadoAlta(form).responder(validada=False)


@bp.post("/alta/validar")
@conserva_alta
def validar():
    """Validar the CURP: its names from the registry (read-only), or fields to type them."""
    estado = EstadoAlta(AltaUsuarioForm())
    clave = estado.validar_curp()
    return estado.responder(validada=clave is not None)


@bp.post("/alta")
@conserva_alta
def guardar():
    """Guardar: the role of (CURP, e-mail)'s account with this contratista; then, once it is committed, an e-mail
    with the invitation."""
    form = AltaUsuarioForm()
    en_pantalla = tuple(" ".join((form[name].data or "").split()).upper() for name in NOMBRES)
    estado = EstadoAlta(form)
    clave = estado.validar_curp()
    if clave is None:
        return estado.responder(validada=False)
    registro = estado.registro
    if registro is not None and en_pantalla != (registro.nombres, registro.primer_apellido, registro.segundo_apellido):
        # The CURP changed after Validar (or the page was never validated): the names it stores must be the ones
        # the contratista saw. Show them and ask again.
        form.form_errors.append("Los nombres que corresponden a la CURP no son los que estaban en pantalla: "
                                "revísalos y da clic en Guardar.")
        return estado.responder()
    form.validate()  # the form's own rules (names, rol, the e-mail repeated); the CURP's errors were checked above
    estado.verificar_nombres(clave)
    datos = {}
    try:
        datos["telefono"] = contacto.normalize_telefono(form.telefono.data, campo="telefono")
    except contacto.DatoInvalido as e:
        rechazar(form, e)
    try:
        datos["correo"] = contacto.normalize_correo(form.correo.data)
    except contacto.DatoInvalido as e:
        rechazar(form, e)
    if tiene_errores(form):
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
        except capturistas.YaEsCapturista as e:  # a parallel alta of the same CURP got there first
            db.rollback()
            rechazar(form, e)
            return estado.responder()
        except (IntegrityError, capturistas.RolCambiado):
            db.rollback()
            if intento:
                raise
    rol, cuenta = nuevo.capturista, nuevo.cuenta
    envio = enlaces.invitar(db, rol, cuenta, contratista, utcnow())
    auditar("invitacion", f"capturista {rol.id} a {cuenta.correo}: {envio.texto}")
    db.commit()
    _avisar_envio(envio, cuenta.correo, "El usuario se guardo exitosamente", "El usuario se guardo exitosamente")
    # The confirmation says the invitation went only when it did (a failed send: "Reenviar invitación" later).
    enviada = {} if envio is enlaces.Envio.ENVIADO else {"invitacion": "pendiente"}
    return see_other(url_for("administracion.guardado", capturista_id=rol.id, **enviada))


@bp.get("/alta/<int:capturista_id>")
def guardado(capturista_id: int):
    """After Guardar: the confirmation and the person's roles with this contratista (Id, Rol asignado, Eliminar)."""
    capturista, cuenta = _capturista_propio(capturista_id)
    return render("administracion/guardado.html", capturista=capturista, cuenta=cuenta,
                  contratista=current_user.contratista, enviada=request.args.get("invitacion") != "pendiente")


def _donde_estaba() -> dict:
    """The Consulta's search and page the user acted from: posted by its table's form, or carried by the baja page's
    address (bounded as the Consulta bounds them); empty values left out."""
    fuente = request.form if request.method == "POST" else request.args
    q = (fuente.get("q") or "").strip()[:100]
    pagina = fuente.get("pagina", type=int) or 1
    return {k: v for k, v in (("q", q), ("pagina", pagina)) if v and v != 1}


def _consulta_donde_estaba() -> str:
    """After Dar de baja, Reactivar or Reenviar: the Consulta at that search and page (it went back to page 1)."""
    return url_for("administracion.consulta", **_donde_estaba())


@bp.get("/consulta")
def consulta():
    """Consulta: this contratista's capturistas, searchable, 25 a page."""
    q = (request.args.get("q") or "").strip()[:100]
    pagina = request.args.get("pagina", 1, type=int) or 1
    return render("administracion/consulta.html", "resultados", contratista=current_user.contratista,
                  donde=_donde_estaba(),
                  url_baja=UrlPorId("administracion.baja"), url_reactivar=UrlPorId("administracion.reactivar"),
                  url_reenviar=UrlPorId("administracion.reenviar"),
                  **capturistas.consulta(get_session(), current_user.contratista.id, q, pagina, POR_PAGINA))


class UrlPorId:
    """url_for(endpoint, capturista_id=…) for every row of a table: built once, then each id takes its place (a
    row's links cost a string, not a route build). A template reads it by subscript, `url_baja[c.id]`: Jinja calls a
    function through its context (a check per call, a twentieth of the Consulta's rows), an item directly."""

    MARCA = str(2**31 - 1)  # a valid id (uploads.IdConverter) that the rest of a URL here never holds

    def __init__(self, endpoint: str):
        url = url_for(endpoint, capturista_id=int(self.MARCA))
        self.antes, marca, self.despues = url.partition(self.MARCA)
        if not marca or self.MARCA in self.despues:
            raise ValueError(f"{endpoint}: {url}")

    def __getitem__(self, capturista_id: int) -> str:
        return f"{self.antes}{int(capturista_id)}{self.despues}"


@bp.route("/capturistas/<int:capturista_id>/baja", methods=["GET", "POST"])
def baja(capturista_id: int):
    """Dar de baja, after a confirmation page: the capturista can no longer sign in for this contratista, its
    sessions end and its invitation links die."""
    capturista, _cuenta = _capturista_propio(capturista_id)
    if request.method == "GET":
        return render("administracion/baja.html", capturista=capturista, donde=_donde_estaba(),
                      volver=_consulta_donde_estaba())
    if capturistas.dar_de_baja(get_session(), capturista, utcnow()):
        auditar("baja", f"capturista {capturista.id} {capturista.curp}")
        get_session().commit()
    flash(f"Se dio de baja a {capturista.nombre_completo}.", "status")
    return see_other(_consulta_donde_estaba())


@bp.post("/capturistas/<int:capturista_id>/reactivar")
def reactivar(capturista_id: int):
    """Reactivar a capturista dado de baja, or who declined the invitation: a new invitation that the person accepts
    (or activates) again."""
    db = get_session()
    capturista, cuenta = _capturista_propio(capturista_id)
    if capturistas.reactivar(db, capturista, utcnow()):
        auditar("reactivacion", f"capturista {capturista.id} {capturista.curp}")
        db.commit()
        envio = enlaces.invitar(db, capturista, cuenta, current_user.contratista, utcnow())
        auditar("invitacion", f"capturista {capturista.id} a {cuenta.correo}: {envio.texto}")
        db.commit()
        _avisar_envio(envio, cuenta.correo, f"Se reactivó a {capturista.nombre_completo}; le enviamos una "
                                            f"invitación a {cuenta.correo}.",
                      f"Se reactivó a {capturista.nombre_completo}.")
    else:  # a double click, or another tab changed the role first: say so rather than nothing
        db.rollback()
        flash(f"{capturista.nombre_completo} cambió mientras tanto; revisa su estado en la Consulta.", "error")
    return see_other(_consulta_donde_estaba())


@bp.post("/capturistas/<int:capturista_id>/reenviar")
def reenviar(capturista_id: int):
    """Reenviar invitación: a new invitation; the links of the earlier ones stop working once it went out (a resend
    whose e-mail did not go leaves the link the person holds working)."""
    db = get_session()
    capturista, cuenta = _capturista_propio(capturista_id)
    if capturista.estatus != "pendiente":
        abort(409)
    anterior = capturista.invitacion, capturista.invitado
    try:
        capturistas.renovar_invitacion(db, capturista, utcnow())
    except capturistas.RolCambiado:  # dado de baja, reactivated or given another mailbox meanwhile (another tab)
        db.rollback()
        flash(f"{capturista.nombre_completo} cambió mientras tanto; revisa su estado y, si sigue pendiente, reenvía "
              "la invitación.", "error")
        return see_other(_consulta_donde_estaba())
    db.commit()
    envio = enlaces.invitar(db, capturista, cuenta, current_user.contratista, utcnow())
    if envio is not enlaces.Envio.ENVIADO:
        capturistas.deshacer_invitacion(db, capturista, anterior)
    auditar("invitacion", f"capturista {capturista.id} a {cuenta.correo}: {envio.texto}")
    db.commit()
    _avisar_envio(envio, cuenta.correo, f"Se reenvió la invitación a {cuenta.correo}.")
    return see_other(_consulta_donde_estaba())


@bp.get("/exportar")
def exportar():
    """Exportar Excel: every capturista role of this contratista, bajas included."""
    contratista = current_user.contratista
    db = get_session()
    out = io.BytesIO()
    n = export.write_xlsx(capturistas.filas_exportacion(db, contratista), out)
    nombre = export.filename(contratista.id, utcnow())
    auditar("exportacion", f"{n} filas, {nombre}")
    db.commit()
    return xlsx(out.getvalue(), nombre)
