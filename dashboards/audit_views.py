"""Shared pieces of the audit pages (programme, recommendations, rollout).

* ``scope_filter``: the region / collectivity selectors of a page, offering only what the
  user's scope holds; a foreign code arriving by URL (``?region=`` / ``?code=``) or forced
  into the widget state is refused (shown, logged by the data layer) and dropped, as on the
  collectivity page.
* labels of the audit vocabularies (mission and recommendation statuses, programme kinds,
  differences, rollout phases, aging buckets) in the current language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from dashboards.text import plain
from tadqiq import warehouse
from tadqiq.access import AccessDenied, Scope
from tadqiq.access import log as access_log
from tadqiq.i18n import MISSING, fmt_date, localized, t, type_label

ALL = "*"

MISSION_STATUSES = ("planned", "in_progress", "reporting", "closed", "cancelled")
RECOMMENDATION_FLOW = ("non_demarree", "en_cours", "mise_en_oeuvre", "verifiee")
RECOMMENDATION_APART = ("refusee", "non_applicable")
AGE_BUCKETS = ("0-6", "6-12", ">12")
PROGRAMME_KINDS = ("annual", "joint", "multi_year")
DIFFERENCE_TYPES = ("both", "proposed_not_adopted", "adopted_not_proposed")
PHASES = (1, 2, 3, None)  # None: not yet in a phase (the national generalisation)


@dataclass(frozen=True)
class Selection:
    """What a page shows: the whole scope, one region, or one collectivity (and arrondissements)."""

    region: str | None = None
    code: str | None = None


def _drop_url(param: str) -> None:
    st.query_params.pop(param, None)


def _refuse_foreign(db: str, scope: Scope, prefix: str) -> None:
    """Show and drop any region or collectivity asked for outside the scope (logged)."""
    refused: set[str] = set()
    for param in ("region", "code"):
        key = f"{prefix}_{param}"
        requests = {"url": st.query_params.get(param), "widget": st.session_state.get(key)}
        for source, requested in requests.items():
            if requested is None or requested == ALL:
                continue
            check = warehouse.authorize_region if param == "region" else warehouse.authorize
            try:
                check(db, scope, str(requested), access_log.VIEW_COLLECTIVITY, detail=source)
            except AccessDenied as denial:
                if requested not in refused:
                    st.error(t(denial.label_key, code=plain(denial.code)))
                refused.add(str(requested))
                if source == "url":
                    _drop_url(param)
                else:
                    st.session_state.pop(key, None)


def _apply_url(directory: pd.DataFrame, prefix: str) -> None:
    """Preselect what ``?region=`` / ``?code=`` name (already checked against the scope)."""
    code = st.query_params.get("code")
    if code in directory.index and st.session_state.get(f"{prefix}_code") != code:
        st.session_state[f"{prefix}_region"] = directory.at[code, "region_code"]
        st.session_state[f"{prefix}_code"] = code
    region = st.query_params.get("region")
    if region in set(directory["region_code"]) and code is None:
        st.session_state[f"{prefix}_region"] = region


def _keep_valid(key: str, options: list[str]) -> None:
    if st.session_state.get(key) not in options:
        st.session_state.pop(key, None)


def scope_filter(db: str, scope: Scope, prefix: str, *, collectivity: bool = True) -> Selection:
    """Region and (unless ``collectivity`` is false) collectivity selectors of the scope."""
    _refuse_foreign(db, scope, prefix)
    directory = warehouse.collectivities(db, scope)
    if directory.empty:
        return Selection()
    _apply_url(directory, prefix)
    regions = directory.drop_duplicates("region_code")
    region_names = {ALL: t("filter_all_regions")} | dict(
        zip(regions["region_code"], regions[localized("region_name")], strict=True)
    )
    if len(region_names) == 2:  # a single region in the scope: nothing to choose
        region_names.pop(ALL)
    region_col, code_col = st.columns(2)
    single_region = len(regions) == 1
    if not collectivity:
        st.session_state.pop(f"{prefix}_code", None)
    region_options = list(region_names)
    _keep_valid(f"{prefix}_region", region_options)
    region = region_col.selectbox(
        t("region"),
        region_options,
        format_func=region_names.__getitem__,
        key=f"{prefix}_region",
        on_change=_drop_url,
        args=("region",),
        disabled=len(region_options) == 1,
    )
    members = directory if region == ALL else directory[directory["region_code"] == region]
    code_names = {ALL: t("filter_all_collectivities")} | {
        code: f"{row[localized('name')]} · {type_label(row['collectivity_type'])}"
        for code, row in members.iterrows()
    }
    code_options = list(code_names) if region != ALL and collectivity else [ALL]
    _keep_valid(f"{prefix}_code", code_options)
    if not collectivity:
        return Selection(region=None if region == ALL or single_region else region)
    code = code_col.selectbox(
        t("collectivity"),
        code_options,
        format_func=code_names.__getitem__,
        key=f"{prefix}_code",
        on_change=_drop_url,
        args=("code",),
        disabled=len(code_options) == 1,
    )
    return Selection(
        region=None if region == ALL or single_region else region,
        code=None if code == ALL else code,
    )


# --- labels ------------------------------------------------------------------------------


def _label(prefix: str, value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    try:
        return t(f"{prefix}_{value}")
    except KeyError:
        return str(value)


def mission_status_label(status: object) -> str:
    return _label("mission_status", status)


# the recommendation statuses of the marts (French codes) → the words the reports label
STATUS_WORDS = {
    "non_demarree": "open",
    "en_cours": "in_progress",
    "mise_en_oeuvre": "implemented",
    "verifiee": "verified",
    "refusee": "refused",
    "non_applicable": "not_applicable",
}


def body_label(body: object) -> str:
    """The audit body: internal audit in words, IGAT / IGF / CRC as they are known."""
    return _label("body", body)


def recommendation_status_label(status: object) -> str:
    return _label("status", STATUS_WORDS.get(str(status), status))


def kind_label(kind: object) -> str:
    return _label("programme_kind", kind)


def difference_label(difference: object) -> str:
    return _label("difference", difference)


def bucket_label(bucket: object) -> str:
    return _label("age_bucket", {"0-6": "0_6", "6-12": "6_12", ">12": "over_12"}.get(str(bucket)))


def phase_label(phase: object) -> str:
    if phase is None or pd.isna(phase):
        return t("phase_national")
    return t(f"phase_{int(phase)}")


def process_label(names: pd.DataFrame, process: object) -> str:
    if process is None or (not isinstance(process, str) and pd.isna(process)):
        return MISSING
    if process in names.index:
        return str(names.at[process, localized("name")])
    return str(process)


def date_text(day: object) -> str:
    """``dd/mm/yyyy`` for a date, a timestamp or a missing value."""
    if day is None or day is pd.NaT or (not isinstance(day, date) and pd.isna(day)):
        return MISSING
    return fmt_date(pd.Timestamp(day).date())


def as_of_caption(frame: pd.DataFrame) -> None:
    if "as_of_date" in frame and frame["as_of_date"].notna().any():
        st.caption(t("as_of", date=date_text(frame["as_of_date"].dropna().iloc[0])))


def place_name(frame: pd.DataFrame) -> pd.Series:
    """``name (code)`` of each row's collectivity."""
    return frame[localized("name")] + " (" + frame["collectivity_code"] + ")"
