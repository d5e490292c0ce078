"""What a large CNES import switches off while it writes, and puts back and checks before commit.

A first import writes ~600,000 rows; two per-row costs then dominate, and both can be paid once,
set-based, instead (the engines are in :mod:`pec_tui.storage.bulk`):

* PostgreSQL: the foreign-key checks of the big tables (about 10 µs per row and key, most of a
  first import's time) are suspended for the rest of the import and validated before commit
  (:mod:`pec_tui.storage.bulk.fk_checks`);
* SQLite: the secondary indexes of the big tables are dropped and built again once the file is
  read (inserting each row into 12 indexes at random places was about a third of a first import;
  :mod:`pec_tui.storage.bulk.sqlite`) — only when no lookup needs them meanwhile, that is, when
  the installation's professionals and users were read whole at the start. (SQLite's foreign
  keys are checked once before commit on every import, large or not, when the connection enforces
  them: :func:`pec_tui.storage.bulk.writer.foreign_keys_at_end`.)

The switch is taken at the first batch with :data:`SUSPEND_AT` new rows: below it the per-row
checks cost less than validating the whole tables.
"""

from __future__ import annotations

from collections.abc import Sequence

from pec_tui.storage.bulk.fk_checks import ForeignKeyViolation, SuspendedChecks
from pec_tui.storage.bulk.writer import BulkWriter
from pec_tui.storage.models import (
    ActorRole,
    AuditEvent,
    CnesImport,
    CnesImportReport,
    Complexity,
    CouncilClass,
    HealthUnit,
    Lotacao,
    Professional,
    ProfessionalCnsHistory,
    Team,
    TeamType,
    UnitComplexity,
    UnitType,
    User,
)

SUSPEND_AT = 1_000
"""New rows (professionals and lotações) in one batch from which a large load begins."""
#: PostgreSQL: the tables whose foreign-key checks are suspended.
SUSPENDED_TABLES = (Professional, ActorRole, Lotacao)  # pec-tui's own CNS history has no foreign key
#: SQLite: the tables whose secondary indexes are dropped and built again.
INDEXED_TABLES = (User, Professional, ProfessionalCnsHistory, ActorRole, Lotacao)
#: SQLite: every table an import writes; their foreign keys are checked once before commit.
WRITTEN_TABLES = (
    UnitType,
    TeamType,
    Complexity,
    HealthUnit,
    UnitComplexity,
    Team,
    User,
    CouncilClass,
    Professional,
    ProfessionalCnsHistory,
    ActorRole,
    Lotacao,
    CnesImport,
    CnesImportReport,
    CnesImportReport,
    AuditEvent,
)


class LargeLoad:
    """One import's shortcuts: taken at most once (:meth:`consider`), undone before commit."""

    def __init__(self, bulk: BulkWriter, *, foreign_keys_at_end: bool, own_database: bool = True) -> None:
        self.bulk = bulk
        # On a PEC installation PEC's tables keep their own constraints and triggers as they are:
        # nothing is suspended there (the rows are checked as they are written).
        self.own_database = own_database
        self.foreign_keys_at_end = foreign_keys_at_end  # SQLite: checked by violations()
        self.decided = False  # the first large batch came (whether the switch could be taken or not)
        self.suspended: SuspendedChecks | None = None  # PostgreSQL
        self.dropped_indexes: list[tuple[str, str]] = []  # SQLite: (name, CREATE INDEX statement)

    def consider(self, new_rows: int, *, indexes_needed: bool) -> None:
        """Before a batch of ``new_rows`` new rows is written: the first one with
        :data:`SUSPEND_AT` or more begins the large load (on SQLite, unless the import still needs
        the indexes for its lookups)."""
        if self.decided or new_rows < SUSPEND_AT or not self.own_database:
            return
        self.decided = True
        if self.bulk.pg:
            self.suspended = self.bulk.suspend_checks(SUSPENDED_TABLES)
        elif not indexes_needed:
            self.dropped_indexes = self.bulk.drop_indexes(INDEXED_TABLES)

    def rebuild_indexes(self) -> None:
        """Once every row is written: the dropped indexes built again (a ``UNIQUE`` one refuses a
        repeated key as the row-by-row inserts would have)."""
        if self.dropped_indexes:
            self.bulk.recreate_indexes(self.dropped_indexes)
            self.dropped_indexes = []

    def violations(self) -> Sequence[ForeignKeyViolation]:
        """Last, just before commit: the suspended checks enabled again and validated, or SQLite's
        keys checked; the violations found (none: the import may commit)."""
        if self.suspended is not None:
            return self.bulk.validate_checks(self.suspended)
        if self.foreign_keys_at_end:
            return self.bulk.foreign_key_violations(WRITTEN_TABLES)
        return []
