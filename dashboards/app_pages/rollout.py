"""Déploiement: the rollout of internal audit, pilot → extension (90) → generalisation (160)
→ national.

Per phase: collectivities, those with an audit cell, those whose cell adopted its charter,
auditors and auditor-days per year; the same by region; a map of the collectivities coloured
by phase. For the ministry and the region users (a region sees its own region's rows: the
data layer filters them); collectivity auditors and the data team do not have the page.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import audit_charts, auth, freshness, read_log
from dashboards.audit_views import PHASES, phase_label, scope_filter
from tadqiq import warehouse
from tadqiq.i18n import fmt_number, fmt_pct, level_label, localized, t

SUMS = (
    "collectivities_count", "with_cell_count", "with_charter_count", "auditors_count",
    "auditor_days_per_year",
)  # fmt: skip
MAP_LEVELS = ("commune", "region")


def by_phase(coverage: pd.DataFrame) -> pd.DataFrame:
    """One row per phase in rollout order (1, 2, 3, then not yet in a phase)."""
    summed = coverage.groupby("rollout_phase", dropna=False)[list(SUMS)].sum()
    rows = []
    for phase in PHASES:
        key = float("nan") if phase is None else phase
        match = summed[summed.index.isna()] if phase is None else summed[summed.index == key]
        if not match.empty:
            rows.append({"rollout_phase": phase, **match.iloc[0].to_dict()})
    return pd.DataFrame(rows, columns=["rollout_phase", *SUMS])


def render_kpis(coverage: pd.DataFrame) -> None:
    in_rollout = coverage[coverage["rollout_phase"].notna()][list(SUMS)].sum()
    total = coverage["collectivities_count"].sum()
    phased, cells, charters, auditors, days = st.columns(5)
    phased.metric(t("kpi_in_rollout"), fmt_number(in_rollout["collectivities_count"]))
    phased.caption(t("kpi_in_rollout_detail", total=fmt_number(total)))
    cells.metric(t("kpi_with_cell"), fmt_number(in_rollout["with_cell_count"]))
    charters.metric(t("kpi_with_charter"), fmt_number(in_rollout["with_charter_count"]))
    auditors.metric(t("kpi_auditors"), fmt_number(in_rollout["auditors_count"]))
    days.metric(t("kpi_days_per_year"), fmt_number(in_rollout["auditor_days_per_year"]))


def phase_table(phases: pd.DataFrame) -> pd.DataFrame:
    cumulative = phases["collectivities_count"].where(phases["rollout_phase"].notna()).cumsum()
    return pd.DataFrame(
        {
            "phase": phases["rollout_phase"].map(phase_label),
            "collectivities": phases["collectivities_count"],
            "cumulative": cumulative.map(fmt_number),
            "with_cell": phases["with_cell_count"],
            "cell_rate": (phases["with_cell_count"] / phases["collectivities_count"]).map(fmt_pct),
            "with_charter": phases["with_charter_count"],
            "auditors": phases["auditors_count"],
            "days": phases["auditor_days_per_year"].map(fmt_number),
        }
    )


def region_table(coverage: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (_, name), group in coverage.groupby(["region_code", localized("region_name")], sort=True):
        counts = group.groupby("rollout_phase", dropna=False)["collectivities_count"].sum()
        phased = group[group["rollout_phase"].notna()][list(SUMS)].sum()
        rows.append(
            {
                "region": name,
                **{f"phase_{p}": int(counts[counts.index == p].sum()) for p in (1, 2, 3)},
                "not_yet": int(counts[counts.index.isna()].sum()),
                "with_cell": int(phased["with_cell_count"]),
                "with_charter": int(phased["with_charter_count"]),
                "days": fmt_number(phased["auditor_days_per_year"]),
            }
        )
    return pd.DataFrame(rows)


def render_map(db: str, level: str, region: str | None) -> None:
    directory = warehouse.collectivities(db, scope)
    if region is not None:
        directory = directory[directory["region_code"] == region]
    geojson = warehouse.boundaries(db, scope, level)
    background = None if level == "region" else warehouse.boundaries(db, scope, "region")
    shown = directory[directory["level"] == level]
    title = t("phase_map_title", level=level_label(level))
    st.plotly_chart(audit_charts.phase_map(shown, geojson, title, background))
    missing = (~shown["collectivity_code"].isin({f["id"] for f in geojson["features"]})).sum()
    if missing:
        st.caption(t("map_missing_geometries", count=fmt_number(missing)))


scope = auth.require_scope()
db = warehouse.require_warehouse()
st.title(t("page_rollout"))
st.caption(t("rollout_intro"))
freshness.caption(db, scope, audit=True)
region = scope_filter(db, scope, "rollout", collectivity=False).region
read_log.record(scope, region=region)
coverage = warehouse.rollout_coverage(db, scope, region)
if coverage.empty:
    st.info(t("no_rollout"))
    st.stop()
render_kpis(coverage)
phases = by_phase(coverage)
chart_col, table_col = st.columns(2)
# the phases only: the collectivities not yet in one would dwarf them (they are in the table)
in_phases = phases[phases["rollout_phase"].notna()]
chart_col.plotly_chart(audit_charts.rollout_by_phase(in_phases, t("rollout_chart_title")))
integer = st.column_config.NumberColumn
table_col.dataframe(
    phase_table(phases),
    hide_index=True,
    column_config={
        "phase": t("rollout_phase"),
        "collectivities": integer(t("legend_collectivities"), format="%d"),
        "cumulative": t("col_cumulative"),
        "with_cell": integer(t("legend_with_cell"), format="%d"),
        "cell_rate": t("col_cell_rate"),
        "with_charter": integer(t("legend_with_charter"), format="%d"),
        "auditors": integer(t("kpi_auditors"), format="%d"),
        "days": t("kpi_days_per_year"),
    },
    key="rollout_phases",
)
st.subheader(t("rollout_by_region_title"))
st.dataframe(
    region_table(coverage),
    hide_index=True,
    column_config={
        "region": t("col_region"),
        "phase_1": integer(t("phase_1"), format="%d"),
        "phase_2": integer(t("phase_2"), format="%d"),
        "phase_3": integer(t("phase_3"), format="%d"),
        "not_yet": integer(t("phase_national"), format="%d"),
        "with_cell": integer(t("legend_with_cell"), format="%d"),
        "with_charter": integer(t("legend_with_charter"), format="%d"),
        "days": t("kpi_days_per_year"),
    },
    key="rollout_regions",
)
level_names = {level: level_label(level) for level in MAP_LEVELS}
level = st.radio(
    t("level"), MAP_LEVELS, format_func=level_names.__getitem__, key="rollout_level",
    horizontal=True,
)  # fmt: skip
render_map(db, level, region)
