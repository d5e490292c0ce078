"""Command line: ``pec-tui`` opens the console; subcommands serve cron and SSH one-liners.

Exit codes: 0 done, 1 refused or failed (with one Portuguese sentence on stderr), 2 usage.
Start-up must stay light: Textual is imported only by the command that opens the console.

Here: the parser, :func:`main` (exit codes, the last net for errors) and the database the
options choose (:func:`open_from_args`). Each command group has its file (``console``, ``init``,
``status``, ``doctor``, ``audit``, ``cnes``, ``users``, ``jobs``, ``backup``), imported only when
its command runs.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pec_tui import __version__
from pec_tui.cli.portuguese import PortugueseParser
from pec_tui.core.errors import PecError

log = logging.getLogger("pec_tui")

_Parser = PortugueseParser


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pec-tui",
        description="Console de administração do e-SUS APS PEC. Sem comando, abre o console.",
    )
    parser.add_argument(
        "--version", action="version", version=f"pec-tui {__version__}", help="mostra a versão do pec-tui e sai"
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="banco a usar: sqlite:///caminho ou postgresql://usuário:senha@máquina:porta/banco",
    )
    parser.add_argument(
        "--pec-home",
        metavar="PASTA",
        help="pasta de instalação do PEC (padrão /opt/e-SUS, quando existe): lê o banco de "
        "webserver/config/application.properties",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMANDO", parser_class=_Parser)

    commands.add_parser("console", help="abre o console (o mesmo que não dar comando)")

    demo = commands.add_parser("demo", help="cria (uma vez) e abre a instalação de demonstração")
    demo.add_argument("--recriar", action="store_true", help="apaga e recria o banco de demonstração")
    demo.add_argument("--sem-console", action="store_true", help="só cria o banco, sem abrir o console")

    init = commands.add_parser("init", help="cria o esquema, o primeiro município e o administrador da instalação")
    init.add_argument("--municipio", required=True, metavar="IBGE", help="código IBGE do município (7 dígitos)")
    init.add_argument("--admin-cpf", required=True, metavar="CPF")
    init.add_argument("--admin-name", required=True, metavar="NOME")
    init.add_argument(
        "--admin-password-file", metavar="ARQUIVO", help="arquivo com a senha (sem ele, a senha é perguntada)"
    )
    init.add_argument("--nome-instalacao", metavar="NOME")
    init.add_argument("--treinamento", action="store_true", help="marca a instalação como de treinamento")

    status = commands.add_parser("status", help="a instalação num relance")
    status.add_argument("--json", action="store_true", help="saída em JSON")

    commands.add_parser("migrate", help="aplica as migrações pendentes do esquema")

    doctor = commands.add_parser(
        "doctor", help="diagnóstico do servidor: banco, versão, disco, pasta chaves, PEC no ar"
    )
    doctor.add_argument("--json", action="store_true", help="saída em JSON")
    doctor.add_argument(
        "--pec-url",
        metavar="URL",
        help="endereço que prova que o PEC está no ar (padrão http://127.0.0.1:8080/api/public/info)",
    )

    audit = commands.add_parser("audit", help="trilha de auditoria")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="AÇÃO", parser_class=_Parser, required=True)
    verify = audit_commands.add_parser("verify", help="verifica a cadeia de hashes da trilha de auditoria")
    verify.add_argument("--json", action="store_true", help="saída em JSON")

    cnes = commands.add_parser("cnes", help="importação do CNES (XmlParaESUS) e histórico de importações")
    cnes_commands = cnes.add_subparsers(dest="cnes_command", metavar="AÇÃO", parser_class=_Parser, required=True)
    cnes_import = cnes_commands.add_parser(
        "import", help="importa o arquivo do CNES (XmlParaESUS*.xml ou o .zip com um XML), tudo ou nada"
    )
    cnes_import.add_argument("arquivo", metavar="ARQUIVO", help="o XML ou o ZIP baixado do CNES")
    cnes_import.add_argument(
        "--municipio",
        metavar="IBGE",
        help="código IBGE do município do arquivo (obrigatório quando a instalação atende mais de um)",
    )
    cnes_import.add_argument("--json", action="store_true", help="saída em JSON (o relatório completo)")
    cnes_import.add_argument("--csv", metavar="ARQUIVO", help="grava também o relatório da importação em CSV")
    cnes_history = cnes_commands.add_parser("historico", help="histórico de importações do CNES")
    cnes_history.add_argument("--json", action="store_true", help="saída em JSON")

    users = commands.add_parser("users", help="usuários bloqueados: listar e desbloquear (redefine a senha)")
    users_commands = users.add_subparsers(dest="users_command", metavar="AÇÃO", parser_class=_Parser, required=True)
    blocked = users_commands.add_parser("blocked", help="lista as contas bloqueadas por tentativas sem sucesso")
    blocked.add_argument("--json", action="store_true", help="saída em JSON")
    unlock = users_commands.add_parser(
        "unlock",
        help="desbloqueia a conta e redefine a senha (CNS ou CPF seguido de esus; trocada no primeiro acesso)",
    )
    unlock.add_argument("cpf", metavar="CPF", help="o CPF (login) da conta bloqueada")
    unlock.add_argument("--json", action="store_true", help="saída em JSON")
    from pec_tui.cli import certs, rnds

    certs.add_parser(commands)
    rnds.add_parser(commands)
    _add_jobs(commands)
    _add_backup(commands)
    return parser


def _add_backup(commands) -> None:
    backup = commands.add_parser("backup", help="cópias de segurança do banco (cifradas, verificáveis)")
    actions = backup.add_subparsers(dest="backup_command", metavar="AÇÃO", parser_class=_Parser, required=True)
    now = actions.add_parser("now", help="faz uma cópia agora")
    now.add_argument("--dest", metavar="PASTA", help="pasta das cópias (padrão: a pasta de dados, copias/)")
    now.add_argument("--json", action="store_true", help="saída em JSON")
    verify = actions.add_parser("verify", help="verifica uma cópia restaurando-a num banco temporário")
    verify.add_argument("arquivo", metavar="ARQUIVO")
    verify.add_argument("--identity", metavar="ARQUIVO", help="identidade age que abre a cópia cifrada")
    verify.add_argument("--json", action="store_true", help="saída em JSON")
    listing = actions.add_parser("list", help="lista as cópias da pasta (e as do servidor SFTP, se configurado)")
    listing.add_argument("--dest", metavar="PASTA", help="pasta das cópias")
    listing.add_argument("--json", action="store_true", help="saída em JSON")
    keygen = actions.add_parser("keygen", help="cria a identidade age e configura sua chave pública")
    keygen.add_argument("arquivo", metavar="ARQUIVO", help="onde gravar a identidade (só o dono lê)")
    restore = actions.add_parser("restore", help="restaura uma cópia num banco vazio (nunca no banco em uso)")
    restore.add_argument("arquivo", metavar="ARQUIVO")
    restore.add_argument(
        "--database",
        dest="destino",
        metavar="URL",
        required=True,
        help="banco vazio onde restaurar: sqlite:///arquivo-novo ou postgresql://usuário@máquina:porta/banco",
    )
    restore.add_argument("--identity", metavar="ARQUIVO", help="identidade age que abre a cópia cifrada")
    restore.add_argument("--json", action="store_true", help="saída em JSON")
    retention = actions.add_parser("retention", help="mostra ou muda quantas cópias diárias e mensais ficam")
    retention.add_argument("--daily", metavar="N", type=int, help="cópias diárias a manter (uma por dia)")
    retention.add_argument("--monthly", metavar="M", type=int, help="cópias mensais a manter (uma por mês)")
    retention.add_argument("--json", action="store_true", help="saída em JSON")
    listing.add_argument("--local", action="store_true", help="só as cópias locais (não conecta ao servidor SFTP)")
    _add_backup_sftp(actions)


def _add_backup_sftp(actions) -> None:
    sftp = actions.add_parser("sftp", help="cópias fora do servidor, por SFTP (só cópias cifradas)")
    steps = sftp.add_subparsers(dest="sftp_command", metavar="AÇÃO", parser_class=_Parser, required=True)
    configure = steps.add_parser("configure", help="configura o servidor SFTP das cópias")
    configure.add_argument("--host", required=True, metavar="SERVIDOR", help="nome ou IP do servidor SFTP")
    configure.add_argument("--port", metavar="PORTA", default="22", help="porta SSH (padrão 22)")
    configure.add_argument("--user", required=True, metavar="USUÁRIO", help="usuário no servidor")
    configure.add_argument("--key-file", required=True, metavar="ARQUIVO", help="chave privada SSH (só o dono lê)")
    configure.add_argument("--folder", required=True, metavar="PASTA", help="pasta do servidor onde as cópias ficam")
    phrase = configure.add_mutually_exclusive_group()
    phrase.add_argument(
        "--passphrase", action="store_true", help="pergunta a frase-senha da chave (guardada cifrada, nunca exibida)"
    )
    phrase.add_argument("--no-passphrase", action="store_true", help="apaga a frase-senha guardada")
    check = steps.add_parser("check", help="conecta ao servidor: mostra a impressão digital da chave e a aceita")
    check.add_argument(
        "--accept-host-key",
        metavar="IMPRESSÃO",
        help="aceita, no primeiro contato, a chave do servidor com esta impressão digital (SHA256:…)",
    )
    check.add_argument("--json", action="store_true", help="saída em JSON")
    push = steps.add_parser("push", help="envia uma cópia cifrada (e seu manifesto) ao servidor")
    push.add_argument("arquivo", metavar="ARQUIVO")
    push.add_argument("--json", action="store_true", help="saída em JSON")
    steps.add_parser("remove", help="desliga o envio por SFTP (a chave conhecida do servidor fica)")


def _add_jobs(commands) -> None:
    jobs = commands.add_parser("jobs", help="tarefas agendadas: o agendador, as tarefas e seu histórico")
    actions = jobs.add_subparsers(dest="jobs_command", metavar="AÇÃO", parser_class=_Parser, required=True)
    actions.add_parser("run", help="o agendador (para o systemd): roda as tarefas na hora até receber SIGTERM")
    listing = actions.add_parser("list", help="as tarefas: agenda, próxima e última execução")
    listing.add_argument("--json", action="store_true", help="saída em JSON")
    now = actions.add_parser("run-now", help="executa uma tarefa agora, em primeiro plano")
    now.add_argument("nome", metavar="NOME", help="nome da tarefa (veja 'pec-tui jobs list')")
    now.add_argument("--json", action="store_true", help="saída em JSON")
    history = actions.add_parser("history", help="histórico das execuções (90 dias)")
    history.add_argument("--job", metavar="NOME", help="só as execuções desta tarefa")
    history.add_argument("--limit", metavar="N", type=int, default=50, help="quantas execuções (padrão 50)")
    history.add_argument("--json", action="store_true", help="saída em JSON")
    service = actions.add_parser("install-service", help="grava o serviço pec-tui-jobs.service do systemd")
    service.add_argument(
        "--unit-dir", metavar="PASTA", default="/etc/systemd/system", help="onde gravar (padrão /etc/systemd/system)"
    )
    service.add_argument("--user", metavar="USUÁRIO", help="usuário do sistema que roda o serviço")


#: Each command's function as ``module:function`` under :mod:`pec_tui.cli`, imported only when
#: the command runs (``pec-tui status`` never loads the console's code).
COMMANDS: dict[str | None, str] = {
    None: "console:cmd_console",
    "console": "console:cmd_console",
    "demo": "console:cmd_demo",
    "init": "init:cmd_init",
    "status": "status:cmd_status",
    "migrate": "init:cmd_migrate",
    "doctor": "doctor:cmd_doctor",
    "audit": "audit:cmd_audit",
    "cnes": "cnes:cmd_cnes",
    "users": "users:cmd_users",
    "certs": "certs:cmd_certs",
    "rnds": "rnds:cmd_rnds",
    "jobs": "jobs:cmd_jobs",
    "backup": "backup:cmd_backup",
}


def command_handler(command: str | None) -> Callable[[argparse.Namespace], int]:
    module, _, function = COMMANDS[command].partition(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), function)


CONSOLE_COMMANDS = (None, "console", "demo")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in CONSOLE_COMMANDS:
        # Start-up creates a few hundred thousand objects (Textual, peewee, the models) that live
        # as long as the console; the cyclic collector would walk them several times before the
        # first frame (30–50 ms). It stays off until the login screen is drawn; the console then
        # freezes them (never walked again) and turns it back on.
        gc.disable()
    _keep_the_log()
    try:
        return command_handler(args.command)(args)
    except PecError as exc:
        print(f"pec-tui: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("pec-tui: interrompido.", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`pec-tui status | head`): stop quietly, as other Unix tools do.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # the last net: a sentence on screen, the traceback in the log file
        from pec_tui.storage.errors import describe

        path = _log_unexpected(exc)
        sentence = describe(exc)
        if sentence is not None:  # a database driver's error: its Portuguese sentence
            print(f"pec-tui: {sentence}", file=sys.stderr)
            return 1
        print(
            f"pec-tui: erro inesperado ({type(exc).__name__}). Detalhes gravados em {path}.",
            file=sys.stderr,
        )
        return 1
    finally:
        gc.enable()  # the console turned it on already, unless it never started


def _keep_the_log() -> None:
    """pec-tui's own log (what a driver or parser said in English, behind a Portuguese sentence):
    ``pec-tui.log`` in the data folder, opened only when something is written. Nothing of it goes
    to the terminal (the console draws there)."""
    from pec_tui.storage.database import data_dir

    path = data_dir() / "pec-tui.log"
    for handler in [handler for handler in log.handlers if getattr(handler, "pec_tui_log", False)]:
        if handler.baseFilename == str(path):
            return
        log.removeHandler(handler)  # another data folder (a second main() in one process)
        handler.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.pec_tui_log = True  # type: ignore[attr-defined]
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def _log_unexpected(exc: BaseException) -> Path:
    from pec_tui.storage.database import data_dir

    _keep_the_log()
    log.error("erro inesperado", exc_info=exc)
    for handler in log.handlers:
        handler.flush()
    return data_dir() / "pec-tui.log"


def open_from_args(args: argparse.Namespace, *, must_exist: bool = True, check_schema: bool = True):
    """The database ``--database`` / ``--pec-home`` (or the environment, or the embedded file)
    choose, opened; its schema checked unless ``check_schema`` is false."""
    from pec_tui.storage.database import open_database, resolve_target
    from pec_tui.storage.migrations import require_schema

    target = resolve_target(args.database, args.pec_home)
    if must_exist:
        target = _demo_when_alone(target)
    opened = open_database(target, must_exist=must_exist)
    if check_schema:
        require_schema()
    return opened


def _demo_when_alone(target):
    """The embedded database chosen by default but never created, while the demonstration exists
    (``pec-tui demo`` was the first thing run): use the demonstration, and say so on stderr."""
    from pec_tui.storage.database import DatabaseTarget, demo_path, embedded_path, sqlite_url

    if target.source != "embutido" or embedded_path().exists() or not demo_path().is_file():
        return target
    print(
        f"pec-tui: usando a instalação de demonstração {demo_path()} (não há banco da instalação em "
        f"{embedded_path()}; crie-o com 'pec-tui init' ou escolha outro com --database).",
        file=sys.stderr,
    )
    return DatabaseTarget(sqlite_url(demo_path()), "demo")


def pec_home_path(args: argparse.Namespace) -> Path | None:
    """``--pec-home``, or /opt/e-SUS when it exists, or None (the console is not on a PEC host)."""
    from pec_tui.storage.database import DEFAULT_PEC_HOME

    if args.pec_home:
        return Path(args.pec_home)
    return DEFAULT_PEC_HOME if DEFAULT_PEC_HOME.is_dir() else None


def __getattr__(name: str):
    """``build_console`` lives with the console command (:mod:`pec_tui.cli.console`); it is
    reached here too, as tests and benchmarks do, without loading it at every start-up."""
    if name == "build_console":
        from pec_tui.cli.console import build_console

        return build_console
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
