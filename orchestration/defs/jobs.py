"""Jobs, the daily schedule and the inbox sensors."""

import hashlib

import dagster as dg

from ingestion.contracts import CONTRACTS
from ingestion.inbox import RawStore, scan_fiscal_years, sha256_of
from orchestration.defs.partitions import fiscal_years
from orchestration.lib.settings import inbox_dir, raw_dir

PARTITIONED = [dg.AssetKey(c.asset_key) for c in CONTRACTS if c.is_partitioned]
UNPARTITIONED = [dg.AssetKey(c.asset_key) for c in CONTRACTS if not c.is_partitioned]
REFERENCE = dg.AssetSelection.groups("reference")

reference_job = dg.define_asset_job(
    "reference_job",
    selection=REFERENCE,
    description="Collectivities and boundaries from the reference packages.",
)

ingest_fiscal_year_job = dg.define_asset_job(
    "ingest_fiscal_year_job",
    selection=dg.AssetSelection.assets(*PARTITIONED),
    partitions_def=fiscal_years,
    description="Every fiscal-year source of the inbox for one fiscal year, with its checks.",
)

refresh_job = dg.define_asset_job(
    "refresh_job",
    selection=dg.AssetSelection.all() - REFERENCE - dg.AssetSelection.assets(*PARTITIONED),
    description="Audit sources, dbt build (staging → marts) and the published snapshot.",
)

daily_refresh_schedule = dg.ScheduleDefinition(
    name="daily_refresh_schedule",
    job=refresh_job,
    cron_schedule="0 5 * * *",
    execution_timezone="Africa/Casablanca",
)


def waiting_files() -> tuple[dict[int, list[str]], list[str]]:
    """The inbox files not ingested yet, as ``source/entity/name:sha256``: by fiscal year for
    the fiscal-year sources, and those of the other sources."""
    by_year: dict[int, list[str]] = {}
    unpartitioned: list[str] = []
    for contract in CONTRACTS:
        for path in RawStore(raw_dir(), contract).pending(inbox_dir()):
            name = f"{contract.source}/{contract.entity}/{path.name}:{sha256_of(path)}"
            if not contract.is_partitioned:
                unpartitioned.append(name)
            for year in scan_fiscal_years(path, contract) if contract.is_partitioned else ():
                by_year.setdefault(year, []).append(name)
    return by_year, unpartitioned


def pending_fiscal_years() -> tuple[set[int], bool]:
    """(fiscal years with new files, whether an unpartitioned source has new files)."""
    by_year, unpartitioned = waiting_files()
    return set(by_year), bool(unpartitioned)


def _files_key(files: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(files)).encode()).hexdigest()[:16]


@dg.sensor(
    name="inbox_sensor",
    jobs=[ingest_fiscal_year_job, refresh_job],
    minimum_interval_seconds=60,
    description="New files in the inbox: ingest their fiscal years, then refresh.",
)
def inbox_sensor(context: dg.SensorEvaluationContext):
    """A run per fiscal year with waiting files, keyed by those files' contents: a tick that
    sees the same files again (their run queued or still running) asks for the same run key,
    which Dagster does not start twice; a new or corrected file makes a new key. A run that
    failed is not retried by the sensor (same files, same key): fix, then run it by hand."""
    by_year, unpartitioned = waiting_files()
    valid = set(fiscal_years.get_partition_keys())
    for year in sorted(y for y in by_year if str(y) in valid):
        yield dg.RunRequest(
            job_name="ingest_fiscal_year_job",
            partition_key=str(year),
            run_key=f"{year}-{_files_key(by_year[year])}",
        )
    if unpartitioned and not by_year:
        yield dg.RunRequest(job_name="refresh_job", run_key=f"refresh-{_files_key(unpartitioned)}")


@dg.run_status_sensor(
    name="refresh_after_ingest_sensor",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[ingest_fiscal_year_job],
    request_job=refresh_job,
    description="Once a fiscal year is ingested, rebuild the marts and publish.",
)
def refresh_after_ingest_sensor(context: dg.RunStatusSensorContext):
    return dg.RunRequest(run_key=f"after-{context.dagster_run.run_id}")
