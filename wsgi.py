"""What a WSGI server serves: `waitress-serve wsgi:app` (or `icsoe serve`).

The schema is made current as `icsoe serve` does: a SQLite instance is upgraded; a PostgreSQL one that is behind
refuses to start until `icsoe db upgrade` has run once.
"""
import os

from app import create_app, schema

os.umask(0o077)  # the instance's files are the owner's only, as under `icsoe serve`
app = create_app()
if app.extensions["engine"].dialect.name == "sqlite":
    schema.upgrade(app.extensions["engine"])
else:
    schema.require_current(app.extensions["engine"])
