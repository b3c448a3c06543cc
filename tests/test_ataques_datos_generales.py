"""Attacks and misuses of Datos generales that a review reproduced (a stale page's Guardar with a refused file, a
colonia SEPOMEX spells with two spaces, PDFs that act when the IMSS staff open them), performed against the fix."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject
from sqlmodel import select

from app import address, sepomex
from app.db import get_session
from app.models import DatosGenerales, Documento

from .conftest import HTMX, html
from .test_datos_generales import entrar, pdf, post  # noqa: F401  (entrar is a fixture)

CONTACTO = {"correo": "maria@ejemplo.mx", "celular": "5512345678"}


# -- Guardar said "se guardaron" while it dropped a refused acuse -----------------------------------------------------

@pytest.mark.parametrize("nombre, datos", [
    ("nuevo.pdf", b"MZ\x90\x00 esto es un ejecutable renombrado"),  # not a PDF
    ("nuevo.pdf", b"%PDF-1.7\n" + b"x" * (6 * 1024 * 1024)),  # over 5 MB
    ("nuevo.exe", None),  # a real PDF with the wrong extension
], ids=["no-pdf", "demasiado-grande", "extension"])
def test_guardar_con_un_acuse_rechazado_no_dice_que_se_guardo(entrar, juegos, app, nombre, datos):
    """A contratista with a saved acuse posts, from a page opened before it was attached, a new file with Guardar
    (file and Guardar in one POST, without JavaScript). The file was refused, but Guardar only asked whether an
    acuse existed (the old one): 303 "se guardaron correctamente", the refusal lost, the new file dropped. Now 422,
    the reason where the summary's link lands, the kept acuse said so, and nothing saved."""
    client = entrar(juegos["fisica"])
    assert post(client, "", CONTACTO, files={"acuse": (io.BytesIO(pdf()), "viejo.pdf")}).status_code == 303
    response = post(client, "", {**CONTACTO, "correo": "otro@ejemplo.mx"},
                    files={"acuse": (io.BytesIO(datos if datos is not None else pdf()), nombre)})
    assert response.status_code == 422, (response.status_code, response.headers.get("Location"))
    doc = html(response)
    assert doc.select_one(".error-summary a[href='#acuse']") is not None
    assert doc.select_one("#acuse #acuse-error") is not None and "se conserva el acuse" in doc.select_one("#acuse").get_text()
    with app.app_context():
        assert get_session().get(DatosGenerales, 1).correo == "maria@ejemplo.mx"


# -- Colonias whose SEPOMEX name has a double space could never be located ---------------------------------------------

def test_una_colonia_con_doble_espacio_en_el_catalogo_se_puede_ubicar(entrar, juegos, app, catalogo):
    """50 asentamientos of the real catalog (09860 "Parque Nacional Cerro  de la Estrella", 16240 "Tlaxopan  2a
    Sección", 31630 "El  Sáuz"…) have two spaces in a row. The select offered the raw name, what came back was read
    with its spaces collapsed (as browsers send an option's text), and Ubicar answered "Selecciona la colonia" for
    ever, with or without JavaScript. Choosing the offered option now goes to Paso 2."""
    extra = [r for r in address.read_postalcodes_mexico() if r.cp == "09860"]
    sepomex.replace_catalog(app.extensions["engine"], list(catalogo) + extra)
    client = entrar(juegos["moral"])
    doc = html(post(client, "/domicilio/buscar", {"domicilio_igual": "no", "conoce_cp": "si", "cp": "09860"}))
    ofrecida = next(o for o in doc.select("#colonia option") if o.get_text().startswith("Parque Nacional"))
    valor = ofrecida.get("value", ofrecida.get_text())
    for headers in ({}, HTMX):
        response = post(client, "/domicilio/ubicar", {"colonia": valor}, headers)
        assert response.status_code == 200, html(response).select_one("#colonia-error")
        assert html(response).select_one("#paso-titulo").get_text(" ", strip=True).startswith("Paso 2 / 3")
        post(client, "/domicilio/cambiar?paso=1", {}, headers)


# -- PDFs that act when opened --------------------------------------------------------------------------------------

def _con(cambio) -> bytes:
    """A one-page PDF changed by `cambio(writer, page)` (pypdf writes it as a producer would)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf())))
    cambio(writer, writer.pages[0])
    salida = io.BytesIO()
    writer.write(salida)
    return salida.getvalue()


def _accion(**campos) -> DictionaryObject:
    return DictionaryObject({NameObject(f"/{k}"): (NameObject(v) if isinstance(v, str) and v.startswith("/") else
                                                   TextStringObject(v) if isinstance(v, str) else v)
                             for k, v in campos.items()})


def _anotacion(page, **campos) -> None:
    anotacion = _accion(Type="/Annot", Rect=ArrayObject([NumberObject(n) for n in (0, 0, 10, 10)]), **campos)
    page[NameObject("/Annots")] = ArrayObject([anotacion])


def _catalogo(writer, clave: str, valor) -> None:
    writer._root_object[NameObject(clave)] = valor


ACTIVOS = {
    "javascript-al-abrir": lambda w, p: _catalogo(w, "/OpenAction", _accion(S="/JavaScript", JS="app.alert(1)")),
    "javascript-del-documento": lambda w, p: _catalogo(w, "/Names", DictionaryObject({NameObject("/JavaScript"): (
        DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"), _accion(S="/JavaScript",
                                                                                           JS="this.print()")])}))})),
    "programa": lambda w, p: _catalogo(w, "/OpenAction", _accion(S="/Launch", F="cmd.exe")),
    "archivo-incrustado": lambda w, p: w.add_attachment("evil.exe", b"MZ"),
    "enlace-que-lanza": lambda w, p: _anotacion(p, Subtype="/Link", A=_accion(S="/Launch", F="calc.exe")),
    "escondida-en-next": lambda w, p: _anotacion(p, Subtype="/Link", A=_accion(
        S="/URI", URI="https://ejemplo.mx", Next=ArrayObject([_accion(S="/URI", URI="https://x.mx",
                                                                      Next=_accion(S="/SubmitForm", F="https://x"))]))),
    "al-ver-la-pagina": lambda w, p: p.__setitem__(NameObject("/AA"), _accion(O=_accion(S="/JavaScript", JS="1"))),
    "adjunto-en-anotacion": lambda w, p: _anotacion(p, Subtype="/FileAttachment"),
}


@pytest.mark.parametrize("clase", list(ACTIVOS))
def test_a_pdf_that_acts_when_opened_is_refused(entrar, juegos, app, clase):
    """A PDF that runs JavaScript (on opening, from the document's names, from a page), launches a program, submits
    data (at the end of a chain of harmless links), or carries an embedded file was stored as the STPS acuse and
    handed to whoever reviews it in Acrobat. Refused now, with the reason next to the field, nothing stored."""
    client = entrar(juegos["fisica"])
    datos = _con(ACTIVOS[clase])
    response = post(client, "/acuse", CONTACTO, HTMX, files={"acuse": (io.BytesIO(datos), "acuse.pdf")})
    with app.app_context():
        guardados = get_session().exec(select(Documento)).all()
    assert response.status_code == 422 and not guardados, (response.status_code, [d.nombre for d in guardados])
    assert "JavaScript, archivos incrustados o acciones" in html(response).select_one("#acuse-error").get_text()


def test_a_name_spelled_with_hex_escapes_is_read_as_the_viewer_reads_it(entrar, juegos, app):
    """/J#61vaScript is /JavaScript to a viewer: the check reads the structure as pypdf parses it, not the bytes."""
    datos = _con(ACTIVOS["javascript-al-abrir"]).replace(b"/JavaScript", b"/J#61vaScript")
    assert b"/JavaScript" not in datos
    client = entrar(juegos["fisica"])
    response = post(client, "/acuse", CONTACTO, HTMX, files={"acuse": (io.BytesIO(datos), "acuse.pdf")})
    assert response.status_code == 422
    assert "JavaScript, archivos incrustados o acciones" in html(response).select_one("#acuse-error").get_text()


def test_links_and_an_opening_view_are_not_active_content(entrar, juegos, app):
    """What real acuses have: a link to a web page and an /OpenAction that is a destination (a page and a zoom)."""
    def enlace(writer, page):
        _anotacion(page, Subtype="/Link", A=_accion(S="/URI", URI="https://repse.stps.gob.mx"))
        _catalogo(writer, "/OpenAction", ArrayObject([page.indirect_reference, NameObject("/Fit")]))

    client = entrar(juegos["fisica"])
    response = post(client, "/acuse", CONTACTO, HTMX, files={"acuse": (io.BytesIO(_con(enlace)), "acuse.pdf")})
    assert response.status_code == 200 and "acuse.pdf" in html(response).select_one("#acuse-archivo").get_text()
