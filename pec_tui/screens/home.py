"""Início: the modules the logged user's profiles allow, grouped as in the manual (chapter 3)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pec_tui import modules
from pec_tui.messages import OpenModule
from pec_tui.screens.base import PecScreen


class HomeScreen(PecScreen):
    HELP = (
        "Início. A administração divide-se em Administração da instalação (administrador da "
        "instalação: CNES, Configurações da instalação, Profissionais, Relatórios, Transmissão de "
        "dados) e Administração municipal (administrador municipal: Auditoria, CBO, CNES, Gestão "
        "municipal, Importar cidadão, Perfis, Profissionais, Transmissão de dados, Unidades de "
        "saúde). O Console do servidor reúne o que só um console no servidor faz bem.\n\n"
        "Setas escolhem, Enter abre, Ctrl+P busca qualquer módulo pelo nome."
    )

    BINDINGS = [
        Binding("escape", "back", id="home.back", show=False),
        Binding("enter", "open", "Abrir módulo", id="home.open", show=False),
        # The app's keys (priority: the app acts on them), shown here where a session starts.
        Binding("ctrl+p", "app.command_palette", "Buscar", id="home.palette", priority=True),
        Binding("ctrl+q", "app.quit", "Sair", id="home.quit", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__(name="home")

    def compose_body(self) -> ComposeResult:
        session = self.session
        options: list[Option | None] = []
        if session is not None:
            for index, (section, items) in enumerate(modules.sections_for(session)):
                if index:
                    options.append(None)
                options.append(Option(Text(section.upper(), style="bold"), id=f"section-{index}", disabled=True))
                options.extend(Option(f"  {module.title}", id=module.key) for module in items)
        with Horizontal(id="home"):
            with Vertical(id="home-menu"):
                if options:
                    yield OptionList(*options, id="home-modules")
                else:
                    yield Static("O seu usuário não tem perfil de administração nesta instalação.", classes="muted")
            with Vertical(id="home-detail"):
                yield Static("", id="home-module-title")
                yield Static("", id="home-module-summary")
                yield Static(f"Perfil: {session.roles_label}" if session else "", id="home-roles", classes="muted")

    def on_mount(self) -> None:
        for menu in self.query("#home-modules").results(OptionList):
            menu.focus()
            first = next((i for i in range(menu.option_count) if not menu.get_option_at_index(i).disabled), None)
            menu.highlighted = first

    @on(OptionList.OptionHighlighted, "#home-modules")
    def _describe(self, event: OptionList.OptionHighlighted) -> None:
        module = modules.BY_KEY.get(event.option.id or "")
        if module is None:
            return
        where = (
            f"(manual, seção {module.manual_section})"
            if module.manual_section and module.manual_section != "—"
            else "(do console, fora do manual do PEC)"
        )
        self.query_one("#home-module-title", Static).update(f"[b]{module.title}[/b]  {where}")
        self.query_one("#home-module-summary", Static).update(module.summary)

    @on(OptionList.OptionSelected, "#home-modules")
    def _open_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id in modules.BY_KEY:
            self.post_message(OpenModule(event.option.id))

    def action_open(self) -> None:
        menu = self.query_one("#home-modules", OptionList)
        if menu.highlighted is not None:
            option = menu.get_option_at_index(menu.highlighted)
            if option.id in modules.BY_KEY:
                self.post_message(OpenModule(option.id))

    def action_back(self) -> None:  # the home has nothing behind it; Ctrl+L ends the session
        pass
