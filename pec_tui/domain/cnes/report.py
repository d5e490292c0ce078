"""The report of a CNES import (manual 3.3, "Histórico de importações") and the history itself.

An :class:`ImportReport` says, per kind of record (unidades, equipes, profissionais, lotações),
how many were new, updated, unchanged, reactivated and deactivated; which records were not
imported and why ("registros não importados"); what was imported only in part ("avisos"); and
which professionals have more than one active lotação and no agenda configured ("profissionais
com mais de uma lotação sem agenda configurada"). It is stored as JSON in
``tb_importacao_cnes.ds_relatorio`` in the import's own transaction, and can be exported to CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from peewee import JOIN

from pec_tui.core.errors import PecError, os_reason
from pec_tui.core.formatting import agree
from pec_tui.core.paging import Page, clamp_paging
from pec_tui.core.validators import format_cpf
from pec_tui.storage.models import CnesImport, CnesImportReport, Localidade, Professional, State, User

KIND_UNIT = "unidade"
KIND_TEAM = "equipe"
KIND_PROFESSIONAL = "profissional"
KIND_LOTACAO = "lotação"

#: Report keys (Portuguese, as the JSON and the CSV show them) of each kind's counts.
COUNT_KINDS = (
    ("unidades", "Unidades de saúde"),
    ("equipes", "Equipes"),
    ("profissionais", "Profissionais"),
    ("lotacoes", "Lotações"),
)
#: The kinds whose noun is feminine ("Unidades de saúde: 1 nova"; "Profissionais: 1 novo").
FEMININE_KINDS = frozenset({"unidades", "equipes", "lotacoes"})


@dataclass
class KindCounts:
    """What the import did to one kind of record."""

    novos: int = 0
    atualizados: int = 0
    inalterados: int = 0
    reativados: int = 0
    desativados: int = 0

    @property
    def in_file(self) -> int:
        """Records of the file that were imported (new, updated, unchanged or reactivated)."""
        return self.novos + self.atualizados + self.inalterados + self.reativados


@dataclass
class RecordIssue:
    """A record of the file that was not imported (or only in part), and why."""

    tipo: str  # unidade, equipe, profissional, lotação
    chave: str  # CNES, INE, CPF, or CPF / CNES / INE / CBO of a lotação
    nome: str  # unit, team or professional name, as the file gives it
    motivo: str
    elemento: str  # DADOS_PROFISSIONAIS, DADOS_LOTACOES …
    linha: int


SHOWN_AT_MOST = 200
"""Characters of a record's key or name kept in the report: a refused record may carry a value
of thousands (the reason says how many)."""


def _shown(text: str | None) -> str:
    if not text:
        return ""
    return text if len(text) <= SHOWN_AT_MOST else text[: SHOWN_AT_MOST - 1] + "…"


@dataclass
class ProfessionalWithoutAgenda:
    """A professional with more than one active lotação in the municipality and no agenda."""

    cpf: str
    nome: str
    cns: str | None
    lotacoes: int


@dataclass
class ImportReport:
    arquivo: str
    municipio: str  # "Chapecó/SC"
    ibge: str
    versao_layout: str
    data_arquivo: str | None  # ISO date of the file (IDENTIFICACAO/DATA)
    data_importacao: str  # ISO date and time
    usuario_id: int | None
    duracao_segundos: float = 0.0
    importacao_id: int | None = None
    unidades: KindCounts = field(default_factory=KindCounts)
    equipes: KindCounts = field(default_factory=KindCounts)
    profissionais: KindCounts = field(default_factory=KindCounts)
    lotacoes: KindCounts = field(default_factory=KindCounts)
    registros_nao_importados: list[RecordIssue] = field(default_factory=list)
    avisos: list[RecordIssue] = field(default_factory=list)
    profissionais_sem_agenda: list[ProfessionalWithoutAgenda] = field(default_factory=list)

    # -- serialisation ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (written by hand: ``dataclasses.asdict`` is slow on a report of a
        large municipality, with tens of thousands of entries)."""
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        for key, _label in COUNT_KINDS:
            data[key] = dict(vars(getattr(self, key)))
        for key in ("registros_nao_importados", "avisos"):
            data[key] = [
                {
                    "tipo": i.tipo,
                    "chave": i.chave,
                    "nome": i.nome,
                    "motivo": i.motivo,
                    "elemento": i.elemento,
                    "linha": i.linha,
                }
                for i in getattr(self, key)
            ]
        data["profissionais_sem_agenda"] = [
            {"cpf": p.cpf, "nome": p.nome, "cns": p.cns, "lotacoes": p.lotacoes} for p in self.profissionais_sem_agenda
        ]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        values = {f.name: data.get(f.name) for f in fields(cls) if f.name in data}
        for key, _label in COUNT_KINDS:
            values[key] = KindCounts(**(data.get(key) or {}))
        values["registros_nao_importados"] = [
            RecordIssue(**item) for item in data.get("registros_nao_importados") or []
        ]
        values["avisos"] = [RecordIssue(**item) for item in data.get("avisos") or []]
        values["profissionais_sem_agenda"] = [
            ProfessionalWithoutAgenda(**item) for item in data.get("profissionais_sem_agenda") or []
        ]
        return cls(**values)

    @classmethod
    def from_json(cls, text: str) -> ImportReport:
        return cls.from_dict(json.loads(text))

    # -- filling (the import) ------------------------------------------------------------------

    def reject(self, kind: str, key: str | None, name: str | None, reason: str, element: str, line: int) -> None:
        """A record of the file that was not imported, and why ("registros não importados")."""
        self.registros_nao_importados.append(RecordIssue(kind, _shown(key), _shown(name), reason, element, line))

    def warn(self, kind: str, key: str | None, name: str | None, reason: str, element: str, line: int) -> None:
        """A record of the file imported only in part, or with a remark ("avisos")."""
        self.avisos.append(RecordIssue(kind, _shown(key), _shown(name), reason, element, line))

    # -- reading ------------------------------------------------------------------------------

    def counts(self) -> list[tuple[str, KindCounts]]:
        """(label, counts) of each kind, in the report's order."""
        return [(label, getattr(self, key)) for key, label in COUNT_KINDS]

    def summary(self) -> str:
        """One paragraph in Portuguese: what was imported and what was not."""
        parts = []
        for (key, label), counts in zip(COUNT_KINDS, (counts for _, counts in self.counts()), strict=True):
            feminine = key in FEMININE_KINDS

            def said(count: int, word: str, feminine: bool = feminine) -> str:
                return f"{count} {agree(word, count, feminine=feminine)}"

            part = (
                f"{label}: {said(counts.novos, 'novo')}, {said(counts.atualizados, 'atualizado')}, "
                f"{counts.inalterados} sem alteração"
            )
            if counts.reativados:
                part += f", {said(counts.reativados, 'reativado')}"
            if counts.desativados:
                part += f", {said(counts.desativados, 'desativado')}"
            parts.append(part)
        text = "; ".join(parts) + "."
        text += f" Registros não importados: {len(self.registros_nao_importados)}."
        if self.avisos:
            text += f" Avisos: {len(self.avisos)}."
        if self.profissionais_sem_agenda:
            text += (
                f" Profissionais com mais de uma lotação sem agenda configurada: {len(self.profissionais_sem_agenda)}."
            )
        return text


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------

CSV_HEADER = ("secao", "tipo", "chave", "nome", "motivo", "elemento", "linha", "quantidade")


def report_to_csv(report: ImportReport, path: str | Path) -> Path:
    """Write the report as CSV (``;``-separated, UTF-8 with BOM, as spreadsheets in Brazil expect):
    the counts, the records not imported, the warnings and the professionals without agenda.

    The file appears complete or not at all: it is written beside the target and renamed."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise PecError(f"Não foi possível gravar o relatório em {target}: {os_reason(exc)}.") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, delimiter=";")
            writer.writerow(CSV_HEADER)
            writer.writerow(
                (
                    "arquivo",
                    "",
                    "",
                    report.arquivo,
                    f"{report.municipio} ({report.ibge}), layout "
                    f"{report.versao_layout}, importado em {report.data_importacao}",
                    "",
                    "",
                    "",
                )
            )
            for key, label in COUNT_KINDS:
                counts: KindCounts = getattr(report, key)
                for name, value in asdict(counts).items():
                    writer.writerow(("registros importados", label, name, "", "", "", "", value))
            for section, items in (
                ("registros não importados", report.registros_nao_importados),
                ("avisos", report.avisos),
            ):
                for item in items:
                    writer.writerow(
                        (section, item.tipo, item.chave, item.nome, item.motivo, item.elemento, item.linha, "")
                    )
            for professional in report.profissionais_sem_agenda:
                writer.writerow(
                    (
                        "profissionais com mais de uma lotação sem agenda configurada",
                        KIND_PROFESSIONAL,
                        format_cpf(professional.cpf),
                        professional.nome,
                        f"CNS {professional.cns}" if professional.cns else "",
                        "",
                        "",
                        professional.lotacoes,
                    )
                )
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise PecError(f"Não foi possível gravar o relatório em {target}: {os_reason(exc)}.") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


# --------------------------------------------------------------------------------------------
# History ("Histórico de importações")
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSummary:
    """One line of the history: an import, without its report."""

    id: int
    imported_at: dt.datetime
    user_login: str | None
    user_name: str | None
    file_name: str
    municipality: str
    ibge: str
    layout_version: str
    file_date: dt.date | None
    units: int
    teams: int
    professionals: int
    lotacoes: int
    rejected: int

    @property
    def user_label(self) -> str:
        if self.user_name:
            return self.user_name
        if self.user_login:
            return format_cpf(self.user_login)
        return "Sistema (linha de comando)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "data": self.imported_at.isoformat(sep=" ", timespec="seconds"),
            "usuario": self.user_label,
            "arquivo": self.file_name,
            "municipio": self.municipality,
            "ibge": self.ibge,
            "versao_layout": self.layout_version,
            "data_arquivo": self.file_date.isoformat() if self.file_date else None,
            "unidades": self.units,
            "equipes": self.teams,
            "profissionais": self.professionals,
            "lotacoes": self.lotacoes,
            "nao_importados": self.rejected,
        }


def list_imports(localidade_ids: list[int] | None = None, offset: int = 0, limit: int = 50) -> Page[ImportSummary]:
    """Successful imports, newest first; only those of ``localidade_ids`` when given (a municipal
    administrator sees the history of their own municipalities)."""
    offset, limit = clamp_paging(offset, limit)
    select = (
        CnesImport.select(CnesImport, CnesImportReport, Localidade, State, Professional, User)
        .join(CnesImportReport, on=(CnesImportReport.cnes_import == CnesImport.id), attr="extra")
        .switch(CnesImport)
        .join(Localidade)
        .join(State)
        .switch(CnesImport)
        .join(Professional, JOIN.LEFT_OUTER, attr="person")
        .join(User, JOIN.LEFT_OUTER, on=(Professional.user == User.id), attr="account")
        .where(CnesImportReport.succeeded == True)
    )
    if localidade_ids is not None:
        select = select.where(CnesImport.localidade.in_(list(localidade_ids) or [0]))
    total = select.count()
    rows = []
    for row in select.order_by(CnesImport.imported_at.desc(), CnesImport.id.desc()).offset(offset).limit(limit):
        person = row.person if row.professional_id else None
        account = getattr(person, "account", None) if person is not None else None
        extra = row.extra
        rows.append(
            ImportSummary(
                id=row.id,
                imported_at=row.imported_at,
                user_login=account.login if account is not None and account.id else None,
                user_name=person.name if person is not None else None,
                file_name=extra.file_name,
                municipality=row.localidade.label,
                ibge=row.localidade.ibge,
                layout_version=extra.layout_version,
                file_date=extra.file_date,
                units=extra.units,
                teams=extra.teams,
                professionals=extra.professionals,
                lotacoes=extra.lotacoes,
                rejected=extra.rejected,
            )
        )
    return Page(rows, total, offset, limit)


def get_report(import_id: int, localidade_ids: list[int] | None = None) -> ImportReport:
    """The report of one import ("Visualizar" in the history)."""
    row = CnesImport.get_or_none(CnesImport.id == import_id)
    if row is None or (localidade_ids is not None and row.localidade_id not in localidade_ids):
        raise PecError("A importação pedida não existe no histórico.")
    extra = CnesImportReport.get_or_none(CnesImportReport.cnes_import == row.id)
    if extra is None or not extra.report:
        raise PecError(f"A importação {import_id} não tem relatório gravado.")
    report = ImportReport.from_json(extra.report)
    report.importacao_id = row.id
    return report
