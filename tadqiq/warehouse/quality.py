"""Data quality: the ingest manifest, quarantined rows and freshness (ministry and data team),
and how fresh a snapshot's data is (every page says it: ``snapshot_time``, ``audit_freshness``).

The audit sources (the cells', missions, findings, recommendations and their history, and the
internal-control self-assessment: source codes ``AUDIT_SOURCE_CODES`` of the manifest) are
audit data: the data team sees their files in the manifest, never their rows per collectivity
(how many findings a commune has is not pipeline data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from tadqiq.access import ROLE_PAGES, AccessDenied, Role, Scope
from tadqiq.warehouse import core
from tadqiq.warehouse.cache import cached

AUDIT_SOURCE_CODES = ("audit", "ci")
DESK_SOURCE_CODE = "audit"  # what the audit desk's export feeds (tadqiq.desk.export)
DESK_FILE_NAME = "tadqiq_desk.csv"  # the name of every file the desk's export writes
SNAPSHOT_NAME = re.compile(r"^warehouse_(\d{8}T\d{6})(\d{6})?Z\.duckdb$")

# --- data quality (ministry and data team) -------------------------------------------------


def _require_quality_access(scope: Scope, action: str) -> None:
    # the roles whose navigation holds the quality page, kept in one place in access.py
    if "quality" not in ROLE_PAGES[scope.role]:
        raise core.refuse(scope, action, AccessDenied("no_quality_data"))


def ingest_files(db: str, scope: Scope) -> pd.DataFrame:
    """The ingest manifest: one row per file version, newest first."""
    _require_quality_access(scope, "query:ingest_files")
    return _ingest_files(db, scope)


@cached
def _ingest_files(db: str, scope: Scope) -> pd.DataFrame:
    return core.query(
        db,
        scope,
        "select source_code, source_entity, source_file, file_status, status_message, "
        "file_encoding, field_separator, size_bytes, rows_read, rows_landed, "
        "rows_quarantined, rows_in_force, ingested_at "
        "from ingest.fct_ingest_files order by ingested_at desc, source_entity, source_file",
    )


def quarantined_rows(db: str, scope: Scope) -> pd.DataFrame:
    """Every value set aside by a contract, with its file, row, column and reason."""
    _require_quality_access(scope, "query:quarantined_rows")
    return _quarantined_rows(db, scope)


@cached
def _quarantined_rows(db: str, scope: Scope) -> pd.DataFrame:
    return core.query(
        db,
        scope,
        "select source_entity, source_file, source_row, column_name, raw_value, "
        "quarantine_reason, file_status, ingested_at from ingest.fct_quarantined_rows "
        "order by ingested_at desc, source_entity, source_file, source_row",
    )


def ingest_freshness(db: str, scope: Scope) -> pd.DataFrame:
    """Last ingest per source and collectivity (names from the reference); for the data team,
    the pipeline sources only (no audit source: no count of findings per collectivity)."""
    _require_quality_access(scope, "query:ingest_freshness")
    return _ingest_freshness(db, scope)


@cached
def _ingest_freshness(db: str, scope: Scope) -> pd.DataFrame:
    audit_apart = ""
    if scope.role is not Role.MINISTRY:
        marks = ", ".join("?" * len(AUDIT_SOURCE_CODES))
        audit_apart = (
            "where f.source_entity not in (select source_entity from ingest.fct_ingest_files "
            f"where source_code in ({marks})) "
        )
    return core.query(
        db,
        scope,
        "select f.source_entity, f.collectivity_code, c.name_fr, c.name_ar, c.level, "
        "f.latest_fiscal_year, f.rows_in_force, f.files_in_force, f.last_ingested_at "
        "from ingest.fct_ingest_freshness as f "
        "left join marts.dim_collectivities as c using (collectivity_code) "
        f"{audit_apart}"
        "order by f.source_entity, f.collectivity_code",
        list(AUDIT_SOURCE_CODES) if audit_apart else [],
    )


# --- how fresh the data of a page is (every role: times only, no collectivity data) ---------


def snapshot_time(db: str) -> datetime:
    """When the snapshot ``db`` was published (UTC): the time in its name
    (``warehouse_20261204T211200123456Z.duckdb``), else the file's modification time."""
    path = Path(db)
    if match := SNAPSHOT_NAME.match(path.name):
        stamp = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S")
        return stamp.replace(microsecond=int(match.group(2) or 0), tzinfo=UTC)
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


@dataclass(frozen=True)
class AuditFreshness:
    """The last ingest of an audit source's file, and of a file of the desk's export (UTC)."""

    last_ingest: datetime | None
    last_desk_export: datetime | None


def audit_freshness(db: str, scope: Scope) -> AuditFreshness:
    """When the audit sources behind the snapshot ``db`` last brought a file in: any of them,
    and the audit desk's own export; None when never (or a snapshot without the manifest)."""
    return _audit_freshness(db, scope)


def _utc(value: object) -> datetime | None:
    if value is None or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    return (
        stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp.tz_convert(UTC)
    ).to_pydatetime()


@cached
def _audit_freshness(db: str, scope: Scope) -> AuditFreshness:
    try:
        frame = core.query(
            db,
            scope,
            "select max(ingested_at) as last_ingest, "
            "max(ingested_at) filter (where source_file = ?) as last_desk_export "
            "from ingest.fct_ingest_files where source_code = ? and file_status <> 'rejected'",
            [DESK_FILE_NAME, DESK_SOURCE_CODE],
        )
    except duckdb.CatalogException:  # a snapshot without the ingest manifest
        return AuditFreshness(None, None)
    row = frame.iloc[0]
    return AuditFreshness(_utc(row["last_ingest"]), _utc(row["last_desk_export"]))
