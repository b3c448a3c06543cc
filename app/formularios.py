"""Refusals onto forms, and the one answer to "does this answer have errors?", which decides both the status (422)
and the page title's "Error: " (htmx.render passes it to layout.html as `hay_errores`).

Domain rules raise app.rechazo.Rechazo (several at once in a group); a view catches them and calls `rechazar`. No
view finds a field by reading a message, rewrites a message, or checks by hand what a form validator should.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask_wtf import FlaskForm

from .rechazo import Rechazo, todos


def rechazar(form: FlaskForm, error: BaseException | Iterable[Rechazo]) -> None:
    """Each refusal in `error` (a Rechazo, a group of them, or a list) next to its field; one whose field the form
    lacks goes to the form's own errors."""
    rechazos = todos(error) if isinstance(error, BaseException) else error
    for rechazo in rechazos:
        if rechazo.campo and rechazo.campo in form:
            campo = form[rechazo.campo]
            campo.errors = [*campo.errors, rechazo.mensaje]
        else:
            form.form_errors.append(rechazo.mensaje)


# Controls `readonly` does not apply to (HTML: it is for text-like inputs and textareas): these are disabled instead.
_SIN_READONLY = {"SelectField", "RadioField", "BooleanField", "FileField", "MultipleFileField", "SelectMultipleField"}


def solo_lectura(form: FlaskForm) -> None:
    """Show a form that cannot be saved (a filed informativa's contract or worker) as read-only, in a way assistive
    technology tells: text-like fields `readonly` (still focusable, readable and copyable), the others `disabled`.
    An accessibility review found such pages offering editable boxes whose typing went nowhere (WCAG 4.1.2)."""
    for campo in form:
        if campo.type in ("CSRFTokenField", "HiddenField", "SubmitField"):
            continue
        atributo = "disabled" if campo.type in _SIN_READONLY else "readonly"
        campo.render_kw = {**(campo.render_kw or {}), atributo: True}


def tiene_errores(form: FlaskForm) -> bool:
    return bool(form.form_errors) or any(f.errors for f in form)


def hay_errores(context: Mapping[str, object]) -> bool:
    """Whether a page's context holds errors: any form with errors, or `otros_errores` (errors that belong to no
    field of a form, such as the address locator's)."""
    forms: Iterable[object] = context.values()
    return any(tiene_errores(f) for f in forms if isinstance(f, FlaskForm)) or bool(context.get("otros_errores"))
