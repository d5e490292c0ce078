"""The daily/monthly rotation of backup copies (pure; no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from pec_tui.core.errors import ValidationError
from pec_tui.domain.tarefas.retention import Policy, moment_of, to_keep


def _copies(*stamps: str) -> list[tuple[str, dt.datetime]]:
    return [(s, dt.datetime.strptime(s, "%Y-%m-%d %H:%M")) for s in stamps]


def test_keeps_the_newest_copy_of_each_recent_day_and_month():
    copies = _copies(
        "2026-12-07 02:00", "2026-12-07 14:00",  # two today: the newest stays
        "2026-12-06 02:00", "2026-12-05 02:00", "2026-12-04 02:00",
        "2026-11-30 02:00", "2026-11-01 02:00", "2026-10-31 02:00", "2026-09-15 02:00",
    )  # fmt: skip
    kept = to_keep(copies, Policy(daily=3, monthly=3))
    assert kept == {
        "2026-12-07 14:00", "2026-12-06 02:00", "2026-12-05 02:00",  # last 3 days
        "2026-11-30 02:00", "2026-10-31 02:00",  # newest of Nov and Oct (Dec's is today's)
    }  # fmt: skip


def test_days_without_copies_do_not_count():
    copies = _copies("2026-12-07 02:00", "2026-11-01 02:00", "2026-10-01 02:00")
    assert to_keep(copies, Policy(daily=2, monthly=0)) == {"2026-12-07 02:00", "2026-11-01 02:00"}


def test_the_newest_copy_is_always_kept_and_nothing_comes_from_nothing():
    copies = _copies("2026-12-07 02:00", "2026-12-07 03:00")
    assert to_keep(copies, Policy(daily=0, monthly=1)) == {"2026-12-07 03:00"}
    assert to_keep([], Policy()) == set()


@pytest.mark.parametrize(("daily", "monthly", "field"), [(-1, 3, "diarias"), (3, 1001, "mensais"), (0, 0, "diarias")])
def test_policy_bounds(daily, monthly, field):
    with pytest.raises(ValidationError) as caught:
        Policy(daily=daily, monthly=monthly)
    assert caught.value.field == field


def test_moment_of_reads_only_copy_names():
    assert moment_of("pec-tui-20261207-021500.dump.age") == dt.datetime(2026, 12, 7, 2, 15)
    assert moment_of("pec-tui-20261399-021500.dump") is None
    assert moment_of("outro-arquivo.dump") is None
    assert moment_of("pec-tui-20261207-021500.dump.age.manifest.json") == dt.datetime(2026, 12, 7, 2, 15)
