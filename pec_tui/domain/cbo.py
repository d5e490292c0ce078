"""CBO (manual 3.2): the occupations a professional may be placed (lotado) with, and the duration
of an appointment for each.

The catalogue is PEC's ``tb_cbo`` (on pec-tui's own database, seeded from
``pec_tui/data/cbo.csv``). The municipal administrator marks a CBO "Indisponível para lotação"
(it can no longer be chosen for a new lotação) or "Disponível para lotação" again, and sets its
"duração da consulta" in minutes (empty: the municipality's default). As in PEC, those settings
live in ``tb_cbo_atend``: one row per CBO and municipality, and rows with no municipality for
the whole installation; the catalogue row's own flag is the last fallback. A CBO the catalogue
does not know is never created here: the CNES import reports it instead.

Every change is made in one transaction with its audit event.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import JOIN, fn

from pec_tui.core.errors import PecError, ValidationError
from pec_tui.core.paging import Page, clamp_paging
from pec_tui.core.validators import digits
from pec_tui.domain import audit
from pec_tui.domain.audit import EventType, RecordType
from pec_tui.domain.compatibilidade import require_writable
from pec_tui.storage.database import transaction
from pec_tui.storage.models import Cbo, CboMunicipal
from pec_tui.storage.search import all_terms_match, search_text

COMPONENT = "pec-tui/cbo"
MIN_APPOINTMENT_MINUTES = 5
MAX_APPOINTMENT_MINUTES = 240

AVAILABLE_LABEL = "Disponível para lotação"
UNAVAILABLE_LABEL = "Indisponível para lotação"


class CboNotFound(PecError):
    """The CBO asked for is not in ``tb_cbo``."""


@dataclass(frozen=True)
class CboRow:
    id: int
    code: str
    name: str
    available: bool
    appointment_minutes: int | None  # None: the municipality's default

    @property
    def label(self) -> str:
        """``225142 - MÉDICO DA ESTRATÉGIA DE SAÚDE DA FAMÍLIA``."""
        return f"{self.code} - {self.name}"

    @property
    def status_label(self) -> str:
        return AVAILABLE_LABEL if self.available else UNAVAILABLE_LABEL


_HERE = CboMunicipal.alias("cbo_aqui")
_ALL = CboMunicipal.alias("cbo_todos")


def _effective(localidade_id: int | None):
    """The select of CBOs with their effective settings for the municipality (or, with
    ``None``, for the whole installation): ``available`` and ``minutes`` columns."""
    available = fn.COALESCE(_HERE.available_for_lotacao, _ALL.available_for_lotacao, Cbo.available_for_lotacao, 1)
    minutes = fn.COALESCE(_HERE.minutes, _ALL.minutes)
    here = (_HERE.cbo == Cbo.id) & (
        _HERE.localidade == localidade_id if localidade_id is not None else _HERE.localidade.is_null()
    )
    return (
        Cbo.select(Cbo.id, Cbo.code, Cbo.name, available.alias("available"), minutes.alias("minutes"))
        .join(_HERE, JOIN.LEFT_OUTER, on=here)
        .switch(Cbo)
        .join(_ALL, JOIN.LEFT_OUTER, on=(_ALL.cbo == Cbo.id) & _ALL.localidade.is_null())
    ), available


def _row(row) -> CboRow:
    return CboRow(row.id, row.code, row.name, bool(row.available), row.minutes)


def normalize_code(code: str | None) -> str:
    """A CBO code as ``tb_cbo`` keeps it: six characters, no mask, upper case (``2231F9``)."""
    return "".join(char for char in (code or "") if char.isalnum()).upper()


# --------------------------------------------------------------------------------------------
# Lookups
# --------------------------------------------------------------------------------------------


def get_by_code(code: str | None, localidade_id: int | None = None) -> CboRow | None:
    """The CBO with this code (``225142``, ``2251-42``), or None when the catalogue lacks it."""
    normalized = normalize_code(code)
    if not normalized:
        return None
    select, _ = _effective(localidade_id)
    row = select.where(Cbo.code == normalized).objects().first()
    return _row(row) if row else None


def get(cbo_id: int, localidade_id: int | None = None) -> CboRow:
    select, _ = _effective(localidade_id)
    row = select.where(Cbo.id == cbo_id).objects().first()
    if row is None:
        raise CboNotFound("O CBO pedido não existe.")
    return _row(row)


def catalogue_by_code(localidade_id: int | None = None) -> dict[str, CboRow]:
    """Every CBO of ``tb_cbo`` by code, with the municipality's settings: the whole table (a few
    thousand rows), for the CNES import, which checks each lotação's CBO without a query per
    record."""
    select, _ = _effective(localidade_id)
    return {row.code: _row(row) for row in select.objects()}


def require_available(code: str | None, localidade_id: int | None = None) -> CboRow:
    """The CBO for a new lotação: it must exist in the catalogue and be available for lotação."""
    row = get_by_code(code, localidade_id)
    if row is None:
        raise ValidationError(f"O CBO {code or '(vazio)'} não existe no catálogo de CBO.", "cbo")
    if not row.available:
        raise ValidationError(
            f"O CBO {row.label} está indisponível para lotação; disponibilize-o no módulo CBO.", "cbo"
        )
    return row


# --------------------------------------------------------------------------------------------
# The list (3.2, Figura 3.2.1)
# --------------------------------------------------------------------------------------------


def list_cbos(
    query: str, show_unavailable: bool, offset: int, limit: int, localidade_id: int | None = None
) -> Page[CboRow]:
    """CBOs whose name (any case, any accents) or code matches ``query``, ordered by name; only
    those available for lotação unless ``show_unavailable`` ("Mostrar CBOs indisponíveis para
    lotação"). Paged in the database."""
    offset, limit = clamp_paging(offset, limit)
    select, available = _effective(localidade_id)
    if not show_unavailable:
        select = select.where(available == 1)
    text = search_text(query)
    if text:
        number = digits(text)
        if number and len(number) == len(text.replace("-", "").replace(" ", "").replace(".", "")):
            select = select.where(Cbo.code.contains(number))
        else:
            select = select.where(all_terms_match([Cbo.name], text))
    total = select.count()
    rows = [_row(cbo) for cbo in select.order_by(Cbo.name, Cbo.code).offset(offset).limit(limit).objects()]
    return Page(rows, total, offset, limit)


# --------------------------------------------------------------------------------------------
# Editing (3.2.1)
# --------------------------------------------------------------------------------------------


def _setting(cbo_id: int, localidade_id: int | None) -> CboMunicipal | None:
    """The ``tb_cbo_atend`` row of the CBO for the municipality (or the whole installation)."""
    where = CboMunicipal.localidade == localidade_id if localidade_id is not None else CboMunicipal.localidade.is_null()
    return CboMunicipal.select().where((CboMunicipal.cbo == cbo_id) & where).order_by(CboMunicipal.id).first()


def _save_setting(cbo_id: int, localidade_id: int | None, **values) -> None:
    row = _setting(cbo_id, localidade_id)
    if row is None:
        CboMunicipal.create(cbo=cbo_id, localidade=localidade_id, **values)
    else:
        CboMunicipal.update(**values).where(CboMunicipal.id == row.id).execute()


def set_available(cbo_id: int, available: bool, user_id: int | None, localidade_id: int | None = None) -> CboRow:
    """Mark the CBO available ("Disponibilizar para lotação") or not ("Indisponível para lotação").

    Existing lotações keep their CBO; an unavailable CBO only cannot be chosen for a new one."""
    require_writable("cbo")
    with transaction():
        cbo = get(cbo_id, localidade_id)
        if cbo.available != bool(available):
            _save_setting(cbo_id, localidade_id, available_for_lotacao=bool(available))
            audit.record(
                EventType.USER_ACTION,
                component=COMPONENT,
                user_id=user_id,
                record_type=RecordType.CBO,
                record_id=cbo.code,
                details="Disponibilizado para lotação" if available else "Indisponível para lotação",
            )
        return get(cbo_id, localidade_id)


def set_appointment_minutes(
    cbo_id: int, minutes: int | None, user_id: int | None, localidade_id: int | None = None
) -> CboRow:
    """Set the duração da consulta (minutes) of the CBO; ``None`` uses the municipality's default."""
    if minutes is not None:
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise ValidationError("Duração da consulta: informe um número inteiro de minutos.", "appointment_minutes")
        if not MIN_APPOINTMENT_MINUTES <= minutes <= MAX_APPOINTMENT_MINUTES:
            raise ValidationError(
                f"Duração da consulta: informe de {MIN_APPOINTMENT_MINUTES} a {MAX_APPOINTMENT_MINUTES} minutos, "
                "ou deixe vazio para usar a duração padrão do município.",
                "appointment_minutes",
            )
    require_writable("cbo")
    with transaction():
        cbo = get(cbo_id, localidade_id)
        if cbo.appointment_minutes != minutes:
            _save_setting(cbo_id, localidade_id, minutes=minutes)
            before = f"{cbo.appointment_minutes} minutos" if cbo.appointment_minutes else "padrão"
            after = f"{minutes} minutos" if minutes else "padrão"
            audit.record(
                EventType.USER_ACTION,
                component=COMPONENT,
                user_id=user_id,
                record_type=RecordType.CBO,
                record_id=cbo.code,
                details=f"CBO {cbo.code} - {cbo.name}: duração da consulta {before} → {after}",
            )
        return get(cbo_id, localidade_id)
