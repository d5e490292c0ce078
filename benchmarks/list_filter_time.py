"""Filter keystroke latency of the Unidades de saúde and CBO lists over a big municipality.

Writes 1,000 units, 3,000 teams, 100,000 professionals and 150,000 lotações (10 % deactivated)
straight into a fresh database, then "types" searches one character at a time and times each
answer the way the console gets it: in a new thread (a Textual thread worker) that opens its
own connection, runs the domain function for one page, and closes.

Target (issue 4): a filter keystroke answered in ≤ 50 ms (p95). The debounce (150 ms) is not
counted: it is a wait by design, not work.

Run: python benchmarks/list_filter_time.py [--database postgresql://…/empty_db] [--scale 1.0]
(without --database: a temporary SQLite file).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pec_tui.core import clock
from pec_tui.domain import cbo, unidades_saude
from pec_tui.storage.database import DatabaseTarget, open_database, sqlite_url, transaction
from pec_tui.storage.migrations import migrate
from pec_tui.storage.models import (
    ActorRole,
    Cbo,
    HealthUnit,
    Localidade,
    Lotacao,
    Professional,
    Team,
    TeamType,
    UnitType,
)

TARGET_MS = 50.0
PAGE = 30
FIRST = [
    "Ana",
    "Bruno",
    "Carla",
    "Davi",
    "Eduarda",
    "Fábio",
    "Gabriela",
    "Heitor",
    "Íris",
    "João",
    "Larissa",
    "Márcio",
    "Natália",
    "Otávio",
    "Paula",
    "Renato",
    "Sílvia",
    "Tiago",
    "Úrsula",
    "Vítor",
]
LAST = [
    "Silva",
    "Souza",
    "Oliveira",
    "Conceição",
    "Araújo",
    "Pereira",
    "Gonçalves",
    "Lima",
    "Melo",
    "Ribeiro",
    "Carvalho",
    "Gomes",
    "Martins",
    "Rocha",
    "Almeida",
    "Nascimento",
    "Barbosa",
    "Ferreira",
    "Cardoso",
    "Dias",
]
PLACES = [
    "Centro",
    "Efapi",
    "São Cristóvão",
    "Passo dos Fortes",
    "Jardim Itália",
    "Seminário",
    "Bela Vista",
    "Santa Maria",
    "Palmital",
    "Presidente Médici",
    "Líder",
    "Engenho Braun",
    "Quedas do Palmital",
    "Parque das Palmeiras",
    "Vila Rica",
    "São Pedro",
    "Boa Vista",
    "Cristo Rei",
    "Maria Goretti",
    "Pinheirinho",
]


def batched(rows: list[dict], model, size: int = 2_000) -> None:
    for start in range(0, len(rows), size):
        model.insert_many(rows[start : start + size]).execute()


def build(scale: float, rng: random.Random) -> tuple[int, list[int]]:
    n_units, n_teams = int(1_000 * scale), int(3_000 * scale)
    n_professionals, n_lotacoes = int(100_000 * scale), int(150_000 * scale)
    started = time.perf_counter()
    with transaction():
        chapeco = Localidade.get(Localidade.ibge == "4204202").id
        ubs = UnitType.get(UnitType.cnes_code == 2).id
        esf = TeamType.get(TeamType.ms_code == 70).id
        if Cbo.select().count() < 10:
            Cbo.insert_many([{"code": f"{225100 + i}", "name": f"Ocupação de teste {i}"} for i in range(40)]).execute()
        cbo_ids = [c.id for c in Cbo.select(Cbo.id)]
        batched(
            [
                {
                    "name": f"UBS {rng.choice(PLACES)} {n:04d}",
                    "cnes": f"{3000000 + n}",
                    "localidade": chapeco,
                    "unit_type": ubs,
                    "active": n % 37 != 0,
                }
                for n in range(n_units)
            ],
            HealthUnit,
        )
        unit_ids = [u.id for u in HealthUnit.select(HealthUnit.id).where(HealthUnit.localidade == chapeco)]
        batched(
            [
                {
                    "name": f"ESF {n:05d}",
                    "ine": f"{n:010d}",
                    "unit": unit_ids[n % len(unit_ids)],
                    "team_type": esf,
                    "area_code": f"{n % 999:03d}",
                    "active": n % 11 != 0,
                }
                for n in range(n_teams)
            ],
            Team,
        )
        team_ids = [t.id for t in Team.select(Team.id)]
        batched(
            [
                {
                    "name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}",
                    "cpf": f"{50_000_000_000 + n}",
                    "cns": f"{700_000_000_000_000 + n}",
                    "imported": True,
                }
                for n in range(n_professionals)
            ],
            Professional,
        )
        professional_ids = [p.id for p in Professional.select(Professional.id).where(Professional.imported == True)]
        roles = [
            {"professional": professional_ids[n % len(professional_ids)], "kind": ActorRole.LOTACAO}
            for n in range(n_lotacoes)
        ]
        first_role = (ActorRole.select(ActorRole.id).order_by(ActorRole.id.desc()).scalar() or 0) + 1
        batched(roles, ActorRole)
        role_ids = [
            r.id for r in ActorRole.select(ActorRole.id).where(ActorRole.id >= first_role).order_by(ActorRole.id)
        ]
        lotacoes = []
        for n, role_id in enumerate(role_ids):
            team = rng.choice(team_ids)
            lotacoes.append(
                {
                    "role": role_id,
                    "professional": roles[n]["professional"],
                    "cbo": rng.choice(cbo_ids),
                    "unit": unit_ids[(team - team_ids[0]) % len(unit_ids)],
                    "team": team,
                    "deactivated_at": clock.now() if n % 10 == 0 else None,
                    "imported": True,
                }
            )
        batched(lotacoes, Lotacao)
    print(
        f"dados: {n_units} unidades, {n_teams} equipes, {n_professionals} profissionais, {n_lotacoes} lotações "
        f"em {time.perf_counter() - started:.1f} s"
    )
    return chapeco, unit_ids


def in_worker_thread(db, call) -> float:
    """Seconds for ``call`` in a new thread with its own connection (what a thread worker does)."""
    result: list[float] = []

    def run() -> None:
        started = time.perf_counter()
        with db.connection_context():
            call()
        result.append(time.perf_counter() - started)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result[0]


def typed(text: str) -> list[str]:
    return [text[: i + 1] for i in range(len(text))]


def report(name: str, seconds: list[float]) -> bool:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[max(0, int(round(0.95 * len(ms))) - 1)]
    ok = p95 <= TARGET_MS
    print(
        f"{name:<44} n={len(ms):<4} p50={statistics.median(ms):6.1f} ms  p95={p95:6.1f} ms  "
        f"máx={ms[-1]:6.1f} ms  {'OK' if ok else 'ACIMA DA META'} (≤ {TARGET_MS:.0f} ms)"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", help="URL of an EMPTY database (default: temporary SQLite)")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or sqlite_url(Path(tmp) / "grande.sqlite3")
        opened = open_database(DatabaseTarget(url, "--database"), must_exist=False)
        db = opened.db
        migrate()
        chapeco, unit_ids = build(args.scale, rng)
        if not db.is_closed():
            db.close()
        print(f"banco: {opened.target.short}")

        unit_times: list[float] = []
        for _ in range(10):
            name = f"{rng.choice(PLACES)} {rng.randrange(len(unit_ids)):04d}"
            for query in typed(name):
                unit_times.append(
                    in_worker_thread(db, lambda q=query: unidades_saude.list_units(q, 0, PAGE, [chapeco]))
                )
        for query in typed("3000777"):
            unit_times.append(in_worker_thread(db, lambda q=query: unidades_saude.list_units(q, 0, PAGE, [chapeco])))

        professional_times: list[float] = []
        for _ in range(10):
            unit_id = rng.choice(unit_ids)
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            for query in typed(name):
                professional_times.append(
                    in_worker_thread(
                        db, lambda u=unit_id, q=query: unidades_saude.list_unit_professionals(u, False, q, 0, PAGE)
                    )
                )
            professional_times.append(
                in_worker_thread(db, lambda u=unit_id: unidades_saude.list_unit_professionals(u, True, "", 0, PAGE))
            )

        team_times = [
            in_worker_thread(db, lambda u=unit_id: unidades_saude.list_teams(u, True, 0, PAGE))
            for unit_id in rng.sample(unit_ids, 50)
        ]
        cbo_times: list[float] = []
        for name in ("medico", "enfermeiro", "agente comunitario", "2251"):
            for query in typed(name):
                cbo_times.append(in_worker_thread(db, lambda q=query: cbo.list_cbos(q, True, 0, PAGE)))

        ok = all(
            [
                report("Unidades de saúde: nome ou CNES", unit_times),
                report("Profissionais da unidade: nome", professional_times),
                report("Equipes da unidade (com inativas)", team_times),
                report("CBO: nome ou código", cbo_times),
            ]
        )
        opened.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
