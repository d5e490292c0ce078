"""Configurações da instalação (manual 3.1): one file per tab."""

from __future__ import annotations

from pec_tui.domain import audit

COMPONENT = "pec-tui/configuracoes"  # who wrote a change, in the audit trail


def record_setting(by_user_id: int | None, key: str, details: str) -> None:
    """A setting changed on one of the tabs, in the audit trail."""
    audit.record_setting_change(by_user_id, key, details, component=COMPONENT)
