"""Pure format checks for the codes a CNES file carries.

Check digits come from ``validate_docbr``; these helpers only add the exact shape the CNES
layout uses (digits only, fixed length), which the library does not enforce: it accepts masks
and pads short CPFs with zeros.
"""

from __future__ import annotations

import re

from validate_docbr import CNPJ, CNS, CPF

_CPF = CPF()
_CNS = CNS()
_CNPJ = CNPJ()

_CPF_SHAPE = re.compile(r"\d{11}", re.ASCII)
_CNS_SHAPE = re.compile(r"\d{15}", re.ASCII)
_CNPJ_SHAPE = re.compile(r"[0-9A-Z]{12}\d{2}", re.ASCII)
_CNES_SHAPE = re.compile(r"\d{7}", re.ASCII)
_INE_SHAPE = re.compile(r"\d{10}", re.ASCII)
# CBO 2002 occupations are six characters: digits, with a letter in the fifth place for a
# few occupations (e.g. 2231F9, médico residente).
_CBO_SHAPE = re.compile(r"\d{4}[0-9A-Z]\d", re.ASCII)


def is_valid_cpf(value: str | None) -> bool:
    """Eleven digits, no mask, with valid check digits."""
    return _has_shape(_CPF_SHAPE, value) and _CPF.validate(value or "")


def is_valid_cns(value: str | None) -> bool:
    """Fifteen digits, no spaces, valid for the CNS rules (definitive 1/2, provisional 7/8/9)."""
    return _has_shape(_CNS_SHAPE, value) and _CNS.validate(value or "")


def is_valid_cnpj(value: str | None) -> bool:
    """Fourteen characters, no mask, valid check digits (the new alphanumeric form included)."""
    return _has_shape(_CNPJ_SHAPE, value) and _CNPJ.validate(value or "")


def is_cnes_code(value: str | None) -> bool:
    """A CNES establishment code: exactly seven digits (it has no check digit)."""
    return _has_shape(_CNES_SHAPE, value)


def is_ine_code(value: str | None) -> bool:
    """An INE team code: exactly ten digits (it has no check digit)."""
    return _has_shape(_INE_SHAPE, value)


def is_cbo_code(value: str | None) -> bool:
    """The shape of a CBO 2002 code; whether PEC knows it is a catalogue question."""
    return _has_shape(_CBO_SHAPE, value)


def _has_shape(pattern: re.Pattern[str], value: str | None) -> bool:
    return value is not None and pattern.fullmatch(value) is not None
