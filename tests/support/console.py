"""Driving the console like a person: type, press, wait for workers (never sleep)."""

from __future__ import annotations

from textual.pilot import Pilot

INSTALLATION_ADMIN = ("52998224725", "demo1234")
MUNICIPAL_ADMIN = ("11144477735", "demo1234")
BLOCKED = "39053344705"
FIRST_ACCESS = "16899535009"


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def login(pilot: Pilot, cpf: str, password: str, *, typed: bool = False) -> None:
    """Log in with Enter from the fields; ``typed`` presses every character (slower)."""
    await settle(pilot)
    screen = pilot.app.screen
    cpf_input = screen.query_one("#login-cpf")
    password_input = screen.query_one("#login-password")
    cpf_input.focus()
    if typed:
        cpf_input.value = password_input.value = ""
        await pilot.press(*cpf, "enter", *password)
    else:
        cpf_input.value = cpf
        await pilot.press("enter")
        password_input.value = password
    await pilot.press("enter")
    await settle(pilot)


async def wait_until(pilot: Pilot, predicate, *, timeout: float = 5.0) -> None:
    """Pause until ``predicate()`` holds (for Textual's own async work, like the palette's search)."""
    steps = int(timeout / 0.02)
    for _ in range(steps):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"condition not met within {timeout} s")
