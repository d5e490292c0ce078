"""Reading PEC's log (``webserver/logs/pec.log``) without loading it whole.

A PEC log reaches hundreds of megabytes. Everything here reads a bounded amount:

* :func:`read_last_lines` seeks to the end and reads backwards in blocks until it has the
  last *n* lines (``tail -n``);
* :class:`LogFollower` remembers the offset of the end and, on each :meth:`~LogFollower.poll`,
  reads only what was appended (``tail -F``); a file that shrank (truncated) or whose inode
  changed (rotated: renamed away and created again) is read again from its start, and the
  update says so;
* :func:`search_backwards` scans from the end towards the start in blocks until it has the
  matches wanted, reached the start, or scanned its byte bound, reporting progress.

Lines are split on ``\\n`` bytes before decoding (UTF-8, undecodable bytes replaced), so a block
boundary never cuts a character. No Textual here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pec_tui.core.errors import PecError

BLOCK_SIZE = 64 * 1024
SEARCH_BLOCK_SIZE = 1024 * 1024
#: The most :meth:`LogFollower.poll` reads at once; more appended than that is skipped.
MAX_FOLLOW_READ = 8 * 1024 * 1024
#: The most :func:`search_backwards` scans by default before stopping (it can go on from there).
MAX_SEARCH_BYTES = 256 * 1024 * 1024
ENCODING = "utf-8"

ERROR, WARN, INFO, DEBUG = "ERROR", "WARN", "INFO", "DEBUG"
_LEVEL = re.compile(r"\b(ERROR|FATAL|SEVERE|WARN|WARNING|INFO|DEBUG|TRACE)\b")
_LEVEL_NAMES = {"FATAL": ERROR, "SEVERE": ERROR, "WARNING": WARN, "TRACE": DEBUG}
#: Lines of a Java stack trace belong to the ERROR above them.
_STACK = re.compile(
    r"^(\s+at |\s*Caused by: |\s+\.\.\. \d+ (more|common frames omitted)|\s*Suppressed: "
    r"|[a-zA-Z_$][\w$]*(\.[\w$]+)+(Exception|Error|Throwable)\b)"  # java.net.ConnectException: …
)
#: How far into a line the level is looked for (Spring Boot puts it after the date).
LEVEL_PREFIX = 120


def line_level(line: str) -> str | None:
    """The level of a log line (``ERROR``, ``WARN``, ``INFO``, ``DEBUG``), or ``None``.

    A stack-trace line counts as ``ERROR``."""
    match = _LEVEL.search(line, 0, LEVEL_PREFIX)
    if match:
        word = match.group(1)
        return _LEVEL_NAMES.get(word, word)
    if _STACK.match(line):
        return ERROR
    return None


def _decode(raw: bytes) -> str:
    return raw.decode(ENCODING, errors="replace").rstrip("\r")


@dataclass(frozen=True)
class FileIdentity:
    device: int
    inode: int

    @classmethod
    def of(cls, stat: os.stat_result) -> FileIdentity:
        return cls(stat.st_dev, stat.st_ino)


# ============================================================================================
# tail -n
# ============================================================================================


@dataclass(frozen=True)
class Tail:
    lines: list[str]
    start: int  # offset of the first line returned
    end: int  # offset just after the last complete line (where following continues)
    size: int  # the file's size when read
    identity: FileIdentity


def read_last_lines(path: Path, count: int, *, block_size: int = BLOCK_SIZE) -> Tail:
    """The last ``count`` complete lines of ``path``, reading backwards ``block_size`` bytes at a
    time; a last line without its ``\\n`` is left for the follower (it may still be written)."""
    with open(path, "rb") as handle:
        stat = os.fstat(handle.fileno())
        size = stat.st_size
        # The end of the last complete line.
        end = _last_newline_end(handle, size, block_size)
        lines, start = _lines_before(handle, end, count, block_size)
    return Tail(lines, start, end, size, FileIdentity.of(stat))


def _last_newline_end(handle, size: int, block_size: int) -> int:
    position = size
    while position > 0:
        step = min(block_size, position)
        handle.seek(position - step)
        block = handle.read(step)
        index = block.rfind(b"\n")
        if index >= 0:
            return position - step + index + 1
        position -= step
    return 0


def _lines_before(handle, end: int, count: int, block_size: int) -> tuple[list[str], int]:
    """The last ``count`` lines that end at or before ``end`` (``end`` is 0 or just after a
    newline) and the offset where the first of them starts."""
    if count <= 0 or end <= 0:
        return [], end
    chunks: list[bytes] = []
    newlines = 0
    position = end
    # count lines need count newlines inside [start, end) plus the one before the first line.
    while position > 0 and newlines <= count:
        step = min(block_size, position)
        position -= step
        handle.seek(position)
        block = handle.read(step)
        chunks.append(block)
        newlines += block.count(b"\n")
    data = b"".join(reversed(chunks))
    parts = data.split(b"\n")[:-1]  # data ends with "\n": the last part is empty
    # Before the start of the file, the loop read more than count newlines: the first part
    # (maybe the end of a longer line) is not among the last count.
    keep = parts[-count:]
    consumed = sum(len(part) + 1 for part in keep)
    return [_decode(part) for part in keep], end - consumed


# ============================================================================================
# tail -F
# ============================================================================================


@dataclass(frozen=True)
class FollowUpdate:
    lines: list[str] = field(default_factory=list)
    #: None, or what happened to the file: "truncado", "rotacionado", "sumiu", "voltou".
    event: str | None = None
    skipped_bytes: int = 0  # more was appended than one poll reads: this much was skipped
    size: int = 0
    #: Written to the old file after the last poll, before it was rotated away (shown before the event).
    earlier: list[str] = field(default_factory=list)


#: Keep the followed file open between polls, so what was written to it just before a rotation
#: is still read (as ``tail -F`` does). Not on Windows, where an open file stops PEC renaming its log.
KEEP_OPEN = os.name == "posix"


class LogFollower:
    """Follows one path like ``tail -F``: by name, through truncation and rotation."""

    def __init__(
        self,
        path: Path,
        *,
        block_size: int = BLOCK_SIZE,
        max_read: int = MAX_FOLLOW_READ,
        keep_open: bool = KEEP_OPEN,
    ) -> None:
        self.path = Path(path)
        self.block_size = block_size
        self.max_read = max_read
        self.keep_open = keep_open
        self.offset = 0
        self.identity: FileIdentity | None = None
        self.size = 0
        self.missing = False
        self._handle = None

    def close(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.close()

    def __enter__(self) -> LogFollower:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def tail(self, count: int) -> list[str]:
        """Start following: the last ``count`` lines; following continues after them."""
        result = read_last_lines(self.path, count, block_size=self.block_size)
        self.position_at(result.end, result.identity, result.size)
        return result.lines

    def position_at(self, offset: int, identity: FileIdentity, size: int | None = None) -> None:
        """Follow from ``offset`` of the file ``identity`` (after a search from the end)."""
        self.close()
        self.offset = offset
        self.identity = identity
        self.size = offset if size is None else size
        self.missing = False
        if self.keep_open:
            self._open_if(identity)

    def _open_if(self, identity: FileIdentity) -> None:
        """Open the path and keep it open when it is still the file ``identity``."""
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - kept open between polls
        except OSError:
            return
        if FileIdentity.of(os.fstat(handle.fileno())) == identity:
            self._handle = handle
        else:
            handle.close()

    def poll(self) -> FollowUpdate:
        """What was appended since the last call (complete lines only)."""
        try:
            stat: os.stat_result | None = os.stat(self.path)
        except FileNotFoundError:
            stat = None
        identity = FileIdentity.of(stat) if stat is not None else None
        earlier = self._drain() if self._handle is not None and identity != self.identity else []
        if stat is None or identity is None:
            if self.missing:
                return FollowUpdate(earlier=earlier)
            self.missing = True
            return FollowUpdate(event="sumiu", earlier=earlier)
        event = None
        if self.missing:
            event = "voltou"
            self.missing = False
            self.offset = 0
        elif self.identity is not None and identity != self.identity:
            event = "rotacionado"
            self.offset = 0
        elif stat.st_size < self.offset:
            event = "truncado"
            self.offset = 0
        self.identity = identity
        self.size = stat.st_size
        if self.keep_open and self._handle is None:
            self._open_if(identity)
        if stat.st_size == self.offset:
            return FollowUpdate(event=event, size=stat.st_size, earlier=earlier)
        if self._handle is not None:
            lines, skipped, size = self._read_appended(self._handle)
        else:
            with open(self.path, "rb") as handle:
                lines, skipped, size = self._read_appended(handle)
        return FollowUpdate(lines, event, skipped, size, earlier)

    def _read_appended(self, handle) -> tuple[list[str], int, int]:
        size = os.fstat(handle.fileno()).st_size
        skipped = 0
        start = self.offset
        if size - start > self.max_read:
            # Too much at once (a burst, or a new big file): keep only the newest part,
            # starting at a line boundary.
            start = size - self.max_read
            handle.seek(start)
            newline = handle.read(self.block_size).find(b"\n")
            if newline >= 0:
                start += newline + 1
            skipped = start - self.offset
        handle.seek(start)
        data = handle.read(size - start)
        cut = data.rfind(b"\n")
        if cut < 0:
            if skipped:
                self.offset = start
            return [], skipped, size
        self.offset = start + cut + 1
        return [_decode(part) for part in data[:cut].split(b"\n")], skipped, size

    def _drain(self) -> list[str]:
        """The rest of the file that was rotated away (its last line too: nobody writes to it now)."""
        handle, self._handle = self._handle, None
        try:
            handle.seek(self.offset)
            data = handle.read(self.max_read)
        except OSError:
            return []
        finally:
            handle.close()
        data = data.rstrip(b"\n")
        return [_decode(part) for part in data.split(b"\n")] if data else []


# ============================================================================================
# Search from the end
# ============================================================================================


@dataclass(frozen=True)
class LineFilter:
    """A case-insensitive substring and/or the levels wanted (``None``: any level)."""

    text: str = ""
    levels: frozenset[str] | None = None

    @property
    def active(self) -> bool:
        return bool(self.text) or self.levels is not None

    def matches(self, line: str) -> bool:
        if self.text and self.text.casefold() not in line.casefold():
            return False
        if self.levels is not None and line_level(line) not in self.levels:
            return False
        return True

    def describe(self) -> str:
        parts = []
        if self.text:
            parts.append(f'"{self.text}"')
        if self.levels is not None:
            parts.append(levels_label(self.levels))
        return " e ".join(parts)

    def _block_may_match(self, block: bytes) -> bool:
        """A cheap test on a whole block: False when no line in it can match."""
        if self.text:
            if self.text.isascii():
                if self.text.lower().encode() not in block.lower():
                    return False
            elif self.text.casefold() not in block.decode(ENCODING, errors="replace").casefold():
                return False
        if self.levels is not None:
            return any(word in block for word in _level_words(self.levels))
        return True


def _level_words(levels: frozenset[str]) -> list[bytes]:
    words = {
        ERROR: [b"ERROR", b"FATAL", b"SEVERE", b"\tat ", b"    at ", b"Caused by: "],
        WARN: [b"WARN"],
        INFO: [b"INFO"],
        DEBUG: [b"DEBUG", b"TRACE"],
    }
    return [word for level in levels for word in words.get(level, [])]


def levels_label(levels: frozenset[str] | None) -> str:
    if levels is None:
        return "todos os níveis"
    if levels == {ERROR}:
        return "só ERROR"
    if levels == {ERROR, WARN}:
        return "WARN e ERROR"
    return " e ".join(sorted(levels))


@dataclass(frozen=True)
class SearchResult:
    lines: list[str]  # the matches, oldest first
    stopped_at: int  # offset where the scan stopped (0: reached the start of the file)
    end: int  # offset the scan started from (the end of the last complete line)
    size: int
    identity: FileIdentity
    scanned_bytes: int
    cancelled: bool = False

    @property
    def reached_start(self) -> bool:
        return self.stopped_at == 0


Progress = Callable[[int, int], bool | None]


def search_backwards(
    path: Path,
    line_filter: LineFilter,
    want: int,
    *,
    before: int | None = None,
    max_bytes: int = MAX_SEARCH_BYTES,
    block_size: int = SEARCH_BLOCK_SIZE,
    progress: Progress | None = None,
) -> SearchResult:
    """The last ``want`` lines that match, scanning backwards from the end (or from ``before``,
    the ``stopped_at`` of an earlier search, to go on with it).

    Stops at the start of the file, after ``max_bytes``, or when ``progress(scanned, total)``
    returns ``False`` (cancelled). Reads one block at a time: memory stays about ``block_size``
    plus the matches (and the longest line)."""
    with open(path, "rb") as handle:
        stat = os.fstat(handle.fileno())
        size = stat.st_size
        end = _last_newline_end(handle, size, BLOCK_SIZE) if before is None else min(before, size)
        matches: list[str] = []  # newest first
        position = end  # everything in [position, end) has been read
        data_end = end  # lines in [0, data_end) are not yet looked at
        pending = b""  # bytes [position, data_end): the end part of a line that began earlier
        scanned = 0
        total = min(end, max_bytes)
        cancelled = False
        while position > 0 and len(matches) < want and scanned < max_bytes:
            step = min(block_size, position, max_bytes - scanned)
            position -= step
            handle.seek(position)
            data = handle.read(step) + pending
            scanned += step
            if position > 0:
                first = data.find(b"\n")
                if first < 0:  # one line longer than a block: keep reading
                    pending = data
                    continue
                pending, body, body_start = data[: first + 1], data[first + 1 :], position + first + 1
            else:
                pending, body, body_start = b"", data, 0
            # body holds whole lines, [body_start, data_end), each ending with "\n".
            if line_filter._block_may_match(body):
                cursor = data_end
                for raw in reversed(body.split(b"\n")[:-1]):
                    line_start = cursor - len(raw) - 1
                    line = _decode(raw)
                    if line_filter.matches(line):
                        matches.append(line)
                        if len(matches) >= want:
                            body_start = line_start  # go on from the line before this match
                            break
                    cursor = line_start
            data_end = body_start
            if len(matches) < want and progress is not None and progress(scanned, total) is False:
                cancelled = True
                break
    matches.reverse()
    return SearchResult(matches, data_end, end, size, FileIdentity.of(stat), scanned, cancelled)


# ---------------------------------------------------------------- not a text file

BINARY_SAMPLE = 8192


def refuse_binary(path: Path) -> None:
    """Raise :class:`PecError` when ``path`` is not a text file (a NUL byte, or mostly bytes that
    are not text in its first 8 KB: a .gz, a .jar, a database), instead of showing garbage."""
    with path.open("rb") as handle:
        sample = handle.read(BINARY_SAMPLE)
    if not sample:
        return
    text = sample.decode(ENCODING, errors="replace")
    unreadable = text.count("\ufffd") + sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f\x1b")
    if b"\x00" in sample or unreadable > len(text) // 10:
        raise PecError(f"{path} não é um arquivo de texto (parece binário); escolha o pec.log ou outro log de texto.")
