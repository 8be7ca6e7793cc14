"""The audit cell and IC self-assessment forms (Streamlit AppTest), on SQLite and on
PostgreSQL, in French and Arabic; the validated self-assessment exported as the IC tool's
workbook and read back by the ingestion's own reader; the crossing attempts.

The clock says 30/06/2025 10:00 in Morocco. Moulay Abdallah (06.181.05.01) has a cell's
auditor (a.tazi) and a focal point (s.amrani); region 06 covers it, region 01 does not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from dashboard_fixtures import build_warehouse
from desk_fixtures import (
    AUDITOR,
    AUDITOR_CASA,
    FOCAL,
    FOCAL_CASA,
    MOULAY,
    REGION_01,
    REGION_06,
    TANGER,
    denials,
    events,
)
from streamlit.testing.v1 import AppTest
from test_desk_pages import submit, texts, widget

from dashboards import auth, desk_forms
from ingestion.contracts import AUDIT_CELLS, IC_DIAGNOSTIC
from ingestion.inbox import ingest_source
from ingestion.readers import read_export
from tadqiq import warehouse as queries
from tadqiq.access import AccessDenied, Scope
from tadqiq.desk import cells, db, export, reference
from tadqiq.desk.models import AuditCell, CellMember, IcAssessment
from tadqiq.i18n import AR, FR
from tadqiq.synthetic.operations import ic_questions

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
CELL = "app_pages/desk_cell.py"
IC = "app_pages/desk_ic.py"


@pytest.fixture
def desk(
    store: db.Store, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[db.Store]:
    monkeypatch.setenv(db.URL_ENV, store.url)
    monkeypatch.setenv(queries.DB_ENV, str(build_warehouse(tmp_path / "w.duckdb")))
    queries.clear_cache()
    yield store
    queries.clear_cache()


def page_as(scope: Scope, page: str, lang: str = "fr", **state: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.SESSION_KEY] = scope
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def the_cell(desk: db.Store) -> AuditCell:
    with desk.session() as session:
        (cell,) = session.query(AuditCell).all()
        return cell


def members(desk: db.Store) -> list[tuple[str, str, str | None, bool]]:
    with desk.session() as session:
        return [
            (m.full_name, m.function, m.user_id, m.active)
            for m in session.query(CellMember).order_by(CellMember.id)
        ]


def assessment(desk: db.Store) -> IcAssessment:
    with desk.session() as session:
        (row,) = session.query(IcAssessment).all()
        _ = row.answers
        return row


# --- the audit cell ------------------------------------------------------------------------


def test_the_cells_auditor_records_its_cell_and_members(desk: db.Store, tmp_path: Path) -> None:
    at = page_as(AUDITOR, CELL)
    assert at.title[0].value == FR["page_desk_cell"]
    assert at.subheader[0].value == "Cellule d'audit — My Abdellah (06.181.05.01)"
    assert texts(at.info) == [FR["desk_cell_none"]]
    # the charter before the creation: the message names both fields, nothing written
    widget(at, "date_input", FR["desk_field_created_on"]).set_value(date(2021, 2, 15))
    widget(at, "date_input", FR["desk_field_charter_on"]).set_value(date(2020, 9, 1))
    widget(at, "number_input", FR["desk_field_auditor_days_per_year"]).set_value(440)
    submit(at, FR["desk_save"])
    assert texts(at.error) == [
        "« Date d'adoption de la charte » (01/09/2020) ne peut pas précéder « Date de création » "
        "(15/02/2021)."
    ]
    assert events(desk) == []
    widget(at, "date_input", FR["desk_field_charter_on"]).set_value(date(2021, 9, 1))
    submit(at, FR["desk_save"])
    assert texts(at.success) == ["Cellule d'audit enregistrée."]
    cell = the_cell(desk)
    assert (cell.collectivity_code, cell.created_on, cell.charter_on) == (
        MOULAY, date(2021, 2, 15), date(2021, 9, 1),
    )  # fmt: skip
    assert (cell.auditor_days_per_year, cell.version, cell.updated_by) == (440, 1, "a.tazi")

    for name, function, account in (("Amina Tazi", "chef", "a.tazi"),
                                    ("Youssef Fassi", "auditeur", ""),
                                    ("Omar Kettani", "auditeur", "")):  # fmt: skip
        widget(at, "text_input", FR["desk_field_full_name"]).set_value(name)
        widget(at, "selectbox", FR["desk_field_function"]).set_value(function)
        widget(at, "text_input", FR["desk_field_user_id"]).set_value(account)
        submit(at, FR["desk_cell_add_member"])
        assert texts(at.success) == ["Membre de la cellule enregistré."]
    at.selectbox(key="desk_member").set_value(3).run()  # Omar Kettani leaves the cell
    submit(at, FR["desk_cell_withdraw"])
    assert members(desk) == [
        ("Amina Tazi", "chef", "a.tazi", True),
        ("Youssef Fassi", "auditeur", None, True),
        ("Omar Kettani", "auditeur", None, False),
    ]
    assert "2 membre(s) actif(s) · capacité de 440 jours-auditeur par an" in texts(at.caption)
    frame = at.dataframe[0].value
    assert list(frame["state"]) == ["actif", "actif", "retiré"]
    assert [e.action for e in events(desk)] == ["save", "add", "add", "add", "inactive"]

    # the same form again, unchanged: nothing written
    submit(at, FR["desk_save"])
    assert texts(at.info)[-1] == FR["desk_nothing_changed"]
    assert len(events(desk)) == 5

    # the cell reaches the inbox as audit_cells, read back by the ingestion's reader
    inbox = tmp_path / "inbox"
    export.write_inbox(desk, inbox)
    read = read_export(export.target(inbox, AUDIT_CELLS), AUDIT_CELLS, set(reference.directory()))
    assert read.landed.drop("source_row", "source_file").to_dicts() == [
        {"code_collectivite": MOULAY, "date_creation": date(2021, 2, 15),
         "date_adoption_charte": date(2021, 9, 1), "nb_auditeurs": 2, "jours_auditeur_an": 440}
    ]  # fmt: skip


def test_the_region_keeps_a_cell_of_its_region_in_arabic(desk: db.Store) -> None:
    at = page_as(REGION_06, CELL, lang="ar", desk_cell_code=MOULAY)
    assert at.title[0].value == AR["page_desk_cell"]
    chosen = at.selectbox(key="desk_cell_code")
    assert (chosen.value, chosen.options[0]) == (MOULAY, "06 · الدار البيضاء-سطات")
    assert "06.181.05.01 · مولاي عبد الله" in chosen.options
    # every collectivity of region 06 in the HCP reference, nothing of another region
    region = [p for p in reference.directory().values() if p.region_code == "06"]
    assert len(chosen.options) == len(region) == 179
    assert all(o.startswith("06") for o in chosen.options)
    submit(at, AR["desk_save"])  # no creation date
    assert texts(at.error) == ["«تاريخ الإحداث» إلزامي."]
    widget(at, "date_input", AR["desk_field_created_on"]).set_value(date(2022, 1, 10))
    widget(at, "number_input", AR["desk_field_auditor_days_per_year"]).set_value(220)
    submit(at, AR["desk_save"])
    assert texts(at.success) == ["تم تسجيل خلية الافتحاص."]
    cell = the_cell(desk)
    assert (cell.collectivity_code, cell.created_on, cell.charter_on) == (
        MOULAY, date(2022, 1, 10), None,
    )  # fmt: skip
    assert (cell.auditor_days_per_year, cell.updated_by) == (220, "r.bennani")


def test_a_stale_cell_form_says_who_saved_first(desk: db.Store) -> None:
    cells.save_cell(
        desk, AUDITOR, collectivity_code=MOULAY, created_on=date(2021, 2, 15), charter_on=None,
        auditor_days_per_year=440,
    )  # fmt: skip
    at = page_as(AUDITOR, CELL)
    cells.save_cell(
        desk, REGION_06, collectivity_code=MOULAY, created_on=date(2021, 2, 15), charter_on=None,
        auditor_days_per_year=500, expected_version=1,
    )  # fmt: skip
    widget(at, "number_input", FR["desk_field_auditor_days_per_year"]).set_value(300)
    submit(at, FR["desk_save"])
    assert texts(at.warning) == [
        "r.bennani a enregistré ce(tte) cellule d'audit le 30/06/2025 10:00, après que vous "
        "l'avez ouvert(e) : rien n'a été écrasé. Rechargez pour voir sa version, puis refaites "
        "votre modification."
    ]
    assert the_cell(desk).auditor_days_per_year == 500


def test_the_cell_crossing_attempts(desk: db.Store, data_dir: Path) -> None:
    cell = cells.save_cell(
        desk, AUDITOR, collectivity_code=MOULAY, created_on=date(2021, 2, 15), charter_on=None,
        auditor_days_per_year=440,
    )  # fmt: skip
    before = len(events(desk))
    # region 01 forces Moulay Abdallah (region 06) into its selector: not on offer, not shown
    at = page_as(REGION_01, CELL, desk_cell_code=MOULAY)
    assert at.selectbox(key="desk_cell_code").value != f"{MOULAY}"
    assert all(o.startswith("01") for o in at.selectbox(key="desk_cell_code").options)
    # … and through the service: refused and logged
    with pytest.raises(AccessDenied):
        cells.save_cell(
            desk, REGION_01, collectivity_code=MOULAY, created_on=date(2021, 2, 15),
            charter_on=None, auditor_days_per_year=1, expected_version=1,
        )  # fmt: skip
    # Casablanca's cell reads, and adds a member to, Moulay Abdallah's cell
    with pytest.raises(AccessDenied):
        cells.cell_of(desk, AUDITOR_CASA, MOULAY)
    with pytest.raises(AccessDenied):
        cells.add_member(desk, AUDITOR_CASA, cell.entity_id, full_name="X", function="chef")
    # a forged field: the collectivity sent as a number; the focal point keeps no cell
    with pytest.raises(AccessDenied):
        cells.save_cell(
            desk, AUDITOR, collectivity_code=61810501, created_on=date(2021, 2, 15),
            charter_on=None, auditor_days_per_year=1,
        )  # fmt: skip
    with pytest.raises(AccessDenied):
        cells.save_cell(
            desk, FOCAL, collectivity_code=MOULAY, created_on=date(2021, 2, 15),
            charter_on=None, auditor_days_per_year=1, expected_version=1,
        )  # fmt: skip
    assert len(events(desk)) == before
    logged = [(d["user"], d["action"], d["collectivity_code"], d["detail"].split(";")[0])
              for d in denials(data_dir)]  # fmt: skip
    assert logged == [
        ("h.elidrissi", "desk_write", MOULAY, "out_of_scope"),
        ("n.alami", "desk_read", MOULAY, "out_of_scope"),
        ("n.alami", "desk_write", MOULAY, "desk_record"),
        ("a.tazi", "desk_write", None, "forged_field"),
        ("s.amrani", "desk_write", MOULAY, "desk_role"),
    ]


# --- the IC self-assessment ----------------------------------------------------------------


def test_the_questionnaire_is_the_workbooks() -> None:
    """The form's questions are those of the IC tool's workbook, as the generator writes it."""
    unit = {"code_digits": "061810501", "collectivity_code": MOULAY}
    written = [tuple(row[:4]) for row in ic_questions(unit, 2024, seed=7)]
    asked = [(q.code, q.component, q.principle, q.text) for q in desk_forms.ic_questionnaire()]
    assert asked == written
    assert len(asked) == 34 and asked[0][0] == "CE-01" and asked[-1][0] == "PI-04"
    assert {q.component for q in desk_forms.ic_questionnaire()} == set(
        IC_DIAGNOSTIC.columns[3].allowed
    )


TYPED = {  # what the focal point types: question → (level, evidence)
    "CE-01": (3, "Charte adoptée par arrêté n° 12/2024"),
    "CE-02": (1, ""),
    "ER-03": (0, ""),
    "AC-06": (4, "Manuel de procédures 2025"),
    "PI-04": (5, "Rapport d'activité"),
}


def _type_answers(at: AppTest, typed: dict[str, tuple[int, str]]) -> None:
    questions = {q.code: q for q in desk_forms.ic_questionnaire()}
    for code, (score, proof) in typed.items():
        label = f"{code} · {questions[code].text}"
        select = next(s for s in at.selectbox if s.label == label)
        select.set_value(score)
        proof_box = next(
            w for w in at.text_input
            if w.key is not None and w.key.endswith(f"_{code}_evidence")
        )  # fmt: skip
        proof_box.set_value(proof)


def test_the_self_assessment_from_draft_to_validation_then_into_the_inbox(
    desk: db.Store, tmp_path: Path
) -> None:
    at = page_as(FOCAL, IC)
    assert at.title[0].value == FR["page_desk_ic"]
    assert at.subheader[0].value == "Autoévaluation — My Abdellah, campagne 2025"
    assert texts(at.info) == [FR["desk_ic_none"]]
    assert FR["desk_ic_validate"] not in [b.label for b in at.button]
    _type_answers(at, dict(list(TYPED.items())[:3]))
    submit(at, FR["desk_ic_save"])
    assert texts(at.success) == ["Brouillon enregistré."]
    draft = assessment(desk)
    assert (draft.collectivity_code, draft.campaign_year, draft.status, draft.version) == (
        MOULAY, 2025, "brouillon", 1,
    )  # fmt: skip
    assert [(a.question_code, a.score, a.evidence) for a in draft.answers] == [
        ("CE-01", 3, "Charte adoptée par arrêté n° 12/2024"),
        ("CE-02", 1, None),
        ("ER-03", 0, None),
    ]
    assert "Statut : brouillon · 3 question(s) renseignée(s) sur 34" in texts(at.caption)
    # the draft again with the rest: the saved answers are shown and kept
    _type_answers(at, dict(list(TYPED.items())[3:]))
    submit(at, FR["desk_ic_save"])
    assert len(assessment(desk).answers) == 5
    submit(at, FR["desk_ic_submit"])
    assert texts(at.success) == ["Autoévaluation soumise à la cellule d'audit."]
    assert assessment(desk).status == "soumise"
    assert FR["desk_ic_save"] not in [b.label for b in at.button]  # a submitted one is final

    # the cell sends it back with a reason, which the focal point reads above its draft
    cell = page_as(AUDITOR, IC)
    submit(cell, FR["desk_ic_return"])  # no reason
    assert texts(cell.error) == ["« Motif » est obligatoire."]
    widget(cell, "text_area", FR["desk_field_reason"]).set_value("Joindre la charte signée")
    submit(cell, FR["desk_ic_return"])
    assert texts(cell.success) == ["Autoévaluation renvoyée en brouillon."]
    again = page_as(FOCAL, IC)
    assert texts(again.warning) == [
        "Renvoyée en brouillon par la cellule d'audit : Joindre la charte signée"
    ]
    submit(again, FR["desk_ic_submit"])
    cell = page_as(AUDITOR, IC)
    submit(cell, FR["desk_ic_validate"])
    assert texts(cell.success) == [
        "Autoévaluation validée ; elle rejoindra l'entrepôt à la prochaine actualisation."
    ]
    assert [e.action for e in events(desk)] == [
        "save_draft", "save_draft", "submit", "return", "submit", "validate",
    ]  # fmt: skip

    # exported as the ic_diagnostic workbook; the ingestion's reader gives back what was typed
    inbox = tmp_path / "inbox"
    written = export.write_inbox(desk, inbox)
    assert written["ic_diagnostic"] == 5
    path = inbox / "ic_diagnostic" / "tadqiq_desk_061810501_2025.xlsx"
    read = read_export(path, IC_DIAGNOSTIC, set(reference.directory()))
    assert read.rows_quarantined == 0
    questions = {q.code: q for q in desk_forms.ic_questionnaire()}
    assert read.landed.drop("source_row", "source_file").to_dicts() == [
        {"code_collectivite": MOULAY, "exercice": 2025, "code_question": code,
         "composante": questions[code].component, "principe": questions[code].principle,
         "question": None, "score": score, "preuve": proof or None}
        for code, (score, proof) in sorted(TYPED.items())
    ]  # fmt: skip
    # rewritten only when it changes: the same bytes, nothing new for the ingestion
    raw, known = tmp_path / "raw", set(reference.directory())
    first = hashlib.sha256(path.read_bytes()).hexdigest()
    assert ingest_source(inbox, IC_DIAGNOSTIC, known, raw).new_files.height == 1
    export.write_inbox(desk, inbox)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == first


def test_drafts_and_submitted_ones_stay_out_of_the_inbox(desk: db.Store, tmp_path: Path) -> None:
    answer = {"question_code": "CE-01", "component": "environnement_controle", "principle": 1,
              "score": 2}  # fmt: skip
    draft = cells.save_ic_draft(
        desk, FOCAL, collectivity_code=MOULAY, campaign_year=2025, answers=[answer]
    )
    cells.save_ic_draft(
        desk, FOCAL_CASA, collectivity_code="06.141.01.0", campaign_year=2025, answers=[answer]
    )
    cells.submit_ic(desk, FOCAL, draft.entity_id, 1)
    written = export.write_inbox(desk, tmp_path / "inbox")
    assert written["ic_diagnostic"] == 0
    assert not (tmp_path / "inbox" / "ic_diagnostic").exists()


def test_the_self_assessment_in_arabic(desk: db.Store) -> None:
    at = page_as(FOCAL, IC, lang="ar")
    assert at.title[0].value == AR["page_desk_ic"]
    score = next(s for s in at.selectbox if s.label.startswith("CE-01 · "))
    assert score.options == ["—", "0 · منعدم", "1 · أولي", "2 · قابل للتكرار", "3 · محدد",
                             "4 · مُدار", "5 · مُحسَّن"]  # fmt: skip
    assert AR["desk_coso_environnement_controle"] in [m.value.strip("*") for m in at.markdown]
    submit(at, AR["desk_ic_save"])  # an empty draft may be saved …
    assert texts(at.success) == ["تم حفظ المسودة."]
    submit(at, AR["desk_ic_submit"])  # … not submitted
    assert texts(at.error) == ["لا يمكن إرسال تقييم ذاتي بدون أجوبة."]
    assert assessment(desk).status == "brouillon"


def test_the_self_assessment_crossing_attempts(desk: db.Store, data_dir: Path) -> None:
    answer = {"question_code": "CE-01", "component": "environnement_controle", "principle": 1,
              "score": 2}  # fmt: skip
    draft = cells.save_ic_draft(
        desk, FOCAL, collectivity_code=MOULAY, campaign_year=2025, answers=[answer]
    )
    cells.submit_ic(desk, FOCAL, draft.entity_id, 1)
    before = len(events(desk))
    # Casablanca's focal point reads Moulay Abdallah's self-assessments
    with pytest.raises(AccessDenied):
        cells.assessments(desk, FOCAL_CASA, MOULAY)
    # region 01 validates it; the focal point validates its own (the page offers neither)
    with pytest.raises(AccessDenied):
        cells.validate_ic(desk, REGION_01, draft.entity_id, 2)
    with pytest.raises(AccessDenied):
        cells.validate_ic(desk, FOCAL, draft.entity_id, 2)
    # a forged field: a draft for another collectivity; an id sent as text
    with pytest.raises(AccessDenied):
        cells.save_ic_draft(
            desk, FOCAL, collectivity_code=TANGER, campaign_year=2025, answers=[answer]
        )
    with pytest.raises(AccessDenied):
        cells.validate_ic(desk, AUDITOR, str(draft.entity_id), 2)
    # the focal point's page shows no validation; region 01's page offers only its region
    focal = page_as(FOCAL, IC)
    assert FR["desk_ic_validate"] not in [b.label for b in focal.button]
    assert FR["desk_ic_waiting_cell"] in texts(focal.caption)
    outside = page_as(REGION_01, IC, desk_ic_code=MOULAY)
    assert all(o.startswith("01") for o in outside.selectbox(key="desk_ic_code").options)
    assert FR["desk_ic_validate"] not in [b.label for b in outside.button]
    assert len(events(desk)) == before and assessment(desk).status == "soumise"
    logged = [(d["user"], d["action"], d["collectivity_code"], d["detail"].split(";")[0])
              for d in denials(data_dir)]  # fmt: skip
    assert logged == [
        ("k.bennis", "desk_read", MOULAY, "out_of_scope"),
        ("h.elidrissi", "desk_write", MOULAY, "desk_record"),
        ("s.amrani", "desk_write", MOULAY, "desk_role"),
        ("s.amrani", "desk_write", TANGER, "out_of_scope"),
        ("a.tazi", "desk_write", None, "desk_record"),
    ]
