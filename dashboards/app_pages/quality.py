"""Qualité des données: placeholder for the data team's data-quality and pipeline page.

No collectivity risk data here: the data team's scope has none. The real page (quality
checks, quarantine, runs) replaces this file; its place in the navigation is
``access.ROLE_PAGES``.
"""

from __future__ import annotations

import streamlit as st

from dashboards import auth
from dashboards.i18n import t

auth.require_scope()
st.title(t("page_quality"))
st.info(t("quality_placeholder"))
