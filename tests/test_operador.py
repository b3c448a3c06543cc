"""The operator's commands attacked and misused (an operator review): icsoe backup and restore with odd paths,
damaged and foreign files, a database of a newer release, and the other subcommands' bad arguments. Each answers
with one Spanish line and exit 1 (or click's usage error, 2), never a traceback, and leaves the instance usable."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, func, select

from app import create_app, schema
from app.cli import main
from app.models import Contrato, Informativa, Trabajador

from .test_administracion import CURP_LUIS, PASSWORD, activar, alta, entrar_capturista, preparar
from .test_complementarias import presentada  # noqa: F401  (fixture)
from .test_firma import por_firmar  # noqa: F401  (fixture)
from .test_informativa import a, lista  # noqa: F401  (fixtures)
from .test_ingreso import ingresar

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def app(sqlite_app):
    return sqlite_app


def icsoe(instancia: Path, *args: str):
    """`icsoe ARGS` in-process; an exception escaping the command (a traceback for the operator) fails the test."""
    env = {"ICSOE_INSTANCE": str(instancia), "DATABASE_URL": None, "SECRET_KEY": None, "ICSOE_URL": ""}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=True)


def sin_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"traceback: {result.exception!r}\n{result.output}")


def icsoe_proceso(instancia: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ICSOE_INSTANCE": str(instancia), "ICSOE_URL": ""}
    env.pop("DATABASE_URL", None)
    env.pop("SECRET_KEY", None)
    return subprocess.run([sys.executable, "-c", "from app.cli import main; main()", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=300)


# -- the full round trip with informativa data -------------------------------------------------------------------

def test_restore_keeps_informativas_workers_and_the_acuse_verifies(presentada, app, juegos, tmp_path):  # noqa: F811
    cliente, iid, _cid = presentada
    assert alta(cliente, CURP_LUIS).status_code == 303
    assert activar(app.test_client(), app).status_code == 303
    engine = app.extensions["engine"]
    with Session(engine) as s:
        informativa = s.get(Informativa, iid)
        folio = informativa.folio
        contratos = s.exec(select(func.count()).select_from(Contrato)).one()
        trabajadores = s.exec(select(func.count()).select_from(Trabajador)).one()
    assert folio
    pdf = cliente.get(f"/acuses/{folio}.pdf")
    assert pdf.status_code == 200
    acuse = tmp_path / "acuse.pdf"
    acuse.write_bytes(pdf.data)
    archivo = tmp_path / "r" / "icsoe.sqlite"
    archivo.parent.mkdir()
    result = icsoe(Path(app.instance_path), "backup", str(archivo))
    assert result.exit_code == 0, result.output

    destino = tmp_path / "nueva"
    result = icsoe(destino, "restore", str(archivo))
    sin_traceback(result)
    assert result.exit_code == 0, result.output
    result = icsoe(destino, "acuse", "verificar", str(acuse))
    sin_traceback(result)
    assert result.exit_code == 0, result.output
    assert "Veredicto: el acuse es auténtico" in result.output

    restaurada = create_app({"TESTING": True}, instance_path=str(destino))
    try:
        with Session(restaurada.extensions["engine"]) as s:
            assert s.exec(select(func.count()).select_from(Contrato)).one() == contratos
            assert s.exec(select(func.count()).select_from(Trabajador)).one() == trabajadores
            assert s.get(Informativa, iid).folio == folio
        c = restaurada.test_client()
        r = ingresar(c, juegos["moral"])
        assert r.status_code == 303 and r.headers["Location"] not in ("/ingreso/terminos", "/ingreso/efirma")
        assert c.get(f"/informativas/{iid}").status_code == 200
        assert c.get(f"/acuses/{folio}.pdf").status_code == 200
        assert c.get("/inicio/listado").status_code == 200
        assert entrar_capturista(restaurada.test_client(), PASSWORD) == "/inicio"
        # the public verification page too
        from app import acuse_presentacion as ap
        url = ap.leer(acuse.read_bytes()).datos["url_verificacion"]
        r = restaurada.test_client().get(url.removeprefix(app.config["ICSOE_URL"]))
        assert r.status_code == 200 and "auténtico" in r.get_data(as_text=True).lower()
    finally:
        restaurada.extensions["engine"].dispose()


# -- restore: refusals ----------------------------------------------------------------------------------------------

@pytest.fixture
def respaldo(app, juegos, tmp_path) -> Path:
    preparar(app, app.test_client(), juegos["moral"])
    archivo = tmp_path / "bueno.sqlite"
    result = icsoe(Path(app.instance_path), "backup", str(archivo))
    assert result.exit_code == 0, result.output
    return archivo


@pytest.mark.parametrize("nombre", ["respaldo#1.sqlite", "respaldo?x.sqlite", "respaldo%41.sqlite"])
def test_restore_of_a_good_backup_whose_name_has_uri_characters(respaldo, tmp_path, nombre):
    """A valid backup under a name with '#', '?' or '%' (legal file names) restores like any other."""
    renombrado = tmp_path / nombre
    shutil.copyfile(respaldo, renombrado)
    antes = {p.name for p in tmp_path.iterdir()}
    result = icsoe(tmp_path / "destino", "restore", str(renombrado))
    sin_traceback(result)
    assert result.exit_code == 0, result.output
    assert {p.name for p in tmp_path.iterdir()} - antes == {"destino"}  # no stray empty database beside it


@pytest.mark.parametrize("carpeta", ["icsoe#2"])
def test_backup_of_an_instance_in_a_folder_whose_name_has_a_hash(tmp_path, carpeta):
    """ICSOE_INSTANCE=/srv/icsoe#2: the backup holds the instance's data (here the CA `init --demo` trusts), and
    nothing is created outside the instance. It wrote an empty 4 KB database and said it had succeeded."""
    instancia = tmp_path / carpeta
    assert icsoe(instancia, "init", "--demo").exit_code == 0
    archivo = tmp_path / "r.sqlite"
    result = icsoe(instancia, "backup", str(archivo))
    sin_traceback(result)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(archivo) as c:
        tablas = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "contratista" in tablas, "the backup is an empty database"
        assert c.execute("SELECT count(*) FROM autoridadcertificadora").fetchone()[0] == 1
    c.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([carpeta, "r.sqlite"])  # no stray "icsoe" file


def test_restore_refuses_a_sqlite_header_with_page_size_zero(respaldo, tmp_path):
    datos = bytearray(respaldo.read_bytes())
    datos[16:18] = b"\x00\x00"  # damaged header: page size 0
    malo = tmp_path / "danado.sqlite"
    malo.write_bytes(bytes(datos))
    result = icsoe(tmp_path / "destino", "restore", str(malo))
    sin_traceback(result)
    assert result.exit_code == 1, result.output
    assert "No se restauró nada." in result.output


def test_restore_refuses_a_sqlite_file_with_only_a_contratista_table(respaldo, tmp_path):
    """A SQLite database that is not ICSOE's but merely has a table named contratista passed the checks; its
    upgrade then failed with a KeyError traceback, and the instance kept the foreign table and half a schema, so
    every later upgrade or restore failed too. Now: refused, and the instance is empty and usable (a good backup
    restores into it)."""
    ajena = tmp_path / "ajena.sqlite"
    with sqlite3.connect(ajena) as conexion:
        conexion.execute("CREATE TABLE contratista (id INTEGER PRIMARY KEY, nombre TEXT)")
        conexion.execute("INSERT INTO contratista (nombre) VALUES ('x')")
    conexion.close()
    destino = tmp_path / "destino"
    result = icsoe(destino, "restore", str(ajena))
    sin_traceback(result)
    assert result.exit_code == 1, result.output
    assert "no es un respaldo de ICSOE" in result.output and "No se restauró nada." in result.output
    with sqlite3.connect(destino / "icsoe.sqlite") as c:
        assert c.execute("SELECT count(*) FROM contratista").fetchone()[0] == 0
        assert c.execute("SELECT version_num FROM alembic_version").fetchone()[0] == schema.head()
    c.close()
    result = icsoe(destino, "restore", str(respaldo))
    assert result.exit_code == 0, result.output


def test_restore_of_a_wal_mode_copy_of_a_live_database(app, juegos, tmp_path):
    """An operator copies icsoe.sqlite (WAL mode, checkpointed) instead of using icsoe backup: it restores or is
    refused with a message, never a traceback."""
    preparar(app, app.test_client(), juegos["moral"])
    app.extensions["engine"].dispose()
    copia = tmp_path / "copia.sqlite"
    shutil.copyfile(Path(app.instance_path) / "icsoe.sqlite", copia)
    result = icsoe(tmp_path / "destino", "restore", str(copia))
    sin_traceback(result)
    assert result.exit_code in (0, 1), result.output


def test_restore_of_a_directory_and_a_missing_file(tmp_path):
    (tmp_path / "carpeta").mkdir()
    for f in (tmp_path / "carpeta", tmp_path / "no-existe.sqlite"):
        result = icsoe(tmp_path / "destino", "restore", str(f))
        sin_traceback(result)
        assert result.exit_code in (1, 2), result.output  # 2: click's own "is a directory"


def test_restore_with_the_target_database_as_file(tmp_path):
    """`icsoe restore instance/icsoe.sqlite` on an instance just made by init: refused or harmless, no traceback."""
    destino = tmp_path / "destino"
    assert icsoe(destino, "init").exit_code == 0
    result = icsoe(destino, "restore", str(destino / "icsoe.sqlite"))
    sin_traceback(result)
    assert result.exit_code == 1, result.output


def test_restore_refusal_in_a_real_process_prints_no_traceback(respaldo, tmp_path):
    datos = bytearray(respaldo.read_bytes())
    datos[16:18] = b"\x00\x00"
    malo = tmp_path / "danado.sqlite"
    malo.write_bytes(bytes(datos))
    p = icsoe_proceso(tmp_path / "destino", "restore", str(malo))
    assert p.returncode == 1 and "Traceback" not in p.stderr, p.stderr


# -- backup: bad arguments ------------------------------------------------------------------------------------------

def test_backup_to_a_directory_is_refused_with_a_message(app, tmp_path):
    (tmp_path / "carpeta").mkdir()
    result = icsoe(Path(app.instance_path), "backup", str(tmp_path / "carpeta"))
    sin_traceback(result)
    assert result.exit_code in (1, 2), result.output  # 2: click's own "is a directory"
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


# -- db upgrade ----------------------------------------------------------------------------------------------------

def test_db_upgrade_is_idempotent(tmp_path):
    instancia = tmp_path / "i"
    assert icsoe(instancia, "init").exit_code == 0
    for _ in range(2):
        result = icsoe(instancia, "db", "upgrade")
        sin_traceback(result)
        assert result.exit_code == 0 and "ya estaba en la revisión más reciente" in result.output, result.output
    result = icsoe(instancia, "db", "current")
    assert result.exit_code == 0, result.output


# -- other subcommands -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("contenido", [
    b"\x00\x01\x02binario" * 100,
    b"curp,nombres,primer_apellido,segundo_apellido\nAAAA\x00,b,c,d\n",
    b"curp,nombres,primer_apellido,segundo_apellido\n" + b"\"" + b"x" * 200_000 + b"\",b,c,d\n",
    b"curp,nombres,primer_apellido,segundo_apellido\n\"sin cerrar,b,c,d\n",
    b"\xff\xfe\x00c\x00u",
    b"",
])
def test_curp_import_of_a_bad_file(tmp_path, contenido):
    instancia = tmp_path / "i"
    assert icsoe(instancia, "init").exit_code == 0
    malo = tmp_path / "malo.csv"
    malo.write_bytes(contenido)
    result = icsoe(instancia, "curp", "import", str(malo))
    sin_traceback(result)
    assert result.exit_code in (0, 1), result.output


@pytest.mark.parametrize("contenido", [b"PK\x03\x04" + os.urandom(300), b"PK\x05\x06" + b"\x00" * 18,
                                       b"\x00" * 100, b""])
def test_sepomex_import_of_a_bad_file(tmp_path, contenido):
    instancia = tmp_path / "i"
    assert icsoe(instancia, "init").exit_code == 0
    malo = tmp_path / "CPdescarga.zip"
    malo.write_bytes(contenido)
    result = icsoe(instancia, "sepomex", "import", str(malo))
    sin_traceback(result)
    assert result.exit_code == 1, result.output


@pytest.mark.parametrize("contenido", [b"PK\x03\x04" + os.urandom(300), b"PK\x05\x06" + b"\x00" * 18,
                                       b"-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----\n", b""])
def test_trust_add_of_a_bad_file(tmp_path, contenido):
    instancia = tmp_path / "i"
    assert icsoe(instancia, "init").exit_code == 0
    malo = tmp_path / "Cert_Prod.zip"
    malo.write_bytes(contenido)
    result = icsoe(instancia, "trust", "add", str(malo))
    sin_traceback(result)
    assert result.exit_code == 1, result.output


@pytest.mark.parametrize("huella", ["zz", "1234", "", "ñññññññññ", "0" * 200])
def test_trust_remove_of_a_bad_fingerprint(tmp_path, huella):
    instancia = tmp_path / "i"
    assert icsoe(instancia, "init").exit_code == 0
    result = icsoe(instancia, "trust", "remove", huella)
    sin_traceback(result)
    assert result.exit_code == 1, result.output


@pytest.mark.parametrize("fecha", ["2026-13-01", "hoy", "2026-1-1", "９９９９-01-01", "0001-01-01", ""])
def test_avisos_bad_fecha(tmp_path, fecha):
    instancia = tmp_path / "i"
    assert icsoe(instancia, "init").exit_code == 0
    result = icsoe(instancia, "avisos", "--fecha", fecha)
    sin_traceback(result)
    assert result.exit_code == 2, result.output


def test_acuse_verificar_of_a_directory_and_garbage(tmp_path):
    instancia = tmp_path / "i"
    assert icsoe(instancia, "init").exit_code == 0
    (tmp_path / "d").mkdir()
    basura = tmp_path / "b.pdf"
    basura.write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    for f in (tmp_path / "d", basura, tmp_path / "nada.pdf"):
        result = icsoe(instancia, "acuse", "verificar", str(f))
        sin_traceback(result)
        assert result.exit_code == 2, result.output


# -- serve's bad arguments ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [["--port", "70000"], ["--port", "-1"], ["--threads", "0"], ["--threads", "-1"]])
def test_serve_refuses_a_port_or_thread_count_it_cannot_use(tmp_path, args):
    """`--port 70000` served on port 4464 (70000 mod 65536) while printing :70000; `--threads 0` said "Serving"
    and never answered a request. Either is a usage error, at once."""
    instancia = tmp_path / "i"
    assert icsoe(instancia, "init").exit_code == 0
    try:
        p = subprocess.run(
            [sys.executable, "-c", "from app.cli import main; main()", "serve", *args], capture_output=True,
            text=True, cwd=ROOT, timeout=20,
            env={**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")},
                 "ICSOE_INSTANCE": str(instancia), "ICSOE_URL": ""})
    except subprocess.TimeoutExpired as e:
        salida = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        pytest.fail(f"serve {' '.join(args)} started serving instead of refusing: {salida.strip()[-300:]}")
    assert p.returncode != 0 and "Traceback" not in p.stderr, p.stderr[-2000:]


# -- a database of a newer release (the app rolled back) -----------------------------------------------------------

def test_a_database_of_a_newer_release_is_refused_with_a_message(tmp_path):
    instancia = tmp_path / "i"
    assert icsoe(instancia, "init").exit_code == 0
    with sqlite3.connect(instancia / "icsoe.sqlite") as c:
        c.execute("UPDATE alembic_version SET version_num = '0099_de_una_version_nueva'")
    c.close()
    result = icsoe(instancia, "db", "current")
    sin_traceback(result)
    assert "ejecuta icsoe db upgrade" not in result.output  # it is not behind: upgrading cannot help
    for args in (("db", "upgrade"), ("trust", "list")):
        result = icsoe(instancia, *args)
        sin_traceback(result)
        assert result.exit_code == 1, result.output
        assert "más nueva" in result.output or "desconocida" in result.output, result.output


@pytest.mark.postgres
def test_postgres_restore_refuses_a_dump_that_merely_has_a_contratista_table(postgres, tmp_path):
    """A pg_dump of a database that is not ICSOE's but has a table called contratista: its upgrade failed after
    pg_restore and left the foreign table in the target. Now: refused, and the target holds an empty ICSOE schema
    at this release's revision."""
    from sqlalchemy import text

    from app.db import make_engine

    ajena = postgres.nueva_base()
    engine = make_engine(ajena.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as c:
        c.execute(text("CREATE TABLE contratista (id integer PRIMARY KEY, nombre text)"))
        c.execute(text("INSERT INTO contratista VALUES (1, 'x')"))
    engine.dispose()
    archivo = tmp_path / "ajena.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={archivo}", f"--dbname={ajena}"], check=True)
    nueva = postgres.nueva_base()
    env = {"ICSOE_INSTANCE": str(tmp_path / "i"), "DATABASE_URL": nueva, "SECRET_KEY": None, "ICSOE_URL": ""}
    result = CliRunner().invoke(main, ["restore", str(archivo)], env=env, catch_exceptions=True)
    sin_traceback(result)
    assert result.exit_code == 1, result.output
    assert "no es un respaldo de ICSOE" in result.output
    engine = make_engine(nueva.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM contratista")).scalar() == 0  # ICSOE's own, empty
        assert "cert_serial" in set(c.execute(text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'contratista'")).scalars())
    engine.dispose()
    assert CliRunner().invoke(main, ["db", "current"], env=env).exit_code == 0
