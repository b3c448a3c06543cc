"""Many rows of a query read in one step on SQLite (issue 14 §3: a node's requests per second).

Python's sqlite3 releases the GIL around every `sqlite3_step`, that is once per row. Under waitress's 8 threads each
release hands the GIL to another thread, and the reading thread queues again to take it back: py-spy showed a
loaded node's threads waiting there more than anywhere else, and a Consulta page (26 steps) spent 6.3 ms of CPU
per request in the server against 3.1 ms called alone. `filas` asks SQLite for the whole result as one JSON array
(json_group_array over the query as a subquery: one step), then gives each value the processing its column's type
would have given it (dates, booleans), so the caller gets what `.all()` would have returned, as plain tuples.
Consulta of 1,000 capturistas went from about 190 to 227 requests/s with its page read this way.

The order of the rows is NOT the query's: SQLite (3.40 here) does not promise an order for an aggregate's input,
so a caller that needs one sorts the rows itself (a page of 25, a postal code's colonias: few rows). Columns must
be JSON-safe (no BLOB). Other databases read as usual: PostgreSQL's driver receives the whole result in one round
trip already.
"""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Select, func, select
from sqlmodel import Session


def filas(session: Session, statement: Select) -> list[tuple[Any, ...]]:
    """Every row of `statement` (a select of columns, no ORM entities), in no particular order."""
    dialect = session.get_bind().dialect
    if dialect.name != "sqlite":
        return [tuple(fila) for fila in session.execute(statement).all()]
    sub = statement.subquery()
    texto = session.execute(select(func.json_group_array(func.json_array(*sub.c)))).scalar_one()
    procesos = [columna.type.dialect_impl(dialect).result_processor(dialect, None) for columna in sub.c]
    if not any(procesos):
        return [tuple(fila) for fila in json.loads(texto)]
    return [tuple(valor if proceso is None or valor is None else proceso(valor)
                  for proceso, valor in zip(procesos, fila)) for fila in json.loads(texto)]
