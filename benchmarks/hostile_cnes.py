"""Hostile CNES exports (issue 11, item 2) and the peak memory of importing each one.

    python benchmarks/hostile_cnes.py                    # the issue's sizes, SQLite
    python benchmarks/hostile_cnes.py --escala 0.25      # a quarter of them
    python benchmarks/hostile_cnes.py --banco postgresql://postgres@127.0.0.1/pectui_bench

Each file is a ZIP that passes the archive's checks (declared size under 2 GiB, compression
ratio under 200:1) and is written as a stream, never whole in memory:

* ``atributo``: one ``NM_FANTA`` of 1 GiB (the issue's 16 MB ZIP, 66:1);
* ``espacos``: 1.9 GB of whitespace between two units;
* ``tamanho-mentiroso``: declares 800 MB and inflates to 4 GB (small valid elements);
* ``muitos-atributos``: one unit start tag with 20,000 attributes of 9 KB each (180 MB);
* ``registro-enorme``: one unit with 100,000 unknown children of 9 KB each (900 MB);
* ``comentario``: a 300 MB comment full of ``<``;
* ``muitas-unidades``: 300,000 small, valid units (52 MB of XML; refused past 150,000 units
  and teams, which would take the importer past 250 MB).

Each import runs in a child process (``--medir``), the real :func:`import_cnes` on a migrated
database with an installation; the child reports its own peak RSS and its reader child's
(``RUSAGE_CHILDREN``, once the reader has been waited for). The budget is 250 MB each.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RSS_BUDGET_MB = 250
IBGE = "4204202"  # Chapecó/SC, the municipality of the tests' installation
MB = 1000**2
MiB = 1024**2

_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_BLOCK = 64 * 1024


# --------------------------------------------------------------------------------------------
# Streams of bytes
# --------------------------------------------------------------------------------------------


def filler(total: int, byte: bytes = b"A", alphabet: bytes = _LETTERS, noise: int = 512) -> Iterator[bytes]:
    """``total`` bytes of ``byte`` with ``noise`` random bytes of ``alphabet`` per 64 KB block:
    enough randomness that the ZIP stays under the archive's 200:1 ratio check."""
    rng = random.Random(total)
    table = bytes(alphabet[index % len(alphabet)] for index in range(256))
    run = byte * (_BLOCK - noise)
    sent = 0
    while sent < total:
        noisy = rng.randbytes(noise).translate(table)
        block = (run + noisy)[: total - sent]
        sent += len(block)
        yield block


def _letters(rng: random.Random, count: int) -> bytes:
    return rng.randbytes(count).translate(bytes(_LETTERS[index % 26] for index in range(256)))


def _head_and_tail(units: bytes = b"") -> tuple[bytes, bytes]:
    """The export up to inside ``ESTABELECIMENTOS`` (after ``units``), and its end."""
    from pec_tui.demo.cnes_export import build_small_cnes, sample_unit

    document = build_small_cnes([sample_unit()], [], ibge=IBGE)
    cut = document.index(b"</ESTABELECIMENTOS>")
    return document[:cut] + units, document[cut:]


def big_attribute(size: int) -> Iterator[bytes]:
    head, tail = _head_and_tail()
    yield head + b'<DADOS_GERAIS_ESTABELECIMENTOS CNES="2999999" NM_FANTA="'
    yield from filler(size)
    yield b'" TP_UNID_ID="02"/>\n' + tail


def whitespace(size: int) -> Iterator[bytes]:
    head, tail = _head_and_tail()
    yield head
    yield from filler(size, b" ", b" \t\r\n", noise=4096)
    yield b'<DADOS_GERAIS_ESTABELECIMENTOS CNES="2999999" NM_FANTA="UBS DEPOIS"/>\n' + tail


def small_elements(size: int) -> Iterator[bytes]:
    """Valid, small unknown elements between the units: only the declared size stops them."""
    head, tail = _head_and_tail()
    yield head
    rng = random.Random(size)
    run = b'<X A="1"/>\n' * 5900
    sent = 0
    while sent < size:
        block = run + b'<X A="%s"/>\n' % _letters(rng, 512)
        sent += len(block)
        yield block
    yield tail


def many_attributes(count: int, each: int = 9000) -> Iterator[bytes]:
    head, tail = _head_and_tail()
    yield head + b'<DADOS_GERAIS_ESTABELECIMENTOS CNES="2999999" NM_FANTA="UBS"'
    rng = random.Random(count)
    for index in range(count):
        yield b' A%d="%s"' % (index, _letters(rng, 64) * (each // 64))
    yield b"/>\n" + tail


def huge_record(count: int, each: int = 9000) -> Iterator[bytes]:
    head, tail = _head_and_tail()
    yield head + b'<DADOS_GERAIS_ESTABELECIMENTOS CNES="2999999" NM_FANTA="UBS">\n'
    rng = random.Random(count)
    for _ in range(count):
        yield b'<X A="%s"/>\n' % (_letters(rng, 64) * (each // 64))
    yield b"</DADOS_GERAIS_ESTABELECIMENTOS>\n" + tail


def big_comment(size: int) -> Iterator[bytes]:
    head, tail = _head_and_tail()
    yield head + b"<!--"
    yield from filler(size, b"<", _LETTERS)
    yield b"-->\n" + tail


def many_units(count: int) -> Iterator[bytes]:
    head, tail = _head_and_tail()
    yield head
    for start in range(0, count, 1000):
        yield b"".join(
            b'<DADOS_GERAIS_ESTABELECIMENTOS CNES="%07d" NM_FANTA="UBS NUMERO %d DO MUNICIPIO" '
            b'TP_UNID_ID="02" DS_TP_UNID="CENTRO DE SAUDE/UNIDADE BASICA" TELEFONE1="4933210000"/>\n'
            % (3000000 + index, index)
            for index in range(start, min(count, start + 1000))
        )
    yield tail


# --------------------------------------------------------------------------------------------
# A ZIP written as a stream, with the sizes it declares chosen
# --------------------------------------------------------------------------------------------


def write_zip(path: Path, pieces: Iterator[bytes], *, declared: int | None = None, entry: str = "") -> dict:
    """Deflate ``pieces`` into a one-entry ZIP at ``path``; ``declared`` overrides the size its
    headers declare (a lying ZIP). Returns the sizes."""
    entry = entry or f"XmlParaESUS31_{IBGE[:6]}.xml"
    name = entry.encode()
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    crc = 0
    size = 0
    with path.open("wb") as out:
        out.write(b"\0" * (30 + len(name)))  # local header, written at the end
        for piece in pieces:
            size += len(piece)
            if declared is None:
                crc = zlib.crc32(piece, crc)
            out.write(compressor.compress(piece))
        out.write(compressor.flush())
        compressed = out.tell() - 30 - len(name)
        usize = size if declared is None else declared
        if usize >= 2**32 or compressed >= 2**32:
            raise ValueError("ZIP64 não é necessário para estes arquivos")
        fields = (20, 0, 8, 0, 0x21, crc, compressed, usize, len(name), 0)
        local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", *fields) + name
        central_at = out.tell()
        central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0) + name
        out.write(central)
        out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), central_at, 0))
        out.seek(0)
        out.write(local)
    return {"xml": size, "declarado": usize, "zip": path.stat().st_size}


#: name -> (builder of the pieces at scale 1, the size it declares or None)
CASES: dict[str, tuple[Callable[[float], Iterator[bytes]], Callable[[float], int] | None]] = {
    "atributo": (lambda k: big_attribute(int(1024 * MiB * k)), None),
    "espacos": (lambda k: whitespace(int(1900 * MB * k)), None),
    "tamanho-mentiroso": (lambda k: small_elements(int(4000 * MB * k)), lambda k: int(800 * MB * k)),
    "muitos-atributos": (lambda k: many_attributes(int(20_000 * k)), None),
    "registro-enorme": (lambda k: huge_record(int(100_000 * k)), None),
    "comentario": (lambda k: big_comment(int(300 * MB * k)), None),
    "muitas-unidades": (lambda k: many_units(int(300_000 * k)), None),
}


def build(case: str, folder: Path, scale: float = 1.0) -> tuple[Path, dict]:
    """The hostile ZIP of ``case`` at ``scale`` in ``folder`` (named as the CNES names it)."""
    pieces, declared = CASES[case]
    target = folder / case
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"XmlParaESUS31_{IBGE[:6]}.zip"
    sizes = write_zip(path, pieces(scale), declared=declared(scale) if declared else None)
    return path, sizes


# --------------------------------------------------------------------------------------------
# Measuring an import in a child process
# --------------------------------------------------------------------------------------------


def measure(url: str, path: Path, timeout: float = 900) -> dict:
    """Import ``path`` into the database at ``url`` in a child process; its outcome and peak RSS."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH"))))
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.hostile_cnes", "--medir", url, str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=ROOT,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"a medição falhou ({done.returncode}): {done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["segundos"] = round(time.monotonic() - started, 1)
    return result


def _measure_here(url: str, path: str) -> int:
    """The child of :func:`measure`: one import, then the peaks as JSON on the last line."""
    import resource

    from pec_tui.domain.cnes.importer import import_cnes
    from pec_tui.storage.database import DatabaseTarget, open_database

    opened = open_database(DatabaseTarget(url, "--database"))
    outcome: dict = {}
    try:
        report = import_cnes(path, localidade_id=None, user_id=None)
        outcome = {"recusado": False, "mensagem": report.summary()}
    except Exception as exc:  # the sentence the user would see, whatever the error
        outcome = {"recusado": True, "mensagem": str(exc), "linha": getattr(exc, "line", None)}
    finally:
        opened.close()
    outcome["rss_importador_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    outcome["rss_leitor_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    print(json.dumps(outcome, ensure_ascii=False))
    return 0


def _prepared_sqlite(folder: Path) -> str:
    """A migrated SQLite database with the tests' installation (Chapecó/SC)."""
    from pec_tui.domain.installation import init_installation
    from pec_tui.storage.database import DatabaseTarget, open_database, sqlite_url
    from pec_tui.storage.migrations import migrate

    path = folder / "hostil.sqlite3"
    path.unlink(missing_ok=True)
    url = sqlite_url(path)
    opened = open_database(DatabaseTarget(url, "--database"), must_exist=False)
    migrate()
    init_installation(
        municipio=IBGE, admin_cpf="52998224725", admin_name="Helena Martins Duarte", admin_password="Senha1234"
    )
    opened.close()
    return url


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--medir"]:
        return _measure_here(args[1], args[2])
    parser = argparse.ArgumentParser(description="Pico de memória ao importar arquivos do CNES hostis.")
    parser.add_argument("--escala", type=float, default=1.0, help="fração dos tamanhos do issue (padrão 1)")
    parser.add_argument("--banco", help="URL de um banco já migrado com a instalação (padrão: SQLite novo)")
    parser.add_argument("--casos", nargs="*", default=list(CASES), choices=list(CASES))
    options = parser.parse_args(args)
    with tempfile.TemporaryDirectory(prefix="pec-tui-hostil-") as folder:
        url = options.banco or _prepared_sqlite(Path(folder))
        print(f"{'caso':<20} {'XML':>9} {'ZIP':>8} {'importador':>11} {'leitor':>8} {'s':>6}  recusa")
        for case in options.casos:
            path, sizes = build(case, Path(folder), options.escala)
            result = measure(url, path)
            path.unlink()
            over = max(result["rss_importador_mb"], result["rss_leitor_mb"]) > RSS_BUDGET_MB
            print(
                f"{case:<20} {sizes['xml'] / MB:>7.0f}MB {sizes['zip'] / MB:>6.1f}MB "
                f"{result['rss_importador_mb']:>9.0f}MB {result['rss_leitor_mb']:>6.0f}MB {result['segundos']:>6}"
                f"  {'ACIMA DO LIMITE ' if over else ''}{result['mensagem'][:160]}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
