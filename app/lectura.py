"""Many rows of a query read in one step on SQLite (issue 14 §3: a node's requests per second).

Python's sqlite3 releases the GIL around every `sqlite3_step`, that is once per row. Under waitress's 8 threads each
release hands the GIL to another thread, and the reading thread queues again to take it back: py-spy showed a
loaded node's threads waiting there more than anywhere else, and a Consulta page (26 steps) spent 6.3 ms of CPU
per request in the server against 3.1 ms called alone. `Lectura.filas` asks SQLite for the whole result as one
JSON array (json_group_array over the query as a subquery: one step), then gives each value the processing its
column's type would have given it (dates, booleans), so the caller gets what `.all()` would have returned, as
plain tuples.
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


class Lectura:
    """A select of columns (no ORM entities) whose values come as bind parameters (`bindparam("cp")`), built once
    (at import) with its one-step SQLite form: building and compiling the wrapper on every request cost more than
    it saved."""

    def __init__(self, statement: Select) -> None:
        self.statement = statement
        sub = statement.subquery()
        self._columnas = list(sub.c)
        self._json = select(func.json_group_array(func.json_array(*self._columnas)))
        self._procesos: dict[str, list] = {}

    def filas(self, session: Session, **parametros: Any) -> list[tuple[Any, ...]]:
        """Every row, in no particular order."""
        dialect = session.get_bind().dialect
        if dialect.name != "sqlite":
            return [tuple(fila) for fila in session.execute(self.statement, parametros).all()]
        procesos = self._procesos.get(dialect.name)
        if procesos is None:
            procesos = self._procesos[dialect.name] = [
                c.type.dialect_impl(dialect).result_processor(dialect, None) for c in self._columnas]
        texto = session.connection().execute(self._json, parametros).scalar_one()
        if not any(procesos):
            return [tuple(fila) for fila in json.loads(texto)]
        return [tuple(valor if proceso is None or valor is None else proceso(valor)
                      for proceso, valor in zip(procesos, fila)) for fila in json.loads(texto)]
