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
from dashboards.access import ROLE_PAGES, AccessDenied, Scope

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


def _require_quality_access(scope: Scope, action: str) -> None:
    # the roles whose navigation holds the quality page, kept in one place in access.py
    if "quality" not in ROLE_PAGES[scope.role]:
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


# --- audit programme, missions, recommendations and rollout (issue 6) ----------------------
#
# Every function reads collectivity-level rows (missions, proposals, recommendations, cells)
# joined to ``marts.dim_collectivities`` under the scope's condition, and aggregates them in
# SQL. The aggregated marts (fct_programme_progress, fct_audit_cell_coverage,
# fct_follow_up_kpis) are not read: their region or province rows would show a collectivity
# auditor whose area is a region or a province (its council's cell) the figures of every
# collectivity below it. The sums follow the marts' definitions (docs/programme.md §3–4).
#
# ``region`` / ``code`` narrow the scope to one region, or to one collectivity and its
# arrondissements; each is authorized first (a foreign or unknown one is refused and logged).

AUDIT_TABLES = (
    "fct_missions", "fct_audit_programme", "fct_programme_differences", "fct_audit_cells",
    "fct_recommendations", "fct_recommendation_status_history", "fct_findings",
)  # fmt: skip


def has_audit_marts(db: str) -> bool:
    """Whether the snapshot has the audit marts (no collectivity data: no scope needed)."""
    return all(has_table(db, table) for table in AUDIT_TABLES)


def _audit_filter(
    db: str, scope: Scope, action: str, region: str | None, code: str | None
) -> tuple[str, list[str]]:
    """The scope's condition, narrowed to ``region`` or ``code`` once they are authorized."""
    _require_risk_data(scope, action)
    for requested in (region, code):
        if requested is not None:
            authorize(db, scope, requested, action)
    condition, params = scope.sql_condition("c")
    if region is not None:
        condition, params = f"{condition} and c.region_code = ?", [*params, region]
    if code is not None:
        condition = f"{condition} and (c.collectivity_code = ? or c.parent_commune_code = ?)"
        params = [*params, code, code]
    return condition, params


MISSION_COLUMNS = (
    "mission_id", "programme_type", "audit_body", "audit_process_code", "mission_status",
    "programme_year", "planned_auditor_days", "actual_auditor_days", "auditor_days_overrun",
    "slippage_days", "start_delay_days", "is_done", "is_open", "is_cancelled", "is_late",
    "planned_start_date", "planned_end_date", "actual_start_date", "actual_end_date",
    "as_of_date",
)  # fmt: skip


def missions(
    db: str, scope: Scope, region: str | None = None, code: str | None = None
) -> pd.DataFrame:
    """Missions of the scope (``fct_missions``), with the collectivity's names and phase."""
    condition, params = _audit_filter(db, scope, "query:missions", region, code)
    return _missions(db, scope, condition, tuple(params))


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _missions(db: str, scope: Scope, condition: str, params: tuple[str, ...]) -> pd.DataFrame:
    if not has_table(db, "fct_missions"):
        return pd.DataFrame(columns=["collectivity_code", *MISSION_COLUMNS])
    columns = ", ".join(f"m.{column}" for column in MISSION_COLUMNS)
    return _query(
        db,
        scope,
        f"""
        select
            m.collectivity_code, c.name_fr, c.name_ar, c.level, c.region_code,
            c.region_name_fr, c.region_name_ar, c.province_code, c.province_name_fr,
            c.province_name_ar, c.rollout_phase, {columns}
        from marts.fct_missions as m
        inner join marts.dim_collectivities as c using (collectivity_code)
        where {condition}
        order by m.programme_year desc, m.planned_start_date, m.mission_id
        """,
        params,
    )


def programme_progress(
    db: str, scope: Scope, region: str | None = None, code: str | None = None
) -> pd.DataFrame:
    """Execution of the adopted programme per year, region, province and rollout phase.

    The sums of ``fct_programme_progress`` (planned: every mission, cancelled ones included;
    done: report stage or closed; execution rate = done / planned), over the scope's missions.
    """
    condition, params = _audit_filter(db, scope, "query:programme_progress", region, code)
    return _programme_progress(db, scope, condition, tuple(params))


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _programme_progress(
    db: str, scope: Scope, condition: str, params: tuple[str, ...]
) -> pd.DataFrame:
    if not has_table(db, "fct_missions"):
        return pd.DataFrame()
    return _query(
        db,
        scope,
        f"""
        select
            m.programme_year, c.region_code, c.region_name_fr, c.region_name_ar,
            c.province_code, c.rollout_phase,
            count(*) as missions_planned,
            count(*) filter (where m.is_done) as missions_done,
            count(*) filter (where m.is_cancelled) as missions_cancelled,
            count(*) filter (where m.mission_status = 'in_progress') as missions_in_progress,
            count(*) filter (where m.mission_status = 'planned') as missions_not_started,
            count(*) filter (where m.is_late) as missions_late,
            coalesce(sum(m.planned_auditor_days), 0) as auditor_days_planned,
            coalesce(sum(m.actual_auditor_days), 0) as auditor_days_used
        from marts.fct_missions as m
        inner join marts.dim_collectivities as c using (collectivity_code)
        where {condition}
        group by all
        order by all
        """,
        params,
    )


PROGRAMME_COLUMNS = (
    "audit_programme_id", "programme_kind", "risk_code", "audit_process_code",
    "selection_reason", "risk_class", "base_fiscal_year", "programme_year", "priority_rank",
    "auditor_days", "residual_risk", "priority_score", "is_selected", "is_regional_minimum",
    "is_critical",
)  # fmt: skip


def audit_programme(
    db: str, scope: Scope, region: str | None = None, code: str | None = None
) -> pd.DataFrame:
    """The proposed programme (``fct_audit_programme``) of the scope, every year and kind."""
    condition, params = _audit_filter(db, scope, "query:audit_programme", region, code)
    return _audit_programme(db, scope, condition, tuple(params))


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _audit_programme(
    db: str, scope: Scope, condition: str, params: tuple[str, ...]
) -> pd.DataFrame:
    if not has_table(db, "fct_audit_programme"):
        return pd.DataFrame(columns=["collectivity_code", *PROGRAMME_COLUMNS])
    columns = ", ".join(f"p.{column}" for column in PROGRAMME_COLUMNS)
    return _query(
        db,
        scope,
        f"""
        select
            p.collectivity_code, c.name_fr, c.name_ar, c.region_code, c.region_name_fr,
            c.region_name_ar, c.rollout_phase, {columns}
        from marts.fct_audit_programme as p
        inner join marts.dim_collectivities as c using (collectivity_code)
        where {condition}
        order by p.programme_year, p.programme_kind, p.priority_rank, p.audit_programme_id
        """,
        params,
    )


def programme_differences(
    db: str, scope: Scope, region: str | None = None, code: str | None = None
) -> pd.DataFrame:
    """Proposed against adopted programme (``fct_programme_differences``) of the scope."""
    condition, params = _audit_filter(db, scope, "query:programme_differences", region, code)
    return _programme_differences(db, scope, condition, tuple(params))


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _programme_differences(
    db: str, scope: Scope, condition: str, params: tuple[str, ...]
) -> pd.DataFrame:
    if not has_table(db, "fct_programme_differences"):
        return pd.DataFrame()
    return _query(
        db,
        scope,
        f"""
        select
            d.programme_difference_id, d.collectivity_code, c.name_fr, c.name_ar,
            c.region_code, d.programme_year, d.audit_process_code, d.difference_type,
            d.proposed_kinds, d.adopted_mission_ids, d.proposed_auditor_days,
            d.adopted_missions_count, d.adopted_cancelled_count, d.priority_score,
            d.residual_risk
        from marts.fct_programme_differences as d
        inner join marts.dim_collectivities as c using (collectivity_code)
        where {condition}
        order by d.programme_year desc, d.difference_type, c.name_fr, d.audit_process_code
        """,
        params,
    )


def audit_cells(
    db: str, scope: Scope, region: str | None = None, code: str | None = None
) -> pd.DataFrame:
    """Internal-audit cells (``fct_audit_cells``) of the scope's collectivities."""
    condition, params = _audit_filter(db, scope, "query:audit_cells", region, code)
    return _audit_cells(db, scope, condition, tuple(params))


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _audit_cells(db: str, scope: Scope, condition: str, params: tuple[str, ...]) -> pd.DataFrame:
    if not has_table(db, "fct_audit_cells"):
        return pd.DataFrame()
    return _query(
        db,
        scope,
        f"""
        select
            a.collectivity_code, c.name_fr, c.name_ar, c.region_code, a.rollout_phase,
            a.auditors_count, a.auditor_days_per_year, a.programmable_auditor_days,
            a.is_created, a.has_charter, a.created_date, a.charter_adopted_date, a.as_of_date
        from marts.fct_audit_cells as a
        inner join marts.dim_collectivities as c using (collectivity_code)
        where {condition}
        order by c.region_code, c.name_fr
        """,
        params,
    )


def rollout_coverage(db: str, scope: Scope, region: str | None = None) -> pd.DataFrame:
    """Collectivities, cells, charters, auditors and auditor-days per region, phase and level.

    The counts of ``fct_audit_cell_coverage`` (a cell counts once created by the as-of date, a
    charter once adopted), over the scope's collectivities; ``rollout_phase`` null: not yet in
    a phase (the national generalisation).
    """
    condition, params = _audit_filter(db, scope, "query:rollout_coverage", region, None)
    return _rollout_coverage(db, scope, condition, tuple(params))


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _rollout_coverage(
    db: str, scope: Scope, condition: str, params: tuple[str, ...]
) -> pd.DataFrame:
    cells = (
        "marts.fct_audit_cells"
        if has_table(db, "fct_audit_cells")
        else "(select null::varchar as collectivity_code, false as is_created,"
        " false as has_charter, 0 as auditors_count, 0 as auditor_days_per_year)"
    )
    return _query(
        db,
        scope,
        f"""
        select
            c.region_code, c.region_name_fr, c.region_name_ar, c.rollout_phase, c.level,
            count(*) as collectivities_count,
            count(*) filter (where coalesce(a.is_created, false)) as with_cell_count,
            count(*) filter (where coalesce(a.is_created and a.has_charter, false))
                as with_charter_count,
            coalesce(sum(a.auditors_count) filter (where a.is_created), 0) as auditors_count,
            coalesce(sum(a.auditor_days_per_year) filter (where a.is_created), 0)
                as auditor_days_per_year
        from marts.dim_collectivities as c
        left join {cells} as a using (collectivity_code)
        where {condition}
        group by all
        order by all
        """,
        params,
    )


RECOMMENDATION_COLUMNS = (
    "recommendation_id", "finding_id", "mission_id", "finding_category_code",
    "severity_code", "recommendation_text", "owner_division", "recommendation_status",
    "status", "age_bucket", "programme_year", "age_days", "days_overdue", "days_to_implement",
    "is_open", "is_due", "is_overdue", "is_implemented", "is_verified",
    "is_declared_not_verified", "issued_date", "due_date", "status_since_date",
    "implemented_date", "verified_date", "as_of_date",
)  # fmt: skip


def recommendations(
    db: str, scope: Scope, region: str | None = None, code: str | None = None
) -> pd.DataFrame:
    """Recommendations of the scope (``fct_recommendations``, status as of the as-of date)."""
    condition, params = _audit_filter(db, scope, "query:recommendations", region, code)
    return _recommendations(db, scope, condition, tuple(params))


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _recommendations(
    db: str, scope: Scope, condition: str, params: tuple[str, ...]
) -> pd.DataFrame:
    if not has_audit_marts(db):
        return pd.DataFrame(columns=["collectivity_code", *RECOMMENDATION_COLUMNS])
    columns = ", ".join(f"r.{column}" for column in RECOMMENDATION_COLUMNS)
    return _query(
        db,
        scope,
        f"""
        select
            r.collectivity_code, c.name_fr, c.name_ar, c.region_code, c.region_name_fr,
            c.region_name_ar, {columns}
        from marts.fct_recommendations as r
        inner join marts.dim_collectivities as c using (collectivity_code)
        where {condition}
        order by r.days_overdue desc nulls last, r.due_date, r.recommendation_id
        """,
        params,
    )


def follow_up_kpis(
    db: str, scope: Scope, region: str | None = None, code: str | None = None
) -> pd.Series:
    """One row of follow-up KPIs over the scope, as ``fct_follow_up_kpis`` defines them.

    Implementation rate = implemented / due, verified rate = verified / due, overdue rate =
    overdue / due, median days to implement over the implemented ones, findings up to the
    as-of date and the repeats among them. The median is computed over the selection itself.
    """
    condition, params = _audit_filter(db, scope, "query:follow_up_kpis", region, code)
    return _follow_up_kpis(db, scope, condition, tuple(params))


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _follow_up_kpis(db: str, scope: Scope, condition: str, params: tuple[str, ...]) -> pd.Series:
    if not has_audit_marts(db):
        return pd.Series(dtype=object)
    frame = _query(
        db,
        scope,
        f"""
        with recs as (
            select r.*
            from marts.fct_recommendations as r
            inner join marts.dim_collectivities as c using (collectivity_code)
            where {condition}
        ),
        finds as (
            select f.is_repeat
            from marts.fct_findings as f
            inner join marts.dim_collectivities as c using (collectivity_code)
            where {condition}
                and f.finding_date <= (select max(as_of_date) from marts.fct_recommendations)
        ),
        rec_kpis as (
            select
                count(*) as recommendations_issued,
                count(*) filter (where is_due) as recommendations_due,
                count(*) filter (where is_due and is_implemented) as recommendations_implemented,
                count(*) filter (where is_due and is_verified) as recommendations_verified,
                count(*) filter (where is_declared_not_verified)
                    as recommendations_declared_not_verified,
                count(*) filter (where is_open) as recommendations_open,
                count(*) filter (where is_overdue) as recommendations_overdue,
                percentile_cont(0.5) within group (order by days_to_implement)
                    as median_days_to_implement,
                max(as_of_date) as as_of_date
            from recs
        ),
        find_kpis as (
            select
                count(*) as findings_count,
                count(*) filter (where is_repeat) as repeat_findings_count
            from finds
        )
        select
            rec_kpis.*,
            recommendations_implemented * 1.0 / nullif(recommendations_due, 0)
                as implementation_rate,
            recommendations_verified * 1.0 / nullif(recommendations_due, 0) as verified_rate,
            recommendations_overdue * 1.0 / nullif(recommendations_due, 0) as overdue_rate,
            find_kpis.*,
            repeat_findings_count * 1.0 / nullif(findings_count, 0) as repeat_findings_rate
        from rec_kpis cross join find_kpis
        """,
        [*params, *params],
    )
    return frame.iloc[0]


def recommendation_history(db: str, scope: Scope, recommendation_id: str) -> pd.DataFrame:
    """Status spells of one recommendation of the scope, oldest first.

    A recommendation outside the scope (or unknown: refusals reveal nothing) is refused and
    logged with its id in the detail; no collectivity is named.
    """
    action = "query:recommendation_history"
    _require_risk_data(scope, action)
    history = _recommendation_history(db, scope, recommendation_id)
    if history.empty:
        denial = AccessDenied("recommendation_out_of_scope", recommendation_id)
        access_log.log_event(
            scope,
            action,
            access_log.DENIED,
            None,
            detail=f"{denial.reason}; {recommendation_id}",
        )
        raise denial
    return history


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _recommendation_history(db: str, scope: Scope, recommendation_id: str) -> pd.DataFrame:
    if not has_table(db, "fct_recommendation_status_history"):
        return pd.DataFrame()
    condition, params = scope.sql_condition("c")
    return _query(
        db,
        scope,
        f"""
        select
            h.recommendation_id, h.collectivity_code, h.recommendation_status,
            h.declared_by, h.evidence, h.spell_number, h.spell_days, h.is_current,
            h.valid_from, h.valid_to
        from marts.fct_recommendation_status_history as h
        inner join marts.dim_collectivities as c using (collectivity_code)
        where h.recommendation_id = ? and {condition}
        order by h.valid_from, h.spell_number
        """,
        [recommendation_id, *params],
    )


def audit_process_names(db: str, scope: Scope) -> pd.DataFrame:
    """Audit processes (seed ``methodology.audit_processes``) indexed by code, FR/AR names."""
    _require_risk_data(scope, "query:audit_process_names")
    return _audit_process_names(db, scope)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _audit_process_names(db: str, scope: Scope) -> pd.DataFrame:
    with duckdb.connect(db, read_only=True) as con:
        present = con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'methodology' and table_name = 'audit_processes'"
        ).fetchone()
    if not present or not present[0]:
        return pd.DataFrame(columns=["name_fr", "name_ar"])
    return _query(
        db, scope, "select audit_process_code, name_fr, name_ar from methodology.audit_processes"
    ).set_index("audit_process_code")
