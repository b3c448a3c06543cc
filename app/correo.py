"""Outgoing mail: through an SMTP server when one is configured, otherwise into an outbox folder of .eml files.

The outbox is for development and the demo: every message the portal would send (activation links among them)
lands as one file that any mail client opens, and `leer_outbox` reads them back for tests and the README's
walk-through. The log line names recipient and subject only: bodies carry one-time links.

SMTP URL forms (credentials URL-encoded: "p%40ss" is "p@ss"):

    smtp://127.0.0.1:8025                      plain, no login (a local relay; port 25 if omitted)
    smtp://user:pass@host:587?starttls=1       STARTTLS, then login (port 587 if omitted)
    smtps://user:pass@host:465                 TLS from the first byte (port 465 if omitted)

A login over plain SMTP is refused at construction unless the host is loopback: a typo in "starttls" must not
send the password in clear. Unknown query parameters are refused for the same reason.

Addresses are stored as people typed them (contacto.normalize_correo: "luis@peña.com.mx"); here the domain of
every address, in the headers and the envelope, is written in its IDNA form ("luis@xn--pea-8ma.com.mx"), which any
relay takes, with or without SMTPUTF8.
"""
from __future__ import annotations

import ipaddress
import logging
import os
import secrets
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import idna

__all__ = ["Correo", "CorreoNoEnviado", "Mensaje", "leer_outbox"]

log = logging.getLogger("app.correo")

TIMEOUT = 15.0  # seconds for connecting and for each SMTP reply
DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
TRUE, FALSE = {"1", "true", "yes"}, {"0", "false", "no", ""}


class CorreoNoEnviado(Exception):
    """The SMTP server could not be reached or refused the message; str() is a Spanish message for the user."""


@dataclass(frozen=True)
class Mensaje:
    """One e-mail: `para` is "ana@example.com" or "Ana Pérez <ana@example.com>"; `html` adds an HTML alternative."""

    para: str
    asunto: str
    texto: str
    html: str | None = None


@dataclass(frozen=True)
class _Smtp:
    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    user: str | None
    password: str | None


REMITENTE = "ICSOE <no-responder@icsoe.invalid>"  # the demo's; ICSOE_REMITENTE sets a real one


class Correo:
    """Configured once per app; `enviar` may be called from any thread (each call opens its own connection)."""

    def __init__(self, smtp_url: str | None, outbox: Path, remitente: str | None = None,
                 *, timeout: float = TIMEOUT, tls_context: ssl.SSLContext | None = None):
        """`smtp_url` None or "" writes to `outbox`. `tls_context` replaces the system's trusted CAs (a relay
        with a private CA; the tests' self-signed server). Raises ValueError for a URL or sender it cannot use."""
        remitente = remitente or REMITENTE
        _, address = parseaddr(remitente)
        if "@" not in address or "\n" in remitente or "\r" in remitente:
            raise ValueError(f"remitente is not an e-mail address: {remitente!r}")
        self.remitente = remitente
        self._de = _con_dominio_idna(remitente)
        self._domain = self._de[0].domain
        self.outbox = Path(outbox)
        self.timeout = timeout
        self._tls = tls_context
        self._smtp = _parse_smtp_url(smtp_url) if smtp_url else None

    def enviar(self, mensaje: Mensaje) -> str:
        """Send (or file) one message; return its Message-ID. Raises CorreoNoEnviado if the server fails, and
        ValueError for a line break in a header or a recipient that is no address (forms check addresses first)."""
        msg = self._build(mensaje)
        if self._smtp is None:
            name = self._write_outbox(msg)
            log.info("mail to %s filed in the outbox: %s (%s)", mensaje.para, mensaje.asunto, name)
        else:
            self._send(msg)
            log.info("mail to %s sent: %s", mensaje.para, mensaje.asunto)
        return msg["Message-ID"]

    def _build(self, mensaje: Mensaje) -> EmailMessage:
        for header in (mensaje.para, mensaje.asunto):
            if "\n" in header or "\r" in header:  # header injection: a second To/Bcc smuggled in
                raise ValueError("a header may not contain a line break")
        if "@" not in parseaddr(mensaje.para)[1]:
            raise ValueError(f"not an e-mail address: {mensaje.para!r}")
        msg = EmailMessage()
        msg["From"] = self._de
        msg["To"] = _con_dominio_idna(mensaje.para)
        msg["Subject"] = mensaje.asunto
        msg["Date"] = format_datetime(datetime.now(timezone.utc))
        # The sender's domain, not make_msgid's default: that asks the resolver for this host's FQDN each time.
        msg["Message-ID"] = make_msgid(domain=self._domain)
        # Quoted-printable: 7-bit clean, so any relay passes accents unchanged, and still readable in the file.
        msg.set_content(mensaje.texto, cte="quoted-printable")
        if mensaje.html is not None:
            msg.add_alternative(mensaje.html, subtype="html", cte="quoted-printable")
        return msg

    def _write_outbox(self, msg: EmailMessage) -> str:
        self.outbox.mkdir(parents=True, exist_ok=True)
        # Sortable by time (fixed width, microseconds), then a random part so two processes never collide.
        name = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S.%fZ}-{secrets.token_hex(6)}.eml"
        # Written beside its final name and renamed: a reader never sees half a message. mkstemp makes it 0600.
        fd, tmp = tempfile.mkstemp(dir=self.outbox, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                # An address whose mailbox name is not ASCII (stored before contacto refused it) is written as an
                # SMTPUTF8 server would get it: in the 7-bit form, Python makes it an encoded word nobody decodes.
                f.write(msg.as_bytes(policy=policy.SMTP if _ascii(msg) else policy.SMTPUTF8))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.outbox / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return name

    def _send(self, msg: EmailMessage) -> None:
        s = self._smtp
        context = self._tls or ssl.create_default_context()
        aceptado = False
        try:
            if s.implicit_tls:
                server = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=context)
            else:
                server = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
            with server:
                if s.starttls:
                    server.starttls(context=context)  # raises SMTPNotSupportedError if the server does not offer it
                if s.user is not None:
                    server.login(s.user, s.password or "")
                server.send_message(msg)
                aceptado = True
        except smtplib.SMTPRecipientsRefused as e:
            log.warning("SMTP server refused recipient %s: %s", msg["To"], e.recipients)
            raise CorreoNoEnviado("El servidor de correo rechazó la dirección del destinatario.") from e
        except (smtplib.SMTPException, OSError) as e:  # OSError: refused, unreachable, timeout, TLS
            if aceptado:
                # The server took the message (250 after DATA); only its goodbye failed. The message is on its
                # way: counting it as not sent would have the caller send it again (a second deadline notice).
                log.warning("mail to %s accepted by %s:%s, then the connection failed: %r", msg["To"], s.host,
                            s.port, e)
                return
            log.warning("mail to %s not sent through %s:%s: %r", msg["To"], s.host, s.port, e)
            if isinstance(e, smtplib.SMTPNotSupportedError) and not _ascii(msg):
                # smtplib's own check: a mailbox name that is not ASCII needs SMTPUTF8, which this server lacks.
                # Trying again never helps, so the message says what does.
                raise CorreoNoEnviado("El servidor de correo no acepta direcciones con acentos o ñ antes de "
                                      "la @.") from e
            raise CorreoNoEnviado("No se pudo enviar el correo. Intenta de nuevo más tarde.") from e


def leer_outbox(outbox: Path) -> list[EmailMessage]:
    """The messages of an outbox folder, oldest first (file names start with the time). [] if there is none."""
    folder = Path(outbox)
    if not folder.is_dir():
        return []
    parser = BytesParser(policy=policy.default)
    messages = []
    for path in sorted(folder.glob("*.eml")):
        with path.open("rb") as f:
            messages.append(parser.parse(f))
    return messages


def _con_dominio_idna(direcciones: str) -> tuple[Address, ...]:
    """The address of a To or From value, its domain in its IDNA ASCII form (xn--…), name and mailbox kept.

    Given a Unicode domain, the email package writes it as an RFC 2047 encoded word ("luis@=?utf-8?q?pe=C3=B1a?=…"),
    which no mail server decodes, and smtplib then needs SMTPUTF8 for the envelope. The `idna` package (IDNA 2008
    with UTS #46, as email-validator checked the address with), not the stdlib's "idna" codec (IDNA 2003, which
    maps some names, such as those with ß, to another domain). Raises ValueError for a domain without an IDNA form.
    """
    # parseaddr, not the header parser: that one decodes encoded words, and "=?utf-8?q?director?=@ejemplo.mx" (which
    # contacto now refuses) went to director@ejemplo.mx. One address per value: the portal sends each mail to one.
    nombre, direccion = parseaddr(direcciones)
    buzon, arroba, dominio = direccion.rpartition("@")
    if not arroba or not buzon or not dominio:
        raise ValueError(f"not an e-mail address: {direcciones!r}")
    if not dominio.isascii():
        try:
            dominio = idna.encode(dominio, uts46=True).decode("ascii")
        except idna.IDNAError as e:
            raise ValueError(f"not an e-mail address: {direcciones!r} ({e})") from None
    return (Address(nombre, buzon, dominio),)


def _ascii(msg: EmailMessage) -> bool:
    """Whether every address of the message is ASCII (a mailbox name may not be: only SMTPUTF8 carries it)."""
    return all(a.addr_spec.isascii() for h in ("From", "To") for a in msg[h].addresses)


def _parse_smtp_url(url: str) -> _Smtp:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"smtp_url must start with smtp:// or smtps://, not {parts.scheme or url!r}")
    if not parts.hostname:
        raise ValueError("smtp_url has no host")
    if parts.path not in ("", "/") or parts.fragment:
        raise ValueError("smtp_url takes no path or fragment")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = set(query) - {"starttls"}
    if unknown:
        raise ValueError(f"smtp_url: unknown parameter(s) {', '.join(sorted(unknown))} (known: starttls)")
    flag = (query.get("starttls") or ["0"])[-1].lower()
    if flag not in TRUE | FALSE:
        raise ValueError(f"smtp_url: starttls must be 1 or 0, not {flag!r}")
    starttls = flag in TRUE
    implicit_tls = parts.scheme == "smtps"
    if implicit_tls and starttls:
        raise ValueError("smtp_url: smtps:// is already TLS; starttls=1 is for smtp://")
    port = parts.port  # raises ValueError itself for a port that is not a number in 0-65535
    if port is None:
        port = DEFAULT_PORTS["smtps" if implicit_tls else "smtp+starttls" if starttls else "smtp"]
    user = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    if not (user or "").isascii() or not (password or "").isascii():
        raise ValueError("smtp_url: smtplib logs in with ASCII credentials only")
    if user is not None and not (implicit_tls or starttls) and not _is_loopback(parts.hostname):
        raise ValueError("smtp_url: a login needs smtps:// or ?starttls=1 (the password would travel in clear)")
    return _Smtp(parts.hostname, port, implicit_tls, starttls, user, password)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
