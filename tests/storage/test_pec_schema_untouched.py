"""On a PEC installation's database pec-tui creates, alters and indexes nothing in PEC's schema.

``migrate`` creates only the schema ``pectui``; ``init`` refuses (the installation exists); and
every command — and the console's own work: login with PEC's password, CNES import, a setting
changed — leaves PEC's schema exactly as it was (the fingerprint: columns, indexes, constraints,
triggers and their state, relations, functions of ``public``), writing only rows PEC's own
constraints accept."""

from __future__ import annotations

import pytest

from pec_tui import cli
from pec_tui.core.errors import PecError
from pec_tui.demo.cnes_export import build_small_cnes, cnes_file_name, sample_professional, sample_unit
from pec_tui.domain import accounts, settings, unidades_saude
from pec_tui.domain.cnes.importer import import_cnes
from pec_tui.domain.configuracoes import seguranca
from pec_tui.domain.installation import init_installation, installation_municipalities
from pec_tui.storage.database import transaction
from pec_tui.storage.introspection import read_catalogue
from pec_tui.storage.migrations import LATEST_VERSION, MIGRATIONS, migrate, require_schema, schema_version
from pec_tui.storage.models import (
    OWN_MODELS,
    CnesImport,
    HealthUnit,
    Lotacao,
    Professional,
    SystemConfig,
    User,
)
from tests.support.pec_database import PEC_ADMIN, PEC_MUNICIPAL_ADMIN, PEC_VERSION, schema_fingerprint


def own_tables(db) -> set[str]:
    return {row[0] for row in db.execute_sql("SELECT tablename FROM pg_tables WHERE schemaname = 'pectui'")}


def test_migrate_creates_only_the_pectui_schema(pec_database):
    url = pec_database.target.url
    before = schema_fingerprint(url)
    with pytest.raises(
        PecError, match="^Este banco é de uma instalação do PEC \\(versão .*crie-o com 'pec-tui migrate'"
    ):
        require_schema()

    assert migrate() == [migration.version for migration in MIGRATIONS]

    assert schema_fingerprint(url) == before
    assert own_tables(pec_database.db) == {model._meta.table_name for model in OWN_MODELS}
    assert schema_version() == LATEST_VERSION == require_schema()
    catalogue = read_catalogue(pec_database.db)
    assert catalogue.is_pec_installation and not catalogue.own_database
    assert migrate() == []
    # No reference data seeded into PEC's tables (the CBO catalogue is PEC's own, as it was).
    assert pec_database.db.execute_sql("SELECT count(*) FROM tb_cbo_atend").fetchone() == (0,)


def test_init_refuses_on_a_pec_installation(pec_database):
    before = schema_fingerprint(pec_database.target.url)
    with pytest.raises(PecError, match="^'pec-tui init' recusado: este banco é de uma instalação do PEC"):
        init_installation(municipio="4204202", admin_cpf="52998224725", admin_name="Helena", admin_password="Senha1234")
    assert schema_fingerprint(pec_database.target.url) == before
    assert own_tables(pec_database.db) == set()


def test_the_console_works_on_pec_and_pecs_schema_stays_as_it_was(pec_database, tmp_path):
    """The issue's "done": migrate, log in with the PEC password, see PEC's units, CBOs, users and
    settings, import a CNES file, change a setting — PEC's schema byte for byte as it was."""
    url = pec_database.target.url
    before = schema_fingerprint(url)
    migrate()

    cpf, _name, password = PEC_ADMIN
    result = accounts.authenticate(cpf, password)
    assert not result.must_change_password
    assert result.user.installation_admin
    municipal = accounts.authenticate(PEC_MUNICIPAL_ADMIN[0], PEC_MUNICIPAL_ADMIN[2])
    assert [m.ibge for m in municipal.user.municipal_admin_of] == ["4204202"]
    assert [m.ibge for m in installation_municipalities()] == ["4204202"]
    assert settings.get_text(settings.DATABASE_VERSION) == PEC_VERSION

    chapeco = municipal.user.municipal_admin_of[0].id
    units = [sample_unit(index) for index in range(2)]
    professionals = [sample_professional(index) for index in range(3)]
    path = tmp_path / cnes_file_name("4204202")
    path.write_bytes(build_small_cnes(units, professionals, ibge="420420"))
    report = import_cnes(path, localidade_id=chapeco, user_id=municipal.user.user_id)
    assert report.unidades.novos == 2 and report.profissionais.novos == 3

    assert unidades_saude.list_units("", 0, 50, [chapeco]).total == 2
    unit = HealthUnit.get()
    assert unit.name_filter == unit.name.upper() and unit.state_id == 24 and unit.localidade_id == 8318
    person = Professional.get(Professional.cpf == professionals[0]["CPF_PROF"])
    assert person.name_filter and User.get_by_id(person.user_id).change_password  # PEC's first access
    assert Lotacao.select().count() >= 3
    row = CnesImport.get()
    assert (row.units_new, row.professionals_new, row.localidade_id) == (2, 3, chapeco)

    with transaction():
        settings.put(settings.INSTALLATION_NAME, text="Secretaria de Saúde de Chapecó")
    seguranca.save(3, 60, 5, by_user_id=result.user.user_id)
    assert SystemConfig.get_by_id(settings.INSTALLATION_NAME).description == "Nome da instalação"  # PEC's row kept
    assert settings.security().password_renewal_months == 3

    assert schema_fingerprint(url) == before
    # Every key came from PEC's own sequences (PEC's rows were 1 and 2).
    assert sorted(user.id for user in User.select()) == list(range(1, User.select().count() + 1))


@pytest.mark.parametrize(
    "command",
    [["migrate"], ["status"], ["status", "--json"], ["doctor"], ["doctor", "--json"], ["audit", "verify"]],
    ids=" ".join,
)
def test_no_command_changes_pecs_schema(pec_database, command, capsys):
    url = pec_database.target.url
    pec_database.close()
    before = schema_fingerprint(url)
    if command != ["migrate"]:
        assert cli.main(["--database", url, "migrate"]) == 0
    code = cli.main(["--database", url, *command])
    out, err = capsys.readouterr()
    assert schema_fingerprint(url) == before
    assert "Traceback" not in out + err
    if command[0] in ("migrate", "status", "audit"):
        assert code == 0, err


# --------------------------------------------------------------------------------------------
# The manual's read-only role (esus_leitura)
# --------------------------------------------------------------------------------------------


@pytest.fixture
def read_only_url(pec_database, pg_server):
    """A role that may only read PEC's tables and pec-tui's schema, like the manual's esus_leitura."""
    from tests.support.postgres import worker_name

    migrate()
    role = f"pectui_leitura_{worker_name()}"
    name = pec_database.db.database
    pec_database.db.execute_sql(
        f'DROP ROLE IF EXISTS "{role}"; CREATE ROLE "{role}" LOGIN; '
        f'GRANT CONNECT ON DATABASE "{name}" TO "{role}"; '
        f'GRANT USAGE ON SCHEMA public, pectui TO "{role}"; '
        f'GRANT SELECT ON ALL TABLES IN SCHEMA public, pectui TO "{role}"'
    )
    pec_database.close()
    yield f"postgresql://{role}@{pg_server.host}:{pg_server.port}/{name}"
    # DROP OWNED in the PEC database revokes the role's grants there (and on the database itself),
    # so the role can go too: the server keeps no test role behind.
    pec_database.db.connect(reuse_if_open=True)
    pec_database.db.execute_sql(f'DROP OWNED BY "{role}"; DROP ROLE "{role}"')
    pec_database.close()


def test_a_read_only_role_reads_everything_and_every_write_says_why(read_only_url, run_cli):
    from pec_tui.domain import cbo
    from pec_tui.storage import errors
    from pec_tui.storage.database import DatabaseTarget, can_write, open_database

    before = schema_fingerprint(read_only_url)
    for command in (["status"], ["status", "--json"], ["audit", "verify"]):
        result = run_cli("--database", read_only_url, *command)
        assert result.returncode == 0, (command, result.stderr)
        assert "Traceback" not in result.stderr
    doctor = run_cli("--database", read_only_url, "doctor", "--json", "--pec-url", "http://127.0.0.1:9/x")
    assert "Traceback" not in doctor.stderr and doctor.stdout.startswith("{")

    opened = open_database(DatabaseTarget(read_only_url, "--database"))
    try:
        assert not can_write()
        cpf, _name, password = PEC_ADMIN
        result = accounts.authenticate(cpf, password)  # checked, nothing written
        assert result.user.read_only and result.user.installation_admin
        with pytest.raises(PecError):
            accounts.authenticate(cpf, "errada123")
        assert unidades_saude.list_units("", 0, 50, [8318]).total == 0
        assert cbo.list_cbos("medico", False, 0, 10).total >= 1
        with pytest.raises(Exception) as caught:
            cbo.set_available(cbo.list_cbos("medico", False, 0, 1).rows[0].id, False, result.user.user_id)
        assert errors.describe(caught.value) == errors.READ_ONLY_SENTENCE
    finally:
        opened.close()
    assert schema_fingerprint(read_only_url) == before


def test_a_write_this_pec_would_not_take_is_not_offered(pec_database, tmp_path):
    """A newer PEC with a NOT NULL column pec-tui does not fill: the module reads, and its writes
    are refused before anything is written, saying why."""
    from pec_tui.domain import cbo

    migrate()
    pec_database.db.execute_sql(
        "ALTER TABLE tb_cbo_atend ADD COLUMN nu_novo integer NOT NULL DEFAULT 0; "
        "ALTER TABLE tb_cbo_atend ALTER COLUMN nu_novo DROP DEFAULT; "
        "ALTER TABLE tb_usuario ADD COLUMN st_novo integer NOT NULL DEFAULT 0; "
        "ALTER TABLE tb_usuario ALTER COLUMN st_novo DROP DEFAULT"
    )
    nurse = cbo.get_by_code("223565")
    assert nurse is not None  # reading goes on
    with pytest.raises(PecError) as refused:
        cbo.set_appointment_minutes(nurse.id, 30, None, 8318)
    assert refused.value.message.startswith(
        "CBO: nesta versão do PEC o pec-tui não grava (tb_cbo_atend.nu_novo é obrigatória e o pec-tui não a preenche)"
    )
    path = tmp_path / cnes_file_name("4204202")
    path.write_bytes(build_small_cnes([sample_unit(0)], [sample_professional(0)], ibge="420420"))
    with pytest.raises(PecError, match="^CNES: nesta versão do PEC o pec-tui não grava \\(tb_usuario.st_novo"):
        import_cnes(path, localidade_id=8318, user_id=None)
    assert pec_database.db.execute_sql("SELECT count(*) FROM tb_cbo_atend").fetchone() == (0,)
    assert pec_database.db.execute_sql("SELECT count(*) FROM tb_unidade_saude").fetchone() == (0,)


def test_a_read_only_role_verifies_an_unkeyed_trail_without_sealing_it(read_only_url, pg_server, run_cli):
    """A trail written before the audit key (plain sha256): the read-only role can check it but
    not seal it, and says so; a user that can write seals it (issue 11, item 7)."""
    from pec_tui.domain import audit
    from pec_tui.storage.database import DatabaseTarget, open_database
    from pec_tui.storage.models import AuditEvent

    owner_url = pg_server.url(read_only_url.rsplit("/", 1)[1])
    opened = open_database(DatabaseTarget(owner_url, "--database"))
    try:
        previous = audit.GENESIS
        with transaction():
            for number in (1, 2):
                event = AuditEvent(at=audit.clock.now(), event_type="ACAO_USUARIO", component="antigo")
                event.details = f"Evento antigo {number}"
                event.chain_hash = previous = audit.chain_hash(previous, event)
                event.save(force_insert=True)
            audit._write_head(2, previous)
    finally:
        opened.close()

    read_only = run_cli("--database", read_only_url, "audit", "verify")
    assert read_only.returncode == 0, read_only.stderr
    assert read_only.stdout.strip() == (
        "Trilha de auditoria íntegra: 2 eventos verificados. Ela ainda não é assinada com chave: verifique-a "
        "com um usuário do banco que possa gravar, para assiná-la."
    )
    owner = run_cli("--database", owner_url, "audit", "verify")
    assert owner.returncode == 0, owner.stderr
    assert owner.stdout.strip().startswith("Trilha de auditoria íntegra: 2 eventos verificados. A trilha passou a")
    assert run_cli("--database", read_only_url, "audit", "verify").stdout.strip() == (
        "Trilha de auditoria íntegra: 2 eventos verificados."
    )
