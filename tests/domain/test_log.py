"""Reading pec.log without loading it: tail, follow (appends, truncation, rotation), search."""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

import pytest

from pec_tui.domain import log
from pec_tui.domain.log import LineFilter, LogFollower, line_level, read_last_lines, search_backwards

LEVELS = ("INFO", "DEBUG", "WARN", "ERROR")


def log_line(number: int, level: str | None = None) -> str:
    level = level or LEVELS[number % 4]
    moment = f"2026-11-20 09:{number // 60 % 60:02d}:{number % 60:02d}.000"
    return f"{moment} {level:>5} 1234 --- [main] b.g.p.Servico : linha {number}"


def write_lines(path: Path, numbers, mode: str = "w") -> None:
    with open(path, mode, encoding="utf-8") as handle:
        for number in numbers:
            handle.write(log_line(number) + "\n")


@pytest.fixture
def small_log(tmp_path: Path) -> Path:
    path = tmp_path / "pec.log"
    write_lines(path, range(1000))
    return path


@pytest.fixture
def follow():
    """``follow(path, **options)``: a LogFollower closed at the end of the test."""
    made: list[LogFollower] = []

    def make(path: Path, **options) -> LogFollower:
        made.append(LogFollower(path, **options))
        return made[-1]

    yield make
    for follower in made:
        follower.close()


@pytest.fixture(scope="module")
def big_log(tmp_path_factory) -> Path:
    """About 200 MB: 64 MB chunks of repeated lines written at once, a few marked lines."""
    path = tmp_path_factory.mktemp("biglog") / "pec.log"
    line = (log_line(7, "INFO") + "\n").encode()
    chunk = line * (64 * 1024 * 1024 // len(line))
    with open(path, "wb") as handle:
        handle.write(b"2026-11-20 00:00:00.000 ERROR 1 --- [main] primeira linha com agulha\n")
        for _ in range(3):
            handle.write(chunk)
        handle.write(b"2026-11-20 09:00:00.000 ERROR 1 --- [main] Falha ao conectar no CADSUS\n")
        handle.write(b"\tat br.gov.saude.Cadsus.conectar(Cadsus.java:42)\n")
        for number in range(50):
            handle.write((log_line(number, "INFO") + "\n").encode())
    return path


# --------------------------------------------------------------------------------------------
# Levels
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("2026-11-20 09:00:00.000 ERROR 1 --- [main] x : falhou", "ERROR"),
        ("2026-11-20 09:00:00.000  WARN 1 --- [main] x : cuidado", "WARN"),
        ("2026-11-20 09:00:00,000 [main] WARNING x - cuidado", "WARN"),
        ("2026-11-20 09:00:00.000  INFO 1 --- [main] x : ok", "INFO"),
        ("2026-11-20 09:00:00.000 DEBUG 1 --- [main] x : detalhe", "DEBUG"),
        ("2026-11-20 09:00:00.000 TRACE 1 --- [main] x : detalhe", "DEBUG"),
        ("\tat br.gov.saude.Classe.metodo(Classe.java:10)", "ERROR"),
        ("Caused by: java.net.ConnectException: Connection refused", "ERROR"),
        ("org.postgresql.util.PSQLException: FATAL: o banco não existe", "ERROR"),
        ("Exception in thread main", None),
        ("texto sem nível", None),
        (
            "2026-11-20 09:00:00.000  INFO 1 --- [main] x : a palavra ERROR aparece só depois" + " " * 120 + "ERROR",
            "INFO",
        ),
    ],
)
def test_line_level(line, level):
    assert line_level(line) == level


# --------------------------------------------------------------------------------------------
# tail -n
# --------------------------------------------------------------------------------------------


def test_last_lines_of_a_small_file(small_log: Path):
    tail = read_last_lines(small_log, 5, block_size=64)
    assert tail.lines == [log_line(n) for n in range(995, 1000)]
    assert tail.end == tail.size == small_log.stat().st_size
    assert small_log.read_bytes()[tail.start :].decode().splitlines() == tail.lines


def test_last_lines_when_the_file_has_fewer(small_log: Path, tmp_path: Path):
    assert read_last_lines(small_log, 5000).lines == [log_line(n) for n in range(1000)]
    empty = tmp_path / "vazio.log"
    empty.write_bytes(b"")
    assert read_last_lines(empty, 10).lines == []


def test_an_unfinished_last_line_is_left_for_the_follower(tmp_path: Path):
    path = tmp_path / "pec.log"
    path.write_bytes(b"um\ndois\ntr")
    tail = read_last_lines(path, 10, block_size=4)
    assert tail.lines == ["um", "dois"]
    assert tail.end == len(b"um\ndois\n")


def test_last_lines_decode_utf8_and_crlf_across_blocks(tmp_path: Path):
    path = tmp_path / "pec.log"
    path.write_bytes("ação concluída\r\nérro de conexão\r\n".encode() * 3)
    assert read_last_lines(path, 2, block_size=3).lines == ["ação concluída", "érro de conexão"]


def test_last_lines_of_200_mb_read_only_the_end(big_log: Path):
    assert big_log.stat().st_size > 190 * 1024 * 1024
    tracemalloc.start()
    begin = time.perf_counter()
    tail = read_last_lines(big_log, 100)
    seconds = time.perf_counter() - begin
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert tail.lines[-1] == log_line(49, "INFO")
    assert tail.lines[-52].endswith("Falha ao conectar no CADSUS")
    assert peak < 2 * 1024 * 1024, f"pico de memória {peak} bytes"
    assert seconds < 0.5


# --------------------------------------------------------------------------------------------
# tail -F
# --------------------------------------------------------------------------------------------


def test_follow_reads_only_what_was_appended(small_log: Path, follow):
    follower = follow(small_log)
    assert follower.tail(3) == [log_line(n) for n in (997, 998, 999)]
    assert follower.poll().lines == []
    write_lines(small_log, [1000, 1001], mode="a")
    update = follower.poll()
    assert update.lines == [log_line(1000), log_line(1001)]
    assert update.event is None
    assert follower.poll().lines == []


def test_follow_waits_for_a_line_to_be_complete(tmp_path: Path, follow):
    path = tmp_path / "pec.log"
    path.write_bytes(b"primeira\n")
    follower = follow(path)
    follower.tail(10)
    with open(path, "ab") as handle:
        handle.write(b"segunda linha pela me")
    assert follower.poll().lines == []
    with open(path, "ab") as handle:
        handle.write(b"tade\nterceira\n")
    assert follower.poll().lines == ["segunda linha pela metade", "terceira"]


def test_follow_after_truncation_starts_over_and_says_so(small_log: Path, follow):
    follower = follow(small_log)
    follower.tail(10)
    with open(small_log, "r+b") as handle:  # copytruncate: same file, emptied, written again
        handle.truncate(0)
    write_lines(small_log, [5000, 5001], mode="a")
    update = follower.poll()
    assert update.event == "truncado"
    assert update.lines == [log_line(5000), log_line(5001)]


def test_follow_after_rotation_starts_over_and_says_so(small_log: Path, follow):
    follower = follow(small_log)
    follower.tail(10)
    os.rename(small_log, small_log.with_name("pec.2026-11-20.log"))
    assert follower.poll().event == "sumiu"
    assert follower.poll().event is None  # said once
    write_lines(small_log, [7000])
    update = follower.poll()
    assert update.event == "voltou"
    assert update.lines == [log_line(7000)]


def test_follow_notices_a_new_inode_even_when_bigger(small_log: Path, follow):
    follower = follow(small_log)
    follower.tail(10)
    replacement = small_log.with_name("novo.log")
    write_lines(replacement, range(8000, 9100))  # bigger than what was followed
    os.replace(replacement, small_log)
    update = follower.poll()
    assert update.event == "rotacionado"
    assert update.lines[0] == log_line(8000) and update.lines[-1] == log_line(9099)


def test_follow_reads_what_the_old_file_got_just_before_the_rotation(small_log: Path, follow):
    follower = follow(small_log, keep_open=True)
    follower.tail(1)
    write_lines(small_log, [1000, 1001], mode="a")  # written after the last poll...
    os.rename(small_log, small_log.with_name("pec.2026-11-20.log"))  # ...then rotated away
    write_lines(small_log, [2000])
    update = follower.poll()
    assert update.earlier == [log_line(1000), log_line(1001)]
    assert update.event == "rotacionado"
    assert update.lines == [log_line(2000)]


def test_follow_without_keeping_the_file_open(small_log: Path, follow):
    """On Windows the file is opened at each poll (an open file would stop PEC renaming it)."""
    follower = follow(small_log, keep_open=False)
    follower.tail(1)
    write_lines(small_log, [1000], mode="a")
    assert follower.poll().lines == [log_line(1000)]
    os.rename(small_log, small_log.with_name("pec.2026-11-20.log"))
    write_lines(small_log, [2000])
    update = follower.poll()
    assert (update.earlier, update.event, update.lines) == ([], "rotacionado", [log_line(2000)])


def test_follow_skips_a_burst_bigger_than_one_read(small_log: Path, follow):
    follower = follow(small_log, max_read=4096)
    follower.tail(1)
    write_lines(small_log, range(10_000, 12_000), mode="a")
    update = follower.poll()
    assert update.skipped_bytes > 0
    assert update.lines[-1] == log_line(11_999)
    assert all(line.startswith("2026-11-20") for line in update.lines)  # whole lines only
    assert sum(len(line) + 1 for line in update.lines) <= 4096


# --------------------------------------------------------------------------------------------
# Search from the end
# --------------------------------------------------------------------------------------------


def test_filter_from_the_end_returns_the_newest_matches_in_order(small_log: Path):
    result = search_backwards(small_log, LineFilter("LINHA 99"), 5, block_size=256)
    assert result.lines == [log_line(n) for n in (995, 996, 997, 998, 999)]
    assert not result.reached_start
    # Going on from where it stopped gives the earlier ones, without repeating.
    more = search_backwards(small_log, LineFilter("linha 99"), 100, before=result.stopped_at, block_size=256)
    assert more.lines == [log_line(99)] + [log_line(n) for n in range(990, 995)]
    assert more.reached_start


def test_filter_by_level(small_log: Path):
    errors = search_backwards(small_log, LineFilter(levels=frozenset({"ERROR"})), 3, block_size=128)
    assert errors.lines == [log_line(n) for n in (987, 991, 995, 999)][-3:]
    warn_and_error = search_backwards(small_log, LineFilter(levels=frozenset({"ERROR", "WARN"})), 4)
    assert [line_level(line) for line in warn_and_error.lines] == ["WARN", "ERROR", "WARN", "ERROR"]
    both = search_backwards(small_log, LineFilter("linha 99", frozenset({"ERROR"})), 10)
    assert both.lines == [log_line(n) for n in (99, 991, 995, 999)]


def test_filter_is_case_insensitive_with_accents(tmp_path: Path):
    path = tmp_path / "pec.log"
    path.write_text("Conexão RECUSADA\noutra\nconexão recusada de novo\n", encoding="utf-8")
    result = search_backwards(path, LineFilter("CONEXÃO recusada"), 10, block_size=5)
    assert result.lines == ["Conexão RECUSADA", "conexão recusada de novo"]
    assert result.reached_start


def test_filter_every_line_is_seen_once_across_blocks(small_log: Path):
    for block_size in (7, 64, 100, 4096):
        result = search_backwards(small_log, LineFilter("linha"), 10_000, block_size=block_size)
        assert result.lines == [log_line(n) for n in range(1000)], block_size


def test_filter_on_200_mb_finds_old_matches_with_bounded_memory(big_log: Path):
    calls = []

    def progress(scanned: int, total: int) -> None:
        calls.append((scanned, total))

    tracemalloc.start()
    begin = time.perf_counter()
    result = search_backwards(big_log, LineFilter("agulha"), 5, max_bytes=10**9, progress=progress)
    seconds = time.perf_counter() - begin
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.lines == ["2026-11-20 00:00:00.000 ERROR 1 --- [main] primeira linha com agulha"]
    assert result.reached_start and result.scanned_bytes == big_log.stat().st_size
    assert peak < 8 * 1024 * 1024, f"pico de memória {peak} bytes"
    assert calls and calls[-1][0] <= calls[-1][1]
    print(f"busca em {result.scanned_bytes / 2**20:.0f} MB: {seconds:.2f} s, pico {peak / 2**20:.1f} MB")


def test_filter_stops_at_its_bound_and_can_go_on(big_log: Path):
    result = search_backwards(big_log, LineFilter("agulha"), 5, max_bytes=8 * 1024 * 1024)
    assert result.lines == []
    assert not result.reached_start
    assert result.scanned_bytes == 8 * 1024 * 1024
    more = search_backwards(big_log, LineFilter("agulha"), 5, before=result.stopped_at, max_bytes=10**9)
    assert len(more.lines) == 1 and more.reached_start


def test_filter_can_be_cancelled_by_its_progress(big_log: Path):
    result = search_backwards(big_log, LineFilter("agulha"), 5, max_bytes=10**9, progress=lambda s, t: s < 4 * 2**20)
    assert result.cancelled and result.lines == []
    assert result.scanned_bytes <= 5 * 2**20


def test_filter_finds_the_newest_error_with_its_stack_line(big_log: Path):
    result = search_backwards(big_log, LineFilter(levels=frozenset({"ERROR"})), 2)
    assert result.lines == [
        "2026-11-20 09:00:00.000 ERROR 1 --- [main] Falha ao conectar no CADSUS",
        "\tat br.gov.saude.Cadsus.conectar(Cadsus.java:42)",
    ]


def test_line_filter_describes_itself():
    assert LineFilter().active is False
    assert LineFilter("cadsus", frozenset({"ERROR"})).describe() == '"cadsus" e só ERROR'
    assert log.levels_label(frozenset({"ERROR", "WARN"})) == "WARN e ERROR"


def test_refuse_binary_accepts_text_with_accents_and_refuses_binary(tmp_path):
    from pec_tui.core.errors import PecError
    from pec_tui.domain.log import refuse_binary

    text = tmp_path / "pec.log"
    text.write_text("2026-11-20 09:00:00.000 INFO 1 --- [main] Conexão com o banco: ok\n" * 50, encoding="utf-8")
    refuse_binary(text)
    binary = tmp_path / "pec.log.gz"
    binary.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 10)
    with pytest.raises(PecError, match="não é um arquivo de texto"):
        refuse_binary(binary)
