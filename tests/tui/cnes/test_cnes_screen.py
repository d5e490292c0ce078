"""CNES screen (3.3): choose the municipality, the file, import with progress, read the report,
find it again in the Histórico de importações."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.widgets import DataTable, DirectoryTree, Input, Select, Static, TabbedContent

from pec_tui.demo.cnes_export import write_cnes_file
from pec_tui.screens.cnes import CnesReportScreen, CnesScreen
from pec_tui.storage.models import CnesImport, HealthUnit
from pec_tui.widgets.dialogs import ConfirmDialog
from pec_tui.widgets.paged_table import PagedTable
from tests.support.console import INSTALLATION_ADMIN, MUNICIPAL_ADMIN, logged_in, settle, wait_until

DEMO_IBGE = "4204202"


@pytest.fixture
def cnes_file(tmp_path: Path) -> Path:
    return write_cnes_file(
        tmp_path / "XmlParaESUS31_420420.zip", units=3, professionals=20, ibge=DEMO_IBGE, seed=7, zip=True
    )


def cnes_screen(pilot) -> CnesScreen:
    assert isinstance(pilot.app.screen, CnesScreen)
    return pilot.app.screen


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_municipal_admin_imports_watches_progress_and_reads_the_report(console_on, cnes_file):
    async with console_on("cnes", as_=MUNICIPAL_ADMIN, size=(100, 32)) as pilot:
        app = pilot.app
        screen = cnes_screen(pilot)
        select = screen.query_one("#cnes-municipality", Select)
        assert select.value is not Select.BLANK and select.disabled  # their own municipality, fixed
        before = CnesImport.select().count()
        screen.query_one("#cnes-path", Input).value = str(cnes_file)
        screen.query_one("#cnes-path", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("left", "enter")  # from «Cancelar» to «Importar»
        await wait_until(pilot, lambda: "concluída" in text(screen, "#cnes-status"), timeout=30)
        assert CnesImport.select().count() == before + 1
        assert "Unidades de saúde: 3 novas" in text(screen, "#cnes-summary")
        assert not any("Importação concluída" in n.message for n in app._notifications)  # no toast over it
        await pilot.press("enter")  # focus is on "Ver relatório"
        await settle(pilot)
        assert isinstance(app.screen, CnesReportScreen)
        counts = app.screen.query_one("#report-counts")
        assert str(counts.get_cell("Profissionais", "novos")) == "20"
        assert str(counts.get_cell("Unidades de saúde", "novos")) == "3"


async def test_wrong_file_is_refused_with_its_reason_and_changes_nothing(console_on, tmp_path):
    bad = tmp_path / "XmlParaESUS31_420420.xml"
    bad.write_text("<ImportarXMLCNES><IDENTIFICACAO CO_IBGE_MUN='420420' VERSAO_XSD='3.1'>", encoding="utf-8")
    async with console_on("cnes", as_=MUNICIPAL_ADMIN, size=(100, 32)) as pilot:
        screen = cnes_screen(pilot)
        units_before = HealthUnit.select().where(HealthUnit.active == True).count()
        screen.query_one("#cnes-path", Input).value = str(bad)
        screen.query_one("#cnes-path", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("left", "enter")  # from «Cancelar» to «Importar»
        await wait_until(pilot, lambda: "-error" in screen.query_one("#cnes-status").classes, timeout=30)
        status = text(screen, "#cnes-status")
        assert bad.name in status
        assert HealthUnit.select().where(HealthUnit.active == True).count() == units_before


async def test_missing_file_and_missing_municipality_are_named(console_on, tmp_path):
    async with console_on("cnes", as_=MUNICIPAL_ADMIN, size=(100, 32)) as pilot:
        screen = cnes_screen(pilot)
        screen.query_one("#cnes-path", Input).value = str(tmp_path / "nao-existe.zip")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "não existe" in text(screen, "#cnes-status")


async def test_installation_admin_chooses_the_municipality_first(console_on, cnes_file):
    async with console_on("cnes", as_=INSTALLATION_ADMIN, size=(100, 32)) as pilot:
        screen = cnes_screen(pilot)
        select = screen.query_one("#cnes-municipality", Select)
        assert not select.disabled  # the installation administrator may choose


async def test_history_lists_the_demo_import_and_opens_its_report(console_on):
    async with console_on("cnes", as_=MUNICIPAL_ADMIN, size=(100, 32)) as pilot:
        app = pilot.app
        screen = cnes_screen(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert screen.query_one("#cnes-tabs", TabbedContent).active == "cnes-tab-history"
        history = screen.query_one("#cnes-history", PagedTable)
        await wait_until(pilot, lambda: history.page is not None)
        assert history.page.total >= 1
        history.focus_table()
        await pilot.press("enter")
        await settle(pilot)
        await wait_until(pilot, lambda: isinstance(app.screen, CnesReportScreen))
        assert "Chapecó/SC" in text(app.screen, "#report-head")


async def test_report_exports_csv(console_on, tmp_path):
    async with console_on("cnes", as_=MUNICIPAL_ADMIN, size=(100, 32)) as pilot:
        app = pilot.app
        screen = cnes_screen(pilot)
        screen.open_report(CnesImport.select().order_by(CnesImport.id.desc()).first().id)
        await wait_until(pilot, lambda: isinstance(app.screen, CnesReportScreen))
        await pilot.press("x")
        await settle(pilot)
        target = tmp_path / "relatorio.csv"
        field = app.screen.query_one("#path-input", Input)
        field.value = str(target)
        await pilot.press("enter")
        await wait_until(pilot, target.exists)
        assert "Unidades" in target.read_text(encoding="utf-8")


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_import_tab(snap_compare, make_app, size):
    async def ready(pilot):
        await logged_in(pilot, "cnes", as_=MUNICIPAL_ADMIN)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_history_tab(snap_compare, make_app, size):
    async def ready(pilot):
        await logged_in(pilot, "cnes", as_=MUNICIPAL_ADMIN)
        screen = cnes_screen(pilot)
        await pilot.press("f3")
        history = screen.query_one("#cnes-history", PagedTable)
        await wait_until(pilot, lambda: history.page is not None)
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_report(snap_compare, make_app, size):
    async def ready(pilot):
        await logged_in(pilot, "cnes", as_=MUNICIPAL_ADMIN)
        screen = cnes_screen(pilot)
        screen.open_report(CnesImport.select().order_by(CnesImport.id.desc()).first().id)
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, CnesReportScreen))
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)


class _HeldImport:
    """Stands in for importer.import_cnes: reports progress, then waits until the test lets it
    go or the screen cancels it (as the real importer does between batches)."""

    def __init__(self) -> None:
        import threading

        self.started = threading.Event()
        self.release = threading.Event()
        self.cancelled = threading.Event()

    async def __aenter__(self) -> _HeldImport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.release.set()  # a failed assertion must not leave the worker waiting (and the app with it)

    def __call__(self, path, *, localidade_id, user_id, progress=None, cancel=None):
        from pec_tui.domain.cnes.importer import ImportCancelled, ImportProgress

        if progress is not None:
            progress(ImportProgress(10, 0.1, 100, 1000, "Lendo profissionais e lotações"))
        self.started.set()
        while not self.release.wait(0.01):
            if cancel is not None and cancel.is_set():
                self.cancelled.set()
                raise ImportCancelled("Importação do CNES cancelada; nada foi alterado.")
        raise ImportCancelled("liberada pelo teste")


@asynccontextmanager
async def _held_import_on_screen(console_on, cnes_file, monkeypatch):
    """The console, the municipal administrator on the CNES screen, a held stand-in import
    running: yields ``(app, pilot, screen, held)``."""
    from pec_tui.domain.cnes import importer

    held = _HeldImport()
    monkeypatch.setattr(importer, "import_cnes", held)
    async with console_on("cnes", as_=MUNICIPAL_ADMIN, size=(100, 32)) as pilot, held:
        app = pilot.app
        screen = cnes_screen(pilot)
        screen.query_one("#cnes-path", Input).value = str(cnes_file)
        screen.query_one("#cnes-path", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("left", "enter")  # from «Cancelar» to «Importar»
        await wait_until(pilot, held.started.is_set)
        await pilot.pause()  # not settle(): it waits for every worker, and this one is held
        yield app, pilot, screen, held


def _footer_actions(app) -> set[str]:
    return {binding.action for _key, binding, enabled, _tip in app.active_bindings.values() if enabled}


async def test_esc_during_an_import_stays_and_ctrl_x_cancels_it(console_on, cnes_file, monkeypatch):
    async with _held_import_on_screen(console_on, cnes_file, monkeypatch) as (app, pilot, screen, held):
        assert "cancel_import" in _footer_actions(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen  # still here, and told why
        assert any("em andamento" in str(note.message) for note in app._notifications)
        assert not held.cancelled.is_set()
        await pilot.press("ctrl+x")
        await wait_until(pilot, held.cancelled.is_set)
        await wait_until(pilot, lambda: "cancelada" in text(screen, "#cnes-status"))
        assert "cancel_import" not in _footer_actions(app)
        path = screen.query_one("#cnes-path", Input)
        path.focus()
        path.select_all()
        await pilot.press("ctrl+x")  # no import: the field's own "cut"
        assert path.value == ""
        await pilot.press("escape")  # nothing running: Esc goes back
        await settle(pilot)
        assert app.screen is not screen


async def test_ending_the_session_during_an_import_cancels_it(console_on, cnes_file, monkeypatch):
    async with _held_import_on_screen(console_on, cnes_file, monkeypatch) as (app, pilot, screen, held):
        app.logout()
        await wait_until(pilot, held.cancelled.is_set)


LONG_REASON = (
    "CNS 700000000000005 já pertence a outro profissional (Maria Aparecida dos Santos Oliveira, CPF "
    "111.444.777-35); corrija no SCNES e importe de novo"
)


async def test_enter_on_a_rejected_record_shows_it_whole(console_on):
    from pec_tui.domain.cnes.report import ImportReport, RecordIssue
    from pec_tui.widgets.dialogs import RecordDialog

    issue = RecordIssue(
        "profissional",
        "390.533.447-05 / 700000000000005",
        "Bartolomeu de Gusmão Albuquerque Cavalcanti Neto",
        LONG_REASON,
        "DADOS_PROFISSIONAIS",
        48213,
    )
    loaded = ImportReport(
        "XmlParaESUS31_420420.xml",
        "Chapecó/SC",
        "4204202",
        "3.1",
        None,
        "2026-11-20T09:00:00",
        None,
        registros_nao_importados=[issue],
    )
    async with console_on("cnes", as_=MUNICIPAL_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        app.push_screen(CnesReportScreen(loaded))
        await settle(pilot)
        report = app.screen
        report.query_one("#report-tabs", TabbedContent).active = "report-tab-rejected"
        rejected = report.query_one("#report-rejected", PagedTable)
        await wait_until(pilot, lambda: rejected.page is not None)
        rejected.focus_table()
        await settle(pilot)
        cells = " ".join(str(c) for c in rejected.query_one(DataTable).get_row_at(0))
        assert LONG_REASON not in cells  # the list cuts it at 80 columns
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordDialog)
        shown = " ".join(str(s.render()) for s in app.screen.query(".record-value"))
        for whole in (issue.chave, issue.nome, "48213"):
            assert whole in shown
        assert " ".join(LONG_REASON.split()) in " ".join(shown.split())  # wrapped, never cut
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is report


async def test_a_text_file_is_refused_before_the_confirmation_and_the_error_goes_with_it(
    console_on, tmp_path, cnes_file
):
    notes = tmp_path / "notas.txt"
    notes.write_text("isto não é um XML do CNES\n", encoding="utf-8")
    async with console_on("cnes", as_=MUNICIPAL_ADMIN, size=(100, 32)) as pilot:
        app = pilot.app
        screen = cnes_screen(pilot)
        path = screen.query_one("#cnes-path", Input)
        path.value = str(notes)
        path.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen  # no confirmation for a file that cannot be imported
        assert text(screen, "#cnes-status") == "O arquivo notas.txt está vazio ou não é um XML."
        assert "-error" in screen.query_one("#cnes-status").classes
        path.value = str(cnes_file)  # another file: the old error no longer applies
        await settle(pilot)
        assert text(screen, "#cnes-status") == ""
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)


async def test_f2_gives_the_typing_back_to_the_path_field(console_on):
    async with console_on("cnes", as_=MUNICIPAL_ADMIN, size=(100, 32)) as pilot:
        screen = cnes_screen(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press(*"/tmp/x")
        assert screen.query_one("#cnes-path", Input).value == "/tmp/x"


async def test_ctrl_o_opens_the_picker_in_the_typed_folder(console_on, tmp_path):
    from pec_tui.widgets.file_picker import FilePicker

    folder = tmp_path / "cnes"
    folder.mkdir()
    async with console_on("cnes", as_=MUNICIPAL_ADMIN, size=(100, 32)) as pilot:
        screen = cnes_screen(pilot)
        screen.query_one("#cnes-path", Input).value = str(folder / "ainda-nao-existe" / "arquivo.zip")
        await pilot.press("ctrl+o")
        # (not settle: the picker's directory tree keeps a loader worker waiting)
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, FilePicker))
        assert pilot.app.screen.start == folder.resolve()
        await pilot.press("escape")


async def test_the_picker_opens_where_the_last_file_was_chosen(console_on, tmp_path):
    from pec_tui.widgets.file_picker import FilePicker

    folder = tmp_path / "exportacoes-cnes"
    folder.mkdir()
    (folder / "XmlParaESUS31_420420.zip").write_bytes(b"PK")
    async with console_on("cnes", as_=MUNICIPAL_ADMIN, size=(100, 32)) as pilot:
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, FilePicker))
        assert pilot.app.screen.start == Path.cwd()  # nothing chosen yet: the working folder
        pilot.app.screen.post_message(
            DirectoryTree.FileSelected(
                pilot.app.screen.query_one(DirectoryTree).root, folder / "XmlParaESUS31_420420.zip"
            )
        )
        await wait_until(pilot, lambda: not isinstance(pilot.app.screen, FilePicker))
        cnes_screen(pilot).query_one("#cnes-path", Input).value = ""
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, FilePicker))
        assert pilot.app.screen.start == folder
        await pilot.press("escape")


async def test_the_csv_export_defaults_to_the_data_folder(console_on, tmp_path):
    async with console_on("cnes", as_=MUNICIPAL_ADMIN, size=(100, 32)) as pilot:
        app = pilot.app
        screen = cnes_screen(pilot)
        screen.open_report(CnesImport.select().order_by(CnesImport.id.desc()).first().id)
        await wait_until(pilot, lambda: isinstance(app.screen, CnesReportScreen))
        await pilot.press("x")
        await settle(pilot)
        offered = Path(app.screen.query_one("#path-input", Input).value)
        assert offered.is_absolute()
        assert offered.parent == tmp_path / "data" / "exportacoes"
        await pilot.press("enter")
        await wait_until(pilot, offered.exists)
