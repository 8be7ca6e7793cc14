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
import time
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
    landed: pl.DataFrame  # rows in force: all years, or only `composed_years` if set
    quarantined: pl.DataFrame  # every quarantined row of every file version
    # the fiscal years composed by this run (None: every year, the whole store was composed);
    # a year whose landed rows are already up to date is not in it and is not rewritten
    composed_years: list[int] | None = None

    @property
    def rejected_files(self) -> pl.DataFrame:
        return self.new_files.filter(pl.col("status") == "rejected")

    @property
    def fiscal_years(self) -> list[int]:
        if not self.contract.is_partitioned:
            return []
        if self.composed_years is not None:
            return list(self.composed_years)
        return sorted(self.landed[self.contract.year_column].unique().drop_nulls().to_list())


# A landed fiscal-year file says how many manifest rows (file versions, in manifest order) it
# was composed from: the manifest only grows, so the next run of that year composes the rows
# in force with the versions after those only, instead of re-reading every stored version.
COMPOSED_THROUGH = "tadqiq:composed_through"


def write_parquet(frame: pl.DataFrame, path: Path, metadata: dict[str, str] | None = None) -> Path:
    """Write atomically (temporary file + rename): readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    frame.write_parquet(tmp, metadata=metadata)
    tmp.replace(path)
    return path


def _read_or_empty(path: Path, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.read_parquet(path) if path.exists() else pl.DataFrame(schema=schema)


# What this process already read of an inbox file, keyed by the file's stat signature (as
# git's index does): a build asks for a file's sha256 and fiscal years in several places
# (scheduling, each year's run, status), and each answer would otherwise read the file again.
_DIGESTS: dict[tuple[int, ...], str] = {}
_YEARS: dict[tuple[tuple[int, ...], str], frozenset[int]] = {}
RACY_NS = 2_000_000_000  # a file changed this recently may change again within one tick


def _signature(path: Path) -> tuple[int, ...] | None:
    """(device, inode, size, mtime, ctime) of a regular file settled for a while, else None.

    Writing a file changes its ctime, which no tool can set back, so the same signature means
    the same bytes. A file modified in the last two seconds is not remembered: a second write
    within the filesystem's timestamp tick would keep the signature (git's "racy" case).
    """
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        return None
    if time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) < RACY_NS:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def sha256_of(path: Path) -> str:
    """The file's identity: the sha256 of its bytes, read in chunks (once per process while
    the file is unchanged, see ``_signature``).

    A symbolic link or a special file is never opened (reading a FIFO would block, a link
    could point anywhere): its identity is the hash of what it is, and the reader rejects it.
    """
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        target = os.readlink(path) if stat.S_ISLNK(info.st_mode) else ""
        what = f"special:{stat.S_IFMT(info.st_mode)}:{path.name}:{target}:{info.st_mtime_ns}"
        return hashlib.sha256(what.encode()).hexdigest()
    signature = _signature(path)
    if signature is not None and signature in _DIGESTS:
        return _DIGESTS[signature]
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    if signature is not None and signature == _signature(path):  # unchanged while read
        _DIGESTS[signature] = digest
    return digest


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
    if fiscal_year is not None and contract.is_partitioned:
        landed, manifest, composed = _compose_year(store, manifest, fiscal_year)
        quarantined = _quarantine_appended(store, manifest, new_files)
    else:
        (landed, manifest), composed = _compose(store, manifest), None
        quarantined = _quarantine(store, manifest)
    if new_files.height or composed or not store.manifest_path.exists():
        write_parquet(manifest, store.manifest_path)
    if new_files.height or not store.quarantine_path.exists():
        write_parquet(quarantined, store.quarantine_path)
    return SourceIngest(contract, manifest, new_files, landed, quarantined, composed)


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


def _composed_through(path: Path) -> int:
    """How many manifest rows the landed file `path` was composed from (0: none, or unknown)."""
    if not path.exists():
        return 0
    return int(pl.read_parquet_metadata(path).get(COMPOSED_THROUGH, 0))


def _compose_year(
    store: RawStore, manifest: pl.DataFrame, year: int
) -> tuple[pl.DataFrame, pl.DataFrame, list[int]]:
    """`_compose` for one fiscal year, from that year's landed rows and the newer versions.

    The landed file of `year` holds the rows in force composed from the first ``n`` manifest
    rows (``COMPOSED_THROUGH``); only the stored versions after those are read (and of them
    only their rows of `year`, by the parquet statistics), merged with the landed rows in file
    order, and the rows in force taken per replacement key exactly as `_compose` does, so the
    result is the same as composing every version again (tests/test_incremental_ingest.py).
    The manifest's ``rows_in_force`` moves by the year's difference; a version with no row in
    force left in any year is ``superseded`` (and ``loaded`` again if one of its other years
    brings rows in force later). Returns (rows in force of `year`, manifest, [year] or []).
    """
    year_column = store.contract.year_column
    path = store.dataset / f"fiscal_year={year}.parquet"
    through = _composed_through(path)
    if through > manifest.height:  # a manifest older than its landed rows: compose it all
        through = 0
    schema = store.landed_schema
    accepted = manifest.filter(pl.col("status") != "rejected")
    newer = manifest.slice(through).filter(pl.col("status") != "rejected")["sha256"]
    if path.exists() and through and newer.is_empty():
        return pl.read_parquet(path), manifest, []
    # the rows of `year` in force now, and so counted in the manifest's rows_in_force
    previous = pl.read_parquet(path) if path.exists() else pl.DataFrame(schema=schema)
    base = previous if through else pl.DataFrame(schema=schema)
    merged = set(base["file_sha256"].unique())
    read = [sha for sha in dict.fromkeys((newer if through else accepted["sha256"]).to_list())
            if sha not in merged]  # fmt: skip
    order = (  # the file order of `_compose` (a version ingested twice: its later place)
        accepted.sort("ingested_at", "source_file", "sha256")
        .with_row_index("file_order")
        .group_by("sha256")
        .agg(pl.col("file_order").max())
    )
    frames = [base]
    if read:
        frames.append(
            pl.scan_parquet([store.store / f"{sha}.parquet" for sha in read])
            .filter(pl.col(year_column) == year)
            .collect()
        )
        if through and path.exists() and frames[-1].is_empty():
            return previous, manifest, []  # the newer versions hold other years only
    all_rows = (
        pl.concat([pl.DataFrame(schema=schema), *frames], how="vertical_relaxed")
        .select(*schema)
        .join(order, left_on="file_sha256", right_on="sha256", how="left")
    )
    key = list(store.contract.replacement_key)
    in_force = all_rows.filter(pl.col("file_order") == pl.col("file_order").max().over(key))
    before = previous.group_by("file_sha256").len("before")
    after = in_force.group_by("file_sha256").len("after")
    manifest = (
        manifest.join(before, left_on="sha256", right_on="file_sha256", how="left")
        .join(after, left_on="sha256", right_on="file_sha256", how="left")
        .with_columns(
            (pl.col("rows_in_force").fill_null(0) - pl.col("before").fill_null(0)
             + pl.col("after").fill_null(0)).cast(pl.Int64).alias("rows_in_force")
        )
        .with_columns(
            pl.when(pl.col("status").is_in(["loaded", "superseded"]) & (pl.col("rows_landed") > 0))
            .then(pl.when(pl.col("rows_in_force") > 0).then(pl.lit("loaded"))
                  .otherwise(pl.lit("superseded")))
            .otherwise(pl.col("status"))
            .alias("status")
        )
        .select(*MANIFEST_SCHEMA)
    )  # fmt: skip
    return in_force.drop("file_order").select(*schema), manifest, [year]


def _quarantine_appended(
    store: RawStore, manifest: pl.DataFrame, new_files: pl.DataFrame
) -> pl.DataFrame:
    """`_quarantine`, from the quarantine already written and the new versions' rows: the
    manifest only grows, so that is every accepted version's quarantine in manifest order."""
    if not store.quarantine_path.exists():
        return _quarantine(store, manifest)
    schema = QUARANTINE_SCHEMA | {"file_sha256": pl.String}
    frames = [
        pl.read_parquet(store.store / f"{sha}.quarantine.parquet")
        for sha in new_files.filter(pl.col("status") != "rejected")["sha256"]
    ]
    return pl.concat([pl.read_parquet(store.quarantine_path), *frames]).select(*schema)


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
    written = []
    if not (store.dataset / "_schema.parquet").exists():
        empty = pl.DataFrame(schema=schema)
        written.append(write_parquet(empty, store.dataset / "_schema.parquet"))
    if not result.contract.is_partitioned:
        data = store.dataset / "data.parquet"
        if _composed_through(data) == result.manifest.height and result.new_files.is_empty():
            return written  # nothing new: the rows in force are the ones landed
        through = {COMPOSED_THROUGH: str(result.manifest.height)}
        return [*written, write_parquet(result.landed, data, metadata=through)]
    year_column = result.contract.year_column
    through = {COMPOSED_THROUGH: str(result.manifest.height)}
    for year in result.fiscal_years if years is None else years:
        if result.composed_years is not None and year not in result.composed_years:
            continue  # its landed rows are already the rows in force: left as they are
        rows = result.landed.filter(pl.col(year_column) == year)
        path = store.dataset / f"fiscal_year={year}.parquet"
        if rows.height:
            written.append(write_parquet(rows, path, metadata=through))
        elif path.exists():
            path.unlink()
    return written


def _holds_year(path: Path, contract: Contract, fiscal_year: int) -> bool:
    years = scan_fiscal_years(path, contract)
    return not years or fiscal_year in years


def scan_fiscal_years(path: Path, contract: Contract) -> set[int]:
    """The fiscal years a file holds, read cheaply, to schedule its partitions.

    Only for scheduling: a file this cannot read is read properly (and rejected with its
    message) by the ingestion itself, so it is reported here as holding no year. Read once per
    process while the file is unchanged (``_signature``): every year's run asks again.
    """
    if not contract.is_partitioned:
        return set()
    signature = _signature(path)
    if signature is not None and (signature, contract.entity) in _YEARS:
        return set(_YEARS[signature, contract.entity])
    years = _scan_fiscal_years(path, contract)
    if signature is not None and signature == _signature(path):
        _YEARS[signature, contract.entity] = frozenset(years)
    return years


def _scan_fiscal_years(path: Path, contract: Contract) -> set[int]:
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
