"""The sensors over several ticks (issue 15, item 8f): what each tick asks for, on one Dagster
instance whose runs really happen in between.

* ``inbox_sensor``: the fiscal years of the files waiting in the inbox, under a run key made
  of the waiting files' contents, so a tick that sees the same files again (their run not
  finished yet) asks for the same run, which Dagster's daemon does not start twice; a year
  landed is asked for no more; a new file of a landed year is a new run. (The run key was a
  tick counter kept in the cursor: every tick asked for the same years again under new keys.)
* ``refresh_after_ingest_sensor``: a refresh after each successful ingestion run, once; none
  after a run that failed, so a failing blocking contract check stops publication.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from ingestion.contracts import BUDGET_EXECUTION
from tadqiq.synthetic import generate

INBOX_SENSOR = "inbox_sensor"
REFRESH_SENSOR = "refresh_after_ingest_sensor"


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("TADQIQ_DATA_DIR", str(data))
    monkeypatch.setenv("TADQIQ_WAREHOUSE_PATH", str(data / "warehouse.duckdb"))
    generate(data / "inbox", "pilot", [2023, 2024], seed=11, broken=False)
    return data


class Ticks:
    """One sensor's successive evaluations, the cursor carried from tick to tick."""

    def __init__(self, definitions: dg.Definitions, instance: dg.DagsterInstance, name: str):
        self.definitions, self.instance, self.name = definitions, instance, name
        self.sensor = definitions.get_sensor_def(name)
        self.cursor: str | None = None

    def tick(self) -> list[dg.RunRequest]:
        context = dg.build_sensor_context(
            instance=self.instance,
            cursor=self.cursor,
            sensor_name=self.name,
            definitions=self.definitions,
        )
        result = self.sensor.evaluate_tick(context)
        self.cursor = result.cursor
        return list(result.run_requests or [])


def asked(requests: list[dg.RunRequest]) -> list[tuple[str | None, str | None]]:
    return [(r.job_name, r.partition_key) for r in requests]


def run(
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
    request: dg.RunRequest,
    sensor: str,
    default_job: str | None = None,
) -> dg.ExecuteInProcessResult:
    """Run what a tick asked for, tagged as the daemon tags it (run key, sensor)."""
    job = definitions.resolve_job_def(request.job_name or default_job)
    return job.execute_in_process(
        instance=instance,
        partition_key=request.partition_key,
        tags={"dagster/run_key": request.run_key, "dagster/sensor_name": sensor},
        raise_on_error=False,
    )


@pytest.fixture
def instance(data: Path) -> tuple[dg.Definitions, dg.DagsterInstance]:
    from orchestration.definitions import defs

    definitions = defs()
    instance = dg.DagsterInstance.ephemeral()
    reference = definitions.resolve_job_def("reference_job")
    assert reference.execute_in_process(instance=instance).success
    return definitions, instance


def budget_file_of(data: Path, year: int) -> Path:
    """A budget-execution file of the inbox holding only ``year`` (read back with polars)."""
    for path in sorted((data / "inbox" / "budget_execution").glob("*.csv")):
        years = pl.read_csv(path, separator=";", infer_schema=False)["exercice"].unique()
        if years.to_list() == [str(year)]:
            return path
    raise AssertionError(f"no budget file of {year} alone")


def test_inbox_sensor_over_several_ticks(data: Path, instance) -> None:
    definitions, dagster = instance
    inbox = Ticks(definitions, dagster, INBOX_SENSOR)

    first = inbox.tick()  # files of 2023 and 2024 wait; the audit sources too
    assert asked(first) == [("ingest_fiscal_year_job", "2023"), ("ingest_fiscal_year_job", "2024")]
    keys = {r.partition_key: r.run_key for r in first}

    again = inbox.tick()  # nothing ran yet: the same runs, under the same keys (not started twice)
    assert [(r.partition_key, r.run_key) for r in again] == list(keys.items())

    assert run(definitions, dagster, first[0], INBOX_SENSOR).success  # 2023 lands
    third = inbox.tick()
    assert [(r.partition_key, r.run_key) for r in third] == [("2024", keys["2024"])]

    assert run(definitions, dagster, third[0], INBOX_SENSOR).success  # 2024 lands
    fourth = inbox.tick()  # only the audit sources wait: a refresh lands them
    assert asked(fourth) == [("refresh_job", None)]
    assert [r.run_key for r in inbox.tick()] == [fourth[0].run_key]  # once

    # a corrected 2024 file arrives (one amount changed): 2024 again, as a new run
    original = budget_file_of(data, 2024)
    lines = original.read_text(encoding="utf-8-sig").splitlines()
    emitted = lines[0].split(";").index("emissions")
    row = lines[1].split(";")
    row[emitted] = "1 000,00"
    corrected = original.with_name("correction_" + original.name)
    corrected.write_text("\n".join([lines[0], ";".join(row), *lines[2:]]) + "\n", "utf-8-sig")
    fifth = inbox.tick()
    assert asked(fifth) == [("ingest_fiscal_year_job", "2024")]
    assert fifth[0].run_key != keys["2024"]
    assert [r.run_key for r in inbox.tick()] == [fifth[0].run_key]
    assert inbox.cursor is None  # what was ingested lives in the manifest, not in a cursor


def test_refresh_follows_each_successful_ingestion_once_and_never_a_failed_one(
    data: Path, instance
) -> None:
    definitions, dagster = instance
    inbox = Ticks(definitions, dagster, INBOX_SENSOR)
    refresh = Ticks(definitions, dagster, REFRESH_SENSOR)
    assert refresh.tick() == []  # the first tick only sets its cursor: nothing has run since

    ingest_2023, ingest_2024 = inbox.tick()
    landed = run(definitions, dagster, ingest_2023, INBOX_SENSOR)
    assert landed.success
    after = refresh.tick()
    assert refresh.sensor.job_name == "refresh_job"  # its only target (requests name none)
    assert [r.run_key for r in after] == [f"after-{landed.run_id}"]
    assert refresh.tick() == []  # that run is answered once

    # the landed 2023 budget rows are tampered with on disk: a key now appears twice, so the
    # blocking contract check of budget_execution (it reads every landed year) fails in the
    # 2024 run, whose downstream assets do not run and which ends failed
    landed_2023 = data / "raw" / "tgr" / "budget_execution" / "fiscal_year=2023.parquet"
    rows = pl.read_parquet(landed_2023)
    pl.concat([rows, rows.head(1)]).write_parquet(landed_2023)
    failed = run(definitions, dagster, ingest_2024, INBOX_SENSOR)
    assert not failed.success
    checks = {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data.passed
        for e in failed.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    assert checks[f"{BUDGET_EXECUTION.entity}_contract_gx"] is False
    assert refresh.tick() == []  # no refresh, so no publication
    assert refresh.tick() == []
    assert not (data / "published" / "CURRENT").exists()

    # repaired (the duplicate removed), the 2024 run is asked for again by hand (same files,
    # same key: the sensor does not retry a failed run by itself) and succeeds
    rows.write_parquet(landed_2023)
    retried = run(definitions, dagster, ingest_2024, INBOX_SENSOR)
    assert retried.success
    assert [r.run_key for r in refresh.tick()] == [f"after-{retried.run_id}"]
