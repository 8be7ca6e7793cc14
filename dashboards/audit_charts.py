"""Plotly figures of the audit pages (programme, recommendations, rollout).

Pure functions of query results, labelled in the current language: a title, axis titles with
their units, and a legend a non-specialist reads. The maps reuse the framing and background of
``dashboards.charts`` (no basemap, nothing fetched at run time).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboards import charts
from dashboards.audit_views import (
    AGE_BUCKETS,
    DIFFERENCE_TYPES,
    PHASES,
    PROGRAMME_KINDS,
    bucket_label,
    difference_label,
    kind_label,
    phase_label,
    recommendation_status_label,
)
from tadqiq.i18n import fmt_number, fmt_pct, localized, t

PLANNED_COLOR = "#9fb7d4"
DONE_COLOR = "#2e7d32"
CANCELLED_COLOR = "#c62828"
USED_COLOR = "#3b6ea8"
STATUS_COLORS: dict[str, str] = {
    "non_demarree": "#c62828",
    "en_cours": "#fb8c00",
    "mise_en_oeuvre": "#fdd835",
    "verifiee": "#2e7d32",
    "refusee": "#616161",
    "non_applicable": "#bdbdbd",
}
FUNNEL_COLORS = ["#9fb7d4", "#6f93bf", "#3b6ea8", "#2e7d32"]
KIND_COLORS = {"annual": "#3b6ea8", "joint": "#8b1e2d", "multi_year": "#9fb7d4"}
DIFFERENCE_COLORS = {
    "both": "#2e7d32",
    "proposed_not_adopted": "#fb8c00",
    "adopted_not_proposed": "#3b6ea8",
}
PHASE_COLORS = {1: "#8b1e2d", 2: "#fb8c00", 3: "#fdd835", None: "#cfd8dc"}
RATE_COLORSCALE: list[list[float | str]] = [
    [0.0, charts.RISK_COLORS["critical"]],
    [0.5, charts.RISK_COLORS["high"]],
    [0.8, charts.RISK_COLORS["moderate"]],
    [1.0, charts.RISK_COLORS["low"]],
]


def _finish(fig: go.Figure, title: str, height: int, subtitle: str | None = None) -> go.Figure:
    """``charts._finish``, with room between the subtitle and a legend on top of the plot."""
    fig = charts._finish(fig, title, height, subtitle)
    if subtitle and subtitle.strip() and fig.layout.legend.yanchor == "bottom":
        fig.update_layout(margin_t=125)
    return fig


def _count_axis(fig: go.Figure, title: str, values: Sequence[float]) -> None:
    """A y axis of counts: whole numbers only (no 0,5 mission)."""
    top = max([float(v) for v in values if pd.notna(v)] or [0])
    fig.update_yaxes(title=title, rangemode="tozero", tickformat="d")
    if top <= 10:
        fig.update_yaxes(dtick=1)


def _legend_on_top(fig: go.Figure) -> None:
    fig.update_layout(
        showlegend=True,
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
    )


def _bars(
    x: Sequence[Any],
    series: Sequence[tuple[str, Sequence[float], str]],
    *,
    barmode: str,
    horizontal: bool = False,
) -> go.Figure:
    """Bars per category ``x``; ``horizontal`` puts the categories on the y axis."""
    category = "y" if horizontal else "x"
    fig = go.Figure(
        [
            go.Bar(
                **(
                    {"y": list(x), "x": list(values), "orientation": "h"}
                    if horizontal
                    else {"x": list(x), "y": list(values)}
                ),
                name=name,
                marker_color=color,
                text=[fmt_number(v) for v in values],
                textposition="inside" if barmode == "stack" else "outside",
                hovertemplate=f"%{{{category}}}<br>{name} : %{{text}}<extra></extra>",
            )
            for name, values, color in series
        ]
    )
    fig.update_layout(barmode=barmode)
    _legend_on_top(fig)
    return fig


def wrap(label: str, width: int = 16) -> str:
    """A category label broken into lines (``<br>``) of about ``width`` characters."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "<br>".join(lines)


def _year_axis(fig: go.Figure, title: str) -> None:
    fig.update_xaxes(title=title, type="category")


def missions_by_year(by_year: pd.DataFrame, title: str) -> go.Figure:
    """Missions planned, done and cancelled per programme year (grouped bars)."""
    fig = _bars(
        by_year["programme_year"].astype(str),
        [
            (t("legend_planned"), by_year["missions_planned"], PLANNED_COLOR),
            (t("legend_done"), by_year["missions_done"], DONE_COLOR),
            (t("legend_cancelled"), by_year["missions_cancelled"], CANCELLED_COLOR),
        ],
        barmode="group",
    )
    _year_axis(fig, t("programme_year"))
    _count_axis(fig, t("axis_missions"), by_year["missions_planned"])
    return _finish(fig, title, height=420, subtitle=t("missions_subtitle"))


def auditor_days_by_year(by_year: pd.DataFrame, title: str) -> go.Figure:
    """Auditor-days planned and used per programme year, the used share in the hover."""
    fig = _bars(
        by_year["programme_year"].astype(str),
        [
            (t("legend_days_planned"), by_year["auditor_days_planned"], PLANNED_COLOR),
            (t("legend_days_used"), by_year["auditor_days_used"], USED_COLOR),
        ],
        barmode="group",
    )
    rates = [
        fmt_pct(used / planned if planned else None)
        for used, planned in zip(
            by_year["auditor_days_used"], by_year["auditor_days_planned"], strict=True
        )
    ]
    fig.data[1].customdata = rates
    fig.data[
        1
    ].hovertemplate = (
        f"%{{x}}<br>{t('legend_days_used')} : %{{text}} (%{{customdata}})<extra></extra>"
    )
    _year_axis(fig, t("programme_year"))
    fig.update_yaxes(title=t("axis_auditor_days"), rangemode="tozero")
    return _finish(fig, title, height=420, subtitle=" ")


def missions_by_group(
    by_group: pd.DataFrame, label_column: str, title: str, *, horizontal: bool = False
) -> go.Figure:
    """Missions planned, done and cancelled per region or rollout phase (grouped bars).

    ``horizontal`` (the regions): one row per group with its name on the y axis, as wide as
    the longest name needs, so twelve region names never overlap in half a page's width.
    """
    series = [
        (t("legend_planned"), by_group["missions_planned"], PLANNED_COLOR),
        (t("legend_done"), by_group["missions_done"], DONE_COLOR),
        (t("legend_cancelled"), by_group["missions_cancelled"], CANCELLED_COLOR),
    ]
    if not horizontal:
        fig = _bars([wrap(str(label)) for label in by_group[label_column]], series, barmode="group")
        fig.update_xaxes(type="category", tickangle=0)
        _count_axis(fig, t("axis_missions"), by_group["missions_planned"])
        return _finish(fig, title, height=420, subtitle=t("missions_subtitle"))
    # first group at the top, as in the table below the chart
    ordered = by_group.iloc[::-1]
    fig = _bars(
        [wrap(str(label), 28) for label in ordered[label_column]],
        [(name, list(values)[::-1], color) for name, values, color in series],
        barmode="group",
        horizontal=True,
    )
    fig.update_yaxes(type="category", automargin=True)
    top = max([float(v) for v in by_group["missions_planned"] if pd.notna(v)] or [0])
    fig.update_xaxes(title=t("axis_missions"), rangemode="tozero", tickformat="d")
    if top <= 10:
        fig.update_xaxes(dtick=1)
    height = max(420, 200 + 60 * len(by_group))
    return _finish(fig, title, height=height, subtitle=t("missions_subtitle"))


def execution_map(
    by_area: pd.DataFrame,
    geojson: dict[str, Any],
    title: str,
    background: dict[str, Any] | None = None,
) -> go.Figure:
    """Choropleth of the execution rate (done / planned) per region or province."""
    mapped = by_area[by_area["area_code"].isin(charts.feature_ids(geojson))]
    codes = set(mapped["area_code"])
    shapes = {**geojson, "features": [f for f in geojson["features"] if f["id"] in codes]}
    fig = go.Figure()
    if background is not None:
        fig.add_trace(charts._background_trace(background))
    custom = pd.DataFrame(
        {
            "name": mapped["area_name"],
            "planned": mapped["missions_planned"].map(fmt_number),
            "done": mapped["missions_done"].map(fmt_number),
            "rate": mapped["execution_rate"].map(lambda x: fmt_pct(x, 0)),
        }
    )
    fig.add_trace(
        go.Choroplethmap(
            geojson=shapes,
            featureidkey="id",
            locations=mapped["area_code"],
            z=mapped["execution_rate"] * 100,
            zmin=0,
            zmax=100,
            colorscale=RATE_COLORSCALE,
            colorbar={"title": {"text": t("axis_execution_rate")}, "ticksuffix": " %"},
            marker={"line": {"color": "white", "width": 0.8}},
            below="",
            customdata=custom.to_numpy(),
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>"
                f"{t('legend_planned')} : %{{customdata[1]}}<br>"
                f"{t('legend_done')} : %{{customdata[2]}}<br>"
                f"{t('kpi_execution_rate')} : %{{customdata[3]}}<extra></extra>"
            ),
        )
    )
    layer = (mapped.rename(columns={"area_code": "collectivity_code"}), shapes)
    center, zoom = charts.map_view([layer])
    fig.update_layout(map={"style": "white-bg", "center": center, "zoom": zoom})
    return _finish(fig, title, height=560)


def proposal_by_year(programme: pd.DataFrame, title: str) -> go.Figure:
    """Proposed missions per programme year and kind (stacked bars)."""
    selected = programme[programme["is_selected"].fillna(False).astype(bool)]
    counts = selected.groupby(["programme_year", "programme_kind"]).size().unstack(fill_value=0)
    years = [str(year) for year in counts.index]
    series = [
        (kind_label(kind), counts[kind].tolist(), KIND_COLORS[kind])
        for kind in PROGRAMME_KINDS
        if kind in counts
    ]
    fig = _bars(years, series, barmode="stack")
    _year_axis(fig, t("programme_year"))
    _count_axis(fig, t("axis_missions"), counts.sum(axis=1))
    return _finish(fig, title, height=420, subtitle=" ")


def differences_by_year(differences: pd.DataFrame, title: str) -> go.Figure:
    """Proposed against adopted, per programme year: in both, proposed only, adopted only."""
    counts = differences.groupby(["programme_year", "difference_type"]).size().unstack(fill_value=0)
    years = [str(year) for year in counts.index]
    series = [
        (difference_label(kind), counts[kind].tolist(), DIFFERENCE_COLORS[kind])
        for kind in DIFFERENCE_TYPES
        if kind in counts
    ]
    fig = _bars(years, series, barmode="stack")
    _year_axis(fig, t("programme_year"))
    _count_axis(fig, t("axis_process_lines"), counts.sum(axis=1))
    return _finish(fig, title, height=420, subtitle=" ")


def recommendation_funnel(stages: Sequence[tuple[str, int]], title: str) -> go.Figure:
    """How far the recommendations went: issued → started → declared → verified."""
    first = stages[0][1] if stages else 0
    fig = go.Figure(
        go.Funnel(
            y=[name for name, _ in stages],
            x=[count for _, count in stages],
            text=[
                f"{fmt_number(count)} ({fmt_pct(count / first if first else None, 0)})"
                for _, count in stages
            ],
            textinfo="text",
            marker={"color": FUNNEL_COLORS[: len(stages)]},
            connector={"line": {"color": charts.OUTLINE_COLOR}},
            hovertemplate="%{y} : %{text}<extra></extra>",
        )
    )
    fig.update_yaxes(automargin=True)
    return _finish(fig, title, height=380, subtitle=t("funnel_subtitle"))


def aging_bar(open_recs: pd.DataFrame, title: str) -> go.Figure:
    """Open recommendations per age bucket, stacked by status (not started, in progress)."""
    counts = (
        open_recs.groupby(["age_bucket", "recommendation_status"])
        .size()
        .unstack(fill_value=0)
        .reindex(list(AGE_BUCKETS), fill_value=0)
    )
    series = [
        (recommendation_status_label(status), counts[status].tolist(), STATUS_COLORS[status])
        for status in ("non_demarree", "en_cours")
        if status in counts
    ]
    fig = _bars([bucket_label(b) for b in AGE_BUCKETS], series, barmode="stack")
    fig.update_xaxes(title=t("axis_age"), type="category")
    _count_axis(fig, t("axis_open_recommendations"), counts.sum(axis=1))
    return _finish(fig, title, height=380, subtitle=" ")


def status_timeline(history: pd.DataFrame, as_of: object, title: str) -> go.Figure:
    """The status spells of one recommendation on a time axis, one bar per spell."""
    fig = go.Figure()
    end_of_time = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.today()
    for _, spell in history.iterrows():
        start = pd.Timestamp(spell["valid_from"])
        end = pd.Timestamp(spell["valid_to"]) if pd.notna(spell["valid_to"]) else end_of_time
        end = max(end, start + pd.Timedelta(days=1))
        status = spell["recommendation_status"]
        name = recommendation_status_label(status)
        fig.add_trace(
            go.Bar(
                y=[name],
                x=[(end - start).total_seconds() * 1000],
                base=[start.isoformat()],
                orientation="h",
                name=name,
                marker_color=STATUS_COLORS.get(status, charts.BAR_COLOR),
                showlegend=False,
                hovertemplate=(
                    f"{name}<br>{start:%d/%m/%Y} → "
                    f"{'…' if pd.isna(spell['valid_to']) else f'{end:%d/%m/%Y}'}<extra></extra>"
                ),
            )
        )
    order = [recommendation_status_label(s) for s in STATUS_COLORS]
    fig.update_yaxes(
        categoryorder="array", categoryarray=order[::-1], title=t("col_status"), automargin=True
    )
    fig.update_xaxes(type="date", tickformat="%d/%m/%Y", title=t("axis_date"))
    return _finish(fig, title, height=320)


def phase_map(
    directory: pd.DataFrame,
    geojson: dict[str, Any],
    title: str,
    background: dict[str, Any] | None = None,
) -> go.Figure:
    """Collectivities coloured by rollout phase (one legend entry per phase)."""
    fig = go.Figure()
    if background is not None:
        fig.add_trace(charts._background_trace(background))
    shapes_by_id = {feature["id"]: feature for feature in geojson["features"]}
    mapped = directory[directory["collectivity_code"].isin(shapes_by_id)]
    for phase in PHASES:
        in_phase = (
            mapped[mapped["rollout_phase"].isna()]
            if phase is None
            else mapped[mapped["rollout_phase"] == phase]
        )
        if in_phase.empty:
            continue
        codes = list(in_phase["collectivity_code"])
        fig.add_trace(
            go.Choroplethmap(
                geojson={"type": "FeatureCollection", "features": [shapes_by_id[c] for c in codes]},
                featureidkey="id",
                locations=codes,
                z=[1] * len(codes),
                colorscale=[[0, PHASE_COLORS[phase]], [1, PHASE_COLORS[phase]]],
                showscale=False,
                showlegend=True,
                name=f"{phase_label(phase)} : {fmt_number(len(codes))}",
                marker={"line": {"color": "white", "width": 0.5}},
                below="",
                customdata=in_phase[localized("name")],
                hovertemplate=f"<b>%{{customdata}}</b><br>{phase_label(phase)}<extra></extra>",
            )
        )
    layer = (mapped, {"type": "FeatureCollection", "features": list(shapes_by_id.values())})
    center, zoom = charts.map_view([layer])
    fig.update_layout(map={"style": "white-bg", "center": center, "zoom": zoom})
    _legend_on_top(fig)
    fig.update_layout(legend_title_text=t("rollout_phase") + " :")
    return _finish(fig, title, height=600, subtitle=" ")


def rollout_by_phase(by_phase: pd.DataFrame, title: str) -> go.Figure:
    """Per rollout phase: collectivities, those with an audit cell, those with a charter."""
    fig = _bars(
        [wrap(phase_label(p)) for p in by_phase["rollout_phase"]],
        [
            (t("legend_collectivities"), by_phase["collectivities_count"], PLANNED_COLOR),
            (t("legend_with_cell"), by_phase["with_cell_count"], USED_COLOR),
            (t("legend_with_charter"), by_phase["with_charter_count"], DONE_COLOR),
        ],
        barmode="group",
    )
    fig.update_xaxes(title=t("rollout_phase"), type="category", tickangle=0)
    _count_axis(fig, t("axis_count"), by_phase["collectivities_count"])
    return _finish(fig, title, height=420, subtitle=" ")
