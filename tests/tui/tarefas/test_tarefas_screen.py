"""Tarefas agendadas by keyboard: the jobs and the missing scheduler, "Executar agora" with its
log and history, a failed run, a running scheduler named, the countdown moving with the clock."""

from __future__ import annotations

import pyrage
from textual.widgets import DataTable, Log, Static

from pec_tui.domain.tarefas import backup, lease
from pec_tui.screens.tarefas import INSTALL_HINT, TarefasScreen
from pec_tui.storage.models import AuditEvent, ConsoleSetting
from pec_tui.widgets.dialogs import PathDialog
from tests.support.console import INSTALLATION_ADMIN, settle, wait_until


def screen_of(pilot) -> TarefasScreen:
    screen = pilot.app.screen
    assert isinstance(screen, TarefasScreen)
    return screen


def cells(table: DataTable, column: int) -> list[str]:
    return [str(table.get_row_at(row)[column]) for row in range(table.row_count)]


def scheduler_line(screen: TarefasScreen) -> str:
    return str(screen.query_one("#tarefas-agendador", Static).render())


async def loaded(pilot) -> TarefasScreen:
    screen = screen_of(pilot)
    await wait_until(pilot, lambda: screen.overview is not None)
    await settle(pilot)
    return screen


async def test_lists_the_jobs_and_says_how_to_install_the_scheduler(console_on):
    async with console_on("tarefas", as_=INSTALLATION_ADMIN) as pilot:
        screen = await loaded(pilot)
        assert scheduler_line(screen).replace("\n", " ") == INSTALL_HINT
        assert cells(screen.table, 0) == [
            "Tempo de desabilitação",
            "Validade dos certificados",
            "Cadeia da auditoria",
            "Cópia de segurança",
            "Limpeza do histórico",
        ]
        assert cells(screen.table, 1) == [
            "a cada minuto",
            "diária 06:00",
            "diária 03:00",
            "diária 02:00",
            "diária 04:30",
        ]
        # 20/11/2026 09:00: the minute job is due; the audit chain at 03:00 tomorrow.
        assert cells(screen.table, 2) == ["agora", "21:00:00", "18:00:00", "17:00:00", "19:30:00"]
        assert cells(screen.table, 4) == ["nunca"] * 5


async def test_run_now_streams_its_outcome_and_fills_the_history(console_on):
    async with console_on("tarefas", as_=INSTALLATION_ADMIN, notifications=True) as pilot:
        screen = await loaded(pilot)
        await pilot.press("down", "down")  # Cadeia da auditoria
        await pilot.press("x")
        log = screen.query_one("#tarefas-log", Log)
        await wait_until(pilot, lambda: any("sucesso" in line for line in log.lines))
        assert log.lines[-1].startswith("Cadeia da auditoria: sucesso. Trilha de auditoria íntegra: ")
        await wait_until(pilot, lambda: cells(screen.table, 4)[2] == "sucesso")
        assert cells(screen.table, 3)[2] == "20/11 09:00"
        history = screen.history_table
        assert str(screen.query_one("#tarefas-historico-titulo", Static).render()) == "Histórico: Cadeia da auditoria"
        assert [str(cell) for cell in history.get_row_at(0)[:3]] == ["20/11/2026 09:00", "sucesso", "console"]
        assert any(n.message == "Cadeia da auditoria: sucesso." for n in pilot.app._notifications)


async def test_a_failed_run_is_red_and_says_why(console_on):
    async with console_on("tarefas", as_=INSTALLATION_ADMIN) as pilot:
        AuditEvent.update(details="alterado").where(AuditEvent.id == AuditEvent.select().first().id).execute()
        screen = await loaded(pilot)
        await pilot.press("down", "down", "x")
        await wait_until(pilot, lambda: cells(screen.table, 4)[2] == "falha")
        cell = screen.table.get_row_at(2)[4]
        assert cell.style == screen.table.get_component_rich_style("jobs-table--failed", partial=True)
        assert "não confere com a cadeia" in str(screen.history_table.get_row_at(0)[3])


async def test_names_the_running_scheduler_and_moves_the_countdown(console_on, tui_clock):
    held = lease.Lease(lease.SCHEDULER)
    held.host, held.pid = "servidor-pec", 4321
    held.acquire("")
    async with console_on("tarefas", as_=INSTALLATION_ADMIN) as pilot:
        screen = await loaded(pilot)
        assert (
            scheduler_line(screen)
            == "Agendador rodando na máquina servidor-pec, processo 4321, desde 20/11/2026 09:00."
        )
        tui_clock.advance(seconds=5)
        await wait_until(pilot, lambda: cells(screen.table, 2)[2] == "17:59:55", timeout=3)
    held.release()


async def test_history_follows_the_highlighted_job(console_on):
    async with console_on("tarefas", as_=INSTALLATION_ADMIN) as pilot:
        screen = await loaded(pilot)
        await pilot.press("x")  # Tempo de desabilitação
        await wait_until(pilot, lambda: cells(screen.table, 4)[0] == "sucesso")
        await pilot.press("down")
        title = screen.query_one("#tarefas-historico-titulo", Static)
        await wait_until(pilot, lambda: str(title.render()) == "Histórico: Validade dos certificados")
        await wait_until(pilot, lambda: str(screen.history_table.get_row_at(0)[3]) == "Nenhuma execução registrada.")
        await pilot.press("up")
        await wait_until(pilot, lambda: str(screen.history_table.get_row_at(0)[3]) == "Nenhuma desabilitação terminou.")


async def test_copies_tab_makes_and_verifies_a_copy(console_on):
    async with console_on("tarefas", as_=INSTALLATION_ADMIN, notifications=True) as pilot:
        screen = await loaded(pilot)
        await pilot.press("c")
        copies = screen.copies_table
        await wait_until(pilot, lambda: copies.row_count == 1 and str(copies.get_row_at(0)[2]) == "SEM CIFRA")
        state = str(screen.query_one("#copias-estado", Static).render())
        assert state.startswith("Sem chave configurada: as cópias ficam SEM CIFRA")
        row = [str(cell) for cell in copies.get_row_at(0)]
        assert row[0] == "20/11/2026 09:00" and row[4] == "não"
        await pilot.press("v")
        await wait_until(pilot, lambda: str(copies.get_row_at(0)[4]) == "20/11 09:00", timeout=10)
        assert any(n.message.startswith("Cópia íntegra: pec-tui-20261120-090000") for n in pilot.app._notifications)


async def test_an_encrypted_copy_is_verified_with_the_identity_asked_for(console_on, tmp_path):
    identity = tmp_path / "identidade.txt"
    async with console_on("tarefas", as_=INSTALLATION_ADMIN, notifications=True) as pilot:
        backup.keygen(identity)
        screen = await loaded(pilot)
        await pilot.press("c")
        copies = screen.copies_table
        await wait_until(pilot, lambda: copies.row_count == 1 and str(copies.get_row_at(0)[2]) == "age")
        state = str(screen.query_one("#copias-estado", Static).render()).replace("\n", " ")
        assert state.endswith("Retenção: mantém 7 cópias diárias e 12 mensais, e sempre a mais recente.")

        await pilot.press("v")  # a wrong identity first: a sentence, nothing verified
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, PathDialog))
        assert "é cifrada: informe o arquivo da identidade age" in str(
            pilot.app.screen.query_one(".dialog-title", Static).render()
        )
        other = tmp_path / "outra.txt"
        other.write_text(f"{pyrage.x25519.Identity.generate()}\n")
        await pilot.press(*str(other), "enter")
        await wait_until(pilot, lambda: any("não abre esta cópia" in n.message for n in pilot.app._notifications))
        assert str(copies.get_row_at(0)[4]) == "não"

        await pilot.press("v", "escape")  # cancelled: nothing happens
        await settle(pilot)
        assert pilot.app.screen is screen

        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, PathDialog))
        await pilot.press(*str(identity), "enter")
        await wait_until(pilot, lambda: str(copies.get_row_at(0)[4]) == "20/11 09:00", timeout=10)
        assert any(n.message.startswith("Cópia íntegra: pec-tui-20261120-090000") for n in pilot.app._notifications)
        assert not any("identidade" in (row.text or "") for row in ConsoleSetting.select())  # never kept
