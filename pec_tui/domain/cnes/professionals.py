"""The file's professionals against the installation's (manual 3.3, one CNES import).

Professionals come from the reader in batches (:data:`pec_tui.domain.cnes.importer.CHUNK`), CPF
and CNS check digits already checked there. For each batch :meth:`Professionals.save`:

* refuses a professional without a valid CPF, CNS or name, or whose CPF the file repeats (their
  existing lotações are then left as they were); their lotações are checked as they are read
  (:meth:`pec_tui.domain.cnes.lotacoes.Lotacoes.accept`);
* finds those the installation already has, by CPF, with at most one query per batch (none
  when the installation had few and they were read whole at the start, or for a CPF it does not
  know at all, which is every professional of a first import);
* gives a new professional a user whose login is the CPF, without password and with a forced
  change (an existing login without professional is linked instead; one that belongs to another
  professional is not taken);
* keeps a CNS with one professional only: a CNS that already belongs to someone else is not
  shared (a warning); a new CNS goes to ``tb_prof_historico_cns``;
* writes new professionals and only the columns that changed of known ones (the file wins where
  it has a value; what it leaves blank is kept), then the batch's lotações.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pec_tui.core.validators import format_cpf
from pec_tui.domain.cnes.large_load import LargeLoad
from pec_tui.domain.cnes.lotacoes import FileLotacao, Lotacoes
from pec_tui.domain.cnes.parser import PROFESSIONAL_TAG
from pec_tui.domain.cnes.reader import ProfessionalRecord
from pec_tui.domain.cnes.report import KIND_PROFESSIONAL, ImportReport
from pec_tui.domain.installation import is_own_database
from pec_tui.storage.bulk.writer import BulkWriter, iso_date, quoted_column, quoted_table
from pec_tui.storage.models import CouncilClass, Professional, ProfessionalCnsHistory, State, User
from pec_tui.storage.search import filter_form

_PRELOAD_AT_MOST = 5_000
"""Professionals and users (each) an installation may have for them to be read whole at the start
rather than looked up batch by batch."""

_SEX = {"F": "FEMININO", "M": "MASCULINO"}
_SHARED = -1  # owner of a CNS that two professionals already hold (a known field problem)
_TAKEN = -1  # linked professional of a login given to a professional of this import

#: The columns of tb_prof the import compares and updates, in the order of its comparison tuples.
_PROFESSIONAL_UPDATE = (
    "user",
    "cns",
    "name",
    "name_filter",
    "birth_date",
    "sex",
    "council",
    "council_state",
    "council_registry",
    "email",
    "phone",
)
# Columns every new row of these tables gets, written as constants instead of once per row.
_NEW_USER = {
    "password_hash": None,
    "blocked": False,
    "failed_attempts": 0,
    "must_change_password": True,
    "change_password": True,
}
_NEW_PROFESSIONAL: dict[str, Any] = {}


#: What the import reads of a professional the installation already has, in this order: the
#: ``KnownProfessional`` rows (plain tuples, unpacked by name where read). After CPF and id, the
#: columns it compares and updates (:data:`_PROFESSIONAL_UPDATE`).
_KNOWN_PROFESSIONAL = ("cpf", "id", *_PROFESSIONAL_UPDATE)
KnownProfessional = tuple[
    str,
    int,
    int | None,
    str | None,
    str,
    str,
    Any,
    str | None,
    int | None,
    int | None,
    str | None,
    str | None,
    str | None,
]
"""A row of :data:`_KNOWN_PROFESSIONAL` (the birth date as the driver returns it: compare it
through :func:`~pec_tui.storage.bulk.writer.iso_date`)."""

_SQL_PROFESSIONALS = (
    "SELECT "
    + ", ".join(quoted_column(Professional, name) for name in _KNOWN_PROFESSIONAL)
    + f" FROM {quoted_table(Professional)}"
)
_SQL_PROFESSIONALS_BY_CPF = _SQL_PROFESSIONALS + f" WHERE {quoted_column(Professional, 'cpf')} IN {{keys}}"
# (login, user id, id of the professional linked to it or None)
_SQL_USERS = (
    f"SELECT u.{quoted_column(User, 'login')}, u.{quoted_column(User, 'id')}, p.{quoted_column(Professional, 'id')} "
    f"FROM {quoted_table(User)} u LEFT OUTER JOIN {quoted_table(Professional)} p "
    f"ON p.{quoted_column(Professional, 'user')} = u.{quoted_column(User, 'id')}"
)
_SQL_USERS_BY_LOGIN = _SQL_USERS + f" WHERE u.{quoted_column(User, 'login')} IN {{keys}}"


class Professionals:
    """One import's professionals: the installation's keys, and the file's as they are read."""

    def __init__(self, bulk: BulkWriter, report: ImportReport, lotacoes: Lotacoes, large_load: LargeLoad) -> None:
        self.bulk = bulk
        self.report = report
        self.lotacoes = lotacoes
        self.large_load = large_load
        # Filled by load().
        self.councils: set[str] = set()  # tb_conselho_classe keys (as the file's CONSELHO_ID text)
        self.may_add_councils = is_own_database()
        self.states: dict[str, int] = {}  # UF acronym -> tb_uf key
        self.known_cpfs: set[str] = set()
        self.known_logins: set[str] = set()
        self.cns_owner: dict[str, int] = {}  # CNS -> professional id, or _SHARED
        self.cns_in_history: set[str] = set()  # CNS that have their tb_prof_historico_cns row
        # The installation's professionals by CPF and users by login, when few (read whole).
        self.known_by_cpf: dict[str, KnownProfessional] | None = None
        self.users_by_login: dict[str, tuple[str, int, int | None]] | None = None  # _SQL_USERS rows
        # Filled as the file is read.
        self.file_cpfs: set[str] = set()
        self.file_cns: dict[str, str] = {}  # CNS -> CPF of the first professional of the file holding it
        self.protected_cpfs: set[str] = set()  # refused professionals: their lotações stay as they are

    # -- before reading -----------------------------------------------------------------------

    def load(self) -> None:
        """Every CPF and login the installation already has (keys only), and who owns each CNS:
        a professional whose CPF is unknown needs no lookup at all (every professional of a
        first import)."""
        query = self.bulk.query
        self.councils = {str(key) for (key,) in self.bulk.rows(CouncilClass.select(CouncilClass.id))}
        self.states = {acronym: key for key, acronym in self.bulk.rows(State.select(State.id, State.acronym))}
        cpf, cns, professional = (quoted_column(Professional, name) for name in ("cpf", "cns", "id"))
        self.known_cpfs = {number for (number,) in query(f"SELECT {cpf} FROM {quoted_table(Professional)}")}
        # Who owns each CNS (one professional, or _SHARED when two already do), and which CNS
        # already have their history row: a CNS check needs no query per batch.
        owners = query(
            f"SELECT {cns}, {professional}, 0 FROM {quoted_table(Professional)} WHERE {cns} IS NOT NULL "
            f"UNION ALL SELECT {quoted_column(ProfessionalCnsHistory, 'cns')}, "
            f"{quoted_column(ProfessionalCnsHistory, 'professional')}, 1 FROM {quoted_table(ProfessionalCnsHistory)}"
        )
        for number, professional_id, in_history in owners:
            owner = self.cns_owner.get(number)
            self.cns_owner[number] = professional_id if owner in (None, professional_id) else _SHARED
            if in_history:
                self.cns_in_history.add(number)
        self.known_logins = {
            login for (login,) in query(f"SELECT {quoted_column(User, 'login')} FROM {quoted_table(User)}")
        }
        if len(self.known_cpfs) <= _PRELOAD_AT_MOST and len(self.known_logins) <= _PRELOAD_AT_MOST:
            # Few: read them whole now rather than look them up batch by batch. (A batch only ever
            # looks up its own CPFs, which no earlier batch touched: the rows read now are the
            # rows a lookup would find then.) Keyed by their first column: the CPF, the login.
            self.known_by_cpf = {row[0]: row for row in query(_SQL_PROFESSIONALS)}
            self.users_by_login = {row[0]: row for row in query(_SQL_USERS)}

    # -- one batch ----------------------------------------------------------------------------

    def save(self, chunk: list[tuple]) -> None:
        """One batch of professionals with their lotações, each a plain tuple with the fields of
        :class:`~pec_tui.domain.cnes.reader.ProfessionalRecord`.

        This runs for every professional of the file, so the per-record tuples (these records,
        :data:`KnownProfessional`, :data:`~pec_tui.domain.cnes.lotacoes.FileLotacao`…) stay plain
        tuples, unpacked into named locals where they are read (``_`` for a field not used there):
        as ``NamedTuple`` instances read by attribute, each read costs about ten times as much, and
        a whole import ran 5% (first import) to 9% (re-import) more instructions (callgrind)."""
        bulk = self.bulk
        report = self.report
        counts = report.profissionais
        file_cpfs = self.file_cpfs
        accept_lotacoes = self.lotacoes.accept
        accepted: list[tuple[tuple, list[FileLotacao]]] = []  # (record, its accepted lotações)
        cpfs: list[str] = []  # theirs
        for record in chunk:
            _, name, cpf, _, _, _, _, _, _, _, lotacoes, line, problems, cpf_valid, cns_valid, too_long = record
            if too_long or not (cpf_valid and cns_valid and name and cpf not in file_cpfs):
                reason = self._problem(ProfessionalRecord._make(record))
                report.reject(KIND_PROFESSIONAL, cpf, name, reason, PROFESSIONAL_TAG, line)
                if cpf_valid:
                    self.protected_cpfs.add(cpf)
                continue
            file_cpfs.add(cpf)
            for problem in problems:
                report.warn(KIND_PROFESSIONAL, cpf, name, problem, PROFESSIONAL_TAG, line)
            accepted.append((record, accept_lotacoes(cpf, name, lotacoes)))
            cpfs.append(cpf)
        if not accepted:
            return

        # What already exists: professionals by CPF and users by login (CNS owners are in memory).
        existing: dict[str, KnownProfessional] = {}
        known_cpfs = [cpf for cpf in cpfs if cpf in self.known_cpfs]
        if known_cpfs:
            by_cpf = self.known_by_cpf
            if by_cpf is not None:
                existing = {cpf: by_cpf[cpf] for cpf in known_cpfs if cpf in by_cpf}
            else:
                found = bulk.lookup(_SQL_PROFESSIONALS_BY_CPF, known_cpfs)
                existing = {row[0]: row for row in found}  # by CPF, the first column
        # Professionals without a user: those the installation lacks, and those it has without one.
        with_user = {cpf for cpf, known in existing.items() if known[2] is not None}
        without_user = [cpf for cpf in cpfs if cpf not in with_user]
        users: dict[str, tuple[int, int | None]] = {}  # login -> (user id, linked professional id)
        known_logins = self.known_logins
        need_user = [cpf for cpf in without_user if cpf in known_logins]
        if need_user:
            by_login = self.users_by_login
            found = (
                [by_login[cpf] for cpf in need_user if cpf in by_login]
                if by_login is not None
                else bulk.lookup(_SQL_USERS_BY_LOGIN, need_user)
            )
            for login, user_id, linked in found:
                users[login] = (user_id, linked)
        # Ids for the new professionals and for the new users (a professional without a user whose
        # login is free), drawn at once.
        new_ids = iter(bulk.ids(Professional, len(cpfs) - len(existing)))
        new_user_ids = iter(bulk.ids(User, sum(1 for cpf in without_user if cpf not in users)))

        user_rows: list[tuple] = []
        professional_rows: list[tuple] = []
        # Updates grouped by the columns that changed: an UPDATE that sets an indexed column, even
        # to the same value, rewrites its index entries (SQLite), so only what changed is set.
        professional_updates: dict[tuple[int, ...], list[tuple]] = {}
        history_rows: list[tuple] = []
        cns_in_history, cns_owner, file_cns = self.cns_in_history, self.cns_owner, self.file_cns
        councils, states = self.councils, self.states
        lotacao_work: list[tuple[int, str, list[FileLotacao]]] = []  # (professional id, name, lotações)
        for record, lots in accepted:
            cns, name, cpf, birth, sex, council_code, council_uf, registry, email, phone, _, line, _, _, _, _ = record
            # The council as PEC keys it (on a PEC installation a code tb_conselho_classe lacks is
            # left out; on pec-tui's own database the file's code is added), and its UF.
            if council_code and council_code not in councils and self.may_add_councils and council_code.isdigit():
                self._add_council(council_code)
            council_id = int(council_code) if council_code in councils else None
            council_state = states.get(council_uf) if council_uf else None
            name_filter = filter_form(name)
            known = existing.get(cpf)
            if known is None:
                professional_id, known_user, known_cns = next(new_ids), None, None
            else:
                (
                    _,
                    professional_id,
                    known_user,
                    known_cns,
                    known_name,
                    known_filter,
                    known_birth,
                    known_sex,
                    known_council,
                    known_council_state,
                    known_registry,
                    known_email,
                    known_phone,
                ) = known
            # The file's CNS, unless it belongs to someone else (in tb_prof, in the CNS history or
            # earlier in this file).
            owner = cns_owner.get(cns)
            if owner is None or owner == professional_id:
                cns_owner[cns] = professional_id
                file_cns.setdefault(cns, cpf)
            else:
                self._warn_cns_taken(cns, cpf, name, line, known_cns)
                cns = None
            sex = _SEX.get(sex, sex)  # birth is ISO text, as both drivers take it
            user_id = known_user
            if user_id is None:
                user_id = self._user_for(cpf, name, line, users, user_rows, new_user_ids)
            if known is None:
                professional_rows.append(
                    (
                        professional_id,
                        cpf,
                        cns,
                        name,
                        name_filter,
                        birth,
                        sex,
                        council_id,
                        council_state,
                        registry,
                        email,
                        phone,
                        user_id,
                    )
                )
                counts.novos += 1
            else:
                known_birth = iso_date(known_birth)
                # The columns of _PROFESSIONAL_UPDATE as stored, and as the file would leave them.
                old = (
                    known_user,
                    known_cns,
                    known_name,
                    known_filter,
                    known_birth,
                    known_sex,
                    known_council,
                    known_council_state,
                    known_registry,
                    known_email,
                    known_phone,
                )
                # The file wins where it has a value; what it leaves blank is kept (an e-mail typed in PEC).
                new = (
                    user_id,
                    cns if cns is not None else known_cns,
                    name,
                    name_filter,
                    birth or known_birth,
                    sex or known_sex,
                    council_id or known_council,
                    council_state or known_council_state,
                    registry or known_registry,
                    email or known_email,
                    phone or known_phone,
                )
                if new != old:
                    changed = tuple(index for index, value in enumerate(new) if value != old[index])
                    professional_updates.setdefault(changed, []).append(
                        (professional_id, *(new[index] for index in changed))
                    )
                    counts.atualizados += 1
                else:
                    counts.inalterados += 1
            if cns is not None and cns not in cns_in_history:
                history_rows.append((professional_id, cns))
                cns_in_history.add(cns)
            lotacao_work.append((professional_id, name, lots))

        large_load = self.large_load
        if not large_load.decided:
            new_rows = len(professional_rows) + sum(len(lots) for _id, _name, lots in lotacao_work)
            large_load.consider(new_rows, indexes_needed=self.known_by_cpf is None)
        bulk.insert(User, ("id", "login"), user_rows, _NEW_USER)
        bulk.insert(
            Professional,
            (
                "id",
                "cpf",
                "cns",
                "name",
                "name_filter",
                "birth_date",
                "sex",
                "council",
                "council_state",
                "council_registry",
                "email",
                "phone",
                "user",
            ),
            professional_rows,
            _NEW_PROFESSIONAL,
        )
        for changed, rows in professional_updates.items():
            bulk.update(Professional, "id", tuple(_PROFESSIONAL_UPDATE[index] for index in changed), rows)
        bulk.insert(ProfessionalCnsHistory, ("professional", "cns"), history_rows)
        self.lotacoes.save(lotacao_work)

    def _add_council(self, code: str) -> None:
        """A council code the catalogue lacks, on pec-tui's own database (CNES is the source)."""
        self.bulk.flush()  # peewee uses the connection directly: no write may be running
        CouncilClass.insert(id=int(code)).on_conflict_ignore().execute()
        self.councils.add(code)

    def _problem(self, record: ProfessionalRecord) -> str:
        """Why a professional cannot be imported."""
        cns, name, cpf = record.cns, record.name, record.cpf
        if record.too_long:
            return record.too_long
        if not cpf:
            return "CPF não informado."
        if not record.cpf_valid:
            return f"CPF {cpf} inválido (deve ter 11 dígitos e dígitos verificadores válidos)."
        if cpf in self.file_cpfs:
            return f"CPF {format_cpf(cpf)} repetido no arquivo; vale a primeira ocorrência."
        if not name:
            return "Nome do profissional (NM_PROF) não informado."
        if not cns:
            return "CNS não informado."
        return f"CNS {cns} inválido (deve ter 15 dígitos e dígitos verificadores válidos)."

    def _warn_cns_taken(self, cns: str, cpf: str, name: str, line: int, known_cns: str | None) -> None:
        """The professional's CNS in the file belongs to someone else: say so in the report (the
        file's CNS is not kept; a known professional keeps their own, ``known_cns``)."""
        first = self.file_cns.get(cns)
        if first is not None and first != cpf:
            whose = f"ao profissional de CPF {format_cpf(first)} deste arquivo"
        else:
            whose = "a outro profissional já cadastrado"
        kept = f"; mantido o CNS {known_cns}" if known_cns else "; importado sem CNS"
        self.report.warn(
            KIND_PROFESSIONAL,
            cpf,
            name,
            f"O CNS {cns} já pertence {whose} e não foi compartilhado{kept}.",
            PROFESSIONAL_TAG,
            line,
        )

    def _user_for(
        self, cpf: str, name: str, line: int, users: dict, user_rows: list, new_ids: Iterator[int]
    ) -> int | None:
        """The user (login = CPF) of a professional who has none: the existing login when it is free,
        else a new user without password who must change it at first access."""
        found = users.get(cpf)
        if found is not None:
            user_id, linked = found
            if linked is None:
                users[cpf] = (user_id, _TAKEN)
                return user_id
            self.report.warn(
                KIND_PROFESSIONAL,
                cpf,
                name,
                f"O login {format_cpf(cpf)} já pertence a outro profissional; o profissional ficou sem usuário.",
                PROFESSIONAL_TAG,
                line,
            )
            return None
        user_id = next(new_ids)
        user_rows.append((user_id, cpf))
        users[cpf] = (user_id, _TAKEN)
        return user_id
