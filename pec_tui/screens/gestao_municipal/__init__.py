"""Gestão municipal (manual 3.11): the screen (:mod:`.screen`) and one widget per tab (:mod:`.rnds`)."""

from pec_tui.screens.gestao_municipal.screen import MunicipalManagementScreen

__all__ = ["MunicipalManagementScreen"]
