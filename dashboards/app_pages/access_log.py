"""Journal des accès (ministry only): the access log, filterable, with its chain status."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboards import auth
from tadqiq.access import Scope
from tadqiq.access import log as access_log
from tadqiq.i18n import fmt_number, t

COLUMNS = ("ts", "user", "role", "action", "collectivity_code", "outcome", "detail")
LOGGED_KEY = "access_log_viewed"


def render_chain_status() -> None:
    status = access_log.verify_chain()
    if status.ok:
        st.success(t("log_chain_ok", count=fmt_number(status.records)))
        st.caption(t("log_chain_head", sha=status.head_sha256))
    else:
        st.error(t("log_chain_broken", line=status.broken_line, reason=status.reason))


def records_frame(scope: Scope) -> pd.DataFrame:
    frame = pd.DataFrame(access_log.read_records(scope), columns=list(COLUMNS))
    frame["day"] = pd.to_datetime(frame["ts"], utc=True).dt.date
    return frame.iloc[::-1].reset_index(drop=True)  # newest first


def options(frame: pd.DataFrame, column: str) -> list[str]:
    return sorted(frame[column].dropna().astype(str).unique())


def filtered(frame: pd.DataFrame) -> pd.DataFrame:
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
    code_col, dates_col = st.columns(2)
    code = code_col.text_input(t("log_filter_code"), key="log_code").strip()
    first, last = frame["day"].min(), frame["day"].max()
    dates = dates_col.date_input(t("log_filter_dates"), (first, last), key="log_dates")
    keep = pd.Series(True, index=frame.index)
    for column, chosen in (("user", users), ("action", actions), ("outcome", outcomes)):
        if chosen:
            keep &= frame[column].isin(chosen)
    if code:
        keep &= frame["collectivity_code"].fillna("").str.startswith(code)
    if isinstance(dates, tuple) and len(dates) == 2 and all(isinstance(d, date) for d in dates):
        keep &= frame["day"].between(dates[0], dates[1])
    return frame[keep]


scope = auth.require_scope()
st.title(t("page_access_log"))
if not st.session_state.get(LOGGED_KEY):
    access_log.log_event(scope, access_log.VIEW_ACCESS_LOG, access_log.ALLOWED)
    st.session_state[LOGGED_KEY] = True
frame = records_frame(scope)
render_chain_status()
if frame.empty:
    st.info(t("log_empty"))
    st.stop()
shown = filtered(frame)
st.caption(t("log_shown", shown=fmt_number(len(shown)), total=fmt_number(len(frame))))
st.dataframe(
    shown[list(COLUMNS)],
    hide_index=True,
    column_config={
        "ts": t("log_col_ts"),
        "user": t("log_col_user"),
        "role": t("log_col_role"),
        "action": t("log_col_action"),
        "collectivity_code": t("log_col_code"),
        "outcome": t("log_col_outcome"),
        "detail": t("log_col_detail"),
    },
)
