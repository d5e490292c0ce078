"""How the console writes moments, durations and sizes for an administrator (pt-BR: day first,
decimal comma). One place, so the screens, the CLI and the audit trail say them alike."""

from __future__ import annotations

import datetime as dt


def format_moment(moment: dt.datetime) -> str:
    """``20/11/2026 11:00``: day first, to the minute."""
    return moment.strftime("%d/%m/%Y %H:%M")


def format_duration(delta: dt.timedelta) -> str:
    """``1 d 2 h``, ``2 h 5 min``, ``30 min`` (rounded up to the minute)."""
    minutes = max(0, int((delta.total_seconds() + 59) // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def format_bytes(size: float) -> str:
    """``1536`` → ``1,5 KB``; binary multiples, decimal comma (as an administrator reads them)."""
    units = ("bytes", "KB", "MB", "GB", "TB")
    value = float(size)
    for unit in units:
        if value < 1024 or unit == units[-1]:
            if unit == "bytes":
                return f"{int(value)} bytes"
            return f"{value:.1f} {unit}".replace(".", ",")
        value /= 1024
    raise AssertionError("unreachable")


def agree(word: str, count: int, *, feminine: bool = False) -> str:
    """An adjective or participle ending in -o agreeing with ``count`` things of a gender:
    ``agree("novo", 1, feminine=True)`` → ``nova``; ``agree("atualizado", 0)`` → ``atualizados``
    (in Portuguese, zero takes the plural)."""
    if feminine and word.endswith("o"):
        word = word[:-1] + "a"
    return word if count == 1 else f"{word}s"


def quantity(count: int, singular: str, plural: str | None = None) -> str:
    """``1 evento``, ``3 eventos``, ``0 eventos``; ``plural`` when it is not ``singular + "s"``
    (``quantity(2, "lotação", "lotações")``)."""
    return f"{count} {singular if count == 1 else (plural or f'{singular}s')}"
