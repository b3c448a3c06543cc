"""Who is signed in: Flask-Login's user, how sessions begin and end, and the guards views put in front of themselves.

A session cookie holds an identity with the counters it began with:
- "contratista:<id>:<sesion>": a contratista itself;
- "cuenta:<id>:<sesion>": a capturista's account signed in with CURP and password, before choosing a contratista;
- "capturista:<rol id>:<account sesion>:<rol sesion>": that account working for one contratista.
Cerrar sesión and a new password raise the account's (or contratista's) counter, and a baja or reactivación the
role's: every earlier cookie stops matching, on every node, since the counters live in the database. Sessions also
end after an idle time and an absolute time (config SESION_INACTIVA, SESION_MAXIMA).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps

from flask import Flask, abort, current_app, flash, request, session, url_for
from flask_login import UserMixin, current_user, login_user, logout_user
from sqlalchemy import bindparam
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key
from sqlmodel import select, update

from . import auditoria, contratistas, lectura
from .db import get_session
from .htmx import see_other
from .models import Capturista, Contratista, Persona


class Usuario(UserMixin):
    """A signed-in contratista, a capturista's account, or that account acting for one contratista (a role)."""

    def __init__(self, contratista: Contratista | None = None, capturista: Capturista | None = None,
                 cuenta: Persona | None = None):
        self.contratista, self.capturista, self.cuenta = contratista, capturista, cuenta
        self.rol = "Contratista" if self.es_contratista else "Capturista"

    @property
    def es_contratista(self) -> bool:
        return self.cuenta is None

    @property
    def es_capturista(self) -> bool:
        """An account working for a contratista (a role chosen)."""
        return self.capturista is not None

    def get_id(self) -> str:
        if self.capturista is not None:
            return f"capturista:{self.capturista.id}:{self.cuenta.sesion}:{self.capturista.sesion}"
        if self.cuenta is not None:
            return f"cuenta:{self.cuenta.id}:{self.cuenta.sesion}"
        return f"contratista:{self.contratista.id}:{self.contratista.sesion}"

    @property
    def actor(self) -> str:
        """Who did it, for the audit: "contratista:<id>" or "capturista:<role id>"."""
        return ":".join(self.get_id().split(":")[:2])

    @property
    def acepto_terminos(self) -> bool:
        """Capturistas act under their contratista's acceptance of the terms."""
        return not self.es_contratista or \
            self.contratista.terminos_version == current_app.config["TERMINOS_VERSION"]


# Every request of a signed-in user reads its rows by id, with statements built once (their cache keys computed
# once: each read cost two thirds of Session.get's, which builds its SELECT anew on every call). On SQLite the row
# comes as one JSON value (app/lectura.py): Python 3.11's sqlite3 gives up the GIL for every column of a row it
# fetches (a contratista: 14 times), and under waitress's threads each release hands the GIL to another thread and
# queues this one behind it; perf counted 49 releases per Consulta request, 14 of them this row's. The values make
# the model's object, attached to the session as if the ORM had loaded it: a change to it is written at commit. A
# contratista's row comes with whether its Datos generales are saved (contratistas.anotar_datos_generales), which
# every page of Administración asks.
def _por_id_de(modelo, *extras):
    tabla = modelo.__table__
    return lectura.Lectura(select(*tabla.c, *extras).where(tabla.c.id == bindparam("id"))), tuple(tabla.c.keys())


_POR_ID = {Contratista: _por_id_de(Contratista, contratistas.DATOS_GENERALES_GUARDADOS),
           Persona: _por_id_de(Persona), Capturista: _por_id_de(Capturista)}


def _por_id(db, modelo, ident: int):
    presente = db.identity_map.get(identity_key(modelo, ident))
    if presente is not None:
        return presente
    consulta, columnas = _POR_ID[modelo]
    filas = consulta.filas(db, id=ident)
    if not filas:
        return None
    objeto = modelo(**dict(zip(columnas, filas[0])))
    make_transient_to_detached(objeto)  # its values as loaded: no history, nothing to write
    db.add(objeto)
    if modelo is Contratista:
        contratistas.anotar_datos_generales(db, ident, bool(filas[0][len(columnas)]))
    return objeto


def load_user(user_id: str) -> Usuario | None:
    """The user of a session, or None when any counter it began with has moved on (the session is over)."""
    kind, *parts = user_id.split(":")
    if not parts or not all(p.isascii() and p.isdigit() and len(p) < 10 for p in parts):
        return None
    numbers = [int(p) for p in parts]
    db = get_session()
    if kind == "contratista" and len(numbers) == 2:
        contratista = _por_id(db, Contratista, numbers[0])
        return Usuario(contratista) if contratista and contratista.sesion == numbers[1] else None
    if kind == "cuenta" and len(numbers) == 2:
        cuenta = _por_id(db, Persona, numbers[0])
        return Usuario(cuenta=cuenta) if cuenta and cuenta.sesion == numbers[1] and cuenta.activa else None
    if kind == "capturista" and len(numbers) == 3:
        rol = _por_id(db, Capturista, numbers[0])
        if rol is None or rol.estatus != "activo" or rol.sesion != numbers[2]:
            return None  # dado de baja (or reactivated since): the session ends at its next request
        cuenta = _por_id(db, Persona, rol.persona_id)
        if cuenta is None or cuenta.sesion != numbers[1]:
            return None  # signed out, or a new password, since this session began
        return Usuario(_por_id(db, Contratista, rol.contratista_id), rol, cuenta)
    return None


def entrar(usuario: Usuario, inicio: int | None = None) -> None:
    """Begin a session: nothing of the one before survives (session fixation), and its clocks start. `inicio`: the
    sign-in time carried over when the same person only changes what she works on (another contratista)."""
    now = int(time.time())
    session.clear()
    login_user(usuario)
    # Flask-Login writes a hash of the address and browser (`_id`, 128 characters: a third of the cookie) even
    # with its session protection off (app/__init__.py), and `_fresh`, which only fresh_login_required reads (no
    # view here asks for it); nothing reads either, and the cookie goes with every request.
    session.pop("_id", None)
    session.pop("_fresh", None)
    session["inicio"] = inicio if isinstance(inicio, int) and inicio <= now else now
    session["visto"] = now


# auditar()'s default: the signed-in user's contratista (None for an account that has not chosen one).
DEL_USUARIO = object()


def auditar(accion: str, detalle: str = "", *, contratista_id=DEL_USUARIO, quien: str | None = None,
            actor: str | None = None, aparte: bool = False) -> None:
    """One Bitácora row (auditoria.registrar) for this request: who (the signed-in user unless said: actor, the
    contratista whose portal it concerns, its RFC or the capturista's CURP) and the client address. With `aparte`,
    committed on its own and never raised (an event that changes nothing else); otherwise it joins the session's
    change and commits with it."""
    usuario = current_user if current_user.is_authenticated else None
    if contratista_id is DEL_USUARIO:
        contratista_id = usuario.contratista.id if usuario is not None and usuario.contratista else None
    if quien is None:
        quien = "" if usuario is None else usuario.contratista.rfc if usuario.es_contratista else usuario.cuenta.curp
    if actor is None:
        actor = usuario.actor if usuario is not None else "anonimo"
    campos = dict(contratista_id=contratista_id, actor=actor, quien=quien, direccion=request.remote_addr or "",
                  detalle=detalle)
    if aparte:
        auditoria.registrar_aparte(get_session(), accion, **campos)
    else:
        auditoria.registrar(get_session(), accion, **campos)


def salir() -> None:
    """Cerrar sesión: end this session and every other session of the same contratista or account, everywhere."""
    if current_user.is_authenticated:
        db = get_session()
        auditar("salida")
        titular = current_user.contratista if current_user.es_contratista else current_user.cuenta
        modelo = type(titular)
        # In SQL (sesion + 1), not read-modify-write: two logouts at once must both count.
        db.exec(update(modelo).where(modelo.id == titular.id).values(sesion=modelo.sesion + 1))
        db.commit()
    logout_user()
    session.clear()


def conserva_al_expirar(saver: Callable[[Usuario], None]):
    """Mark a POST view: when its session has just expired, `saver(user)` keeps the posted fields as the user's
    draft before the user is sent to sign in again (nothing typed is lost to a timeout)."""

    def mark(view):
        view.conserva_al_expirar = saver
        return view

    return mark


# The idle-time warning (WCAG 2.2.1 Timing Adjustable): a signed-in page asks, through htmx, this long before its
# session would end for inactivity, and offers "Continuar sesión" (at least 20 s to act: here 2 minutes, or a
# quarter of a shorter idle window). Without JavaScript nothing asks; what a form posts after its session ended is
# kept where the view keeps drafts (conserva_al_expirar).
AVISO_SESION = 120
ENDPOINT_AVISO = "ingreso.sesion"  # the warning's GET reads the clocks without moving them


def _relojes(now: int) -> tuple[int, int] | None:
    """Seconds left before the session's idle limit and before its absolute one (negative: past it); None for a
    session without these clocks (one from before them)."""
    inicio, visto = session.get("inicio"), session.get("visto")
    if not isinstance(inicio, int) or not isinstance(visto, int):
        return None
    return (current_app.config["SESION_INACTIVA"] - (now - visto),
            current_app.config["SESION_MAXIMA"] - (now - inicio))


def restante_sesion(now: int | None = None) -> tuple[int, str] | None:
    """Seconds left of the signed-in session, and what would end it ("inactividad" or "duracion"); None when the
    session holds no clocks (not signed in). Up to a twentieth of the idle window short (the clock moves in steps:
    `_caducidad`), never long."""
    relojes = _relojes(int(time.time()) if now is None else now) if "_user_id" in session else None
    if relojes is None:
        return None
    inactiva, maxima = relojes
    return (inactiva, "inactividad") if inactiva <= maxima else (maxima, "duracion")


def anticipo_aviso() -> int:
    return min(AVISO_SESION, current_app.config["SESION_INACTIVA"] // 4)


def segundos_para_avisar() -> int | None:
    """When the page's warning should ask, in seconds from now (at least 1); None when not signed in."""
    restante = restante_sesion()
    return None if restante is None else max(restante[0] - anticipo_aviso(), 1)


def continuar_sesion() -> None:
    """"Continuar sesión": the idle clock starts again now (the absolute limit stays)."""
    session["visto"] = int(time.time())


def _expirada(now: int) -> str | None:
    """Why the current session is over ("inactividad" or "duracion"), or None."""
    relojes = _relojes(now)
    if relojes is None:
        return "sin reloj"  # a session from before these clocks: over
    inactiva, maxima = relojes
    return "inactividad" if inactiva < 0 else "duracion" if maxima < 0 else None


def init_app(app: Flask) -> None:
    @app.context_processor
    def _aviso_sesion():
        return {"aviso_sesion_en": segundos_para_avisar}

    @app.before_request
    def _caducidad():
        # Static files are the same for everyone: they neither read the session nor move its clock (nor answer
        # "Vary: Cookie", which would keep a cache from sharing them).
        if request.endpoint == "static" or "_user_id" not in session:
            return None
        if request.endpoint == ENDPOINT_AVISO and request.method == "GET":
            return None  # the warning tells the clocks; asking must not move them, nor end the session
        now = int(time.time())
        motivo = _expirada(now)
        if motivo is None:
            # The clock moves, and the cookie is written again, once a twentieth of the idle window has passed
            # (3 minutes of the default hour): the session then ends at most that much before the window, never
            # after, and a signed-in browser is not sent a new cookie, and does not send it back, every minute.
            if now - session["visto"] >= current_app.config["SESION_INACTIVA"] // 20:
                session["visto"] = now
            return None
        view = current_app.view_functions.get(request.endpoint or "")
        saver = getattr(view, "conserva_al_expirar", None)
        # Only a session that expired lately keeps what it posts: a cookie found or stolen long after cannot write
        # the owner's draft.
        maxima = current_app.config["SESION_MAXIMA"]
        reciente = motivo != "sin reloj" and now - session["visto"] <= maxima and now - session["inicio"] <= 2 * maxima
        usuario = load_user(session["_user_id"]) if request.method == "POST" and saver and reciente else None
        if usuario is not None:
            saver(usuario)
        logout_user()
        session.clear()
        mensaje = {"inactividad": "Tu sesión terminó por inactividad.",
                   "duracion": "Tu sesión alcanzó su duración máxima."}.get(motivo, "Tu sesión terminó.")
        if usuario is not None:
            mensaje += " Lo que enviaste quedó guardado: ingresa de nuevo para continuar."
        else:
            mensaje += " Ingresa de nuevo para continuar."
        flash(mensaje, "status")
        return see_other(url_for("ingreso.index"))


def contratista_required(view):
    """Signed in as a contratista who has accepted the current terms; otherwise sent where it must go first.
    A capturista gets 403: these pages are the contratista's own."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return see_other(url_for("ingreso.index"))
        if not current_user.es_contratista:
            abort(403)
        if not current_user.acepto_terminos:
            return see_other(url_for("ingreso.terminos"))
        return view(*args, **kwargs)

    return guarded


def usuario_required(view):
    """Signed in as a contratista (terms accepted) or as a capturista working for one; an account that has not
    chosen its contratista goes to choose."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return see_other(url_for("ingreso.index"))
        if not current_user.es_contratista and not current_user.es_capturista:
            return see_other(url_for("ingreso.elegir"))
        if not current_user.acepto_terminos:
            return see_other(url_for("ingreso.terminos"))
        return view(*args, **kwargs)

    return guarded


def cuenta_required(view):
    """Signed in with CURP and password (an account, whether or not it chose a contratista); else the landing."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated or current_user.es_contratista:
            return see_other(url_for("ingreso.index"))
        return view(*args, **kwargs)

    return guarded
