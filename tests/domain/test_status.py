"""``pec-tui status``: the counts and the text; and the demo installation it is often run on."""

from __future__ import annotations

import datetime as dt
import sqlite3

from pec_tui.demo import installation as demo
from pec_tui.domain import accounts, audit, settings, status
from pec_tui.domain.installation import find_municipality
from pec_tui.storage.database import DatabaseTarget, open_database, sqlite_url, transaction
from pec_tui.storage.migrations import LATEST_VERSION
from pec_tui.storage.models import (
    ActorRole,
    Cbo,
    CnesImport,
    CnesImportReport,
    HealthUnit,
    JobRun,
    Lotacao,
    Professional,
    Team,
    User,
)


def populate_network() -> None:
    """Two active units and one closed; three teams, one inactive; three professionals with
    users, one of them blocked; two lotações, one deactivated; one CNES import; job runs."""
    chapeco = find_municipality("4204202")
    with transaction():
        central = HealthUnit.create(cnes="2000001", name="UBS Central", localidade=chapeco.id)
        HealthUnit.create(cnes="2000002", name="UBS Efapi", localidade=chapeco.id)
        HealthUnit.create(cnes="2000003", name="UBS Fechada", localidade=chapeco.id, active=False)
        team = Team.create(ine="0000000001", name="ESF Central 1", unit=central.id)
        Team.create(ine="0000000002", name="ESF Central 2", unit=central.id)
        Team.create(ine="0000000003", name="ESF Antiga", unit=central.id, active=False)
        nurse, _ = Cbo.get_or_create(code="223505", defaults={"name": "Enfermeiro"})  # in the catalogue
        for number, (cpf, name, blocked) in enumerate(
            [
                ("11144477735", "Rafael Souza Lima", False),
                ("39053344705", "Carla Nunes Ferreira", True),
                ("16899535009", "Paulo Henrique Alves", False),
            ]
        ):
            user = User.create(login=cpf, blocked=blocked, failed_attempts=5 if blocked else 0)
            professional = Professional.create(cpf=cpf, name=name, user=user.id)
            if number < 2:
                role = ActorRole.create(professional=professional.id, kind=ActorRole.LOTACAO)
                Lotacao.create(
                    role=role.id,
                    professional=professional.id,
                    cbo=nurse.id,
                    unit=central.id,
                    team=team.id,
                    deactivated_at=dt.datetime(2026, 10, 1) if number == 1 else None,
                )
        made = CnesImport.create(localidade=chapeco.id, imported_at=dt.datetime(2026, 11, 19, 22, 0))
        CnesImportReport.create(cnes_import=made.id, file_name="XmlParaESUS31_420420.zip", layout_version="3.1")
        JobRun.create(job="backup", started_at=dt.datetime(2026, 11, 18, 2, 0), status=JobRun.FAILED, message="disco")
        JobRun.create(job="backup", started_at=dt.datetime(2026, 11, 19, 2, 0), status=JobRun.OK)


def test_status_counts_a_populated_installation(db, installation):
    populate_network()

    data = status.collect(db)

    assert data["contagens"] == {
        "unidades_ativas": 2,
        "equipes_ativas": 2,
        "profissionais": 4,  # with the installation administrator
        "lotacoes_ativas": 1,
        "usuarios": 4,
        "usuarios_bloqueados": 1,
    }
    assert data["instalacao"]["nome"] == "PEC Chapecó"
    assert data["instalacao"]["demo"] is False
    assert data["banco"]["tipo"] == db.kind
    assert data["banco"]["versao_esquema"] == LATEST_VERSION
    assert data["municipios"] == [{"ibge": "4204202", "nome": "Chapecó", "uf": "SC"}]
    assert data["cnes_ultima_importacao"] == {
        "data": "2026-11-19 22:00:00",
        "arquivo": "XmlParaESUS31_420420.zip",
        "versao_layout": "3.1",
    }
    # Only the newest run of each job.
    assert data["tarefas"] == {"backup": {"inicio": "2026-11-19 02:00:00", "resultado": "SUCESSO", "mensagem": None}}


def test_status_text_names_the_installation_and_the_blocked_users(db, installation):
    populate_network()
    with transaction():
        settings.put(settings.INSTALLATION_NAME, text="PEC Secretaria de Saúde de Chapecó")

    text = status.render_text(status.collect(db))

    assert "PEC Secretaria de Saúde de Chapecó" in text
    assert "Usuários       4 (1 bloqueado)" in text
    assert "Chapecó/SC (4204202)" in text
    assert "última importação 2026-11-19 22:00:00 (XmlParaESUS31_420420.zip, layout 3.1)" in text


def test_status_of_a_new_installation_says_nothing_happened_yet(db, installation):
    data = status.collect(db)
    assert data["contagens"]["usuarios_bloqueados"] == 0
    text = status.render_text(data)
    assert "CNES           nunca importado" in text
    assert "Tarefas        nenhuma execução registrada" in text


# --------------------------------------------------------------------------------------------
# The demo installation
# --------------------------------------------------------------------------------------------


def test_demo_database_verifies_and_has_its_accounts(tmp_path):
    path = tmp_path / "demo.sqlite3"
    demo.create(path)
    assert path.exists()
    assert not list(tmp_path.glob(".demo.sqlite3.*"))  # the temporary file is gone

    opened = open_database(DatabaseTarget(sqlite_url(path), "demo"))
    try:
        result = audit.verify()
        assert result.ok, result.message
        assert result.count > 0
        data = status.collect(opened)
        assert data["instalacao"]["demo"] is True
        assert data["instalacao"]["nome"] == demo.DEMO_INSTALLATION_NAME
        assert data["contagens"]["usuarios_bloqueados"] == 1

        logged = {account.cpf: accounts.authenticate(account.cpf, account.password) for account in demo.ACCOUNTS}
        assert logged[demo.INSTALLATION_ADMIN.cpf].user.installation_admin
        municipal = logged[demo.MUNICIPAL_ADMIN.cpf].user
        assert [m.label for m in municipal.municipal_admin_of] == ["Chapecó/SC"]
        assert not any(result.must_change_password for result in logged.values())

        first_access = accounts.authenticate(demo.FIRST_ACCESS_USER.cpf, f"{demo.FIRST_ACCESS_USER.cpf}esus")
        assert first_access.must_change_password
        assert User.get(User.login == demo.BLOCKED_USER.cpf).blocked
        assert audit.verify().ok  # the logins above extended the chain properly
    finally:
        opened.close()


def test_second_demo_command_does_not_rebuild_the_database(run_cli, hermetic_env):
    path = hermetic_env / "demo.sqlite3"

    first = run_cli("demo", "--sem-console")
    assert first.returncode == 0, first.stderr
    assert "criado" in first.stdout
    # Leave a mark a rebuild would erase.
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO tb_config_sistema (co_config_sistema, ds_config_sistema, st_disponivel_sistema, ds_texto) "
            "VALUES ('MARCA_TESTE', 'Marca do teste', 1, 'x')"
        )
    inode = path.stat().st_ino

    second = run_cli("demo", "--sem-console")

    assert second.returncode == 0, second.stderr
    assert "já existe" in second.stdout
    assert "Criando" not in second.stderr
    assert path.stat().st_ino == inode
    with sqlite3.connect(path) as connection:
        assert connection.execute(
            "SELECT ds_texto FROM tb_config_sistema WHERE co_config_sistema = 'MARCA_TESTE'"
        ).fetchone() == ("x",)
