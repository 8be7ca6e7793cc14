"""Autoévaluation du contrôle interne: the COSO questionnaire of a collectivity of the user's
scope, one campaign at a time (docs/audit_desk.md).

* The collectivity (its focal point or its cell's auditor) answers the questionnaire — the
  same questions as the IC tool's workbook (``desk_forms.ic_questionnaire``) — saved as a draft
  as often as needed, then submitted to the cell;
* the cell (its auditor, or the region) validates a submitted questionnaire, or returns it to
  draft with a reason, which the collectivity reads above its draft;
* a validated questionnaire goes into the warehouse as the ``ic_diagnostic`` contract's
  workbook (``tadqiq.desk.export``).

Every write goes through ``tadqiq.desk.cells`` with the user's scope; the page adds no rule.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import auth, desk_forms
from dashboards.text import plain
from ingestion.contracts import MIN_FISCAL_YEAR
from tadqiq.access import DESK_WRITES, Scope
from tadqiq.desk import cells, db, guard, reference
from tadqiq.desk.models import IcAssessment
from tadqiq.i18n import MISSING, fmt_number, localized, t

SCORES = (0, 1, 2, 3, 4, 5)


def score_label(score: int | None) -> str:
    return MISSING if score is None else f"{score} · {t(f'desk_maturity_{score}')}"


def render_questionnaire(
    desk: db.Store, scope: Scope, code: str, year: int, current: IcAssessment | None
) -> None:
    """The questionnaire as a draft form: each question's maturity level and evidence."""
    form = f"desk_ic_{code}_{year}"
    version = desk_forms.displayed_version(form, current.version) if current else None
    saved = {a.question_code: a for a in current.answers} if current else {}
    key = desk_forms.form_key(form)
    answers: list[dict[str, object]] = []
    with st.form(key):
        component = None
        for question in desk_forms.ic_questionnaire():
            if question.component != component:
                component = question.component
                st.markdown(f"**{desk_forms.coso_component(component)}**")
            answer = saved.get(question.code)
            left, right = st.columns([3, 2])
            score = left.selectbox(
                f"{question.code} · {question.text}",
                (None, *SCORES),
                index=0 if answer is None else answer.score + 1,
                format_func=score_label,
                key=f"{key}_{question.code}_score",
            )
            evidence = right.text_input(
                t("desk_field_ic_evidence"),
                value=(answer.evidence or "") if answer else "",
                max_chars=500,
                key=f"{key}_{question.code}_evidence",
            )
            if score is not None:
                answers.append(
                    {
                        "question_code": question.code,
                        "component": question.component,
                        "principle": question.principle,
                        "score": score,
                        "evidence": evidence or None,
                    }
                )
        submitted = st.form_submit_button(t("desk_ic_save"), type="primary")
    if submitted:
        desk_forms.submit(
            form,
            lambda token: cells.save_ic_draft(
                desk,
                scope,
                collectivity_code=code,
                campaign_year=year,
                answers=answers,
                expected_version=version,
                token=token,
            ),
            "desk_ic_saved",
        )
    if current is not None:
        desk_forms.displayed(form, current.version)


def render_submit(desk: db.Store, scope: Scope, current: IcAssessment) -> None:
    desk_forms.step_form(
        f"desk_ic_submit_{current.id}",
        current.version,
        "desk_ic_submit",
        lambda version, token, _: cells.submit_ic(desk, scope, current.id, version, token=token),
        "desk_ic_submitted_flash",
        caption="desk_ic_submit_caption",
    )


def render_validation(desk: db.Store, scope: Scope, current: IcAssessment) -> None:
    desk_forms.step_form(
        f"desk_ic_validate_{current.id}",
        current.version,
        "desk_ic_validate",
        lambda version, token, _: cells.validate_ic(desk, scope, current.id, version, token=token),
        "desk_ic_validated_flash",
        primary=True,
    )
    desk_forms.step_form(
        f"desk_ic_return_{current.id}",
        current.version,
        "desk_ic_return",
        lambda version, token, reason: cells.return_ic(
            desk, scope, current.id, version, reason=reason, token=token
        ),
        "desk_ic_returned_flash",
        text_label="desk_field_reason",
    )


def render_answers(current: IcAssessment) -> None:
    texts = {q.code: q.text for q in desk_forms.ic_questionnaire()}
    st.dataframe(
        pd.DataFrame(
            {
                "question": [
                    f"{a.question_code} · {texts.get(a.question_code, '')}" for a in current.answers
                ],
                "component": [desk_forms.coso_component(a.component) for a in current.answers],
                "score": [score_label(a.score) for a in current.answers],
                "evidence": [a.evidence or MISSING for a in current.answers],
            }
        ),
        hide_index=True,
        column_config={
            "question": t("desk_field_question_code"),
            "component": t("desk_field_component"),
            "score": t("desk_field_score"),
            "evidence": t("desk_field_ic_evidence"),
        },
        key=f"desk_ic_answers_{current.id}",
    )


scope = auth.require_scope()
st.title(t("page_desk_ic"))
desk = desk_forms.store()
desk_forms.flash()
left, right = st.columns([3, 1])
with left:
    code = desk_forms.collectivity_choice(scope, "desk_ic_code")
years = list(range(guard.today().year, MIN_FISCAL_YEAR - 1, -1))
year = int(right.selectbox(t("desk_field_campaign_year"), years, key="desk_ic_year"))
place = reference.place(code)
st.subheader(t("desk_ic_title", name=plain(getattr(place, localized("name"), code)), year=year))
current = next((a for a in cells.assessments(desk, scope, code) if a.campaign_year == year), None)
total = len(desk_forms.ic_questionnaire())
if current is None:
    st.info(t("desk_ic_none"))
else:
    st.caption(
        t(
            "desk_ic_state",
            status=desk_forms.ic_status(current.status),
            answered=fmt_number(len(current.answers)),
            total=fmt_number(total),
        )
    )
    if current.status == "brouillon" and (reason := cells.return_reason(desk, current)):
        st.warning(t("desk_ic_returned_reason", reason=plain(reason, 2000)))
fills = scope.role in DESK_WRITES["ic_assessment"]
validates = scope.role in DESK_WRITES["ic_validation"]
if current is None or current.status == "brouillon":
    if fills:
        render_questionnaire(desk, scope, code, year, current)
        if current is not None:
            render_submit(desk, scope, current)
    elif current is not None:
        render_answers(current)
        st.caption(t("desk_ic_waiting_collectivity"))
else:
    render_answers(current)
    if current.status == "soumise" and validates:
        render_validation(desk, scope, current)
    elif current.status == "soumise":
        st.caption(t("desk_ic_waiting_cell"))
