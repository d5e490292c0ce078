"""Which backup copies to keep: the newest copy of each of the last N days that have copies and of
each of the last M months that have copies (the usual daily/monthly rotation), and always the newest.

Pure: :func:`to_keep` decides from the copies' moments only, so the local folder and the SFTP server
apply the same rule. The numbers are settings (``PECTUI_COPIA_MANTER_DIARIAS``,
``PECTUI_COPIA_MANTER_MENSAIS``), read by :func:`current_policy` and changed by :func:`set_policy`
(the installation administrator's, audited).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from pec_tui.core.errors import ValidationError
from pec_tui.domain import audit, settings
from pec_tui.domain.installation import require_installation_admin
from pec_tui.storage.database import transaction

DAILY_KEY = "PECTUI_COPIA_MANTER_DIARIAS"
MONTHLY_KEY = "PECTUI_COPIA_MANTER_MENSAIS"
DEFAULT_DAILY = 7
DEFAULT_MONTHLY = 12
COMPONENT = "pec-tui/copia-seguranca"
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


def describe(policy: Policy) -> str:
    """ "mantém 7 cópias diárias e 12 mensais": the rule in the manual's words."""
    daily = f"{policy.daily} cópia{'s' if policy.daily != 1 else ''} diária{'s' if policy.daily != 1 else ''}"
    monthly = f"{policy.monthly} mensa{'is' if policy.monthly != 1 else 'l'}"
    return f"mantém {daily} e {monthly}, e sempre a mais recente"


def current_policy() -> Policy:
    """The installation's policy; the defaults when unset (or when a stored value is out of range)."""
    daily = settings.get_int(DAILY_KEY, DEFAULT_DAILY)
    monthly = settings.get_int(MONTHLY_KEY, DEFAULT_MONTHLY)
    try:
        return Policy(DEFAULT_DAILY if daily is None else daily, DEFAULT_MONTHLY if monthly is None else monthly)
    except ValidationError:
        return Policy()


def set_policy(daily: int | None, monthly: int | None, by_user_id: int | None) -> Policy:
    """Change the numbers (``None`` keeps the current one); one audited change."""
    current = current_policy()
    policy = Policy(current.daily if daily is None else daily, current.monthly if monthly is None else monthly)
    require_installation_admin(by_user_id)
    if policy == current:
        return policy
    with transaction():
        settings.put(DAILY_KEY, integer=policy.daily)
        settings.put(MONTHLY_KEY, integer=policy.monthly)
        audit.record_setting_change(
            by_user_id,
            DAILY_KEY if policy.daily != current.daily else MONTHLY_KEY,
            f"Retenção das cópias de segurança: {describe(policy)} (antes {current.daily} diárias e "
            f"{current.monthly} mensais).",
            component=COMPONENT,
        )
    return policy
