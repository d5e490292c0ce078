"""Tipos de serviço: PEC's defaults listed and kept, the municipality's added, renamed and
deleted (audited), a name already used refused, a type offered by units refused with the count."""

from __future__ import annotations

import pytest

from pec_tui.core.errors import PecError, ValidationError
from pec_tui.domain.audit import EventType
from pec_tui.domain.gestao_municipal import tipos_servico as ts
from pec_tui.storage.database import transaction
from pec_tui.storage.models import AuditEvent, HealthUnit, Localidade, ServiceType, UnitServiceType, User
from pec_tui.storage.reference import DEFAULT_SERVICE_TYPES
from tests.domain.gestao_municipal.conftest import as_pec_installation


def events() -> list[AuditEvent]:
    return list(AuditEvent.select().where(AuditEvent.component == ts.COMPONENT))


def by_name(localidade_id: int) -> dict[str, ts.ServiceTypeRow]:
    return {row.name: row for row in ts.list_types(localidade_id)}


def test_pecs_defaults_are_listed(municipality):
    rows = ts.list_types(municipality)
    assert [row.name for row in rows] == sorted(DEFAULT_SERVICE_TYPES, key=lambda n: n.replace("Â", "A"))
    assert all(row.default and row.kind == "Padrão do PEC" and row.units == 0 for row in rows)


def test_add_rename_delete_audited(municipality):
    added = ts.add(municipality, "  Saúde   mental ", by_user_id=None)
    assert (added.name, added.default, added.kind) == ("Saúde mental", False, "Do município")
    row = ServiceType.get(ServiceType.id == added.id)
    assert (row.name_filter, row.internal, row.localidade_id) == ("SAUDE MENTAL", False, municipality)
    renamed = ts.rename(added.id, municipality, "Saúde mental e álcool", by_user_id=None)
    assert renamed.name == "Saúde mental e álcool"
    ts.delete(added.id, municipality, by_user_id=None)
    assert "Saúde mental e álcool" not in by_name(municipality)
    assert [(e.event_type, e.details) for e in events()] == [
        (EventType.DATABASE_OPERATION.value, "Criação de tipo de serviço de Chapecó: Saúde mental"),
        (EventType.DATABASE_OPERATION.value, "Alteração de tipo de serviço: Saúde mental → Saúde mental e álcool"),
        (EventType.DATABASE_OPERATION.value, "Exclusão de tipo de serviço: Saúde mental e álcool"),
    ]


def test_another_municipalitys_types_are_not_listed(municipality):
    elsewhere = Localidade.get(Localidade.ibge == "4219507").id
    with transaction():
        ServiceType.create(name="Só de Xanxerê", name_filter="SO DE XANXERE", internal=False, localidade=elsewhere)
    assert "Só de Xanxerê" not in by_name(municipality)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Informe o nome do tipo de serviço."),
        ("x" * 51, "até 50 caracteres"),
        ("demanda espontanea", r"Já existe o tipo de serviço DEMANDA ESPONTÂNEA \(padrão do PEC\)."),
    ],
)
def test_name_refusals(municipality, name, message):
    with pytest.raises(ValidationError, match=message) as refused:
        ts.add(municipality, name, by_user_id=None)
    assert refused.value.field == "nome"
    assert events() == []


def test_a_name_of_the_municipality_already_used(municipality):
    first = ts.add(municipality, "Acolhimento", by_user_id=None)
    second = ts.add(municipality, "Grupo de tabagismo", by_user_id=None)
    with pytest.raises(ValidationError, match=r"Já existe o tipo de serviço Acolhimento \(do município\)."):
        ts.rename(second.id, municipality, "ACOLHIMENTO", by_user_id=None)
    assert ts.rename(first.id, municipality, "Acolhimento", by_user_id=None).name == "Acolhimento"


def test_defaults_are_neither_edited_nor_deleted(municipality):
    vaccine = by_name(municipality)["VACINA"]
    with pytest.raises(PecError, match="VACINA é um tipo de serviço padrão do PEC: não pode ser excluído."):
        ts.delete(vaccine.id, municipality, by_user_id=None)
    with pytest.raises(PecError, match="não pode ser editado"):
        ts.rename(vaccine.id, municipality, "VACINAÇÃO", by_user_id=None)
    assert ServiceType.get(ServiceType.id == vaccine.id).name == "VACINA" and events() == []


@pytest.mark.parametrize(("units", "words"), [(1, "1 unidade de saúde"), (2, "2 unidades de saúde")])
def test_a_type_offered_by_units_is_not_deleted(municipality, units, words):
    added = ts.add(municipality, "Práticas integrativas", by_user_id=None)
    with transaction():
        for n in range(units):
            unit = HealthUnit.create(name=f"UBS {n}", cnes=f"123456{n}", localidade=municipality)
            UnitServiceType.create(unit=unit.id, service_type=added.id)
    assert by_name(municipality)["Práticas integrativas"].units == units
    with pytest.raises(PecError, match=f"Práticas integrativas é oferecido por {words}: não pode ser excluído."):
        ts.delete(added.id, municipality, by_user_id=None)
    assert ServiceType.get_or_none(ServiceType.id == added.id) is not None
    assert len(events()) == 1  # the creation only


def test_only_the_municipal_administrator(municipality):
    other = User.create(login="11144477735", blocked=False)
    with pytest.raises(PecError, match="pode alterar os tipos de serviço"):
        ts.add(municipality, "Acolhimento", by_user_id=other.id)
    assert "Acolhimento" not in by_name(municipality)


def test_on_a_pec_installation_the_municipalitys_types_are_written_too(municipality):
    """Every column of tb_tipo_servico is known: the tab writes on a PEC installation as well."""
    as_pec_installation()
    added = ts.add(municipality, "Acolhimento", by_user_id=None)
    assert ServiceType.get(ServiceType.id == added.id).localidade_id == municipality
    ts.delete(added.id, municipality, by_user_id=None)
    assert len(events()) == 2
