"""The address locator, "Ubicar domicilio geográfico nacional" (guide steps 10-12), as a small immutable object.

Every page that holds an address (Datos generales today, the informativa's contratantes next) keeps one
`Localizador` in its draft and moves it with pure transitions: type the search (`con_busqueda`), choose a colonia
and go to the street (`ubicar` from Paso 1), fill the street and see it (`ubicar` from Paso 2), `aceptar`,
`cambiar`. The catalog lookups happen outside (app.sepomex), and their results come in as plain values, so this
module needs no database and no web (app.localizador_web holds its routes and forms, partials/localizador.html its
template).

Long lists are narrowed, never sent whole: a select shows at most MAX_OPCIONES options (a postal code may have 352
colonias, a municipio 2,344 and an estado 570 municipios); beyond that the user types part of the name and the
server filters (with JavaScript or without), so every fragment stays under 4 KB on the wire. 60: the search
fragment by estado carries the estados, the municipios and the colonias, and with the 60 longest names of each
(Sonora's municipios, Hermosillo's colonias) it measures about 3.6 KB with its headers (benchmarks, "fragments");
at 100 it would pass 4 KB. Most postal codes have far fewer (the median is 3).
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Protocol

from . import address
from .rechazo import Rechazo

MAX_OPCIONES = 60
MAX_FILTRO = 60

MSG_COLONIA = "Selecciona la colonia de tu domicilio."
MSG_ESTADO = "Selecciona el estado."

# Paso 2's fields, as the form names them.
CAMPOS_CALLE = ("calle_tipo", "calle_nombre", "numero_exterior", "letra_exterior", "sin_numero", "numero_interior",
                "letra_interior", "numero_exterior_secundario", "entre_calle_tipo", "entre_calle_nombre",
                "y_calle_tipo", "y_calle_nombre", "calle_posterior_tipo", "calle_posterior_nombre", "descripcion")
# Paso 1's fields.
CAMPOS_BUSQUEDA = ("conoce_cp", "cp", "estado", "municipio", "filtro_municipio", "colonia", "filtro_colonia")


class Paso(str, Enum):
    BUSCAR = "1"  # Código Postal de tu domicilio (or estado and municipio)
    CALLE = "2"  # Componentes del domicilio
    REVISAR = "3"  # Datos del domicilio geográfico nacional ubicado
    UBICADO = "ubicado"  # accepted


class Asentamiento(Protocol):
    """What the locator reads of a catalog row (models.Asentamiento has it)."""

    id: int | None
    cp: str
    nombre: str
    tipo: str
    municipio: str
    estado: str


@dataclass(frozen=True)
class Lista:
    """A select's options after narrowing: `opciones` to show (at most MAX_OPCIONES), `total` before the filter,
    `coincidencias` after it. `acotar` tells the template to ask for (part of) a name."""

    opciones: tuple[str, ...]
    total: int
    coincidencias: int

    @property
    def acotar(self) -> bool:
        return self.total > MAX_OPCIONES

    @property
    def demasiadas(self) -> bool:
        """Too many matches even after the filter: the select stays empty until the user types more."""
        return self.coincidencias > MAX_OPCIONES


def _pliegue(texto: str) -> str:
    """Accent- and case-insensitive form, for filtering ("alamos" finds "Álamos")."""
    decomposed = unicodedata.normalize("NFD", texto.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def acotar(nombres: Sequence[str], filtro: str, elegido: str = "") -> Lista:
    """The options of a select: all of them when they are few; else those containing `filtro` (any part, accents
    and case ignored), and none while even those are too many. The `elegido` one is always among them, so a
    choice made stays shown."""
    total = len(nombres)
    if total <= MAX_OPCIONES:
        return Lista(tuple(nombres), total, total)
    buscado = _pliegue(filtro)
    encontrados = [n for n in nombres if buscado and buscado in _pliegue(n)]
    mostrados = list(encontrados) if len(encontrados) <= MAX_OPCIONES else []
    if elegido and elegido in nombres and elegido not in mostrados:
        mostrados.append(elegido)
    return Lista(tuple(mostrados), total, len(encontrados))


def etiquetas(asentamientos: Sequence[Asentamiento], *, por_cp: bool) -> list[str]:
    """The colonia select's labels, one per asentamiento and unique: the name, with the asentamiento type where two
    share a name, and the postal code when searching by estado and municipio. Labels are the options' values: ids
    would add a third to the bytes of a long list. A name's runs of spaces are one space, as a browser shows and
    sends an option's text and as `con` reads what was posted (fifty of SEPOMEX's names have a double space: "El  Sáuz"
    could never be chosen)."""
    nombres = [" ".join(a.nombre.split()) for a in asentamientos]
    veces = Counter(nombres)
    return [(nombre if por_cp else f"{nombre} (C.P. {a.cp})") + (f" ({a.tipo})" if veces[nombre] > 1 else "")
            for nombre, a in zip(nombres, asentamientos)]


def _texto(value: Any, limit: int = 1000) -> str:
    return " ".join(str(value or "").split())[:limit]


@dataclass(frozen=True)
class Localizador:
    """Where the locator stands, and what was typed in it."""

    paso: Paso = Paso.BUSCAR
    por_cp: bool = True
    cp: str = ""
    estado: str = ""
    municipio: str = ""
    filtro_municipio: str = ""
    colonia: str = ""  # the chosen option's label
    filtro_colonia: str = ""
    ubicacion: Mapping[str, Any] | None = None  # Paso 1's result: cp, estado, municipio, colonia, asentamiento_id
    calle: Mapping[str, str] = field(default_factory=dict)  # Paso 2's fields as typed
    candidato: Mapping[str, Any] | None = None  # Paso 3: address.Domicilio.to_dict()
    domicilio: Mapping[str, Any] | None = None  # accepted

    # -- what a request typed -------------------------------------------------------------------------------------

    def con(self, valores: Mapping[str, Any]) -> Localizador:
        """The same locator with the fields a request carried (the others keep their values)."""
        cambios: dict[str, Any] = {}
        if "conoce_cp" in valores:
            cambios["por_cp"] = str(valores["conoce_cp"]) != "no"
        for name in ("cp", "estado", "municipio", "colonia"):
            if name in valores:
                cambios[name] = _texto(valores[name], 300)
        for name in ("filtro_municipio", "filtro_colonia"):
            if name in valores:
                cambios[name] = _texto(valores[name], MAX_FILTRO)
        if "estado" in cambios and cambios["estado"] != self.estado:
            cambios.setdefault("municipio", "")
            cambios["filtro_municipio"] = cambios.get("filtro_municipio", "")
        calle = {name: str(valores[name]).strip()[:1000] for name in CAMPOS_CALLE if name in valores}
        if calle:
            cambios["calle"] = {**self.calle, **calle}
        return replace(self, **cambios)

    # -- Paso 1 ----------------------------------------------------------------------------------------------------

    def buscar(self, municipios: Sequence[str], colonias: Sequence[str], *, silencioso: bool = False) -> Localizador:
        """After a search: keep the municipio and the colonia only if they are still options. `municipios` and
        `colonias` are what the catalog answered for this search (app.sepomex); `silencioso` (Enter, a change
        of the search kind) refuses nothing yet."""
        cambios: dict[str, Any] = {}
        if not self.por_cp and self.municipio and self.municipio not in municipios:
            cambios["municipio"] = ""
        if self.colonia and self.colonia not in colonias:
            cambios["colonia"] = ""
        return replace(self, **cambios)

    def revisar_busqueda(self, cp_existe: bool | None) -> None:
        """The search's own refusals (Buscar pressed): a malformed or unknown postal code, or no estado.
        `cp_existe` is the catalog's answer for a well-formed postal code (None when not asked)."""
        if self.por_cp:
            address.validate_cp(self.cp)  # DomicilioInvalido on "cp"
            if cp_existe is False:
                raise Rechazo("cp", address.MSG_CP_DESCONOCIDO)
        elif not self.estado:
            raise Rechazo("estado", MSG_ESTADO)

    # -- Ubicar, Aceptar, Cambiar ----------------------------------------------------------------------------------

    def ubicar(self, elegida: Asentamiento | None = None) -> Localizador:
        """Ubicar: from Paso 1 (or a located address) to Paso 2 with the chosen colonia's asentamiento (`elegida`,
        looked up by the caller from `self.colonia`), or from Paso 2 to Paso 3 with the street checked (every
        problem at once). Rechazo(s) when something is missing."""
        if self.paso in (Paso.BUSCAR, Paso.UBICADO):
            if elegida is None:
                raise Rechazo("colonia", MSG_COLONIA)
            ubicacion = {"cp": elegida.cp, "estado": elegida.estado, "municipio": elegida.municipio,
                         "colonia": elegida.nombre, "asentamiento_id": elegida.id}
            return replace(self, paso=Paso.CALLE, ubicacion=ubicacion)
        if self.paso is Paso.CALLE:
            if self.ubicacion is None:
                raise Rechazo("colonia", MSG_COLONIA)
            domicilio = address.validar_paso2(self.calle, self.ubicacion)  # ErroresDomicilio: every problem
            candidato = domicilio.to_dict()
            # "Cambiar" shows the values as they were normalised.
            return replace(self, paso=Paso.REVISAR, candidato=candidato, calle=campos_calle(candidato))
        return self

    def aceptar(self) -> Localizador:
        if self.paso is Paso.REVISAR and self.candidato:
            return replace(self, paso=Paso.UBICADO, domicilio=self.candidato, candidato=None)
        return self

    def cambiar(self, paso: Paso) -> Localizador:
        """Back to Paso 1 (another colonia) or Paso 2 (the street), keeping what was typed."""
        if paso is Paso.CALLE and self.ubicacion is None:
            paso = Paso.BUSCAR
        return replace(self, paso=paso if paso in (Paso.BUSCAR, Paso.CALLE) else Paso.BUSCAR)

    # -- what the page shows ---------------------------------------------------------------------------------------

    def resumen(self) -> list[tuple[str, str]] | None:
        """Paso 3's rows, or the accepted address's."""
        data = self.candidato if self.paso is Paso.REVISAR else self.domicilio if self.paso is Paso.UBICADO else None
        return address.resumen(address.Domicilio.from_dict(data)) if data else None

    def valores(self) -> dict[str, Any]:
        """The form's values for this locator (Paso 1's search and Paso 2's fields)."""
        return {"conoce_cp": "si" if self.por_cp else "no", "cp": self.cp, "estado": self.estado,
                "municipio": self.municipio, "filtro_municipio": self.filtro_municipio, "colonia": self.colonia,
                "filtro_colonia": self.filtro_colonia, **self.calle}

    # -- the draft -------------------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {"paso": self.paso.value, "por_cp": self.por_cp, "cp": self.cp, "estado": self.estado,
                "municipio": self.municipio, "filtro_municipio": self.filtro_municipio, "colonia": self.colonia,
                "filtro_colonia": self.filtro_colonia, "ubicacion": dict(self.ubicacion or {}) or None,
                "calle": dict(self.calle), "candidato": self.candidato, "domicilio": self.domicilio}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Localizador:
        """The locator of a draft; anything unreadable starts over (a draft of an older release, say)."""
        if not isinstance(data, Mapping):
            return cls()
        try:
            paso = Paso(str(data.get("paso") or "1"))
        except ValueError:
            paso = Paso.BUSCAR
        calle = data.get("calle") if isinstance(data.get("calle"), Mapping) else {}
        return cls(paso=paso, por_cp=bool(data.get("por_cp", True)),
                   **{k: _texto(data.get(k), 300) for k in ("cp", "estado", "municipio", "filtro_municipio",
                                                            "colonia", "filtro_colonia")},
                   ubicacion=data.get("ubicacion") if isinstance(data.get("ubicacion"), Mapping) else None,
                   calle={str(k): str(v) for k, v in calle.items() if k in CAMPOS_CALLE},
                   candidato=data.get("candidato") if isinstance(data.get("candidato"), Mapping) else None,
                   domicilio=data.get("domicilio") if isinstance(data.get("domicilio"), Mapping) else None)

    @classmethod
    def de_domicilio(cls, domicilio: Mapping[str, Any] | None) -> Localizador:
        """A locator standing on a saved address (the page opened again): "Cambiar" starts from it."""
        if not domicilio:
            return cls()
        d = address.Domicilio.from_dict(domicilio)
        ubicacion = {"cp": d.cp, "estado": d.estado, "municipio": d.municipio, "colonia": d.colonia,
                     "asentamiento_id": d.asentamiento_id}
        return cls(paso=Paso.UBICADO, cp=d.cp, ubicacion=ubicacion, calle=campos_calle(domicilio),
                   domicilio=dict(domicilio))


def campos_calle(domicilio: Mapping[str, Any]) -> dict[str, str]:
    """Paso 2's fields of an address (to change it)."""
    d = address.Domicilio.from_dict(domicilio)
    campos = {"calle_tipo": d.calle.tipo, "calle_nombre": d.calle.nombre, "numero_exterior": d.numero_exterior,
              "letra_exterior": d.letra_exterior, "sin_numero": "y" if d.sin_numero else "",
              "numero_interior": d.numero_interior, "letra_interior": d.letra_interior,
              "numero_exterior_secundario": d.numero_exterior_secundario, "descripcion": d.descripcion}
    for prefix, calle in (("entre_calle", d.entre_calle), ("y_calle", d.y_calle),
                          ("calle_posterior", d.calle_posterior)):
        campos[f"{prefix}_tipo"], campos[f"{prefix}_nombre"] = (calle.tipo, calle.nombre) if calle else ("", "")
    return campos
