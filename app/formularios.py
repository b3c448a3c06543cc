"""Refusals onto forms, and the one answer to "does this answer have errors?", which decides both the status (422)
and the page title's "Error: " (htmx.render passes it to layout.html as `hay_errores`); forms shown read-only; and
what a form without a draft of its own posted after its session ended.

Domain rules raise app.rechazo.Rechazo (several at once in a group); a view catches them and calls `rechazar`. No
view finds a field by reading a message, rewrites a message, or checks by hand what a form validator should.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta

from flask import request
from flask_wtf import FlaskForm
from sqlmodel import col, delete, select

from .db import get_session, upsert
from .hora import MEXICO
from .models import Borrador, utcnow
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


# -- What a form posted after its session expired ------------------------------------------------------------------
# A form without a draft of its own (Agregar trabajador, a worker's page, Alta de usuario) keeps its typed fields
# when they arrive after the session ended (auth.conserva_al_expirar): they wait in the contratista's drafts, under
# a key of the person (a capturista's account, not only her role, which a later alta may give another account) and
# the page, for CONSERVAR_DIAS, and fill the same form once, the next time that person opens the page. Only for a
# page that is still hers to change (her contratista's contract, in capture; the Alta for the contratista): a
# replayed expired cookie cannot pile up drafts for pages it names. Never a password, a key or a file: only the
# text fields each view names. (An accessibility review: WCAG 2.2.1, what was typed there was lost to the idle
# timeout; an attack review bounded it.)
MAX_CONSERVADO = 500  # characters kept of each field (every field these forms have is shorter)
CONSERVAR_DIAS = 7
PREFIJO = "exp:"


def _clave_conservada(usuario, pagina: str) -> str:
    """The draft's key (40 characters at most: Borrador.clave) for one person and one page."""
    quien = f"{usuario.actor}:{usuario.cuenta.id}" if usuario.cuenta is not None else usuario.actor
    return PREFIJO + hashlib.sha256(f"{quien}|{pagina}".encode()).hexdigest()[:32]


def conservar(pagina: Callable[[object], str | None], campos: Iterable[str]) -> Callable:
    """A saver for auth.conserva_al_expirar: the named `campos` of the posted form, as the person's draft of
    `pagina(usuario)`: the page's key when it is the user's to change, else None (nothing is kept)."""
    campos = tuple(campos)

    def saver(usuario) -> None:
        if usuario.contratista is None:
            return  # an account that had not chosen a contratista works for none
        datos = {c: request.form.get(c, "")[:MAX_CONSERVADO] for c in campos if request.form.get(c)}
        clave = pagina(usuario) if datos else None
        if clave is None:
            return
        db = get_session()
        ahora = utcnow()
        db.execute(delete(Borrador).where(Borrador.contratista_id == usuario.contratista.id,
                                          col(Borrador.clave).startswith(PREFIJO),
                                          Borrador.actualizado < ahora - timedelta(days=CONSERVAR_DIAS)))
        upsert(db, Borrador, ["contratista_id", "clave"],
               {"contratista_id": usuario.contratista.id, "clave": _clave_conservada(usuario, clave),
                "datos": {"campos": datos}, "actualizado": ahora})
        db.commit()

    return saver


def recuperar(form: FlaskForm, usuario, pagina: str) -> datetime | None:
    """Fill `form` with what `usuario` posted on `pagina` after a session expired (in the last CONSERVAR_DIAS), and
    forget it; when it was posted, or None when nothing was kept."""
    if usuario.contratista is None:
        return None
    db = get_session()
    clave = _clave_conservada(usuario, pagina)
    fila = db.exec(select(Borrador.datos, Borrador.actualizado).where(
        Borrador.contratista_id == usuario.contratista.id, Borrador.clave == clave)).first()
    if fila is None:
        return None
    db.execute(delete(Borrador).where(Borrador.contratista_id == usuario.contratista.id, Borrador.clave == clave))
    db.commit()
    datos, cuando = fila
    if not isinstance(datos, dict) or not isinstance(datos.get("campos"), dict) or \
            cuando < utcnow() - timedelta(days=CONSERVAR_DIAS):
        return None
    for nombre, valor in datos["campos"].items():
        if nombre in form and isinstance(valor, str):
            form[nombre].data = valor
    return cuando


def mensaje_recuperado(cuando: datetime) -> str:
    """What the page says of the fields it filled back (with when they were sent: the user may not have sent them,
    if someone used the open page after her session ended)."""
    local = cuando.astimezone(MEXICO)
    return (f"Recuperamos lo que se envió desde esta página el {local:%d/%m/%Y} a las {local:%H:%M}, cuando tu "
            "sesión ya había terminado: revísalo y envíalo de nuevo.")
