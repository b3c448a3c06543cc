"""Wire weight (issue 14, §3): bytes a real Chromium sends and receives, headers included (1 KB = 1,024 B).

    python -m benchmarks peso

- Every page a user reaches by GET, visited once with the browser cache disabled (a first visit): its requests
  (target <= 3: the page, app.css, htmx) and the KB received with their headers (target <= 20 KB).
- The onboarding of a contratista, both ways (target <= 60 KB): the e.firma sign-in from the landing page, the
  términos, Datos generales with the locator (postal code, colonia, street, Aceptar), the STPS acuse and Guardar,
  then the first alta of a capturista. The browser's cache works as it would for a new user: empty at the start,
  so app.css and htmx come once and are kept (their URLs are immutable for a year). Each change is followed by a
  pause longer than the draft's 300 ms delay, as a person's would be, so the draft keeps every change with its own
  request; the total is also printed without those autosaves (a script typing faster sends fewer of them).
- The same onboarding as a deployment serves it (README "Varios nodos"): through haproxy on deploy/haproxy.cfg
  with TLS and ALPN h2, so Chromium speaks HTTP/2, on a fresh instance configured as deploy/icsoe.env.example
  configures one (ICSOE_HTTPS=1: Secure cookies and HSTS). There the bytes are counted on the wire
  itself, by a TCP relay between Chromium and haproxy (`Contador`): TLS records, the handshake (with a certificate
  chain shaped like a public CA's: `_certificado`) and HTTP/2's compressed headers, without the PDF.

How the bytes are counted (CDP, Network domain):
- received: `encodedDataLength` of each response (`loadingFinished`; a redirect's own from the `redirectResponse`
  of the next hop): the status line, the headers and the body as it came over the socket (compressed).
- sent: for each hop, the request line plus the headers Chromium really put on the socket
  (`requestWillBeSentExtraInfo`: cookies included), plus the body's Content-Length. The STPS acuse's PDF bytes are
  subtracted from the onboarding total (its multipart part headers stay counted); the .cer and .key of the e.firma
  stay counted. TCP/IP overhead is not counted.

The app runs on waitress on loopback, over a fresh `icsoe init --demo` instance (the demo e.firma sets, the demo
CURP directory and the postal-code catalog).
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

KB = 1024
PAGINA = 20 * KB
ONBOARDING = 60 * KB
REPO = Path(__file__).resolve().parents[1]

ANONIMAS = ["/", "/ingreso/efirma", "/ingreso/restablecer", "/acuses/verificar"]
CONTRATISTA = ["/ingreso/terminos", "/datos-generales/configuracion", "/inicio/tablero", "/datos-generales/",
               "/datos-generales/repse", "/informativas/", "/acuses/", "/bitacora/", "/administracion/alta",
               "/administracion/consulta"]
CAPTURISTA = ["/ingreso/inicio", "/informativas/", "/acuses/"]


class Red:
    """What one page's CDP session sees: per request id, its hops (a redirect is one more hop), each with its url,
    method, the bytes of the request's line and headers and of its body, the bytes received and the response's
    status line and headers among them. Answers from the browser's cache are left out (nothing crossed the wire)."""

    def __init__(self, page, cache: bool):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": not cache})
        self.saltos: dict[str, list[dict]] = {}
        self._cabeceras_enviadas: dict[str, list[dict]] = {}
        self._cabeceras_recibidas: dict[str, list[int]] = {}
        self._de_cache: set[str] = set()
        self.cdp.on("Network.requestWillBeSent", self._enviada)
        self.cdp.on("Network.requestWillBeSentExtraInfo",
                    lambda e: self._cabeceras_enviadas.setdefault(e["requestId"], []).append(e["headers"]))
        self.cdp.on("Network.responseReceivedExtraInfo", lambda e: self._cabeceras_recibidas.setdefault(
            e["requestId"], []).append(len((e.get("headersText") or "").encode())))
        self.cdp.on("Network.requestServedFromCache", lambda e: self._de_cache.add(e["requestId"]))
        self.cdp.on("Network.loadingFinished", self._terminada)
        self.cdp.on("Network.loadingFailed", self._terminada)

    def _enviada(self, e):
        if e["request"]["url"].startswith("data:"):
            return
        saltos = self.saltos.setdefault(e["requestId"], [])
        if e.get("redirectResponse") and saltos:
            saltos[-1]["recibido"] = e["redirectResponse"].get("encodedDataLength", 0)
        saltos.append({"url": e["request"]["url"], "metodo": e["request"]["method"], "recibido": 0,
                       "cuerpo_estimado": len((e["request"].get("postData") or "").encode())})

    def _terminada(self, e):
        saltos = self.saltos.get(e["requestId"])
        if saltos:
            saltos[-1]["recibido"] = e.get("encodedDataLength", 0)

    def limpiar(self):
        for registro in (self.saltos, self._cabeceras_enviadas, self._cabeceras_recibidas):
            registro.clear()
        self._de_cache.clear()

    def filas(self) -> list[dict]:
        """Every hop that crossed the wire, with "cabeceras" and "cuerpo" sent, "recibido" and "cabeceras_r"."""
        filas = []
        for rid, saltos in self.saltos.items():
            if rid in self._de_cache:
                continue
            enviadas = self._cabeceras_enviadas.get(rid, [])
            recibidas = self._cabeceras_recibidas.get(rid, [])
            for i, salto in enumerate(saltos):
                cabeceras = enviadas[i] if i < len(enviadas) else {}
                partes = urlsplit(salto["url"])
                linea = f"{salto['metodo']} {partes.path}{'?' + partes.query if partes.query else ''} HTTP/1.1\r\n"
                texto = "".join(f"{k}: {v}\r\n" for k, v in cabeceras.items()) + "\r\n"
                largo = next((int(v) for k, v in cabeceras.items() if k.lower() == "content-length"), None)
                filas.append({**salto, "cabeceras": len(linea.encode()) + len(texto.encode()),
                              "cuerpo": largo if largo is not None else salto["cuerpo_estimado"],
                              "cabeceras_r": recibidas[i] if i < len(recibidas) else 0})
        return filas


def _preparar(carpeta: Path) -> dict:
    entorno = {k: v for k, v in os.environ.items() if not k.startswith(("ICSOE_", "DATABASE_URL", "SECRET_KEY"))}
    entorno["ICSOE_INSTANCE"] = str(carpeta)
    salida = subprocess.run([sys.executable, "-c", "from app.cli import main; main()", "init", "--demo"], cwd=REPO,
                            env=entorno, check=True, capture_output=True, text=True).stdout
    curps = salida.rsplit("Alta de usuarios las completa con sus nombres): ", 1)[1].split(",")
    texto = (carpeta / "demo" / "README.txt").read_text(encoding="utf-8")
    rfc = texto.split("fiel_persona_moral/", 1)[1].split("RFC a capturar:", 1)[1].split()[0]
    return {"rfc": rfc, "curp": curps[0].strip(), "efirma": carpeta / "demo" / "fiel_persona_moral"}


def _servir(carpeta: Path, proxies: int = 0, https: bool = False):
    """The app on icsoe serve's server; `https`: configured as behind HTTPS (ICSOE_HTTPS=1, as deploy/ sets it:
    Secure cookies and HSTS)."""
    from app import create_app
    from app.servidor import crear

    for variable in ("DATABASE_URL", "SECRET_KEY", "ICSOE_HTTPS"):
        os.environ.pop(variable, None)
    if https:
        os.environ["ICSOE_HTTPS"] = "1"
    try:
        app = create_app({"PROXIES": proxies}, instance_path=str(carpeta))
    finally:
        os.environ.pop("ICSOE_HTTPS", None)
    server = crear(app, host="127.0.0.1", port=0, threads=4)  # as `icsoe serve`
    app.config["ICSOE_URL"] = f"http://127.0.0.1:{server.effective_port}"
    threading.Thread(target=server.run, daemon=True).start()
    return app, server, f"http://127.0.0.1:{server.effective_port}"


def _esperar(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(150)  # CDP's loadingFinished may trail Playwright's view of the response


def _visitar(page, red: Red, base: str, ruta: str, nombre: str | None = None) -> tuple[int, int]:
    red.limpiar()
    page.goto(base + ruta)
    _esperar(page)
    filas = red.filas()
    total = sum(f["recibido"] for f in filas)
    detalle = ", ".join(f"{f['recibido'] / KB:.1f} {urlsplit(f['url']).path.rsplit('/', 1)[-1] or 'page'}"
                        for f in filas[1:])
    print(f"peso: {nombre or ruta:<32} {len(filas)} requests, {total / KB:5.1f} KB ({total / PAGINA:.2f} of 20 KB)"
          f"  [page {filas[0]['recibido'] / KB:.1f} KB, of it headers {filas[0]['cabeceras_r'] / KB:.1f}; {detalle}]")
    return len(filas), total


def _onboarding(page, datos: dict, pdf: Path) -> None:
    """The user's steps, each change followed by a pause longer than the draft's 300 ms delay: a person does not
    type the next field within 300 ms, so every change is kept by its own request, as it would be."""
    from playwright.sync_api import expect

    def pausa():
        page.wait_for_timeout(400)

    from tests.browser.test_datos_generales_browser import hasta_datos_generales

    page.get_by_role("link", name="Ingresar con e.firma").click()
    hasta_datos_generales(page, datos["rfc"], str(datos["efirma"] / "certificate.cer"),
                          str(datos["efirma"] / "private_key.key"), "12345678a")

    page.get_by_label("Correo electrónico").fill("contacto@ejemplo.mx")
    page.get_by_label("Correo electrónico").press("Tab")
    pausa()
    page.get_by_label("Celular").fill("5512345678")
    page.get_by_label("Celular").press("Tab")
    pausa()
    page.get_by_role("radio", name="No").first.check()
    pausa()
    page.get_by_label("Código Postal").fill("01000")
    with page.expect_response("**/domicilio/buscar"):
        page.get_by_label("Código Postal").press("Tab")
    pausa()
    page.get_by_label("Colonia").select_option(label="San Ángel")
    pausa()
    page.get_by_role("button", name="Ubicar").click()
    expect(page.locator("#paso-titulo")).to_contain_text("Paso 2 / 3")
    page.locator("#calle_tipo").select_option("CALLE")
    pausa()
    page.locator("#calle_nombre").fill("Reforma")
    page.locator("#calle_nombre").press("Tab")
    pausa()
    page.get_by_label("Número exterior", exact=True).fill("23")
    page.get_by_label("Número exterior", exact=True).press("Tab")
    pausa()
    page.get_by_role("button", name="Ubicar").click()
    expect(page.locator("#paso-titulo")).to_contain_text("Paso 3 / 3")
    page.get_by_role("button", name="Aceptar").click()
    expect(page.locator("#paso-titulo")).to_have_text("Domicilio social ubicado")
    page.get_by_label("Acuse de registro en padrón de la STPS").set_input_files(str(pdf))
    expect(page.locator("#acuse-archivo")).to_contain_text(pdf.name)
    pausa()
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Tus datos generales se guardaron correctamente.")).to_be_visible()

    page.get_by_role("link", name="Alta de usuarios").click()
    page.get_by_label("CURP").fill(datos["curp"])
    page.get_by_role("button", name="Validar").click()
    expect(page.get_by_label("Nombre(s)")).not_to_have_value("")
    page.get_by_label("Teléfono").fill("5598765432")
    page.get_by_label("Correo electrónico", exact=True).fill("luis@ejemplo.mx")
    page.get_by_label("Confirmar correo electrónico").fill("luis@ejemplo.mx")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("El usuario se guardo exitosamente")).to_be_visible()
    _esperar(page)


def _informe_onboarding(filas: list[dict], pdf_bytes: int) -> None:
    por_ruta: dict[str, list[int]] = {}
    for f in filas:
        suma = por_ruta.setdefault(f"{f['metodo']} {urlsplit(f['url']).path}", [0, 0, 0])
        suma[0] += 1
        suma[1] += f["cabeceras"] + f["cuerpo"]
        suma[2] += f["recibido"]
    print("peso: onboarding (landing, e.firma, términos, Datos generales with the locator and the acuse, first alta), "
          "both ways, by route:")
    for clave, (n, enviado, recibido) in por_ruta.items():
        print(f"      {n:>2} x {clave:<44} sent {enviado / KB:5.1f} KB, received {recibido / KB:5.1f} KB")
    cabeceras, cuerpos = sum(f["cabeceras"] for f in filas), sum(f["cuerpo"] for f in filas)
    recibido, cabeceras_r = sum(f["recibido"] for f in filas), sum(f["cabeceras_r"] for f in filas)
    total = cabeceras + cuerpos - pdf_bytes + recibido
    print(f"peso: onboarding: {len(filas)} requests; sent {(cabeceras + cuerpos - pdf_bytes) / KB:.1f} KB (headers "
          f"{cabeceras / KB:.1f}, bodies {(cuerpos - pdf_bytes) / KB:.1f} without the {pdf_bytes / KB:.1f} KB PDF), "
          f"received {recibido / KB:.1f} KB (headers {cabeceras_r / KB:.1f}); total {total / KB:.1f} KB "
          f"({total / ONBOARDING:.2f} of 60 KB)")
    borradores = [f for f in filas if urlsplit(f["url"]).path.endswith("/borrador")]
    sin = total - sum(f["cabeceras"] + f["cuerpo"] + f["recibido"] for f in borradores)
    print(f"peso: onboarding without its {len(borradores)} draft autosaves (one per change at a person's pace; "
          f"a script typing within 300 ms sends fewer): {sin / KB:.1f} KB ({sin / ONBOARDING:.2f} of 60 KB)")


class Contador:
    """A TCP relay on loopback that counts the bytes crossing it each way: what the wire carries between the browser
    and the proxy, TLS records and HTTP/2 frames included (TCP/IP headers not)."""

    def __init__(self, puerto_destino: int):
        self.destino = puerto_destino
        self.enviados = self.recibidos = self.conexiones = 0
        self._cerrojo = threading.Lock()
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.puerto = self._socket.getsockname()[1]
        threading.Thread(target=self._aceptar, daemon=True).start()

    def _aceptar(self) -> None:
        while True:
            try:
                cliente, _ = self._socket.accept()
            except OSError:
                return
            servidor = socket.create_connection(("127.0.0.1", self.destino))
            with self._cerrojo:
                self.conexiones += 1
            threading.Thread(target=self._copiar, args=(cliente, servidor, "enviados"), daemon=True).start()
            threading.Thread(target=self._copiar, args=(servidor, cliente, "recibidos"), daemon=True).start()

    def _copiar(self, origen: socket.socket, destino: socket.socket, cuenta: str) -> None:
        try:
            while datos := origen.recv(65536):
                with self._cerrojo:
                    setattr(self, cuenta, getattr(self, cuenta) + len(datos))
                destino.sendall(datos)
        except OSError:
            pass
        finally:
            for extremo in (origen, destino):
                try:
                    extremo.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def reiniciar(self) -> None:
        with self._cerrojo:
            self.enviados = self.recibidos = self.conexiones = 0

    def cerrar(self) -> None:
        self._socket.close()


def _certificado(carpeta: Path) -> tuple[Path, str, int]:
    """A certificate chain shaped like a public CA's (Let's Encrypt's ECDSA one): a P-256 leaf for 127.0.0.1 with a
    public leaf's extensions (240 B standing in for its embedded CT timestamps), signed by a P-384 intermediate that
    a P-384 root signed. The leaf, the intermediate and the leaf's key in one PEM, as haproxy reads and sends them
    (the root stays with the browser); and the base64 SHA-256 of the leaf's public key, which Chromium is told to
    trust (--ignore-certificate-errors-spki-list), as it would trust a public root; and the bytes of the chain."""
    import base64
    import datetime
    import hashlib
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

    ahora = datetime.datetime.now(datetime.timezone.utc)

    def nombre(cn: str, o: str | None = None) -> x509.Name:
        partes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "US")] if o else []
        partes += [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o)] if o else []
        return x509.Name([*partes, x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def firmar(sujeto, llave_sujeto, emisor, llave_emisor, extensiones, dias: int):
        constructor = (x509.CertificateBuilder().subject_name(sujeto).issuer_name(emisor)
                       .public_key(llave_sujeto.public_key()).serial_number(x509.random_serial_number())
                       .not_valid_before(ahora).not_valid_after(ahora + datetime.timedelta(days=dias)))
        for extension, critica in extensiones:
            constructor = constructor.add_extension(extension, critical=critica)
        return constructor.sign(llave_emisor, hashes.SHA384())

    def comunes(llave_sujeto, llave_emisor, emisor_url: str) -> list:
        return [(x509.SubjectKeyIdentifier.from_public_key(llave_sujeto.public_key()), False),
                (x509.AuthorityKeyIdentifier.from_issuer_public_key(llave_emisor.public_key()), False),
                (x509.AuthorityInformationAccess([x509.AccessDescription(
                    x509.oid.AuthorityInformationAccessOID.CA_ISSUERS,
                    x509.UniformResourceIdentifier(emisor_url))]), False),
                (x509.CertificatePolicies([x509.PolicyInformation(ObjectIdentifier("2.23.140.1.2.1"), None)]),
                 False)]

    raiz = ec.generate_private_key(ec.SECP384R1())
    intermedia = ec.generate_private_key(ec.SECP384R1())
    hoja = ec.generate_private_key(ec.SECP256R1())
    nombre_raiz = nombre("ISRG Root X2", "Internet Security Research Group")
    nombre_intermedia = nombre("E6", "Let's Encrypt")
    certificado_intermedia = firmar(nombre_intermedia, intermedia, nombre_raiz, raiz, [
        (x509.BasicConstraints(ca=True, path_length=0), True),
        (x509.KeyUsage(True, False, False, False, False, True, True, False, False), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH]), False),
        *comunes(intermedia, raiz, "http://x2.i.lencr.org/"),
        (x509.CRLDistributionPoints([x509.DistributionPoint(
            [x509.UniformResourceIdentifier("http://x2.c.lencr.org/")], None, None, None)]), False),
    ], 1095)
    certificado_hoja = firmar(nombre("127.0.0.1"), hoja, nombre_intermedia, intermedia, [
        (x509.KeyUsage(True, False, False, False, False, False, False, False, False), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
        (x509.BasicConstraints(ca=False, path_length=None), True),
        *comunes(hoja, intermedia, "http://e6.i.lencr.org/"),
        (x509.CRLDistributionPoints([x509.DistributionPoint(
            [x509.UniformResourceIdentifier("http://e6.c.lencr.org/42.crl")], None, None, None)]), False),
        (x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False),
        # Two embedded CT timestamps weigh about 240 B in a public leaf; an unknown extension of that size here.
        (x509.UnrecognizedExtension(ObjectIdentifier("1.3.6.1.4.1.55555.1"), b"\x04\x81\xf0" + bytes(240)), False),
    ], 90)
    pem = carpeta / "tls.pem"
    pem.write_bytes(certificado_hoja.public_bytes(serialization.Encoding.PEM)
                    + certificado_intermedia.public_bytes(serialization.Encoding.PEM)
                    + hoja.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()))
    spki = hoja.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    cadena = sum(len(c.public_bytes(serialization.Encoding.DER)) for c in (certificado_hoja, certificado_intermedia))
    return pem, base64.b64encode(hashlib.sha256(spki).digest()).decode(), cadena


def _haproxy_tls(carpeta: Path, puerto_nodo: int, pem: Path):
    """haproxy on deploy/haproxy.cfg, as README "Varios nodos" deploys it with TLS: the frontend bound with the
    certificate and ALPN h2 (HTTP/2, as browsers speak it over TLS), both servers pointed at the one node."""
    from tests.cluster import HAPROXY, _puerto_libre

    puerto = _puerto_libre()
    texto = (REPO / "deploy" / "haproxy.cfg").read_text(encoding="utf-8")
    tls = f"bind 127.0.0.1:{puerto} ssl crt {pem} alpn h2,http/1.1"
    for viejo, nuevo in (("bind 127.0.0.1:8080", tls), ("127.0.0.1:8001", f"127.0.0.1:{puerto_nodo}"),
                         ("127.0.0.1:8002", f"127.0.0.1:{puerto_nodo}")):
        assert viejo in texto, f"deploy/haproxy.cfg no longer has {viejo}"
        texto = texto.replace(viejo, nuevo)
    configuracion = carpeta / "haproxy.cfg"
    configuracion.write_text(texto, encoding="utf-8")
    proceso = subprocess.Popen([HAPROXY, "-db", "-f", str(configuracion)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    import ssl

    contexto = ssl.create_default_context()
    contexto.check_hostname, contexto.verify_mode = False, ssl.CERT_NONE
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", puerto), timeout=1) as crudo, \
                    contexto.wrap_socket(crudo) as tls:
                tls.sendall(b"GET /salud HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if tls.recv(64).startswith(b"HTTP/1.1 200"):
                    return proceso, puerto
        except OSError:
            pass
        time.sleep(0.1)
    proceso.kill()
    raise RuntimeError("haproxy with TLS never answered /salud")


def _onboarding_tls(playwright, tmp: Path, pdf: Path) -> str:
    """The same onboarding as a deployment serves it: through haproxy with TLS and HTTP/2 (README "Varios nodos"),
    on a fresh instance, every byte counted on the wire between Chromium and the proxy. The browser trusts the
    certificate, as it would a public CA's: told only to ignore certificate errors, Chromium first opens a
    connection, rejects the certificate and opens another, and that first handshake (2.6 KB) is no user's."""
    carpeta = tmp / "instance_tls"
    datos = _preparar(carpeta)
    pem, spki, cadena = _certificado(tmp)
    _app, server, _ = _servir(carpeta, proxies=1, https=True)
    haproxy, puerto = _haproxy_tls(tmp, server.effective_port, pem)
    contador = Contador(puerto)
    browser = None
    try:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--disable-gpu", f"--ignore-certificate-errors-spki-list={spki}"])
        contexto = browser.new_context()
        page = contexto.new_page()
        base = f"https://127.0.0.1:{contador.puerto}"
        contador.reiniciar()
        page.goto(base + "/")
        protocolo = page.evaluate("performance.getEntriesByType('navigation')[0].nextHopProtocol")
        _onboarding(page, datos, pdf)
        enviados, recibidos = contador.enviados - pdf.stat().st_size, contador.recibidos
        conexiones = contador.conexiones
        contexto.close()
    finally:
        if browser is not None:
            browser.close()
        contador.cerrar()
        haproxy.terminate()
        haproxy.wait(timeout=10)
        server.close()
    total = enviados + recibidos
    return (f"peso: onboarding through haproxy with TLS ({protocolo}, {conexiones} connection(s); a chain of two "
            f"shaped like a public CA's, {cadena / KB:.1f} KB, trusted), on the wire with its handshake: sent "
            f"{enviados / KB:.1f} KB without the {pdf.stat().st_size / KB:.1f} KB PDF, received "
            f"{recibidos / KB:.1f} KB; total {total / KB:.1f} KB ({total / ONBOARDING:.2f} of 60 KB)")


def bench_peso() -> None:
    from playwright.sync_api import sync_playwright

    from app.correo import leer_outbox
    from tests.test_datos_generales import pdf as pdf_de_prueba

    with tempfile.TemporaryDirectory() as tmp:
        carpeta = Path(tmp) / "instance"
        datos = _preparar(carpeta)
        pdf = Path(tmp) / "acuse_stps.pdf"
        pdf.write_bytes(pdf_de_prueba())
        _app, server, base = _servir(carpeta)
        pesos = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                            args=["--disable-gpu", "--disable-quic"])
                print("peso: first visits (cache disabled): requests, KB received with headers")
                anonima = browser.new_context().new_page()
                red = Red(anonima, cache=False)
                pesos += [_visitar(anonima, red, base, ruta) for ruta in ANONIMAS]

                page = browser.new_context().new_page()
                red = Red(page, cache=True)
                page.goto(base + "/")
                _onboarding(page, datos, pdf)
                onboarding = red.filas()
                red.cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                pesos += [_visitar(page, red, base, ruta) for ruta in CONTRATISTA]

                correo = leer_outbox(carpeta / "outbox")[-1].get_body(preferencelist=("plain",)).get_content()
                enlace = re.search(r"http://\S+(/ingreso/activar/\S+)", correo).group(1)
                capturista = browser.new_context().new_page()
                red = Red(capturista, cache=False)
                pesos.append(_visitar(capturista, red, base, enlace, "/ingreso/activar/<token>"))
                capturista.get_by_label("Nueva contraseña").fill("Contraseña-de-prueba-1")
                capturista.get_by_label("Confirmar contraseña").fill("Contraseña-de-prueba-1")
                capturista.get_by_role("button", name="Guardar contraseña").click()
                capturista.get_by_label("CURP").fill(datos["curp"])
                capturista.get_by_label("Contraseña").fill("Contraseña-de-prueba-1")
                capturista.get_by_role("button", name="Ingresar").click()
                _esperar(capturista)
                pesos += [_visitar(capturista, red, base, ruta, f"{ruta} (capturista)") for ruta in CAPTURISTA]
                browser.close()
                linea_tls = _onboarding_tls(p, Path(tmp), pdf)
        finally:
            server.close()
        maximo = max(peso for _, peso in pesos)
        print(f"peso: heaviest first visit {maximo / KB:.1f} KB ({maximo / PAGINA:.2f} of 20 KB); most requests "
              f"{max(n for n, _ in pesos)} (target <= 3)")
        _informe_onboarding(onboarding, pdf.stat().st_size)
        print(linea_tls)
