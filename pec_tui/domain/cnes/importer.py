"""CNES import (manual 3.3): the XmlParaESUS export into units, teams, professionals and lotações.

The rules are the real importer's (``REFERENCE.md``, "CNES export for e-SUS"):

* the file must be of the municipality chosen (the installation administrator chooses it; a
  municipal administrator imports for their own), in a layout version not lower than the last one
  imported for that municipality;
* the municipality's units, teams and imported lotações (and hand-made lotações flagged "Atualizar
  perfis ao importar CNES") are deactivated, then units and teams are saved before professionals
  and lotações, and whatever the file holds is reactivated;
* CPF, CNS (check digits), CNPJ, CBO (catalogue and availability), CNES and the CNES/INE pair are
  validated; a record that fails is not imported and goes to the report with the reason, the
  element and the line; a CBO unknown to the catalogue is reported, never created;
* a new professional gets a user whose login is the CPF, with no password and a forced change;
  a new CNS goes to ``tb_prof_historico_cns``; a CNS that already belongs to another professional
  is reported and not shared;
* an imported lotação is active, marked imported, with a unique code from the professional's CPF,
  the CNES, the INE and the CBO; hand-made lotações are left alone unless flagged.

All or nothing: one transaction per import, which also writes the ``tb_importacao_cnes`` history
row with its report and the audit event. A malformed, truncated or wrong file changes nothing.
Records the importer refuses leave the existing rows they name as they were (a unit with a bad
CNPJ is not deactivated, nor are its teams and lotações).

This module is the public API: :func:`import_cnes`, who may import for which municipality, and
the errors and progress the screens and the command line see. The rest, one file per concern:

* :mod:`~pec_tui.domain.cnes.reader` — the file read in a child process (archive, XML, the checks
  that need no database), sent in batches: reading runs on one core while this process applies
  the rules and writes on the other;
* :mod:`~pec_tui.domain.cnes.run` — one import, in order, inside its transaction; then
  :mod:`~pec_tui.domain.cnes.units`, :mod:`~pec_tui.domain.cnes.professionals` and
  :mod:`~pec_tui.domain.cnes.lotacoes`, the rules of each kind of record;
* :mod:`~pec_tui.domain.cnes.large_load` — the per-row checks a large import switches off;
* :mod:`~pec_tui.domain.cnes.report` — the report and the history of imports.

How it stays fast and flat: the file is streamed and never held whole; what the municipality
already has (units, teams, its lotações by unique code) and the installation's keys (CPFs,
logins, who owns each CNS) are loaded once; professionals are handled in batches of
:data:`CHUNK` with at most one query per batch for the full rows of professionals already known
(never one per record); rows are written in bulk with ids chosen by the import
(:mod:`pec_tui.storage.bulk.writer`: ``executemany`` on SQLite; on PostgreSQL ``COPY`` on a writer
thread while the rules go on); only rows whose data changed are updated; and "deactivate what the
file does not hold" is computed as a set difference at the end, which leaves the database exactly
as "deactivate all, then reactivate" would while writing only what changes. While it runs the
process's cyclic garbage collector is paused (:mod:`pec_tui.core.process`).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from pec_tui.core.errors import PecError
from pec_tui.core.process import cyclic_gc_paused
from pec_tui.domain.accounts import LoggedUser
from pec_tui.domain.cnes.errors import CnesFileError, CnesImportError, ImportCancelled
from pec_tui.domain.cnes.parser import CnesHeader
from pec_tui.domain.cnes.reader import ChildReader
from pec_tui.domain.cnes.report import ImportReport, RecordIssue, report_to_csv
from pec_tui.domain.cnes.run import ImportProgress, ImportRun, ProgressCallback
from pec_tui.domain.installation import installation_municipalities
from pec_tui.storage.bulk.writer import foreign_keys_at_end
from pec_tui.storage.busy import announced_writer
from pec_tui.storage.database import current_database, transaction
from pec_tui.storage.errors import describe as describe_database_error
from pec_tui.storage.models import Localidade, Professional, State, User

__all__ = [
    "CHUNK",
    "CnesImportError",
    "ImportCancelled",
    "ImportProgress",
    "ImportReport",
    "ProgressCallback",
    "check_import_permission",
    "import_cnes",
    "municipality_choices",
    "report_to_csv",
    "resolve_municipality",
]

log = logging.getLogger(__name__)

CHUNK = 2_000
"""Professionals handled together: one lookup of what exists and one bulk write per batch."""


def check_import_permission(user: LoggedUser, localidade_id: int) -> Localidade:
    """Who may import for this municipality (3.3): the installation administrator, for any
    municipality active on the installation; a municipal administrator, for their own only.

    Returns the municipality; raises :class:`PecError` with the reason otherwise."""
    municipality = _installation_municipality(localidade_id)
    if user.installation_admin:
        return municipality
    own = [ref for ref in user.municipal_admin_of if ref.id == localidade_id]
    if own:
        return municipality
    if user.municipal_admin:
        names = ", ".join(ref.label for ref in user.municipal_admin_of)
        raise PecError(
            f"Você é administrador municipal de {names}; só pode importar o CNES desse município, "
            f"não de {municipality.label}."
        )
    raise PecError(
        "Somente o administrador da instalação ou o administrador municipal podem importar o arquivo do CNES."
    )


def municipality_choices(user: LoggedUser) -> list[tuple[int, str]]:
    """The municipalities this user may import for, as (id, "Nome/UF"): every active one for the
    installation administrator, their own for a municipal administrator (3.3)."""
    if user.installation_admin:
        return [(m.id, m.label) for m in installation_municipalities()]
    return [(ref.id, ref.label) for ref in user.municipal_admin_of]


def resolve_municipality(localidade_id: int | None) -> Localidade:
    """The municipality to import for: the one given (it must be active on the installation), or,
    when none is given, the installation's only active municipality."""
    if localidade_id is not None:
        return _installation_municipality(localidade_id)
    active = installation_municipalities()
    if not active:
        raise PecError("Esta instalação não tem município ativo; crie a instalação com 'pec-tui init'.")
    if len(active) > 1:
        names = ", ".join(m.label for m in active)
        raise PecError(f"Esta instalação atende {len(active)} municípios ({names}); escolha o município do arquivo.")
    return active[0]


def import_cnes(
    path: str | Path,
    *,
    localidade_id: int | None,
    user_id: int | None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> ImportReport:
    """Import one CNES export (``.xml`` or ``.zip``) for the municipality, all or nothing.

    ``user_id`` is who imports (None: the system, e.g. the command line). ``progress`` is called
    from the importing thread (a screen's worker must hand it to the UI thread), at most every
    :data:`~pec_tui.domain.cnes.run.PROGRESS_INTERVAL` seconds; ``cancel`` stops the import
    (nothing is changed). Raises :class:`CnesImportError` (a wrong, malformed or refused file),
    :class:`ImportCancelled`, or another :class:`PecError`; the database is then exactly as before."""
    started = time.monotonic()
    from pec_tui.domain.compatibilidade import require_writable  # it imports this package

    require_writable("cnes")
    municipality = resolve_municipality(localidade_id)
    file_name = Path(path).name
    try:
        # The file is read in a child process (reader.py) while this one applies the rules and writes.
        with ChildReader(path, CHUNK) as reader:
            header, display_name, size, warnings = reader.header()
            _check_file_municipality(header, municipality, file_name)
            run = ImportRun(
                municipality=municipality,
                header=header,
                file_name=file_name,
                display_name=display_name,
                size=size,
                user_id=user_id,
                progress=progress,
                cancel=cancel,
                started=started,
            )
            for warning in warnings:
                run.report.avisos.append(RecordIssue("arquivo", file_name, "", warning, "", 0))
            with (
                foreign_keys_at_end() as keys_at_end,
                transaction(),
                # SQLite: a writer that gives up waiting meanwhile says this import holds the database.
                announced_writer(current_database(), "a importação do CNES", _who(user_id), run.now),
                cyclic_gc_paused(),
            ):
                run.execute(reader, foreign_keys_at_end=keys_at_end)
            return run.report
    except CnesFileError as exc:
        if exc.detail:
            log.info("Arquivo do CNES %s recusado: %s (leitor: %s)", file_name, exc.message, exc.detail)
        raise CnesImportError(exc.message, file_name=exc.file_name or file_name, line=exc.line) from None
    except _database_errors() as exc:
        # The transaction was rolled back on the way out: say so in Portuguese; the driver's
        # own text goes to the log (storage.errors.describe), the cause stays chained.
        sentence = describe_database_error(exc, current_database())
        raise CnesImportError(
            f"A importação de {file_name} falhou ao gravar no banco; nada foi alterado. {sentence}",
            file_name=file_name,
        ) from exc


def _who(user_id: int | None) -> str:
    """Who imports, as another writer's message says it: "por Helena…", "pela linha de comando"."""
    if user_id is None:
        return "pela linha de comando"
    name = Professional.select(Professional.name).where(Professional.user == user_id).scalar()
    if name:
        return f"por {name}"
    login = User.select(User.login).where(User.id == user_id).scalar()
    return f"pelo usuário {login}" if login else "por um usuário"


def _database_errors() -> tuple[type[BaseException], ...]:
    import sqlite3

    from peewee import PeeweeException

    errors: list[type[BaseException]] = [sqlite3.Error, PeeweeException]
    try:
        import psycopg2

        errors.append(psycopg2.Error)
    except ImportError:  # pragma: no cover - psycopg2 is a dependency
        pass
    return tuple(errors)


# --------------------------------------------------------------------------------------------
# Municipality checks
# --------------------------------------------------------------------------------------------


def _installation_municipality(localidade_id: int) -> Localidade:
    found = Localidade.select(Localidade, State).join(State).where(Localidade.id == localidade_id).first()
    if found is None:
        raise PecError("O município escolhido não existe.")
    if localidade_id not in {municipality.id for municipality in installation_municipalities()}:
        raise PecError(f"O município {found.label} não está ativo nesta instalação.")
    return found


def _check_file_municipality(header: CnesHeader, municipality: Localidade, file_name: str) -> None:
    if header.ibge6 == municipality.ibge[:6]:
        return
    other = Localidade.select(Localidade, State).join(State).where(Localidade.ibge.startswith(header.ibge6)).first()
    of_file = f"{other.label} (IBGE {other.ibge})" if other else f"de código IBGE {header.ibge}"
    raise CnesImportError(
        f"O arquivo {file_name} é do município {of_file}, mas a importação é para "
        f"{municipality.label} (IBGE {municipality.ibge}); escolha o município do arquivo ou baixe "
        "o arquivo certo no CNES.",
        file_name=file_name,
        line=header.line,
    )
