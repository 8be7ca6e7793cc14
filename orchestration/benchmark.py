"""Benchmark a scope end to end, against the floor measured in the same run; printed.

    python -m orchestration.benchmark --scope national --years 2022-2024

In one run: the floor (every inbox file read once with polars; one DuckDB aggregate pass over
all landed parquet), ``generate`` and ``build`` each in its own process (as `tadqiq` would),
in a separate data directory so the developer's `data/` is left alone; the build's phases read
back from Dagster's own step events (ingestion per source, contract checks, dbt, publication,
reports, and what runs around the steps); the ratio of the build to the floor; peak memory (the
largest resident set of a child process, getrusage, dbt's own process included).

Then the one-file path: one corrected budget file for one collectivity dropped into the inbox,
`tadqiq build` timed until the published snapshot shows it, and what the manifest and the
landed files say was re-landed.

Then `dbt build` alone on both engines, on the same landed data: DuckDB (target dev), and
PostgreSQL (target postgres) on a throwaway cluster of Debian's server package started for the
run, after the landed parquet is loaded into its schema raw; the three compared marts are
checked row by row (docs/operations.md). `--no-postgres` leaves PostgreSQL out.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
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


ROW = "  {:<52} {:>9}"


def line(label: str, value: str) -> None:
    print(ROW.format(label, value), flush=True)


def read_inbox_once(inbox: Path) -> tuple[float, int, int]:
    """The first floor: every inbox file read once with polars, as text (seconds, files, rows).

    A file polars cannot read (the broken ones) still counts its read attempt."""
    import polars as pl

    started = time.perf_counter()
    files = rows = 0
    for path in sorted(p for p in inbox.rglob("*") if p.is_file()):
        files += 1
        try:
            if path.suffix == ".xlsx":
                frame = pl.read_excel(path, engine="openpyxl", infer_schema_length=0)
            else:
                frame = pl.read_csv(
                    path,
                    separator=";",
                    infer_schema=False,
                    encoding="utf8-lossy",
                    truncate_ragged_lines=True,
                )
            rows += frame.height
        except Exception:  # a broken file: read, then refused
            continue
    return time.perf_counter() - started, files, rows


def aggregate_landed_once(raw: Path) -> tuple[float, int]:
    """The second floor: one DuckDB aggregate pass over every landed parquet file."""
    import duckdb

    started = time.perf_counter()
    total = 0
    with duckdb.connect() as con:
        for folder in sorted(p for p in raw.glob("*/*") if p.is_dir() and p.parent.name[0] != "_"):
            if not any(folder.glob("*.parquet")) or folder.parent.name in {"ingest", "reference"}:
                continue
            glob = str(folder / "*.parquet").replace("'", "''")
            (count,) = con.execute(
                f"select sum(n) from (select count(*) as n from read_parquet('{glob}',"
                " union_by_name = true) group by all)"
            ).fetchone()
            total += int(count or 0)
    return time.perf_counter() - started, total


def phase_of(step_key: str, contracts: dict[str, str]) -> str:
    if step_key.endswith("_contract_gx"):
        return "contract checks (great-expectations)"
    if step_key in contracts:
        return f"ingest {contracts[step_key]}"
    if step_key == "tadqiq_dbt_models":
        return "dbt build (models and tests)"
    if step_key == "published_warehouse":
        return "publish (frozen snapshot)"
    if step_key.startswith("reports"):
        return "reports (risk maps, ranking)"
    if step_key.startswith("reference"):
        return "reference data"
    return f"other step {step_key}"


def build_phases(dagster_home: Path, since: float) -> tuple[dict[str, float], float, int]:
    """Seconds per phase from Dagster's step events of the runs started after `since`, the
    seconds of those runs outside their steps, and the number of runs."""
    import dagster as dg
    from dagster import DagsterEventType as Event

    from ingestion.contracts import CONTRACTS

    contracts = {"__".join(c.asset_key): f"{c.source}/{c.entity}" for c in CONTRACTS}
    phases: dict[str, float] = defaultdict(float)
    outside = 0.0
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    with dg.DagsterInstance.get() as instance:
        runs = [
            r
            for r in instance.get_runs()
            if (instance.get_run_stats(r.run_id).start_time or 0) >= since
        ]
        for run in runs:
            stats = instance.get_run_stats(run.run_id)
            in_steps = 0.0
            starts: dict[str, float] = {}
            kinds = {Event.STEP_START, Event.STEP_SUCCESS, Event.STEP_FAILURE}
            for record in instance.all_logs(run.run_id, of_type=kinds):
                event = record.dagster_event
                if event.event_type == Event.STEP_START:
                    starts[event.step_key] = record.timestamp
                elif event.step_key in starts:
                    seconds = record.timestamp - starts.pop(event.step_key)
                    phases[phase_of(event.step_key, contracts)] += seconds
                    in_steps += seconds
            outside += (stats.end_time or stats.start_time) - stats.start_time - in_steps
    return dict(phases), outside, len(runs)


def correct_one_file(inbox: Path) -> tuple[Path, str, int]:
    """A corrected budget file for one collectivity and its latest year: the first line's
    payments raised by 1 (the file the clerk sends again, under a new name)."""
    files = sorted((inbox / "budget_execution").glob("execution_budgetaire_*.csv"))
    latest = max(int(p.stem.rsplit("_", 1)[1]) for p in files if p.stem.rsplit("_", 1)[1].isdigit())
    original = next(p for p in files if p.stem.endswith(f"_{latest}"))
    text = original.read_text(encoding="utf-8-sig")
    header, first, rest = text.split("\n", 2)
    fields = first.split(";")
    column = header.split(";").index("paiements")
    fields[column] = "123 456,78"
    corrected = original.with_name(f"{original.stem}_corrige.csv")
    corrected.write_text("\n".join([header, ";".join(fields), rest]), encoding="utf-8")
    return corrected, fields[0], latest


def one_file_path(data: Path, env: dict[str, str]) -> dict[str, object]:
    import duckdb
    import polars as pl

    corrected, code, year = correct_one_file(data / "inbox")
    dropped = time.time()
    elapsed, peak = run_step("one-file build", ["build"], env)
    raw = data / "raw"
    manifests = pl.concat(
        [pl.read_parquet(p) for p in sorted((raw / "ingest").glob("manifest_*.parquet"))]
    )
    since = datetime.fromtimestamp(dropped, UTC)
    new = manifests.filter(pl.col("ingested_at") >= since)
    relanded = sorted(
        str(p.relative_to(raw))
        for p in raw.rglob("*.parquet")
        if p.stat().st_mtime >= dropped
        and p.parts[len(raw.parts)] not in {"_store", "ingest"}
        and p.parent.name != "reference"
    )
    published = data / "published"
    snapshot = published / (published / "CURRENT").read_text(encoding="utf-8").strip()
    with duckdb.connect(str(snapshot), read_only=True) as con:
        shown = con.execute(
            "select file_status, rows_in_force from ingest.fct_ingest_files where source_file = ?",
            [corrected.name],
        ).fetchall()
    return {
        "file": f"budget_execution/{corrected.name} ({code}, {year})",
        "seconds": elapsed,
        "peak": peak,
        "new_versions": new.select("source", "entity", "source_file", "status").rows(),
        "relanded": relanded,
        "shown": shown,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scope", default="national", choices=("pilot", "rollout", "national"))
    parser.add_argument("--years", default="2022-2024")
    parser.add_argument("--no-postgres", action="store_true", help="dbt build on DuckDB only")
    parser.add_argument("--no-one-file", action="store_true", help="leave the one-file path out")
    parser.add_argument(
        "--data", type=Path, help="an empty data directory (default: data/benchmark_<scope>)"
    )
    args = parser.parse_args()
    data = args.data or REPO_ROOT / "data" / f"benchmark_{args.scope}"
    if data.name.startswith("benchmark_") and data.exists():
        shutil.rmtree(data)  # a benchmark starts from nothing: an empty inbox, store, Dagster
    elif data.exists() and any(data.iterdir()):
        raise SystemExit(f"{data} is not empty: a benchmark starts from an empty directory")
    env = os.environ | {
        "TADQIQ_DATA_DIR": str(data),
        "TADQIQ_WAREHOUSE_PATH": str(data / "warehouse.duckdb"),
        "DAGSTER_HOME": str(data / "dagster_home"),
    }
    Path(env["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    print(f"benchmark: scope {args.scope}, years {args.years}, data in {data}")
    print(f"  machine: {os.cpu_count()} cores; load average at start {load[0]:.2f}")
    generated, _ = run_step(
        "generate", ["generate", "--scope", args.scope, "--years", args.years], env
    )
    line("generate", f"{generated:.1f} s")

    read_s, files, rows = read_inbox_once(data / "inbox")
    line(
        f"floor 1: read every inbox file once, polars ({files:,} files, {rows:,} rows)",
        f"{read_s:.1f} s",
    )

    started = time.time()
    build_s, peak = run_step("build", ["build"], env)
    line("build (tadqiq build, end to end)", f"{build_s:.1f} s")
    phases, outside, runs = build_phases(Path(env["DAGSTER_HOME"]), started - 1)
    for name in sorted(phases, key=lambda n: (not n.startswith("ingest"), n)):
        line(f"    {name}", f"{phases[name]:.1f} s")
    line(f"    Dagster around the steps ({runs} runs)", f"{outside:.1f} s")
    in_runs = sum(phases.values()) + outside
    line("    outside the runs (dbt parse, start-up, scheduling)", f"{build_s - in_runs:.1f} s")

    agg_s, landed = aggregate_landed_once(data / "raw")
    line(
        f"floor 2: one DuckDB aggregate pass over the landed parquet ({landed:,} rows)",
        f"{agg_s:.2f} s",
    )
    floor = read_s + agg_s
    line("floor (1 + 2)", f"{floor:.1f} s")
    line("build / floor", f"{build_s / floor:.1f}x")
    line("peak RSS, largest process (generate and build)", f"{peak:.0f} MiB")
    inbox_files = sum(1 for p in (data / "inbox").rglob("*") if p.is_file())
    warehouse_mib = (data / "warehouse.duckdb").stat().st_size / 2**20
    print(f"  inbox files: {inbox_files:,}; warehouse size: {warehouse_mib:.0f} MiB")

    if not args.no_one_file:
        one = one_file_path(data, env)
        line(f"one file: {one['file']} -> published", f"{one['seconds']:.1f} s")
        print(f"    new file versions in the manifest: {one['new_versions']}")
        print(f"    landed files rewritten: {one['relanded']}")
        print(f"    in the published snapshot (fct_ingest_files): {one['shown']}")
        if len(one["new_versions"]) != 1 or not one["shown"]:
            raise SystemExit("the one-file path did not land exactly the corrected file")
    dbt_on_both(data, env, postgres=not args.no_postgres)
    print(f"  load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
