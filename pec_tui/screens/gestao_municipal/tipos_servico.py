"""The "Tipos de serviço" tab (manual 3.11.3): PEC's default types and the municipality's, with
how many units offer each; "Adicionar tipo de serviço", "Editar" and "Excluir" (confirmed,
starting on «Cancelar»; a default type or one offered by units is refused, saying why)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Static

from pec_tui.domain.gestao_municipal import tipos_servico as ts
from pec_tui.screens.base import Field, PecModal
from pec_tui.screens.certificados import CancelFirstConfirm
from pec_tui.screens.configuracoes.tab import ErrorLine
from pec_tui.screens.gestao_municipal.tab import MunicipalTab

if TYPE_CHECKING:
    pass


def units_text(count: int) -> str:
    return "nenhuma unidade" if count == 0 else "1 unidade" if count == 1 else f"{count} unidades"


class ServiceTypesTab(MunicipalTab, Vertical):
    TITLE = "Tipos de serviço"
    BINDINGS = [
        Binding("a", "add", "Adicionar", id="gestao_municipal.tipos.add"),
        Binding("e", "edit", "Editar", id="gestao_municipal.tipos.edit"),
        Binding("delete", "delete", "Excluir", id="gestao_municipal.tipos.delete"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list[ts.ServiceTypeRow] = []

    def compose(self) -> ComposeResult:
        yield Static(
            "Tipos de serviços de saúde disponíveis para o município. Os padrões do PEC não são editados nem "
            "excluídos.",
            classes="gm-heading",
        )
        table = DataTable(id="tipos-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("Tipo de serviço", "Origem", "Oferecido por")
        yield table
        with Horizontal(classes="gm-buttons"):
            yield Button("Adicionar tipo de serviço", variant="primary", id="tipos-add", compact=True)
            yield Button("Editar", id="tipos-edit", compact=True)
            yield Button("Excluir", id="tipos-delete", compact=True)

    def on_mount(self) -> None:
        self.reload()

    def reload(self, select: int | None = None) -> None:
        owner = self.owner
        if owner.localidade_id is None:
            return
        owner.run_task(
            ts.list_types,
            owner.localidade_id,
            done=lambda rows: self.show(rows, select),
            failure="Não foi possível ler os tipos de serviço",
            group="tipos-load",
        )

    def show(self, rows: list[ts.ServiceTypeRow], select: int | None = None) -> None:
        self.rows = rows
        table = self.query_one("#tipos-table", DataTable)
        table.clear()
        for row in rows:
            table.add_row(Text(row.name), row.kind, units_text(row.units), key=str(row.id))
        if select is not None:
            index = next((n for n, row in enumerate(rows) if row.id == select), None)
            if index is not None:
                table.move_cursor(row=index)

    def _selected(self) -> ts.ServiceTypeRow | None:
        table = self.query_one("#tipos-table", DataTable)
        if not self.rows or table.cursor_row < 0:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return next((row for row in self.rows if str(row.id) == key), None)

    @on(Button.Pressed, "#tipos-add")
    def action_add(self) -> None:
        self.app.push_screen(ServiceTypeDialog(self.owner.localidade_id), self._changed)

    @on(Button.Pressed, "#tipos-edit")
    def action_edit(self) -> None:
        row = self._selected()
        if row is None:
            return
        if row.default:
            self.notify(f"{row.name} é um tipo de serviço padrão do PEC: não pode ser editado.", severity="warning")
            return
        self.app.push_screen(ServiceTypeDialog(self.owner.localidade_id, row), self._changed)

    @on(Button.Pressed, "#tipos-delete")
    def action_delete(self) -> None:
        row = self._selected()
        if row is None:
            return
        if row.default:  # refused before asking (the domain refuses it too)
            self.notify(f"{row.name} é um tipo de serviço padrão do PEC: não pode ser excluído.", severity="warning")
            return
        question = CancelFirstConfirm(
            "Excluir tipo de serviço",
            f"Excluir o tipo de serviço {row.name}?",
            confirm_label="Excluir",
        )
        self.app.push_screen(question, lambda yes: yes and self._delete(row))

    def _delete(self, row: ts.ServiceTypeRow) -> None:
        owner = self.owner
        owner.run_task(
            ts.delete,
            row.id,
            owner.localidade_id,
            by_user_id=owner.user_id,
            done=lambda gone: (self.notify(f"Tipo de serviço {gone.name} excluído."), self.reload()),
            failure="Não foi possível excluir o tipo de serviço",
            group="tipos-change",
        )

    def _changed(self, row: ts.ServiceTypeRow | None) -> None:
        if row is not None:
            self.notify(f"Tipo de serviço {row.name} salvo.")
            self.reload(select=row.id)


class ServiceTypeDialog(PecModal[ts.ServiceTypeRow | None]):
    """Adicionar (or Editar) tipo de serviço: its name."""

    CSS_PATH = "gestao_municipal.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancelar", id="gestao_municipal.tipo.cancel")]
    FIELDS = {"nome": Field("#tipo-nome", "#tipo-nome-error")}

    def __init__(self, localidade_id: int | None, row: ts.ServiceTypeRow | None = None) -> None:
        super().__init__()
        self.localidade_id = localidade_id
        self.row = row

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog tipo-dialog"):
            yield Static("Editar tipo de serviço" if self.row else "Adicionar tipo de serviço", classes="dialog-title")
            yield Static("Nome do tipo de serviço *", classes="field-label")
            yield Input(value=self.row.name if self.row else "", max_length=ts.NAME_MAX, id="tipo-nome")
            yield ErrorLine("tipo-nome-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Salvar" if self.row else "Adicionar", variant="primary", id="tipo-save")
                yield Button("Cancelar", id="tipo-cancel")

    def on_mount(self) -> None:
        self.query_one("#tipo-nome", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#tipo-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#tipo-nome")
    @on(Button.Pressed, "#tipo-save")
    def submit(self) -> None:
        self.clear_field_errors()
        name = self.query_one("#tipo-nome", Input).value
        if self.row is None:
            task, args = ts.add, (self.localidade_id, name)
        else:
            task, args = ts.rename, (self.row.id, self.localidade_id, name)
        self.run_task(
            task,
            *args,
            by_user_id=self.user_id,
            done=self.dismiss,
            failure="Não foi possível salvar o tipo de serviço",
            group="tipo-save",
        )
