"""A ZIP of payroll CFDIs (CFDI 4.0 with the Nómina 1.2 complement) read into one row per worker.

Per receipt, from `nomina12:Receptor`: the NSS (`NumSeguridadSocial`), the CURP (`Curp`) and the SBC
(`SalarioBaseCotApor`, IMSS's salario base de cotización; `SalarioDiarioIntegrado` is the labour-law SDI, uncapped,
and is never used in its place: a receipt without `SalarioBaseCotApor` is an error row); the name from
`cfdi:Receptor/@Nombre`; `nomina12:Nomina/@FechaFinalPago` dates it (a CFDI may carry several Nomina complements:
the latest counts). Per worker (NSS), the receipts inside the period add up to one row (informativa.md §2):
- the CURP and the name are the latest receipt's (the latest FechaFinalPago, then FechaPago);
- the SBC is "the last SBC registered in the period": that of the latest receipt that carries one (an
  extraordinary payroll, aguinaldo or PTU, may have none, or 0.00), and its date is the one whose UMA caps it. A
  `SalarioBaseCotApor` with more than two decimals (t_Importe admits six) is rounded to centavos, with a warning;
- the `nomina12:SubContratacion` nodes (`RfcLabora`, `PorcentajeTiempo`) of all of them send the worker to the
  contract of each RfcLabora, once each ("a worker may be on several contracts, once per contract": one sent to a
  client in February and to another in April worked on both contracts); when none of them has such nodes, to
  the contract being edited.

Receipts of another employer (`cfdi:Emisor/@Rfc` ≠ the contratista's) or outside the period, those of
"asimilados a salarios" without an NSS (TipoRegimen 05-11: paid through payroll, not IMSS-insured), and files that
are no nómina CFDI, are listed apart (`Omitido`) and are no row. CFDI 3.3 receipts (namespace cfd/3, the version in
use until 2022) are read the same way: a late informativa of 2021-2022 has only those.

Bounds, all checked before anything is parsed: the ZIP (50 MB, by the caller), its directory (5,000 files,
walked by `directorio` before zipfile builds an object per file), each XML (at most 1 MB + 1 byte is inflated,
whatever size the ZIP declares; at most 4,000 tags and attributes, or it is left out unparsed), all XML together
(128 MB; 3,000,000 tags and attributes), SubContratacion nodes per receipt (20). Files are read one at a time and
only a few fields of each are kept, so memory does not grow with the receipts' size. XML is parsed by defusedxml with DTDs forbidden:
a receipt with a DTD or entities (a "billion laughs", an external entity) refuses the whole file.
"""
from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import BinaryIO

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from ..fiel import normalize_rfc
from ..plazos import Periodo
from ..rechazo import Rechazo
from ..rfc_contratante import validar_rfc_contratante
from ..trabajadores import CENTAVOS
from . import directorio
from .comun import (MAX_BYTES_XML, MAX_BYTES_XML_TOTAL, MAX_ENTRADAS, MAX_NODOS_XML, MAX_NODOS_ZIP,
                    MAX_SUBCONTRATACIONES, MB, ArchivoRechazado, Entrada, Omitido, mostrar)
from .directorio import MSG_ENTRADAS, MSG_ZIP_ROTO

CFDI4 = "http://www.sat.gob.mx/cfd/4"
CFDI3 = "http://www.sat.gob.mx/cfd/3"
NOMINA12 = "http://www.sat.gob.mx/nomina12"
N = f"{{{NOMINA12}}}"
MAX_NOMBRE_ENTRADA = 120        # characters of a file name inside the ZIP, as shown
MAX_ATRIBUTO = 300              # characters kept of any attribute read

MSG_ZIP_VACIO = "El ZIP «{archivo}» no contiene archivos."
MSG_XML_GRANDE = ("El ZIP «{archivo}» contiene «{xml}», que descomprimido pasa de 1 MB: un CFDI de nómina no es tan "
                  "grande (puede ser una bomba de descompresión). No se procesó el archivo.")
MSG_TOTAL = (f"El ZIP «{{archivo}}» descomprimido pasa de {MAX_BYTES_XML_TOTAL // MB} MB; divídelo en varios ZIP.")
MSG_NODOS = ("El ZIP «{archivo}» tiene demasiados nodos XML en total para sus recibos de nómina; divídelo en "
                 "varios ZIP.")
MSG_DTD = ("El archivo «{archivo}» contiene un XML con DTD o entidades («{xml}»); un CFDI no los lleva y, por "
           "seguridad, no se procesó el archivo.")
MSG_ENTRADA_ROTA = "El ZIP «{archivo}» está dañado: «{xml}» no se pudo descomprimir."

OMITIDO_NO_XML = "No es un XML."
OMITIDO_ZIP = "Es un ZIP dentro del ZIP; descomprímelo y sube sus CFDI aparte."
OMITIDO_CIFRADO = "Está cifrado con contraseña."
OMITIDO_COMPRESION = ("Usa un método de compresión que no se admite; comprime el ZIP con el compresor de "
                      "Windows o de tu sistema.")
OMITIDO_MAL_FORMADO = "No es un XML bien formado."
OMITIDO_CODIFICACION = "Declara una codificación de caracteres que no se admite (un CFDI está en UTF-8)."
OMITIDO_NODOS = (f"Tiene más de {MAX_NODOS_XML:,} nodos y atributos XML: no es un recibo de nómina (uno real tiene "
                 "menos de 1,000).")
OMITIDO_SIN_NOMBRE = "No tiene nombre."
OMITIDO_NO_CFDI = "No es un CFDI 4.0 (ni 3.3)."
OMITIDO_NO_NOMINA = "No es un CFDI de nómina (TipoDeComprobante «{tipo}»)."
OMITIDO_SIN_COMPLEMENTO = "No tiene el complemento de nómina 1.2."
OMITIDO_SIN_RECEPTOR = "No tiene el nodo nomina12:Receptor."
OMITIDO_OTRO_PATRON = "Es de otro patrón: el RFC emisor es {emisor}, no {contratista}."
OMITIDO_FECHA = "Su FechaFinalPago «{valor}» no es una fecha AAAA-MM-DD."
OMITIDO_FUERA = "Su FechaFinalPago ({fecha}) está fuera del cuatrimestre {periodo}."
OMITIDO_ASIMILADO = ("Es de un asimilado a salarios (TipoRegimen {regimen}) sin NumSeguridadSocial: no es un "
                     "trabajador asegurado en el IMSS.")
# Catálogo c_TipoRegimen of Nómina 1.2: 05-11 are "asimilados a salarios" (members of cooperatives and boards,
# fees, commissions…), paid through payroll without being IMSS-insured workers.
REGIMENES_ASIMILADOS = frozenset({"05", "06", "07", "08", "09", "10", "11"})

ERROR_SIN_NSS = "El recibo no tiene NumSeguridadSocial."
ERROR_SUBCONTRATACIONES = (f"El recibo tiene {{n:,}} nodos SubContratacion; se admiten hasta "
                           f"{MAX_SUBCONTRATACIONES}.")
ERROR_SIN_SBC = ("El recibo no tiene SalarioBaseCotApor (salario base de cotización del IMSS); el "
                 "SalarioDiarioIntegrado no lo sustituye.")
ERROR_DESTINOS = (f"Los recibos del trabajador en el cuatrimestre nombran más de {MAX_SUBCONTRATACIONES} RfcLabora "
                  f"distintos; se admiten hasta {MAX_SUBCONTRATACIONES}.")
AVISO_LABORA_REPETIDO = "El recibo repite la SubContratacion con RfcLabora {rfc}; cuenta una vez."
AVISO_SBC_REDONDEADO = "El SalarioBaseCotApor del recibo ({valor}) se redondeó a centavos: {sbc}."


@dataclass(frozen=True, slots=True)
class _Recibo:
    """The few fields kept of one receipt (the XML itself is dropped at once)."""

    archivo: str
    fecha_final: date
    fecha_pago: str
    nss: str | None
    curp: str | None
    sbc: str | None
    nombre: str | None
    labora: tuple[str, ...]         # RfcLabora of each SubContratacion, as written (at most MAX_SUBCONTRATACIONES)
    subcontrataciones: int = 0      # how many SubContratacion nodes the receipt has


def _registrado(sbc: str | None) -> bool:
    """Whether a receipt registers an SBC: its SalarioBaseCotApor is there and is not zero (payroll systems write
    "0.00" on an extraordinary receipt, aguinaldo or PTU, as others leave it out)."""
    texto = (sbc or "").strip()
    return bool(texto) and texto.replace(".", "", 1).strip("0") != ""


@dataclass(slots=True)
class _Trabajador:
    """What one worker's receipts in the period add up to (module docstring)."""

    ultimo: _Recibo                 # the latest receipt: the CURP, the name, the row's file
    con_sbc: _Recibo | None         # the latest receipt with SalarioBaseCotApor: the SBC and its date
    labora: dict[str, tuple]        # normalised RfcLabora → (its receipt's dates, as written), first seen
    repetidos: set[str]             # RfcLabora written twice in one receipt
    subcontrataciones: int          # the most SubContratacion nodes of one receipt

    @staticmethod
    def _orden(r: _Recibo) -> tuple:
        return r.fecha_final, r.fecha_pago

    def sumar(self, r: _Recibo) -> None:
        if self._orden(r) > self._orden(self.ultimo):
            self.ultimo = r
        if _registrado(r.sbc) and (self.con_sbc is None or self._orden(r) > self._orden(self.con_sbc)):
            self.con_sbc = r
        self.subcontrataciones = max(self.subcontrataciones, r.subcontrataciones)
        del_recibo: set[str] = set()
        for rfc in r.labora:
            clave = normalize_rfc(rfc)
            if clave in del_recibo:
                self.repetidos.add(clave)
            del_recibo.add(clave)
            anterior = self.labora.get(clave)
            if anterior is None and len(self.labora) <= MAX_SUBCONTRATACIONES:  # one past the bound tells it
                self.labora[clave] = (self._orden(r), rfc)
            elif anterior is not None and self._orden(r) < anterior[0]:
                self.labora[clave] = (self._orden(r), rfc)

    @classmethod
    def de(cls, r: _Recibo) -> _Trabajador:
        t = cls(ultimo=r, con_sbc=None, labora={}, repetidos=set(), subcontrataciones=0)
        t.sumar(r)
        return t


def _attr(nodo, nombre: str) -> str | None:
    valor = nodo.get(nombre) if nodo is not None else None
    return valor[:MAX_ATRIBUTO] if valor is not None else None


def _leer_entrada(z: zipfile.ZipFile, info: zipfile.ZipInfo, archivo: str, xml: str) -> bytes:
    """At most MAX_BYTES_XML + 1 bytes of one file, whatever its declared size; more refuses the whole ZIP."""
    try:
        with z.open(info) as f:
            datos = f.read(MAX_BYTES_XML + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
        # NotImplementedError: an entry of "compressed patched data" (flag bit 5), which zipfile does not read
        raise ArchivoRechazado(MSG_ENTRADA_ROTA.format(archivo=archivo, xml=xml)) from None
    if len(datos) > MAX_BYTES_XML:
        raise ArchivoRechazado(MSG_XML_GRANDE.format(archivo=archivo, xml=xml))
    return datos


def _fecha(texto: str | None) -> date | None:
    if texto is None or len(texto) != 10:
        return None
    try:
        return date.fromisoformat(texto)
    except ValueError:
        return None


def _recibo(raiz, xml: str, rfc_contratista: str, periodo: Periodo) -> _Recibo | str:
    """The receipt's fields, or why it is no row (an Omitido's motivo)."""
    ns = raiz.tag[1:].partition("}")[0] if raiz.tag.startswith("{") else ""
    if raiz.tag.rpartition("}")[2] != "Comprobante" or ns not in (CFDI4, CFDI3):
        return OMITIDO_NO_CFDI
    c = f"{{{ns}}}"
    tipo = _attr(raiz, "TipoDeComprobante") or ""
    if tipo != "N":
        return OMITIDO_NO_NOMINA.format(tipo=mostrar(tipo, 5))
    nominas = raiz.findall(f"{c}Complemento/{N}Nomina")
    if not nominas:
        return OMITIDO_SIN_COMPLEMENTO
    emisor = normalize_rfc(_attr(raiz.find(f"{c}Emisor"), "Rfc") or "")
    if emisor != rfc_contratista:
        return OMITIDO_OTRO_PATRON.format(emisor=mostrar(emisor, 20) or "vacío", contratista=rfc_contratista)
    fechas = [(_fecha(_attr(n, "FechaFinalPago")), n) for n in nominas]
    for fecha, nodo in fechas:
        if fecha is None:
            return OMITIDO_FECHA.format(valor=mostrar(_attr(nodo, "FechaFinalPago"), 20))
    fecha, nomina = max(fechas, key=lambda par: par[0])
    if not periodo.contiene(fecha):
        return OMITIDO_FUERA.format(fecha=fecha.strftime("%d/%m/%Y"), periodo=periodo.nombre)
    receptor = nomina.find(f"{N}Receptor")
    if receptor is None:
        return OMITIDO_SIN_RECEPTOR
    regimen = _attr(receptor, "TipoRegimen") or ""
    if not _attr(receptor, "NumSeguridadSocial") and regimen in REGIMENES_ASIMILADOS:
        return OMITIDO_ASIMILADO.format(regimen=regimen)
    nodos = receptor.findall(f"{N}SubContratacion")
    labora = tuple(_attr(s, "RfcLabora") or "" for s in nodos[:MAX_SUBCONTRATACIONES])
    return _Recibo(archivo=xml, fecha_final=fecha, fecha_pago=_attr(nomina, "FechaPago") or "",
                   nss=_attr(receptor, "NumSeguridadSocial"), curp=_attr(receptor, "Curp"),
                   sbc=_attr(receptor, "SalarioBaseCotApor"), nombre=_attr(raiz.find(f"{c}Receptor"), "Nombre"),
                   labora=labora, subcontrataciones=len(nodos))


def _sbc(texto: str | None) -> tuple[str | None, str | None]:
    """The receipt's SalarioBaseCotApor for the row, and a warning when it was rounded to centavos. Only a plain
    decimal ("330.571472") is rounded; anything else goes on as written, for the row's own check to refuse."""
    if texto is None:
        return None, None
    entero, punto, fraccion = texto.strip().partition(".")
    if (punto and len(fraccion) > 2 and 0 < len(entero) <= 12 and (entero + fraccion).isascii()
            and (entero + fraccion).isdigit()):
        valor = Decimal(f"{entero}.{fraccion}")
        redondeado = valor.quantize(CENTAVOS, rounding=ROUND_HALF_UP)
        if redondeado != valor:
            return str(redondeado), AVISO_SBC_REDONDEADO.format(valor=mostrar(texto, 40), sbc=redondeado)
        return str(redondeado), None
    return texto, None


def _entrada(t: _Trabajador, rfc_contratista: str) -> Entrada:
    r, con_sbc = t.ultimo, t.con_sbc
    errores: list[tuple[str, str, str]] = []
    avisos: list[str] = []
    if not r.nss:
        errores.append(("nss", ERROR_SIN_NSS, ""))
    sbc, aviso_sbc = _sbc(con_sbc.sbc if con_sbc else None)
    if con_sbc is None:
        errores.append(("sbc", ERROR_SIN_SBC, ""))
    elif aviso_sbc:
        avisos.append(aviso_sbc)
    destinos: list[str | None] = []
    if t.subcontrataciones > MAX_SUBCONTRATACIONES:  # one error, no destination: the row cannot be placed
        errores.append(("rfc_labora", ERROR_SUBCONTRATACIONES.format(n=t.subcontrataciones), ""))
    elif len(t.labora) > MAX_SUBCONTRATACIONES:
        errores.append(("rfc_labora", ERROR_DESTINOS, ""))
    else:
        for _, rfc in sorted(t.labora.values()):
            try:
                normal, _, avisos_rfc = validar_rfc_contratante(rfc, rfc_contratista=rfc_contratista)
            except Rechazo as e:
                errores.append(("rfc_labora", f"SubContratacion: {e.mensaje}", mostrar(rfc)))
                continue
            if normal in t.repetidos:
                avisos.append(AVISO_LABORA_REPETIDO.format(rfc=normal))
            if normal in destinos:  # two spellings of one RFC
                continue
            destinos.append(normal)
            avisos.extend(avisos_rfc)
    return Entrada(fila=r.archivo, nss=r.nss, curp=r.curp, sbc=sbc,
                   fecha_referencia=con_sbc.fecha_final if con_sbc else r.fecha_final, nombre=r.nombre,
                   destinos=tuple(destinos) or (None,), errores=tuple(errores), avisos=tuple(avisos))


def leer_zip(fuente: BinaryIO, archivo: str, *, rfc_contratista: str,
             periodo: Periodo) -> tuple[list[Entrada], list[Omitido]]:
    """One Entrada per worker (what their receipts in the period add up to) and the files left out, or
    ArchivoRechazado."""
    directorio.revisar(fuente, archivo)
    try:
        z = zipfile.ZipFile(fuente)
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError):
        raise ArchivoRechazado(MSG_ZIP_ROTO.format(archivo=archivo)) from None
    rfc_contratista = normalize_rfc(rfc_contratista)
    omitidos: list[Omitido] = []
    trabajadores: dict[str, _Trabajador] = {}  # worker key → their receipts so far, in order of first appearance
    total = nodos = 0
    with z:
        infos = z.infolist()
        if len(infos) > MAX_ENTRADAS:
            raise ArchivoRechazado(MSG_ENTRADAS.format(archivo=archivo))
        if not infos:
            raise ArchivoRechazado(MSG_ZIP_VACIO.format(archivo=archivo))
        for info in infos:
            xml = mostrar(info.filename, MAX_NOMBRE_ENTRADA) or "sin nombre"
            nombre = info.filename.lower()
            if not info.filename:  # ZipInfo.is_dir() fails on it (and zipfile cuts a name at its first NUL)
                omitidos.append(Omitido(xml, OMITIDO_SIN_NOMBRE))
                continue
            if info.is_dir():
                continue
            if nombre.endswith(".zip"):
                omitidos.append(Omitido(xml, OMITIDO_ZIP))
                continue
            if not nombre.endswith(".xml"):
                omitidos.append(Omitido(xml, OMITIDO_NO_XML))
                continue
            if info.flag_bits & 0x41:  # bit 0: encrypted; bit 6: PKWARE's strong encryption (zipfile reads neither)
                omitidos.append(Omitido(xml, OMITIDO_CIFRADO))
                continue
            # Stored and deflated only: zipfile bounds what deflate inflates to what is asked for, but inflates
            # each chunk of bzip2 or LZMA whole (913 bytes of bzip2 were 2 GB and 6 s before the 1 MB check).
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                omitidos.append(Omitido(xml, OMITIDO_COMPRESION))
                continue
            datos = _leer_entrada(z, info, archivo, xml)
            total += len(datos)
            if total > MAX_BYTES_XML_TOTAL:
                raise ArchivoRechazado(MSG_TOTAL.format(archivo=archivo))
            # Parsing costs per element and attribute, not per byte (1 MB of "<a/>" is 260,000 elements, of
            # a='1' 95,000 attributes): they are counted first, in C ("<" and "="), and a file with more than a
            # receipt could have is not parsed at all.
            cuantos = datos.count(b"<") + datos.count(b"=")
            if cuantos > MAX_NODOS_XML:
                omitidos.append(Omitido(xml, OMITIDO_NODOS))
                continue
            nodos += cuantos
            if nodos > MAX_NODOS_ZIP:
                raise ArchivoRechazado(MSG_NODOS.format(archivo=archivo))
            try:
                raiz = fromstring(datos, forbid_dtd=True)
            except DefusedXmlException:
                raise ArchivoRechazado(MSG_DTD.format(archivo=archivo, xml=xml)) from None
            except LookupError:  # <?xml encoding="x-unknown"?>: Python has no codec by that name
                omitidos.append(Omitido(xml, OMITIDO_CODIFICACION))
                continue
            except (ParseError, ValueError, UnicodeError):
                omitidos.append(Omitido(xml, OMITIDO_MAL_FORMADO))
                continue
            finally:
                del datos
            recibo = _recibo(raiz, xml, rfc_contratista, periodo)
            del raiz
            if isinstance(recibo, str):
                omitidos.append(Omitido(xml, recibo))
                continue
            clave = "".join((recibo.nss or "").split()) or f"\x00{recibo.archivo}"  # no NSS: a row of its own
            if clave in trabajadores:
                trabajadores[clave].sumar(recibo)
            else:
                trabajadores[clave] = _Trabajador.de(recibo)
    return [_entrada(t, rfc_contratista) for t in trabajadores.values()], omitidos
