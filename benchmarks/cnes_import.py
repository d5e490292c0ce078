"""CNES import benchmark (issue 4): import time and peak memory against a bare lxml pass.

    python benchmarks/cnes_import.py                 # SQLite and PostgreSQL
    python benchmarks/cnes_import.py --sem-postgres  # SQLite only

The file (1,000 units, 3,000 teams, 100,000 professionals, 150,000 lotações; ~40 MB of XML) is
generated once and cached under ``benchmarks/out/``. In the same run the script measures:

* a bare lxml ``iterparse`` pass over the file, clearing elements (median of ``--repeticoes``, and
  once more right before and right after each step below, whose mean is the reference of that
  step's ratio: the machine is shared, and its speed changes during a run);
* per backend, on a fresh database (migrated, ``init``): the first import, the re-import of the
  same file (every record matched, nothing changed), and the re-import of a copy in which every
  professional's and every unit's name changed (100,000 + 1,000 updates);
* per backend, the "write floor": the same rows (users, professionals, CNS history, roles,
  lotações, units, teams) bulk-inserted with the importer's own writer, as the import does for a
  large first load (PostgreSQL: the foreign-key checks suspended and validated; SQLite: the keys
  checked once at the end and the secondary indexes built once), with no file and no rules: the
  least any importer of this schema can cost.

Every step runs in a child process; its peak RSS comes from ``os.wait4``. The figures are wall
time, CPU time (user + system, the child's and PostgreSQL's work is not in it), ratio to the bare
pass and peak RSS, with the issue's targets (import ≤ 4× the bare pass on SQLite, ≤ 6× on
PostgreSQL; peak RSS ≤ 250 MB). On PostgreSQL, ``ANALYZE`` runs between imports, as autovacuum
would do after loading 600,000 rows (otherwise the planner still believes the tables are empty).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
IBGE = "4204202"  # Chapecó/SC
UNITS, TEAMS, PROFESSIONALS, LOTACOES = 1_000, 3_000, 100_000, 150_000
SEED = 2024
FOLDER = OUT / f"cnes-{UNITS}u-{TEAMS}e-{PROFESSIONALS}p-{LOTACOES}l-s{SEED}"
FILE = FOLDER / "XmlParaESUS31_420420.xml"
CHANGED = FOLDER / "alterado" / "XmlParaESUS31_420420.xml"
SQLITE_PATH = OUT / "bench.sqlite3"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/pectui_bench"
TARGETS = {"sqlite": 4.0, "postgresql": 6.0}
RSS_TARGET_MB = 250
STEP_TIMEOUT = 20 * 60  # seconds
ADMIN = ("52998224725", "Helena Martins Duarte", "Senha1234")


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


def ensure_files() -> None:
    from pec_tui.demo.cnes_export import write_cnes_file

    if not FILE.exists():
        FOLDER.mkdir(parents=True, exist_ok=True)
        print(f"Gerando {FILE.relative_to(ROOT)} (uma vez) …", file=sys.stderr)
        write_cnes_file(
            FILE, units=UNITS, teams=TEAMS, professionals=PROFESSIONALS, lotacoes=LOTACOES, ibge=IBGE, seed=SEED
        )
    if not CHANGED.exists():
        CHANGED.parent.mkdir(parents=True, exist_ok=True)
        data = FILE.read_bytes()
        data = re.sub(rb'NM_PROF="', b'NM_PROF="DRA ', data)
        data = re.sub(rb'NM_FANTA="', b'NM_FANTA="NOVA ', data)
        partial = CHANGED.with_name(CHANGED.name + ".part")
        partial.write_bytes(data)
        partial.replace(CHANGED)


# --------------------------------------------------------------------------------------------
# Child steps (each in its own process)
# --------------------------------------------------------------------------------------------


def child_bare(path: str) -> dict:
    from lxml import etree

    started = time.perf_counter()
    elements = 0
    with open(path, "rb") as stream:
        for _event, element in etree.iterparse(stream, events=("end",), huge_tree=True):
            elements += 1
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    return {"seconds": time.perf_counter() - started, "elements": elements}


def _open(url: str, create: bool = False):
    from pec_tui.storage.database import DatabaseTarget, open_database

    return open_database(DatabaseTarget(url, "--database"), must_exist=not create)


def child_setup(url: str) -> dict:
    from pec_tui.domain.installation import init_installation

    _open(url, create=True)
    init_installation(municipio=IBGE, admin_cpf=ADMIN[0], admin_name=ADMIN[1], admin_password=ADMIN[2])
    return {}


def child_import(url: str, path: str) -> dict:
    from pec_tui.domain.cnes.importer import import_cnes
    from pec_tui.storage.models import User

    _open(url)
    admin = User.get(User.login == ADMIN[0]).id
    started = time.perf_counter()
    report = import_cnes(Path(path), localidade_id=None, user_id=admin)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "counts": {label: vars(counts) for label, counts in report.counts()},
        "rejected": len(report.registros_nao_importados),
        "without_agenda": len(report.profissionais_sem_agenda),
    }


def child_floor(url: str) -> dict:
    """Insert the rows a first import writes, with the importer's writer and nothing else."""
    import datetime as dt

    from pec_tui.domain.cnes.large_load import INDEXED_TABLES, SUSPENDED_TABLES, WRITTEN_TABLES
    from pec_tui.storage.bulk.writer import BulkWriter, foreign_keys_at_end
    from pec_tui.storage.database import transaction
    from pec_tui.storage.models import (
        ActorRole,
        Cbo,
        HealthUnit,
        Localidade,
        Lotacao,
        Professional,
        ProfessionalCnsHistory,
        Team,
        User,
    )

    _open(url)
    localidade = Localidade.get(Localidade.ibge == IBGE).id
    cbo = Cbo.get(Cbo.code == "225142").id
    started = time.perf_counter()
    # As the import does for a large first load: on PostgreSQL the foreign-key checks suspended and
    # validated at the end; on SQLite the keys checked once at the end and the indexes built once.
    with foreign_keys_at_end() as keys_at_end, transaction():
        bulk = BulkWriter()
        try:
            suspended = None
            dropped = []
            if bulk.pg:
                bulk.cursor.execute("SET LOCAL synchronous_commit = off")
                suspended = bulk.suspend_checks(SUSPENDED_TABLES)
            else:
                dropped = bulk.drop_indexes(INDEXED_TABLES)
            unit_ids = bulk.ids(HealthUnit, UNITS)
            bulk.insert(
                HealthUnit,
                ("id", "cnes", "name", "localidade", "active"),
                [(uid, f"{3_000_000 + n:07d}", f"UBS {n}", localidade, True) for n, uid in enumerate(unit_ids)],
            )
            team_ids = bulk.ids(Team, TEAMS)
            bulk.insert(
                Team,
                ("id", "ine", "name", "unit", "active"),
                [(tid, f"{n + 1:010d}", f"ESF {n}", unit_ids[n % UNITS], True) for n, tid in enumerate(team_ids)],
            )
            chunk = 2_000
            lot_index = 0
            for start in range(0, PROFESSIONALS, chunk):
                count = min(chunk, PROFESSIONALS - start)
                users = bulk.ids(User, count)
                people = bulk.ids(Professional, count)
                cpfs = [f"{10**9 + start + n:011d}" for n in range(count)]
                bulk.insert(
                    User,
                    ("id", "login", "password_hash", "blocked", "failed_attempts", "must_change_password"),
                    [(u, c, None, False, 0, True) for u, c in zip(users, cpfs, strict=True)],
                )
                bulk.insert(
                    Professional,
                    ("id", "cpf", "cns", "name", "birth_date", "sex", "user", "imported"),
                    [
                        (p, c, f"7{c}000", f"PROFISSIONAL {c}", bulk.value(dt.date(1980, 1, 1)), "FEMININO", u, True)
                        for p, c, u in zip(people, cpfs, users, strict=True)
                    ],
                )
                bulk.insert(
                    ProfessionalCnsHistory,
                    ("professional", "cns"),
                    [(p, f"7{c}000") for p, c in zip(people, cpfs, strict=True)],
                )
                wanted = round(LOTACOES * (start + count) / PROFESSIONALS) - lot_index
                roles = bulk.ids(ActorRole, wanted)
                owners = [people[n % count] for n in range(wanted)]
                bulk.insert(
                    ActorRole,
                    ("id", "professional", "kind", "active"),
                    [(r, p, ActorRole.LOTACAO, True) for r, p in zip(roles, owners, strict=True)],
                )
                bulk.insert(
                    Lotacao,
                    ("role", "professional", "cbo", "unit", "team", "imported", "update_on_import", "unique_code"),
                    [
                        (
                            r,
                            p,
                            cbo,
                            unit_ids[(lot_index + n) % UNITS],
                            team_ids[(lot_index + n) % TEAMS],
                            True,
                            False,
                            f"floor-{lot_index + n}",
                        )
                        for n, (r, p) in enumerate(zip(roles, owners, strict=True))
                    ],
                )
                lot_index += wanted
            bulk.flush()
            bulk.recreate_indexes(dropped)
            if suspended is not None and bulk.validate_checks(suspended):
                raise SystemExit("piso de escrita: chaves estrangeiras inválidas")
            if keys_at_end and bulk.foreign_key_violations(WRITTEN_TABLES):
                raise SystemExit("piso de escrita: chaves estrangeiras inválidas")
        finally:
            bulk.close()

    return {"seconds": time.perf_counter() - started, "rows": UNITS + TEAMS + 3 * PROFESSIONALS + 2 * lot_index}


def child_analyze(url: str) -> dict:
    opened = _open(url)
    opened.db.execute_sql("ANALYZE")
    return {}


CHILD_STEPS = {
    "bare": lambda a: child_bare(a.file),
    "setup": lambda a: child_setup(a.url),
    "import": lambda a: child_import(a.url, a.file),
    "floor": lambda a: child_floor(a.url),
    "analyze": lambda a: child_analyze(a.url),
}


# --------------------------------------------------------------------------------------------
# Parent
# --------------------------------------------------------------------------------------------


def run_child(step: str, *, url: str = "", file: Path | None = None) -> dict:
    """Run one step in a child process; add its wall time, CPU time and peak RSS."""
    command = [sys.executable, __file__, "--filho", step, "--url", url, "--arquivo", str(file or "")]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT)
    # A step that hangs (a bad plan, a lock) is stopped rather than left running.
    watchdog = threading.Timer(STEP_TIMEOUT, lambda: os.kill(process.pid, signal.SIGTERM))
    watchdog.start()
    try:
        output = process.stdout.read() if process.stdout else b""
        _pid, status, usage = os.wait4(process.pid, 0)
    finally:
        watchdog.cancel()
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"o passo {step} falhou (código {os.waitstatus_to_exitcode(status)})")
    result = json.loads(output.decode().strip().splitlines()[-1])
    result.update(process_wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss_mb=usage.ru_maxrss / 1024)
    return result


def fresh_sqlite() -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{SQLITE_PATH}"


def fresh_postgres(url: str) -> str | None:
    from urllib.parse import urlsplit

    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    try:
        admin = psycopg2.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password,
            dbname="postgres",
            connect_timeout=3,
        )
    except psycopg2.Error as exc:
        print(f"PostgreSQL indisponível ({str(exc).strip().splitlines()[0]}); pulando.", file=sys.stderr)
        return None
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return url


def drop_postgres(url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg2

    parts = urlsplit(url)
    admin = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
    admin.close()


def measured_step(step: str, *, url: str, file: Path | None = None) -> dict:
    """The step, between two bare lxml passes over the same file: the machine is shared and its
    speed drifts within a minute, so each step is compared with the mean of the passes right before
    and right after it (the run's median is shown too)."""
    before = run_child("bare", file=FILE)
    payload = run_child(step, url=url, file=file)
    after = run_child("bare", file=FILE)
    payload["bare"] = (before["seconds"] + after["seconds"]) / 2
    return payload


def backend_steps(kind: str, make_url, *, floor: bool) -> list[tuple[str, dict]]:
    results = []
    url = make_url()
    if url is None:
        return results
    run_child("setup", url=url)
    results.append(("importação", measured_step("import", url=url, file=FILE)))
    if kind == "postgresql":
        run_child("analyze", url=url)
    results.append(("reimportação (mesmo arquivo)", measured_step("import", url=url, file=FILE)))
    if kind == "postgresql":
        run_child("analyze", url=url)
    results.append(("reimportação (todos os nomes mudam)", measured_step("import", url=url, file=CHANGED)))
    if floor:
        url = make_url()
        run_child("setup", url=url)
        results.append(("piso de escrita (só inserir as linhas)", measured_step("floor", url=url)))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filho", choices=sorted(CHILD_STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--arquivo", default="", help=argparse.SUPPRESS)
    parser.add_argument("--sem-postgres", action="store_true", help="só SQLite")
    parser.add_argument("--sem-piso", action="store_true", help="não mede o piso de escrita")
    parser.add_argument("--postgres", default=PG_DEFAULT, metavar="URL", help=f"banco de teste (padrão {PG_DEFAULT})")
    parser.add_argument("--repeticoes", type=int, default=3, help="passadas do lxml puro (mediana)")
    args = parser.parse_args(argv)

    if args.filho:
        args.file = args.arquivo
        print(json.dumps(CHILD_STEPS[args.filho](args)))
        return 0

    OUT.mkdir(parents=True, exist_ok=True)
    ensure_files()
    size_mb = FILE.stat().st_size / 1024**2
    load_before = os.getloadavg()
    bare_runs = [run_child("bare", file=FILE) for _ in range(max(1, args.repeticoes))]
    bare = statistics.median(run["seconds"] for run in bare_runs)
    bare_rss = max(run["rss_mb"] for run in bare_runs)

    measured: list[tuple[str, str, dict]] = []
    for label, payload in backend_steps("sqlite", fresh_sqlite, floor=not args.sem_piso):
        measured.append(("sqlite", label, payload))
    if not args.sem_postgres:
        try:
            for label, payload in backend_steps(
                "postgresql", lambda: fresh_postgres(args.postgres), floor=not args.sem_piso
            ):
                measured.append(("postgresql", label, payload))
        finally:
            with contextlib.suppress(Exception):  # best effort: the benchmark database goes away
                drop_postgres(args.postgres)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    load_after = os.getloadavg()

    print(
        f"Arquivo: {FILE.relative_to(ROOT)} ({size_mb:.1f} MB): {UNITS} unidades, {TEAMS} equipes, "
        f"{PROFESSIONALS} profissionais, {LOTACOES} lotações."
    )
    print(
        f"Carga da máquina (loadavg 1 min): {load_before[0]:.2f} no início, {load_after[0]:.2f} no fim; "
        f"{os.cpu_count()} CPUs."
    )
    runs = ", ".join(f"{run['seconds']:.2f}" for run in bare_runs)
    print(f"lxml iterparse puro (limpando elementos): mediana {bare:.2f} s ({runs}); RSS {bare_rss:.0f} MB")
    print()
    header = (
        f"{'banco':<11} {'passo':<40} {'tempo':>8} {'lxml ao lado':>12} {'× lxml':>7} {'× mediana':>9} "
        f"{'CPU':>7} {'RSS':>7}  meta"
    )
    print(header)
    print("-" * len(header))
    ok = True
    for kind, label, payload in measured:
        seconds = payload["seconds"]
        ratio = seconds / payload["bare"]
        target = TARGETS[kind]
        verdict = ""
        if not label.startswith("piso"):
            met = ratio <= target and payload["rss_mb"] <= RSS_TARGET_MB
            ok = ok and met
            verdict = f"≤ {target:.0f}× e ≤ {RSS_TARGET_MB} MB: {'ok' if met else 'NÃO'}"
        print(
            f"{kind:<11} {label:<40} {seconds:>7.2f}s {payload['bare']:>11.2f}s {ratio:>6.1f}× "
            f"{seconds / bare:>8.1f}× {payload['cpu']:>6.1f}s {payload['rss_mb']:>5.0f}MB  {verdict}"
        )
    print()
    print(
        "tempo: a chamada import_cnes (ou a inserção do piso) no processo filho; lxml ao lado: a média "
        "das passadas puras logo antes e logo depois; CPU: usuário + sistema do filho (o trabalho do "
        "servidor PostgreSQL não entra)."
    )
    print()
    for kind, label, payload in measured:
        if "counts" in payload:
            counts = "; ".join(
                f"{name}: " + ", ".join(f"{key} {value}" for key, value in values.items() if value)
                for name, values in payload["counts"].items()
            )
            print(f"{kind} {label}: {counts}; não importados {payload['rejected']}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
