"""What the forms read from the desk, under the user's scope.

Lists are filtered to the scope's collectivities (``reference.covered_codes``); a record asked
for by id outside the scope (or that does not exist) is refused and logged as ``desk_read``.
The data team reads nothing here, as it reads no collectivity data in the warehouse.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tadqiq.access import Scope
from tadqiq.desk import evidence
from tadqiq.desk.db import Store
from tadqiq.desk.guard import READ, deny, load
from tadqiq.desk.models import (
    AuditCell,
    Event,
    EvidenceFile,
    Finding,
    FollowUp,
    Mission,
    Recommendation,
)
from tadqiq.desk.reference import covered_codes

S = TypeVar("S", bound=sa.Select[Any])


def _reader(scope: Scope, detail: str) -> None:
    if not scope.sees_risk_data:
        raise deny(scope, "no_risk_data", None, detail, READ)


def _scoped(statement: S, column: sa.ColumnElement[str], scope: Scope) -> S:
    codes = covered_codes(scope)
    return statement if codes is None else statement.where(column.in_(sorted(codes)))


def missions(store: Store, scope: Scope, statuses: Iterable[str] | None = None) -> list[Mission]:
    """The scope's missions, newest programme first, with their findings and recommendations."""
    _reader(scope, "desk:missions")
    statement = _scoped(
        sa.select(Mission).options(
            selectinload(Mission.findings).selectinload(Finding.recommendations)
        ),
        Mission.collectivity_code,
        scope,
    ).order_by(Mission.programme_year.desc(), Mission.reference)
    if statuses is not None:
        statement = statement.where(Mission.status.in_(list(statuses)))
    with store.session() as session:
        return list(session.scalars(statement))


def references_taken(store: Store, scope: Scope) -> set[str]:
    """The mission references the desk already carries in the scope (lines of the adopted
    programme already opened)."""
    return {m.reference for m in missions(store, scope)}


def recommendations(
    store: Store, scope: Scope, statuses: Iterable[str] | None = None
) -> list[Recommendation]:
    """The scope's recommendations, with their finding, mission and follow-up steps."""
    _reader(scope, "desk:recommendations")
    statement = _scoped(
        sa.select(Recommendation).options(
            selectinload(Recommendation.finding).selectinload(Finding.mission),
            selectinload(Recommendation.follow_ups).selectinload(FollowUp.evidence),
        ),
        Recommendation.collectivity_code,
        scope,
    ).order_by(Recommendation.due_on, Recommendation.reference)
    if statuses is not None:
        statement = statement.where(Recommendation.status.in_(list(statuses)))
    with store.session() as session:
        return list(session.scalars(statement))


def cells(store: Store, scope: Scope) -> list[AuditCell]:
    _reader(scope, "desk:cells")
    statement = _scoped(
        sa.select(AuditCell).options(selectinload(AuditCell.members)),
        AuditCell.collectivity_code,
        scope,
    ).order_by(AuditCell.collectivity_code)
    with store.session() as session:
        return list(session.scalars(statement))


def history(store: Store, scope: Scope, entity: str, entity_id: int) -> list[Event]:
    """The events of one record, oldest first (refused and logged outside the scope)."""
    _reader(scope, f"desk:history:{entity}")
    model = {"mission": Mission, "finding": Finding, "recommendation": Recommendation}[entity]
    with store.session() as session:
        load(session, scope, model, entity_id, f"desk:history:{entity}", READ)
        return list(
            session.scalars(
                sa.select(Event)
                .where(Event.entity == entity, Event.entity_id == entity_id)
                .order_by(Event.id)
            )
        )


def evidence_file(store: Store, scope: Scope, evidence_id: int) -> tuple[EvidenceFile, bytes]:
    """An evidence file and its bytes, if its recommendation is in the scope."""
    detail = "desk:evidence"
    _reader(scope, detail)
    with store.session() as session:
        row = session.get(EvidenceFile, evidence_id) if isinstance(evidence_id, int) else None
        recommendation_id = row.follow_up.recommendation_id if row is not None else None
        load(session, scope, Recommendation, recommendation_id, f"{detail}:{evidence_id}", READ)
        assert row is not None
        return row, evidence.read(row.sha256)


def last_event_id(store: Store) -> int:
    """The newest event's number (0 without any): the sensor's cursor, no collectivity data."""
    with store.session() as session:
        return int(session.scalar(sa.select(sa.func.max(Event.id))) or 0)
