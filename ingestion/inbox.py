"""Ingest one source from the inbox: a file store, a manifest, and the landed datasets.

Layout under the raw directory (``data/raw``)::

    _store/<source>/<entity>/<sha256>.parquet        landed rows of each file version read
    _store/<source>/<entity>/<sha256>.quarantine.parquet
    ingest/manifest_<entity>.parquet                 one row per file version ever seen
    ingest/quarantine_<entity>.parquet               every quarantined row, with its file
    <source>/<entity>/fiscal_year=YYYY.parquet       the landed rows in force, per fiscal year
    <source>/<entity>/data.parquet                   (sources without fiscal years)
    <source>/<entity>/_schema.parquet                empty, so readers always find the schema

Promises:
* a file is identified by its sha256: ingesting the same bytes again changes nothing;
* a newer file replaces an older one for the same replacement key (by default collectivity
  and fiscal year): no duplicates, and the older file's status says it was superseded;
* ``rows_read`` is counted from the file itself (``ingestion.readers``), and
  ``rows_read = rows_landed + rows_quarantined`` for every loaded file: nothing is dropped
  silently (a file where it would not hold is rejected).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from ingestion.contracts import Contract
from ingestion.readers import QUARANTINE_SCHEMA, FileRejected, read_export

MANIFEST_SCHEMA = {
    "source": pl.String,
    "entity": pl.String,
    "source_file": pl.String,
    "sha256": pl.String,
    "size_bytes": pl.Int64,
    "encoding": pl.String,
    "separator": pl.String,
    "status": pl.String,  # loaded | rejected | superseded
    "message": pl.String,
    "rows_read": pl.Int64,
    "rows_landed": pl.Int64,
    "rows_quarantined": pl.Int64,
    "rows_in_force": pl.Int64,
    "ingested_at": pl.Datetime("us", "UTC"),
}
FILE_COLUMNS = {"source_row": pl.Int64, "source_file": pl.String, "file_sha256": pl.String}


@dataclass
class SourceIngest:
    contract: Contract
    manifest: pl.DataFrame  # every file version of this source, with its status
    new_files: pl.DataFrame  # the manifest rows this run added
    landed: pl.DataFrame  # rows in force, all years
    quarantined: pl.DataFrame  # every quarantined row of every file version

    @property
    def rejected_files(self) -> pl.DataFrame:
        return self.new_files.filter(pl.col("status") == "rejected")

    @property
    def fiscal_years(self) -> list[int]:
        if not self.contract.is_partitioned:
            return []
        return sorted(self.landed[self.contract.year_column].unique().drop_nulls().to_list())


def write_parquet(frame: pl.DataFrame, path: Path) -> Path:
    """Write atomically (temporary file + rename): readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    frame.write_parquet(tmp)
    tmp.replace(path)
    return path


def _read_or_empty(path: Path, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.read_parquet(path) if path.exists() else pl.DataFrame(schema=schema)


def sha256_of(path: Path) -> str:
    """The file's identity: the sha256 of its bytes, read in chunks.

    A symbolic link or a special file is never opened (reading a FIFO would block, a link
    could point anywhere): its identity is the hash of what it is, and the reader rejects it.
    """
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        target = os.readlink(path) if stat.S_ISLNK(info.st_mode) else ""
        what = f"special:{stat.S_IFMT(info.st_mode)}:{path.name}:{target}:{info.st_mtime_ns}"
        return hashlib.sha256(what.encode()).hexdigest()
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class RawStore:
    """Where one source's file versions, manifest and landed datasets live."""

    def __init__(self, raw_dir: Path, contract: Contract) -> None:
        self.raw_dir = raw_dir
        self.contract = contract
        self.store = raw_dir / "_store" / contract.source / contract.entity
        self.dataset = raw_dir / contract.source / contract.entity
        self.manifest_path = raw_dir / "ingest" / f"manifest_{contract.entity}.parquet"
        self.quarantine_path = raw_dir / "ingest" / f"quarantine_{contract.entity}.parquet"

    @property
    def landed_schema(self) -> dict[str, pl.DataType]:
        return self.contract.schema | FILE_COLUMNS

    def manifest(self) -> pl.DataFrame:
        return _read_or_empty(self.manifest_path, MANIFEST_SCHEMA)

    def pending(self, inbox: Path) -> list[Path]:
        """Inbox files whose bytes have not been ingested yet."""
        seen = set(self.manifest()["sha256"].drop_nulls())
        return [p for p in sorted(inbox.glob(self.contract.file_glob)) if sha256_of(p) not in seen]


def ingest_source(
    inbox: Path,
    contract: Contract,
    known_codes: set[str],
    raw_dir: Path,
    fiscal_year: int | None = None,
) -> SourceIngest:
    """Read the new files of `contract` in `inbox` into the store; compose what is in force.

    With `fiscal_year`, only the files that hold that year are read (and the files whose year
    cannot be read at all, which are rejected with their reason): a file is landed by its own
    fiscal year's run, so the run, its checks and its lineage are the file's.
    """
    store = RawStore(raw_dir, contract)
    manifest = store.manifest()
    now = datetime.now(UTC)
    added: list[dict] = []
    pending = store.pending(inbox)
    if fiscal_year is not None and contract.is_partitioned:
        pending = [p for p in pending if _holds_year(p, contract, fiscal_year)]
    for path in pending:
        entry = {"source": contract.source, "entity": contract.entity, "source_file": path.name}
        size = os.lstat(path).st_size
        entry |= {"sha256": sha256_of(path), "size_bytes": size, "ingested_at": now}
        try:
            result = read_export(path, contract, known_codes)
        except FileRejected as rejected:
            added.append(entry | {"status": "rejected", "message": rejected.problem} | _zero())
            continue
        write_parquet(
            result.landed.with_columns(pl.lit(result.sha256).alias("file_sha256")),
            store.store / f"{result.sha256}.parquet",
        )
        write_parquet(
            result.quarantined.with_columns(pl.lit(result.sha256).alias("file_sha256")),
            store.store / f"{result.sha256}.quarantine.parquet",
        )
        message = (
            f"{result.rows_quarantined} ligne(s) en quarantaine"
            if result.rows_quarantined
            else None
        )
        added.append(
            entry
            | {
                "encoding": result.encoding,
                "separator": result.separator,
                "status": "loaded",
                "message": message,
                "rows_read": result.rows_read,
                "rows_landed": result.landed.height,
                "rows_quarantined": result.rows_quarantined,
            }
        )
    new_files = pl.DataFrame(added, schema=MANIFEST_SCHEMA)
    manifest = pl.concat([manifest, new_files])
    landed, manifest = _compose(store, manifest)
    quarantined = _quarantine(store, manifest)
    write_parquet(manifest, store.manifest_path)
    write_parquet(quarantined, store.quarantine_path)
    return SourceIngest(contract, manifest, new_files, landed, quarantined)


def _zero() -> dict[str, int]:
    return {"rows_read": 0, "rows_landed": 0, "rows_quarantined": 0}


def _compose(store: RawStore, manifest: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows in force: for each replacement key, those of the newest file that has it."""
    accepted = (
        manifest.filter(pl.col("status") != "rejected")
        .sort("ingested_at", "source_file", "sha256")
        .with_row_index("file_order")
    )
    frames = [
        pl.read_parquet(store.store / f"{sha}.parquet").with_columns(
            pl.lit(order, dtype=pl.UInt32).alias("file_order")
        )
        for sha, order in accepted.select("sha256", "file_order").iter_rows()
    ]
    schema = store.landed_schema
    all_rows = pl.concat(
        [pl.DataFrame(schema=schema | {"file_order": pl.UInt32}), *frames], how="vertical_relaxed"
    )
    key = list(store.contract.replacement_key)
    in_force = all_rows.filter(pl.col("file_order") == pl.col("file_order").max().over(key))
    counts = in_force.group_by("file_sha256").len("rows_in_force")
    manifest = (
        manifest.drop("rows_in_force")
        .join(counts, left_on="sha256", right_on="file_sha256", how="left")
        .with_columns(
            pl.col("rows_in_force").fill_null(0).cast(pl.Int64),
            pl.when((pl.col("status") == "loaded") & pl.col("rows_in_force").is_null()
                    & (pl.col("rows_landed") > 0))
            .then(pl.lit("superseded"))
            .otherwise(pl.col("status"))
            .alias("status"),
        )
        .select(*MANIFEST_SCHEMA)
    )  # fmt: skip
    return in_force.drop("file_order").select(*schema), manifest


def _quarantine(store: RawStore, manifest: pl.DataFrame) -> pl.DataFrame:
    schema = QUARANTINE_SCHEMA | {"file_sha256": pl.String}
    frames = [
        pl.read_parquet(store.store / f"{sha}.quarantine.parquet")
        for sha in manifest.filter(pl.col("status") != "rejected")["sha256"]
    ]
    return pl.concat([pl.DataFrame(schema=schema), *frames]).select(*schema)


def write_dataset(
    result: SourceIngest, raw_dir: Path, years: Iterable[int] | None = None
) -> list[Path]:
    """Write the rows in force: per fiscal year (only `years` if given), or one file."""
    store = RawStore(raw_dir, result.contract)
    schema = store.landed_schema
    written = [write_parquet(pl.DataFrame(schema=schema), store.dataset / "_schema.parquet")]
    if not result.contract.is_partitioned:
        return [*written, write_parquet(result.landed, store.dataset / "data.parquet")]
    year_column = result.contract.year_column
    for year in result.fiscal_years if years is None else years:
        rows = result.landed.filter(pl.col(year_column) == year)
        path = store.dataset / f"fiscal_year={year}.parquet"
        if rows.height:
            written.append(write_parquet(rows, path))
        elif path.exists():
            path.unlink()
    return written


def _holds_year(path: Path, contract: Contract, fiscal_year: int) -> bool:
    years = scan_fiscal_years(path, contract)
    return not years or fiscal_year in years


def scan_fiscal_years(path: Path, contract: Contract) -> set[int]:
    """The fiscal years a file holds, read cheaply, to schedule its partitions.

    Only for scheduling: a file this cannot read is read properly (and rejected with its
    message) by the ingestion itself, so it is reported here as holding no year.
    """
    if not contract.is_partitioned:
        return set()
    try:
        from ingestion.readers import check_file

        check_file(path, workbook=contract.sheet_name is not None)
        if contract.sheet_name is not None:
            from ingestion.readers import load_text_frame

            frame = load_text_frame(path, contract).frame
        else:
            from ingestion.readers import decode, sniff_separator

            text, _ = decode(path, path.read_bytes())
            frame = pl.read_csv(
                text.encode(),
                separator=sniff_separator(text.split("\n", 1)[0]),
                columns=[contract.year_column],
                infer_schema=False,
                truncate_ragged_lines=True,
            )
        years = frame[contract.year_column].str.strip_chars().cast(pl.Int32, strict=False)
        return set(years.drop_nulls().to_list())
    except (FileRejected, pl.exceptions.PolarsError, UnicodeError, IndexError, KeyError):
        return set()


def ensure_raw_layout(raw_dir: Path, contracts: Iterable[Contract]) -> None:
    """Empty files with the right schema wherever a source has not landed anything yet, so
    the warehouse always finds every source (an empty source is empty, not an error)."""
    for contract in contracts:
        store = RawStore(raw_dir, contract)
        schema_file = store.dataset / "_schema.parquet"
        if not schema_file.exists():
            write_parquet(pl.DataFrame(schema=store.landed_schema), schema_file)
        if not store.manifest_path.exists():
            write_parquet(pl.DataFrame(schema=MANIFEST_SCHEMA), store.manifest_path)
        if not store.quarantine_path.exists():
            schema = QUARANTINE_SCHEMA | {"file_sha256": pl.String}
            write_parquet(pl.DataFrame(schema=schema), store.quarantine_path)
