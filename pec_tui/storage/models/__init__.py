"""Peewee models: PEC's tables as PEC defines them, and pec-tui's own.

Tables that PEC has keep PEC's names (``tb_*``, ``rl_*``), columns, types, lengths and
nullability — every ``st_*`` flag an integer 0/1 (:class:`~pec_tui.storage.fields.FlagField`),
every key a ``bigint`` drawn from PEC's sequence (:mod:`pec_tui.storage.sequences`). Python
attribute names are English; PEC nouns with no English twin (cnes, ine, cbo, lotacao) stay.
A column PEC has and pec-tui never uses may be left out of a model only when it is nullable.

What PEC has no table or column for lives in pec-tui's own tables (:class:`.base.OwnModel`):
schema ``pectui`` on PostgreSQL, ``pectui_*`` tables on SQLite.

The models are bound to :data:`database_proxy`; :func:`pec_tui.storage.database.open_database`
initialises it and places the own tables. On a PEC installation only the own tables are created
(by :mod:`pec_tui.storage.migrations`); on pec-tui's embedded database, PEC's tables too.

Import models from here (``from pec_tui.storage.models import User``): importing the package
defines every model, and with them every backref.
"""

from __future__ import annotations

from peewee import PostgresqlDatabase

from pec_tui.storage.models.accounts import (
    ActorRole,
    CouncilClass,
    InstallationAdmin,
    MunicipalAdmin,
    Professional,
    ProfessionalCnsHistory,
    User,
)
from pec_tui.storage.models.audit import AccessHistory, AuditEvent, PecAuditEvent
from pec_tui.storage.models.base import OWN_SCHEMA, BaseModel, ForeignKeyField, OwnModel, bind_backend
from pec_tui.storage.models.console import JobLease, JobRun, SchemaVersion, ServiceToggle
from pec_tui.storage.models.installation import (
    ConsoleSetting,
    Country,
    InstallationMunicipality,
    Localidade,
    LocalidadeSituation,
    LocalidadeType,
    State,
    SystemConfig,
)
from pec_tui.storage.models.municipal import (
    AgendaConfigDetail,
    DayOfWeek,
    ExamGroup,
    ExamGroupProcedure,
    Period,
    Procedure,
)
from pec_tui.storage.models.rnds import RndsConfig
from pec_tui.storage.models.units import (
    AgendaConfig,
    Cbo,
    CboMunicipal,
    CnesImport,
    CnesImportReport,
    Complexity,
    HealthUnit,
    Lotacao,
    MunicipalAgendaConfig,
    Process,
    ServiceType,
    Team,
    TeamType,
    UnitComplexity,
    UnitServiceType,
    UnitType,
)
from pec_tui.storage.proxy import database_proxy

#: PEC's tables pec-tui models, in dependency order (creation order on the embedded database).
PEC_MODELS: tuple[type[BaseModel], ...] = (
    SystemConfig,
    Country,
    State,
    LocalidadeType,
    LocalidadeSituation,
    Localidade,
    User,
    CouncilClass,
    Professional,
    ActorRole,
    InstallationAdmin,
    MunicipalAdmin,
    Cbo,
    CboMunicipal,
    MunicipalAgendaConfig,
    UnitType,
    HealthUnit,
    Complexity,
    UnitComplexity,
    ServiceType,
    UnitServiceType,
    TeamType,
    Team,
    Lotacao,
    AgendaConfig,
    Process,
    CnesImport,
    PecAuditEvent,
    RndsConfig,
    DayOfWeek,
    Period,
    AgendaConfigDetail,
    Procedure,
    ExamGroup,
    ExamGroupProcedure,
)

#: pec-tui's own tables (schema ``pectui`` / ``pectui_*``), in creation order.
OWN_MODELS: tuple[type[OwnModel], ...] = (
    SchemaVersion,
    ConsoleSetting,
    InstallationMunicipality,
    ProfessionalCnsHistory,
    CnesImportReport,
    AuditEvent,
    AccessHistory,
    ServiceToggle,
    JobRun,
    JobLease,
)

#: Every model.
ALL_MODELS: tuple[type[BaseModel], ...] = PEC_MODELS + OWN_MODELS

# SQLite names until a PostgreSQL database is bound; then placed again on every bind (open_database,
# or a test binding a database it opened itself).
bind_backend(postgres=False)
database_proxy.attach_callback(
    lambda db: bind_backend(postgres=isinstance(db, PostgresqlDatabase)) if db is not None else None
)

__all__ = [
    "ALL_MODELS",
    "OWN_MODELS",
    "OWN_SCHEMA",
    "PEC_MODELS",
    "AccessHistory",
    "ActorRole",
    "AgendaConfig",
    "AgendaConfigDetail",
    "AuditEvent",
    "BaseModel",
    "Cbo",
    "CboMunicipal",
    "CnesImport",
    "CnesImportReport",
    "Complexity",
    "ConsoleSetting",
    "CouncilClass",
    "Country",
    "DayOfWeek",
    "ExamGroup",
    "ExamGroupProcedure",
    "ForeignKeyField",
    "HealthUnit",
    "InstallationAdmin",
    "InstallationMunicipality",
    "JobLease",
    "JobRun",
    "Localidade",
    "LocalidadeSituation",
    "LocalidadeType",
    "Lotacao",
    "MunicipalAdmin",
    "MunicipalAgendaConfig",
    "OwnModel",
    "PecAuditEvent",
    "Period",
    "Procedure",
    "Process",
    "Professional",
    "ProfessionalCnsHistory",
    "RndsConfig",
    "SchemaVersion",
    "ServiceToggle",
    "ServiceType",
    "State",
    "SystemConfig",
    "Team",
    "TeamType",
    "UnitComplexity",
    "UnitServiceType",
    "UnitType",
    "User",
    "bind_backend",
    "database_proxy",
]
