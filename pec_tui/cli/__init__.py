"""Command line: ``pec-tui`` opens the console; subcommands serve cron and SSH one-liners.

Exit codes: 0 done, 1 refused or failed (with one Portuguese sentence on stderr), 2 usage.
Start-up must stay light: Textual is imported only by the command that opens the console.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pec_tui import __version__
from pec_tui.core.errors import PecError

log = logging.getLogger("pec_tui")

_USAGE_TRANSLATIONS = (
    ("the following arguments are required: ", "faltam os argumentos obrigatórios: "),
    ("unrecognized arguments: ", "argumentos não reconhecidos: "),
    ("invalid choice: ", "opção inválida: "),
    ("expected one argument", "precisa de um valor"),
    ("argument ", "argumento "),
    ("choose from ", "escolha entre "),
    ("invalid int value: ", "número inválido: "),
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        for english, portuguese in _USAGE_TRANSLATIONS:
            message = message.replace(english, portuguese)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {message}\nUse '{self.prog} --help' para ver as opções.\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pec-tui",
        description="Console de administração do e-SUS APS PEC. Sem comando, abre o console.",
    )
    parser.add_argument("--version", action="version", version=f"pec-tui {__version__}")
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
    return parser


CONSOLE_COMMANDS = (None, "console", "demo")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = {
        None: cmd_console,
        "console": cmd_console,
        "demo": cmd_demo,
        "init": cmd_init,
        "status": cmd_status,
        "migrate": cmd_migrate,
        "doctor": cmd_doctor,
        "audit": cmd_audit,
        "cnes": cmd_cnes,
    }[args.command]
    if args.command in CONSOLE_COMMANDS:
        # Start-up creates a few hundred thousand objects (Textual, peewee, the models) that live
        # as long as the console; the cyclic collector would walk them several times before the
        # first frame (30–50 ms). It stays off until the login screen is drawn; the console then
        # freezes them (never walked again) and turns it back on.
        gc.disable()
    try:
        return handler(args)
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
        path = _log_unexpected(exc)
        print(
            f"pec-tui: erro inesperado ({type(exc).__name__}). Detalhes gravados em {path}.",
            file=sys.stderr,
        )
        return 1
    finally:
        gc.enable()  # the console turned it on already, unless it never started


def _log_unexpected(exc: BaseException) -> Path:
    from pec_tui.storage.database import data_dir

    path = data_dir() / "pec-tui.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
        log.addHandler(handler)
        log.error("erro inesperado", exc_info=exc)
        handler.close()
        log.removeHandler(handler)
    except OSError:
        pass
    return path


def _open(args: argparse.Namespace, *, must_exist: bool = True, check_schema: bool = True):
    from pec_tui.storage.database import open_database, resolve_target
    from pec_tui.storage.migrations import require_schema

    target = resolve_target(args.database, args.pec_home)
    opened = open_database(target, must_exist=must_exist)
    if check_schema:
        require_schema()
    return opened


def cmd_status(args: argparse.Namespace) -> int:
    from pec_tui.domain import status

    opened = _open(args)
    data = status.collect(opened)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(status.render_text(data))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from pec_tui.domain import audit

    _open(args)
    result = audit.verify()
    if args.json:
        print(
            json.dumps(
                {
                    "integra": result.ok,
                    "eventos": result.count,
                    "linha_quebrada": result.broken_id,
                    "mensagem": result.message,
                },
                ensure_ascii=False,
            )
        )
    else:
        print(result.message, file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def cmd_migrate(args: argparse.Namespace) -> int:
    from pec_tui.storage.migrations import migrate

    _open(args, check_schema=False)
    applied = migrate()
    print("Esquema já está atualizado." if not applied else f"Migrações aplicadas: {', '.join(map(str, applied))}.")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    """Exit 0 when no check is an error, 1 otherwise; a database that cannot be opened is one
    of the checks, so the host checks still run."""
    from pec_tui.domain import diagnostico

    try:
        opened, open_error = _open(args, check_schema=False), None
    except PecError as exc:
        opened, open_error = None, exc.message
    config = diagnostico.DoctorConfig(
        pec_home=pec_home_path(args), pec_url=args.pec_url or diagnostico.default_pec_url()
    )
    report = diagnostico.run(opened, config, open_error=open_error)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        print(diagnostico.render_text(report))
    return 1 if report.has_errors else 0


def _read_password(args: argparse.Namespace) -> str:
    if args.admin_password_file:
        path = Path(args.admin_password_file)
        try:
            return path.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise PecError(f"Não foi possível ler o arquivo de senha {path}: {exc.strerror or exc}.") from None
    if not sys.stdin.isatty():
        raise PecError("Informe a senha com --admin-password-file (não há terminal para perguntá-la).")
    import getpass

    first = getpass.getpass("Senha do administrador da instalação: ")
    second = getpass.getpass("Repita a senha: ")
    if first != second:
        raise PecError("As senhas informadas não são iguais.")
    return first


def cmd_init(args: argparse.Namespace) -> int:
    from pec_tui.core.validators import require_cpf
    from pec_tui.domain.installation import init_installation
    from pec_tui.domain.passwords import check_policy

    # Check what can be checked before creating anything.
    require_cpf(args.admin_cpf, "admin_cpf")
    password = _read_password(args)
    check_policy(password)
    _open(args, must_exist=False, check_schema=False)
    result = init_installation(
        municipio=args.municipio,
        admin_cpf=args.admin_cpf,
        admin_name=args.admin_name,
        admin_password=password,
        installation_name=args.nome_instalacao,
        training=args.treinamento,
    )
    print(
        f"Instalação criada: município {result.municipality}; administrador da instalação "
        f"{result.admin_login}; esquema versão {result.schema_version}."
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from pec_tui.storage.database import DatabaseTarget, demo_path, open_database, sqlite_url

    path = demo_path()
    if args.database or args.pec_home:
        raise PecError(
            "A demonstração usa o seu próprio banco SQLite; não combine 'demo' com --database ou --pec-home."
        )
    if args.recriar:
        from pec_tui.demo import installation as demo

        demo.remove(path)
    created = not path.exists()
    if created:
        from pec_tui.demo import installation as demo  # only to build it: opening an existing demo needs none of it

        print(f"Criando a instalação de demonstração em {path} …", file=sys.stderr)
        demo.create(path)
    opened = open_database(DatabaseTarget(sqlite_url(path), "demo"))
    if args.sem_console:
        print(f"Banco de demonstração {'criado' if created else 'já existe'}: {path}")
        return 0
    return _run_console(opened, None)


def cmd_console(args: argparse.Namespace) -> int:
    from pec_tui.storage.database import embedded_path

    if not args.database and not args.pec_home:
        from pec_tui.storage.database import resolve_target

        target = resolve_target(None, None)
        if target.source == "embutido" and not embedded_path().exists():
            raise PecError(
                "Nenhuma instalação encontrada: use 'pec-tui demo' para a demonstração, "
                "'pec-tui init' para criar uma, ou --database/--pec-home para abrir a do PEC."
            )
    opened = _open(args)
    return _run_console(opened, pec_home_path(args))


def pec_home_path(args: argparse.Namespace) -> Path | None:
    """``--pec-home``, or /opt/e-SUS when it exists, or None (the console is not on a PEC host)."""
    from pec_tui.storage.database import DEFAULT_PEC_HOME

    if args.pec_home:
        return Path(args.pec_home)
    return DEFAULT_PEC_HOME if DEFAULT_PEC_HOME.is_dir() else None


def build_console(opened, pec_home: Path | None = None):
    """The console app for an opened database: schema checked, and what its first frame shows
    (installation, demo credentials) read before Textual starts, so the login screen is drawn
    once and complete."""
    from pec_tui.domain.installation_info import console_start
    from pec_tui.storage.migrations import require_schema

    require_schema()
    start = console_start()
    from pec_tui.app import PecTuiApp  # Textual only from here on

    return PecTuiApp(opened, start=start, pec_home=pec_home)


def _run_console(opened, pec_home: Path | None) -> int:
    app = build_console(opened, pec_home)
    app.run()
    return app.return_code or 0


def cmd_cnes(args: argparse.Namespace) -> int:
    _open(args)
    if args.cnes_command == "import":
        return _cnes_import(args)
    return _cnes_history(args)


def _cnes_municipality(args: argparse.Namespace) -> int | None:
    """The municipality to import for: --municipio, or the installation's only one."""
    from pec_tui.domain.installation import find_municipality, installation_municipalities

    if args.municipio:
        return find_municipality(args.municipio).id
    active = installation_municipalities()
    if len(active) > 1:
        names = ", ".join(f"{m.label} ({m.ibge})" for m in active)
        raise PecError(f"Esta instalação atende {len(active)} municípios ({names}); informe --municipio IBGE.")
    return None


class _ProgressLine:
    """The import's progress on one line of stderr (only when stderr is a terminal)."""

    def __init__(self) -> None:
        self.width = 0

    def __call__(self, progress) -> None:
        text = progress.label
        sys.stderr.write("\r" + text.ljust(self.width))
        sys.stderr.flush()
        self.width = len(text)

    def clear(self) -> None:
        if self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()


def _cnes_import(args: argparse.Namespace) -> int:
    from pec_tui.domain.cnes.importer import import_cnes
    from pec_tui.domain.cnes.report import report_to_csv

    localidade_id = _cnes_municipality(args)
    line = _ProgressLine() if sys.stderr.isatty() else None
    try:
        report = import_cnes(Path(args.arquivo), localidade_id=localidade_id, user_id=None, progress=line)
    finally:
        if line is not None:
            line.clear()
    if args.csv:
        report_to_csv(report, Path(args.csv))
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(_render_cnes_report(report))
    if args.csv:
        print(f"Relatório gravado em {args.csv}.")
    return 0


def _render_cnes_report(report, limit: int = 20) -> str:
    file_date = ""
    if report.data_arquivo:
        year, month, day = report.data_arquivo.split("-")
        file_date = f", arquivo de {day}/{month}/{year}"
    seconds = f"{report.duracao_segundos:.1f}".replace(".", ",")
    lines = [
        f"Importação do CNES concluída: {report.arquivo} ({report.municipio}, layout {report.versao_layout}"
        f"{file_date}) em {seconds} s.",
        "",
        f"{'':<18} {'novos':>8} {'atualizados':>12} {'sem alteração':>14} {'reativados':>11} {'desativados':>12}",
    ]
    for label, counts in report.counts():
        lines.append(
            f"{label:<18} {counts.novos:>8} {counts.atualizados:>12} {counts.inalterados:>14} "
            f"{counts.reativados:>11} {counts.desativados:>12}"
        )
    for title, items in (("Registros não importados", report.registros_nao_importados), ("Avisos", report.avisos)):
        lines += ["", f"{title}: {len(items)}"]
        for item in items[:limit]:
            where = f"linha {item.linha}, {item.elemento}" if item.linha else item.elemento or "arquivo"
            who = " ".join(part for part in (item.tipo, item.chave, item.nome) if part)
            lines.append(f"  {where}: {who} — {item.motivo}")
        if len(items) > limit:
            lines.append(f"  … e mais {len(items) - limit} (use --json ou --csv para ver todos).")
    lines += [
        "",
        f"Profissionais com mais de uma lotação sem agenda configurada: {len(report.profissionais_sem_agenda)}",
    ]
    return "\n".join(lines)


def _cnes_history(args: argparse.Namespace) -> int:
    from pec_tui.domain.cnes.report import list_imports

    page = list_imports(limit=500)
    if args.json:
        print(json.dumps([row.to_dict() for row in page.rows], ensure_ascii=False, indent=2))
        return 0
    if not page.rows:
        print("Nenhuma importação do CNES registrada.")
        return 0
    for row in page.rows:
        print(
            f"{row.imported_at:%d/%m/%Y %H:%M}  {row.municipality}  {row.file_name}  layout {row.layout_version}  "
            f"por {row.user_label}: {row.units} unidades, {row.teams} equipes, {row.professionals} profissionais, "
            f"{row.lotacoes} lotações, {row.rejected} não importados"
        )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
