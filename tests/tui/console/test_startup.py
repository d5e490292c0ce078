"""The console's start as the CLI builds it: first frame complete, collector handed back."""

from __future__ import annotations

import gc

from textual.widgets import Static

from pec_tui import cli
from pec_tui.screens.login import LoginScreen


def _banner(app) -> Static:
    return app.screen.query_one("#login-demo", Static)


async def test_the_cli_reads_the_installation_before_the_first_frame(demo_db):
    app = cli.build_console(demo_db)
    assert app.installation is not None and app.installation.demo
    async with app.run_test(size=(80, 24)):
        # No worker has had to run: the banner and the header are there from the start.
        assert isinstance(app.screen, LoginScreen)
        assert not _banner(app).has_class("-hidden")
        assert "52998224725" not in str(_banner(app).render())  # shown formatted
        assert "529.982.247-25" in str(_banner(app).render())
        assert not [worker for worker in app.workers if worker.group == "installation"]


async def test_without_start_data_a_worker_fills_the_login_screen(make_app):
    app = make_app()  # the tests' own construction: no start data
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "529.982.247-25" in str(_banner(app).render())


async def test_a_collector_turned_off_for_the_start_is_frozen_and_back_on(demo_db):
    assert gc.isenabled()
    gc.disable()  # what `pec-tui demo` / `pec-tui console` do before anything else
    try:
        app = cli.build_console(demo_db)
        frozen_before = gc.get_freeze_count()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert gc.isenabled()
            assert gc.get_freeze_count() > frozen_before
    finally:
        gc.enable()
        gc.unfreeze()


async def test_with_the_collector_on_the_console_leaves_it_alone(demo_db):
    app = cli.build_console(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert gc.isenabled()
        assert gc.get_freeze_count() == 0


def test_a_console_command_that_fails_turns_the_collector_back_on(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PEC_TUI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PEC_TUI_DATABASE", raising=False)
    assert cli.main(["--database", f"sqlite:///{tmp_path / 'nada.sqlite3'}", "console"]) == 1
    assert "não existe" in capsys.readouterr().err
    assert gc.isenabled()
