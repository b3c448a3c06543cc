"""The schema's history: revision 0001 is release 0.1.0's schema, a release 0.1.0 database upgrades in place with
its data, the models never drift from the newest revision (`alembic check`), on SQLite and on PostgreSQL."""
from __future__ import annotations

import hashlib
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from werkzeug.security import generate_password_hash

from app import schema
from app.db import make_engine

from .conftest import token
from .test_administracion import CURP_LUIS, PASSWORD, entrar_capturista, hacer_curp
from .test_ingreso import ingresar

# The DDL that release 0.1.0's create_all() ran, written by that release's code, per dialect.
RELEASE = Path(__file__).parent / "fixtures" / "release-0.1.0"
MOMENTO = datetime(2026, 11, 20, 18, 30, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def vacia(request, tmp_path) -> Engine:
    """An empty database of each kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'icsoe.sqlite'}"
    else:
        url = request.getfixturevalue("postgres").nueva_base().replace("postgresql://", "postgresql+psycopg://")
    engine = make_engine(url)
    yield engine
    engine.dispose()


def crear_como_release(engine: Engine) -> None:
    """Create the tables exactly as release 0.1.0 did."""
    ddl = (RELEASE / f"{engine.dialect.name}.sql").read_text()
    with engine.begin() as connection:
        for statement in ddl.split(";\n"):
            if statement.strip():
                connection.exec_driver_sql(statement)


def llenar_como_release(engine: Engine, juego, ca) -> None:
    """A row in every table, as release 0.1.0 wrote them: a contratista who signed in with `juego`, its datos
    generales and acuse, a draft, an activated capturista, a failed attempt, a trusted CA, a postal code."""
    t = MOMENTO if engine.dialect.name == "postgresql" else MOMENTO.replace(tzinfo=None)
    rows = {
        "contratista": dict(id=7, rfc=juego.rfc, nombre="ESCUELA DEMO SA DE CV", persona="moral",
                            cert_serial="99991449587804684988", cert_fingerprint="ab" * 32, cert_not_before=t,
                            cert_not_after=t, terminos_version="2021-08", terminos_aceptados=t, creado=t,
                            ultimo_ingreso=t),
        "aceptacionterminos": dict(id=1, contratista_id=7, version="2021-08", aceptado=t),
        "autoridadcertificadora": dict(id=1, fingerprint=hashlib.sha256(ca.cert_der).hexdigest(),
                                       subject="CN=AC DEMO", not_after=t, der=ca.cert_der, agregado=t),
        "intentofallido": dict(id=1, clave="ip:127.0.0.1", momento=t),
        "asentamiento": dict(id=1, cp="01000", nombre="San Ángel", tipo="Colonia", municipio="Álvaro Obregón",
                             estado="Ciudad de México", ciudad="Ciudad de México", c_estado="09", c_mnpio="010",
                             zona="Urbano"),
        "datosgenerales": dict(contratista_id=7, correo="contacto@ejemplo.mx", celular="5512345678",
                               telefono_fijo=None, domicilio_igual_fiscal=True, domicilio=None, actualizado=t),
        "borrador": dict(id=1, contratista_id=7, pagina="datos_generales", datos='{"correo": "b@ejemplo.mx"}',
                         actualizado=t),
        "documento": dict(id=1, contratista_id=7, tipo="acuse_stps", nombre="acuse STPS.pdf",
                          contenido=b"%PDF-1.4 acuse", tamano=14, sha256="ef" * 32, subido=t),
        "persona": dict(id=3, curp=CURP_LUIS, nombres="JOSE LUIS", primer_apellido="GARCIA",
                        segundo_apellido="LOPEZ", password_hash=generate_password_hash(PASSWORD),
                        password_cambiado=t, creado=t),
        "capturista": dict(id=5, persona_id=3, contratista_id=7, rol="Capturista", telefono="5598765432",
                           correo="luis@ejemplo.mx", estatus="activo", alta=t, baja=None, actualizado=t),
        "directoriocurp": dict(curp=hacer_curp("ANA", "MARTINEZ", "RUIZ", fecha="900521", sexo="M"), nombres="ANA",
                               primer_apellido="MARTINEZ", segundo_apellido="RUIZ"),
        "auditoria": dict(id=1, momento=t, actor="contratista:7", contratista_id=7, accion="alta",
                          detalle="JOSE LUIS GARCIA LOPEZ"),
    }
    with engine.begin() as connection:
        for table, row in rows.items():
            columns = ", ".join(row)
            connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + c for c in row)})"),
                               row)
        if engine.dialect.name == "postgresql":  # as if those ids had come from the sequences
            for table, column in (("contratista", "id"), ("persona", "id"), ("capturista", "id")):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), 100)"))


def esquema(engine: Engine, con_nombres: bool) -> dict:
    """Every table's columns, indexes and constraints as the database reports them."""
    found = {}
    inspector = inspect(engine)
    for table in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
        columns = [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)]
        indexes = sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                         for i in inspector.get_indexes(table))
        uniques = sorted((c["name"] if con_nombres else None, tuple(c["column_names"]))
                         for c in inspector.get_unique_constraints(table))
        foreign = sorted((f["name"] if con_nombres else None, tuple(f["constrained_columns"]), f["referred_table"])
                         for f in inspector.get_foreign_keys(table))
        primary = inspector.get_pk_constraint(table)
        found[table] = dict(columns=columns, indexes=indexes, uniques=uniques, foreign=foreign,
                            primary=(primary["name"] if con_nombres else None, tuple(primary["constrained_columns"])))
    return found


def upgrade_to(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        command.upgrade(schema.alembic_config(connection), revision)


def test_revision_0001_is_release_0_1_0s_schema(vacia, postgres_url_or_none):
    """Revision 0001 on an empty database gives what release 0.1.0's create_all() gave, with PostgreSQL's own
    constraint names (the names release 0.1.0's PostgreSQL databases carry)."""
    upgrade_to(vacia, "0001")
    migrated = esquema(vacia, con_nombres=vacia.dialect.name == "postgresql")
    release = make_engine(postgres_url_or_none() if vacia.dialect.name == "postgresql"
                          else f"sqlite:///{Path(str(vacia.url.database)).with_name('release.sqlite')}")
    crear_como_release(release)
    assert migrated == esquema(release, con_nombres=vacia.dialect.name == "postgresql")
    release.dispose()


@pytest.fixture
def postgres_url_or_none(request):
    """A function that makes a new empty PostgreSQL database (only PostgreSQL cases call it)."""
    return lambda: request.getfixturevalue("postgres").nueva_base().replace("postgresql://", "postgresql+psycopg://")


def filas(engine: Engine) -> dict[str, list[dict]]:
    with engine.connect() as connection:
        return {t: [dict(r._mapping) for r in connection.execute(text(f"SELECT * FROM {t} ORDER BY 1"))]
                for t in inspect(connection).get_table_names() if t != "alembic_version"}


# What the revisions since release 0.1.0 moved: (table, column) -> where it went.
MOVIDOS = {("persona", "nombres"), ("persona", "primer_apellido"), ("persona", "segundo_apellido"),
           ("capturista", "correo"), ("borrador", "pagina")}


def test_a_release_0_1_0_database_upgrades_in_place_with_its_data(vacia, juegos, ca):
    crear_como_release(vacia)
    llenar_como_release(vacia, juegos["moral"], ca)
    antes = filas(vacia)
    assert schema.current(vacia) is None
    assert schema.upgrade(vacia) == (None, schema.head())
    assert schema.current(vacia) == schema.head()
    despues = filas(vacia)
    assert despues.keys() >= antes.keys()
    for table, rows in antes.items():  # every value that still has its column is as it was
        assert len(despues[table]) == len(rows), table
        for old, new in zip(rows, despues[table]):
            assert {k: v for k, v in old.items() if (table, k) not in MOVIDOS} == \
                {k: v for k, v in new.items() if k in old}, table
    # ... and what moved is where the new schema keeps it: names on the role, the e-mail on the account.
    [rol], [cuenta], [borrador] = despues["capturista"], despues["persona"], despues["borrador"]
    assert borrador["clave"] == "datos_generales"
    assert (rol["curp"], rol["nombres"], rol["primer_apellido"], rol["segundo_apellido"]) == (
        CURP_LUIS, "JOSE LUIS", "GARCIA", "LOPEZ")
    assert cuenta["correo"] == "luis@ejemplo.mx" and cuenta["password_hash"] and rol["estatus"] == "activo"
    with vacia.connect() as connection:
        assert connection.execute(text("SELECT contenido FROM documento")).scalar_one() == b"%PDF-1.4 acuse"
        if vacia.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    assert schema.upgrade(vacia) == (schema.head(), schema.head())  # a second run changes nothing
    with vacia.begin() as connection:  # the models and the migrated schema agree (alembic check)
        command.check(schema.alembic_config(connection))


def test_a_curp_taken_over_in_release_0_1_0_is_split_by_mailbox_and_must_be_activated_again(vacia, juegos, ca):
    """Release 0.1.0 let a second contratista add its own e-mail to a CURP and take the account over. The upgrade
    gives each mailbox its own account, and since nobody can tell which mailbox set the password, none keeps it."""
    crear_como_release(vacia)
    llenar_como_release(vacia, juegos["moral"], ca)
    t = MOMENTO if vacia.dialect.name == "postgresql" else MOMENTO.replace(tzinfo=None)
    with vacia.begin() as connection:
        connection.execute(text("INSERT INTO contratista (id, rfc, nombre, persona, cert_serial, cert_fingerprint, "
                                "cert_not_before, cert_not_after, creado, ultimo_ingreso) VALUES (8, 'OTR020202CD3', "
                                "'OTRA', 'moral', '1', 'x', :t, :t, :t, :t)"), {"t": t})
        connection.execute(text("INSERT INTO capturista (id, persona_id, contratista_id, rol, telefono, correo, "
                                "estatus, alta, actualizado) VALUES (6, 3, 8, 'Capturista', '5500000000', "
                                "'atacante@ejemplo.mx', 'activo', :t, :t)"), {"t": t})
    schema.upgrade(vacia)
    despues = filas(vacia)
    cuentas = {c["correo"]: c for c in despues["persona"]}
    assert set(cuentas) == {"luis@ejemplo.mx", "atacante@ejemplo.mx"}
    assert all(c["password_hash"] is None and c["curp"] == CURP_LUIS for c in cuentas.values())
    roles = {r["id"]: r for r in despues["capturista"]}
    assert roles[5]["persona_id"] == cuentas["luis@ejemplo.mx"]["id"]
    assert roles[6]["persona_id"] == cuentas["atacante@ejemplo.mx"]["id"]
    assert {r["estatus"] for r in roles.values()} == {"pendiente"}


def test_the_newest_revision_matches_the_models(vacia):
    """`alembic check`: no model change without its revision."""
    schema.upgrade(vacia)
    with vacia.begin() as connection:
        command.check(schema.alembic_config(connection))


def test_signing_in_on_an_upgraded_release_instance(vacia, juegos, tmp_path, ca):
    """The same e.firma and the same capturista password work after the upgrade; the 48-digit serial that
    release 0.1.0's VARCHAR(40) refused on PostgreSQL is stored now."""
    from sqlmodel import select

    from app import create_app
    from app.db import get_session
    from app.models import Contratista

    crear_como_release(vacia)
    llenar_como_release(vacia, juegos["moral"], ca)
    schema.upgrade(vacia)
    url = vacia.url.render_as_string(hide_password=False)
    app = create_app({"TESTING": True, "DATABASE_URL": url}, instance_path=str(tmp_path))
    client = app.test_client()
    assert ingresar(client, juegos["moral"]).headers["Location"] == "/inicio/tablero"  # terms and data kept
    with app.app_context():
        contratista = get_session().exec(select(Contratista)).one()
        assert contratista.id == 7 and contratista.cert_serial != "99991449587804684988"
    assert entrar_capturista(app.test_client()) == "/inicio"
    app.extensions["engine"].dispose()


@pytest.mark.postgres
def test_two_upgrades_at_once_on_postgresql(postgres):
    """Two `icsoe db upgrade` started together: one migrates, the other waits and finds nothing to do."""
    url = postgres.nueva_base().replace("postgresql://", "postgresql+psycopg://")
    results, errors = [], []

    def run():
        engine = make_engine(url)
        try:
            results.append(schema.upgrade(engine))
        except Exception as e:  # noqa: BLE001  (reported by the assertion below)
            errors.append(e)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results, key=str) == sorted([(None, schema.head()), (schema.head(), schema.head())], key=str)


def test_icsoe_db_current_and_upgrade(icsoe, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    engine = make_engine(f"sqlite:///{instance / 'icsoe.sqlite'}")
    crear_como_release(engine)
    engine.dispose()
    result = icsoe("db", "current")
    assert result.exit_code == 1 and "ninguna" in result.output and "icsoe db upgrade" in result.output
    result = icsoe("db", "upgrade")
    assert result.exit_code == 0 and f"→ {schema.head()}" in result.output
    result = icsoe("db", "current")
    assert result.exit_code == 0 and f"Revisión de la base de datos: {schema.head()}" in result.output
    assert "ya estaba" in icsoe("db", "upgrade").output


@pytest.mark.postgres
def test_serve_refuses_a_postgresql_schema_that_is_behind(icsoe, postgres, monkeypatch):
    """Several nodes must not race to migrate: on PostgreSQL, serve says to run `icsoe db upgrade` once."""
    monkeypatch.setenv("DATABASE_URL", postgres.nueva_base())
    result = icsoe("serve", "--port", "1")
    assert result.exit_code == 1
    assert "icsoe db upgrade" in result.output
    assert icsoe("db", "upgrade").exit_code == 0
    assert icsoe("db", "current").exit_code == 0


def test_alembic_check_from_the_repository_root_on_a_fresh_clone(tmp_path):
    """A developer's `alembic check` with no DATABASE_URL and no instance yet (a fresh clone) failed with "unable to
    open database file". It now compares the models with a scratch database the revisions bring to head."""
    import os
    import subprocess
    import sys

    entorno = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    entorno["ICSOE_INSTANCE"] = str(tmp_path / "sin-instancia")
    resultado = subprocess.run([sys.executable, "-m", "alembic", "check"], cwd=Path(__file__).resolve().parents[1],
                               env=entorno, capture_output=True, text=True, timeout=120)
    assert resultado.returncode == 0, resultado.stderr[-2000:]
    assert "No new upgrade operations detected" in resultado.stdout + resultado.stderr
    assert not (tmp_path / "sin-instancia").exists()  # nothing is left behind
