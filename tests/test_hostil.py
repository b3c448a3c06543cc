"""No upload can stall the server: each attack is refused, with a Spanish reason and no 500, and fast.

The time bounds here are generous guards against the multi-second stalls these files caused (3-6 s for a PEM file
of BEGIN lines, 2-6 s for a PDF of nested dictionaries, 20 s for a nested zip), not measurements: the numbers are
printed by `python -m benchmarks hostil`.
"""
from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from flask import request
from pyasn1.codec.der import decoder
from pyasn1_modules import rfc5208, rfc8018

from app import acuse, fiel
from app.fiel.der import _pem_blocks
from app.uploads import limit_body

from .conftest import HTMX, NOW, html, token
from .sat import SAT_FIXTURES, requires_sat_fixtures, sat_path
from .test_acuse import raw_pdf
from .test_datos_generales import URL, entrar, pdf, post  # noqa: F401 - entrar is a fixture
from .test_fiel import _with_iterations
from .test_ingreso import validar

MB = 1024 * 1024
BEGIN = b"-----BEGIN CERTIFICATE-----\n"
# 64 KB of BEGIN lines (the quadratic case), and the same with one END at the very end, for the scan to look for.
PEM_BEGINS = BEGIN * (fiel.MAX_FILE_BYTES // len(BEGIN))
PEM_BEGINS_Y_END = BEGIN * (fiel.MAX_FILE_BYTES // len(BEGIN) - 1) + b"-----END CERTIFICATE-----\n"


def rechazo_fiel(**kwargs) -> fiel.FielRechazada:
    with pytest.raises(fiel.FielRechazada) as info:
        fiel.verify(**kwargs)
    return info.value


# PEM files of BEGIN lines: read in linear time.

@pytest.mark.parametrize("hostil", [PEM_BEGINS, PEM_BEGINS_Y_END], ids=["begin", "begin-y-end"])
@pytest.mark.parametrize(("campo", "mensaje"), [("cer", fiel.MSG_CER_INVALID), ("key", fiel.MSG_KEY_INVALID)])
def test_pem_de_lineas_begin_se_rechaza_rapido(client, juegos, hostil, campo, mensaje):
    archivo = (io.BytesIO(hostil), "ataque.cer" if campo == "cer" else "ataque.key")
    start = time.perf_counter()
    response = validar(client, juegos["moral"], **{campo: archivo})
    assert time.perf_counter() - start < 1.0  # was 3-6 s of CPU
    assert response.status_code == 422
    assert html(response).select_one(f"#{campo}-error").get_text(" ", strip=True).endswith(mensaje)


def test_pem_lector_lineal_lee_lo_que_leia(ca):
    cert = fiel.Certificado.from_der(ca.cert_der)
    pem = demo_pem(ca.cert_der)
    # An unterminated block, another label's END, a PUBLIC KEY first, then the certificate: read as before.
    data = (b"-----BEGIN CERTIFICATE-----\nAAAA\n" + b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
            + b"-----BEGIN X509 CRL-----\n-----END OTHER-----\n-----END X509 CRL-----\n" + pem)
    blocks = _pem_blocks(data)
    assert [b.label for b in blocks] == ["PUBLIC KEY", "X509 CRL", "CERTIFICATE"]
    assert blocks[-1].text == pem.strip() and blocks[-1].der == cert.der
    assert fiel.Certificado.from_bytes(data).der == cert.der
    # Dashes shared by an END and the next BEGIN, and a label with characters PEM does not allow.
    assert [b.label for b in _pem_blocks(b"-----BEGIN A-----\n-----END A-----BEGIN B-----x-----END B-----")] \
        == ["A"]
    assert _pem_blocks(b"-----BEGIN a-b-----\nAAAA\n-----END a-b-----\n") == []
    # A bundle bigger than MAX_PEM_BLOCKS is read up to it, not to its end.
    assert len(_pem_blocks(pem * (fiel.MAX_PEM_BLOCKS + 5))) == fiel.MAX_PEM_BLOCKS


def demo_pem(der: bytes) -> bytes:
    import base64
    import textwrap

    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64))
    return f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n".encode()


def test_certificado_de_miles_de_atributos_se_rechaza_sin_decodificarlo(juegos, ca):
    """pyasn1 took 150-250 ms for a name of a thousand attributes; the element count refuses it first."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    nombre = x509.Name([x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "x")])
                        for _ in range(1000)])
    cer = (x509.CertificateBuilder().subject_name(nombre).issuer_name(ca.cert.subject).public_key(key.public_key())
           .serial_number(1).not_valid_before(NOW).not_valid_after(NOW).sign(key, hashes.SHA256())
           .public_bytes(serialization.Encoding.DER))
    moral = juegos["moral"]
    error = rechazo_fiel(rfc=moral.rfc, cer=cer, key=moral.key, password="x", trust=[ca.cert_der], now=NOW)
    assert (error.field, str(error)) == ("cer", fiel.MSG_CER_INVALID)


# Encrypted keys: the key-derivation cost (an untrusted certificate before the password: tests/test_fiel.py).

def test_llave_con_mas_iteraciones_que_el_tope_se_rechaza_sin_probarla(juegos, ca):
    moral = juegos["moral"]
    args = dict(rfc=moral.rfc, cer=moral.cer, password="incorrecta", trust=[ca.cert_der], now=NOW)
    costosa = _with_iterations(moral.key, fiel.MAX_KDF_ITERATIONS + 1)
    error = rechazo_fiel(key=costosa, **args)
    assert (error.field, str(error)) == ("key", fiel.MSG_KEY_UNSUPPORTED)
    assert error.message.startswith("La llave privada está cifrada")
    # At the cap it is tried (a rewritten count derives another key, so the password does not open it).
    assert rechazo_fiel(key=_with_iterations(moral.key, fiel.MAX_KDF_ITERATIONS), **args).field == "password"


def test_llave_costosa_por_la_ruta(client, juegos):
    response = validar(client, juegos["moral"], password="incorrecta",
                       key=(io.BytesIO(_with_iterations(juegos["moral"].key, 10**6)), "llave.key"))
    assert response.status_code == 422
    assert html(response).select_one("#key-error").get_text(" ", strip=True).endswith(fiel.MSG_KEY_UNSUPPORTED)


def _iteraciones(key_der: bytes) -> int:
    info, _ = decoder.decode(key_der, asn1Spec=rfc5208.EncryptedPrivateKeyInfo())
    params, _ = decoder.decode(bytes(info["encryptionAlgorithm"]["parameters"]), asn1Spec=rfc8018.PBES2_params())
    kdf, _ = decoder.decode(bytes(params["keyDerivationFunc"]["parameters"]), asn1Spec=rfc8018.PBKDF2_params())
    return int(kdf["iterationCount"])


def test_las_llaves_demo_caben_en_el_tope(juegos):
    assert max(_iteraciones(juego.key) for juego in juegos.values()) <= fiel.MAX_KDF_ITERATIONS


@requires_sat_fixtures
def test_las_llaves_reales_del_sat_caben_en_el_tope():
    keys = sorted(SAT_FIXTURES.glob("*/private_key.key"))
    assert keys
    assert max(_iteraciones(k.read_bytes()) for k in keys) <= fiel.MAX_KDF_ITERATIONS
    protegida = sat_path("CSD_EKU9003173C9_2023", "private_key_protected.key.pem").read_bytes()  # openssl PBES2
    assert _iteraciones(_pem_blocks(protegida)[0].der) <= fiel.MAX_KDF_ITERATIONS


# Hostile PDFs: bounded time, one log line.

CATALOGO = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"]


def pdf_comprimido(extra: str = "", *, hexadecimal: bool = False) -> bytes:
    """A PDF 1.5 as current writers make it: catalog, page tree and page in a compressed object stream, indexed by
    a compressed cross-reference stream. `extra` goes into the catalog; `hexadecimal` adds ASCIIHexDecode to the
    object stream's filters (rare, and not inflated by the pre-scan)."""
    objetos = [CATALOGO[0].replace(">>", f"{extra} >>") if extra else CATALOGO[0], *CATALOGO[1:]]
    offsets, body = [], b""
    for number, text in enumerate(objetos, start=1):
        offsets.append(f"{number} {len(body)}")
        body += text.encode() + b"\n"
    header = " ".join(offsets).encode() + b"\n"
    stream = zlib.compress(header + body)
    filtro = "/FlateDecode"
    if hexadecimal:
        stream, filtro = stream.hex().encode() + b">", "[/ASCIIHexDecode /FlateDecode]"
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    at_stream = len(out)
    out += (f"4 0 obj\n<< /Type /ObjStm /N {len(objetos)} /First {len(header)} /Filter {filtro} "
            f"/Length {len(stream)} >>\nstream\n").encode() + stream + b"\nendstream\nendobj\n"
    at_xref = len(out)
    rows = [(0, 0, 65535)] + [(2, 4, i) for i in range(len(objetos))] + [(1, at_stream, 0), (1, at_xref, 0)]
    xref = zlib.compress(b"".join(bytes([t]) + f.to_bytes(4, "big") + g.to_bytes(2, "big") for t, f, g in rows))
    out += (f"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length {len(xref)} >>"
            "\nstream\n").encode() + xref + b"\nendstream\nendobj\n"
    out += f"startxref\n{at_xref}\n%%EOF\n".encode()
    return bytes(out)


ANIDADOS = "<<" * 200_000 + ">>" * 200_000
PDFS_HOSTILES = {
    # The reported one: 200,000 nested dictionaries in an object before a readable PDF (accepted after 2-6 s).
    "diccionarios-anidados": b"%PDF-1.4\n1 0 obj\n" + ANIDADOS.encode() + b"\nendobj\n" + raw_pdf(*CATALOGO)[9:],
    "diccionarios-en-el-catalogo": raw_pdf(CATALOGO[0].replace(">>", f"/X {ANIDADOS} >>"), *CATALOGO[1:]),
    "diccionarios-con-claves": raw_pdf(*CATALOGO[:2], CATALOGO[2].replace(">>", "/X " + "<< /A " * 150_000
                                                                                 + ">>" * 150_000 + " >>")),
    "arreglos-anidados": raw_pdf(*CATALOGO[:2], CATALOGO[2].replace(">>", "/X " + "[" * 500_000 + "]" * 500_000
                                                                       + " >>")),
    "size-enorme": raw_pdf(*CATALOGO).replace(b"/Size 4", b"/Size 999999999"),
    # /Count through a chain of 60,000 indirect references (pypdf also checks every one of those objects).
    "cadena-de-referencias": raw_pdf(CATALOGO[0], "<< /Type /Pages /Kids [3 0 R] /Count 4 0 R >>", CATALOGO[2],
                                     *[f"{n + 1} 0 R" for n in range(4, 60_000)], "1"),
    "miles-de-objetos": raw_pdf(*CATALOGO, *["<< /A 1 >>"] * 30_000),
    "miles-de-cadenas": raw_pdf(*CATALOGO[:2], CATALOGO[2].replace(">>", "/X [" + "()" * 300_000 + "] >>")),
    # The reported bomb compressed into a 1.2 KB object stream, and 26 MB of zeros compressed into 26 KB.
    "diccionarios-comprimidos": pdf_comprimido("/X " + ANIDADOS),
    "flujo-de-objetos-inflado": pdf_comprimido("/X (" + "0" * 26 * MB + ")"),
}


def registros(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(("pypdf", "app.acuse"))]


@pytest.mark.parametrize("nombre", PDFS_HOSTILES)
def test_pdf_hostil_se_rechaza_rapido_y_con_una_linea_de_log(nombre, caplog):
    caplog.set_level(logging.DEBUG)
    acuse.validate("calentamiento.pdf", pdf())  # the checking process starts once, outside the measurement
    caplog.clear()
    start = time.perf_counter()
    with pytest.raises(acuse.AcuseInvalido) as info:
        acuse.validate("acuse.pdf", PDFS_HOSTILES[nombre])
    assert time.perf_counter() - start < 1.0
    assert str(info.value) == acuse._COMPLEJO
    assert len(registros(caplog)) <= 1


def test_bomba_que_el_escaneo_no_ve_la_detiene_el_plazo(monkeypatch, caplog):
    """What the pre-scan does not look at (the nested dictionaries in an object stream that is hexadecimal and then
    compressed: 2.1 KB; pypdf needs 0.5-1 s for it) is stopped by the child's deadline, shortened here so that
    any machine is too slow for it, and the next check gets a fresh child."""
    caplog.set_level(logging.DEBUG)
    bomba = pdf_comprimido("/X " + ANIDADOS, hexadecimal=True)
    assert len(bomba) < 4000 and acuse._prescan(bomba) is None
    acuse.validate("calentamiento.pdf", pdf())
    monkeypatch.setattr(acuse, "TIEMPO_MAXIMO", 0.05)
    caplog.clear()
    start = time.perf_counter()
    with pytest.raises(acuse.AcuseInvalido) as info:
        acuse.validate("acuse.pdf", bomba)
    assert time.perf_counter() - start < 1.0
    assert str(info.value) == acuse._COMPLEJO
    assert len(registros(caplog)) == 1 and "0.05 s" in registros(caplog)[0].getMessage()
    monkeypatch.undo()
    assert acuse.validate("acuse.pdf", pdf()) == "acuse.pdf"


@pytest.mark.parametrize("datos", [pdf(), pdf(pages=12), pdf_comprimido(), pdf_comprimido(hexadecimal=True),
                                   raw_pdf(*CATALOGO),
                                   raw_pdf(*CATALOGO, *["<< /A [1 [2 [3 (a(b)c\\)) ] ] ] >>"] * 2000)],
                         ids=["una-pagina", "doce-paginas", "flujos-comprimidos", "flujos-hexadecimales", "a-mano",
                              "dos-mil-objetos"])
def test_pdfs_reales_pasan(datos, caplog):
    caplog.set_level(logging.DEBUG)
    assert acuse.validate("acuse.pdf", datos) == "acuse.pdf"
    assert registros(caplog) == []


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["sin-js", "htmx"])
def test_pdf_hostil_por_la_ruta(entrar, juegos, headers):
    client = entrar(juegos["fisica"])
    start = time.perf_counter()
    response = post(client, "/acuse", {}, headers,
                    {"acuse": (io.BytesIO(PDFS_HOSTILES["diccionarios-anidados"]), "acuse.pdf")})
    assert time.perf_counter() - start < 1.0
    assert response.status_code == 422
    assert html(response).select_one("#acuse-error").get_text(" ", strip=True).endswith(acuse._COMPLEJO)


# ZIP bombs for `icsoe trust add`.

def zip_de(entradas: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for nombre, contenido in entradas.items():
            archive.writestr(nombre, contenido)
    return out.getvalue()


def declara_tamano(data: bytes, nombre: str, tamano: int) -> bytes:
    """The ZIP with the size that the central directory declares for `nombre` replaced (a lie)."""
    archivo = bytearray(data)
    at = archivo.find(b"PK\x01\x02")
    while at >= 0:
        name_length = int.from_bytes(archivo[at + 28:at + 30], "little")
        if archivo[at + 46:at + 46 + name_length] == nombre.encode():
            archivo[at + 24:at + 28] = tamano.to_bytes(4, "little")
            return bytes(archivo)
        at = archivo.find(b"PK\x01\x02", at + 4)
    raise AssertionError(nombre)


@pytest.fixture(scope="module")
def interior() -> bytes:
    """A ZIP of 100 entries of 1 MB of zeros each: 100 MB in about 400 KB."""
    return zip_de(dict.fromkeys((f"ceros{i}.cer" for i in range(100)), bytes(MB)))


def test_bomba_zip_se_lee_acotada(ca, interior, caplog):
    caplog.set_level(logging.INFO)
    profunda = zip_de({"b.zip": zip_de({"c.zip": zip_de({"ca.cer": ca.cert_der})})})
    bomba = zip_de({"ca.cer": ca.cert_der, "profunda.zip": profunda,
                    **{f"interior{i}.zip": interior for i in range(30)}})  # 3 GB declared in all
    assert len(bomba) < 512 * 1024
    start = time.perf_counter()
    cas = fiel.read_ca_certificates(bomba, "bomba.zip")
    assert time.perf_counter() - start < 2.0  # the reported nested zip spent 20 s
    assert [c.fingerprint for c in cas] == [fiel.Certificado.from_der(ca.cert_der).fingerprint]
    mensajes = [r.getMessage() for r in caplog.records if r.name == "app.fiel"]
    assert any("solo se abre un ZIP anidado" in m for m in mensajes)
    assert any(f"pasa de {fiel.MAX_ZIP_TOTAL_BYTES // MB} MB" in m for m in mensajes)
    assert len(mensajes) <= fiel.MAX_SKIPPED_LOGGED + 1


def test_zip_sin_certificados_dice_por_que_en_espanol(interior):
    bomba = zip_de({f"interior{i}.zip": interior for i in range(20)})
    start = time.perf_counter()
    with pytest.raises(ValueError) as info:
        fiel.read_ca_certificates(bomba, "bomba.zip")
    assert time.perf_counter() - start < 2.0
    assert "No se encontró ningún certificado de autoridad certificadora en bomba.zip" in str(info.value)
    assert "no se leyeron; lo descomprimido del archivo pasa de 20 MB" in str(info.value)


def test_zip_no_cree_los_tamanos_que_declara(ca):
    # An entry that declares 100 bytes but inflates to 50 MB; one that declares 3 GB but holds the CA.
    data = zip_de({"mentira.cer": bytes(50 * MB), "ca.cer": ca.cert_der})
    data = declara_tamano(declara_tamano(data, "mentira.cer", 100), "ca.cer", 3 * 1024 * MB)
    start = time.perf_counter()
    cas = fiel.read_ca_certificates(data, "mentiroso.zip")
    assert time.perf_counter() - start < 2.0
    assert len(cas) == 1


def test_zip_de_miles_de_entradas():
    data = zip_de({f"e{i}.txt": b"" for i in range(fiel.MAX_ZIP_ENTRIES + 500)})
    with pytest.raises(ValueError) as info:
        fiel.read_ca_certificates(data, "muchos.zip")
    assert f"solo se leyeron los primeros {fiel.MAX_ZIP_ENTRIES}" in str(info.value)


# Form bodies: memory and number of fields.

class CuerpoPerezoso(io.RawIOBase):
    """A request body of `size` bytes ("aaa…", one URL-encoded field) made as it is read, so that the test itself
    holds none of it; seekable only for the test client, which measures it."""

    def __init__(self, size: int):
        self.size, self.position, self.read_bytes = size, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = {0: offset, 1: self.position + offset, 2: self.size + offset}[whence]
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer) -> int:
        n = max(0, min(len(buffer), self.size - self.position))
        buffer[:n] = b"a" * n
        self.position += n
        self.read_bytes += n
        return n


def test_cuerpo_urlencoded_de_60_mb_se_rechaza_sin_leerlo(entrar, juegos):
    client = entrar(juegos["moral"])
    client.get(URL)
    size = 60 * MB
    cuerpo = CuerpoPerezoso(size)
    tracemalloc.start()
    try:
        response = client.post(URL, input_stream=cuerpo, content_type="application/x-www-form-urlencoded")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 413
    assert peak < 8 * MB  # werkzeug read it whole: 125 MB at its peak (the body as bytes, then as text)
    assert cuerpo.read_bytes < 1 * MB
    doc = html(response)
    assert doc.html["lang"] == "es-MX" and "demasiado grande" in doc.get_text()


def _partes_de_archivo(partes: int, tamano: int, antes: bytes = b"") -> tuple[bytes, str]:
    """A multipart body of `partes` file fields of `tamano` bytes each, after the fields in `antes`."""
    cuerpo = antes + b"".join(
        b'------zz\r\nContent-Disposition: form-data; name="acuse%d"; filename="a%d.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" % (i, i) + b"%PDF-" + b"A" * (tamano - 5) + b"\r\n"
        for i in range(partes))
    return cuerpo + b"------zz--\r\n", "multipart/form-data; boundary=----zz"


def _pico(hacer) -> tuple[object, int]:
    tracemalloc.start()
    try:
        resultado = hacer()
        return resultado, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("url", ["/datos-generales/acuse", "/datos-generales/", "/datos-generales/domicilio/buscar",
                                 "/informativas/1/contratos/1/carga"])
def test_un_anonimo_no_sube_mas_que_a_cualquier_pagina(client, url):
    """A red-team review: the limits of the views that take a document or a worker file (64 and 52 MB) applied
    before anything asked who was sending it, and the NUL and CSRF checks, which come before the sign-in guard,
    read it: 50 MB of file parts from anyone were parsed and kept (52-56 MB of memory, eight at once half a GB)
    before a 400. Without a session the app's own 6 MB apply: 413, unread."""
    cuerpo, tipo = _partes_de_archivo(10, 5 * MB)
    response, pico = _pico(lambda: client.post(url, data=cuerpo, content_type=tipo))
    assert response.status_code == 413 and "demasiado grande" in html(response).get_text()
    assert pico < 8 * MB


def test_las_partes_de_archivo_de_una_solicitud_guardan_juntas_un_documento(entrar, juegos):
    """The same review: signed in, each file part kept its own 5 MB, so ten kept 50. The request's parts share
    one document's worth; a file left without room is too big, never read cut short."""
    client = entrar(juegos["moral"])
    csrf = token(client, URL)
    campo = b'------zz\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' + csrf.encode() + b"\r\n"
    cuerpo, tipo = _partes_de_archivo(10, 5 * MB, antes=campo)
    response, pico = _pico(lambda: client.post("/datos-generales/acuse", data=cuerpo, content_type=tipo))
    assert response.status_code < 500 and pico < 12 * MB
    # A real acuse after a 5 MB decoy: refused as too big, not stored cut.
    cuerpo, tipo = _partes_de_archivo(1, 5 * MB, antes=campo)
    cuerpo = cuerpo[:-len(b"------zz--\r\n")] + (
        b'------zz\r\nContent-Disposition: form-data; name="acuse"; filename="acuse.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + pdf() + b"\r\n------zz--\r\n")
    response = client.post("/datos-generales/acuse", data=cuerpo, content_type=tipo)
    assert response.status_code == 422 and "5 MB" in html(response).get_text()
    response = post(client, "/acuse", {}, None, {"acuse": (io.BytesIO(pdf()), "acuse.pdf")})
    assert response.status_code == 200 and "acuse.pdf" in html(response).get_text()  # alone, it is taken


def test_cuerpo_sin_longitud_declarada_se_lee_solo_hasta_el_limite(entrar, juegos, app):
    """A chunked body (no Content-Length) is read up to MAX_FORM_MEMORY_SIZE and one byte more."""
    client = entrar(juegos["moral"])
    cuerpo = CuerpoPerezoso(60 * MB)
    response = client.post(URL, input_stream=cuerpo, content_type="application/x-www-form-urlencoded",
                           environ_overrides={"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True})
    assert response.status_code == 413
    assert cuerpo.read_bytes < app.config["MAX_FORM_MEMORY_SIZE"] + 64 * 1024  # and the reader's buffer


@pytest.mark.parametrize("codificacion", ["application/x-www-form-urlencoded", "multipart/form-data"])
def test_diez_mil_campos_se_rechazan(entrar, juegos, codificacion):
    client = entrar(juegos["moral"])
    campos = {"csrf_token": token(client, URL), **{f"c{i}": "x" for i in range(10_000)}}
    response = client.post(URL, data=campos, content_type=codificacion, headers=HTMX)
    assert response.status_code == 413
    assert "demasiado grande" in html(response).get_text()


def test_campo_de_mas_de_64_kb_se_rechaza_pero_uno_largo_legitimo_no(entrar, juegos, app):
    client = entrar(juegos["moral"])
    limite = app.config["MAX_FORM_MEMORY_SIZE"]
    assert post(client, "", {"descripcion": "x" * (limite + 1)}).status_code == 413
    # A descripción far over its 250 characters still gets its own message (no 413), next to the field.
    response = post(client, "", {"descripcion": "ñ" * 5000, "domicilio_igual": "no"})
    assert response.status_code == 422


def test_el_formulario_mas_grande_cabe_en_el_limite_de_campos(entrar, juegos, app):
    """Datos generales, every field of every step of the locator, with room to spare."""
    from app.datos_generales.forms import DatosGeneralesForm

    doc = html(entrar(juegos["moral"]).get(URL))
    with app.test_request_context():
        todos = {f.name for f in DatosGeneralesForm(formdata=None)}
    nombres = {e["name"] for e in doc.select("form [name]")} | todos
    assert len(nombres) <= app.config["MAX_FORM_PARTS"] // 2


def test_limit_body_fija_los_limites_de_formulario_de_la_vista(app):
    @limit_body(1024, form_memory=16, form_parts=3)
    def prueba():
        return {"campos": len(request.form)}

    app.add_url_rule("/prueba-limites", "prueba_limites", prueba, methods=["POST"])
    from app.extensions import csrf

    csrf.exempt(prueba)
    client = app.test_client()
    assert client.post("/prueba-limites", data={"a": "1", "b": "2", "c": "3"}).json == {"campos": 3}
    assert client.post("/prueba-limites", data={"a": "1", "b": "2", "c": "3", "d": "4"}).status_code == 413
    assert client.post("/prueba-limites", data={"a": "x" * 17}).status_code == 413
    assert client.post("/prueba-limites", data={"a": "x" * 17}, content_type="multipart/form-data"
                       ).status_code == 413
    archivo = {"f": (io.BytesIO(b"x" * 2000), "f.txt")}
    assert client.post("/prueba-limites", data=archivo, content_type="multipart/form-data").status_code == 413


@pytest.mark.parametrize("iteraciones", [30_000_000, 2**40], ids=["30-millones", "2-a-la-40"])
def test_una_cabecera_pem_no_esconde_el_costo_de_la_llave(client, juegos, iteraciones):
    """The red team's freeze: a PEM "ENCRYPTED PRIVATE KEY" with a header line was not read by the cost check, and
    `cryptography` then ran 30 million PBKDF2 rounds (8 s holding the GIL), or panicked in Rust at 2**40 and the
    connection never got an answer. PKCS#8 PEM with headers is not SAT's: refused at once."""
    import base64
    import time

    der = _with_iterations(juegos["moral"].key, iteraciones)
    cuerpo = base64.encodebytes(der).decode()
    pem = f"-----BEGIN ENCRYPTED PRIVATE KEY-----\nComment: x\n\n{cuerpo}-----END ENCRYPTED PRIVATE KEY-----\n"
    inicio = time.perf_counter()
    response = validar(client, juegos["moral"], password="cualquiera", key=(io.BytesIO(pem.encode()), "llave.key"))
    assert time.perf_counter() - inicio < 1.0
    assert response.status_code == 422 and html(response).select_one("#key-error")
    # Without the header (plain PEM) the cost check reads it and refuses it just as fast.
    pem = f"-----BEGIN ENCRYPTED PRIVATE KEY-----\n{cuerpo}-----END ENCRYPTED PRIVATE KEY-----\n"
    response = validar(client, juegos["moral"], password="cualquiera", key=(io.BytesIO(pem.encode()), "llave.key"))
    assert response.status_code == 422 and fiel.MSG_KEY_UNSUPPORTED in html(response).select_one("#key-error").get_text()


@pytest.mark.parametrize("tamano", [200 * 1024, 4 * 1024 * 1024])
def test_un_archivo_binario_grande_no_choca_con_el_limite_de_campos(entrar, juegos, tamano):
    """MAX_FORM_MEMORY_SIZE bounds werkzeug's multipart buffer, files included, which it fills 64 KiB at a time:
    at 64 KiB, binary uploads (a compressed PDF, a ZIP of CFDIs) bigger than that were refused as too large."""
    import random

    client = entrar(juegos["fisica"])
    # Incompressible, with a line break every few hundred bytes as compressed data has them: the decoder keeps
    # the tail after the last one (it could start the boundary), and that tail plus the next 64 KiB passed 64 KiB.
    datos = pdf() + b"%" + random.Random(tamano).randbytes(tamano)
    response = client.post(URL, content_type="multipart/form-data", data={
        "csrf_token": token(client, URL), "correo": "maria@ejemplo.mx", "celular": "5512345678",
        "acuse": (io.BytesIO(datos), "acuse.pdf")})
    assert response.status_code in (303, 422)  # stored, or refused next to its field: never a 413 page
    assert response.status_code != 413



ARRANQUE_LENTO = """
import sys
import time
if __name__ == "__mp_main__":
    time.sleep(1.0)  # what a heavy main module costs: each child imports the server's main module again
from app import acuse
if __name__ == "__main__":
    with open(sys.argv[1], "rb") as f:
        datos = f.read()
    try:
        print(acuse.validate("acuse.pdf", datos))
    except acuse.AcuseInvalido as error:
        print(error)
        sys.exit(1)
"""


def test_el_plazo_no_cuenta_el_arranque_del_proceso(tmp_path):
    """A child's start (each child imports the server's main module again; the first one waits for the forkserver)
    is not the PDF's time: the deadline starts when the child says it is ready. Before the fix a start slower than
    TIEMPO_MAXIMO refused a normal acuse as "demasiado complejo", the first one after every server start."""
    script, acuse_pdf = tmp_path / "servidor.py", tmp_path / "acuse.pdf"
    script.write_text(ARRANQUE_LENTO, encoding="utf-8")
    acuse_pdf.write_bytes(pdf())
    raiz = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, str(script), str(acuse_pdf)], capture_output=True, text=True,
                            timeout=60, cwd=raiz, env={**os.environ, "PYTHONPATH": str(raiz)})
    assert (result.returncode, result.stdout.strip()) == (0, "acuse.pdf"), result.stdout + result.stderr
