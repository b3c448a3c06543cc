"""/salud, what a reverse proxy's health check asks each node (deploy/haproxy.cfg): 200 "ok" when this node's
database answers a query, 503 otherwise, so the proxy stops sending users to a node that cannot serve them. It
reads no session and sets no cookie, and is as cheap as a query can be.

A node named by ICSOE_NODO ("nodo1") says so in every answer's `X-ICSOE-Nodo` header: which node served a request
is what an operator (and the cluster tests) need to see behind the proxy. Unset, nothing is added.
"""
from __future__ import annotations

import logging
import os

from flask import Blueprint, Flask, Response, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

bp = Blueprint("salud", __name__)
log = logging.getLogger("app.salud")


@bp.get("/salud")
def salud() -> Response:
    try:
        with current_app.extensions["engine"].connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as e:
        log.warning("salud: la base de datos no responde (%s)", type(e).__name__)
        return Response("sin base de datos\n", status=503, mimetype="text/plain", headers={"Retry-After": "5"})
    return Response("ok\n", mimetype="text/plain")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    nodo = os.environ.get("ICSOE_NODO", "").strip()[:40]
    if nodo:
        @app.after_request
        def _nodo(response: Response) -> Response:
            response.headers["X-ICSOE-Nodo"] = nodo
            return response
