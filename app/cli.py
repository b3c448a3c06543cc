"""The `icsoe` console script: serve, init, db, backup, restore, trust, sepomex, curp, acuse, avisos (see README)."""
from __future__ import annotations

import logging
import os
import sys
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

import click

from . import create_app


def _app(migrate: bool = False, crear: bool = False, **config):
    """The app on the configured database, its schema made current first.

    `migrate` (init, db upgrade): bring any database to the newest revision. Otherwise a SQLite instance is
    upgraded too (one node, one file), but a PostgreSQL one that is behind stops the command: several nodes
    starting together must not race to migrate, so the operator runs `icsoe db upgrade` once. `crear` (init,
    serve): a SQLite database that does not exist yet is created; any other command refuses it (`_existente`).
    """
    from . import schema

    if not crear:
        _existente()
    app = _nueva(config or None)
    _solo_del_dueno(Path(app.instance_path))
    engine = app.extensions["engine"]
    try:
        if migrate or engine.dialect.name == "sqlite":
            before, after = schema.upgrade(engine)
            if before != after:
                click.echo(f"Esquema de la base de datos actualizado: {before or 'vacío o versión 0.1.0'} → {after}.")
        else:
            schema.require_current(engine)
    except schema.SchemaBehind as e:  # behind (PostgreSQL: upgraded once, from one node), or ahead (SchemaAhead)
        click.echo(str(e), err=True)
        sys.exit(1)
    return app


def _nueva(config: dict | None = None):
    """create_app, or one line and exit 1 for a setting it cannot use (SMTP_URL, ICSOE_REMITENTE, …)."""
    try:
        return create_app(config)
    except ValueError as e:
        click.echo(f"Configuración inválida: {e}", err=True)
        sys.exit(1)
    except OSError as e:  # the instance folder: ICSOE_INSTANCE unset and run from a folder of another user, say
        if e.filename is None:
            raise
        click.echo(f"No fue posible crear la carpeta de la instancia {e.filename}: {e.strerror}. Define "
                   "ICSOE_INSTANCE con una carpeta de este usuario.", err=True)
        sys.exit(1)


def _existente() -> None:
    """Exit 1 with one line when the configured database is a SQLite file that does not exist. An operator's
    one-off command run without the service's environment (ICSOE_INSTANCE, DATABASE_URL unset: from another folder,
    without `set -a; . /etc/icsoe/icsoe.env`) used to create an empty database in ./instance and act on it: `trust
    add` said it trusted a CA the portal never saw, `trust list` that none was trusted. Checked before the app is
    built, which would create the instance folder and its secret key."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from . import config as app_config

    try:
        url = make_url(app_config.database_url(app_config.instance_folder()))
    except (ValueError, ArgumentError):  # an unusable setting: create_app says which, in its own words
        return
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    if not Path(url.database).exists():
        click.echo(f"No hay base de datos en {url.database}. Si la instancia está en otra carpeta, define "
                   "ICSOE_INSTANCE (o DATABASE_URL) como los define el servicio; para crear una nueva: icsoe init.",
                   err=True)
        sys.exit(1)


class _Grupo(click.Group):
    """The commands, each ended by a database that does not answer, or refuses the app's role, or was written by a
    newer release, with one line that says which (an operator's first run: a wrong DATABASE_URL, a database the
    role does not own), not a hundred lines of traceback."""

    def invoke(self, ctx: click.Context):
        from sqlalchemy.exc import DBAPIError

        from . import schema

        try:
            return super().invoke(ctx)
        except schema.SchemaAhead as e:  # a database a newer release wrote: no command here can use it
            click.echo(str(e), err=True)
            ctx.exit(1)
        except DBAPIError as e:
            motivo = (str(e.orig).strip().splitlines() or [type(e.orig).__name__])[0]
            url = os.environ.get("DATABASE_URL", "").strip()
            click.echo(f"No fue posible usar la base de datos {_safe_url(url) if url else 'SQLite de la instancia'}: "
                       f"{motivo}", err=True)
            ctx.exit(1)


@click.group(cls=_Grupo, help="ICSOE: portal de contratistas de servicios u obras especializados.")
def main() -> None:
    # Everything the instance holds (database, WAL, secret key, outbox, logs, demo keys) is readable by its owner
    # only: files 0600, folders 0700.
    os.umask(0o077)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free one).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256), help="Worker threads.")
def serve(host: str, port: int, threads: int) -> None:
    """Serve the app with waitress (app/servidor.py: without its main loop's busy wait); upgrades a SQLite database
    first, and loads the postal codes into an empty catalog (on any database).

    Behind reverse proxies (ICSOE_PROXIES=N), waitress itself reads X-Forwarded-For and -Proto, but only from the
    proxy's address (ICSOE_TRUSTED_PROXY, default 127.0.0.1; "*" trusts any peer): without that it strips them, and
    every user would share the proxy's address."""
    from . import config as app_config
    from . import sepomex as catalog
    from .servidor import servir

    if not os.environ.get("ICSOE_URL", "").strip():
        # The demo's links point at the served address; production sets ICSOE_URL (README).
        os.environ["ICSOE_URL"] = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    proxies = int(os.environ.get("ICSOE_PROXIES", "0") or 0)
    # SQLite: upgraded here; PostgreSQL: refused while behind (icsoe db upgrade). One pooled connection per thread.
    app = _app(crear=True, PROXY_FIX=False, DB_CONEXIONES=threads)
    _log_to(Path(app.instance_path) / "logs")
    logging.getLogger("waitress.queue").addFilter(ColaProfunda(threads))
    if app.extensions["engine"].dialect.name != "sqlite" and not os.environ.get("SECRET_KEY"):
        click.echo("Aviso: SECRET_KEY no está definida; este nodo firma con la clave de su carpeta de instancia, y "
                   "varios nodos deben compartir una (README, «Varios nodos»).", err=True)
    from . import acuse

    try:
        acuse.comprobar_revision()
    except OSError as e:
        click.echo(f"No fue posible iniciar la revisión de PDF ({e}): este nodo rechazaría todo acuse. Revisa que "
                   "el usuario del servicio pueda leer el intérprete de Python de su venv (uno bajo /root no) y "
                   "escribir en /dev/shm.", err=True)
        sys.exit(1)
    loaded = catalog.ensure_loaded(app.extensions["engine"])  # only on an empty catalog
    if loaded:
        click.echo(f"Catálogo de códigos postales cargado: {loaded:,} asentamientos.")
    click.echo(f"ICSOE en http://{host}:{port}/  (instancia: {app.instance_path}; enlaces: "
               f"{app.config['ICSOE_URL']})")
    if app.config["ICSOE_URL"] == app_config.DEMO_URL and host not in ("127.0.0.1", "localhost"):
        click.echo("Aviso: define ICSOE_URL con la dirección pública del portal (https://…).", err=True)
    proxy_options = {}
    if proxies:
        proxy_options = {"trusted_proxy": os.environ.get("ICSOE_TRUSTED_PROXY", "127.0.0.1").strip() or "127.0.0.1",
                         "trusted_proxy_count": proxies,
                         "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
                         "clear_untrusted_proxy_headers": True}
    # Bodies over 80 MB are cut by waitress itself; the views refuse far less (the acuse: 5 MB, an e.firma: 256 KB).
    servir(app, host=host, port=port, threads=threads, max_request_body_size=80 * 1024 * 1024,
           **proxy_options)


@main.command()
@click.option("--demo", is_flag=True, help="Also create a demo CA (trusted) and demo e.firma sets.")
def init(demo: bool) -> None:
    """Create the instance folder and the database (and, with --demo, the demo e.firma sets)."""
    from . import sepomex as catalog

    app = _app(migrate=True, crear=True)
    loaded = catalog.ensure_loaded(app.extensions["engine"])
    if loaded:
        click.echo(f"Catálogo de códigos postales de SEPOMEX cargado: {loaded:,} asentamientos.")
    click.echo(f"Instancia lista en {app.instance_path} (base de datos: {_safe_url(app.config['DATABASE_URL'])}).")
    if not demo:
        click.echo("Confía en las autoridades certificadoras del SAT con: icsoe trust add Cert_Prod.zip")
        return
    from . import demo as demo_sets
    from . import fiel, trust
    from .db import get_session

    folder = Path(app.instance_path) / "demo"
    if not (folder / "ca.cer").exists():
        demo_sets.write_demo_sets(folder, now=datetime.now(timezone.utc))
    with app.app_context():
        trust.add(get_session(), fiel.read_ca_certificates((folder / "ca.cer").read_bytes(), "ca.cer"))
    click.echo(f"Modo demostración: juegos de e.firma de prueba en {folder}")
    for cer in sorted(folder.glob("*/certificate.cer")):
        titular = fiel.Certificado.from_bytes(cer.read_bytes()).subject_value(fiel.OID_X500_UNIQUE_IDENTIFIER)
        click.echo(f"  - {cer.parent.name}: RFC {titular.split('/')[0].strip()}")
    click.echo(f"Contraseña de cada llave privada: {demo_sets.DEMO_PASSWORD}  (más detalles en {folder / 'README.txt'})")
    with app.app_context():
        curps = _demo_curp_directory(folder / "curp_demo.csv")
    click.echo("CURP del directorio de demostración (Alta de usuarios las completa con sus nombres): "
               + ", ".join(curps))


# People for the demo CURP directory: (nombres, primer apellido, segundo apellido, birth date, sex, state).
DEMO_PERSONAS = [("JOSE LUIS", "GARCIA", "LOPEZ", "850315", "H", "DF"),
                 ("ANA", "MARTINEZ", "RUIZ", "900521", "M", "JC"),
                 ("MARIA DE LOURDES", "PEÑA", "NUÑEZ", "781104", "M", "NL")]


def _demo_curp_directory(path: Path) -> list[str]:
    """Write the demo people's CURPs (as RENAPO would build them) to a CSV and load it into the directory."""
    import csv

    from stdnum.mx import curp as stdnum_curp

    from . import curp as curp_rules
    from . import hora, registro_curp
    from .db import get_session

    rows = []
    for nombres, primer, segundo, fecha, sexo, entidad in DEMO_PERSONAS:
        clave = curp_rules.clave_nombre(nombres, primer, segundo)
        base = clave[:4] + fecha + sexo + entidad + clave[4:] + "0"
        rows.append((base + stdnum_curp.calc_check_digit(base), nombres, primer, segundo))
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["curp", "nombres", "primer_apellido", "segundo_apellido"])
        writer.writerows(rows)
    registro_curp.importar(get_session(), path.read_bytes(), hora.hoy())
    return [row[0] for row in rows]


def _solo_del_dueno(instance: Path) -> None:
    """Make the instance folder's contents readable by its owner only (an instance made before the umask: release
    0.1.0 left its database and logs 0644)."""
    for path in [instance, *instance.rglob("*")]:
        try:
            if not path.is_symlink():
                path.chmod(0o700 if path.is_dir() else path.stat().st_mode & 0o700)
        except OSError:
            pass  # not ours to change (a file another user put there): left as it is


def _log_to(folder: Path) -> None:
    """Log to stderr and to instance/logs/icsoe.log (rotated at 5 MB, 5 kept)."""
    from logging.handlers import RotatingFileHandler

    folder.mkdir(parents=True, exist_ok=True)
    file_handler = RotatingFileHandler(folder / "icsoe.log", maxBytes=5 * 1024 * 1024, backupCount=5,
                                       encoding="utf-8")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        handlers=[logging.StreamHandler(), file_handler])


class ColaProfunda(logging.Filter):
    """Let waitress's "Task queue depth is N" through only when N reaches the number of threads. waitress warns
    whenever a request waits for a thread, from its dispatcher while it holds the lock its threads take tasks with:
    under a steady load that was most requests, each written to stderr and the log file before a thread could
    start (and a 5 MB log rotated in minutes). A queue as deep as the threads is what an operator should see."""

    def __init__(self, umbral: int):
        super().__init__()
        self.umbral = umbral

    def filter(self, record: logging.LogRecord) -> bool:
        profundidad = record.args[0] if isinstance(record.args, tuple) and record.args else None
        return not isinstance(profundidad, int) or profundidad >= self.umbral


def _safe_url(url: str) -> str:
    """The database URL without its password, for printing (also one SQLAlchemy would misread)."""
    from .config import url_sin_contrasena

    return url_sin_contrasena(url)


@main.group()
def db() -> None:
    """The database schema (Alembic revisions shipped with this release)."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Bring the database to this release's newest revision (once, from one node); an instance made by release
    0.1.0 upgrades in place, with its data."""
    from . import schema

    _existente()  # a new instance is made by `icsoe init`
    app = _nueva()
    click.echo(f"Base de datos: {_safe_url(app.config['DATABASE_URL'])}")
    before, after = schema.upgrade(app.extensions["engine"])
    if before == after:
        click.echo(f"El esquema ya estaba en la revisión más reciente ({after}).")
    else:
        click.echo(f"Esquema actualizado: {before or 'vacío o versión 0.1.0'} → {after}.")


@db.command("current")
def db_current() -> None:
    """Print the database's revision and this release's newest; exit 1 when the database is behind."""
    from . import schema

    _existente()
    app = _nueva()
    click.echo(f"Base de datos: {_safe_url(app.config['DATABASE_URL'])}")
    found, wanted = schema.current(app.extensions["engine"]), schema.head()
    click.echo(f"Revisión de la base de datos: {found or 'ninguna (vacía o versión 0.1.0)'}")
    click.echo(f"Revisión más reciente de esta versión: {wanted}")
    if found is not None and found != wanted and not schema.known(found):
        click.echo(str(schema.ahead(found)), err=True)
        sys.exit(1)
    if found != wanted:
        click.echo("La base de datos está atrasada: ejecuta icsoe db upgrade", err=True)
        sys.exit(1)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Write the whole database to FILE, safely while the app runs: on SQLite a SQLite database file (the online
    backup API), on PostgreSQL a pg_dump -Fc archive. The secret key, outbox and logs are not in it."""
    import time

    from . import respaldo

    # Not _app(): a backup changes nothing, and the README's upgrade steps take one before `icsoe db upgrade`.
    _existente()
    app = _nueva()
    inicio = time.monotonic()
    try:
        respaldo.backup(app.extensions["engine"], file)
    except respaldo.RespaldoRechazado as e:
        click.echo(str(e), err=True)
        click.echo("No se escribió el respaldo.", err=True)
        sys.exit(1)
    finally:
        app.extensions["engine"].dispose()
    click.echo(f"Respaldo de {_safe_url(app.config['DATABASE_URL'])} escrito en {file} "
               f"({file.stat().st_size:,} bytes, {time.monotonic() - inicio:.1f} s).")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def restore(file: Path) -> None:
    """Restore a backup made by `icsoe backup` into this instance, whose database must be empty, then bring its
    schema to this release's newest revision."""
    import time

    from . import respaldo

    app = _nueva()  # not _app(): the target stays as it is until the backup has been checked
    _solo_del_dueno(Path(app.instance_path))
    engine = app.extensions["engine"]
    inicio = time.monotonic()
    try:
        antes, despues = respaldo.restore(engine, file)
    except respaldo.RespaldoRechazado as e:
        click.echo(str(e), err=True)
        click.echo("No se restauró nada.", err=True)
        sys.exit(1)
    finally:
        engine.dispose()
    click.echo(f"Respaldo {file} restaurado en {_safe_url(app.config['DATABASE_URL'])} "
               f"({time.monotonic() - inicio:.1f} s).")
    if antes != despues:
        click.echo(f"Esquema de la base de datos actualizado: {antes or 'versión 0.1.0'} → {despues}.")
    click.echo("Las sesiones abiertas antes del respaldo no valen aquí si la clave secreta (SECRET_KEY) es otra; "
               "las contraseñas y las e.firmas sí.")


@main.group()
def trust() -> None:
    """The CA certificates trusted to have issued e.firmas."""


@trust.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def trust_add(files: tuple[Path, ...]) -> None:
    """Trust CA certificates: DER or PEM files, or a zip such as SAT's Cert_Prod.zip."""
    from . import fiel
    from . import trust as store
    from .db import get_session

    app = _app()
    failed = False
    with app.app_context():
        for path in files:
            try:
                cas = fiel.read_ca_certificates(path.read_bytes(), path.name)
            except ValueError as e:
                click.echo(f"{path}: {e}", err=True)
                failed = True
                continue
            for ca, new in store.add(get_session(), cas):
                state = "agregada" if new else "ya era de confianza"
                click.echo(f"{path.name}: {ca.subject} (vence {ca.not_after:%Y-%m-%d}) {state}")
    sys.exit(1 if failed else 0)


@trust.command("remove")
@click.argument("huellas", nargs=-1, required=True)
def trust_remove(huellas: tuple[str, ...]) -> None:
    """Stop trusting CA certificates, each named by the start of its fingerprint as `icsoe trust list` shows it
    (the demo CA on a database that must not have it, a CA withdrawn). Nothing more is validated or signed with an
    e.firma that CA issued, and every contratista's open session ends (they sign in again with an e.firma still
    trusted); capturistas' sessions go on."""
    from . import trust as store
    from .db import get_session

    app = _app()
    failed = False
    with app.app_context():
        for huella in huellas:
            try:
                ca, terminadas = store.remove(get_session(), huella)
            except store.NoHay as e:
                click.echo(str(e), err=True)
                failed = True
                continue
            click.echo(f"{ca.fingerprint[:16]}  {ca.subject}: ya no es de confianza; "
                       + (f"los {terminadas:,} contratistas registrados deberán" if terminadas != 1
                          else "el contratista registrado deberá") + " ingresar de nuevo con su e.firma.")
    sys.exit(1 if failed else 0)


@trust.command("list")
def trust_list() -> None:
    """List the trusted CA certificates."""
    from . import trust as store
    from .db import get_session

    app = _app()
    with app.app_context():
        cas = store.all_cas(get_session())
        if not cas:
            click.echo("No hay autoridades certificadoras de confianza. Agrega las del SAT: icsoe trust add Cert_Prod.zip")
        for ca in cas:
            click.echo(f"{ca.fingerprint[:16]}  vence {ca.not_after:%Y-%m-%d}  {ca.subject}")


@main.group()
def sepomex() -> None:
    """SEPOMEX's postal-code catalog, read by the address locator."""


@sepomex.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def sepomex_import(file: Path) -> None:
    """Replace the postal-code catalog with SEPOMEX's CPdescarga.txt (or the zip that holds it)."""
    from sqlmodel import Session

    from . import address
    from . import sepomex as catalog

    app = _app()
    engine = app.extensions["engine"]
    try:
        loaded = catalog.replace_catalog(engine, address.read_cpdescarga(file.read_bytes()))
    except ValueError as e:  # the whole import was rolled back
        click.echo(f"{file}: {e}", err=True)
        click.echo("No se cambió el catálogo de códigos postales.", err=True)
        sys.exit(1)
    with Session(engine) as session:
        cps = catalog.count_cp(session)
    click.echo(f"Catálogo de códigos postales reemplazado: {loaded:,} asentamientos, {cps:,} códigos postales.")


@main.group()
def curp() -> None:
    """The embedded CURP directory (names by CURP) used by Alta de usuarios."""


@curp.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def curp_import(file: Path) -> None:
    """Load a UTF-8 CSV with header curp,nombres,primer_apellido,segundo_apellido into the directory."""
    from . import hora, registro_curp
    from .db import get_session

    app = _app()
    with app.app_context():
        try:
            cargadas, omitidas = registro_curp.importar(get_session(), file.read_bytes(), hora.hoy())
        except (ValueError, UnicodeDecodeError) as e:
            click.echo(f"{file}: {e}", err=True)
            sys.exit(1)
    for motivo in omitidas[:20]:
        click.echo(f"omitida, {motivo}", err=True)
    click.echo(f"Directorio de CURP: {cargadas} registros cargados, {len(omitidas)} omitidos.")


@main.group()
def acuse() -> None:
    """Acuses de presentación of informativas."""


def _para_terminal(texto: str) -> str:
    """`texto` with every control, format (bidi overrides, zero-width), private-use or unassigned character as "?"
    and its runs of spaces as one (a run as wide as the terminal would start a line of the file's own): printable as
    it reads, whatever a file put in it."""
    if not (texto.isascii() and texto.isprintable()):
        texto = "".join("?" if unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp") else c
                        for c in texto)
    return " ".join(texto.split())


@acuse.command("verificar")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def acuse_verificar(file: Path) -> None:
    """Check an acuse de presentación PDF against the database: exit 0 authentic, 1 not, 2 unreadable file, 3 its
    signature and facts are the portal's but another release generated the file, so what it shows is not checked."""
    from . import acuse_presentacion, presentaciones
    from .db import get_session

    try:
        with file.open("rb") as archivo:
            datos = archivo.read(acuse_presentacion.MAX_BYTES + 1)  # a larger file is refused without reading it
        leido = acuse_presentacion.leer(datos)
    except OSError as e:
        click.echo(f"{file}: no se pudo leer el archivo ({e.strerror or e}).", err=True)
        sys.exit(2)
    except acuse_presentacion.AcuseIlegible as e:
        click.echo(f"{file}: {e}", err=True)
        sys.exit(2)
    app = _app()
    with app.app_context():
        informativa, comprobaciones = presentaciones.comprobar_pdf(get_session(), leido)
    # The folio and the link's host come from the file, which anyone may have written: printed to the operator's
    # terminal, an escape sequence in them could clear the screen or rewrite the verdict's line (a review).
    click.echo(f"Acuse de presentación {_para_terminal(leido.folio[:40])}")
    etiquetas = {True: "correcto", False: "FALLA", None: "SIN COMPROBAR"}
    for comprobacion in comprobaciones:
        click.echo(f"  [{etiquetas[comprobacion.correcta]}] {_para_terminal(comprobacion.descripcion)}")
    if informativa is None:
        click.echo("Veredicto: el acuse NO es auténtico: el portal no tiene una informativa presentada con ese folio.")
        sys.exit(1)
    if any(c.correcta is False for c in comprobaciones):
        click.echo("Veredicto: el acuse NO es auténtico: el PDF o los datos del portal se alteraron después de la firma.")
        sys.exit(1)
    if any(c.correcta is None for c in comprobaciones):
        click.echo("Veredicto: NO se puede confirmar que el acuse sea auténtico: su firma y sus datos son los "
                   "registrados, pero el archivo lo generó otra versión del portal y lo que muestra no se pudo "
                   "comprobar. Pide al contratista que lo descargue de nuevo en Acuses de presentación y verifica ese "
                   "archivo.")
        sys.exit(3)
    click.echo("Veredicto: el acuse es auténtico y corresponde a lo registrado en el portal.")
    sys.exit(0)


def _fecha_avisos(ctx, param, value: str | None):
    """--fecha as AAAA-MM-DD, within the years the deadlines are computed for; a Spanish usage error otherwise."""
    from datetime import date

    from .plazos import MAX_EJERCICIO, MIN_EJERCICIO

    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        fecha = date.fromisoformat(value)
    except ValueError:
        raise click.UsageError(f"--fecha debe ser una fecha AAAA-MM-DD, por ejemplo 2026-09-14 (no «{value}»).",
                               ctx) from None
    if not MIN_EJERCICIO <= fecha.year <= MAX_EJERCICIO:
        raise click.UsageError(f"--fecha debe estar entre {MIN_EJERCICIO} y {MAX_EJERCICIO}.", ctx)
    return fecha


@main.command()
@click.option("--fecha", callback=_fecha_avisos, metavar="AAAA-MM-DD",
              help="The date to run for (default: today in Mexico City).")
def avisos(fecha) -> None:
    """Send the reminders due today: 10, 3 and 1 business days before each deadline, to each contratista and its
    active capturistas, once each (run it every weekday from cron)."""
    from . import enlaces, hora, seguimiento
    from .db import get_session

    app = _app()
    hoy = fecha or hora.hoy()

    def enlace(informativa_id: int | None) -> str:
        if informativa_id is None:
            return enlaces.publico("informativa.index")
        return enlaces.publico("informativa.ver", informativa_id=informativa_id)

    with app.app_context(), app.test_request_context():  # url_for needs a request; links start with ICSOE_URL
        resultado = seguimiento.enviar_avisos(get_session(), app.extensions["correo"], hoy, enlace)
    for linea in resultado.detalle:
        click.echo(f"  {linea}")
    click.echo(f"Avisos del {hoy:%d/%m/%Y}: {resultado.avisos} avisos, {resultado.correos} correos enviados.")
    if resultado.fallidos:
        click.echo(f"No se pudieron enviar {resultado.fallidos} correos (ver el registro).", err=True)
        sys.exit(1)
