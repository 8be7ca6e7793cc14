"""Fiche collectivité: profile, scores, stability under the weight perturbations (share of
them that select the collectivity for the programme, and why its score and class move or
not), risk matrix, domain scores, per-domain heatmaps, score card, risk register, indicators,
and the risk-map downloads (PDF/XLSX, FR/AR).

Only the collectivities of the user's scope are offered; a foreign code arriving by URL
(``?code=``) or forced into the widget state is refused (shown and logged) and dropped.
Each collectivity shown is written once per session and code to the access log.
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
import streamlit as st

from dashboards import auth, charts, freshness, markers, read_log, report_downloads
from tadqiq import warehouse
from tadqiq.access import AccessDenied, Scope
from tadqiq.access import log as access_log
from tadqiq.i18n import (
    MISSING,
    current_lang,
    fmt_number,
    fmt_signed,
    fmt_value,
    localized,
    t,
    type_label,
)
from tadqiq.reports.data import selection_text, stability_reasons

REGION_KEY = "collectivity_region"
CODE_KEY = "collectivity_code"
YEAR_KEY = "collectivity_year"
LOGGED_VIEW_KEY = "collectivity_logged_view"


def select_from_url(directory: pd.DataFrame) -> None:
    """Preselect the collectivity named by ``?code=`` (e.g. a link from the national page)."""
    code = st.query_params.get("code")
    if code in directory.index and code != st.session_state.get(CODE_KEY):
        st.session_state[REGION_KEY] = directory.at[code, "region_code"]
        st.session_state[CODE_KEY] = code


def requested_codes() -> dict[str, str]:
    """Codes asked for from outside the selectors: ``{source: code}``."""
    requests = {"url": st.query_params.get("code"), "widget": st.session_state.get(CODE_KEY)}
    return {source: str(code) for source, code in requests.items() if code is not None}


def refuse_foreign_requests(db: str, scope: Scope) -> None:
    """Show and drop any requested code outside the scope (the data layer logs it)."""
    refused: set[str] = set()
    for source, code in requested_codes().items():
        try:
            warehouse.authorize(db, scope, code, access_log.VIEW_COLLECTIVITY, detail=source)
        except AccessDenied as denial:
            if code not in refused:
                st.error(t(denial.label_key, code=denial.code))
            refused.add(code)
            if source == "url":
                forget_url_code()
            else:
                st.session_state.pop(CODE_KEY, None)


def log_view_once(scope: Scope, code: str) -> None:
    if st.session_state.get(LOGGED_VIEW_KEY) != code:
        access_log.log_view(scope, code)
        st.session_state[LOGGED_VIEW_KEY] = code


def forget_url_code() -> None:
    st.query_params.pop("code", None)


def remember_url_code() -> None:
    st.query_params["code"] = st.session_state[CODE_KEY]


def keep_valid(key: str, options: Collection[object]) -> None:
    """Drop a stale widget value (e.g. after the region changed) so the widget resets."""
    if st.session_state.get(key) not in options:
        st.session_state.pop(key, None)


def option_label(row: pd.Series) -> str:
    return f"{row[localized('name')]} · {type_label(row['collectivity_type'])}"


def as_int(x: object) -> int | None:
    return None if pd.isna(x) else int(x)


def render_profile(row: pd.Series) -> None:
    st.header(f"{row['name_fr']} — {row['name_ar']}")
    place = [row[localized("province_name")], row[localized("region_name")]]
    st.caption(" · ".join([row["collectivity_code"], *[p for p in place if not pd.isna(p)]]))
    kind, population, phase = st.columns(3)
    kind.metric(t("type"), type_label(row["collectivity_type"]))
    population.metric(t("population_2024"), fmt_number(row["population_2024"]))
    rollout = as_int(row["rollout_phase"])
    phase.metric(t("rollout_phase"), MISSING if rollout is None else t("phase", phase=rollout))


def score_delta(scores: pd.DataFrame, year: int) -> str | None:
    """Change in composite score since the previous scored year, formatted with a sign."""
    previous = scores[scores["fiscal_year"] < year]
    if previous.empty:
        return None
    current = scores.loc[scores["fiscal_year"] == year, "composite_score"].iloc[0]
    change = current - previous["composite_score"].iloc[0]
    return None if pd.isna(change) else ("+" if change >= 0 else "") + fmt_number(change, 1)


def render_kpis(score: pd.Series, delta: str | None, level: str) -> None:
    composite, likelihood, impact, inherent, risk_class, rank = st.columns(6)
    composite.metric(
        t("composite_score"),
        fmt_number(score["composite_score"], 1),
        delta=delta,
        delta_color="inverse",
    )
    likelihood.metric(t("likelihood"), fmt_number(score["likelihood"]))
    impact.metric(t("impact"), fmt_number(score["impact"]))
    inherent.metric(t("inherent_risk"), fmt_number(score["inherent_risk"]))
    risk_class.metric(t("risk_class"), markers.class_markdown(score["risk_class"]))
    national_rank = as_int(score["national_rank"])
    rank.metric(
        t("national_rank"),
        t("not_ranked") if national_rank is None else fmt_number(national_rank),
    )
    if (peer_rank := markers.rank_among_peers(score, level)) is not None:
        rank.caption(peer_rank)


def render_residual_and_interval(overview: pd.DataFrame) -> None:
    """Residual risk, the rank interval (p5–p95) and the programme selection, under the KPIs."""
    if overview.empty:
        return
    row = overview.iloc[0]
    parts = []
    if not pd.isna(row["residual_risk"]):
        parts.append(
            f"{t('residual_risk')} : {fmt_number(row['residual_risk'])} "
            f"({markers.class_markdown(row['residual_risk_class'])})"
        )
    if not pd.isna(row["rank_p05"]):
        parts.append(
            f"{t('col_rank_interval')} : {fmt_number(row['rank_p05'])}–"
            f"{fmt_number(row['rank_p95'])}"
        )
    if not pd.isna(row["selection_share"]):
        selection = selection_text(
            current_lang(), row["is_programme_selected"], row["selection_share"]
        )
        parts.append(f"{selection} ({markers.unstable_text(row['is_selection_unstable'])})")
    if parts:
        st.caption(" · ".join(parts))


def render_stability(overview: pd.DataFrame, domains: pd.DataFrame) -> None:
    """Why the score, class and selection move, or not, under the weight perturbations."""
    if overview.empty:
        return
    names = dict(zip(domains["domain_code"], domains[localized("domain_name")], strict=True))
    reasons = stability_reasons(current_lang(), overview.iloc[0], names)
    if reasons:
        st.markdown(f"**{t('stability_title')}**")
        st.caption("  \n".join(f"• {reason}" for reason in reasons))


def register_counts(register: pd.DataFrame) -> dict[tuple[int, int], int]:
    cells = register.dropna(subset=["likelihood", "impact"])
    counts = cells.groupby(["likelihood", "impact"]).size()
    return {(int(lik), int(imp)): int(n) for (lik, imp), n in counts.items()}


def render_domain_heatmaps(domains: pd.DataFrame, year: int) -> None:
    st.subheader(t("domain_heatmaps_title", year=year))
    if domains.empty or domains["domain_likelihood"].isna().all():
        st.info(t("no_scores"))
        return
    st.caption(t("domain_heatmaps_hint"))
    st.plotly_chart(charts.domain_heatmaps(domains, t("domain_heatmaps_title", year=year)))


def score_card_table(card: pd.DataFrame) -> pd.DataFrame:
    indicator = card["line_kind"] == "indicator"
    return pd.DataFrame(
        {
            "domain": card["domain_code"],
            "line": card[localized("line_name")],
            "value": [
                fmt_value(x, unit) if is_indicator else MISSING
                for x, unit, is_indicator in zip(
                    card["indicator_value"], card["unit"], indicator, strict=True
                )
            ],
            "band": [
                markers.band_text(band) if is_indicator else t("line_adjustment")
                for band, is_indicator in zip(card["band"], indicator, strict=True)
            ],
            "sub_score": card["sub_score"].map(lambda x: fmt_number(x, 1)),
            "contribution": card["contribution"].map(lambda x: fmt_number(x, 2)),
            "change": card["contribution_change"].map(lambda x: fmt_signed(x, 2)),
        }
    )


def render_score_card(card: pd.DataFrame, year: int) -> None:
    st.subheader(t("score_card_title", year=year))
    if card.empty:
        st.info(t("no_score_card"))
        return
    st.caption(t("score_card_hint"))
    chart_col, table_col = st.columns([2, 3])
    chart_col.plotly_chart(
        charts.score_card_waterfall(card, t("score_card_chart_title", year=year))
    )
    table_col.dataframe(
        score_card_table(card),
        hide_index=True,
        column_config={
            "domain": t("col_domain"),
            "line": t("col_line"),
            "value": t("col_value"),
            "band": t("col_band"),
            "sub_score": t("col_sub_score"),
            "contribution": t("col_contribution"),
            "change": t("col_change"),
        },
    )


def register_table(register: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rank": register["risk_rank"],
            "risk": register[localized("risk_name")],
            "process": register["process_code"],
            "likelihood": register["likelihood"],
            "impact": register["impact"],
            "inherent_risk": register["inherent_risk"],
            "risk_class": register["risk_class"].map(markers.class_text),
            "residual_risk": register["residual_risk"],
            "residual_class": register["residual_risk_class"].map(markers.class_text),
            "findings": register["findings_3y"],
        }
    )


def render_register(register: pd.DataFrame, year: int) -> None:
    st.subheader(t("register_title", year=year))
    if register.empty:
        st.info(t("no_register"))
        return
    st.caption(t("register_hint"))
    integer = st.column_config.NumberColumn
    st.dataframe(
        register_table(register),
        hide_index=True,
        column_config={
            "rank": integer("#", format="%d"),
            "risk": t("col_risk"),
            "process": t("col_process"),
            "likelihood": integer(t("likelihood"), format="%d"),
            "impact": integer(t("impact"), format="%d"),
            "inherent_risk": integer(t("inherent_risk"), format="%d"),
            "risk_class": st.column_config.TextColumn(t("risk_class"), width="medium"),
            "residual_risk": integer(t("residual_risk"), format="%d"),
            "residual_class": st.column_config.TextColumn(t("residual_class"), width="medium"),
            "findings": integer(t("col_findings"), format="%d"),
        },
    )


def by_unit(values: pd.Series, units: pd.Series) -> list[str]:
    return [fmt_value(x, unit) for x, unit in zip(values, units, strict=True)]


def indicator_table(indicators: pd.DataFrame, domains: pd.DataFrame) -> pd.DataFrame:
    domain_names = dict(zip(domains["domain_code"], domains[localized("domain_name")], strict=True))
    units = indicators["unit"]
    values = indicators["indicator_value"].where(indicators["has_data"].fillna(False))
    return pd.DataFrame(
        {
            "indicator_code": indicators["indicator_code"],
            "indicator": indicators[localized("indicator_name")],
            "domain": indicators["domain_code"].map(lambda code: domain_names.get(code, code)),
            "value": by_unit(values, units),
            "band": indicators["band"].map(markers.band_text),
            "sub_score": indicators["sub_score"].map(lambda x: fmt_number(x, 1)),
            "green_threshold": by_unit(indicators["green_threshold"], units),
            "red_threshold": by_unit(indicators["red_threshold"], units),
        }
    )


def render_indicators(indicators: pd.DataFrame, domains: pd.DataFrame, year: int) -> None:
    st.subheader(t("indicators_title", year=year))
    if indicators.empty:
        st.info(t("no_indicators"))
        return
    st.dataframe(
        indicator_table(indicators, domains),
        hide_index=True,
        column_config={
            "indicator_code": t("col_code"),
            "indicator": t("col_indicator"),
            "domain": t("col_domain"),
            "value": t("col_value"),
            "band": t("col_band"),
            "sub_score": t("col_sub_score"),
            "green_threshold": t("col_green_threshold"),
            "red_threshold": t("col_red_threshold"),
        },
    )


scope = auth.require_scope()
db = warehouse.require_warehouse()
st.title(t("page_collectivity"))
freshness.caption(db, scope, audit=True)
refuse_foreign_requests(db, scope)
directory = warehouse.collectivities(db, scope)
if directory.empty:
    st.info(t("no_scores"))
    st.stop()
select_from_url(directory)

regions = directory.drop_duplicates("region_code")
region_names = dict(zip(regions["region_code"], regions[localized("region_name")], strict=True))
region_col, code_col, year_col = st.columns([2, 3, 1])
keep_valid(REGION_KEY, list(region_names))
region = region_col.selectbox(
    t("region"),
    list(region_names),
    format_func=region_names.__getitem__,
    key=REGION_KEY,
    on_change=forget_url_code,
    disabled=len(region_names) == 1,
)
members = {
    code: option_label(row)
    for code, row in directory[directory["region_code"] == region].iterrows()
}
keep_valid(CODE_KEY, list(members))
code = code_col.selectbox(
    t("collectivity"),
    list(members),
    format_func=members.__getitem__,
    key=CODE_KEY,
    on_change=remember_url_code,
    disabled=len(members) == 1,
)
st.query_params["code"] = code

profile = directory.loc[code]
render_profile(profile)
scores = warehouse.collectivity_scores(db, scope, code)
log_view_once(scope, code)
if scores.empty:
    read_log.record(scope, collectivity_code=code, code=code, year=None)
    st.info(t("no_scores"))
    st.stop()

years = scores["fiscal_year"].tolist()
keep_valid(YEAR_KEY, years)
year = year_col.selectbox(t("fiscal_year"), years, key=YEAR_KEY)
read_log.record(scope, collectivity_code=code, code=code, year=year)
score = scores.set_index("fiscal_year").loc[year]
render_kpis(score, score_delta(scores, year), profile["level"])
overview = warehouse.collectivity_overview(db, scope, code, year)
render_residual_and_interval(overview)
domains = warehouse.collectivity_domain_scores(db, scope, code, year)
render_stability(overview, domains)
st.caption(t("methodology", version=score["methodology_version"]))

register = warehouse.collectivity_risk_register(db, scope, code, year)
matrix_col, domain_col = st.columns(2)
matrix_title = t("matrix_title", year=year)
matrix = charts.risk_matrix(
    as_int(score["likelihood"]), as_int(score["impact"]), matrix_title, register_counts(register)
)
matrix_col.plotly_chart(matrix)
if domains.empty:
    domain_col.info(t("no_scores"))
else:
    domain_col.plotly_chart(charts.domain_bar(domains, t("domains_title", year=year)))
render_domain_heatmaps(warehouse.collectivity_domain_heatmaps(db, scope, code, year), year)
render_score_card(warehouse.collectivity_score_card(db, scope, code, year), year)
render_register(register, year)
render_indicators(warehouse.collectivity_indicators(db, scope, code, year), domains, year)
report_downloads.collectivity_section(db, scope, code, year)
