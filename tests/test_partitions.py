"""Each file is landed by its own fiscal year's run; a build with nothing new ingests nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from ingestion.contracts import BUDGET_EXECUTION
from ingestion.inbox import RawStore
from tadqiq.synthetic import generate


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("TADQIQ_DATA_DIR", str(data))
    monkeypatch.setenv("TADQIQ_WAREHOUSE_PATH", str(data / "warehouse.duckdb"))
    generate(data / "inbox", "pilot", [2023, 2024], seed=11)
    return data


def file_years(folder: Path) -> dict[str, set[int]]:
    """The fiscal years each budget file holds, read with the csv module."""
    years = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            years[path.name] = {
                int(row["exercice"]) for row in csv.DictReader(handle, delimiter=";")
            }
    return years


def test_a_file_is_landed_by_its_own_years_run(data: Path) -> None:
    from orchestration.definitions import defs
    from orchestration.defs.jobs import pending_fiscal_years

    definitions = defs()
    instance = dg.DagsterInstance.ephemeral()
    assert (
        definitions.resolve_job_def("reference_job").execute_in_process(instance=instance).success
    )
    expected = file_years(data / "inbox" / "budget_execution")
    assert {year for years in expected.values() for year in years} == {2023, 2024}

    job = definitions.resolve_job_def("ingest_fiscal_year_job")
    assert job.execute_in_process(instance=instance, partition_key="2023").success
    store = RawStore(data / "raw", BUDGET_EXECUTION)
    landed = set(store.manifest()["source_file"])
    assert landed == {name for name, years in expected.items() if 2023 in years}
    assert pending_fiscal_years()[0] == {2024}  # the 2024 files wait for their own run

    assert job.execute_in_process(instance=instance, partition_key="2024").success
    assert set(store.manifest()["source_file"]) == set(expected)
    in_force = pl.read_parquet(
        data / "raw" / "tgr" / "budget_execution" / "fiscal_year=2023.parquet"
    )
    assert set(in_force["exercice"]) == {2023}
    assert pending_fiscal_years()[0] == set()


def test_a_build_with_nothing_new_ingests_nothing(data: Path) -> None:
    from orchestration.lib.runner import run_pipeline

    instance = dg.DagsterInstance.ephemeral()
    first = run_pipeline(instance)
    assert all(result.success for result in first)
    assert [r.dagster_run.tags.get("dagster/partition") for r in first][1:-1] == ["2023", "2024"]
    again = run_pipeline(instance)
    assert all(result.success for result in again)
    assert [r.dagster_run.job_name for r in again] == ["reference_job", "refresh_job"]
