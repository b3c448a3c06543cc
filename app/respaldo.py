"""`icsoe backup FILE` and `icsoe restore FILE`: the whole database in one file, restored into an empty instance.

FILE is what each backend's own tools read: on SQLite a SQLite database file (made with SQLite's online backup
API, safe while the app writes), on PostgreSQL a `pg_dump -Fc` archive (read by `pg_restore`). Documents live in the
database (decisions.md §1), so the file holds everything but the instance folder's secret key, outbox and logs.

A restore goes into an empty instance only (`tables_with_rows`), and refuses, before touching anything, a file of
the other backend, one that is not an ICSOE database, a truncated or damaged one, and one made by a newer release.
Afterwards the schema is brought to this release's newest revision, as `icsoe db upgrade` would.
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import struct
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import OperationalError

from . import schema

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"  # the first bytes of every pg_dump custom-format (-Fc) archive

# Tables whose rows do not make an instance "not empty": the schema's revision, and SEPOMEX's postal-code catalog,
# which `icsoe init` and `icsoe serve` load into a new instance (and which the backup brings again).
NOT_DATA = {"alembic_version", "asentamiento"}

HOW_TO_START = ("Para restaurar, usa una instancia vacía: detén los nodos y, en SQLite, apunta ICSOE_INSTANCE a una "
                "carpeta nueva (sin base de datos, o recién creada con icsoe init); en PostgreSQL, crea una base de "
                "datos nueva (createdb) y apunta DATABASE_URL a ella. Luego ejecuta icsoe restore ARCHIVO.")


class RespaldoRechazado(Exception):
    """A backup or restore that cannot go ahead; str(e) is the Spanish reason for the operator."""


def backup(engine: Engine, destino: Path) -> None:
    """Write the whole database to `destino` (replaced atomically: a failed backup leaves no half-written file)."""
    destino = destino.resolve()
    if not destino.parent.is_dir():
        raise RespaldoRechazado(f"No existe la carpeta {destino.parent}.")
    if engine.dialect.name == "sqlite":
        _backup_sqlite(Path(engine.url.database).resolve(), destino)
    else:
        _backup_postgres(engine, destino)


def restore(engine: Engine, origen: Path) -> tuple[str | None, str]:
    """Restore `origen` into the engine's database, which must be empty; returns (the backup's revision, the
    revision after the upgrade). Raises RespaldoRechazado with the reason before changing anything."""
    if not origen.is_file():
        raise RespaldoRechazado(f"{origen}: no existe o no es un archivo.")
    tipo = file_kind(origen)
    sqlite = engine.dialect.name == "sqlite"
    if tipo is None:
        raise RespaldoRechazado(f"{origen}: no es un respaldo de ICSOE (ni una base de datos SQLite ni un archivo "
                                f"de pg_dump -Fc).")
    if sqlite and tipo != "sqlite":
        raise RespaldoRechazado(f"{origen}: es un respaldo de PostgreSQL (pg_dump) y esta instancia usa SQLite. "
                                f"Restáuralo en una instancia con DATABASE_URL de PostgreSQL.")
    if not sqlite and tipo != "postgresql":
        raise RespaldoRechazado(f"{origen}: es un respaldo de SQLite y esta instancia usa PostgreSQL "
                                f"({_without_password(engine.url)}). Restáuralo en una instancia SQLite (sin "
                                f"DATABASE_URL).")
    revision = _check_sqlite_backup(origen) if sqlite else _check_postgres_backup(origen)
    if revision is not None and not schema.known(revision):
        raise RespaldoRechazado(f"{origen}: el respaldo es de una versión más nueva de ICSOE (revisión del esquema "
                                f"{revision}, desconocida para esta versión). Restáuralo con esa versión o una "
                                f"posterior.")
    ocupadas = tables_with_rows(engine)
    if ocupadas:
        raise RespaldoRechazado(f"La base de datos de esta instancia no está vacía: tiene datos en "
                                f"{', '.join(ocupadas)}. {HOW_TO_START}")
    if sqlite:
        engine.dispose()  # our own pooled connections would hold the file while the restore replaces it
        _restore_sqlite(origen, Path(engine.url.database))
    else:
        _restore_postgres(engine, origen)
    engine.dispose()
    try:
        _, despues = schema.upgrade(engine)
    except Exception as e:  # noqa: BLE001 - whatever the foreign rows make the migration fail with
        # A file that passed the checks above but is not a database ICSOE wrote (a table named contratista of
        # another application, say): its tables go, so the instance is empty and usable again, not half of both.
        engine.dispose()
        _vaciar(engine)
        schema.upgrade(engine)
        motivo = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise RespaldoRechazado(f"{origen}: no es un respaldo de ICSOE que esta versión pueda usar: al actualizar su "
                                f"esquema, {motivo[:300]}. La instancia quedó vacía, lista para otro respaldo.") from None
    return revision, despues


def _vaciar(engine: Engine) -> None:
    """Drop every table of the database (the restore of a foreign file: back to an empty instance)."""
    with engine.connect() as connection:
        tablas = inspect(connection).get_table_names()
        preparer = connection.dialect.identifier_preparer
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for tabla in tablas:
                connection.exec_driver_sql(f"DROP TABLE {preparer.quote(tabla)}")
            connection.commit()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        elif tablas:
            connection.execute(text(f"DROP TABLE {', '.join(preparer.quote(t) for t in tablas)} CASCADE"))
            connection.commit()


def file_kind(path: Path) -> str | None:
    """'sqlite' or 'postgresql' by the file's first bytes; None for anything else."""
    with path.open("rb") as f:
        inicio = f.read(len(SQLITE_MAGIC))
    if inicio == SQLITE_MAGIC:
        return "sqlite"
    if inicio.startswith(PGDUMP_MAGIC):
        return "postgresql"
    return None


def tables_with_rows(engine: Engine) -> list[str]:
    """The tables that hold a row, except NOT_DATA. An instance is empty when this is empty: its database has no
    tables at all, or only a freshly initialised schema (`icsoe init`, `icsoe db upgrade`) with no rows but the
    revision and the postal-code catalog. A trusted CA or a CURP directory row counts as data: the restore would
    replace it, so it is the operator's to remove."""
    if engine.dialect.name == "sqlite" and not Path(engine.url.database).exists():
        return []  # not even a file yet: inspecting would create it
    with engine.connect() as connection:
        tablas = sorted(set(inspect(connection).get_table_names()) - NOT_DATA)
        preparer = connection.dialect.identifier_preparer
        return [t for t in tablas
                if connection.execute(text(f"SELECT EXISTS (SELECT 1 FROM {preparer.quote(t)})")).scalar()]



def _uri(ruta: Path, parametros: str) -> str:
    """A SQLite URI for a file path: the path percent-encoded (as_uri), since "#", "?" and "%" in a folder's or a
    file's name are URI syntax: "file:/srv/icsoe#2/icsoe.sqlite?mode=rw" opened (and, without its mode, created)
    /srv/icsoe, and a backup of it said it was written (an operator review)."""
    return f"{ruta.absolute().as_uri()}?{parametros}"


def _backup_sqlite(base: Path, destino: Path) -> None:
    if not base.is_file():
        raise RespaldoRechazado(f"No hay base de datos que respaldar en {base}.")
    if destino in (base, base.with_name(base.name + "-wal"), base.with_name(base.name + "-shm")):
        raise RespaldoRechazado("El respaldo no puede escribirse sobre la propia base de datos.")
    temporal = _temp_file_beside(destino)
    try:
        # mode=rw: never create a database where there was none.
        origen = sqlite3.connect(_uri(base, "mode=rw"), uri=True, timeout=30)
        copia = sqlite3.connect(temporal)
        try:
            # One step (pages=-1), not several: between steps SQLite releases its read lock, and a write by any
            # other connection (the app's) restarts the copy from the first page, so under steady writes a
            # stepwise copy may never finish. One step reads a single snapshot under one read transaction; in WAL
            # mode (db.py) that blocks no writer, who go on appending to the WAL meanwhile.
            origen.backup(copia, pages=-1)
            # A self-contained file: the copy keeps the source's WAL flag in its header otherwise.
            copia.execute("PRAGMA journal_mode=DELETE")
            resultado = copia.execute("PRAGMA integrity_check").fetchall()
        finally:
            copia.close()
            origen.close()
        if resultado != [("ok",)]:
            raise RespaldoRechazado(f"La copia no pasó PRAGMA integrity_check: {resultado[:5]}")
        os.replace(temporal, destino)
    finally:
        temporal.unlink(missing_ok=True)


def _check_sqlite_backup(origen: Path) -> str | None:
    """Check a SQLite backup before restoring it: whole, sound, an ICSOE database; returns its schema revision."""
    with origen.open("rb") as f:
        cabecera = f.read(100)
    tamano = origen.stat().st_size
    if len(cabecera) < 100:
        raise RespaldoRechazado(f"{origen}: el archivo está incompleto (truncado).")
    (pagina,) = struct.unpack(">H", cabecera[16:18])
    pagina = 65536 if pagina == 1 else pagina
    if pagina < 512 or pagina & (pagina - 1):  # a power of two from 512 to 65,536 (SQLite's file format, §1.3.2)
        raise RespaldoRechazado(f"{origen}: la base de datos del respaldo está dañada (su cabecera dice páginas de "
                                f"{pagina} bytes).")
    cambios, paginas = struct.unpack(">II", cabecera[24:32])
    (valido_para,) = struct.unpack(">I", cabecera[92:96])
    # The header's page count is trusted only when "version-valid-for" matches the change counter (SQLite's file
    # format, §1.3.7); a file shorter than it, or not a whole number of pages, was cut.
    if tamano % pagina or (paginas and valido_para == cambios and tamano < paginas * pagina):
        raise RespaldoRechazado(f"{origen}: el archivo está incompleto (truncado): mide {tamano:,} bytes y la base "
                                f"de datos que contiene necesita {paginas * pagina:,}.")
    try:
        # immutable: read as it is, no lock and no -wal or -shm file next to the backup.
        conexion = sqlite3.connect(_uri(origen, "mode=ro&immutable=1"), uri=True)
        try:
            resultado = conexion.execute("PRAGMA integrity_check").fetchall()
            tablas = {fila[0] for fila in conexion.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            revision = None
            if "alembic_version" in tablas:
                fila = conexion.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = fila[0] if fila else None
        finally:
            conexion.close()
    except sqlite3.DatabaseError as e:
        raise RespaldoRechazado(f"{origen}: la base de datos del respaldo está dañada ({e}).") from None
    if resultado != [("ok",)]:
        raise RespaldoRechazado(f"{origen}: la base de datos del respaldo está dañada (PRAGMA integrity_check: "
                                f"{'; '.join(r[0] for r in resultado[:3])}).")
    if "contratista" not in tablas:
        raise RespaldoRechazado(f"{origen}: es una base de datos SQLite, pero no de ICSOE (no tiene la tabla "
                                f"contratista).")
    return revision


def _restore_sqlite(origen: Path, base: Path) -> None:
    """Copy the backup into the instance's database through SQLite (its locks and journal), never by replacing the
    file: a -wal file of the old one left beside a new file would be replayed into it."""
    base.parent.mkdir(parents=True, exist_ok=True)
    fuente = sqlite3.connect(_uri(origen, "mode=ro&immutable=1"), uri=True)
    try:
        destino = sqlite3.connect(base, timeout=5)
        try:
            # In WAL mode SQLite refuses a backup whose page size differs from the target's; the app's connections
            # put it back in WAL mode (db.py). Leaving WAL needs the only connection to the file, so this is also
            # where a node still running on the target is found, before anything was written.
            try:
                destino.execute("PRAGMA journal_mode=DELETE")
            except sqlite3.OperationalError:
                raise RespaldoRechazado(f"La base de datos {base} está en uso (¿un icsoe serve sigue corriendo?): "
                                        f"detén los nodos y vuelve a intentarlo.") from None
            fuente.backup(destino)
            destino.execute("PRAGMA journal_mode=WAL")
        finally:
            destino.close()
    finally:
        fuente.close()



def libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The connection string for pg_dump and pg_restore, and their environment: the password goes in PGPASSWORD,
    never on the command line, which any local user can read in `ps`."""
    entorno = dict(os.environ)
    if url.password:
        entorno["PGPASSWORD"] = str(url.password)
    # URL.create, not url.set(password=None): set() leaves out what is None, so it would keep the password.
    sin_password = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                              database=url.database, query=url.query)
    conexion = sin_password.render_as_string(hide_password=False)
    return conexion, entorno


def _without_password(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=True)


def _client_program(nombre: str) -> tuple[str, int]:
    """The path of pg_dump or pg_restore on PATH, and its major version."""
    ruta = shutil.which(nombre)
    if ruta is None:
        raise RespaldoRechazado(f"No se encontró {nombre} en el PATH: instala el cliente de PostgreSQL de la misma "
                                f"versión mayor que el servidor (Debian: apt-get install postgresql-client).")
    salida = subprocess.run([ruta, "--version"], capture_output=True, text=True).stdout
    encontrada = re.search(r"\)\s+(\d+)", salida)
    if encontrada is None:
        raise RespaldoRechazado(f"No se pudo leer la versión de {ruta}: {salida.strip()!r}")
    return ruta, int(encontrada.group(1))


def _server_major(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SHOW server_version_num")).scalar()) // 10000


def _run(comando: list[str], entorno: dict[str, str], que: str) -> subprocess.CompletedProcess:
    resultado = subprocess.run(comando, env=entorno, capture_output=True, text=True)
    if resultado.returncode != 0:
        detalle = "; ".join(resultado.stderr.strip().splitlines()[-3:]) or f"código {resultado.returncode}"
        raise RespaldoRechazado(f"{que}: {detalle}")
    return resultado


def _backup_postgres(engine: Engine, destino: Path) -> None:
    pg_dump, version = _client_program("pg_dump")
    servidor = _server_major(engine)
    if version < servidor:
        # pg_dump refuses a newer server itself ("aborting because of server version mismatch"); say what to do.
        raise RespaldoRechazado(f"{pg_dump} es de PostgreSQL {version} y el servidor es PostgreSQL {servidor}: "
                                f"pg_dump debe ser de la versión del servidor o más nueva (Debian: apt-get install "
                                f"postgresql-client-{servidor}).")
    conexion, entorno = libpq(engine.url)
    temporal = _temp_file_beside(destino)
    try:
        # One transaction's snapshot (pg_dump's own), so writes during the dump are either wholly in it or not.
        _run([pg_dump, "--format=custom", f"--file={temporal}", f"--dbname={conexion}"], entorno,
                "pg_dump falló")
        temporal.chmod(0o600)
        os.replace(temporal, destino)
    finally:
        temporal.unlink(missing_ok=True)


def _check_postgres_backup(origen: Path) -> str | None:
    """Check a pg_dump archive before restoring it: an ICSOE database, readable to its end; returns its revision."""
    pg_restore, _ = _client_program("pg_restore")
    entorno = dict(os.environ)
    indice = _run([pg_restore, "--list", str(origen)], entorno,
                     f"{origen}: el respaldo está incompleto o dañado (pg_restore no puede leer su índice)").stdout
    if not re.search(r"^\d+; \d+ \d+ TABLE public contratista ", indice, re.MULTILINE):
        raise RespaldoRechazado(f"{origen}: es un archivo de pg_dump, pero no de una base de datos de ICSOE (no "
                                f"tiene la tabla contratista).")
    # --list reads only the table of contents at the start of the archive; a file cut short is found by reading
    # every data block, here into /dev/null, before the target is touched.
    _run([pg_restore, "--file=/dev/null", str(origen)], entorno,
            f"{origen}: el respaldo está incompleto o dañado (pg_restore no puede leer sus datos)")
    if not re.search(r" TABLE DATA public alembic_version ", indice):
        return None  # release 0.1.0's database: no revision table
    datos = _run([pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(origen)], entorno,
                    f"{origen}: el respaldo está incompleto o dañado").stdout
    copia = re.search(r"^COPY public\.alembic_version .*? FROM stdin;\n(.*?)^\\\.$", datos, re.MULTILINE | re.DOTALL)
    filas = copia.group(1).split() if copia else []
    return filas[0] if filas else None


def _restore_postgres(engine: Engine, origen: Path) -> None:
    pg_restore, _ = _client_program("pg_restore")
    # The target is empty (checked): a freshly initialised schema's empty tables are dropped, so the backup's own
    # (perhaps older) schema comes in whole and is then upgraded like any database of its revision.
    try:
        with engine.begin() as connection:
            tablas = inspect(connection).get_table_names()
            if tablas:
                # A node still connected holds locks on them: say so instead of waiting for it forever.
                connection.execute(text("SET LOCAL lock_timeout = '5s'"))
                preparer = connection.dialect.identifier_preparer
                connection.execute(text(f"DROP TABLE {', '.join(preparer.quote(t) for t in tablas)} CASCADE"))
    except OperationalError:
        raise RespaldoRechazado(f"La base de datos {_without_password(engine.url)} está en uso: detén los nodos y "
                                f"vuelve a intentarlo.") from None
    conexion, entorno = libpq(engine.url)
    # One transaction, stopped at the first error: a failed restore leaves the database as empty as it was. No
    # owners or grants: the target's role owns what it restores, whatever role owned the source.
    _run([pg_restore, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
          f"--dbname={conexion}", str(origen)], entorno, f"{origen}: pg_restore falló")


def _temp_file_beside(destino: Path) -> Path:
    """A new, private file next to `destino`, so the final os.replace is atomic (one file system)."""
    fd, nombre = tempfile.mkstemp(prefix=f".{destino.name}.", suffix=".tmp", dir=destino.parent)
    os.close(fd)
    os.chmod(nombre, 0o600)
    return Path(nombre)
