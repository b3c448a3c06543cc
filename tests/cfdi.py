"""Worker files for the carga masiva tests and benchmarks: payroll CFDIs (CFDI 4.0 with the Nómina 1.2 complement)
and ZIPs of them, and the CSV and XLSX of IMSS's template (NSS, CURP, SBC).

The data looks real: NSS with their Luhn check digit, CURPs built as RENAPO builds them (app.curp.clave_nombre, as
tests/test_administracion.hacer_curp does) with their check digit, RFCs with SAT's check digit, the attributes of a
timbrado receipt (Sello, Certificado and TimbreFiscalDigital are random Base64 of the real lengths: nothing here
verifies seals).
"""
from __future__ import annotations

import base64
import csv
import io
import random
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from xml.sax.saxutils import quoteattr

from openpyxl import Workbook
from stdnum import luhn
from stdnum.mx import curp as stdnum_curp
from stdnum.mx import rfc as stdnum_rfc

from app import curp as curp_rules

CFDI4 = "http://www.sat.gob.mx/cfd/4"
CFDI3 = "http://www.sat.gob.mx/cfd/3"
NOMINA12 = "http://www.sat.gob.mx/nomina12"

RFC_CONTRATISTA = "EDE150310AB0"          # the demo persona moral (README)
NOMBRE_CONTRATISTA = "ESCUELA DEMO SA DE CV"


def rfc_con_digito(base: str) -> str:
    """An RFC (11 or 12 characters without its last one) completed with SAT's check digit."""
    return base + stdnum_rfc.calc_check_digit(base)


RFC_CLIENTE_A = rfc_con_digito("CAL091016KT")   # two contratantes a worker can be sent to
RFC_CLIENTE_B = rfc_con_digito("SBU120725EP")

NOMBRES = [("JOSE LUIS", "GARCIA", "LOPEZ", "H"), ("ANA", "MARTINEZ", "RUIZ", "M"), ("MARIA GUADALUPE", "PEREZ",
           "HERNANDEZ", "M"), ("JUAN CARLOS", "RAMIREZ", "TORRES", "H"), ("FERNANDA", "NUÑEZ", "OCHOA", "M"),
           ("ROBERTO", "DE LA CRUZ", "VEGA", "H"), ("PATRICIA", "SANCHEZ", "", "M"), ("LUIS ANGEL", "MORALES",
           "CASTRO", "H"), ("SOFIA", "JIMENEZ", "REYES", "M"), ("MIGUEL", "DOMINGUEZ", "SILVA", "H")]
ENTIDADES = ["DF", "MC", "JC", "NL", "PL", "VZ", "GT", "BC", "SR", "YN"]


def hacer_curp(nombres: str, primer: str, segundo: str, fecha: str = "850315", sexo: str = "H",
               entidad: str = "DF", homoclave: str = "0") -> str:
    """A CURP RENAPO would give these names, with its check digit (as in tests/test_administracion.py)."""
    clave = curp_rules.clave_nombre(nombres, primer, segundo)
    base = clave[:4] + fecha + sexo + entidad + clave[4:] + homoclave
    return base + stdnum_curp.calc_check_digit(base)


def hacer_nss(subdelegacion: int, alta: int, nacimiento: int, consecutivo: int) -> str:
    """An NSS: subdelegación, year of registration, year of birth, consecutive number, Luhn check digit."""
    base = f"{subdelegacion % 100:02d}{alta % 100:02d}{nacimiento % 100:02d}{consecutivo % 10000:04d}"
    return base + luhn.calc_check_digit(base)


def nss_con_digito_equivocado(nss: str) -> str:
    return nss[:10] + str((int(nss[10]) + 1) % 10)


@dataclass(frozen=True)
class Persona:
    nss: str
    curp: str
    nombre: str     # as the CFDI's Receptor/@Nombre writes it
    rfc: str


def persona(i: int) -> Persona:
    """The i-th made-up worker: distinct NSS and CURP for every i below 10,000 × 10."""
    nombres, primer, segundo, sexo = NOMBRES[i % len(NOMBRES)]
    nacimiento = date(1960, 1, 1) + timedelta(days=(i * 37) % 15000)
    fecha = nacimiento.strftime("%y%m%d")
    curp = hacer_curp(nombres, primer, segundo, fecha=fecha, sexo=sexo, entidad=ENTIDADES[(i // 10) % 10],
                      homoclave=str((i // 100) % 10) if nacimiento.year < 2000 else "A")
    nss = hacer_nss(1 + i % 97, 10 + (i // 97) % 16, nacimiento.year, i)
    rfc = rfc_con_digito(curp[:10] + "A" + "0123456789ABC"[(i // 7) % 13])
    nombre = " ".join(p for p in (nombres, primer, segundo) if p)
    return Persona(nss, curp, nombre, rfc)


def _b64(rng: random.Random, n: int) -> str:
    return base64.b64encode(rng.randbytes(n)).decode()


@dataclass
class Recibo:
    """One payroll receipt. `sbc=None` leaves SalarioBaseCotApor out (the SDI stays)."""

    persona: Persona
    fecha_final: date
    sbc: str | None = "450.25"
    sdi: str = "471.07"
    fecha_inicial: date | None = None
    fecha_pago: date | None = None
    emisor_rfc: str = RFC_CONTRATISTA
    emisor_nombre: str = NOMBRE_CONTRATISTA
    subcontrataciones: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (RfcLabora, PorcentajeTiempo)
    version: str = "4.0"
    tipo: str = "N"
    tipo_regimen: str = "02"       # c_TipoRegimen: 02 sueldos; 05-11 asimilados a salarios
    semilla: int = 0

    def xml(self) -> bytes:
        rng = random.Random(self.semilla or f"{self.persona.nss}{self.persona.curp}{self.fecha_final}")
        inicial = self.fecha_inicial or self.fecha_final - timedelta(days=14)
        pago = self.fecha_pago or self.fecha_final
        dias = (self.fecha_final - inicial).days + 1
        sueldo = f"{float(self.sbc or self.sdi) * dias * 0.95:.2f}"
        isr = f"{float(sueldo) * 0.1:.2f}"
        neto = f"{float(sueldo) - float(isr):.2f}"
        cfdi = CFDI4 if self.version == "4.0" else CFDI3
        esquema = "cfd/4/cfdv40.xsd" if self.version == "4.0" else "cfd/3/cfdv33.xsd"
        a = quoteattr
        sub = "".join(f"<nomina12:SubContratacion RfcLabora={a(r)} PorcentajeTiempo={a(p)}/>"
                      for r, p in self.subcontrataciones)
        sbc = f" SalarioBaseCotApor={a(self.sbc)}" if self.sbc is not None else ""
        nss = f" NumSeguridadSocial={a(self.persona.nss)}" if self.persona.nss else ""
        receptor_cfdi = (f'<cfdi:Receptor Rfc={a(self.persona.rfc)} Nombre={a(self.persona.nombre)} '
                         'DomicilioFiscalReceptor="06600" RegimenFiscalReceptor="605" UsoCFDI="CN01"/>'
                         if self.version == "4.0" else
                         f'<cfdi:Receptor Rfc={a(self.persona.rfc)} Nombre={a(self.persona.nombre)} UsoCFDI="P01"/>')
        texto = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<cfdi:Comprobante xmlns:cfdi="{cfdi}" xmlns:nomina12="{NOMINA12}" '
            'xmlns:tfd="http://www.sat.gob.mx/TimbreFiscalDigital" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation="{cfdi} http://www.sat.gob.mx/sitio_internet/{esquema} {NOMINA12} '
            'http://www.sat.gob.mx/sitio_internet/cfd/nomina/nomina12.xsd" '
            f'Version="{self.version}" Serie="NOM" Folio="{rng.randrange(1, 10**6)}" '
            f'Fecha="{pago.isoformat()}T09:{rng.randrange(60):02d}:{rng.randrange(60):02d}" '
            f'Sello="{_b64(rng, 256)}" NoCertificado="30001000000500003416" Certificado="{_b64(rng, 1450)}" '
            f'SubTotal="{sueldo}" Descuento="{isr}" Moneda="MXN" Total="{neto}" TipoDeComprobante={a(self.tipo)} '
            'Exportacion="01" MetodoPago="PUE" LugarExpedicion="06600">'
            f'<cfdi:Emisor Rfc={a(self.emisor_rfc)} Nombre={a(self.emisor_nombre)} RegimenFiscal="601"/>'
            f'{receptor_cfdi}'
            '<cfdi:Conceptos><cfdi:Concepto ClaveProdServ="84111505" Cantidad="1" ClaveUnidad="ACT" '
            f'Descripcion="Pago de nómina" ValorUnitario="{sueldo}" Importe="{sueldo}" Descuento="{isr}" '
            'ObjetoImp="01"/></cfdi:Conceptos>'
            '<cfdi:Complemento>'
            f'<nomina12:Nomina Version="1.2" TipoNomina="O" FechaPago="{pago.isoformat()}" '
            f'FechaInicialPago="{inicial.isoformat()}" FechaFinalPago="{self.fecha_final.isoformat()}" '
            f'NumDiasPagados="{dias}.000" TotalPercepciones="{sueldo}" TotalDeducciones="{isr}">'
            '<nomina12:Emisor RegistroPatronal="Y5012345108"/>'
            f'<nomina12:Receptor Curp={a(self.persona.curp)}{nss} '
            'FechaInicioRelLaboral="2020-01-06" Antigüedad="P327W" TipoContrato="01" TipoJornada="01" '
            f'TipoRegimen={a(self.tipo_regimen)} NumEmpleado="{rng.randrange(1000, 99999)}" '
            'Departamento="Operaciones" '
            f'Puesto="Técnico de mantenimiento" RiesgoPuesto="2" PeriodicidadPago="04"{sbc} '
            f'SalarioDiarioIntegrado={a(self.sdi)} ClaveEntFed="CMX">{sub}</nomina12:Receptor>'
            f'<nomina12:Percepciones TotalSueldos="{sueldo}" TotalGravado="{sueldo}" TotalExento="0.00">'
            '<nomina12:Percepcion TipoPercepcion="001" Clave="001" Concepto="Sueldo" '
            f'ImporteGravado="{sueldo}" ImporteExento="0.00"/></nomina12:Percepciones>'
            f'<nomina12:Deducciones TotalImpuestosRetenidos="{isr}">'
            f'<nomina12:Deduccion TipoDeduccion="002" Clave="002" Concepto="ISR" Importe="{isr}"/>'
            '</nomina12:Deducciones></nomina12:Nomina>'
            f'<tfd:TimbreFiscalDigital Version="1.1" UUID="{uuid.UUID(int=rng.getrandbits(128))}" '
            f'FechaTimbrado="{pago.isoformat()}T10:00:00" RfcProvCertif="SAT970701NN3" '
            f'SelloCFD="{_b64(rng, 256)}" NoCertificadoSAT="30001000000500003456" SelloSAT="{_b64(rng, 256)}"/>'
            '</cfdi:Complemento></cfdi:Comprobante>')
        return texto.encode("utf-8")


def zip_de(archivos: Iterable[tuple[str, bytes | Recibo]], *, comprimir: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A ZIP of (name, content) pairs, receipts turned into their XML one at a time."""
    salida = io.BytesIO()
    with zipfile.ZipFile(salida, "w", compression=comprimir) as z:
        for nombre, contenido in archivos:
            z.writestr(nombre, contenido.xml() if isinstance(contenido, Recibo) else contenido)
    return salida.getvalue()


def recibos_de_periodo(n: int, fin: date, *, por_persona: int = 1, inicio: int = 0) -> list[tuple[str, Recibo]]:
    """n workers' receipts, `por_persona` fortnights each ending on or before `fin`, as (file name, Recibo)."""
    recibos = []
    for i in range(inicio, inicio + n):
        p = persona(i)
        for k in range(por_persona):
            final = fin - timedelta(days=15 * k)
            recibos.append((f"{p.rfc}_{final.isoformat()}.xml",
                            Recibo(p, final, sbc=f"{350 + (i * 7.31) % 2000:.2f}", semilla=i * 100 + k + 1)))
    return recibos


def filas_de(personas: Iterable[Persona], sbc: str = "450.25") -> list[tuple[str, str, str]]:
    return [(p.nss, p.curp, sbc) for p in personas]


def csv_de(filas: Iterable[Sequence[object]], *, encabezado: Sequence[str] | None = ("NSS", "CURP", "SBC"),
           encoding: str = "utf-8", bom: bool = False) -> bytes:
    salida = io.StringIO(newline="")
    escritor = csv.writer(salida, lineterminator="\r\n")
    if encabezado:
        escritor.writerow(encabezado)
    escritor.writerows(filas)
    datos = salida.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + datos) if bom else datos


def xlsx_de(filas: Iterable[Sequence[object]], *, encabezado: Sequence[str] | None = ("NSS", "CURP", "SBC"),
            nss_numerico: bool = False) -> bytes:
    """An .xlsx whose first sheet holds the rows; `nss_numerico` stores the NSS as numbers, as Excel does when a
    column of digits is typed without the text format (and so loses its leading zeros)."""
    libro = Workbook()
    hoja = libro.active
    hoja.title = "Trabajadores"
    if encabezado:
        hoja.append(list(encabezado))
    for fila in filas:
        fila = list(fila)
        if nss_numerico and isinstance(fila[0], str) and fila[0].isdigit():
            fila[0] = int(fila[0])
        hoja.append(fila)
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()
