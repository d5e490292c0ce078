"""Peewee models for the whole administration domain.

Tables that PEC itself has keep PEC's names (``tb_*``, ``rl_*``) and PEC's column names, so an
administrator who knows PEC's SQL recognises every one. Python attribute names are English; PEC
nouns with no English twin (cnes, ine, cbo, lotacao) stay. What PEC has no table for lives in
tables of our own, prefixed ``pectui_``.

The models are bound to :data:`database_proxy`; :func:`pec_tui.storage.database.open_database`
initialises it. The schema is created and evolved only by :mod:`pec_tui.storage.migrations`.

One file per manual chapter or area, in dependency order (a file's foreign keys point only at
the files above it): :mod:`.base`, :mod:`.installation`, :mod:`.accounts`, :mod:`.units`,
:mod:`.profiles`, :mod:`.agenda`, :mod:`.municipal`, :mod:`.citizens`, :mod:`.transmission`,
:mod:`.audit`, :mod:`.console`. Import models from here (``from pec_tui.storage.models import
User``): importing the package defines every model, and with them every backref.
"""

from __future__ import annotations

from pec_tui.storage.models.accounts import (
    ActorRole,
    InstallationAdmin,
    MunicipalAdmin,
    MunicipalManager,
    Professional,
    ProfessionalCnsHistory,
    StateManager,
    User,
)
from pec_tui.storage.models.agenda import AgendaClosure, DefaultAgenda, LotacaoAgenda
from pec_tui.storage.models.audit import AccessHistory, AuditEvent, AuditTrailExport
from pec_tui.storage.models.base import BaseModel, ForeignKeyField
from pec_tui.storage.models.citizens import (
    Citizen,
    Immunobiological,
    ImmunobiologicalLot,
    ImmunobiologicalManufacturer,
    Vaccination,
)
from pec_tui.storage.models.console import Job, JobRun, SchemaVersion, ServiceToggle
from pec_tui.storage.models.installation import InstallationMunicipality, Localidade, State, SystemConfig
from pec_tui.storage.models.municipal import Certificate, CertificateConfig, Exam, ExamGroup, ExamGroupExam
from pec_tui.storage.models.profiles import CboDefaultProfile, Profile, ProfileResource, Resource, RoleProfile
from pec_tui.storage.models.transmission import (
    BatchDelivery,
    Node,
    ReceivedBatch,
    ReceivedItem,
    ReceivedItemError,
    SendBatch,
    SendBatchItem,
    TransportRecord,
)
from pec_tui.storage.models.units import (
    Cbo,
    CnesImport,
    HealthUnit,
    Lotacao,
    ServiceType,
    Team,
    TeamType,
    UnitServiceType,
    UnitType,
)
from pec_tui.storage.proxy import database_proxy

#: Every model, in dependency order (creation order; reverse for dropping).
ALL_MODELS: tuple[type[BaseModel], ...] = (
    SystemConfig,
    State,
    Localidade,
    InstallationMunicipality,
    User,
    Professional,
    ProfessionalCnsHistory,
    ActorRole,
    InstallationAdmin,
    MunicipalAdmin,
    MunicipalManager,
    StateManager,
    Cbo,
    UnitType,
    HealthUnit,
    ServiceType,
    UnitServiceType,
    TeamType,
    Team,
    Lotacao,
    Profile,
    Resource,
    ProfileResource,
    RoleProfile,
    CboDefaultProfile,
    DefaultAgenda,
    LotacaoAgenda,
    AgendaClosure,
    Exam,
    ExamGroup,
    ExamGroupExam,
    CertificateConfig,
    Certificate,
    Citizen,
    Immunobiological,
    ImmunobiologicalManufacturer,
    ImmunobiologicalLot,
    Vaccination,
    CnesImport,
    Node,
    TransportRecord,
    SendBatch,
    SendBatchItem,
    BatchDelivery,
    ReceivedBatch,
    ReceivedItem,
    ReceivedItemError,
    AuditEvent,
    AccessHistory,
    AuditTrailExport,
    ServiceToggle,
    Job,
    JobRun,
    SchemaVersion,
)

__all__ = [
    "ALL_MODELS",
    "AccessHistory",
    "ActorRole",
    "AgendaClosure",
    "AuditEvent",
    "AuditTrailExport",
    "BaseModel",
    "BatchDelivery",
    "Cbo",
    "CboDefaultProfile",
    "Certificate",
    "CertificateConfig",
    "Citizen",
    "CnesImport",
    "DefaultAgenda",
    "Exam",
    "ExamGroup",
    "ExamGroupExam",
    "ForeignKeyField",
    "HealthUnit",
    "Immunobiological",
    "ImmunobiologicalLot",
    "ImmunobiologicalManufacturer",
    "InstallationAdmin",
    "InstallationMunicipality",
    "Job",
    "JobRun",
    "Localidade",
    "Lotacao",
    "LotacaoAgenda",
    "MunicipalAdmin",
    "MunicipalManager",
    "Node",
    "Professional",
    "ProfessionalCnsHistory",
    "Profile",
    "ProfileResource",
    "ReceivedBatch",
    "ReceivedItem",
    "ReceivedItemError",
    "Resource",
    "RoleProfile",
    "SchemaVersion",
    "SendBatch",
    "SendBatchItem",
    "ServiceToggle",
    "ServiceType",
    "State",
    "StateManager",
    "SystemConfig",
    "Team",
    "TeamType",
    "TransportRecord",
    "UnitServiceType",
    "UnitType",
    "User",
    "Vaccination",
    "database_proxy",
]
