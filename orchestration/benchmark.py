"""Benchmark a scope end to end: wall time and peak memory of each step, printed.

    python -m orchestration.benchmark --scope national --years 2022-2024

Each step runs in its own process (as `tadqiq` would), in a separate data directory so the
developer's `data/` is left alone; peak memory is the largest resident set of the step's
process tree (getrusage of the children, which includes dbt's own process).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from orchestration.lib.settings import REPO_ROOT


def run_step(label: str, args: list[str], env: dict[str, str]) -> tuple[float, float]:
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        sys.stderr.write(process.stdout[-4000:] + process.stderr[-4000:])
        raise SystemExit(f"benchmark step {label!r} failed")
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, peak_mib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scope", default="national", choices=("pilot", "rollout", "national"))
    parser.add_argument("--years", default="2022-2024")
    args = parser.parse_args()
    data = REPO_ROOT / "data" / f"benchmark_{args.scope}"
    env = os.environ | {
        "TADQIQ_DATA_DIR": str(data),
        "TADQIQ_WAREHOUSE_PATH": str(data / "warehouse.duckdb"),
        "DAGSTER_HOME": str(data / "dagster_home"),
    }
    Path(env["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    print(f"benchmark: scope {args.scope}, years {args.years}, data in {data}")
    steps = [
        ("generate", ["generate", "--scope", args.scope, "--years", args.years]),
        ("build (ingest, checks, dbt build, publish)", ["build"]),
    ]
    total = 0.0
    for label, step_args in steps:
        elapsed, peak = run_step(label, step_args, env)
        total += elapsed
        print(f"  {label:<45} {elapsed:8.1f} s   peak RSS so far {peak:8.0f} MiB")
    inbox_files = sum(1 for _ in (data / "inbox").rglob("*.csv"))
    warehouse_mib = (data / "warehouse.duckdb").stat().st_size / 2**20
    print(f"  {'total':<45} {total:8.1f} s")
    print(f"  inbox files: {inbox_files}; warehouse size: {warehouse_mib:.0f} MiB")


if __name__ == "__main__":
    main()
