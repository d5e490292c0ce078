"""The file's units and teams against what the installation has (manual 3.3, one CNES import).

:class:`UnitsAndTeams` loads the installation's units (by CNES) and teams (by INE) once, then
takes the file's units, each with its teams, as one batch: it validates them (CNES, CNPJ, INE, a
unit or team of another municipality), writes new and changed rows in bulk, and deactivates the
municipality's units and teams the file no longer holds. What it accepted and what it refused is
what the lotações are checked against (:mod:`pec_tui.domain.cnes.lotacoes`).

A unit or team the import refuses keeps its existing row as it was (not deactivated), and so do
the teams and lotações of a refused unit.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from peewee import Model

from pec_tui.core.checks import is_cnes_code, is_ine_code, is_valid_cnpj
from pec_tui.domain.cnes.parser import UNIT_TAG, CnesTeam, CnesUnit
from pec_tui.domain.cnes.report import KIND_TEAM, KIND_UNIT, ImportReport, KindCounts
from pec_tui.storage.bulk.writer import BulkWriter, iso_date
from pec_tui.storage.models import HealthUnit, Localidade, State, Team, TeamType, UnitType

TEAM_TAG = "DADOS_EQUIPES"

#: What the import may change on a unit, in this order in :attr:`KnownUnit.values`.
UNIT_VALUES = (
    "name",
    "cnpj",
    "unit_type",
    "localidade",
    "complexity",
    "address",
    "address_number",
    "address_complement",
    "district",
    "cep",
    "phone",
    "email",
)
#: What the import may change on a team, in this order in :attr:`KnownTeam.values` (the
#: deactivation date as ISO text there).
TEAM_VALUES = ("name", "unit", "team_type", "area_code", "area", "deactivated_on")


class KnownUnit(NamedTuple):
    """A unit the installation already has (in any municipality)."""

    id: int
    localidade: int | None
    active: bool
    values: tuple  # the columns of UNIT_VALUES, as stored


class KnownTeam(NamedTuple):
    """A team the installation already has (in any municipality)."""

    id: int
    unit: int
    active: bool
    values: tuple  # the columns of TEAM_VALUES, as stored
    localidade: int | None  # its unit's


FileTeam = tuple[int, str, bool]
"""A team of the file that was imported, by INE: ``(id, CNES of its unit in the file, active in
the file)``. A plain tuple, unpacked where it is read: it is looked up for every lotação of the
file (see :data:`~pec_tui.domain.cnes.lotacoes.FileLotacao`)."""


class UnitsAndTeams:
    """One import's units and teams: what the installation has, what the file brought."""

    def __init__(self, bulk: BulkWriter, report: ImportReport, localidade_id: int) -> None:
        self.bulk = bulk
        self.report = report
        self.loc = localidade_id
        # Filled by load(): the installation's units by CNES and teams by INE, and the catalogues
        # of unit and team types (code -> id).
        self.known_units: dict[str, KnownUnit] = {}
        self.known_teams: dict[str, KnownTeam] = {}
        self.unit_types: dict[int, int] = {}
        self.team_types: dict[int, int] = {}
        # Filled by save(): what the file brought.
        self.file_units: dict[str, int] = {}  # CNES -> unit id (accepted units)
        self.file_teams: dict[str, FileTeam] = {}  # INE -> accepted team
        self.rejected_units: set[str] = set()  # CNES
        self.rejected_teams: set[str] = set()  # INE

    # -- before reading -----------------------------------------------------------------------

    def load(self) -> None:
        """The catalogues of types, and every unit and team of the installation."""
        rows = self.bulk.rows
        self.unit_types = {code: type_id for type_id, code in rows(UnitType.select(UnitType.id, UnitType.cnes_code))}
        self.team_types = {code: type_id for type_id, code in rows(TeamType.select(TeamType.id, TeamType.ms_code))}
        # Every unit of the installation by CNES (a CNES is unique), with what the import may change.
        unit_values = [getattr(HealthUnit, name) for name in UNIT_VALUES]
        query = HealthUnit.select(
            HealthUnit.cnes, HealthUnit.id, HealthUnit.active, HealthUnit.localidade, *unit_values
        )
        for cnes, unit_id, active, localidade, *values in rows(query):
            self.known_units[cnes] = KnownUnit(unit_id, localidade, bool(active), tuple(values))
        query = Team.select(
            Team.ine,
            Team.id,
            Team.unit,
            Team.active,
            HealthUnit.localidade,
            Team.name,
            Team.team_type,
            Team.area_code,
            Team.area,
            Team.deactivated_on,
        ).join(HealthUnit)
        for ine, team_id, unit_id, active, localidade, name, team_type, area_code, area, deactivated_on in rows(query):
            values = (name, unit_id, team_type, area_code, area, iso_date(deactivated_on))
            self.known_teams[ine] = KnownTeam(team_id, unit_id, bool(active), values, localidade)

    # -- the file's units ---------------------------------------------------------------------

    def save(self, units: list[CnesUnit]) -> None:
        """The file's units (all of them, in document order) with their teams; then the units and
        teams of the municipality that the file does not hold are deactivated."""
        counts_units, counts_teams = self.report.unidades, self.report.equipes
        bulk = self.bulk
        unit_names = ("id", "cnes", *UNIT_VALUES, "active")
        unit_inserts: list[tuple] = []
        unit_updates: list[tuple] = []
        team_names = ("id", "ine", "name", "unit", "team_type", "area_code", "area", "deactivated_on", "active")
        team_inserts: list[tuple] = []
        team_updates: list[tuple] = []
        for unit in units:
            reason = self._unit_problem(unit)
            if reason:
                self.report.reject(KIND_UNIT, unit.cnes, unit.name, reason, UNIT_TAG, unit.line)
                if unit.cnes:
                    self.rejected_units.add(unit.cnes)
                self.rejected_teams.update(team.ine for team in unit.teams if team.ine)
                continue
            address = unit.address
            values = (  # UNIT_VALUES
                unit.name,
                unit.cnpj,
                self._type_id(
                    self.unit_types,
                    UnitType,
                    unit.unit_type_code,
                    name=unit.unit_type_desc or f"Tipo {unit.unit_type_code}",
                ),
                self.loc,
                ", ".join(unit.complexities) or None,
                address.street if address else None,
                address.number if address else None,
                address.complement if address else None,
                address.district if address else None,
                address.cep if address else None,
                unit.phone or unit.phone2,
                unit.email,
            )
            known = self.known_units.get(unit.cnes)
            if known is None:
                [unit_id] = bulk.ids(HealthUnit, 1)
                unit_inserts.append((unit_id, unit.cnes, *values, True))
                counts_units.novos += 1
            else:
                unit_id = known.id
                if not known.active:
                    counts_units.reativados += 1
                elif known.values != values:
                    counts_units.atualizados += 1
                else:
                    counts_units.inalterados += 1
                if not known.active or known.values != values:
                    unit_updates.append((unit_id, *values, True))
            self.file_units[unit.cnes] = unit_id
            for team in unit.teams:
                self._save_team(team, unit, unit_id, team_inserts, team_updates, counts_teams)
        bulk.insert(HealthUnit, unit_names, unit_inserts)
        bulk.update(HealthUnit, "id", unit_names[2:], unit_updates)
        bulk.insert(Team, team_names, team_inserts)
        bulk.update(Team, "id", team_names[2:], team_updates)

        # Units and teams of the municipality that the file does not hold.
        gone_units = [
            known.id
            for cnes, known in self.known_units.items()
            if known.localidade == self.loc
            and known.active
            and cnes not in self.file_units
            and cnes not in self.rejected_units
        ]
        bulk.update_ids(HealthUnit, "id", {"active": False}, gone_units)
        counts_units.desativados += len(gone_units)
        protected_unit_ids = self.rejected_unit_ids()
        gone_teams = [
            known.id
            for ine, known in self.known_teams.items()
            if known.localidade == self.loc
            and known.active
            and ine not in self.file_teams
            and ine not in self.rejected_teams
            and known.unit not in protected_unit_ids
        ]
        bulk.update_ids(Team, "id", {"active": False}, gone_teams)
        counts_teams.desativados += len(gone_teams)

    def rejected_unit_ids(self) -> set[int]:
        """The ids of the existing units the file named but the import refused (left as they were)."""
        return {self.known_units[cnes].id for cnes in self.rejected_units if cnes in self.known_units}

    def _unit_problem(self, unit: CnesUnit) -> str | None:
        if not unit.cnes:
            return "CNES da unidade não informado."
        if not is_cnes_code(unit.cnes):
            return f"CNES {unit.cnes} inválido: o código do CNES tem 7 dígitos."
        if unit.cnes in self.file_units or unit.cnes in self.rejected_units:
            return f"CNES {unit.cnes} repetido no arquivo; vale a primeira ocorrência."
        if not unit.name:
            return "Nome da unidade (NM_FANTA) não informado."
        if unit.cnpj and not is_valid_cnpj(unit.cnpj):
            return f"CNPJ {unit.cnpj} inválido (dígitos verificadores não conferem)."
        known = self.known_units.get(unit.cnes)
        if known is not None and known.localidade not in (None, self.loc):
            other = Localidade.select(Localidade, State).join(State).where(Localidade.id == known.localidade).first()
            where = other.label if other else "outro município"
            return f"A unidade CNES {unit.cnes} já está cadastrada em {where}."
        if unit.problems:
            return " ".join(unit.problems)
        return None

    # -- the file's teams ---------------------------------------------------------------------

    def _save_team(
        self, team: CnesTeam, unit: CnesUnit, unit_id: int, inserts: list, updates: list, counts: KindCounts
    ) -> None:
        reason = None
        if not team.ine:
            reason = "INE da equipe não informado."
        elif not is_ine_code(team.ine):
            reason = f"INE {team.ine} inválido: o INE tem 10 dígitos."
        elif team.ine in self.file_teams or team.ine in self.rejected_teams:
            reason = f"INE {team.ine} repetido no arquivo; vale a primeira ocorrência."
        elif team.problems:
            reason = " ".join(team.problems)
        else:
            known = self.known_teams.get(team.ine)
            if known is not None and known.localidade != self.loc:
                reason = f"A equipe INE {team.ine} já está cadastrada em uma unidade de outro município."
        name = team.reference_name or team.description or team.acronym
        if reason:
            self.report.reject(KIND_TEAM, team.ine, name, f"{reason} (unidade CNES {unit.cnes})", TEAM_TAG, team.line)
            if team.ine:
                self.rejected_teams.add(team.ine)
            return
        active = team.deactivated_on is None
        values = (  # TEAM_VALUES
            name or f"Equipe {team.ine}",
            unit_id,
            self._type_id(
                self.team_types,
                TeamType,
                team.team_type,
                acronym=team.acronym or team.team_type,
                name=team.description or f"Tipo {team.team_type}",
            ),
            team.area_code,
            team.area_desc,
            iso_date(team.deactivated_on),
        )
        # Rows to write: the values with the deactivation date as the driver takes it.
        row = (*values[:5], self.bulk.value(team.deactivated_on), active)
        known = self.known_teams.get(team.ine)
        if known is None:
            [team_id] = self.bulk.ids(Team, 1)
            inserts.append((team_id, team.ine, *row))
            counts.novos += 1
        else:
            team_id = known.id
            changed = known.values != values or known.active != active
            if known.active and not active:
                counts.desativados += 1
            elif not known.active and active:
                counts.reativados += 1
            elif changed:
                counts.atualizados += 1
            else:
                counts.inalterados += 1
            if changed:
                updates.append((team_id, *row))
        self.file_teams[team.ine] = (team_id, unit.cnes, active)

    def _type_id(
        self, catalogue: dict[int, int], model: type[Model], code_text: str | None, **fields: Any
    ) -> int | None:
        """The unit/team type of this CNES code; a type the table lacks is added (CNES is the source)."""
        if not code_text or not code_text.isdigit():
            return None
        code = int(code_text)
        if code not in catalogue:
            self.bulk.flush()  # peewee uses the connection directly: no write may be running
            key = "cnes_code" if model is UnitType else "ms_code"
            model.insert({key: code, **fields}).on_conflict_ignore().execute()
            catalogue[code] = model.get(getattr(model, key) == code).id
        return catalogue[code]
