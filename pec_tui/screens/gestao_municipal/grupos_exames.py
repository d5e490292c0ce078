"""The "Grupos de exames" tab (manual 3.11.2): the municipality's groups; "Adicionar grupo de
exames", "Editar" and "Excluir" (confirmed, starting on «Cancelar»). The group's form is a dialog:
"Nome do grupo", to whom it applies (sexo, idade mínima e máxima) and its "Exames", chosen from the
shipped list filtered by that sex and ages as they are typed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Select, Static

from pec_tui.domain.gestao_municipal import grupos_exames as ge
from pec_tui.domain.installation import is_own_database
from pec_tui.screens.base import Field, PecModal
from pec_tui.screens.certificados import CancelFirstConfirm
from pec_tui.screens.configuracoes.tab import ErrorLine
from pec_tui.screens.gestao_municipal.tab import MunicipalTab
from pec_tui.widgets.toggles import SelectionList

if TYPE_CHECKING:
    pass

SEX_OPTIONS = [(label, value or "") for value, label in ge.SEXES]


def read_groups(localidade_id: int) -> tuple[list[ge.Group], list[ge.Exam], bool]:
    """The groups, the whole shipped list and whether this database takes changes (worker)."""
    return ge.groups(localidade_id), ge.exams(), is_own_database()


class ExamGroupsTab(MunicipalTab, Vertical):
    TITLE = "Grupos de exames"
    BINDINGS = [
        Binding("a", "add", "Adicionar", id="gestao_municipal.grupos.add"),
        Binding("e", "edit", "Editar", id="gestao_municipal.grupos.edit"),
        Binding("delete", "delete", "Excluir", id="gestao_municipal.grupos.delete"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.groups: list[ge.Group] = []
        self.catalogue: list[ge.Exam] = []
        self.writable = True

    def compose(self) -> ComposeResult:
        yield Static(
            'Grupos apresentados em "Opções rápidas" da solicitação de exames, conforme a idade e o sexo do cidadão.',
            classes="gm-heading",
        )
        yield Static("", id="grupos-pec-only", classes="module-notice")
        table = DataTable(id="grupos-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("Nome do grupo", "Sexo e idade", "Exames")
        yield table
        with Horizontal(classes="gm-buttons"):
            yield Button("Adicionar grupo de exames", variant="primary", id="grupos-add", compact=True)
            yield Button("Editar", id="grupos-edit", compact=True)
            yield Button("Excluir", id="grupos-delete", compact=True)

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        owner = self.owner
        if owner.localidade_id is None:
            return
        owner.run_task(
            read_groups,
            owner.localidade_id,
            done=self.show,
            failure="Não foi possível ler os grupos de exames",
            group="grupos-load",
        )

    def show(self, found: tuple[list[ge.Group], list[ge.Exam], bool]) -> None:
        self.groups, self.catalogue, self.writable = found
        table = self.query_one("#grupos-table", DataTable)
        table.clear()
        for group in self.groups:
            exams = ", ".join(exam.name for exam in group.exams)
            table.add_row(Text(group.name), group.audience, Text(f"{len(group.exams)}: {exams}"), key=str(group.id))
        if not self.groups:
            table.add_row(Text("Nenhum grupo de exames."), "", "", key="none")
        notice = self.query_one("#grupos-pec-only", Static)
        notice.update(Text("" if self.writable else ge.NOT_ON_PEC))
        notice.display = not self.writable
        for button in ("#grupos-add", "#grupos-edit", "#grupos-delete"):
            self.query_one(button, Button).disabled = not self.writable or (button != "#grupos-add" and not self.groups)

    def _selected(self) -> ge.Group | None:
        table = self.query_one("#grupos-table", DataTable)
        if not self.groups or table.cursor_row < 0:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return next((group for group in self.groups if str(group.id) == key), None)

    @on(Button.Pressed, "#grupos-add")
    def action_add(self) -> None:
        if self.writable:
            self.app.push_screen(ExamGroupDialog(self.owner.localidade_id, self.catalogue), self._changed)

    @on(Button.Pressed, "#grupos-edit")
    def action_edit(self) -> None:
        group = self._selected()
        if self.writable and group is not None:
            self.app.push_screen(ExamGroupDialog(self.owner.localidade_id, self.catalogue, group), self._changed)

    @on(Button.Pressed, "#grupos-delete")
    def action_delete(self) -> None:
        group = self._selected()
        if not self.writable or group is None:
            return
        question = CancelFirstConfirm(
            "Excluir grupo de exames",
            f"Excluir o grupo de exames {group.name}?\n\nEle deixa de aparecer nas opções rápidas da solicitação "
            "de exames.",
            confirm_label="Excluir",
        )
        self.app.push_screen(question, lambda yes: yes and self._delete(group))

    def _delete(self, group: ge.Group) -> None:
        owner = self.owner
        owner.run_task(
            ge.delete,
            group.id,
            owner.localidade_id,
            by_user_id=owner.user_id,
            done=lambda gone: (self.notify(f"Grupo de exames {gone.name} excluído."), self.reload()),
            failure="Não foi possível excluir o grupo de exames",
            group="grupos-change",
        )

    def _changed(self, group: ge.Group | None) -> None:
        if group is not None:
            self.notify(f"Grupo de exames {group.name} salvo.")
            self.reload()


class ExamGroupDialog(PecModal[ge.Group | None]):
    """Adicionar (or Editar) grupo de exames."""

    CSS_PATH = "gestao_municipal.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancelar", id="gestao_municipal.grupo.cancel")]
    FIELDS = {
        "nome": Field("#grupo-nome", "#grupo-nome-error"),
        "sexo": Field("#grupo-sexo", "#grupo-sexo-error"),
        "idade": Field("#grupo-idade-minima", "#grupo-idade-error"),
        "exames": Field("#grupo-exames", "#grupo-exames-error"),
    }

    def __init__(self, localidade_id: int | None, catalogue: list[ge.Exam], group: ge.Group | None = None) -> None:
        super().__init__()
        self.localidade_id = localidade_id
        self.catalogue = catalogue
        self.group = group
        self.chosen: set[int] = {exam.id for exam in group.exams} if group else set()

    def compose(self) -> ComposeResult:
        group = self.group
        with Vertical(classes="dialog grupo-dialog"):
            yield Static("Editar grupo de exames" if group else "Adicionar grupo de exames", classes="dialog-title")
            yield Static("Nome do grupo *", classes="field-label")
            yield Input(
                value=group.name if group else "",
                placeholder="ex.: Hiperdia, Pré-natal, Rastreamento da mulher",
                max_length=ge.NAME_MAX,
                id="grupo-nome",
                compact=True,
            )
            yield ErrorLine("grupo-nome-error")
            with Horizontal(classes="grupo-audience"):
                yield Static("Sexo", classes="grupo-label")
                yield Select(
                    SEX_OPTIONS,
                    value=(group.sex or "") if group else "",
                    allow_blank=False,
                    id="grupo-sexo",
                    compact=True,
                )
                yield Static("Idade (anos): de", classes="grupo-label")
                yield Input(
                    value=str(group.min_age) if group else str(ge.MIN_AGE),
                    max_length=3,
                    id="grupo-idade-minima",
                    compact=True,
                )
                yield Static("a", classes="grupo-label")
                yield Input(
                    value=str(group.max_age) if group else str(ge.MAX_AGE),
                    max_length=3,
                    id="grupo-idade-maxima",
                    compact=True,
                )
            yield ErrorLine("grupo-sexo-error")
            yield ErrorLine("grupo-idade-error")
            yield Static(
                "Exames * (espaço marca; só os que se aplicam ao sexo e às idades do grupo)", classes="field-label"
            )
            yield SelectionList[int](id="grupo-exames", compact=True)
            yield Static("", id="grupo-marcados")  # the marks in words: readable without colour (NO_COLOR)
            yield ErrorLine("grupo-exames-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Salvar" if group else "Adicionar", variant="primary", id="grupo-save", compact=True)
                yield Button("Cancelar", id="grupo-cancel", compact=True)

    def on_mount(self) -> None:
        self._filter()
        self.query_one("#grupo-nome", Input).focus()

    def _audience(self) -> tuple[str | None, int, int]:
        value = self.query_one("#grupo-sexo", Select).value
        sex = value if isinstance(value, str) and value else None

        def age(selector: str, fallback: int) -> int:
            text = self.query_one(selector, Input).value.strip()
            return int(text) if text.isdigit() else fallback

        return sex, age("#grupo-idade-minima", ge.MIN_AGE), age("#grupo-idade-maxima", ge.MAX_AGE)

    @on(Select.Changed, "#grupo-sexo")
    @on(Input.Changed, "#grupo-idade-minima")
    @on(Input.Changed, "#grupo-idade-maxima")
    def _filter(self) -> None:
        """The list shows the exams that apply to the group; a mark hidden by the filter comes back
        with it (only the exams shown and marked are saved)."""
        listing = self.query_one("#grupo-exames", SelectionList)
        self.chosen = (self.chosen - {int(v) for v in self._shown()}) | set(listing.selected)
        sex, low, high = self._audience()
        listing.clear_options()
        listing.add_options(
            (exam.label, exam.id, exam.id in self.chosen) for exam in self.catalogue if exam.fits(sex, low, high)
        )
        self._count()

    @on(SelectionList.SelectedChanged, "#grupo-exames")
    def _count(self) -> None:
        marked = self.query_one("#grupo-exames", SelectionList).selected
        names = {exam.id: exam.code for exam in self.catalogue}
        text = (
            "Nenhum exame marcado."
            if not marked
            else f"{len(marked)} marcado{'s' if len(marked) > 1 else ''}: " + ", ".join(names[key] for key in marked)
        )
        self.query_one("#grupo-marcados", Static).update(Text(text))

    def _shown(self) -> list[int]:
        listing = self.query_one("#grupo-exames", SelectionList)
        return [listing.get_option_at_index(index).value for index in range(listing.option_count)]

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#grupo-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#grupo-save")
    def submit(self) -> None:
        self.clear_field_errors()
        exams = sorted(self.query_one("#grupo-exames", SelectionList).selected)  # those shown and marked
        value = self.query_one("#grupo-sexo", Select).value
        sex = value if isinstance(value, str) and value else None
        common = (
            self.query_one("#grupo-nome", Input).value,
            sex,
            self.query_one("#grupo-idade-minima", Input).value,
            self.query_one("#grupo-idade-maxima", Input).value,
            exams,
        )
        if self.group is None:
            task, args = ge.add, (self.localidade_id, *common)
        else:
            task, args = ge.edit, (self.group.id, self.localidade_id, *common)
        self.run_task(
            task,
            *args,
            by_user_id=self.user_id,
            done=self.dismiss,
            failure="Não foi possível salvar o grupo de exames",
            group="grupo-save",
        )
