"""The warehouse file, the one function that runs SQL, and the access checks every query
makes first (a refusal is written to the access log before it is raised)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from tadqiq.access import AccessDenied, Scope
from tadqiq.access import log as access_log
from tadqiq.warehouse.cache import cached

DB_ENV = "TADQIQ_DASHBOARD_DB"
DATA_DIR_ENV = "TADQIQ_DATA_DIR"
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"


class WarehouseNotFoundError(RuntimeError):
    """No published warehouse could be found."""


def expected_warehouse() -> Path:
    """Where the current warehouse should be; the path may not exist.

    ``$TADQIQ_DASHBOARD_DB`` wins; otherwise ``$TADQIQ_DATA_DIR/published/CURRENT`` names
    the current snapshot file in the same folder (the ``CURRENT`` path itself is returned
    while it does not exist).
    """
    if explicit := os.environ.get(DB_ENV):
        return Path(explicit)
    published = Path(os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR) / "published"
    current = published / "CURRENT"
    if not current.is_file():
        return current
    return published / current.read_text(encoding="utf-8").strip()


def warehouse_path() -> str | None:
    """The current warehouse file, or None when nothing has been published."""
    path = expected_warehouse()
    return str(path) if path.is_file() else None


def require_warehouse() -> str:
    """The current warehouse file; raises WarehouseNotFoundError when there is none."""
    if (path := warehouse_path()) is None:
        raise WarehouseNotFoundError(str(expected_warehouse()))
    return path


def query(db: str, scope: Scope, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    if not isinstance(scope, Scope):
        raise TypeError("no query runs without a Scope")
    with duckdb.connect(db, read_only=True) as con:
        return con.execute(sql, list(params)).df()


# --- the access checks -------------------------------------------------------------------


def refuse(
    scope: Scope, action: str, denial: AccessDenied, detail: str | None = None
) -> AccessDenied:
    access_log.log_denied(scope, action, denial, detail)
    return denial


def require_risk_data(
    scope: Scope, action: str, code: str | None = None, detail: str | None = None
) -> None:
    if not scope.sees_risk_data:
        raise refuse(scope, action, AccessDenied("no_risk_data", code), detail)


@cached
def _scope_members(db: str, scope: Scope) -> tuple[frozenset[str], frozenset[str]]:
    """(the scope's collectivity codes, the regions they are in), from one query."""
    condition, params = scope.sql_condition("c")
    frame = query(
        db,
        scope,
        "select collectivity_code, region_code from marts.dim_collectivities as c "
        f"where {condition}",
        params,
    )
    return frozenset(frame["collectivity_code"]), frozenset(frame["region_code"].dropna())


def scope_codes(db: str, scope: Scope) -> frozenset[str]:
    return _scope_members(db, scope)[0]


def scope_regions(db: str, scope: Scope) -> frozenset[str]:
    """The regions the scope's collectivities are in (a commune's auditor: its one region)."""
    return _scope_members(db, scope)[1]


def authorize_scope(scope: Scope, action: str, detail: str | None = None) -> None:
    """Raise ``AccessDenied`` (logged) unless the scope may see risk data at all."""
    require_risk_data(scope, action, None, detail)


def authorize(db: str, scope: Scope, code: str, action: str, detail: str | None = None) -> None:
    """Raise ``AccessDenied`` (and log ``action`` as denied) unless ``code`` is in the scope.

    An unknown code is refused like a foreign one, so refusals reveal nothing.
    """
    require_risk_data(scope, action, code, detail)
    if code not in scope_codes(db, scope):
        raise refuse(scope, action, AccessDenied("out_of_scope", code), detail)


def authorize_region(
    db: str, scope: Scope, region: str, action: str, detail: str | None = None
) -> None:
    """Raise ``AccessDenied`` (logged) unless ``region`` holds collectivities of the scope.

    A region used as a filter narrows the scope's own rows (the scope's condition stays in
    every query), so a commune's auditor may filter on its region without seeing the regional
    council's data — checking the region code as a collectivity code would refuse it.
    """
    require_risk_data(scope, action, region, detail)
    if region not in scope_regions(db, scope):
        raise refuse(scope, action, AccessDenied("out_of_scope", region), detail)


# --- optional columns and tables (the warehouse grows between snapshots) -----------------


@cached
def table_columns(db: str, table: str) -> frozenset[str]:
    """Columns of ``marts.<table>`` (empty when the table is absent from the snapshot)."""
    with duckdb.connect(db, read_only=True) as con:
        rows = con.execute(
            "select column_name from information_schema.columns"
            " where table_schema = 'marts' and table_name = ?",
            [table],
        ).fetchall()
    return frozenset(name for (name,) in rows)


def has_table(db: str, table: str) -> bool:
    """Whether the snapshot has ``marts.<table>`` (no collectivity data: no scope needed)."""
    return bool(table_columns(db, table))


def select_columns(db: str, table: str, alias: str, columns: Sequence[str]) -> str:
    """``alias.col`` for each column, ``null as col`` for one this snapshot lacks."""
    present = table_columns(db, table)
    return ", ".join(
        f"{alias}.{column}" if column in present else f"null as {column}" for column in columns
    )
