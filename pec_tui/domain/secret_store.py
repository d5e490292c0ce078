"""Secrets kept in the database encrypted (the SMTP password): Fernet, with a key file of ours.

The key is a file in pec-tui's data directory (:func:`pec_tui.storage.database.data_dir`),
created on first use with permissions 0600 (readable and writable only by its owner). A key
file that others can read is refused, as ``ssh`` refuses a private key that others can read:
the secrets it protects would be as open as the file.

A secret goes in with :func:`encrypt` and comes out with :func:`decrypt`; neither the secret nor
the key is ever logged or written to the audit trail.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from pec_tui.core.errors import PecError, os_reason
from pec_tui.storage.database import data_dir

KEY_FILE_NAME = "pec-tui-segredos.key"


def key_path() -> Path:
    return data_dir() / KEY_FILE_NAME


def check_owner_only(path: Path) -> None:
    """Refuse a key file that others can read or that another system user owns (as ``ssh`` does)."""
    if os.name == "nt":  # NTFS permissions are ACLs; the profile folder is private already
        return
    info = path.stat()
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise PecError(
            f"O arquivo de chave {path} pode ser lido por outros usuários; deixe-o só para o dono com: chmod 600 {path}"
        )
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise PecError(f"O arquivo de chave {path} pertence a outro usuário do sistema; ele não será usado.")


def _create_key(path: Path) -> None:
    create_key_file(path, Fernet.generate_key())


def create_key_file(path: Path, key: bytes) -> None:
    """Write a new key with mode 0600 from the start (never a moment readable by others)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags, 0o600)
    except FileExistsError:
        return  # another process made it first: use theirs
    try:
        os.write(descriptor, key)
    finally:
        os.close(descriptor)


def _fernet() -> Fernet:
    path = key_path()
    if not path.exists():
        _create_key(path)
    check_owner_only(path)
    try:
        key = path.read_bytes().strip()
        return Fernet(key)
    except OSError as exc:
        raise PecError(f"Não foi possível ler o arquivo de chave {path}: {os_reason(exc)}.") from None
    except ValueError:
        raise PecError(f"O arquivo de chave {path} não contém uma chave válida.") from None


def encrypt(secret: str) -> str:
    """The secret encrypted (a Fernet token, ASCII), fit for ``tb_config_sistema.ds_texto``."""
    return _fernet().encrypt(secret.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The secret back; a token made with another key (or altered) is refused with a message."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise PecError(
            f"A senha gravada não pode ser decifrada com a chave {key_path()} (foi gravada com outra chave "
            "ou alterada); informe a senha de novo."
        ) from None
