"""*Firmar y presentar*: the contratista signs, with its own e.firma, the informativa its capturistas sent to be
signed, and it is presented (a folio, the time, the deadline's verdict).

What is presented is what the page showed: the page carries the fingerprint of the informativa's content
(cadena.huella_contenido), and a POST whose fingerprint is not that of the content the key signed (someone sent it
back to capture, changed it and sent it again since the page was opened) presents nothing, its signature is
dropped, and the page shows the new content (409).

The e.firma is checked exactly as at ingress (efirma_web.verificar: fiel.verify's checks and messages, the same
throttling keys), for the signed-in contratista's RFC: another company's e.firma, a legal representative's or a
CSD is refused with ingress's message. Only once every check has passed does the key sign the cadena original
(app.cadena) of what is stored; informativas.presentar then stores it, in one transaction, provided the stored data
still give that very cadena. The key and its password live in this request only. A capturista never signs (403).
"""
from __future__ import annotations

from flask import abort, current_app, flash, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField

from .. import cadena, efirma_web, hora, informativas, plazos
from ..auth import auditar
from ..db import get_session
from ..fiel import Firma, sello
from ..htmx import render, see_other
from ..models import utcnow
from ..uploads import limit_body
from .routes import bp, conflicto, contexto_informativa, propia

TEMPLATE = "informativa/firmar.html"
MSG_CAMBIO = ("La informativa cambió desde que abriste esta página (alguien la regresó a captura o la modificó), así "
              "que no se presentó. Revisa lo que vas a firmar y vuelve a firmarla.")


class FirmarForm(FlaskForm):
    cer = efirma_web.campo_cer()
    key = efirma_web.campo_key()
    password = efirma_web.campo_contrasena()
    revisado = HiddenField()  # the fingerprint of the content the page showed (cadena.huella_contenido)


def _del_contratista() -> None:
    """Only the contratista signs its informativas: its capturistas prepare them."""
    if not current_user.es_contratista:
        abort(403)


def _pagina(informativa, form: FirmarForm, retry: int | None = None, status: int | None = None):
    """The page with what it will sign now; when the POST it answers had seen other content (the e.firma refused,
    and meanwhile someone changed the informativa), it says so beside the e.firma's message."""
    contexto = contexto_informativa(informativa)
    total = sum(contexto["conteos"].values())
    visto = form.revisado.data
    form.revisado.data = informativas.huella_contenido(get_session(), informativa)  # what this page shows
    if status is None and request.method == "POST" and visto != form.revisado.data:
        form.form_errors.append(MSG_CAMBIO)
    corregida_tarde = informativas.corregida_tarde(get_session(), informativa)
    contexto.update(corregida_tarde=corregida_tarde, sera_tarde=plazos.fuera_de_plazo(
        informativa.tipo, contexto["periodo"], contexto["hoy"], corregida_tarde))
    if status is not None:
        form.form_errors.append(MSG_CAMBIO)
        return render(TEMPLATE, None, status, form=form, total_trabajadores=total, **contexto)
    return efirma_web.form_response(TEMPLATE, None, form, retry, total_trabajadores=total, **contexto)


@bp.route("/<int:informativa_id>/firmar", methods=["GET", "POST"])
@limit_body(efirma_web.MAX_EFIRMA_REQUEST)
def firmar(informativa_id: int):
    """GET: the summary of what will be signed, and the e.firma form. POST, Firmar y presentar: check the e.firma,
    sign the cadena original, present (409 when the informativa is no longer por firmar, or changed while it was
    being signed). One view for both, as every page with a form here (two rules on one URL answer 405 instead of
    404 to an id no column holds)."""
    informativa = propia(informativa_id)
    _del_contratista()
    if request.method == "GET":
        if informativa.estatus != "por_firmar":
            return see_other(url_for("informativa.ver", informativa_id=informativa.id))
        return _pagina(informativa, FirmarForm())
    if informativa.estatus != "por_firmar":
        conflicto(informativa)  # a second click of Firmar y presentar: says it was presented, with its folio
    form = FirmarForm()
    if not form.validate_on_submit():
        return _pagina(informativa, form)
    db, contratista = get_session(), current_user.contratista
    # The content is read once, for the key to sign (then presentar compares it with the stored rows, under lock):
    # for 30,000 workers a reading takes about a second, so there is no separate check before the e.firma's.
    firmado: dict[str, str] = {}

    def cadena_de(firma: Firma) -> bytes:
        datos = informativas.datos_cadena(db, informativa, firma.rfc, firma.nombre)
        firmado["cadena"], firmado["huella"] = cadena.cadena_original(datos), cadena.huella_contenido(datos)
        return firmado["cadena"].encode("utf-8")

    periodo = f"{informativa.ejercicio}-{informativa.cuatrimestre}"
    firma, retry = efirma_web.verificar(form, contratista.rfc, sellar=cadena_de, rechazo="firma_rechazada",
                                        referencia=f"informativa {informativa.id} ({periodo})",
                                        contratista_id=contratista.id)
    if firma is None:
        return _pagina(informativa, form, retry)
    if firmado.get("huella") != form.revisado.data:
        return _pagina(informativa, FirmarForm(formdata=None), status=409)  # not what the page showed
    firmada = informativas.Firmada(cadena=firmado["cadena"], sello=sello.a_texto(firma.sello),
                                   certificado=firma.certificado, serial=firma.serial, rfc=firma.rfc,
                                   nombre=firma.nombre)
    folio = informativas.presentar(db, informativa, firmada, utcnow(), lambda folio: auditar(
        "presentacion", f"folio {folio}, informativa {informativa.id} ({periodo}), certificado {firma.serial}"))
    if folio is None:
        # Its rollback expired the informativa: read it again (a complementaria discarded meanwhile is gone; a
        # double click's other request presented it, or it went back to capture: conflicto says which).
        actual = informativas.propia(db, contratista.id, informativa_id)
        if actual is None or actual.estatus != "por_firmar":
            conflicto(informativa)
        return _pagina(actual, FirmarForm(formdata=None), status=409)
    current_app.logger.info("informativa %s presentada con folio %s por %s", informativa.id, folio,
                            current_user.actor)
    aviso = f"Se presentó la informativa con el folio {folio} el {hora.fecha_hora(informativa.presentada)}."
    if informativa.fuera_de_plazo:
        aviso += " Quedó marcada como presentada fuera de plazo."
    flash(aviso, "status")
    return see_other(url_for("informativa.ver", informativa_id=informativa.id))

