"""Publish the warehouse as a read-only snapshot the dashboards switch to atomically."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

KEEP_SNAPSHOTS = 3
POINTER = "CURRENT"


def publish(warehouse: Path, published: Path, keep: int = KEEP_SNAPSHOTS) -> Path:
    """Copy `warehouse` to a new snapshot, point CURRENT at it, prune old snapshots.

    The copy is written under a temporary name and renamed; CURRENT is replaced by rename
    too, so a dashboard reads either the old snapshot or the new one, never half of one.
    """
    published.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    snapshot = published / f"warehouse_{stamp}.duckdb"
    tmp = published / f".{snapshot.name}.tmp"
    shutil.copyfile(warehouse, tmp)
    tmp.replace(snapshot)
    pointer_tmp = published / f".{POINTER}.tmp"
    pointer_tmp.write_text(snapshot.name + "\n", encoding="utf-8")
    pointer_tmp.replace(published / POINTER)
    for old in sorted(published.glob("warehouse_*.duckdb"))[:-keep]:
        old.unlink()
    return snapshot
