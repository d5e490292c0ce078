"""CBO (manual 3.2): the occupations a professional may be placed (lotado) with, and the duration
of an appointment for each.

The catalogue (CBO 2002 occupations primary care uses) ships in ``pec_tui/data/cbo.csv`` and is
seeded into ``tb_cbo`` by migration 2. The municipal administrator marks a CBO "Indisponível para
lotação" (it can no longer be chosen for a new lotação) or "Disponível para lotação" again, and
sets its "duração da consulta" in minutes (empty: the municipality's default). A CBO the
catalogue does not know is never created here: the CNES import reports it instead.

Every change is made in one transaction with its audit event.
"""

from __future__ import annotations

from dataclasses import dataclass

from pec_tui.core.errors import PecError, ValidationError
from pec_tui.core.paging import Page, clamp_paging
from pec_tui.core.validators import digits
from pec_tui.domain import audit
from pec_tui.domain.audit import EventType, RecordType
from pec_tui.storage.database import transaction
from pec_tui.storage.models import Cbo
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


def _row(cbo: Cbo) -> CboRow:
    return CboRow(cbo.id, cbo.code, cbo.name, bool(cbo.available_for_lotacao), cbo.appointment_minutes)


def normalize_code(code: str | None) -> str:
    """A CBO code as ``tb_cbo`` keeps it: six characters, no mask, upper case (``2231F9``)."""
    return "".join(char for char in (code or "") if char.isalnum()).upper()


# --------------------------------------------------------------------------------------------
# Lookups
# --------------------------------------------------------------------------------------------


def get_by_code(code: str | None) -> CboRow | None:
    """The CBO with this code (``225142``, ``2251-42``), or None when the catalogue lacks it."""
    normalized = normalize_code(code)
    if not normalized:
        return None
    cbo = Cbo.get_or_none(Cbo.code == normalized)
    return _row(cbo) if cbo else None


def get(cbo_id: int) -> CboRow:
    return _row(_get(cbo_id))


def catalogue_by_code() -> dict[str, CboRow]:
    """Every CBO of ``tb_cbo`` by code: the whole table (a couple of hundred rows), for the
    CNES import, which checks each lotação's CBO without a query per record."""
    return {cbo.code: _row(cbo) for cbo in Cbo.select()}


def require_available(code: str | None) -> CboRow:
    """The CBO for a new lotação: it must exist in the catalogue and be available for lotação."""
    row = get_by_code(code)
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


def list_cbos(query: str, show_unavailable: bool, offset: int, limit: int) -> Page[CboRow]:
    """CBOs whose name (any case, any accents) or code matches ``query``, ordered by name; only
    those available for lotação unless ``show_unavailable`` ("Mostrar CBOs indisponíveis para
    lotação"). Paged in the database."""
    offset, limit = clamp_paging(offset, limit)
    select = Cbo.select()
    if not show_unavailable:
        select = select.where(Cbo.available_for_lotacao == True)
    text = search_text(query)
    if text:
        number = digits(text)
        if number and len(number) == len(text.replace("-", "").replace(" ", "").replace(".", "")):
            select = select.where(Cbo.code.contains(number))
        else:
            select = select.where(all_terms_match([Cbo.name], text))
    total = select.count()
    rows = [_row(cbo) for cbo in select.order_by(Cbo.name, Cbo.code).offset(offset).limit(limit)]
    return Page(rows, total, offset, limit)


# --------------------------------------------------------------------------------------------
# Editing (3.2.1)
# --------------------------------------------------------------------------------------------


def _get(cbo_id: int) -> Cbo:
    cbo = Cbo.get_or_none(Cbo.id == cbo_id)
    if cbo is None:
        raise CboNotFound("O CBO pedido não existe.")
    return cbo


def set_available(cbo_id: int, available: bool, user_id: int | None) -> CboRow:
    """Mark the CBO available ("Disponibilizar para lotação") or not ("Indisponível para lotação").

    Existing lotações keep their CBO; an unavailable CBO only cannot be chosen for a new one."""
    with transaction():
        cbo = _get(cbo_id)
        if bool(cbo.available_for_lotacao) != bool(available):
            Cbo.update(available_for_lotacao=bool(available)).where(Cbo.id == cbo_id).execute()
            audit.record(
                EventType.USER_ACTION,
                component=COMPONENT,
                user_id=user_id,
                record_type=RecordType.CBO,
                record_id=cbo.code,
                details="Disponibilizado para lotação" if available else "Indisponível para lotação",
            )
        return _row(_get(cbo_id))


def set_appointment_minutes(cbo_id: int, minutes: int | None, user_id: int | None) -> CboRow:
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
    with transaction():
        cbo = _get(cbo_id)
        if cbo.appointment_minutes != minutes:
            Cbo.update(appointment_minutes=minutes).where(Cbo.id == cbo_id).execute()
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
        return _row(_get(cbo_id))
