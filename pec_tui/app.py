"""The console: login → início → one screen per administration module.

The app owns the session (who is logged in, their roles, the security settings), the screen
stack and the inactivity lock. Screens do their database work through ``run_task`` (see
:mod:`pec_tui.screens.base`) and ask the app for navigation with the messages of
:mod:`pec_tui.messages` (log in, open a module, início, alterar senha, end the session).
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import deque
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen
from textual.theme import BUILTIN_THEMES, Theme

from pec_tui import messages
from pec_tui.core import clock
from pec_tui.core.errors import describe_error
from pec_tui.core.keymap import load_keymap
from pec_tui.domain.settings import SecuritySettings
from pec_tui.screens.base import PecScreen
from pec_tui.screens.login import LoginScreen
from pec_tui.widgets.tasks import TaskOwner

if TYPE_CHECKING:
    from textual.command import Provider

    from pec_tui.domain.accounts import LoggedUser
    from pec_tui.domain.installation_info import ConsoleStart, InstallationSummary
    from pec_tui.storage.database import OpenedDatabase

# The login screen is drawn before the rest of the console is imported: the domain modules a
# session needs (accounts, installation, modules, the palette's provider) load in the workers
# or on first use. `benchmarks/login_screen_time.py` measures it.


def _modules_provider() -> type[Provider]:
    from pec_tui.commands import ModulesProvider

    return ModulesProvider


def pec_theme() -> Theme:
    """Textual's dark theme with an amber that stays amber on 16 colours.

    On a 16-colour terminal (``TERM=xterm``) every colour becomes the nearest of the 16: Textual's
    orange (#ffa62b) turns bright red, the colour of ``$error``, so the DEMONSTRAÇÃO badge looked
    like PRODUÇÃO. #ffb52b is the same amber in true colour and bright yellow on 16 colours; red
    stays for errors and PRODUÇÃO (tests/tui/console/test_header_colours.py)."""
    base = BUILTIN_THEMES["textual-dark"]
    return replace(base, name="pec-tui", accent=AMBER, warning=AMBER)


AMBER = "#ffb52b"


class KeyHandled(Message):
    """Posted behind a key to the widget it went to; back at the app, that key is done (unless
    what the key caused is still queued on its way up: then it goes round again)."""

    def __init__(self, target: DOMNode, rounds: int = 0) -> None:
        super().__init__()
        self.target = target
        self.rounds = rounds


ACTIVITY_EVENTS = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp, events.Paste)


def _console_start() -> ConsoleStart:
    from pec_tui.domain.installation_info import console_start

    return console_start()


def _unknown_binding_ids(ids: frozenset[str]) -> list[str]:
    """The ids of ``keymap.toml`` that name no binding of the console (in a worker: it imports
    every module's screen, which start-up does not)."""
    from importlib import import_module

    from textual.binding import Binding
    from textual.dom import DOMNode

    from pec_tui import modules

    for module in modules.MODULES:
        if module.screen:
            import_module(module.screen.partition(":")[0])
    for name in ("pec_tui.screens.password", "pec_tui.screens.blocked_users", "pec_tui.screens.help"):
        import_module(name)
    known: set[str] = set()
    pending: list[type] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("pec_tui."):
            known.update(b.id for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding) and b.id)
    return sorted(ids - known)


def _end_session(user_id: int, inactivity_minutes: int | None) -> None:
    from pec_tui.domain import accounts

    accounts.end_session(user_id, inactivity_minutes=inactivity_minutes)


#: Said once at login when the database user may only read (the manual's esus_leitura).
READ_ONLY_NOTICE = (
    "Somente leitura: o usuário do banco de dados não pode gravar. As telas mostram os dados; "
    "nenhuma alteração pode ser salva."
)


class PecTuiApp(App[int], TaskOwner):
    CSS_PATH = "app.tcss"
    TITLE = "pec-tui"
    COMMANDS = {_modules_provider}
    ENABLE_COMMAND_PALETTE = True
    COMMAND_PALETTE_BINDING = "ctrl+p"

    # Global keys: on every screen of a session (check_action hides them before the login and,
    # but for leaving, while a forced password change is pending).
    # Every footer shows Ctrl+T and Ctrl+L after the screen's own keys; at 80 columns there is no
    # room for more, so Ctrl+P and Ctrl+Q show on Início's footer only (F1 lists all of them,
    # Ctrl+C says how to leave).
    BINDINGS = [
        Binding("ctrl+p", "command_palette", "Buscar", id="app.palette", priority=True, show=False),
        Binding("ctrl+t", "change_password", "Senha", id="app.password", priority=True, tooltip="Alterar senha"),
        Binding("ctrl+l", "logout", "Encerrar sessão", id="app.logout", priority=True),
        Binding("ctrl+q", "quit", "Sair", id="app.quit", priority=True, show=False),
    ]

    #: Binding ids of earlier versions still accepted in keymap.toml (the keys were Início's).
    KEYMAP_ALIASES = {"home.password": "app.password", "home.logout": "app.logout"}

    def __init__(
        self,
        opened: OpenedDatabase,
        *,
        start: ConsoleStart | None = None,
        inactivity_check_seconds: float = 15.0,
        keymap_path: Path | None = None,
        cursor_blink: bool = True,
        pec_home: Path | None = None,
    ) -> None:
        super().__init__()
        self.register_theme(pec_theme())
        self.theme = "pec-tui"
        #: The PEC installation root on this host (``--pec-home``; /opt/e-SUS when it exists), or None.
        self.pec_home = pec_home
        self.cursor_blink = cursor_blink  # False in snapshot tests: a blinking cursor is not reproducible
        self.opened = opened
        self.session: LoggedUser | None = None
        #: The session must change its password before anything else (manual 3.1.2, 3.5.1):
        #: only the change and leaving are reachable until it is done.
        self.password_change_pending = False
        #: The log file Log do PEC opened last in this session (it reopens there).
        self.last_log_path: Path | None = None
        # Keys are handled one at a time (see on_event): those that arrive while one is still
        # on its way through the screen wait here, in order.
        self._pending_keys: deque[events.Key] = deque()
        self._key_in_flight: object | None = None
        self.installation: InstallationSummary | None = None
        self.security = SecuritySettings()
        self.demo_banner = ""
        self.inactivity_check_seconds = inactivity_check_seconds
        self.last_activity: dt.datetime = clock.now()
        # Read before the app started (the CLI does, so the first frame is complete); without
        # it, a worker reads it once the login screen is up.
        if start is not None:
            self._apply_start(start)
        keymap, self._keymap_problem = load_keymap(keymap_path)
        for old, new in self.KEYMAP_ALIASES.items():
            if old in keymap:
                keymap.setdefault(new, keymap.pop(old))
        self._keymap_ids = frozenset(keymap)
        if keymap:
            self.set_keymap(keymap)

    # ---------------------------------------------------------------- palette

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("command_palette", "change_password"):
            # Nothing to reach before logging in, nor before a forced change is done; hidden.
            return self.session is not None and not self.password_change_pending
        if action == "logout":
            return self.session is not None
        return True

    def action_command_palette(self) -> None:
        if self.session is None or self.password_change_pending:
            return
        if not CommandPalette.is_open(self):
            from pec_tui.widgets.portuguese import PecCommandPalette

            self.push_screen(PecCommandPalette(placeholder="Buscar módulo ou ação…", id="--command-palette"))

    def action_help_quit(self) -> None:
        """Ctrl+C outside a field: say how to leave (Textual's hint is in English)."""
        self.notify("Ctrl+Q fecha o pec-tui; Ctrl+L encerra a sessão.", title="Sair?")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("Ajuda", "Mostra a ajuda e as teclas desta tela (F1).", self._help_current)
        yield SystemCommand("Sair", "Fecha o pec-tui.", self.action_quit)

    def _help_current(self) -> None:
        if isinstance(self.screen, PecScreen):
            self.screen.action_help()

    # ---------------------------------------------------------------- start-up

    def on_mount(self) -> None:
        from pec_tui.widgets.portuguese import translate_textual

        translate_textual()
        self.title = "pec-tui"
        self.push_screen(LoginScreen(demo_banner=self.demo_banner))
        if not gc.isenabled():  # turned off for the start-up by pec_tui.cli.main
            self.call_after_refresh(self._start_up_done)
        if self.installation is None:
            self.load_installation()
        self.set_interval(self.inactivity_check_seconds, self.check_inactivity, name="inactivity")
        if self._keymap_problem:
            self.notify(self._keymap_problem, severity="warning", timeout=10)
        if self._keymap_ids:
            self.run_task(
                _unknown_binding_ids,
                self._keymap_ids,
                done=self._warn_unknown_ids,
                failure="Não foi possível conferir o arquivo de teclas",
                group="keymap",
                connection=False,
            )

    def _warn_unknown_ids(self, unknown: list[str]) -> None:
        if unknown:
            self.notify(
                f"No arquivo de teclas, {', '.join(unknown)} não "
                f"{'é o id' if len(unknown) == 1 else 'são ids'} de nenhuma tecla do pec-tui; "
                "os ids estão na ajuda (F1) e no código de cada tela.",
                severity="warning",
                timeout=10,
            )

    def _start_up_done(self) -> None:
        """The first frame is up. Collect start-up's garbage once (the user is reading the
        screen), freeze what is left (it lives all session: the collector never walks it again)
        and turn the collector back on."""
        gc.collect()
        gc.freeze()
        gc.enable()

    def load_installation(self) -> None:
        """Read the installation again (the header and the demo banner follow)."""
        self.run_task(
            _console_start,
            done=self._installation_loaded,
            failed=self._installation_unread,
            failure="Não foi possível ler a instalação",
            group="installation",
        )

    def _apply_start(self, start: ConsoleStart) -> None:
        self.installation = start.summary
        self.demo_banner = ""
        if start.summary.demo:  # the demo's accounts, on its login screen only
            from pec_tui.demo.accounts import credentials_banner

            self.demo_banner = credentials_banner()
        self.security = start.security

    def _installation_unread(self, error: BaseException) -> bool:
        self.notify(f"Não foi possível ler a instalação: {describe_error(error)}.", severity="error", timeout=10)
        return True

    def _installation_loaded(self, start: ConsoleStart) -> None:
        self._apply_start(start)
        for screen in self.screen_stack:
            if isinstance(screen, PecScreen):
                screen.refresh_header()
            if isinstance(screen, LoginScreen):
                screen.show_demo_banner(self.demo_banner)

    # ---------------------------------------------------------------- session

    def on_logged_in(self, message: messages.LoggedIn) -> None:
        result = message.result
        self.session = result.user
        if message.security is not None:
            self.security = message.security
        self.last_activity = clock.now()
        self.password_change_pending = result.must_change_password
        if result.must_change_password:
            from pec_tui.screens.password import ChangePasswordScreen

            self._reset_to(ChangePasswordScreen(forced=True, reason=result.reason, current_password=message.password))
        else:
            self._show_home()
            if result.user.read_only:
                self.notify(READ_ONLY_NOTICE, severity="warning", timeout=15)

    def on_show_home(self, message: messages.ShowHome) -> None:
        self._show_home()

    def on_password_changed(self, message: messages.PasswordChanged) -> None:
        """The forced change is done: the session may go anywhere its profiles allow."""
        if self.password_change_pending:
            self.password_change_pending = False
            self._show_home()

    def _show_home(self) -> None:
        if self.session is not None and not self.password_change_pending:
            from pec_tui.screens.home import HomeScreen

            self._reset_to(HomeScreen())

    def on_open_module(self, message: messages.OpenModule) -> None:
        self.open_module(message.key)

    def open_module(self, key: str) -> None:
        session = self.session
        if session is None or self.password_change_pending:
            return
        from pec_tui import modules

        if not modules.may_open(session, key):
            self.notify("O seu perfil não dá acesso a este módulo.", severity="warning")
            return
        factory = modules.screen_factory(key)
        if factory is None:
            from pec_tui.screens.placeholder import UnderConstructionScreen

            self.push_screen(UnderConstructionScreen(modules.BY_KEY[key]))
        else:
            self.push_screen(factory())

    def action_change_password(self) -> None:
        self.post_message(messages.ChangePassword())

    def action_logout(self) -> None:
        self.post_message(messages.Logout())

    def on_change_password(self, message: messages.ChangePassword) -> None:
        if self.session is not None and not self.password_change_pending:
            from pec_tui.screens.password import ChangePasswordScreen

            if isinstance(self.screen, ChangePasswordScreen):
                return  # already open
            from pec_tui.screens.password import ChangePasswordScreen

            self.push_screen(ChangePasswordScreen(forced=False))

    def on_log_file_opened(self, message: messages.LogFileOpened) -> None:
        self.last_log_path = message.path

    def on_show_blocked_users(self, message: messages.ShowBlockedUsers) -> None:
        session = self.session
        if session is None or self.password_change_pending:
            return
        if not session.installation_admin:
            self.notify("Só o administrador da instalação desbloqueia contas aqui.", severity="warning")
            return
        from pec_tui.screens.blocked_users import BlockedUsersDialog

        self.push_screen(BlockedUsersDialog())

    def on_logout(self, message: messages.Logout) -> None:
        self.logout(message.notice)

    def logout(self, notice: str = "Sessão encerrada.", *, inactivity_minutes: int | None = None) -> None:
        session = self.session
        self.session = None
        self.password_change_pending = False
        if session is not None:
            self.record_session_end(session.user_id, inactivity_minutes)
        self._reset_to(LoginScreen(notice=notice, demo_banner=self.demo_banner))

    def record_session_end(self, user_id: int, inactivity_minutes: int | None) -> None:
        """Audit the end of the session (logout or inactivity lock), off the UI thread."""
        self.run_task(
            _end_session,
            user_id,
            inactivity_minutes,
            failure="Não foi possível registrar o fim da sessão",
            group="session",
            exclusive=False,
        )

    def _reset_to(self, screen: PecScreen) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(screen)

    # ---------------------------------------------------------------- failures

    def _print_error_renderables(self) -> None:
        """No traceback reaches the screen: it goes to the log file, the screen gets a sentence.

        (Textual's own hook, private in the pinned version; covered by a test.)"""
        if not self._exit_renderables:
            return
        from rich.console import Console

        from pec_tui.storage.database import data_dir

        path = data_dir() / "pec-tui.log"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as log_file:
                console = Console(file=log_file, width=120, color_system=None)
                console.print(f"--- {clock.now().isoformat(sep=' ')} erro inesperado no console")
                for renderable in self._exit_renderables:
                    console.print(renderable)
        except OSError:
            pass
        self._exit_renderables.clear()
        self.error_console.print(
            f"pec-tui: erro inesperado no console; nada foi perdido do que já estava salvo. "
            f"Detalhes gravados em {path}.",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )

    # ---------------------------------------------------------------- inactivity

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, ACTIVITY_EVENTS):
            self.last_activity = clock.now()
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self._key_arrived(event)
            return
        await super().on_event(event)

    # ---------------------------------------------------------------- keys, one at a time

    # Textual hands a key to the focused widget's queue and goes on to the next key at once; a key
    # the widget does not use (Tab, Enter on a field, a screen's shortcut) comes back up to the
    # screen and the app later. Keys typed in one burst (a paste, a password manager, a script, a
    # slow SSH link) then reach the old focus before Tab has moved it. So each key is followed
    # through the screen by a marker (KeyHandled, which bubbles the same way, behind it); the next
    # key goes only when the marker is back and nothing the key caused (an Input.Submitted whose
    # handler moves the focus) is still queued between the widget and the screen; else it goes
    # round again (at most KEY_ROUNDS times). A marker lost with its widget (the key closed the
    # screen) is given up after KEY_TIMEOUT seconds.

    KEY_TIMEOUT = 0.25
    KEY_ROUNDS = 10

    async def _key_arrived(self, event: events.Key) -> None:
        if self._key_in_flight is not None:
            self._pending_keys.append(event)
            return
        await self._dispatch_key(event)

    async def _dispatch_key(self, event: events.Key) -> None:
        target = self.focused or self.screen
        await super().on_event(event)
        if not event.is_forwarded:  # a priority binding took it, here and now
            return
        self._follow_key(KeyHandled(target))

    def _follow_key(self, marker: KeyHandled) -> None:
        self._key_in_flight = marker
        marker.target.post_message(marker)
        self.set_timer(self.KEY_TIMEOUT, lambda: self._key_handled(marker), name="key-timeout")

    def on_key_handled(self, marker: KeyHandled) -> None:
        marker.stop()
        if marker is self._key_in_flight and marker.rounds < self.KEY_ROUNDS and self._still_busy(marker.target):
            self._follow_key(KeyHandled(marker.target, marker.rounds + 1))
            return
        self._key_handled(marker)

    @staticmethod
    def _still_busy(target: DOMNode) -> bool:
        """Messages still queued on the way from ``target`` up to its screen."""
        if not target.is_attached:
            return False
        node: DOMNode | None = target
        while node is not None and not isinstance(node, App):
            if node.message_queue_size:
                return True
            node = node.parent
        return False

    def _key_handled(self, marker: KeyHandled) -> None:
        if marker is not self._key_in_flight:
            return  # given up already
        self._key_in_flight = None
        if self._pending_keys:
            self.call_next(self._next_key)

    async def _next_key(self) -> None:
        if self._key_in_flight is None and self._pending_keys:
            await self._dispatch_key(self._pending_keys.popleft())

    def check_inactivity(self) -> bool:
        """Lock the session once the configured inactivity has passed. True when it locked."""
        if self.session is None:
            return False
        limit = self.security.inactivity_minutes
        if clock.now() - self.last_activity < dt.timedelta(minutes=limit):
            return False
        self.logout(
            f"Sessão encerrada após {limit} minutos sem atividade. Entre novamente.",
            inactivity_minutes=limit,
        )
        return True
