"""``pec-tui`` / ``pec-tui console`` and ``pec-tui demo``: open the console (Textual is imported
here only, once the database is open and its first frame's data read)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pec_tui.cli import open_from_args, pec_home_path
from pec_tui.core.errors import PecError


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
    opened = open_from_args(args)
    return run_console(opened, pec_home_path(args))


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
    return run_console(opened, None)


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


def run_console(opened, pec_home: Path | None) -> int:
    app = build_console(opened, pec_home)
    app.run()
    return app.return_code or 0
