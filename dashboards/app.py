"""Tadqiq dashboard entry point: ``streamlit run dashboards/app.py``."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboards import queries
from dashboards.i18n import LANGUAGES, current_lang, t

RTL_CSS = """
<style>
[data-testid="stMain"], [data-testid="stSidebar"] { direction: rtl; text-align: right; }
[data-testid="stPlotlyChart"] { direction: ltr; }
</style>
"""

st.set_page_config(page_title="Tadqiq", layout="wide")

with st.sidebar:
    st.radio(
        t("language"),
        options=list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key="lang",
        horizontal=True,
    )
if current_lang() == "ar":
    st.html(RTL_CSS)

db = queries.warehouse_path()
if db is None:
    st.error(t("no_warehouse"))
    st.caption(t("no_warehouse_path", path=queries.expected_warehouse()))
    st.stop()
st.sidebar.caption(t("warehouse_snapshot", name=Path(db).name))

page = st.navigation(
    [
        st.Page("app_pages/national.py", title=t("page_national"), icon="🗺️", default=True),
        st.Page("app_pages/collectivity.py", title=t("page_collectivity"), icon="🏛️"),
    ]
)
page.run()
