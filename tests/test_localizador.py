"""The address locator as a domain object (app.localizador): pure transitions, no Flask, no database."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from app import address
from app.localizador import MAX_OPCIONES, Localizador, Paso, acotar, etiquetas
from app.rechazo import Rechazo, todos


@dataclass
class Fila:
    id: int
    cp: str
    nombre: str
    tipo: str = "Colonia"
    municipio: str = "Álvaro Obregón"
    estado: str = "Ciudad de México"


SAN_ANGEL = Fila(1, "01000", "San Ángel")
CALLE = {"calle_tipo": "RETORNO", "calle_nombre": "1 norte", "numero_exterior": "Mz. 9 Lt. 8",
         "numero_interior": "Depto. 45 int."}


def test_the_four_steps_in_order():
    loc = Localizador().con({"conoce_cp": "si", "cp": "01000", "colonia": "San Ángel"})
    assert loc.paso is Paso.BUSCAR and loc.cp == "01000"
    loc = loc.ubicar(SAN_ANGEL)
    assert loc.paso is Paso.CALLE and loc.ubicacion["colonia"] == "San Ángel"
    loc = loc.con(CALLE).ubicar()
    assert loc.paso is Paso.REVISAR
    assert dict(loc.resumen())["Número / Letra exterior"] == "MZ. 9 LT. 8"
    loc = loc.aceptar()
    assert loc.paso is Paso.UBICADO and loc.domicilio["calle"]["nombre"] == "1 NORTE" and loc.candidato is None
    assert loc.cambiar(Paso.CALLE).paso is Paso.CALLE  # "Cambiar domicilio" keeps the street typed
    assert loc.cambiar(Paso.CALLE).calle["calle_nombre"] == "1 NORTE"


def test_transitions_never_change_the_object():
    loc = Localizador()
    loc.con({"cp": "01000"})
    assert loc.cp == ""  # frozen: every transition returns a new one


def test_refusals_name_their_fields():
    with pytest.raises(Rechazo) as e:
        Localizador().ubicar(None)
    assert e.value.campo == "colonia"
    loc = Localizador().ubicar(SAN_ANGEL)
    with pytest.raises(ExceptionGroup) as grupo:
        loc.ubicar()
    assert {r.campo for r in todos(grupo.value)} == {"calle_tipo", "calle_nombre", "numero_exterior"}
    with pytest.raises(Rechazo) as e:
        Localizador().con({"conoce_cp": "si", "cp": "12"}).revisar_busqueda(None)
    assert e.value.campo == "cp" and "5 dígitos" in str(e.value)
    with pytest.raises(Rechazo) as e:
        Localizador().con({"conoce_cp": "si", "cp": "99999"}).revisar_busqueda(cp_existe=False)
    assert str(e.value) == address.MSG_CP_DESCONOCIDO
    with pytest.raises(Rechazo) as e:
        Localizador().con({"conoce_cp": "no"}).revisar_busqueda(None)
    assert e.value.campo == "estado"


def test_a_new_search_drops_what_it_no_longer_offers():
    loc = Localizador().con({"conoce_cp": "no", "estado": "Sonora", "municipio": "Hermosillo", "colonia": "X"})
    loc = loc.buscar(["Cajeme", "Hermosillo"], ["Pitic (C.P. 83150)"])
    assert (loc.municipio, loc.colonia) == ("Hermosillo", "")
    assert loc.con({"estado": "Oaxaca"}).municipio == ""  # another estado: its municipios are others


def test_long_lists_are_narrowed_by_typing():
    nombres = [f"Colonia {i:03d}" for i in range(352)] + ["Jardines del Pitic"]
    lista = acotar(nombres, "")
    assert lista.acotar and lista.opciones == () and lista.total == 353
    assert acotar(nombres, "pitic").opciones == ("Jardines del Pitic",)
    assert acotar(nombres, "PÍTIC").opciones == ("Jardines del Pitic",)  # accents and case ignored
    assert acotar(nombres, "colonia").demasiadas  # still too many: none shown until the user types more
    assert acotar(nombres, "", elegido="Colonia 007").opciones == ("Colonia 007",)  # a choice made stays shown
    pocas = [f"C{i}" for i in range(MAX_OPCIONES)]
    assert acotar(pocas, "").opciones == tuple(pocas) and not acotar(pocas, "").acotar


def test_labels_are_unique_and_say_what_tells_them_apart():
    filas = [Fila(1, "85203", "El Rodeo", tipo="Pueblo"), Fila(2, "85203", "El Rodeo", tipo="Ranchería"),
             Fila(3, "85204", "Pitic")]
    assert etiquetas(filas, por_cp=True) == ["El Rodeo (Pueblo)", "El Rodeo (Ranchería)", "Pitic"]
    assert etiquetas(filas[2:], por_cp=False) == ["Pitic (C.P. 85204)"]


def test_the_draft_round_trip_and_what_an_older_draft_becomes():
    loc = Localizador().con({"cp": "01000", "colonia": "San Ángel"}).ubicar(SAN_ANGEL).con(CALLE).ubicar().aceptar()
    assert Localizador.from_dict(loc.to_dict()) == loc
    assert Localizador.from_dict({"paso": "7", "cp": 5}) == Localizador(cp="5")  # unreadable parts start over
    assert Localizador.from_dict(None) == Localizador()
    guardado = Localizador.de_domicilio(loc.domicilio)
    assert guardado.paso is Paso.UBICADO and guardado.resumen() == loc.resumen()
