"""On a PEC installation's database pec-tui creates, alters and indexes nothing in PEC's schema.

Until pec-tui keeps its own state in a schema of its own, ``migrate`` and ``init`` refuse there
with one sentence, and every command leaves PEC's schema exactly as it was (the fingerprint:
columns, indexes, constraints, triggers and their state, relations, functions)."""

from __future__ import annotations

import pytest

from pec_tui import cli
from pec_tui.core.errors import PecError
from pec_tui.domain.installation import init_installation
from pec_tui.storage.migrations import migrate, require_schema
from tests.support.pec_database import PEC_VERSION, schema_fingerprint


def test_migrate_and_init_refuse_on_a_pec_installation(pec_database):
    url = pec_database.target.url
    before = schema_fingerprint(url)
    with pytest.raises(
        PecError, match=f"^'pec-tui migrate' recusado: este banco é de uma instalação do PEC \\(versão {PEC_VERSION}\\)"
    ):
        migrate()
    with pytest.raises(
        PecError, match="^'pec-tui init' recusado: .* criaria tabelas e índices no esquema do próprio PEC"
    ):
        init_installation(municipio="4204202", admin_cpf="52998224725", admin_name="Helena", admin_password="Senha1234")
    with pytest.raises(PecError, match="^Este banco é de uma instalação do PEC .* que o pec-tui não altera"):
        require_schema()
    assert schema_fingerprint(url) == before


@pytest.mark.parametrize(
    "command",
    [["migrate"], ["status"], ["status", "--json"], ["doctor"], ["doctor", "--json"], ["audit", "verify"]],
    ids=" ".join,
)
def test_no_command_changes_pecs_schema(pec_database, command, capsys):
    url = pec_database.target.url
    pec_database.close()
    before = schema_fingerprint(url)
    code = cli.main(["--database", url, *command])
    out, err = capsys.readouterr()
    assert schema_fingerprint(url) == before
    assert "Traceback" not in out + err
    if command[0] in ("migrate", "status", "audit"):
        assert code == 1
        assert "banco é de uma instalação do PEC (versão" in err
