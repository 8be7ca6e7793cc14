"""Data quality: the ingest manifest, quarantined rows and freshness (ministry and data team)."""

from __future__ import annotations

import pandas as pd

from tadqiq.access import ROLE_PAGES, AccessDenied, Scope
from tadqiq.warehouse import core
from tadqiq.warehouse.cache import cached

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
    """Last ingest per source and collectivity (names from the reference)."""
    _require_quality_access(scope, "query:ingest_freshness")
    return _ingest_freshness(db, scope)


@cached
def _ingest_freshness(db: str, scope: Scope) -> pd.DataFrame:
    return core.query(
        db,
        scope,
        "select f.source_entity, f.collectivity_code, c.name_fr, c.name_ar, c.level, "
        "f.latest_fiscal_year, f.rows_in_force, f.files_in_force, f.last_ingested_at "
        "from ingest.fct_ingest_freshness as f "
        "left join marts.dim_collectivities as c using (collectivity_code) "
        "order by f.source_entity, f.collectivity_code",
    )
