"""Templates are compiled without their indentation (app/sangria.py; issue 14 §3, the onboarding's weight)."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.sangria import sin_sangria

from .conftest import html
from .test_ingreso import ingresar

PLANTILLAS = Path(__file__).resolve().parents[1] / "app" / "templates"


@pytest.mark.parametrize("texto, esperado", [
    ("\n    <p>\n      Hola\n    </p>\n", "\n<p>\nHola\n</p>\n"),
    ("<li>uno</li>\n\n   \n\t<li>dos</li>", "<li>uno</li>\n<li>dos</li>"),
    ("  </a>  \n  <a>", "  </a>\n<a>"),  # the line's own start (after a tag) stays; its end goes
    (" ", " "),  # between two expressions on one line: "{{ nombre }} {{ apellido }}"
    ("a  b\tc", "a  b\tc"),  # no line break: nothing to remove
    ("\n", "\n"),
    ("", ""),
])
def test_whitespace_around_line_breaks_goes_and_one_break_stays(texto, esperado):
    assert sin_sangria(texto) == esperado


def _equivalentes(original: str, compilado: str) -> bool:
    """The same text as HTML reads it: the same words, and whitespace where there was some, at both ends too."""
    return (original.split() == compilado.split()
            and original[:1].isspace() == compilado[:1].isspace()
            and original[-1:].isspace() == compilado[-1:].isspace())


def test_every_template_compiles_to_the_same_code_and_text(app):
    """Lexed with and without the extension, every template has the same tags, expressions and strings, and text
    that differs only in the length of its whitespace; and the indentation is gone."""
    env = app.jinja_env
    plantillas = sorted(PLANTILLAS.rglob("*.html"))
    assert len(plantillas) > 30
    quitado = total = 0
    for ruta in plantillas:
        fuente = ruta.read_text(encoding="utf-8")
        nombre = str(ruta.relative_to(PLANTILLAS))
        antes = [(t.type, t.value) for t in env.lexer.tokenize(fuente, nombre)]  # what Jinja compiles without it
        despues = [(t.type, t.value) for t in env._tokenize(fuente, nombre)]  # and with the app's extensions
        assert len(antes) == len(despues), nombre
        for (tipo, valor), (tipo2, valor2) in zip(antes, despues):
            if tipo == "data":
                assert tipo2 == "data" and _equivalentes(valor, valor2), (nombre, valor, valor2)
                assert not any(par in valor2 for par in ("\n ", "\n\t", " \n", "\t\n", "\n\n")), (nombre, valor2)
                quitado += len(valor) - len(valor2)
            else:
                assert (tipo, valor) == (tipo2, valor2), nombre
        total += len(fuente)
        assert "<pre" not in fuente and "<textarea" not in fuente, f"{nombre}: whitespace that is shown as written"
    assert quitado > total // 40, (quitado, total)  # 3 KB of 85 KB of templates


def test_pages_come_without_indentation(client, juegos):
    ingresar(client, juegos["moral"])
    pagina = client.get("/ingreso/terminos")
    assert pagina.status_code == 200
    texto = pagina.get_data(as_text=True)
    assert "\n " not in texto and "\n\t" not in texto
    assert html(pagina).select_one("h1")  # still a page
