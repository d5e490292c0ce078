"""A fake PEC host for the doctor and log tests: an installation folder, a closed port, a
pec.log of known lines, and a fixed doctor report (the real checks depend on the machine)."""

from __future__ import annotations

import socket
import threading
import zipfile
from pathlib import Path

from pec_tui.domain import diagnostico
from pec_tui.domain.diagnostico import ERROR, OK, WARNING, Check, Report
from tests.support.constants import FIXED_NOW

PEC_VERSION = "5.4.21"


def make_pec_home(root: Path, *, version: str | None = None) -> Path:
    """An installation folder as PEC leaves it: chaves 0700 with one certificate 0600."""
    home = root / "e-SUS"
    chaves = home / "webserver" / "chaves"
    chaves.mkdir(parents=True)
    (home / "webserver" / "logs").mkdir()
    (home / "webserver" / "config").mkdir()
    certificate = chaves / "municipio.pfx"
    certificate.write_bytes(b"pkcs12")
    certificate.chmod(0o600)
    chaves.chmod(0o700)
    if version is not None:
        with zipfile.ZipFile(home / "webserver" / "pec-bundle.jar", "w") as jar:
            jar.writestr("BOOT-INF/classes/application.yml", "x")
            jar.writestr(f"BOOT-INF/lib/backend-{version}.jar", "x")
    return home


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


LEVELS = ("INFO", "INFO", "DEBUG", "WARN", "ERROR")


def pec_log_lines(count: int, start: int = 0) -> list[str]:
    lines = []
    for number in range(start, start + count):
        level = LEVELS[number % len(LEVELS)]
        lines.append(
            f"2026-11-20 08:{number // 60 % 60:02d}:{number % 60:02d}.123 {level:>5} 4242 --- "
            f"[exec-{number % 9}] b.g.s.e.Servico : mensagem {number}"
        )
        if level == "ERROR":
            lines.append("java.net.ConnectException: Connection refused")
            lines.append("\tat br.gov.saude.Cadsus.conectar(Cadsus.java:42)")
    return lines


def make_log_home(root: Path, lines: list[str]) -> Path:
    """An installation folder with only webserver/logs/pec.log holding ``lines``."""
    home = root / "e-SUS"
    logs = home / "webserver" / "logs"
    logs.mkdir(parents=True)
    (logs / "pec.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return home


def append(path: Path, lines: list[str]) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def fake_report(
    link_status: str = WARNING,
    *,
    link_found: str = "LINKINSTALACAO = http://10.0.0.9:8080 não respondeu: conexão recusada na porta 8080.",
) -> Report:
    def check(key: str, status: str, found: str, action: str = "") -> Check:
        return Check(key, diagnostico.TITLES[key], status, found, action)

    checks = (
        check("banco", OK, "PostgreSQL esus@127.0.0.1:5433 acessível; tamanho 2,3 GB."),
        check("esquema", OK, "Versão 2, a deste pec-tui."),
        check(
            "versao_banco",
            ERROR,
            "VERSAOBANCODADOS = 5.3.19, mas o programa do PEC é a versão 5.4.21 (pec-bundle.jar). "
            "O PEC não inicia com as versões diferentes.",
            "Instale o PEC da mesma versão do banco, ou atualize o PEC para que ele migre o banco.",
        ),
        check(
            "link_instalacao",
            link_status,
            link_found,
            "" if link_status == OK else "Corrija-o em Configurações da instalação › Servidores.",
        ),
        check("aplicacao_pec", OK, "Respondeu em 12 ms; versão 5.4.21."),
        check(
            "trava_liquibase",
            ERROR,
            "Travada desde 19/11/2026 22:14 por pec-servidor (10.0.0.5). Uma trava esquecida impede o PEC de iniciar.",
            "Com o PEC parado (systemctl stop e-SUS-PEC), libere a trava no banco: UPDATE databasechangeloglock "
            "SET locked = false, lockgranted = NULL, lockedby = NULL; e inicie o PEC de novo.",
        ),
        check("cns_compartilhado", OK, "Cada CNS pertence a um só profissional."),
        check(
            "usuarios_bloqueados",
            WARNING,
            "2 usuários bloqueados: Carla Nunes Ferreira, Daniel Rocha Pinto.",
            "Se forem pessoas que ainda trabalham, desbloqueie em Profissionais (redefinir a senha).",
        ),
        check("disco_instalacao", OK, "61,2 GB livres de 98,3 GB (62%) em /opt/e-SUS."),
        check(
            "disco_banco",
            WARNING,
            "4,1 GB livres de 98,3 GB (4%) em /var/lib/postgresql/16/main.",
            "Planeje liberar espaço (cópias de segurança antigas, logs) antes que acabe.",
        ),
        check(
            "pasta_chaves",
            WARNING,
            "/opt/e-SUS/webserver/chaves: municipio.cer: arquivo .cer não é aceito pelo PEC. "
            "Certificados: municipio.pfx.",
            "Troque o .cer pelo certificado A1 com a chave privada (.pfx ou .p12).",
        ),
        check("temporizadores", WARNING, "Desabilitado: CADSUS até 20/11/2026 11:00 (faltam 2 h)."),
    )
    return Report(checks, FIXED_NOW, 0.4)


class FakeRunner:
    """Counts runs; answers with the reports given, the last one again once they run out."""

    def __init__(self, *reports: Report, gate: threading.Event | None = None) -> None:
        self.reports = list(reports)
        self.calls = 0
        self.gate = gate

    def __call__(self, opened, config) -> Report:
        self.calls += 1
        if self.gate is not None and self.calls > 1:
            assert self.gate.wait(10)
        return self.reports[min(self.calls, len(self.reports)) - 1]
