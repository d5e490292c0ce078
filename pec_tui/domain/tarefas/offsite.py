"""Cópias fora do servidor: each encrypted backup copy sent to an SFTP server (paramiko).

* Settings (``PECTUI_COPIA_SFTP_*``): host, port, user, private key file, remote folder; the key's
  passphrase, when it has one, is encrypted at rest with :mod:`pec_tui.domain.secret_store` (as the
  SMTP password), never shown, logged nor audited.
* The server's host key is checked against pec-tui's own ``known_hosts`` (in the data folder,
  owner-only, rewritten temp-then-rename, OpenSSH's format). An unknown key refuses the connection
  (:class:`UnknownHostKey`, with its ``SHA256:`` fingerprint as ``ssh-keygen -l`` prints it) until
  the administrator accepts that exact fingerprint; a key that differs from the one recorded
  (:class:`HostKeyChanged`) is always refused, never accepted again by pec-tui.
* Only encrypted copies leave the host: with no age key configured, or for a copy in clear, the
  upload is refused.
* The copy goes to ``.<name>.parcial`` in the remote folder. After a dropped connection the next
  attempt (:func:`push` tries again by itself) resumes from the size already there, once the
  SHA-256 of that remote prefix matches the same prefix of the local file (otherwise it starts
  over). OpenSSH's sftp-server has no hash extension (``check-file``), so the checksum is honest
  the slow way: the remote file is **read back, streamed, and hashed here**; only when the size
  and that SHA-256 match the manifest is it renamed to its final name (``posix-rename``). The
  manifest goes the same way beside it.
* Then remote retention: :func:`pec_tui.domain.tarefas.retention.to_keep` on the remote copies'
  names, with the installation's policy; the others (and their manifests) are removed.
* Each outcome is an audit event "Cópia de segurança" (component ``pec-tui/copia-sftp``, the copy's
  name as record); the last one per copy is what the screen shows as its upload state.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import paramiko

from pec_tui.core.errors import PecError, ValidationError, os_reason
from pec_tui.domain import audit, secret_store, settings
from pec_tui.domain.configuracoes.servidores import valid_host
from pec_tui.domain.installation import require_installation_admin
from pec_tui.domain.tarefas import backup, retention
from pec_tui.storage.database import data_dir, transaction
from pec_tui.storage.models import AuditEvent

COMPONENT = "pec-tui/copia-sftp"
HOST_KEY = "PECTUI_COPIA_SFTP_SERVIDOR"
PORT_KEY = "PECTUI_COPIA_SFTP_PORTA"
USER_KEY = "PECTUI_COPIA_SFTP_USUARIO"
KEY_FILE_KEY = "PECTUI_COPIA_SFTP_CHAVE"
FOLDER_KEY = "PECTUI_COPIA_SFTP_PASTA"
PASSPHRASE_KEY = "PECTUI_COPIA_SFTP_FRASE_CIFRADA"
KNOWN_HOSTS_NAME = "pec-tui-known_hosts"
DEFAULT_PORT = 22
TIMEOUT_SECONDS = 20.0
CHUNK = 256 * 1024
PARTIAL_SUFFIX = ".parcial"

SENT = "Cópia de segurança enviada"
FAILED = "Envio da cópia de segurança"


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SftpConfig:
    """What is stored (of the passphrase, only whether there is one)."""

    host: str = ""
    port: int = DEFAULT_PORT
    user: str = ""
    key_file: str = ""
    folder: str = ""
    has_passphrase: bool = False

    @property
    def configured(self) -> bool:
        return bool(self.host and self.user and self.key_file and self.folder)

    @property
    def where(self) -> str:
        """``sftp://copias@backup.exemplo.gov.br:2222/srv/copias`` (no secret in it)."""
        folder = self.folder if self.folder.startswith("/") else f"/~/{self.folder}"
        return f"sftp://{self.user}@{self.host}:{self.port}{folder}"

    @property
    def host_id(self) -> str:
        """The host's name in known_hosts: ``host``, or ``[host]:port`` off port 22 (as OpenSSH)."""
        return self.host if self.port == DEFAULT_PORT else f"[{self.host}]:{self.port}"


def config() -> SftpConfig:
    return SftpConfig(
        host=settings.get_text(HOST_KEY) or "",
        port=settings.get_int(PORT_KEY, DEFAULT_PORT) or DEFAULT_PORT,
        user=settings.get_text(USER_KEY) or "",
        key_file=settings.get_text(KEY_FILE_KEY) or "",
        folder=settings.get_text(FOLDER_KEY) or "",
        has_passphrase=bool(settings.get_text(PASSPHRASE_KEY)),
    )


def _clean_port(port: int | str | None) -> int:
    text = str(port if port is not None else DEFAULT_PORT).strip() or str(DEFAULT_PORT)
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValidationError("A porta do servidor SFTP deve ser um número de 1 a 65535.", "sftp_porta")
    return int(text)


def _clean_folder(folder: str | None) -> str:
    value = (folder or "").strip()
    if not value:
        raise ValidationError(
            "Informe a pasta do servidor onde as cópias ficam (por exemplo, /srv/copias).", "sftp_pasta"
        )
    if any(char in value for char in "\n\r\t") or "\\" in value:
        raise ValidationError("A pasta do servidor é um caminho com barras normais (/), sem tabulações.", "sftp_pasta")
    return value.rstrip("/") or "/"


def configure(
    host: str,
    port: int | str | None,
    user: str,
    key_file: str,
    folder: str,
    passphrase: str | None = None,
    *,
    by_user_id: int | None,
) -> SftpConfig:
    """Validate and store the SFTP server. ``passphrase``: None keeps the stored one, ``""``
    removes it, text replaces it (encrypted). The key file must open (with the passphrase) now."""
    clean_host = (host or "").strip()
    if not clean_host:
        raise ValidationError("Informe o servidor SFTP (nome ou IP).", "sftp_servidor")
    if not valid_host(clean_host):
        raise ValidationError(f"O servidor SFTP '{clean_host}' não é um nome nem um IP válido.", "sftp_servidor")
    clean_port = _clean_port(port)
    clean_user = (user or "").strip()
    if not clean_user or any(char.isspace() or char in "@:/" for char in clean_user):
        raise ValidationError("Informe o usuário do servidor SFTP (sem espaços, @, : nem /).", "sftp_usuario")
    if not (key_file or "").strip():
        raise ValidationError(
            "Informe o arquivo da chave privada SSH (por exemplo, /root/.ssh/id_ed25519).", "sftp_chave"
        )
    key_path = Path(key_file.strip()).expanduser().resolve()
    clean_folder = _clean_folder(folder)
    if passphrase is None:  # keep the stored one
        stored = settings.get_text(PASSPHRASE_KEY)
        passphrase = secret_store.decrypt(stored) if stored else ""
        keep = True
    else:
        keep = False
    secret = passphrase or None
    try:
        _load_key(key_path, secret)
    except PecError as exc:
        field_name = "sftp_frase" if "frase-senha" in exc.message else "sftp_chave"
        raise ValidationError(exc.message, field_name) from None
    require_installation_admin(by_user_id)
    new = SftpConfig(clean_host, clean_port, clean_user, str(key_path), clean_folder, bool(secret))
    with transaction():
        settings.put(HOST_KEY, text=new.host)
        settings.put(PORT_KEY, integer=new.port)
        settings.put(USER_KEY, text=new.user)
        settings.put(KEY_FILE_KEY, text=new.key_file)
        settings.put(FOLDER_KEY, text=new.folder)
        if not keep:
            settings.put(PASSPHRASE_KEY, text=secret_store.encrypt(secret) if secret else None)
        with_phrase = " (com frase-senha, guardada cifrada)" if secret else ""
        audit.record_setting_change(
            by_user_id,
            HOST_KEY,
            f"Cópias fora do servidor por SFTP: {new.where}, chave {new.key_file}{with_phrase}.",
            component=COMPONENT,
        )
    return config()


def remove(by_user_id: int | None) -> None:
    """Stop sending copies off-site (known_hosts is kept: the server's key stays known)."""
    require_installation_admin(by_user_id)
    with transaction():
        for key in (HOST_KEY, PORT_KEY, USER_KEY, KEY_FILE_KEY, FOLDER_KEY, PASSPHRASE_KEY):
            settings.put(key, text=None)
        audit.record_setting_change(
            by_user_id, HOST_KEY, "Cópias fora do servidor por SFTP desligadas.", component=COMPONENT
        )


def _required() -> SftpConfig:
    cfg = config()
    if not cfg.configured:
        raise PecError(
            "O envio das cópias por SFTP não está configurado; configure-o com 'pec-tui backup sftp configure' "
            "ou na aba Cópias de segurança."
        )
    return cfg


def _load_key(path: Path, passphrase: str | None) -> paramiko.PKey:
    """The private key, or a sentence: missing, open to others, not a key, passphrase needed or wrong."""
    if not path.is_file():
        raise PecError(f"O arquivo de chave {path} não existe.")
    secret_store.check_owner_only(path)  # as ssh refuses a private key others can read
    try:
        return paramiko.PKey.from_path(path, passphrase.encode() if passphrase else None)
    except TypeError:  # paramiko: "Key is password-protected, but password was not provided"
        raise PecError(f"A chave {path} está protegida por frase-senha; informe a frase-senha.") from None
    except (ValueError, paramiko.SSHException) as exc:
        if passphrase:
            with contextlib.suppress(TypeError, ValueError, paramiko.SSHException):
                paramiko.PKey.from_path(path)
                raise PecError(f"A chave {path} não tem frase-senha; deixe a frase-senha vazia.") from None
            raise PecError(f"A frase-senha não abre a chave {path}.") from None
        raise PecError(f"O arquivo {path} não é uma chave privada SSH que o pec-tui leia ({exc}).") from None
    except OSError as exc:
        raise PecError(f"Não foi possível ler a chave {path}: {os_reason(exc)}.") from None


def _key_of(cfg: SftpConfig) -> paramiko.PKey:
    token = settings.get_text(PASSPHRASE_KEY)
    return _load_key(Path(cfg.key_file), secret_store.decrypt(token) if token else None)


# --------------------------------------------------------------------------------------------
# Host keys
# --------------------------------------------------------------------------------------------


def known_hosts_path() -> Path:
    return data_dir() / KNOWN_HOSTS_NAME


def fingerprint(key: paramiko.PKey) -> str:
    """``SHA256:…`` (base64 without padding), as ``ssh-keygen -l`` and ssh's first-contact prompt."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


class UnknownHostKey(PecError):
    """First contact: the administrator must confirm the fingerprint (it is in the message)."""

    def __init__(self, cfg: SftpConfig, key: paramiko.PKey) -> None:
        self.fingerprint = fingerprint(key)
        self.key_type = key.get_name()
        self.host_id = cfg.host_id
        super().__init__(
            f"O servidor {cfg.host_id} ainda não é conhecido; a impressão digital da sua chave "
            f"({self.key_type}) é {self.fingerprint}. Confira-a com o responsável pelo servidor "
            f"(ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub, lá) e aceite-a: na aba Cópias de segurança "
            f"ou com 'pec-tui backup sftp check --accept-host-key {self.fingerprint}'."
        )


class HostKeyChanged(PecError):
    """The host presents another key than the one recorded: refused, always."""


def _known_keys(host_id: str) -> list[paramiko.PKey]:
    path = known_hosts_path()
    if not path.exists():
        return []
    try:
        keys = paramiko.HostKeys(str(path))
    except (OSError, paramiko.SSHException) as exc:
        raise PecError(f"Não foi possível ler {path}: {exc}.") from None
    entry = keys.lookup(host_id)
    return list(entry.values()) if entry else []


def _remember(host_id: str, key: paramiko.PKey) -> None:
    path = known_hosts_path()
    lines = path.read_text().splitlines() if path.exists() else []
    lines.append(f"{host_id} {key.get_name()} {key.get_base64()}")
    path.parent.mkdir(parents=True, exist_ok=True)
    backup._write_atomic(path, ("\n".join(lines) + "\n").encode(), 0o600)


_RSA_TYPES = ("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa")


def _prefer_known_types(transport: paramiko.Transport, known: list[paramiko.PKey]) -> None:
    """Ask the server for the type of key we know (as OpenSSH does), so a server with several host
    keys never looks changed just because another type was negotiated."""
    types: list[str] = []
    for key in known:
        types += _RSA_TYPES if key.get_name() == "ssh-rsa" else [key.get_name()]
    supported = set(transport.get_security_options().key_types)
    wanted = tuple(dict.fromkeys(t for t in types if t in supported))
    if wanted:
        transport.get_security_options().key_types = wanted


def _changed_sentence(cfg: SftpConfig, shown: str) -> str:
    return (
        f"ATENÇÃO: a chave do servidor {cfg.host_id} MUDOU (agora {shown}); não é a registrada em "
        f"{known_hosts_path()}. Pode ser alguém no meio do caminho se passando pelo servidor; nada foi "
        "enviado. Se o servidor foi reinstalado, confira a nova impressão digital com o responsável, "
        f"apague a linha de {cfg.host_id} nesse arquivo e aceite a nova."
    )


def normalize_fingerprint(text: str) -> str:
    value = (text or "").strip()
    if value.upper().startswith("SHA256:"):
        value = value[7:]
    return "SHA256:" + value.rstrip("=")


# --------------------------------------------------------------------------------------------
# The connection
# --------------------------------------------------------------------------------------------


@dataclass
class Session:
    cfg: SftpConfig
    transport: paramiko.Transport
    sftp: paramiko.SFTPClient
    fingerprint: str
    key_type: str
    accepted_now: bool

    def path(self, name: str) -> str:
        return str(PurePosixPath(self.cfg.folder) / name)


def _server_error(cfg: SftpConfig, action: str, exc: BaseException) -> PecError:
    reason = os_reason(exc) if isinstance(exc, OSError) and exc.errno else str(exc) or type(exc).__name__
    return PecError(f"O servidor SFTP {cfg.host} recusou {action}: {reason}.")


@contextlib.contextmanager
def connect(
    cfg: SftpConfig | None = None, accept: str | None = None, by_user_id: int | None = None
) -> Iterator[Session]:
    """An SFTP session with the host key checked and the remote folder present (created if not).
    A key accepted on first contact is recorded (and audited) before the login is tried."""
    cfg = cfg or _required()
    pkey = _key_of(cfg)
    try:
        sock = socket.create_connection((cfg.host, cfg.port), timeout=TIMEOUT_SECONDS)
    except OSError as exc:
        raise PecError(
            f"Não foi possível conectar ao servidor SFTP {cfg.host} na porta {cfg.port}: {os_reason(exc)}."
        ) from None
    transport = paramiko.Transport(sock)
    try:
        known = _known_keys(cfg.host_id)
        _prefer_known_types(transport, known)
        try:
            transport.start_client(timeout=TIMEOUT_SECONDS)
        except (paramiko.SSHException, EOFError, OSError) as exc:
            if known and "host key" in str(exc).lower():
                raise HostKeyChanged(_changed_sentence(cfg, "de outro tipo")) from None
            raise PecError(f"A conexão SSH com {cfg.host}:{cfg.port} falhou: {exc or type(exc).__name__}.") from None
        key = transport.get_remote_server_key()
        shown = fingerprint(key)
        accepted_now = False
        if known and not any(k.asbytes() == key.asbytes() for k in known):
            raise HostKeyChanged(_changed_sentence(cfg, shown))
        if not known:
            if accept is None:
                raise UnknownHostKey(cfg, key)
            if normalize_fingerprint(accept) != shown:
                raise PecError(
                    f"A impressão digital informada ({accept.strip()}) não é a do servidor {cfg.host_id}, que "
                    f"mostrou {shown}; nada foi aceito."
                )
            _remember(cfg.host_id, key)
            accepted_now = True
            with transaction():
                audit.record_setting_change(
                    by_user_id,
                    HOST_KEY,
                    f"Chave do servidor SFTP {cfg.host_id} aceita: {key.get_name()} {shown}.",
                    component=COMPONENT,
                )
        try:
            transport.auth_publickey(cfg.user, pkey)
        except paramiko.AuthenticationException:
            raise PecError(
                f"O servidor {cfg.host} recusou a chave {cfg.key_file} para o usuário {cfg.user}: a chave pública "
                f"dela precisa estar no authorized_keys desse usuário no servidor."
            ) from None
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise PecError(f"A autenticação em {cfg.host} falhou: {exc or type(exc).__name__}.") from None
        try:
            sftp = paramiko.SFTPClient.from_transport(transport)
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise PecError(f"O servidor {cfg.host} não abriu o SFTP: {exc or type(exc).__name__}.") from None
        if sftp is None:
            raise PecError(f"O servidor {cfg.host} não abriu o SFTP.")
        sftp.get_channel().settimeout(TIMEOUT_SECONDS)
        session = Session(cfg, transport, sftp, shown, key.get_name(), accepted_now)
        _ensure_folder(session)
        yield session
    finally:
        transport.close()


def _ensure_folder(session: Session) -> None:
    folder = PurePosixPath(session.cfg.folder)
    parts = [folder, *folder.parents][::-1]
    for part in parts:
        if str(part) in ("/", ".", "~"):
            continue
        try:
            session.sftp.stat(str(part))
        except FileNotFoundError:
            try:
                session.sftp.mkdir(str(part), 0o700)
            except OSError as exc:
                raise _server_error(session.cfg, f"criar a pasta {part}", exc) from None
        except OSError as exc:
            raise _server_error(session.cfg, f"abrir a pasta {part}", exc) from None


@dataclass(frozen=True)
class CheckResult:
    where: str
    host_id: str
    fingerprint: str
    key_type: str
    accepted_now: bool
    remote_copies: int


def check(accept: str | None = None, by_user_id: int | None = None) -> CheckResult:
    """Connect once: the host key (accepting ``accept`` on first contact), the login, the folder."""
    cfg = _required()
    with connect(cfg, accept, by_user_id) as session:
        count = sum(1 for name in session.sftp.listdir(cfg.folder) if retention.moment_of(name))
        return CheckResult(cfg.where, cfg.host_id, session.fingerprint, session.key_type, session.accepted_now, count)


# --------------------------------------------------------------------------------------------
# Upload
# --------------------------------------------------------------------------------------------


class _Dropped(Exception):
    """The connection went away mid-transfer (the next attempt resumes)."""


@dataclass
class Upload:
    name: str
    where: str
    size: int
    sent: int = 0  # bytes of the copy written by this call, over every attempt
    resumed_from: int = 0  # bytes already on the server (prefix checked) at the last attempt
    attempts: int = 0
    already_there: bool = False
    removed: list[str] = field(default_factory=list)


def _sha_of_local(path: Path, length: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        left = length
        while left and (chunk := handle.read(min(CHUNK, left))):
            digest.update(chunk)
            left -= len(chunk)
    return digest.hexdigest()


def _sha_of_remote(session: Session, remote: str, length: int) -> str:
    """Read ``length`` bytes of the remote file back and hash them (no server-side hash in OpenSSH)."""
    digest = hashlib.sha256()
    with session.sftp.open(remote, "rb") as handle:
        handle.prefetch(length)
        left = length
        while left and (chunk := handle.read(min(CHUNK, left))):
            digest.update(chunk)
            left -= len(chunk)
    return digest.hexdigest()


def _size_of(session: Session, remote: str) -> int | None:
    try:
        return session.sftp.stat(remote).st_size
    except FileNotFoundError:
        return None


def _put_small(session: Session, data: bytes, name: str) -> str:
    """A small file (the manifest) to its temporary name, read back and compared; returns that name."""
    temp = session.path(f".{name}{PARTIAL_SUFFIX}")
    with session.sftp.open(temp, "wb") as handle:
        handle.chmod(0o600)
        handle.write(data)
    with session.sftp.open(temp, "rb") as handle:
        if handle.read() != data:
            raise PecError(f"O arquivo {name} chegou diferente ao servidor; envie a cópia de novo.")
    return temp


def _send(
    session: Session, path: Path, manifest: backup.Manifest, upload: Upload, progress: Callable[[int, int], None]
) -> None:
    name, size = path.name, manifest.tamanho
    final, temp = session.path(name), session.path(f".{name}{PARTIAL_SUFFIX}")
    manifest_name = name + backup.MANIFEST_SUFFIX
    manifest_bytes = path.with_name(manifest_name).read_bytes()
    if _size_of(session, final) == size and _sha_of_remote(session, final, size) == manifest.sha256:
        upload.already_there = True
        session.sftp.posix_rename(_put_small(session, manifest_bytes, manifest_name), session.path(manifest_name))
        return
    offset = _size_of(session, temp) or 0
    if offset and (offset > size or _sha_of_remote(session, temp, offset) != _sha_of_local(path, offset)):
        offset = 0  # not a prefix of this copy: start over
    upload.resumed_from = offset
    with open(path, "rb") as source, session.sftp.open(temp, "r+b" if offset else "wb") as target:
        target.chmod(0o600)
        target.set_pipelined(True)
        source.seek(offset)
        target.seek(offset)
        done = offset
        while chunk := source.read(CHUNK):
            target.write(chunk)
            upload.sent += len(chunk)
            done += len(chunk)
            progress(done, size)
    there = _size_of(session, temp)
    if there != size:
        raise PecError(f"O servidor tem {there} bytes de {name}, e a cópia tem {size}; envie de novo.")
    if _sha_of_remote(session, temp, size) != manifest.sha256:
        session.sftp.remove(temp)
        raise PecError(
            f"A soma SHA-256 de {name} lida de volta do servidor não confere com a do manifesto; o arquivo "
            "temporário foi apagado lá e o envio recomeça do zero na próxima vez."
        )
    manifest_temp = _put_small(session, manifest_bytes, manifest_name)
    session.sftp.posix_rename(temp, final)
    session.sftp.posix_rename(manifest_temp, session.path(manifest_name))


def _prune(session: Session, rule: retention.Policy) -> list[str]:
    """Remote retention: the same rule as the local folder, on the copies' names."""
    names = session.sftp.listdir(session.cfg.folder)
    copies = [
        (name, moment)
        for name in names
        if not name.endswith(backup.MANIFEST_SUFFIX) and (moment := retention.moment_of(name)) is not None
    ]
    keep = retention.to_keep(copies, rule)
    removed = []
    for name, _moment in sorted(copies):
        if name in keep:
            continue
        session.sftp.remove(session.path(name))
        if name + backup.MANIFEST_SUFFIX in names:
            session.sftp.remove(session.path(name + backup.MANIFEST_SUFFIX))
        removed.append(name)
    return removed


def _refuse_clear(path: Path) -> backup.Manifest:
    if backup.recipient() is None:
        raise PecError(
            "Cópias fora do servidor exigem cifra, e nenhuma chave age está configurada: gere uma com "
            "'pec-tui backup keygen ARQUIVO' e faça uma nova cópia; nada foi enviado."
        )
    if not path.is_file():
        raise PecError(f"O arquivo {path} não existe.")
    manifest = backup.read_manifest(path)
    if not manifest.cifrada:
        raise PecError(
            f"A cópia {path.name} não está cifrada; só cópias cifradas saem deste servidor. Faça uma nova "
            "cópia (a chave age já está configurada) e envie-a."
        )
    if path.stat().st_size != manifest.tamanho or backup.sha256_of(path) != manifest.sha256:
        raise PecError(f"A cópia {path.name} não confere com seu manifesto (tamanho ou SHA-256); ela não será enviada.")
    return manifest


def push(
    path: Path,
    *,
    by_user_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    attempts: int = 3,
    retry_wait: float = 2.0,
) -> Upload:
    """Send one copy and its manifest (resuming, checked, renamed), then apply remote retention."""
    cfg = _required()
    upload = Upload(path.name, cfg.where, 0)
    try:
        manifest = _refuse_clear(path)
        upload.size = manifest.tamanho
        _push(cfg, path, manifest, upload, progress or (lambda done, total: None), attempts, retry_wait)
    except PecError as exc:
        _record(f"{FAILED} {path.name} para {cfg.where} falhou: {exc.message}", by_user_id, path.name)
        raise
    resumed = f", retomada a partir de {upload.resumed_from} bytes" if upload.resumed_from else ""
    how = "já estava lá" if upload.already_there else f"{upload.size} bytes{resumed}"
    removed = f" Removidas do servidor pela retenção: {', '.join(upload.removed)}." if upload.removed else ""
    _record(
        f"{SENT} {path.name} para {cfg.where}: {how}, SHA-256 conferida lendo de volta do servidor.{removed}",
        by_user_id,
        path.name,
    )
    return upload


def _push(
    cfg: SftpConfig,
    path: Path,
    manifest: backup.Manifest,
    upload: Upload,
    progress: Callable[[int, int], None],
    attempts: int,
    retry_wait: float,
) -> None:
    """Up to ``attempts`` connections; a dropped one is tried again after ``retry_wait`` seconds."""
    for attempt in range(1, max(1, attempts) + 1):
        upload.attempts = attempt
        try:
            with connect(cfg) as session:
                try:
                    _send(session, path, manifest, upload, progress)
                    upload.removed = _prune(session, retention.current_policy())
                    return
                except (OSError, EOFError, paramiko.SSHException) as exc:
                    # An SFTP status (permission, disk full) is an OSError with the transport up;
                    # anything else (EOF, reset, timeout, a dead transport) is the link going down.
                    link_down = isinstance(exc, (EOFError, paramiko.SSHException, ConnectionError, TimeoutError))
                    if session.transport.is_active() and not link_down:
                        raise _server_error(cfg, f"gravar {path.name}", exc) from None
                    raise _Dropped() from None
        except _Dropped:
            if attempt == attempts:
                raise PecError(
                    f"A conexão com {cfg.host} caiu durante o envio de {path.name} ({attempt} tentativa(s)); "
                    "o que já chegou fica lá e o próximo envio continua de onde parou."
                ) from None
            time.sleep(retry_wait)


def _record(details: str, by_user_id: int | None, name: str) -> None:
    backup._record(details, by_user_id, name, component=COMPONENT)


# --------------------------------------------------------------------------------------------
# What is there
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadState:
    ok: bool
    at: dt.datetime
    message: str


def upload_states(names: list[str]) -> dict[str, UploadState]:
    """The last upload outcome of each copy (from the audit trail), by the copy's name."""
    if not names:
        return {}
    events = (
        AuditEvent.select(AuditEvent.record_id, AuditEvent.at, AuditEvent.details)
        .where((AuditEvent.component == COMPONENT) & AuditEvent.record_id.in_([n[:60] for n in names]))
        .order_by(AuditEvent.id)
    )
    states: dict[str, UploadState] = {}
    for event in events:
        details = event.details or ""
        if details.startswith(SENT) or details.startswith(FAILED):
            states[event.record_id] = UploadState(details.startswith(SENT), event.at, details)
    return states


@dataclass(frozen=True)
class RemoteCopy:
    name: str
    size: int
    manifest: backup.Manifest | None

    @property
    def moment(self) -> dt.datetime | None:
        return retention.moment_of(self.name)


def remote_copies() -> list[RemoteCopy]:
    """The copies in the remote folder, newest first, with their manifests when readable."""
    cfg = _required()
    with connect(cfg) as session:
        entries = {entry.filename: entry for entry in session.sftp.listdir_attr(cfg.folder)}
        result = []
        for name in sorted(entries, reverse=True):
            if name.endswith(backup.MANIFEST_SUFFIX) or retention.moment_of(name) is None:
                continue
            manifest = None
            if name + backup.MANIFEST_SUFFIX in entries:
                try:
                    with session.sftp.open(session.path(name + backup.MANIFEST_SUFFIX), "rb") as handle:
                        manifest = backup.Manifest(**json.loads(handle.read()))
                except (OSError, ValueError, TypeError):
                    manifest = None
            result.append(RemoteCopy(name, entries[name].st_size or 0, manifest))
    return result


@dataclass(frozen=True)
class OffsiteState:
    """What the Cópias de segurança tab shows about off-site copies."""

    config: SftpConfig
    host_known: bool
    uploads: dict[str, UploadState]


def state(names: list[str]) -> OffsiteState:
    cfg = config()
    known = bool(cfg.configured and _known_keys(cfg.host_id))
    return OffsiteState(cfg, known, upload_states(names) if cfg.configured else {})
