"""Vue nationale: KPIs, risk map, ranking with rank intervals (p5–p95) and, beside each rank,
the share of the weight perturbations that select the collectivity for the audit programme
(unstable when they reverse the decision), class distribution for one level and year, and the
ranking downloads (PDF/XLSX, FR/AR, and a batch of risk maps).

Everything comes from the scoped data layer, so a region user sees its region only (its
map, ranking and KPIs) under the title "Vue régionale"; collectivity auditors and the data
team do not have this page in their navigation.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import auth, charts, freshness, markers, read_log, report_downloads
from tadqiq import warehouse
from tadqiq.access import Role, Scope
from tadqiq.i18n import MISSING, current_lang, fmt_number, level_label, localized, t, type_label
from tadqiq.reports.data import selection_text

LEVELS = ("commune", "province", "region")
MAP_METRICS = ("composite_score", "inherent_risk")
COLLECTIVITY_PAGE = "app_pages/collectivity.py"


def stable_selections(scores: pd.DataFrame) -> tuple[int, int] | None:
    """(stable, selected): the level's collectivities the programme selects on their scores
    and, among them, those the weight perturbations do not move out; None without the data."""
    known = scores.dropna(subset=["selection_share"])
    if known.empty:
        return None
    selected = known["is_programme_selected"].astype(bool)
    stable = selected & ~known["is_selection_unstable"].astype(bool)
    return int(stable.sum()), int(selected.sum())


def render_kpis(scores: pd.DataFrame) -> None:
    scored, critical, mean, stability = st.columns(4)
    scored.metric(t("kpi_scored"), fmt_number(scores["composite_score"].notna().sum()))
    critical.metric(t("kpi_critical"), fmt_number((scores["risk_class"] == "critical").sum()))
    mean.metric(t("kpi_mean_score"), fmt_number(scores["composite_score"].mean(), 1))
    if (counts := stable_selections(scores)) is not None:
        year = scores["programme_year"].dropna().iloc[0]
        stability.metric(
            t("kpi_selection_stable"),
            f"{fmt_number(counts[0])} / {fmt_number(counts[1])}",
            help=t("kpi_selection_stable_help", year=int(year)),
        )


def page_title(db: str, scope: Scope) -> str:
    if scope.role is not Role.REGION:
        return t("page_national")
    directory = warehouse.collectivities(db, scope)
    region = directory.at[scope.area, localized("name")] if scope.area in directory.index else ""
    return t("page_regional", region=region or scope.area)


def render_map(
    db: str, scope: Scope, scores: pd.DataFrame, year: int, level: str, metric: str
) -> None:
    geojson = warehouse.boundaries(db, scope, level)
    layers: list[charts.MapLayer] = [(scores, geojson)]
    arrondissements = (
        warehouse.boundaries(db, scope, "arrondissement") if level == "commune" else None
    )
    if arrondissements and arrondissements["features"]:
        arrondissement_scores = warehouse.level_scores(db, scope, year, "arrondissement")
        layers.append((arrondissement_scores, arrondissements))
    background = None if level == "region" else warehouse.boundaries(db, scope, "region")
    title = t("map_title", level=level_label(level), year=year)
    st.plotly_chart(charts.risk_map(layers, metric=metric, title=title, background=background))
    unmapped = (~scores["collectivity_code"].isin(charts.feature_ids(geojson))).sum()
    if unmapped:
        st.caption(t("map_missing_geometries", count=fmt_number(unmapped)))
    if len(layers) > 1:
        st.caption(t("map_arrondissements"))


def ranking_table(scores: pd.DataFrame) -> pd.DataFrame:
    lang = current_lang()
    return pd.DataFrame(
        {
            "national_rank": scores["national_rank"],
            "selection": [
                selection_text(lang, selected, share)
                for selected, share in zip(
                    scores["is_programme_selected"], scores["selection_share"], strict=True
                )
            ],
            "unstable": scores["is_selection_unstable"].map(markers.unstable_text),
            "rank_interval": [
                MISSING if pd.isna(low) else f"{fmt_number(low)}–{fmt_number(high)}"
                for low, high in zip(scores["rank_p05"], scores["rank_p95"], strict=True)
            ],
            "collectivity_code": scores["collectivity_code"],
            "name_fr": scores["name_fr"],
            "name_ar": scores["name_ar"],
            "level": scores["collectivity_type"].map(type_label),
            "province": scores[localized("province_name")].fillna(MISSING),
            "region": scores[localized("region_name")],
            "risk_score": scores["risk_score"].map(lambda x: fmt_number(x, 2)),
            "composite_score": scores["composite_score"].map(lambda x: fmt_number(x, 1)),
            "likelihood": scores["likelihood"],
            "impact": scores["impact"],
            "inherent_risk": scores["inherent_risk"],
            "risk_class": scores["risk_class"].map(markers.class_text),
        }
    )


def rank_header(scores: pd.DataFrame, level: str) -> str:
    """``Rang sur 1 503 communes``: ranks are among the level's collectivities, nationally."""
    count = scores["ranked_in_level"].max()
    if pd.isna(count):  # a snapshot from before the per-level ranks
        return t("col_rank")
    return t("col_rank_of", count=fmt_number(count), level=t(f"levels_{level}"))


def render_ranking(scores: pd.DataFrame, year: int, level: str) -> None:
    st.subheader(t("ranking_title", level=level_label(level), year=year))
    st.caption(t("ranking_hint"))
    st.caption(t("ranking_interval_hint"))
    table = ranking_table(scores)
    integer = st.column_config.NumberColumn
    event = st.dataframe(
        table,
        hide_index=True,
        column_config={
            "national_rank": integer(rank_header(scores, level), format="%d"),
            "selection": st.column_config.TextColumn(t("col_selection"), width="large"),
            "unstable": t("col_unstable"),
            "rank_interval": t("col_rank_interval"),
            "collectivity_code": t("col_code"),
            "name_fr": t("col_name_fr"),
            "name_ar": t("col_name_ar"),
            "level": t("type"),
            "province": t("col_province"),
            "region": t("col_region"),
            "risk_score": t("risk_score"),
            "composite_score": t("composite_score"),
            "likelihood": integer(t("likelihood"), format="%d"),
            "impact": integer(t("impact"), format="%d"),
            "inherent_risk": integer(t("inherent_risk"), format="%d"),
            "risk_class": st.column_config.TextColumn(t("risk_class"), width="medium"),
        },
        on_select="rerun",
        selection_mode="single-row",
        key="national_ranking",
    )
    if event.selection.rows:
        code = table["collectivity_code"].iloc[event.selection.rows[0]]
        st.switch_page(COLLECTIVITY_PAGE, query_params={"code": code})


scope = auth.require_scope()
db = warehouse.require_warehouse()
st.title(page_title(db, scope))
freshness.caption(db, scope)
years = warehouse.fiscal_years(db, scope)
if not years:
    st.info(t("no_scores"))
    st.stop()

year_col, level_col, metric_col = st.columns([1, 2, 2])
year = year_col.selectbox(t("fiscal_year"), years, key="national_year")
level_names = {level: level_label(level) for level in LEVELS}
level = level_col.radio(
    t("level"), LEVELS, format_func=level_names.__getitem__, key="national_level", horizontal=True
)
metric_names = {metric: t(metric) for metric in MAP_METRICS}
metric = metric_col.radio(
    t("map_metric"),
    MAP_METRICS,
    format_func=metric_names.__getitem__,
    key="national_metric",
    horizontal=True,
)

read_log.record(scope, year=year, level=level)
scores = warehouse.ranking(db, scope, year, level)
if scores.empty:
    st.info(t("no_scores"))
    st.stop()

render_kpis(scores)
map_col, distribution_col = st.columns([2, 1])
with map_col:
    render_map(db, scope, scores, year, level, metric)
with distribution_col:
    title = t("distribution_title", level=level_label(level), year=year)
    st.plotly_chart(charts.risk_class_bar(scores, title))
render_ranking(scores, year, level)
if scores["rank_p05"].notna().any():
    top = min(30, int(scores["national_rank"].notna().sum()))
    st.plotly_chart(charts.rank_intervals(scores, t("rank_interval_title", count=top), top=top))
report_downloads.national_section(db, scope, year, level, list(scores["collectivity_code"]))
