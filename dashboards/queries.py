"""Read-only access to the published warehouse: the only dashboard module that runs SQL.

Every query opens its own read-only DuckDB connection and closes it. Cached functions take
the resolved database path as their first argument, so publishing a new snapshot (a new
file name in ``published/CURRENT``) yields new cache entries.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

DB_ENV = "TADQIQ_DASHBOARD_DB"
DATA_DIR_ENV = "TADQIQ_DATA_DIR"
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / "data"
CACHE_TTL = "10m"


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


def _query(db: str, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    with duckdb.connect(db, read_only=True) as con:
        return con.execute(sql, list(params)).df()


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def fiscal_years(db: str) -> list[int]:
    """Scored fiscal years, most recent first."""
    frame = _query(
        db, "select distinct fiscal_year from marts.fct_risk_scores order by fiscal_year desc"
    )
    return [int(year) for year in frame["fiscal_year"]]


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def level_scores(db: str, fiscal_year: int, level: str) -> pd.DataFrame:
    """Risk scores of every collectivity of one level for one year, riskiest first."""
    return _query(
        db,
        """
        select
            r.collectivity_code, r.national_rank, r.level_rank,
            c.name_fr, c.name_ar, c.level, c.collectivity_type,
            c.province_name_fr, c.province_name_ar, c.region_name_fr, c.region_name_ar,
            r.composite_score, r.likelihood, r.impact, r.inherent_risk, r.risk_class
        from marts.fct_risk_scores as r
        inner join marts.dim_collectivities as c using (collectivity_code)
        where r.fiscal_year = ? and c.level = ?
        order by r.national_rank nulls last, r.level_rank nulls last, r.composite_score desc
        """,
        [fiscal_year, level],
    )


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def boundaries(db: str, level: str) -> dict[str, Any]:
    """GeoJSON FeatureCollection of one level, each feature's ``id`` the collectivity code."""
    frame = _query(
        db,
        """
        select collectivity_code, geometry_geojson
        from marts.dim_collectivity_boundaries
        where level = ? and geometry_geojson is not null
        """,
        [level],
    )
    features = [
        {"type": "Feature", "id": code, "properties": {}, "geometry": json.loads(geometry)}
        for code, geometry in zip(
            frame["collectivity_code"], frame["geometry_geojson"], strict=True
        )
    ]
    return {"type": "FeatureCollection", "features": features}


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def collectivities(db: str) -> pd.DataFrame:
    """Directory of collectivities indexed by code, in region / level / name order."""
    return _query(
        db,
        """
        select
            collectivity_code, level, collectivity_type, name_fr, name_ar,
            region_code, region_name_fr, region_name_ar,
            province_code, province_name_fr, province_name_ar,
            population_2024, rollout_phase
        from marts.dim_collectivities
        order by
            region_code,
            case level
                when 'region' then 1 when 'province' then 2 when 'commune' then 3 else 4
            end,
            name_fr
        """,
    ).set_index("collectivity_code", drop=False)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def collectivity_scores(db: str, code: str) -> pd.DataFrame:
    """Risk scores of one collectivity, one row per fiscal year, most recent first."""
    return _query(
        db,
        """
        select
            fiscal_year, composite_score, domains_covered, likelihood, materiality_score,
            impact, inherent_risk, risk_class, national_rank, level_rank, methodology_version
        from marts.fct_risk_scores
        where collectivity_code = ?
        order by fiscal_year desc
        """,
        [code],
    )


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def collectivity_indicators(db: str, code: str, fiscal_year: int) -> pd.DataFrame:
    """Indicator values, bands and sub-scores of one collectivity for one year."""
    return _query(
        db,
        """
        select
            indicator_code, indicator_name_fr, indicator_name_ar, domain_code, direction,
            unit, indicator_value, has_data, green_threshold, red_threshold, band, sub_score
        from marts.fct_indicators
        where collectivity_code = ? and fiscal_year = ?
        order by domain_code, indicator_code
        """,
        [code, fiscal_year],
    )


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def collectivity_domain_scores(db: str, code: str, fiscal_year: int) -> pd.DataFrame:
    """Domain scores of one collectivity for one year."""
    return _query(
        db,
        """
        select
            domain_code, domain_name_fr, domain_name_ar, domain_score,
            indicators_available, indicators_expected, coverage_ratio
        from marts.fct_domain_scores
        where collectivity_code = ? and fiscal_year = ?
        order by domain_code
        """,
        [code, fiscal_year],
    )
