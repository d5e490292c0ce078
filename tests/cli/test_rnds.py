"""``pec-tui rnds status``: agrees with tb_cfg_rnds, in text and JSON."""

from __future__ import annotations

import datetime as dt
import json
import shutil

from pec_tui.domain.gestao_municipal import rnds
from pec_tui.domain.installation import init_installation
from pec_tui.storage.database import DatabaseTarget, open_database, sqlite_url, transaction
from pec_tui.storage.models import ActorRole, InstallationMunicipality, MunicipalAdmin, Professional
from tests.support import certificates as make
from tests.support.constants import ADMIN_CPF

NOW = dt.datetime.now().replace(microsecond=0)


def test_status_disabled_then_enabled(run_cli, sqlite_template, tmp_path, clock):
    path = tmp_path / "pec.sqlite3"
    shutil.copyfile(sqlite_template, path)
    url = sqlite_url(path)
    opened = open_database(DatabaseTarget(url, "--database"))
    try:
        init_installation(
            municipio="4204202", admin_cpf=ADMIN_CPF, admin_name="Helena Martins", admin_password="Senha1234"
        )
        off = run_cli("--database", url, "rnds", "status")
        assert off.returncode == 0, off.stderr
        assert off.stdout == "Chapecó: RNDS desabilitada.\n"
        localidade = InstallationMunicipality.select().first().localidade_id
        with transaction():
            role = ActorRole.create(kind=ActorRole.MUNICIPAL_ADMIN, professional=Professional.select().first())
            MunicipalAdmin.create(role=role, localidade=localidade)
        chaves = tmp_path / "chaves"
        chaves.mkdir()
        clock.current = NOW
        make.pfx(
            chaves / "municipio.pfx",
            not_before=NOW - dt.timedelta(days=1),
            not_after=NOW + dt.timedelta(days=90, hours=1),
        )
        rnds.enable(localidade, chaves, "municipio.pfx", make.PASSWORD, "SOL-9", by_user_id=None)
    finally:
        opened.close()
    on = run_cli("--database", url, "rnds", "status", "--json")
    assert on.returncode == 0, on.stderr
    (item,) = json.loads(on.stdout)
    assert item["habilitado"] is True and item["certificado"] == "municipio.pfx"
    assert item["identificador_solicitante"] == "SOL-9" and item["dias_restantes"] == 90
    text = run_cli("--database", url, "rnds", "status")
    assert "RNDS habilitada com o certificado municipio.pfx" in text.stdout and "vence em 90 dias" in text.stdout
