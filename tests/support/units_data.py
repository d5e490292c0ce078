"""A small municipal network written straight into the models (no CNES import), for the tests
of Unidades de saúde: units of two municipalities, teams (one inactive), professionals with
active and deactivated lotações."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import fn

from pec_tui.storage.database import transaction
from pec_tui.storage.models import (
    ActorRole,
    Cbo,
    Complexity,
    HealthUnit,
    Localidade,
    Lotacao,
    Professional,
    ServiceType,
    Team,
    TeamType,
    UnitComplexity,
    UnitServiceType,
    UnitType,
)
from pec_tui.storage.search import filter_form

CHAPECO = "4204202"
XANXERE = "4219507"


def cpf_with_check_digits(base9: str) -> str:
    numbers = [int(c) for c in base9]
    for length in (9, 10):
        total = sum(n * w for n, w in zip(numbers, range(length + 1, 1, -1), strict=True))
        numbers.append((total * 10 % 11) % 10)
    return "".join(map(str, numbers))


@dataclass
class Network:
    chapeco_id: int
    xanxere_id: int
    units: dict[str, int] = field(default_factory=dict)  # name -> id
    teams: dict[str, int] = field(default_factory=dict)
    professionals: dict[str, int] = field(default_factory=dict)
    cbos: dict[str, int] = field(default_factory=dict)


def cbo(code: str, name: str) -> int:
    existing = Cbo.get_or_none(Cbo.code == code)
    if existing:
        return existing.id
    key = (Cbo.select(fn.max(Cbo.id)).scalar() or 0) + 1  # tb_cbo has no sequence: PEC's reference data
    return Cbo.create(id=key, code=code, name=name, name_filter=filter_form(name)).id


def lotacao(
    professional_id: int,
    unit_id: int,
    cbo_id: int,
    team_id: int | None = None,
    *,
    active: bool = True,
) -> Lotacao:
    role = ActorRole.create(professional=professional_id, kind=ActorRole.LOTACAO, active=active)
    return Lotacao.create(
        role=role.id,
        professional=professional_id,
        cbo=cbo_id,
        unit=unit_id,
        team=team_id,
        deactivated_at=None if active else dt.datetime(2026, 1, 15, 10, 0),
        imported=True,
    )


def build_network(extra_units: int = 0) -> Network:
    """Write the network; ``extra_units`` more units named "Unidade de apoio NN" in Chapecó."""
    with transaction():
        chapeco = Localidade.get(Localidade.ibge == CHAPECO)
        xanxere = Localidade.get(Localidade.ibge == XANXERE)
        net = Network(chapeco.id, xanxere.id)
        ubs = UnitType.get(UnitType.cnes_code == 2).id
        caps = UnitType.get(UnitType.cnes_code == 70).id
        esf = TeamType.get(TeamType.ms_code == "70").id
        esb = TeamType.get(TeamType.ms_code == "71").id

        def unit(name, cnes, localidade, unit_type=ubs, active=True, **extra):
            net.units[name] = HealthUnit.create(
                name=name, cnes=cnes, localidade=localidade, unit_type=unit_type, active=active, **extra
            ).id
            return net.units[name]

        sao = unit(
            "UBS SÃO CRISTÓVÃO",
            "2345671",
            chapeco.id,
            cnpj="11222333000181",
            address="Rua Marechal Deodoro",
            address_number="450",
            district="Centro",
            cep="89802140",
            phone="4933211234",
            email="ubs.saocristovao@saude.demo",
        )
        basic = Complexity.get_or_none(Complexity.id == 1) or Complexity.create(
            id=1, name="Atenção básica", acronym="AB"
        )
        UnitComplexity.create(unit=sao, complexity=basic.id)
        efapi = unit("UBS Efapi", "2345682", chapeco.id)
        unit("CAPS II Chapecó", "2419645", chapeco.id, unit_type=caps)
        unit("Unidade desativada Passo dos Fortes", "2419653", chapeco.id, active=False)
        unit("UBS Xanxerê Centro", "9876543", xanxere.id)
        for n in range(extra_units):
            unit(f"Unidade de apoio {n:02d}", f"70{n:05d}", chapeco.id)

        for name in ("Consulta médica", "Vacinação", "Odontologia"):
            service = ServiceType.create(name=name, name_filter=filter_form(name), internal=True)
            UnitServiceType.create(unit=sao, service_type=service.id)

        def team(name, ine, team_type, area_code, active=True):
            net.teams[name] = Team.create(
                name=name,
                ine=ine,
                unit=sao,
                team_type=team_type,
                area=f"Área {area_code}",
                active=active,
            ).id
            return net.teams[name]

        esf1 = team("ESF São Cristóvão I", "0000123456", esf, "001")
        team("ESB São Cristóvão", "0000123464", esb, "002")
        team("ESF São Cristóvão II (antiga)", "0000123472", esf, "003", active=False)

        net.cbos["medico"] = cbo("225142", "Médico da estratégia de saúde da família")
        net.cbos["enfermeiro"] = cbo("223565", "Enfermeiro da estratégia de saúde da família")
        net.cbos["acs"] = cbo("515105", "Agente comunitário de saúde")

        def professional(key, name, base9, cns=None):
            net.professionals[key] = Professional.create(
                name=name, name_filter=filter_form(name), cpf=cpf_with_check_digits(base9), cns=cns
            ).id
            return net.professionals[key]

        ana = professional("ana", "Ana Beatriz Conceição", "123456780", cns="700000000000013")
        bruno = professional("bruno", "Bruno Araújo", "223456780")
        carla = professional("carla", "Carla Efapi Souza", "323456780")
        davi = professional("davi", "Davi Ícaro Melo", "423456780", cns="700000000000021")

        lotacao(ana, sao, net.cbos["medico"], esf1)
        lotacao(bruno, sao, net.cbos["enfermeiro"], esf1, active=False)  # left the unit
        lotacao(carla, efapi, net.cbos["enfermeiro"])  # another unit only
        lotacao(davi, sao, net.cbos["acs"], esf1)
        lotacao(davi, sao, net.cbos["enfermeiro"], active=False)
    return net
