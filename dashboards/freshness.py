"""How fresh a page's data is: one caption, under the title of every page.

* every page on the warehouse: when the snapshot it reads was published;
* the pages fed by the audit sources (the audit desk and the cells' files: programme,
  recommendations, collectivity, rollout, the desk pages): when an audit source last brought a
  file in, and when the audit desk's own export last did (or that it never did);
* a page that reads something live (the desk's forms, the access log) says so.

Times are shown in Morocco's time, ``dd/mm/yyyy HH:MM``, in the page's language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

import streamlit as st

from tadqiq.access import Scope
from tadqiq.i18n import fmt_date, t
from tadqiq.warehouse.quality import audit_freshness, snapshot_time

MOROCCO = ZoneInfo("Africa/Casablanca")
Live = Literal["desk", "log"]


def moment(value: datetime) -> str:
    """``04/12/2026 22:12``, Morocco's time."""
    local = value.astimezone(MOROCCO)
    return f"{fmt_date(local)} {local:%H:%M}"


def parts(
    db: str | None, scope: Scope, *, audit: bool = False, live: Live | None = None
) -> list[str]:
    """The sentences of the caption (see the module)."""
    shown = []
    if db is not None:
        shown.append(t("freshness_snapshot", time=moment(snapshot_time(db))))
        if audit:
            sources = audit_freshness(db, scope)
            shown.append(
                t("freshness_audit_none")
                if sources.last_ingest is None
                else t("freshness_audit", time=moment(sources.last_ingest))
            )
            shown.append(
                t("freshness_desk_none")
                if sources.last_desk_export is None
                else t("freshness_desk", time=moment(sources.last_desk_export))
            )
    if live is not None:
        shown.append(t(f"freshness_live_{live}"))
    return shown


def caption(db: str | None, scope: Scope, *, audit: bool = False, live: Live | None = None) -> None:
    """Show how fresh the page's data is (``db``: the snapshot it reads, None for none)."""
    st.caption(" · ".join(parts(db, scope, audit=audit, live=live)))
