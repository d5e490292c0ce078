"""Expiry of the certificates in the PEC's ``webserver/chaves`` folder (for the daily job).

Kept small on purpose: the Certificados module reads the same files for its screen. A PKCS#12
file (``.pfx``/``.p12``) opens without a password or with the empty one; one that needs its
password is listed as unread rather than guessed at. PEM and DER certificates need none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

CHAVES_RELATIVE = Path("webserver/chaves")
PKCS12_SUFFIXES = {".pfx", ".p12"}
CERT_SUFFIXES = {".pem", ".crt", ".cer", ".der"}
#: Days before the end of validity at which the job warns.
WARN_DAYS = (30, 15, 7, 1)


@dataclass(frozen=True)
class CertificateExpiry:
    path: Path
    subject: str = ""
    not_after: dt.datetime | None = None
    problem: str = ""  # why the validity could not be read

    def days_left(self, today: dt.date) -> int | None:
        return None if self.not_after is None else (self.not_after.date() - today).days


def _subject(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def _from_cert(path: Path, cert: x509.Certificate) -> CertificateExpiry:
    # Local time, without tzinfo, as the rest of pec-tui counts days.
    not_after = cert.not_valid_after_utc.astimezone().replace(tzinfo=None)
    return CertificateExpiry(path, _subject(cert), not_after)


def read_expiry(path: Path) -> CertificateExpiry:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return CertificateExpiry(path, problem=f"não foi possível ler o arquivo ({exc.strerror or exc})")
    suffix = path.suffix.lower()
    if suffix in PKCS12_SUFFIXES:
        for password in (None, b""):
            try:
                _key, cert, _chain = pkcs12.load_key_and_certificates(data, password)
            except ValueError:
                continue
            if cert is None:
                return CertificateExpiry(path, problem="o arquivo PKCS#12 não tem certificado")
            return _from_cert(path, cert)
        return CertificateExpiry(path, problem="protegido por senha; a validade é vista no módulo Certificados")
    try:
        certs = (
            x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data else [x509.load_der_x509_certificate(data)]
        )
    except ValueError:
        return CertificateExpiry(path, problem="não é um certificado PEM ou DER válido")
    # The end-entity certificate comes first in a chain file.
    return _from_cert(path, certs[0])


def scan(pec_home: Path | None) -> list[CertificateExpiry]:
    """Every certificate file of ``<pec_home>/webserver/chaves`` (none without a PEC home)."""
    if pec_home is None:
        return []
    folder = pec_home / CHAVES_RELATIVE
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in PKCS12_SUFFIXES | CERT_SUFFIXES)
    return [read_expiry(path) for path in files]


def warning_level(days_left: int) -> int | None:
    """The smallest of :data:`WARN_DAYS` reached (≤ 0: expired → 0), or None above 30 days."""
    if days_left <= 0:
        return 0
    reached = [limit for limit in WARN_DAYS if days_left <= limit]
    return min(reached) if reached else None
