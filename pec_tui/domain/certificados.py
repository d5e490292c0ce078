"""Certificados — the ``chaves`` folder (manual 3.12.2 and 3.12.3; a console module).

The folder is ``webserver/chaves`` under the PEC home; it holds the municipality's ICP-Brasil A1
certificate as PKCS#12 (``.pfx``/``.p12``) with its private key and a password. A ``.cer`` (a
certificate without its key) is not accepted by the PEC ("Não carregue o 'certificado .cer'").

* :func:`list_folder` lists every file: a PKCS#12 read with the password given for it (or with
  none, when it has none) shows subject, CNPJ or CPF (the ICP-Brasil otherName OIDs of the
  subjectAltName), issuer, validity and whether it holds the private key; one whose password is
  unknown is still listed ("senha necessária para ler"); anything else is listed as refused.
* :func:`create_folder` makes the missing folder owner-only (0700), owned like its parent
  (``webserver``) when pec-tui runs as root, instead of the manual's ``sudo mkdir chaves``.
* :func:`add_certificate` copies a PKCS#12 in after checking that it opens with the password,
  holds a private key and is valid today; the copy is written to a temporary file in the folder
  and renamed over the name (atomic), mode 0600: a refused or failed add leaves the folder as it
  was. :func:`remove_certificate` refuses the file Configuração RNDS uses.
  :func:`check_certificate` re-reads a file with its password.

Every change records its audit event in one transaction with the change (the file's rename or
removal is the transaction's last step). Passwords are never logged nor audited.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from pec_tui.core import clock
from pec_tui.core.errors import PecError, ValidationError
from pec_tui.domain import audit, secret_store
from pec_tui.domain.audit import EventType, RecordType
from pec_tui.domain.installation import is_own_database
from pec_tui.storage.database import current_database, data_dir, transaction
from pec_tui.storage.models import RndsConfig

COMPONENT = "pec-tui/certificados"
CHAVES_RELATIVE = Path("webserver") / "chaves"
USABLE_SUFFIXES = (".pfx", ".p12")
#: ICP-Brasil otherName OIDs of the subjectAltName.
OID_CNPJ = "2.16.76.1.3.3"
OID_CPF = "2.16.76.1.3.1"  # holder's data: birth date (8), CPF (11), NIS (11), RG (15), issuer (10)
WARN_DAYS = 30
RECORD_ID_MAX = 60  # the audit trail's record id column
MAX_SIZE = 1_000_000  # an A1 certificate is a few kilobytes
PASSWORD_NEEDED = "senha necessária para ler"
CER_REFUSED = "arquivo .cer não é aceito pelo PEC: ele não tem a chave privada; use o certificado A1 (.pfx ou .p12)"
OTHER_REFUSED = "não é um certificado .pfx ou .p12: o PEC usa só certificados A1 (.pfx ou .p12)"


# --------------------------------------------------------------------------------------------
# Where the folder is
# --------------------------------------------------------------------------------------------


def folder_for(pec_home: Path | None, *, demo: bool = False) -> Path | None:
    """``webserver/chaves`` under the PEC home; for the demonstration (no PEC on the host), a
    folder of its own in pec-tui's data directory; ``None`` when there is no PEC home."""
    if pec_home is not None:
        return pec_home / CHAVES_RELATIVE
    if demo:
        return data_dir() / "demonstracao-pec" / CHAVES_RELATIVE
    return None


def _record(by_user_id: int | None, record_id: str, details: str) -> None:
    """The audit event of a change to the chaves folder (in the caller's transaction)."""
    audit.record(
        EventType.USER_ACTION,
        component=COMPONENT,
        user_id=by_user_id,
        record_type=RecordType.CERTIFICATE,
        record_id=record_id[:RECORD_ID_MAX],
        details=details,
    )


def create_folder(folder: Path, *, by_user_id: int | None) -> Path:
    """Create the missing ``chaves`` folder, only for its owner (0700), owned like its parent."""
    if folder.is_dir():
        raise PecError(f"A pasta {folder} já existe.")
    if folder.exists():
        raise PecError(f"{folder} existe e não é uma pasta; remova-o ou renomeie-o antes.")
    parent = folder.parent
    if not parent.is_dir():
        if folder_for(None, demo=True) == folder:
            parent.mkdir(parents=True, exist_ok=True)
        else:
            raise PecError(f"A pasta {parent} não existe: confira a pasta de instalação do PEC (--pec-home).")
    with transaction():
        _record(by_user_id, "chaves", f"Pasta de certificados criada: {folder} (somente o dono).")
        try:
            folder.mkdir(mode=0o700)
            os.chmod(folder, 0o700)  # the umask may have taken bits away, never added: be exact
            _own_like(folder, parent)
        except OSError as exc:
            _remove_quietly_dir(folder)
            raise PecError(f"Não foi possível criar a pasta {folder}: {exc.strerror or exc}.") from None
    return folder


def _own_like(path: Path, reference: Path) -> None:
    """Give ``path`` the owner and group of ``reference`` (the PEC's files) when running as root."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    info = reference.stat()
    os.chown(path, info.st_uid, info.st_gid)


def _remove_quietly_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()


# --------------------------------------------------------------------------------------------
# Reading a certificate
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    issuer: str
    not_before: dt.datetime
    not_after: dt.datetime
    has_key: bool
    cnpj: str | None = None
    cpf: str | None = None

    def days_left(self, now: dt.datetime | None = None) -> int:
        """Whole days until it expires (negative once expired)."""
        return (self.not_after - (now or clock.now())).days

    def expired(self, now: dt.datetime | None = None) -> bool:
        return (now or clock.now()) > self.not_after

    def not_yet_valid(self, now: dt.datetime | None = None) -> bool:
        return (now or clock.now()) < self.not_before

    def validity_label(self, now: dt.datetime | None = None) -> str:
        moment = now or clock.now()
        if self.expired(moment):
            return f"vencido em {self.not_after:%d/%m/%Y}"
        if self.not_yet_valid(moment):
            return f"válido só a partir de {self.not_before:%d/%m/%Y}"
        days = self.days_left(moment)
        return f"vence em {self.not_after:%d/%m/%Y} ({days} {'dia' if days == 1 else 'dias'})"

    @property
    def holder_document(self) -> str:
        if self.cnpj:
            return f"CNPJ {format_cnpj(self.cnpj)}"
        if self.cpf:
            return f"CPF {format_cpf(self.cpf)}"
        return "—"

    def problem(self, now: dt.datetime | None = None) -> str | None:
        """Why the PEC cannot use it (no key, expired, not yet valid), or ``None``."""
        if not self.has_key:
            return "o arquivo não tem a chave privada do certificado"
        if self.expired(now):
            return f"o certificado venceu em {self.not_after:%d/%m/%Y}"
        if self.not_yet_valid(now):
            return f"o certificado só é válido a partir de {self.not_before:%d/%m/%Y}"
        return None


def format_cnpj(cnpj: str) -> str:
    return f"{cnpj[:2]}.{cnpj[2:5]}.{cnpj[5:8]}/{cnpj[8:12]}-{cnpj[12:]}" if len(cnpj) == 14 else cnpj


def format_cpf(cpf: str) -> str:
    return f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}" if len(cpf) == 11 else cpf


def _der_text(value: bytes) -> str:
    """The text inside a DER primitive string (OCTET, UTF8, Printable, IA5, …) of an otherName."""
    if len(value) < 2:
        return ""
    length = value[1]
    start = 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(value[2 : 2 + count], "big")
        start = 2 + count
    return value[start : start + length].decode("latin-1")


def _other_names(cert: x509.Certificate) -> dict[str, str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return {}
    found: dict[str, str] = {}
    for name in san.get_values_for_type(x509.OtherName):
        found[name.type_id.dotted_string] = _der_text(name.value)
    return found


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def _name(name: x509.Name) -> str:
    common = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    if common:
        value = common[0].value
        return value if isinstance(value, str) else value.decode("latin-1")
    return name.rfc4514_string() or "—"


def describe(cert: x509.Certificate, has_key: bool) -> CertificateInfo:
    others = _other_names(cert)
    cnpj = _digits(others.get(OID_CNPJ, ""))
    cpf_block = _digits(others.get(OID_CPF, ""))
    cpf = cpf_block[8:19] if len(cpf_block) >= 19 else None
    return CertificateInfo(
        subject=_name(cert.subject),
        issuer=_name(cert.issuer),
        # Local time without tzinfo, as pec-tui's clock counts days.
        not_before=cert.not_valid_before_utc.astimezone().replace(tzinfo=None),
        not_after=cert.not_valid_after_utc.astimezone().replace(tzinfo=None),
        has_key=has_key,
        cnpj=cnpj if len(cnpj) == 14 else None,
        cpf=cpf if cpf and cpf != "0" * 11 else None,
    )


class WrongPassword(PecError):
    """The PKCS#12 does not open with the password given (or needs one)."""


def _looks_like_pkcs12(data: bytes) -> bool:
    """A DER PFX: SEQUENCE { INTEGER 3, … } (RFC 7292); lets a wrong password be told apart from
    a file that is no PKCS#12 at all."""
    if len(data) < 8 or data[0] != 0x30:
        return False
    start = 2 + (data[1] & 0x7F if data[1] & 0x80 else 0)
    return data[start : start + 3] == b"\x02\x01\x03"


def read_bytes(data: bytes, password: str | None, *, name: str) -> CertificateInfo:
    """Read a PKCS#12 held in memory. :class:`WrongPassword` when the password does not open it;
    :class:`PecError` with the reason when it is not a PKCS#12."""
    if data.lstrip().startswith(b"-----BEGIN CERTIFICATE") or _is_bare_certificate(data):
        raise PecError(f"{name}: {CER_REFUSED}.")
    if not _looks_like_pkcs12(data):
        raise PecError(f"{name} não é um certificado PKCS#12 (.pfx ou .p12) válido.")
    tries = [password.encode("utf-8")] if password else [None, b""]
    for secret in tries:
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, secret)
        except ValueError:
            continue
        if cert is None and extra:
            cert = extra[0]  # without a key, the certificate sits among the "other" certificates
        if cert is None:
            raise PecError(f"{name} não contém nenhum certificado.")
        return describe(cert, key is not None)
    if password:
        raise WrongPassword(f"A senha não abre o certificado {name}: confira a senha.")
    raise WrongPassword(f"O certificado {name} tem senha: informe-a para lê-lo.")


def _is_bare_certificate(data: bytes) -> bool:
    try:
        x509.load_der_x509_certificate(data)
    except ValueError:
        return False
    return True


def read_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_SIZE:
            raise PecError(f"{path.name} tem {size} bytes: grande demais para um certificado A1.")
        return path.read_bytes()
    except FileNotFoundError:
        raise PecError(f"O arquivo {path} não existe.") from None
    except IsADirectoryError:
        raise PecError(f"{path} é uma pasta, não um certificado.") from None
    except PermissionError:
        raise PecError(f"Sem permissão para ler {path}.") from None
    except OSError as exc:
        raise PecError(f"Não foi possível ler {path}: {exc.strerror or exc}.") from None


def read_certificate(path: Path, password: str | None) -> CertificateInfo:
    """Read a certificate file with its password (see :func:`read_bytes`)."""
    if path.suffix.lower() not in USABLE_SUFFIXES:
        if path.suffix.lower() == ".cer":
            raise PecError(f"{path.name}: {CER_REFUSED}.")
        raise PecError(f"{path.name} {OTHER_REFUSED}.")
    return read_bytes(read_file(path), password, name=path.name)


# --------------------------------------------------------------------------------------------
# The folder's list
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FolderEntry:
    name: str
    size: int
    usable_kind: bool  # a .pfx/.p12
    info: CertificateInfo | None = None
    note: str = ""  # why it is not read, or refused
    in_rnds: bool = False

    @property
    def kind(self) -> str:
        return "PKCS#12" if self.usable_kind else "recusado"

    def usable(self, now: dt.datetime | None = None) -> bool:
        return self.info is not None and self.info.problem(now) is None


@dataclass(frozen=True)
class FolderListing:
    folder: Path
    exists: bool
    entries: list[FolderEntry] = field(default_factory=list)


def rnds_certificates() -> dict[str, str]:
    """The certificate file each municipality's Configuração RNDS uses: ``{file name: município}``
    (``tb_cfg_rnds``; empty on a database that has no such table)."""
    if not current_database().table_exists(RndsConfig._meta.table_name):
        return {}
    used: dict[str, str] = {}
    for row in RndsConfig.select(RndsConfig.certificate_name, RndsConfig.localidade):
        used[row.certificate_name] = str(row.localidade_id)
    return used


def rnds_password(row: RndsConfig) -> str | None:
    """The certificate password a Configuração RNDS row keeps, decrypted; None on a PEC
    installation (PEC encrypts it with its own key) or when it cannot be decrypted."""
    if not row.certificate_password or not is_own_database():
        return None
    try:
        return secret_store.decrypt(row.certificate_password)
    except PecError:
        return None


def rnds_passwords() -> dict[str, str]:
    """``{file name: password}`` of the certificates Configuração RNDS uses, where pec-tui can
    read the password (see :func:`rnds_password`)."""
    if not current_database().table_exists(RndsConfig._meta.table_name):
        return {}
    found: dict[str, str] = {}
    for row in RndsConfig.select(RndsConfig.certificate_name, RndsConfig.certificate_password):
        password = rnds_password(row)
        if password is not None:
            found.setdefault(row.certificate_name, password)
    return found


def list_folder(
    folder: Path, passwords: dict[str, str] | None = None, in_rnds: set[str] | None = None
) -> FolderListing:
    """Every file of the folder, in name order, read as far as the passwords allow (the screen and
    ``pec-tui certs list`` pass :func:`rnds_passwords` too, so both read the RNDS certificate)."""
    if not folder.is_dir():
        return FolderListing(folder, False)
    passwords = passwords or {}
    in_rnds = in_rnds or set()
    entries: list[FolderEntry] = []
    try:
        paths = sorted(folder.iterdir(), key=lambda p: p.name.lower())
    except PermissionError:
        raise PecError(f"Sem permissão para ler a pasta {folder}; abra o console com o usuário do PEC.") from None
    for path in paths:
        if path.name.startswith(".pectui-") or not path.is_file():
            continue
        entries.append(_entry(path, passwords.get(path.name), path.name in in_rnds))
    return FolderListing(folder, True, entries)


def _entry(path: Path, password: str | None, in_rnds: bool) -> FolderEntry:
    size = path.stat().st_size
    suffix = path.suffix.lower()
    if suffix not in USABLE_SUFFIXES:
        note = CER_REFUSED if suffix == ".cer" else OTHER_REFUSED
        return FolderEntry(path.name, size, False, note=note, in_rnds=in_rnds)
    try:
        info = read_certificate(path, password)
    except WrongPassword as exc:
        return FolderEntry(
            path.name, size, True, note=PASSWORD_NEEDED if not password else exc.message, in_rnds=in_rnds
        )
    except PecError as exc:
        return FolderEntry(path.name, size, True, note=exc.message, in_rnds=in_rnds)
    return FolderEntry(path.name, size, True, info=info, in_rnds=in_rnds)


# --------------------------------------------------------------------------------------------
# Changes
# --------------------------------------------------------------------------------------------


def _require_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise PecError(f"A pasta {folder} não existe; crie-a primeiro.")


def safe_name(name: str) -> str:
    """A plain file name inside the folder (no path, no hidden file)."""
    clean = (name or "").strip()
    if not clean or clean in (".", "..") or "/" in clean or "\\" in clean or clean.startswith("."):
        raise ValidationError(f"Nome de arquivo inválido: {name!r}.", "nome")
    return clean


def check_usable(path: Path, password: str | None) -> CertificateInfo:
    """The certificate read and judged for the PEC: a ValidationError on the password field when
    the password does not open it; a PecError naming the reason when it cannot serve."""
    if path.suffix.lower() == ".cer":
        raise PecError(f"{path.name}: {CER_REFUSED}.")
    try:
        info = read_certificate(path, password)
    except WrongPassword as exc:
        raise ValidationError(exc.message, "senha") from None
    problem = info.problem()
    if problem:
        raise PecError(f"{path.name} recusado: {problem}.")
    return info


def add_certificate(
    folder: Path, source: Path, password: str | None, *, replace: bool = False, by_user_id: int | None
) -> FolderEntry:
    """Copy the PKCS#12 ``source`` into the folder (same name), after :func:`check_usable`.

    A name already present is refused unless ``replace``. Atomic: written to a temporary file
    in the folder (0600) and renamed; on any refusal or failure nothing is left behind."""
    _require_folder(folder)
    info = check_usable(source, password)
    data = read_file(source)
    target = folder / safe_name(source.name)
    if source.resolve() == target.resolve():
        raise PecError(f"{source.name} já está na pasta {folder}.")
    if target.exists() and not replace:
        raise PecError(f"Já existe {target.name} na pasta {folder}; confirme a substituição para trocá-lo.")
    replaced = target.exists()
    descriptor, temporary = tempfile.mkstemp(prefix=".pectui-", suffix=".tmp", dir=folder)
    temp_path = Path(temporary)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_path, stat.S_IRUSR | stat.S_IWUSR)
        _own_like(temp_path, folder)
        with transaction():
            _record(
                by_user_id,
                target.name,
                f"Certificado {'substituído' if replaced else 'adicionado'} na pasta chaves: {target.name} "
                f"({info.subject}, {info.holder_document}, válido até {info.not_after:%d/%m/%Y}).",
            )
            os.replace(temp_path, target)  # last step: the transaction commits only when it is done
    except OSError as exc:
        raise PecError(f"Não foi possível gravar {target.name} em {folder}: {exc.strerror or exc}.") from None
    finally:
        if temp_path.exists():
            temp_path.unlink()
    return _entry(target, password, target.name in rnds_certificates())


def _existing_file(folder: Path, name: str) -> Path:
    """The file ``name`` of the folder, or why there is none."""
    _require_folder(folder)
    target = folder / safe_name(name)
    if not target.is_file():
        raise PecError(f"Não há {target.name} na pasta {folder}.")
    return target


def remove_certificate(folder: Path, name: str, *, by_user_id: int | None) -> None:
    """Remove a file from the folder; refused while Configuração RNDS uses it."""
    target = _existing_file(folder, name)
    used = rnds_certificates()
    if target.name in used:
        raise PecError(
            f"{target.name} é o certificado usado pela Configuração RNDS; desabilite-a em Gestão municipal "
            "antes de remover o arquivo."
        )
    with transaction():
        _record(by_user_id, target.name, f"Arquivo removido da pasta chaves: {target.name}.")
        try:
            target.unlink()
        except OSError as exc:
            raise PecError(f"Não foi possível remover {target.name}: {exc.strerror or exc}.") from None


def check_certificate(folder: Path, name: str, password: str | None, *, by_user_id: int | None) -> FolderEntry:
    """ "Verificar": re-read a file of the folder with its password (audited)."""
    target = _existing_file(folder, name)
    try:
        info = read_certificate(target, password)
    except WrongPassword as exc:
        raise ValidationError(exc.message, "senha") from None
    problem = info.problem()
    with transaction():
        _record(
            by_user_id,
            target.name,
            f"Certificado verificado: {target.name} ({info.subject}, {info.holder_document}, "
            f"{info.validity_label()}{'; ' + problem if problem else ''}).",
        )
    return FolderEntry(target.name, target.stat().st_size, True, info=info, in_rnds=target.name in rnds_certificates())
