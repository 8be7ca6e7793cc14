"""The operational store's tables (SQLAlchemy 2), one schema for SQLite and PostgreSQL.

Every table a form edits has a ``version`` column (SQLAlchemy's ``version_id_col``): an update
says ``where version = <the version read>``, so a concurrent edit is never overwritten. The
``events`` table is append-only (the migration adds triggers refusing update and delete on
both databases): who, when, which entity and row, what before, what after, and the client
token that makes a submit idempotent (unique).

The schema is created by the Alembic migrations (``tadqiq/desk/migrations``), never by
``create_all``; ``tests/test_desk_store.py`` checks the migrations and these models agree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from ingestion.contracts import FINDING_CATEGORIES, MISSION_STATUSES, RECOMMENDATION_STATUSES

CODE = sa.String(16)  # an HCP collectivity code
REFERENCE = sa.String(40)
USER = sa.String(128)  # an account name or an OpenID Connect ``sub``
NAME = sa.String(200)
SHORT_TEXT = sa.String(500)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: sa.JSON, datetime: sa.DateTime(timezone=True)}  # noqa: RUF012


def _one_of(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} in ({allowed})", name=f"{column}_allowed")


class Versioned:
    """A row a form edits: optimistic concurrency, and who touched it last."""

    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(USER)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class Sequence(Base):
    """Counters for the references the desk gives (``TQ-M-2025-0001``…)."""

    __tablename__ = "sequences"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    value: Mapped[int] = mapped_column(sa.Integer, nullable=False)


class AuditCell(Versioned, Base):
    __tablename__ = "audit_cells"
    __table_args__ = (
        sa.CheckConstraint("charter_on >= created_on", name="charter_after_creation"),
        sa.CheckConstraint("auditor_days_per_year >= 0", name="days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    collectivity_code: Mapped[str] = mapped_column(CODE, unique=True)
    created_on: Mapped[date]
    charter_on: Mapped[date | None]
    auditor_days_per_year: Mapped[int]
    members: Mapped[list[CellMember]] = relationship(
        back_populates="cell", order_by="CellMember.id"
    )


class CellMember(Versioned, Base):
    __tablename__ = "cell_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(sa.ForeignKey("audit_cells.id"), index=True)
    full_name: Mapped[str] = mapped_column(NAME)
    user_id: Mapped[str | None] = mapped_column(USER)  # the member's account, if any
    function: Mapped[str] = mapped_column(sa.String(20))  # chef | auditeur
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    cell: Mapped[AuditCell] = relationship(back_populates="members")


class IcAssessment(Versioned, Base):
    """An internal-control self-assessment (the COSO questionnaire) of one campaign."""

    __tablename__ = "ic_assessments"
    __table_args__ = (
        sa.UniqueConstraint("collectivity_code", "campaign_year"),
        _one_of("status", ("brouillon", "soumise", "validee")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    collectivity_code: Mapped[str] = mapped_column(CODE)
    campaign_year: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(20))  # brouillon | soumise | validee
    answers: Mapped[list[IcAnswer]] = relationship(
        back_populates="assessment", order_by="IcAnswer.question_code"
    )


class IcAnswer(Base):
    __tablename__ = "ic_answers"
    __table_args__ = (
        sa.UniqueConstraint("assessment_id", "question_code"),
        sa.CheckConstraint("score between 0 and 5", name="score_on_the_scale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("ic_assessments.id"), index=True)
    question_code: Mapped[str] = mapped_column(sa.String(16))
    component: Mapped[str] = mapped_column(sa.String(40))
    principle: Mapped[int]
    score: Mapped[int]
    evidence: Mapped[str | None] = mapped_column(SHORT_TEXT)
    assessment: Mapped[IcAssessment] = relationship(back_populates="answers")


class Mission(Versioned, Base):
    __tablename__ = "missions"
    __table_args__ = (
        _one_of("status", MISSION_STATUSES),
        _one_of("programme_type", ("annuel", "pluriannuel")),
        _one_of("auditor_body", ("audit_interne", "IGAT", "IGF")),
        sa.CheckConstraint("planned_end >= planned_start", name="planned_dates_in_order"),
        sa.CheckConstraint("actual_end >= actual_start", name="actual_dates_in_order"),
        sa.CheckConstraint("planned_days >= 0 and actual_days >= 0", name="days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(REFERENCE, unique=True)
    collectivity_code: Mapped[str] = mapped_column(CODE, index=True)
    programme_year: Mapped[int]
    programme_type: Mapped[str] = mapped_column(sa.String(20))  # annuel | pluriannuel
    auditor_body: Mapped[str] = mapped_column(sa.String(20))  # audit_interne | IGAT | IGF
    process: Mapped[str] = mapped_column(sa.String(40))
    planned_start: Mapped[date]
    planned_end: Mapped[date]
    actual_start: Mapped[date | None]
    actual_end: Mapped[date | None]
    planned_days: Mapped[int]
    actual_days: Mapped[int | None]
    status: Mapped[str] = mapped_column(sa.String(20))  # MISSION_STATUSES
    cancel_reason: Mapped[str | None] = mapped_column(SHORT_TEXT)
    findings: Mapped[list[Finding]] = relationship(back_populates="mission", order_by="Finding.id")


class Finding(Versioned, Base):
    __tablename__ = "findings"
    __table_args__ = (
        _one_of("category", FINDING_CATEGORIES),
        sa.CheckConstraint("severity between 1 and 4", name="severity_on_the_scale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(REFERENCE, unique=True)
    mission_id: Mapped[int] = mapped_column(sa.ForeignKey("missions.id"), index=True)
    collectivity_code: Mapped[str] = mapped_column(CODE, index=True)
    category: Mapped[str] = mapped_column(sa.String(8))  # FINDING_CATEGORIES
    subcategory: Mapped[str | None] = mapped_column(NAME)
    severity: Mapped[int]  # the ministry's scale: 1 minor … 4 critical
    financial_impact: Mapped[float | None] = mapped_column(sa.Numeric(18, 2, asdecimal=False))
    found_on: Mapped[date]
    criteria: Mapped[str | None] = mapped_column(sa.Text)
    condition: Mapped[str | None] = mapped_column(sa.Text)
    cause: Mapped[str | None] = mapped_column(sa.Text)
    effect: Mapped[str | None] = mapped_column(sa.Text)
    mission: Mapped[Mission] = relationship(back_populates="findings")
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="finding", order_by="Recommendation.id"
    )


class Recommendation(Versioned, Base):
    __tablename__ = "recommendations"
    __table_args__ = (
        _one_of("status", RECOMMENDATION_STATUSES),
        sa.CheckConstraint("priority between 1 and 3", name="priority_on_the_scale"),
        sa.CheckConstraint("due_on >= issued_on", name="due_after_issue"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(REFERENCE, unique=True)
    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("findings.id"), index=True)
    collectivity_code: Mapped[str] = mapped_column(CODE, index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    owner: Mapped[str] = mapped_column(NAME)  # the division that implements it
    priority: Mapped[int]  # 1 high … 3 low
    issued_on: Mapped[date]
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(20))  # RECOMMENDATION_STATUSES
    finding: Mapped[Finding] = relationship(back_populates="recommendations")
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="recommendation", order_by="FollowUp.id"
    )


class FollowUp(Base):
    """One step of a recommendation's follow-up: a focal point's declaration (progress,
    implementation, with evidence) or an auditor's verification or reopening (with a reason).
    Never updated."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(sa.ForeignKey("recommendations.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20))  # the status it gives the recommendation
    declared_by: Mapped[str] = mapped_column(USER)
    declared_as: Mapped[str] = mapped_column(sa.String(10))  # audite | auditeur (the contract)
    declared_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(sa.Text)
    recommendation: Mapped[Recommendation] = relationship(back_populates="follow_ups")
    evidence: Mapped[list[EvidenceFile]] = relationship(
        back_populates="follow_up", order_by="EvidenceFile.id"
    )


class EvidenceFile(Base):
    """A file attached to a declaration; its bytes are at ``evidence/<sha256[:2]>/<sha256>``."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(sa.ForeignKey("follow_ups.id"), index=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    file_name: Mapped[str] = mapped_column(NAME)
    media_type: Mapped[str] = mapped_column(sa.String(40))
    size_bytes: Mapped[int]
    follow_up: Mapped[FollowUp] = relationship(back_populates="evidence")


class Event(Base):
    """One change, append-only: who, when, what (entity, row, action), before and after."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    user_id: Mapped[str] = mapped_column(USER)
    role: Mapped[str] = mapped_column(sa.String(20))
    entity: Mapped[str] = mapped_column(sa.String(30))
    entity_id: Mapped[int]
    action: Mapped[str] = mapped_column(sa.String(30))
    collectivity_code: Mapped[str] = mapped_column(CODE, index=True)
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any]]
    client_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    __table_args__ = (sa.Index("ix_events_entity", "entity", "entity_id"),)
