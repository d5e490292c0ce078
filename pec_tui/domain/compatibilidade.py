"""Compatibilidade com o PEC: what each module may do on this database, and why not.

:data:`MODULE_TABLES` is the one place that says which of PEC's tables each built module (and
the CLI jobs that share its code) reads and which it writes, written down from the domain code:
every query, update and insert of the module's domain functions, and, for a module that writes,
the audit event each write records (pec-tui's chained trail and its head, in its own schema,
:func:`pec_tui.domain.audit.record`). Keep it in step with the domain.

:func:`assess` compares those models with the tables the database really has (a
:class:`~pec_tui.storage.introspection.Catalogue`, read at open): a module whose tables or
columns are missing is unavailable; one whose writes would not fit (a column shorter than ours,
a NOT NULL column pec-tui does not fill) is read-only; otherwise it reads and writes. A column
set pec-tui does not know therefore degrades a module, never crashes it. pec-tui's own state
(:class:`~pec_tui.storage.models.OwnModel`, schema ``pectui``) never counts against PEC: its
absence is the "Esquema do pec-tui" check's business.

No Textual here; the doctor's check is :mod:`pec_tui.domain.diagnostico.compatibility`.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import Model

from pec_tui.domain.cnes import large_load
from pec_tui.storage.introspection import Catalogue, differences
from pec_tui.storage.models import (
    AccessHistory,
    ActorRole,
    AgendaConfig,
    AgendaConfigDetail,
    AuditEvent,
    Cbo,
    CboMunicipal,
    CnesImport,
    CnesImportReport,
    ConsoleSetting,
    ExamGroup,
    ExamGroupProcedure,
    HealthUnit,
    InstallationAdmin,
    InstallationMunicipality,
    JobLease,
    JobRun,
    Localidade,
    Lotacao,
    MunicipalAdmin,
    MunicipalAgendaConfig,
    OwnModel,
    Procedure,
    Professional,
    ProfessionalCnsHistory,
    RndsConfig,
    ServiceToggle,
    ServiceType,
    State,
    SystemConfig,
    Team,
    TeamType,
    UnitServiceType,
    UnitType,
    User,
)

FULL = "full"
READ_ONLY = "read_only"
UNAVAILABLE = "unavailable"

#: What the check says of each state (a module that only reads says so when it is whole).
STATE_LABELS = {FULL: "leitura e escrita", READ_ONLY: "somente leitura", UNAVAILABLE: "indisponível"}
READ_ONLY_MODULE_LABEL = "disponível (só consulta)"
NO_TABLES_LABEL = "não usa o banco"

#: Every write is audited in the same transaction: the event and the chain head (both own).
AUDIT = (AuditEvent, ConsoleSetting)


@dataclass(frozen=True)
class ModuleTables:
    """The models a module reads (its screens and reports) and writes (its changes, with their
    audit). A model it changes and also shows is in both."""

    key: str  # the module's key in pec_tui.modules, or the CLI job's
    title: str
    reads: tuple[type[Model], ...]
    writes: tuple[type[Model], ...] = ()


#: Per built module (``screen`` set in :mod:`pec_tui.modules`), the console's entry and the CLI
#: job ``status``; ``pec-tui cnes import`` runs the CNES module's code.
MODULE_TABLES: tuple[ModuleTables, ...] = (
    ModuleTables(
        # domain/accounts.py: authenticate, load_logged_user, change_password; settings.security.
        "entrada",
        "Entrada no console",
        reads=(User, Professional, ActorRole, InstallationAdmin, MunicipalAdmin, Localidade, State, SystemConfig),
        writes=(User, AccessHistory, *AUDIT),
    ),
    ModuleTables(
        # domain/cbo.py: search, set_available, set_appointment_minutes (settings in tb_cbo_atend).
        "cbo",
        "CBO",
        reads=(Cbo, CboMunicipal),
        writes=(CboMunicipal, *AUDIT),
    ),
    ModuleTables(
        # domain/cnes/: importer (municipality), run (history, lotações without agenda), units,
        # professionals, lotacoes, large_load, report (history and its screen).
        "cnes",
        "CNES",
        reads=(
            Localidade,
            State,
            InstallationMunicipality,
            CnesImport,
            CnesImportReport,
            UnitType,
            TeamType,
            HealthUnit,
            Team,
            User,
            Professional,
            ProfessionalCnsHistory,
            ActorRole,
            Cbo,
            Lotacao,
            AgendaConfig,
        ),
        writes=(*large_load.WRITTEN_TABLES, *AUDIT),  # the import's own list, and the audit's
    ),
    ModuleTables(
        # domain/configuracoes/: settings (conexão, segurança, servidores, avançadas), service
        # toggles, municipalities and their responsible (installation.add_municipal_admin).
        "configuracoes",
        "Configurações da instalação",
        reads=(
            SystemConfig,
            ConsoleSetting,
            ServiceToggle,
            User,
            Professional,
            ActorRole,
            InstallationAdmin,
            MunicipalAdmin,
            InstallationMunicipality,
            Localidade,
            State,
        ),
        writes=(
            SystemConfig,
            ConsoleSetting,
            ServiceToggle,
            User,
            ActorRole,
            MunicipalAdmin,
            InstallationMunicipality,
            *AUDIT,
        ),
    ),
    ModuleTables(
        # domain/unidades_saude.py: only reads (everything comes from the CNES import).
        "unidades_saude",
        "Unidades de saúde",
        reads=(
            HealthUnit,
            UnitType,
            Localidade,
            State,
            ServiceType,
            UnitServiceType,
            Team,
            TeamType,
            Lotacao,
            Professional,
            Cbo,
        ),
    ),
    ModuleTables(
        # domain/diagnostico/: facts (settings), blocked users, shared CNS, service toggles.
        "diagnostico",
        "Diagnóstico do servidor",
        reads=(SystemConfig, ConsoleSetting, User, Professional, ProfessionalCnsHistory, ServiceToggle),
    ),
    ModuleTables(
        # domain/certificados.py: the chaves folder's files; which one Configuração RNDS uses
        # (tb_cfg_rnds, read when the table exists); each change audited.
        "certificados",
        "Certificados (pasta chaves)",
        reads=(RndsConfig,),
        writes=AUDIT,
    ),
    ModuleTables(
        # domain/gestao_municipal/: rnds (tb_cfg_rnds), agenda_padrao (tb_cfg_agenda and its
        # periods, tb_cfg_agenda_municipal), grupos_exames (tb_grupo_exame, rl_proced_grupo_exame,
        # the shipped exams in tb_proced), tipos_servico (tb_tipo_servico, units offering each);
        # the municipal administrator's role. RNDS, the agenda's periods and the exam groups are
        # written only on pec-tui's own database (see each file's text).
        "gestao_municipal",
        "Gestão municipal",
        reads=(
            RndsConfig,
            MunicipalAdmin,
            ActorRole,
            Professional,
            Localidade,
            SystemConfig,
            AgendaConfig,
            AgendaConfigDetail,
            MunicipalAgendaConfig,
            Procedure,
            ExamGroup,
            ExamGroupProcedure,
            ServiceType,
            UnitServiceType,
        ),
        writes=(
            RndsConfig,
            AgendaConfig,
            AgendaConfigDetail,
            MunicipalAgendaConfig,
            ExamGroup,
            ExamGroupProcedure,
            ServiceType,
            *AUDIT,
        ),
    ),
    ModuleTables(
        # domain/tarefas/: job runs and leases; the jobs' own writes (the connection timers write
        # CADSUSHABILITADO/HORUSHABILITADO back, as Configurações does), the audit events.
        "tarefas",
        "Tarefas agendadas",
        reads=(
            SystemConfig,
            ConsoleSetting,
            ServiceToggle,
            JobRun,
            JobLease,
            InstallationAdmin,
            ActorRole,
            Professional,
        ),
        writes=(SystemConfig, ServiceToggle, JobRun, JobLease, *AUDIT),
    ),
    # domain/log.py reads webserver/logs/pec.log, no table.
    ModuleTables("log", "Log do PEC", reads=()),
    ModuleTables(
        # domain/status.py: settings, municipalities, last CNES import, counts, jobs.
        "status",
        "pec-tui status",
        reads=(
            SystemConfig,
            InstallationMunicipality,
            Localidade,
            State,
            CnesImport,
            HealthUnit,
            Team,
            Professional,
            Lotacao,
            User,
            JobRun,
        ),
    ),
)

BY_KEY = {module.key: module for module in MODULE_TABLES}


def is_own_table(model: type[Model]) -> bool:
    return issubclass(model, OwnModel)


def is_own_database(catalogue: Catalogue) -> bool:
    """A database pec-tui made (the embedded SQLite, the demo, one made by ``pec-tui init``):
    PEC's tables there are the models themselves."""
    return catalogue.own_database or not (catalogue.is_pec or catalogue.has_pec_tables)


@dataclass(frozen=True)
class ModuleAccess:
    key: str
    title: str
    state: str  # FULL | READ_ONLY | UNAVAILABLE
    writes: bool  # the module writes at all
    reads: bool = True  # the module reads any table at all
    #: Why it cannot read (missing tables and columns) and why it cannot write, in Portuguese.
    read_gaps: tuple[str, ...] = ()
    write_gaps: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        if self.state == FULL and not self.writes:
            return READ_ONLY_MODULE_LABEL if self.reads else NO_TABLES_LABEL
        return STATE_LABELS[self.state]

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the module is not whole: what it cannot read, else what it cannot write."""
        if self.state == UNAVAILABLE:
            return self.read_gaps
        if self.state == READ_ONLY:
            return self.write_gaps
        return ()


@dataclass(frozen=True)
class Compatibility:
    own_database: bool
    pec_version: str | None
    modules: tuple[ModuleAccess, ...]

    def of(self, key: str) -> ModuleAccess:
        return next(module for module in self.modules if module.key == key)

    def count(self, state: str) -> int:
        return sum(1 for module in self.modules if module.state == state)


def assess(catalogue: Catalogue, modules: tuple[ModuleTables, ...] = MODULE_TABLES) -> Compatibility:
    """Per module, whether it reads and writes, only reads, or cannot work on this database."""
    if is_own_database(catalogue):
        return Compatibility(
            True,
            catalogue.pec_version,
            tuple(
                ModuleAccess(module.key, module.title, FULL, bool(module.writes), bool(module.reads))
                for module in modules
            ),
        )
    return Compatibility(False, catalogue.pec_version, tuple(_assess_module(catalogue, module) for module in modules))


def _assess_module(catalogue: Catalogue, module: ModuleTables) -> ModuleAccess:
    read_gaps: list[str] = []
    for model in _pec_models(module.reads):
        read_gaps += _missing(catalogue, model)
    write_gaps: list[str] = []
    for model in _pec_models(module.writes):
        write_gaps += differences(catalogue, model)
    if read_gaps:
        state = UNAVAILABLE
    elif write_gaps:
        state = READ_ONLY
    else:
        state = FULL
    return ModuleAccess(
        module.key, module.title, state, bool(module.writes), bool(module.reads), tuple(read_gaps), tuple(write_gaps)
    )


def _pec_models(models) -> list[type[Model]]:
    """PEC's models among ``models``, each once, in order."""
    seen: dict[str, type[Model]] = {}
    for model in models:
        if not is_own_table(model):
            seen.setdefault(model._meta.table_name, model)
    return list(seen.values())


def _missing(catalogue: Catalogue, model: type[Model]) -> list[str]:
    """What a read of ``model`` would miss: the table, or columns the model selects."""
    table = model._meta.table_name
    columns = catalogue.columns(table)
    if columns is None:
        return [f"a tabela {table} não existe neste banco"]
    return [
        f"{table}.{field.column_name} não existe neste banco"
        for field in model._meta.sorted_fields
        if field.column_name not in columns
    ]


def require_writable(key: str) -> None:
    """Refuse a module's write where this PEC's tables differ from what pec-tui writes (a column
    missing, shorter, or a new NOT NULL one): the write is not offered rather than guessed. The
    catalogue is read once per opened database."""
    from pec_tui.core.errors import PecError
    from pec_tui.storage.database import current_database
    from pec_tui.storage.introspection import read_catalogue

    db = current_database()
    found: Compatibility | None = db.__dict__.get("_pectui_compatibility")
    if found is None:
        found = db.__dict__["_pectui_compatibility"] = assess(read_catalogue(db))
    access = found.of(key)
    if access.state == FULL or not access.writes:
        return
    reasons = "; ".join(access.reasons[:3]) + ("; …" if len(access.reasons) > 3 else "")
    raise PecError(
        f"{access.title}: nesta versão do PEC o pec-tui não grava ({reasons}); as consultas continuam. "
        "'pec-tui doctor' mostra o que difere."
    )
