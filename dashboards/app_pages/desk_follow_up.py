"""Suivi des recommandations: the follow-up of the desk's recommendations of the user's scope
(docs/audit_desk.md).

* The collectivity's focal point declares progress, or implementation with evidence files
  (PDF, PNG, JPEG; stored by sha256). It never verifies.
* An auditor (the cell, the region, an inspector) verifies a declared implementation, or
  reopens it with a reason.
* Each recommendation shows its steps (who, when, as what, the note) and its evidence files,
  downloaded through the scoped download button (checked and logged).

Every write goes through ``tadqiq.desk`` with the user's scope; the page adds no rule.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import auth, desk_forms, freshness, read_log
from dashboards.downloads import scoped_download_button
from dashboards.text import plain
from tadqiq import warehouse
from tadqiq.access import DESK_WRITES, Scope
from tadqiq.desk import db, follow_up, queries
from tadqiq.desk.evidence import ALLOWED, MAX_FILES, Upload, max_bytes
from tadqiq.desk.models import Recommendation
from tadqiq.i18n import MISSING, t

UPLOAD_TYPES = ["pdf", "png", "jpg", "jpeg"]


def render_table(rows: list[Recommendation]) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                "reference": [r.reference for r in rows],
                "collectivity": [r.collectivity_code for r in rows],
                "text": [r.text for r in rows],
                "owner": [r.owner for r in rows],
                "due": [desk_forms.day(r.due_on) for r in rows],
                "status": [desk_forms.recommendation_status(r.status) for r in rows],
            }
        ),
        hide_index=True,
        column_config={
            "reference": t("desk_field_reference"),
            "collectivity": t("desk_field_collectivity_code"),
            "text": t("desk_field_text"),
            "owner": t("desk_field_owner"),
            "due": t("desk_field_due_on"),
            "status": t("desk_field_status"),
        },
        key="desk_follow_up_table",
    )


def render_steps(desk: db.Store, scope: Scope, rec: Recommendation) -> None:
    if not rec.follow_ups:
        st.caption(t("desk_no_steps"))
        return
    st.dataframe(
        pd.DataFrame(
            {
                "at": [f"{s.declared_at:%d/%m/%Y %H:%M}" for s in rec.follow_ups],
                "who": [s.declared_by for s in rec.follow_ups],
                "as": [t(f"desk_declared_as_{s.declared_as}") for s in rec.follow_ups],
                "status": [desk_forms.recommendation_status(s.status) for s in rec.follow_ups],
                "note": [s.note or MISSING for s in rec.follow_ups],
                "files": [
                    ", ".join(f.file_name for f in s.evidence) or MISSING for s in rec.follow_ups
                ],
            }
        ),
        hide_index=True,
        column_config={
            "at": t("desk_col_when"),
            "who": t("desk_col_who"),
            "as": t("desk_col_as"),
            "status": t("desk_field_status"),
            "note": t("desk_field_note"),
            "files": t("desk_field_evidence"),
        },
        key=f"desk_steps_{rec.id}",
    )
    db_path = warehouse.warehouse_path()
    files = [f for s in rec.follow_ups for f in s.evidence]
    if db_path is None or not files:
        return
    for file in files:
        scoped_download_button(
            t("desk_download_evidence", name=file.file_name),
            db=db_path,
            scope=scope,
            code=rec.collectivity_code,
            file_name=file.file_name,
            build=lambda file_id=file.id: queries.evidence_file(desk, scope, file_id)[1],
            mime=file.media_type,
            key=f"desk_evidence_{file.id}",
        )


def render_declaration(desk: db.Store, scope: Scope, rec: Recommendation) -> None:
    if rec.status not in follow_up.DECLARE_FROM:
        st.caption(t("desk_waiting_auditor", status=desk_forms.recommendation_status(rec.status)))
        return
    form = f"desk_declare_{rec.id}"
    version = desk_forms.displayed_version(form, rec.version)
    with st.form(desk_forms.form_key(form)):
        statuses = {code: desk_forms.recommendation_status(code) for code in follow_up.DECLARABLE}
        status = st.radio(
            t("desk_declare_status"),
            list(statuses),
            format_func=statuses.__getitem__,
            horizontal=True,
        )
        note = st.text_area(t("desk_field_note"), max_chars=2000)
        files = st.file_uploader(
            t("desk_field_evidence"),
            type=UPLOAD_TYPES,
            accept_multiple_files=True,
            max_upload_size=max(1, -(-max_bytes() // 2**20)),  # the desk's own limit, in MiB
            help=t(
                "desk_evidence_help", allowed=ALLOWED, limit=max_bytes() // 2**20, count=MAX_FILES
            ),
        )
        submitted = st.form_submit_button(t("desk_declare_submit"), type="primary")
    if submitted:
        uploads = [Upload(f.name, f.getvalue()) for f in files or []]
        desk_forms.submit(
            form,
            lambda token: follow_up.declare(
                desk,
                scope,
                rec.id,
                version,
                status,
                note=note or None,
                files=uploads,
                token=token,
            ),
            "desk_declared",
        )
    desk_forms.displayed(form, rec.version)


def render_verification(desk: db.Store, scope: Scope, rec: Recommendation) -> None:
    if rec.status in follow_up.VERIFY_FROM:
        desk_forms.step_form(
            f"desk_verify_{rec.id}",
            rec.version,
            "desk_verify_submit",
            lambda version, token, note: follow_up.verify(
                desk, scope, rec.id, version, note=note or None, token=token
            ),
            "desk_verified",
            text_label="desk_field_note",
            primary=True,
        )
    if rec.status in follow_up.REOPEN_FROM:
        desk_forms.step_form(
            f"desk_reopen_{rec.id}",
            rec.version,
            "desk_reopen_submit",
            lambda version, token, reason: follow_up.reopen(
                desk, scope, rec.id, version, reason=reason, token=token
            ),
            "desk_reopened",
            text_label="desk_field_reason",
        )
    if rec.status not in follow_up.VERIFY_FROM + follow_up.REOPEN_FROM:
        st.caption(t("desk_waiting_focal", status=desk_forms.recommendation_status(rec.status)))


scope = auth.require_scope()
st.title(t("page_desk_follow_up"))
freshness.caption(warehouse.warehouse_path(), scope, audit=True, live="desk")
desk = desk_forms.store()
desk_forms.flash()
rows = queries.recommendations(desk, scope)
if not rows:
    st.info(t("desk_no_recommendations"))
    st.stop()
render_table(rows)
labels = {
    r.id: f"{r.reference} · {r.collectivity_code} · {desk_forms.recommendation_status(r.status)}"
    for r in rows
}
chosen = st.selectbox(
    t("desk_recommendation"),
    list(labels),
    format_func=labels.__getitem__,
    key="desk_recommendation",
)
rec = next(r for r in rows if r.id == chosen)
read_log.record(scope, collectivity_code=rec.collectivity_code, recommendation=rec.reference)
st.subheader(rec.reference)
st.markdown(plain(rec.text, 2000))
st.caption(
    t(
        "desk_recommendation_caption",
        finding=rec.finding.reference,
        mission=rec.finding.mission.reference,
        owner=plain(rec.owner),
        due=desk_forms.day(rec.due_on),
        status=desk_forms.recommendation_status(rec.status),
    )
)
render_steps(desk, scope, rec)
if scope.role in DESK_WRITES["follow_up_declaration"]:
    render_declaration(desk, scope, rec)
elif scope.role in DESK_WRITES["follow_up_verification"]:
    render_verification(desk, scope, rec)
