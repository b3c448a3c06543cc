"""app/acuse.py: the "Acuse de registro en padrón de la STPS" of Datos generales (guide steps 13-15)."""
from __future__ import annotations

import io
import random
import unicodedata

import pytest
from pypdf import PdfWriter

from app import acuse

MB = 1024 * 1024
VACIO = "Selecciona el acuse de registro en el padrón de la STPS."
NO_ES_PDF = "El archivo no es un PDF válido; revisa que no esté dañado."
SIN_PAGINAS = "El PDF no tiene páginas; descarga de nuevo el acuse del padrón de la STPS."
CON_CONTRASENA = ("El PDF está protegido con contraseña y el personal del IMSS no podría abrirlo. "
                  "Súbelo sin contraseña.")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def pdf(pages: int = 1, *, relleno: int = 0, **encrypt) -> bytes:
    """A real PDF written by pypdf: `pages` blank pages, `relleno` bytes in its metadata (an attached file would be
    active content: test_ataques_datos_generales), encrypted if asked."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    if relleno:
        writer.add_metadata({"/Relleno": "0" * relleno})
    if encrypt:
        writer.encrypt(**encrypt)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_of_size(size: int) -> bytes:
    """A valid one-page PDF of exactly `size` bytes (the attachment's size is adjusted until the file fits)."""
    relleno = size
    for _ in range(5):
        data = pdf(relleno=relleno)
        if len(data) == size:
            return data
        relleno -= len(data) - size
    raise AssertionError(f"could not build a PDF of {size} bytes")


def raw_pdf(*objects: str) -> bytes:
    """A PDF written by hand, for structures pypdf's writer refuses to make; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def rechazo(filename, data) -> str:
    """The Spanish message of the AcuseInvalido that validate() raises."""
    with pytest.raises(acuse.AcuseInvalido) as info:
        acuse.validate(filename, data)
    return str(info.value)


@pytest.fixture(scope="module")
def valid() -> bytes:
    return pdf(pages=2)


def test_acuse_invalido_is_a_value_error_reading_as_its_message():
    error = acuse.AcuseInvalido(VACIO)
    assert isinstance(error, ValueError)
    assert str(error) == VACIO


def test_valid_pdf_is_accepted_with_its_name(valid):
    assert acuse.validate("Registro_STPS.pdf", valid) == "Registro_STPS.pdf"


def test_uppercase_extension_is_accepted_and_kept(valid):
    assert acuse.validate("ACUSE.PDF", valid) == "ACUSE.PDF"


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("C:\\Users\\x\\acuse.pdf", "acuse.pdf"),  # old IE/Edge send the whole Windows path
        ("../../etc/acuse.pdf", "acuse.pdf"),
        ("/home/contador/Documentos/acuse.pdf", "acuse.pdf"),
        ("..\\..\\acuse.pdf", "acuse.pdf"),
        ("acu\x00se\r\n.pdf", "acuse.pdf"),  # control characters
        ("acuse\u202e\u200b.pdf", "acuse.pdf"),  # a right-to-left override and a zero-width space
        ("Acuse de registro STPS (1).pdf", "Acuse de registro STPS (1).pdf"),  # spaces and brackets are kept
        (unicodedata.normalize("NFD", "Acuse Peñoles.pdf"), "Acuse Peñoles.pdf"),  # macOS: decomposed accents
        ("  acuse.pdf  ", "acuse.pdf"),
        (".pdf", "acuse.pdf"),
        ("C:\\Users\\x\\..pdf", "acuse.pdf"),
    ],
)
def test_name_is_reduced_to_a_safe_display_name(valid, sent, shown):
    assert acuse.validate(sent, valid) == shown


def test_long_name_is_cut_keeping_the_extension(valid):
    shown = acuse.validate("a" * 300 + ".Pdf", valid)
    assert len(shown) == acuse.MAX_NOMBRE
    assert shown == "a" * (acuse.MAX_NOMBRE - 4) + ".Pdf"


@pytest.mark.parametrize(("filename", "data"), [("", b""), (None, b"")])
def test_no_file_asks_for_the_acuse(filename, data):
    assert rechazo(filename, data) == VACIO


def test_empty_file_says_it_is_empty():
    assert rechazo("acuse.pdf", b"") == f"El archivo está vacío. {VACIO}"


@pytest.mark.parametrize("filename", ["acuse.png", "acuse.docx", "acuse", "acuse.pdf.exe", "acuse.pdf/",
                                      "C:\\acuse.pdf\\", ""])
def test_other_extensions_are_refused(valid, filename):
    assert rechazo(filename, valid) == "El acuse debe ser un archivo con extensión .pdf."


def test_exactly_5_mb_is_accepted():
    data = pdf_of_size(acuse.MAX_BYTES)
    assert len(data) == 5 * MB
    assert acuse.validate("acuse.pdf", data) == "acuse.pdf"


def test_5_mb_and_one_byte_is_refused_with_its_size():
    data = pdf_of_size(acuse.MAX_BYTES + 1)
    assert rechazo("acuse.pdf", data) == "El archivo pesa 5.1 MB; el máximo es 5 MB."  # rounded up, never "5.0"


@pytest.mark.parametrize(("size", "shown"), [(int(6.2 * MB), "6.2"), (int(6.2 * MB) + 1, "6.3"),
                                             (12 * MB, "12.0")])
def test_size_message_names_the_size_with_one_decimal(size, shown):
    data = b"%PDF-1.7\n" + bytes(size - 9)
    assert rechazo("acuse.pdf", data) == f"El archivo pesa {shown} MB; el máximo es 5 MB."


@pytest.mark.parametrize(
    "data",
    [
        PNG + bytes(200),  # a picture renamed .pdf
        b"Acuse de registro en el padron de la STPS\n" * 20,  # a text file renamed .pdf
        b"PK\x03\x04" + bytes(500),  # a .docx (a zip) renamed .pdf
        bytes(2000) + pdf(),  # the header is past the first 1024 bytes
        b"%PDF-1.7\n" + random.Random(7).randbytes(20_000),  # a header and then noise
        b"%PDF-1.4\n",
        b"%PDF-",
    ],
    ids=["png", "texto", "docx", "encabezado-tardio", "ruido", "solo-encabezado", "cinco-bytes"],
)
def test_files_that_are_not_pdfs_are_refused(data):
    assert rechazo("acuse.pdf", data) == NO_ES_PDF


@pytest.mark.parametrize("keep", [0.25, 0.5, 0.75])
def test_truncated_pdf_is_refused(keep):
    data = pdf(pages=3)
    assert rechazo("acuse.pdf", data[: int(len(data) * keep)]) == NO_ES_PDF


def test_bytes_before_the_header_are_tolerated_as_acrobat_does():
    assert acuse.validate("acuse.pdf", b"\r\n" * 100 + pdf()) == "acuse.pdf"


@pytest.mark.parametrize(
    "encrypt",
    [{"user_password": "x"}, {"user_password": "x", "algorithm": "AES-128"},
     {"user_password": "x", "algorithm": "AES-256"}],
    ids=["rc4", "aes-128", "aes-256"],
)
def test_password_protected_pdf_is_refused_because_imss_staff_could_not_open_it(encrypt):
    assert rechazo("acuse.pdf", pdf(**encrypt)) == CON_CONTRASENA


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_pdf_encrypted_only_against_editing_is_accepted(algorithm):
    """An empty user password: any viewer opens it without asking, only printing or editing may be restricted."""
    data = pdf(user_password="", owner_password="dueño", algorithm=algorithm)
    assert acuse.validate("acuse.pdf", data) == "acuse.pdf"


def test_pdf_without_pages_is_refused():
    assert rechazo("acuse.pdf", pdf(pages=0)) == SIN_PAGINAS


def test_page_tree_that_points_to_itself_is_refused():
    data = raw_pdf("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [2 0 R] /Count 1 >>")
    assert rechazo("acuse.pdf", data) == NO_ES_PDF


def test_page_tree_past_the_parsing_limit_is_refused():
    kids = " ".join(["3 0 R"] * 20_000)
    data = raw_pdf("<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count 20000 >>",
                   "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")
    # The parse's page limit refuses it; on a machine loaded enough (CI running beside other suites) its time limit
    # may come first, with its own reason. Either is the refusal the rule asks for.
    assert rechazo("acuse.pdf", data) in (NO_ES_PDF, acuse._COMPLEJO)


def test_deep_page_tree_is_refused():
    depth = 200
    objects = ["<< /Type /Catalog /Pages 2 0 R >>"]
    for number in range(2, depth + 2):
        objects.append(f"<< /Type /Pages /Kids [{number + 1} 0 R] /Count 1 >>")
    objects.append("<< /Type /Page /MediaBox [0 0 612 792] >>")
    assert rechazo("acuse.pdf", raw_pdf(*objects)) == NO_ES_PDF


def test_hand_written_pdf_is_accepted():
    """The fixture builder itself makes readable files, so the refusals above are about what they contain."""
    data = raw_pdf("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                   "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")
    assert acuse.validate("acuse.pdf", data) == "acuse.pdf"


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One random corruption: flipped bytes, a cut, an inserted or repeated chunk, or a deleted one."""
    buffer = bytearray(data)
    kind = rng.randrange(5)
    if kind == 0:
        for _ in range(rng.randint(1, 20)):
            buffer[rng.randrange(len(buffer))] = rng.randrange(256)
    elif kind == 1:
        del buffer[rng.randrange(len(buffer)):]
    elif kind == 2:
        at = rng.randrange(len(buffer))
        buffer[at:at] = rng.randbytes(rng.randint(1, 64))
    elif kind == 3:
        start = rng.randrange(len(buffer))
        chunk = buffer[start:start + rng.randint(1, 200)]
        at = rng.randrange(len(buffer))
        buffer[at:at] = chunk * rng.randint(1, 5)
    else:
        start = rng.randrange(len(buffer))
        del buffer[start:start + rng.randint(1, 200)]
    return bytes(buffer)


@pytest.mark.parametrize(
    "base",
    [pdf(pages=3), pdf(pages=2, user_password="", owner_password="x", algorithm="AES-256"),
     raw_pdf("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
             "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
             "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Rotate 90 >>")],
    ids=["pypdf", "pypdf-cifrado", "a-mano"],
)
def test_corrupted_pdfs_raise_nothing_but_acuse_invalido(base):
    rng = random.Random(0x5795)
    outcomes = set()
    for _ in range(200):
        try:
            acuse.validate("acuse.pdf", mutate(base, rng))
            outcomes.add("aceptado")
        except acuse.AcuseInvalido as error:
            outcomes.add(str(error))
    assert NO_ES_PDF in outcomes  # the mutations do reach the parser
    assert outcomes <= {"aceptado", NO_ES_PDF, CON_CONTRASENA, SIN_PAGINAS}
