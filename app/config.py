"""Configuration from the environment, with embedded defaults that need nothing but the instance folder."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def instance_folder() -> Path:
    """ICSOE_INSTANCE, or ./instance: runtime data (SQLite database, secret key, demo sets, outbox, logs)."""
    return Path(os.environ.get("ICSOE_INSTANCE", "instance")).resolve()


MIN_SECRET_KEY = 32


def secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else generated once into the instance folder (mode 0600).

    Several app nodes must share one key (set SECRET_KEY on all of them): sessions and the short-lived e.firma
    proofs are signed with it.
    """
    if os.environ.get("SECRET_KEY"):
        clave = os.environ["SECRET_KEY"]
        # deploy/icsoe.env.example's placeholder, or a word: whoever knows it can sign sessions as anyone.
        if len(clave) < MIN_SECRET_KEY or clave.startswith("change-me"):
            raise ValueError(f"SECRET_KEY debe ser de al menos {MIN_SECRET_KEY} caracteres aleatorios (python3 -c "
                             "\"import secrets; print(secrets.token_hex(32))\"), no un ejemplo ni una palabra.")
        return clave
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two workers starting together must not both write a key; the loser reads the winner's.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    return path.read_text().strip()


def database_url(instance: Path) -> str:
    """DATABASE_URL (PostgreSQL in production: postgresql://user:pass@host/db), else SQLite in the instance folder."""
    url = os.environ.get("DATABASE_URL", "").strip()
    _revisar_credenciales(url)
    # postgres:// is the short form many providers hand out. Name the driver we install (psycopg 3): SQLAlchemy
    # 2.0 would otherwise look for psycopg2.
    for short in ("postgres://", "postgresql://"):
        if url.startswith(short):
            url = "postgresql+psycopg://" + url[len(short):]
    return url or f"sqlite:///{instance / 'icsoe.sqlite'}"


def _partes(url: str) -> tuple[str, str, str] | None:
    """(scheme, user and password, "@" and the rest) of a database URL with credentials; None for one without, or
    a SQLite URL (a path, whatever it holds). The credentials end at the last "@", so that a password holding one
    unencoded is still all of them."""
    esquema, separador, resto = url.partition("://")
    if not separador or "@" not in resto or esquema.startswith("sqlite"):
        return None
    arroba = resto.rfind("@")
    return esquema, resto[:arroba], resto[arroba:]


def _revisar_credenciales(url: str) -> None:
    """ValueError for a user or password with a character that ends it in a URL ("@", "/", "?", "#"): written as
    is, SQLAlchemy reads "Cl@ve" as the password "Cl" and a host "ve@db", and the driver's error then shows the rest
    of the password. Said before anything connects, without the password."""
    partes = _partes(url)
    if partes and any(c in partes[1] for c in "@/?#"):
        raise ValueError("DATABASE_URL: el usuario o la contraseña llevan «@», «/», «?» o «#»; escríbelos "
                         "codificados (%40, %2F, %3F, %23).")


def url_sin_contrasena(url: str) -> str:
    """A database URL to print: the password, whatever it holds, as ***."""
    partes = _partes(url)
    if partes is None:
        return url
    esquema, credenciales, resto = partes
    usuario, dos_puntos, _ = credenciales.partition(":")
    return f"{esquema}://{usuario}{':***' if dos_puntos else ''}{resto}"


# The demo's public address, which is also where `icsoe serve` listens by default.
DEMO_URL = "http://127.0.0.1:8000"


def public_url() -> str:
    """ICSOE_URL: the portal's public address (https://icsoe.example.mx); every link in an e-mail starts with it."""
    return (os.environ.get("ICSOE_URL", "").strip() or DEMO_URL).rstrip("/")


def trusted_hosts(url: str) -> list[str]:
    """The Host headers answered: ICSOE_URL's host, loopback (the operator's own checks) and ICSOE_HOSTS
    (comma-separated). Any other Host gets 400, so nothing can be made to speak of a host the operator did not name."""
    from urllib.parse import urlsplit

    hosts = [urlsplit(url).hostname or "localhost", "localhost", "127.0.0.1", "::1", "[::1]"]
    hosts += [h.strip() for h in os.environ.get("ICSOE_HOSTS", "").split(",") if h.strip()]
    return list(dict.fromkeys(hosts))


def _entero(variable: str, default: int) -> int:
    value = os.environ.get(variable, "").strip()
    return int(value) if value.isascii() and value.isdigit() and int(value) > 0 else default


def from_environment(instance: Path) -> dict:
    """The app's settings; every one can be overridden by create_app(test_config)."""
    https = os.environ.get("ICSOE_HTTPS", "").lower() in {"1", "true", "yes"}
    return {
        "SECRET_KEY": secret_key(instance),
        "DATABASE_URL": database_url(instance),
        "ICSOE_URL": public_url(),
        "TRUSTED_HOSTS": trusted_hosts(public_url()),
        # Sessions end after this long without a request, and this long after sign-in whatever happens.
        "SESION_INACTIVA": 60 * _entero("ICSOE_SESION_INACTIVA_MINUTOS", 60),
        "SESION_MAXIMA": 3600 * _entero("ICSOE_SESION_MAXIMA_HORAS", 12),
        # Failed sign-ins per client address and way in (e.firma, capturista) per 15 minutes: an office's whole
        # staff may share one address, so it is generous; guessing is bounded per credential and address.
        "LIMITE_POR_DIRECCION": _entero("ICSOE_LIMITE_POR_DIRECCION", 100),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        # Number of reverse proxies in front of the app whose X-Forwarded-For can be trusted (0: none).
        "PROXIES": int(os.environ.get("ICSOE_PROXIES", "0") or 0),
        # Outgoing mail: smtp://user:password@host:587?starttls=1 (or smtps://). Unset: .eml files in instance/outbox.
        "SMTP_URL": os.environ.get("SMTP_URL", "").strip() or None,
        # The From of every message ("ICSOE <no-responder@icsoe.invalid>" unset): a mail server refuses a sender
        # of a domain that is not its own, and .invalid is nobody's.
        "REMITENTE": os.environ.get("ICSOE_REMITENTE", "").strip() or None,
        # Where the outbox is (default: instance/outbox). Several nodes without SMTP may share one folder.
        "OUTBOX": os.environ.get("ICSOE_OUTBOX", "").strip() or None,
        # A RENAPO-style CURP service (GET <url>/<CURP> -> JSON names). Unset: the embedded directory
        # (icsoe curp import FILE).
        "CURP_SERVICE_URL": os.environ.get("CURP_SERVICE_URL", "").strip() or None,
        # OCSP responder for revocation checks. Off by default: an on-premise install may have no internet.
        "OCSP_URL": os.environ.get("OCSP_URL", "").strip() or None,
        # The terms' version: raising it makes every contratista accept the terms again on the next entry.
        "TERMINOS_VERSION": "2021-08",
        # How long the signed proof of a successful Validar lets Ingresar go without a second upload.
        "EFIRMA_PRUEBA_SEGUNDOS": 300,
        # Requests carry at most a 5 MB PDF plus form fields (the STPS acuse, next issue).
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
        # Form fields (uploads.limit_body can set a view's own): one field, or a whole URL-encoded body, at most
        # 256 KB (the longest field, Datos generales' descripción, takes 250 characters, under 3 KB even
        # percent-encoded), and at most 100 fields (Datos generales, the biggest form, has 26 with its token).
        # Not less: werkzeug's multipart decoder applies this limit to its buffer, files included, and feeds it
        # 64 KiB at a time, so at 64 KiB any upload bigger than that was refused whenever a chunk met a leftover.
        "MAX_FORM_MEMORY_SIZE": 256 * 1024,
        "MAX_FORM_PARTS": 100,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session: a slow form must not expire
        "SEND_FILE_MAX_AGE_DEFAULT": 365 * 24 * 3600,  # static URLs carry a content hash
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "application/javascript", "text/javascript"],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],  # static files are streamed; Flask-Compress leaves gzip out by default
        "COMPRESS_MIN_SIZE": 500,
        # Pages and fragments: brotli 5 makes the onboarding's 17.9 KB of them 0.9 KB smaller than Flask-Compress's
        # 4, for 0.1 ms more on a 10 KB page (a page costs 2-4 ms); 6 gains nothing more, 7 doubles the time.
        "COMPRESS_BR_LEVEL": 5,
    }
