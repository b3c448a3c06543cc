"""The postal-code catalog in the database: atomic replacement, lookups, and `icsoe sepomex import` / `icsoe init`."""
from __future__ import annotations

import pytest
from sqlalchemy import event, text
from sqlmodel import Session, select

from app import sepomex
from app.address import AsentamientoRow
from app import schema
from app.db import make_engine
from app.models import Asentamiento

from .test_address import FILAS, cpdescarga


def fila(cp, nombre, municipio="Álvaro Obregón", estado="Ciudad de México", tipo="Colonia", c_estado="09"):
    return AsentamientoRow(cp=cp, nombre=nombre, tipo=tipo, municipio=municipio, estado=estado,
                           ciudad="Ciudad de México" if c_estado == "09" else None, c_estado=c_estado,
                           c_mnpio=None, zona=None)


MUESTRA = [
    fila("01000", "San Ángel"),
    fila("01010", "Los Alpes"),
    fila("01010", "Ángeles"),
    fila("01010", "Ñuñoa", tipo="Barrio"),
    fila("01010", "Nuevo Progreso"),
    fila("15520", "Peñón de los Baños", municipio="Venustiano Carranza"),
    fila("20000", "Zona Centro", municipio="Aguascalientes", estado="Aguascalientes", c_estado="01"),
    fila("20900", "El Chayote", municipio="Jesús María", estado="Aguascalientes", tipo="Ranchería", c_estado="01"),
    fila("36000", "Centro", municipio="Guanajuato", estado="Guanajuato", c_estado="11"),
]


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    schema.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def cargado(engine):
    assert sepomex.replace_catalog(engine, MUESTRA) == len(MUESTRA)
    return engine


def nombres(asentamientos):
    return [a.nombre for a in asentamientos]


def catalogo(engine):
    """Every row as loaded, to compare a catalog before and after."""
    with Session(engine) as s:
        return sorted((a.cp, a.nombre, a.municipio, a.estado) for a in s.exec(select(Asentamiento)))


def test_lookups(cargado):
    with Session(cargado) as s:
        assert nombres(sepomex.colonias_por_cp(s, "01010")) == ["Ángeles", "Los Alpes", "Nuevo Progreso", "Ñuñoa"]
        assert sepomex.colonias_por_cp(s, "99999") == []
        assert sepomex.estados(s) == ["Aguascalientes", "Ciudad de México", "Guanajuato"]
        assert sepomex.municipios(s, "Ciudad de México") == ["Álvaro Obregón", "Venustiano Carranza"]
        assert sepomex.municipios(s, "Aguascalientes") == ["Aguascalientes", "Jesús María"]
        assert sepomex.municipios(s, "Atlántida") == []
        assert nombres(sepomex.colonias(s, "Ciudad de México", "Álvaro Obregón")) == [
            "Ángeles", "Los Alpes", "Nuevo Progreso", "Ñuñoa", "San Ángel"]
        assert sepomex.colonias(s, "Aguascalientes", "Álvaro Obregón") == []
        [san_angel] = sepomex.colonias_por_cp(s, "01000")
        fila = sepomex.asentamiento(s, san_angel.id)
        assert tuple(getattr(fila, c) for c in sepomex.Colonia._fields) == san_angel
        assert (san_angel.c_estado, san_angel.ciudad, san_angel.tipo) == ("09", "Ciudad de México", "Colonia")
        assert sepomex.asentamiento(s, 10**9) is None
        assert (sepomex.count(s), sepomex.count_cp(s)) == (9, 6)


def test_estados_of_an_empty_catalog(engine):
    with Session(engine) as s:
        assert (sepomex.estados(s), sepomex.count(s), sepomex.count_cp(s)) == ([], 0, 0)


def test_lookups_use_the_indexes(cargado):
    """Every lookup's real SQL is planned by SQLite as index searches, never a scan of the whole table."""
    executed = []
    listen = lambda conn, cursor, sql, params, context, many: executed.append((sql, params))  # noqa: E731
    event.listen(cargado, "before_cursor_execute", listen)
    with Session(cargado) as s:
        sepomex.colonias_por_cp(s, "01000")
        sepomex.estados(s)
        sepomex.municipios(s, "Ciudad de México")
        sepomex.colonias(s, "Ciudad de México", "Álvaro Obregón")
    event.remove(cargado, "before_cursor_execute", listen)
    assert len(executed) == 4
    with cargado.connect() as c:
        for sql, params in executed:
            plan = [row[-1] for row in c.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)]
            assert any("INDEX ix_asentamiento_" in step for step in plan), (sql, plan)
            assert not any(step.startswith("SCAN asentamiento") for step in plan), (sql, plan)


def test_replace_catalog_replaces_everything(cargado):
    assert sepomex.replace_catalog(cargado, MUESTRA[:2]) == 2
    with Session(cargado) as s:
        assert sepomex.count(s) == 2
        assert sepomex.estados(s) == ["Ciudad de México"]


def test_a_failure_midway_keeps_the_old_catalog(cargado, monkeypatch):
    antes = catalogo(cargado)
    monkeypatch.setattr(sepomex, "BATCH", 2)  # several batches are written before the failure

    def rompe():
        yield from MUESTRA[:5]
        raise ValueError("CPdescarga.txt, línea 7: roto")

    with pytest.raises(ValueError, match="línea 7"):
        sepomex.replace_catalog(cargado, rompe())
    assert catalogo(cargado) == antes


def test_a_database_error_keeps_the_old_catalog(cargado):
    antes = catalogo(cargado)
    with pytest.raises(Exception):
        sepomex.replace_catalog(cargado, [MUESTRA[0], fila("01000", None)])  # nombre is NOT NULL
    assert catalogo(cargado) == antes


def test_an_empty_catalog_is_refused(cargado):
    antes = catalogo(cargado)
    with pytest.raises(ValueError, match="no tiene asentamientos"):
        sepomex.replace_catalog(cargado, iter(()))
    assert catalogo(cargado) == antes


def test_readers_see_the_old_catalog_until_the_commit(cargado, monkeypatch):
    monkeypatch.setattr(sepomex, "BATCH", 2)
    vistos = []

    def nuevo():
        for i, row in enumerate([fila("44100", f"Nueva {n}", "Guadalajara", "Jalisco", c_estado="14")
                                 for n in range(7)]):
            if i == 5:  # two batches of the new catalog are written, uncommitted
                with Session(cargado) as otra:
                    vistos.append((sepomex.count(otra), sepomex.estados(otra)))
            yield row

    assert sepomex.replace_catalog(cargado, nuevo()) == 7
    assert vistos == [(9, ["Aguascalientes", "Ciudad de México", "Guanajuato"])]
    with Session(cargado) as s:
        assert (sepomex.count(s), sepomex.estados(s)) == (7, ["Jalisco"])


def test_ensure_loaded_leaves_a_loaded_catalog_alone(cargado):
    assert sepomex.ensure_loaded(cargado) is None
    with Session(cargado) as s:
        assert sepomex.count(s) == len(MUESTRA)


def test_ensure_loaded_rechecks_under_the_lock(engine, monkeypatch):
    """Another process loaded the catalog between the first look and the lock: nothing is loaded twice."""
    checks = iter([False, True])
    monkeypatch.setattr(sepomex, "_has_rows", lambda connection: next(checks))
    monkeypatch.setattr(sepomex.address, "read_postalcodes_mexico", lambda: pytest.fail("loaded twice"))
    assert sepomex.ensure_loaded(engine) is None


@pytest.fixture
def instance_engine(tmp_path):
    engines = []

    def make():
        engines.append(make_engine(f"sqlite:///{tmp_path / 'instance' / 'icsoe.sqlite'}"))
        return engines[-1]

    yield make
    for e in engines:
        e.dispose()


def test_sepomex_import(icsoe, tmp_path, instance_engine):
    archivo = tmp_path / "CPdescarga.txt"
    archivo.write_bytes(cpdescarga())
    assert b"\r\n" in archivo.read_bytes() and "Peñón".encode("latin-1") in archivo.read_bytes()
    assert icsoe("init").exit_code == 0
    result = icsoe("sepomex", "import", str(archivo))
    assert result.exit_code == 0, result.output
    assert "3 asentamientos, 3 códigos postales" in result.output

    engine = instance_engine()
    with Session(engine) as s:
        assert sepomex.count(s) == 3
        assert sepomex.estados(s) == ["Aguascalientes", "Ciudad de México"]
        [penon] = sepomex.colonias_por_cp(s, "15520")
        assert (penon.nombre, penon.municipio, penon.c_mnpio, penon.zona) == (
            "Peñón de los Baños", "Venustiano Carranza", "017", "Urbano")
        assert nombres(sepomex.colonias(s, "Aguascalientes", "Jesús María")) == ["El Chayote"]

    roto = tmp_path / "roto.txt"
    roto.write_bytes(cpdescarga([FILAS[0], FILAS[1], "20900|El Chayote|Ranchería"]))
    result = icsoe("sepomex", "import", str(roto))
    assert result.exit_code == 1
    assert "línea 5: tiene 3 campos" in result.output
    assert "No se cambió el catálogo" in result.output
    with Session(engine) as s:
        assert sepomex.count(s) == 3
        assert nombres(sepomex.colonias_por_cp(s, "20900")) == ["El Chayote"]


def test_sepomex_import_of_a_missing_file(icsoe, tmp_path):
    result = icsoe("sepomex", "import", str(tmp_path / "no-existe.txt"))
    assert result.exit_code != 0 and "does not exist" in result.output


def test_slow_init_loads_the_full_postalcodes_mexico_catalog_once(icsoe, instance_engine):
    """SLOW (a few seconds): the whole catalog of the postalcodes-mexico package, through `icsoe init`."""
    result = icsoe("init")
    assert result.exit_code == 0, result.output
    assert "145,468 asentamientos" in result.output
    with Session(instance_engine()) as s:
        assert sepomex.count(s) == 145_468
        assert sepomex.count_cp(s) == 32_236
        estados = sepomex.estados(s)
        assert len(estados) == 32 and "Ciudad de México" in estados and "México" in estados
        [san_angel] = sepomex.colonias_por_cp(s, "01000")
        assert (san_angel.nombre, san_angel.municipio, san_angel.estado) == (
            "San Ángel", "Álvaro Obregón", "Ciudad de México")
        assert "Álvaro Obregón" in sepomex.municipios(s, "Ciudad de México")
        assert len(sepomex.municipios(s, "Ciudad de México")) == 16
        assert {a.c_estado for a in s.exec(select(Asentamiento).limit(5000))} <= {
            f"{n:02}" for n in range(1, 33)}
    again = icsoe("init")
    assert again.exit_code == 0 and "asentamientos" not in again.output


@pytest.mark.postgres
def test_catalog_on_postgresql(postgres_url, monkeypatch):
    engine = make_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://"))
    schema.upgrade(engine)
    try:
        with engine.begin() as c:
            c.execute(text("DELETE FROM asentamiento"))
        assert sepomex.replace_catalog(engine, MUESTRA) == len(MUESTRA)
        test_lookups(engine)
        antes = catalogo(engine)
        monkeypatch.setattr(sepomex, "BATCH", 2)

        def rompe():
            yield from MUESTRA[:5]
            raise ValueError("roto")

        with pytest.raises(ValueError):
            sepomex.replace_catalog(engine, rompe())
        with pytest.raises(Exception):
            sepomex.replace_catalog(engine, [fila("01000", "X" * 201)])  # longer than the column
        assert catalogo(engine) == antes
        assert sepomex.ensure_loaded(engine) is None
    finally:
        engine.dispose()
