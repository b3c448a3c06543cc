"""app/lectura.py: rows read in one step on SQLite are what `.all()` reads, value for value and type for type."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import Session, select

from app import capturistas, lectura
from app.db import get_session
from app.models import Asentamiento, Capturista, Contratista, Persona


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def la_app(request):
    return request.getfixturevalue("sqlite_app" if request.param == "sqlite" else "pg_app")


NOMBRES = ["Ñandú", "Ávila", "avila", "Zúñiga", "ÁVILA", "Álvarez", "O'Neil \"Jr\" <b>&", "Ortiz\u00a0Peña", "", "😀"]


def _poblar(db: Session) -> int:
    momento = datetime(2026, 11, 30, 23, 59, 58, 123456, tzinfo=timezone.utc)
    contratista = Contratista(rfc="AAA010101AAA", nombre="EMPRESA", persona="moral", cert_serial="1",
                              cert_fingerprint="0" * 64, cert_not_before=momento, cert_not_after=momento)
    db.add(contratista)
    db.commit()
    for i, nombre in enumerate(NOMBRES * 3):
        persona = Persona(curp=f"XAXX{i:06d}HDFXXX00", correo=f"c{i}@ejemplo.mx")
        db.add(persona)
        db.flush()
        db.add(Capturista(persona_id=persona.id, contratista_id=contratista.id, curp=persona.curp, nombres=nombre,
                          primer_apellido=NOMBRES[(i * 7) % len(NOMBRES)], segundo_apellido=nombre[::-1],
                          telefono="5512345678", alta=momento - timedelta(days=i), actualizado=momento,
                          baja=None if i % 2 else momento))
    db.commit()
    return contratista.id


def test_the_rows_and_their_types_are_those_of_all(la_app):
    with la_app.app_context():
        db = get_session()
        contratista_id = _poblar(db)
        consulta = select(*capturistas._COLUMNAS).where(Capturista.contratista_id == contratista_id)
        esperado = sorted(tuple(fila) for fila in db.execute(consulta).all())
        leido = sorted(lectura.Lectura(consulta).filas(db))
        assert leido == esperado and len(leido) == 3 * len(NOMBRES)
        for fila, otra in zip(leido, esperado):
            assert [type(v) for v in fila] == [type(v) for v in otra]
            assert fila[7].tzinfo == timezone.utc and fila[7].microsecond == otra[7].microsecond
        assert lectura.Lectura(consulta.where(Capturista.id < 0)).filas(db) == []
        colonias = select(Asentamiento.id, Asentamiento.nombre, Asentamiento.ciudad, Asentamiento.c_mnpio)
        assert sorted(lectura.Lectura(colonias).filas(db)) == sorted(tuple(f) for f in db.execute(colonias).all())


def test_every_consulta_page_is_the_query_order(la_app):
    """The page is re-sorted in Python after the one-step read: it must be the ORDER BY's order, page by page."""
    with la_app.app_context():
        db = get_session()
        contratista_id = _poblar(db)
        ordenadas = [tuple(f) for f in db.execute(select(*capturistas._COLUMNAS)
                                                  .where(Capturista.contratista_id == contratista_id)
                                                  .order_by(*capturistas._ORDEN)).all()]
        vistas = []
        for pagina in range(1, 6):  # 30 rows, 7 a page
            vistas += [tuple(r) for r in capturistas.consulta(db, contratista_id, "", pagina, 7)["filas"]]
        assert vistas == ordenadas


def test_a_consulta_page_counts_what_its_search_finds_and_a_page_past_the_last_shows_the_last(la_app):
    """The page's query carries the number of rows found (a window over them): with a search, without one, on a
    page past the last one (a stale link: the last page is shown), before the first, and when nothing matches."""
    with la_app.app_context():
        db = get_session()
        contratista_id = _poblar(db)  # 30 capturistas
        todas = capturistas.consulta(db, contratista_id, "", 1, 7)
        assert (todas["total"], todas["paginas"], todas["pagina"], len(todas["filas"])) == (30, 5, 1, 7)
        ultima = capturistas.consulta(db, contratista_id, "", 5, 7)
        assert (ultima["pagina"], len(ultima["filas"])) == (5, 2)
        assert capturistas.consulta(db, contratista_id, "", 99, 7) == ultima
        assert capturistas.consulta(db, contratista_id, "", 10**30, 7) == ultima  # no integer overflow
        assert capturistas.consulta(db, contratista_id, "", -3, 7) == todas
        buscadas = capturistas.consulta(db, contratista_id, "ortiz", 1, 4)  # 3 by their names, 3 by surname
        assert (buscadas["total"], buscadas["paginas"], len(buscadas["filas"])) == (6, 2, 4)
        assert len(capturistas.consulta(db, contratista_id, "ortiz", 9, 4)["filas"]) == 2
        nada = capturistas.consulta(db, contratista_id, "NO EXISTE", 3, 7)
        assert (nada["total"], nada["paginas"], nada["pagina"], nada["filas"]) == (0, 1, 1, [])
        otro = capturistas.consulta(db, contratista_id + 1, "", 1, 7)  # another contratista's: none of these
        assert (otro["total"], otro["filas"]) == (0, [])
