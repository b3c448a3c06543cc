"""Outgoing mail (app.correo): the outbox folder, and real SMTP servers on loopback (aiosmtpd) started here."""
from __future__ import annotations

import io
import ipaddress
import logging
import re
import smtplib
import socket
import ssl
import stat
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from email_validator import validate_email
from sqlmodel import select

from app import fiel, trust
from app.contacto import DatoInvalido, normalize_correo
from app.correo import Correo, CorreoNoEnviado, Mensaje, leer_outbox
from app.db import get_session
from app.models import Persona

from .conftest import make_app
from .test_administracion import CURP_LUIS, alta, preparar

ENLACE = "https://icsoe.invalid/ingreso/activar/eyJwIjo0Mn0.abc=="
MENSAJE = Mensaje(para="José Peña <jose.pena@example.com>",
                  asunto="ICSOE: activación de tu cuenta, señor Núñez",
                  texto=f"Hola, José María Peña Núñez:\n\nActiva tu acceso aquí (válido 48 horas):\n\n{ENLACE}\n",
                  html=f'<p>Hola, José María Peña Núñez:</p><p><a href="{ENLACE}">Activar mi acceso</a></p>')
USER, PASSWORD = "capturista@icsoe.invalid", "p@ss:w/rd %+"
USER_URL, PASSWORD_URL = "capturista%40icsoe.invalid", "p%40ss%3Aw%2Frd%20%25+"




def body(msg, subtype: str = "plain") -> str:
    return msg.get_body(preferencelist=(subtype,)).get_content()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Bandeja:
    """An aiosmtpd handler that keeps what it receives; it refuses recipients at "rechazado.invalid"."""

    def __init__(self):
        self.recibidos = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@rechazado.invalid"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.recibidos.append(envelope)
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (auth_data.login, auth_data.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)   # handled=False: aiosmtpd answers 535 itself on failure


@contextmanager
def servidor(**smtp_options):
    """A real SMTP server on a free loopback port (aiosmtpd, in a thread of its own) while the block runs."""
    bandeja = Bandeja()
    controller = Controller(bandeja, hostname="127.0.0.1", port=free_port(), **smtp_options)
    controller.start()
    try:
        yield bandeja, controller.port
    finally:
        controller.stop()


@pytest.fixture
def smtp():
    """A plain SMTP server, no login."""
    with servidor() as running:
        yield running


@pytest.fixture(scope="module")
def certificado(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: the server's, and the only CA the client trusts."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    client = ssl.create_default_context(cafile=str(folder / "cert.pem"))
    return server, client


def test_outbox_writes_one_eml_that_parses_back(tmp_path):
    outbox = tmp_path / "instance" / "outbox"   # created on the first message
    message_id = Correo(None, outbox).enviar(MENSAJE)
    files = list(outbox.iterdir())
    assert len(files) == 1
    assert re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{12}\.eml", files[0].name)
    [msg] = leer_outbox(outbox)
    assert msg["Message-ID"] == message_id
    assert re.fullmatch(r"<[^@>\s]+@icsoe\.invalid>", message_id)
    assert msg["To"] == MENSAJE.para
    assert msg["To"].addresses[0].addr_spec == "jose.pena@example.com"
    assert msg["From"] == "ICSOE <no-responder@icsoe.invalid>"
    assert msg["Subject"] == MENSAJE.asunto
    assert msg["Date"].datetime.tzinfo is not None
    assert body(msg) == MENSAJE.texto
    assert body(msg, "html").rstrip("\n") == MENSAJE.html
    assert msg.get_content_type() == "multipart/alternative"


def test_outbox_file_is_7bit_with_an_encoded_subject(tmp_path):
    Correo("", tmp_path).enviar(MENSAJE)   # "" is no SMTP, as None (an empty environment variable)
    raw = next(tmp_path.glob("*.eml")).read_bytes()
    raw.decode("ascii")                    # accents travel encoded: quoted-printable bodies, RFC 2047 headers
    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert re.search(rb"^Subject: [^\r\n]*=\?utf-8\?q\?activaci=C3=B3n", headers, re.MULTILINE | re.IGNORECASE)
    assert b"charset=\"utf-8\"" in raw and b"Content-Transfer-Encoding: quoted-printable" in raw


def test_plain_text_message_has_no_html_part(tmp_path):
    Correo(None, tmp_path).enviar(Mensaje(para="ana@example.com", asunto="Aviso", texto="Sólo texto: ñandú.\n"))
    [msg] = leer_outbox(tmp_path)
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content() == "Sólo texto: ñandú.\n"


def test_outbox_holds_only_eml_files_readable_by_their_owner_only(tmp_path):
    correo = Correo(None, tmp_path)
    for i in range(3):
        correo.enviar(Mensaje(para=f"c{i}@example.com", asunto=f"Mensaje {i}", texto="x"))
    files = sorted(tmp_path.iterdir())
    assert len(files) == 3 and all(f.suffix == ".eml" for f in files)   # no temporary files left behind
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)   # bodies hold one-time links


def test_leer_outbox_is_in_sending_order(tmp_path):
    correo = Correo(None, tmp_path)
    for i in range(5):
        correo.enviar(Mensaje(para="ana@example.com", asunto=f"Mensaje {i}", texto="x"))
    assert [m["Subject"] for m in leer_outbox(tmp_path)] == [f"Mensaje {i}" for i in range(5)]


def test_leer_outbox_of_a_missing_folder_is_empty(tmp_path):
    assert leer_outbox(tmp_path / "nada") == []


def test_the_log_line_names_recipient_and_subject_never_the_body(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="app.correo"):
        Correo(None, tmp_path).enviar(MENSAJE)
    [record] = [r for r in caplog.records if r.name == "app.correo"]
    assert MENSAJE.para in record.getMessage() and MENSAJE.asunto in record.getMessage()
    assert ENLACE not in caplog.text and "eyJwIjo0Mn0" not in caplog.text


@pytest.mark.parametrize("mensaje", [
    Mensaje(para="ana@example.com\r\nBcc: todos@example.com", asunto="Hola", texto="x"),
    Mensaje(para="ana@example.com", asunto="Hola\nBcc: todos@example.com", texto="x"),
    Mensaje(para="sin arroba", asunto="Hola", texto="x"),
])
def test_header_injection_and_bad_recipients_are_refused(tmp_path, mensaje):
    with pytest.raises(ValueError):
        Correo(None, tmp_path).enviar(mensaje)
    assert leer_outbox(tmp_path) == []


def test_smtp_delivers_to_a_real_server(tmp_path, smtp):
    bandeja, port = smtp
    message_id = Correo(f"smtp://127.0.0.1:{port}", tmp_path / "outbox").enviar(MENSAJE)
    [envelope] = bandeja.recibidos
    assert envelope.mail_from == "no-responder@icsoe.invalid"
    assert envelope.rcpt_tos == ["jose.pena@example.com"]
    # A stream, as leer_outbox reads files: parsebytes would keep the wire's CRLF inside the decoded text.
    msg = BytesParser(policy=policy.default).parse(io.BytesIO(envelope.original_content))
    assert msg["Message-ID"] == message_id
    assert msg["Subject"] == MENSAJE.asunto
    assert body(msg) == MENSAJE.texto
    assert body(msg, "html").rstrip("\n") == MENSAJE.html
    assert not (tmp_path / "outbox").exists()   # SMTP mode writes no files


class AdiosFallido(Bandeja):
    """Accepts the message, then answers QUIT with an error (a relay shutting down, a proxy cutting in)."""

    async def handle_QUIT(self, server, session, envelope):
        return "421 4.3.2 Service shutting down"


def test_a_message_the_server_accepted_is_sent_whatever_its_goodbye(tmp_path, caplog):
    """Accepted after DATA, then QUIT fails: the message went, so it is no CorreoNoEnviado (its caller would send
    it again), and the log says what happened."""
    bandeja = AdiosFallido()
    controller = Controller(bandeja, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        Correo(f"smtp://127.0.0.1:{controller.port}", tmp_path).enviar(MENSAJE)
    finally:
        controller.stop()
    assert len(bandeja.recibidos) == 1
    assert "accepted by 127.0.0.1" in caplog.text


def test_a_refused_recipient_is_a_spanish_error(tmp_path, smtp):
    _, port = smtp
    with pytest.raises(CorreoNoEnviado, match="rechazó la dirección"):
        Correo(f"smtp://127.0.0.1:{port}", tmp_path).enviar(
            Mensaje(para="nadie@rechazado.invalid", asunto="Hola", texto="x"))


def test_starttls_and_login_with_url_encoded_credentials(tmp_path, certificado):
    server_tls, client_tls = certificado
    with servidor(tls_context=server_tls, require_starttls=True, authenticator=authenticator,
                  auth_required=True) as (bandeja, port):
        url = f"smtp://{USER_URL}:{PASSWORD_URL}@127.0.0.1:{port}?starttls=1"
        Correo(url, tmp_path, tls_context=client_tls).enviar(MENSAJE)
    assert [e.rcpt_tos for e in bandeja.recibidos] == [["jose.pena@example.com"]]


def test_a_wrong_password_is_correo_no_enviado(tmp_path, certificado):
    server_tls, client_tls = certificado
    with servidor(tls_context=server_tls, require_starttls=True, authenticator=authenticator,
                  auth_required=True) as (bandeja, port):
        with pytest.raises(CorreoNoEnviado) as e:
            Correo(f"smtp://{USER_URL}:otra@127.0.0.1:{port}?starttls=1", tmp_path,
                   tls_context=client_tls).enviar(MENSAJE)
    assert isinstance(e.value.__cause__, smtplib.SMTPAuthenticationError)
    assert bandeja.recibidos == []


def test_smtps_implicit_tls(tmp_path, certificado):
    server_tls, client_tls = certificado
    with servidor(ssl_context=server_tls) as (bandeja, port):
        Correo(f"smtps://127.0.0.1:{port}", tmp_path, tls_context=client_tls).enviar(MENSAJE)
    assert len(bandeja.recibidos) == 1


def test_an_untrusted_certificate_is_correo_no_enviado(tmp_path, certificado):
    server_tls, _ = certificado
    with servidor(ssl_context=server_tls) as (bandeja, port):
        with pytest.raises(CorreoNoEnviado) as e:
            Correo(f"smtps://127.0.0.1:{port}", tmp_path).enviar(MENSAJE)   # trusting the system's CAs only
    assert isinstance(e.value.__cause__, ssl.SSLCertVerificationError)
    assert bandeja.recibidos == []


def test_an_unreachable_port_fails_at_once(tmp_path):
    with pytest.raises(CorreoNoEnviado, match="No se pudo enviar el correo") as e:
        Correo(f"smtp://127.0.0.1:{free_port()}", tmp_path).enviar(MENSAJE)
    assert isinstance(e.value.__cause__, ConnectionRefusedError)   # refused, not waited out
    assert leer_outbox(tmp_path) == []                              # no fallback to the outbox


def test_a_silent_server_times_out(tmp_path):
    with socket.socket() as mudo:   # accepts connections (the kernel's backlog) and never greets
        mudo.bind(("127.0.0.1", 0))
        mudo.listen(1)
        correo = Correo(f"smtp://127.0.0.1:{mudo.getsockname()[1]}", tmp_path, timeout=0.3)
        with pytest.raises(CorreoNoEnviado) as e:
            correo.enviar(MENSAJE)
    assert "timed out" in str(e.value.__cause__)   # smtplib reports the timeout as SMTPServerDisconnected


def test_default_timeout_is_fifteen_seconds(tmp_path):
    assert Correo("smtp://127.0.0.1", tmp_path).timeout == 15


@pytest.mark.parametrize("url", [
    "http://mail.example.com",
    "smtp://",
    "smtp://mail.example.com:puerto",
    "smtp://mail.example.com:99999",
    "smtp://mail.example.com/ruta",
    "smtp://mail.example.com?startls=1",          # a typo must not mean "no TLS"
    "smtp://mail.example.com?starttls=quizas",
    "smtps://mail.example.com?starttls=1",
    "smtp://user:pass@mail.example.com:25",        # the password would travel in clear
    "smtps://user:contrase%C3%B1a@mail.example.com",   # smtplib's AUTH sends ASCII only
])
def test_a_bad_smtp_url_is_refused_at_construction(tmp_path, url):
    with pytest.raises(ValueError):
        Correo(url, tmp_path)


@pytest.mark.parametrize("url", [
    "smtp://127.0.0.1:8025", "smtp://localhost", "smtp://user:pass@127.0.0.1:2525", "smtp://[::1]:25",
    "smtp://user:pass@mail.example.com?starttls=1", "smtp://mail.example.com?starttls=0",
    "smtps://user:pass@mail.example.com",
])
def test_good_smtp_urls_are_accepted(tmp_path, url):
    Correo(url, tmp_path)


def test_a_bad_sender_is_refused(tmp_path):
    with pytest.raises(ValueError):
        Correo(None, tmp_path, remitente="ICSOE")


# An internationalised domain (.mx admits ñ and accents): stored as typed, sent in its IDNA form. "peña" is
# "xn--pea-8ma" ("xn--pea-6ma" would be "ñpea").
IDN = "luis@peña.com.mx"
IDN_ASCII = "luis@xn--pea-8ma.com.mx"


def test_the_idna_form_of_pena_is_xn__pea_8ma():
    assert validate_email(IDN, check_deliverability=False).ascii_email == IDN_ASCII
    assert "peña".encode("idna") == b"xn--pea-8ma"   # the stdlib's codec agrees on this name


@pytest.mark.parametrize("para", [IDN, f"Luis Peña <{IDN}>"])
def test_an_idn_domain_is_filed_in_its_idna_form_never_as_an_encoded_word(tmp_path, para):
    """Python wrote a Unicode domain as "luis@=?utf-8?q?pe=C3=B1a?=.com.mx", which no mail server decodes."""
    Correo(None, tmp_path).enviar(Mensaje(para=para, asunto="ICSOE", texto="hola"))
    raw = next(tmp_path.glob("*.eml")).read_bytes()
    raw.decode("ascii")
    to = re.search(rb"^To: ([^\r\n]*)", raw, re.MULTILINE).group(1)
    assert IDN_ASCII.encode() in to and b"@=?" not in to, to
    [msg] = leer_outbox(tmp_path)
    assert msg["To"] == para.replace(IDN, IDN_ASCII)


def test_an_idn_domain_goes_through_a_server_without_smtputf8(tmp_path):
    """Most relays offer no SMTPUTF8: smtplib refused the Unicode domain (SMTPNotSupportedError) and the user read
    «No se pudo enviar el correo. Intenta de nuevo más tarde.», which no retry ever changed."""
    with servidor(enable_SMTPUTF8=False) as (bandeja, port):
        Correo(f"smtp://127.0.0.1:{port}", tmp_path).enviar(Mensaje(para=IDN, asunto="ICSOE", texto="hola"))
    [envelope] = bandeja.recibidos
    assert envelope.rcpt_tos == [IDN_ASCII]
    assert "SMTPUTF8" not in envelope.mail_options
    msg = BytesParser(policy=policy.default).parse(io.BytesIO(envelope.original_content))
    assert msg["To"].addresses[0].addr_spec == IDN_ASCII


@pytest.mark.parametrize("typed", ["ventas@méxico.mx", "Contacto@ÑANDÚ.com.mx", "luis@xn--pea-8ma.com.mx",
                                   "x@straße.de", "a@sub.acción.org.mx"])
def test_every_domain_contacto_accepts_reaches_the_envelope_as_email_validators_ascii_form(tmp_path, typed):
    """What the forms store (contacto.normalize_correo, Unicode) goes out as email-validator's `ascii_email`: the
    same IDNA 2008 form it checked ("straße" is xn--strae-oqa, not IDNA 2003's "strasse")."""
    with servidor(enable_SMTPUTF8=False) as (bandeja, port):
        Correo(f"smtp://127.0.0.1:{port}", tmp_path).enviar(
            Mensaje(para=normalize_correo(typed), asunto="ICSOE", texto="hola"))
    assert bandeja.recibidos[0].rcpt_tos == [validate_email(typed, check_deliverability=False).ascii_email]


def test_an_idn_sender_is_written_in_its_idna_form(tmp_path):
    with servidor(enable_SMTPUTF8=False) as (bandeja, port):
        message_id = Correo(f"smtp://127.0.0.1:{port}", tmp_path, remitente="Portal ICSOE <icsoe@empresa.méxico.mx>"
                            ).enviar(Mensaje(para="ana@example.com", asunto="ICSOE", texto="hola"))
    [envelope] = bandeja.recibidos
    assert envelope.mail_from == "icsoe@empresa.xn--mxico-bsa.mx"
    msg = BytesParser(policy=policy.default).parse(io.BytesIO(envelope.original_content))
    assert str(msg["From"]) == "Portal ICSOE <icsoe@empresa.xn--mxico-bsa.mx>"
    assert message_id.endswith("@empresa.xn--mxico-bsa.mx>")


# A mailbox name with accents ("josé@…") has no ASCII form: contacto refuses it now, but one stored earlier stays.
ACENTOS = "josé@peña.com.mx"


def test_a_stored_accented_mailbox_name_fails_clearly_without_smtputf8(tmp_path):
    with servidor(enable_SMTPUTF8=False) as (bandeja, port):
        with pytest.raises(CorreoNoEnviado) as e:
            Correo(f"smtp://127.0.0.1:{port}", tmp_path).enviar(Mensaje(para=ACENTOS, asunto="ICSOE", texto="x"))
    assert str(e.value) == "El servidor de correo no acepta direcciones con acentos o ñ antes de la @."
    assert isinstance(e.value.__cause__, smtplib.SMTPNotSupportedError)
    assert bandeja.recibidos == []


def test_a_stored_accented_mailbox_name_goes_to_a_server_with_smtputf8(tmp_path):
    with servidor(enable_SMTPUTF8=True) as (bandeja, port):
        Correo(f"smtp://127.0.0.1:{port}", tmp_path).enviar(Mensaje(para=ACENTOS, asunto="ICSOE", texto="x"))
    [envelope] = bandeja.recibidos
    assert envelope.rcpt_tos == ["josé@xn--pea-8ma.com.mx"] and "SMTPUTF8" in envelope.mail_options


def test_a_stored_accented_mailbox_name_is_filed_as_smtputf8_would_carry_it(tmp_path):
    Correo(None, tmp_path).enviar(Mensaje(para=ACENTOS, asunto="ICSOE", texto="x"))
    raw = next(tmp_path.glob("*.eml")).read_bytes()
    assert re.search(rb"^To: ([^\r\n]*)", raw, re.MULTILINE).group(1) == "josé@xn--pea-8ma.com.mx".encode()
    assert str(leer_outbox(tmp_path)[0]["To"]) == "josé@xn--pea-8ma.com.mx"


# The same through the portal: the Alta's invitation (the path Reenviar invitación, a reset and icsoe avisos share).

@pytest.fixture
def contratista(client, juegos, app):
    return preparar(app, client, juegos["moral"])


def test_alta_to_an_idn_domain_stores_it_as_typed_and_files_its_idna_form(contratista, app):
    response = alta(contratista, CURP_LUIS, correo="luis@PEÑA.com.mx")
    assert response.status_code == 303
    aviso = contratista.get(response.headers["Location"]).get_data(as_text=True)
    assert "El usuario se guardo exitosamente" in aviso
    with app.app_context():
        assert get_session().exec(select(Persona.correo)).all() == [IDN]   # as the user knows it
    [msg] = leer_outbox(Path(app.instance_path) / "outbox")
    assert [a.addr_spec for a in msg["To"].addresses] == [IDN_ASCII]


def test_alta_invitation_to_an_idn_domain_reaches_a_relay_without_smtputf8(tmp_path, juegos, ca, catalogo,
                                                                          monkeypatch, esquema_sqlite):
    """The capturista was saved, then the invitation never went («No se pudo enviar el correo electrónico»), and
    every Reenviar invitación failed the same way."""
    with servidor(enable_SMTPUTF8=False) as (bandeja, port):
        monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{port}")
        app = make_app(tmp_path, esquema_sqlite, "smtp.sqlite", TESTING=True)
        with app.app_context():
            trust.add(get_session(), fiel.read_ca_certificates(ca.cert_der, "demo.cer"))
        client = preparar(app, app.test_client(), juegos["moral"])
        response = alta(client, CURP_LUIS, correo=IDN)
        assert response.status_code == 303
        aviso = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "No se pudo enviar" not in aviso and "El usuario se guardo exitosamente" in aviso
    assert [e.rcpt_tos for e in bandeja.recibidos] == [[IDN_ASCII]]


# -- Addresses an attacker types (a red-team review) ------------------------------------------------------------

def _enviado(para: str, tmp_path: Path) -> list[str]:
    """The addresses the To header of the mail to `para` holds (through the outbox)."""
    c = Correo(None, outbox=tmp_path, remitente="ICSOE <no-responder@ejemplo.mx>")
    c.enviar(Mensaje(para=para, asunto="x", texto="y"))
    [archivo] = list(c.outbox.glob("*.eml"))
    msg = BytesParser(policy=policy.default).parsebytes(archivo.read_bytes())
    return [a.addr_spec for a in msg["To"].addresses]


@pytest.mark.parametrize("tecleado, real", [
    ("=?utf-8?q?director?=@ejemplo.mx", "director@ejemplo.mx"),
    ("=?utf-8?b?ZGlyZWN0b3I=?=@peña.com.mx", "director@xn--pea-8ma.com.mx"),
])
def test_a_mailbox_name_that_a_header_would_decode_is_refused(tecleado, real):
    """An RFC 2047 encoded word is plain characters to email-validator in a mailbox name, and the email package
    decodes it: stored as "=?utf-8?q?director?=@…", mail went to `real`, another mailbox than the one stored (checked
    unique, and confirmed by its owner). Refused at input."""
    with pytest.raises(DatoInvalido):
        normalize_correo(tecleado)


@pytest.mark.parametrize("direccion", ["luis@peña.com.mx", "LUIS@PEÑA.COM.MX", "luis@xn--pea-8ma.com.mx",
                                       "luis@ｐｅñａ.com.mx", "luis@faß.de", "luis@xn--fa-hia.de"])
def test_unicode_and_xn_forms_store_one_address_and_send_ascii(direccion, tmp_path):
    guardado = normalize_correo(direccion)
    assert guardado.split("@")[1] in ("peña.com.mx", "faß.de")
    [enviado] = _enviado(guardado, tmp_path)
    assert enviado.isascii() and enviado.split("@")[1].startswith("xn--")


@pytest.mark.parametrize("direccion", ["luis@peña.com.mx\r\nBcc: x@y.z", "luis@peña.com.mx, otro@x.mx",
                                       "Luis <luis@peña.com.mx>", "luis@" + "ñ" * 70 + ".mx",
                                       "luis@" + ".".join(["ñ" * 40] * 7) + ".mx", "luis@pe\u202eña.com.mx"])
def test_hostile_addresses_are_refused_at_input(direccion):
    with pytest.raises(DatoInvalido):
        normalize_correo(direccion)
