"""The same dbt project on PostgreSQL, and Dagster's storage on the same server (issue 14).

The pilot scope is built once by the pipeline (DuckDB, published snapshot) in its own data
directory; its landed parquet is loaded into the session's PostgreSQL (schema ``raw``), the
project is built there with ``dbt build --target postgres`` (seeds, models, data tests and unit
tests), and the marts ``fct_indicators``, ``fct_risk_scores`` and ``fct_recommendations`` are
compared row by row with the snapshot's (orchestration.lib.postgres_compare: numbers within a
tolerance, the rest exactly). Then a Dagster instance made from the production ``dagster.yaml``
of docs/operations.md, on the same server, runs the reference job and records it there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import psycopg
import pytest

from orchestration.lib.dbt_build import dbt_build
from orchestration.lib.postgres_cluster import Cluster
from orchestration.lib.postgres_compare import MARTS, compare_marts
from orchestration.lib.postgres_raw import conninfo_from_env, load_raw, source_tables
from orchestration.lib.settings import DAGSTER_POSTGRES_YAML, REPO_ROOT
from tadqiq.synthetic import generate

YEARS = (2023, 2024)
SEED = 14


@pytest.fixture(scope="module")
def pilot(
    session_env: Path, postgres: Cluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict]:
    """The pilot built by the pipeline on DuckDB, then loaded and built on PostgreSQL."""
    data = tmp_path_factory.mktemp("postgres_marts_data")
    scratch = tmp_path_factory.mktemp("postgres_marts_dbt")
    database = "tadqiq_marts"
    postgres.create_database(database)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TADQIQ_DATA_DIR", str(data))
        env.setenv("TADQIQ_WAREHOUSE_PATH", str(data / "warehouse.duckdb"))
        env.setenv("DAGSTER_HOME", str(tmp_path_factory.mktemp("postgres_marts_dagster_home")))
        for name, value in postgres.dbt_env(database).items():
            env.setenv(name, value)
        generate(data / "inbox", "pilot", YEARS, seed=SEED, broken=True)
        from orchestration.lib.runner import run_pipeline

        results = run_pipeline(dg.DagsterInstance.ephemeral())
        assert results and all(r.success for r in results), [
            r.dagster_run.job_name for r in results
        ]
        current = (data / "published" / "CURRENT").read_text(encoding="utf-8").strip()
        loaded = load_raw(conninfo_from_env())
        build = dbt_build("postgres", scratch)
        assert build.success, build.tail()
        yield {
            "data": data,
            "snapshot": data / "published" / current,
            "conninfo": postgres.conninfo(database),
            "loaded": loaded,
            "build": build,
        }


def test_the_raw_schema_holds_what_duckdb_reads(pilot: dict) -> None:
    """Every source is loaded, with the rows DuckDB's staging reads from the same files."""
    tables = source_tables()
    assert {t.name for t in tables} == set(pilot["loaded"])
    with duckdb.connect() as con:
        for table in tables:
            (expected,) = con.execute(f"select count(*) from {table.location}").fetchone()
            assert pilot["loaded"][table.name] == expected, table.name
    assert pilot["loaded"]["budget_execution"] > 0 and pilot["loaded"]["payroll"] > 0


def test_loading_again_is_idempotent_and_keeps_the_staging_views(pilot: dict) -> None:
    again = load_raw(pilot["conninfo"])
    assert again == pilot["loaded"]
    with psycopg.connect(pilot["conninfo"]) as connection:
        (rows,) = connection.execute(
            "select count(*) from staging.stg_tgr__budget_lines"
        ).fetchone()
    assert rows == pilot["loaded"]["budget_execution"]


def test_dbt_build_passes_every_node_on_postgres(pilot: dict) -> None:
    """Seeds, models, data tests and the unit tests worked by hand, all on PostgreSQL."""
    summary = [line for line in pilot["build"].output.splitlines() if "Done. PASS=" in line]
    assert summary and " ERROR=0 " in summary[-1] and " SKIP=0 " in summary[-1], summary
    assert " WARN=0 " in summary[-1], summary


def test_the_marts_agree_with_duckdb_row_by_row(pilot: dict) -> None:
    comparisons = compare_marts(pilot["snapshot"], pilot["conninfo"])
    assert [c.mart for c in comparisons] == list(MARTS)
    for comparison in comparisons:
        print(comparison.summary())
        assert comparison.duckdb_rows > 0, comparison.summary()
        assert comparison.agree, "\n".join([comparison.summary(), *comparison.differences[:30]])
        # a rounded half is rare (a tie in a composite score carries into its interval and
        # threshold gap): a few cells in a hundred at most, never a column's worth
        assert comparison.rounding_ties <= comparison.cells // 50, comparison.summary()


def test_the_comparison_sees_a_changed_cell(pilot: dict) -> None:
    """The comparison is not blind: a value moved past the tolerance, a missing row and a
    value moved by a rounding tie (accepted, counted) in a copy of the marts."""
    with psycopg.connect(pilot["conninfo"]) as connection:
        connection.execute("create schema tampered")
        for mart in MARTS:
            connection.execute(f"create table tampered.{mart} as select * from marts.{mart}")
        connection.execute(
            "update tampered.fct_risk_scores set composite_score = composite_score + 0.01"
            " where risk_score_id = (select min(risk_score_id) from marts.fct_risk_scores)"
        )
        connection.execute(
            "update tampered.fct_indicators set sub_score = sub_score + 0.0001"
            " where indicator_result_id = (select min(indicator_result_id)"
            " from marts.fct_indicators where sub_score in (0, 100))"
        )
        connection.execute(
            "delete from tampered.fct_recommendations where recommendation_id ="
            " (select min(recommendation_id) from marts.fct_recommendations)"
        )
    comparisons = compare_marts(pilot["snapshot"], pilot["conninfo"], postgres_schema="tampered")
    by_mart = {c.mart: c for c in comparisons}
    untouched = {c.mart: c for c in compare_marts(pilot["snapshot"], pilot["conninfo"])}
    risk = by_mart["fct_risk_scores"]
    assert not risk.agree and len(risk.differences) == 1, risk.differences
    assert "composite_score" in risk.differences[0]
    indicators = by_mart["fct_indicators"]
    assert indicators.agree
    # a capped sub-score (0 or 100) is exact on both engines: moved by one unit, it is a tie
    assert indicators.rounding_ties == untouched["fct_indicators"].rounding_ties + 1
    recommendations = by_mart["fct_recommendations"]
    assert not recommendations.agree
    assert any("only in DuckDB" in d for d in recommendations.differences)


def test_dagster_records_its_runs_in_postgres(
    postgres: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The production dagster.yaml (docs/operations.md) on the same server: a job runs and
    its run, events and asset materializations are in PostgreSQL, seen by a second instance."""
    assert DAGSTER_POSTGRES_YAML in (REPO_ROOT / "docs" / "operations.md").read_text("utf-8")
    postgres.create_database("tadqiq_dagster")
    for name, value in postgres.dbt_env("tadqiq_dagster").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TADQIQ_DAGSTER_DATABASE", "tadqiq_dagster")
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("TADQIQ_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    (home / "dagster.yaml").write_text(DAGSTER_POSTGRES_YAML, encoding="utf-8")

    from orchestration.definitions import defs

    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        result = defs().resolve_job_def("reference_job").execute_in_process(instance=instance)
        assert result.success
        run_id = result.run_id
    with dg.DagsterInstance.from_config(str(home)) as reopened:
        run = reopened.get_run_by_id(run_id)
        assert run is not None and run.status == dg.DagsterRunStatus.SUCCESS
        materialized = reopened.get_latest_materialization_event(
            dg.AssetKey(["reference", "collectivities"])
        )
        assert materialized is not None and materialized.run_id == run_id
    with psycopg.connect(postgres.conninfo("tadqiq_dagster")) as connection:
        (status,) = connection.execute(
            "select status from runs where run_id = %s", (run_id,)
        ).fetchone()
        (events,) = connection.execute(
            "select count(*) from event_logs where run_id = %s", (run_id,)
        ).fetchone()
    assert status == "SUCCESS" and events > 10
