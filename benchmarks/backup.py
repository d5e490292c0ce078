"""Backup benchmark (issue 13): ``backup now`` + ``backup verify`` against the bare tools.

    python benchmarks/backup.py                 # SQLite and PostgreSQL
    python benchmarks/backup.py --sem-postgres  # SQLite only

The data set is the CNES benchmark's (``benchmarks/cnes_import.py``: 1,000 units, 3,000 teams,
100,000 professionals, 150,000 lotações), imported once per backend into a database kept under
``benchmarks/out/`` (SQLite) or ``pectui_bench_backup`` (PostgreSQL) and reused by later runs
(``--refazer`` builds them again). In the same run, per backend, alternating so that the shared
machine's drift touches both alike (``--repeticoes`` rounds, medians shown):

* the bare floor: PostgreSQL ``pg_dump -Fc`` of the database + ``pg_restore`` of it into a new
  database; SQLite, the online backup API (what ``.backup`` does) into a file + opening it
  (``SELECT count(*) FROM sqlite_master``);
  For SQLite a second floor reads the copy once (``PRAGMA quick_check``), as any check of a copy
  must: the bare floor never reads what it wrote;
* pec-tui: :func:`backup.make` (copy, counts, audit head, SHA-256, manifest, retention) +
  :func:`backup.verify` (size, SHA-256, restore into a scratch database, schema version, counts,
  the audit trail walked up to the manifest's head), in clear and encrypted to an age key.

Every measurement runs in a child process; its peak RSS (the process and, separately, the largest
of its children: ``pg_dump``, ``pg_restore``) comes from ``resource.getrusage``. Targets: ≤ 1.3×
the floor, peak RSS ≤ 150 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
DATA_DIR = OUT / "backup-dados"
SQLITE_PATH = OUT / "backup-bench.sqlite3"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/pectui_bench_backup"
RATIO_TARGET = 1.3
RSS_TARGET_MB = 150


def _environment() -> dict[str, str]:
    return {**os.environ, "PEC_TUI_DATA_DIR": str(DATA_DIR)}


def _open(url: str):
    from pec_tui.storage.database import DatabaseTarget, open_database

    return open_database(DatabaseTarget(url, "--database"))


def _peaks(result: dict) -> dict:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {**result, "rss_mb": own, "children_rss_mb": children}


# --------------------------------------------------------------------------------------------
# Children
# --------------------------------------------------------------------------------------------


def child_build(url: str) -> dict:
    """Migrate, init and import the CNES data set (once; reused by later runs)."""
    from benchmarks import cnes_import

    cnes_import.ensure_files()
    cnes_import.child_setup(url)
    return cnes_import.child_import(url, str(cnes_import.FILE))


def child_floor(url: str, read: bool = False) -> dict:
    from pec_tui.domain.tarefas import backup

    opened = _open(url)
    with tempfile.TemporaryDirectory(prefix="piso-", dir=OUT) as scratch:
        copy = Path(scratch) / "copia"
        started = time.perf_counter()
        if opened.kind == "sqlite":
            source = sqlite3.connect(SQLITE_PATH)
            target = sqlite3.connect(copy)
            source.backup(target, pages=4096)
            target.close()
            source.close()
            made = time.perf_counter()
            with contextlib.closing(sqlite3.connect(copy)) as reopened:
                reopened.execute("SELECT count(*) FROM sqlite_master").fetchone()
                if read:  # a floor that reads the copy once, as any real check must
                    reopened.execute("PRAGMA quick_check").fetchone()
        else:
            params = backup._pg_params(opened.db)
            env = backup._pg_env(params)
            subprocess.run(["pg_dump", "-Fc", "-f", str(copy)], env=env, check=True)
            made = time.perf_counter()
            name = f"pectui_bench_piso_{os.getpid()}"
            subprocess.run(["createdb", name], env=env, check=True)
            try:
                subprocess.run(["pg_restore", "--no-owner", "-d", name, str(copy)], env=env, check=True)
            finally:
                subprocess.run(["dropdb", "--force", name], env=env, check=True)
        done = time.perf_counter()
        size = copy.stat().st_size
    return _peaks({"copy": made - started, "check": done - made, "seconds": done - started, "size": size})


def child_pectui(url: str, encrypted: bool) -> dict:
    from pec_tui.domain import settings
    from pec_tui.domain.tarefas import backup
    from pec_tui.storage.database import transaction

    _open(url)
    identity = DATA_DIR / "identidade-bench.txt"
    with transaction():
        settings.put(backup.RECIPIENT_KEY, text=_public_key(identity) if encrypted else None)
    with tempfile.TemporaryDirectory(prefix="copias-", dir=OUT) as scratch:
        started = time.perf_counter()
        done = backup.make(Path(scratch))
        made = time.perf_counter()
        verified = backup.verify(done.path, identity if encrypted else None)
        finished = time.perf_counter()
    return _peaks(
        {
            "copy": made - started,
            "check": finished - made,
            "seconds": finished - started,
            "size": done.manifest.tamanho,
            "counts": verified.counts,
        }
    )


def _public_key(identity: Path) -> str:
    import pyrage

    if not identity.exists():
        identity.write_text(f"{pyrage.x25519.Identity.generate()}\n")
        identity.chmod(0o600)
    return str(pyrage.x25519.Identity.from_str(identity.read_text().strip()).to_public())


CHILD_STEPS = {
    "build": lambda a: child_build(a.url),
    "floor": lambda a: child_floor(a.url),
    "floor-read": lambda a: child_floor(a.url, read=True),
    "pectui": lambda a: child_pectui(a.url, False),
    "pectui-age": lambda a: child_pectui(a.url, True),
}


# --------------------------------------------------------------------------------------------
# Parent
# --------------------------------------------------------------------------------------------


def run_child(step: str, url: str) -> dict:
    command = [sys.executable, str(Path(__file__)), "--filho", step, "--url", url]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=_environment(), check=False)
    if result.returncode != 0:
        raise SystemExit(f"o passo {step} falhou:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def ensure_sqlite(rebuild: bool) -> str:
    url = f"sqlite:///{SQLITE_PATH}"
    if rebuild or not SQLITE_PATH.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        print("Importando o conjunto de dados no SQLite (uma vez) …", file=sys.stderr)
        run_child("build", url)
    return url


def ensure_postgres(url: str, rebuild: bool) -> str | None:
    from urllib.parse import urlsplit

    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    try:
        admin = psycopg2.connect(
            host=parts.hostname or "127.0.0.1", port=parts.port or 5432, user=parts.username or "postgres",
            password=parts.password, dbname="postgres", connect_timeout=3,
        )  # fmt: skip
    except psycopg2.Error as exc:
        print(f"PostgreSQL indisponível ({str(exc).strip().splitlines()[0]}); pulando.", file=sys.stderr)
        return None
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        exists = cursor.fetchone() is not None
        if rebuild or not exists:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    if rebuild or not exists:
        print("Importando o conjunto de dados no PostgreSQL (uma vez) …", file=sys.stderr)
        run_child("build", url)
    return url


def measure(url: str, rounds: int) -> dict[str, list[dict]]:
    steps = ["floor", "pectui", "pectui-age"]
    if url.startswith("sqlite"):
        steps.insert(1, "floor-read")
    results: dict[str, list[dict]] = {step: [] for step in steps}
    for _ in range(rounds):
        for step in steps:
            results[step].append(run_child(step, url))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filho", choices=sorted(CHILD_STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--sem-postgres", action="store_true", help="só SQLite")
    parser.add_argument("--postgres", default=PG_DEFAULT, metavar="URL", help=f"banco de teste (padrão {PG_DEFAULT})")
    parser.add_argument("--repeticoes", type=int, default=3, help="rodadas (mediana)")
    parser.add_argument("--refazer", action="store_true", help="importa de novo o conjunto de dados")
    args = parser.parse_args(argv)

    if args.filho:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(CHILD_STEPS[args.filho](args)))
        return 0

    OUT.mkdir(parents=True, exist_ok=True)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    if args.refazer:
        shutil.rmtree(DATA_DIR)
        DATA_DIR.mkdir()
    urls = {"sqlite": ensure_sqlite(args.refazer)}
    if not args.sem_postgres:
        pg = ensure_postgres(args.postgres, args.refazer)
        if pg:
            urls["postgresql"] = pg
    load_before = os.getloadavg()
    measured = {kind: measure(url, max(1, args.repeticoes)) for kind, url in urls.items()}
    load_after = os.getloadavg()

    print(
        f"Carga da máquina (loadavg 1 min): {load_before[0]:.2f} no início, {load_after[0]:.2f} no fim; "
        f"{os.cpu_count()} CPUs; {max(1, args.repeticoes)} rodadas, medianas."
    )
    header = (
        f"{'banco':<11} {'passo':<34} {'cópia':>7} {'conferir':>8} {'total':>7} {'× piso':>7} "
        f"{'tamanho':>8} {'RSS':>6} {'filhos':>7}  meta"
    )
    print(header)
    print("-" * len(header))
    ok = True
    labels = {
        "floor": "piso (pg_dump + pg_restore)",
        "pectui": "pec-tui backup now + verify",
        "pectui-age": "pec-tui, cifrada (age)",
        "floor-read": "piso + quick_check (lê a cópia)",
    }
    for kind, steps in measured.items():
        floor = statistics.median(run["seconds"] for run in steps["floor"])
        for step, runs in steps.items():
            label = labels[step] if kind == "postgresql" or step != "floor" else "piso (backup API + abrir)"
            copy, check, total = (statistics.median(run[key] for run in runs) for key in ("copy", "check", "seconds"))
            rss = max(run["rss_mb"] for run in runs)
            children = max(run["children_rss_mb"] for run in runs)
            verdict = ""
            if not step.startswith("floor"):
                met = total / floor <= RATIO_TARGET and max(rss, children) <= RSS_TARGET_MB
                ok = ok and met
                verdict = f"≤ {RATIO_TARGET}× e ≤ {RSS_TARGET_MB} MB: {'ok' if met else 'NÃO'}"
            print(
                f"{kind:<11} {label:<34} {copy:>6.2f}s {check:>7.2f}s {total:>6.2f}s {total / floor:>6.2f}× "
                f"{runs[0]['size'] / 1024**2:>6.1f}MB {rss:>4.0f}MB {children:>5.0f}MB  {verdict}"
            )
    print()
    print(
        "cópia: backup.make (ou pg_dump / a API de backup); conferir: backup.verify (ou pg_restore num banco "
        "novo / abrir o arquivo); RSS: pico do processo; filhos: pico do maior filho (pg_dump, pg_restore)."
    )
    for kind, steps in measured.items():
        counts = ", ".join(f"{name} {count}" for name, count in steps["pectui"][0]["counts"].items())
        print(f"{kind}: {counts}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
