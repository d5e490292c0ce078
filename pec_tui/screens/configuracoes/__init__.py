"""Configurações da instalação (manual 3.1): the screen (:mod:`.screen`) and one widget per tab
(:mod:`.conexao`, :mod:`.seguranca`, :mod:`.servidores`, :mod:`.municipios`, :mod:`.avancadas`)."""

from pec_tui.screens.configuracoes.municipios import ResponsibleDialog
from pec_tui.screens.configuracoes.screen import ConfigurationScreen

__all__ = ["ConfigurationScreen", "ResponsibleDialog"]
