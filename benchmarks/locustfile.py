"""The load mix of `python -m benchmarks carga` (issue 14, §2), for locust: each simulated user is a contratista
with its own e.firma (ICSOE_CARGA_EFIRMAS names a folder of sets 0/, 1/, … with certificate.cer, private_key.key,
rfc.txt, password.txt). It signs in (Validar + Ingresar, the terms), saves its Datos generales with a PDF, and
then, at random by weight: opens the landing page, opens and autosaves Datos generales, saves them again with a new
PDF, gives a capturista of alta, opens Consulta, exports Excel, and signs in again. A refusal that the mix
provokes on purpose is not a failure; anything else that is not a 2xx or 3xx is.

`HolaUser` is the reference: the same locust against a waitress "hello world".
"""
from __future__ import annotations

import io
import itertools
import os
import re
import threading
from pathlib import Path

from locust import HttpUser, between, task

CARPETA = Path(os.environ.get("ICSOE_CARGA_EFIRMAS", "."))
_siguiente = itertools.count()
_candado = threading.Lock()
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def _pdf(n: int) -> bytes:
    """A small valid PDF, different for every n."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.add_metadata({"/Carga": str(n)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _csrf(texto: str) -> str:
    m = _CSRF.search(texto)
    return (m.group(1) or m.group(2)) if m else ""


class Contratista(HttpUser):
    wait_time = between(0.1, 0.5)

    def on_start(self) -> None:
        with _candado:
            self.numero = next(_siguiente)
        carpeta = CARPETA / str(self.numero)
        self.rfc = (carpeta / "rfc.txt").read_text().strip()
        self.password = (carpeta / "password.txt").read_text()
        self.cer = (carpeta / "certificate.cer").read_bytes()
        self.key = (carpeta / "private_key.key").read_bytes()
        self.vuelta = 0
        self.ingresar()
        self.guardar()

    @task(1)
    def ingresar(self) -> None:
        pagina = self.client.get("/ingreso/efirma", name="e.firma")
        validado = self.client.post("/ingreso/efirma", name="Validar", data={
            "csrf_token": _csrf(pagina.text), "rfc": self.rfc, "password": self.password},
            files={"cer": ("c.cer", self.cer), "key": ("k.key", self.key)})
        self.client.post("/ingreso/ingresar", name="Ingresar", data={"csrf_token": _csrf(validado.text)})
        terminos = self.client.get("/ingreso/terminos", name="términos", allow_redirects=False)
        if terminos.status_code == 200:
            self.client.post("/ingreso/terminos", name="términos", data={"csrf_token": _csrf(terminos.text),
                                                                         "acepto": "y"})

    @task(5)
    def portada(self) -> None:
        self.client.get("/", name="landing")

    @task(3)
    def borrador(self) -> None:
        pagina = self.client.get("/datos-generales/", name="Datos generales")
        self.client.post("/datos-generales/borrador", name="autosave", headers={"HX-Request": "true"},
                         data={"csrf_token": _csrf(pagina.text), "correo": f"u{self.numero}@ejemplo.mx",
                               "celular": "5512345678"})

    @task(2)
    def guardar(self) -> None:
        self.vuelta += 1
        pagina = self.client.get("/datos-generales/", name="Datos generales")
        self.client.post("/datos-generales/", name="Guardar (PDF)", data={
            "csrf_token": _csrf(pagina.text), "correo": f"u{self.numero}@ejemplo.mx", "celular": "5512345678"},
            files={"acuse": ("acuse.pdf", _pdf(self.numero * 100_000 + self.vuelta), "application/pdf")})

    @task(2)
    def alta(self) -> None:
        from tests import cfdi  # the same made-up people as the tests: valid CURPs whose names agree

        self.vuelta += 1
        i = 20_000 + 1_000 * self.numero + self.vuelta
        persona = cfdi.persona(i)
        nombres, primer, segundo, _ = cfdi.NOMBRES[i % len(cfdi.NOMBRES)]
        pagina = self.client.get("/administracion/alta", name="Alta")
        correo = f"c{i}@ejemplo.mx"
        self.client.post("/administracion/alta", name="Alta: Guardar", data={
            "csrf_token": _csrf(pagina.text), "curp": persona.curp, "nombres": nombres, "primer_apellido": primer,
            "segundo_apellido": segundo, "rol": "Capturista", "telefono": "5598765432", "correo": correo,
            "confirmar_correo": correo})

    @task(3)
    def consulta(self) -> None:
        self.client.get("/administracion/consulta", name="Consulta")

    @task(1)
    def exportar(self) -> None:
        self.client.get("/administracion/exportar", name="Exportar Excel")


class Hola(HttpUser):
    """The reference: the same locust, the same waits, against a waitress hello world."""

    wait_time = between(0.1, 0.5)

    @task
    def hola(self) -> None:
        self.client.get("/", name="hello")
