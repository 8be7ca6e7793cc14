"""Cellule d'audit: the internal-audit cell of a collectivity of the user's scope
(docs/audit_desk.md).

* Its creation and charter dates and its capacity in auditor-days a year (the cell is created
  by its first save);
* its members (name, function, account), added, withdrawn from the cell or brought back.

For the cell's own auditor (its collectivity) and the region (a collectivity of the region,
chosen). Every write goes through ``tadqiq.desk.cells`` with the user's scope; the page adds
no rule.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import auth, desk_forms
from dashboards.text import plain
from tadqiq.access import Scope
from tadqiq.desk import cells, db, reference
from tadqiq.desk.models import AuditCell
from tadqiq.i18n import MISSING, fmt_number, localized, t

DATE_FORMAT = "DD/MM/YYYY"


def render_cell(desk: db.Store, scope: Scope, code: str, cell: AuditCell | None) -> None:
    form = f"desk_cell_{code}"
    version = desk_forms.displayed_version(form, cell.version) if cell else None
    with st.form(desk_forms.form_key(form)):
        left, middle, right = st.columns(3)
        created = left.date_input(
            t("desk_field_created_on"),
            value=cell.created_on if cell else None,
            format=DATE_FORMAT,
        )
        charter = middle.date_input(
            t("desk_field_charter_on"),
            value=cell.charter_on if cell else None,
            format=DATE_FORMAT,
        )
        days = right.number_input(
            t("desk_field_auditor_days_per_year"),
            min_value=0,
            max_value=100_000,
            step=10,
            value=cell.auditor_days_per_year if cell else 0,
        )
        submitted = st.form_submit_button(t("desk_save"), type="primary")
    if submitted:
        unchanged = cell is not None and (
            (cell.created_on, cell.charter_on, cell.auditor_days_per_year)
            == (created, charter, int(days))
        )
        if unchanged and version == cell.version:
            st.info(t("desk_nothing_changed"))
        else:
            desk_forms.submit(
                form,
                lambda token: cells.save_cell(
                    desk,
                    scope,
                    collectivity_code=code,
                    created_on=created,
                    charter_on=charter,
                    auditor_days_per_year=int(days),
                    expected_version=version,
                    token=token,
                ),
                "desk_cell_saved",
            )
    if cell is not None:
        desk_forms.displayed(form, cell.version)


def render_members(desk: db.Store, scope: Scope, cell: AuditCell) -> None:
    st.subheader(t("desk_cell_members"))
    active = [m for m in cell.members if m.active]
    st.caption(
        t(
            "desk_cell_capacity",
            count=fmt_number(len(active)),
            days=fmt_number(cell.auditor_days_per_year),
        )
    )
    if cell.members:
        st.dataframe(
            pd.DataFrame(
                {
                    "name": [m.full_name for m in cell.members],
                    "function": [t(f"desk_function_{m.function}") for m in cell.members],
                    "account": [m.user_id or MISSING for m in cell.members],
                    "state": [
                        t("desk_member_active" if m.active else "desk_member_inactive")
                        for m in cell.members
                    ],
                }
            ),
            hide_index=True,
            column_config={
                "name": t("desk_field_full_name"),
                "function": t("desk_field_function"),
                "account": t("desk_field_user_id"),
                "state": t("desk_col_state"),
            },
            key=f"desk_members_{cell.id}",
        )
    else:
        st.caption(t("desk_cell_no_members"))
    functions = {code: t(f"desk_function_{code}") for code in cells.FUNCTIONS}
    form = f"desk_member_add_{cell.id}"
    with st.expander(t("desk_cell_new_member")), st.form(desk_forms.form_key(form)):
        left, middle, right = st.columns(3)
        name = left.text_input(t("desk_field_full_name"), max_chars=200)
        function = middle.selectbox(
            t("desk_field_function"),
            list(functions),
            index=1,
            format_func=functions.__getitem__,
        )
        account = right.text_input(t("desk_field_user_id"), max_chars=128)
        submitted = st.form_submit_button(t("desk_cell_add_member"))
    if submitted:
        desk_forms.submit(
            form,
            lambda token: cells.add_member(
                desk,
                scope,
                cell.id,
                full_name=name,
                function=function,
                user_id=account or None,
                token=token,
            ),
            "desk_cell_member_saved",
        )
    if not cell.members:
        return
    labels = {
        m.id: f"{m.full_name} · {functions[m.function]} · "
        + t("desk_member_active" if m.active else "desk_member_inactive")
        for m in cell.members
    }
    chosen = st.selectbox(
        t("desk_cell_member"), list(labels), format_func=labels.__getitem__, key="desk_member"
    )
    member = next(m for m in cell.members if m.id == chosen)
    form = f"desk_member_{member.id}"
    version = desk_forms.displayed_version(form, member.version)
    with st.form(desk_forms.form_key(form)):
        label = "desk_cell_withdraw" if member.active else "desk_cell_bring_back"
        submitted = st.form_submit_button(t(label))
    if submitted:
        desk_forms.submit(
            form,
            lambda token: cells.set_member_active(
                desk, scope, member.id, version, not member.active, token=token
            ),
            "desk_cell_member_saved",
        )
    desk_forms.displayed(form, member.version)


scope = auth.require_scope()
st.title(t("page_desk_cell"))
desk = desk_forms.store()
desk_forms.flash()
code = desk_forms.collectivity_choice(scope, "desk_cell_code")
place = reference.place(code)
st.subheader(t("desk_cell_title", name=plain(getattr(place, localized("name"), code)), code=code))
cell = cells.cell_of(desk, scope, code)
if cell is None:
    st.info(t("desk_cell_none"))
render_cell(desk, scope, code, cell)
if cell is not None:
    render_members(desk, scope, cell)
