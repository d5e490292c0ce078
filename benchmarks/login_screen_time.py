"""Time for the console to show its login screen headless (``run_test``) against a bare
Textual ``App`` in the same script.

Target (issue 2): ratio ≤ 1.5. Both are measured from constructing the app to the first
frame with the screen in place (login fields mounted, workers done), interleaved, median of
--runs. Imports are done once before timing; a cold start in a fresh interpreter is printed
too, for information.
Run: python benchmarks/login_screen_time.py [--runs 15]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 1.5


async def bare_app_time() -> float:
    from textual.app import App

    start = time.perf_counter()
    app = App()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    return time.perf_counter() - start


async def same_widgets_time() -> float:
    """The floor: the login's widgets (header, two Inputs, a Button, texts, Footer) in a plain
    Textual app, with none of pec-tui's code. What Textual itself costs to draw such a form."""
    from textual.app import App
    from textual.containers import Vertical
    from textual.screen import Screen
    from textual.widgets import Button, Footer, Input, Static

    class Form(Screen):
        def compose(self):
            yield Static("cabeçalho\ncontexto")
            with Vertical():
                yield Static("título")
                yield Input()
                yield Input(password=True)
                yield Button("Entrar")
                yield Static("")
            yield Static("demonstração")
            yield Footer()

    class FormApp(App):
        def on_mount(self) -> None:
            self.push_screen(Form())

    start = time.perf_counter()
    app = FormApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    return time.perf_counter() - start


async def login_time(database_url: str) -> float:
    from pec_tui.app import PecTuiApp
    from pec_tui.storage.database import DatabaseTarget, open_database

    start = time.perf_counter()
    opened = open_database(DatabaseTarget(database_url, "demo"))
    app = PecTuiApp(opened)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#login-cpf")
    elapsed = time.perf_counter() - start
    opened.close()
    return elapsed


COLD = """
import asyncio, sys, time
start = time.perf_counter()
sys.path.insert(0, {root!r})
from benchmarks.login_screen_time import {func}
asyncio.run({func}({arg}))
print(time.perf_counter() - start)
"""


def cold(func: str, arg: str, env: dict[str, str]) -> float:
    code = COLD.format(root=str(Path(__file__).resolve().parent.parent), func=func, arg=arg)
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PEC_TUI_DATA_DIR"] = tmp
        os.environ.pop("PEC_TUI_DATABASE", None)
        script = Path(sys.executable).parent / "pec-tui"
        subprocess.run([str(script), "demo", "--sem-console"], check=True, capture_output=True)
        url = f"sqlite:///{Path(tmp) / 'demo.sqlite3'}"
        asyncio.run(bare_app_time())  # imports and first-run costs, outside the timing
        asyncio.run(login_time(url))
        asyncio.run(same_widgets_time())
        bare, floor, login = [], [], []
        for _ in range(args.runs):
            bare.append(asyncio.run(bare_app_time()))
            floor.append(asyncio.run(same_widgets_time()))
            login.append(asyncio.run(login_time(url)))
        cold_bare = statistics.median(cold("bare_app_time", "", dict(os.environ)) for _ in range(3))
        cold_login = statistics.median(cold("login_time", repr(url), dict(os.environ)) for _ in range(3))
    ratio = statistics.median(login) / statistics.median(bare)
    print(f"runs: {args.runs}")
    print(f"bare App        median {statistics.median(bare) * 1000:7.1f} ms")
    print(f"same widgets, plain Textual app (floor) median {statistics.median(floor) * 1000:7.1f} ms "
          f"(ratio {statistics.median(floor) / statistics.median(bare):.2f})")
    print(f"login screen    median {statistics.median(login) * 1000:7.1f} ms "
          f"({(statistics.median(login) - statistics.median(floor)) * 1000:+.1f} ms over the floor)")
    print(f"ratio                  {ratio:7.2f}  (target ≤ {TARGET_RATIO})")
    print(
        f"cold start (fresh interpreter, imports included): bare {cold_bare * 1000:.0f} ms, "
        f"login {cold_login * 1000:.0f} ms, ratio {cold_login / cold_bare:.2f}"
    )
    print("OK" if ratio <= TARGET_RATIO else "ACIMA DO ALVO")
    return 0


if __name__ == "__main__":
    sys.exit(main())
