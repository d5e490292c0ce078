"""ICP-Brasil-like A1 certificates for tests, made with ``cryptography`` (and one with ``openssl``).

An e-CNPJ carries the CNPJ in the subjectAltName as otherName 2.16.76.1.3.3; an e-CPF carries
the holder's data as otherName 2.16.76.1.3.1 (birth date, CPF, NIS, RG, issuer). The values are
DER OCTET STRINGs, as the ICP-Brasil issuers write them."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from tests.support.constants import FIXED_NOW

CNPJ = "83102335000113"  # a made-up CNPJ
CPF = "52998224725"
PASSWORD = "segredo-do-a1"
ISSUER = "AC Teste do pec-tui v5"

#: One fixed Ed25519 key: its signatures are deterministic, so a file's size (shown on screen)
#: is the same on every run, which the snapshots need.
_KEY = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def _octet(text: str) -> bytes:
    raw = text.encode("ascii")
    return bytes([0x04, len(raw)]) + raw


def certificate(
    *,
    name: str = "PREFEITURA MUNICIPAL DE TESTE:83102335000113",
    cnpj: str | None = CNPJ,
    cpf: str | None = None,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> x509.Certificate:
    start = not_before or FIXED_NOW - dt.timedelta(days=30)
    end = not_after or FIXED_NOW + dt.timedelta(days=335)
    others: list[x509.GeneralName] = []
    if cnpj:
        others.append(x509.OtherName(x509.ObjectIdentifier("2.16.76.1.3.3"), _octet(cnpj)))
    if cpf:
        holder = "01011980" + cpf + "0" * 11 + "0" * 15 + "SSPSC".ljust(10)
        others.append(x509.OtherName(x509.ObjectIdentifier("2.16.76.1.3.1"), _octet(holder)))
    builder = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "BR"), x509.NameAttribute(NameOID.COMMON_NAME, name)])
        )
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER)]))
        .public_key(_KEY.public_key())
        .serial_number(int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") | 1 << 62)
        .not_valid_before(start)
        .not_valid_after(end)
    )
    if others:
        builder = builder.add_extension(x509.SubjectAlternativeName(others), critical=False)
    return builder.sign(_KEY, None)


def pfx(
    path: Path, *, password: str = PASSWORD, with_key: bool = True, cert: x509.Certificate | None = None, **kwargs
) -> Path:
    """Write a PKCS#12 at ``path`` (with the private key unless ``with_key`` is false)."""
    cert = cert or certificate(**kwargs)
    encryption = serialization.BestAvailableEncryption(password.encode()) if password else serialization.NoEncryption()
    data = pkcs12.serialize_key_and_certificates(b"a1", _KEY if with_key else None, cert, None, encryption)
    path.write_bytes(data)
    return path


def cer(path: Path, **kwargs) -> Path:
    """The certificate alone (DER), as the DATASUS portal's ``.cer``."""
    path.write_bytes(certificate(**kwargs).public_bytes(serialization.Encoding.DER))
    return path


def pfx_by_openssl(folder: Path, name: str = "openssl.pfx", *, password: str = PASSWORD, days: int = 100) -> Path:
    """A PKCS#12 made by the ``openssl`` command line (key, self-signed certificate with the
    e-CNPJ otherName, then ``openssl pkcs12 -export``). Its validity starts at the real now."""
    key, crt, out = folder / "openssl.key", folder / "openssl.crt", folder / name
    san = f"subjectAltName=otherName:2.16.76.1.3.3;OCTETSTRING:{CNPJ}"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", str(key), "-out", str(crt), "-days", str(days), "-subj", "/C=BR/CN=PREFEITURA OPENSSL",
         "-addext", san],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        ["openssl", "pkcs12", "-export", "-inkey", str(key), "-in", str(crt), "-out", str(out),
         "-passout", f"pass:{password}"],
        check=True, capture_output=True,
    )  # fmt: skip
    key.unlink()
    crt.unlink()
    return out
