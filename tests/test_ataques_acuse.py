"""Red team: the acuse de presentación, its public verification and `icsoe acuse verificar`, the reminders and the
Listado, attacked. Each test performs an attack and asserts what the project's rules require."""
from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal

import pytest
from pypdf import PdfReader, PdfWriter
from sqlmodel import select

from app import acuse_presentacion as ap
from app import fiel, informativas
from app.db import get_session
from app.fiel import sello as sellos
from app.models import Informativa, Trabajador

from .conftest import NOW, html
from .test_acuses import (_archivo, _datos, app, descargar, icsoe_en, presentada,  # noqa: F401  (fixtures)
                          sello_de, verificar)
from .test_informativa import _trabajador, a, lista  # noqa: F401  (fixtures)


def _subir_sbc(db):
    trabajador = db.exec(select(Trabajador)).first()
    trabajador.sbc = Decimal("999.99")
    db.add(trabajador)


def _resellar(app, iid, juego, emisora, cambio=_subir_sbc) -> str:
    """A DB-level attacker: change the stored rows, rebuild the cadena from them and sign it with `juego` (an
    e.firma that is not the contratista's, issued by `emisora`), storing cadena, sello and certificate. Returns
    the new sello."""
    with app.app_context():
        db = get_session()
        cambio(db)
        db.commit()
        informativa = db.get(Informativa, iid)
        texto = informativas.cadena_reconstruida(db, informativa)
        firma = fiel.verify(juego.rfc, juego.cer, juego.key, juego.password, trust=[emisora.cert_der], now=NOW,
                            sellar=texto.encode("utf-8"))
        informativa.cadena, informativa.sello, informativa.certificado = texto, sellos.a_texto(firma.sello), juego.cer
        db.add(informativa)
        db.commit()
        return informativa.sello


# -- Tampered database rows: the stored certificate is not bound to the signer ------------------------------------

@pytest.mark.parametrize("cual", ["otra", "ajena"])
def test_ataque_db_resellada_con_otra_efirma_no_es_autentica(presentada, app, juegos, ca, otra_ca, cual):
    """A worker's SBC changed, the cadena rebuilt and re-signed with the e.firma of ANOTHER company (issued by the
    trusted CA) or with a certificate for the right RFC that no trusted CA issued, the certificate column replaced:
    the public page must not call it authentic (the row's rfc_firmante is still the contratista's)."""
    _a, iid, folio = presentada
    sello = _resellar(app, iid, juegos[cual], ca if cual == "otra" else otra_ca)
    response = verificar(app.test_client(), folio, sello[:8])
    assert "es auténtico" not in response.get_data(as_text=True)
    assert "NO es válido" in response.get_data(as_text=True)


def test_ataque_db_resellada_pasa_por_autentica_en_la_cli(presentada, app, juegos, ca, icsoe_en, tmp_path):
    _a, iid, _folio = presentada
    _resellar(app, iid, juegos["otra"], ca)
    codigo, salida = icsoe_en("acuse", "verificar", _archivo(tmp_path, ap.generar(_datos(app, iid))))
    assert codigo == 1, salida


# -- Forged PDFs handed to the CLI: the visible text or the embedded facts changed, the signature genuine --------

FALSIFICACIONES = {
    # The banner that says it was filed late, removed (and the JSON says so too).
    "en_plazo": lambda d: replace(d, fuera_de_plazo=False),
    # Filed, it claims, before the deadline.
    "fecha": lambda d: replace(d, presentada=d.presentada.replace(month=9, day=1)),
    # Another company's name on an acuse whose RFC, folio and counts are genuine.
    "nombre": lambda d: replace(d, nombre="OTRA EMPRESA SA DE CV"),
    # Another period in the visible text and the JSON (the cadena inside still says 2026-2).
    "periodo": lambda d: replace(d, ejercicio=2025, cuatrimestre=3),
    # The contracts table lists another contratante, same counts.
    "contratante": lambda d: replace(d, contratos=tuple(c._replace(rfc_contratante="XAXX010101000",
                                                                   nombre_contratante="GOBIERNO FALSO")
                                                        for c in d.contratos)),
    # Another serial printed.
    "serie": lambda d: replace(d, cert_serial="30001000000500009999"),
    # A QR code and link to somewhere else.
    "url": lambda d: replace(d, url_verificacion="https://icsoe-verifica.example.com/acuses/verificar"),
}


@pytest.mark.parametrize("cambio", sorted(FALSIFICACIONES))
def test_ataque_pdf_con_texto_o_hechos_falsos_y_firma_genuina(presentada, app, icsoe_en, tmp_path, cambio):
    _a, iid, _folio = presentada
    datos = _datos(app, iid)
    falso = FALSIFICACIONES[cambio](datos)
    assert falso != datos
    codigo, salida = icsoe_en("acuse", "verificar", _archivo(tmp_path, ap.generar(falso)))
    assert codigo == 1, salida
    assert "FALLA" in salida


# -- Forged PDFs whose embedded facts and text are the genuine acuse's, what they show changed ------------------------
# (a red-team review: the CLI compared only the JSON and pypdf's text, and called each of these "auténtico")

PHISHING = "https://icsoe-verifica.example.com/acuses/verificar?folio=X&sello=Y"
NO_IDENTICO = ("[FALLA] El archivo no es idéntico al acuse que el portal emite para este folio (pudo editarse: lo "
               "que se ve, sus páginas, enlaces o el código QR)")


def _qr_de(pdf: bytes) -> list[str]:
    pypdfium2 = pytest.importorskip("pypdfium2")
    zxingcpp = pytest.importorskip("zxingcpp")
    imagen = pypdfium2.PdfDocument(pdf)[0].render(scale=3).to_pil()
    return [c.text for c in zxingcpp.read_barcodes(imagen)]


def _posicion(pdf: bytes, buscado: str) -> tuple[float, float]:
    """Where `buscado` is drawn on page 1 (x, y of its text matrix)."""
    hallado = []

    def visitor(texto, cm, tm, font, size):
        if buscado in texto:
            hallado.append((cm[0] * tm[4] + cm[2] * tm[5] + cm[4], cm[1] * tm[4] + cm[3] * tm[5] + cm[5]))
    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visitor)
    assert hallado, buscado
    return hallado[0]


def _tapar(pdf: bytes, x: float, y: float, ancho: float, alto: float) -> bytes:
    """Draw a white filled rectangle (no text) over page 1 and save the whole document (attachments kept)."""
    from reportlab.pdfgen import canvas as rl_canvas

    capa = io.BytesIO()
    c = rl_canvas.Canvas(capa, pagesize=(612, 792))
    c.setFillColorRGB(1, 1, 1)
    c.setStrokeColorRGB(1, 1, 1)
    c.rect(x, y, ancho, alto, fill=1, stroke=0)
    c.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.pages[0].merge_page(PdfReader(capa).pages[0])
    salida = io.BytesIO()
    writer.write(salida)
    return salida.getvalue()


def _con_pagina(pdf: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_blank_page(612, 792)
    salida = io.BytesIO()
    writer.write(salida)
    return salida.getvalue()


def _no_es_autentico(icsoe_en, tmp_path, pdf: bytes) -> str:
    codigo, salida = icsoe_en("acuse", "verificar", _archivo(tmp_path, pdf))
    assert codigo == 1, salida
    assert NO_IDENTICO in salida and "Veredicto: el acuse NO es auténtico" in salida
    return salida


def test_ataque_pdf_con_qr_a_otro_sitio(presentada, app, icsoe_en, tmp_path, monkeypatch):
    """Same facts, same text, same printed link: only the QR code (drawn as rectangles, no text) encodes another
    address. "El código QR lleva a la verificación de este acuse" is read from the JSON, not from the code: the
    bytes are what tell."""
    a, iid, folio = presentada
    genuino = descargar(a, folio).data
    url = ap.leer(genuino).datos["url_verificacion"]
    original = ap._qr
    monkeypatch.setattr(ap, "_qr", lambda _url, lado: original(PHISHING, lado))
    falso = ap.generar(replace(_datos(app, iid), url_verificacion=url))
    monkeypatch.setattr(ap, "_qr", original)
    assert _qr_de(falso) == [PHISHING] and _qr_de(genuino) == [url]
    assert ap.leer(falso).datos == ap.leer(genuino).datos
    _no_es_autentico(icsoe_en, tmp_path, falso)


def test_ataque_pdf_con_fuera_de_plazo_tapado(presentada, app, icsoe_en, tmp_path):
    """A white box drawn over "Presentada fuera de plazo": the page no longer shows it, its text layer still does."""
    a, _iid, folio = presentada
    genuino = descargar(a, folio).data
    x, y = _posicion(genuino, "Presentada fuera de plazo")
    falso = _tapar(genuino, x - 10, y - 9, 520, 30)
    assert ap.leer(falso).datos == ap.leer(genuino).datos and ap.leer(falso).texto == ap.leer(genuino).texto
    pypdfium2 = pytest.importorskip("pypdfium2")
    alto = 792
    caja = (int(x), int(alto - y - 12), int(x + 200), int(alto - y + 2))  # the banner's words, in pixels at scale 1
    antes = pypdfium2.PdfDocument(genuino)[0].render(scale=1).to_pil().convert("L").crop(caja)
    despues = pypdfium2.PdfDocument(falso)[0].render(scale=1).to_pil().convert("L").crop(caja)
    assert antes.getextrema()[0] < 128 and despues.getextrema()[0] == 255  # shown before, gone now
    _no_es_autentico(icsoe_en, tmp_path, falso)


def test_ataque_pdf_con_una_pagina_agregada(presentada, app, icsoe_en, tmp_path):
    """A blank (or image-only) page appended: not the acuse the portal issues."""
    a, _iid, folio = presentada
    falso = _con_pagina(descargar(a, folio).data)
    assert ap.leer(falso).datos == ap.leer(descargar(a, folio).data).datos
    _no_es_autentico(icsoe_en, tmp_path, falso)


def test_ataque_pdf_con_un_enlace_a_otro_sitio(presentada, app, icsoe_en, tmp_path):
    """A link annotation laid over the printed verification address (and the QR code): a reader that clicks it goes
    to another site. Text layer and embedded facts untouched."""
    from pypdf.annotations import Link

    a, _iid, folio = presentada
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(descargar(a, folio).data)))
    writer.add_annotation(page_number=0, annotation=Link(rect=(0, 0, 612, 792), url=PHISHING))
    salida = io.BytesIO()
    writer.write(salida)
    falso = salida.getvalue()
    assert PdfReader(io.BytesIO(falso)).pages[0]["/Annots"][0].get_object()["/A"]["/URI"] == PHISHING
    _no_es_autentico(icsoe_en, tmp_path, falso)


def test_ataque_pdf_que_dice_venir_de_otra_version(presentada, app, icsoe_en, tmp_path):
    """The limit of the check, performed: a page added to an acuse whose JSON claims another release's generador
    cannot be told from that release's genuine acuse, so the CLI cannot confirm it (exit 3), and never calls it
    authentic. A changed fact is still refused outright."""
    a, iid, folio = presentada
    datos = replace(_datos(app, iid), url_verificacion=ap.leer(descargar(a, folio).data).datos["url_verificacion"])
    ajeno = "icsoe-acuse/0 reportlab/4.2.0 zlib/1.2.11"
    codigo, salida = icsoe_en("acuse", "verificar", _archivo(tmp_path, _con_pagina(ap.generar(datos, ajeno))))
    assert codigo == 3 and "es auténtico" not in salida and "NO se puede confirmar" in salida, salida
    codigo, salida = icsoe_en("acuse", "verificar", _archivo(tmp_path, ap.generar(replace(datos, fuera_de_plazo=False),
                                                                                   ajeno)))
    assert codigo == 1 and "[FALLA] Los datos incluidos en el PDF" in salida, salida


def test_ataque_pdf_con_url_que_no_cabe_en_un_qr(presentada, app, icsoe_en, tmp_path, monkeypatch):
    """A verification link in the JSON longer than any QR code holds (the CLI drew it again, and reportlab raised):
    refused, no traceback."""
    _a, iid, folio = presentada
    datos = _datos(app, iid)
    url = f"https://{'a' * 3000}.example/acuses/verificar?folio={folio}&sello=AAAAAAAA"
    original = ap._qr
    monkeypatch.setattr(ap, "_qr", lambda _url, lado: original("https://x.example/", lado))
    pdf = ap.generar(replace(datos, url_verificacion=url))
    monkeypatch.setattr(ap, "_qr", original)
    with pytest.raises(Exception, match="overflow"):
        ap.generar(replace(datos, url_verificacion=url))
    codigo, salida = icsoe_en("acuse", "verificar", _archivo(tmp_path, pdf))
    assert codigo == 1 and NO_IDENTICO in salida, salida


# -- Tampered database rows outside the cadena -----------------------------------------------------------------------

def _cambiar(app, iid, **valores) -> str:
    with app.app_context():
        db = get_session()
        informativa = db.get(Informativa, iid)
        for k, v in valores.items():
            setattr(informativa, k, v)
        db.add(informativa)
        db.commit()
        return informativa.sello


@pytest.mark.parametrize("valores", [{"fuera_de_plazo": False}, {"cert_serial": "30001000000500009999"}],
                         ids=["en_plazo", "serie"])
def test_ataque_db_columnas_fuera_de_la_cadena(presentada, app, valores):
    """The filing was late (AHORA is past the 2026-2 deadline): a row that now says 'en plazo', or names another
    certificate serial than the stored certificate's, contradicts the stored facts and must not verify."""
    _a, iid, folio = presentada
    sello = _cambiar(app, iid, **valores)
    texto = verificar(app.test_client(), folio, sello[:8]).get_data(as_text=True)
    assert "es auténtico" not in texto and "NO es válido" in texto


@pytest.mark.parametrize("valores", [{"cadena_version": "1.0"}, {"cadena_version": "9"}, {"sello": "ñ" * 344},
                                     {"sello": "!!!!" * 86}, {"certificado": b"no"}, {"rfc_firmante": "OTR020202CD3"},
                                     {"nombre_firmante": "OTRA EMPRESA SA DE CV"}, {"complementa_id": 1}],
                         ids=lambda v: next(iter(v)))
def test_ataque_db_columnas_de_la_firma(presentada, app, valores):
    _a, iid, folio = presentada
    sello = sello_de(app, iid)
    _cambiar(app, iid, **valores)
    response = verificar(app.test_client(), folio, sello[:8])
    assert response.status_code in (200, 404)
    assert "es auténtico" not in response.get_data(as_text=True)


# -- The public page's input -------------------------------------------------------------------------------------------

def _presentada_con_sello(app, iid, prefijo: str) -> str:
    """Rewrite the stored sello to begin with `prefijo` (only what the lookup compares; the page then reports it
    NOT valid, which is not 'not found')."""
    sello = sello_de(app, iid)
    return _cambiar(app, iid, sello=prefijo + sello[len(prefijo):])


@pytest.mark.parametrize("prefijo, escrito", [("+bC+/AbC", " bC /AbC"), ("AbC+/Ab+", "AbC /Ab ")])
def test_ataque_sello_con_mas_al_borde_escrito_sin_codificar(presentada, app, prefijo, escrito):
    """A '+' at the edge of the 8 characters, in a URL whose '+' was not %2B-encoded (a QR scanner that decodes and
    re-opens the link, a hand-typed URL): the inner '+' is understood, the one at the edge is stripped as a space
    and a genuine acuse gets 422."""
    _a, iid, folio = presentada
    _presentada_con_sello(app, iid, prefijo)
    response = verificar(app.test_client(), folio, escrito)
    assert response.status_code != 422
    assert "Acuse no encontrado" not in response.get_data(as_text=True)


def test_ataque_consulta_de_10_mb_y_unicode_raro(app):
    """Weird input is refused next to its field, and what is refused is not echoed back whole: 10 MB asked must not
    make the server render (and send) 20 MB; the form only ever reads MAX_ENTRADA characters."""
    cliente = app.test_client()
    for folio, sello in (("A" * 10_000_000, "B" * 10_000_000), ("ICSOE-N2026-000123", "ＡｂＣ＋／ＡｂＣ"),
                         ("ＩＣＳＯＥ-Ｎ2026-000123", "AbC+/AbC"), ("ICSOE-N2026-000123\u0130", "AbC+/AbC")):
        response = cliente.get("/acuses/verificar", query_string={"folio": folio, "sello": sello})
        assert response.status_code == 422
        assert len(response.data) < 50_000, len(response.data)
    for crudo in ("folio=%ED%B3%BF&sello=%FF%FE", "folio=ICSOE-N2026-000123&sello=AbC%2B%2FAbC&folio=x",
                  "folio[]=1&sello=%01%01%01%01%01%01%01%01"):
        assert cliente.get("/acuses/verificar?" + crudo).status_code in (404, 422)


def test_ataque_x_forwarded_for_no_salta_el_limite(presentada, app):
    _a, iid, folio = presentada
    app.config["LIMITE_VERIFICAR_ACUSE"] = 2
    cliente = app.test_client()
    for n in range(3):
        response = cliente.get("/acuses/verificar", query_string={"folio": f"ICSOE-N2026-00090{n}", "sello": "AAAAAAAA"},
                               headers={"X-Forwarded-For": f"10.0.0.{n}"})
    assert response.status_code == 429


def test_ataque_verificaciones_repetidas_no_reconstruyen_la_cadena(presentada, app, monkeypatch):
    """A red-team review: the folio and the sello's first 8 characters are printed on every acuse, a successful
    lookup is not throttled, and each one rebuilt the whole cadena (every worker: 3-4 s of a node for 150,000).
    Now the verdict stands for VIGENCIA_COMPROBACION, shared by every node: forty anonymous lookups rebuild it
    once; after that time one lookup checks again, and a row altered meanwhile shows."""
    from app import presentaciones

    from .test_acuses import pasa_la_vigencia

    _a, iid, folio = presentada
    with app.app_context():
        sello = get_session().get(Informativa, iid).sello
    reconstrucciones = []
    original = informativas.cadena_reconstruida
    monkeypatch.setattr(informativas, "cadena_reconstruida",
                        lambda *a, **k: reconstrucciones.append(1) or original(*a, **k))
    for n in range(40):
        cliente = app.test_client()
        cliente.environ_base["REMOTE_ADDR"] = f"10.1.{n}.1"  # many addresses: no throttle helps
        assert "es auténtico" in verificar(cliente, folio, sello[:8]).get_data(as_text=True)
    assert len(reconstrucciones) == 1
    with app.app_context():
        db = get_session()
        _subir_sbc(db)
        db.commit()
    assert "es auténtico" in verificar(app.test_client(), folio, sello[:8]).get_data(as_text=True)
    pasa_la_vigencia(app)
    assert "NO es válido" in verificar(app.test_client(), folio, sello[:8]).get_data(as_text=True)
    assert "NO es válido" in verificar(app.test_client(), folio, sello[:8]).get_data(as_text=True)
    assert len(reconstrucciones) == 2
    assert presentaciones.VIGENCIA_COMPROBACION.total_seconds() <= 600


def test_ataque_verificaciones_simultaneas_sin_500(presentada, app):
    """Eight lookups at once, on both databases, when the stored verdict has expired: the conditional upsert gives
    the check to one of them; none answers anything but the verdict."""
    import threading

    from .test_acuses import pasa_la_vigencia

    _a, iid, folio = presentada
    with app.app_context():
        sello = get_session().get(Informativa, iid).sello
    assert "es auténtico" in verificar(app.test_client(), folio, sello[:8]).get_data(as_text=True)
    pasa_la_vigencia(app)
    barrera, respuestas = threading.Barrier(8, timeout=30), []

    def buscar(n):
        cliente = app.test_client()
        cliente.environ_base["REMOTE_ADDR"] = f"10.2.{n}.1"
        barrera.wait()
        respuestas.append(verificar(cliente, folio, sello[:8]))

    hilos = [threading.Thread(target=buscar, args=(n,)) for n in range(8)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join(60)
    assert [r.status_code for r in respuestas] == [200] * 8
    assert all("es auténtico" in r.get_data(as_text=True) for r in respuestas)


# -- Listado: formula injection ------------------------------------------------------------------------------------

@pytest.mark.parametrize("nombre", ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(1)", "\x01=1+1"])
def test_ataque_listado_con_formulas(lista, app, juegos, ca, nombre):
    import io

    from openpyxl import load_workbook

    from .test_acuses import presentar
    cliente, _iid, _folio = presentar(lista, app, juegos, ca, nombre=nombre)
    response = cliente.get("/inicio/listado")
    assert response.status_code == 200
    hoja = load_workbook(io.BytesIO(response.data)).active
    celdas = [c for fila in hoja.iter_rows(min_row=2) for c in fila if isinstance(c.value, str)]
    assert celdas and all(c.data_type == "s" for c in celdas)


# -- Avisos ------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fecha", ["2026-W37-1", "２０２６-０９-１４", "2100-12-31", "2021-01-01", "0000-00-00"])
def test_ataque_avisos_fecha_rara(app, monkeypatch, fecha):
    from click.testing import CliRunner

    from app.cli import main
    monkeypatch.setenv("ICSOE_INSTANCE", app.instance_path)
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    resultado = CliRunner().invoke(main, ["avisos", "--fecha", fecha])
    assert resultado.exit_code in (0, 2), resultado.output
    assert resultado.exception is None or isinstance(resultado.exception, SystemExit), repr(resultado.exception)


def test_ataque_avisos_inyeccion_de_cabeceras(app, a, juegos, monkeypatch):
    from click.testing import CliRunner

    from app.cli import main
    from app.models import Contratista, Persona

    from .test_administracion import CURP_LUIS, activar, alta
    from .test_avisos_envio import outbox
    from .test_informativa import informativa_id, registrar
    informativa_id(registrar(a))
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    with app.app_context():
        db = get_session()
        persona = db.exec(select(Persona).where(Persona.correo == "luis@ejemplo.mx")).one()
        persona.correo = "luis@ejemplo.mx\r\nBcc: espia@evil.example"
        contratista = db.exec(select(Contratista)).first()
        contratista.nombre = "EMPRESA\r\nBcc: espia@evil.example"
        db.add_all([persona, contratista])
        db.commit()
    antes = len(outbox(app))
    monkeypatch.setenv("ICSOE_INSTANCE", app.instance_path)
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    resultado = CliRunner().invoke(main, ["avisos", "--fecha", "2026-09-11"])
    assert resultado.exception is None or isinstance(resultado.exception, SystemExit), repr(resultado.exception)
    nuevos = outbox(app)[antes:]
    assert nuevos and all(m["Bcc"] is None and "evil" not in m["To"] for m in nuevos)
