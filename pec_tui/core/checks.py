"""Pure format checks for the codes a CNES file carries.

Check digits follow ``validate_docbr``; these helpers also enforce the exact shape the CNES
layout uses (digits only, fixed length), which the library does not: it accepts masks and pads
short CPFs with zeros. CPF and CNS check digits are computed here with the library's own
arithmetic, because the importer checks two numbers per professional (hundreds of thousands per
file) and the library spends about 20 µs on each; ``tests/cnes/test_importer.py`` compares both
over thousands of generated and mutated numbers. CNPJ (one per unit) still goes to the library.
"""

from __future__ import annotations

import re
from functools import cache
from operator import mul

_CPF_SHAPE = re.compile(r"\d{11}", re.ASCII)
_CNS_SHAPE = re.compile(r"\d{15}", re.ASCII)
_CNPJ_SHAPE = re.compile(r"[0-9A-Z]{12}\d{2}", re.ASCII)
_CNES_SHAPE = re.compile(r"\d{7}", re.ASCII)
_INE_SHAPE = re.compile(r"\d{10}", re.ASCII)
# CBO 2002 occupations are six characters: digits, with a letter in the fifth place for a
# few occupations (e.g. 2231F9, médico residente).
_CBO_SHAPE = re.compile(r"\d{4}[0-9A-Z]\d", re.ASCII)


# The reader checks the CPF, the CNS and each lotação's CBO of every professional: these three
# test the shape inline rather than through _has_shape, one call less for each.


def is_valid_cpf(value: str | None) -> bool:
    """Eleven digits, no mask, with valid check digits."""
    return value is not None and _CPF_SHAPE.fullmatch(value) is not None and _cpf_check_digits(value)


def is_valid_cns(value: str | None) -> bool:
    """Fifteen digits, no spaces, valid for the CNS rules (definitive 1/2, provisional 7/8/9)."""
    return value is not None and _CNS_SHAPE.fullmatch(value) is not None and _cns_check_digits(value)


def is_valid_cnpj(value: str | None) -> bool:
    """Fourteen characters, no mask, valid check digits (the new alphanumeric form included)."""
    return _has_shape(_CNPJ_SHAPE, value) and _cnpj().validate(value or "")


@cache
def _cnpj():
    """validate-docbr's CNPJ checker, imported on first use (the login and `status` never need it)."""
    from validate_docbr import CNPJ

    return CNPJ()


def is_cnes_code(value: str | None) -> bool:
    """A CNES establishment code: exactly seven digits (it has no check digit)."""
    return _has_shape(_CNES_SHAPE, value)


def is_ine_code(value: str | None) -> bool:
    """An INE team code: exactly ten digits (it has no check digit)."""
    return _has_shape(_INE_SHAPE, value)


def is_cbo_code(value: str | None) -> bool:
    """The shape of a CBO 2002 code; whether PEC knows it is a catalogue question."""
    return value is not None and _CBO_SHAPE.fullmatch(value) is not None


def _has_shape(pattern: re.Pattern[str], value: str | None) -> bool:
    return value is not None and pattern.fullmatch(value) is not None


_CPF_WEIGHTS = tuple(range(10, 1, -1))
_CNS_WEIGHTS = tuple(range(15, 0, -1))
_CNS_WEIGHTS_BASE = _CNS_WEIGHTS[:11]
_CPF_OFFSET = 48 * sum(_CPF_WEIGHTS)
_CNS_OFFSET_BASE = 48 * sum(_CNS_WEIGHTS_BASE)
_CNS_OFFSET_ALL = 48 * sum(_CNS_WEIGHTS)


def _cpf_check_digits(number: str) -> bool:
    """Eleven digits: both check digits match, and not all digits are equal (000.000.000-00)."""
    if number == number[0] * 11:
        return False
    # On the ASCII codes: sum((c - 48) * w) == sum(c * w) - 48 * sum(w), without a list of ints.
    codes = number.encode("ascii")
    weighted = sum(map(mul, codes, _CPF_WEIGHTS)) - _CPF_OFFSET  # weights 10..2 on digits 1-9
    first = weighted * 10 % 11 % 10
    if first != codes[9] - 48:
        return False
    # Weights 11..2 on digits 1-10 are the weights 10..2 plus one on digits 1-9, and 2 on the
    # tenth, which is the first check digit: no second weighted sum.
    weighted += sum(codes[:9]) - 9 * 48 + 2 * first
    return weighted * 10 % 11 % 10 == codes[10] - 48


def _cns_check_digits(number: str) -> bool:
    """Fifteen digits. Definitive CNS (1, 2): the PIS-like base (11 digits), then ``000`` and the
    check digit, or ``001`` and the check digit recomputed when it came out as 10. Provisional
    CNS (7, 8, 9): the weighted sum (weights 15 to 1) is a multiple of 11. Other first digits are
    not CNS."""
    first = number[0]
    codes = number.encode("ascii")
    if first in "12":
        total = sum(map(mul, codes, _CNS_WEIGHTS_BASE)) - _CNS_OFFSET_BASE  # map stops at 11 weights
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check == 10:
            check = 11 - (total + 2) % 11
            return number[11:] == f"001{check}"
        return number[11:] == f"000{check}"
    if first in "789":
        return (sum(map(mul, codes, _CNS_WEIGHTS)) - _CNS_OFFSET_ALL) % 11 == 0
    return False
