"""``pec-tui users``: the blocked accounts of the installation, and unblocking one on the host
(manual 3.5.2, "Desbloquear e redefinir senha"), for when the administrator is the one blocked."""

from __future__ import annotations

import argparse
import json

from pec_tui.cli import open_from_args

CLI_COMPONENT = "pec-tui/cli"


def cmd_users(args: argparse.Namespace) -> int:
    from pec_tui.domain import accounts

    open_from_args(args)
    if args.users_command == "blocked":
        blocked = accounts.blocked_users()
        if args.json:
            rows = [{"cpf": u.cpf, "nome": u.name, "tentativas": u.failed_attempts} for u in blocked]
            print(json.dumps(rows, ensure_ascii=False))
        elif not blocked:
            print("Nenhum usuário bloqueado.")
        else:
            for user in blocked:
                print(f"{user.cpf}  {user.name}  ({user.failed_attempts} tentativas)")
        return 0
    done = accounts.unblock(args.cpf, by_user_id=None, component=CLI_COMPONENT)
    if args.json:
        print(
            json.dumps({"cpf": done.cpf, "nome": done.name, "primeira_senha": done.first_password}, ensure_ascii=False)
        )
    else:
        print(
            f"Conta de {done.name} ({done.cpf}) desbloqueada. A senha foi redefinida: no próximo acesso, "
            f"a senha é {done.first_password}, e o sistema pede uma nova."
        )
    return 0
