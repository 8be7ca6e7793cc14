"""Benchmark a scope end to end: wall time and peak memory of each step, printed.

    python -m orchestration.benchmark --scope national --years 2022-2024

Each step runs in its own process (as `tadqiq` would), in a separate data directory so the
developer's `data/` is left alone; peak memory is the largest resident set of the step's
process tree (getrusage of the children, which includes dbt's own process).

Then `dbt build` alone on both engines, on the same landed data: DuckDB (target dev), and
PostgreSQL (target postgres) on a throwaway cluster of Debian's server package started for the
run, after the landed parquet is loaded into its schema raw; the three compared marts are
checked row by row (docs/operations.md). `--no-postgres` leaves PostgreSQL out.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from orchestration.lib.dbt_build import dbt_build
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


def dbt_on_both(data: Path, env: dict[str, str], postgres: bool = True) -> None:
    """dbt build on DuckDB, then load + dbt build on a throwaway PostgreSQL, and compare."""
    from orchestration.lib import postgres_cluster
    from orchestration.lib.postgres_compare import compare_marts
    from orchestration.lib.postgres_raw import load_raw

    scratch = data / "dbt_benchmark"
    duck = dbt_build("dev", scratch, env)
    if not duck.success:
        sys.stderr.write(duck.tail())
        raise SystemExit("benchmark step 'dbt build, DuckDB' failed")
    print(f"  {'dbt build, DuckDB':<45} {duck.seconds:8.1f} s")
    if not postgres:
        return
    try:
        postgres_cluster.server_binaries()
    except RuntimeError as missing:
        print(f"  dbt build, PostgreSQL: not run ({missing})")
        return
    os.environ.update(env)  # the loader renders the sources' locations from TADQIQ_DATA_DIR
    with postgres_cluster.running_cluster() as cluster:
        cluster.create_database("tadqiq")
        conninfo = cluster.conninfo("tadqiq")
        started = time.perf_counter()
        loaded = load_raw(conninfo)
        label = f"load raw into PostgreSQL ({sum(loaded.values()):,} rows)"
        print(f"  {label:<45} {time.perf_counter() - started:8.1f} s")
        pg = dbt_build("postgres", scratch, env | cluster.dbt_env("tadqiq"))
        if not pg.success:
            sys.stderr.write(pg.tail())
            raise SystemExit("benchmark step 'dbt build, PostgreSQL' failed")
        ratio = f"{pg.seconds / duck.seconds:.2f}x DuckDB's"
        print(f"  {'dbt build, PostgreSQL':<45} {pg.seconds:8.1f} s   ({ratio})")
        comparisons = compare_marts(Path(env["TADQIQ_WAREHOUSE_PATH"]), conninfo)
    for comparison in comparisons:
        print(f"    {comparison.summary()}")
    if not all(c.agree for c in comparisons):
        raise SystemExit("the marts differ between DuckDB and PostgreSQL")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scope", default="national", choices=("pilot", "rollout", "national"))
    parser.add_argument("--years", default="2022-2024")
    parser.add_argument("--no-postgres", action="store_true", help="dbt build on DuckDB only")
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
    dbt_on_both(data, env, postgres=not args.no_postgres)


if __name__ == "__main__":
    main()
