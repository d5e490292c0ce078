"""``pec-tui certs list|check|add|remove``: the ``chaves`` certificate folder from the shell.

The folder is ``--chaves PASTA``, else ``webserver/chaves`` under the PEC home (``--pec-home``,
or /opt/e-SUS), else the demonstration's. Passwords come from ``--password-file`` or are asked
on the terminal without echo, never from the command line. ``add`` and ``remove`` are audited
(they open the database); ``list`` opens it to say which file Configuração RNDS uses; ``check``
only reads the file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pec_tui.cli import open_from_args, pec_home_path
from pec_tui.core.errors import PecError


def add_parser(commands) -> None:
    """``certs`` and its actions (called by :func:`pec_tui.cli.build_parser`)."""
    from pec_tui.cli import _Parser

    certs = commands.add_parser("certs", help="certificados A1 da pasta chaves (.pfx/.p12)")
    actions = certs.add_subparsers(dest="certs_command", metavar="AÇÃO", parser_class=_Parser, required=True)

    def common(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--chaves", metavar="PASTA", help="a pasta dos certificados (padrão: webserver/chaves da instalação do PEC)"
        )
        parser.add_argument("--json", action="store_true", help="saída em JSON")

    common(actions.add_parser("list", help="lista os arquivos da pasta chaves e o que se lê de cada um"))
    check = actions.add_parser("check", help="lê um certificado com a sua senha (assunto, CNPJ/CPF, validade, chave)")
    check.add_argument("arquivo", metavar="ARQUIVO", help="o arquivo .pfx/.p12, ou o nome de um arquivo da pasta")
    check.add_argument("--password-file", metavar="ARQUIVO", help="arquivo com a senha (sem ele, a senha é perguntada)")
    common(check)
    add = actions.add_parser("add", help="copia um certificado .pfx/.p12 para a pasta, depois de conferi-lo")
    add.add_argument("arquivo", metavar="ARQUIVO", help="o certificado A1 (.pfx ou .p12)")
    add.add_argument("--password-file", metavar="ARQUIVO", help="arquivo com a senha (sem ele, a senha é perguntada)")
    add.add_argument("--substituir", action="store_true", help="substitui um arquivo de mesmo nome na pasta")
    common(add)
    remove = actions.add_parser("remove", help="remove um arquivo da pasta (recusado se a Configuração RNDS o usa)")
    remove.add_argument("nome", metavar="NOME", help="o nome do arquivo na pasta")
    common(remove)


def _folder(args: argparse.Namespace, *, demo: bool) -> Path:
    from pec_tui.domain import certificados

    if args.chaves:
        return Path(args.chaves)
    folder = certificados.folder_for(pec_home_path(args), demo=demo)
    if folder is None:
        raise PecError(
            "Não há instalação do PEC nesta máquina: informe a pasta com --chaves PASTA "
            "ou a instalação com --pec-home PASTA."
        )
    return folder


def _is_demo() -> bool:
    from pec_tui.domain import settings

    return settings.get_flag(settings.DEMO)


def _password(args: argparse.Namespace, name: str) -> str:
    if args.password_file:
        path = Path(args.password_file)
        try:
            return path.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise PecError(f"Não foi possível ler o arquivo de senha {path}: {exc.strerror or exc}.") from None
    if not sys.stdin.isatty():
        raise PecError("Informe a senha com --password-file ARQUIVO (não há terminal para perguntá-la).")
    import getpass

    return getpass.getpass(f"Senha do certificado {name}: ")


def info_json(info) -> dict[str, object]:
    return {
        "assunto": info.subject,
        "cnpj": info.cnpj,
        "cpf": info.cpf,
        "emissor": info.issuer,
        "valido_de": info.not_before.isoformat(sep=" "),
        "valido_ate": info.not_after.isoformat(sep=" "),
        "dias_restantes": info.days_left(),
        "tem_chave": info.has_key,
        "problema": info.problem(),
    }


def entry_json(entry) -> dict[str, object]:
    return {
        "nome": entry.name,
        "tamanho": entry.size,
        "tipo": entry.kind,
        "usado_rnds": entry.in_rnds,
        "aviso": entry.note or None,
        "certificado": info_json(entry.info) if entry.info else None,
    }


def _info_lines(info) -> list[str]:
    return [
        f"Assunto: {info.subject}",
        f"Titular: {info.holder_document}",
        f"Emissor: {info.issuer}",
        f"Validade: de {info.not_before:%d/%m/%Y} a {info.not_after:%d/%m/%Y} — {info.validity_label()}",
        f"Chave privada: {'sim' if info.has_key else 'não'}",
    ]


def cmd_certs(args: argparse.Namespace) -> int:
    return {"list": _list, "check": _check, "add": _add, "remove": _remove}[args.certs_command](args)


def _list(args: argparse.Namespace) -> int:
    from pec_tui.domain import certificados

    in_rnds: set[str] = set()
    passwords: dict[str, str] = {}
    demo = False
    try:
        open_from_args(args)
        demo = _is_demo()
        in_rnds = set(certificados.rnds_certificates())
        passwords = certificados.rnds_passwords()
    except PecError as exc:
        if not args.chaves:
            raise
        print(f"pec-tui: sem banco, a lista não diz qual certificado a RNDS usa ({exc.message})", file=sys.stderr)
    folder = _folder(args, demo=demo)
    listing = certificados.list_folder(folder, passwords, in_rnds)
    if args.json:
        print(
            json.dumps(
                {"pasta": str(folder), "existe": listing.exists, "arquivos": [entry_json(e) for e in listing.entries]},
                ensure_ascii=False,
            )
        )
        return 0 if listing.exists else 1
    if not listing.exists:
        print(f"A pasta {folder} não existe; crie-a no console (Certificados) ou com mkdir -m 700.", file=sys.stderr)
        return 1
    if not listing.entries:
        print(f"{folder}: nenhum arquivo.")
        return 0
    print(f"{folder}:")
    for entry in listing.entries:
        mark = " [usado pela RNDS]" if entry.in_rnds else ""
        if entry.info is None:
            print(f"- {entry.name} ({entry.size} bytes, {entry.kind}){mark}: {entry.note}")
        else:
            info = entry.info
            print(f"- {entry.name}{mark}: {info.subject}; {info.holder_document}; {info.validity_label()}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from pec_tui.domain import certificados

    path = Path(args.arquivo)
    if not path.exists() and "/" not in args.arquivo:
        demo = False
        if not args.chaves:
            open_from_args(args)
            demo = _is_demo()
        path = _folder(args, demo=demo) / args.arquivo
    if not path.is_file():
        raise PecError(f"O arquivo {path} não existe.")
    if path.suffix.lower() not in certificados.USABLE_SUFFIXES:
        certificados.read_certificate(path, None)  # names the refusal (.cer, other)
    info = certificados.read_certificate(path, _password(args, path.name))
    if args.json:
        print(json.dumps({"arquivo": str(path), **info_json(info)}, ensure_ascii=False))
    else:
        print("\n".join([f"{path}:", *_info_lines(info)]))
        if info.problem():
            print(f"O PEC não pode usá-lo: {info.problem()}.", file=sys.stderr)
    return 0 if info.problem() is None else 1


def _add(args: argparse.Namespace) -> int:
    from pec_tui.domain import certificados

    open_from_args(args)
    folder = _folder(args, demo=_is_demo())
    source = Path(args.arquivo)
    if not source.is_file():
        raise PecError(f"O arquivo {source} não existe.")
    try:
        if source.suffix.lower() not in certificados.USABLE_SUFFIXES:
            certificados.read_certificate(source, None)  # names the refusal before asking a password
        password = _password(args, source.name)
        entry = certificados.add_certificate(folder, source, password, replace=args.substituir, by_user_id=None)
    except PecError as exc:
        raise PecError(f"{exc.message.rstrip('.')}. Nada foi gravado na pasta.") from None
    if args.json:
        print(json.dumps({"pasta": str(folder), **entry_json(entry)}, ensure_ascii=False))
    else:
        print("\n".join([f"Adicionado: {folder / entry.name}", *_info_lines(entry.info)]))
    return 0


def _remove(args: argparse.Namespace) -> int:
    from pec_tui.domain import certificados

    open_from_args(args)
    folder = _folder(args, demo=_is_demo())
    certificados.remove_certificate(folder, args.nome, by_user_id=None)
    if args.json:
        print(json.dumps({"pasta": str(folder), "removido": args.nome}, ensure_ascii=False))
    else:
        print(f"Removido: {folder / args.nome}")
    return 0
