"""Fixtures shared by the route tests: a fresh app on its own instance folder, and demo e.firma sets."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import StrictUndefined
from sqlmodel import SQLModel

from app import address, create_app, demo, fiel, schema, sepomex, trust
from app.db import get_session, make_engine

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


class ClienteComoServidor(FlaskClient):
    """The test client, closing each response as a WSGI server does once it has sent it: work a view defers until
    then (`response.call_on_close`, e.g. the password-reset mail) runs before the test goes on."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


Flask.test_client_class = ClienteComoServidor
NOW = datetime.now(timezone.utc)


def html(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def token(client, url: str = "/ingreso/efirma") -> str:
    """The CSRF token, read from a page as a browser would."""
    return html(client.get(url)).select_one("input[name=csrf_token]")["value"]


@dataclass(frozen=True)
class Juego:
    """One e.firma set: what a user uploads."""

    rfc: str
    cer: bytes
    key: bytes
    password: str


@pytest.fixture(scope="session")
def ca():
    return demo.make_ca(now=NOW)


@pytest.fixture(scope="session")
def otra_ca():
    """A CA that the app does not trust."""
    return demo.make_ca("AC AJENA DE PRUEBA", now=NOW)


def _juego(ca, rfc, **kwargs) -> Juego:
    kwargs.setdefault("nombre", "ESCUELA DEMO SA DE CV")
    kwargs.setdefault("persona", "moral" if len(rfc) == 12 else "fisica")
    kwargs.setdefault("not_before", NOW - timedelta(days=1))
    kwargs.setdefault("not_after", NOW + timedelta(days=365))
    e = demo.make_efirma(ca, rfc=rfc, **kwargs)
    return Juego(rfc, e.cer_der, e.key_der, e.password)


@pytest.fixture(scope="session")
def juegos(ca, otra_ca) -> dict[str, Juego]:
    """Every kind of e.firma the ingress must accept or refuse, issued by the trusted demo CA unless said."""
    moral = _juego(ca, "EDE010101AB1", representante_rfc="PERJ800101AB1", curp="PERJ800101HDFRNN09")
    fisica = _juego(ca, "PEÑM800101AB2", nombre="MARÍA PEÑA NÚÑEZ", curp="PEXM800101MDFXXR05", t61_names=True)
    otra = _juego(ca, "OTR020202CD3", nombre="OTRA EMPRESA SA DE CV")
    return {
        "moral": moral,
        "fisica": fisica,
        "csd": _juego(ca, "EDE010101AB1", tipo="csd"),
        "vencida": _juego(ca, "EDE010101AB1", not_before=NOW - timedelta(days=800),
                          not_after=NOW - timedelta(days=30)),
        "futura": _juego(ca, "EDE010101AB1", not_before=NOW + timedelta(days=10),
                         not_after=NOW + timedelta(days=400)),
        "ajena": _juego(otra_ca, "EDE010101AB1"),
        "representante": _juego(ca, "PERJ800101AB1", nombre="JUAN PÉREZ RAMOS", curp="PERJ800101HDFRNN09"),
        "otra": otra,
    }


# A slice of SEPOMEX's catalog: San Ángel and Roma Norte, all of Álvaro Obregón's 01xxx postal codes below 01100
# (for the estado -> municipio -> colonia path), and 85203, the postal code with the most asentamientos (352).
CATALOGO_CPS = {"06700", "85203"}


@pytest.fixture(scope="session")
def catalogo() -> list:
    return [row for row in address.read_postalcodes_mexico()
            if row.cp in CATALOGO_CPS or ("01000" <= row.cp < "01100")]


@pytest.fixture(scope="session")
def esquema_sqlite(tmp_path_factory) -> str:
    """A SQLite database migrated to the newest revision once; each test's app starts from a copy of it."""
    path = tmp_path_factory.mktemp("esquema") / "icsoe.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    engine.dispose()  # the last connection checkpoints the WAL into the file
    return str(path)


def make_app(tmp_path, esquema: str, name: str = "icsoe.sqlite", **config):
    """An app on its own instance folder and a fresh copy of the migrated database."""
    shutil.copyfile(esquema, tmp_path / name)
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path / name}", **config}, instance_path=str(tmp_path))


@pytest.fixture
def app(sqlite_app):
    """The app most tests use: SQLite, the embedded default (a module may override it to add PostgreSQL)."""
    return sqlite_app


@pytest.fixture
def sqlite_app(tmp_path, ca, catalogo, esquema_sqlite):
    app = make_app(tmp_path, esquema_sqlite, TESTING=True)
    app.jinja_env.undefined = StrictUndefined  # a typo in a template fails the test
    app.after_request(cabeceras_como_en_el_cable)
    sepomex.replace_catalog(app.extensions["engine"], catalogo)
    with app.app_context():
        trust.add(get_session(), fiel.read_ca_certificates(ca.cert_der, "demo.cer"))
    return app


def cabeceras_como_en_el_cable(response):
    """Encode every header as waitress does (Latin-1): werkzeug's test client never encodes them, so a header a real
    server cannot send (a file name with an en dash was one) would pass every test and be a 500 in production."""
    for nombre, valor in response.headers.items():
        valor.encode("latin-1"), nombre.encode("latin-1")
    return response


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def icsoe(tmp_path, monkeypatch):
    """Run `icsoe ARGS...` on an instance folder in tmp_path; returns click's result."""
    from click.testing import CliRunner

    from app.cli import main

    monkeypatch.setenv("ICSOE_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("ICSOE_URL", "")  # as unset; `serve` sets it for the demo, and this undoes that afterwards
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


@dataclass(frozen=True)
class ServidorPostgres:
    """A throwaway PostgreSQL server on loopback, started by the tests themselves."""

    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://icsoe@127.0.0.1:{self.port}/{database}"

    def nueva_base(self) -> str:
        """The URL of a new, empty database on this server."""
        import uuid

        from sqlalchemy import create_engine, text

        name = f"icsoe_{uuid.uuid4().hex[:12]}"
        engine = create_engine(self.url().replace("postgresql://", "postgresql+psycopg://"),
                               isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.url(name)


@pytest.fixture(scope="session")
def postgres():
    from urllib.parse import urlsplit

    from .cluster import postgres_desechable

    with postgres_desechable() as base:
        if base is None:
            message = "PostgreSQL server binaries not found (apt-get install postgresql)"
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
        yield ServidorPostgres(urlsplit(base).port)


@pytest.fixture(scope="session")
def postgres_url(postgres):
    """A database on the throwaway server, migrated to the newest revision (shared by the PostgreSQL tests)."""
    url = postgres.url()
    engine = make_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    schema.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def pg_app(postgres_url, tmp_path, ca, catalogo, monkeypatch):
    """The app on the shared PostgreSQL database (through DATABASE_URL, the operator's way in), emptied first."""
    from sqlalchemy import text

    monkeypatch.setenv("DATABASE_URL", postgres_url)
    app = create_app({"TESTING": True}, instance_path=str(tmp_path))
    app.jinja_env.undefined = StrictUndefined
    engine = app.extensions["engine"]
    with engine.begin() as connection:
        tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables) if t.name != "asentamiento"]
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    sepomex.replace_catalog(engine, catalogo)
    with app.app_context():
        trust.add(get_session(), fiel.read_ca_certificates(ca.cert_der, "demo.cer"))
    yield app
    engine.dispose()


@pytest.fixture(scope="session")
def cluster_compartido(postgres, ca, catalogo, tmp_path_factory):
    """Two `icsoe serve` nodes on a database of the throwaway PostgreSQL server, behind haproxy running
    deploy/haproxy.cfg (tests/cluster.py), started once for the session."""
    from .cluster import haproxy_o_saltar, levantar

    haproxy_o_saltar()
    carpeta = tmp_path_factory.mktemp("cluster")

    def preparar(url: str) -> None:
        app = create_app({"DATABASE_URL": url}, instance_path=str(carpeta / "preparacion"))
        sepomex.replace_catalog(app.extensions["engine"], catalogo)
        app.extensions["engine"].dispose()

    cluster = levantar(carpeta, postgres.nueva_base(), preparar)
    yield cluster
    cluster.parar()


@pytest.fixture
def live_cluster(cluster_compartido, ca, tmp_path) -> str:
    """The proxy's base URL, the cluster's database emptied (the postal codes kept) and the demo CA trusted."""
    from sqlalchemy import text

    app = create_app({"DATABASE_URL": cluster_compartido.database_url}, instance_path=str(tmp_path / "limpieza"))
    engine = app.extensions["engine"]
    with engine.begin() as connection:
        tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables) if t.name != "asentamiento"]
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    with app.app_context():
        trust.add(get_session(), fiel.read_ca_certificates(ca.cert_der, "demo.cer"))
    engine.dispose()
    shutil.rmtree(cluster_compartido.carpeta / "outbox", ignore_errors=True)
    return cluster_compartido.proxy
