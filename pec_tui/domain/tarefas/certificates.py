"""Expiry of the certificates the PEC uses (for the daily job): every certificate file of the PEC's
``webserver/chaves`` folder and the one each municipality's Configuração RNDS uses.

Reading is the Certificados module's (:mod:`pec_tui.domain.certificados`: one reader for the
module's screen and this job). A PKCS#12 file (``.pfx``/``.p12``) opens without a password or
with the empty one, or, for the RNDS certificate on pec-tui's own database, with the password
Configuração RNDS keeps encrypted; one that needs a password pec-tui does not have is listed as
unread rather than guessed at (the RNDS one then counts on the expiry PEC stored in
``tb_cfg_rnds``). PEM and DER certificates need none.

The job warns at :data:`WARN_DAYS` days; the audit event is written only when a certificate first
reaches a threshold (and when it expires), not every day under 30: the smallest threshold already
announced for a certificate (its name and end of validity) is kept as a setting
``PECTUI_CERTIFICADO_AVISO_<digest>``, so a day the scheduler was down is not a warning lost and a
renewed certificate starts afresh.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from pec_tui.core.errors import PecError, os_reason
from pec_tui.domain import certificados, settings
from pec_tui.storage.database import current_database
from pec_tui.storage.models import Localidade, RndsConfig

CHAVES_RELATIVE = certificados.CHAVES_RELATIVE
PKCS12_SUFFIXES = set(certificados.USABLE_SUFFIXES)
CERT_SUFFIXES = {".pem", ".crt", ".cer", ".der"}
#: Days before the end of validity at which the job warns.
WARN_DAYS = (30, 15, 7, 1)
NOTICE_PREFIX = "PECTUI_CERTIFICADO_AVISO_"
PASSWORD_PROTECTED = "protegido por senha; a validade é vista no módulo Certificados"


@dataclass(frozen=True)
class CertificateExpiry:
    path: Path
    subject: str = ""
    not_after: dt.datetime | None = None
    problem: str = ""  # why the validity could not be read
    rnds: str | None = None  # the municipality whose Configuração RNDS uses it

    @property
    def label(self) -> str:
        """How the job names it: the file, and for the RNDS one, as such."""
        if self.rnds is not None:
            return f"certificado da RNDS {self.path.name} ({self.rnds})"
        return self.path.name

    def days_left(self, today: dt.date) -> int | None:
        return None if self.not_after is None else (self.not_after.date() - today).days

    @property
    def notice_key(self) -> str:
        """The setting that keeps the smallest threshold announced for this certificate."""
        assert self.not_after is not None
        digest = hashlib.sha256(f"{self.label}|{self.not_after.isoformat()}".encode()).hexdigest()
        return NOTICE_PREFIX + digest[:24]


def read_expiry(path: Path, password: str | None = None) -> CertificateExpiry:
    suffix = path.suffix.lower()
    if suffix in PKCS12_SUFFIXES:
        try:
            info = certificados.read_bytes(certificados.read_file(path), password, name=path.name)
        except certificados.WrongPassword:
            return CertificateExpiry(path, problem=PASSWORD_PROTECTED)
        except PecError as exc:
            return CertificateExpiry(path, problem=exc.message)
        return CertificateExpiry(path, info.subject, info.not_after)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return CertificateExpiry(path, problem=f"não foi possível ler o arquivo ({os_reason(exc)})")
    try:
        certs = (
            x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data else [x509.load_der_x509_certificate(data)]
        )
    except ValueError:
        return CertificateExpiry(path, problem="não é um certificado PEM ou DER válido")
    # The end-entity certificate comes first in a chain file.
    info = certificados.describe(certs[0], has_key=False)
    return CertificateExpiry(path, info.subject, info.not_after)


def scan(pec_home: Path | None) -> list[CertificateExpiry]:
    """Every certificate file of ``<pec_home>/webserver/chaves`` (none without a PEC home), the
    RNDS one named as such, plus an RNDS certificate the folder does not show (by the expiry PEC
    stored for it)."""
    folder = pec_home / CHAVES_RELATIVE if pec_home is not None else None
    files: list[Path] = []
    if folder is not None and folder.is_dir():
        files = sorted(
            p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in PKCS12_SUFFIXES | CERT_SUFFIXES
        )
    used = _rnds_uses()
    found = []
    for path in files:
        use = used.pop(path.name, None)
        if use is None:
            found.append(read_expiry(path))
            continue
        cert = read_expiry(path, use.password)
        if cert.not_after is None and use.valid_until is not None:
            cert = CertificateExpiry(path, not_after=use.valid_until)  # PEC's record of it
        found.append(CertificateExpiry(path, cert.subject, cert.not_after, cert.problem, use.municipality))
    for name, use in sorted(used.items()):
        where = folder / name if folder is not None else Path(name)
        problem = "" if use.valid_until else "sem data de validade registrada"
        found.append(CertificateExpiry(where, not_after=use.valid_until, problem=problem, rnds=use.municipality))
    return found


@dataclass(frozen=True)
class _RndsUse:
    municipality: str
    password: str | None
    valid_until: dt.datetime | None


def _rnds_uses() -> dict[str, _RndsUse]:
    """The certificate each municipality's Configuração RNDS uses (``tb_cfg_rnds``), with its
    password when pec-tui can decrypt it (its own database only: PEC encrypts it with its key)."""
    if not current_database().table_exists(RndsConfig._meta.table_name):
        return {}
    uses: dict[str, _RndsUse] = {}
    for row in RndsConfig.select(RndsConfig, Localidade.name).join(Localidade).order_by(RndsConfig.id):
        password = certificados.rnds_password(row)
        uses[row.certificate_name] = _RndsUse(row.localidade.name, password, row.certificate_valid_until)
    return uses


def warning_level(days_left: int) -> int | None:
    """The smallest of :data:`WARN_DAYS` reached (≤ 0: expired → 0), or None above 30 days."""
    if days_left <= 0:
        return 0
    reached = [limit for limit in WARN_DAYS if days_left <= limit]
    return min(reached) if reached else None


def first_reached(cert: CertificateExpiry, level: int) -> bool:
    """Whether ``level`` is a threshold not yet announced for this certificate."""
    announced = settings.get_int(cert.notice_key)
    return announced is None or level < announced


def mark_announced(cert: CertificateExpiry, level: int) -> None:
    """Call inside the transaction of the audit event that announces it."""
    settings.put(cert.notice_key, integer=level)
