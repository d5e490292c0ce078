"""Agenda (3.5.5–3.5.7, 3.11.1): the default agenda, each lotação's agenda and closures."""

from __future__ import annotations

from peewee import (
    AutoField,
    CharField,
    DateField,
    IntegerField,
)

from pec_tui.storage.fields import FlagField
from pec_tui.storage.models.base import BaseModel, ForeignKeyField
from pec_tui.storage.models.installation import Localidade
from pec_tui.storage.models.units import Lotacao


class DefaultAgenda(BaseModel):
    """Default opening hours of a municipality, per weekday and period (3.11.1)."""

    id = AutoField(column_name="co_seq_cfg_agenda_padrao")
    localidade = ForeignKeyField(Localidade, column_name="co_localidade", backref="+")
    weekday = IntegerField(column_name="nu_dia_semana")  # 0 = Monday
    period = CharField(max_length=10, column_name="tp_periodo")  # MANHA, TARDE, NOITE
    start = CharField(max_length=5, column_name="hr_inicio")
    end = CharField(max_length=5, column_name="hr_fim")

    class Meta:
        table_name = "tb_cfg_agenda_padrao"
        indexes = ((("localidade", "weekday", "period"), True),)


class LotacaoAgenda(BaseModel):
    """Agenda configuration of one lotação (3.5.5)."""

    id = AutoField(column_name="co_seq_cfg_agenda_lotacao")
    lotacao = ForeignKeyField(Lotacao, column_name="co_lotacao", backref="agenda")
    weekday = IntegerField(column_name="nu_dia_semana")
    period = CharField(max_length=10, column_name="tp_periodo")
    start = CharField(max_length=5, column_name="hr_inicio")
    end = CharField(max_length=5, column_name="hr_fim")
    online = FlagField(default=False, column_name="st_agenda_online")

    class Meta:
        table_name = "tb_cfg_agenda_lotacao"


class AgendaClosure(BaseModel):
    """``tb_fechamento_agenda``: dates a lotação's agenda is closed, with the reason (3.5.6)."""

    REASONS = ("ATESTADO", "CURSO", "FERIAS", "LICENCA", "REUNIAO", "OUTRO")

    id = AutoField(column_name="co_seq_fechamento_agenda")
    lotacao = ForeignKeyField(Lotacao, column_name="co_lotacao", backref="closures")
    start = DateField(column_name="dt_inicial")
    end = DateField(column_name="dt_final")
    reason = CharField(max_length=20, column_name="tp_motivo")
    details = CharField(max_length=200, null=True, column_name="ds_especifique")

    class Meta:
        table_name = "tb_fechamento_agenda"
