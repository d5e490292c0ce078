"""Driving the console like a person: type, press, wait for workers (never sleep).

Only the login tests (``tests/tui/console/test_login*``) type a login (:func:`login`); every other
console test starts already logged in, on its module (:func:`logged_in`, or the ``console_on``
fixture of ``tests/tui/conftest.py`` built on it)."""

from __future__ import annotations

from textual.pilot import Pilot

#: ``(CPF, password)`` of the demo's accounts.
Account = tuple[str, str]
INSTALLATION_ADMIN: Account = ("52998224725", "demo1234")
MUNICIPAL_ADMIN: Account = ("11144477735", "demo1234")
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


async def logged_in(pilot: Pilot, key: str | None = None, *, as_: Account) -> None:
    """``as_``'s session started without the login screen, then module ``key`` opened (Início when None).

    The login screen's own steps, without the typing and its worker: the same domain calls
    (``accounts.authenticate``, ``settings.security``) and the same message to the app
    (``LoggedIn``), so the session, the audit trail and the screen stack (Início under the module)
    are the ones a typed login leaves. The module opens through ``app.open_module``, as from Início."""
    from pec_tui.domain import accounts, settings
    from pec_tui.messages import LoggedIn

    app = pilot.app
    await settle(pilot)  # the login screen up and the installation read, as a person finds them
    cpf, password = as_
    result = accounts.authenticate(cpf, password)
    app.post_message(LoggedIn(result, password, settings.security()))
    await settle(pilot)
    assert app.session is not None and app.session.login == cpf
    if key is not None:
        app.open_module(key)
        await settle(pilot)
        assert app.screen.name == key, f"{key} did not open: {app.screen!r}"


async def wait_until(pilot: Pilot, predicate, *, timeout: float = 5.0) -> None:
    """Pause until ``predicate()`` holds (for Textual's own async work, like the palette's search)."""
    steps = int(timeout / 0.02)
    for _ in range(steps):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"condition not met within {timeout} s")
