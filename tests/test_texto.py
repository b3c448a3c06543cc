"""Text as people paste and type it: invisible format characters (U+200B, a BOM, U+200E, a soft hyphen, a word
joiner) riding along with a CURP, an RFC, an NSS, a folio or a contract's text; the typographic apostrophes and
hyphens of phones and word processors in names; decomposed accents (NFD) in searches; a CURP typed with Ñ; a file
name carrying a right-to-left override."""
from __future__ import annotations

import io
import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from app import address, carga_masiva, curp, fiel, repse, texto, trabajadores
from app.db import get_session
from app.models import Capturista, Contratista, Contrato, Persona, RegistroRepse, Trabajador
from app.plazos import Periodo
from app.rechazo import Rechazo

from . import cfdi
from .conftest import HTMX, html, token
from .test_administracion import ALTA, CURP_LUIS, activar, alta, entrar_capturista, hacer_curp, preparar
from .test_informativa import RFC_CONTRATANTE_FISICA, contrato, informativa_id, registrar, servicio
from .test_ingreso import validar

INVISIBLES = {"zwsp": "\u200b", "bom": "\ufeff", "lrm": "\u200e", "soft-hyphen": "\u00ad", "word-joiner": "\u2060"}
# The routes are checked with two of them; the domain tests, which are cheap, with all.
DOS_INVISIBLES = {k: INVISIBLES[k] for k in ("zwsp", "soft-hyphen")}
CURP_MARIA = hacer_curp("MARÍA", "PEÑA", "NÚÑEZ", sexo="M", fecha="900101")
CURP_OCONNOR = hacer_curp("SEAN", "O'CONNOR", "RUIZ")
HOY = date(2026, 5, 10)


def nfd(texto: str) -> str:
    return unicodedata.normalize("NFD", texto)


@pytest.fixture
def app(request):
    """SQLite; a test marked with AMBAS runs on PostgreSQL too (the searches' folding is SQL both must run)."""
    return request.getfixturevalue("pg_app" if getattr(request, "param", "sqlite") == "postgresql" else "sqlite_app")


AMBAS = pytest.mark.parametrize("app", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
                                indirect=True)


@pytest.fixture
def contratista(client, juegos, app):
    return preparar(app, client, juegos["moral"])


@pytest.fixture
def lista(contratista, app):
    """A Normal informativa with one contract: (client, informativa id, contract id)."""
    servicio(contratista)
    iid = informativa_id(registrar(contratista))
    assert contrato(contratista, app, iid).status_code == 303
    with app.app_context():
        cid = get_session().exec(select(Contrato)).one().id
    return contratista, iid, cid


def _filas(client, url):
    return [tr.get_text(" ", strip=True) for tr in html(client.get(url, headers=HTMX)).select("tbody tr")]


def _url_trabajadores(iid, cid):
    return f"/informativas/{iid}/contratos/{cid}/trabajadores"


def _agregar_trabajador(client, iid, cid, nss, curp_tecleada, **extra):
    url = _url_trabajadores(iid, cid)
    return client.post(url, data={"csrf_token": token(client, url), "nss": nss, "curp": curp_tecleada,
                                  "sbc": "450.25", **extra})


# -- The shared helpers ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("invisible", INVISIBLES.values(), ids=INVISIBLES.keys())
def test_format_characters_are_dropped_and_accents_composed(invisible):
    assert texto.normalize_text(f"{invisible}Pen\u0303{invisible}a") == "Peña"


def test_a_bidi_override_is_dropped_too():
    """U+202E makes "nomina\u202eslx.csv" read «nominavsc.xls»: no format character survives, so none can disguise
    a text that is stored and shown back."""
    assert texto.normalize_text("Mantenimiento\u202e\u2066 preventivo\u2069") == "Mantenimiento preventivo"


@pytest.mark.parametrize("tipografico, ascii_", [("O\u2019CONNOR", "O'CONNOR"), ("O\u02bcCONNOR", "O'CONNOR"),
                                                 ("O\u2018CONNOR", "O'CONNOR"), ("O\u00b4CONNOR", "O'CONNOR"),
                                                 ("O`CONNOR", "O'CONNOR"), ("MARIA\u2010JOSE", "MARIA-JOSE"),
                                                 ("MARIA\u2011JOSE", "MARIA-JOSE"), ("MARIA\u2013JOSE", "MARIA-JOSE")])
def test_a_name_typed_with_typographic_signs_is_read_with_the_ascii_ones(tipografico, ascii_):
    """iOS and macOS (Smart Punctuation, on by default) and Word type ' as ’ and - as ‐ or –: the name rule
    («solo letras, espacios y los signos ' - .») must read the sign the user meant."""
    assert curp.validar_nombre(tipografico, "primer_apellido") == ascii_
    assert curp.clave_nombre("SEAN", tipografico, "RUIZ") == curp.clave_nombre("SEAN", ascii_, "RUIZ")


def test_a_receipts_name_with_a_typographic_apostrophe_is_kept():
    """Payroll systems copy names from Word or Excel: "SEAN O’CONNOR RUIZ" was dropped with «no se usó»."""
    assert trabajadores.validar_nombre_recibo("SEAN O\u2019CONNOR\u200b RUIZ") == "SEAN O'CONNOR RUIZ"


# -- Identifiers pasted with an invisible character ------------------------------------------------------------------

@pytest.mark.parametrize("invisible", INVISIBLES.values(), ids=INVISIBLES.keys())
def test_identifiers_pasted_with_an_invisible_character_are_read_as_the_visible_ones(invisible):
    """«La CURP debe tener 18 caracteres; tiene 19» about 18 visible characters: the character nobody sees is
    dropped like the spaces and hyphens the normalisers already drop."""
    p = cfdi.persona(4)
    assert curp.validate(invisible + p.curp, today=HOY) == p.curp
    assert fiel.normalize_rfc(RFC_CONTRATANTE_FISICA[:4] + invisible + RFC_CONTRATANTE_FISICA[4:]) == \
        RFC_CONTRATANTE_FISICA
    assert trabajadores.validar_nss(p.nss + invisible) == p.nss
    assert trabajadores.validar_sbc("450.25" + invisible, HOY)[0] == Decimal("450.25")
    assert address.validate_cp("01000" + invisible) == "01000"
    assert repse.validar_registro("AR12345/2021" + invisible, "2021-06-01", hoy=HOY).folio == "AR12345/2021"


def test_an_identifier_of_only_invisible_characters_is_empty():
    """Not «El NSS debe tener solo dígitos» about a field that looks empty."""
    with pytest.raises(Rechazo) as refusal:
        trabajadores.validar_nss("\u200b\ufeff")
    assert refusal.value.mensaje == trabajadores.MSG_NSS_VACIO


def test_a_curp_cell_with_an_invisible_character_is_not_reported_as_19_characters():
    """The preview showed «La CURP debe tener 18 caracteres; tiene 19.» beside a value of 18 characters."""
    p = cfdi.persona(4)
    vista = carga_masiva.leer_trabajadores("t.csv", cfdi.csv_de([(p.nss, "\u200b" + p.curp, "450.25")]),
                                           rfc_contratista=cfdi.RFC_CONTRATISTA, periodo=Periodo(2026, 1), hoy=HOY)
    assert not vista.errores, vista.errores
    assert [v.trabajador.curp for v in vista.validas] == [p.curp]


@pytest.mark.parametrize("invisible", DOS_INVISIBLES.values(), ids=DOS_INVISIBLES.keys())
def test_alta_validar_takes_a_curp_pasted_with_an_invisible_character(contratista, invisible):
    response = contratista.post(f"{ALTA}/validar", data={"csrf_token": token(contratista, ALTA),
                                                         "curp": CURP_LUIS + invisible})
    doc = html(response)
    assert response.status_code == 200, doc.select_one("#curp-error")
    assert doc.select_one("#nombres")["value"] == "JOSE LUIS"


@pytest.mark.parametrize("invisible", DOS_INVISIBLES.values(), ids=DOS_INVISIBLES.keys())
def test_efirma_validar_takes_an_rfc_pasted_with_an_invisible_character(client, juegos, invisible):
    juego = juegos["moral"]
    response = validar(client, juego, rfc=juego.rfc[:3] + invisible + juego.rfc[3:])
    assert response.status_code == 200, html(response).select_one("#rfc-error")


def test_a_capturista_signs_in_with_a_curp_pasted_with_an_invisible_character(contratista, app):
    assert alta(contratista, CURP_LUIS).status_code == 303
    assert activar(app.test_client(), app).status_code in (200, 303)
    assert entrar_capturista(app.test_client(), curp="\ufeff" + CURP_LUIS) not in ("", "/")


@pytest.mark.parametrize("invisible", DOS_INVISIBLES.values(), ids=DOS_INVISIBLES.keys())
def test_repse_folio_pasted_with_an_invisible_character_is_stored_without_it(contratista, app, invisible):
    response = contratista.post("/datos-generales/repse", data={
        "csrf_token": token(contratista, "/datos-generales/repse"), "folio": "AR12345/2021" + invisible,
        "fecha_registro": "2021-06-01"})
    assert response.status_code == 303, html(response).select_one("#folio-error")
    with app.app_context():
        assert get_session().exec(select(RegistroRepse)).one().folio == "AR12345/2021"


@pytest.mark.parametrize("invisible", DOS_INVISIBLES.values(), ids=DOS_INVISIBLES.keys())
def test_contratante_rfc_pasted_with_an_invisible_character(lista, app, invisible):
    a, iid, _cid = lista
    response = contrato(a, app, iid, rfc_contratante=invisible + RFC_CONTRATANTE_FISICA)
    assert response.status_code == 303, html(response).select_one("#rfc_contratante-error")


@pytest.mark.parametrize("invisible", DOS_INVISIBLES.values(), ids=DOS_INVISIBLES.keys())
def test_contract_text_copied_from_a_pdf_or_word_keeps_no_invisible_character(lista, app, invisible):
    """An objeto copied from the contract was refused with «tiene caracteres no válidos», and the name «sin
    caracteres de control», about characters the user cannot see."""
    a, iid, _cid = lista
    response = contrato(a, app, iid, objeto=f"Mantenimiento pre{invisible}ventivo de subestaciones",
                        nombre_contratante=f"Construc{invisible}ciones del Bajío")
    doc = html(response)
    assert response.status_code == 303, (doc.select_one("#objeto-error"), doc.select_one("#nombre_contratante-error"))
    with app.app_context():
        nuevo = get_session().exec(select(Contrato).order_by(Contrato.id.desc())).first()
        assert (nuevo.objeto, nuevo.nombre_contratante) == ("Mantenimiento preventivo de subestaciones",
                                                            "CONSTRUCCIONES DEL BAJÍO")


def test_a_bidi_override_in_a_contracts_text_is_not_stored(lista, app):
    a, iid, _cid = lista
    assert contrato(a, app, iid, objeto="Mantenimiento \u202eovitneverp").status_code == 303
    with app.app_context():
        objetos = get_session().exec(select(Contrato.objeto)).all()
        assert not any("\u202e" in o for o in objetos) and "Mantenimiento ovitneverp" in objetos


@pytest.mark.parametrize("invisible", DOS_INVISIBLES.values(), ids=DOS_INVISIBLES.keys())
def test_a_workers_nss_and_curp_pasted_with_an_invisible_character(lista, app, invisible):
    a, iid, cid = lista
    p = cfdi.persona(4)
    response = _agregar_trabajador(a, iid, cid, p.nss + invisible, invisible + p.curp)
    doc = html(response)
    assert response.status_code == 303, (doc.select_one("#nss-error"), doc.select_one("#curp-error"))
    with app.app_context():
        t = get_session().exec(select(Trabajador)).one()
        assert (t.nss, t.curp) == (p.nss, p.curp)


# -- Names as phones type them ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("apostrofo", ["\u2019", "\u02bc"], ids=["comilla-tipografica", "modificador"])
def test_alta_takes_an_apostrophe_as_a_phone_types_it(contratista, app, apostrofo):
    response = alta(contratista, CURP_OCONNOR, ("SEAN", f"O{apostrofo}CONNOR", "RUIZ"), correo="sean@ejemplo.mx")
    assert response.status_code == 303, html(response).select_one("#primer_apellido-error")
    with app.app_context():
        assert get_session().exec(select(Capturista)).one().primer_apellido == "O'CONNOR"


# -- A CURP typed with Ñ -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("enye", ["Ñ", nfd("Ñ")], ids=["nfc", "nfd"])
def test_a_curp_typed_with_enye_says_renapo_writes_x(enye):
    """PEÑA's internal consonant is Ñ, which RENAPO writes X (position 14). Typed with Ñ the CURP was refused with
    «deben ser consonantes; tiene «ÑXR»», a contradiction: Ñ is a consonant."""
    assert CURP_MARIA[13] == "X"
    with pytest.raises(curp.CurpInvalida) as refusal:
        curp.validate(CURP_MARIA[:13] + enye + CURP_MARIA[14:], today=HOY)
    assert str(refusal.value) == curp.MSG_ENYE


def test_alta_shows_the_enye_message_next_to_the_curp(contratista):
    response = contratista.post(f"{ALTA}/validar", data={"csrf_token": token(contratista, ALTA),
                                                         "curp": CURP_MARIA[:13] + "Ñ" + CURP_MARIA[14:]})
    assert response.status_code == 422
    assert curp.MSG_ENYE in html(response).select_one("#curp-error").get_text()


# -- Searches ----------------------------------------------------------------------------------------------------------

def _capturista(app, curp_, nombres, primer, segundo):
    with app.app_context():
        db = get_session()
        cid = db.exec(select(Contratista)).first().id
        p = Persona(curp=curp_, correo=f"{curp_.lower()}@ejemplo.mx")
        db.add(p)
        db.flush()
        db.add(Capturista(persona_id=p.id, contratista_id=cid, curp=curp_, nombres=nombres, primer_apellido=primer,
                          segundo_apellido=segundo, telefono="5512345678", estatus="activo"))
        db.commit()


@pytest.mark.parametrize("q", [nfd("PEÑA"), nfd("peña"), nfd("NÚÑEZ"), "\u200bPEÑA"],
                         ids=["nfd-upper", "nfd-lower", "nfd-nunez", "zwsp"])
def test_consulta_finds_a_name_searched_decomposed_or_with_an_invisible_character(contratista, app, q):
    """A name typed on a Mac or pasted from a PDF arrives decomposed (NFD): "PEÑA" must find PEÑA."""
    _capturista(app, CURP_MARIA, "MARÍA", "PEÑA", "NÚÑEZ")
    filas = _filas(contratista, f"/administracion/consulta?q={q}")
    assert len(filas) == 1 and "PEÑA" in filas[0], (q, filas)


@pytest.mark.parametrize("q", [nfd("NUÑEZ"), nfd("nuñez")], ids=["nfd-upper", "nfd-lower"])
def test_trabajadores_search_finds_a_name_searched_decomposed(lista, q):
    a, iid, cid = lista
    p = cfdi.persona(4)  # FERNANDA NUÑEZ OCHOA
    assert _agregar_trabajador(a, iid, cid, p.nss, p.curp, nombre=p.nombre).status_code == 303
    assert len(_filas(a, f"{_url_trabajadores(iid, cid)}?q={q}")) == 1, q


@AMBAS
@pytest.mark.parametrize("q", ["nuñez", "NUNEZ", "maria pena", "Maria Peña Nuñez"],
                         ids=["sin-acento", "sin-acento-ni-enye", "nombre-y-apellido", "mezcla"])
def test_consulta_finds_an_accented_name_searched_without_accents(contratista, app, q):
    """Most keyboards in Mexico are typed without accents: "nunez" finds NÚÑEZ, as the address locator's filter
    does (app/busqueda.py folds both sides); a name that only looks alike does not come along."""
    _capturista(app, CURP_MARIA, "MARÍA", "PEÑA", "NÚÑEZ")
    _capturista(app, "GOMA850315HDFRRL09", "MARIO", "PENAS", "SOTO")
    filas = _filas(contratista, f"/administracion/consulta?q={q}")
    assert len(filas) == 1 and "PEÑA" in filas[0], (q, filas)


@AMBAS
def test_trabajadores_search_finds_an_accented_name_searched_without_accents(lista):
    a, iid, cid = lista
    p = cfdi.persona(4)  # FERNANDA NUÑEZ OCHOA
    assert _agregar_trabajador(a, iid, cid, p.nss, p.curp, nombre=p.nombre).status_code == 303
    assert len(_filas(a, f"{_url_trabajadores(iid, cid)}?q=nunez ochoa")) == 1
    assert len(_filas(a, f"{_url_trabajadores(iid, cid)}?q=nuñes")) == 0


@pytest.mark.parametrize("separador", [" ", "-"], ids=["espacio", "guion"])
def test_trabajadores_search_finds_an_nss_written_in_groups(lista, separador):
    """The form takes the NSS as "0510 6000 044" or "0510-6000-044": the search box finds it written so."""
    a, iid, cid = lista
    p = cfdi.persona(4)
    assert _agregar_trabajador(a, iid, cid, p.nss, p.curp).status_code == 303
    assert len(_filas(a, f"{_url_trabajadores(iid, cid)}?q={p.nss[:4]}{separador}{p.nss[4:8]}")) == 1


# -- The contratante's RFC as typed on the contract page ---------------------------------------------------------------

@pytest.mark.parametrize("escrito", [
    f"{RFC_CONTRATANTE_FISICA[:4]} {RFC_CONTRATANTE_FISICA[4:10]} {RFC_CONTRATANTE_FISICA[10:]}",
    f"{RFC_CONTRATANTE_FISICA[:4]}-{RFC_CONTRATANTE_FISICA[4:10]}-{RFC_CONTRATANTE_FISICA[10:]}",
    f"{RFC_CONTRATANTE_FISICA}\u200b",
], ids=["espacios", "guiones", "zwsp"])
def test_the_known_name_is_offered_for_the_rfc_however_it_is_typed(lista, escrito):
    """Guardar reads the RFC with fiel.normalize_rfc; the name of an earlier contract with that RFC is offered for
    the same spellings."""
    a, _iid, _cid = lista
    url = f"/informativas/{informativa_id(registrar(a, cuatrimestre='3'))}/contratos/nuevo"
    doc = html(a.post(f"{url}/actualizar", data={"csrf_token": token(a, url), "rfc_contratante": escrito}))
    assert doc.select_one("#nombre_contratante").get("value") == "LUIS PÉREZ GARCÍA", escrito


def test_a_persona_fisica_rfc_with_a_decomposed_enye_is_not_asked_the_moral_question(lista):
    """13 characters with Ñ as N + U+0303 are 14 code points: the page took it for a persona moral and asked
    «¿El domicilio social … es igual a su domicilio fiscal?»."""
    a, _iid, _cid = lista
    url = f"/informativas/{informativa_id(registrar(a, cuatrimestre='3'))}/contratos/nuevo"
    rfc = cfdi.rfc_con_digito("PEÑA850315H4")
    doc = html(a.post(f"{url}/actualizar", data={"csrf_token": token(a, url), "rfc_contratante": nfd(rfc)}))
    assert not doc.select("input[name=domicilio_igual]")


# -- The worker file's name ----------------------------------------------------------------------------------------------

def test_the_preview_shows_the_uploaded_file_name_without_a_bidi_override(lista, app):
    """"nomina\u202eslx.csv" reads «nominavsc.xls»: the worker file's name goes through the same cleaning as the
    STPS acuse's (acuse.display_name: no format characters, NFC)."""
    a, iid, cid = lista
    p = cfdi.persona(4)
    nombre = nfd("nómina") + "\u202eslx.csv"
    response = a.post(f"/informativas/{iid}/contratos/{cid}/carga", content_type="multipart/form-data",
                      data={"csrf_token": token(a, _url_trabajadores(iid, cid)),
                            "archivo": (io.BytesIO(cfdi.csv_de([(p.nss, p.curp, "450.25")])), nombre)})
    assert response.status_code == 303
    doc = html(a.get(response.headers["Location"]))
    assert doc.select_one(".nombre-archivo").get_text() == "nóminaslx.csv"
    assert "\u202e" not in doc.title.get_text()
