"""The one table of modules: every screen it names exists, and keys name the files."""

from __future__ import annotations

from importlib.util import find_spec

from textual.screen import Screen

from pec_tui import modules


def test_every_screen_path_opens_a_screen_class():
    built = [module for module in modules.MODULES if module.screen is not None]
    assert {module.key for module in built} >= {"cbo", "cnes", "configuracoes", "unidades_saude", "diagnostico", "log"}
    for module in built:
        factory = modules.screen_factory(module.key)
        assert isinstance(factory, type) and issubclass(factory, Screen), module.key


def test_a_built_module_has_screen_and_domain_files_named_by_its_key():
    for module in modules.MODULES:
        if module.screen is None:
            continue
        assert module.screen.startswith(f"pec_tui.screens.{module.key}"), module.key
        assert find_spec(f"pec_tui.domain.{module.key}") is not None, module.key


def test_a_module_being_built_has_no_factory():
    assert modules.screen_factory("auditoria") is None
