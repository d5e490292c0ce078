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

from peewee import Model, fn

from pec_tui.core.checks import is_cnes_code, is_ine_code, is_valid_cnpj
from pec_tui.domain.cnes.parser import UNIT_TAG, CnesTeam, CnesUnit
from pec_tui.domain.cnes.report import KIND_TEAM, KIND_UNIT, ImportReport, KindCounts
from pec_tui.domain.installation import is_own_database
from pec_tui.storage.bulk.writer import BulkWriter
from pec_tui.storage.models import Complexity, HealthUnit, Localidade, State, Team, TeamType, UnitComplexity, UnitType
from pec_tui.storage.search import filter_form

TEAM_TAG = "DADOS_EQUIPES"
#: CNES's levels of care (SG_COMPLEXIDADE), named as pec-tui's own database records them.
COMPLEXITY_NAMES = {"AB": "Atenção básica", "MC": "Média complexidade", "AC": "Alta complexidade"}

#: What the import may change on a unit, in this order in :attr:`KnownUnit.values`.
UNIT_VALUES = (
    "name",
    "name_filter",
    "cnpj",
    "unit_type",
    "localidade",
    "state",
    "address",
    "address_number",
    "address_complement",
    "district",
    "district_filter",
    "cep",
    "phone",
    "phone2",
    "email",
)
#: What the import may change on a team, in this order in :attr:`KnownTeam.values`. PEC keeps
#: no deactivation date nor area code for a team: a deactivated team is ``st_ativo = 0``, and
#: ``ds_area`` holds the area's description (its code when the file has no description).
TEAM_VALUES = ("name", "name_filter", "unit", "team_type", "area")


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
        # A PEC installation's types are PEC's reference data: a type it lacks is not added.
        self.may_add_types = is_own_database()
        self.state_id: int | None = None  # the municipality's UF (tb_uf.co_uf)
        # Levels of care (tb_complexidade by acronym) and each known unit's, for
        # rl_unidade_saude_complexidade; the units whose levels the file changes.
        self.complexities: dict[str, int] = {}
        self.unit_complexities: dict[int, set[int]] = {}
        self.changed_complexities: dict[int, set[int]] = {}
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
        self.team_types = {
            int(code): type_id
            for type_id, code in rows(TeamType.select(TeamType.id, TeamType.ms_code))
            if str(code).strip().isdigit()
        }
        [(self.state_id,)] = rows(Localidade.select(Localidade.state).where(Localidade.id == self.loc))
        self.complexities = {
            acronym.strip().upper(): key for key, acronym in rows(Complexity.select(Complexity.id, Complexity.acronym))
        }
        for unit_id, complexity_id in rows(UnitComplexity.select(UnitComplexity.unit, UnitComplexity.complexity)):
            self.unit_complexities.setdefault(unit_id, set()).add(complexity_id)
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
            Team.name_filter,
            Team.team_type,
            Team.area,
        ).join(HealthUnit)
        for ine, team_id, unit_id, active, localidade, name, name_filter, team_type, area in rows(query):
            values = (name, name_filter, unit_id, team_type, area)
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
        team_names = ("id", "ine", *TEAM_VALUES, "active")
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
                filter_form(unit.name),
                unit.cnpj,
                self._type_id(
                    self.unit_types,
                    UnitType,
                    unit.unit_type_code,
                    (KIND_UNIT, unit.cnes, unit.name, UNIT_TAG, unit.line),
                    name=unit.unit_type_desc or f"Tipo {unit.unit_type_code}",
                ),
                self.loc,
                self.state_id,
                address.street if address else None,
                address.number if address else None,
                address.complement if address else None,
                address.district if address else None,
                filter_form(address.district) if address else None,
                address.cep if address else None,
                unit.phone,
                unit.phone2,
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
            levels = self._complexity_ids(unit)
            if levels != self.unit_complexities.get(unit_id, set()):
                self.changed_complexities[unit_id] = levels
            for team in unit.teams:
                self._save_team(team, unit, unit_id, team_inserts, team_updates, counts_teams)
        bulk.insert(HealthUnit, unit_names, unit_inserts)
        bulk.update(HealthUnit, "id", unit_names[2:], unit_updates)
        bulk.insert(Team, team_names, team_inserts)
        bulk.update(Team, "id", team_names[2:], team_updates)
        self._save_complexities()

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

    def _complexity_ids(self, unit: CnesUnit) -> set[int]:
        """The unit's levels of care as PEC keys them. On pec-tui's own database a level the
        catalogue lacks is added; on a PEC installation it is left out (the report says so)."""
        found: set[int] = set()
        for acronym in unit.complexities:
            key = self.complexities.get(acronym.strip().upper())
            if key is None and self.may_add_types:
                self.bulk.flush()  # peewee uses the connection directly: no write may be running
                key = (Complexity.select(fn.max(Complexity.id)).scalar() or 0) + 1
                name = COMPLEXITY_NAMES.get(acronym.strip().upper(), acronym)
                Complexity.insert(id=key, name=name, acronym=acronym.strip().upper()[:2]).execute()
                self.complexities[acronym.strip().upper()] = key
            if key is None:
                self.report.warn(
                    KIND_UNIT, unit.cnes, unit.name, f"A complexidade {acronym} não existe no PEC.", UNIT_TAG, unit.line
                )
                continue
            found.add(key)
        return found

    def _save_complexities(self) -> None:
        """``rl_unidade_saude_complexidade`` of the units whose levels changed (a few hundred rows
        at most: each unit's are replaced)."""
        if not self.changed_complexities:
            return
        self.bulk.flush()
        units = sorted(self.changed_complexities)
        for start in range(0, len(units), 500):
            UnitComplexity.delete().where(UnitComplexity.unit.in_(units[start : start + 500])).execute()
        rows = [
            {"unit": unit_id, "complexity": key}
            for unit_id in units
            for key in sorted(self.changed_complexities[unit_id])
        ]
        for start in range(0, len(rows), 500):
            UnitComplexity.insert_many(rows[start : start + 500]).execute()

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
        name = name or f"Equipe {team.ine}"
        values = (  # TEAM_VALUES
            name,
            filter_form(name),
            unit_id,
            self._type_id(
                self.team_types,
                TeamType,
                team.team_type,
                (KIND_TEAM, team.ine, name, TEAM_TAG, team.line),
                acronym=team.acronym or team.team_type,
                name=team.description or f"Tipo {team.team_type}",
            ),
            team.area_desc or team.area_code,
        )
        row = (*values, active)
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
        self, catalogue: dict[int, int | None], model: type[Model], code_text: str | None, record: tuple, **fields: Any
    ) -> int | None:
        """The unit/team type of this CNES code. On pec-tui's own database a type the table lacks
        is added (CNES is the source); on a PEC installation the types are PEC's, and a unit or
        team of a type PEC lacks keeps no type (the report says so)."""
        if not code_text or not code_text.isdigit():
            return None
        code = int(code_text)
        if code not in catalogue:
            if not self.may_add_types:
                kind, key, name, element, line = record
                what = "tipo de estabelecimento" if model is UnitType else "tipo de equipe"
                self.report.warn(
                    kind, key, name, f"O {what} {code} não existe no PEC; gravado sem tipo.", element, line
                )
                return None
            self.bulk.flush()  # peewee uses the connection directly: no write may be running
            [type_id] = self.bulk.ids(model, 1)
            if model is UnitType:
                UnitType.insert(id=type_id, cnes_code=code, **fields).on_conflict_ignore().execute()
            else:
                TeamType.insert(
                    id=type_id,
                    ms_code=str(code),
                    acronym_filter=filter_form(fields.get("acronym")),
                    name_filter=filter_form(fields.get("name")),
                    **fields,
                ).on_conflict_ignore().execute()
            catalogue[code] = type_id
        return catalogue[code]
