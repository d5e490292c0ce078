"""Configurações da instalação (manual 3.1)."""

from pec_tui.screens.configuracoes.screen import ConfigurationScreen, ResponsibleDialog

__all__ = ["ConfigurationScreen", "ResponsibleDialog"]
