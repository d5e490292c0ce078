"""Configuração da agenda padrão: periods per weekday, the weekend, the default duration; every
refusal on its day's field; saved in PEC's tables and audited; periods only on pec-tui's database."""

from __future__ import annotations

import pytest

from pec_tui.core.errors import PecError, ValidationError
from pec_tui.domain.audit import EventType
from pec_tui.domain.gestao_municipal import agenda_padrao
from pec_tui.storage.models import AgendaConfig, AgendaConfigDetail, AuditEvent, MunicipalAgendaConfig, User
from tests.domain.gestao_municipal.conftest import as_pec_installation

MON, TUE, SAT = 1, 2, 6
MORNING, AFTERNOON, EVENING = 1, 2, 3
WEEK = {
    (day, period): hours
    for day in range(1, 6)
    for period, hours in ((MORNING, ("08:00", "12:00")), (AFTERNOON, ("13:00", "17:00")))
}


def events() -> list[AuditEvent]:
    return list(AuditEvent.select().where(AuditEvent.component == agenda_padrao.COMPONENT))


def test_nothing_configured_reads_empty(municipality):
    agenda = agenda_padrao.read(municipality)
    assert (agenda.periods, agenda.show_weekend, agenda.minutes, agenda.writable) == ({}, False, None, True)


def test_save_then_read_back_and_audited(municipality):
    periods = dict(WEEK)
    periods[MON, EVENING] = ("18:00", "22:00")
    periods[SAT, MORNING] = ("8:00", "1200")  # H:MM and HHMM are read as HH:MM
    saved = agenda_padrao.save(municipality, periods, show_weekend=True, minutes="30", by_user_id=None)
    assert saved.periods[SAT, MORNING] == ("08:00", "12:00")
    assert saved.periods[MON, EVENING] == ("18:00", "22:00")
    assert len(saved.periods) == 12 and saved.show_weekend and saved.minutes == 30
    config = AgendaConfig.get()
    assert (config.entity, config.kind) == (municipality, agenda_padrao.MUNICIPAL_DEFAULT_KIND)
    assert AgendaConfigDetail.select().where(AgendaConfigDetail.agenda == config.id).count() == 12
    assert MunicipalAgendaConfig.get().default_minutes == 30
    (event,) = events()
    assert event.event_type == EventType.DATABASE_OPERATION.value
    assert event.details.startswith("Agenda padrão de Chapecó: Segunda manhã 08:00–12:00, tarde 13:00–17:00, noite")
    assert "Sábado manhã 08:00–12:00" in event.details and event.details.endswith("30 minutos.")


def test_saving_again_replaces_and_without_weekend_drops_saturday(municipality):
    periods = dict(WEEK)
    periods[SAT, MORNING] = ("08:00", "12:00")
    agenda_padrao.save(municipality, periods, show_weekend=True, minutes=30, by_user_id=None)
    again = agenda_padrao.save(municipality, periods, show_weekend=False, minutes=20, by_user_id=None)
    assert (SAT, MORNING) not in again.periods and not again.show_weekend
    assert len(again.periods) == 10 and again.minutes == 20
    assert AgendaConfig.select().count() == 1 and AgendaConfigDetail.select().count() == 10
    assert MunicipalAgendaConfig.select().count() == 1


@pytest.mark.parametrize(
    ("periods", "field", "message"),
    [
        ({(TUE, MORNING): ("08:00", "")}, "agenda-terca", "Terça, manhã: informe o início e o fim do período."),
        ({(TUE, MORNING): ("12:00", "08:00")}, "agenda-terca", r"Terça, manhã: o fim \(08:00\) deve ser depois"),
        ({(MON, AFTERNOON): ("13:00", "13:00")}, "agenda-segunda", r"o fim \(13:00\) deve ser depois do início"),
        ({(MON, MORNING): ("25:00", "26:00")}, "agenda-segunda", "«25:00» não é um horário; use HH:MM"),
        (
            {(MON, MORNING): ("08:00", "12:30"), (MON, AFTERNOON): ("12:00", "17:00")},
            "agenda-segunda",
            r"Segunda, tarde \(12:00–17:00\) sobrepõe a manhã, que vai até 12:30.",
        ),
        (
            {(MON, MORNING): ("13:00", "17:00"), (MON, AFTERNOON): ("08:00", "12:00")},
            "agenda-segunda",
            "sobrepõe a manhã, que vai até 17:00",
        ),
        (
            {(SAT, MORNING): ("08:00", "12:00"), (SAT, EVENING): ("11:00", "13:00")},
            "agenda-sabado",
            "Sábado, noite .* sobrepõe a manhã",
        ),
    ],
)
def test_refusals_on_the_days_field_change_nothing(municipality, periods, field, message):
    with pytest.raises(ValidationError, match=message) as refused:
        agenda_padrao.save(municipality, periods, show_weekend=True, minutes=30, by_user_id=None)
    assert refused.value.field == field
    assert AgendaConfigDetail.select().count() == 0 and events() == []


def test_a_hidden_weekend_is_not_checked(municipality):
    hidden = {(SAT, MORNING): ("12:00", "08:00")}
    assert agenda_padrao.save(municipality, hidden, show_weekend=False, minutes=30, by_user_id=None).periods == {}


@pytest.mark.parametrize("minutes", ["", "4", "241", "trinta", None])
def test_default_duration_from_5_to_240_minutes(municipality, minutes):
    with pytest.raises(ValidationError, match="de 5 a 240") as refused:
        agenda_padrao.save(municipality, WEEK, show_weekend=False, minutes=minutes, by_user_id=None)
    assert refused.value.field == "duracao"
    assert MunicipalAgendaConfig.select().count() == 0


def test_only_the_municipal_administrator(municipality):
    other = User.create(login="11144477735", blocked=False)
    with pytest.raises(PecError, match="Só o administrador municipal do município pode alterar a agenda padrão"):
        agenda_padrao.save(municipality, WEEK, show_weekend=False, minutes=30, by_user_id=other.id)
    assert AgendaConfig.select().count() == 0 and events() == []


def test_on_a_pec_installation_only_the_duration_is_read(municipality):
    agenda_padrao.save(municipality, WEEK, show_weekend=False, minutes=25, by_user_id=None)
    as_pec_installation()
    agenda = agenda_padrao.read(municipality)
    assert (agenda.periods, agenda.minutes, agenda.writable) == ({}, 25, False)
    with pytest.raises(PecError, match="pela tela Gestão municipal do próprio PEC"):
        agenda_padrao.save(municipality, WEEK, show_weekend=False, minutes=30, by_user_id=None)
    assert MunicipalAgendaConfig.get().default_minutes == 25
