"""Read-only access to the published warehouse: the only dashboard module that runs SQL.

Every public query takes the user's ``Scope`` (``dashboards.access``) as a required argument
and filters in SQL with the scope's parameterised condition on ``marts.dim_collectivities``:
no query runs without a scope. A request for a collectivity outside the scope, or for risk
data by the data team, raises ``AccessDenied`` after writing it to the access log.

Every query opens its own read-only DuckDB connection and closes it. The cached functions
take the resolved database path and the scope as arguments, so a new snapshot (a new file
name in ``published/CURRENT``) yields new cache entries, and a result cached for one scope is
never served to another.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import shapely
import streamlit as st

from dashboards import access_log
from dashboards.access import AccessDenied, Scope

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


def _query(db: str, scope: Scope, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    if not isinstance(scope, Scope):
        raise TypeError("no query runs without a Scope")
    with duckdb.connect(db, read_only=True) as con:
        return con.execute(sql, list(params)).df()


# --- the access checks -------------------------------------------------------------------


def _refuse(
    scope: Scope, action: str, denial: AccessDenied, detail: str | None = None
) -> AccessDenied:
    access_log.log_denied(scope, action, denial, detail)
    return denial


def _require_risk_data(
    scope: Scope, action: str, code: str | None = None, detail: str | None = None
) -> None:
    if not scope.sees_risk_data:
        raise _refuse(scope, action, AccessDenied("no_risk_data", code), detail)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _scope_codes(db: str, scope: Scope) -> frozenset[str]:
    condition, params = scope.sql_condition("c")
    frame = _query(
        db,
        scope,
        f"select collectivity_code from marts.dim_collectivities as c where {condition}",
        params,
    )
    return frozenset(frame["collectivity_code"])


def authorize_scope(scope: Scope, action: str, detail: str | None = None) -> None:
    """Raise ``AccessDenied`` (logged) unless the scope may see risk data at all."""
    _require_risk_data(scope, action, None, detail)


def authorize(db: str, scope: Scope, code: str, action: str, detail: str | None = None) -> None:
    """Raise ``AccessDenied`` (and log ``action`` as denied) unless ``code`` is in the scope.

    An unknown code is refused like a foreign one, so refusals reveal nothing.
    """
    _require_risk_data(scope, action, code, detail)
    if code not in _scope_codes(db, scope):
        raise _refuse(scope, action, AccessDenied("out_of_scope", code), detail)


# --- scope-wide queries ------------------------------------------------------------------


def fiscal_years(db: str, scope: Scope) -> list[int]:
    """Scored fiscal years of the scope, most recent first."""
    _require_risk_data(scope, "query:fiscal_years")
    return _fiscal_years(db, scope)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _fiscal_years(db: str, scope: Scope) -> list[int]:
    condition, params = scope.sql_condition("c")
    frame = _query(
        db,
        scope,
        f"""
        select distinct r.fiscal_year
        from marts.fct_risk_scores as r
        inner join marts.dim_collectivities as c using (collectivity_code)
        where {condition}
        order by r.fiscal_year desc
        """,
        params,
    )
    return [int(year) for year in frame["fiscal_year"]]


def level_scores(db: str, scope: Scope, fiscal_year: int, level: str) -> pd.DataFrame:
    """Risk scores of the scope's collectivities of one level for one year, riskiest first."""
    _require_risk_data(scope, "query:level_scores")
    return _level_scores(db, scope, fiscal_year, level)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _level_scores(db: str, scope: Scope, fiscal_year: int, level: str) -> pd.DataFrame:
    condition, params = scope.sql_condition("c")
    return _query(
        db,
        scope,
        f"""
        select
            r.collectivity_code, r.national_rank, r.level_rank,
            c.name_fr, c.name_ar, c.level, c.collectivity_type,
            c.province_name_fr, c.province_name_ar, c.region_name_fr, c.region_name_ar,
            r.composite_score, r.likelihood, r.impact, r.inherent_risk, r.risk_class
        from marts.fct_risk_scores as r
        inner join marts.dim_collectivities as c using (collectivity_code)
        where r.fiscal_year = ? and c.level = ? and {condition}
        order by r.national_rank nulls last, r.level_rank nulls last, r.composite_score desc
        """,
        [fiscal_year, level, *params],
    )


SIMPLIFY_DEGREES = 0.001  # about 100 m: invisible on a map, a third of the bytes to send


def _simplified(geometry_geojson: str) -> dict[str, Any]:
    geometry = shapely.from_geojson(geometry_geojson)
    return json.loads(shapely.to_geojson(geometry.simplify(SIMPLIFY_DEGREES)))


def boundaries(db: str, scope: Scope, level: str) -> dict[str, Any]:
    """GeoJSON FeatureCollection of the scope's collectivities of one level (``id``: code)."""
    _require_risk_data(scope, "query:boundaries")
    return _boundaries(db, scope, level)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _boundaries(db: str, scope: Scope, level: str) -> dict[str, Any]:
    condition, params = scope.sql_condition("c")
    frame = _query(
        db,
        scope,
        f"""
        select b.collectivity_code, b.geometry_geojson
        from marts.dim_collectivity_boundaries as b
        inner join marts.dim_collectivities as c using (collectivity_code)
        where b.level = ? and b.geometry_geojson is not null and {condition}
        """,
        [level, *params],
    )
    features = [
        {"type": "Feature", "id": code, "properties": {}, "geometry": _simplified(geometry)}
        for code, geometry in zip(
            frame["collectivity_code"], frame["geometry_geojson"], strict=True
        )
    ]
    return {"type": "FeatureCollection", "features": features}


def collectivities(db: str, scope: Scope) -> pd.DataFrame:
    """Directory of the scope's collectivities indexed by code, in region / level / name order."""
    _require_risk_data(scope, "query:collectivities")
    return _collectivities(db, scope)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _collectivities(db: str, scope: Scope) -> pd.DataFrame:
    condition, params = scope.sql_condition("c")
    return _query(
        db,
        scope,
        f"""
        select
            collectivity_code, level, collectivity_type, name_fr, name_ar,
            region_code, region_name_fr, region_name_ar,
            province_code, province_name_fr, province_name_ar,
            population_2024, rollout_phase
        from marts.dim_collectivities as c
        where {condition}
        order by
            region_code,
            case level
                when 'region' then 1 when 'province' then 2 when 'commune' then 3 else 4
            end,
            name_fr
        """,
        params,
    ).set_index("collectivity_code", drop=False)


# --- one collectivity --------------------------------------------------------------------


def collectivity_scores(db: str, scope: Scope, code: str) -> pd.DataFrame:
    """Risk scores of one collectivity, one row per fiscal year, most recent first."""
    authorize(db, scope, code, "query:collectivity_scores")
    return _collectivity_scores(db, scope, code)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _collectivity_scores(db: str, scope: Scope, code: str) -> pd.DataFrame:
    condition, params = scope.sql_condition("c")
    return _query(
        db,
        scope,
        f"""
        select
            r.fiscal_year, r.composite_score, r.domains_covered, r.likelihood,
            r.materiality_score, r.impact, r.inherent_risk, r.risk_class, r.national_rank,
            r.level_rank, r.methodology_version
        from marts.fct_risk_scores as r
        inner join marts.dim_collectivities as c using (collectivity_code)
        where r.collectivity_code = ? and {condition}
        order by r.fiscal_year desc
        """,
        [code, *params],
    )


def collectivity_indicators(db: str, scope: Scope, code: str, fiscal_year: int) -> pd.DataFrame:
    """Indicator values, bands and sub-scores of one collectivity for one year."""
    authorize(db, scope, code, "query:collectivity_indicators")
    return _collectivity_indicators(db, scope, code, fiscal_year)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _collectivity_indicators(db: str, scope: Scope, code: str, fiscal_year: int) -> pd.DataFrame:
    condition, params = scope.sql_condition("c")
    return _query(
        db,
        scope,
        f"""
        select
            i.indicator_code, i.indicator_name_fr, i.indicator_name_ar, i.domain_code,
            i.direction, i.unit, i.indicator_value, i.has_data, i.green_threshold,
            i.red_threshold, i.band, i.sub_score
        from marts.fct_indicators as i
        inner join marts.dim_collectivities as c using (collectivity_code)
        where i.collectivity_code = ? and i.fiscal_year = ? and {condition}
        order by i.domain_code, i.indicator_code
        """,
        [code, fiscal_year, *params],
    )


def collectivity_domain_scores(db: str, scope: Scope, code: str, fiscal_year: int) -> pd.DataFrame:
    """Domain scores of one collectivity for one year."""
    authorize(db, scope, code, "query:collectivity_domain_scores")
    return _collectivity_domain_scores(db, scope, code, fiscal_year)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _collectivity_domain_scores(db: str, scope: Scope, code: str, fiscal_year: int) -> pd.DataFrame:
    condition, params = scope.sql_condition("c")
    return _query(
        db,
        scope,
        f"""
        select
            d.domain_code, d.domain_name_fr, d.domain_name_ar, d.domain_score,
            d.indicators_available, d.indicators_expected, d.coverage_ratio
        from marts.fct_domain_scores as d
        inner join marts.dim_collectivities as c using (collectivity_code)
        where d.collectivity_code = ? and d.fiscal_year = ? and {condition}
        order by d.domain_code
        """,
        [code, fiscal_year, *params],
    )


# --- optional columns and tables (the warehouse grows between snapshots) -----------------


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _columns(db: str, table: str) -> frozenset[str]:
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
    return bool(_columns(db, table))


def _select(db: str, table: str, alias: str, columns: Sequence[str]) -> str:
    """``alias.col`` for each column, ``null as col`` for one this snapshot lacks."""
    present = _columns(db, table)
    return ", ".join(
        f"{alias}.{column}" if column in present else f"null as {column}" for column in columns
    )


RANK_COLUMNS = ("rank_p05", "rank_p95", "is_rank_unstable")
RESIDUAL_COLUMNS = ("ic_maturity_score", "residual_likelihood", "residual_risk")


# --- rankings ----------------------------------------------------------------------------


def ranking(db: str, scope: Scope, fiscal_year: int, level: str) -> pd.DataFrame:
    """``level_scores`` with the rank interval (p5–p95), its instability flag and residuals."""
    _require_risk_data(scope, "query:ranking")
    return _ranking(db, scope, fiscal_year, level)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _ranking(db: str, scope: Scope, fiscal_year: int, level: str) -> pd.DataFrame:
    condition, params = scope.sql_condition("c")
    extra = _select(
        db, "fct_risk_scores", "r", (*RANK_COLUMNS, "residual_risk", "residual_risk_class")
    )
    return _query(
        db,
        scope,
        f"""
        select
            r.collectivity_code, r.national_rank, r.level_rank,
            c.name_fr, c.name_ar, c.level, c.collectivity_type, c.region_code,
            c.province_name_fr, c.province_name_ar, c.region_name_fr, c.region_name_ar,
            r.composite_score, r.likelihood, r.impact, r.inherent_risk, r.risk_class,
            r.methodology_version, {extra}
        from marts.fct_risk_scores as r
        inner join marts.dim_collectivities as c using (collectivity_code)
        where r.fiscal_year = ? and c.level = ? and {condition}
        order by r.national_rank nulls last, r.level_rank nulls last, r.composite_score desc
        """,
        [fiscal_year, level, *params],
    )


# --- one collectivity: score card, risk register, per-domain heatmaps, recommendations ----


def collectivity_overview(db: str, scope: Scope, code: str, fiscal_year: int) -> pd.DataFrame:
    """One row: the collectivity's directory entry and its risk scores for the year."""
    authorize(db, scope, code, "query:collectivity_overview")
    return _collectivity_overview(db, scope, code, fiscal_year)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _collectivity_overview(db: str, scope: Scope, code: str, fiscal_year: int) -> pd.DataFrame:
    condition, params = scope.sql_condition("c")
    extra = _select(
        db, "fct_risk_scores", "r", (*RESIDUAL_COLUMNS, "residual_risk_class", *RANK_COLUMNS)
    )
    return _query(
        db,
        scope,
        f"""
        select
            c.collectivity_code, c.level, c.collectivity_type, c.name_fr, c.name_ar,
            c.region_code, c.region_name_fr, c.region_name_ar,
            c.province_name_fr, c.province_name_ar, c.population_2024,
            r.fiscal_year, r.composite_score, r.domains_covered, r.likelihood,
            r.materiality_score, r.impact, r.inherent_risk, r.risk_class, r.national_rank,
            r.level_rank, r.methodology_version, {extra}
        from marts.dim_collectivities as c
        inner join marts.fct_risk_scores as r
            on r.collectivity_code = c.collectivity_code and r.fiscal_year = ?
        where c.collectivity_code = ? and {condition}
        """,
        [fiscal_year, code, *params],
    )


SCORE_CARD_COLUMNS = (
    "line_kind", "line_code", "domain_code", "line_name_fr", "line_name_ar", "band",
    "previous_band", "unit", "indicator_value", "previous_indicator_value", "green_threshold",
    "red_threshold", "sub_score", "previous_sub_score", "weight_in_domain", "domain_weight",
    "contribution", "previous_contribution", "contribution_change", "change_cause_rank",
    "has_data",
)  # fmt: skip


def collectivity_score_card(db: str, scope: Scope, code: str, fiscal_year: int) -> pd.DataFrame:
    """Score-card lines (indicators and domain adjustments): contributions to the score."""
    authorize(db, scope, code, "query:collectivity_score_card")
    return _collectivity_score_card(db, scope, code, fiscal_year)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _collectivity_score_card(db: str, scope: Scope, code: str, fiscal_year: int) -> pd.DataFrame:
    if not has_table(db, "fct_score_cards"):
        return pd.DataFrame(columns=list(SCORE_CARD_COLUMNS))
    condition, params = scope.sql_condition("c")
    return _query(
        db,
        scope,
        f"""
        select {_select(db, "fct_score_cards", "s", SCORE_CARD_COLUMNS)}
        from marts.fct_score_cards as s
        inner join marts.dim_collectivities as c using (collectivity_code)
        where s.collectivity_code = ? and s.fiscal_year = ? and {condition}
        order by s.domain_code, s.line_kind desc, s.line_code
        """,
        [code, fiscal_year, *params],
    )


REGISTER_COLUMNS = (
    "risk_code", "process_code", "risk_name_fr", "risk_name_ar", "indicators_behind",
    "risk_score", "indicators_with_data", "findings_3y", "serious_findings_3y", "likelihood",
    "impact", "control_reduction", "ic_maturity_score", "inherent_risk", "residual_risk",
    "risk_class", "residual_risk_class", "risk_rank",
)  # fmt: skip


def collectivity_risk_register(db: str, scope: Scope, code: str, fiscal_year: int) -> pd.DataFrame:
    """The collectivity's risk register for the year, highest inherent risk first."""
    authorize(db, scope, code, "query:collectivity_risk_register")
    return _collectivity_risk_register(db, scope, code, fiscal_year)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _collectivity_risk_register(db: str, scope: Scope, code: str, fiscal_year: int) -> pd.DataFrame:
    if not has_table(db, "fct_risk_register"):
        return pd.DataFrame(columns=list(REGISTER_COLUMNS))
    condition, params = scope.sql_condition("c")
    return _query(
        db,
        scope,
        f"""
        select {_select(db, "fct_risk_register", "g", REGISTER_COLUMNS)}
        from marts.fct_risk_register as g
        inner join marts.dim_collectivities as c using (collectivity_code)
        where g.collectivity_code = ? and g.fiscal_year = ? and {condition}
        order by g.risk_rank, g.risk_code
        """,
        [code, fiscal_year, *params],
    )


DOMAIN_HEATMAP_COLUMNS = (
    "domain_code", "domain_name_fr", "domain_name_ar", "domain_score", "computed_score",
    "indicators_available", "indicators_expected", "coverage_ratio", "is_insufficient_data",
    "has_red_flag", "red_flag_codes", "domain_likelihood", "impact", "domain_inherent_risk",
)  # fmt: skip


def collectivity_domain_heatmaps(
    db: str, scope: Scope, code: str, fiscal_year: int
) -> pd.DataFrame:
    """Each domain's score and its own likelihood × impact cell (per-domain heatmaps)."""
    authorize(db, scope, code, "query:collectivity_domain_heatmaps")
    return _collectivity_domain_heatmaps(db, scope, code, fiscal_year)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _collectivity_domain_heatmaps(
    db: str, scope: Scope, code: str, fiscal_year: int
) -> pd.DataFrame:
    condition, params = scope.sql_condition("c")
    return _query(
        db,
        scope,
        f"""
        select {_select(db, "fct_domain_scores", "d", DOMAIN_HEATMAP_COLUMNS)}
        from marts.fct_domain_scores as d
        inner join marts.dim_collectivities as c using (collectivity_code)
        where d.collectivity_code = ? and d.fiscal_year = ? and {condition}
        order by d.domain_code
        """,
        [code, fiscal_year, *params],
    )


RECOMMENDATIONS_TABLE = "fct_recommendations"


def collectivity_recommendations(db: str, scope: Scope, code: str) -> pd.DataFrame | None:
    """The collectivity's audit recommendations, or None when the snapshot has none yet.

    ``fct_recommendations`` is still being built: every column it has is returned, and the
    reports read the ones they know (``status``, and ``days_open`` / ``is_overdue`` if any).
    """
    authorize(db, scope, code, "query:collectivity_recommendations")
    return _collectivity_recommendations(db, scope, code)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _collectivity_recommendations(db: str, scope: Scope, code: str) -> pd.DataFrame | None:
    if "collectivity_code" not in _columns(db, RECOMMENDATIONS_TABLE):
        return None
    condition, params = scope.sql_condition("c")
    return _query(
        db,
        scope,
        f"""
        select x.*
        from marts.{RECOMMENDATIONS_TABLE} as x
        inner join marts.dim_collectivities as c using (collectivity_code)
        where x.collectivity_code = ? and {condition}
        """,
        [code, *params],
    )


# --- data quality (ministry and data team) -------------------------------------------------

QUALITY_ROLES = frozenset({"ministry", "data_team"})


def _require_quality_access(scope: Scope, action: str) -> None:
    if str(scope.role) not in QUALITY_ROLES:
        raise _refuse(scope, action, AccessDenied("no_quality_data"))


def ingest_files(db: str, scope: Scope) -> pd.DataFrame:
    """The ingest manifest: one row per file version, newest first."""
    _require_quality_access(scope, "query:ingest_files")
    return _ingest_files(db, scope)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _ingest_files(db: str, scope: Scope) -> pd.DataFrame:
    return _query(
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


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _quarantined_rows(db: str, scope: Scope) -> pd.DataFrame:
    return _query(
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


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _ingest_freshness(db: str, scope: Scope) -> pd.DataFrame:
    return _query(
        db,
        scope,
        "select f.source_entity, f.collectivity_code, c.name_fr, c.name_ar, c.level, "
        "f.latest_fiscal_year, f.rows_in_force, f.files_in_force, f.last_ingested_at "
        "from ingest.fct_ingest_freshness as f "
        "left join marts.dim_collectivities as c using (collectivity_code) "
        "order by f.source_entity, f.collectivity_code",
    )
