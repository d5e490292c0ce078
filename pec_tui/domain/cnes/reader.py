"""The CNES file read in a child process, so that reading overlaps the database writes.

An import spends its time in two places that do not wait for each other: lxml turning 40 MB of
XML into records, and the database taking 600,000 rows. Run one after the other in one process
they add up; on two cores they can run side by side. So the importer starts
``python -m pec_tui.domain.cnes.reader FILE CHUNK``, which opens the file (``.xml`` or ``.zip``, with every
check of :mod:`pec_tui.domain.cnes.archive`), reads it with :func:`pec_tui.domain.cnes.parser.iter_cnes_rows`,
runs the checks that need nothing but the record itself (CPF and CNS check digits, the shape of a
CBO) and sends the records in batches through its standard output, while the importer, in its
own transaction, applies the rules that need the database and writes.

Each message is a pickled tuple ``(kind, payload, records read, bytes of XML read)`` preceded by
its length (4 bytes, little endian):

* ``("header", (CnesHeader, display name, XML size, warnings), …)``, first;
* ``("units", [CnesUnit, …], …)``: units in document order, at most ``CHUNK`` of them or
  :data:`BATCH_BYTES` of XML per batch (a file whose units pass :data:`MAX_UNIT_BYTES` is refused);
* ``("professionals", [row, …], …)``: at most ``CHUNK`` professionals (or :data:`BATCH_BYTES` of
  XML), each a plain tuple with the
  fields of :class:`ProfessionalRecord` (a :data:`~pec_tui.domain.cnes.parser.ProfessionalRow`
  followed by two booleans, CPF valid and CNS valid, and why a value is longer than its column or
  None; each lotação followed by one, the CBO has the shape of a CBO);
* ``("error", (message, file name, line, detail), …)``: the file was refused
  (:class:`CnesFileError`, the same Portuguese sentence the importer shows; ``detail`` the
  parser's own text, for the log); nothing follows;
* ``("crash", text, …)``: an unexpected failure of the reader; nothing follows;
* ``("end", None, …)``: the file was read whole.

The child only reads: it never opens the database. The parent owns its lifetime (a cancelled or
failed import kills it), and the child dies with the parent: it asks Linux for ``SIGKILL`` when
its parent ends (``PR_SET_PDEATHSIG``) and, everywhere, a thread waits on its standard input, a
pipe only the parent holds, and ends the process when it closes.

The pipe is the backpressure: a thread of the parent keeps up to :data:`AHEAD` batches waiting,
so the child reads ahead while the parent loads what the database already has, and no further.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import queue
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from pec_tui.core.checks import is_cbo_code, is_valid_cns, is_valid_cpf
from pec_tui.domain.cnes.archive import open_cnes_source
from pec_tui.domain.cnes.errors import CnesFileError
from pec_tui.domain.cnes.lengths import ProfessionalLimits, professional_limits, professional_too_long
from pec_tui.domain.cnes.parser import CnesHeader, CnesUnit, iter_cnes_rows

AHEAD = 12
"""Batches the parent keeps waiting for the importer (about 0.5 MB each)."""

BATCH_BYTES = 4 * 1024**2
"""Most bytes of XML behind one batch: a file of few but large records still travels in
small messages (records are at most :data:`pec_tui.domain.cnes.parser.MAX_RECORD` each)."""

MAX_UNIT_BYTES = 64 * 1024**2
"""Most bytes of XML of units (with their teams) in a file: the importer holds every unit of the
file until they are saved together. A large capital's units take a few MB."""

MAX_UNIT_RECORDS = 150_000
"""Most units and teams in a file (about 1 KB each in the importer until they are saved, so the
import stays within 250 MB). The largest capital has a few tens of thousands."""

Message = tuple[str, Any, int, int]

_LENGTH = 4
_PARENT_ENV = "PEC_TUI_READER_PARENT"


# --------------------------------------------------------------------------------------------
# The child
# --------------------------------------------------------------------------------------------


class ProfessionalRecord(NamedTuple):
    """A professional as the reader sends it, field by field.

    It travels as a plain tuple in this order (a tuple pickles in a fraction of the time), and the
    importer unpacks it in this order into named locals
    (:meth:`pec_tui.domain.cnes.professionals.Professionals.save`); ``ProfessionalRecord._make(row)``
    reads one by attribute where speed does not matter (a refused record)."""

    cns: str | None
    name: str | None
    cpf: str | None
    birth_date: str | None  # ISO text, aaaa-mm-dd
    sex: str | None  # as the file gives it: F, M
    council_id: str | None
    council_uf: str | None
    registry: str | None  # the council registry number
    email: str | None
    phone: str | None
    lotacoes: list[tuple]  # each (CNES, CBO, INE, microárea, line, CBO has the shape of a CBO)
    line: int
    problems: list[str]  # what the parser noticed (a bad date…): warnings, not refusals
    cpf_valid: bool  # 11 digits and check digits
    cns_valid: bool  # 15 digits and check digits
    too_long: str | None  # a value longer than its column (pec_tui.domain.cnes.lengths): refused


def prepared(row: tuple, limits: ProfessionalLimits | None = None) -> tuple:
    """A professional row with the checks that need nothing but itself: CPF and CNS check digits,
    each lotação's CBO shape, and every value against its column's size (catalogue and database
    checks are the importer's). A plain tuple with the fields of :class:`ProfessionalRecord`."""
    lotacoes = [(*item, is_cbo_code(item[1])) for item in row[10]]
    return (
        *row[:10],
        lotacoes,
        row[11],
        row[12],
        is_valid_cpf(row[2]),
        is_valid_cns(row[0]),
        professional_too_long(row, limits),
    )


def read_messages(path: str | Path, chunk: int) -> Iterator[Message]:
    """The messages of the module docstring, read in this process; a refused file ends with
    ``"error"`` instead of raising."""
    records = 0
    tell = None
    try:
        with open_cnes_source(path) as source:
            stream = source.stream

            def tell() -> int:
                try:
                    return int(stream.tell())
                except (OSError, ValueError):
                    return 0

            items = iter_cnes_rows(stream, source.display_name)
            header = next(items)
            assert isinstance(header, CnesHeader)
            yield ("header", (header, source.display_name, source.size, source.warnings), 0, tell())
            units: list[CnesUnit] = []
            professionals: list[tuple] = []
            limits = professional_limits()  # the columns' sizes, read once for the file
            batch_start = tell()  # where the XML of the batch being filled begins
            unit_bytes = 0  # XML of the units sent so far
            unit_records = 0  # units and teams read so far
            for item in items:
                records += 1
                if type(item) is tuple:
                    if units:
                        yield ("units", units, records - 1, tell())
                        units = []
                        batch_start = tell()
                    professionals.append(prepared(item, limits))
                    if len(professionals) >= chunk or tell() - batch_start >= BATCH_BYTES:
                        yield ("professionals", professionals, records, tell())
                        professionals = []
                        batch_start = tell()
                else:
                    if professionals:
                        yield ("professionals", professionals, records - 1, tell())
                        professionals = []
                        batch_start = tell()
                    units.append(item)
                    unit_records += 1 + len(item.teams)
                    if unit_records > MAX_UNIT_RECORDS:
                        raise CnesFileError(
                            f"O arquivo {source.display_name} foi recusado: traz mais de "
                            f"{_thousands(MAX_UNIT_RECORDS)} unidades e equipes (até a linha {item.line}), "
                            "muito acima de qualquer município.",
                            file_name=Path(path).name,
                            line=item.line,
                        )
                    if len(units) >= chunk or tell() - batch_start >= BATCH_BYTES:
                        unit_bytes += tell() - batch_start
                        if unit_bytes > MAX_UNIT_BYTES:
                            raise CnesFileError(
                                f"O arquivo {source.display_name} foi recusado: as unidades passam de "
                                f"{MAX_UNIT_BYTES // 1024**2} MB (até a linha {item.line}), muito acima de "
                                "qualquer município.",
                                file_name=Path(path).name,
                                line=item.line,
                            )
                        yield ("units", units, records, tell())
                        units = []
                        batch_start = tell()
            if units:
                yield ("units", units, records, tell())
            if professionals:
                yield ("professionals", professionals, records, tell())
            yield ("end", None, records, tell())
    except CnesFileError as exc:
        yield ("error", (exc.message, exc.file_name, exc.line, exc.detail), records, tell() if tell else 0)


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def main(argv: list[str] | None = None) -> int:
    """``python -m pec_tui.domain.cnes.reader FILE CHUNK``: the messages on standard output."""
    args = sys.argv[1:] if argv is None else argv
    path, chunk = args[0], int(args[1])
    _die_with_parent()
    gc.disable()  # a short-lived process whose records hold no cycles: no collector passes
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the channel
    records = 0
    try:
        for message in read_messages(path, chunk):
            records = message[2]
            _write(out, message)
    except BrokenPipeError:
        return 1  # the parent stopped listening (cancelled, failed): nothing to say
    except BaseException as exc:  # anything else reaches the parent as a message
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()
        text = detail[-1] if detail else type(exc).__name__
        with contextlib.suppress(OSError):
            _write(out, ("crash", text, records, 0))
        traceback.print_exc()
        return 1
    return 0


def _die_with_parent() -> None:
    """End this process as soon as the parent ends, even by ``kill -9``.

    Linux: ``PR_SET_PDEATHSIG`` (then, if the parent already ended, exit at once). Everywhere:
    a thread reads the standard input, a pipe whose other end only the parent holds; it returns
    when the parent's end closes, and the thread ends the process."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    expected = os.environ.get(_PARENT_ENV)
    if not expected:
        return  # not started by ChildReader (by hand, for a test): no pipe to watch
    if expected != str(os.getppid()):
        os._exit(1)  # the parent ended before the request above

    def watch() -> None:
        with contextlib.suppress(OSError, ValueError):
            while sys.stdin.buffer.read(4096):
                pass
        os._exit(1)

    if sys.stdin is not None:
        threading.Thread(target=watch, name="pai", daemon=True).start()


def _write(out, message: Message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(len(data).to_bytes(_LENGTH, "little"))
    out.write(data)
    out.flush()


# --------------------------------------------------------------------------------------------
# The parent
# --------------------------------------------------------------------------------------------


class ChildReader:
    """The messages of a child reading ``path`` in batches of ``chunk`` professionals.

    :meth:`header` first (raises :class:`CnesFileError` for a refused file), then iterate for the
    batches (``(kind, payload, records, bytes read)``; an ``"error"`` or ``"crash"`` raises
    :class:`CnesFileError`, the end of the file stops the iteration). Use it as a context manager:
    leaving it stops the child if it still runs."""

    def __init__(self, path: str | Path, chunk: int) -> None:
        self.file_name = Path(path).name
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        package_root = str(Path(__file__).resolve().parents[3])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (package_root, env.get("PYTHONPATH"))))
        env.setdefault("PYTHONIOENCODING", "utf-8")
        env[_PARENT_ENV] = str(os.getpid())
        self._process = subprocess.Popen(
            [sys.executable, "-m", "pec_tui.domain.cnes.reader", os.fspath(path), str(chunk)],
            # Never written: the child watches it and ends when this process ends.
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )
        self._frames: queue.Queue[bytes | None] = queue.Queue(maxsize=AHEAD)
        self._closed = threading.Event()
        self._pump = threading.Thread(target=self._read_frames, name="cnes-reader", daemon=True)
        self._pump.start()
        self._finished = False

    def __enter__(self) -> ChildReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def header(self) -> tuple[CnesHeader, str, int, tuple[str, ...]]:
        """``(header, display name, XML size, warnings)``."""
        kind, payload, _records, _read = self._next()
        if kind != "header":
            raise CnesFileError(
                f"A leitura do arquivo {self.file_name} começou fora de ordem.", file_name=self.file_name
            )
        return payload

    def __iter__(self) -> Iterator[Message]:
        while True:
            message = self._next()
            if message[0] == "end":
                self._finished = True
                yield message
                return
            yield message

    def close(self) -> None:
        """Stop the child (if it still runs) and the thread that reads it."""
        self._closed.set()
        process = self._process
        if process.poll() is None:
            process.kill()
        # Unblock the thread if it waits for room in the queue, then let it see the end.
        while True:
            try:
                self._frames.get_nowait()
            except queue.Empty:
                break
        self._pump.join(timeout=5)
        process.wait()
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        self._stderr.close()

    # -- internals ------------------------------------------------------------------------------

    def _read_frames(self) -> None:
        stream = self._process.stdout
        assert stream is not None
        try:
            while not self._closed.is_set():
                head = stream.read(_LENGTH)
                if len(head) < _LENGTH:
                    break
                length = int.from_bytes(head, "little")
                data = stream.read(length)
                if len(data) < length:
                    break  # the child died in the middle of a message: its end, not a message
                if not self._put(data):
                    return
        except (OSError, ValueError):
            pass
        self._put(None)

    def _put(self, frame: bytes | None) -> bool:
        while not self._closed.is_set():
            try:
                self._frames.put(frame, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _next(self) -> Message:
        frame = self._frames.get()
        if frame is None:
            raise self._died()
        message: Message = pickle.loads(frame)
        kind = message[0]
        if kind == "error":
            text, file_name, line, detail = message[1]
            raise CnesFileError(text, file_name=file_name, line=line, detail=detail)
        if kind == "crash":
            raise CnesFileError(
                f"A leitura do arquivo {self.file_name} falhou ({message[1]}); nada foi alterado.",
                file_name=self.file_name,
            )
        return message

    def _died(self) -> CnesFileError:
        """The child ended without saying why (killed, out of memory, could not start)."""
        try:
            code = self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        self._stderr.seek(0)
        lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        detail = f": {lines[-1]}" if lines else ""
        status = f"código {code}" if code is not None else "sem resposta"
        return CnesFileError(
            f"A leitura do arquivo {self.file_name} foi interrompida ({status}{detail}); nada foi alterado.",
            file_name=self.file_name,
        )


if __name__ == "__main__":
    sys.exit(main())
