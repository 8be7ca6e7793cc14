"""The Streamlit dashboard: pages, charts, sign-in and downloads over the access core
(``tadqiq.access``), the scoped warehouse queries (``tadqiq.warehouse``) and the reports
(``tadqiq.reports``)."""

import streamlit as st

from tadqiq.i18n import set_language_provider

# The language a user picks in the sidebar is the session's ``lang`` key.
set_language_provider(lambda: st.session_state.get("lang"))
