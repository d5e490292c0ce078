"""Passwords in PEC's format: ``sha256:64000:32:<salt b64>:<hash b64>``, and PEC's policy."""

from __future__ import annotations

import base64
import hashlib

import pytest

from pec_tui.core.errors import ValidationError
from pec_tui.domain.passwords import check_policy, hash_password, verify_password

FIXED_SALT = bytes(range(24))


def test_hash_has_pec_format_with_24_byte_salt_and_32_byte_hash():
    stored = hash_password("Senha1234")
    algorithm, iterations, length, salt, digest = stored.split(":")
    assert (algorithm, iterations, length) == ("sha256", "64000", "32")
    assert len(base64.b64decode(salt, validate=True)) == 24
    assert len(base64.b64decode(digest, validate=True)) == 32


def test_each_hash_gets_its_own_random_salt():
    assert hash_password("Senha1234") != hash_password("Senha1234")


def test_hash_matches_an_independent_pbkdf2_computation():
    """Same bytes as PBKDF2-HMAC-SHA-256 with 64,000 iterations: PEC can read our hashes."""
    expected_digest = hashlib.pbkdf2_hmac("sha256", b"Senha1234", FIXED_SALT, 64_000, 32)
    expected = "sha256:64000:32:{}:{}".format(
        base64.b64encode(FIXED_SALT).decode("ascii"), base64.b64encode(expected_digest).decode("ascii")
    )
    assert hash_password("Senha1234", salt=FIXED_SALT) == expected


def test_a_hash_written_by_pec_verifies():
    """A stored value built outside our code (as PEC would write it) is accepted."""
    digest = hashlib.pbkdf2_hmac("sha256", "açaí2024".encode(), FIXED_SALT, 64_000, 32)
    stored = f"sha256:64000:32:{base64.b64encode(FIXED_SALT).decode()}:{base64.b64encode(digest).decode()}"
    assert verify_password("açaí2024", stored)
    assert not verify_password("acai2024", stored)


def test_verify_accepts_the_right_password_and_refuses_a_wrong_one():
    stored = hash_password("Senha1234")
    assert verify_password("Senha1234", stored) is True
    assert verify_password("Senha12345", stored) is False
    assert verify_password("senha1234", stored) is False
    assert verify_password("", stored) is False


GOOD = hash_password("Senha1234", salt=FIXED_SALT)
_ALG, _ITER, _LEN, _SALT, _HASH = GOOD.split(":")


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "",
        "Senha1234",  # a plain-text password stored by mistake
        "sha256:64000:32",
        f"md5:{_ITER}:{_LEN}:{_SALT}:{_HASH}",
        f"sha256:muitas:{_LEN}:{_SALT}:{_HASH}",
        f"sha256:{_ITER}:trinta:{_SALT}:{_HASH}",
        f"sha256:{_ITER}:{_LEN}:não-é-base64!:{_HASH}",
        f"sha256:{_ITER}:{_LEN}:{_SALT}:{_HASH[:-4]}",  # truncated hash: length no longer 32
        f"sha256:{_ITER}:16:{_SALT}:{_HASH}",  # declared length differs from the hash's
        f"sha256:0:{_LEN}:{_SALT}:{_HASH}",  # absurd iteration counts
        f"sha256:999999999999:{_LEN}:{_SALT}:{_HASH}",
        f"sha256:{_ITER}:{_LEN}:{_SALT}:{_HASH}:extra",
    ],
)
def test_malformed_stored_value_never_verifies_and_never_raises(stored):
    assert verify_password("Senha1234", stored) is False


def test_policy_accepts_eight_characters_with_letters_and_digits():
    check_policy("abcdefg1")
    check_policy("Ação2024")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("abc123", "A senha deve ter no mínimo 8 caracteres."),
        ("", "A senha deve ter no mínimo 8 caracteres."),
        ("abcdefgh", "A senha deve ter letras e números."),
        ("12345678", "A senha deve ter letras e números."),
        ("!!!!@@@@", "A senha deve ter letras e números."),
    ],
)
def test_policy_refuses_short_or_weak_passwords_in_portuguese(password, message):
    with pytest.raises(ValidationError) as raised:
        check_policy(password, field="nova_senha")
    assert raised.value.message == message
    assert raised.value.field == "nova_senha"


def test_a_lone_surrogate_never_verifies_and_never_raises():
    from pec_tui.domain.passwords import hash_password, verify_password

    assert verify_password("\udcff", hash_password("Senha1234")) is False
