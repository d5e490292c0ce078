"""The PEC installation's version against the database's (VERSAOBANCODADOS): PEC does not start
when they differ."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from pec_tui.domain.diagnostico.facts import Facts
from pec_tui.domain.diagnostico.report import ERROR, NO_PEC_HOME, OK, WARNING, Check, DoctorConfig, make_check


def check_pec_version(facts: Facts, config: DoctorConfig) -> Check:
    if facts.db_version_error is not None:
        return make_check("versao_banco", WARNING, f"Não verificado: {facts.db_version_error}.")
    app_version, source = pec_application_version(config.pec_home)
    if facts.db_version is None:
        return make_check(
            "versao_banco",
            ERROR,
            "tb_config_sistema não tem VERSAOBANCODADOS.",
            "O PEC compara essa chave com a versão do programa ao iniciar. Confira se este é o banco do "
            "PEC; num banco restaurado, restaure de novo a partir de uma cópia completa.",
            versao_banco=None,
            versao_programa=app_version,
        )
    if app_version is None:  # nothing compared: not verified, not OK
        return make_check(
            "versao_banco",
            WARNING,
            f"Não verificado: a versão do programa do PEC não pôde ser lida ({source}) para comparar "
            f"com VERSAOBANCODADOS = {facts.db_version}.",
            "Abra o pec-tui com --pec-home apontando para a pasta de instalação do PEC para que as duas "
            "versões sejam comparadas.",
            versao_banco=facts.db_version,
            versao_programa=None,
        )
    if not _same_version(app_version, facts.db_version):
        return make_check(
            "versao_banco",
            ERROR,
            f"VERSAOBANCODADOS = {facts.db_version}, mas o programa do PEC é a versão {app_version} ({source}). "
            "O PEC não inicia com as versões diferentes.",
            "Instale o PEC da mesma versão do banco, ou atualize o PEC para que ele migre o banco.",
            versao_banco=facts.db_version,
            versao_programa=app_version,
        )
    return make_check(
        "versao_banco",
        OK,
        f"VERSAOBANCODADOS = {facts.db_version}, a mesma do programa do PEC.",
        versao_banco=facts.db_version,
        versao_programa=app_version,
    )


def _same_version(a: str, b: str) -> bool:
    a, b = a.strip().lstrip("vV"), b.strip().lstrip("vV")
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


_JAR_VERSION = re.compile(r"(?:^|/)backend-(\d+(?:\.\d+){1,3})[^/]*\.jar$")


def pec_application_version(pec_home: Path | None) -> tuple[str | None, str]:
    """The PEC program's version from the installation, and where it came from (or why not).

    Unconfirmed layout: the application is ``webserver/pec-bundle.jar`` (a Spring Boot jar) whose
    ``backend-<versão>.jar`` entry names the version; only the zip's directory is read."""
    if pec_home is None or not pec_home.is_dir():
        return None, NO_PEC_HOME
    webserver = pec_home / "webserver"
    candidates = sorted(webserver.glob("*.jar")) if webserver.is_dir() else []
    for jar in candidates:
        try:
            with zipfile.ZipFile(jar) as archive:
                for name in archive.namelist():
                    match = _JAR_VERSION.search(name)
                    if match:
                        return match.group(1), jar.name
        except (OSError, zipfile.BadZipFile):
            continue
    return None, f"nenhum .jar com a versão em {webserver}"
