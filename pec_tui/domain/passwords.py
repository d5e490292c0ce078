"""Passwords in PEC's own format, so one password serves PEC and pec-tui.

``sha256:64000:32:<saltBase64>:<hashBase64>``: PBKDF2-HMAC-SHA-256, 64,000 iterations,
24-byte random salt, 32-byte output (the standard library's ``hashlib.pbkdf2_hmac``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from pec_tui.core.errors import ValidationError

ALGORITHM = "sha256"
ITERATIONS = 64_000
HASH_BYTES = 32
SALT_BYTES = 24
MIN_LENGTH = 8


def hash_password(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac(ALGORITHM, password.encode("utf-8"), salt, iterations, HASH_BYTES)
    return ":".join(
        (
            ALGORITHM,
            str(iterations),
            str(HASH_BYTES),
            base64.b64encode(salt).decode("ascii"),
            base64.b64encode(digest).decode("ascii"),
        )
    )


def verify_password(password: str, stored: str | None) -> bool:
    """True when ``password`` matches ``stored``; a malformed or empty hash never matches."""
    if not stored:
        return False
    parts = stored.split(":")
    if len(parts) != 5 or parts[0] != ALGORITHM:
        return False
    try:
        iterations, length = int(parts[1]), int(parts[2])
        salt = base64.b64decode(parts[3], validate=True)
        expected = base64.b64decode(parts[4], validate=True)
    except (ValueError, TypeError):
        return False
    if not (1_000 <= iterations <= 10_000_000) or length != len(expected) or not 16 <= length <= 64:
        return False
    try:
        secret = password.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate cannot be a stored password
        return False
    actual = hashlib.pbkdf2_hmac(ALGORITHM, secret, salt, iterations, length)
    return hmac.compare_digest(actual, expected)


def check_policy(password: str, *, field: str = "senha") -> None:
    """PEC's rule: at least 8 characters, with letters and digits."""
    if len(password) < MIN_LENGTH:
        raise ValidationError(f"A senha deve ter no mínimo {MIN_LENGTH} caracteres.", field)
    if not re.search(r"[A-Za-zÀ-ÿ]", password) or not re.search(r"\d", password):
        raise ValidationError("A senha deve ter letras e números.", field)
