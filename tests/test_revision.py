"""*Revisar* over plain data (app.revision): the classes IMSS publishes as inconsistent, and the capture rules."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from app.plazos import Periodo
from app.revision import CLASES, DatosContrato, Problema, revisar
from tests.cfdi import RFC_CLIENTE_A, RFC_CLIENTE_B, RFC_CONTRATISTA

P = Periodo(2026, 1)
FOLIOS = {"AR12345/2021-S1", "AR12345/2021-S2"}
BUENO = DatosContrato(id=7, rfc_contratante=RFC_CLIENTE_A, servicio_folio="AR12345/2021-S1",
                         objeto="Mantenimiento de equipo", fecha_inicio=date(2026, 2, 1), fecha_termino=None,
                         trabajadores=12, nombre="CONSTRUCTORA ALFA SA DE CV")


def clases(problemas: list[Problema]) -> list[tuple[str, str, int | None, str | None]]:
    return [(p.nivel, p.clase, p.contrato_id, p.campo) for p in problemas]


def test_a_good_normal_informativa_has_no_problem():
    segundo = replace(BUENO, id=8, rfc_contratante=RFC_CLIENTE_B, fecha_termino=date(2026, 12, 31))
    assert revisar("normal", P, RFC_CONTRATISTA, FOLIOS, [BUENO, segundo]) == []
    assert revisar("sin_informacion", P, RFC_CONTRATISTA, FOLIOS, []) == []


def test_normal_without_contracts():
    assert clases(revisar("normal", P, RFC_CONTRATISTA, FOLIOS, [])) == [
        ("error", "normal_sin_contratos", None, None)]


def test_more_contracts_than_a_filing_numbers_is_an_error():
    """A red-team review: a filing of 1,000 contracts was presented when the contract folios stopped at 999, and its
    acuse answered 500 ever after. A filing numbers up to 9,999 ("…-1000" on); more is refused before signing."""
    from app import folios

    muchos = [replace(BUENO, id=i, objeto=f"Servicio {i}") for i in range(folios.MAX_CONTRATO + 1)]
    [problema] = revisar("normal", P, RFC_CONTRATISTA, FOLIOS, muchos)
    assert (problema.nivel, problema.clase) == ("error", "demasiados_contratos")
    assert "hasta 9,999 contratos y esta tiene 10,000" in problema.mensaje
    assert folios.folio_contrato("ICSOE-N2026-000001", 1000) == "ICSOE-N2026-000001-1000"
    assert folios.folio_contrato("ICSOE-N2026-000001", 7) == "ICSOE-N2026-000001-007"


def test_sin_informacion_with_contracts():
    problemas = revisar("sin_informacion", P, RFC_CONTRATISTA, FOLIOS, [BUENO, BUENO])
    assert clases(problemas) == [("error", "sin_informacion_con_contratos", None, None)]
    assert "tiene 2" in problemas[0].mensaje


def test_contratante_is_the_contratista():
    problemas = revisar("normal", P, RFC_CONTRATISTA, FOLIOS, [replace(BUENO, rfc_contratante="ede150310ab0")])
    assert clases(problemas) == [("error", "contratante_es_contratista", 7, "rfc")]
    assert problemas[0].mensaje.startswith("El contrato 1 (ede150310ab0, CONSTRUCTORA ALFA SA DE CV)")


def test_contratante_rfc_malformed_or_doubtful():
    malo = replace(BUENO, rfc_contratante="XYZ")
    dudoso = replace(BUENO, id=8, rfc_contratante="AAA010101AAA", objeto="Otro")
    assert clases(revisar("normal", P, RFC_CONTRATISTA, FOLIOS, [malo, dudoso])) == [
        ("error", "rfc_contratante", 7, "rfc"), ("aviso", "rfc_contratante", 8, "rfc")]


@pytest.mark.parametrize("folio, clase", [(None, "sin_servicio"), ("  ", "sin_servicio"),
                                          ("AR99999/2021-S1", "servicio_no_registrado")])
def test_contract_without_its_service(folio, clase):
    problemas = revisar("normal", P, RFC_CONTRATISTA, FOLIOS, [replace(BUENO, servicio_folio=folio)])
    assert clases(problemas) == [("error", clase, 7, "servicio")]


def test_service_folio_compared_without_case_or_spaces():
    assert revisar("normal", P, RFC_CONTRATISTA, FOLIOS, [replace(BUENO, servicio_folio=" ar12345/2021-s2 ")]) == []


def test_no_repse_services_at_all():
    assert clases(revisar("normal", P, RFC_CONTRATISTA, [], [BUENO])) == [
        ("error", "sin_registro_repse", None, None), ("error", "servicio_no_registrado", 7, "servicio")]


def test_services_without_the_repse_registration_itself():
    """The law asks for the REPSE registration (its folio and date), not only the services the contracts name: a
    contratista that typed services but never saved the registration could sign (a review found it)."""
    assert clases(revisar("normal", P, RFC_CONTRATISTA, FOLIOS, [BUENO], registro_repse=False)) == [
        ("error", "sin_registro_repse", None, None)]


def test_contract_without_objeto():
    assert clases(revisar("normal", P, RFC_CONTRATISTA, FOLIOS, [replace(BUENO, objeto=" ")])) == [
        ("error", "sin_objeto", 7, "objeto")]


@pytest.mark.parametrize("inicio, termino, esperado", [
    (None, None, [("error", "sin_fecha_inicio", 7, "fecha_inicio")]),
    (date(2025, 12, 31), None, [("error", "fecha_inicio_fuera_del_periodo", 7, "fecha_inicio")]),
    (date(2026, 5, 1), None, [("error", "fecha_inicio_fuera_del_periodo", 7, "fecha_inicio")]),
    (date(2026, 1, 1), date(2026, 1, 1), []),
    (date(2026, 4, 30), None, []),
    (date(2026, 3, 1), date(2026, 2, 28), [("error", "fecha_termino_anterior_al_inicio", 7, "fecha_termino")]),
    (date(2026, 5, 2), date(2026, 5, 1), [("error", "fecha_inicio_fuera_del_periodo", 7, "fecha_inicio"),
                                          ("error", "fecha_termino_anterior_al_inicio", 7, "fecha_termino")]),
])
def test_dates(inicio, termino, esperado):
    c = replace(BUENO, fecha_inicio=inicio, fecha_termino=termino)
    assert clases(revisar("normal", P, RFC_CONTRATISTA, FOLIOS, [c])) == esperado


def test_start_before_the_reform():
    c = replace(BUENO, fecha_inicio=date(2021, 4, 23))
    problemas = revisar("normal", Periodo(2021, 1), RFC_CONTRATISTA, FOLIOS, [c])
    assert clases(problemas) == [("error", "fecha_inicio_anterior_a_la_reforma", 7, "fecha_inicio")]
    assert "23/04/2021" in problemas[0].mensaje
    assert revisar("normal", Periodo(2021, 1), RFC_CONTRATISTA, FOLIOS,
                   [replace(BUENO, fecha_inicio=date(2021, 4, 24))]) == []


def test_contract_without_workers():
    problemas = revisar("normal", P, RFC_CONTRATISTA, FOLIOS, [BUENO, replace(BUENO, id=9, trabajadores=0,
                                                                              objeto="Limpieza")])
    assert clases(problemas) == [("error", "sin_trabajadores", 9, "trabajadores")]
    assert problemas[0].mensaje.startswith("El contrato 2 (")


def test_a_worker_above_25_uma_at_the_periods_end_is_an_error():
    """A worker stored while the UMA in force was unknown (under the provisional cap) is checked again by Revisar
    against the cap the portal knows by then; one at the cap passes."""
    p2 = Periodo(2026, 2)  # ends 31/08/2026: 25 × 117.31 = 2,932.75
    en_p2 = replace(BUENO, fecha_inicio=date(2026, 6, 1))
    assert revisar("normal", p2, RFC_CONTRATISTA, FOLIOS, [replace(en_p2, sbc_maximo=Decimal("2932.75"))]) == []
    problemas = revisar("normal", p2, RFC_CONTRATISTA, FOLIOS, [replace(en_p2, sbc_maximo=Decimal("2932.76"))])
    assert clases(problemas) == [("error", "sbc_sobre_tope", 7, "trabajadores")]
    assert "$2,932.75 al 31/08/2026" in problemas[0].mensaje
    # Past the table (2027-1 ends 30/04/2027; the last UMA known, 117.31, gives 2,932.75): up to that, nothing to say;
    # above it, the cap could not be checked (an aviso, as adding the worker says); above the provisional cap
    # (3,372.66: 15 % more), an error that does not call that figure the 25-UMA cap.
    p2027 = Periodo(2027, 1)
    en_2027 = replace(BUENO, fecha_inicio=date(2027, 2, 1))
    assert revisar("normal", p2027, RFC_CONTRATISTA, FOLIOS, [replace(en_2027, sbc_maximo=Decimal("2932.75"))]) == []
    for sbc in ("2932.76", "3372.66"):
        [aviso] = revisar("normal", p2027, RFC_CONTRATISTA, FOLIOS, [replace(en_2027, sbc_maximo=Decimal(sbc))])
        assert (aviso.nivel, aviso.clase) == ("aviso", "sbc_tope_sin_comprobar")
        assert "no se pudo comprobar el tope de 25 UMA" in aviso.mensaje and "30/04/2027" in aviso.mensaje
    [error] = revisar("normal", p2027, RFC_CONTRATISTA, FOLIOS, [replace(en_2027, sbc_maximo=Decimal("3372.67"))])
    assert (error.nivel, error.clase) == ("error", "sbc_sobre_tope")
    assert "$3,372.66: el portal aún no tiene la UMA vigente el 30/04/2027" in error.mensaje
    assert "tope de 25 UMA ($3,372.66" not in error.mensaje


def test_a_contract_captured_twice_is_a_warning():
    problemas = revisar("normal", P, RFC_CONTRATISTA, FOLIOS, [BUENO, replace(BUENO, id=8, objeto=" mantenimiento "
                                                                              "de  equipo")])
    assert clases(problemas) == [("aviso", "contrato_repetido", 8, None)]
    assert "el contrato 1" in problemas[0].mensaje


def test_every_problem_of_a_contract_at_once_and_in_screen_order():
    malo = DatosContrato(id=3, rfc_contratante=RFC_CONTRATISTA, servicio_folio=None, objeto="",
                            fecha_inicio=None, fecha_termino=None, trabajadores=0)
    assert [p.clase for p in revisar("normal", P, RFC_CONTRATISTA, FOLIOS, [BUENO, malo])] == [
        "contratante_es_contratista", "sin_servicio", "sin_objeto", "sin_fecha_inicio", "sin_trabajadores"]


def test_one_person_under_two_nss_in_a_contract_blocks_enviar():
    from dataclasses import replace

    for n, texto in ((1, "tiene un trabajador con la CURP"), (3, "tiene 3 trabajadores con la CURP")):
        [problema] = revisar("normal", P, RFC_CONTRATISTA, FOLIOS, [replace(BUENO, curps_repetidas=n)])
        assert (problema.nivel, problema.clase, problema.campo) == ("error", "curp_repetida", "trabajadores")
        assert texto in problema.mensaje


def test_with_today_a_period_not_ended_cannot_be_sent_and_a_late_one_is_warned():
    assert clases(revisar("normal", P, RFC_CONTRATISTA, FOLIOS, [BUENO], hoy=date(2026, 4, 30))) == [
        ("error", "periodo_no_terminado", None, None)]
    assert revisar("normal", P, RFC_CONTRATISTA, FOLIOS, [BUENO], hoy=date(2026, 5, 18)) == []  # the deadline
    tarde = revisar("normal", P, RFC_CONTRATISTA, FOLIOS, [BUENO], hoy=date(2026, 5, 19))
    assert clases(tarde) == [("aviso", "fuera_de_plazo", None, None)] and "18/05/2026" in tarde[0].mensaje


def test_every_class_is_known_and_messages_are_spanish():
    malo = DatosContrato(id=3, rfc_contratante="x", servicio_folio="otro", objeto="", fecha_inicio=date(2020, 1, 1),
                            fecha_termino=date(2019, 1, 1), trabajadores=0)
    problemas = revisar("normal", P, RFC_CONTRATISTA, [], [malo, malo], hoy=date(2026, 2, 1))
    assert {p.clase for p in problemas} <= set(CLASES)
    assert all(p.nivel in {"error", "aviso"} and p.mensaje.endswith((".", ")")) for p in problemas)


def test_unknown_tipo_is_a_programming_error():
    with pytest.raises(ValueError):
        revisar("complementaria", P, RFC_CONTRATISTA, FOLIOS, [])


def test_fifty_contracts_of_three_thousand_workers():
    # Workers come as counts, so the size of a contract costs nothing (benchmarks/informativa.py times it).
    contratos = [replace(BUENO, id=i, objeto=f"Servicio {i}", trabajadores=3000) for i in range(50)]
    assert revisar("normal", P, RFC_CONTRATISTA, FOLIOS, contratos) == []
