"""Time for the console to show its login screen headless (``run_test``) against a bare
Textual ``App`` in the same script.

Target (issue 2): ratio ≤ 1.5.

What is timed: from the moment the process is started to the first frame that Textual
composes with the screen in place. For the bare ``App`` that is its first frame; for the
console it is the first frame of the login screen with both fields and the demo credentials
(which a worker reads from the database) — what a user sees after typing ``pec-tui demo``.
A frame is caught where Textual hands it to the driver (``App._display``, which headless mode
calls and then discards); the same hook is used for every app, so the comparison is fair.

Each app runs in a fresh interpreter (``--runs`` times, interleaved, median), because a console
starts once per process: the cost of imports, of parsing the stylesheets and of opening the
database is part of what the user waits for. The same apps run again inside one warm process,
printed for information: there Textual has nothing left to import and a bare ``App`` that draws
an empty screen takes a few milliseconds, so any form (even one written in plain Textual, the
"floor" below: the login's widgets with none of pec-tui's code) is several times slower.

Pilot.pause() is not used: it waits for the CPU to look idle in sleeps of 20 ms, which measures
the heuristic rather than the screen.

Run: python benchmarks/login_screen_time.py [--runs 15]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 1.5
ROOT = Path(__file__).resolve().parent.parent
KINDS = ("bare", "floor", "login")


# ------------------------------------------------------------------ the apps, in a child process


def _hook_first_frame(is_target) -> tuple[asyncio.Event, dict[str, float]]:
    """Patch App._display to note the first frame for which ``is_target(screen)`` holds."""
    from textual.app import App

    shown = asyncio.Event()
    state: dict[str, float] = {}
    original = App.__dict__.get("_original_display") or App._display

    def _display(self, screen, renderable):
        if renderable is not None and not self._batch_count and not shown.is_set() and is_target(screen):
            state["at"] = time.time()
            state["perf"] = time.perf_counter()
            state["cpu"] = time.process_time()  # all threads, interpreter start-up included
            shown.set()
        return original(self, screen, renderable)

    App._original_display = original
    App._display = _display
    return shown, state


async def run_bare() -> dict[str, float]:
    from textual.app import App

    started = time.perf_counter()
    shown, state = _hook_first_frame(lambda screen: True)
    app = App()
    async with app.run_test(size=(80, 24)):
        await shown.wait()
    return {"at": state["at"], "seconds": state["perf"] - started, "cpu": state["cpu"]}


async def run_floor() -> dict[str, float]:
    """The login's widgets (header, two Inputs, a Button, texts, Footer) in a plain Textual app."""
    from textual.app import App
    from textual.containers import Center, Vertical
    from textual.screen import Screen
    from textual.widgets import Button, Footer, Input, Static

    class Form(Screen):
        def compose(self):
            yield Static("cabeçalho\ncontexto")
            with Center(), Vertical():
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

    started = time.perf_counter()
    shown, state = _hook_first_frame(lambda screen: isinstance(screen, Form))
    app = FormApp()
    async with app.run_test(size=(80, 24)):
        await shown.wait()
    return {"at": state["at"], "seconds": state["perf"] - started, "cpu": state["cpu"]}


async def run_login(database_url: str) -> dict[str, float]:
    """What ``pec-tui demo`` does on an existing demo database (``pec_tui.cli``: collector off,
    open the database, build the console), in ``run_test`` instead of ``run``."""
    import gc

    started = time.perf_counter()
    gc.disable()
    from pec_tui.cli import build_console
    from pec_tui.storage.database import DatabaseTarget, open_database

    def is_target(screen) -> bool:
        if type(screen).__name__ != "LoginScreen" or not screen.is_mounted:
            return False
        fields = screen.query("#login-cpf, #login-password")
        banner = screen.query("#login-demo")
        return len(fields) == 2 and bool(banner) and not banner.first().has_class("-hidden")

    shown, state = _hook_first_frame(is_target)
    opened = open_database(DatabaseTarget(database_url, "demo"))
    app = build_console(opened)  # what `pec-tui demo` runs
    async with app.run_test(size=(80, 24)):
        await shown.wait()
    opened.close()
    return {"at": state["at"], "seconds": state["perf"] - started, "cpu": state["cpu"]}


def run_kind(kind: str, database_url: str) -> dict[str, float]:
    if kind == "bare":
        return asyncio.run(run_bare())
    if kind == "floor":
        return asyncio.run(run_floor())
    return asyncio.run(run_login(database_url))


# ------------------------------------------------------------------ the parent


def cold(kind: str, database_url: str) -> tuple[float, float]:
    """Seconds from starting a fresh interpreter to the target frame, and the CPU seconds the
    process had used by then (less disturbed by other work on a shared machine)."""
    started = time.time()
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, database_url],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=child_env(),
    )
    child = json.loads(out.stdout.strip().splitlines()[-1])
    return child["at"] - started, child["cpu"]


# Bytecode as a user's machine has it: pip compiled Textual's when it installed it, and Python
# writes pec-tui's own (an editable install) on its first run. Where PYTHONDONTWRITEBYTECODE
# is set (as on some CI machines), pec-tui would be compiled from source at every start while
# Textual is not; the warm-up run below writes it once.
def child_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--sem-quente", action="store_true", help="skip the warm in-process figures")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, url = args.child
        print(json.dumps(run_kind(kind, url)))
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PEC_TUI_DATA_DIR"] = tmp
        os.environ.pop("PEC_TUI_DATABASE", None)
        script = Path(sys.executable).parent / "pec-tui"
        subprocess.run([str(script), "demo", "--sem-console"], check=True, capture_output=True)
        url = f"sqlite:///{Path(tmp) / 'demo.sqlite3'}"

        for kind in KINDS:  # compiled bytecode and the disk cache, outside the timing
            cold(kind, url)
        cold_times: dict[str, list[float]] = {kind: [] for kind in KINDS}
        cold_cpu: dict[str, list[float]] = {kind: [] for kind in KINDS}
        for _ in range(args.runs):
            for kind in KINDS:
                wall, cpu = cold(kind, url)
                cold_times[kind].append(wall)
                cold_cpu[kind].append(cpu)

        warm_times: dict[str, list[float]] = {kind: [] for kind in KINDS}
        if not args.sem_quente:
            for kind in KINDS:  # first-run costs, outside the timing
                run_kind(kind, url)
            for _ in range(args.runs):
                for kind in KINDS:
                    warm_times[kind].append(run_kind(kind, url)["seconds"])

    cold_med = {kind: statistics.median(values) for kind, values in cold_times.items()}
    cpu_med = {kind: statistics.median(values) for kind, values in cold_cpu.items()}
    warm_med = {kind: statistics.median(values) for kind, values in warm_times.items() if values}
    ratio = cold_med["login"] / cold_med["bare"]
    print(f"runs: {args.runs} (median), 80x24, headless")
    print("from process start to the first frame of the screen:")
    print(f"  bare App                                  {ms(cold_med['bare'])}")
    print(
        f"  same widgets, plain Textual app (floor)   {ms(cold_med['floor'])}"
        f"  (ratio {cold_med['floor'] / cold_med['bare']:.2f})"
    )
    print(
        f"  pec-tui login, demo credentials shown     {ms(cold_med['login'])}"
        f"  ({(cold_med['login'] - cold_med['floor']) * 1000:+.1f} ms over the floor)"
    )
    print(f"  ratio login / bare App                    {ratio:7.2f}  (target ≤ {TARGET_RATIO})")
    print(
        f"  CPU time used by then: bare {ms(cpu_med['bare'])}, floor {ms(cpu_med['floor'])}, "
        f"login {ms(cpu_med['login'])} (ratio {cpu_med['login'] / cpu_med['bare']:.2f})"
    )
    if warm_med:
        print_warm(warm_med)
    print("OK" if ratio <= TARGET_RATIO else "ACIMA DO ALVO")
    return 0


def print_warm(warm_med: dict[str, float]) -> None:
    print("inside one warm process (imports done; for information):")
    print(f"  bare App {ms(warm_med['bare'])}, floor {ms(warm_med['floor'])}, login {ms(warm_med['login'])}")
    print(
        f"  ratios to the bare App: floor {warm_med['floor'] / warm_med['bare']:.1f}, "
        f"login {warm_med['login'] / warm_med['bare']:.1f}; login over the floor "
        f"{(warm_med['login'] - warm_med['floor']) * 1000:+.1f} ms"
    )


if __name__ == "__main__":
    sys.exit(main())
