"""The same ingress on PostgreSQL, through DATABASE_URL, on a throwaway server this test starts itself."""
from __future__ import annotations

import pytest
from sqlmodel import select

from app import trust
from app.db import get_session
from app.models import Auditoria, Contratista, DatosGenerales, IntentoFallido

from .test_ingreso import ingresar, token, validar

pytestmark = pytest.mark.postgres


def test_ingress_on_postgresql(pg_app, juegos):
    assert pg_app.extensions["engine"].dialect.name == "postgresql"
    client = pg_app.test_client()
    assert validar(client, juegos["moral"], password="mal").status_code == 422
    assert ingresar(client, juegos["moral"]).headers["Location"] == "/ingreso/terminos"
    response = client.post("/ingreso/terminos", data={"csrf_token": token(client, "/ingreso/terminos"), "acepto": "y"})
    assert response.status_code == 303
    with pg_app.app_context():
        db = get_session()
        contratista = db.exec(select(Contratista)).one()
        assert contratista.rfc == juegos["moral"].rfc
        assert contratista.cert_not_after.tzinfo is not None
        assert db.exec(select(IntentoFallido)).all()
        assert {ca.fingerprint for ca in trust.all_cas(db)}


def test_datos_generales_on_postgresql(pg_app, juegos):
    import io

    from .test_datos_generales import pdf

    client = pg_app.test_client()
    ingresar(client, juegos["fisica"])
    client.post("/ingreso/terminos", data={"csrf_token": token(client, "/ingreso/terminos"), "acepto": "y"})
    response = client.post("/datos-generales/", content_type="multipart/form-data", data={
        "csrf_token": token(client, "/datos-generales/"), "correo": "maria@ejemplo.mx", "celular": "5512345678",
        "acuse": (io.BytesIO(pdf()), "acuse.pdf")})
    assert response.status_code == 303
    assert client.get("/datos-generales/acuse/ver").data.startswith(b"%PDF-")  # bytea round trip
    with pg_app.app_context():
        datos = get_session().exec(select(DatosGenerales)).one()
        assert datos.correo == "maria@ejemplo.mx" and datos.actualizado.tzinfo is not None


def test_administracion_on_postgresql(pg_app, juegos):
    from .test_administracion import CURP_LUIS, alta, preparar

    client = preparar(pg_app, pg_app.test_client(), juegos["moral"])
    assert alta(client, CURP_LUIS).status_code == 303
    assert "GARCIA" in client.get("/administracion/consulta?q=garcia").get_data(as_text=True)
    assert client.get("/administracion/exportar").status_code == 200
    with pg_app.app_context():
        assert {a.accion for a in get_session().exec(select(Auditoria)).all()} == {"ingreso", "terminos", "alta", "invitacion",
                                                                                  "exportacion"}
