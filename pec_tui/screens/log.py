"""Log do PEC: follows ``<pec-home>/webserver/logs/pec.log`` like ``tail -f``.

The reading is :mod:`pec_tui.domain.log` (bounded reads from the end, never the whole file),
through ``run_task`` (no database); a long search posts its progress while it runs. Following
is a one-shot timer armed again after each answer, so two reads never overlap; it pauses while
another screen or a dialog is in front.
``/`` filters (substring, case-insensitive) by scanning the file backwards until a screenful of
matches; ``N`` cycles the level filter; lines are coloured by level from the theme.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from rich.highlighter import Highlighter
from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Log, Static
from textual.worker import get_current_worker

from pec_tui.core.errors import PecError, describe_error, os_reason
from pec_tui.domain import log
from pec_tui.domain.diagnostico import format_bytes
from pec_tui.domain.log import LineFilter, LogFollower
from pec_tui.messages import LogFileOpened
from pec_tui.screens.base import PecScreen

LOG_RELATIVE = Path("webserver/logs/pec.log")

#: Level filters that N goes through, in order.
LEVEL_CYCLE: tuple[frozenset[str] | None, ...] = (
    None,
    frozenset({log.ERROR}),
    frozenset({log.ERROR, log.WARN}),
)


def default_log_path(pec_home: Path | None) -> Path | None:
    return pec_home / LOG_RELATIVE if pec_home is not None else None


class LevelHighlighter(Highlighter):
    """ERROR and WARN lines (and stack traces) in their theme colour, the INFO word, DEBUG muted."""

    def __init__(self, view: PecLogView) -> None:
        self.view = view

    def highlight(self, text: Text) -> None:
        plain = text.plain
        if plain.startswith(PecLogView.MARKER):
            text.stylize(self.view.level_style("marker"))
            return
        level = log.line_level(plain)
        if level is None:
            return
        style = self.view.level_style(level.lower())
        if level in (log.ERROR, log.WARN, log.DEBUG):
            text.stylize(style)
        word = log._LEVEL.search(plain, 0, log.LEVEL_PREFIX)
        if word is not None:
            text.stylize(style + Style(bold=True), word.start(), word.end())


class PecLogView(Log):
    """The log lines; colours come from the component classes in app.tcss (theme variables)."""

    MARKER = "── "
    COMPONENT_CLASSES = {
        "pec-log--error",
        "pec-log--warn",
        "pec-log--info",
        "pec-log--debug",
        "pec-log--marker",
    }

    def __init__(self, **kwargs) -> None:
        super().__init__(highlight=True, **kwargs)
        self.highlighter = LevelHighlighter(self)
        self._level_styles: dict[str, Style] = {}

    def level_style(self, name: str) -> Style:
        style = self._level_styles.get(name)
        if style is None:
            # The full style blends translucent colours ($text-muted) with the background;
            # keep only the foreground, so a focused (tinted) log keeps its own background.
            full = self.get_component_rich_style(f"pec-log--{name}")
            style = Style(color=full.color, bold=full.bold, italic=full.italic)
            self._level_styles[name] = style
        return style

    def notify_style_update(self) -> None:
        self._level_styles = {}  # the theme changed
        super().notify_style_update()

    def write_marker(self, text: str) -> None:
        self.write_line(f"{self.MARKER}{text} ──")


class LogScreen(PecScreen):
    CSS_PATH = "log.tcss"
    TITLE_TEXT = "Log do PEC"
    HELP = (
        "Log do PEC. Mostra o fim do arquivo webserver/logs/pec.log da pasta de instalação do PEC "
        "(--pec-home, padrão /opt/e-SUS) e acompanha o que é escrito nele, como tail -f. Quando o "
        "arquivo é truncado ou trocado por um novo (rotação), a leitura recomeça do início dele e "
        "uma linha avisa.\n\n"
        "/ filtra as linhas por um texto (sem diferença entre maiúsculas e minúsculas); Enter num "
        "filtro vazio volta a mostrar tudo. N escolhe os níveis: todos, só ERROR, ou WARN e ERROR. "
        "O filtro procura do fim para o começo do arquivo até encher a tela; em arquivos grandes a "
        "busca para depois de 256 MB e M continua mais para trás. O abre outro arquivo de log.\n\n"
        "Linhas ERROR e as do rastro de pilha (at …, Caused by) aparecem na cor de erro; WARN na "
        "de aviso; DEBUG apagadas. O arquivo nunca é lido inteiro: só o fim e o que é acrescentado."
    )

    BINDINGS = [
        Binding("slash", "filter", "Filtrar", id="log.filter"),
        Binding("n", "cycle_level", "Nível", id="log.level"),
        Binding("m", "older", "Mais antigas", id="log.older"),
        Binding("o", "open_other", "Arquivo", id="log.open"),
        Binding("end", "follow_end", "Ir ao fim", id="log.end", show=False),
    ]

    MAX_LINES = 5000
    TAIL_LINES = 1000
    POLL_SECONDS = 1.0
    PROGRESS_EVERY = 16 * 1024 * 1024
    SEARCH_BYTES = log.MAX_SEARCH_BYTES  # how far back one search goes (M goes on)

    @dataclass
    class Progress(Message):
        """How far a search has gone back, posted by the worker while it runs."""

        generation: int
        scanned: int
        total: int

    def __init__(self, path: Path | None = None) -> None:
        super().__init__(name="log")
        self._initial_path = path
        self.path: Path | None = None
        self.line_filter = LineFilter()
        self._level_index = 0
        self._generation = 0
        self._follower: LogFollower | None = None
        self._last_search: log.SearchResult | None = None
        self._poll_timer: Timer | None = None
        self._poll_pending = False
        self._loading = False
        self._file_size = 0
        self._note = ""
        self._status_shown: tuple = ()

    def compose_body(self) -> ComposeResult:
        with Vertical(id="log", classes="module-body"):
            yield Static("", id="log-status")
            yield Static("", id="log-message", classes="-hidden")
            yield Input(
                placeholder="Caminho do arquivo de log (Enter abre)", compact=True, id="log-path", classes="-hidden"
            )
            yield Input(
                placeholder="Filtrar por texto (Enter aplica; vazio mostra tudo)",
                compact=True,
                id="log-filter",
                classes="-hidden",
            )
            yield PecLogView(max_lines=self.MAX_LINES, id="log-view")

    @property
    def view(self) -> PecLogView:
        return self.query_one("#log-view", PecLogView)

    def on_mount(self) -> None:
        # The file opened last in this session, else the PEC's pec.log.
        path = self._initial_path or self.pec_app.last_log_path or default_log_path(self.pec_app.pec_home)
        self.view.focus()
        if path is None:
            self._ask_path(
                None,
                "A pasta de instalação do PEC não foi encontrada (abra o pec-tui com --pec-home, padrão "
                "/opt/e-SUS). Informe abaixo o caminho do pec.log.",
            )
            return
        self.open_path(path)

    # ------------------------------------------------------------------ opening

    def open_path(self, path: Path) -> None:
        self.path = path
        self._note = ""
        if path.is_dir():
            self._ask_path(path, f"{path} é uma pasta, não um arquivo de log. Informe abaixo o caminho do pec.log.")
            return
        if not path.is_file():
            self._ask_path(
                path,
                f"O arquivo {path} não existe. Confira a pasta de instalação do PEC (--pec-home) ou "
                "informe abaixo outro caminho.",
            )
            return
        self._hide_path()
        self.reload()

    def _ask_path(self, path: Path | None, message: str) -> None:
        self._stop_polling()
        self.path = path
        self._replace_follower(None)
        text = self.query_one("#log-message", Static)
        text.update(Content.styled(message, "$warning"))
        text.remove_class("-hidden")
        field = self.query_one("#log-path", Input)
        field.remove_class("-hidden")
        if path is not None and not field.value:
            field.value = str(path)
        field.focus()
        self.view.clear()
        self._show_status()
        self.refresh_bindings()

    def _hide_path(self) -> None:
        self.query_one("#log-message", Static).add_class("-hidden")
        self.query_one("#log-path", Input).add_class("-hidden")

    @on(Input.Submitted, "#log-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            return
        self.view.focus()
        self.open_path(Path(value).expanduser())

    def action_open_other(self) -> None:
        field = self.query_one("#log-path", Input)
        field.remove_class("-hidden")
        if self.path is not None:
            field.value = str(self.path)
        field.focus()

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        """Read the end again (with the filter, when there is one)."""
        if self.path is None:
            return
        self._stop_polling()
        self._generation += 1
        self._loading = True
        self._last_search = None
        self.view.clear()
        self._show_status("lendo…")
        want = max(20, self.view.size.height or 20)
        self.load(self._generation, self.path, self.line_filter, want, None)

    def load(self, generation: int, path: Path, line_filter: LineFilter, want: int, before: int | None) -> None:
        """Read the end of ``path`` (or search it backwards, from ``before`` when going further)."""
        self.run_task(
            self._read,
            generation,
            path,
            line_filter,
            want,
            before,
            done=partial(self._loaded, generation),
            failed=partial(self._unread, generation, path),
            failure=f"Não foi possível ler {path}",
            group="log-load",
            connection=False,
        )

    def _read(self, generation: int, path: Path, line_filter: LineFilter, want: int, before: int | None) -> Loaded:
        log.refuse_binary(path)
        follower = LogFollower(path)
        if not line_filter.active:
            return Loaded(follower.tail(self.TAIL_LINES), follower)
        worker = get_current_worker()
        last = [0]

        def progress(scanned: int, total: int) -> bool:
            if scanned - last[0] >= self.PROGRESS_EVERY:
                last[0] = scanned
                self.post_message(self.Progress(generation, scanned, total))
            return not worker.is_cancelled

        result = log.search_backwards(
            path, line_filter, want, before=before, max_bytes=self.SEARCH_BYTES, progress=progress
        )
        if before is None:
            follower.position_at(result.end, result.identity, result.size)
            return Loaded(result.lines, follower, result)
        # Going further back: keep following with the current one.
        return Loaded(result.lines, None, result, append=True)

    def _unread(self, generation: int, path: Path, error: BaseException) -> bool:
        if generation == self._generation:  # else an answer to an older request
            self._loading = False
            self._ask_path(path, _read_error(path, error))
        return True

    def on_log_screen_progress(self, message: Progress) -> None:
        if message.generation == self._generation and message.total:
            share = min(100, message.scanned * 100 // message.total)
            self._show_status(
                f"procurando… {share}% ({format_bytes(message.scanned)} de {format_bytes(message.total)})"
            )

    def _loaded(self, generation: int, loaded: Loaded) -> None:
        if generation != self._generation:
            return  # an answer to an older request
        self._loading = False
        view = self.view
        if loaded.append:
            # Older matches go before what is shown.
            shown = list(view.lines)
            view.clear()
            view.write_lines([*loaded.lines, *shown], scroll_end=False)
            view.scroll_home(animate=False)
        else:
            view.write_lines(loaded.lines)
            if loaded.follower is not None:
                self._replace_follower(loaded.follower)
                self._file_size = loaded.follower.size
                if self.path is not None:
                    self.post_message(LogFileOpened(self.path))
        if loaded.search is not None:
            self._last_search = loaded.search
            self._note = self._search_note(loaded.search, len(loaded.lines), loaded.append)
        else:
            self._note = ""
        if not loaded.lines and not loaded.append:
            view.write_marker("nenhuma linha" if not self.line_filter.active else "nenhuma linha com o filtro")
        self._show_status()
        self.refresh_bindings()  # M depends on the search
        self._schedule_poll()

    def _search_note(self, result: log.SearchResult, found: int, more: bool) -> str:
        if result.cancelled:
            return "busca interrompida"
        if result.reached_start:
            if more and not found:
                return "não há mais linhas antes"
            return "arquivo inteiro procurado"
        if found:
            return "M mostra as mais antigas"
        return f"nada nos últimos {format_bytes(result.scanned_bytes)}; M procura mais para trás"

    # ------------------------------------------------------------------ following

    def _replace_follower(self, follower: LogFollower | None) -> None:
        """Keep ``follower`` and close the one before it (a poll still reading it is stale)."""
        old, self._follower = self._follower, follower
        if old is not None and old is not follower:
            old.close()

    def on_unmount(self) -> None:
        self._stop_polling()
        self._replace_follower(None)

    def _schedule_poll(self) -> None:
        self._stop_polling()
        if self._follower is not None:
            self._poll_timer = self.set_timer(self.POLL_SECONDS, self._poll_due, name="log-follow")

    def _stop_polling(self) -> None:
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None

    def _poll_due(self) -> None:
        self._poll_timer = None
        if self._follower is None:
            return
        if self.app.screen is not self:
            self._poll_pending = True  # paused behind another screen or a dialog
            return
        self.poll(self._generation, self._follower)

    def on_screen_resume(self) -> None:
        if self._poll_pending and self._follower is not None and not self._loading:
            self._poll_pending = False
            self.poll(self._generation, self._follower)

    def poll(self, generation: int, follower: LogFollower) -> None:
        """Read what was written since the last poll."""
        self.run_task(
            follower.poll,
            done=partial(self._polled, generation),
            failed=partial(self._poll_failed, generation, follower.path),
            failure=f"Não foi possível ler {follower.path}",
            group="log-follow",
            connection=False,
        )

    def _poll_failed(self, generation: int, path: Path, error: BaseException) -> bool:
        if generation == self._generation:
            self._note = _read_error(path, error)
            self._show_status()
            self._schedule_poll()
        return True

    def _polled(self, generation: int, update: log.FollowUpdate) -> None:
        if generation != self._generation:
            return
        view = self.view
        earlier = self._filtered(update.earlier)
        if earlier:
            view.write_lines(earlier)
        if update.event is not None:
            text = EVENT_TEXT[update.event].format(path=self.path)
            view.write_marker(text)
            self.notify(text, severity="warning", timeout=5)
        if update.skipped_bytes:
            view.write_marker(f"{format_bytes(update.skipped_bytes)} pulados (escritos de uma vez)")
        lines = self._filtered(update.lines)
        if lines:
            view.write_lines(lines)
        if update.event is not None or update.size != self._file_size:
            self._file_size = update.size
            self._show_status()
        self._schedule_poll()

    def _filtered(self, lines: list[str]) -> list[str]:
        if not self.line_filter.active:
            return lines
        return [line for line in lines if self.line_filter.matches(line)]

    # ------------------------------------------------------------------ filter

    def action_filter(self) -> None:
        field = self.query_one("#log-filter", Input)
        field.remove_class("-hidden")
        field.value = self.line_filter.text
        field.focus()

    @on(Input.Submitted, "#log-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        field = self.query_one("#log-filter", Input)
        if not text:
            field.add_class("-hidden")
        self.view.focus()
        self.set_filter(LineFilter(text, self.line_filter.levels))

    def action_cycle_level(self) -> None:
        self._level_index = (self._level_index + 1) % len(LEVEL_CYCLE)
        self.set_filter(LineFilter(self.line_filter.text, LEVEL_CYCLE[self._level_index]))

    def set_filter(self, line_filter: LineFilter) -> None:
        self.line_filter = line_filter
        self.reload()

    def action_older(self) -> None:
        result = self._last_search
        if self.path is None or result is None or result.reached_start or self._loading:
            return
        self._generation += 1
        generation = self._generation
        self._stop_polling()
        self._loading = True
        self._show_status("procurando mais para trás…")
        want = max(20, self.view.size.height or 20)
        # The follower keeps its place; the older lines go before what is shown.
        self.load(generation, self.path, self.line_filter, want, result.stopped_at)

    def action_follow_end(self) -> None:
        self.view.scroll_end(animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("filter", "cycle_level", "follow_end"):
            return self._follower is not None or self._loading  # nothing to filter without a file
        if action == "older":
            result = self._last_search
            return result is not None and not result.reached_start
        return True

    def action_back(self) -> None:
        """Esc closes the field being typed in first; then it leaves the screen."""
        focused = self.focused
        closable = [self.query_one("#log-filter", Input)]
        if self._follower is not None:
            closable.append(self.query_one("#log-path", Input))  # a file is open: the field is optional
        if focused in closable:
            focused.add_class("-hidden")
            self.view.focus()
            return
        super().action_back()

    # ------------------------------------------------------------------ status line

    def _show_status(self, doing: str = "") -> None:
        parts: list[str | tuple[str, str]] = []
        if self.path is None:
            parts.append(("nenhum arquivo aberto", "$text-muted"))
        else:
            parts.append((str(self.path), "bold"))
            if self._follower is not None:
                parts.append(f" · {format_bytes(self._file_size)} · acompanhando")
            elif not self._loading:
                parts.append(" · não aberto")
        if self.line_filter.active:
            parts += [" · filtro: ", (self.line_filter.describe(), "bold $accent")]
        note = doing or self._note
        if note:
            parts += [" · ", (note, "$text-muted")]
        key = tuple(parts)
        if key != self._status_shown:  # a poll every second must not redraw what did not change
            self._status_shown = key
            self.query_one("#log-status", Static).update(Content.assemble(*parts))


EVENT_TEXT = {
    "truncado": "o arquivo foi truncado; lendo de novo do início",
    "rotacionado": "o arquivo foi trocado por um novo (rotação); lendo o novo do início",
    "sumiu": "o arquivo {path} sumiu (rotação?); esperando ele voltar",
    "voltou": "o arquivo {path} voltou; lendo do início",
}


@dataclass(frozen=True)
class Loaded:
    """What a load (tail or search) read: the lines to show and the follower to go on with."""

    lines: list[str]
    follower: LogFollower | None
    search: log.SearchResult | None = None
    append: bool = False  # an older part of a search: put before what is shown


def _read_error(path: Path, exc: BaseException) -> str:
    """Why ``path`` could not be read, in the administrator's words."""
    if isinstance(exc, PecError):  # a binary file: said as is
        return f"{exc.message} Informe abaixo outro caminho."
    if not isinstance(exc, OSError):  # never a traceback on screen
        return f"Não foi possível ler {path}: {describe_error(exc)}."
    if isinstance(exc, FileNotFoundError):
        return f"O arquivo {path} não existe. Informe abaixo outro caminho."
    if isinstance(exc, PermissionError):
        return (
            f"Sem permissão para ler {path}. Rode o pec-tui com um usuário que possa ler os logs do PEC, "
            "ou informe outro caminho."
        )
    if isinstance(exc, IsADirectoryError):
        return f"{path} é uma pasta, não um arquivo de log. Informe o caminho do pec.log."
    return f"Não foi possível ler {path}: {os_reason(exc)}."
