"""The follow-up of a recommendation: the focal point declares, an auditor verifies or reopens.

::

    non démarrée, en cours  --focal point declares-->  en cours | mise en œuvre (with evidence)
    mise en œuvre           --auditor verifies-->      vérifiée
    mise en œuvre, vérifiée --auditor reopens-->       en cours (with a reason)

"Vérifiée" comes only from an auditor: a focal point asking for it is refused and logged
(``verify_auditor_only``), as is any status a declaration cannot give (a forged field).
Declaring the recommendation implemented needs at least one evidence file (PDF, PNG or JPEG,
``evidence``). Each step is a ``FollowUp`` row (never updated) and one event.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from tadqiq.access import DESK_WRITES, Scope
from tadqiq.desk import checks, evidence, guard
from tadqiq.desk.db import Store
from tadqiq.desk.errors import DeskError, TransitionRefused
from tadqiq.desk.guard import (
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
from tadqiq.desk.models import EvidenceFile, FollowUp, Recommendation

DECLARABLE = ("en_cours", "mise_en_oeuvre")
DECLARE_FROM = ("non_demarree", "en_cours")
VERIFY_FROM = ("mise_en_oeuvre",)
REOPEN_FROM = ("mise_en_oeuvre", "verifiee")
STATUS_LABELS = {
    "non_demarree": "status_open",
    "en_cours": "status_in_progress",
    "mise_en_oeuvre": "status_implemented",
    "verifiee": "status_verified",
    "non_applicable": "status_not_applicable",
    "refusee": "status_refused",
}


def _refused(current: str, target: str) -> TransitionRefused:
    return TransitionRefused(
        "desk_follow_up_transition",
        field="status",
        labels={"current": STATUS_LABELS[current], "target": STATUS_LABELS[target]},
    )


def _step(
    session: Session,
    scope: Scope,
    recommendation: Recommendation,
    *,
    status: str,
    declared_as: str,
    note: str | None,
    files: Sequence[evidence.Checked],
    action: str,
    token: str | None,
) -> Outcome:
    before = snapshot(recommendation)
    step = FollowUp(
        recommendation_id=recommendation.id,
        status=status,
        declared_by=scope.user_id,
        declared_as=declared_as,
        declared_at=guard.now(),
        note=note,
    )
    step.evidence = [
        EvidenceFile(
            sha256=f.sha256, file_name=f.file_name, media_type=f.media_type, size_bytes=f.size_bytes
        )
        for f in files
    ]
    session.add(step)
    recommendation.status = status
    touch(recommendation, scope)
    session.flush()
    return record(
        session,
        scope,
        entity="recommendation",
        row=recommendation,
        action=action,
        before=before,
        token=token,
        extra={
            "follow_up_id": step.id,
            "declared_as": declared_as,
            "note": note,
            "evidence": [f.sha256 for f in files],
        },
    )


def declare(
    store: Store,
    scope: Scope,
    recommendation_id: object,
    expected_version: object,
    status: object,
    *,
    note: object = None,
    files: Sequence[evidence.Upload] = (),
    token: object = None,
) -> Outcome:
    """The focal point declares progress (``en_cours``) or implementation (``mise_en_oeuvre``,
    with at least one evidence file)."""
    detail = f"follow_up:declare:{status}"

    def work(session: Session, token: str | None) -> Outcome:
        recommendation = load(session, scope, Recommendation, recommendation_id, detail)
        code = recommendation.collectivity_code
        authorize(scope, "follow_up_declaration", code, detail)
        if status == "verifiee":
            raise deny(scope, "verify_auditor_only", code, f"{detail}:{recommendation_id}")
        if status not in DECLARABLE:
            raise forged(scope, code, f"{detail}:{recommendation_id}")
        check_version(recommendation, expected_version, "recommendation")
        if recommendation.status not in DECLARE_FROM:
            raise _refused(recommendation.status, str(status))
        cleaned = checks.text(note, "note", 2000, required=False)
        checked = evidence.check_all(tuple(files))
        if status == "mise_en_oeuvre" and not checked:
            raise DeskError("desk_evidence_required", field="evidence")
        for file in checked:
            evidence.store(file)
        return _step(
            session, scope, recommendation, status=str(status), declared_as="audite",
            note=cleaned, files=checked, action="declare", token=token,
        )  # fmt: skip

    return run_write(
        store,
        scope,
        token,
        work,
        lambda s: s.get(Recommendation, recommendation_id),
        entity="recommendation",
    )


def _auditor_step(
    store: Store,
    scope: Scope,
    recommendation_id: object,
    expected_version: object,
    *,
    target: str,
    allowed_from: tuple[str, ...],
    note: object,
    note_required: bool,
    action: str,
    token: object,
) -> Outcome:
    detail = f"follow_up:{action}"

    def work(session: Session, token: str | None) -> Outcome:
        recommendation = load(session, scope, Recommendation, recommendation_id, detail)
        code = recommendation.collectivity_code
        if scope.role not in DESK_WRITES["follow_up_verification"]:
            raise deny(scope, "verify_auditor_only", code, f"{detail}:{recommendation_id}")
        authorize(scope, "follow_up_verification", code, detail)
        check_version(recommendation, expected_version, "recommendation")
        if recommendation.status not in allowed_from:
            raise _refused(recommendation.status, target)
        field = "reason" if note_required else "note"
        cleaned = checks.text(note, field, 2000, required=note_required)
        return _step(
            session, scope, recommendation, status=target, declared_as="auditeur",
            note=cleaned, files=(), action=action, token=token,
        )  # fmt: skip

    return run_write(
        store,
        scope,
        token,
        work,
        lambda s: s.get(Recommendation, recommendation_id),
        entity="recommendation",
    )


def verify(
    store: Store,
    scope: Scope,
    recommendation_id: object,
    expected_version: object,
    *,
    note: object = None,
    token: object = None,
) -> Outcome:
    """An auditor verifies a recommendation declared implemented."""
    return _auditor_step(
        store, scope, recommendation_id, expected_version, target="verifiee",
        allowed_from=VERIFY_FROM, note=note, note_required=False, action="verify", token=token,
    )  # fmt: skip


def reopen(
    store: Store,
    scope: Scope,
    recommendation_id: object,
    expected_version: object,
    *,
    reason: object,
    token: object = None,
) -> Outcome:
    """An auditor sends a declared or verified recommendation back to ``en_cours``, saying why."""
    return _auditor_step(
        store, scope, recommendation_id, expected_version, target="en_cours",
        allowed_from=REOPEN_FROM, note=reason, note_required=True, action="reopen", token=token,
    )  # fmt: skip
