"""One way to refuse: every domain rule raises `Rechazo` (a field and a Spanish message); a rule that refuses several
fields at once raises several, in an ExceptionGroup (`varios`). No Flask here: app.formularios puts them on a form.

The domain modules' own exceptions (fiel.FielRechazada, curp.CurpInvalida, contacto.DatoInvalido, …) are
subclasses, so a caller may catch the specific one and everything else reads `campo` and `str(e)` alike.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator


class Rechazo(ValueError):
    """A value refused. `campo` names the form field the message belongs next to ("" when it concerns the form as
    a whole); `str(e)` is the Spanish message, written for the person who typed the value."""

    def __init__(self, campo: str, mensaje: str) -> None:
        super().__init__(mensaje)
        self.campo = campo
        self.mensaje = mensaje

    def __str__(self) -> str:
        return self.mensaje

    @property
    def field(self) -> str:
        """`campo` under its English name (older call sites)."""
        return self.campo


def varios(rechazos: Iterable[Rechazo]) -> BaseExceptionGroup:
    """Several refusals raised at once: `raise varios([...])`; catch with `except* Rechazo` or `todos()`."""
    return ExceptionGroup("rechazos", list(rechazos))


def todos(error: BaseException) -> Iterator[Rechazo]:
    """Every Rechazo in `error`: itself, or the members of a group (nested groups included)."""
    if isinstance(error, Rechazo):
        yield error
    elif isinstance(error, BaseExceptionGroup):
        for member in error.exceptions:
            yield from todos(member)
