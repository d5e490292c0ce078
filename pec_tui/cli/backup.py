"""``pec-tui backup``: a copy now, verify one, list them, make the age key."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pec_tui.cli import open_from_args


def cmd_backup(args: argparse.Namespace) -> int:
    from pec_tui.cli import backup_sftp
    from pec_tui.domain.tarefas import backup

    open_from_args(args)
    action = args.backup_command
    if action == "now":
        done = backup.make(Path(args.dest) if args.dest else None)
        if args.json:
            data = {**done.manifest.as_json(), "caminho": str(done.path), "apagadas": list(done.removed)}
            print(json.dumps(data, ensure_ascii=False))
        else:
            print(f"Cópia gravada em {done.path} ({done.manifest.tamanho} bytes, SHA-256 {done.manifest.sha256}).")
            if done.removed:
                print(f"Retenção: apagada(s) {', '.join(done.removed)}.")
            if not done.manifest.cifrada:
                print("Atenção: a cópia não está cifrada; configure uma chave com 'pec-tui backup keygen'.")
        return 0
    if action == "verify":
        identity = Path(args.identity) if args.identity else None
        verified = backup.verify(Path(args.arquivo), identity)
        if args.json:
            print(json.dumps({"arquivo": str(verified.path), "integra": True, "contagens": verified.counts}))
        else:
            counts = ", ".join(f"{name} {count}" for name, count in verified.counts.items())
            print(
                f"Cópia íntegra: restaurada num banco temporário, esquema {verified.manifest.versao_esquema}; {counts}."
            )
        return 0
    if action == "list":
        copies = backup.list_copies(Path(args.dest) if args.dest else None)
        remote = backup_sftp.remote(args)
        if args.json:
            data = [{"arquivo": str(path), "manifesto": m.as_json() if m else None} for path, m in copies]
            data += remote.as_json()
            print(json.dumps(data, ensure_ascii=False, indent=2))
            return remote.exit_code
        if not copies:
            print("Nenhuma cópia de segurança na pasta.")
        for path, manifest in copies:
            if manifest is None:
                print(f"{path.name}  sem manifesto")
            else:
                clear = "cifrada" if manifest.cifrada else "SEM CIFRA"
                print(f"{path.name}  {manifest.tamanho} bytes  {clear}  sha256 {manifest.sha256[:16]}…")
        remote.print()
        return remote.exit_code
    if action == "restore":
        identity = Path(args.identity) if args.identity else None
        restored = backup.restore(Path(args.arquivo), args.destino, identity)
        if args.json:
            data = {"arquivo": str(restored.path), "destino": restored.target, "contagens": restored.counts}
            print(json.dumps({**data, "versao_esquema": restored.manifest.versao_esquema}, ensure_ascii=False))
        else:
            counts = ", ".join(f"{name} {count}" for name, count in restored.counts.items())
            print(
                f"Cópia {restored.path.name} restaurada em {restored.target} e conferida: "
                f"esquema {restored.manifest.versao_esquema}; {counts}."
            )
        return 0
    if action == "retention":
        return _retention(args)
    if action == "sftp":
        return backup_sftp.cmd_sftp(args)
    if action == "keygen":
        public = backup.keygen(Path(args.arquivo))
        print(f"Identidade gravada em {args.arquivo} (só o dono lê). Chave pública: {public}")
        print(
            "Guarde a identidade fora deste servidor (num cofre de senhas ou mídia offline) e apague-a daqui: "
            "sem ela nenhuma cópia pode ser aberta, e com ela qualquer cópia pode."
        )
        return 0
    print("pec-tui: ação desconhecida.", file=sys.stderr)
    return 2


def _retention(args: argparse.Namespace) -> int:
    from pec_tui.domain.tarefas import retention

    if args.daily is not None or args.monthly is not None:
        policy = retention.set_policy(args.daily, args.monthly, None)
    else:
        policy = retention.current_policy()
    if args.json:
        print(json.dumps({"diarias": policy.daily, "mensais": policy.monthly}))
    else:
        print(f"Retenção: {retention.describe(policy)}.")
    return 0
