"""Per-node efficiency (issue 14, §3): requests per second of one `icsoe serve` node against a waitress "hello
world" Flask app with the same threads, on the same machine, in the same run, both measured with wrk. Printed as
numbers and as the ratio to hello world (targets: the landing page >= 50 %, Consulta of 1,000 capturistas >= 20 %,
the colonias search of Datos generales >= 20 %).

    python -m benchmarks nodo           (needs wrk: apt-get install wrk)

Each server runs in its own process on loopback with 8 threads; wrk runs 2 threads and 8 connections for
DURACION seconds after a short warm-up, RONDAS rounds (ICSOE_BENCH_RONDAS, 3); in each, hello world is measured
before and after every page and the page's ratio is to the mean of those two; the median ratio is printed with its
range. The reference is waitress as it comes; the node runs on `icsoe serve`'s server (app/servidor.py: waitress
without its main loop's busy wait), so the same hello world is also measured on that server, once a round, and
each page's rate is printed as a share of it too. The node serves a fresh SQLite instance (`icsoe init --demo`: the postal
codes loaded), where the demo persona moral signs in over HTTP. The colonias search is the request that *Buscar
colonias* (or a change of the Código Postal) makes with htmx: a POST of the Datos generales form, as a browser
fills it, to /datos-generales/domicilio/buscar, answered with the #busqueda fragment (the 59 colonias of 36274);
like every locator route it keeps the draft (one upsert and commit per request, 8 connections of one contratista).
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

DURACION = int(os.environ.get("ICSOE_BENCH_SEGUNDOS", "10"))
RONDAS = int(os.environ.get("ICSOE_BENCH_RONDAS", "3"))
HILOS = 8
REPO = Path(__file__).resolve().parents[1]

HOLA = """
import logging
from flask import Flask
logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is 1" on every busy moment
app = Flask(__name__)
@app.get("/")
def hola():
    return "hello world"
{servir}
"""
# The reference: waitress as it comes. The same hello world on the server `icsoe serve` runs (app/servidor.py,
# waitress without its main loop's busy wait) is measured too, so that the pages' gain from the server itself shows.
WAITRESS = 'from waitress import serve\nserve(app, host="127.0.0.1", port={port}, threads={hilos}, _quiet=True)'
PROPIO = 'from app.servidor import crear\ncrear(app, host="127.0.0.1", port={port}, threads={hilos}).run()'


def _puerto() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _esperar(url: str) -> None:
    for _ in range(300):
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} never answered")


def _wrk(url: str, cookie: str | None = None, script: Path | None = None) -> float:
    """Requests per second that wrk measured, after a 2 s warm-up (any non-2xx answer is an error). `script`: a
    wrk Lua script (a POST)."""
    opciones = ["-H", f"Cookie: session={cookie}"] if cookie else []
    if script is not None:
        opciones += ["-s", str(script)]
    subprocess.run(["wrk", "-t2", "-c8", "-d2s", *opciones, url], capture_output=True)
    comando = ["wrk", "-t2", "-c8", f"-d{DURACION}s", "--latency", *opciones]
    salida = subprocess.run(comando + [url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in salida:
        raise RuntimeError(f"{url}: answers other than 2xx under load:\n{salida}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", salida).group(1))


def _fresca(base: str, cookie: str) -> str:
    """The session cookie as a browser would hold it now: the portal rewrites it at most once a minute (the idle
    clock, app.auth), and a browser keeps the new one; wrk cannot, so each measurement starts from a fresh one
    (otherwise every request after the first minute would sign and send a new cookie no browser would ask for)."""
    r = requests.get(base + "/datos-generales/", cookies={"session": cookie}, allow_redirects=False)
    if r.status_code != 200:
        raise RuntimeError(f"the session ended: {r.status_code}")
    return r.cookies.get("session") or cookie


def _preparar(entorno: dict) -> None:
    """A fresh demo instance (`icsoe init --demo`: the schema, the postal codes, the demo e.firma sets)."""
    subprocess.run([sys.executable, "-c", "from app.cli import main; main()", "init", "--demo"], cwd=REPO,
                   env=entorno, check=True, capture_output=True)


POBLAR = """
from app import create_app
from app.db import get_session
from app.models import Capturista, Contratista, DatosGenerales, Persona
from sqlmodel import select
app = create_app()
with app.app_context():
    db = get_session()
    contratista = db.exec(select(Contratista)).one()
    db.add(DatosGenerales(contratista_id=contratista.id, correo="a@ejemplo.mx", celular="5512345678"))
    personas = [Persona(curp=f"XAXX{i:06d}HDFXXX00", correo=f"c{i}@ejemplo.mx") for i in range(1000)]
    db.add_all(personas)
    db.commit()
    for i, persona in enumerate(personas):
        db.add(Capturista(persona_id=persona.id, contratista_id=contratista.id, curp=persona.curp,
                          nombres=f"NOMBRE {i}", primer_apellido=f"APELLIDO {i % 997}", telefono="5512345678"))
    db.commit()
"""


def _ingresar(base: str, demo: Path) -> str:
    """Sign in over HTTP with the demo persona moral's e.firma and accept the terms; the session cookie."""
    from bs4 import BeautifulSoup

    cliente = requests.Session()
    token = lambda r: BeautifulSoup(r.text, "html.parser").select_one("input[name=csrf_token]")["value"]  # noqa
    carpeta = demo / "fiel_persona_moral"
    texto = (demo / "README.txt").read_text(encoding="utf-8")
    rfc = texto.split("fiel_persona_moral/", 1)[1].split("RFC a capturar:", 1)[1].split()[0]
    r = cliente.post(base + "/ingreso/efirma", data={"csrf_token": token(cliente.get(base + "/ingreso/efirma")),
                                                     "rfc": rfc, "password": "12345678a"},
                     files={"cer": ("c.cer", (carpeta / "certificate.cer").read_bytes()),
                            "key": ("k.key", (carpeta / "private_key.key").read_bytes())})
    cliente.post(base + "/ingreso/ingresar", data={"csrf_token": token(r)})
    r = cliente.get(base + "/ingreso/terminos")
    cliente.post(base + "/ingreso/terminos", data={"csrf_token": token(r), "acepto": "y"})
    return cliente.cookies.get("session")


CP = "36274"  # 59 colonias


def _formulario_busqueda(base: str, cookie: str) -> dict[str, str]:
    """The Datos generales form's fields as a browser sends them with Buscar colonias: every named control of the
    form (no file chosen), the search by Código Postal, CP typed."""
    from bs4 import BeautifulSoup

    r = requests.get(base + "/datos-generales/", cookies={"session": cookie})
    r.raise_for_status()
    forma = BeautifulSoup(r.text, "html.parser").select_one("form[action='/datos-generales/']")
    campos: dict[str, str] = {}
    for control in forma.select("input[name], select[name], textarea[name]"):
        nombre, tipo = control["name"], control.get("type", "")
        if control.name == "select":
            elegida = control.select_one("option[selected]") or control.select_one("option")
            campos[nombre] = elegida.get("value", elegida.text) if elegida else ""
        elif control.name == "textarea":
            campos[nombre] = control.text
        elif tipo in ("checkbox", "radio"):
            if control.has_attr("checked"):
                campos[nombre] = control.get("value", "on")
        elif tipo not in ("file", "submit", "button"):
            campos[nombre] = control.get("value", "")
    campos.update(conoce_cp="si", cp=CP)
    return campos


def _script_busqueda(base: str, cookie: str, carpeta: Path) -> Path:
    """A wrk Lua script for the colonias search (htmx's POST), after checking once that it answers 200 with the
    colonias of CP."""
    from urllib.parse import urlencode

    cuerpo = urlencode(_formulario_busqueda(base, cookie))
    cabeceras = {"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true",
                 "HX-Request-Type": "partial"}
    r = requests.post(base + "/datos-generales/domicilio/buscar", data=cuerpo, headers=cabeceras,
                      cookies={"session": cookie})
    if r.status_code != 200 or "colonias encontradas" not in r.text or "<html" in r.text:
        raise RuntimeError(f"the colonias search answered {r.status_code}:\n{r.text[:2000]}")
    lua = 'wrk.method = "POST"\n' + f"wrk.body = {_lua(cuerpo)}\n" + "".join(
        f"wrk.headers[{_lua(k)}] = {_lua(v)}\n" for k, v in cabeceras.items())
    script = carpeta / "busqueda.lua"
    script.write_text(lua, encoding="utf-8")
    return script


def _lua(texto: str) -> str:
    """A Lua string literal."""
    return '"' + texto.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def bench_nodo() -> None:
    if shutil.which("wrk") is None:
        print("nodo: wrk not found (apt-get install wrk); skipped")
        return
    carpeta = Path(tempfile.mkdtemp(prefix="icsoe-nodo-"))
    procesos = []
    try:
        puerto_hola, puerto_propio, puerto_nodo = _puerto(), _puerto(), _puerto()
        for servir, puerto in ((WAITRESS, puerto_hola), (PROPIO, puerto_propio)):
            procesos.append(subprocess.Popen(
                [sys.executable, "-c", HOLA.format(servir=servir.format(port=puerto, hilos=HILOS))], cwd=REPO))
        entorno = {k: v for k, v in os.environ.items() if not k.startswith(("ICSOE_", "DATABASE_URL", "SECRET_KEY"))}
        entorno["ICSOE_INSTANCE"] = str(carpeta / "instance")
        _preparar(entorno)
        procesos.append(subprocess.Popen(
            [sys.executable, "-c", "from app.cli import main; main()", "serve", "--port", str(puerto_nodo),
             "--threads", str(HILOS)], cwd=REPO, env=entorno, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        hola, nodo = f"http://127.0.0.1:{puerto_hola}/", f"http://127.0.0.1:{puerto_nodo}"
        propio = f"http://127.0.0.1:{puerto_propio}/"
        _esperar(hola)
        _esperar(propio)
        _esperar(nodo + "/salud")
        cookie = _ingresar(nodo, carpeta / "instance" / "demo")
        poblado = subprocess.run([sys.executable, "-c", POBLAR], cwd=REPO, env=entorno, capture_output=True,
                                 text=True)
        if poblado.returncode:
            raise RuntimeError(poblado.stderr[-2000:])
        busqueda = _script_busqueda(nodo, cookie, carpeta)
        paginas = [("landing page", lambda: _wrk(nodo + "/"), "50 %"),
                   ("/salud", lambda: _wrk(nodo + "/salud"), None),
                   ("Consulta, 1,000 capturistas",
                    lambda: _wrk(nodo + "/administracion/consulta", _fresca(nodo, cookie)), "20 %"),
                   (f"colonias search (CP {CP})",
                    lambda: _wrk(nodo + "/datos-generales/domicilio/buscar", _fresca(nodo, cookie), busqueda), "20 %")]
        # The hello world's own rate moves from one measurement to the next on a small VM (900 to 3,400 requests/s
        # here, far more than the pages' own rates move): it is measured before and after each page, and the page's
        # ratio is to the mean of the two.
        medidas: dict[str, list[tuple[float, float]]] = {nombre: [] for nombre, _, _ in paginas}
        referencias, propios = [], []
        for ronda in range(RONDAS):
            antes = _wrk(hola)
            referencias.append(antes)
            propios.append((_wrk(propio), antes))
            for nombre, medir, _ in paginas:
                rps = medir()
                despues = _wrk(hola)
                referencias.append(despues)
                medidas[nombre].append((rps, rps / ((antes + despues) / 2)))
                antes = despues
            ronda_ref = referencias[-len(paginas) - 1:]
            print(f"nodo: round {ronda + 1}: hello world {min(ronda_ref):,.0f}-{max(ronda_ref):,.0f} requests/s "
                  f"(on icsoe's server {propios[-1][0]:,.0f}); "
                  + "; ".join(f"{nombre} {medidas[nombre][-1][0]:,.0f} ({medidas[nombre][-1][1]:.0%})"
                              for nombre, _, _ in paginas))
        print(f"nodo: waitress hello world, {HILOS} threads: median {statistics.median(referencias):,.0f} "
              f"requests/s ({min(referencias):,.0f}-{max(referencias):,.0f}) over {len(referencias)} measurements "
              f"(the reference)")
        propio_rps = statistics.median(p for p, _ in propios)
        print(f"nodo: the same hello world on icsoe's server (app/servidor.py): median {propio_rps:,.0f} requests/s, "
              f"{statistics.median(p / r for p, r in propios):.1f} times waitress's")
        for nombre, _, objetivo in paginas:
            rps = statistics.median(m[0] for m in medidas[nombre])
            ratios = sorted(m[1] for m in medidas[nombre])
            meta = f" (target >= {objetivo})" if objetivo else ""
            print(f"nodo: {nombre}: median {rps:,.0f} requests/s, {statistics.median(ratios):.0%} of hello world "
                  f"(rounds {ratios[0]:.0%}-{ratios[-1]:.0%}){meta}; {rps / propio_rps:.0%} of it on icsoe's server")
    finally:
        for proceso in procesos:
            proceso.terminate()
            proceso.wait(timeout=10)
        shutil.rmtree(carpeta, ignore_errors=True)
