"""The Dagster definitions load, with the asset graph and checks the data team expects."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import duckdb

from ingestion.contracts import CONTRACTS
from orchestration.defs.transform.dbt import dbt_build_args
from orchestration.lib.publish import publish
from orchestration.lib.settings import REPO_ROOT


def test_asset_graph() -> None:
    from orchestration.definitions import defs

    graph = defs().resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    sources = {"/".join(c.asset_key) for c in CONTRACTS}
    assert (
        sources | {"reference/collectivities", "reference/boundaries", "published_warehouse"}
        <= keys
    )
    parents = {
        k.to_user_string(): sorted(p.to_user_string() for p in graph.get(k).parent_keys)
        for k in graph.get_all_asset_keys()
    }
    for contract in CONTRACTS:  # every source feeds exactly one staging model
        children = [k for k, p in parents.items() if "/".join(contract.asset_key) in p]
        assert len(children) == 1 and children[0].startswith("staging/stg_"), contract.entity
    assert parents["staging/stg_reference__collectivities"] == ["reference/collectivities"]
    assert "marts/fct_risk_scores" in parents["published_warehouse"]
    partitioned = {
        k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).is_partitioned
    }
    assert partitioned == {"/".join(c.asset_key) for c in CONTRACTS if c.is_partitioned}


def test_blocking_contract_checks_on_every_source() -> None:
    from orchestration.definitions import defs

    checks = {
        (spec.asset_key.to_user_string(), spec.name, spec.blocking)
        for checks_def in defs().asset_checks or []
        for spec in checks_def.check_specs
    }
    for contract in CONTRACTS:
        check = ("/".join(contract.asset_key), f"{contract.entity}_contract_gx", True)
        assert check in checks


def test_dbt_args_and_schedule() -> None:
    from orchestration.definitions import defs

    assert dbt_build_args() == ["build"]
    definitions = defs()
    schedule = definitions.resolve_schedule_def("daily_refresh_schedule")
    assert schedule.cron_schedule == "0 5 * * *"
    assert schedule.execution_timezone == "Africa/Casablanca"
    assert schedule.job_name == "refresh_job"
    sensors = {s.name for s in definitions.sensors or []}
    assert sensors == {"inbox_sensor", "refresh_after_ingest_sensor", "desk_events_sensor"}


def _warehouse(path: Path, generation: int, raw: Path) -> None:
    """A warehouse like dbt's: a mart table, a seed, and a staging view over a parquet file."""
    with duckdb.connect(str(path)) as con:
        con.execute(f"copy (select {generation} as generation) to '{raw}' (format parquet)")
        for schema in ("marts", "methodology", "staging"):
            con.execute(f"create schema if not exists {schema}")
        con.execute(
            "create or replace table marts.fct_scores as select ? as generation", [generation]
        )
        con.execute("create or replace table methodology.weights as select 0.5 as weight")
        con.execute(f"create or replace view marts.v_raw as select * from read_parquet('{raw}')")
        con.execute(f"create or replace view staging.stg as select * from read_parquet('{raw}')")


def test_publish_switches_atomically_and_keeps_three(tmp_path: Path) -> None:
    warehouse, raw = tmp_path / "warehouse.duckdb", tmp_path / "raw.parquet"
    published = tmp_path / "published"
    (published).mkdir()
    (published / ".warehouse_20260101T000000000000Z.duckdb.tmp").write_bytes(b"half a file")
    names = []
    for generation in range(5):
        _warehouse(warehouse, generation, raw)
        names.append(publish(warehouse, published).name)
    assert (published / "CURRENT").read_text().strip() == names[-1]
    assert sorted(p.name for p in published.glob("warehouse_*.duckdb")) == names[-3:]
    assert not list(published.glob(".*tmp*"))  # the killed publication's file is gone
    current = published / names[-1]
    assert stat.S_IMODE(current.stat().st_mode) == 0o444
    with duckdb.connect(str(current), read_only=True) as con:
        assert con.execute("select generation from marts.fct_scores").fetchall() == [(4,)]
        kinds = con.execute(
            "select schema_name, table_name from duckdb_tables() order by all"
        ).fetchall()
        assert kinds == [("marts", "fct_scores"), ("marts", "v_raw"), ("methodology", "weights")]
        assert con.execute("select count(*) from duckdb_views() where not internal").fetchone() == (
            0,
        )


def test_a_published_snapshot_is_frozen(tmp_path: Path) -> None:
    """Raw files that change after publication do not change what the snapshot shows."""
    warehouse, raw = tmp_path / "warehouse.duckdb", tmp_path / "raw.parquet"
    _warehouse(warehouse, 1, raw)
    snapshot = publish(warehouse, tmp_path / "published")
    with duckdb.connect(str(warehouse)) as con:  # new raw data lands after publication
        con.execute(f"copy (select 2 as generation) to '{raw}' (format parquet)")
        assert con.execute("select generation from marts.v_raw").fetchall() == [(2,)]
    with duckdb.connect(str(snapshot), read_only=True) as con:
        assert con.execute("select generation from marts.v_raw").fetchall() == [(1,)]


def test_publish_reads_what_the_write_ahead_log_holds(tmp_path: Path) -> None:
    """A warehouse whose last writes sit in its WAL (a crashed writer, no checkpoint) is
    published with those writes: DuckDB replays the log, a byte copy would not."""
    warehouse, raw = tmp_path / "warehouse.duckdb", tmp_path / "raw.parquet"
    _warehouse(warehouse, 1, raw)
    script = (
        "import duckdb, os, sys\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "con.execute('set checkpoint_threshold = \\'1GB\\'')\n"
        "con.execute('update marts.fct_scores set generation = 7')\n"
        "os._exit(0)  # no checkpoint, no close: the update is only in the WAL\n"
    )
    subprocess.run([sys.executable, "-c", script, str(warehouse)], check=True)
    assert warehouse.with_name(warehouse.name + ".wal").exists()
    snapshot = publish(warehouse, tmp_path / "published")
    with duckdb.connect(str(snapshot), read_only=True) as con:
        assert con.execute("select generation from marts.fct_scores").fetchall() == [(7,)]


def test_inbox_sensor_requests_the_fiscal_years_of_new_files(tmp_path, monkeypatch) -> None:
    import dagster as dg

    from orchestration.defs.jobs import inbox_sensor
    from tadqiq.synthetic import generate

    monkeypatch.setenv("TADQIQ_DATA_DIR", str(tmp_path))
    generate(tmp_path / "inbox", "pilot", [2023, 2024], seed=5)
    requests = list(inbox_sensor(dg.build_sensor_context(cursor=None)))
    assert [(r.job_name, r.partition_key) for r in requests] == [
        ("ingest_fiscal_year_job", "2023"),
        ("ingest_fiscal_year_job", "2024"),
    ]


def test_definitions_load_as_dagster_dev_does_with_a_bare_path(tmp_path: Path) -> None:
    """`make ui` runs `dagster dev` from a venv that is not activated: nothing of the venv is on
    PATH, and dagster-dbt prepares the project (dbt parse) with the `dbt` it finds there."""
    manifest = REPO_ROOT / "dbt_project" / "target" / "manifest.json"
    before = manifest.stat().st_mtime_ns if manifest.exists() else 0
    env = {
        "PATH": "/usr/bin:/bin",  # no .venv/bin
        "HOME": str(tmp_path),
        "TADQIQ_DATA_DIR": str(tmp_path / "data"),
        "DAGSTER_IS_DEV_CLI": "1",  # what `dagster dev` sets for its code server
    }
    loaded = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-m",
         "orchestration.definitions"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert loaded.returncode == 0, loaded.stdout[-2000:] + loaded.stderr[-4000:]
    assert "Error loading" not in loaded.stderr
    assert manifest.stat().st_mtime_ns > before  # dbt parse really ran, from the venv's dbt
