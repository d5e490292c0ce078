"""Grupos de exames: the shipped exams filtered by sex and age, add/edit/delete audited, a name
already used refused, an exam that fits no one in the group refused; only listed on a PEC
installation."""

from __future__ import annotations

import pytest

from pec_tui.core.errors import PecError, ValidationError
from pec_tui.domain.audit import EventType
from pec_tui.domain.gestao_municipal import grupos_exames as ge
from pec_tui.storage.models import AuditEvent, ExamGroup, ExamGroupProcedure, Localidade, User
from pec_tui.storage.reference import shipped_exams
from tests.domain.gestao_municipal.conftest import as_pec_installation

PSA, PAP, MAMMOGRAPHY, HBA1C, GLUCOSE = "0202030105", "0203010086", "0204030188", "0202010503", "0202010473"


def ids(*codes: str) -> list[int]:
    by_code = {exam.code: exam.id for exam in ge.exams()}
    return [by_code[code] for code in codes]


def codes(found) -> set[str]:
    return {exam.code for exam in found}


def events() -> list[AuditEvent]:
    return list(AuditEvent.select().where(AuditEvent.component == ge.COMPONENT))


def test_the_shipped_list_with_its_sigtap_codes(municipality):
    every = ge.exams()
    assert codes(every) == {exam.code for exam in shipped_exams()}
    assert all(len(exam.code) == 10 and exam.code.startswith("02") for exam in every)
    glycated = next(exam for exam in every if exam.code == HBA1C)
    assert (glycated.name, glycated.sex, glycated.min_age, glycated.max_age) == (
        "DOSAGEM DE HEMOGLOBINA GLICOSILADA",
        None,
        0,
        130,
    )


def test_sex_and_age_filter_the_list(municipality):
    men = codes(ge.exams(ge.MALE, 40, 130))
    assert PSA in men and PAP not in men and MAMMOGRAPHY not in men and HBA1C in men
    children = codes(ge.exams(None, 0, 12))
    assert PAP not in children and MAMMOGRAPHY not in children and GLUCOSE in children
    women = codes(ge.exams(ge.FEMALE, 25, 49))
    assert PAP in women and MAMMOGRAPHY not in women and PSA not in women
    assert MAMMOGRAPHY in codes(ge.exams(ge.FEMALE, 40, 69))


def test_add_edit_delete_audited(municipality):
    group = ge.add(municipality, "  Hiperdia  ", None, "18", "130", ids(HBA1C, GLUCOSE), by_user_id=None)
    assert (group.name, group.sex, group.min_age, group.max_age) == ("Hiperdia", None, 18, 130)
    assert codes(group.exams) == {HBA1C, GLUCOSE}
    assert ExamGroup.get().localidade_id == municipality
    assert [g.name for g in ge.groups(municipality)] == ["Hiperdia"]

    edited = ge.edit(group.id, municipality, "Rastreamento da mulher", ge.FEMALE, 25, 69, ids(PAP, MAMMOGRAPHY),
                     by_user_id=None)  # fmt: skip
    assert (edited.name, edited.sex, edited.audience) == ("Rastreamento da mulher", ge.FEMALE, "Feminino, 25 a 69 anos")
    assert codes(edited.exams) == {PAP, MAMMOGRAPHY}
    assert ExamGroupProcedure.select().count() == 2

    ge.delete(group.id, municipality, by_user_id=None)
    assert ge.groups(municipality) == [] and ExamGroupProcedure.select().count() == 0
    kinds = [(e.event_type, e.details.split(":")[0]) for e in events()]
    assert kinds == [
        (EventType.DATABASE_OPERATION.value, "Criação de grupo de exames de Chapecó"),
        (EventType.DATABASE_OPERATION.value, "Alteração de grupo de exames"),
        (EventType.DATABASE_OPERATION.value, "Exclusão de grupo de exames"),
    ]
    assert f"exames {GLUCOSE}, {HBA1C})" in events()[0].details


@pytest.mark.parametrize(
    ("name", "sex", "low", "high", "exams", "field", "message"),
    [
        ("  ", None, 0, 130, (HBA1C,), "nome", "Informe o nome do grupo."),
        ("x" * 256, None, 0, 130, (HBA1C,), "nome", "até 255 caracteres"),
        ("Grupo", "OUTRO", 0, 130, (HBA1C,), "sexo", "Escolha o sexo"),
        ("Grupo", None, "", 130, (HBA1C,), "idade", "Idade mínima: informe um número de anos de 0 a 130."),
        ("Grupo", None, 0, 131, (HBA1C,), "idade", "Idade máxima: informe"),
        ("Grupo", None, 60, 20, (HBA1C,), "idade", r"A idade mínima \(60\) é maior que a máxima \(20\)."),
        ("Grupo", None, 0, 130, (), "exames", "Selecione ao menos um exame."),
        (
            "Homens",
            ge.MALE,
            40,
            130,
            (PSA, PAP),
            "exames",
            r"0203010086 EXAME CITOPATOLOGICO .* não se aplica a este grupo \(Masculino, 40 a 130 anos\): "
            r"Feminino, 25 a 64 anos.",
        ),
        ("Crianças", None, 0, 12, (MAMMOGRAPHY,), "exames", "não se aplica a este grupo"),
    ],
)
def test_refusals_on_their_field_write_nothing(municipality, name, sex, low, high, exams, field, message):
    with pytest.raises(ValidationError, match=message) as refused:
        ge.add(municipality, name, sex, low, high, ids(*exams), by_user_id=None)
    assert refused.value.field == field
    assert ExamGroup.select().count() == 0 and events() == []


def test_a_name_already_used_is_refused_case_and_accents_aside(municipality):
    first = ge.add(municipality, "Pré-natal", ge.FEMALE, 10, 60, ids(HBA1C), by_user_id=None)
    other = ge.add(municipality, "Diabetes", None, 0, 130, ids(HBA1C), by_user_id=None)
    with pytest.raises(ValidationError, match="Já existe um grupo de exames com o nome PRE-NATAL.") as refused:
        ge.add(municipality, "PRE-NATAL", None, 0, 130, ids(GLUCOSE), by_user_id=None)
    assert refused.value.field == "nome"
    with pytest.raises(ValidationError, match="Já existe um grupo de exames com o nome pré-natal."):
        ge.edit(other.id, municipality, "pré-natal", None, 0, 130, ids(GLUCOSE), by_user_id=None)
    # its own name is not "already used"; another municipality may use it
    assert ge.edit(first.id, municipality, "Pré-Natal", ge.FEMALE, 10, 60, ids(HBA1C), by_user_id=None)
    elsewhere = Localidade.get(Localidade.ibge == "4219507").id
    assert [g.name for g in ge.groups(elsewhere)] == []
    assert ExamGroup.select().count() == 2


def test_only_the_municipal_administrator(municipality):
    other = User.create(login="11144477735", blocked=False)
    with pytest.raises(PecError, match="pode alterar os grupos de exames"):
        ge.add(municipality, "Hiperdia", None, 0, 130, ids(HBA1C), by_user_id=other.id)
    assert ExamGroup.select().count() == 0


def test_a_group_gone_meanwhile(municipality):
    with pytest.raises(PecError, match="não existe mais"):
        ge.delete(999, municipality, by_user_id=None)


def test_on_a_pec_installation_only_listed(municipality):
    group = ge.add(municipality, "Hiperdia", None, 0, 130, ids(HBA1C), by_user_id=None)
    as_pec_installation()
    assert [g.name for g in ge.groups(municipality)] == ["Hiperdia"]
    with pytest.raises(PecError, match="pela tela Gestão municipal do próprio PEC"):
        ge.add(municipality, "Outro", None, 0, 130, ids(HBA1C), by_user_id=None)
    with pytest.raises(PecError, match="pela tela Gestão municipal do próprio PEC"):
        ge.delete(group.id, municipality, by_user_id=None)
    assert ExamGroup.select().count() == 1
