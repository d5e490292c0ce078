"""``pec-tui status``: the installation at a glance. Must stay fast: no Textual, no lxml."""

from __future__ import annotations

from typing import Any

from peewee import JOIN, fn

from pec_tui.core.formatting import agree
from pec_tui.domain import settings
from pec_tui.domain.installation import installation_municipalities
from pec_tui.storage.database import OpenedDatabase
from pec_tui.storage.migrations import LATEST_VERSION, schema_version
from pec_tui.storage.models import (
    CnesImport,
    CnesImportReport,
    HealthUnit,
    JobRun,
    Lotacao,
    Professional,
    Team,
    User,
)


def collect(opened: OpenedDatabase) -> dict[str, Any]:
    version = schema_version()
    last_import = (
        CnesImport.select(CnesImport, CnesImportReport)
        .join(CnesImportReport, JOIN.LEFT_OUTER, on=(CnesImportReport.cnes_import == CnesImport.id), attr="extra")
        .order_by(CnesImport.imported_at.desc(), CnesImport.id.desc())
        .first()
    )
    newest = JobRun.select(fn.MAX(JobRun.id)).group_by(JobRun.job)
    last_runs = {
        run.job: {"inicio": _iso(run.started_at), "resultado": run.status, "mensagem": run.message}
        for run in JobRun.select().where(JobRun.id.in_(newest))
    }
    return {
        "instalacao": {
            "nome": settings.get_text(settings.INSTALLATION_NAME),
            "tipo": settings.get_text(settings.INSTALLATION_TYPE),
            "link": settings.get_text(settings.INSTALLATION_LINK),
            "versao_banco_pec": settings.get_text(settings.DATABASE_VERSION),
            "treinamento": settings.get_flag(settings.TRAINING),
            "demo": settings.get_flag(settings.DEMO),
        },
        "banco": {
            "tipo": opened.kind,
            "endereco": opened.display,
            "origem": opened.target.source,
            "versao_esquema": version,
            "versao_esquema_programa": LATEST_VERSION,
        },
        "municipios": [{"ibge": m.ibge, "nome": m.name, "uf": m.state.acronym} for m in installation_municipalities()],
        "contagens": {
            "unidades_ativas": HealthUnit.select().where(HealthUnit.active == True).count(),
            "equipes_ativas": Team.select().where(Team.active == True).count(),
            "profissionais": Professional.select().count(),
            "lotacoes_ativas": Lotacao.select().where(Lotacao.deactivated_at.is_null()).count(),
            "usuarios": User.select().count(),
            "usuarios_bloqueados": User.select().where(User.blocked == True).count(),
        },
        "cnes_ultima_importacao": None
        if last_import is None
        else {
            "data": _iso(last_import.imported_at),
            # An import PEC made itself has no pec-tui record: no file name nor layout.
            "arquivo": getattr(getattr(last_import, "extra", None), "file_name", None),
            "versao_layout": getattr(getattr(last_import, "extra", None), "layout_version", None),
        },
        "tarefas": last_runs,
    }


def _iso(value: Any) -> str | None:
    return value.isoformat(sep=" ") if value is not None else None


def render_text(data: dict[str, Any]) -> str:
    inst, db, counts = data["instalacao"], data["banco"], data["contagens"]
    blocked, units = counts["usuarios_bloqueados"], counts["unidades_ativas"]
    lines = [
        f"Instalação     {inst['nome'] or '(sem nome)'} — {inst['tipo'] or 'tipo não informado'}"
        + ("  [DEMONSTRAÇÃO]" if inst["demo"] else "")
        + ("  [TREINAMENTO]" if inst["treinamento"] and not inst["demo"] else ""),
        f"Banco          {db['tipo']} {db['endereco']} (origem: {db['origem']})",
        f"Esquema        versão {db['versao_esquema']} (programa: {db['versao_esquema_programa']})"
        + (f"; PEC {inst['versao_banco_pec']}" if inst["versao_banco_pec"] else ""),
        "Municípios     " + (", ".join(f"{m['nome']}/{m['uf']} ({m['ibge']})" for m in data["municipios"]) or "nenhum"),
        f"Unidades       {units} {agree('ativo', units, feminine=True)}; equipes ativas: {counts['equipes_ativas']}",
        f"Profissionais  {counts['profissionais']}; lotações ativas: {counts['lotacoes_ativas']}",
        f"Usuários       {counts['usuarios']} ({blocked} {agree('bloqueado', blocked)})",
    ]
    last = data["cnes_ultima_importacao"]
    if last:
        lines.append(
            f"CNES           última importação {last['data']} ({last['arquivo']}, layout {last['versao_layout']})"
        )
    else:
        lines.append("CNES           nunca importado")
    if data["tarefas"]:
        for job, run in sorted(data["tarefas"].items()):
            message = f" — {run['mensagem']}" if run["mensagem"] else ""
            lines.append(f"Tarefa {job:<9} {run['inicio']} {run['resultado']}{message}")
    else:
        lines.append("Tarefas        nenhuma execução registrada")
    return "\n".join(lines)
