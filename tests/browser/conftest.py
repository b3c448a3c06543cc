"""Browser tests: Debian's Chromium driven by Playwright, the app served by waitress on loopback."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from app import fiel, sepomex, trust
from app.db import get_session
from app.servidor import crear  # the server `icsoe serve` runs

from ..conftest import make_app

CHROMIUM = os.environ.get("ICSOE_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium instead of `playwright install` (no browser downloads here). Playwright itself adds
    # --headless --no-sandbox --no-first-run --disable-background-networking --disable-component-update.
    if not shutil.which(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set ICSOE_CHROMIUM)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ["--disable-gpu", "--disable-quic"]}


@pytest.fixture
def live_app(live_app_sqlite):
    """(app, base URL) of the app under test: one node on SQLite (a module may override it to add the cluster)."""
    return live_app_sqlite


@pytest.fixture
def live_app_cluster(live_cluster, cluster_compartido):
    """(app, base URL) through haproxy onto two nodes on PostgreSQL: `app` is on the cluster's database, its
    instance folder the cluster's, whose outbox both nodes write."""
    from app import create_app

    app = create_app({"DATABASE_URL": cluster_compartido.database_url, "ICSOE_URL": live_cluster},
                     instance_path=str(cluster_compartido.carpeta))
    yield app, live_cluster
    app.extensions["engine"].dispose()


@pytest.fixture
def live_app_sqlite(tmp_path, ca, catalogo, esquema_sqlite):
    """(app, base URL): the app served by waitress on a free loopback port, its instance in tmp_path, the demo CA
    trusted and a slice of the postal-code catalog loaded."""
    app = make_app(tmp_path, esquema_sqlite)
    sepomex.replace_catalog(app.extensions["engine"], catalogo)
    with app.app_context():
        trust.add(get_session(), fiel.read_ca_certificates(ca.cert_der, "demo.cer"))
    server = crear(app, host="127.0.0.1", port=0, threads=4)
    app.config["ICSOE_URL"] = f"http://127.0.0.1:{server.effective_port}"  # links in e-mails point here
    def correr() -> None:
        try:
            server.run()
        except OSError:  # the teardown closed the socket under waitress's select(): the server is done
            pass

    thread = threading.Thread(target=correr, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture
def live(live_app):
    """The base URL of the served app."""
    return live_app[1]


@pytest.fixture
def archivos(tmp_path, juegos):
    """Each e.firma set written to disk, as a user would pick it: {name: (rfc, cer_path, key_path, password)}."""
    folder = tmp_path / "efirmas"
    result = {}
    for name, juego in juegos.items():
        (folder / name).mkdir(parents=True)
        cer, key = folder / name / f"{name}.cer", folder / name / f"{name}.key"
        cer.write_bytes(juego.cer)
        key.write_bytes(juego.key)
        result[name] = (juego.rfc, cer, key, juego.password)
    return result


@pytest.fixture
def page_sin_js(browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


def tab_to(page, locator, limit: int = 40) -> None:
    """Press Tab until `locator` has the focus (keyboard-only tests); fail if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")
