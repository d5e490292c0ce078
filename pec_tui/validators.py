"""Brazilian document numbers and codes. Check digits come from ``validate-docbr``."""

from __future__ import annotations

import re
from functools import lru_cache

from pec_tui.errors import ValidationError


def digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


@lru_cache(maxsize=1)
def _docbr():
    import validate_docbr

    return validate_docbr.CPF(), validate_docbr.CNS(), validate_docbr.CNPJ()


def is_cpf(value: str | None) -> bool:
    number = digits(value)
    return len(number) == 11 and _docbr()[0].validate(number)


def is_cns(value: str | None) -> bool:
    number = digits(value)
    return len(number) == 15 and _docbr()[1].validate(number)


def is_cnpj(value: str | None) -> bool:
    number = digits(value)
    return len(number) == 14 and _docbr()[2].validate(number)


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
