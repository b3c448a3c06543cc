"""`icsoe backup FILE` and `icsoe restore FILE`: a backup taken while the app writes is consistent, restores into a
fresh instance, and the same e.firma and the same capturista password sign in there; what must be refused is."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, func, select

from app import create_app, respaldo, schema
from app.cli import main
from app.db import make_engine
from app.models import Auditoria, Contratista, utcnow

from .test_administracion import CURP_LUIS, PASSWORD, activar, alta, entrar_capturista, preparar
from .test_ingreso import ingresar

FILAS = 10_000  # rows already in the database when the backup starts


def icsoe(instancia: Path, *args: str, database_url: str | None = None):
    """Run `icsoe ARGS...` on an instance folder (and DATABASE_URL, for PostgreSQL); returns click's result."""
    env = {"ICSOE_INSTANCE": str(instancia), "DATABASE_URL": database_url, "SECRET_KEY": None}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


class Escritor(threading.Thread):
    """Inserts audit rows one commit at a time, as fast as it can, until stopped: the live writes a backup must
    survive. `escritas` counts the commits that returned; any error is kept for the test to show."""

    def __init__(self, engine):
        super().__init__(daemon=True)
        self.engine, self.alto, self.escritas, self.errores = engine, threading.Event(), 0, []

    def run(self):
        try:
            with Session(self.engine) as session:
                while not self.alto.is_set():
                    session.add(Auditoria(actor="sistema", accion="carga", detalle=f"{self.escritas + 1}"))
                    session.commit()
                    self.escritas += 1
        except Exception as e:  # noqa: BLE001 (the test asserts there was none, and shows it)
            self.errores.append(repr(e))

    def esperar(self, mas_de: int) -> None:
        while self.escritas <= mas_de and self.is_alive():
            self.alto.wait(0.005)


def poblar(app, juegos) -> None:
    """A contratista that signed in with its e.firma, an activated capturista, and FILAS audit rows."""
    client = app.test_client()
    preparar(app, client, juegos["moral"])
    assert alta(client, CURP_LUIS).status_code == 303
    assert activar(app.test_client(), app).status_code == 303
    with app.extensions["engine"].begin() as connection:
        connection.execute(insert(Auditoria.__table__), [
            {"momento": utcnow(), "actor": "sistema", "accion": "relleno", "detalle": "x" * 200}
            for _ in range(FILAS)])


def respaldar_bajo_carga(app, origen: Path, archivo: Path, database_url: str | None = None) -> tuple[int, int]:
    """`icsoe backup` while a thread writes; returns how many writes had returned before it started and after it
    ended."""
    escritor = Escritor(app.extensions["engine"])
    escritor.start()
    try:
        escritor.esperar(mas_de=20)
        antes = escritor.escritas
        result = icsoe(origen, "backup", str(archivo), database_url=database_url)
        despues = escritor.escritas
        escritor.esperar(mas_de=despues + 20)  # the writer went on after the backup too: it was never blocked
    finally:
        escritor.alto.set()
        escritor.join(10)
    assert result.exit_code == 0, result.output
    assert escritor.errores == []
    assert despues > antes, "the writer made no progress during the backup"
    return antes, despues


def comprobar_instantanea(engine, antes: int, despues: int) -> None:
    """The restored writes are one prefix of the writer's: none missing in the middle, all that returned before
    the backup began, none that began after it ended."""
    with Session(engine) as session:
        detalles = session.exec(select(Auditoria.detalle).where(Auditoria.accion == "carga")).all()
        assert session.exec(select(func.count()).where(Auditoria.accion == "relleno")).one() == FILAS
    numeros = sorted(int(d) for d in detalles)
    assert numeros == list(range(1, len(numeros) + 1))
    assert antes <= len(numeros) <= despues + 1


def entrar_en(restaurada, juegos) -> None:
    """The same e.firma and the same capturista password sign in on the restored instance."""
    contratista = restaurada.test_client()
    respuesta = ingresar(contratista, juegos["moral"])
    assert respuesta.status_code == 303
    assert respuesta.headers["Location"] not in ("/ingreso/terminos", "/ingreso/efirma")  # known, terms accepted
    assert contratista.get("/administracion/consulta").status_code == 200
    assert entrar_capturista(restaurada.test_client(), PASSWORD) == "/inicio"
    assert entrar_capturista(restaurada.test_client(), "otra contraseña cualquiera") != "/inicio"


def test_sqlite_backup_under_load_restores_into_a_fresh_instance_and_signs_in(sqlite_app, juegos, tmp_path,
                                                                               monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    origen = Path(sqlite_app.instance_path)
    poblar(sqlite_app, juegos)
    sesion = sqlite_app.test_client()
    ingresar(sesion, juegos["moral"])
    archivo = tmp_path / "respaldo" / "icsoe-respaldo.sqlite"
    archivo.parent.mkdir()

    antes, despues = respaldar_bajo_carga(sqlite_app, origen, archivo)

    assert archivo.stat().st_mode & 0o777 == 0o600  # password hashes and personal data
    with sqlite3.connect(f"file:{archivo}?mode=ro", uri=True) as conexion:
        assert conexion.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conexion.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
    assert not Path(f"{archivo}-wal").exists()

    destino = tmp_path / "restaurada"
    result = icsoe(destino, "restore", str(archivo))
    assert result.exit_code == 0, result.output
    restaurada = create_app({"TESTING": True}, instance_path=str(destino))
    with restaurada.app_context():
        with restaurada.extensions["engine"].connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").all() == [("ok",)]
    assert schema.current(restaurada.extensions["engine"]) == schema.head()
    comprobar_instantanea(restaurada.extensions["engine"], antes, despues)

    # The restored instance has a secret key of its own: passwords and e.firmas work, earlier sessions do not.
    assert (destino / "secret_key").read_text() != (origen / "secret_key").read_text()
    entrar_en(restaurada, juegos)
    ajena = restaurada.test_client()
    ajena.set_cookie("session", sesion.get_cookie("session").value)
    assert ajena.get("/administracion/consulta").status_code in (302, 303)
    restaurada.extensions["engine"].dispose()


def test_sqlite_restore_refuses_the_wrong_file_and_a_non_empty_instance(sqlite_app, juegos, tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    origen = Path(sqlite_app.instance_path)
    preparar(sqlite_app, sqlite_app.test_client(), juegos["moral"])
    archivo = tmp_path / "bueno.sqlite"
    assert icsoe(origen, "backup", str(archivo)).exit_code == 0
    datos = archivo.read_bytes()
    destino = tmp_path / "nueva"

    def rechazo(nombre: str, contenido: bytes, *palabras: str, instancia: Path = destino) -> None:
        malo = tmp_path / nombre
        malo.write_bytes(contenido)
        result = icsoe(instancia, "restore", str(malo))
        assert result.exit_code == 1, result.output
        for palabra in (*palabras, "No se restauró nada."):
            assert palabra in result.output

    rechazo("azar.bin", os.urandom(50_000), "no es un respaldo de ICSOE")
    rechazo("vacio.sqlite", b"")
    rechazo("pg.dump", b"PGDMP\x01\x0e\x00\x04\x08\x01\x01" + os.urandom(4000), "es un respaldo de PostgreSQL",
            "esta instancia usa SQLite")
    rechazo("mitad.sqlite", datos[:len(datos) // 2], "incompleto (truncado)")
    rechazo("cortado.sqlite", datos[:len(datos) - 100], "incompleto (truncado)")
    ajena = tmp_path / "ajena.sqlite"
    with sqlite3.connect(ajena) as conexion:
        conexion.execute("CREATE TABLE nota (texto TEXT)")
    rechazo("otra.sqlite", ajena.read_bytes(), "no de ICSOE")
    futura = tmp_path / "futura.sqlite"
    futura.write_bytes(datos)
    with sqlite3.connect(futura) as conexion:
        conexion.execute("UPDATE alembic_version SET version_num = '9999_de_una_version_nueva'")
    conexion.close()
    rechazo("futura.sqlite", futura.read_bytes(), "versión más nueva")
    assert not (destino / "icsoe.sqlite").exists()  # nothing was created by a refusal

    # The instance the backup came from has data: refused, unchanged, with the way to an empty one.
    rechazo("bueno2.sqlite", datos, "no está vacía", "contratista", "ICSOE_INSTANCE", "createdb", instancia=origen)
    with Session(sqlite_app.extensions["engine"]) as session:
        assert len(session.exec(select(Contratista)).all()) == 1

    # An instance made by `icsoe init` (schema and postal-code catalog, nothing else) is empty; a process still
    # holding its database (a node left running) stops the restore before it writes.
    subprocess.run([sys.executable, "-c", "from app.cli import main; main()", "init"], check=True,
                   capture_output=True, cwd=Path(__file__).parents[1],
                   env={**os.environ, "ICSOE_INSTANCE": str(destino)})
    with sqlite3.connect(destino / "icsoe.sqlite") as nodo:
        nodo.execute("SELECT count(*) FROM asentamiento").fetchone()
        rechazo("bueno3.sqlite", datos, "está en uso", "detén los nodos")
    nodo.close()
    result = icsoe(destino, "restore", str(archivo))
    assert result.exit_code == 0, result.output
    # ... and once restored it is not any more.
    result = icsoe(destino, "restore", str(archivo))
    assert result.exit_code == 1 and "no está vacía" in result.output


def test_a_backup_of_an_older_release_is_upgraded_on_restore(tmp_path, juegos, ca, monkeypatch):
    """A release 0.1.0 database (no revision table) backed up as it is, then restored into this release."""
    from .test_migraciones import crear_como_release, llenar_como_release

    monkeypatch.delenv("DATABASE_URL", raising=False)
    vieja = tmp_path / "vieja"
    vieja.mkdir()
    engine = create_app(instance_path=str(vieja)).extensions["engine"]
    crear_como_release(engine)
    llenar_como_release(engine, juegos["moral"], ca)
    engine.dispose()
    archivo = tmp_path / "vieja.sqlite"
    assert icsoe(vieja, "backup", str(archivo)).exit_code == 0
    assert schema.current(engine) is None  # a backup changes nothing: take it before `icsoe db upgrade`
    result = icsoe(tmp_path / "nueva", "restore", str(archivo))
    assert result.exit_code == 0, result.output
    assert f"versión 0.1.0 → {schema.head()}" in result.output
    restaurada = create_app({"TESTING": True}, instance_path=str(tmp_path / "nueva"))
    assert schema.current(restaurada.extensions["engine"]) == schema.head()
    assert entrar_capturista(restaurada.test_client(), PASSWORD) == "/inicio"  # 0.1.0's password hash, upgraded
    restaurada.extensions["engine"].dispose()


def test_backup_refuses_a_missing_database_and_writing_over_it(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    result = icsoe(tmp_path / "nada", "backup", str(tmp_path / "r.sqlite"))
    assert result.exit_code == 1 and "No hay base de datos en" in result.output
    assert not (tmp_path / "nada").exists()  # and nothing was created: no database, no folder, no secret key
    assert icsoe(tmp_path / "i", "init").exit_code == 0
    result = icsoe(tmp_path / "i", "backup", str(tmp_path / "i" / "icsoe.sqlite"))
    assert result.exit_code == 1 and "sobre la propia base de datos" in result.output
    result = icsoe(tmp_path / "i", "backup", str(tmp_path / "no-existe" / "r.sqlite"))
    assert result.exit_code == 1 and "No existe la carpeta" in result.output


def test_the_database_password_never_goes_on_the_command_line():
    url = make_url("postgresql+psycopg://icsoe:s3cr%40to@db.ejemplo.mx:6543/icsoe?sslmode=require")
    conexion, entorno = respaldo.libpq(url)
    assert "s3cr" not in conexion and entorno["PGPASSWORD"] == "s3cr@to"
    assert conexion == "postgresql://icsoe@db.ejemplo.mx:6543/icsoe?sslmode=require"



@pytest.mark.postgres
def test_postgres_backup_under_load_restores_into_a_new_database_and_signs_in(pg_app, postgres, juegos, tmp_path):
    origen = Path(pg_app.instance_path)
    url = os.environ["DATABASE_URL"]  # pg_app's database
    poblar(pg_app, juegos)
    archivo = tmp_path / "icsoe.dump"

    antes, despues = respaldar_bajo_carga(pg_app, origen, archivo, database_url=url)

    assert archivo.read_bytes()[:5] == b"PGDMP" and archivo.stat().st_mode & 0o777 == 0o600
    nueva = postgres.nueva_base()
    destino = tmp_path / "restaurada"
    # Cut inside the data (its index, at the start, is whole): found by reading it all before touching the target.
    cortado = tmp_path / "cortado.dump"
    cortado.write_bytes(archivo.read_bytes()[:archivo.stat().st_size * 9 // 10])
    result = icsoe(destino, "restore", str(cortado), database_url=nueva)
    assert result.exit_code == 1 and "no puede leer sus datos" in result.output, result.output
    assert icsoe(destino, "db", "upgrade", database_url=nueva).exit_code == 0  # an initialised, empty schema
    result = icsoe(destino, "restore", str(archivo), database_url=nueva)
    assert result.exit_code == 0, result.output
    restaurada = create_app({"TESTING": True, "DATABASE_URL": nueva.replace("postgresql://",
                                                                            "postgresql+psycopg://")},
                            instance_path=str(destino))
    engine = restaurada.extensions["engine"]
    try:
        assert schema.current(engine) == schema.head()
        comprobar_instantanea(engine, antes, despues)
        entrar_en(restaurada, juegos)
        with engine.begin() as connection:  # the sequences came along: new rows take new ids
            connection.execute(insert(Auditoria.__table__).values(momento=utcnow(), actor="sistema", accion="x"))
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_restore_refuses_the_wrong_file_and_a_non_empty_database(pg_app, postgres, juegos, tmp_path,
                                                                         monkeypatch):
    origen = Path(pg_app.instance_path)
    url = os.environ["DATABASE_URL"]
    preparar(pg_app, pg_app.test_client(), juegos["moral"])
    archivo = tmp_path / "icsoe.dump"
    assert icsoe(origen, "backup", str(archivo), database_url=url).exit_code == 0
    datos = archivo.read_bytes()
    nueva = postgres.nueva_base()

    def rechazo(nombre: str, contenido: bytes, *palabras: str, database_url: str | None = nueva) -> None:
        malo = tmp_path / nombre
        malo.write_bytes(contenido)
        result = icsoe(tmp_path / "destino", "restore", str(malo), database_url=database_url)
        assert result.exit_code == 1, result.output
        for palabra in (*palabras, "No se restauró nada."):
            assert palabra in result.output

    sqlite_archivo = tmp_path / "s.sqlite"
    with sqlite3.connect(sqlite_archivo) as conexion:
        conexion.execute("CREATE TABLE contratista (id INTEGER)")
    conexion.close()
    rechazo("s2.sqlite", sqlite_archivo.read_bytes(), "es un respaldo de SQLite", "usa PostgreSQL")
    rechazo("azar.dump", os.urandom(10_000), "no es un respaldo de ICSOE")
    rechazo("mitad.dump", datos[:len(datos) // 2], "incompleto o dañado")
    rechazo("cabecera.dump", datos[:200], "incompleto o dañado")
    rechazo("bueno.dump", datos, "no está vacía", "contratista", database_url=url)
    # A PostgreSQL dump into a SQLite instance.
    monkeypatch.delenv("DATABASE_URL")
    result = icsoe(tmp_path / "sqlite", "restore", str(archivo))
    assert result.exit_code == 1 and "es un respaldo de PostgreSQL" in result.output
    engine = make_engine(nueva.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:  # every refusal left the new database as it was: no tables
        assert connection.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar() == 0
    # A node still connected to an initialised, empty database, in the middle of a read: refused, not waited for.
    assert icsoe(tmp_path / "destino", "db", "upgrade", database_url=nueva).exit_code == 0
    with engine.connect() as nodo:
        nodo.execute(text("SELECT count(*) FROM contratista")).scalar()
        rechazo("bueno2.dump", datos, "está en uso", "detén los nodos")
    engine.dispose()


@pytest.mark.postgres
def test_postgres_backup_needs_a_pg_dump_as_new_as_the_server(pg_app, tmp_path, monkeypatch):
    url = os.environ["DATABASE_URL"]
    origen = Path(pg_app.instance_path)
    monkeypatch.setenv("PATH", str(tmp_path / "vacio"))
    result = icsoe(origen, "backup", str(tmp_path / "r.dump"), database_url=url)
    assert result.exit_code == 1 and "No se encontró pg_dump" in result.output
    viejo = tmp_path / "bin"
    viejo.mkdir()
    (viejo / "pg_dump").write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    (viejo / "pg_dump").chmod(0o755)
    monkeypatch.setenv("PATH", str(viejo))
    result = icsoe(origen, "backup", str(tmp_path / "r.dump"), database_url=url)
    assert result.exit_code == 1 and "PostgreSQL 9" in result.output
    assert "versión del servidor o más nueva" in result.output
    assert not (tmp_path / "r.dump").exists()
