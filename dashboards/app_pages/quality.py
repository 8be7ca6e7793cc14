"""Qualité des données: what every ingestion did with every file and every row.

For the data team and the ministry only (``access.ROLE_PAGES``); no collectivity risk data, and
for the data team no audit source per collectivity (``warehouse.ingest_freshness``).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboards import auth, freshness, read_log
from tadqiq import warehouse
from tadqiq.i18n import fmt_number, localized, t

scope = auth.require_scope()
db = warehouse.require_warehouse()
st.title(t("page_quality"))
st.caption(t("quality_intro"))
freshness.caption(db, scope)

files = warehouse.ingest_files(db, scope)
quarantine = warehouse.quarantined_rows(db, scope)
per_collectivity = warehouse.ingest_freshness(db, scope)

status_counts = files["file_status"].value_counts()
kpis = st.columns(6)
kpis[0].metric(t("quality_files"), fmt_number(len(files)))
kpis[1].metric(t("quality_rejected"), fmt_number(status_counts.get("rejected", 0)))
kpis[2].metric(t("quality_superseded"), fmt_number(status_counts.get("superseded", 0)))
kpis[3].metric(t("quality_rows_read"), fmt_number(files["rows_read"].sum()))
kpis[4].metric(t("quality_rows_landed"), fmt_number(files["rows_landed"].sum()))
kpis[5].metric(t("quality_rows_quarantined"), fmt_number(files["rows_quarantined"].sum()))

st.subheader(t("quality_by_source"))
now = datetime.now(UTC)
per_source = (
    files.groupby("source_entity")
    .agg(
        files=("source_file", "count"),
        rejected=("file_status", lambda s: int((s == "rejected").sum())),
        rows_read=("rows_read", "sum"),
        rows_landed=("rows_landed", "sum"),
        rows_quarantined=("rows_quarantined", "sum"),
        last_ingest=("ingested_at", "max"),
    )
    .reset_index()
)
per_source["freshness_hours"] = (
    (now - pd.to_datetime(per_source["last_ingest"], utc=True)).dt.total_seconds() / 3600
).round(1)
st.dataframe(
    per_source.rename(
        columns={
            "source_entity": t("quality_source"),
            "files": t("quality_files"),
            "rejected": t("quality_rejected"),
            "rows_read": t("quality_rows_read"),
            "rows_landed": t("quality_rows_landed"),
            "rows_quarantined": t("quality_rows_quarantined"),
            "last_ingest": t("quality_last_ingest"),
            "freshness_hours": t("quality_freshness_hours"),
        }
    ),
    hide_index=True,
    use_container_width=True,
)

st.subheader(t("quality_rejected_files"))
rejected = files[files["file_status"] == "rejected"]
if rejected.empty:
    st.success(t("quality_no_rejection"))
else:
    st.dataframe(
        rejected[["source_entity", "source_file", "status_message", "ingested_at"]].rename(
            columns={
                "source_entity": t("quality_source"),
                "source_file": t("quality_file"),
                "status_message": t("quality_message"),
                "ingested_at": t("quality_last_ingest"),
            }
        ),
        hide_index=True,
        use_container_width=True,
    )

st.subheader(t("quality_quarantine"))
if quarantine.empty:
    st.success(t("quality_none"))
else:
    sources = sorted(quarantine["source_entity"].unique())
    chosen = st.selectbox(
        t("quality_source"), [t("quality_all_sources"), *sources], key="quality_source"
    )
    shown = (
        quarantine
        if chosen == t("quality_all_sources")
        else (quarantine[quarantine["source_entity"] == chosen])
    )
    reasons = shown["quarantine_reason"].value_counts().rename_axis("reason").reset_index()
    figure = px.bar(
        reasons,
        x="count",
        y="reason",
        orientation="h",
        title=t("quality_reason_chart"),
        labels={"count": t("quality_count"), "reason": t("quality_reason")},
    )
    figure.update_layout(separators=", ", yaxis={"autorange": "reversed"}, height=360)
    st.plotly_chart(figure, use_container_width=True)
    st.dataframe(
        shown[
            ["source_entity", "source_file", "source_row", "column_name", "raw_value",
             "quarantine_reason", "file_status"]
        ].rename(
            columns={
                "source_entity": t("quality_source"),
                "source_file": t("quality_file"),
                "source_row": t("quality_row"),
                "column_name": t("quality_column"),
                "raw_value": t("quality_value"),
                "quarantine_reason": t("quality_reason"),
                "file_status": t("quality_status"),
            }
        ),
        hide_index=True,
        use_container_width=True,
    )  # fmt: skip

st.subheader(t("quality_per_collectivity"))
source = st.selectbox(
    t("quality_source"),
    sorted(per_collectivity["source_entity"].unique()),
    key="quality_freshness",
)
read_log.record(
    scope, quarantine_source=st.session_state.get("quality_source"), freshness_source=source
)
table = per_collectivity[per_collectivity["source_entity"] == source]
st.dataframe(
    table[
        ["collectivity_code", localized("name"), "latest_fiscal_year", "rows_in_force",
         "files_in_force", "last_ingested_at"]
    ].rename(
        columns={
            "collectivity_code": t("col_code"),
            localized("name"): t("collectivity"),
            "latest_fiscal_year": t("quality_latest_year"),
            "rows_in_force": t("quality_rows_landed"),
            "files_in_force": t("quality_files"),
            "last_ingested_at": t("quality_last_ingest"),
        }
    ),
    hide_index=True,
    use_container_width=True,
)  # fmt: skip
