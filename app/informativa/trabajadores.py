"""The workers of a contract: the list (50 a page, searched by NSS, CURP or name), one by one (add, edit, remove),
and *Carga masiva* (a CSV or .xlsx as IMSS's template, or a ZIP of payroll CFDIs): *Cargar* reads and checks the
file and shows a preview, kept in the database; *Agregar trabajadores* adds its valid rows; the error rows can be
downloaded as .xlsx. Receipts whose SubContratacion names another contratante go to that contratante's contract
in this informativa.
"""
from __future__ import annotations

import io
from decimal import Decimal
from typing import NamedTuple

from flask import abort, current_app, flash, request, url_for
from flask_login import current_user
from sqlmodel import delete, select

from .. import carga_masiva, hora, informativas, plantilla, registro_curp
from .. import trabajadores as reglas
from ..db import get_session
from ..auth import conserva_al_expirar
from ..formularios import conservar, mensaje_recuperado, rechazar, recuperar, solo_lectura
from ..htmx import render, see_other, wants_fragment, xlsx
from ..models import CargaTrabajadores, Contrato, Informativa, Trabajador
from ..rechazo import Rechazo
from ..uploads import limit_body, upload_size
from .forms import CargaForm, TrabajadorForm
from .routes import bloquear, bp, clave_repeticion, contexto_base, en_captura, periodo, propia, repeticion

POR_PAGINA = 50
# A preview that is no longer there for its own contract (routes' module docstring: a second submission).
CARGA_YA_NO = ("Ese archivo ya no está por agregar: sus trabajadores ya se agregaron o se cargó otro archivo en su "
               "lugar. Revisa la lista de trabajadores.")
# A ZIP of payroll CFDIs may weigh 50 MB (carga_masiva's limit); the request a little more.
MAX_CARGA = 52 * 1024 * 1024


def _contrato(informativa_id: int, contrato_id: int) -> tuple[Informativa, Contrato]:
    informativa = propia(informativa_id)
    contrato = informativas.contrato_propio(get_session(), informativa, contrato_id)
    if contrato is None:
        abort(404)
    return informativa, contrato


def _bloquear(informativa: Informativa, contrato: Contrato) -> None:
    """Begin a change of the contract's workers (routes.bloquear), then make sure the contract is still there."""
    bloquear(informativa)
    if informativas.contrato_propio(get_session(), informativa, contrato.id, fresco=True) is None:
        get_session().rollback()
        abort(404)  # deleted by another request meanwhile


CAMPOS_TRABAJADOR = ("nss", "curp", "sbc", "nombre")


def _recuperar(form: TrabajadorForm, pagina: str) -> None:
    """What this user typed on the page after a session ended (formularios.conservar), back in its form."""
    cuando = recuperar(form, current_user, pagina)
    if cuando is not None:
        flash(mensaje_recuperado(cuando), "status")


def _pagina_propia(usuario, con_trabajador: bool = False) -> str | None:
    """formularios.conservar's key of the posted page (its contract's workers, or one worker), when the page is the
    user's to change: her contratista's informativa, in capture, the contract (and worker) in it."""
    args = request.view_args or {}
    db = get_session()
    informativa = informativas.propia(db, usuario.contratista.id, int(args.get("informativa_id", 0)))
    if informativa is None or informativa.estatus != "en_captura":
        return None
    contrato = informativas.contrato_propio(db, informativa, int(args.get("contrato_id", 0)))
    if contrato is None:
        return None
    if not con_trabajador:
        return f"trabajadores:{contrato.id}"
    trabajador = plantilla.trabajador_propio(db, contrato, int(args.get("trabajador_id", 0)))
    return f"trabajador:{trabajador.id}" if trabajador is not None else None


def _pagina(informativa: Informativa, contrato: Contrato, form: TrabajadorForm | None = None,
            carga_form: CargaForm | None = None, status: int | None = None):
    if form is None:
        form = TrabajadorForm(formdata=None)
        if informativa.estatus == "en_captura" and not wants_fragment():
            _recuperar(form, f"trabajadores:{contrato.id}")
    q = (request.args.get("q") or "").strip()[:100]
    pagina = request.args.get("pagina", 1, type=int) or 1
    lista = plantilla.trabajadores(get_session(), contrato, q, pagina, POR_PAGINA)
    pendiente = informativas.cargas_pendientes(get_session(), informativa).get(contrato.id) \
        if informativa.estatus == "en_captura" and not wants_fragment() else None
    return render("informativa/trabajadores.html", "resultados", status, contrato=contrato,
                  form=form, carga_form=carga_form or CargaForm(formdata=None), pendiente=pendiente,
                  **lista, **contexto_base(informativa))


@bp.route("/<int:informativa_id>/contratos/<int:contrato_id>/trabajadores", methods=["GET", "POST"])
@conserva_al_expirar(conservar(_pagina_propia, CAMPOS_TRABAJADOR))
def trabajadores(informativa_id: int, contrato_id: int):
    """The contract's workers, 50 a page, with the forms to add one and to load a file; POST: Agregar trabajador.
    (One rule for both methods, so an id past any column is a 404 for each.)"""
    if request.method == "POST":
        return _agregar_trabajador(informativa_id, contrato_id)
    return _pagina(*_contrato(informativa_id, contrato_id))


def _nombre(curp: str) -> str:
    """The worker's name from the CURP directory or service, when it answers."""
    try:
        encontrado = registro_curp.buscar(get_session(), curp, current_app.config.get("CURP_SERVICE_URL"))
    except registro_curp.RegistroNoDisponible:
        return ""
    if encontrado is None:
        return ""
    return " ".join(p for p in (encontrado.nombres, encontrado.primer_apellido, encontrado.segundo_apellido) if p)


def _validar(form: TrabajadorForm, informativa: Informativa) -> plantilla.FilaNueva | None:
    try:
        trabajador, avisos = reglas.validar_trabajador(form.nss.data, form.curp.data, form.sbc.data,
                                                       fecha_referencia=periodo(informativa).fin, hoy=hora.hoy(),
                                                       nombre=form.nombre.data or None)
    except (ExceptionGroup, Rechazo) as error:
        rechazar(form, error)
        return None
    for aviso in avisos:
        flash(aviso, "status")
    nombre = trabajador.nombre or _nombre(trabajador.curp)
    return plantilla.FilaNueva(trabajador.nss, trabajador.curp, trabajador.sbc, nombre, "captura")


def _agregar_trabajador(informativa_id: int, contrato_id: int):
    """Agregar one worker (NSS, CURP, SBC; the name from the CURP directory when it knows it, else typed)."""
    informativa, contrato = _contrato(informativa_id, contrato_id)
    en_captura(informativa)
    form = TrabajadorForm()
    if form.validate_on_submit():
        fila = _validar(form, informativa)
        if fila is not None:
            _bloquear(informativa, contrato)
            try:
                plantilla.guardar_trabajador(get_session(), contrato, fila)
            except Rechazo as e:
                if e.campo == "nss" and _ya_agregado(contrato, fila):
                    flash(f"El trabajador con NSS {fila.nss} ya se había agregado.", "status")
                    return see_other(url_for("informativa.trabajadores", informativa_id=informativa.id,
                                             contrato_id=contrato.id))
                rechazar(form, e)
            else:
                flash(f"Se agregó el trabajador con NSS {fila.nss}.", "status")
                return see_other(url_for("informativa.trabajadores", informativa_id=informativa.id,
                                         contrato_id=contrato.id))
    return _pagina(informativa, contrato, form=form)


def _ya_agregado(contrato: Contrato, fila: plantilla.FilaNueva) -> bool:
    """Whether the contract's worker with the NSS of a refused Agregar trabajador is what a second submission of the
    same form finds (a double click, a retry on a slow line): added since the form was served (its
    clave_repeticion), with the CURP and salary posted. Anything else is "ya está en este contrato"."""
    clave = repeticion("trabajador", contrato.id)
    if clave is None:
        return False
    trabajador = get_session().exec(select(Trabajador).where(Trabajador.contrato_id == contrato.id,
                                                             Trabajador.nss == fila.nss)).first()
    return trabajador is not None and trabajador.curp == fila.curp and trabajador.sbc == fila.sbc and \
        trabajador.creado >= clave.emitida


@bp.route("/<int:informativa_id>/contratos/<int:contrato_id>/trabajadores/<int:trabajador_id>",
          methods=["GET", "POST"])
@conserva_al_expirar(conservar(lambda usuario: _pagina_propia(usuario, con_trabajador=True), CAMPOS_TRABAJADOR))
def editar_trabajador(informativa_id: int, contrato_id: int, trabajador_id: int):
    """A worker's data, changed."""
    informativa, contrato = _contrato(informativa_id, contrato_id)
    trabajador = plantilla.trabajador_propio(get_session(), contrato, trabajador_id)
    if trabajador is None:
        abort(404)
    form = TrabajadorForm()
    if not form.is_submitted():
        form = TrabajadorForm(formdata=None, data={"nss": trabajador.nss, "curp": trabajador.curp,
                                                   "sbc": f"{trabajador.sbc:.2f}", "nombre": trabajador.nombre})
        if informativa.estatus == "en_captura":
            _recuperar(form, f"trabajador:{trabajador.id}")
    elif form.validate_on_submit():
        en_captura(informativa)
        fila = _validar(form, informativa)
        if fila is not None:
            _bloquear(informativa, contrato)
            trabajador = plantilla.trabajador_propio(get_session(), contrato, trabajador_id, fresco=True)
            if trabajador is None:
                abort(404)  # removed by another request meanwhile
            try:
                plantilla.guardar_trabajador(get_session(), contrato, fila, trabajador)
            except Rechazo as e:
                rechazar(form, e)
            else:
                flash(f"Se guardó el trabajador con NSS {fila.nss}.", "status")
                return see_other(url_for("informativa.trabajadores", informativa_id=informativa.id,
                                         contrato_id=contrato.id))
    if informativa.estatus != "en_captura":
        solo_lectura(form)
    return render("informativa/trabajador.html", form=form, trabajador=trabajador, contrato=contrato,
                  **contexto_base(informativa))


@bp.post("/<int:informativa_id>/contratos/<int:contrato_id>/trabajadores/<int:trabajador_id>/eliminar")
def eliminar_trabajador(informativa_id: int, contrato_id: int, trabajador_id: int):
    """Quitar a worker; a second click (the first removed it) lands on the list too."""
    informativa, contrato = _contrato(informativa_id, contrato_id)
    db = get_session()
    if plantilla.trabajador_propio(db, contrato, trabajador_id) is None:
        return _ya_quitado(informativa_id, contrato_id, trabajador_id)
    _bloquear(informativa, contrato)
    trabajador = plantilla.trabajador_propio(db, contrato, trabajador_id, fresco=True)
    if trabajador is None:  # removed by another request meanwhile
        db.rollback()
        return _ya_quitado(informativa_id, contrato_id, trabajador_id)
    nss = trabajador.nss
    db.delete(trabajador)
    db.commit()
    flash(f"Se quitó el trabajador con NSS {nss}.", "status")
    return see_other(url_for("informativa.trabajadores", informativa_id=informativa.id, contrato_id=contrato.id))


def _ya_quitado(informativa_id: int, contrato_id: int, trabajador_id: int):
    """Quitar of a worker no longer in the contract: the list and what happened when the form's clave_repeticion
    names this worker of this contract (it was this contratista's: a second click, another tab); else 404, as for
    an id that was never the contratista's."""
    clave = repeticion("quitar", contrato_id, trabajador_id)
    if clave is None:
        abort(404)
    flash(f"El trabajador con NSS {clave.dato} ya se había quitado.", "status")
    return see_other(url_for("informativa.trabajadores", informativa_id=informativa_id, contrato_id=contrato_id))


# -- Carga masiva --------------------------------------------------------------------------------------------------


@bp.post("/<int:informativa_id>/contratos/<int:contrato_id>/carga")
@limit_body(MAX_CARGA, form_parts=10, archivo=carga_masiva.MAX_ZIP)
def cargar(informativa_id: int, contrato_id: int):
    """Cargar: read and check the file; nothing is stored but the preview."""
    informativa, contrato = _contrato(informativa_id, contrato_id)
    en_captura(informativa)
    form = CargaForm()
    archivo = request.files.get("archivo")
    if form.validate_on_submit():
        if archivo is None or not archivo.filename:
            form.archivo.errors = ["Selecciona el archivo de trabajadores (.csv, .xlsx o .zip)."]
        elif upload_size(archivo) > carga_masiva.MAX_ZIP:
            form.archivo.errors = ["El archivo pesa más de 50 MB."]
        else:
            archivo.stream.seek(0)
            try:
                vista = carga_masiva.leer_trabajadores(archivo.filename, archivo.stream,
                                                       rfc_contratista=current_user.contratista.rfc,
                                                       periodo=periodo(informativa), hoy=hora.hoy())
            except Rechazo as e:
                form.archivo.errors = [e.mensaje]
            else:
                db = get_session()
                _bloquear(informativa, contrato)  # after reading the file: nothing is held while it is parsed
                db.exec(delete(CargaTrabajadores).where(CargaTrabajadores.contrato_id == contrato.id))
                carga = CargaTrabajadores(contrato_id=contrato.id, contratista_id=informativa.contratista_id,
                                          archivo=carga_masiva.nombre_archivo(archivo.filename)[:255],
                                          formato=vista.formato,
                                          vista=carga_masiva.a_dict(vista))
                db.add(carga)
                db.commit()
                return see_other(url_for("informativa.vista_carga", informativa_id=informativa.id,
                                         contrato_id=contrato.id, carga_id=carga.id,
                                         repeticion=clave_repeticion("carga", contrato.id, carga.id)))
    return _pagina(informativa, contrato, carga_form=form)


def _carga_del_contrato(informativa: Informativa, contrato: Contrato, carga_id: int, *,
                        fresca: bool = False) -> CargaTrabajadores | None:
    """The contract's preview `carga_id`, or None (another contract's, another contratista's, or gone)."""
    carga = get_session().get(CargaTrabajadores, carga_id, populate_existing=fresca)
    if carga is None or carga.contrato_id != contrato.id or carga.contratista_id != informativa.contratista_id:
        return None
    return carga


def _carga(informativa_id: int, contrato_id: int, carga_id: int):
    informativa, contrato = _contrato(informativa_id, contrato_id)
    carga = _carga_del_contrato(informativa, contrato, carga_id)
    if carga is None:
        abort(404)
    return informativa, contrato, carga


@bp.get("/<int:informativa_id>/contratos/<int:contrato_id>/carga/<int:carga_id>")
def vista_carga(informativa_id: int, contrato_id: int, carga_id: int):
    """The preview: "Filas válidas: N", "Filas con error: M", every error row, the receipts skipped. Once its
    workers were added (Back after Agregar trabajadores) or another file took its place: the contract's workers,
    when the URL's clave_repeticion names this preview (cargar gave it); else 404."""
    informativa, contrato = _contrato(informativa_id, contrato_id)
    carga = _carga_del_contrato(informativa, contrato, carga_id)
    if carga is None:
        if repeticion("carga", contrato.id, carga_id) is None:
            abort(404)
        flash(CARGA_YA_NO, "status")
        return see_other(url_for("informativa.trabajadores", informativa_id=informativa.id, contrato_id=contrato.id))
    vista = carga.vista
    pagina = request.args.get("pagina", 1, type=int) or 1
    errores = vista.get("errores", [])
    paginas = max(1, -(-len(errores) // POR_PAGINA))
    pagina = min(max(1, pagina), paginas)
    return render("informativa/carga.html", "errores", contrato=contrato, carga=carga, vista=vista,
                  errores=errores[(pagina - 1) * POR_PAGINA: pagina * POR_PAGINA], pagina=pagina, paginas=paginas,
                  destinos=_destinos(informativa, contrato, vista), **contexto_base(informativa))


class Destino(NamedTuple):
    """Where a SubContratacion RFC's workers go: `contrato`, or nowhere, with `varios` when the informativa has
    several contracts with that contratante and none of them is the one the file was loaded on."""

    contrato: Contrato | None
    varios: bool = False


def _destinos(informativa: Informativa, contrato: Contrato, vista: dict) -> dict[str, Destino]:
    """For each SubContratacion RFC among the valid rows, the contract its workers go to: the one the file was
    loaded on when its contratante has that RFC (a contratante may have several contracts in one informativa, and
    the user chose this one), else this informativa's only contract with that contratante."""
    rfcs = {fila.get("destino_rfc") for fila in vista.get("validas", []) if fila.get("destino_rfc")}
    if not rfcs:
        return {}
    propios = informativas.contratos(get_session(), informativa)
    destinos = {}
    for rfc in rfcs:
        if contrato.rfc_contratante == rfc:
            destinos[rfc] = Destino(contrato)
            continue
        candidatos = [c for c in propios if c.rfc_contratante == rfc]
        destinos[rfc] = Destino(candidatos[0] if len(candidatos) == 1 else None, len(candidatos) > 1)
    return destinos


@bp.post("/<int:informativa_id>/contratos/<int:contrato_id>/carga/<int:carga_id>/agregar")
def agregar_carga(informativa_id: int, contrato_id: int, carga_id: int):
    """Agregar trabajadores: the preview's valid rows, each to its contract; an NSS a contract already has is not
    added twice. The preview is gone afterwards."""
    informativa, contrato = _contrato(informativa_id, contrato_id)
    _bloquear(informativa, contrato)
    carga = _carga_del_contrato(informativa, contrato, carga_id, fresca=True)  # still there?
    if carga is None:
        # A second click of Agregar trabajadores (the first added them and removed the preview), or another file
        # loaded meanwhile: the contract's workers are where to look, not a 404.
        get_session().rollback()
        flash(CARGA_YA_NO, "status")
        return see_other(url_for("informativa.trabajadores", informativa_id=informativa.id, contrato_id=contrato.id))
    db = get_session()
    destinos = _destinos(informativa, contrato, carga.vista)
    por_contrato: dict[int, list[plantilla.FilaNueva]] = {}
    sin_contrato = con_varios = 0
    for fila in carga.vista.get("validas", []):
        rfc = fila.get("destino_rfc")
        destino = destinos.get(rfc, Destino(None)) if rfc else Destino(contrato)
        if destino.contrato is None:
            con_varios += destino.varios
            sin_contrato += not destino.varios
            continue
        por_contrato.setdefault(destino.contrato.id, []).append(plantilla.FilaNueva(
            fila["nss"], fila["curp"], Decimal(fila["sbc"]), fila.get("nombre") or "", carga.formato))
    agregados = sum(plantilla.agregar_trabajadores(db, cid, filas) for cid, filas in por_contrato.items())
    total = sum(len(f) for f in por_contrato.values())
    db.delete(carga)
    db.commit()
    partes = [f"Se agregaron {agregados} trabajador{'es' if agregados != 1 else ''}."]
    if total - agregados:
        partes.append(f"{total - agregados} ya estaban en su contrato.")
    if sin_contrato:
        partes.append(f"{sin_contrato} no se agregaron: su contratante (SubContratacion) no tiene contrato en esta "
                      "informativa.")
    if con_varios:
        partes.append(f"{con_varios} no se agregaron: su contratante tiene varios contratos en esta informativa; "
                      "carga el archivo desde el contrato al que corresponden.")
    flash(" ".join(partes), "status")
    return see_other(url_for("informativa.trabajadores", informativa_id=informativa.id, contrato_id=contrato.id))


@bp.get("/<int:informativa_id>/contratos/<int:contrato_id>/carga/<int:carga_id>/errores.xlsx")
def errores_carga(informativa_id: int, contrato_id: int, carga_id: int):
    """The error rows of a preview, as .xlsx."""
    _informativa, contrato, carga = _carga(informativa_id, contrato_id, carga_id)
    salida = io.BytesIO()
    carga_masiva.escribir_errores(carga_masiva.de_dict(carga.vista), salida)
    return xlsx(salida.getvalue(), f"errores_contrato_{contrato.id}.xlsx")
