"""One CNES import, inside its transaction: the steps in order, the progress, the history row.

:class:`ImportRun` is what :func:`pec_tui.domain.cnes.importer.import_cnes` runs once the file's
header is read and the municipality checked. In order:

1. one import at a time per municipality (PostgreSQL: an advisory lock), and a layout version
   not older than the last one imported for the municipality;
2. what the installation already has is loaded once: units and teams
   (:mod:`~pec_tui.domain.cnes.units`), the municipality's lotações and the CBO catalogue
   (:mod:`~pec_tui.domain.cnes.lotacoes`), the keys of professionals and users
   (:mod:`~pec_tui.domain.cnes.professionals`);
3. the file's batches, as the reader sends them: the units (with their teams) first, then the
   professionals with their lotações, batch by batch; a large load switches the per-row checks
   off (:mod:`~pec_tui.domain.cnes.large_load`);
4. what the file no longer holds is deactivated, the professionals with more than one lotação
   and no agenda are listed, and the history row (``tb_importacao_cnes``, with the report) and
   the audit event are written; the checks switched off are validated last.

Everything is written through one :class:`~pec_tui.storage.bulk.writer.BulkWriter`, closed
before the transaction ends, either way.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from pec_tui.core import clock
from pec_tui.domain import audit
from pec_tui.domain.audit import EventType, RecordType
from pec_tui.domain.cnes.errors import CnesImportError, ImportCancelled
from pec_tui.domain.cnes.large_load import LargeLoad
from pec_tui.domain.cnes.lotacoes import Lotacoes
from pec_tui.domain.cnes.parser import CnesHeader, CnesUnit
from pec_tui.domain.cnes.professionals import Professionals
from pec_tui.domain.cnes.reader import ChildReader
from pec_tui.domain.cnes.report import ImportReport, ProfessionalWithoutAgenda
from pec_tui.domain.cnes.units import UnitsAndTeams
from pec_tui.domain.installation import is_own_database
from pec_tui.storage.bulk.writer import BulkWriter, quoted_column, quoted_table
from pec_tui.storage.models import (
    AgendaConfig,
    CnesImport,
    CnesImportReport,
    HealthUnit,
    Localidade,
    Lotacao,
    Professional,
)

COMPONENT = "pec-tui/cnes"

PROGRESS_INTERVAL = 0.2
"""Seconds between two progress reports (the first and the last are always sent)."""

_PG_ADVISORY_CLASS = 0x434E4553  # "CNES": one import at a time per municipality

_SQL_PROFESSIONALS_BY_ID = (
    f"SELECT {quoted_column(Professional, 'id')}, {quoted_column(Professional, 'cpf')}, "
    f"{quoted_column(Professional, 'name')}, {quoted_column(Professional, 'cns')} "
    f"FROM {quoted_table(Professional)} WHERE {quoted_column(Professional, 'id')} IN {{keys}}"
)


@dataclass(frozen=True)
class ImportProgress:
    """How far the import is: records read (units and professionals), time, bytes of XML read."""

    records: int
    elapsed: float
    bytes_read: int
    bytes_total: int
    phase: str

    @property
    def fraction(self) -> float | None:
        """0.0–1.0 of the XML read, when its size is known."""
        if self.bytes_total <= 0:
            return None
        return min(1.0, self.bytes_read / self.bytes_total)

    @property
    def label(self) -> str:
        """``Lendo profissionais: 12.345 registros (35%) em 4,2 s``."""
        text = f"{self.phase}: {_thousands(self.records)} registros"
        if self.fraction is not None:
            text += f" ({self.fraction:.0%})"
        return text + f" em {self.elapsed:.1f} s".replace(".", ",")


ProgressCallback = Callable[[ImportProgress], None]


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (0,)


class ImportRun:
    """One import of one file for one municipality; :meth:`execute` inside the transaction."""

    def __init__(
        self,
        *,
        municipality: Localidade,
        header: CnesHeader,
        file_name: str,
        display_name: str,
        size: int,
        user_id: int | None,
        progress: ProgressCallback | None,
        cancel: threading.Event | None,
        started: float,
    ) -> None:
        self.municipality = municipality
        self.loc = municipality.id
        self.header = header
        self.file_name = file_name
        self.display_name = display_name
        self.size = size
        self.bytes_read = 0
        self.user_id = user_id
        self.progress_callback = progress
        self.cancel = cancel
        self.started = started
        self.now = clock.now()
        self.records = 0
        self.phase = "Lendo unidades e equipes"
        self._last_progress = 0.0
        self.report = ImportReport(
            arquivo=file_name,
            municipio=municipality.label,
            ibge=municipality.ibge,
            versao_layout=header.layout_version,
            data_arquivo=header.date.isoformat() if header.date else None,
            data_importacao=self.now.isoformat(sep=" ", timespec="seconds"),
            usuario_id=user_id,
        )

    # -- driver -------------------------------------------------------------------------------

    def execute(self, reader: ChildReader, *, foreign_keys_at_end: bool) -> None:
        """Everything inside the import's transaction; ``reader`` yields the file's batches.
        ``foreign_keys_at_end``: SQLite's keys are not enforced row by row in this transaction
        (:func:`pec_tui.storage.bulk.writer.foreign_keys_at_end`) and are checked before commit."""
        self.bulk = BulkWriter(thread_name="cnes-gravacao")
        try:
            self._execute(reader, foreign_keys_at_end)
            self.bulk.flush()
        finally:
            self.bulk.close()  # before the transaction commits or rolls back

    def _execute(self, reader: ChildReader, foreign_keys_at_end: bool) -> None:
        bulk, report = self.bulk, self.report
        if bulk.pg:
            # Only this transaction's commit is not waited for on disk: a crash right after it
            # could lose this import (never corrupt the database); the import can simply be rerun.
            bulk.query("SET LOCAL synchronous_commit = off")
            bulk.query("SELECT pg_advisory_xact_lock(%s, %s)", (_PG_ADVISORY_CLASS, self.loc))
        self._check_layout_version()
        large_load = LargeLoad(bulk, foreign_keys_at_end=foreign_keys_at_end, own_database=is_own_database())
        units = UnitsAndTeams(bulk, report, self.loc)
        lotacoes = Lotacoes(bulk, report, units, self.now)
        professionals = Professionals(bulk, report, lotacoes, large_load)
        units.load()
        lotacoes.load()
        professionals.load()
        self._report_progress(force=True)

        file_units: list[CnesUnit] | None = []  # None once they are saved
        for kind, payload, records, bytes_read in reader:
            self.records, self.bytes_read = records, bytes_read
            if kind == "units":
                if file_units is None:
                    line = payload[0].line
                    raise CnesImportError(
                        f"O arquivo {self.display_name} traz a unidade da linha {line} depois dos "
                        "profissionais; no layout do CNES as unidades (ESTABELECIMENTOS) vêm antes. "
                        "Gere o arquivo novamente no CNES.",
                        file_name=self.file_name,
                        line=line,
                    )
                file_units.extend(payload)
            elif kind == "professionals":
                if file_units is not None:
                    units.save(file_units)
                    file_units = None
                    self.phase = "Lendo profissionais e lotações"
                professionals.save(payload)
            self._check_cancel()
            self._report_progress()
        if file_units is not None:
            units.save(file_units)
        self._check_cancel()
        if large_load.dropped_indexes:
            self.phase = "Criando os índices"
            self._report_progress(force=True)
            large_load.rebuild_indexes()
        self.phase = "Desativando o que não está no arquivo"
        self._report_progress(force=True)
        lotacoes.deactivate_missing(professionals.protected_cpfs)
        # Every write done: what follows reads the result, and peewee uses the connection itself.
        bulk.flush()
        self.phase = "Gravando o relatório"
        self._report_progress(force=True)
        self._without_agenda()
        self._finish()
        violations = large_load.violations()
        if violations:
            raise CnesImportError(
                f"A importação de {self.file_name} deixaria registros sem correspondência no banco "
                f"({violations[0]}); nada foi alterado.",
                file_name=self.file_name,
            )
        self.phase = "Concluído"
        self._report_progress(force=True)

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise ImportCancelled("Importação do CNES cancelada; nada foi alterado.")

    def _report_progress(self, force: bool = False) -> None:
        if self.progress_callback is None:
            return
        now = time.monotonic()
        if not force and now - self._last_progress < PROGRESS_INTERVAL:
            return
        self._last_progress = now
        self.progress_callback(ImportProgress(self.records, now - self.started, self.bytes_read, self.size, self.phase))

    # -- before reading -----------------------------------------------------------------------

    def _check_layout_version(self) -> None:
        last = (
            CnesImport.select(CnesImportReport.layout_version, CnesImport.imported_at)
            .join(CnesImportReport, on=(CnesImportReport.cnes_import == CnesImport.id))
            .where((CnesImport.localidade == self.loc) & (CnesImportReport.succeeded == True))
            .order_by(CnesImport.imported_at.desc(), CnesImport.id.desc())
            .objects()
            .first()
        )
        if last is None:
            return
        version = self.header.layout_version
        if _version_key(version) < _version_key(last.layout_version):
            when = last.imported_at.strftime("%d/%m/%Y") if last.imported_at else ""
            raise CnesImportError(
                f"O arquivo {self.file_name} usa o layout {version}, mais antigo que o layout "
                f"{last.layout_version} da última importação de {self.municipality.label} ({when}); "
                "gere o arquivo novamente no CNES.",
                file_name=self.file_name,
                line=self.header.line,
            )

    # -- after reading ------------------------------------------------------------------------

    def _without_agenda(self) -> None:
        """ "Profissionais com mais de uma lotação sem agenda configurada" (3.3, 3.5.5): more than one
        active lotação in the municipality, and none of them has an agenda.

        Two plain queries and a difference in Python, on purpose: right after a first import the
        tables have no statistics yet (the import's own transaction), and PostgreSQL plans a
        correlated NOT EXISTS over 150,000 lotações as a nested loop that runs for minutes."""
        mark = self.bulk.db.param
        # SQLite: "+" keeps it from walking the unit index lotação by lotação (3x slower than one
        # scan of tb_lotacao joined to units by key, with 150,000 lotações).
        unary = "" if self.bulk.pg else "+"
        here = (
            f"FROM {quoted_table(Lotacao)} l JOIN {quoted_table(HealthUnit)} u "
            f"ON u.{quoted_column(HealthUnit, 'id')} = {unary}l.{quoted_column(Lotacao, 'unit')} "
            f"WHERE l.{quoted_column(Lotacao, 'deactivated_at')} IS NULL "
            f"AND u.{quoted_column(HealthUnit, 'localidade')} = {mark}"
        )
        professional = f"l.{quoted_column(Lotacao, 'professional')}"
        query = self.bulk.query
        several = dict(
            query(f"SELECT {professional}, count(*) {here} GROUP BY {professional} HAVING count(*) > 1", (self.loc,))
        )
        if not several:
            self.report.profissionais_sem_agenda = []
            return
        for (with_agenda,) in query(
            f"SELECT DISTINCT {professional} {here} AND l.{quoted_column(Lotacao, 'role')} IN "
            f"(SELECT {quoted_column(AgendaConfig, 'entity')} FROM {quoted_table(AgendaConfig)})",
            (self.loc,),
        ):
            several.pop(with_agenda, None)
        people = self.bulk.lookup(_SQL_PROFESSIONALS_BY_ID, list(several))
        people.sort(key=lambda row: (row[2], row[1]))  # by name, then CPF
        self.report.profissionais_sem_agenda = [
            ProfessionalWithoutAgenda(cpf, name, cns, int(several[professional_id]))
            for professional_id, cpf, name, cns in people
        ]

    def _finish(self) -> None:
        """The history row as PEC keeps it (``tb_importacao_cnes``: date, who, municipality, new
        and updated counts per kind), what PEC has no column for (file, layout, the full report,
        in ``pectui.importacao_cnes``) and the audit event."""
        report = self.report
        report.duracao_segundos = round(time.monotonic() - self.started, 3)
        who = Professional.get_or_none(Professional.user == self.user_id) if self.user_id else None
        row = CnesImport.create(
            localidade=self.loc,
            professional=who.id if who else None,
            imported_at=self.now,
            units_new=report.unidades.novos,
            units_updated=report.unidades.atualizados,
            teams_new=report.equipes.novos,
            teams_updated=report.equipes.atualizados,
            professionals_new=report.profissionais.novos,
            professionals_updated=report.profissionais.atualizados,
            lotacoes_new=report.lotacoes.novos,
            lotacoes_updated=report.lotacoes.atualizados,
        )
        report.importacao_id = row.id
        CnesImportReport.create(
            cnes_import=row.id,
            user=self.user_id,
            file_name=self.file_name,
            layout_version=self.header.layout_version,
            file_date=self.header.date,
            succeeded=True,
            units=report.unidades.in_file,
            teams=report.equipes.in_file,
            professionals=report.profissionais.in_file,
            lotacoes=report.lotacoes.in_file,
            rejected=len(report.registros_nao_importados),
            report=report.to_json(),
        )
        audit.record(
            EventType.DATABASE_OPERATION,
            component=COMPONENT,
            user_id=self.user_id,
            record_type=RecordType.CNES_IMPORT,
            record_id=row.id,
            details=f"Importação do CNES {self.file_name} ({report.municipio}, layout {report.versao_layout}). "
            + report.summary(),
        )
