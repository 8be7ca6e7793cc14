"""The audit desk's services, on SQLite and on PostgreSQL: every transition allowed or refused,
the bad inputs and their messages (French and Arabic), the version conflict, the double
submit, and the evidence limits. The crossing attempts are in test_desk_crossing.py.

The clock (desk_fixtures.NOW) says 30/06/2025 09:00 UTC, 10:00 in Morocco.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from desk_fixtures import (
    AUDITOR,
    FOCAL,
    MOULAY,
    PDF,
    PNG,
    Clock,
    counts,
    events,
    finding,
    open_mission,
    pdf,
    recommendation,
    started_mission,
)

from tadqiq.desk import db, evidence, follow_up, guard, missions
from tadqiq.desk.errors import DeskError, TransitionRefused, VersionConflict
from tadqiq.desk.evidence import Upload
from tadqiq.desk.models import Mission, Recommendation

# --- missions -------------------------------------------------------------------------------


def test_a_mission_from_planned_to_closed(store: db.Store, clock: Clock) -> None:
    opened = open_mission(store)
    assert (opened.reference, opened.version, opened.replayed) == ("TQ-M-2025-0001", 1, False)
    started = missions.transition_mission(
        store, AUDITOR, opened.entity_id, 1, "en_cours", actual_start=date(2025, 3, 3)
    )
    reported = missions.transition_mission(
        store, AUDITOR, opened.entity_id, 2, "rapport", actual_end=date(2025, 4, 18),
        actual_days=52,
    )  # fmt: skip
    closed = missions.transition_mission(store, AUDITOR, opened.entity_id, 3, "cloturee")
    assert [started.version, reported.version, closed.version] == [2, 3, 4]
    with store.session() as session:
        mission = session.get(Mission, opened.entity_id)
        assert mission is not None
        assert (mission.status, mission.actual_start, mission.actual_end, mission.actual_days) == (
            "cloturee", date(2025, 3, 3), date(2025, 4, 18), 52,
        )  # fmt: skip
    log = events(store)
    assert [(e.action, e.user_id, e.entity, e.entity_id) for e in log] == [
        ("open", "a.tazi", "mission", 1),
        ("status:en_cours", "a.tazi", "mission", 1),
        ("status:rapport", "a.tazi", "mission", 1),
        ("status:cloturee", "a.tazi", "mission", 1),
    ]
    assert log[0].before is None and log[0].after["status"] == "planifiee"
    assert (log[2].before["status"], log[2].after["status"]) == ("en_cours", "rapport")
    assert (log[2].before["actual_end"], log[2].after["actual_end"]) == (None, "2025-04-18")
    assert guard.utc(log[3].at) == datetime(2025, 6, 30, 9, 0, tzinfo=UTC)
    assert {e.collectivity_code for e in log} == {MOULAY}
    # the next mission of 2025 is numbered after it, one of 2026 starts again at 1
    assert open_mission(store).reference == "TQ-M-2025-0002"
    assert open_mission(store, programme_year=2026).reference == "TQ-M-2026-0001"


STATES = ("planifiee", "en_cours", "rapport", "cloturee", "annulee")
ALLOWED = {
    ("planifiee", "en_cours"),
    ("planifiee", "annulee"),
    ("en_cours", "rapport"),
    ("en_cours", "annulee"),
    ("rapport", "cloturee"),
}


def _mission_in(store: db.Store, state: str) -> tuple[int, int]:
    """A mission brought to ``state`` the allowed way; (id, version)."""
    outcome = open_mission(store)
    path = {
        "planifiee": [],
        "en_cours": ["en_cours"],
        "rapport": ["en_cours", "rapport"],
        "cloturee": ["en_cours", "rapport", "cloturee"],
        "annulee": ["annulee"],
    }[state]
    for step in path:
        outcome = missions.transition_mission(
            store, AUDITOR, outcome.entity_id, outcome.version, step, **_needs(step)
        )
    return outcome.entity_id, int(outcome.version or 0)


def _needs(target: str) -> dict[str, object]:
    return {
        "en_cours": {"actual_start": date(2025, 3, 3)},
        "rapport": {"actual_end": date(2025, 4, 18), "actual_days": 52},
        "cloturee": {},
        "annulee": {"reason": "Mission reportée au programme 2026 (élections partielles)"},
        "planifiee": {},
    }[target]


def test_every_mission_transition_allowed_or_refused(store: db.Store) -> None:
    refused = []
    for current in STATES:
        for target in STATES:
            mission_id, version = _mission_in(store, current)
            before = counts(store)
            try:
                outcome = missions.transition_mission(
                    store, AUDITOR, mission_id, version, target, **_needs(target)
                )
            except TransitionRefused as error:
                assert counts(store) == before  # nothing written
                refused.append((current, target))
                if (current, target) == ("planifiee", "cloturee"):
                    assert str(error) == (
                        "Transition refusée : une mission « Planifiée » ne peut pas passer à "
                        "« Clôturée »."
                    )
                    assert error.message("ar") == (
                        "انتقال مرفوض: لا يمكن لمهمة «مبرمجة» أن تنتقل إلى «مختتمة»."
                    )
            else:
                assert (current, target) in ALLOWED
                assert outcome.version == version + 1
    assert set(refused) == {(a, b) for a in STATES for b in STATES} - ALLOWED
    assert len(refused) == 20


def test_cancelling_needs_a_reason_and_keeps_it(store: db.Store) -> None:
    opened = open_mission(store)
    for reason in (None, "   "):
        with pytest.raises(DeskError) as missing:
            missions.transition_mission(
                store, AUDITOR, opened.entity_id, 1, "annulee", reason=reason
            )
        assert missing.value.field == "reason"
        assert str(missing.value) == "« Motif » est obligatoire."
        assert missing.value.message("ar") == "«السبب» إلزامي."
    cancelled = missions.transition_mission(
        store, AUDITOR, opened.entity_id, 1, "annulee", reason="  Cellule en effectif réduit "
    )
    assert cancelled.version == 2
    with store.session() as session:
        mission = session.get(Mission, opened.entity_id)
        assert mission is not None
        assert (mission.status, mission.cancel_reason) == ("annulee", "Cellule en effectif réduit")


def test_starting_and_reporting_check_their_dates(store: db.Store) -> None:
    opened = open_mission(store)
    with pytest.raises(DeskError) as future:  # today is 30/06/2025
        missions.transition_mission(
            store, AUDITOR, opened.entity_id, 1, "en_cours", actual_start=date(2025, 7, 1)
        )
    assert str(future.value) == "« Début réel » (01/07/2025) ne peut pas être une date à venir."
    missions.transition_mission(
        store, AUDITOR, opened.entity_id, 1, "en_cours", actual_start=date(2025, 3, 3)
    )
    with pytest.raises(DeskError) as order:
        missions.transition_mission(
            store, AUDITOR, opened.entity_id, 2, "rapport", actual_end=date(2025, 3, 1),
            actual_days=10,
        )  # fmt: skip
    assert str(order.value) == (
        "« Fin réelle » (01/03/2025) ne peut pas précéder « Début réel » (03/03/2025)."
    )
    assert order.value.message("ar") == (
        "لا يمكن أن يسبق «تاريخ الانتهاء الفعلي» (01/03/2025) «تاريخ الانطلاق الفعلي» (03/03/2025)."
    )
    assert order.value.field == "actual_end"


def test_bad_mission_input_gets_a_message_and_writes_nothing(store: db.Store) -> None:
    before = counts(store)
    cases = [
        (
            {"planned_start": date(2025, 3, 15), "planned_end": date(2025, 3, 1)},
            "planned_end",
            "« Fin prévue » (01/03/2025) ne peut pas précéder « Début prévu » (15/03/2025).",
        ),
        (
            {"planned_days": 0},
            "planned_days",
            "« Jours-auditeur prévus » doit être un nombre entier de 1 à 3\u202f650 (reçu : 0).",
        ),
        (
            {"programme_type": "triennal"},
            "programme_type",
            "« Programme » : « triennal » n'est pas une valeur admise (annuel, pluriannuel).",
        ),
        ({"process": ""}, "process", "« Processus audité » est obligatoire."),
        ({"planned_start": "2025-03-01"}, "planned_start", "« Début prévu » doit être une date."),
    ]
    for changes, field, message in cases:
        with pytest.raises(DeskError) as bad:
            open_mission(store, **changes)
        assert (bad.value.field, str(bad.value)) == (field, message)
    assert counts(store) == before


def test_planning_changes_and_actuals_once_started(store: db.Store) -> None:
    opened = open_mission(store)
    with pytest.raises(DeskError) as early:
        missions.update_mission(store, AUDITOR, opened.entity_id, 1, {"actual_days": 5})
    assert str(early.value) == (
        "Les dates et jours réels se saisissent une fois la mission commencée."
    )
    moved = missions.update_mission(
        store, AUDITOR, opened.entity_id, 1,
        {"planned_start": date(2025, 3, 10), "planned_end": date(2025, 4, 30), "planned_days": 50},
    )  # fmt: skip
    assert moved.version == 2
    (_, update) = events(store)
    assert update.action == "update"
    assert (update.before["planned_days"], update.after["planned_days"]) == (45, 50)
    assert (update.before["planned_end"], update.after["planned_end"]) == (
        "2025-04-15", "2025-04-30",
    )  # fmt: skip


# --- findings and recommendations -----------------------------------------------------------


def test_a_finding_on_the_ministrys_scale(store: db.Store) -> None:
    mission = open_mission(store)
    with pytest.raises(DeskError) as not_started:
        missions.record_finding(
            store, AUDITOR, mission.entity_id, category="HR", severity=2,
            found_on=date(2025, 3, 20), condition="x",
        )  # fmt: skip
    assert str(not_started.value) == (
        "Un constat s'enregistre sur une mission en cours ou au rapport ; celle-ci est "
        "« Planifiée »."
    )
    missions.transition_mission(
        store, AUDITOR, mission.entity_id, 1, "en_cours", actual_start=date(2025, 3, 3)
    )
    for severity in (0, 5, 2.5, True):
        with pytest.raises(DeskError) as off_scale:
            missions.record_finding(
                store, AUDITOR, mission.entity_id, category="HR", severity=severity,
                found_on=date(2025, 3, 20), condition="x",
            )  # fmt: skip
        assert off_scale.value.field == "severity"
    assert str(off_scale.value) == (
        "Criticité True hors de l'échelle du ministère : de 1 (mineure) à 4 (critique)."
    )
    with pytest.raises(DeskError) as five:
        missions.record_finding(
            store, AUDITOR, mission.entity_id, category="HR", severity=5,
            found_on=date(2025, 3, 20), condition="x",
        )  # fmt: skip
    assert str(five.value) == (
        "Criticité 5 hors de l'échelle du ministère : de 1 (mineure) à 4 (critique)."
    )
    assert five.value.message("ar") == "درجة الخطورة 5 خارج سلم الوزارة: من 1 (طفيفة) إلى 4 (حرجة)."
    with pytest.raises(DeskError) as before_start:
        missions.record_finding(
            store, AUDITOR, mission.entity_id, category="HR", severity=4,
            found_on=date(2025, 3, 1), condition="x",
        )  # fmt: skip
    assert str(before_start.value) == (
        "« Date du constat » (01/03/2025) ne peut pas précéder « Début réel » (03/03/2025)."
    )
    with pytest.raises(DeskError) as category:
        missions.record_finding(
            store, AUDITOR, mission.entity_id, category="FRAUDE", severity=4,
            found_on=date(2025, 3, 20), condition="x",
        )  # fmt: skip
    assert category.value.field == "category"
    recorded = missions.record_finding(
        store, AUDITOR, mission.entity_id, category="HR", severity=4,
        found_on=date(2025, 3, 20), condition="  Douze agents payés sans service fait ",
        financial_impact=864000,
    )  # fmt: skip
    assert (recorded.reference, recorded.version) == ("TQ-C-2025-0001", 1)
    last = events(store)[-1]
    assert last.after["condition"] == "Douze agents payés sans service fait"
    assert last.after["mission_reference"] == "TQ-M-2025-0001"
    assert last.after["financial_impact"] == 864000.0


def test_a_recommendation_cannot_fall_due_before_its_finding(store: db.Store) -> None:
    found = finding(store)  # found on 20/03/2025
    base = {"text": "Rapprocher la paie", "owner": "Division RH", "priority": 2}
    before = counts(store)
    cases = [
        (
            {"issued_on": date(2025, 4, 1), "due_on": date(2025, 3, 10)},
            "due_on",
            "« Échéance » (10/03/2025) ne peut pas précéder « Date du constat » (20/03/2025).",
        ),
        (
            {"issued_on": date(2025, 4, 1), "due_on": date(2025, 3, 25)},
            "due_on",
            "« Échéance » (25/03/2025) ne peut pas précéder « Date d'émission » (01/04/2025).",
        ),
        (
            {"issued_on": date(2025, 3, 19), "due_on": date(2025, 9, 30)},
            "issued_on",
            "« Date d'émission » (19/03/2025) ne peut pas précéder « Date du constat » "
            "(20/03/2025).",
        ),
        (
            {"issued_on": date(2025, 4, 1), "due_on": date(2025, 9, 30), "priority": 4},
            "priority",
            "Priorité 4 hors de l'échelle : de 1 (haute) à 3 (basse).",
        ),
    ]
    for changes, field, message in cases:
        with pytest.raises(DeskError) as bad:
            missions.issue_recommendation(store, AUDITOR, found.entity_id, **(base | changes))
        assert (bad.value.field, str(bad.value)) == (field, message)
    assert counts(store) == before
    assert bad.value.message("ar") == "الأولوية 4 خارج السلم: من 1 (عالية) إلى 3 (منخفضة)."
    issued = missions.issue_recommendation(
        store, AUDITOR, found.entity_id, **base, issued_on=date(2025, 4, 1),
        due_on=date(2025, 9, 30),
    )  # fmt: skip
    assert issued.reference == "TQ-R-2025-0001"
    with store.session() as session:
        row = session.get(Recommendation, issued.entity_id)
        assert row is not None and row.status == "non_demarree"


# --- follow-up ------------------------------------------------------------------------------

FOLLOW_STATES = ("non_demarree", "en_cours", "mise_en_oeuvre", "verifiee")


def _recommendation_in(store: db.Store, state: str) -> tuple[int, int]:
    outcome = recommendation(store)
    steps = {
        "non_demarree": [],
        "en_cours": [("declare", "en_cours")],
        "mise_en_oeuvre": [("declare", "mise_en_oeuvre")],
        "verifiee": [("declare", "mise_en_oeuvre"), ("verify", None)],
    }[state]
    for step, status in steps:
        if step == "declare":
            outcome = follow_up.declare(
                store, FOCAL, outcome.entity_id, outcome.version, status, files=[pdf()]
            )
        else:
            outcome = follow_up.verify(store, AUDITOR, outcome.entity_id, outcome.version)
    return outcome.entity_id, int(outcome.version or 0)


ACTIONS = {
    "declare en_cours": (FOCAL, "en_cours"),
    "declare mise_en_oeuvre": (FOCAL, "mise_en_oeuvre"),
    "verify": (AUDITOR, "verifiee"),
    "reopen": (AUDITOR, "en_cours"),
}
FOLLOW_ALLOWED = {
    ("non_demarree", "declare en_cours"),
    ("non_demarree", "declare mise_en_oeuvre"),
    ("en_cours", "declare en_cours"),  # progress declared again
    ("en_cours", "declare mise_en_oeuvre"),
    ("mise_en_oeuvre", "verify"),
    ("mise_en_oeuvre", "reopen"),
    ("verifiee", "reopen"),
}


def test_every_follow_up_step_allowed_or_refused(store: db.Store) -> None:
    refused = []
    for state in FOLLOW_STATES:
        for action, (scope, target) in ACTIONS.items():
            rec_id, version = _recommendation_in(store, state)
            before = counts(store)
            try:
                if action.startswith("declare"):
                    outcome = follow_up.declare(
                        store, scope, rec_id, version, target, files=[pdf()]
                    )
                elif action == "verify":
                    outcome = follow_up.verify(store, scope, rec_id, version, note="Vu sur place")
                else:
                    outcome = follow_up.reopen(
                        store, scope, rec_id, version, reason="Pièce illisible"
                    )
            except TransitionRefused:
                assert counts(store) == before
                refused.append((state, action))
            else:
                assert (state, action) in FOLLOW_ALLOWED
                assert outcome.version == version + 1
                with store.session() as session:
                    row = session.get(Recommendation, rec_id)
                    assert row is not None and row.status == target
    assert set(refused) == {(s, a) for s in FOLLOW_STATES for a in ACTIONS} - FOLLOW_ALLOWED


def test_the_focal_point_declares_with_a_pdf_and_the_auditor_verifies(
    store: db.Store, data_dir: Path, clock: Clock
) -> None:
    rec = recommendation(store)
    with pytest.raises(DeskError) as no_proof:
        follow_up.declare(store, FOCAL, rec.entity_id, 1, "mise_en_oeuvre", note="Fait")
    assert str(no_proof.value) == (
        "Joignez au moins un élément probant (PDF, PNG ou JPEG) pour déclarer la recommandation "
        "mise en œuvre."
    )
    declared = follow_up.declare(
        store, FOCAL, rec.entity_id, 1, "mise_en_oeuvre", note="Rapprochement de mai",
        files=[pdf("C:\\Users\\amrani\\rapprochement mai.pdf")],
    )  # fmt: skip
    clock.set(datetime(2025, 7, 2, 8, 30, tzinfo=UTC))
    with pytest.raises(DeskError) as no_reason:
        follow_up.reopen(store, AUDITOR, rec.entity_id, declared.version, reason="")
    assert str(no_reason.value) == "« Motif » est obligatoire."
    verified = follow_up.verify(store, AUDITOR, rec.entity_id, declared.version)
    assert (declared.version, verified.version) == (2, 3)
    with store.session() as session:
        row = session.get(Recommendation, rec.entity_id)
        assert row is not None
        steps = [(s.status, s.declared_by, s.declared_as, s.note) for s in row.follow_ups]
        files = [(f.file_name, f.media_type, f.size_bytes) for f in row.follow_ups[0].evidence]
        sha = row.follow_ups[0].evidence[0].sha256
    assert steps == [
        ("mise_en_oeuvre", "s.amrani", "audite", "Rapprochement de mai"),
        ("verifiee", "a.tazi", "auditeur", None),
    ]
    assert files == [("rapprochement mai.pdf", "application/pdf", len(PDF))]
    stored = data_dir / "evidence" / sha[:2] / sha
    assert stored.read_bytes() == PDF and stored.stat().st_mode & 0o777 == 0o400
    declare_event, verify_event = events(store)[-2:]
    assert declare_event.after["evidence"] == [sha]
    assert (declare_event.role, verify_event.role) == ("focal_point", "collectivity")
    assert guard.utc(verify_event.at) == datetime(2025, 7, 2, 8, 30, tzinfo=UTC)


# --- no lost update, no double submit --------------------------------------------------------


def test_the_second_of_two_edits_gets_a_clear_message_and_nothing_is_overwritten(
    store: db.Store, clock: Clock
) -> None:
    opened = open_mission(store)
    other = type(AUDITOR)(AUDITOR.role, "y.fassi", MOULAY)  # a colleague of the same cell
    # both opened the mission at version 1; y.fassi saves first, at 10:15 in Morocco
    clock.set(datetime(2025, 6, 30, 9, 15, tzinfo=UTC))
    missions.update_mission(store, other, opened.entity_id, 1, {"planned_days": 60})
    before = counts(store)
    with pytest.raises(VersionConflict) as conflict:
        missions.update_mission(store, AUDITOR, opened.entity_id, 1, {"planned_days": 30})
    assert str(conflict.value) == (
        "y.fassi a enregistré ce(tte) mission le 30/06/2025 10:15, après que vous l'avez "
        "ouvert(e) : rien n'a été écrasé. Rechargez pour voir sa version, puis refaites votre "
        "modification."
    )
    assert "قام y.fassi بحفظ المهمة بتاريخ 30/06/2025 10:15" in conflict.value.message("ar")
    assert counts(store) == before
    with store.session() as session:
        mission = session.get(Mission, opened.entity_id)
        assert mission is not None and (mission.planned_days, mission.version) == (60, 2)


def test_a_concurrent_commit_between_the_check_and_the_update_is_caught(
    store: db.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two submits at version 1 interleaved inside the write: the check passes for both, the
    database decides. On SQLite the other submit commits first and this one's ``update …
    where version = 1`` finds no row; on PostgreSQL this one holds the row (``select … for
    update``), so the other waits, then finds version 2. Either way one wins, the other gets
    VersionConflict, one event."""
    opened = open_mission(store)
    other = type(AUDITOR)(AUDITOR.role, "y.fassi", MOULAY)
    outcomes: dict[str, object] = {}

    def colleague() -> None:
        try:
            outcomes["y.fassi"] = missions.update_mission(
                store, other, opened.entity_id, 1, {"planned_days": 60}
            )
        except VersionConflict as error:
            outcomes["y.fassi"] = error

    real_check = missions.check_version
    thread = threading.Thread(target=colleague)

    def check_then_let_the_colleague_in(row, expected, entity):  # type: ignore[no-untyped-def]
        real_check(row, expected, entity)
        if not thread.is_alive() and "started" not in outcomes:
            outcomes["started"] = True
            thread.start()
            thread.join(timeout=2)  # SQLite: it finishes; PostgreSQL: it waits on our lock

    monkeypatch.setattr(missions, "check_version", check_then_let_the_colleague_in)
    try:
        outcomes["a.tazi"] = missions.update_mission(
            store, AUDITOR, opened.entity_id, 1, {"planned_days": 30}
        )
    except VersionConflict as error:
        outcomes["a.tazi"] = error
    thread.join(timeout=30)
    winner = "y.fassi" if store.dialect == "sqlite" else "a.tazi"
    loser = "a.tazi" if winner == "y.fassi" else "y.fassi"
    assert isinstance(outcomes[loser], VersionConflict)
    assert getattr(outcomes[winner], "version", None) == 2
    with store.session() as session:
        mission = session.get(Mission, opened.entity_id)
        assert mission is not None
        assert mission.planned_days == {"y.fassi": 60, "a.tazi": 30}[winner]
        assert mission.updated_by == winner
    assert [e.action for e in events(store)] == ["open", "update"]


def test_a_double_submit_creates_one_event(store: db.Store) -> None:
    first = open_mission(store, token="form-7f3a9c21")
    second = open_mission(store, token="form-7f3a9c21")
    assert (first.replayed, second.replayed) == (False, True)
    assert (second.entity_id, second.reference, second.event_id) == (1, "TQ-M-2025-0001", 1)
    started = missions.transition_mission(
        store, AUDITOR, 1, 1, "en_cours", actual_start=date(2025, 3, 3), token="form-0b1c2d3e"
    )
    again = missions.transition_mission(
        store, AUDITOR, 1, 1, "en_cours", actual_start=date(2025, 3, 3), token="form-0b1c2d3e"
    )  # the stale version 1 is not even looked at: the submit was already done
    assert (started.version, again.version, again.replayed) == (2, 2, True)
    assert [e.action for e in events(store)] == ["open", "status:en_cours"]
    with pytest.raises(DeskError) as stolen:  # another user cannot replay someone's token
        open_mission(store, type(AUDITOR)(AUDITOR.role, "y.fassi", MOULAY), token="form-7f3a9c21")
    assert str(stolen.value) == (
        "Ce formulaire a déjà servi à un autre utilisateur : rechargez la page."
    )
    with pytest.raises(DeskError):
        open_mission(store, token="x")  # not a token the forms make


def test_two_submits_of_one_token_racing_write_once(
    store: db.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first look for the token misses (the other submit had not committed yet): the event's
    unique token stops the second write, which is rolled back and answered with the first's
    outcome."""
    first = open_mission(store, token="form-race-0001")
    real = guard._replay
    calls = []

    def miss_once(session, scope, token):  # type: ignore[no-untyped-def]
        calls.append(token)
        return None if len(calls) == 1 else real(session, scope, token)

    monkeypatch.setattr(guard, "_replay", miss_once)
    second = open_mission(store, token="form-race-0001")
    assert (second.replayed, second.entity_id, second.event_id) == (True, 1, first.event_id)
    assert counts(store)["missions"] == 1 and counts(store)["events"] == 1
    assert counts(store)["sequences"] == 1  # the second number taken was rolled back too
    assert open_mission(store).reference == "TQ-M-2025-0002"


# --- evidence -------------------------------------------------------------------------------


def test_evidence_limits(store: db.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    rec = recommendation(store)
    monkeypatch.setenv(evidence.MAX_BYTES_ENV, str(2 * 2**20))  # 2 Mo
    big = PDF[:-7] + b"0" * (2 * 2**20) + b"\n%%EOF\n"  # 2 Mo and 63 bytes
    cases = [
        (
            Upload("balance.pdf", big),
            "Le fichier « balance.pdf » fait 2,0 Mo : la limite est de 2 Mo par fichier.",
        ),
        (
            Upload("facture.pdf", b"MZ\x90\x00 an executable"),
            "Le fichier « facture.pdf » n'est pas d'un type admis (PDF, PNG, JPEG) : son contenu "
            "ou son extension ne correspond pas.",
        ),
        (Upload("capture.pdf", PNG), None),  # a PNG named .pdf
        (Upload("tronque.pdf", PDF[:-7]), None),  # a PDF cut before its end
        (Upload("note.docx", b"PK\x03\x04 a word file"), None),
        (Upload("vide.pdf", b""), "Le fichier « vide.pdf » est vide."),
    ]
    before = counts(store)
    for upload, message in cases:
        with pytest.raises(DeskError) as refused:
            follow_up.declare(store, FOCAL, rec.entity_id, 1, "mise_en_oeuvre", files=[upload])
        assert refused.value.field == "evidence"
        assert refused.value.key in (
            "desk_evidence_too_big", "desk_evidence_type", "desk_evidence_empty",
        )  # fmt: skip
        if message:
            assert str(refused.value) == message
    assert refused.value.message("ar") == "الملف «vide.pdf» فارغ."
    with pytest.raises(DeskError) as too_many:
        follow_up.declare(
            store, FOCAL, rec.entity_id, 1, "mise_en_oeuvre",
            files=[pdf(f"piece_{n}.pdf") for n in range(6)],
        )  # fmt: skip
    assert str(too_many.value) == "Au plus 5 fichiers par déclaration."
    assert counts(store) == before
    assert not (evidence.evidence_dir()).exists()  # nothing stored for a refused declaration
    accepted = follow_up.declare(
        store, FOCAL, rec.entity_id, 1, "mise_en_oeuvre",
        files=[Upload("photo.JPG", b"\xff\xd8\xff\xe0 a photo"), Upload("plan.png", PNG),
               pdf("a.pdf"), pdf("copie de a.pdf")],
    )  # fmt: skip
    assert accepted.version == 2
    stored = sorted(p.name for p in evidence.evidence_dir().rglob("*") if p.is_file())
    assert len(stored) == 3  # the same PDF twice is one file


def test_evidence_is_read_back_against_its_hash(data_dir: Path) -> None:
    checked = evidence.check(pdf())
    path = evidence.store(checked)
    assert evidence.read(checked.sha256) == PDF
    path.chmod(0o600)
    path.write_bytes(PDF.replace(b"Catalog", b"Catalox"))
    with pytest.raises(RuntimeError, match="does not match its hash"):
        evidence.read(checked.sha256)
    with pytest.raises(ValueError):
        evidence.path_of("../../etc/passwd")


def test_a_declaration_not_started_from_the_desk_forms_is_still_checked(
    store: db.Store,
) -> None:
    rec = recommendation(store)
    with pytest.raises(DeskError) as long_note:
        follow_up.declare(store, FOCAL, rec.entity_id, 1, "en_cours", note="x" * 2001)
    assert str(long_note.value) == "« Commentaire » : 2\u202f000 caractères au plus."
    assert started_mission  # (helper re-exported for the crossing tests)


# --- the cell and its self-assessment ------------------------------------------------------


def test_the_cell_its_members_and_its_capacity(store: db.Store) -> None:
    from tadqiq.desk import cells, queries

    with pytest.raises(DeskError) as order:
        cells.save_cell(
            store, AUDITOR, collectivity_code=MOULAY, created_on=date(2021, 9, 1),
            charter_on=date(2021, 2, 15), auditor_days_per_year=440,
        )  # fmt: skip
    assert str(order.value) == (
        "« Date d'adoption de la charte » (15/02/2021) ne peut pas précéder « Date de création » "
        "(01/09/2021)."
    )
    created = cells.save_cell(
        store, AUDITOR, collectivity_code=MOULAY, created_on=date(2021, 2, 15), charter_on=None,
        auditor_days_per_year=440,
    )  # fmt: skip
    changed = cells.save_cell(
        store, AUDITOR, collectivity_code=MOULAY, created_on=date(2021, 2, 15),
        charter_on=date(2021, 9, 1), auditor_days_per_year=660, expected_version=1,
    )  # fmt: skip
    assert (created.version, changed.version) == (1, 2)
    with pytest.raises(VersionConflict):  # someone saved it since version 1
        cells.save_cell(
            store, AUDITOR, collectivity_code=MOULAY, created_on=date(2021, 2, 15),
            charter_on=None, auditor_days_per_year=0, expected_version=1,
        )  # fmt: skip
    member = cells.add_member(
        store, AUDITOR, created.entity_id, full_name="Amina Tazi", function="chef",
        user_id="a.tazi",
    )  # fmt: skip
    with pytest.raises(DeskError) as function:
        cells.add_member(store, AUDITOR, created.entity_id, full_name="X", function="stagiaire")
    assert str(function.value) == (
        "« Fonction » : « stagiaire » n'est pas une valeur admise (chef, auditeur)."
    )
    cells.set_member_active(store, AUDITOR, member.entity_id, 1, False)
    (cell,) = queries.cells(store, AUDITOR)
    assert (cell.auditor_days_per_year, cell.charter_on) == (660, date(2021, 9, 1))
    assert [(m.full_name, m.active, m.version) for m in cell.members] == [("Amina Tazi", False, 2)]
    assert [e.action for e in events(store)] == ["save", "save", "add", "inactive"]


def test_the_self_assessment_from_draft_to_validated(store: db.Store) -> None:
    from tadqiq.desk import cells

    answers = [
        {"question_code": "CE-01", "component": "environnement_controle", "principle": 1,
         "score": 3, "evidence": "Charte d'éthique adoptée le 12/03/2024"},
        {"question_code": "ER-01", "component": "evaluation_risques", "principle": 6,
         "score": 2},
    ]  # fmt: skip
    draft = cells.save_ic_draft(
        store, FOCAL, collectivity_code=MOULAY, campaign_year=2025, answers=answers[:1]
    )
    again = cells.save_ic_draft(
        store, FOCAL, collectivity_code=MOULAY, campaign_year=2025, answers=answers,
        expected_version=1,
    )  # fmt: skip
    assert (draft.version, again.version) == (1, 2)
    with pytest.raises(DeskError) as score:
        cells.save_ic_draft(
            store, FOCAL, collectivity_code=MOULAY, campaign_year=2025, expected_version=2,
            answers=[answers[0] | {"score": 6}],
        )  # fmt: skip
    assert str(score.value) == (
        "« Niveau de maturité » doit être un nombre entier de 0 à 5 (reçu : 6)."
    )
    submitted = cells.submit_ic(store, FOCAL, draft.entity_id, 2)
    with pytest.raises(DeskError) as locked:
        cells.save_ic_draft(
            store, FOCAL, collectivity_code=MOULAY, campaign_year=2025, answers=answers,
            expected_version=3,
        )  # fmt: skip
    assert str(locked.value) == "Une autoévaluation « soumise » ne se modifie plus."
    returned = cells.return_ic(
        store, AUDITOR, draft.entity_id, submitted.version, reason="Preuve ER-01 manquante"
    )
    resubmitted = cells.submit_ic(store, FOCAL, draft.entity_id, returned.version)
    validated = cells.validate_ic(store, AUDITOR, draft.entity_id, resubmitted.version)
    assert validated.version == 6
    with pytest.raises(TransitionRefused) as twice:
        cells.validate_ic(store, AUDITOR, draft.entity_id, 6)
    assert str(twice.value) == (
        "Transition refusée : une autoévaluation « validée » ne peut pas passer à « validée »."
    )
    assert [e.action for e in events(store)] == [
        "save_draft", "save_draft", "submit", "return", "submit", "validate",
    ]  # fmt: skip
    assert events(store)[3].after["reason"] == "Preuve ER-01 manquante"
