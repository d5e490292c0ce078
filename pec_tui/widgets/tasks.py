"""The one worker path, for any node that does blocking work: a screen, a widget, the app.

:meth:`TaskOwner.run_task` runs a task in a thread worker (with its own database connection,
unless told otherwise); the task **returns or raises** and never touches a widget. One handler
turns the outcome into what the user sees: a result goes to ``done`` on the UI thread; a failure
goes to ``failed`` first, when given (it returns True when it handled it), then to
:meth:`TaskOwner.show_failure`: a :class:`~pec_tui.core.errors.PecError` is a notice with its
sentence, anything else a notice ``"<failure>: <detail>."`` — never a traceback. A worker that is
cancelled (an exclusive group's newer run, the node removed) delivers nothing.

Screens use it through :class:`pec_tui.screens.base.PecScreen`, which adds the form errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.dom import DOMNode
from textual.worker import Worker, WorkerState

from pec_tui.core.errors import PecError, describe_error
from pec_tui.storage.database import current_database
from pec_tui.storage.errors import describe
from pec_tui.storage.proxy import database_proxy


@contextmanager
def worker_connection() -> Iterator[None]:
    """Open this worker thread's own database connection and close it at the end
    (SQLite connections are bound to the thread that opened them)."""
    db = current_database()
    if db.is_closed():
        with db.connection_context():
            yield
    else:
        yield


def failure_message(error: BaseException, failure: str) -> str:
    """The sentence for a failed task: a :class:`PecError` says its own; a database driver's
    error becomes its Portuguese sentence (the English one goes to the log: ``storage.errors``),
    "Não foi possível salvar o CBO. O banco de dados está ocupado com …"; anything else is
    ``"<failure>: <detail>."``."""
    if isinstance(error, PecError):
        return error.message
    sentence = describe(error, database_proxy.obj)
    if sentence is not None:
        return f"{failure}. {sentence}"
    return f"{failure}: {describe_error(error)}."


@dataclass(frozen=True)
class _Raised:
    """What a task raised, carried out of the worker as its result: the worker itself ends well,
    so nothing waiting on it (``App.workers.wait_for_complete``) sees a failure."""

    error: BaseException


@dataclass(frozen=True)
class _Task:
    done: Callable[[Any], None] | None
    failure: str
    failed: Callable[[BaseException], bool] | None


class TaskOwner(DOMNode):
    """Mixed into a screen, a widget or the app **after** the Textual class
    (``class PagedTable(Widget, TaskOwner)``): Textual takes a class's stylesheet and CSS type
    names from its first base only, so the Textual class must come first."""

    #: Seconds a failure notice stays up (``None``: Textual's default).
    FAILURE_TIMEOUT: float | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tasks: dict[Worker, _Task] = {}

    def run_task(
        self,
        task: Callable[..., Any],
        *args: Any,
        done: Callable[[Any], None] | None = None,
        failure: str,
        group: str,
        exclusive: bool = True,
        failed: Callable[[BaseException], bool] | None = None,
        connection: bool = True,
        **kwargs: Any,
    ) -> Worker:
        """Run ``task(*args, **kwargs)`` in a thread worker with its own database connection.

        ``failure`` starts the sentence shown for an unexpected error ("Não foi possível salvar o
        CBO"); ``group`` names the worker (``exclusive`` cancels the group's previous one);
        ``connection=False`` for work that reads no database (files, memory, the host)."""

        def body() -> Any:
            try:
                if not connection:
                    return task(*args, **kwargs)
                with worker_connection():
                    return task(*args, **kwargs)
            except Exception as error:  # mapped on the UI thread, by the one handler below
                return _Raised(error)

        worker = self.run_worker(body, name=group, group=group, thread=True, exclusive=exclusive, exit_on_error=False)
        self._tasks[worker] = _Task(done, failure, failed)
        return worker

    @on(Worker.StateChanged)
    def _task_state_changed(self, event: Worker.StateChanged) -> None:
        task = self._tasks.get(event.worker)
        if task is None or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        del self._tasks[event.worker]
        if event.state == WorkerState.CANCELLED:
            return  # superseded or left: nobody waits for this answer
        result = event.worker.result if event.state == WorkerState.SUCCESS else _Raised(event.worker.error)
        if not isinstance(result, _Raised):
            if task.done is not None:
                task.done(result)
        elif task.failed is None or not task.failed(result.error):
            self.show_failure(result.error, task.failure)

    def show_failure(self, error: BaseException, failure: str) -> None:
        """The one mapping from an error to what the user sees (a screen adds its form fields)."""
        self.app.notify(failure_message(error, failure), severity="error", timeout=self.FAILURE_TIMEOUT)
