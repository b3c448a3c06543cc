"""Templates without their indentation (issue 14 §3: the onboarding's weight on the wire).

The templates are indented for their readers, and every page carried that indentation: 6 % of Datos generales'
bytes, 3 % of them after brotli (0.5 KB of the onboarding). `SinSangria` removes it when a template is compiled,
so a request pays nothing for it: in the template's text (Jinja's `data` tokens, never an expression, a string or
a tag), a run of spaces and tabs that touches a line break goes, and blank lines go with it. A run of whitespace
that holds a line break is left as one line break, so the page reads and lays out the same (HTML collapses
whitespace), and a space within a line (`{{ nombre }} {{ apellido }}`) stays. No template writes
whitespace-preserving text (`<pre>`, a `<textarea>`'s content): fields' values are rendered by WTForms at run
time, and those are untouched.

Jinja has no such option (`trim_blocks`/`lstrip_blocks` only touch the lines of block tags), so it is this small
extension over Jinja's documented `filter_stream` hook.
"""
from __future__ import annotations

from jinja2.ext import Extension
from jinja2.lexer import Token

ESPACIOS = " \t"


def sin_sangria(texto: str) -> str:
    """`texto` with the spaces and tabs around its line breaks, and its blank lines, removed."""
    lineas = texto.split("\n")
    if len(lineas) == 1:
        return texto
    medio = (linea.strip(ESPACIOS) for linea in lineas[1:-1])
    return "\n".join([lineas[0].rstrip(ESPACIOS), *(linea for linea in medio if linea), lineas[-1].lstrip(ESPACIOS)])


class SinSangria(Extension):
    def filter_stream(self, stream):
        for token in stream:
            if token.type == "data":
                token = Token(token.lineno, "data", sin_sangria(token.value))
            yield token
