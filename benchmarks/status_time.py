"""`pec-tui status --json` wall time against `python -c pass`, on the demo SQLite database.

Target (issue 2): status ≤ 0.35 s above the bare interpreter, measured in the same run.
Run: python benchmarks/status_time.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 0.35


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    script = Path(sys.executable).parent / "pec-tui"
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, PEC_TUI_DATA_DIR=tmp)
        env.pop("PEC_TUI_DATABASE", None)
        subprocess.run([str(script), "demo", "--sem-console"], env=env, check=True, capture_output=True)
        database = f"sqlite:///{Path(tmp) / 'demo.sqlite3'}"
        bare_cmd = [sys.executable, "-c", "pass"]
        status_cmd = [str(script), "--database", database, "status", "--json"]
        timed(status_cmd, env)  # warm the page cache once
        bare, status = [], []
        for _ in range(args.runs):  # interleaved, so load on the machine hits both alike
            bare.append(timed(bare_cmd, env))
            status.append(timed(status_cmd, env))
    bare_median, status_median = statistics.median(bare), statistics.median(status)
    above = status_median - bare_median
    print(f"runs: {args.runs}")
    print(f"python -c pass        median {bare_median * 1000:7.1f} ms  (min {min(bare) * 1000:.1f})")
    print(f"pec-tui status --json median {status_median * 1000:7.1f} ms  (min {min(status) * 1000:.1f})")
    print(f"above the interpreter        {above * 1000:7.1f} ms  (target ≤ {TARGET_SECONDS * 1000:.0f} ms)")
    print("OK" if above <= TARGET_SECONDS else "ACIMA DO ALVO")
    return 0


if __name__ == "__main__":
    sys.exit(main())
