"""Fixtures shared by the route tests: a fresh app on its own instance folder, and demo e.firma sets."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from bs4 import BeautifulSoup
from jinja2 import StrictUndefined

from app import create_app, demo, fiel, trust
from app.db import get_session

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}
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


@pytest.fixture
def app(tmp_path, ca):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'icsoe.sqlite'}"},
                     instance_path=str(tmp_path))
    app.jinja_env.undefined = StrictUndefined  # a typo in a template fails the test
    with app.app_context():
        trust.add(get_session(), fiel.read_ca_certificates(ca.cert_der, "demo.cer"))
    return app


@pytest.fixture
def client(app):
    return app.test_client()
