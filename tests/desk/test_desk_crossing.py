"""Crossing attempts on the write side, on SQLite and on PostgreSQL: each is refused with
``AccessDenied``, writes nothing (every table's count is unchanged, no evidence file is
stored), and leaves one ``denied`` record in the access log saying who, what and where.

Moulay Abdallah (06.181.05.01, region 06) has a mission in progress (id 1), a finding (1)
and two recommendations: 1 not started, 2 declared implemented (version 2).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from desk_fixtures import (
    ANFA,
    AUDITOR,
    AUDITOR_CASA,
    DATA_TEAM,
    FOCAL,
    FOCAL_CASA,
    IGAT,
    IGF_05,
    MINISTRY,
    MOULAY,
    REGION_01,
    REGION_06,
    counts,
    denials,
    finding,
    open_mission,
    pdf,
)

from tadqiq.access import AccessDenied, Scope
from tadqiq.desk import db, evidence, follow_up, missions, queries

Attempt = Callable[[db.Store], Any]


@pytest.fixture
def moulay(store: db.Store) -> db.Store:
    found = finding(store)  # mission 1 in progress, finding 1
    for _ in range(2):
        missions.issue_recommendation(
            store, AUDITOR, found.entity_id, text="Rapprocher la paie", owner="Division RH",
            priority=1, issued_on=date(2025, 4, 1), due_on=date(2025, 9, 30),
        )  # fmt: skip
    follow_up.declare(store, FOCAL, 2, 1, "mise_en_oeuvre", files=[pdf()])
    return store


def declare(scope: Scope, rec: int, version: int, status: str = "mise_en_oeuvre") -> Attempt:
    return lambda s: follow_up.declare(
        s, scope, rec, version, status, files=[pdf("preuve_forgee.pdf")]
    )


def opening(scope: Scope, **changes: Any) -> Attempt:
    return lambda s: open_mission(s, scope, **changes)


CASES: dict[str, tuple[Attempt, Scope, str, str | None, str]] = {
    # name: (attempt, who, reason, collectivity_code logged, detail logged)
    "focal point of another collectivity declares": (
        declare(FOCAL_CASA, 1, 1), FOCAL_CASA, "desk_record", MOULAY,
        "desk_record; follow_up:declare:mise_en_oeuvre:1",
    ),
    "focal point of another collectivity reads the history": (
        lambda s: queries.history(s, FOCAL_CASA, "recommendation", 1), FOCAL_CASA,
        "desk_record", MOULAY, "desk_record; desk:history:recommendation:1",
    ),
    "region 01 opens a mission in region 06": (
        opening(REGION_01), REGION_01, "out_of_scope", MOULAY, "out_of_scope; mission:open",
    ),
    "region 01 starts region 06's mission": (
        lambda s: missions.transition_mission(s, REGION_01, 1, 2, "rapport",
                                              actual_end=date(2025, 4, 18), actual_days=50),
        REGION_01, "desk_record", MOULAY, "desk_record; mission:transition:rapport:1",
    ),
    "region 01 records a finding on region 06's mission": (
        lambda s: missions.record_finding(s, REGION_01, 1, category="HR", severity=1,
                                          found_on=date(2025, 3, 20), condition="x"),
        REGION_01, "desk_record", MOULAY, "desk_record; finding:record:1",
    ),
    "inspector of region 05 opens a mission in region 06": (
        opening(IGF_05, auditor_body="IGF"), IGF_05, "out_of_scope", MOULAY,
        "out_of_scope; mission:open",
    ),
    "focal point declares 'vérifiée'": (
        declare(FOCAL, 1, 1, "verifiee"), FOCAL, "verify_auditor_only", MOULAY,
        "verify_auditor_only; follow_up:declare:verifiee:1",
    ),
    "focal point calls the verification": (
        lambda s: follow_up.verify(s, FOCAL, 2, 2), FOCAL, "verify_auditor_only", MOULAY,
        "verify_auditor_only; follow_up:verify:2",
    ),
    "focal point reopens": (
        lambda s: follow_up.reopen(s, FOCAL, 2, 2, reason="Je préfère recommencer"), FOCAL,
        "verify_auditor_only", MOULAY, "verify_auditor_only; follow_up:reopen:2",
    ),
    "forged field: a mission moved to another collectivity": (
        lambda s: missions.update_mission(s, AUDITOR, 1, 2, {"collectivity_code": "01.511.01.0"}),
        AUDITOR, "forged_field", MOULAY, "forged_field; mission:update:1:['collectivity_code']",
    ),
    "forged field: a status set by the planning form": (
        lambda s: missions.update_mission(s, AUDITOR, 1, 2, {"status": "cloturee"}),
        AUDITOR, "forged_field", MOULAY, "forged_field; mission:update:1:['status']",
    ),
    "forged field: a cell opens an IGAT mission": (
        opening(AUDITOR, auditor_body="IGAT"), AUDITOR, "forged_field", MOULAY,
        "forged_field; mission:open:auditor_body='IGAT'",
    ),
    "forged field: a declaration of 'non applicable'": (
        declare(FOCAL, 1, 1, "non_applicable"), FOCAL, "forged_field", MOULAY,
        "forged_field; follow_up:declare:non_applicable:1",
    ),
    "forged field: an actual end sent with the start": (
        lambda s: missions.transition_mission(s, AUDITOR, 1, 2, "rapport",
                                              actual_start=date(2025, 1, 1),
                                              actual_end=date(2025, 4, 18), actual_days=50),
        AUDITOR, "forged_field", MOULAY,
        "forged_field; mission:transition:rapport:1:['actual_days', 'actual_end', "
        "'actual_start']",
    ),
    "forged field: a mission id as text": (
        lambda s: missions.transition_mission(s, AUDITOR, "1", 2, "rapport",
                                              actual_end=date(2025, 4, 18), actual_days=50),
        AUDITOR, "desk_record", None, "desk_record; mission:transition:rapport:'1'",
    ),
    "an unknown collectivity code": (
        opening(AUDITOR, collectivity_code="99.999.99.99"), AUDITOR, "out_of_scope",
        "99.999.99.99", "out_of_scope; mission:open",
    ),
    "the cell auditor declares for the audited": (
        declare(AUDITOR, 1, 1), AUDITOR, "desk_role", MOULAY,
        "desk_role; follow_up:declare:mise_en_oeuvre",
    ),
    "the ministry opens a mission": (
        opening(MINISTRY), MINISTRY, "desk_role", MOULAY, "desk_role; mission:open",
    ),
    "the data team reads the desk": (
        lambda s: queries.missions(s, DATA_TEAM), DATA_TEAM, "no_risk_data", None,
        "no_risk_data; desk:missions",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_a_crossing_attempt_is_refused_logged_and_writes_nothing(
    moulay: db.Store, data_dir: Path, name: str
) -> None:
    attempt, who, reason, code, detail = CASES[name]
    before = counts(moulay)
    stored = sorted(evidence.evidence_dir().rglob("*"))
    logged = len(denials(data_dir))
    with pytest.raises(AccessDenied) as refused:
        attempt(moulay)
    assert refused.value.reason == reason
    assert "Cette tentative est enregistrée dans le journal des accès." in str(refused.value)
    assert counts(moulay) == before
    assert sorted(evidence.evidence_dir().rglob("*")) == stored
    (record,) = denials(data_dir)[logged:]
    action = "desk_read" if "read" in name else "desk_write"
    assert (record["user"], record["role"], record["action"]) == (who.user_id, who.role, action)
    assert (record["collectivity_code"], record["detail"]) == (code, detail)


def test_what_is_in_scope_passes(moulay: db.Store, data_dir: Path) -> None:
    """The other side of each crossing: the same kind of write, in scope, is accepted."""
    logged = len(denials(data_dir))
    assert opening(REGION_06)(moulay).reference == "TQ-M-2025-0002"  # region 06, in 06
    assert opening(IGAT, auditor_body="IGAT")(moulay).reference == "TQ-M-2025-0003"  # national
    with pytest.raises(AccessDenied):  # an IGAT inspector does not open internal audits
        opening(IGAT, auditor_body="audit_interne")(moulay)
    # Casablanca's cell audits Anfa, one of its arrondissements; its focal point declares
    anfa = open_mission(moulay, AUDITOR_CASA, collectivity_code=ANFA)
    missions.transition_mission(
        moulay, AUDITOR_CASA, anfa.entity_id, 1, "en_cours", actual_start=date(2025, 5, 5)
    )
    found = missions.record_finding(
        moulay, AUDITOR_CASA, anfa.entity_id, category="DOM", severity=2,
        found_on=date(2025, 5, 20), condition="Loyers du domaine privé non révisés",
    )  # fmt: skip
    rec = missions.issue_recommendation(
        moulay, AUDITOR_CASA, found.entity_id, text="Réviser les loyers", owner="Patrimoine",
        priority=2, issued_on=date(2025, 6, 2), due_on=date(2025, 12, 31),
    )  # fmt: skip
    declared = follow_up.declare(moulay, FOCAL_CASA, rec.entity_id, 1, "en_cours")
    assert declared.version == 2
    assert follow_up.verify(moulay, AUDITOR, 2, 2).version == 3  # Moulay's own auditor
    assert len(denials(data_dir)) == logged + 1  # only the IGAT internal-audit attempt
    # each reader sees its own: Casablanca's focal point sees Anfa's recommendation only
    assert [r.reference for r in queries.recommendations(moulay, FOCAL_CASA)] == [rec.reference]
    assert len(queries.missions(moulay, REGION_06)) == 4
    assert [m.collectivity_code for m in queries.missions(moulay, REGION_01)] == []
