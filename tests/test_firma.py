"""*Firmar y presentar* through the routes (issue 13): only the contratista signs, with its own e.firma checked
exactly as at ingress (the same messages and the same throttling keys); what it signs is the cadena of what is
stored; the informativa gets its folio and becomes read-only."""
from __future__ import annotations

import io
import subprocess

import pytest
from sqlmodel import select

from app import cadena, fiel, informativas, trust
from app.db import get_session
from app.fiel import sello
from app.models import Informativa, IntentoFallido, utcnow

from .conftest import html, token
from .test_administracion import CURP_LUIS, activar, alta, entrar_capturista, otro_contratista
from .test_informativa import _trabajador, a, app, informativa_id, lista, registrar  # noqa: F401  (fixtures)
from .test_ingreso import validar


def _enviar(client, iid):
    return client.post(f"/informativas/{iid}/enviar", data={"csrf_token": token(client, f"/informativas/{iid}")})


def revisado(client, iid) -> str:
    """The fingerprint the Firmar y presentar page carries (what it shows); "" when it shows no form."""
    pagina = client.get(f"/informativas/{iid}/firmar")
    campo = html(pagina).select_one("input[name=revisado]") if pagina.status_code == 200 else None
    return campo["value"] if campo else ""


def firmar(client, iid, juego, **overrides):
    """Firmar y presentar as a browser sends it from the page it shows."""
    url = f"/informativas/{iid}/firmar"
    data = {"csrf_token": token(client, f"/informativas/{iid}"), "revisado": revisado(client, iid),
            "password": juego.password,
            "cer": (io.BytesIO(juego.cer), "certificado.cer"), "key": (io.BytesIO(juego.key), "llave.key")}
    data.update(overrides)
    return client.post(url, data=data, content_type="multipart/form-data")


@pytest.fixture
def por_firmar(lista):
    a, iid, cid = lista
    assert _trabajador(a, iid, cid).status_code == 303
    assert _enviar(a, iid).status_code == 303
    return a, iid, cid


def _informativa(app, iid) -> Informativa:
    with app.app_context():
        return get_session().get(Informativa, iid)


def test_the_contratista_signs_and_presents(por_firmar, app, juegos):
    a, iid, _ = por_firmar
    # Inicio tells the contratista what waits for its e.firma.
    tablero = html(a.get("/inicio/tablero")).select_one("#por-firmar-titulo").parent
    assert "Normal de Mayo–Agosto 2026: 1 contrato(s), 1 trabajador(es)." in tablero.get_text(" ", strip=True)
    assert tablero.select_one(f"a[href='/informativas/{iid}/firmar']")
    doc = html(a.get(f"/informativas/{iid}"))
    assert doc.select_one(f"a[href='/informativas/{iid}/firmar']").get_text() == "Firmar y presentar"
    page = a.get(f"/informativas/{iid}/firmar")
    resumen = html(page).select_one("dl.resumen").get_text(" ", strip=True)
    assert page.status_code == 200 and "Contratos 1" in resumen and "Trabajadores 1" in resumen
    # 2026-2's deadline (17/09/2026) has passed: it is still received, marked.
    assert "presentada fuera de plazo" in html(page).select_one("main").get_text()

    response = firmar(a, iid, juegos["moral"])
    assert response.status_code == 303 and response.headers["Location"] == f"/informativas/{iid}"
    informativa = _informativa(app, iid)
    assert informativa.estatus == "presentada" and informativa.folio.startswith("ICSOE-N")
    assert informativa.fuera_de_plazo is True and informativa.rfc_firmante == juegos["moral"].rfc
    assert sello.verificar(informativa.certificado, informativa.cadena.encode(), sello.de_texto(informativa.sello))
    with app.app_context():
        assert informativas.cadena_reconstruida(get_session(), informativa) == informativa.cadena
    doc = html(a.get(f"/informativas/{iid}"))
    texto = doc.select_one("main").get_text(" ", strip=True)
    assert informativa.folio in texto and "Presentada fuera de plazo" in texto
    assert f"Se presentó la informativa con el folio {informativa.folio}" in texto
    assert not doc.select(f"form[action='/informativas/{iid}/regresar']")
    assert not html(a.get("/inicio/tablero")).select("#por-firmar-titulo")
    # Signed once: a second POST (a double click) and any change are refused.
    assert firmar(a, iid, juegos["moral"]).status_code == 409
    assert a.get(f"/informativas/{iid}/firmar").status_code == 303
    assert a.post(f"/informativas/{iid}/regresar",
                  data={"csrf_token": token(a, f"/informativas/{iid}")}).status_code == 409


def test_the_sello_verifies_with_openssl(por_firmar, app, juegos, tmp_path):
    a, iid, _ = por_firmar
    firmar(a, iid, juegos["moral"])
    informativa = _informativa(app, iid)
    (tmp_path / "cadena.txt").write_bytes(informativa.cadena.encode())
    (tmp_path / "sello.bin").write_bytes(sello.de_texto(informativa.sello))
    (tmp_path / "cert.der").write_bytes(informativa.certificado)
    subprocess.run(["openssl", "x509", "-inform", "DER", "-in", tmp_path / "cert.der", "-pubkey", "-noout",
                    "-out", tmp_path / "pub.pem"], check=True)
    resultado = subprocess.run(["openssl", "dgst", "-sha256", "-verify", tmp_path / "pub.pem", "-signature",
                                tmp_path / "sello.bin", tmp_path / "cadena.txt"], capture_output=True, text=True)
    assert resultado.stdout.strip() == "Verified OK"


@pytest.mark.parametrize("nombre", ["otra", "csd", "representante", "vencida", "ajena"])
def test_an_e_firma_that_is_not_the_contratistas_own_is_refused_as_at_ingress(por_firmar, app, juegos, nombre):
    """Another company's e.firma, its CSD, its legal representative's, an expired one, one from an untrusted CA:
    each refused with ingress's own message, and nothing presented."""
    a, iid, _ = por_firmar
    juego = juegos[nombre]
    response = firmar(a, iid, juego)
    assert response.status_code == 422
    mensajes = html(response).select_one(".error-summary").get_text(" ", strip=True)
    with pytest.raises(fiel.FielRechazada) as esperado:
        with app.app_context():
            fiel.verify(juegos["moral"].rfc, juego.cer, juego.key, juego.password,
                        trust=trust.store(get_session()), now=utcnow())
    assert str(esperado.value) in mensajes
    assert _informativa(app, iid).estatus == "por_firmar"


def test_a_wrong_password_is_refused_next_to_its_field(por_firmar, app, juegos):
    a, iid, _ = por_firmar
    response = firmar(a, iid, juegos["moral"], password="no-es-esta")
    doc = html(response)
    assert response.status_code == 422 and doc.select_one("#password-error")
    assert "vuelve a seleccionar el certificado" in doc.get_text()
    assert firmar(a, iid, juegos["moral"], cer=(io.BytesIO(b""), "")).status_code == 422
    assert _informativa(app, iid).estatus == "por_firmar"


def test_a_strangers_guesses_at_validar_never_stop_the_owners_firma(por_firmar, app, juegos):
    """Attack: a stranger behind the owner's address (her office, her carrier's NAT) tries her certificate with
    wrong passwords at Validar until that address is refused. The signed-in owner still signs on the deadline's day:
    Firmar y presentar is counted against the signed-in contratista, whom no stranger can be."""
    a, iid, _ = por_firmar
    extrano = app.test_client()  # same address as the owner's browser, none of its cookies
    for _ in range(5):
        assert validar(extrano, juegos["moral"], password="adivinanza").status_code == 422
    assert validar(extrano, juegos["moral"]).status_code == 429  # the stranger's address: wait
    assert firmar(a, iid, juegos["moral"]).status_code == 303
    assert _informativa(app, iid).estatus == "presentada"


def test_wrong_passwords_at_firmar_are_counted_against_the_contratista_from_any_address(por_firmar, app, juegos):
    """Five wrong passwords at Firmar y presentar, from five addresses: the sixth, right or not, waits. The
    certificate's count as a whole (a delay only) is the one ingress keeps too."""
    a, iid, _ = por_firmar
    for n in range(5):
        a.environ_base["REMOTE_ADDR"] = f"198.51.100.{n + 1}"
        assert firmar(a, iid, juegos["moral"], password="adivinanza").status_code == 422
    a.environ_base["REMOTE_ADDR"] = "198.51.100.99"
    response = firmar(a, iid, juegos["moral"])
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "Demasiados intentos fallidos" in html(response).get_text()
    assert _informativa(app, iid).estatus == "por_firmar"
    with app.app_context():
        claves = {i.clave.partition(":")[0] for i in get_session().exec(select(IntentoFallido)).all()}
    assert {c for c in claves if not c.startswith("bitacora")} == {"efirma-cuenta", "cer-cuenta", "cer"}


def test_firmar_gives_no_more_guesses_at_another_companys_certificate(por_firmar, app, juegos):
    """Attack: a signed-in contratista holds another company's stolen .key. After its five guesses at Validar, Firmar
    y presentar on its own informativa gives none more: a certificate not of the signed-in contratista is counted
    by address there too (the key is opened before the RFC is compared, so a right guess would show)."""
    a, iid, _ = por_firmar
    for _ in range(5):
        assert validar(a, juegos["otra"], password="adivinanza").status_code == 422
    assert validar(a, juegos["otra"], password="adivinanza").status_code == 429
    assert firmar(a, iid, juegos["otra"], password="adivinanza").status_code == 429
    assert firmar(a, iid, juegos["otra"]).status_code == 429


def test_a_capturista_never_signs(por_firmar, app):
    a, iid, _ = por_firmar
    alta(a, CURP_LUIS)
    activar(app.test_client(), app)
    capturista = app.test_client()
    entrar_capturista(capturista)
    doc = html(capturista.get(f"/informativas/{iid}"))
    assert not doc.select(f"a[href='/informativas/{iid}/firmar']")
    assert "el contratista la firma y la presenta con su e.firma" in doc.get_text()
    assert capturista.get(f"/informativas/{iid}/firmar").status_code == 403
    response = capturista.post(f"/informativas/{iid}/firmar",
                               data={"csrf_token": token(capturista, f"/informativas/{iid}")})
    assert response.status_code == 403


def test_another_contratista_gets_404(por_firmar, app, juegos):
    _, iid, _ = por_firmar
    otro = otro_contratista(app, juegos["otra"])
    assert otro.get(f"/informativas/{iid}/firmar").status_code == 404
    assert firmar(otro, iid, juegos["otra"]).status_code in (400, 404)  # its CSRF token read from a 404 page
    response = otro.post(f"/informativas/{iid}/firmar", data={"csrf_token": token(otro, "/informativas/")})
    assert response.status_code == 404
    assert _informativa(app, iid).estatus == "por_firmar"


def test_an_informativa_in_capture_cannot_be_signed(lista, app, juegos):
    a, iid, cid = lista
    _trabajador(a, iid, cid)
    assert a.get(f"/informativas/{iid}/firmar").status_code == 303
    assert firmar(a, iid, juegos["moral"]).status_code == 409


def test_a_sin_informacion_is_signed_with_no_contracts(a, app, juegos):
    iid = informativa_id(registrar(a, tipo="sin_informacion"))
    assert _enviar(a, iid).status_code == 303
    assert firmar(a, iid, juegos["moral"]).status_code == 303
    informativa = _informativa(app, iid)
    assert informativa.folio.startswith("ICSOE-S") and "|sin_informacion||0|0||" in informativa.cadena


def test_a_persona_fisica_signs_with_its_name_as_its_certificate_writes_it(app, client, juegos):
    from .test_administracion import preparar

    fisica = preparar(app, client, juegos["fisica"], directorio=False)
    iid = informativa_id(registrar(fisica, tipo="sin_informacion"))
    _enviar(fisica, iid)
    assert firmar(fisica, iid, juegos["fisica"]).status_code == 303
    informativa = _informativa(app, iid)
    assert "|PEÑM800101AB2|MARÍA PEÑA NÚÑEZ|" in informativa.cadena
    assert informativa.nombre_firmante == "MARÍA PEÑA NÚÑEZ" and cadena.VERSION in informativa.cadena


def test_a_filing_of_a_thousand_contracts_is_presented_with_its_acuse(por_firmar, app, juegos):
    """A red-team review: a contract's folio numbered at most 999; a filing of 1,000 contracts was presented, and its
    acuse (the PDF, Verificar acuse) answered 500 ever after. Numbers go on from 1,000 (four digits); revision
    refuses a filing of more than folios.MAX_CONTRATO before it can be signed."""
    from datetime import datetime, timezone
    from decimal import Decimal

    from sqlalchemy import insert

    from app.models import Contrato, Trabajador

    a, iid, cid = por_firmar
    assert a.post(f"/informativas/{iid}/regresar", data={"csrf_token": token(a, f"/informativas/{iid}")}
                  ).status_code == 303
    with app.app_context():
        db = get_session()
        base, ahora = db.get(Contrato, cid), datetime.now(timezone.utc)
        trabajador = db.exec(select(Trabajador).where(Trabajador.contrato_id == cid)).one()
        for _ in range(999):  # what 999 more «Guardar contrato», one worker each, store
            c = Contrato(**base.model_dump(exclude={"id", "clave_alta", "creado", "actualizado"}))
            db.add(c)
            db.flush()
            db.execute(insert(Trabajador.__table__), [
                {"contrato_id": c.id, "nss": trabajador.nss, "curp": trabajador.curp, "sbc": Decimal("300.00"),
                 "nombre": "X", "origen": "manual", "creado": ahora}])
        db.commit()
    assert _enviar(a, iid).status_code == 303
    assert firmar(a, iid, juegos["moral"]).status_code == 303
    informativa = _informativa(app, iid)
    assert informativa.estatus == "presentada"
    respuesta = a.get(f"/acuses/{informativa.folio}.pdf")
    assert respuesta.status_code == 200 and respuesta.data.startswith(b"%PDF-")
    assert app.test_client().get(f"/acuses/verificar?folio={informativa.folio}&sello={informativa.sello[:8]}"
                                 ).status_code == 200


def test_a_second_click_says_where_the_informativa_stands(lista, app, juegos):
    """A double click (or a second tab) on Enviar a firma, Agregar trabajador once sent, Firmar y presentar and
    Agregar trabajadores of a file: the second answer says what happened, with a link to the informativa (it was a
    bare "Solicitud no válida", or a 404 after the workers had been added); a second Enviar a firma lands on the
    informativa, sent."""
    from . import cfdi
    from .test_informativa import _cargar

    a, iid, cid = lista
    trabajadores = f"/informativas/{iid}/contratos/{cid}/trabajadores"
    doc = html(a.get(_cargar(a, iid, cid, "t.csv", cfdi.csv_de(cfdi.filas_de([cfdi.persona(5)]))).headers["Location"]))
    agregar = doc.select_one("form[action$='/agregar']")["action"]
    csrf = token(a, trabajadores)
    assert a.post(agregar, data={"csrf_token": csrf}).status_code == 303
    segunda = a.post(agregar, data={"csrf_token": csrf})
    assert segunda.status_code == 303 and segunda.headers["Location"] == trabajadores
    assert "sus trabajadores ya se agregaron" in html(a.get(trabajadores)).get_text()

    def conflicto(response, *palabras):
        assert response.status_code == 409
        aviso = html(response).select_one(".aviso--error")
        assert "no es válida" not in aviso.get_text() and all(p in aviso.get_text() for p in palabras), aviso
        assert aviso.select_one(f"a[href='/informativas/{iid}']").get_text() == "Ver la informativa"

    assert a.post(f"/informativas/{iid}/enviar", data={"csrf_token": csrf}).status_code == 303
    # Enviar a firma again: what it asks is done; the informativa's page says so (tests/test_doble_envio.py).
    segunda = a.post(f"/informativas/{iid}/enviar", data={"csrf_token": csrf})
    assert segunda.status_code == 303 and segunda.headers["Location"] == f"/informativas/{iid}"
    assert "ya se había enviado a firma" in html(a.get(f"/informativas/{iid}")).get_text()
    p = cfdi.persona(6)
    conflicto(a.post(trabajadores, data={"csrf_token": csrf, "nss": p.nss, "curp": p.curp, "sbc": "450.25"}),
              "regrésala a captura")
    # htmx: the same words in the page's alert region, the form left as it was.
    response = a.post(trabajadores, data={"csrf_token": csrf, "nss": p.nss, "curp": p.curp, "sbc": "450.25"},
                      headers={"HX-Request": "true"})
    assert response.headers["HX-Retarget"] == "#avisos" and "<html" not in response.get_data(as_text=True)
    conflicto(response, "ya se envió a firma")
    assert firmar(a, iid, juegos["moral"]).status_code == 303
    folio = _informativa(app, iid).folio
    conflicto(firmar(a, iid, juegos["moral"]), f"ya se presentó con el folio {folio}", "registra una complementaria")
