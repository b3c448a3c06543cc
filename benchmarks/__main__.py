"""Benchmarks of the e.firma ingress, printed as numbers and ratios to their targets (never asserted in tests).

    python -m benchmarks            # all
    python -m benchmarks validar    # one

- validar: median time of one Validar (the domain check alone, and the whole POST through the app), in ms.
- wire: bytes over the wire in a real Chromium (CDP encodedDataLength: headers + compressed bodies) for a first
  visit of the e.firma page (page + CSS + htmx; target <= 40 KB) and for the Validar fragments (target <= 4 KB each).
- fragments: gzip bytes of each fragment (and with its response headers) of the Datos generales locator and acuse, the
  colonias of the largest postal code (85203, 352 asentamientos) included; target <= 4 KB each.
- catalog_load, cp_lookup: the postal-code catalog (benchmarks/sepomex.py).
- consulta: median ms of a Consulta page (first, last, a search) over 10,000 capturistas of one contratista, and
  of their Excel export through the route.
- export: seconds and peak memory of writing 10,000 and 50,000 rows (benchmarks/export.py).
- hostil: refused Validar with hostile .cer/.key files and the acuse check of hostile PDFs, against the normal
  ones (benchmarks/hostil.py).
- acuse: size and generation time of the acuse de presentación PDF of 50 contracts x 3,000 workers (targets
  <= 200 KB and <= 0.5 s; benchmarks/acuse.py).
- respaldo: icsoe backup and restore of 10,000 audit rows and 10,000 capturistas, idle and while a thread writes
  (benchmarks/respaldo.py; PostgreSQL too with ICSOE_BENCH_POSTGRES).
- peso: every page's first visit in a real Chromium (requests, KB with headers; targets <= 3 and <= 20 KB) and
  the contratista's onboarding both ways (target <= 60 KB; benchmarks/peso.py).
- informativa: a 3,000-row CSV and a ZIP of 3,000 nómina CFDIs read into the preview (time, and memory at 1,000 and
  3,000 receipts), and Revisar over 50 contracts × 3,000 workers (benchmarks/informativa.py).
"""
from __future__ import annotations

import io
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from app import address, create_app, demo, fiel, schema, trust
from app.db import get_session

NOW = datetime.now(timezone.utc)
KB = 1024
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}


def _ratio(value: float, target: float) -> str:
    return f"{value / target:.2f} of the target"


def _setup(folder: Path):
    ca = demo.make_ca(now=NOW)
    moral = demo.make_efirma(ca, rfc="EDE010101AB1", nombre="ESCUELA DEMO SA DE CV", persona="moral",
                             representante_rfc="PERJ800101AB1", curp="PERJ800101HDFRNN09",
                             not_before=NOW - timedelta(days=1), not_after=NOW + timedelta(days=365))
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'icsoe.sqlite'}"}, instance_path=str(folder))
    schema.upgrade(app.extensions["engine"])
    with app.app_context():
        trust.add(get_session(), fiel.read_ca_certificates(ca.cert_der, "demo.cer"))
    return app, ca, moral


def bench_validar(runs: int = 30) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app, ca, moral = _setup(Path(tmp))
        store = fiel.TrustStore([ca.cert_der])
        domain = []
        for _ in range(runs):
            t0 = time.perf_counter()
            fiel.verify("EDE010101AB1", moral.cer_der, moral.key_der, moral.password, trust=store, now=NOW)
            domain.append((time.perf_counter() - t0) * 1000)
        client = app.test_client()
        client.get("/ingreso/efirma")
        from bs4 import BeautifulSoup

        csrf = BeautifulSoup(client.get("/ingreso/efirma").text, "html.parser").select_one(
            "input[name=csrf_token]")["value"]
        route = []
        for _ in range(runs):
            data = {"csrf_token": csrf, "rfc": "EDE010101AB1", "password": moral.password,
                    "cer": (io.BytesIO(moral.cer_der), "c.cer"), "key": (io.BytesIO(moral.key_der), "k.key")}
            t0 = time.perf_counter()
            response = client.post("/ingreso/efirma", data=data, headers={"HX-Request": "true"},
                                   content_type="multipart/form-data")
            route.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.status_code
    print(f"validar: fiel.verify median {statistics.median(domain):.1f} ms "
          f"(p90 {statistics.quantiles(domain, n=10)[-1]:.1f} ms) over {runs} runs")
    print(f"validar: POST /ingreso/efirma (htmx) median {statistics.median(route):.1f} ms "
          f"(p90 {statistics.quantiles(route, n=10)[-1]:.1f} ms) over {runs} runs")


def bench_wire() -> None:
    from playwright.sync_api import sync_playwright

    from app.servidor import crear

    with tempfile.TemporaryDirectory() as tmp:
        app, ca, moral = _setup(Path(tmp))
        cer, key = Path(tmp) / "e.cer", Path(tmp) / "e.key"
        cer.write_bytes(moral.cer_der)
        key.write_bytes(moral.key_der)
        server = crear(app, host="127.0.0.1", port=0, threads=2)
        threading.Thread(target=server.run, daemon=True).start()
        base = f"http://127.0.0.1:{server.effective_port}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--disable-gpu", "--disable-quic"])
                page = browser.new_page()
                cdp = page.context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                urls, wire = {}, {}
                cdp.on("Network.requestWillBeSent", lambda e: urls.update({e["requestId"]: e["request"]["url"]}))
                cdp.on("Network.loadingFinished", lambda e: wire.update({e["requestId"]: e["encodedDataLength"]}))
                page.goto(base + "/ingreso/efirma")
                page.wait_for_load_state("networkidle")
                first = sum(wire.values())
                print(f"wire: first visit of /ingreso/efirma: {len(wire)} requests, {first / KB:.1f} KB "
                      f"({_ratio(first, 40 * KB)} of 40 KB)")
                for rid in wire:
                    print(f"      {wire[rid]:>6} B  {urls.get(rid, '?').replace(base, '')}")

                def fragment(password: str) -> int:
                    wire.clear()
                    page.get_by_label("RFC").fill("EDE010101AB1")
                    page.get_by_label("Certificado (.cer)").set_input_files(str(cer))
                    page.get_by_label("Llave privada (.key)").set_input_files(str(key))
                    page.get_by_label("Contraseña de la llave privada").fill(password)
                    with page.expect_response("**/ingreso/efirma") as response:
                        page.get_by_role("button", name="Validar").click()
                    response.value.finished()
                    page.wait_for_timeout(200)  # CDP's loadingFinished may trail Playwright's view of the response
                    return sum(n for rid, n in wire.items() if urls.get(rid, "").endswith("/ingreso/efirma"))

                bad = fragment("incorrecta")
                print(f"wire: Validar fragment, refused: {bad} B ({_ratio(bad, 4 * KB)} of 4 KB)")
                good = fragment(moral.password)
                print(f"wire: Validar fragment, success: {good} B ({_ratio(good, 4 * KB)} of 4 KB)")

                slow = browser.new_page()
                cdp = slow.context.new_cdp_session(slow)
                cdp.send("Network.enable")
                cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                cdp.send("Network.emulateNetworkConditions", SLOW_3G)
                slow.goto(base + "/ingreso/efirma")
                load_ms = slow.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
                print(f"wire: first visit of /ingreso/efirma on slow 3G (400 ms RTT, 400 kbit/s): load {load_ms:.0f} ms")
                browser.close()
        finally:
            server.close()


def bench_fragments() -> None:
    import gzip

    from bs4 import BeautifulSoup

    from app import sepomex

    with tempfile.TemporaryDirectory() as tmp:
        app, ca, moral = _setup(Path(tmp))
        sepomex.ensure_loaded(app.extensions["engine"])
        client = _entrar(app, moral)
        token = BeautifulSoup(client.get("/datos-generales/").text, "html.parser").select_one(
            "input[name=csrf_token]")["value"]
        headers = {"HX-Request": "true", "HX-Request-Type": "partial", "Accept-Encoding": "gzip"}

        def measure(label, path, data, files=None):
            response = client.post(path, headers=headers, content_type="multipart/form-data",
                                   data={"csrf_token": token, **data, **(files or {})})
            if response.status_code != 200:  # a number measured on an error page would be a lie
                raise AssertionError(f"{label}: {response.status_code}")
            body = response.get_data()
            head = sum(len(k) + len(v) + 4 for k, v in response.headers.items()) + 17
            raw = len(gzip.decompress(body)) if response.headers.get("Content-Encoding") == "gzip" else len(body)
            print(f"fragments: {label}: {len(body)} B gzip ({_ratio(len(body), 4 * KB)} of 4 KB), {len(body) + head} B "
                  f"with the response headers, {raw} B uncompressed")
            return response

        base = {"domicilio_igual": "no", "conoce_cp": "si"}
        buscar = "/datos-generales/domicilio/buscar"
        measure("colonias of 85203 (352, narrowed: no list until a name is typed)", buscar, {**base, "cp": "85203"})
        measure("colonias of 85203 that contain 'los'", buscar, {**base, "cp": "85203", "filtro_colonia": "los"})
        # The longest list sent whole: the postal code with the most label bytes among those of <= 150 colonias.
        from collections import defaultdict

        from app.localizador import MAX_OPCIONES

        por_cp = defaultdict(list)
        for fila in address.read_postalcodes_mexico():
            por_cp[fila.cp].append(fila.nombre)
        cp, nombres = max(((c, n) for c, n in por_cp.items() if len(n) <= MAX_OPCIONES),
                          key=lambda item: sum(len(x) for x in item[1]))
        measure(f"colonias of {cp} ({len(nombres)}: the most bytes sent whole)", buscar, {**base, "cp": cp})
        por_estado = {**base, "conoce_cp": "no"}
        measure("municipios of Veracruz (212, narrowed)", buscar, {**por_estado, "estado": "Veracruz de Ignacio de la Llave"})
        measure("municipios of Oaxaca (570) that contain 'san'", buscar, {**por_estado, "estado": "Oaxaca",
                                                                           "filtro_municipio": "san"})
        measure("municipios of Oaxaca (570) that contain 'santa maria'", buscar,
                {**por_estado, "estado": "Oaxaca", "filtro_municipio": "santa maria"})
        measure("colonias of Hermosillo (2,344, narrowed)", buscar, {**por_estado, "estado": "Sonora",
                                                                     "municipio": "Hermosillo"})
        measure("colonias of Hermosillo that contain 'villa'", buscar,
                {**por_estado, "estado": "Sonora", "municipio": "Hermosillo", "filtro_colonia": "villa"})
        # The worst a filter can give: every narrowed list showing its MAX_OPCIONES longest names.
        from app import localizador

        original = localizador.acotar

        def las_mas_largas(nombres, filtro, elegido=""):
            lista = original(nombres, "")
            if not lista.acotar:
                return lista
            largas = tuple(sorted(sorted(nombres, key=len, reverse=True)[:MAX_OPCIONES]))
            return localizador.Lista(largas, len(nombres), len(largas))

        localizador.acotar = las_mas_largas
        try:
            measure(f"worst case: Sonora, Hermosillo, the {MAX_OPCIONES} longest colonias", buscar,
                    {**por_estado, "estado": "Sonora", "municipio": "Hermosillo", "filtro_colonia": "x"})
            measure(f"worst case: Oaxaca, the {MAX_OPCIONES} longest municipios", buscar,
                    {**por_estado, "estado": "Oaxaca", "filtro_municipio": "x"})
        finally:
            localizador.acotar = original
        doc = BeautifulSoup(client.post("/datos-generales/domicilio/buscar", content_type="multipart/form-data",
                                        data={"csrf_token": token, **base, "cp": "01000"}).text, "html.parser")
        colonia = doc.select("#colonia option")[1].get_text()
        measure("paso 2", "/datos-generales/domicilio/ubicar", {"colonia": colonia})
        measure("paso 3", "/datos-generales/domicilio/ubicar", {
            "calle_tipo": "RETORNO", "calle_nombre": "1 NORTE", "numero_exterior": "23",
            "entre_calle_tipo": "ANDADOR", "entre_calle_nombre": "1 TEPECOLUIMA"})
        measure("ubicado", "/datos-generales/domicilio/aceptar", {})
        from tests.test_datos_generales import pdf

        measure("acuse adjunto", "/datos-generales/acuse", {}, {"acuse": (io.BytesIO(pdf()), "acuse.pdf")})


def _entrar(app, moral):
    from bs4 import BeautifulSoup

    client = app.test_client()

    def csrf(url):
        return BeautifulSoup(client.get(url).text, "html.parser").select_one("input[name=csrf_token]")["value"]

    client.post("/ingreso/efirma", content_type="multipart/form-data", data={
        "csrf_token": csrf("/ingreso/efirma"), "rfc": "EDE010101AB1", "password": moral.password,
        "cer": (io.BytesIO(moral.cer_der), "c.cer"), "key": (io.BytesIO(moral.key_der), "k.key")})
    client.post("/ingreso/ingresar", data={"csrf_token": csrf("/ingreso/efirma")})
    client.post("/ingreso/terminos", data={"csrf_token": csrf("/ingreso/terminos"), "acepto": "y"})
    return client


def bench_consulta(n: int = 10_000, runs: int = 20) -> None:
    from sqlmodel import select

    from app.models import Capturista, Contratista, DatosGenerales, Persona, utcnow

    with tempfile.TemporaryDirectory() as tmp:
        app, ca, moral = _setup(Path(tmp))
        client = _entrar(app, moral)
        with app.app_context():
            db = get_session()
            contratista = db.exec(select(Contratista)).one()
            db.add(DatosGenerales(contratista_id=contratista.id, correo="a@ejemplo.mx", celular="5512345678"))
            now = utcnow()
            for i in range(n):
                db.add(Persona(id=i + 1, curp=f"XAXX{i:06d}HDFXXX00", correo=f"c{i}@ejemplo.mx"))
            db.flush()
            for i in range(n):
                db.add(Capturista(persona_id=i + 1, contratista_id=contratista.id, curp=f"XAXX{i:06d}HDFXXX00",
                                  nombres=f"NOMBRE {i}", primer_apellido=f"APELLIDO {i % 997}",
                                  segundo_apellido="PRUEBA", telefono="5512345678", estatus="activo", alta=now,
                                  actualizado=now))
            db.commit()
        paginas = -(-n // 25)
        for label, url in (("first page", "/administracion/consulta"),
                           ("last page", f"/administracion/consulta?pagina={paginas}"),
                           ("search by name", "/administracion/consulta?q=apellido%20500")):
            samples = []
            for _ in range(runs):
                t0 = time.perf_counter()
                assert client.get(url).status_code == 200
                samples.append((time.perf_counter() - t0) * 1000)
            print(f"consulta: {label} over {n:,} capturistas: median {statistics.median(samples):.1f} ms")
        t0 = time.perf_counter()
        response = client.get("/administracion/exportar")
        print(f"consulta: Exportar Excel of {n:,} capturistas through the route: "
              f"{time.perf_counter() - t0:.2f} s, {len(response.data) / KB:.0f} KB")


def _export(name):
    def run():
        from benchmarks import export

        getattr(export, name)()

    return run


def _sepomex(name):
    def run():
        from benchmarks import sepomex

        getattr(sepomex, name)()

    return run


def _hostil(name):
    def run():
        from benchmarks import hostil

        getattr(hostil, name)()

    return run


BENCHMARKS = {"validar": bench_validar, "wire": bench_wire, "fragments": bench_fragments,
              "catalog_load": _sepomex("bench_catalog_load"), "cp_lookup": _sepomex("bench_cp_lookup"),
              "consulta": bench_consulta, "export": _export("bench_export"), "hostil": _hostil("bench_hostil")}
BENCHMARKS["informativa"] = lambda: __import__("benchmarks.informativa").informativa.bench_informativa()


def bench_informativa_rutas(runs: int = 10) -> None:
    """The informativa's targets through the routes, on SQLite: a 3,000-row CSV checked and stored (Cargar, then
    Agregar trabajadores; target <= 2 s), a ZIP of 3,000 nómina CFDIs the same way (target <= 10 s), and Revisar
    over 50 contracts x 3,000 workers (target <= 1 s)."""
    from datetime import date

    from bs4 import BeautifulSoup
    from sqlalchemy import insert
    from sqlmodel import select

    from app.models import Contratista, Contrato, DatosGenerales, Informativa, ServicioRepse, Trabajador, utcnow
    from tests import cfdi

    def csrf(client, url):
        return BeautifulSoup(client.get(url).text, "html.parser").select_one("input[name=csrf_token]")["value"]

    with tempfile.TemporaryDirectory() as tmp:
        app, ca, moral = _setup(Path(tmp))
        client = _entrar(app, moral)
        with app.app_context():
            db = get_session()
            contratista = db.exec(select(Contratista)).one()
            db.add(DatosGenerales(contratista_id=contratista.id, correo="a@ejemplo.mx", celular="5512345678"))
            servicio = ServicioRepse(contratista_id=contratista.id, folio="AR1/2021-1", descripcion="Servicio")
            informativa = Informativa(contratista_id=contratista.id, ejercicio=2026, cuatrimestre=2, tipo="normal")
            db.add(servicio)
            db.add(informativa)
            db.flush()
            contratos = [Contrato(informativa_id=informativa.id, contratista_id=contratista.id,
                                  rfc_contratante=f"CLI0102{i:02d}3A1", persona_contratante="moral",
                                  nombre_contratante=f"CLIENTE {i}", correo="c@ejemplo.mx", celular="5512345678",
                                  objeto="Servicio", servicio_id=servicio.id, fecha_inicio=date(2026, 6, 1))
                         for i in range(50)]
            db.add_all(contratos)
            db.commit()
            iid, cids = informativa.id, [c.id for c in contratos]

        def cargar_y_agregar(cid, nombre, datos) -> float:
            url = f"/informativas/{iid}/contratos/{cid}/trabajadores"
            token = csrf(client, url)
            t0 = time.perf_counter()
            response = client.post(f"/informativas/{iid}/contratos/{cid}/carga", content_type="multipart/form-data",
                                   data={"csrf_token": token, "archivo": (io.BytesIO(datos), nombre)})
            if response.status_code != 303:
                raise SystemExit(f"Cargar answered {response.status_code}: "
                                 f"{BeautifulSoup(response.text, 'html.parser').select_one('main').get_text(' ')[:600]}")
            vista = client.get(response.headers["Location"])
            agregar = BeautifulSoup(vista.text, "html.parser").select_one("form[action$='/agregar']")["action"]
            assert client.post(agregar, data={"csrf_token": token}).status_code == 303
            return time.perf_counter() - t0

        personas = [cfdi.persona(i) for i in range(3000)]
        segundos = cargar_y_agregar(cids[0], "trabajadores.csv", cfdi.csv_de(cfdi.filas_de(personas)))
        print(f"informativa (routes): a 3,000-row CSV checked and stored in {segundos:.2f} s "
              f"({segundos / 2:.2f} of the 2 s target)")
        recibos = [(n, r) for n, r in cfdi.recibos_de_periodo(3000, date(2026, 8, 15))]
        for _nombre, recibo in recibos:
            recibo.emisor_rfc = "EDE010101AB1"
        segundos = cargar_y_agregar(cids[1], "nomina.zip", cfdi.zip_de(recibos))
        print(f"informativa (routes): a ZIP of 3,000 nómina CFDIs checked and stored in {segundos:.2f} s "
              f"({segundos / 10:.2f} of the 10 s target)")
        with app.app_context():
            db = get_session()
            filas = [{"contrato_id": cid, "nss": personas[i].nss, "curp": personas[i].curp, "sbc": 450,
                      "nombre": personas[i].nombre, "origen": "csv", "creado": utcnow()}
                     for cid in cids[2:] for i in range(3000)]
            for inicio in range(0, len(filas), 5000):
                db.execute(insert(Trabajador.__table__), filas[inicio:inicio + 5000])
            db.commit()
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            assert client.get(f"/informativas/{iid}/revision").status_code == 200
            samples.append(time.perf_counter() - t0)
        mediana = statistics.median(samples)
        print(f"informativa (routes): Revisar over 50 contracts x 3,000 workers: median {mediana * 1000:.0f} ms "
              f"({mediana:.2f} of the 1 s target)")


BENCHMARKS["informativa_rutas"] = bench_informativa_rutas
BENCHMARKS["acuse"] = lambda: __import__("benchmarks.acuse").acuse.bench_acuse()
BENCHMARKS["nodo"] = lambda: __import__("benchmarks.nodo").nodo.bench_nodo()
BENCHMARKS["carga"] = lambda: __import__("benchmarks.carga").carga.bench_carga()
BENCHMARKS["respaldo"] = lambda: __import__("benchmarks.respaldo").respaldo.bench_respaldo()
BENCHMARKS["caida"] = lambda: __import__("benchmarks.caida").caida.bench_caida()
BENCHMARKS["peso"] = lambda: __import__("benchmarks.peso").peso.bench_peso()

if __name__ == "__main__":
    for name in sys.argv[1:] or BENCHMARKS:
        BENCHMARKS[name]()
