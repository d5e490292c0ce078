"""Gestão municipal's tables (manual 3.11.1–3.11.3), as PEC defines them.

- The default agenda: ``tb_cfg_agenda`` (:class:`~.units.AgendaConfig`) with its periods in
  ``tb_cfg_agenda_detalhe`` (weekday of ``tb_dia_semana``, period of ``tb_periodo``, start and end
  ``HH:MM``); the default appointment duration in ``tb_cfg_agenda_municipal``
  (:class:`~.units.MunicipalAgendaConfig`).
- Exam groups: ``tb_grupo_exame`` (name, the age range and sex it is offered to, the
  municipality) and ``rl_proced_grupo_exame`` (its exams, rows of ``tb_proced``, PEC's SIGTAP
  procedures).
- Service types are ``tb_tipo_servico`` (:class:`~.units.ServiceType`).
"""

from __future__ import annotations

from peewee import BigIntegerField, CharField, IntegerField

from pec_tui.storage.fields import FlagField
from pec_tui.storage.models.base import BaseModel, ForeignKeyField
from pec_tui.storage.models.installation import Localidade
from pec_tui.storage.models.units import AgendaConfig


class DayOfWeek(BaseModel):
    """``tb_dia_semana``: the weekdays (PEC's reference data)."""

    id = BigIntegerField(primary_key=True, column_name="co_dia_semana")
    identifier = CharField(max_length=30, column_name="no_identificador")

    class Meta:
        table_name = "tb_dia_semana"


class Period(BaseModel):
    """``tb_periodo``: the periods of a working day (manhã, tarde, noite; PEC's reference data)."""

    id = BigIntegerField(primary_key=True, column_name="co_periodo")
    identifier = CharField(max_length=30, column_name="no_identificador")

    class Meta:
        table_name = "tb_periodo"


class AgendaConfigDetail(BaseModel):
    """``tb_cfg_agenda_detalhe``: one period of one weekday of an agenda, ``HH:MM`` to ``HH:MM``."""

    id = BigIntegerField(primary_key=True, column_name="co_seq_config_agenda_detalhe")
    day = ForeignKeyField(DayOfWeek, column_name="co_dia_semana", backref="+")
    period = ForeignKeyField(Period, column_name="co_periodo", backref="+")
    start = CharField(max_length=5, column_name="horario_inicial")
    end = CharField(max_length=5, column_name="horario_final")
    agenda = ForeignKeyField(AgendaConfig, column_name="co_cfg_agenda", backref="details")

    class Meta:
        table_name = "tb_cfg_agenda_detalhe"


class Procedure(BaseModel):
    """``tb_proced``: a SIGTAP procedure (PEC's reference data). Ages in months, as SIGTAP gives
    them; ``st_masculino``/``st_feminino`` say which sexes it applies to."""

    id = BigIntegerField(primary_key=True, column_name="co_seq_proced")
    name = CharField(max_length=260, column_name="no_proced")
    name_filter = CharField(max_length=260, column_name="no_proced_filtro")
    min_age_months = IntegerField(column_name="nu_idade_minima")
    max_age_months = IntegerField(column_name="nu_idade_maxima")
    code = CharField(max_length=255, column_name="co_proced")
    competence = CharField(max_length=6, column_name="dt_competencia")
    active = FlagField(column_name="st_ativo")
    male = FlagField(null=True, column_name="st_masculino")
    female = FlagField(null=True, column_name="st_feminino")
    age_applies = FlagField(column_name="st_idade_aplicavel")
    exam = FlagField(null=True, column_name="st_exame")

    class Meta:
        table_name = "tb_proced"


class ExamGroup(BaseModel):
    """``tb_grupo_exame``: a municipality's exam group (3.11.2), offered in "Opções rápidas" of
    the exam request to citizens of its age range and sex (``no_sexo`` empty: both)."""

    id = BigIntegerField(primary_key=True, column_name="co_seq_grupo_exame")
    name = CharField(max_length=255, column_name="no_grupo_exame")
    min_age = IntegerField(column_name="nu_idade_minima")
    max_age = IntegerField(column_name="nu_idade_maxima")
    localidade = ForeignKeyField(Localidade, column_name="co_localidade", backref="+")
    sex = CharField(max_length=24, null=True, column_name="no_sexo")

    class Meta:
        table_name = "tb_grupo_exame"


class ExamGroupProcedure(BaseModel):
    """``rl_proced_grupo_exame``: an exam of a group."""

    id = BigIntegerField(primary_key=True, column_name="co_seq_proced_grupo_exame")
    group = ForeignKeyField(ExamGroup, column_name="co_grupo_exame", backref="procedures")
    procedure = ForeignKeyField(Procedure, column_name="co_proced", backref="+")

    class Meta:
        table_name = "rl_proced_grupo_exame"
        indexes = ((("co_grupo_exame", "co_proced"), True),)
