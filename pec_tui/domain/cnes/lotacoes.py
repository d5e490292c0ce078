"""The file's lotações against the municipality's (manual 3.3, one CNES import).

A lotação of the file is checked against the units and teams the import accepted
(:mod:`pec_tui.domain.cnes.units`) and the CBO catalogue (:meth:`Lotacoes.accept`, as each
professional is read), then matched, once its professional has an id (:meth:`Lotacoes.save`):

* by its unique code (``CPF-CNES-INE-CBO``) to a lotação imported before: reactivated, or its
  microárea updated;
* else by professional, unit, team and CBO to a hand-made lotação flagged "Atualizar perfis ao
  importar CNES": taken over (it gets the code);
* else, if a hand-made lotação without the flag has that key, it is left alone (a warning);
* else it is new: an active ``tb_ator_papel`` and its ``tb_lotacao``, marked imported.

At the end, the municipality's imported (and flagged) lotações the file no longer holds are
deactivated (:meth:`Lotacoes.deactivate_missing`), except those of a unit, team or professional
the import refused.
"""

from __future__ import annotations

import datetime as dt

from peewee import SQL

from pec_tui.core.validators import format_cpf
from pec_tui.domain.cnes.report import KIND_LOTACAO, ImportReport
from pec_tui.domain.cnes.units import UnitsAndTeams
from pec_tui.storage.bulk.writer import BulkWriter
from pec_tui.storage.models import ActorRole, Cbo, HealthUnit, Lotacao, Professional

LOTACAO_TAG = "DADOS_LOTACOES"

_NO_TEAM = (None, None, False)  # the FileTeam of a lotação without INE
# Columns every new row of these tables gets, written as constants instead of once per row.
_NEW_ROLE = {"kind": ActorRole.LOTACAO, "active": True}
_NEW_LOTACAO = {"imported": True, "update_on_import": False}


CboEntry = tuple[int, bool]
"""A CBO of the catalogue, by code: ``(id, available for lotação)`` ("disponível para lotação",
module CBO)."""

FileLotacao = tuple[str, int, int | None, int, bool, str | None, int, str]
"""A lotação of the file that passed the checks of :meth:`Lotacoes.accept`: ``(code, unit id,
team id or None, CBO id, CBO available, microárea, line, CBO code)``, the code being
``co_unico_lotacao`` (CPF-CNES-INE-CBO). A plain tuple, unpacked into named locals where it is
read: there is one per lotação of the file (why not a ``NamedTuple``:
:meth:`~pec_tui.domain.cnes.professionals.Professionals.save`)."""


class Lotacoes:
    """One import's lotações: the municipality's, and the file's as professionals are read."""

    def __init__(self, bulk: BulkWriter, report: ImportReport, units: UnitsAndTeams, now: dt.datetime) -> None:
        self.bulk = bulk
        self.report = report
        self.units = units
        self.now = now
        # Filled by load().
        self.cbos: dict[str, CboEntry] = {}  # by 6-character code
        # Lotações the import manages (imported, or flagged and given a code before), by unique
        # code: (role id, active, microárea).
        self.known: dict[str, tuple[int, bool, str | None]] = {}
        # Hand-made lotações flagged "Atualizar perfis ao importar CNES" and without a code yet, by
        # (professional id, unit id, team id, CBO id): (role id, active, microárea, CPF).
        self.flagged: dict[tuple, tuple[int, bool, str | None, str]] = {}
        self.manual: set[tuple] = set()  # hand-made, not flagged, active: left alone (same key)
        self.seen: set[int] = set()  # role ids of the lotações the file holds

    # -- before reading -----------------------------------------------------------------------

    def load(self) -> None:
        """The CBO catalogue; the municipality's lotações the import manages, by unique code;
        hand-made ones by key."""
        rows = self.bulk.rows
        self.cbos = {
            code: (cbo_id, bool(available))
            for cbo_id, code, available in rows(Cbo.select(Cbo.id, Cbo.code, Cbo.available_for_lotacao))
        }
        in_municipality = HealthUnit.localidade == self.units.loc
        managed = (Lotacao.imported == True) | (Lotacao.update_on_import == True)
        for code, role_id, inactive, microarea in rows(
            Lotacao.select(Lotacao.unique_code, Lotacao.role, Lotacao.deactivated_at.is_null(False), SQL("NULL"))
            .join(HealthUnit, on=(Lotacao.unit == HealthUnit.id))
            .where(in_municipality & managed & Lotacao.unique_code.is_null(False))
        ):
            self.known[code] = (role_id, not inactive, microarea)
        for role_id, professional_id, unit_id, team_id, cbo_id, inactive, flagged, microarea, cpf in rows(
            Lotacao.select(
                Lotacao.role,
                Lotacao.professional,
                Lotacao.unit,
                Lotacao.team,
                Lotacao.cbo,
                Lotacao.deactivated_at.is_null(False),
                Lotacao.update_on_import,
                SQL("NULL"),  # PEC's tb_lotacao keeps no microárea
                Professional.cpf,
            )
            .join(HealthUnit, on=(Lotacao.unit == HealthUnit.id))
            .switch(Lotacao)
            .join(Professional, on=(Lotacao.professional == Professional.id))
            .where(in_municipality & (Lotacao.imported == False) & Lotacao.unique_code.is_null())
        ):
            key = (professional_id, unit_id, team_id, cbo_id)
            if flagged:
                self.flagged[key] = (role_id, not inactive, microarea, cpf)
            elif not inactive:
                self.manual.add(key)

    # -- as professionals are read ------------------------------------------------------------

    def accept(self, cpf: str, name: str, lotacoes: list[tuple]) -> list[FileLotacao]:
        """The lotações of one accepted professional that can be imported (``lotacoes`` as the
        reader sends them: ``(CNES, CBO, INE, microárea, line, CBO has the shape of a CBO)``); the
        others go to the report with the reason."""
        units = self.units
        file_units, file_teams, cbos = units.file_units, units.file_teams, self.cbos
        rejected_units, rejected_teams = units.rejected_units, units.rejected_teams
        accepted: list[FileLotacao] = []
        codes: list[str] = []  # theirs
        for cnes, cbo_code, ine, _microarea, line, cbo_shape in lotacoes:
            microarea = None  # PEC's tb_lotacao has no column for the file's microárea
            unit_id = file_units.get(cnes)
            cbo = cbos.get(cbo_code) if cbo_shape else None
            team = file_teams.get(ine) if ine else None
            team_id, team_cnes, team_active = team if team is not None else _NO_TEAM
            if (
                unit_id is None
                or cbo is None
                or cnes in rejected_units
                or (ine and (team is None or team_cnes != cnes or not team_active or ine in rejected_teams))
            ):
                reason = self._problem(cnes, cbo_code, ine, cbo_shape)
                key = f"{format_cpf(cpf)} / {cnes or '-'} / {ine or '-'} / {cbo_code or '-'}"
                self.report.reject(KIND_LOTACAO, key, name, reason, LOTACAO_TAG, line)
                continue
            code = f"{cpf}-{cnes}-{ine or ''}-{cbo_code}"
            if code in codes:
                self.report.reject(KIND_LOTACAO, code, name, "Lotação repetida no arquivo.", LOTACAO_TAG, line)
                continue
            cbo_id, cbo_available = cbo
            accepted.append((code, unit_id, team_id, cbo_id, cbo_available, microarea, line, cbo_code))
            codes.append(code)
        return accepted

    def _problem(self, cnes: str | None, code: str | None, ine: str | None, cbo_shape: bool) -> str:
        """Why a lotação cannot be imported: checked against the file's units and teams and the CBO
        catalogue, in this order."""
        units = self.units
        if not cnes:
            return "CNES da lotação não informado."
        if cnes in units.rejected_units:
            return f"A unidade CNES {cnes} não foi importada (veja o registro da unidade)."
        if cnes not in units.file_units:
            return f"A unidade CNES {cnes} não está no arquivo."
        if not code:
            return "CBO da lotação não informado."
        if not cbo_shape:
            return f"CBO {code} inválido: o código da CBO tem 6 caracteres."
        if code not in self.cbos:
            return f"O CBO {code} não existe no catálogo de CBO do sistema."
        if ine in units.rejected_teams:
            return f"A equipe INE {ine} não foi importada (veja o registro da equipe)."
        team = units.file_teams.get(ine)
        if team is None:
            return f"A equipe INE {ine} não está no arquivo."
        _team_id, team_cnes, _active = team
        if team_cnes != cnes:
            return f"A equipe INE {ine} não pertence à unidade CNES {cnes} (é da unidade CNES {team_cnes})."
        return f"A equipe INE {ine} está desativada no arquivo."

    def save(self, work: list[tuple[int, str, list[FileLotacao]]]) -> None:
        """The accepted lotações of one batch of professionals, matched and written; ``work`` is
        ``(professional id, name, lotações)`` per professional."""
        bulk = self.bulk
        counts = self.report.lotacoes
        known, seen, flagged_lots, manual = self.known, self.seen, self.flagged, self.manual
        new: list[tuple] = []  # (professional id, CBO id, unit id, team id, code, microárea)
        reactivate: list[tuple[int, str | None]] = []  # (role id, microárea)
        microareas: list[tuple[int, str | None]] = []  # (role id, microárea)
        adopt: list[tuple[int, str, str | None]] = []  # (role id, code, microárea)
        for professional_id, name, lots in work:
            for code, unit_id, team_id, cbo_id, cbo_available, microarea, line, cbo_code in lots:
                found = known.get(code)
                if found is not None:
                    role_id, active, old_microarea = found
                    seen.add(role_id)
                    if not active:
                        reactivate.append((role_id, microarea))
                        counts.reativados += 1
                    elif old_microarea != microarea:
                        microareas.append((role_id, microarea))
                        counts.atualizados += 1
                    else:
                        counts.inalterados += 1
                    continue
                key = (professional_id, unit_id, team_id, cbo_id)
                flagged = flagged_lots.pop(key, None) if flagged_lots else None
                if flagged is not None:
                    role_id, active, _microarea, _cpf = flagged
                    seen.add(role_id)
                    adopt.append((role_id, code, microarea))
                    if not active:
                        reactivate.append((role_id, microarea))
                        counts.reativados += 1
                    else:
                        counts.atualizados += 1
                    continue
                if key in manual:
                    self.report.warn(
                        KIND_LOTACAO,
                        code,
                        name,
                        'Já existe esta lotação cadastrada manualmente (sem "Atualizar perfis ao importar '
                        'CNES"); ela foi mantida como está.',
                        LOTACAO_TAG,
                        line,
                    )
                    continue
                if not cbo_available:
                    self.report.reject(
                        KIND_LOTACAO,
                        code,
                        name,
                        f"O CBO {cbo_code} está indisponível para lotação (módulo CBO).",
                        LOTACAO_TAG,
                        line,
                    )
                    continue
                new.append((professional_id, cbo_id, unit_id, team_id, code, microarea))
                counts.novos += 1
        role_ids = bulk.ids(ActorRole, len(new))
        role_rows: list[tuple] = []
        lotacao_rows: list[tuple] = []
        for role_id, row in zip(role_ids, new, strict=True):
            professional_id, _cbo, _unit, _team, code, microarea = row
            role_rows.append((role_id, professional_id))
            lotacao_rows.append((role_id, *row))
            known[code] = (role_id, True, microarea)
            seen.add(role_id)
        bulk.insert(ActorRole, ("id", "professional"), role_rows, _NEW_ROLE)
        bulk.insert(
            Lotacao,
            ("role", "professional", "cbo", "unit", "team", "unique_code"),
            [row[:-1] for row in lotacao_rows],
            _NEW_LOTACAO,
        )
        bulk.update(Lotacao, "role", ("unique_code",), [(role_id, code) for role_id, code, _micro in adopt])
        bulk.update(Lotacao, "role", ("deactivated_at",), [(role_id, None) for role_id, _micro in reactivate])
        bulk.update(ActorRole, "id", ("active",), [(role_id, True) for role_id, _micro in reactivate])

    # -- after reading ------------------------------------------------------------------------

    def deactivate_missing(self, protected_cpfs: set[str]) -> None:
        """Deactivate the municipality's imported (and flagged) lotações the file no longer holds,
        except those of a unit, team or professional (``protected_cpfs``) the import refused."""
        protected_units, protected_teams = self.units.rejected_units, self.units.rejected_teams
        gone: list[int] = []
        for code, (role_id, active, _microarea) in self.known.items():
            if not active or role_id in self.seen:
                continue
            cpf, cnes, ine, _cbo = (code.split("-") + ["", "", "", ""])[:4]
            if cpf in protected_cpfs or cnes in protected_units or (ine and ine in protected_teams):
                continue
            gone.append(role_id)
        protected_unit_ids = self.units.rejected_unit_ids()
        for (_professional, unit_id, _team, _cbo), (role_id, active, _microarea, cpf) in self.flagged.items():
            seen = role_id in self.seen
            if active and not seen and cpf not in protected_cpfs and unit_id not in protected_unit_ids:
                gone.append(role_id)
        gone.sort()
        self.bulk.update_ids(Lotacao, "role", {"deactivated_at": self.bulk.value(self.now)}, gone)
        self.bulk.update_ids(ActorRole, "id", {"active": False}, gone)
        self.report.lotacoes.desativados += len(gone)
