"""Tadqiq dashboard entry point: ``streamlit run dashboards/app.py``.

Sign-in first (nothing else runs for an anonymous session), then the navigation of the user's
role (``access.ROLE_PAGES``): a page a role may not see is not in its navigation at all.
Every page read is written to the access log (``dashboards.read_log``), and so is a request for
a page outside the navigation.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from dashboards import auth, browser_requests, read_log
from tadqiq import warehouse
from tadqiq.access import ROLE_PAGES, Scope, pages_for
from tadqiq.i18n import LANGUAGES, current_lang, t

NO_DATA_EXPORT = "client.disableDataExport"
RTL_CSS = """
<style>
[data-testid="stMain"], [data-testid="stSidebar"] { direction: rtl; text-align: right; }
[data-testid="stPlotlyChart"] { direction: ltr; }
[data-testid="stMetricValue"], [data-testid="stMetricDelta"] { unicode-bidi: plaintext; }
</style>
"""


def navigation(scope: Scope) -> tuple[StreamlitPage, str]:
    """The page to run and its name; a request for a page outside the role's navigation is
    logged as denied (Streamlit runs the landing page instead)."""
    names = ROLE_PAGES[scope.role]
    pages = [
        st.Page(spec.path, title=t(spec.title_key), icon=spec.icon, default=position == 0)
        for position, spec in enumerate(pages_for(scope.role))
    ]
    read_log.refuse_outside_navigation(scope, dict(zip(names, pages, strict=True)))
    page = st.navigation(pages)
    return page, next(name for name, p in zip(names, pages, strict=True) if p is page)


browser_requests.install()  # developer requests (clear every cache, git details) refused
st.set_page_config(page_title="Tadqiq", layout="wide")
# The tables' own CSV download and clipboard copy would let data leave unlogged: off for every
# session (files leave only through dashboards.downloads). The option reaches the browser with
# the next run's start, so the very first run of the process reruns once it is set.
if not st.get_option(NO_DATA_EXPORT):
    st.set_option(NO_DATA_EXPORT, True)
    st.rerun()

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

page, page_name = navigation(scope)
auth.follow_deep_link(scope)  # the page asked for before the sign-in
with auth.refusals_shown(), read_log.page_read(scope, page_name):
    page.run()
