"""Values of the CNES file against the size of the column that stores each one.

The sizes are read from the models' fields (``max_length``), never written here, so the check
follows the models when PEC's columns change. It runs in the domain layer, the same for every
database: SQLite would store a value of any length in a ``varchar(200)`` and PostgreSQL would
fail the whole import on it, naming nothing. Here an over-long value makes its record refused,
with the attribute, its length and the column's, and the record's element and line in the
report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import gt, itemgetter

from peewee import Field

from pec_tui.storage.models import HealthUnit, Professional, State, Team, TeamType, UnitType

#: (attribute of the file, column that stores it) of a unit, its address and its type.
UNIT_COLUMNS: tuple[tuple[str, Field], ...] = (
    ("CNES", HealthUnit.cnes),
    ("NM_FANTA", HealthUnit.name),
    ("CNPJ", HealthUnit.cnpj),
    ("DS_TP_UNID", UnitType.name),
    ("TELEFONE1", HealthUnit.phone),
    ("TELEFONE2", HealthUnit.phone2),
    ("E_MAIL", HealthUnit.email),
    ("LOGRADOURO", HealthUnit.address),
    ("NUMERO", HealthUnit.address_number),
    ("COMPLEMENT", HealthUnit.address_complement),
    ("BAIRRO", HealthUnit.district),
    ("CO_CEP", HealthUnit.cep),
)
# SG_COMPLEXIDADE is not stored as text: each level is looked up in tb_complexidade.

#: The same for a team (its name is NM_REFERENCIA, else DS_EQUIPE, else SG_EQUIPE) and its type.
TEAM_COLUMNS: tuple[tuple[str, Field], ...] = (
    ("CO_INE", Team.ine),
    ("NM_REFERENCIA", Team.name),
    ("DS_EQUIPE", Team.name),
    ("SG_EQUIPE", TeamType.acronym),
    ("CO_AREA", Team.area),  # ds_area holds the description, else the code
    ("DS_AREA", Team.area),
)

#: The same for a professional: (position in the reader's row, attribute, column).
PROFESSIONAL_COLUMNS: tuple[tuple[int, str, Field], ...] = (
    (0, "CO_CNS", Professional.cns),
    (1, "NM_PROF", Professional.name),
    (2, "CPF_PROF", Professional.cpf),
    (4, "SEXO", Professional.sex),
    # CONSELHO_ID is a key of tb_conselho_classe (a code it lacks is left out), not text.
    (6, "SG_UF_EMIS", State.acronym),
    (7, "NU_REGISTRO", Professional.council_registry),
    (8, "E_MAIL", Professional.email),
    (9, "TELEFONE", Professional.phone),
)

#: A lotação's microárea: PEC's tb_lotacao has no column for it, so it is not stored nor bounded.
MICROAREA_COLUMN = None


def too_long_message(attribute: str, value: str, size: int, where: str = "") -> str:
    """``NM_FANTA tem 300 caracteres; o banco aceita até 200.``"""
    count = f"{len(value):,}".replace(",", ".")
    return f"{attribute}{where} tem {count} caracteres; o banco aceita até {size}."


def first_too_long(values: Iterable[tuple[str, str | None]], columns: tuple[tuple[str, Field], ...]) -> str | None:
    """The message for the first value longer than its column, in the order of ``columns``. The
    sizes are read from the fields at each call (a few attribute reads a record)."""
    given = dict(values)
    for attribute, field in columns:
        value = given.get(attribute)
        size = field.max_length if value else None
        if size and len(value) > size:
            return too_long_message(attribute, value, size)
    return None


def unit_too_long(attributes: dict[str, str | None]) -> str | None:
    """The first attribute of a unit (with its address and complexities) over its column's size."""
    return first_too_long(attributes.items(), UNIT_COLUMNS)


def team_too_long(attributes: dict[str, str | None]) -> str | None:
    return first_too_long(attributes.items(), TEAM_COLUMNS)


ProfessionalLimits = tuple[Callable[[tuple], tuple], tuple[int, ...], tuple[tuple[int, str, int], ...], int | None]


def professional_limits() -> ProfessionalLimits:
    """The sizes :func:`professional_too_long` checks, read from the fields now (once per file:
    it runs for every professional)."""
    columns = tuple((index, attribute, field.max_length) for index, attribute, field in PROFESSIONAL_COLUMNS)
    getter = itemgetter(*(index for index, _attribute, _size in columns))
    microarea = MICROAREA_COLUMN.max_length if MICROAREA_COLUMN is not None else None
    return getter, tuple(size for _index, _attribute, size in columns), columns, microarea


def professional_too_long(row: tuple, limits: ProfessionalLimits | None = None) -> str | None:
    """The first value of a professional row (:data:`~pec_tui.domain.cnes.parser.ProfessionalRow`),
    or of one of its lotações' microáreas, longer than its column (``limits``: from
    :func:`professional_limits`, read now when not given). The common case, nothing too long,
    is one pass in C over the row's values."""
    getter, sizes, columns, size = limits or professional_limits()
    if any(map(gt, map(len, [value or "" for value in getter(row)]), sizes)):
        for index, attribute, most in columns:
            value = row[index]
            if value is not None and len(value) > most:
                return too_long_message(attribute, value, most)
    if size is None:
        return None
    for lotacao in row[10]:
        microarea = lotacao[3]
        if microarea is not None and len(microarea) > size:
            return too_long_message("MICROAREA", microarea, size, f" da lotação da linha {lotacao[4]}")
    return None
