"""The address locator's rules: código postal, the two catalog readers, Paso 2's checks and Paso 3's summary."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from dataclasses import fields
from pathlib import Path

import pytest

from app import address
from app.address import AsentamientoRow, Calle, Domicilio, DomicilioInvalido, ErroresDomicilio
from app.models import Asentamiento

APP_DIR = Path(__file__).resolve().parents[1] / "app"

AVISO = ("El Catálogo Nacional de Códigos Postales, es elaborado por Correos de México y se proporciona en forma "
         "gratuita para uso particular, no estando permitida su comercialización, total o parcial, ni su "
         "distribución a terceros bajo ningún concepto.")
ENCABEZADO = ("d_codigo|d_asenta|d_tipo_asenta|D_mnpio|d_estado|d_ciudad|d_CP|c_estado|c_oficina|c_CP|"
              "c_tipo_asenta|c_mnpio|id_asenta_cpcons|d_zona|c_cve_ciudad")
FILAS = [
    "01000|San Ángel|Colonia|Álvaro Obregón|Ciudad de México|Ciudad de México|01001|09|01001||09|010|0001|"
    "Urbano|01",
    "15520|Peñón de los Baños|Colonia|Venustiano Carranza|Ciudad de México|Ciudad de México|15501|09|15501||09|"
    "017|1069|Urbano|01",
    "20900|El Chayote|Ranchería|Jesús María|Aguascalientes||20901|1|20901||29|5|0123|Rural|",
]


def cpdescarga(filas=FILAS, *, aviso=True, encabezado=ENCABEZADO, fin="\r\n", encoding="latin-1") -> bytes:
    """A CPdescarga.txt in SEPOMEX's format: notice, header, rows, CRLF, Latin-1, a trailing empty line."""
    lines = ([AVISO] if aviso else []) + [encabezado] + list(filas)
    return (fin.join(lines) + fin).encode(encoding)




def test_the_row_has_the_table_columns_and_fits_their_sizes():
    columns = {c.name: c for c in Asentamiento.__table__.columns if c.name != "id"}
    assert [f.name for f in fields(AsentamientoRow)] == list(columns)
    assert address._LIMITES == {name: c.type.length for name, c in columns.items()}


@pytest.mark.parametrize("value, cp", [("01000", "01000"), (" 06600 ", "06600"), ("99999", "99999"),
                                       ("01 000", "01000"), ("０１０００", "01000"), (1000, "1000")])
def test_normalize_cp(value, cp):
    assert address.normalize_cp(value) == cp


@pytest.mark.parametrize("value", ["01000", " 06600", "99999", "44100 "])
def test_good_cp(value):
    assert address.validate_cp(value) == value.strip()


@pytest.mark.parametrize("value, message", [
    ("", "Captura el código postal."),
    ("   ", "Captura el código postal."),
    (None, "Captura el código postal."),
    ("0100", "El código postal debe tener 5 dígitos."),
    ("010000", "El código postal debe tener 5 dígitos."),
    ("O1000", "El código postal debe tener 5 dígitos."),
    ("ABCDE", "El código postal debe tener 5 dígitos."),
    ("01-000", "El código postal debe tener 5 dígitos."),
    ("00000", address.MSG_CP_INEXISTENTE),
    ("00999", address.MSG_CP_INEXISTENTE),
])
def test_bad_cp_is_refused_with_a_spanish_message_on_the_cp_field(value, message):
    with pytest.raises(DomicilioInvalido) as e:
        address.validate_cp(value)
    assert (e.value.field, str(e.value)) == ("cp", message)


def test_unknown_cp_message_for_the_caller():
    assert address.MSG_CP_DESCONOCIDO == ("No encontramos ese código postal. "
                                          "Revísalo o búscalo por estado y municipio.")


def test_every_entidad_maps_from_its_official_and_its_usual_names():
    with (APP_DIR / "catalogs" / "entidades.csv").open(encoding="utf-8") as f:
        oficiales = {r["clave_inegi"]: r["nombre"] for r in csv.DictReader(f) if r["clave_inegi"]}
    assert len(oficiales) == 32 and address.ENTIDADES == oficiales
    for clave, nombre in oficiales.items():
        assert address.clave_estado(nombre) == clave
        assert address.clave_estado(nombre.upper()) == clave
        assert address.clave_estado(address._sin_acentos(nombre)) == clave
    for nombre, clave in [("Estado de México", "15"), ("ESTADO DE MEXICO", "15"), ("México", "15"),
                          ("Coahuila", "05"), ("Michoacan", "16"), ("Veracruz", "30"), ("Distrito Federal", "09"),
                          ("  Ciudad  de  México ", "09"), ("QUERETARO", "22"), ("nuevo leon", "19")]:
        assert address.clave_estado(nombre) == clave, nombre


@pytest.mark.parametrize("nombre", ["Texas", "", "Nacido en el extranjero", "Baja"])
def test_unknown_estado_fails_loudly(nombre):
    with pytest.raises(ValueError, match="Estado desconocido"):
        address.clave_estado(nombre)


def test_tipos_vialidad_come_from_the_catalog_in_its_order():
    with (APP_DIR / "catalogs" / "tipos_vialidad.csv").open(encoding="utf-8") as f:
        tipos = tuple(r["tipo"] for r in csv.DictReader(f))
    assert address.TIPOS_VIALIDAD == tipos
    assert {"AVENIDA", "CALLE", "RETORNO", "ANDADOR", "PRIVADA", "PEATONAL"} <= set(tipos)


def test_postalcodes_mexico_rows():
    rows = {}
    for row in address.read_postalcodes_mexico():
        if row.cp in {"01000", "20000", "15520"}:
            rows.setdefault(row.cp, []).append(row)
    assert rows["01000"] == [AsentamientoRow(cp="01000", nombre="San Ángel", tipo="Colonia",
                                             municipio="Álvaro Obregón", estado="Ciudad de México",
                                             ciudad="Ciudad de México", c_estado="09", c_mnpio=None, zona=None)]
    assert {r.c_estado for r in rows["20000"]} == {"01"}
    assert any(r.nombre == "Peñón de los Baños" for r in rows["15520"])


def test_postalcodes_mexico_is_opened_read_only(monkeypatch, tmp_path):
    copy = tmp_path / "postalcodes.sqlite3"
    with sqlite3.connect(copy) as c:
        c.execute("CREATE TABLE places(cp, place, place_type, municipality, city, state)")
        c.execute("INSERT INTO places VALUES ('20900', 'El Chayote', 'Ranchería', 'Jesús María', '', "
                  "'Aguascalientes')")
    c.close()
    copy.chmod(0o444)
    monkeypatch.setattr(address, "_postalcodes_mexico_db", lambda: copy)
    assert list(address.read_postalcodes_mexico()) == [
        AsentamientoRow(cp="20900", nombre="El Chayote", tipo="Ranchería", municipio="Jesús María",
                        estado="Aguascalientes", ciudad=None, c_estado="01", c_mnpio=None, zona=None)]


def test_postalcodes_mexico_with_an_unknown_state_fails_loudly(monkeypatch, tmp_path):
    copy = tmp_path / "postalcodes.sqlite3"
    with sqlite3.connect(copy) as c:
        c.execute("CREATE TABLE places(cp, place, place_type, municipality, city, state)")
        c.execute("INSERT INTO places VALUES ('99999', 'X', 'Colonia', 'Y', '', 'Atlántida')")
    c.close()
    monkeypatch.setattr(address, "_postalcodes_mexico_db", lambda: copy)
    with pytest.raises(ValueError, match="Atlántida"):
        list(address.read_postalcodes_mexico())


ESPERADAS = [
    AsentamientoRow(cp="01000", nombre="San Ángel", tipo="Colonia", municipio="Álvaro Obregón",
                    estado="Ciudad de México", ciudad="Ciudad de México", c_estado="09", c_mnpio="010",
                    zona="Urbano"),
    AsentamientoRow(cp="15520", nombre="Peñón de los Baños", tipo="Colonia", municipio="Venustiano Carranza",
                    estado="Ciudad de México", ciudad="Ciudad de México", c_estado="09", c_mnpio="017",
                    zona="Urbano"),
    AsentamientoRow(cp="20900", nombre="El Chayote", tipo="Ranchería", municipio="Jesús María",
                    estado="Aguascalientes", ciudad=None, c_estado="01", c_mnpio="005", zona="Rural"),
]


@pytest.mark.parametrize("data", [
    cpdescarga(),
    cpdescarga(fin="\n"),
    cpdescarga(encoding="utf-8"),
    cpdescarga(encoding="utf-8-sig"),
    cpdescarga(aviso=False),
    cpdescarga() + b"\r\n\r\n",
    cpdescarga().decode("latin-1"),
    io.BytesIO(cpdescarga()),
    io.TextIOWrapper(io.BytesIO(cpdescarga()), encoding="latin-1"),
], ids=["latin1-crlf", "lf", "utf8", "utf8-bom", "sin-aviso", "lineas-vacias", "texto", "binario", "flujo-texto"])
def test_cpdescarga_rows(data):
    assert list(address.read_cpdescarga(data)) == ESPERADAS


def test_cpdescarga_is_read_by_column_name():
    header = ENCABEZADO.split("|")
    order = list(reversed(range(len(header))))
    reordered = ["|".join(f.split("|")[i] for i in order) for f in FILAS]
    data = cpdescarga(reordered, encabezado="|".join(header[i] for i in order) + "|extra_nueva")
    data = data.replace(b"\r\n", b"|x\r\n").replace(b"extra_nueva|x", b"extra_nueva")
    data = data.replace(AVISO.encode("latin-1") + b"|x", AVISO.encode("latin-1"))
    assert list(address.read_cpdescarga(data)) == ESPERADAS


def test_cpdescarga_latin1_is_not_split_on_nel():
    # Byte 0x85 is "…" in Windows-1252 and U+0085 (NEL, a line break for str.splitlines) in Latin-1.
    fila = FILAS[0].replace("San Ángel", "San\x85Ángel")
    assert [r.nombre for r in address.read_cpdescarga(cpdescarga([fila]))] == ["San\x85Ángel"]


def test_cpdescarga_in_a_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("CPdescarga.txt", cpdescarga())
    assert list(address.read_cpdescarga(buffer.getvalue())) == ESPERADAS


@pytest.mark.parametrize("data, message", [
    (b"", "vac"),
    (b"\r\n\r\n", "vac"),
    ("Hola|mundo\r\nfoo|bar\r\n".encode(), "línea 2: no está el encabezado"),
    (cpdescarga(encabezado="d_codigo|d_asenta|D_mnpio|d_estado"),
     "línea 2: faltan las columnas d_tipo_asenta, c_estado"),
    (cpdescarga([FILAS[0], "01010|Los Alpes|Colonia"]), "línea 4: tiene 3 campos"),
    (cpdescarga([FILAS[0], FILAS[1] + "|"]), "línea 4: tiene 16 campos"),
    (cpdescarga([FILAS[0].replace("01000|", "1000|", 1)]), "línea 3: el código postal '1000'"),
    (cpdescarga([FILAS[0].replace("01000|", "00000|", 1)]), "línea 3: el código postal '00000'"),
    (cpdescarga([FILAS[1], FILAS[0].replace("|09|01001||09|", "|33|01001||09|")]), "línea 4: la clave de estado '33'"),
    (cpdescarga([FILAS[0].replace("|010|", "|A10|")]), "línea 3: la clave de municipio 'A10'"),
    (cpdescarga([FILAS[0].replace("San Ángel", "")]), "línea 3: faltan el nombre"),
    (cpdescarga([FILAS[0].replace("Urbano", "U" * 21)]), "línea 3: el campo zona tiene más de 20"),
    (cpdescarga().replace(b"\r\n", b"\r"), "no está el encabezado"),
], ids=["vacio", "solo-lineas-vacias", "sin-encabezado", "faltan-columnas", "pocos-campos", "campo-de-mas",
        "cp-corto", "cp-00000", "estado-33", "municipio-letras", "sin-nombre", "zona-larga", "solo-cr"])
def test_malformed_cpdescarga_names_the_line(data, message):
    with pytest.raises(ValueError) as e:
        list(address.read_cpdescarga(data))
    assert message in str(e.value)
    assert "CPdescarga.txt" in str(e.value)


def test_a_bad_row_is_found_only_when_reached():
    rows = address.read_cpdescarga(cpdescarga([FILAS[0], "roto"]))
    assert next(rows) == ESPERADAS[0]
    with pytest.raises(ValueError, match="línea 4"):
        next(rows)


UBICACION = {"cp": "07000", "estado": "Ciudad de México", "municipio": "Álvaro Obregón", "colonia": "San Angel",
             "asentamiento_id": 42}
# Paso 2 as the guide's screens fill it (Imagen 1.14 and 1.15; "PRATONAL" there is PEATONAL, INEGI's type).
GUIA = {"calle_tipo": "RETORNO", "calle_nombre": "1 norte", "numero_exterior": "23", "letra_exterior": "qtvv",
        "sin_numero": "", "numero_interior": "12", "letra_interior": "pgm", "numero_exterior_secundario": "23456",
        "entre_calle_tipo": "ANDADOR", "entre_calle_nombre": "1 Tepecoluima", "y_calle_tipo": "PEATONAL",
        "y_calle_nombre": "11 de noviembre", "calle_posterior_tipo": "ANDADOR",
        "calle_posterior_nombre": "10  de abril ", "descripcion": ""}


def test_paso2_as_in_the_guide():
    d = address.validar_paso2(GUIA, UBICACION)
    assert d == Domicilio(cp="07000", estado="Ciudad de México", municipio="Álvaro Obregón", colonia="San Angel",
                          asentamiento_id=42, calle=Calle("RETORNO", "1 NORTE"), numero_exterior="23",
                          letra_exterior="QTVV", numero_interior="12", letra_interior="PGM",
                          numero_exterior_secundario="23456", entre_calle=Calle("ANDADOR", "1 TEPECOLUIMA"),
                          y_calle=Calle("PEATONAL", "11 DE NOVIEMBRE"), calle_posterior=Calle("ANDADOR", "10 DE ABRIL"))


def test_resumen_is_the_guides_paso_3():
    assert address.resumen(address.validar_paso2(GUIA, UBICACION)) == [
        ("Código Postal", "07000"),
        ("Estado", "CIUDAD DE MÉXICO"),
        ("Municipio o Alcaldía", "ÁLVARO OBREGÓN"),
        ("Colonia", "San Angel"),
        ("Calle", "RETORNO - 1 NORTE"),
        ("Número / Letra exterior", "23 / QTVV"),
        ("Número / Letra interior", "12 / PGM"),
        ("Número exterior secundario", "23456"),
        ("Entre calle", "ANDADOR - 1 TEPECOLUIMA"),
        ("Y la calle", "PEATONAL - 11 DE NOVIEMBRE"),
        ("Calle posterior", "ANDADOR - 10 DE ABRIL"),
        ("Descripción de la ubicación", ""),
    ]


def test_resumen_of_a_minimal_address():
    values = {"calle_tipo": "CALLE", "calle_nombre": "Hidalgo", "sin_numero": "y", "numero_interior": "12"}
    rows = dict(address.resumen(address.validar_paso2(values, UBICACION)))
    assert rows["Calle"] == "CALLE - HIDALGO"
    assert rows["Número / Letra exterior"] == "SIN NÚMERO"
    assert rows["Número / Letra interior"] == "12"
    assert [rows[k] for k in ("Número exterior secundario", "Entre calle", "Y la calle", "Calle posterior",
                              "Descripción de la ubicación")] == [""] * 5


def test_una_linea():
    d = address.validar_paso2(GUIA, {**UBICACION, "cp": "01000", "colonia": "San Ángel"})
    assert address.una_linea(d) == ("RETORNO 1 NORTE 23 QTVV INT. 12 PGM, SAN ÁNGEL, C.P. 01000, ÁLVARO OBREGÓN, "
                                    "CIUDAD DE MÉXICO")
    d = address.validar_paso2({"calle_tipo": "CALLE", "calle_nombre": "Hidalgo", "sin_numero": "on"}, UBICACION)
    assert address.una_linea(d) == "CALLE HIDALGO S/N, SAN ANGEL, C.P. 07000, ÁLVARO OBREGÓN, CIUDAD DE MÉXICO"


def test_sin_numero_ignores_the_exterior_number_and_letter():
    d = address.validar_paso2({**GUIA, "sin_numero": "y", "numero_exterior": "#!", "letra_exterior": "x" * 99},
                              UBICACION)
    assert (d.sin_numero, d.numero_exterior, d.letra_exterior) == (True, "", "")


@pytest.mark.parametrize("value, checked", [("y", True), ("on", True), ("true", True), ("1", True), (True, True),
                                            ("", False), ("n", False), ("false", False), ("0", False),
                                            (None, False), (False, False)])
def test_sin_numero_values(value, checked):
    d = address.validar_paso2({**GUIA, "sin_numero": value}, UBICACION)
    assert d.sin_numero is checked


def test_tipo_is_matched_without_accents_or_case():
    d = address.validar_paso2({**GUIA, "calle_tipo": "callejon", "entre_calle_tipo": "Periferico"}, UBICACION)
    assert (d.calle.tipo, d.entre_calle.tipo) == ("CALLEJÓN", "PERIFÉRICO")


def test_secondary_streets_are_optional():
    values = {k: v for k, v in GUIA.items() if not k.startswith(("entre_", "y_", "calle_posterior"))}
    d = address.validar_paso2(values, UBICACION)
    assert (d.entre_calle, d.y_calle, d.calle_posterior) == (None, None, None)


def test_every_error_at_once_on_its_field():
    values = {"calle_tipo": "", "calle_nombre": "", "numero_exterior": "", "letra_exterior": "L" * 21,
              "numero_interior": "12#", "letra_interior": "", "numero_exterior_secundario": "1" * 21,
              "entre_calle_tipo": "", "entre_calle_nombre": "Juárez", "y_calle_tipo": "ANDADOR",
              "y_calle_nombre": "", "calle_posterior_tipo": "AUTOPISTA", "calle_posterior_nombre": "X" * 101,
              "descripcion": "d" * 251}
    with pytest.raises(ErroresDomicilio) as e:
        address.validar_paso2(values, UBICACION)
    assert e.value.errores == {
        "calle_tipo": "Selecciona el tipo de vialidad de la calle.",
        "calle_nombre": "Captura el nombre de la calle.",
        "entre_calle_tipo": "Selecciona el tipo de vialidad de «Entre calle».",
        "y_calle_nombre": "Captura el nombre de «Y la calle».",
        "calle_posterior_tipo": "Selecciona un tipo de vialidad de la lista de «Calle posterior».",
        "calle_posterior_nombre": "El nombre de «Calle posterior» debe tener como máximo 100 caracteres.",
        "letra_exterior": "La letra exterior debe tener como máximo 20 caracteres.",
        "numero_exterior": "Captura el número exterior o marca «Sin número».",
        "numero_interior": "El número interior solo puede tener letras, números, espacios y los signos - / .",
        "numero_exterior_secundario": "El número exterior secundario debe tener como máximo 20 caracteres.",
        "descripcion": "La descripción debe tener como máximo 250 caracteres.",
    }
    assert "Captura el nombre de la calle." in [str(x) for x in e.value.exceptions]  # a group of Rechazo


@pytest.mark.parametrize("field, value", [
    ("calle_nombre", "X" * 101), ("calle_nombre", "UNO\x00DOS"), ("calle_tipo", "AUTOPISTA"),
    ("numero_exterior", "1" * 21), ("numero_exterior", "23#"), ("numero_exterior", "23_A"),
    ("letra_exterior", "A+B"), ("letra_interior", "Z" * 21), ("numero_interior", "X" * 21),
    ("descripcion", "antes\x07después"),
])
def test_one_bad_field(field, value):
    with pytest.raises(ErroresDomicilio) as e:
        address.validar_paso2({**GUIA, field: value}, UBICACION)
    assert list(e.value.errores) == [field]


@pytest.mark.parametrize("field, value, stored", [
    ("numero_exterior", "Mz. 9 Lt 8", "MZ. 9 LT 8"), ("numero_exterior", "km 12.5", "KM 12.5"),
    ("numero_exterior", "23-B/2", "23-B/2"), ("letra_exterior", "Mz. 9 Lt. 8", "MZ. 9 LT. 8"),
    ("letra_interior", "Depto. 45 int.", "DEPTO. 45 INT."), ("numero_interior", "ñ", "Ñ"),
    ("calle_nombre", "  av.   de   los  insurgentes sur ", "AV. DE LOS INSURGENTES SUR"),
    ("calle_nombre", "X" * 100, "X" * 100), ("descripcion", "Frente al  parque,\r\nportón verde",
                                             "Frente al parque, portón verde"),
])
def test_accepted_values_are_normalized(field, value, stored):
    d = address.validar_paso2({**GUIA, field: value}, UBICACION)
    got = {"numero_exterior": d.numero_exterior, "letra_exterior": d.letra_exterior,
           "letra_interior": d.letra_interior, "numero_interior": d.numero_interior, "calle_nombre": d.calle.nombre,
           "descripcion": d.descripcion}[field]
    assert got == stored


def test_paso1_must_be_done():
    with pytest.raises(ErroresDomicilio) as e:
        address.validar_paso2(GUIA, {**UBICACION, "cp": "", "colonia": ""})
    assert e.value.errores == {"cp": "Captura el código postal.", "colonia": "Selecciona la colonia de tu domicilio."}


@pytest.mark.parametrize("domicilio", [
    lambda: address.validar_paso2(GUIA, UBICACION),
    lambda: address.validar_paso2({"calle_tipo": "CALLE", "calle_nombre": "X", "sin_numero": "y"},
                                  {**UBICACION, "asentamiento_id": None}),
], ids=["completo", "minimo"])
def test_to_dict_round_trips_through_json(domicilio):
    d = domicilio()
    stored = json.loads(json.dumps(d.to_dict()))
    assert Domicilio.from_dict(stored) == d
    assert stored["calle"] == {"tipo": d.calle.tipo, "nombre": d.calle.nombre}


def test_from_dict_ignores_unknown_keys_and_defaults_missing_optional_ones():
    d = Domicilio.from_dict({"cp": "01000", "estado": "E", "municipio": "M", "colonia": "C",
                             "calle": {"tipo": "CALLE", "nombre": "X"}, "campo_futuro": 1})
    assert (d.numero_exterior, d.entre_calle, d.sin_numero, d.asentamiento_id) == ("", None, False, None)


def test_spanish_sort_key():
    nombres = ["Zona Centro", "Ñuñoa", "Nuevo", "Álamos", "alameda", "Obrera", "Ángel", "10 de Abril"]
    assert sorted(nombres, key=address.clave_orden) == [
        "10 de Abril", "alameda", "Álamos", "Ángel", "Nuevo", "Ñuñoa", "Obrera", "Zona Centro"]


def test_the_guides_own_hints_are_accepted_as_typed():
    """The hints under Número exterior and interior ("Ej. 999 / Mz. 9 Lt. 8", "Ej. 54 / Depto. 45 int.") must be
    values those fields take."""
    from app.address import validar_paso2

    domicilio = validar_paso2({"calle_tipo": "CALLE", "calle_nombre": "REFORMA", "numero_exterior": "Mz. 9 Lt. 8",
                               "numero_interior": "Depto. 45 int."},
                              {"cp": "01000", "estado": "Ciudad de México", "municipio": "Álvaro Obregón",
                               "colonia": "San Ángel"})
    assert (domicilio.numero_exterior, domicilio.numero_interior) == ("MZ. 9 LT. 8", "DEPTO. 45 INT.")
