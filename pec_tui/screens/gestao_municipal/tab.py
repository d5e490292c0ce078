"""What every Gestão municipal tab shares: the screen that holds it (its municipality, its
``chaves`` folder and the worker path)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from textual.screen import Screen

    from pec_tui.screens.gestao_municipal.screen import MunicipalManagementScreen


class MunicipalTab:
    screen: Screen

    @property
    def owner(self) -> MunicipalManagementScreen:
        from pec_tui.screens.gestao_municipal.screen import MunicipalManagementScreen

        return cast(MunicipalManagementScreen, self.screen)
