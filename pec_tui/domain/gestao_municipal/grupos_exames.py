"""Grupos de exames (manual 3.11.2): the municipality's exam groups.

A group is offered in "Opções rápidas" of the exam request during an attendance, to citizens of
its age range and sex. "Adicionar grupo de exames": the name ("Nome do grupo"), to whom it applies
(sexo: ambos, feminino ou masculino; idade mínima e máxima, em anos) and its exams, chosen from the
shipped list of common primary-care exams (:func:`pec_tui.storage.reference.shipped_exams`, SIGTAP
codes, in ``tb_proced``). The list is filtered by the group's sex and ages: an exam that applies to
no citizen of the group (a PSA in a women's group, a screening mammography for children) is not
offered and is refused. Editar changes all of it; Excluir deletes the group and its exams.
A name already used by another group of the municipality is refused (upper/lower case and accents
ignored).

Where PEC keeps them: ``tb_grupo_exame`` and ``rl_proced_grupo_exame``.

What pec-tui cannot do as PEC does: how PEC writes ``no_sexo`` and in which unit it keeps the group's
ages is not public, and the exams must be the installation's own ``tb_proced`` rows, so on a PEC
installation the groups are only listed (:data:`NOT_ON_PEC`).

Audit: "Operação no banco de dados" (table 3.9.1), in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pec_tui.core.errors import PecError, ValidationError
from pec_tui.domain import audit
from pec_tui.domain.audit import EventType, RecordType
from pec_tui.domain.compatibilidade import require_writable
from pec_tui.domain.gestao_municipal import municipal_admin_role, municipality_name
from pec_tui.domain.installation import is_own_database
from pec_tui.storage.database import transaction
from pec_tui.storage.models import ExamGroup, ExamGroupProcedure, Procedure
from pec_tui.storage.reference import shipped_exams
from pec_tui.storage.search import filter_form

COMPONENT = "pec-tui/gestao_municipal/grupos_exames"
NAME_MAX = 255
MIN_AGE, MAX_AGE = 0, 130
FEMALE, MALE = "FEMININO", "MASCULINO"
#: What the screen offers for "Sexo": the value kept in ``no_sexo`` (None: both) and its label.
SEXES: tuple[tuple[str | None, str], ...] = ((None, "Ambos"), (FEMALE, "Feminino"), (MALE, "Masculino"))
SEX_LABELS = dict(SEXES)
NOT_ON_PEC = (
    "Numa instalação do PEC, adicione, edite e exclua grupos de exames pela tela Gestão municipal do próprio "
    "PEC: como o PEC grava o sexo e a faixa etária do grupo não é público; aqui os grupos só são listados."
)


@dataclass(frozen=True)
class Exam:
    id: int
    code: str
    name: str
    sex: str | None  # FEMALE, MALE or None (both)
    min_age: int  # years
    max_age: int

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"

    def fits(self, sex: str | None, min_age: int, max_age: int) -> bool:
        """Whether the exam applies to some citizen of a group of ``sex`` aged ``min_age``–``max_age``."""
        same_sex = self.sex is None or sex is None or self.sex == sex
        return same_sex and self.min_age <= max_age and min_age <= self.max_age


@dataclass(frozen=True)
class Group:
    id: int
    name: str
    sex: str | None
    min_age: int
    max_age: int
    exams: tuple[Exam, ...]

    @property
    def audience(self) -> str:
        return audience(self.sex, self.min_age, self.max_age)


def audience(sex: str | None, min_age: int, max_age: int) -> str:
    """To whom a group or an exam applies: "Feminino, 25 a 64 anos"."""
    return f"{SEX_LABELS.get(sex, sex or 'Ambos')}, {min_age} a {max_age} anos"


def _exam(row: Procedure) -> Exam:
    sex = FEMALE if row.female and not row.male else MALE if row.male and not row.female else None
    return Exam(row.id, row.code, row.name, sex, row.min_age_months // 12, row.max_age_months // 12)


def exams(sex: str | None = None, min_age: int = MIN_AGE, max_age: int = MAX_AGE) -> list[Exam]:
    """The shipped exams (as ``tb_proced`` rows) that apply to a group of ``sex`` and ages."""
    codes = [exam.code for exam in shipped_exams()]
    order = {code: index for index, code in enumerate(codes)}
    rows = Procedure.select().where(Procedure.code.in_(codes) & (Procedure.active == True))
    found = sorted((_exam(row) for row in rows), key=lambda exam: order[exam.code])
    return [exam for exam in found if exam.fits(sex, min_age, max_age)]


def groups(localidade_id: int) -> list[Group]:
    """The municipality's groups by name, each with its exams."""
    rows = list(ExamGroup.select().where(ExamGroup.localidade == localidade_id).order_by(ExamGroup.name))
    members: dict[int, list[Exam]] = {row.id: [] for row in rows}
    if rows:
        query = (
            ExamGroupProcedure.select(ExamGroupProcedure.group, Procedure)
            .join(Procedure)
            .where(ExamGroupProcedure.group.in_(list(members)))
            .order_by(Procedure.code)
        )
        for link in query:
            members[link.group_id].append(_exam(link.procedure))
    return [Group(row.id, row.name, row.sex, row.min_age, row.max_age, tuple(members[row.id])) for row in rows]


def _age(text: int | str | None, what: str) -> int:
    value = str(text if text is not None else "").strip()
    if not value.isdigit() or not MIN_AGE <= int(value) <= MAX_AGE:
        raise ValidationError(f"Idade {what}: informe um número de anos de {MIN_AGE} a {MAX_AGE}.", "idade")
    return int(value)


@dataclass(frozen=True)
class _Form:
    name: str
    sex: str | None
    min_age: int
    max_age: int
    exams: tuple[Exam, ...]


def _check(
    localidade_id: int,
    name: str,
    sex: str | None,
    min_age: int | str | None,
    max_age: int | str | None,
    exam_ids: Iterable[int],
    *,
    group_id: int | None = None,
) -> _Form:
    clean = " ".join((name or "").split())
    if not clean:
        raise ValidationError("Informe o nome do grupo.", "nome")
    if len(clean) > NAME_MAX:
        raise ValidationError(f"O nome do grupo pode ter até {NAME_MAX} caracteres.", "nome")
    if sex not in SEX_LABELS:
        raise ValidationError("Escolha o sexo: ambos, feminino ou masculino.", "sexo")
    low, high = _age(min_age, "mínima"), _age(max_age, "máxima")
    if low > high:
        raise ValidationError(f"A idade mínima ({low}) é maior que a máxima ({high}).", "idade")
    chosen = set(exam_ids)
    if not chosen:
        raise ValidationError("Selecione ao menos um exame.", "exames")
    catalogue = {exam.id: exam for exam in exams()}
    unknown = chosen - set(catalogue)
    if unknown:
        raise ValidationError("Um dos exames escolhidos não está na lista de exames.", "exames")
    picked = tuple(sorted((catalogue[key] for key in chosen), key=lambda exam: exam.code))
    for exam in picked:
        if not exam.fits(sex, low, high):
            raise ValidationError(
                f"{exam.label} não se aplica a este grupo ({audience(sex, low, high)}): "
                f"{audience(exam.sex, exam.min_age, exam.max_age)}.",
                "exames",
            )
    folded = filter_form(clean)
    others = ExamGroup.select(ExamGroup.name).where(ExamGroup.localidade == localidade_id)
    if group_id is not None:
        others = others.where(ExamGroup.id != group_id)
    if any(filter_form(other) == folded for (other,) in others.tuples()):
        raise ValidationError(f"Já existe um grupo de exames com o nome {clean}.", "nome")
    return _Form(clean, sex, low, high, picked)


def _require_writable() -> None:
    if not is_own_database():
        raise PecError(NOT_ON_PEC)
    require_writable("gestao_municipal")


def _get(group_id: int, localidade_id: int) -> Group:
    found = next((group for group in groups(localidade_id) if group.id == group_id), None)
    if found is None:
        raise PecError("Este grupo de exames não existe mais; a lista foi atualizada.")
    return found


def _record(by_user_id: int | None, group_id: int, details: str) -> None:
    audit.record(
        EventType.DATABASE_OPERATION,
        component=COMPONENT,
        user_id=by_user_id,
        record_type=RecordType.CONFIGURATION,
        record_id=f"grupo de exames {group_id}",
        details=details,
    )


def _summary(form: _Form | Group) -> str:
    codes = ", ".join(exam.code for exam in form.exams)
    return f"{form.name} ({audience(form.sex, form.min_age, form.max_age)}; exames {codes})"


def add(
    localidade_id: int,
    name: str,
    sex: str | None,
    min_age: int | str | None,
    max_age: int | str | None,
    exam_ids: Iterable[int],
    *,
    by_user_id: int | None,
) -> Group:
    """ "Adicionar": a new group of the municipality with its exams."""
    _require_writable()
    with transaction():
        municipal_admin_role(localidade_id, by_user_id, "os grupos de exames")
        form = _check(localidade_id, name, sex, min_age, max_age, exam_ids)
        row = ExamGroup.create(
            name=form.name, sex=form.sex, min_age=form.min_age, max_age=form.max_age, localidade=localidade_id
        )
        for exam in form.exams:
            ExamGroupProcedure.create(group=row.id, procedure=exam.id)
        _record(
            by_user_id, row.id, f"Criação de grupo de exames de {municipality_name(localidade_id)}: " + _summary(form)
        )
    return _get(row.id, localidade_id)


def edit(
    group_id: int,
    localidade_id: int,
    name: str,
    sex: str | None,
    min_age: int | str | None,
    max_age: int | str | None,
    exam_ids: Iterable[int],
    *,
    by_user_id: int | None,
) -> Group:
    """ "Editar": name, audience and exams replaced."""
    _require_writable()
    with transaction():
        municipal_admin_role(localidade_id, by_user_id, "os grupos de exames")
        before = _get(group_id, localidade_id)
        form = _check(localidade_id, name, sex, min_age, max_age, exam_ids, group_id=group_id)
        ExamGroup.update(name=form.name, sex=form.sex, min_age=form.min_age, max_age=form.max_age).where(
            ExamGroup.id == group_id
        ).execute()
        ExamGroupProcedure.delete().where(ExamGroupProcedure.group == group_id).execute()
        for exam in form.exams:
            ExamGroupProcedure.create(group=group_id, procedure=exam.id)
        _record(by_user_id, group_id, f"Alteração de grupo de exames: {_summary(before)} → {_summary(form)}")
    return _get(group_id, localidade_id)


def delete(group_id: int, localidade_id: int, *, by_user_id: int | None) -> Group:
    """ "Excluir": the group and its exams."""
    _require_writable()
    with transaction():
        municipal_admin_role(localidade_id, by_user_id, "os grupos de exames")
        before = _get(group_id, localidade_id)
        ExamGroupProcedure.delete().where(ExamGroupProcedure.group == group_id).execute()
        ExamGroup.delete().where(ExamGroup.id == group_id).execute()
        _record(by_user_id, group_id, f"Exclusão de grupo de exames: {_summary(before)}")
    return before
