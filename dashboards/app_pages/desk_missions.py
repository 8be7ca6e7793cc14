"""Missions et constats: the audit desk's missions of the user's scope (docs/audit_desk.md).

* Open a mission from a line of the adopted programme (a planned mission of the missions file
  not yet in the desk, of the user's body: a cell's or a region's auditors the internal-audit
  lines, inspectors the IGAT/IGF ones): its planned dates and days prefilled, changeable.
* Each mission of the desk: the steps its lifecycle allows now (start with the actual start,
  report with the actual end and auditor-days, close, cancel with a reason), its planning, its
  findings and their recommendations, and its history.

Every write goes through ``tadqiq.desk`` with the user's scope; the page adds no rule.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboards import auth, desk_forms, freshness, read_log
from dashboards.text import plain
from ingestion.contracts import FINDING_CATEGORIES
from tadqiq import warehouse
from tadqiq.access import Scope
from tadqiq.desk import db, guard, missions, queries
from tadqiq.desk.models import Finding, Mission
from tadqiq.i18n import MISSING, fmt_number, localized, t

DATE_FORMAT = "DD/MM/YYYY"


def _day(value: object) -> date:
    return pd.Timestamp(value).date()


def _process_names(db_path: str, scope: Scope) -> dict[str, str]:
    names = warehouse.audit_process_names(db_path, scope)
    if names.empty:
        return {}
    return dict(zip(names.index, names[localized("name")], strict=True))


def render_open(desk: db.Store, scope: Scope) -> None:
    """The adopted programme's planned lines of the user's body, not yet in the desk."""
    db_path = warehouse.warehouse_path()
    st.subheader(t("desk_open_title"))
    if db_path is None or not warehouse.has_audit_marts(db_path):
        st.info(t("desk_no_programme"))
        return
    lines = warehouse.missions(db_path, scope)
    taken = queries.references_taken(desk, scope)
    lines = lines[
        (lines["mission_status"] == "planned")
        & lines["audit_body"].isin(missions.BODIES.get(scope.role, ()))
        & ~lines["mission_id"].isin(taken)
    ]
    if lines.empty:
        st.caption(t("desk_no_programme_line"))
        return
    processes = _process_names(db_path, scope)
    by_id = lines.set_index("mission_id")
    labels = {  # formatted now, in the page's language
        mid: " · ".join(
            [
                str(mid),
                f"{row[localized('name')]} ({row['collectivity_code']})",
                processes.get(row["audit_process_code"], row["audit_process_code"]),
                str(row["programme_year"]),
            ]
        )
        for mid, row in by_id.iterrows()
    }
    choice = st.selectbox(
        t("desk_programme_line"), list(labels), format_func=labels.__getitem__, key="desk_open_line"
    )
    line = by_id.loc[choice]
    with st.form(f"desk_open_{choice}"):
        start_col, end_col, days_col = st.columns(3)
        start = start_col.date_input(
            t("desk_field_planned_start"),
            value=_day(line["planned_start_date"]),
            format=DATE_FORMAT,
        )
        end = end_col.date_input(
            t("desk_field_planned_end"), value=_day(line["planned_end_date"]), format=DATE_FORMAT
        )
        days = days_col.number_input(
            t("desk_field_planned_days"),
            min_value=1,
            max_value=missions.MAX_DAYS,
            step=1,
            value=int(line["planned_auditor_days"]),
        )
        st.caption(t("desk_open_caption", body=line["audit_body"], kind=line["programme_type"]))
        submitted = st.form_submit_button(t("desk_open_submit"), type="primary")
    if submitted:
        desk_forms.submit(
            "open",
            lambda token: missions.open_mission(
                desk,
                scope,
                collectivity_code=str(line["collectivity_code"]),
                programme_year=int(line["programme_year"]),
                programme_type=str(line["programme_type"]),
                auditor_body=str(line["audit_body"]),
                process=str(line["audit_process_code"]),
                planned_start=start,
                planned_end=end,
                planned_days=int(days),
                reference=str(choice),
                token=token,
            ),
            "desk_opened",
        )


def _mission_label(mission: Mission) -> str:
    return (
        f"{mission.reference} · {mission.collectivity_code} · {mission.process} · "
        f"{desk_forms.mission_status(mission.status)}"
    )


def render_table(rows: list[Mission]) -> None:
    frame = pd.DataFrame(
        {
            "reference": [m.reference for m in rows],
            "collectivity": [m.collectivity_code for m in rows],
            "process": [m.process for m in rows],
            "status": [desk_forms.mission_status(m.status) for m in rows],
            "planned": [
                f"{desk_forms.day(m.planned_start)} → {desk_forms.day(m.planned_end)}" for m in rows
            ],
            "actual": [
                f"{desk_forms.day(m.actual_start)} → {desk_forms.day(m.actual_end)}"
                if m.actual_start
                else MISSING
                for m in rows
            ],
            "days": [f"{fmt_number(m.planned_days)} / {fmt_number(m.actual_days)}" for m in rows],
            "findings": [len(m.findings) for m in rows],
        }
    )
    st.dataframe(
        frame,
        hide_index=True,
        column_config={
            "reference": t("desk_field_reference"),
            "collectivity": t("desk_field_collectivity_code"),
            "process": t("desk_field_process"),
            "status": t("desk_field_status"),
            "planned": t("desk_col_planned"),
            "actual": t("desk_col_actual"),
            "days": t("desk_col_days"),
            "findings": t("desk_col_findings"),
        },
        key="desk_missions_table",
    )


def render_steps(desk: db.Store, scope: Scope, mission: Mission) -> None:
    targets = missions.TRANSITIONS[mission.status]
    if not targets:
        st.caption(t("desk_mission_final", status=desk_forms.mission_status(mission.status)))
        return
    for target in targets:
        form = f"desk_step_{mission.id}_{target}"
        version = desk_forms.displayed_version(form, mission.version)
        with st.form(desk_forms.form_key(form)):
            st.markdown(f"**{t(f'desk_step_{target}')}**")
            values: dict[str, object] = {}
            if target == "en_cours":
                values["actual_start"] = st.date_input(
                    t("desk_field_actual_start"), value=mission.planned_start, format=DATE_FORMAT
                )
            elif target == "rapport":
                left, right = st.columns(2)
                values["actual_end"] = left.date_input(
                    t("desk_field_actual_end"), value=mission.planned_end, format=DATE_FORMAT
                )
                values["actual_days"] = int(
                    right.number_input(
                        t("desk_field_actual_days"),
                        min_value=0,
                        max_value=missions.MAX_DAYS,
                        step=1,
                        value=mission.planned_days,
                    )
                )
            elif target == "annulee":
                values["reason"] = st.text_area(t("desk_field_reason"), max_chars=500)
            submitted = st.form_submit_button(t(f"desk_step_{target}_submit"))
        if submitted:
            desk_forms.submit(
                form,
                lambda token, target=target, values=values, version=version: (
                    missions.transition_mission(
                        desk, scope, mission.id, version, target, token=token, **values
                    )
                ),
                "desk_saved",
            )
        desk_forms.displayed(form, mission.version)


def render_planning(desk: db.Store, scope: Scope, mission: Mission) -> None:
    if mission.status in ("cloturee", "annulee"):
        st.caption(t("desk_mission_final", status=desk_forms.mission_status(mission.status)))
        return
    form = f"desk_plan_{mission.id}"
    version = desk_forms.displayed_version(form, mission.version)
    with st.form(desk_forms.form_key(form)):
        left, middle, right = st.columns(3)
        values: dict[str, object] = {
            "planned_start": left.date_input(
                t("desk_field_planned_start"), value=mission.planned_start, format=DATE_FORMAT
            ),
            "planned_end": middle.date_input(
                t("desk_field_planned_end"), value=mission.planned_end, format=DATE_FORMAT
            ),
            "planned_days": int(
                right.number_input(
                    t("desk_field_planned_days"),
                    min_value=1,
                    max_value=missions.MAX_DAYS,
                    step=1,
                    value=mission.planned_days,
                )
            ),
        }
        if mission.status in ("en_cours", "rapport"):
            values["actual_start"] = left.date_input(
                t("desk_field_actual_start"), value=mission.actual_start, format=DATE_FORMAT
            )
        if mission.status == "rapport":
            values["actual_end"] = middle.date_input(
                t("desk_field_actual_end"), value=mission.actual_end, format=DATE_FORMAT
            )
            values["actual_days"] = int(
                right.number_input(
                    t("desk_field_actual_days"),
                    min_value=0,
                    max_value=missions.MAX_DAYS,
                    step=1,
                    value=mission.actual_days or 0,
                )
            )
        submitted = st.form_submit_button(t("desk_save"))
    if submitted:
        changes = {k: v for k, v in values.items() if getattr(mission, k) != v}
        if changes or version != mission.version:
            desk_forms.submit(
                form,
                lambda token: missions.update_mission(
                    desk, scope, mission.id, version, changes, token=token
                ),
                "desk_saved",
            )
        else:
            st.info(t("desk_nothing_changed"))
    desk_forms.displayed(form, mission.version)


def render_findings(desk: db.Store, scope: Scope, mission: Mission) -> None:
    for found in mission.findings:
        with st.container(border=True):
            st.markdown(
                f"**{found.reference}** · {desk_forms.category(found.category)} · "
                f"{desk_forms.severity(found.severity)} · {desk_forms.day(found.found_on)}"
            )
            st.markdown(plain(found.condition or "", 1000))
            for rec in found.recommendations:
                st.caption(
                    f"{rec.reference} · {plain(rec.text, 160)} · {t('desk_field_due_on')} "
                    f"{desk_forms.day(rec.due_on)} · {desk_forms.recommendation_status(rec.status)}"
                )
            render_new_recommendation(desk, scope, found)
    if mission.status in ("en_cours", "rapport"):
        render_new_finding(desk, scope, mission)


def render_new_finding(desk: db.Store, scope: Scope, mission: Mission) -> None:
    form = f"desk_finding_{mission.id}"
    with st.expander(t("desk_new_finding")), st.form(form, clear_on_submit=False):
        left, middle, right = st.columns(3)
        categories = {code: desk_forms.category(code) for code in FINDING_CATEGORIES}
        severities = {level: desk_forms.severity(level) for level in (1, 2, 3, 4)}
        category = left.selectbox(
            t("desk_field_category"), list(categories), format_func=categories.__getitem__
        )
        severity = middle.selectbox(
            t("desk_field_severity"), list(severities), format_func=severities.__getitem__
        )
        found_on = right.date_input(
            t("desk_field_found_on"), value=guard.today(), format=DATE_FORMAT
        )
        condition = st.text_area(t("desk_field_condition"), max_chars=4000)
        criteria = st.text_area(t("desk_field_criteria"), max_chars=4000)
        cause = st.text_area(t("desk_field_cause"), max_chars=4000)
        effect = st.text_area(t("desk_field_effect"), max_chars=4000)
        left, right = st.columns(2)
        subcategory = left.text_input(t("desk_field_subcategory"), max_chars=200)
        impact = right.number_input(
            t("desk_field_financial_impact"), min_value=0.0, value=None, step=1000.0
        )
        submitted = st.form_submit_button(t("desk_record_finding"))
    if submitted:
        desk_forms.submit(
            form,
            lambda token: missions.record_finding(
                desk,
                scope,
                mission.id,
                category=category,
                severity=severity,
                found_on=found_on,
                condition=condition,
                criteria=criteria or None,
                cause=cause or None,
                effect=effect or None,
                subcategory=subcategory or None,
                financial_impact=impact,
                token=token,
            ),
            "desk_recorded",
        )


def render_new_recommendation(desk: db.Store, scope: Scope, found: Finding) -> None:
    form = f"desk_recommendation_{found.id}"
    with st.expander(t("desk_new_recommendation")), st.form(form):
        text = st.text_area(t("desk_field_text"), max_chars=4000)
        left, middle, right, last = st.columns(4)
        owner = left.text_input(t("desk_field_owner"), max_chars=200)
        priorities = {level: desk_forms.priority(level) for level in (1, 2, 3)}
        priority = middle.selectbox(
            t("desk_field_priority"), list(priorities), format_func=priorities.__getitem__
        )
        issued_on = right.date_input(
            t("desk_field_issued_on"), value=guard.today(), format=DATE_FORMAT
        )
        due_on = last.date_input(t("desk_field_due_on"), value=None, format=DATE_FORMAT)
        submitted = st.form_submit_button(t("desk_issue_recommendation"))
    if submitted:
        desk_forms.submit(
            form,
            lambda token: missions.issue_recommendation(
                desk,
                scope,
                found.id,
                text=text,
                owner=owner,
                priority=priority,
                issued_on=issued_on,
                due_on=due_on,
                token=token,
            ),
            "desk_recorded",
        )


def render_history(desk: db.Store, scope: Scope, mission: Mission) -> None:
    log = queries.history(desk, scope, "mission", mission.id)
    st.dataframe(
        pd.DataFrame(
            {
                "at": [f"{e.at:%d/%m/%Y %H:%M}" for e in log],
                "user": [e.user_id for e in log],
                "action": [e.action for e in log],
                "status": [desk_forms.mission_status(e.after["status"]) for e in log],
                "version": [e.after.get("version") for e in log],
            }
        ),
        hide_index=True,
        column_config={
            "at": t("desk_col_when"),
            "user": t("desk_col_who"),
            "action": t("desk_col_action"),
            "status": t("desk_field_status"),
            "version": t("desk_col_version"),
        },
        key=f"desk_history_{mission.id}",
    )


scope = auth.require_scope()
st.title(t("page_desk_missions"))
freshness.caption(warehouse.warehouse_path(), scope, audit=True, live="desk")
desk = desk_forms.store()
desk_forms.flash()
render_open(desk, scope)
st.subheader(t("desk_missions_title"))
rows = queries.missions(desk, scope)
if not rows:
    st.info(t("desk_no_missions"))
    st.stop()
render_table(rows)
labels = {m.id: _mission_label(m) for m in rows}
chosen = st.selectbox(
    t("desk_mission"), list(labels), format_func=labels.__getitem__, key="desk_mission"
)
mission = next(m for m in rows if m.id == chosen)
read_log.record(scope, collectivity_code=mission.collectivity_code, mission=mission.reference)
steps, planning, findings, history = st.tabs(
    [t("desk_tab_steps"), t("desk_tab_planning"), t("desk_tab_findings"), t("desk_tab_history")]
)
with steps:
    render_steps(desk, scope, mission)
with planning:
    render_planning(desk, scope, mission)
with findings:
    render_findings(desk, scope, mission)
with history:
    render_history(desk, scope, mission)
