"""Which backup copies to keep: the newest copy of each of the last N days that have copies and of
each of the last M months that have copies (the usual daily/monthly rotation), and always the newest.

Pure: it decides from the copies' moments only, so the local folder and the SFTP server apply the
same rule. The numbers are settings (``PECTUI_COPIA_MANTER_DIARIAS``, ``PECTUI_COPIA_MANTER_MENSAIS``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from pec_tui.core.errors import ValidationError

DAILY_KEY = "PECTUI_COPIA_MANTER_DIARIAS"
MONTHLY_KEY = "PECTUI_COPIA_MANTER_MENSAIS"
DEFAULT_DAILY = 7
DEFAULT_MONTHLY = 12
#: A bound that keeps a typo (7000) from meaning "never delete anything".
MAX_KEEP = 1000

_STAMP = re.compile(r"^pec-tui-(\d{8}-\d{6})\.")

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Policy:
    daily: int = DEFAULT_DAILY
    monthly: int = DEFAULT_MONTHLY

    def __post_init__(self) -> None:
        for field, value, label in (("diarias", self.daily, "diárias"), ("mensais", self.monthly, "mensais")):
            if not 0 <= value <= MAX_KEEP:
                raise ValidationError(f"O número de cópias {label} a manter vai de 0 a {MAX_KEEP}.", field)
        if self.daily == 0 and self.monthly == 0:
            raise ValidationError("Mantenha ao menos uma cópia diária ou mensal.", "diarias")


def moment_of(name: str) -> dt.datetime | None:
    """The moment in a copy's name (``pec-tui-YYYYmmdd-HHMMSS.…``), or None for another file."""
    match = _STAMP.match(name)
    if not match:
        return None
    try:
        return dt.datetime.strptime(match.group(1), "%Y%m%d-%H%M%S")
    except ValueError:
        return None


def to_keep(copies: Iterable[tuple[K, dt.datetime]], policy: Policy) -> set[K]:
    """The keys of the copies to keep under ``policy``; every other copy may be deleted."""
    ordered = sorted(copies, key=lambda item: item[1], reverse=True)
    if not ordered:
        return set()
    keep: set[K] = {ordered[0][0]}
    for count, period in ((policy.daily, lambda m: m.date()), (policy.monthly, lambda m: (m.year, m.month))):
        seen: set[object] = set()
        for key, moment in ordered:
            bucket = period(moment)
            if bucket in seen:
                continue
            if len(seen) == count:
                break
            seen.add(bucket)
            keep.add(key)
    return keep
