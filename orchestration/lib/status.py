"""What `tadqiq status` reports: last runs, freshness per source, rejected files, the snapshot,
and what waits in the inbox. Read from Dagster's instance, the ingest manifests and the
published folder; nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import polars as pl

from ingestion.contracts import CONTRACTS
from ingestion.inbox import RawStore
from orchestration.lib.settings import inbox_dir, published_dir, raw_dir


@dataclass(frozen=True)
class Snapshot:
    path: Path
    published_at: datetime
    size_bytes: int


def last_runs(instance: dg.DagsterInstance, limit: int = 10) -> list[dict]:
    """The latest runs, newest first: job, partition, status, start, duration."""
    rows = []
    for record in instance.get_run_records(limit=limit):
        run = record.dagster_run
        started = record.start_time
        ended = record.end_time
        rows.append(
            {
                "run_id": run.run_id[:8],
                "job": run.job_name,
                "partition": run.tags.get("dagster/partition", ""),
                "status": run.status.value,
                "started": datetime.fromtimestamp(started, UTC) if started else None,
                "seconds": (ended - started) if started and ended else None,
            }
        )
    return rows


def freshness() -> pl.DataFrame:
    """Per source: files loaded, rejected and superseded, rows in force, last ingestion, and
    the inbox files not ingested yet."""
    rows = []
    for contract in CONTRACTS:
        store = RawStore(raw_dir(), contract)
        manifest = store.manifest()
        count = manifest["status"].value_counts() if manifest.height else None
        by_status = dict(count.iter_rows()) if count is not None else {}
        rows.append(
            {
                "source": contract.entity,
                "loaded": by_status.get("loaded", 0),
                "rejected": by_status.get("rejected", 0),
                "superseded": by_status.get("superseded", 0),
                "rows_in_force": int(manifest["rows_in_force"].sum()) if manifest.height else 0,
                "last_ingested": manifest["ingested_at"].max() if manifest.height else None,
                "pending": len(store.pending(inbox_dir())),
            }
        )
    return pl.DataFrame(rows)


def rejected_files() -> pl.DataFrame:
    """Every rejected file version with its message, newest first."""
    frames = [RawStore(raw_dir(), c).manifest() for c in CONTRACTS]
    manifest = pl.concat(frames) if frames else pl.DataFrame()
    return (
        manifest.filter(pl.col("status") == "rejected")
        .select("entity", "source_file", "message", "ingested_at")
        .sort("ingested_at", descending=True)
    )


def current_snapshot() -> Snapshot | None:
    current = published_dir() / "CURRENT"
    if not current.is_file():
        return None
    path = published_dir() / current.read_text(encoding="utf-8").strip()
    if not path.is_file():
        return None
    stat = path.stat()
    return Snapshot(path, datetime.fromtimestamp(stat.st_mtime, UTC), stat.st_size)
