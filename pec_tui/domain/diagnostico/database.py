"""Database checks: run in the caller's thread, the one that owns the database connection."""

from __future__ import annotations

import datetime as dt

from pec_tui.core import clock
from pec_tui.core.formatting import format_bytes, format_duration, format_moment
from pec_tui.domain.diagnostico.facts import Facts
from pec_tui.domain.diagnostico.report import ERROR, OK, WARNING, Check, DoctorConfig, make_check


def check_database(opened, facts: Facts) -> Check:
    from pec_tui.storage import diagnostics

    if facts.db_error is not None:
        return make_check(
            "banco",
            ERROR,
            facts.db_error,
            "Confira o endereço do banco (--database, ou webserver/config/application.properties da "
            "pasta --pec-home) e se o PostgreSQL está no ar (systemctl status e-SUS-AB-PostgreSQL).",
        )
    size = diagnostics.database_size()
    return make_check(
        "banco",
        OK,
        f"{opened.target.short} acessível; tamanho {format_bytes(size)}.",
        tamanho_bytes=size,
        endereco=facts.display,
    )


def check_schema() -> Check:
    from pec_tui.storage.migrations import LATEST_VERSION, schema_version

    version = schema_version()
    if version is None:
        return make_check(
            "esquema",
            ERROR,
            "O banco não tem o esquema do pec-tui.",
            "Crie-o com 'pec-tui init' (ou confira se este é o banco certo).",
            versao=None,
            versao_programa=LATEST_VERSION,
        )
    if version < LATEST_VERSION:
        return make_check(
            "esquema",
            ERROR,
            f"Esquema na versão {version}; este pec-tui usa a {LATEST_VERSION}.",
            "Rode 'pec-tui migrate'.",
            versao=version,
            versao_programa=LATEST_VERSION,
        )
    if version > LATEST_VERSION:
        return make_check(
            "esquema",
            ERROR,
            f"Esquema na versão {version}, mais nova que a deste pec-tui ({LATEST_VERSION}).",
            "Atualize o pec-tui.",
            versao=version,
            versao_programa=LATEST_VERSION,
        )
    return make_check(
        "esquema", OK, f"Versão {version}, a deste pec-tui.", versao=version, versao_programa=LATEST_VERSION
    )


def check_liquibase_lock(config: DoctorConfig) -> Check:
    from pec_tui.storage import diagnostics

    lock = diagnostics.liquibase_lock()
    if lock is None:
        return make_check("trava_liquibase", OK, "Não há tabela databasechangeloglock (ou ela está vazia).")
    if not lock.locked:
        return make_check("trava_liquibase", OK, "Livre (databasechangeloglock.locked = false).", travada=False)
    since = f" desde {format_moment(lock.granted_at)}" if lock.granted_at else ""
    by = f" por {lock.locked_by}" if lock.locked_by else ""
    found = f"Travada{since}{by}."
    release = (
        "Com o PEC parado (systemctl stop e-SUS-PEC), libere a trava no banco: UPDATE databasechangeloglock "
        "SET locked = false, lockgranted = NULL, lockedby = NULL; e inicie o PEC de novo."
    )
    details = {
        "travada": True,
        "desde": lock.granted_at.isoformat(sep=" ") if lock.granted_at else None,
        "por": lock.locked_by,
    }
    if lock.granted_at is not None:
        age = clock.now() - lock.granted_at
        if dt.timedelta(0) <= age < dt.timedelta(minutes=config.stale_lock_minutes):
            return make_check(
                "trava_liquibase",
                WARNING,
                found + " O PEC pode estar atualizando o banco agora.",
                f"Espere alguns minutos e rode o diagnóstico de novo; se a trava continuar depois de "
                f"{config.stale_lock_minutes} minutos, ela ficou para trás. {release}",
                **details,
            )
    return make_check(
        "trava_liquibase", ERROR, found + " Uma trava esquecida impede o PEC de iniciar.", release, **details
    )


def check_shared_cns() -> Check:
    from pec_tui.storage import diagnostics

    shared = diagnostics.shared_cns()
    if not shared:
        return make_check("cns_compartilhado", OK, "Cada CNS pertence a um só profissional.", cns=[])
    parts = [f"{item.cns} ({' e '.join(name for _, name in item.professionals)})" for item in shared[:3]]
    more = f" e mais {len(shared) - 3}" if len(shared) > 3 else ""
    plural = "CNS pertencem" if len(shared) > 1 else "CNS pertence"
    return make_check(
        "cns_compartilhado",
        ERROR,
        f"{len(shared)} {plural} a mais de um profissional: {'; '.join(parts)}{more}.",
        "O PEC mostra o nome errado nos atendimentos desses profissionais. Confira no CNES qual "
        "profissional é o dono de cada CNS e corrija o cadastro do outro (tb_prof).",
        cns=[
            {"cns": item.cns, "profissionais": [{"id": pid, "nome": name} for pid, name in item.professionals]}
            for item in shared
        ],
    )


def check_blocked_users(shown: int = 3) -> Check:
    from peewee import JOIN

    from pec_tui.storage.models import Professional, User

    count = User.select().where(User.blocked == True).count()
    if count == 0:
        return make_check("usuarios_bloqueados", OK, "Nenhum usuário bloqueado.", quantidade=0, nomes=[])
    rows = (
        User.select(User.login, Professional.name)
        .join(Professional, on=(Professional.user == User.id), join_type=JOIN.LEFT_OUTER)
        .where(User.blocked == True)
        .order_by(Professional.name, User.login)
        .limit(shown)
        .dicts()
    )
    names = [row["name"] or f"login {row['login']}" for row in rows]
    more = f" e mais {count - len(names)}" if count > len(names) else ""
    plural = "usuários bloqueados" if count > 1 else "usuário bloqueado"
    return make_check(
        "usuarios_bloqueados",
        WARNING,
        f"{count} {plural}: {', '.join(names)}{more}.",
        "Se forem pessoas que ainda trabalham, desbloqueie em Diagnóstico › Usuários bloqueados (tecla U) "
        "ou no servidor com pec-tui users unlock CPF (a senha é redefinida).",
        quantidade=count,
        nomes=names,
    )


SERVICE_NAMES = {
    "CADSUS": "CADSUS",
    "HORUS": "Hórus",
    "INTERNET": "Conexão com a internet",
    "AGENDA_ONLINE": "Agenda Online",
}


def check_timers() -> Check:
    from pec_tui.storage.models import ServiceToggle

    now = clock.now()
    rows = list(
        ServiceToggle.select()
        .where(ServiceToggle.disabled_until.is_null() | (ServiceToggle.disabled_until > now))
        .order_by(ServiceToggle.service)
    )
    if not rows:
        return make_check("temporizadores", OK, "Nenhum serviço desabilitado.", servicos=[])
    parts = []
    for row in rows:
        name = SERVICE_NAMES.get(row.service.upper(), row.service)
        if row.disabled_until is None:
            parts.append(f"{name} por tempo indeterminado")
        else:
            left = format_duration(row.disabled_until - now)
            parts.append(f"{name} até {format_moment(row.disabled_until)} (faltam {left})")
    return make_check(
        "temporizadores",
        WARNING,
        f"Desabilitado: {'; '.join(parts)}.",
        "Cada um volta sozinho no fim do prazo; para habilitar antes, use Configurações da instalação › Conexão.",
        servicos=[
            {"servico": row.service, "ate": row.disabled_until.isoformat(sep=" ") if row.disabled_until else None}
            for row in rows
        ],
    )
