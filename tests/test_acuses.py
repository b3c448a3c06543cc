"""The acuse de presentación (issue 13): the PDF (app.acuse_presentacion) read back, its list and download for the
contratista and its capturistas, the public Verificar acuse page, and `icsoe acuse verificar FILE.pdf`; each attack
(another's folio, a guessed folio or sello, a row changed after signing, a forged PDF, a hostile file) performed."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import io
import zlib
from dataclasses import replace
from datetime import datetime, timezone
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader
from sqlmodel import select

from app import acuse_presentacion as ap
from app import informativas, presentaciones
from app.db import get_session
from app.models import Contrato, Informativa, Trabajador

from .conftest import html
from .test_administracion import CURP_LUIS, activar, alta, entrar_capturista, otro_contratista
from .test_informativa import _trabajador, a, lista  # noqa: F401  (fixtures)
from .test_presentar import AHORA, _enviar, _firmar

NOMBRE = "PEÑA Y ÁLVAREZ CONSTRUCCIÓN, S.A. DE C.V."
NO_ENCONTRADO = "No encontramos un acuse con ese folio y sello."


@pytest.fixture
def app(request):
    """SQLite; a test marked with `@pytest.mark.parametrize("app", ["postgresql"], indirect=True)` gets PostgreSQL."""
    return request.getfixturevalue("pg_app" if getattr(request, "param", "sqlite") == "postgresql" else "sqlite_app")


def datos_de_prueba(contratos: int = 2, **cambios) -> ap.DatosAcuse:
    lista_ = tuple(ap.ContratoAcuse(f"ICSOE-N2026-000123-{n:03d}", "CAL091016KT8", NOMBRE, 3 * n)
                   for n in range(1, contratos + 1))
    valores = dict(folio="ICSOE-N2026-000123", presentada=datetime(2026, 11, 30, 18, 0, tzinfo=timezone.utc),
                   fuera_de_plazo=True, rfc="EDE010101AB1", nombre="ESCUELA ÑANDÚ SA DE CV", ejercicio=2026,
                   cuatrimestre=2, tipo="normal", tipo_nombre="Normal", folio_complementado=None, contratos=lista_,
                   cadena="||1.0|ICSOE-INFORMATIVA|EDE010101AB1|ESCUELA ÑANDÚ SA DE CV|" + "x" * 3000 + "||",
                   sello="AbC+/" * 68 + "xyz=", cert_serial="30001000000500003416",
                   url_verificacion="https://icsoe.example.mx/acuses/verificar?folio=ICSOE-N2026-000123&sello=AbC%2B%2FAbC")
    valores.update(cambios)
    return ap.DatosAcuse(**valores)


# -- The PDF -------------------------------------------------------------------------------------------------------

def test_the_pdf_reads_back_with_its_facts_its_text_and_its_fonts():
    datos = datos_de_prueba()
    pdf = ap.generar(datos)
    leido = ap.leer(pdf)
    assert (leido.folio, leido.cadena, leido.sello, leido.cert_serial) == \
        (datos.folio, datos.cadena, datos.sello, datos.cert_serial)
    assert leido.datos["contratos"] == 2 and leido.datos["trabajadores"] == 9
    texto = " ".join(leido.texto.split())  # lines wrap where the page is narrow
    for visible in ("Acuse de presentación de la informativa cuatrimestral", "Folio: ICSOE-N2026-000123",
                    "30/11/2026 12:00:00 (hora de la Ciudad de México)", "Presentada fuera de plazo",
                    "RFC: EDE010101AB1", "ESCUELA ÑANDÚ SA DE CV", "Mayo–Agosto 2026", "Tipo de informativa: Normal",
                    "Número de contratos: 2", "Número de trabajadores: 9", "30001000000500003416",
                    "ICSOE-N2026-000123-002", NOMBRE, "Cadena original", "Sello digital"):
        assert visible in texto, visible
    assert "AbC+/AbC+/" in texto  # the sello, printed
    # Every font is embedded (a TrueType subset: FontFile2), none left to the reader's system.
    fuentes = [f.get_object() for page in PdfReader(io.BytesIO(pdf)).pages
               for f in page["/Resources"]["/Font"].values()]
    assert fuentes and all("/FontFile2" in f["/FontDescriptor"] for f in fuentes)
    assert {f["/BaseFont"].split("+")[-1] for f in fuentes} == {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono"}


def test_the_pdf_is_the_same_for_the_same_data_and_in_plazo_says_nothing_of_it():
    datos = datos_de_prueba(fuera_de_plazo=False)
    assert ap.generar(datos) == ap.generar(datos)
    assert "fuera de plazo" not in ap.leer(ap.generar(datos)).texto


# What generated the bytes below: the layout's number and the libraries. A change to generar's output (its code, the
# fonts) without a new acuse_presentacion.DISENO would make every acuse issued before read as edited to the CLI.
DISENO_FIJADO = (1, "reportlab/5.1.0 zlib/1.2.13",
                 "b383b0c7fb49aefe5ae19255d76b7625387ddd84cd3fd9b085f52f714cb47f4c",   # this release's
                 "c87a4e180f5671f07da722a70dae222a7023e87fae6187bf780996d2723187c2")   # formato 1: before "generador"


def test_the_bytes_change_only_with_the_layout_number():
    import hashlib

    diseno, bibliotecas, actual, formato_1 = DISENO_FIJADO
    if not ap.GENERADOR.endswith(" " + bibliotecas):
        pytest.skip(f"bytes pinned with {bibliotecas}; this environment has {ap.GENERADOR}")
    datos = datos_de_prueba()
    assert ap.GENERADOR == f"icsoe-acuse/{ap.DISENO} {bibliotecas}"
    assert ap.DISENO == diseno, "a new layout: pin its bytes here"
    assert hashlib.sha256(ap.generar(datos)).hexdigest() == actual, \
        "the acuse's bytes changed: bump acuse_presentacion.DISENO and pin the new bytes here"
    # The acuses issued before the JSON named its generator are this layout's: generated again, the same bytes.
    assert hashlib.sha256(ap.generar(datos, None)).hexdigest() == formato_1
    assert "generador" not in ap.leer(ap.generar(datos, None)).datos
    leido = ap.leer(ap.generar(datos))
    assert (leido.datos["formato"], leido.generador) == (ap.FORMATO, ap.GENERADOR)


def test_leer_refuses_a_generador_that_is_not_a_short_printable_text():
    for generador in ("x" * (ap.MAX_GENERADOR + 1), 1, ["icsoe-acuse/1"], "icsoe\x1b[2Jacuse", "icsoe-acuse/1 ñ"):
        with pytest.raises(ap.AcuseIlegible, match="no trae los datos"):
            ap.leer(ap.generar(datos_de_prueba(), generador))


def test_the_qr_code_decodes_to_the_verification_url():
    pypdfium2 = pytest.importorskip("pypdfium2")
    zxingcpp = pytest.importorskip("zxingcpp")
    datos = datos_de_prueba()
    imagen = pypdfium2.PdfDocument(ap.generar(datos))[0].render(scale=3).to_pil()
    codigos = zxingcpp.read_barcodes(imagen)
    assert [c.text for c in codigos] == [datos.url_verificacion]
    assert codigos[0].format == zxingcpp.BarcodeFormat.QRCode


def test_a_long_informativa_continues_on_more_pages_with_its_table_header_repeated():
    datos = datos_de_prueba(contratos=120, cadena="|" * 20_000)
    leido = ap.leer(ap.generar(datos))
    assert leido.paginas >= 5
    assert leido.texto.count("Folio del contrato") >= 3  # the header on each page of the table
    assert "ICSOE-N2026-000123-120" in leido.texto and leido.cadena == datos.cadena


def test_leer_refuses_files_too_large_not_pdf_without_facts_or_hostile():
    with pytest.raises(ap.AcuseIlegible, match="más de 2 MB"):
        ap.leer(b"%PDF-1.7\n" + b"0" * ap.MAX_BYTES)
    with pytest.raises(ap.AcuseIlegible, match="no es un acuse"):
        ap.leer(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(ap.AcuseIlegible, match="no es un acuse"):
        ap.leer(ap.generar(datos_de_prueba())[:5000])  # cut short
    from .test_acuse import pdf

    with pytest.raises(ap.AcuseIlegible, match="no trae los datos"):
        ap.leer(pdf(1))  # a real PDF, not an acuse
    # 200,000 nested dictionaries (pypdf recursed into them for seconds): the pre-scan stops it.
    with pytest.raises(ap.AcuseIlegible, match="no es un acuse"):
        ap.leer(b"%PDF-1.7\n1 0 obj\n" + b"<<" * 200_000 + b"\nendobj\n")


def test_leer_kills_a_parse_that_runs_past_its_deadline(monkeypatch):
    monkeypatch.setattr(ap, "TIEMPO_MAXIMO", 0.001)
    with pytest.raises(ap.AcuseIlegible, match="no es un acuse"):
        ap.leer(ap.generar(datos_de_prueba(contratos=60)))


@pytest.mark.parametrize("folio, sello, campos", [
    ("", "", {"folio", "sello"}), ("ICSOE-N2026-00012", "AbC+/AbC", {"folio"}),
    ("ICSOE-N2026-000123", "AbC+/Ab", {"sello"}), ("ICSOE-N2026-000123", "AbC+/AbÇ", {"sello"}),
    ("ICSOE-N2026-000123\x00", "AbC+/AbC", {"folio"}), ("X" * 10_000, "A" * 10_000, {"folio", "sello"}),
    ("ICSOE-N2026-000123' OR 1=1", "AbC+/AbC", {"folio"})])
def test_consulta_refuses_what_cannot_be_a_folio_or_a_sello(folio, sello, campos):
    with pytest.raises(ExceptionGroup) as error:
        ap.consulta(folio, sello)
    assert {r.campo for r in error.value.exceptions} == campos


def test_consulta_accepts_what_people_paste():
    assert ap.consulta(" icsoe-n2026-000123 ", " AbC+/AbC ") == ("ICSOE-N2026-000123", "AbC+/AbC")
    assert ap.consulta("ICSOE-N2026-000123", "AbC /AbC") == ("ICSOE-N2026-000123", "AbC+/AbC")  # an unencoded "+"


# -- Presented informativas through the routes ---------------------------------------------------------------------

def presentar(lista, app, juegos, ca, nombre=NOMBRE):
    """The `lista` informativa with two workers, its contratante renamed `nombre`, sent and presented: (client,
    informativa id, folio)."""
    cliente, iid, cid = lista
    for i in (3, 4):
        assert _trabajador(cliente, iid, cid, i=i).status_code == 303
    with app.app_context():
        db = get_session()
        contrato = db.get(Contrato, cid)
        contrato.nombre_contratante = nombre
        db.add(contrato)
        db.commit()
    assert _enviar(cliente, iid).status_code == 303
    firmada = _firmar(app, juegos["moral"], ca, iid)
    with app.app_context():
        db = get_session()
        folio = informativas.presentar(db, db.get(Informativa, iid), firmada, AHORA)
    assert folio
    return cliente, iid, folio


@pytest.fixture
def presentada(lista, app, juegos, ca):
    return presentar(lista, app, juegos, ca)


def descargar(cliente, folio):
    return cliente.get(f"/acuses/{folio}.pdf")


def verificar(cliente, folio, sello, **extra):
    return cliente.get("/acuses/verificar", query_string={"folio": folio, "sello": sello, **extra})


def sello_de(app, iid) -> str:
    with app.app_context():
        return get_session().get(Informativa, iid).sello


def test_the_list_and_the_pdf_of_a_presented_informativa(presentada, app):
    a, iid, folio = presentada
    doc = html(a.get("/acuses/"))
    assert [x.get_text() for x in doc.select("nav.menu a")][4] == "Acuses de presentación"
    fila = [td.get_text(" ", strip=True) for td in doc.select("tbody tr")[0].select("td")]
    assert fila[:5] == [folio, "Mayo–Agosto 2026", "Normal", "30/11/2026 12:00:00 (hora de la Ciudad de México)",
                        "Presentada fuera de plazo"]
    assert doc.select_one("tbody a")["href"] == f"/acuses/{folio}.pdf"
    response = descargar(a, folio)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="acuse-{folio}.pdf"'
    leido = ap.leer(response.data)
    with app.app_context():
        informativa = get_session().get(Informativa, iid)
        assert (leido.cadena, leido.sello, leido.cert_serial) == \
            (informativa.cadena, informativa.sello, informativa.cert_serial)
    assert f"{folio}-001" in leido.texto and NOMBRE in leido.texto and "Número de trabajadores: 2" in leido.texto
    # The sello's base64 may hold "+" and "/": what matters is what the query says once decoded.
    enlace = urlsplit(leido.datos["url_verificacion"])
    assert enlace.path == "/acuses/verificar"
    assert parse_qs(enlace.query) == {"folio": [folio], "sello": [informativa.sello[:8]]}


def test_another_contratista_and_strangers_get_no_acuse(presentada, app, juegos):
    a, _iid, folio = presentada
    otro = otro_contratista(app, juegos["otra"])
    assert descargar(otro, folio).status_code == 404
    assert folio not in otro.get("/acuses/").get_data(as_text=True)
    for url in ("/acuses/", f"/acuses/{folio}.pdf"):
        response = app.test_client().get(url)
        assert response.status_code == 303 and urlsplit(response.headers["Location"]).path == "/"
    for raro in ("ICSOE-N2026-999999", "..%2F..%2Fetc", "x" * 5000):
        assert descargar(a, raro).status_code == 404


def test_a_capturista_lists_and_downloads_its_contratistas_acuses(presentada, app):
    a, _iid, folio = presentada
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    capturista = app.test_client()
    entrar_capturista(capturista)
    assert folio in html(capturista.get("/acuses/")).select_one("tbody").get_text()
    assert ap.leer(descargar(capturista, folio).data).folio == folio


# -- Verificar acuse (public) --------------------------------------------------------------------------------------

def test_the_qr_link_verifies_the_acuse_without_signing_in(presentada, app):
    a, iid, folio = presentada
    url = ap.leer(descargar(a, folio).data).datos["url_verificacion"]
    publico = app.test_client()
    assert html(publico.get("/")).select_one(f"footer a[href='/acuses/verificar']")
    response = publico.get(url.removeprefix(app.config["ICSOE_URL"]))
    doc = html(response)
    assert response.status_code == 200
    assert doc.select_one(".exito").get_text(" ", strip=True).startswith(f"El acuse {folio} es auténtico")
    resumen = {d.select_one("dt").get_text(): d.select_one("dd").get_text(" ", strip=True)
               for d in doc.select("dl.resumen div")}
    assert resumen["RFC"] == "EDE010101AB1" and resumen["Periodo"] == "Mayo–Agosto 2026"
    assert resumen["Contratos"] == "1" and resumen["Trabajadores"] == "2"
    assert resumen["Plazo"] == "Presentada fuera de plazo"
    assert resumen["Situación"].startswith("Vigente")
    assert doc.select_one("#folio")["value"] == folio  # the form keeps what was asked


def test_an_unknown_folio_and_a_wrong_sello_get_one_answer(presentada, app):
    _a, iid, folio = presentada
    sello = sello_de(app, iid)
    otro = ("B" if sello[0] != "B" else "C") + sello[1:8]
    cliente = app.test_client()
    respuestas = [verificar(cliente, folio, otro), verificar(cliente, "ICSOE-N2026-000999", sello[:8])]
    assert {r.status_code for r in respuestas} == {404}
    textos = {html(r).select_one("#resultado [role=alert]").get_text(" ", strip=True) for r in respuestas}
    assert len(textos) == 1 and NO_ENCONTRADO in textos.pop()
    assert "auténtico" not in respuestas[0].get_data(as_text=True)


def test_bad_input_is_refused_next_to_its_field(app):
    response = verificar(app.test_client(), "123", "ñ" * 9)
    doc = html(response)
    assert response.status_code == 422 and doc.title.get_text().startswith("Error:")
    assert "ICSOE-N2026-000123" in doc.select_one("#folio-error").get_text()
    assert "primeros 8 caracteres" in doc.select_one("#sello-error").get_text()
    assert "folio-error" in doc.select_one("#folio")["aria-describedby"].split()
    response = verificar(app.test_client(), "", "")
    assert response.status_code == 422
    assert app.test_client().get("/acuses/verificar").status_code == 200  # the empty form


def test_a_worker_changed_in_the_database_makes_the_acuse_not_valid(presentada, app):
    _a, iid, folio = presentada
    sello = sello_de(app, iid)
    with app.app_context():
        db = get_session()
        trabajador = db.exec(select(Trabajador)).first()
        trabajador.sbc = Decimal("999.99")
        db.add(trabajador)
        db.commit()
    response = verificar(app.test_client(), folio, sello[:8])
    doc = html(response)
    assert response.status_code == 200 and doc.select_one(".exito") is None
    alerta = doc.select_one("#resultado [role=alert]").get_text(" ", strip=True)
    assert f"El acuse {folio} NO es válido" in alerta and "ya no coinciden con lo que se firmó" in alerta


def test_a_cadena_rewritten_in_the_database_makes_the_acuse_not_valid(presentada, app):
    """Whoever rewrites a row and its stored cadena alike still cannot make the stored sello sign it."""
    _a, iid, folio = presentada
    with app.app_context():
        db = get_session()
        informativa = db.get(Informativa, iid)
        contrato = db.exec(select(Contrato)).one()
        contrato.nombre_contratante = "OTRO NOMBRE"
        db.add(contrato)
        db.commit()
        informativa.cadena = informativas.cadena_reconstruida(db, informativa)
        db.add(informativa)
        db.commit()
        sello = informativa.sello
    assert "NO es válido" in verificar(app.test_client(), folio, sello[:8]).get_data(as_text=True)


def test_a_cancelled_filing_says_so(presentada, app):
    _a, iid, folio = presentada
    with app.app_context():
        db = get_session()
        original = db.get(Informativa, iid)
        original.vigente = None
        db.add(original)
        db.add(Informativa(contratista_id=original.contratista_id, ejercicio=2026, cuatrimestre=2, tipo="sin_efectos",
                           estatus="presentada", vigente=None, complementa_id=iid, folio="ICSOE-E2026-000001",
                           presentada=AHORA))
        db.commit()
        sello = original.sello
    doc = html(verificar(app.test_client(), folio, sello[:8]))
    situacion = doc.select("dl.resumen div")[-1].get_text(" ", strip=True)
    assert "Dejada sin efectos por la complementaria con folio ICSOE-E2026-000001" in situacion


def test_failed_lookups_are_throttled_per_address(presentada, app):
    _a, iid, folio = presentada
    sello = sello_de(app, iid)
    app.config["LIMITE_VERIFICAR_ACUSE"] = 3
    cliente = app.test_client()
    for _ in range(5):  # successful lookups do not count
        assert verificar(cliente, folio, sello[:8]).status_code == 200
    for n in range(3):
        assert verificar(cliente, f"ICSOE-N2026-00090{n}", sello[:8]).status_code == 404
    response = verificar(cliente, "ICSOE-N2026-000904", sello[:8])
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "Demasiadas consultas" in html(response).select_one("#resultado [role=alert]").get_text()
    assert verificar(cliente, folio, sello[:8]).status_code == 429  # the right answer waits too: no oracle
    otra = app.test_client()
    otra.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    assert verificar(otra, folio, sello[:8]).status_code == 200  # another address is not affected


def pasa_la_vigencia(app) -> None:
    """As if VIGENCIA_COMPROBACION had passed since every stored integrity verdict (presentaciones.integra_reciente):
    the next lookup checks again."""
    from app.models import ComprobacionAcuse

    with app.app_context():
        db = get_session()
        for fila in db.exec(select(ComprobacionAcuse)).all():
            fila.comprobada -= presentaciones.VIGENCIA_COMPROBACION
            db.add(fila)
        db.commit()


@pytest.mark.postgres
@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_verification_on_postgresql(presentada, app):
    _a, iid, folio = presentada
    sello = sello_de(app, iid)
    assert "es auténtico" in verificar(app.test_client(), folio, sello[:8]).get_data(as_text=True)
    assert verificar(app.test_client(), folio, "ZZZZZZZZ").status_code == 404
    with app.app_context():
        db = get_session()
        trabajador = db.exec(select(Trabajador)).first()
        trabajador.sbc = Decimal("451.00")
        db.add(trabajador)
        db.commit()
    assert "es auténtico" in verificar(app.test_client(), folio, sello[:8]).get_data(as_text=True)  # its verdict
    pasa_la_vigencia(app)
    assert "NO es válido" in verificar(app.test_client(), folio, sello[:8]).get_data(as_text=True)


# -- icsoe acuse verificar FILE.pdf --------------------------------------------------------------------------------

@pytest.fixture
def icsoe_en(app, tmp_path, monkeypatch):
    """`icsoe ARGS...` on the test app's own instance and database: (exit code, output)."""
    from click.testing import CliRunner

    from app.cli import main

    monkeypatch.setenv("ICSOE_INSTANCE", app.instance_path)
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        return result.exit_code, result.output

    return run


def _archivo(tmp_path, datos: bytes, nombre="acuse.pdf") -> str:
    path = tmp_path / nombre
    path.write_bytes(datos)
    return str(path)


def _datos(app, iid) -> ap.DatosAcuse:
    with app.app_context():
        db = get_session()
        return presentaciones.datos_acuse(db, db.get(Informativa, iid), "http://127.0.0.1:8000/acuses/verificar")


def test_cli_says_an_authentic_acuse_is_authentic(presentada, app, icsoe_en, tmp_path):
    a, _iid, folio = presentada
    codigo, salida = icsoe_en("acuse", "verificar", _archivo(tmp_path, descargar(a, folio).data))
    assert codigo == 0, salida
    assert "FALLA" not in salida and "Veredicto: el acuse es auténtico" in salida
    assert "[correcto] El archivo es idéntico al acuse que el portal emite para este folio" in salida


def _url_del_portal(a, folio) -> str:
    return ap.leer(descargar(a, folio).data).datos["url_verificacion"]


def test_cli_verifies_an_acuse_issued_before_acuses_named_their_generator(presentada, app, icsoe_en, tmp_path):
    """Formato 1 (no "generador" in its JSON) with this layout: generated again byte for byte, so authentic."""
    a, iid, folio = presentada
    pdf = ap.generar(replace(_datos(app, iid), url_verificacion=_url_del_portal(a, folio)), None)
    assert "generador" not in ap.leer(pdf).datos
    codigo, salida = icsoe_en("acuse", "verificar", _archivo(tmp_path, pdf))
    assert codigo == 0 and "es auténtico" in salida, salida


def test_cli_verifies_another_releases_acuse_it_reproduces(presentada, app, icsoe_en, tmp_path):
    """Another generador (reportlab upgraded, say) whose bytes this release still writes: what counts is the bytes."""
    a, iid, folio = presentada
    pdf = ap.generar(replace(_datos(app, iid), url_verificacion=_url_del_portal(a, folio)),
                     "icsoe-acuse/1 reportlab/4.2.0 zlib/1.2.11")
    codigo, salida = icsoe_en("acuse", "verificar", _archivo(tmp_path, pdf))
    assert codigo == 0 and "es auténtico" in salida, salida


def test_cli_cannot_confirm_an_acuse_of_another_layout(presentada, app, icsoe_en, tmp_path, monkeypatch):
    """An earlier release drew the QR code smaller: same facts, same text, other bytes. Its signature and facts are
    checked; what it shows is not, and the verdict (exit 3) says so, never "auténtico"."""
    a, iid, folio = presentada
    original = ap._qr
    monkeypatch.setattr(ap, "_qr", lambda url, lado: original(url, lado * 0.8))
    datos = replace(_datos(app, iid), url_verificacion=_url_del_portal(a, folio))
    anterior = ap.generar(datos, "icsoe-acuse/0 reportlab/4.2.0 zlib/1.2.11")
    sin_generador = ap.generar(datos, None)
    monkeypatch.setattr(ap, "_qr", original)
    for pdf, origen in ((anterior, "otra versión del portal (icsoe-acuse/0 reportlab/4.2.0 zlib/1.2.11; esta es "
                                   f"{ap.GENERADOR})"),
                        (sin_generador, "una versión del portal que no lo anotaba")):
        codigo, salida = icsoe_en("acuse", "verificar", _archivo(tmp_path, pdf))
        assert codigo == 3, salida
        assert "FALLA" not in salida and "es auténtico" not in salida
        assert f"[SIN COMPROBAR] El archivo lo generó {origen}, y esta no lo reproduce" in salida
        assert "[correcto] El texto del PDF es el del acuse que el portal emite" in salida
        assert "Veredicto: NO se puede confirmar que el acuse sea auténtico" in salida


def test_cli_still_verifies_an_acuse_after_the_portal_moved(presentada, app, icsoe_en, tmp_path, monkeypatch):
    """An acuse issued at the old address stays authentic once ICSOE_URL changes; the output names where its QR
    code leads. A link to another folio does not pass."""
    a, iid, folio = presentada
    pdf = descargar(a, folio).data
    monkeypatch.setenv("ICSOE_URL", "https://icsoe-nuevo.example.mx")
    codigo, salida = icsoe_en("acuse", "verificar", _archivo(tmp_path, pdf))
    assert codigo == 0, salida
    assert "lleva a la verificación de este acuse en http://127.0.0.1:8000" in salida
    datos = _datos(app, iid)
    otro = replace(datos, url_verificacion=f"https://phishing.example/acuses/verificar?folio={folio}X&sello=x")
    codigo, salida = icsoe_en("acuse", "verificar", _archivo(tmp_path, ap.generar(otro), "otro.pdf"))
    assert codigo == 1 and "FALLA" in salida


@pytest.mark.parametrize("cambio", ["cadena", "sello", "conteo", "folio"])
def test_cli_detects_a_forged_pdf(presentada, app, icsoe_en, tmp_path, cambio):
    _a, iid, _folio = presentada
    datos = _datos(app, iid)
    falso = {"cadena": lambda d: replace(d, cadena=d.cadena.replace("|2|", "|3|", 1)),
             "sello": lambda d: replace(d, sello=d.sello[:-8] + ("A" * 4 if d.sello[-8] != "A" else "B" * 4) + d.sello[-4:]),
             "conteo": lambda d: replace(d, contratos=d.contratos + (ap.ContratoAcuse(f"{d.folio}-002", "XAXX010101000",
                                                                                      "FALSO", 9),)),
             "folio": lambda d: replace(d, folio="ICSOE-N2026-999999")}[cambio](datos)
    assert falso != datos
    codigo, salida = icsoe_en("acuse", "verificar", _archivo(tmp_path, ap.generar(falso)))
    assert codigo == 1, salida
    assert "FALLA" in salida and "Veredicto: el acuse NO es auténtico" in salida


def test_cli_detects_a_database_changed_after_signing(presentada, app, icsoe_en, tmp_path):
    a, _iid, folio = presentada
    archivo = _archivo(tmp_path, descargar(a, folio).data)
    with app.app_context():
        db = get_session()
        trabajador = db.exec(select(Trabajador)).first()
        trabajador.sbc = Decimal("999.99")
        db.add(trabajador)
        db.commit()
    codigo, salida = icsoe_en("acuse", "verificar", archivo)
    assert codigo == 1
    assert "[FALLA] Los datos registrados en el portal siguen dando la cadena original firmada" in salida


def test_cli_refuses_unreadable_files_with_exit_2(app, icsoe_en, tmp_path):
    for datos in (b"no soy un pdf", b"%PDF-1.7\n" + b"0" * ap.MAX_BYTES,
                  b"%PDF-1.7\n1 0 obj\n<< /Length 10 >>\nstream\n" + zlib.compress(b"x") + b"\nendstream\nendobj\n"):
        codigo, salida = icsoe_en("acuse", "verificar", _archivo(tmp_path, datos))
        assert codigo == 2 and "acuse" in salida
    assert icsoe_en("acuse", "verificar", str(tmp_path / "no-existe.pdf"))[0] == 2


def test_cli_prints_no_escape_sequence_a_forged_pdf_carries(presentada, app, icsoe_en, tmp_path):
    """A review: the folio and the link's host come from the file; an acuse whose folio or URL carries terminal
    escapes (clear the screen, set the title, rewrite the line) must not reach the operator's terminal as such."""
    _a, iid, _folio = presentada
    datos = _datos(app, iid)
    for falso in (replace(datos, folio="ICSOE\x1b[2J\x1b]0;auténtico\x07\u202e"),
                  replace(datos, url_verificacion=datos.url_verificacion.replace("://", "://\x1bc\x07", 1))):
        codigo, salida = icsoe_en("acuse", "verificar", _archivo(tmp_path, ap.generar(falso)))
        assert codigo == 1 and "Veredicto: el acuse NO es auténtico" in salida
        assert not any(c in salida for c in "\x1b\x07\u202e"), salida
        assert "ICSOE?[2J?]0;auténtico??" in salida or "http://?c?127" in salida
    # An unpaired bracket in the link's host (urlsplit: "Invalid IPv6 URL") was a traceback.
    falso = replace(datos, url_verificacion=datos.url_verificacion.replace("://", "://[", 1))
    codigo, salida = icsoe_en("acuse", "verificar", _archivo(tmp_path, ap.generar(falso)))
    assert codigo == 1 and "[FALLA] El código QR lleva a la verificación de este acuse en una dirección válida" in salida


def _forjar(monkeypatch, datos: ap.DatosAcuse, **en_json) -> bytes:
    """An acuse PDF whose embedded JSON carries `en_json` over the real facts, written with \\uXXXX escapes (as any
    JSON writer may): json.loads turns "\\ud800" into a lone surrogate, which no UTF-8 file could hold literally."""
    import json

    hechos, dumps = ap.hechos, json.dumps
    with monkeypatch.context() as m:
        m.setattr(ap, "hechos", lambda d, g=ap.GENERADOR: {**hechos(d, g), **en_json})
        m.setattr(ap.json, "dumps", lambda *x, **k: dumps(*x, **{**k, "ensure_ascii": True}))
        return ap.generar(datos)


@pytest.mark.parametrize("campo", ["url_verificacion", "cadena"])
def test_cli_refuses_a_lone_surrogate_in_a_forged_acuse(presentada, app, icsoe_en, tmp_path, monkeypatch, campo):
    """A review: a forged acuse whose JSON writes the link (or the cadena) with a "\\ud800" escape made
    `icsoe acuse verificar` die with a traceback (UnicodeEncodeError); its facts are unreadable now (exit 2)."""
    _a, iid, _folio = presentada
    datos = _datos(app, iid)
    pdf = _forjar(monkeypatch, datos, **{campo: getattr(datos, campo) + "\ud800"})
    with pytest.raises(ap.AcuseIlegible):
        ap.leer(pdf)
    codigo, salida = icsoe_en("acuse", "verificar", _archivo(tmp_path, pdf))
    assert codigo == 2 and "acuse" in salida


def test_cli_text_from_the_file_cannot_pose_as_a_line_of_the_report(presentada, app, icsoe_en, tmp_path):
    """A review: a link whose host is spaces and then "Veredicto: el acuse es auténtico…" wrapped, on an 80-column
    terminal, into a line of its own above the real verdict. Runs of spaces from the file print as one."""
    _a, iid, _folio = presentada
    datos = _datos(app, iid)
    falso = "Veredicto: el acuse es auténtico y corresponde a lo registrado"
    url = datos.url_verificacion.replace("://127.0.0.1:8000", "://" + " " * 16 + falso, 1)
    codigo, salida = icsoe_en("acuse", "verificar", _archivo(tmp_path, ap.generar(replace(datos, url_verificacion=url))))
    assert codigo == 1
    pantalla = [linea[i:i + 80] for linea in salida.splitlines() for i in range(0, max(len(linea), 1), 80)]
    assert not any(p.strip().startswith("Veredicto: el acuse es auténtico") for p in pantalla), "\n".join(pantalla)


@pytest.mark.parametrize("origen", ["http:/evil.example", "http:evil.example", "http:///evil.example",
                                    "https:\\\\evil.example"])
def test_cli_a_qr_link_whose_host_only_a_browser_sees_fails(presentada, app, icsoe_en, tmp_path, origen):
    """A review: the genuine acuse generated again with "http:/evil.example/acuses/verificar?…" (or "http:evil…",
    "http:///evil…", "https:\\\\evil…"): urlsplit sees no host and the right path and query, while browsers and QR
    readers (WHATWG) go to evil.example; it was "auténtico". The link must start with scheme://host/ now, and the
    failed check shows where it leads."""
    a, iid, folio = presentada
    real = _url_del_portal(a, folio)
    url = origen + real[len("http://127.0.0.1:8000"):]
    assert real.startswith("http://127.0.0.1:8000/") and url != real
    codigo, salida = icsoe_en("acuse", "verificar",
                              _archivo(tmp_path, ap.generar(replace(_datos(app, iid), url_verificacion=url))))
    assert codigo == 1 and "[FALLA] El código QR lleva a la verificación de este acuse en una dirección válida" in salida
    assert "evil.example/acuses/verificar" in salida
