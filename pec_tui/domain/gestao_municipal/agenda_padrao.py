"""Configuração da agenda padrão (manual 3.11.1): the municipality's default working hours.

For each weekday, the start and end of the morning, afternoon and evening periods (``HH:MM``);
Saturday and Sunday only with "Mostrar fim de semana"; and the default appointment duration in
minutes ("duração padrão do agendamento", which a lotação whose CBO has its own duration does not
use). The professionals' agenda starts from it ("horário-padrão", 3.5.5).

Where PEC keeps it: the periods in ``tb_cfg_agenda`` (the municipality as the configured entity)
and ``tb_cfg_agenda_detalhe`` (weekday of ``tb_dia_semana``, period of ``tb_periodo``), the
duration in ``tb_cfg_agenda_municipal``. Refused next to the day's field: a period with only one
end, a time that is not ``HH:MM``, an inverted period (end not after start) and periods of one
day that overlap or are out of order (morning, then afternoon, then evening). Saving without
"Mostrar fim de semana" leaves Saturday and Sunday without hours.

What pec-tui cannot do as PEC does: the codes PEC gives the municipal default in
``tb_cfg_agenda.co_tipo_cfg_agenda`` and the keys of ``tb_dia_semana``/``tb_periodo`` are not
public, so on a PEC installation the periods are neither read nor written (the PEC's own screen
does it; :data:`NOT_ON_PEC`) and only the default duration is shown.

Audit: "Operação no banco de dados" (table 3.9.1), in the same transaction as the change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from pec_tui.core.errors import PecError, ValidationError
from pec_tui.domain import audit, cbo
from pec_tui.domain.audit import EventType, RecordType
from pec_tui.domain.compatibilidade import require_writable
from pec_tui.domain.gestao_municipal import municipal_admin_role, municipality_name
from pec_tui.domain.installation import is_own_database
from pec_tui.storage.database import transaction
from pec_tui.storage.models import AgendaConfig, AgendaConfigDetail, MunicipalAgendaConfig
from pec_tui.storage.reference import PERIODS, WEEKDAYS

COMPONENT = "pec-tui/gestao_municipal/agenda_padrao"
#: ``co_tipo_cfg_agenda`` of a municipality's default agenda on pec-tui's own database.
MUNICIPAL_DEFAULT_KIND = 1
WEEKEND = frozenset({6, 7})
MIN_MINUTES = cbo.MIN_APPOINTMENT_MINUTES
MAX_MINUTES = cbo.MAX_APPOINTMENT_MINUTES
DAY_LABELS = {key: label for key, _, label in WEEKDAYS}
PERIOD_LABELS = {key: label.lower() for key, _, label in PERIODS}
NOT_ON_PEC = (
    "Numa instalação do PEC, configure os horários da agenda padrão pela tela Gestão municipal do próprio PEC: "
    "os códigos que o PEC usa para a agenda padrão do município em tb_cfg_agenda não são públicos."
)
_TIME = re.compile(r"^(\d{1,2}):?(\d{2})$")

#: (weekday, period) → (start, end), both ``HH:MM``.
Periods = dict[tuple[int, int], tuple[str, str]]


def day_field(day: int) -> str:
    """The field a day's refusal goes to (``agenda-segunda``)."""
    return f"agenda-{WEEKDAYS[day - 1][1].lower()}"


@dataclass(frozen=True)
class DefaultAgenda:
    localidade_id: int
    municipality: str
    periods: Periods
    show_weekend: bool
    minutes: int | None  # the default appointment duration; None: not configured
    writable: bool  # False on a PEC installation (NOT_ON_PEC)


def _config(localidade_id: int) -> AgendaConfig | None:
    return (
        AgendaConfig.select()
        .where((AgendaConfig.entity == localidade_id) & (AgendaConfig.kind == MUNICIPAL_DEFAULT_KIND))
        .order_by(AgendaConfig.id)
        .first()
    )


def _minutes(localidade_id: int) -> int | None:
    row = MunicipalAgendaConfig.select().where(MunicipalAgendaConfig.localidade == localidade_id).first()
    return row.default_minutes if row else None


def read(localidade_id: int) -> DefaultAgenda:
    name = municipality_name(localidade_id)
    if not is_own_database():
        return DefaultAgenda(localidade_id, name, {}, False, _minutes(localidade_id), False)
    periods: Periods = {}
    config = _config(localidade_id)
    if config is not None:
        for row in AgendaConfigDetail.select().where(AgendaConfigDetail.agenda == config.id):
            periods[row.day_id, row.period_id] = (row.start, row.end)
    show_weekend = any(day in WEEKEND for day, _ in periods)
    return DefaultAgenda(localidade_id, name, periods, show_weekend, _minutes(localidade_id), True)


def _time(text: str, day: int, period: int) -> str:
    match = _TIME.match(text.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValidationError(
            f"{DAY_LABELS[day]}, {PERIOD_LABELS[period]}: «{text.strip()}» não é um horário; use HH:MM, "
            "de 00:00 a 23:59.",
            day_field(day),
        )
    return f"{int(match[1]):02d}:{match[2]}"


def _blank(text: str | None) -> bool:
    return not (text or "").replace(":", "").replace("_", "").strip()


def check_periods(periods: Mapping[tuple[int, int], tuple[str | None, str | None]], *, show_weekend: bool) -> Periods:
    """The periods to keep, ``HH:MM``; every refusal on its day's field, naming the period."""
    clean: Periods = {}
    for day, _, _ in WEEKDAYS:
        if day in WEEKEND and not show_weekend:
            continue
        previous: tuple[int, str] | None = None  # the day's last filled period and its end
        for period, _, _ in PERIODS:
            start, end = periods.get((day, period), (None, None))
            if _blank(start) and _blank(end):
                continue
            where = f"{DAY_LABELS[day]}, {PERIOD_LABELS[period]}"
            if _blank(start) or _blank(end):
                raise ValidationError(f"{where}: informe o início e o fim do período.", day_field(day))
            start, end = _time(start or "", day, period), _time(end or "", day, period)
            if end <= start:
                raise ValidationError(
                    f"{where}: o fim ({end}) deve ser depois do início ({start}).",
                    day_field(day),
                )
            if previous is not None and start < previous[1]:
                raise ValidationError(
                    f"{where} ({start}–{end}) sobrepõe a {PERIOD_LABELS[previous[0]]}, que vai até {previous[1]}.",
                    day_field(day),
                )
            clean[day, period] = (start, end)
            previous = (period, end)
    return clean


def check_minutes(minutes: int | str | None) -> int:
    text = str(minutes if minutes is not None else "").strip()
    if not text.isdigit() or not MIN_MINUTES <= int(text) <= MAX_MINUTES:
        raise ValidationError(
            f"Informe a duração padrão do agendamento em minutos, de {MIN_MINUTES} a {MAX_MINUTES}.", "duracao"
        )
    return int(text)


def describe(periods: Periods) -> str:
    """ "Segunda manhã 08:00–12:00, tarde 13:00–17:00; Terça …" (or "sem horários")."""
    days = []
    for day, _, label in WEEKDAYS:
        spans = [
            f"{PERIOD_LABELS[period]} {periods[day, period][0]}–{periods[day, period][1]}"
            for period, _, _ in PERIODS
            if (day, period) in periods
        ]
        if spans:
            days.append(f"{label} " + ", ".join(spans))
    return "; ".join(days) or "sem horários"


def save(
    localidade_id: int,
    periods: Mapping[tuple[int, int], tuple[str | None, str | None]],
    *,
    show_weekend: bool,
    minutes: int | str | None,
    by_user_id: int | None,
) -> DefaultAgenda:
    """ "Salvar": the periods of every weekday (Saturday and Sunday only with ``show_weekend``)
    and the default duration, replacing the municipality's; audited with what was saved."""
    clean = check_periods(periods, show_weekend=show_weekend)
    duration = check_minutes(minutes)
    if not is_own_database():
        raise PecError(NOT_ON_PEC)
    require_writable("gestao_municipal")
    with transaction():
        municipal_admin_role(localidade_id, by_user_id, "a agenda padrão")
        config = _config(localidade_id) or AgendaConfig.create(entity=localidade_id, kind=MUNICIPAL_DEFAULT_KIND)
        AgendaConfigDetail.delete().where(AgendaConfigDetail.agenda == config.id).execute()
        for (day, period), (start, end) in sorted(clean.items()):
            AgendaConfigDetail.create(agenda=config.id, day=day, period=period, start=start, end=end)
        setting = MunicipalAgendaConfig.select().where(MunicipalAgendaConfig.localidade == localidade_id).first()
        if setting is None:
            MunicipalAgendaConfig.create(localidade=localidade_id, default_minutes=duration)
        elif setting.default_minutes != duration:
            setting.default_minutes = duration
            setting.save()
        audit.record(
            EventType.DATABASE_OPERATION,
            component=COMPONENT,
            user_id=by_user_id,
            record_type=RecordType.CONFIGURATION,
            record_id=f"agenda padrão {localidade_id}",
            details=f"Agenda padrão de {municipality_name(localidade_id)}: {describe(clean)}; "
            f"duração padrão do agendamento {duration} minutos.",
        )
    return read(localidade_id)
