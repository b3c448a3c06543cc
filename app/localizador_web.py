"""The address locator on a web page: its form fields, its catalog lookups, and its routes, which any blueprint whose
page holds an address registers with `registrar_rutas` (Datos generales today; the informativa's contratantes
next). The rules are app.localizador's; the markup is partials/localizador.html, whose blocks (`ubicar`,
`busqueda`) are also the htmx fragments.

A locator route reads (the page's state, with what the request typed), moves the locator (one transition),
keeps the draft once, and renders. The page supplies the state through a small protocol, `PaginaConDomicilio`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from flask import Blueprint, Response, g, request
from flask_wtf import FlaskForm
from sqlmodel import Session
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from . import address, localizador, sepomex
from .formularios import rechazar
from .htmx import render, wants_fragment
from .localizador import Lista, Localizador, Paso
from .rechazo import Rechazo, todos

SI_NO = [SelectChoice("si", "Sí"), SelectChoice("no", "No")]
VACIO = [SelectChoice("", "--Selecciona por favor--")]
TEMPLATE = "partials/localizador.html"


def opciones(pairs) -> list[SelectChoice]:
    """Select options after the guide's empty first one; `pairs` are (value, label)."""
    return VACIO + [SelectChoice(value, label) for value, label in pairs]


def agregar_campos(form_class, calle: bool = True) -> None:
    """Add the locator's fields to a page's form class, created now, so they come after the page's own fields
    in the form's order (the error summary lists errors in page order). They carry no validators: which ones a
    request needs depends on the step; app.localizador judges them. `calle=False`: Paso 1's search fields alone."""
    tipo = lambda: SelectField("Tipo de vialidad", choices=VACIO, validate_choice=False)  # noqa: E731
    campos = {
        "conoce_cp": RadioField("¿Conoces tu Código Postal?", choices=SI_NO, validate_choice=False),
        "cp": StringField("Código Postal"),
        "estado": SelectField("Estado", choices=VACIO, validate_choice=False),
        "filtro_municipio": StringField("Escribe parte del nombre del municipio"),
        "municipio": SelectField("Municipio o Alcaldía", choices=VACIO, validate_choice=False),
        "filtro_colonia": StringField("Escribe parte del nombre de la colonia"),
        "colonia": SelectField("Colonia", choices=VACIO, validate_choice=False),  # rendered by hand: the partial
    }
    if calle:  # Paso 2's: the street, its numbers, its neighbours
        campos.update({
            "calle_tipo": tipo(), "calle_nombre": StringField("Nombre"),
            "numero_exterior": StringField("Número exterior"), "letra_exterior": StringField("Letra exterior"),
            "sin_numero": BooleanField("Sin número", false_values=("", "false", "0", "n")),
            "numero_interior": StringField("Número interior"), "letra_interior": StringField("Letra interior"),
            "numero_exterior_secundario": StringField("Número exterior secundario"),
            "entre_calle_tipo": tipo(), "entre_calle_nombre": StringField("Nombre"),
            "y_calle_tipo": tipo(), "y_calle_nombre": StringField("Nombre"),
            "calle_posterior_tipo": tipo(), "calle_posterior_nombre": StringField("Nombre"),
            "descripcion": TextAreaField("Descripción de la ubicación"),
        })
    for name, campo in campos.items():
        setattr(form_class, name, campo)


CAMPOS = localizador.CAMPOS_BUSQUEDA + localizador.CAMPOS_CALLE


def catalogo(db: Session, consulta: str, *args):
    """sepomex.<consulta>(db, *args), read once per request: a search reads the catalog to move the locator and
    again to render it (and Revisar's check of the postal code is the same lookup). The lists are not changed by
    their readers."""
    leidas = g.setdefault("catalogo_leido", {})
    clave = (consulta, *args)
    if clave not in leidas:
        leidas[clave] = getattr(sepomex, consulta)(db, *args)
    return leidas[clave]


@dataclass(frozen=True)
class Busqueda:
    """What Paso 1 shows for the locator's search: the (narrowed) municipios and colonias, and the asentamientos
    behind the colonias' labels. The estados are read only when their select is shown (poner_opciones)."""

    todos_los_municipios: list[str]
    municipios: Lista
    colonias: Lista
    asentamientos: dict[str, object]  # every label (not only those shown) -> models.Asentamiento


def buscar(db: Session, loc: Localizador) -> Busqueda:
    """Paso 1's catalog lookups for `loc` (app.sepomex, once per request: `catalogo`)."""
    municipios = catalogo(db, "municipios", loc.estado) if not loc.por_cp and loc.estado else []
    if loc.por_cp:
        try:
            filas = catalogo(db, "colonias_por_cp", address.validate_cp(loc.cp))
        except address.DomicilioInvalido:
            filas = []
    elif loc.estado and loc.municipio in municipios:
        filas = catalogo(db, "colonias", loc.estado, loc.municipio)
    else:
        filas = []
    etiquetas = localizador.etiquetas(filas, por_cp=loc.por_cp)
    return Busqueda(municipios, localizador.acotar(municipios, loc.filtro_municipio, loc.municipio),
                    localizador.acotar(etiquetas, loc.filtro_colonia, loc.colonia), dict(zip(etiquetas, filas)))


def poner_opciones(form, busqueda: Busqueda, db: Session | None = None) -> None:
    """The selects' choices for this request (road types, estados, municipios). The estados (33 index lookups) are
    read when their select is rendered (WTForms calls a callable `choices` then): the whole page shows both searches,
    for the CSS reveal, but a fragment of the search by postal code has no estado select."""
    if "calle_tipo" in form:  # not in the search's own fragment
        tipos = opciones((t, t) for t in address.TIPOS_VIALIDAD)
        for name in ("calle_tipo", "entre_calle_tipo", "y_calle_tipo", "calle_posterior_tipo"):
            form[name].choices = tipos
    form.estado.choices = (lambda: opciones((e, e) for e in catalogo(db, "estados"))) if db is not None else VACIO
    form.municipio.choices = opciones((m, m) for m in busqueda.municipios.opciones)


class CamposDomicilio(FlaskForm):
    """The locator's fields alone: the form of its `ubicar` fragment (which renders nothing else). The page's whole
    form (its own fields, its CSRF token, a contract's services read for their select) is built only when the page
    is rendered: building it was a fifth of a colonias search's answer."""

    class Meta:
        csrf = False


class CamposBusqueda(FlaskForm):
    """Paso 1's search fields alone: the form of the `busqueda` fragment (a third of CamposDomicilio's fields)."""

    class Meta:
        csrf = False


agregar_campos(CamposDomicilio)
agregar_campos(CamposBusqueda, calle=False)


def recibidos() -> dict[str, str]:
    """The locator's fields this request carried (the last value of a repeated name wins: a checkbox follows its
    hidden "off" value)."""
    form = request.form
    return {name: values[-1] for name in CAMPOS if (values := form.getlist(name))}


def valores_formulario(loc: Localizador) -> dict:
    """The locator's values as its form fields take them (a page's form adds its own)."""
    return {**loc.valores(), "sin_numero": loc.calle.get("sin_numero") in ("y", "on", "true", "1")}


def formulario_fragmento(pagina: "PaginaConDomicilio", bloque: str) -> FlaskForm:
    """The form of the locator's fragment `bloque`, with this request's refusals next to their fields."""
    clase = CamposBusqueda if bloque == "busqueda" else CamposDomicilio
    form = clase(formdata=None, data=valores_formulario(pagina.localizador))
    rechazar(form, [r for r in pagina.rechazos if r.campo != "domicilio"])
    return form


def es_fragmento(bloque: str, ampliar: bool) -> bool:
    """Whether the answer is the locator's own block `bloque` (htmx asked for it, and no failed Guardar widens it to
    the page's whole form)."""
    return bloque in ("ubicar", "busqueda") and wants_fragment() and not ampliar


class PaginaConDomicilio(Protocol):
    """What a page that holds an address gives the locator's routes."""

    db: Session
    localizador: Localizador
    rechazos: list[Rechazo]  # what this request refused, shown next to its fields
    enfoque: str | None  # the region whose heading gets focus ("ubicar")
    aviso: str | None

    def guardar_borrador(self) -> None: ...


def transicion(pagina: PaginaConDomicilio, accion: str, *, silencioso: bool | None = None) -> None:
    """Move the page's locator by one action of its routes, catching what the locator refuses. A `silencioso`
    search (a change of the search kind, Enter in a field) refuses nothing yet."""
    loc = pagina.localizador
    try:
        if accion == "buscar":
            if silencioso is None:
                silencioso = request.args.get("silencioso") == "1"
            busqueda = buscar(pagina.db, loc)
            loc = loc.buscar(busqueda.todos_los_municipios, list(busqueda.asentamientos))
            if not silencioso:
                cp_existe = None
                if loc.por_cp:
                    try:
                        cp_existe = bool(catalogo(pagina.db, "colonias_por_cp", address.validate_cp(loc.cp)))
                    except address.DomicilioInvalido:
                        pass
                loc.revisar_busqueda(cp_existe)
        elif accion == "ubicar":
            if loc.paso in (Paso.BUSCAR, Paso.UBICADO):
                busqueda = buscar(pagina.db, loc)
                loc = loc.ubicar(busqueda.asentamientos.get(loc.colonia))
            else:
                loc = loc.ubicar()
        elif accion == "aceptar":
            loc = loc.aceptar()
            if loc.paso is Paso.UBICADO:
                pagina.aviso = "Domicilio ubicado. Da clic en Guardar para conservarlo."
        elif accion == "cambiar":
            loc = loc.cambiar(Paso.BUSCAR if request.args.get("paso") == "1" else Paso.CALLE)
    except Exception as error:  # noqa: BLE001  (only refusals are caught; anything else is re-raised below)
        rechazos = list(todos(error))
        if not rechazos:
            raise
        pagina.rechazos.extend(rechazos)
        if accion == "ubicar" and loc.paso is Paso.UBICADO:
            loc = loc.cambiar(Paso.BUSCAR)
    pagina.localizador = loc
    pagina.enfoque = pagina.enfoque or "ubicar"


def registrar_rutas(bp: Blueprint, *, cargar: Callable[..., PaginaConDomicilio],
                    responder: Callable[[PaginaConDomicilio, str], Response], decorar: Callable = lambda v: v,
                    prefijo: str = "", nombre: str = "") -> None:
    """The locator's routes on `bp` under "<prefijo>/domicilio/…" (endpoints <nombre>domicilio_buscar, …_ubicar,
    …_aceptar, …_cambiar; `prefijo` may hold the page's own URL values, e.g. a contract's ids).
    `cargar(**view_args)` reads the page's state with the request's fields, `responder(pagina, bloque)` answers
    (the locator's block for htmx, the page otherwise), `decorar` adds the blueprint's guards and body limits."""

    def vista(accion: str):
        def view(**view_args):
            pagina = cargar(**view_args)
            transicion(pagina, accion)
            pagina.guardar_borrador()
            return responder(pagina, "busqueda" if accion == "buscar" else "ubicar")

        view.__name__ = f"{nombre}domicilio_{accion}"
        view.__doc__ = f"The address locator's «{accion}» (app.localizador_web)."
        return view

    for accion in ("buscar", "ubicar", "aceptar", "cambiar"):
        bp.add_url_rule(f"{prefijo}/domicilio/{accion}", endpoint=f"{nombre}domicilio_{accion}",
                        view_func=decorar(vista(accion)), methods=["POST"])


def contexto(pagina: PaginaConDomicilio, form, ruta: str, valores_ruta: dict | None = None,
             titulo_ubicado: str = "Domicilio ubicado") -> dict:
    """What partials/localizador.html needs: the locator, its search's options, where its routes are."""
    busqueda = buscar(pagina.db, pagina.localizador) if pagina.localizador.paso is Paso.BUSCAR else None
    if busqueda is not None:
        poner_opciones(form, busqueda, pagina.db)
    else:
        poner_opciones(form, Busqueda([], localizador.acotar([], ""), localizador.acotar([], ""), {}))
    return {"loc": pagina.localizador, "busqueda": busqueda, "ruta": ruta, "valores_ruta": valores_ruta or {},
            "titulo_ubicado": titulo_ubicado,
            "resumen": pagina.localizador.resumen(), "fragmento": wants_fragment(),
            "enfoque": pagina.enfoque, "aviso": pagina.aviso}


def responder_fragmento(bloque: str, form, **context) -> Response:
    """One of the locator's own blocks (partials/localizador.html), for htmx."""
    return render(TEMPLATE, bloque, form=form, **context)
