"""``pec-tui init`` and ``pec-tui migrate``: the schema and the first installation, then the
schema's later versions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pec_tui.cli import open_from_args
from pec_tui.core.errors import PecError, os_reason


def cmd_init(args: argparse.Namespace) -> int:
    from pec_tui.core.validators import require_cpf
    from pec_tui.domain.installation import check_init_arguments, init_installation

    # Check everything that can be checked before the database file is created.
    require_cpf(args.admin_cpf, "admin_cpf")
    password = _read_password(args)
    check_init_arguments(
        municipio=args.municipio, admin_cpf=args.admin_cpf, admin_name=args.admin_name, admin_password=password
    )
    open_from_args(args, must_exist=False, check_schema=False)
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


def _read_password(args: argparse.Namespace) -> str:
    if args.admin_password_file:
        path = Path(args.admin_password_file)
        try:
            return path.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise PecError(f"Não foi possível ler o arquivo de senha {path}: {os_reason(exc)}.") from None
    if not sys.stdin.isatty():
        raise PecError("Informe a senha com --admin-password-file (não há terminal para perguntá-la).")
    import getpass

    first = getpass.getpass("Senha do administrador da instalação: ")
    second = getpass.getpass("Repita a senha: ")
    if first != second:
        raise PecError("As senhas informadas não são iguais.")
    return first


def cmd_migrate(args: argparse.Namespace) -> int:
    from pec_tui.storage.migrations import migrate

    open_from_args(args, check_schema=False)
    applied = migrate()
    print("Esquema já está atualizado." if not applied else f"Migrações aplicadas: {', '.join(map(str, applied))}.")
    return 0
