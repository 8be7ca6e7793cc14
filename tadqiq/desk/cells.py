"""The audit cell of a collectivity (creation and charter dates, capacity, members) and its
internal-control self-assessment (the COSO questionnaire: a draft, submitted, then validated
or sent back by the cell).

The cell is kept by its own auditors or the region's; the self-assessment is filled in by the
collectivity (its focal point or its cell) and validated by the cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ingestion.contracts import COSO_COMPONENTS, MAX_FISCAL_YEAR, MIN_FISCAL_YEAR
from tadqiq.access import Scope
from tadqiq.desk import checks, reference
from tadqiq.desk.db import Store
from tadqiq.desk.errors import DeskError, TransitionRefused
from tadqiq.desk.guard import (
    READ,
    Outcome,
    authorize,
    check_version,
    deny,
    forged,
    load,
    record,
    run_write,
    snapshot,
    touch,
)
from tadqiq.desk.models import AuditCell, CellMember, Event, IcAnswer, IcAssessment

FUNCTIONS = ("chef", "auditeur")
IC_STATUS_LABELS = {
    "brouillon": "desk_ic_draft",
    "soumise": "desk_ic_submitted",
    "validee": "desk_ic_validated",
}


def save_cell(
    store: Store,
    scope: Scope,
    *,
    collectivity_code: object,
    created_on: object,
    charter_on: object,
    auditor_days_per_year: object,
    expected_version: object = None,
    token: object = None,
) -> Outcome:
    """Create the collectivity's cell (``expected_version`` None) or change it."""
    detail = "cell:save"
    if not isinstance(collectivity_code, str):
        raise forged(scope, None, f"{detail}:collectivity_code={collectivity_code!r}")
    authorize(scope, "cell", collectivity_code, detail)
    created = checks.day(created_on, "created_on")
    charter = checks.day(charter_on, "charter_on", required=False)
    days = checks.whole(auditor_days_per_year, "auditor_days_per_year", 0, 100_000)
    checks.in_order(created, "created_on", charter, "charter_on")

    def work(session: Session, token: str | None) -> Outcome:
        cell = session.scalars(
            sa.select(AuditCell)
            .where(AuditCell.collectivity_code == collectivity_code)
            .with_for_update()
        ).first()
        before = None
        if cell is None:
            if expected_version is not None:
                raise DeskError(
                    "desk_version_conflict_unknown", labels={"entity": "desk_entity_cell"}
                )
            cell = AuditCell(collectivity_code=collectivity_code)
            session.add(cell)
        else:
            check_version(cell, expected_version, "cell")
            before = snapshot(cell)
        cell.created_on, cell.charter_on, cell.auditor_days_per_year = created, charter, days
        touch(cell, scope)
        return record(
            session, scope, entity="cell", row=cell, action="save", before=before, token=token
        )

    return run_write(store, scope, token, work, entity="cell")


def add_member(
    store: Store,
    scope: Scope,
    cell_id: object,
    *,
    full_name: object,
    function: object,
    user_id: object = None,
    token: object = None,
) -> Outcome:
    detail = "cell:add_member"

    def work(session: Session, token: str | None) -> Outcome:
        cell = load(session, scope, AuditCell, cell_id, detail)
        authorize(scope, "cell", cell.collectivity_code, detail)
        member = CellMember(
            cell_id=cell.id,
            full_name=checks.text(full_name, "full_name", 200),
            function=checks.one_of(function, "function", FUNCTIONS),
            user_id=checks.text(user_id, "user_id", 128, required=False),
            active=True,
        )
        touch(member, scope)
        session.add(member)
        return record(
            session, scope, entity="cell_member", row=member, action="add", before=None,
            token=token, code=cell.collectivity_code,
        )  # fmt: skip

    return run_write(store, scope, token, work)


def set_member_active(
    store: Store,
    scope: Scope,
    member_id: object,
    expected_version: object,
    active: bool,
    *,
    token: object = None,
) -> Outcome:
    detail = "cell:member_active"

    def work(session: Session, token: str | None) -> Outcome:
        member = session.get(CellMember, member_id) if isinstance(member_id, int) else None
        cell = load(session, scope, AuditCell, member.cell_id if member else None, detail)
        assert member is not None
        authorize(scope, "cell", cell.collectivity_code, detail)
        check_version(member, expected_version, "cell_member")
        before = snapshot(member)
        member.active = bool(active)
        touch(member, scope)
        return record(
            session, scope, entity="cell_member", row=member, action="active" if active else
            "inactive", before=before, token=token, code=cell.collectivity_code,
        )  # fmt: skip

    return run_write(
        store, scope, token, work, lambda s: s.get(CellMember, member_id), entity="cell_member"
    )


# --- the internal-control self-assessment --------------------------------------------------


def _answers(rows: Sequence[Mapping[str, object]]) -> list[IcAnswer]:
    answers, seen = [], set()
    for row in rows:
        code = checks.text(row.get("question_code"), "question_code", 16)
        if code in seen:
            raise DeskError("desk_ic_duplicate_question", field="question_code", code=code)
        seen.add(code)
        answers.append(
            IcAnswer(
                question_code=code,
                component=checks.one_of(row.get("component"), "component", COSO_COMPONENTS),
                principle=checks.whole(row.get("principle"), "principle", 1, 17),
                score=checks.whole(row.get("score"), "score", 0, 5),
                evidence=checks.text(row.get("evidence"), "ic_evidence", 500, required=False),
            )
        )
    return answers


def save_ic_draft(
    store: Store,
    scope: Scope,
    *,
    collectivity_code: object,
    campaign_year: object,
    answers: Sequence[Mapping[str, object]],
    expected_version: object = None,
    token: object = None,
) -> Outcome:
    """Save the questionnaire's answers as a draft (a new campaign, or its draft again)."""
    detail = "ic:save_draft"
    if not isinstance(collectivity_code, str):
        raise forged(scope, None, f"{detail}:collectivity_code={collectivity_code!r}")
    authorize(scope, "ic_assessment", collectivity_code, detail)
    year = checks.whole(campaign_year, "campaign_year", MIN_FISCAL_YEAR, MAX_FISCAL_YEAR)
    rows = _answers(answers)

    def work(session: Session, token: str | None) -> Outcome:
        assessment = session.scalars(
            sa.select(IcAssessment)
            .where(
                IcAssessment.collectivity_code == collectivity_code,
                IcAssessment.campaign_year == year,
            )
            .with_for_update()
        ).first()
        before = None
        if assessment is None:
            assessment = IcAssessment(
                collectivity_code=collectivity_code, campaign_year=year, status="brouillon"
            )
            session.add(assessment)
        else:
            check_version(assessment, expected_version, "ic_assessment")
            if assessment.status != "brouillon":
                raise DeskError(
                    "desk_ic_not_draft", labels={"status": IC_STATUS_LABELS[assessment.status]}
                )
            before = snapshot(assessment) | {"answers": len(assessment.answers)}
            for old in list(assessment.answers):
                session.delete(old)
            session.flush()
        assessment.answers = rows
        touch(assessment, scope)
        return record(
            session, scope, entity="ic_assessment", row=assessment, action="save_draft",
            before=before, token=token, extra={"answers": len(rows)},
        )  # fmt: skip

    return run_write(store, scope, token, work, entity="ic_assessment")


def _ic_step(
    store: Store,
    scope: Scope,
    assessment_id: object,
    expected_version: object,
    *,
    write: str,
    allowed_from: str,
    target: str,
    action: str,
    reason: object = None,
    token: object = None,
) -> Outcome:
    detail = f"ic:{action}"

    def work(session: Session, token: str | None) -> Outcome:
        assessment = load(session, scope, IcAssessment, assessment_id, detail)
        authorize(scope, write, assessment.collectivity_code, detail)
        check_version(assessment, expected_version, "ic_assessment")
        if assessment.status != allowed_from:
            raise TransitionRefused(
                "desk_ic_transition",
                labels={"current": IC_STATUS_LABELS[assessment.status],
                        "target": IC_STATUS_LABELS[target]},
            )  # fmt: skip
        if action == "submit" and not assessment.answers:
            raise DeskError("desk_ic_empty")
        cleaned = checks.text(reason, "reason", 2000) if action == "return" else None
        before = snapshot(assessment)
        assessment.status = target
        touch(assessment, scope)
        return record(
            session, scope, entity="ic_assessment", row=assessment, action=action,
            before=before, token=token, extra={"reason": cleaned},
        )  # fmt: skip

    return run_write(
        store, scope, token, work, lambda s: s.get(IcAssessment, assessment_id),
        entity="ic_assessment",
    )  # fmt: skip


def submit_ic(
    store: Store, scope: Scope, assessment_id: object, expected_version: object, *, token=None
) -> Outcome:
    return _ic_step(
        store, scope, assessment_id, expected_version, write="ic_assessment",
        allowed_from="brouillon", target="soumise", action="submit", token=token,
    )  # fmt: skip


def validate_ic(
    store: Store, scope: Scope, assessment_id: object, expected_version: object, *, token=None
) -> Outcome:
    return _ic_step(
        store, scope, assessment_id, expected_version, write="ic_validation",
        allowed_from="soumise", target="validee", action="validate", token=token,
    )  # fmt: skip


def return_ic(
    store: Store,
    scope: Scope,
    assessment_id: object,
    expected_version: object,
    *,
    reason: object,
    token: object = None,
) -> Outcome:
    """The cell sends a submitted questionnaire back to draft, saying why."""
    return _ic_step(
        store, scope, assessment_id, expected_version, write="ic_validation",
        allowed_from="soumise", target="brouillon", action="return", reason=reason, token=token,
    )  # fmt: skip


# --- what the forms read ---------------------------------------------------------------------


def _readable(scope: Scope, collectivity_code: str, detail: str) -> None:
    """Refuse (logged as ``desk_read``) the data team, and a collectivity outside the scope."""
    if not scope.sees_risk_data:
        raise deny(scope, "no_risk_data", None, detail, READ)
    if not isinstance(collectivity_code, str) or not reference.covers(scope, collectivity_code):
        raise deny(scope, "out_of_scope", str(collectivity_code), detail, READ)


def cell_of(store: Store, scope: Scope, collectivity_code: str) -> AuditCell | None:
    """The cell of one collectivity of the scope, with its members (None: not recorded yet);
    a collectivity outside the scope is refused and logged (``desk_read``)."""
    detail = "desk:cell"
    _readable(scope, collectivity_code, detail)
    with store.session() as session:
        return session.scalars(
            sa.select(AuditCell)
            .options(selectinload(AuditCell.members))
            .where(AuditCell.collectivity_code == collectivity_code)
        ).first()


def assessments(store: Store, scope: Scope, collectivity_code: str) -> list[IcAssessment]:
    """The self-assessments of one collectivity of the scope, newest campaign first, with
    their answers; a collectivity outside the scope is refused and logged (``desk_read``)."""
    detail = "desk:ic_assessments"
    _readable(scope, collectivity_code, detail)
    with store.session() as session:
        return list(
            session.scalars(
                sa.select(IcAssessment)
                .options(selectinload(IcAssessment.answers))
                .where(IcAssessment.collectivity_code == collectivity_code)
                .order_by(IcAssessment.campaign_year.desc())
            )
        )


def return_reason(store: Store, assessment: IcAssessment) -> str | None:
    """Why the cell last sent this draft back (None if it never did, or it was submitted
    since); ``assessment`` comes from ``assessments``, read under the scope."""
    with store.session() as session:
        last = session.scalars(
            sa.select(Event)
            .where(
                Event.entity == "ic_assessment",
                Event.entity_id == assessment.id,
                Event.action.in_(("submit", "validate", "return")),
            )
            .order_by(Event.id.desc())
            .limit(1)
        ).first()
    if last is None or last.action != "return":
        return None
    return (last.after or {}).get("reason")
