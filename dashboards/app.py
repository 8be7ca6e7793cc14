"""Tadqiq dashboard entry point: ``streamlit run dashboards/app.py``.

Sign-in first (nothing else runs for an anonymous session), then the navigation of the user's
role (``access.ROLE_PAGES``): a page a role may not see is not in its navigation at all.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from dashboards import auth
from tadqiq import warehouse
from tadqiq.access import Scope, pages_for
from tadqiq.i18n import LANGUAGES, current_lang, t

RTL_CSS = """
<style>
[data-testid="stMain"], [data-testid="stSidebar"] { direction: rtl; text-align: right; }
[data-testid="stPlotlyChart"] { direction: ltr; }
[data-testid="stMetricValue"], [data-testid="stMetricDelta"] { unicode-bidi: plaintext; }
</style>
"""


def navigation(scope: Scope) -> StreamlitPage:
    pages = [
        st.Page(spec.path, title=t(spec.title_key), icon=spec.icon, default=position == 0)
        for position, spec in enumerate(pages_for(scope.role))
    ]
    return st.navigation(pages)


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

scope = auth.require_scope()
auth.render_session(scope)

db = warehouse.warehouse_path()
if db is None:
    st.error(t("no_warehouse"))
    st.caption(t("no_warehouse_path", path=warehouse.expected_warehouse()))
    st.stop()
st.sidebar.caption(t("warehouse_snapshot", name=Path(db).name))

page = navigation(scope)
auth.follow_deep_link(scope)  # the page asked for before the sign-in
with auth.refusals_shown():
    page.run()
