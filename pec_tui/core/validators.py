"""Brazilian document numbers as typed by a person (masks allowed). The check-digit arithmetic is
:mod:`pec_tui.core.checks` (checked against ``validate-docbr``), shared with the CNES import."""

from __future__ import annotations

import re

from pec_tui.core.checks import is_valid_cnpj, is_valid_cns, is_valid_cpf
from pec_tui.core.errors import ValidationError


def digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def is_cpf(value: str | None) -> bool:
    """CPF check digits, masks allowed (``529.982.247-25``)."""
    return is_valid_cpf(digits(value))


def is_cns(value: str | None) -> bool:
    return is_valid_cns(digits(value))


def is_cnpj(value: str | None) -> bool:
    return is_valid_cnpj(digits(value))


def require_cpf(value: str | None, field: str = "cpf") -> str:
    number = digits(value)
    if not number:
        raise ValidationError("Informe o CPF.", field)
    if len(number) != 11:
        raise ValidationError(f"O CPF deve ter 11 dígitos (informados: {len(number)}).", field)
    if not is_cpf(number):
        raise ValidationError(f"O CPF {format_cpf(number)} é inválido (dígitos verificadores não conferem).", field)
    return number


def require_cns(value: str | None, field: str = "cns") -> str:
    number = digits(value)
    if len(number) != 15 or not is_cns(number):
        raise ValidationError(f"O CNS {value} é inválido.", field)
    return number


def format_cpf(number: str) -> str:
    number = digits(number)
    if len(number) != 11:
        return number
    return f"{number[:3]}.{number[3:6]}.{number[6:9]}-{number[9:]}"
