"""Recommandations: follow-up of the audit recommendations of the user's scope.

KPIs (implementation, verified and overdue rates over the due recommendations, median time
to implement, repeat findings), how far the recommendations went (not started → in progress →
declared implemented → verified; refused and not applicable apart), open recommendations by
age, the overdue list with its owner, due date and days overdue, and the status history of
one recommendation. A region or collectivity filter narrows the scope; everything comes from
the scoped data layer (a foreign code by URL or widget state is refused and logged).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import audit_charts, auth, freshness, read_log
from dashboards.audit_views import (
    RECOMMENDATION_APART,
    RECOMMENDATION_FLOW,
    as_of_caption,
    bucket_label,
    date_text,
    place_name,
    recommendation_status_label,
    scope_filter,
)
from dashboards.text import plain
from tadqiq import warehouse
from tadqiq.access import AccessDenied
from tadqiq.i18n import MISSING, fmt_number, fmt_pct, t

HISTORY_KEY = "recommendations_selected"


def render_kpis(kpis: pd.Series) -> None:
    implemented, verified, overdue, median, repeats = st.columns(5)
    implemented.metric(
        t("kpi_implementation_rate"), fmt_pct(kpis["implementation_rate"]),
        help=t("kpi_implementation_rate_help"),
    )  # fmt: skip
    verified.metric(
        t("kpi_verified_rate"), fmt_pct(kpis["verified_rate"]), help=t("kpi_verified_rate_help")
    )
    overdue.metric(
        t("kpi_overdue_rate"), fmt_pct(kpis["overdue_rate"]), help=t("kpi_overdue_rate_help")
    )
    days = kpis["median_days_to_implement"]
    median.metric(
        t("kpi_median_days"),
        MISSING if pd.isna(days) else t("value_days", days=fmt_number(days, 1 if days % 1 else 0)),
    )
    repeats.metric(
        t("kpi_repeat_findings"),
        fmt_number(kpis["repeat_findings_count"]),
        help=t("kpi_repeat_findings_help"),
    )
    repeats.caption(
        t(
            "kpi_repeat_findings_detail",
            total=fmt_number(kpis["findings_count"]),
            rate=fmt_pct(kpis["repeat_findings_rate"]),
        )
    )
    st.caption(
        t(
            "kpi_recommendations_base",
            issued=fmt_number(kpis["recommendations_issued"]),
            due=fmt_number(kpis["recommendations_due"]),
            declared=fmt_number(kpis["recommendations_declared_not_verified"]),
        )
    )


def funnel_stages(recs: pd.DataFrame) -> list[tuple[str, int]]:
    """Recommendations that reached at least each stage of the flow (refused / n.a. apart)."""
    in_flow = recs[recs["recommendation_status"].isin(RECOMMENDATION_FLOW)]
    reached = in_flow["recommendation_status"].map(RECOMMENDATION_FLOW.index)
    return [
        (t(f"funnel_{stage}"), int((reached >= position).sum()))
        for position, stage in enumerate(RECOMMENDATION_FLOW)
    ]


def render_funnel_and_aging(recs: pd.DataFrame) -> None:
    funnel_col, aging_col = st.columns(2)
    funnel = audit_charts.recommendation_funnel(funnel_stages(recs), t("funnel_title"))
    funnel_col.plotly_chart(funnel)
    apart = funnel_col.columns(len(RECOMMENDATION_APART))
    for column, status in zip(apart, RECOMMENDATION_APART, strict=True):
        column.metric(
            recommendation_status_label(status),
            fmt_number((recs["recommendation_status"] == status).sum()),
        )
    funnel_col.caption(t("funnel_apart_hint"))
    open_recs = recs[recs["is_open"].fillna(False).astype(bool)]
    aging_col.plotly_chart(audit_charts.aging_bar(open_recs, t("aging_title")))
    counts = recs["recommendation_status"].value_counts()
    aging_col.caption(
        " · ".join(
            f"{recommendation_status_label(s)} : {fmt_number(counts.get(s, 0))}"
            for s in (*RECOMMENDATION_FLOW, *RECOMMENDATION_APART)
        )
    )


def overdue_table(overdue: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "recommendation_id": overdue["recommendation_id"],
            "collectivity": place_name(overdue),
            "recommendation": overdue["recommendation_text"],
            "owner": overdue["owner_division"],
            "status": overdue["recommendation_status"].map(recommendation_status_label),
            "issued": overdue["issued_date"].map(date_text),
            "due": overdue["due_date"].map(date_text),
            "days_overdue": overdue["days_overdue"],
            "age": overdue["age_bucket"].map(bucket_label),
        }
    )


def render_overdue(recs: pd.DataFrame) -> None:
    st.subheader(t("overdue_title"))
    overdue = recs[recs["is_overdue"].fillna(False).astype(bool)].sort_values(
        "days_overdue", ascending=False
    )
    if overdue.empty:
        st.info(t("no_overdue"))
        return
    st.caption(t("overdue_hint", count=fmt_number(len(overdue))))
    table = overdue_table(overdue)
    event = st.dataframe(
        table,
        hide_index=True,
        column_config={
            "recommendation_id": t("col_recommendation_id"),
            "collectivity": t("collectivity"),
            "recommendation": t("col_recommendation"),
            "owner": t("col_owner"),
            "status": t("col_status"),
            "issued": t("col_issued"),
            "due": t("col_due"),
            "days_overdue": st.column_config.NumberColumn(t("col_days_overdue"), format="%d"),
            "age": t("col_age"),
        },
        on_select="rerun",
        selection_mode="single-row",
        key="recommendations_overdue",
    )
    if event.selection.rows:
        chosen = table["recommendation_id"].iloc[event.selection.rows[0]]
        if st.session_state.get(HISTORY_KEY) != chosen:
            st.session_state[HISTORY_KEY] = chosen
            st.rerun()


def render_history(db: str, recs: pd.DataFrame) -> None:
    st.subheader(t("history_title"))
    st.caption(t("history_hint"))
    labels = {
        rec_id: f"{rec_id} — {text[:80]}"
        for rec_id, text in zip(recs["recommendation_id"], recs["recommendation_text"], strict=True)
    }
    requested = st.session_state.get(HISTORY_KEY)
    if requested is not None and requested not in labels:
        try:  # a recommendation of the scope outside the filter, or a foreign one (refused)
            warehouse.recommendation_history(db, scope, str(requested))
        except AccessDenied as denial:
            st.error(t(denial.label_key, code=plain(denial.code)))
        st.session_state.pop(HISTORY_KEY, None)
    rec_id = st.selectbox(
        t("col_recommendation_id"),
        list(labels),
        format_func=labels.__getitem__,
        key=HISTORY_KEY,
        index=None,
        placeholder=t("history_placeholder"),
    )
    if rec_id is None:
        return
    rec = recs.set_index("recommendation_id").loc[rec_id]
    read_log.record(  # its text and history
        scope,
        collectivity_code=rec["collectivity_code"],
        region=selection.region,
        code=selection.code,
        recommendation=rec_id,
    )
    history = warehouse.recommendation_history(db, scope, rec_id)
    st.markdown(f"**{plain(rec_id)}** · {plain(rec['recommendation_text'], limit=2000)}")
    st.caption(
        t(
            "history_detail",
            owner=rec["owner_division"],
            issued=date_text(rec["issued_date"]),
            due=date_text(rec["due_date"]),
            status=recommendation_status_label(rec["recommendation_status"]),
        )
    )
    chart_col, table_col = st.columns([3, 2])
    chart_col.plotly_chart(
        audit_charts.status_timeline(history, rec["as_of_date"], t("history_chart_title"))
    )
    table_col.dataframe(
        pd.DataFrame(
            {
                "status": history["recommendation_status"].map(recommendation_status_label),
                "from": history["valid_from"].map(date_text),
                "to": history["valid_to"].map(date_text),
                "declared_by": history["declared_by"].fillna(MISSING),
                "evidence": history["evidence"].fillna(MISSING),
            }
        ),
        hide_index=True,
        column_config={
            "status": t("col_status"),
            "from": t("col_from"),
            "to": t("col_to"),
            "declared_by": t("col_declared_by"),
            "evidence": t("col_evidence"),
        },
        key="recommendations_history",
    )


scope = auth.require_scope()
db = warehouse.require_warehouse()
st.title(t("page_recommendations"))
freshness.caption(db, scope, audit=True)
if not warehouse.has_audit_marts(db):
    st.info(t("no_audit_data"))
    st.stop()
selection = scope_filter(db, scope, "recommendations")
read_log.record(
    scope, collectivity_code=selection.code, region=selection.region, code=selection.code
)
recs = warehouse.recommendations(db, scope, selection.region, selection.code)
as_of_caption(recs)
if recs.empty:
    st.info(t("no_recommendations"))
    st.stop()
render_kpis(warehouse.follow_up_kpis(db, scope, selection.region, selection.code))
render_funnel_and_aging(recs)
render_overdue(recs)
render_history(db, recs)
