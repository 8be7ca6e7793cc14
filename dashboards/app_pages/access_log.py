"""Journal des accès (ministry only): the access log, filterable, with its chain status.

Page reads (``view_page``) carry the page, its filters, the user's area, the session and the
client address: the table shows them, and the page filter narrows on them.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboards import auth, freshness, read_log
from tadqiq.access import Scope
from tadqiq.access import log as access_log
from tadqiq.i18n import fmt_number, t

COLUMNS = (
    "ts", "user", "role", "area", "action", "page", "filters", "collectivity_code", "outcome",
    "detail", "session", "client",
)  # fmt: skip


def render_chain_status() -> None:
    status = access_log.verify_chain()
    if status.ok:
        st.success(t("log_chain_ok", count=fmt_number(status.records)))
        st.caption(t("log_chain_head", sha=status.head_sha256))
    else:
        st.error(t("log_chain_broken", line=status.broken_line, reason=status.reason))


def records_frame(scope: Scope) -> pd.DataFrame:
    frame = pd.DataFrame(access_log.read_records(scope), columns=[*COLUMNS, "forwarded_for"])
    frame["filters"] = frame["filters"].map(filters_text)
    frame["client"] = [
        " ← ".join(str(part) for part in (address, forwarded) if isinstance(part, str)) or None
        for address, forwarded in zip(frame["client"], frame["forwarded_for"], strict=True)
    ]
    frame["day"] = pd.to_datetime(frame["ts"], utc=True).dt.date
    return frame.iloc[::-1].reset_index(drop=True)  # newest first


def filters_text(filters: object) -> str | None:
    """``year=2024 · level=commune`` (a record without filters: None; no filter set: ``*``)."""
    if not isinstance(filters, dict):
        return None
    return " · ".join(
        f"{name}={'*' if value is None else value}" for name, value in filters.items()
    )


def options(frame: pd.DataFrame, column: str) -> list[str]:
    return sorted(frame[column].dropna().astype(str).unique())


def filtered(scope: Scope, frame: pd.DataFrame) -> pd.DataFrame:
    user_col, action_col, outcome_col = st.columns(3)
    users = user_col.multiselect(
        t("log_filter_user"), options(frame, "user"), key="log_users", placeholder=t("log_all")
    )
    actions = action_col.multiselect(
        t("log_filter_action"),
        options(frame, "action"),
        key="log_actions",
        placeholder=t("log_all"),
    )
    outcomes = outcome_col.multiselect(
        t("log_filter_outcome"),
        options(frame, "outcome"),
        key="log_outcomes",
        placeholder=t("log_all"),
    )
    page_col, code_col, dates_col = st.columns(3)
    pages = page_col.multiselect(
        t("log_filter_page"), options(frame, "page"), key="log_pages", placeholder=t("log_all")
    )
    code = code_col.text_input(t("log_filter_code"), key="log_code").strip()
    first, last = frame["day"].min(), frame["day"].max()
    dates = dates_col.date_input(t("log_filter_dates"), (first, last), key="log_dates")
    keep = pd.Series(True, index=frame.index)
    read_log.record(
        scope,
        action=access_log.VIEW_ACCESS_LOG,
        users=",".join(users) or None,
        actions=",".join(actions) or None,
        outcomes=",".join(outcomes) or None,
        pages=",".join(pages) or None,
        code=code or None,
        dates="–".join(str(d) for d in dates) if isinstance(dates, tuple) else str(dates),
    )
    filters = (("user", users), ("action", actions), ("outcome", outcomes), ("page", pages))
    for column, chosen in filters:
        if chosen:
            keep &= frame[column].isin(chosen)
    if code:
        keep &= frame["collectivity_code"].fillna("").str.startswith(code)
    if isinstance(dates, tuple) and len(dates) == 2 and all(isinstance(d, date) for d in dates):
        keep &= frame["day"].between(dates[0], dates[1])
    return frame[keep]


scope = auth.require_scope()
st.title(t("page_access_log"))
freshness.caption(None, scope, live="log")
frame = records_frame(scope)
render_chain_status()
if frame.empty:
    read_log.record(scope, action=access_log.VIEW_ACCESS_LOG)
    st.info(t("log_empty"))
    st.stop()
shown = filtered(scope, frame)
st.caption(t("log_shown", shown=fmt_number(len(shown)), total=fmt_number(len(frame))))
st.dataframe(
    shown[list(COLUMNS)],
    hide_index=True,
    column_config={
        "ts": t("log_col_ts"),
        "user": t("log_col_user"),
        "role": t("log_col_role"),
        "area": t("log_col_area"),
        "action": t("log_col_action"),
        "page": t("log_col_page"),
        "filters": t("log_col_filters"),
        "collectivity_code": t("log_col_code"),
        "outcome": t("log_col_outcome"),
        "detail": t("log_col_detail"),
        "session": t("log_col_session"),
        "client": t("log_col_client"),
    },
)
