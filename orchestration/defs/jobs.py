"""Jobs, the daily schedule and the inbox sensors."""

import dagster as dg

from ingestion.contracts import CONTRACTS
from ingestion.inbox import RawStore, scan_fiscal_years
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


def pending_fiscal_years() -> tuple[set[int], bool]:
    """(fiscal years with new files, whether an unpartitioned source has new files)."""
    years: set[int] = set()
    unpartitioned = False
    for contract in CONTRACTS:
        pending = RawStore(raw_dir(), contract).pending(inbox_dir())
        if contract.is_partitioned:
            years |= {y for path in pending for y in scan_fiscal_years(path, contract)}
        else:
            unpartitioned = unpartitioned or bool(pending)
    return years, unpartitioned


@dg.sensor(
    name="inbox_sensor",
    jobs=[ingest_fiscal_year_job, refresh_job],
    minimum_interval_seconds=60,
    description="New files in the inbox: ingest their fiscal years, then refresh.",
)
def inbox_sensor(context: dg.SensorEvaluationContext):
    years, unpartitioned = pending_fiscal_years()
    valid = set(fiscal_years.get_partition_keys())
    tick = context.cursor or "0"
    requested = False
    for year in sorted(str(y) for y in years if str(y) in valid):
        requested = True
        yield dg.RunRequest(
            job_name="ingest_fiscal_year_job", partition_key=year, run_key=f"{year}-{tick}"
        )
    if unpartitioned and not years:
        requested = True
        yield dg.RunRequest(job_name="refresh_job", run_key=f"refresh-{tick}")
    if requested:
        context.update_cursor(str(int(tick) + 1))


@dg.run_status_sensor(
    name="refresh_after_ingest_sensor",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[ingest_fiscal_year_job],
    request_job=refresh_job,
    description="Once a fiscal year is ingested, rebuild the marts and publish.",
)
def refresh_after_ingest_sensor(context: dg.RunStatusSensorContext):
    return dg.RunRequest(run_key=f"after-{context.dagster_run.run_id}")
