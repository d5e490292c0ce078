"""Textual screens, one module per administration module of chapter 3.

``MODULE_SCREENS`` maps a module key (see :mod:`pec_tui.modules`) to the screen class that
opens it, written ``"package.module:ClassName"`` so a screen is imported only when first
opened (start-up stays fast). A module without an entry opens the "em construção" screen.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from textual.screen import Screen

MODULE_SCREENS: dict[str, str] = {
    "cbo": "pec_tui.screens.cbo:CboScreen",
    "cnes": "pec_tui.screens.cnes:CnesScreen",
    "configuracoes": "pec_tui.screens.configuracoes:ConfigurationScreen",
    "unidades_saude": "pec_tui.screens.unidades_saude:UnitsScreen",
    "diagnostico": "pec_tui.screens.diagnostico:DoctorScreen",
    "log": "pec_tui.screens.log:LogScreen",
}


def screen_factory(key: str) -> Callable[[], Screen] | None:
    """The class (a no-argument factory) of the screen of module ``key``, or ``None``."""
    target = MODULE_SCREENS.get(key)
    if target is None:
        return None
    module_name, _, attribute = target.partition(":")
    return getattr(import_module(module_name), attribute)
