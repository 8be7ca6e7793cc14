"""Missions (opened from a line of the adopted programme, planned, moved through their
lifecycle), their findings and their recommendations.

Lifecycle of a mission (the missions contract's statuses)::

    planifiée → en cours → rapport → clôturée
    planifiée, en cours → annulée (with a reason)

Starting records the actual start; the report stage the actual end and auditor-days. A
collectivity's cell and a region's auditors open ``audit_interne`` missions; inspectors
``IGAT`` or ``IGF`` ones. Findings are recorded on a mission in progress or at report stage;
recommendations on a finding. Each service takes the user's ``Scope``, refuses (logged) what
is outside it, and writes one event (``guard``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from sqlalchemy.orm import Session

from ingestion.contracts import FINDING_CATEGORIES, MAX_FISCAL_YEAR, MIN_FISCAL_YEAR
from tadqiq.access import Role, Scope
from tadqiq.desk import checks
from tadqiq.desk.db import Store
from tadqiq.desk.errors import DeskError, TransitionRefused
from tadqiq.desk.guard import (
    Outcome,
    authorize,
    check_version,
    forged,
    load,
    next_number,
    record,
    run_write,
    snapshot,
    today,
    touch,
)
from tadqiq.desk.models import Finding, Mission, Recommendation

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "planifiee": ("en_cours", "annulee"),
    "en_cours": ("rapport", "annulee"),
    "rapport": ("cloturee",),
    "cloturee": (),
    "annulee": (),
}
STATUS_LABELS = {
    "planifiee": "mission_status_planned",
    "en_cours": "mission_status_in_progress",
    "rapport": "mission_status_reporting",
    "cloturee": "mission_status_closed",
    "annulee": "mission_status_cancelled",
}
BODIES: dict[Role, tuple[str, ...]] = {
    Role.COLLECTIVITY: ("audit_interne",),
    Role.REGION: ("audit_interne",),
    Role.INSPECTOR: ("IGAT", "IGF"),
}
PROGRAMME_TYPES = ("annuel", "pluriannuel")
PLANNING = ("process", "planned_start", "planned_end", "planned_days")
ACTUALS = ("actual_start", "actual_end", "actual_days")
MAX_DAYS = 3650  # auditor-days of one mission
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")


def _code(scope: Scope, value: object, detail: str) -> str:
    if not isinstance(value, str):
        raise forged(scope, None, f"{detail}:collectivity_code={value!r}")
    return value


def _check_dates(mission: Mission) -> None:
    checks.in_order(mission.planned_start, "planned_start", mission.planned_end, "planned_end")
    checks.in_order(mission.actual_start, "actual_start", mission.actual_end, "actual_end")
    checks.not_after(mission.actual_start, "actual_start", today())
    checks.not_after(mission.actual_end, "actual_end", today())


def open_mission(
    store: Store,
    scope: Scope,
    *,
    collectivity_code: object,
    programme_year: object,
    programme_type: object,
    auditor_body: object,
    process: object,
    planned_start: object,
    planned_end: object,
    planned_days: object,
    reference: object = None,
    token: object = None,
) -> Outcome:
    """A planned mission, from a line of the adopted programme (``reference``: the line's
    mission reference, which the desk then carries; None: the desk numbers it)."""
    detail = "mission:open"
    code = _code(scope, collectivity_code, detail)
    authorize(scope, "mission", code, detail)
    if auditor_body not in BODIES.get(scope.role, ()):
        raise forged(scope, code, f"{detail}:auditor_body={auditor_body!r}")
    year = checks.whole(programme_year, "programme_year", MIN_FISCAL_YEAR, MAX_FISCAL_YEAR)
    kind = checks.one_of(programme_type, "programme_type", PROGRAMME_TYPES)
    mission = Mission(
        collectivity_code=code,
        programme_year=year,
        programme_type=kind,
        auditor_body=str(auditor_body),
        process=checks.text(process, "process", 40),
        planned_start=checks.day(planned_start, "planned_start"),
        planned_end=checks.day(planned_end, "planned_end"),
        planned_days=checks.whole(planned_days, "planned_days", 1, MAX_DAYS),
        status="planifiee",
    )
    _check_dates(mission)
    if reference is not None and not (isinstance(reference, str) and REFERENCE.match(reference)):
        raise DeskError("desk_reference_invalid", field="reference", reference=reference)

    def work(session: Session, token: str | None) -> Outcome:
        if reference is not None:
            taken = session.query(Mission.id).filter(Mission.reference == reference).first()
            if taken:
                raise DeskError("desk_reference_taken", field="reference", reference=reference)
            mission.reference = str(reference)
        else:
            mission.reference = f"TQ-M-{year}-{next_number(session, f'mission-{year}'):04d}"
        touch(mission, scope)
        session.add(mission)
        return record(
            session, scope, entity="mission", row=mission, action="open", before=None, token=token
        )

    return run_write(store, scope, token, work)


def update_mission(
    store: Store,
    scope: Scope,
    mission_id: object,
    expected_version: object,
    changes: Mapping[str, object],
    *,
    token: object = None,
) -> Outcome:
    """Change a mission's planning (process, planned dates and days) or, once started, its
    actual dates and days. Any other field is refused as forged (logged)."""
    detail = "mission:update"

    def work(session: Session, token: str | None) -> Outcome:
        mission = load(session, scope, Mission, mission_id, detail)
        authorize(scope, "mission", mission.collectivity_code, detail)
        unknown = sorted(set(changes) - set(PLANNING) - set(ACTUALS))
        if unknown:
            raise forged(scope, mission.collectivity_code, f"{detail}:{mission_id}:{unknown}")
        check_version(mission, expected_version, "mission")
        if mission.status in ("cloturee", "annulee"):
            raise DeskError("desk_mission_closed", labels={"status": STATUS_LABELS[mission.status]})
        if mission.status == "planifiee" and set(changes) & set(ACTUALS):
            raise DeskError(
                "desk_mission_not_started", field=sorted(set(changes) & set(ACTUALS))[0]
            )
        before = snapshot(mission)
        for name, value in changes.items():
            if name == "process":
                value = checks.text(value, name, 40)
            elif name in ("planned_start", "planned_end"):
                value = checks.day(value, name)
            elif name == "planned_days":
                value = checks.whole(value, name, 1, MAX_DAYS)
            elif name == "actual_days":
                value = checks.whole(value, name, 0, MAX_DAYS, required=mission.status == "rapport")
            else:
                value = checks.day(
                    value, name, required=name == "actual_start" or mission.status == "rapport"
                )
            setattr(mission, name, value)
        _check_dates(mission)
        touch(mission, scope)
        return record(
            session, scope, entity="mission", row=mission, action="update", before=before,
            token=token,
        )  # fmt: skip

    return run_write(
        store, scope, token, work, lambda s: s.get(Mission, mission_id), entity="mission"
    )


def transition_mission(
    store: Store,
    scope: Scope,
    mission_id: object,
    expected_version: object,
    target: object,
    *,
    actual_start: object = None,
    actual_end: object = None,
    actual_days: object = None,
    reason: object = None,
    token: object = None,
) -> Outcome:
    """Move a mission to ``target`` if its lifecycle allows it: starting needs the actual
    start, the report stage the actual end and days, cancelling a reason."""
    detail = f"mission:transition:{target}"
    given = {"actual_start": actual_start, "actual_end": actual_end, "actual_days": actual_days,
             "reason": reason}  # fmt: skip
    needed: dict[str, set[str]] = {
        "planifiee": set(),  # never a target (refused as a transition, not as forged)
        "en_cours": {"actual_start"},
        "rapport": {"actual_end", "actual_days"},
        "cloturee": set(),
        "annulee": {"reason"},
    }

    def work(session: Session, token: str | None) -> Outcome:
        mission = load(session, scope, Mission, mission_id, detail)
        code = mission.collectivity_code
        authorize(scope, "mission", code, detail)
        if target not in needed:
            raise forged(scope, code, f"{detail}:{mission_id}")
        extra = sorted(name for name, value in given.items() if value is not None)
        if set(extra) - needed[str(target)]:
            raise forged(scope, code, f"{detail}:{mission_id}:{extra}")
        check_version(mission, expected_version, "mission")
        if target not in TRANSITIONS[mission.status]:
            raise TransitionRefused(
                "desk_mission_transition",
                field="status",
                labels={"current": STATUS_LABELS[mission.status],
                        "target": STATUS_LABELS[str(target)]},
            )  # fmt: skip
        before = snapshot(mission)
        if target == "en_cours":
            mission.actual_start = checks.day(actual_start, "actual_start")
        elif target == "rapport":
            mission.actual_end = checks.day(actual_end, "actual_end")
            mission.actual_days = checks.whole(actual_days, "actual_days", 0, MAX_DAYS)
        elif target == "annulee":
            mission.cancel_reason = checks.text(reason, "reason", 500)
        _check_dates(mission)
        mission.status = str(target)
        touch(mission, scope)
        return record(
            session, scope, entity="mission", row=mission, action=f"status:{target}",
            before=before, token=token,
        )  # fmt: skip

    return run_write(
        store, scope, token, work, lambda s: s.get(Mission, mission_id), entity="mission"
    )


def record_finding(
    store: Store,
    scope: Scope,
    mission_id: object,
    *,
    category: object,
    severity: object,
    found_on: object,
    condition: object,
    criteria: object = None,
    cause: object = None,
    effect: object = None,
    subcategory: object = None,
    financial_impact: object = None,
    token: object = None,
) -> Outcome:
    """A finding of a mission in progress or at report stage: category of the taxonomy,
    severity on the ministry's scale (1 minor … 4 critical), criteria, condition, cause,
    effect."""
    detail = "finding:record"

    def work(session: Session, token: str | None) -> Outcome:
        mission = load(session, scope, Mission, mission_id, detail)
        authorize(scope, "finding", mission.collectivity_code, detail)
        if mission.status not in ("en_cours", "rapport"):
            raise DeskError(
                "desk_finding_mission_status", labels={"status": STATUS_LABELS[mission.status]}
            )
        day = checks.day(found_on, "found_on")
        assert day is not None
        finding = Finding(
            mission_id=mission.id,
            collectivity_code=mission.collectivity_code,
            category=checks.one_of(category, "category", FINDING_CATEGORIES),
            severity=checks.whole(severity, "severity", 1, 4, key="desk_severity_scale"),
            found_on=day,
            condition=checks.text(condition, "condition", 4000),
            criteria=checks.text(criteria, "criteria", 4000, required=False),
            cause=checks.text(cause, "cause", 4000, required=False),
            effect=checks.text(effect, "effect", 4000, required=False),
            subcategory=checks.text(subcategory, "subcategory", 200, required=False),
            financial_impact=checks.amount(financial_impact, "financial_impact"),
        )
        checks.in_order(mission.actual_start, "actual_start", day, "found_on")
        checks.not_after(day, "found_on", today())
        number = next_number(session, f"finding-{day.year}")
        finding.reference = f"TQ-C-{day.year}-{number:04d}"
        touch(finding, scope)
        session.add(finding)
        return record(
            session, scope, entity="finding", row=finding, action="record", before=None,
            token=token, extra={"mission_reference": mission.reference},
        )  # fmt: skip

    return run_write(store, scope, token, work)


def issue_recommendation(
    store: Store,
    scope: Scope,
    finding_id: object,
    *,
    text: object,
    owner: object,
    priority: object,
    issued_on: object,
    due_on: object,
    token: object = None,
) -> Outcome:
    """A recommendation on a finding: who implements it (a division), its priority (1 high …
    3 low), issued on or after the finding, due on or after both."""
    detail = "recommendation:issue"

    def work(session: Session, token: str | None) -> Outcome:
        finding = load(session, scope, Finding, finding_id, detail)
        authorize(scope, "recommendation", finding.collectivity_code, detail)
        issued: date | None = checks.day(issued_on, "issued_on")
        due = checks.day(due_on, "due_on")
        assert issued is not None
        checks.in_order(finding.found_on, "found_on", issued, "issued_on")
        checks.in_order(finding.found_on, "found_on", due, "due_on")
        checks.in_order(issued, "issued_on", due, "due_on")
        checks.not_after(issued, "issued_on", today())
        recommendation = Recommendation(
            finding_id=finding.id,
            collectivity_code=finding.collectivity_code,
            text=checks.text(text, "text", 4000),
            owner=checks.text(owner, "owner", 200),
            priority=checks.whole(priority, "priority", 1, 3, key="desk_priority_scale"),
            issued_on=issued,
            due_on=due,
            status="non_demarree",
        )
        number = next_number(session, f"recommendation-{issued.year}")
        recommendation.reference = f"TQ-R-{issued.year}-{number:04d}"
        touch(recommendation, scope)
        session.add(recommendation)
        return record(
            session, scope, entity="recommendation", row=recommendation, action="issue",
            before=None, token=token, extra={"finding_reference": finding.reference},
        )  # fmt: skip

    return run_write(store, scope, token, work)
