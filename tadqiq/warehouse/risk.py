"""Scores, rankings, maps and one collectivity's risk map, score card and register."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import shapely

from tadqiq.access import Scope
from tadqiq.warehouse import core
from tadqiq.warehouse.cache import cached

# Ranks are among the collectivities of the same level (``c.level``), nationally: N of "rank r
# of N" is ``ranked_in_level``, null in a snapshot built before the per-level ranks.
PEER_COLUMNS = ("ranked_in_level",)

# --- scope-wide queries ------------------------------------------------------------------


def fiscal_years(db: str, scope: Scope) -> list[int]:
    """Scored fiscal years of the scope, most recent first."""
    core.require_risk_data(scope, "query:fiscal_years")
    return _fiscal_years(db, scope)


@cached
def _fiscal_years(db: str, scope: Scope) -> list[int]:
    condition, params = scope.sql_condition("c")
    frame = core.query(
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
    core.require_risk_data(scope, "query:level_scores")
    return _level_scores(db, scope, fiscal_year, level)


@cached
def _level_scores(db: str, scope: Scope, fiscal_year: int, level: str) -> pd.DataFrame:
    condition, params = scope.sql_condition("c")
    peers = core.select_columns(db, "fct_risk_scores", "r", PEER_COLUMNS)
    return core.query(
        db,
        scope,
        f"""
        select
            r.collectivity_code, r.national_rank, r.level_rank, {peers},
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
    core.require_risk_data(scope, "query:boundaries")
    return _boundaries(db, scope, level)


@cached
def _boundaries(db: str, scope: Scope, level: str) -> dict[str, Any]:
    condition, params = scope.sql_condition("c")
    frame = core.query(
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
    core.require_risk_data(scope, "query:collectivities")
    return _collectivities(db, scope)


@cached
def _collectivities(db: str, scope: Scope) -> pd.DataFrame:
    condition, params = scope.sql_condition("c")
    return core.query(
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
    core.authorize(db, scope, code, "query:collectivity_scores")
    return _collectivity_scores(db, scope, code)


@cached
def _collectivity_scores(db: str, scope: Scope, code: str) -> pd.DataFrame:
    condition, params = scope.sql_condition("c")
    peers = core.select_columns(db, "fct_risk_scores", "r", PEER_COLUMNS)
    return core.query(
        db,
        scope,
        f"""
        select
            r.fiscal_year, r.composite_score, r.domains_covered, r.likelihood,
            r.materiality_score, r.impact, r.inherent_risk, r.risk_class, r.national_rank,
            r.level_rank, {peers}, c.level, r.methodology_version
        from marts.fct_risk_scores as r
        inner join marts.dim_collectivities as c using (collectivity_code)
        where r.collectivity_code = ? and {condition}
        order by r.fiscal_year desc
        """,
        [code, *params],
    )


def collectivity_indicators(db: str, scope: Scope, code: str, fiscal_year: int) -> pd.DataFrame:
    """Indicator values, bands and sub-scores of one collectivity for one year."""
    core.authorize(db, scope, code, "query:collectivity_indicators")
    return _collectivity_indicators(db, scope, code, fiscal_year)


@cached
def _collectivity_indicators(db: str, scope: Scope, code: str, fiscal_year: int) -> pd.DataFrame:
    condition, params = scope.sql_condition("c")
    return core.query(
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
    core.authorize(db, scope, code, "query:collectivity_domain_scores")
    return _collectivity_domain_scores(db, scope, code, fiscal_year)


@cached
def _collectivity_domain_scores(db: str, scope: Scope, code: str, fiscal_year: int) -> pd.DataFrame:
    condition, params = scope.sql_condition("c")
    return core.query(
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


RANK_COLUMNS = ("risk_score", "rank_p05", "rank_p95")
RESIDUAL_COLUMNS = ("ic_maturity_score", "residual_likelihood", "residual_risk")
# What moves the score under the weight perturbations (methodology §5), for the score card.
SENSITIVITY_COLUMNS = (
    "composite_p05", "composite_p95", "likelihood_change_share", "likelihood_threshold",
    "likelihood_threshold_gap", "sensitive_domain_code", "sensitive_domain_adjustment",
)  # fmt: skip
# Is the audit decision stable: marts.fct_programme_selection_stability, by collectivity and
# scored fiscal year; nulls in a snapshot built before it.
SELECTION_TABLE = "fct_programme_selection_stability"
SELECTION_COLUMNS = (
    "programme_year", "is_programme_selected", "selection_share", "critical_share",
    "joint_share", "is_selection_unstable",
)  # fmt: skip


def _selection(db: str) -> tuple[str, str]:
    """Select list and join of the programme selection's stability (alias ``s``, on ``r``)."""
    if not core.has_table(db, SELECTION_TABLE):
        return ", ".join(f"null as {column}" for column in SELECTION_COLUMNS), ""
    columns = core.select_columns(db, SELECTION_TABLE, "s", SELECTION_COLUMNS)
    join = (
        f"left join marts.{SELECTION_TABLE} as s"
        " on s.collectivity_code = r.collectivity_code and s.fiscal_year = r.fiscal_year"
    )
    return columns, join


# --- rankings ----------------------------------------------------------------------------


def ranking(db: str, scope: Scope, fiscal_year: int, level: str) -> pd.DataFrame:
    """``level_scores`` with the risk score, rank interval (p5–p95), residuals, and the share
    of the weight perturbations that select each collectivity for the programme."""
    core.require_risk_data(scope, "query:ranking")
    return _ranking(db, scope, fiscal_year, level)


@cached
def _ranking(db: str, scope: Scope, fiscal_year: int, level: str) -> pd.DataFrame:
    condition, params = scope.sql_condition("c")
    extra = core.select_columns(
        db,
        "fct_risk_scores",
        "r",
        (*PEER_COLUMNS, *RANK_COLUMNS, "residual_risk", "residual_risk_class"),
    )
    selection, join = _selection(db)
    return core.query(
        db,
        scope,
        f"""
        select
            r.collectivity_code, r.national_rank, r.level_rank,
            c.name_fr, c.name_ar, c.level, c.collectivity_type, c.region_code,
            c.province_name_fr, c.province_name_ar, c.region_name_fr, c.region_name_ar,
            r.composite_score, r.likelihood, r.impact, r.inherent_risk, r.risk_class,
            r.methodology_version, {extra}, {selection}
        from marts.fct_risk_scores as r
        inner join marts.dim_collectivities as c using (collectivity_code)
        {join}
        where r.fiscal_year = ? and c.level = ? and {condition}
        order by r.national_rank nulls last, r.level_rank nulls last, r.composite_score desc
        """,
        [fiscal_year, level, *params],
    )


# --- one collectivity: score card, risk register, per-domain heatmaps, recommendations ----


def collectivity_overview(db: str, scope: Scope, code: str, fiscal_year: int) -> pd.DataFrame:
    """One row: the collectivity's directory entry and its risk scores for the year."""
    core.authorize(db, scope, code, "query:collectivity_overview")
    return _collectivity_overview(db, scope, code, fiscal_year)


@cached
def _collectivity_overview(db: str, scope: Scope, code: str, fiscal_year: int) -> pd.DataFrame:
    condition, params = scope.sql_condition("c")
    extra = core.select_columns(
        db,
        "fct_risk_scores",
        "r",
        (*RESIDUAL_COLUMNS, "residual_risk_class", *PEER_COLUMNS, *RANK_COLUMNS,
         *SENSITIVITY_COLUMNS),
    )  # fmt: skip
    selection, join = _selection(db)
    return core.query(
        db,
        scope,
        f"""
        select
            c.collectivity_code, c.level, c.collectivity_type, c.name_fr, c.name_ar,
            c.region_code, c.region_name_fr, c.region_name_ar,
            c.province_name_fr, c.province_name_ar, c.population_2024,
            r.fiscal_year, r.composite_score, r.domains_covered, r.likelihood,
            r.materiality_score, r.impact, r.inherent_risk, r.risk_class, r.national_rank,
            r.level_rank, r.methodology_version, {extra}, {selection}
        from marts.dim_collectivities as c
        inner join marts.fct_risk_scores as r
            on r.collectivity_code = c.collectivity_code and r.fiscal_year = ?
        {join}
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
    core.authorize(db, scope, code, "query:collectivity_score_card")
    return _collectivity_score_card(db, scope, code, fiscal_year)


@cached
def _collectivity_score_card(db: str, scope: Scope, code: str, fiscal_year: int) -> pd.DataFrame:
    if not core.has_table(db, "fct_score_cards"):
        return pd.DataFrame(columns=list(SCORE_CARD_COLUMNS))
    condition, params = scope.sql_condition("c")
    return core.query(
        db,
        scope,
        f"""
        select {core.select_columns(db, "fct_score_cards", "s", SCORE_CARD_COLUMNS)}
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
    core.authorize(db, scope, code, "query:collectivity_risk_register")
    return _collectivity_risk_register(db, scope, code, fiscal_year)


@cached
def _collectivity_risk_register(db: str, scope: Scope, code: str, fiscal_year: int) -> pd.DataFrame:
    if not core.has_table(db, "fct_risk_register"):
        return pd.DataFrame(columns=list(REGISTER_COLUMNS))
    condition, params = scope.sql_condition("c")
    return core.query(
        db,
        scope,
        f"""
        select {core.select_columns(db, "fct_risk_register", "g", REGISTER_COLUMNS)}
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
    core.authorize(db, scope, code, "query:collectivity_domain_heatmaps")
    return _collectivity_domain_heatmaps(db, scope, code, fiscal_year)


@cached
def _collectivity_domain_heatmaps(
    db: str, scope: Scope, code: str, fiscal_year: int
) -> pd.DataFrame:
    condition, params = scope.sql_condition("c")
    return core.query(
        db,
        scope,
        f"""
        select {core.select_columns(db, "fct_domain_scores", "d", DOMAIN_HEATMAP_COLUMNS)}
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
    core.authorize(db, scope, code, "query:collectivity_recommendations")
    return _collectivity_recommendations(db, scope, code)


@cached
def _collectivity_recommendations(db: str, scope: Scope, code: str) -> pd.DataFrame | None:
    if "collectivity_code" not in core.table_columns(db, RECOMMENDATIONS_TABLE):
        return None
    condition, params = scope.sql_condition("c")
    return core.query(
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
