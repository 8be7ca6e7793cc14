"""Ingest every file of one source from the inbox: landed rows, quarantine and manifest."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from ingestion.contracts import Contract
from ingestion.readers import QUARANTINE_SCHEMA, ROW, FileRejected, read_export

MANIFEST_SCHEMA = {
    "source": pl.String,
    "entity": pl.String,
    "source_file": pl.String,
    "sha256": pl.String,
    "size_bytes": pl.Int64,
    "encoding": pl.String,
    "separator": pl.String,
    "status": pl.String,
    "message": pl.String,
    "rows_read": pl.Int64,
    "rows_landed": pl.Int64,
    "rows_quarantined": pl.Int64,
    "ingested_at": pl.Datetime("us", "UTC"),
}


@dataclass
class SourceIngest:
    contract: Contract
    landed: pl.DataFrame
    quarantined: pl.DataFrame
    manifest: pl.DataFrame

    @property
    def rejected_files(self) -> pl.DataFrame:
        return self.manifest.filter(pl.col("status") == "rejected")


def ingest_source(inbox: Path, contract: Contract, known_codes: set[str]) -> SourceIngest:
    """Read every file of `contract` in `inbox`; a rejected file never stops the others."""
    now = datetime.now(UTC)
    landed, quarantined, manifest = [], [], []
    for path in sorted(inbox.glob(contract.file_glob)):
        entry = {
            "source": contract.source,
            "entity": contract.entity,
            "source_file": path.name,
            "ingested_at": now,
        }
        try:
            result = read_export(path, contract, known_codes)
        except FileRejected as rejected:
            manifest.append(
                entry
                | {
                    "size_bytes": path.stat().st_size,
                    "status": "rejected",
                    "message": rejected.problem,
                    "rows_read": 0,
                    "rows_landed": 0,
                    "rows_quarantined": 0,
                }
            )
            continue
        rows_quarantined = result.quarantined.select(ROW).n_unique()
        manifest.append(
            entry
            | {
                "sha256": result.sha256,
                "size_bytes": result.size_bytes,
                "encoding": result.encoding,
                "separator": result.separator,
                "status": "loaded",
                "message": None
                if rows_quarantined == 0
                else f"{rows_quarantined} ligne(s) en quarantaine",
                "rows_read": result.rows_read,
                "rows_landed": result.landed.height,
                "rows_quarantined": rows_quarantined,
            }
        )
        landed.append(result.landed)
        quarantined.append(result.quarantined)
    empty_landed = pl.DataFrame(schema=contract.schema | {ROW: pl.Int64, "source_file": pl.String})
    return SourceIngest(
        contract=contract,
        landed=pl.concat([empty_landed, *landed], how="vertical_relaxed"),
        quarantined=pl.concat([pl.DataFrame(schema=QUARANTINE_SCHEMA), *quarantined]),
        manifest=pl.DataFrame(manifest, schema=MANIFEST_SCHEMA),
    )


def write_parquet(frame: pl.DataFrame, path: Path) -> Path:
    """Write atomically (temporary file + rename): readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    frame.write_parquet(tmp)
    tmp.replace(path)
    return path
