"""Plotly figures of the dashboard (pure functions of query results)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import shapely
from shapely.geometry import shape

from tadqiq.i18n import class_label, fmt_number, fmt_pct, localized, t

RISK_CLASSES: tuple[str, ...] = ("low", "moderate", "high", "critical")
RISK_COLORS: dict[str, str] = {
    "low": "#2e7d32",
    "moderate": "#fdd835",
    "high": "#fb8c00",
    "critical": "#c62828",
}
SCORE_COLORSCALE: list[list[float | str]] = [
    [0.0, RISK_COLORS["low"]],
    [0.4, RISK_COLORS["moderate"]],
    [0.7, RISK_COLORS["high"]],
    [1.0, RISK_COLORS["critical"]],
]
METRIC_RANGES: dict[str, tuple[float, float]] = {
    "composite_score": (0, 100),
    "inherent_risk": (1, 25),
}
MATRIX_SIDE = 5
BACKGROUND_FILL = "#f0f0f0"
OUTLINE_COLOR = "#9e9e9e"
BAR_COLOR = "#3b6ea8"

MapLayer = tuple[pd.DataFrame, dict[str, Any]]


def risk_class_of(inherent_risk: int) -> str:
    """Risk class of an inherent risk L×I: low 1–4, moderate 5–9, high 10–14, critical 15–25."""
    if inherent_risk <= 4:
        return "low"
    if inherent_risk <= 9:
        return "moderate"
    return "high" if inherent_risk <= 14 else "critical"


def feature_ids(geojson: dict[str, Any]) -> set[str]:
    """Collectivity codes having a geometry in a FeatureCollection."""
    return {feature["id"] for feature in geojson["features"]}


def _finish(fig: go.Figure, title: str, height: int, subtitle: str | None = None) -> go.Figure:
    fig.update_layout(
        title={"text": title, "subtitle": {"text": subtitle}},
        separators=", ",
        height=height,
        margin={"l": 10, "r": 10, "t": 90 if subtitle else 60, "b": 10},
    )
    return fig


def _hover_data(scores: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name_fr": scores["name_fr"],
            "name_ar": scores["name_ar"],
            "score": scores["composite_score"].map(lambda x: fmt_number(x, 1)),
            "inherent": scores["inherent_risk"].map(fmt_number),
            "class": scores["risk_class"].map(lambda c: class_label(c, marker=False)),
        }
    )


def _score_trace(
    scores: pd.DataFrame, geojson: dict[str, Any], metric: str, *, showscale: bool
) -> go.Choroplethmap:
    zmin, zmax = METRIC_RANGES[metric]
    scores = scores[scores["collectivity_code"].isin(feature_ids(geojson))]
    scored = set(scores["collectivity_code"])  # only the scored shapes travel to the browser
    geojson = {**geojson, "features": [f for f in geojson["features"] if f["id"] in scored]}
    hover = (
        "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>"
        f"{t('hover_score')} : %{{customdata[2]}}<br>"
        f"{t('hover_inherent')} : %{{customdata[3]}}<br>"
        f"{t('hover_class')} : %{{customdata[4]}}<extra></extra>"
    )
    return go.Choroplethmap(
        geojson=geojson,
        featureidkey="id",
        locations=scores["collectivity_code"],
        z=scores[metric],
        zmin=zmin,
        zmax=zmax,
        colorscale=SCORE_COLORSCALE,
        showscale=showscale,
        colorbar={"title": {"text": t(metric)}},
        marker={"line": {"color": "white", "width": 0.5}},
        below="",
        customdata=_hover_data(scores).to_numpy(),
        hovertemplate=hover,
    )


def _background_trace(outlines: dict[str, Any]) -> go.Choroplethmap:
    codes = sorted(feature_ids(outlines))
    return go.Choroplethmap(
        geojson=outlines,
        featureidkey="id",
        locations=codes,
        z=[0] * len(codes),
        colorscale=[[0, BACKGROUND_FILL], [1, BACKGROUND_FILL]],
        showscale=False,
        marker={"line": {"color": OUTLINE_COLOR, "width": 1}},
        hoverinfo="skip",
    )


def map_view(layers: Sequence[MapLayer], width_px: int = 900, height_px: int = 560):
    """Centre and zoom framing the scored features (MapLibre has no `fitbounds` for GeoJSON)."""
    geometries = [
        shape(feature["geometry"])
        for scores, geojson in layers
        for codes in [set(scores["collectivity_code"])]
        for feature in geojson["features"]
        if feature["id"] in codes
    ]
    if not geometries:
        return {"lon": -7.0, "lat": 31.8}, 4.2  # Morocco
    # the envelope of the envelopes: no union of 1,500 polygons (seconds) for a framing
    bounds = shapely.bounds(geometries)
    west, south = bounds[:, 0].min(), bounds[:, 1].min()
    east, north = bounds[:, 2].max(), bounds[:, 3].max()
    lat_span = max(north - south, 1e-3) / math.cos(math.radians((north + south) / 2))
    zoom = min(
        math.log2(width_px * 360 / (256 * max(east - west, 1e-3))),
        math.log2(height_px * 180 / (256 * lat_span)),
    )
    return {"lon": (west + east) / 2, "lat": (south + north) / 2}, max(zoom - 0.6, 1.0)


def risk_map(
    layers: Sequence[MapLayer],
    *,
    metric: str,
    title: str,
    background: dict[str, Any] | None = None,
) -> go.Figure:
    """Choropleth of ``metric`` without a basemap; later layers are drawn on top."""
    fig = go.Figure()
    if background is not None:
        fig.add_trace(_background_trace(background))
    for position, (scores, geojson) in enumerate(layers):
        fig.add_trace(_score_trace(scores, geojson, metric, showscale=position == 0))
    # a blank style: no tiles, nothing fetched from the internet at run time
    center, zoom = map_view(layers)
    fig.update_layout(map={"style": "white-bg", "center": center, "zoom": zoom})
    return _finish(fig, title, height=640)


def risk_class_bar(scores: pd.DataFrame, title: str) -> go.Figure:
    """Number of collectivities per risk class, one coloured bar (and legend entry) per class."""
    counts = scores["risk_class"].value_counts()
    fig = go.Figure(
        [
            go.Bar(
                x=[class_label(risk_class, marker=False)],
                y=[int(counts.get(risk_class, 0))],
                name=class_label(risk_class, marker=False),
                marker_color=RISK_COLORS[risk_class],
                text=[fmt_number(counts.get(risk_class, 0))],
                textposition="outside",
            )
            for risk_class in RISK_CLASSES
        ]
    )
    fig.update_xaxes(title=t("risk_class"))
    fig.update_yaxes(title=t("axis_count"), rangemode="tozero")
    fig.update_layout(legend_title_text=t("risk_class"))
    return _finish(fig, title, height=420)


def _discrete_colorscale(colors: Sequence[str]) -> list[list[float | str]]:
    step = 1 / len(colors)
    scale: list[list[float | str]] = []
    for position, color in enumerate(colors):
        scale += [[position * step, color], [(position + 1) * step, color]]
    return scale


def risk_matrix(
    likelihood: int | None,
    impact: int | None,
    title: str,
    counts: dict[tuple[int, int], int] | None = None,
) -> go.Figure:
    """5×5 likelihood × impact matrix coloured by class, the collectivity's cell circled.

    ``counts``: number of register risks per (likelihood, impact) cell, written in the cell.
    """
    sides = list(range(1, MATRIX_SIDE + 1))
    products = [[row * col for col in sides] for row in sides]
    labels = products
    if counts:
        labels = [
            [
                f"{row * col}<br><b>{counts[(row, col)]} ⚑</b>" if (row, col) in counts
                else str(row * col)
                for col in sides
            ]
            for row in sides
        ]  # fmt: skip
    class_index = [[RISK_CLASSES.index(risk_class_of(p)) for p in row] for row in products]
    fig = go.Figure(
        go.Heatmap(
            x=sides,
            y=sides,
            z=class_index,
            text=labels,
            texttemplate="%{text}",
            zmin=-0.5,
            zmax=len(RISK_CLASSES) - 0.5,
            colorscale=_discrete_colorscale([RISK_COLORS[c] for c in RISK_CLASSES]),
            colorbar={
                "title": {"text": t("risk_class")},
                "tickvals": list(range(len(RISK_CLASSES))),
                "ticktext": [class_label(c, marker=False) for c in RISK_CLASSES],
            },
            xgap=2,
            ygap=2,
            hovertemplate=(
                f"{t('impact')} : %{{x}}<br>{t('likelihood')} : %{{y}}<br>"
                "L×I : %{text}<extra></extra>"
            ),
        )
    )
    subtitle = None
    if likelihood is not None and impact is not None:
        fig.add_trace(
            go.Scatter(
                x=[impact],
                y=[likelihood],
                mode="markers",
                marker={
                    "symbol": "circle-open",
                    "size": 46,
                    "color": "black",
                    "line": {"width": 4},
                },
                hoverinfo="skip",
                showlegend=False,
            )
        )
        subtitle = f"◯ {t('matrix_marker')} : L = {likelihood}, I = {impact}"
    if counts:
        subtitle = (subtitle + " · " if subtitle else "") + f"⚑ {t('matrix_count')}"
    fig.update_xaxes(title=t("impact"), dtick=1, constrain="domain")
    fig.update_yaxes(title=t("likelihood"), dtick=1, scaleanchor="x")
    return _finish(fig, title, height=500, subtitle=subtitle)


def domain_bar(domains: pd.DataFrame, title: str) -> go.Figure:
    """Domain scores (0–100), with indicator coverage in the hover."""
    names = domains[localized("domain_name")]
    coverage = [
        f"{fmt_number(available)}/{fmt_number(expected)} ({fmt_pct(ratio, 0)})"
        for available, expected, ratio in zip(
            domains["indicators_available"],
            domains["indicators_expected"],
            domains["coverage_ratio"],
            strict=True,
        )
    ]
    fig = go.Figure(
        go.Bar(
            x=names,
            y=domains["domain_score"],
            marker_color=BAR_COLOR,
            text=domains["domain_score"].map(lambda x: fmt_number(x, 1)),
            textposition="outside",
            customdata=coverage,
            hovertemplate=(
                f"%{{x}}<br>{t('axis_domain_score')} : %{{text}}<br>"
                f"{t('coverage')} : %{{customdata}}<extra></extra>"
            ),
        )
    )
    fig.update_xaxes(title=t("axis_domain"))
    fig.update_yaxes(title=t("axis_domain_score"), range=[0, 110])
    return _finish(fig, title, height=480)


def domain_heatmaps(domains: pd.DataFrame, title: str, columns: int = 4) -> go.Figure:
    """One small 5×5 matrix per domain, the domain's own likelihood × impact cell circled."""
    from plotly.subplots import make_subplots

    names = list(domains[localized("domain_name")])
    rows = max(1, math.ceil(len(names) / columns))
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[_short(name) for name in names],
        horizontal_spacing=0.04,
        vertical_spacing=0.12,
    )
    sides = list(range(1, MATRIX_SIDE + 1))
    class_index = [[RISK_CLASSES.index(risk_class_of(r * c)) for c in sides] for r in sides]
    scale = _discrete_colorscale([RISK_COLORS[c] for c in RISK_CLASSES])
    for position, (_, domain) in enumerate(domains.iterrows()):
        row, col = position // columns + 1, position % columns + 1
        fig.add_trace(
            go.Heatmap(
                x=sides, y=sides, z=class_index, zmin=-0.5, zmax=len(RISK_CLASSES) - 0.5,
                colorscale=scale, showscale=position == 0, xgap=1, ygap=1,
                colorbar={
                    "title": {"text": t("risk_class")},
                    "tickvals": list(range(len(RISK_CLASSES))),
                    "ticktext": [class_label(c, marker=False) for c in RISK_CLASSES],
                },
                hovertemplate=(
                    f"{t('impact')} : %{{x}}<br>{t('likelihood')} : %{{y}}<extra></extra>"
                ),
            ),
            row=row, col=col,
        )  # fmt: skip
        lik, imp = domain["domain_likelihood"], domain["impact"]
        if not (pd.isna(lik) or pd.isna(imp)):
            flags = [t("red_flag")] if domain["has_red_flag"] is True else []
            fig.add_trace(
                go.Scatter(
                    x=[imp], y=[lik], mode="markers",
                    marker={"symbol": "circle-open", "size": 16, "color": "black",
                            "line": {"width": 3}},
                    showlegend=False,
                    hovertemplate=(
                        f"{domain[localized('domain_name')]}<br>"
                        f"{t('axis_domain_score')} : {fmt_number(domain['domain_score'], 1)}"
                        f"<br>L = {int(lik)}, I = {int(imp)} {' · '.join(flags)}<extra></extra>"
                    ),
                ),
                row=row, col=col,
            )  # fmt: skip
        fig.update_xaxes(dtick=1, row=row, col=col, title_text=t("impact") if row == rows else "")
        fig.update_yaxes(dtick=1, row=row, col=col, title_text=t("likelihood") if col == 1 else "")
    for annotation in fig.layout.annotations:
        annotation.font.size = 12
    return _finish(fig, title, height=260 * rows + 80, subtitle=f"◯ {t('matrix_marker')}")


def _short(name: str, limit: int = 34) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def score_card_waterfall(card: pd.DataFrame, title: str) -> go.Figure:
    """Contributions of each domain to the composite score, summing to the score (waterfall)."""
    by_domain = card.groupby("domain_code", sort=True)["contribution"].sum()
    total = float(by_domain.sum())
    fig = go.Figure(
        go.Waterfall(
            orientation="v",
            x=[*by_domain.index, t("legend_total")],
            y=[*by_domain.values, total],
            measure=["relative"] * len(by_domain) + ["total"],
            text=[fmt_number(v, 1) for v in [*by_domain.values, total]],
            textposition="outside",
            increasing={"marker": {"color": BAR_COLOR}},
            decreasing={"marker": {"color": RISK_COLORS["low"]}},
            totals={"marker": {"color": RISK_COLORS["critical"]}},
            connector={"line": {"color": OUTLINE_COLOR}},
            name=t("legend_domain_contribution"),
            hovertemplate=f"%{{x}}<br>{t('axis_contribution')} : %{{text}}<extra></extra>",
        )
    )
    fig.update_xaxes(title=t("axis_domain"))
    fig.update_yaxes(title=t("axis_contribution"), range=[0, max(total * 1.15, 10)])
    fig.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.25})
    return _finish(fig, title, height=440)


def rank_intervals(ranking: pd.DataFrame, title: str, top: int = 30) -> go.Figure:
    """Published rank and its p5–p95 interval for the riskiest collectivities; in red those
    whose programme selection the weight perturbations reverse (unstable)."""
    ranked = ranking.dropna(subset=["national_rank"]).head(top)
    names = [f"{name} ({code})" for name, code in
             zip(ranked[localized("name")], ranked["collectivity_code"], strict=True)]  # fmt: skip
    unstable = ranked["is_selection_unstable"].fillna(False).astype(bool)
    fig = go.Figure()
    for flag, legend, color in (
        (False, t("legend_rank"), BAR_COLOR),
        (True, t("legend_unstable"), RISK_COLORS["critical"]),
    ):
        subset = ranked[unstable == flag]
        if subset.empty:
            continue
        subset_names = [n for n, u in zip(names, unstable, strict=True) if u == flag]
        fig.add_trace(
            go.Scatter(
                x=subset["national_rank"],
                y=subset_names,
                mode="markers",
                name=legend,
                marker={"color": color, "size": 9},
                error_x={
                    "type": "data", "symmetric": False,
                    "array": subset["rank_p95"] - subset["national_rank"],
                    "arrayminus": subset["national_rank"] - subset["rank_p05"],
                    "color": color, "thickness": 2,
                },
                hovertemplate=(
                    f"%{{y}}<br>{t('col_rank')} : %{{x}}<br>p5–p95 : %{{customdata}}<extra></extra>"
                ),
                customdata=[f"{int(a)}–{int(b)}" if not (pd.isna(a) or pd.isna(b)) else "—"
                            for a, b in zip(subset["rank_p05"], subset["rank_p95"],
                                            strict=True)],
            )
        )  # fmt: skip
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=names)
    fig.update_xaxes(title=t("axis_rank"), rangemode="tozero")
    fig.update_layout(
        showlegend=True,
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom",
                "title": {"text": t("legend_interval") + " :"}},
    )  # fmt: skip
    return _finish(fig, title, height=max(380, 22 * len(ranked) + 180), subtitle=" ")
