"""``pec-tui backup sftp configure|check|push|remove`` and the remote part of ``backup list``."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from pec_tui.core.errors import PecError, ValidationError


@dataclass
class RemoteListing:
    """The SFTP server's copies for ``backup list`` (empty when SFTP is not configured)."""

    where: str | None = None
    copies: list = field(default_factory=list)
    error: str | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.error else 0

    def as_json(self) -> list[dict[str, object]]:
        return [
            {
                "arquivo": f"{self.where}/{copy.name}",
                "onde": "sftp",
                "tamanho": copy.size,
                "manifesto": copy.manifest.as_json() if copy.manifest else None,
            }
            for copy in self.copies
        ]

    def print(self) -> None:
        if self.where is None:
            return
        if self.error:
            print(f"pec-tui: as cópias do servidor SFTP não foram listadas: {self.error}", file=sys.stderr)
            return
        print(f"No servidor {self.where}:")
        if not self.copies:
            print("  nenhuma cópia.")
        for copy in self.copies:
            sha = f"sha256 {copy.manifest.sha256[:16]}…" if copy.manifest else "sem manifesto"
            print(f"  {copy.name}  {copy.size} bytes  {sha}")


def remote(args: argparse.Namespace) -> RemoteListing:
    from pec_tui.domain.tarefas import offsite

    cfg = offsite.config()
    if args.local or not cfg.configured:
        return RemoteListing()
    try:
        return RemoteListing(cfg.where, offsite.remote_copies())
    except PecError as exc:
        return RemoteListing(cfg.where, error=exc.message)


def _ask_passphrase() -> str:
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("Frase-senha da chave SSH: ")
    return sys.stdin.readline().rstrip("\n")


def cmd_sftp(args: argparse.Namespace) -> int:
    from pec_tui.domain.tarefas import offsite

    action = args.sftp_command
    if action == "configure":
        passphrase = _ask_passphrase() if args.passphrase else ("" if args.no_passphrase else None)
        try:
            cfg = offsite.configure(
                args.host, args.port, args.user, args.key_file, args.folder, passphrase, by_user_id=None
            )
        except ValidationError as exc:
            hint = " (opção --passphrase)" if exc.field == "sftp_frase" and not args.passphrase else ""
            raise PecError(exc.message.rstrip(".") + hint + ".") from None
        phrase = " (com frase-senha, guardada cifrada)" if cfg.has_passphrase else ""
        print(f"Cópias fora do servidor: {cfg.where}, chave {cfg.key_file}{phrase}.")
        print("Confira a chave do servidor com 'pec-tui backup sftp check'.")
        return 0
    if action == "check":
        try:
            result = offsite.check(args.accept_host_key)
        except offsite.UnknownHostKey as unknown:
            if args.json:
                data = {"conhecido": False, "servidor": unknown.host_id, "impressao_digital": unknown.fingerprint}
                print(json.dumps({**data, "tipo": unknown.key_type}))
            raise
        if args.json:
            data = {
                "conhecido": True,
                "servidor": result.host_id,
                "destino": result.where,
                "impressao_digital": result.fingerprint,
                "tipo": result.key_type,
                "aceita_agora": result.accepted_now,
                "copias_no_servidor": result.remote_copies,
            }
            print(json.dumps(data, ensure_ascii=False))
            return 0
        if result.accepted_now:
            print(f"Chave do servidor {result.host_id} aceita: {result.key_type} {result.fingerprint}.")
        else:
            print(f"Chave do servidor {result.host_id} conferida: {result.key_type} {result.fingerprint}.")
        print(f"Conectado a {result.where}: {result.remote_copies} cópia(s) lá.")
        return 0
    if action == "push":
        sent = offsite.push(Path(args.arquivo))
        if args.json:
            data = {
                "arquivo": sent.name,
                "destino": f"{sent.where}/{sent.name}",
                "tamanho": sent.size,
                "enviados": sent.sent,
                "retomada_de": sent.resumed_from,
                "ja_estava": sent.already_there,
                "removidas": sent.removed,
            }
            print(json.dumps(data, ensure_ascii=False))
            return 0
        how = "já estava lá, conferida" if sent.already_there else f"{sent.size} bytes, SHA-256 conferida"
        print(f"Cópia {sent.name} enviada para {sent.where} ({how}).")
        if sent.removed:
            print(f"Removidas do servidor pela retenção: {', '.join(sent.removed)}.")
        return 0
    if action == "remove":
        offsite.remove(None)
        print("Envio por SFTP desligado; as cópias que já estão no servidor ficam lá.")
        return 0
    print("pec-tui: ação desconhecida.", file=sys.stderr)
    return 2
