"""Plugin (``pytest_plugins`` in ``tests/conftest.py``): under ``CI=true`` nothing may be skipped.

A skipped test, or a module skipped at collection, becomes a failure with the skip's reason, so
a CI machine without PostgreSQL fails instead of passing on half the suite."""

from __future__ import annotations

import os

import pytest


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _skip_reason(longrepr: object) -> str:
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under ``CI=true`` a skipped test is a failed test, with the skip reason as message."""
    outcome = yield
    report = outcome.get_result()
    if running_in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"Teste pulado com CI=true, o que não é permitido: {_skip_reason(report.longrepr)}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """The same for a whole module skipped at collection (``pytest.importorskip``...)."""
    outcome = yield
    report = outcome.get_result()
    if running_in_ci() and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"Módulo pulado com CI=true, o que não é permitido: {_skip_reason(report.longrepr)}"
