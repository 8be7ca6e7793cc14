"""The audit desk's forms (Streamlit AppTest), on SQLite and on PostgreSQL, in French and
Arabic, on the hand-made audit marts of tests/dashboard_fixtures.py.

The adopted programme of region 06 has one planned internal-audit mission, M-06-2025-1 (the
regional council "06", recettes, 01/09–31/10/2025, 45 days); the clock says 30/06/2025.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from dashboard_fixtures import add_audit_marts, build_warehouse
from desk_fixtures import FOCAL_CASA, PDF, REGION_06, events
from streamlit.testing.v1 import AppTest

from dashboards import auth
from tadqiq import warehouse as queries
from tadqiq.access import Role, Scope
from tadqiq.desk import db, follow_up
from tadqiq.desk.evidence import Upload
from tadqiq.desk.models import Mission, Recommendation
from tadqiq.i18n import AR, FR

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
MISSIONS = "app_pages/desk_missions.py"
FOLLOW_UP = "app_pages/desk_follow_up.py"
FOCAL_06 = Scope(Role.FOCAL_POINT, "l.berrada", "06")  # the regional council's focal point


@pytest.fixture
def desk(
    store: db.Store, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[db.Store]:
    monkeypatch.setenv(db.URL_ENV, store.url)
    monkeypatch.setenv(queries.DB_ENV, str(add_audit_marts(build_warehouse(tmp_path / "w.duckdb"))))
    queries.clear_cache()
    yield store
    queries.clear_cache()


def page_as(scope: Scope, page: str, lang: str = "fr") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.SESSION_KEY] = scope
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def submit(at: AppTest, label: str) -> AppTest:
    """Click a form's submit button (the form's values set before are sent with it)."""
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception
    return at


def widget(at: AppTest, kind: str, label: str):  # type: ignore[no-untyped-def]
    """The first widget of ``kind`` (``date_input``, ``text_area``…) labelled ``label``."""
    return next(w for w in getattr(at, kind) if w.label == label)


def texts(elements: object) -> list[str]:
    """What the user reads: the Markdown escapes of ``dashboards.text.plain`` removed."""
    return [re.sub(r"\\(.)", r"\1", element.value) for element in elements]  # type: ignore[attr-defined]


def mission(desk: db.Store) -> Mission:
    with desk.session() as session:
        (row,) = session.query(Mission).all()
        return row


def test_the_region_opens_a_mission_from_its_programme_and_moves_it_on(desk: db.Store) -> None:
    at = page_as(REGION_06, MISSIONS)
    assert at.title[0].value == FR["page_desk_missions"]
    assert at.selectbox(key="desk_open_line").options == [
        "M-06-2025-1 · Casablanca-Settat (06) · Recettes et recouvrement · 2025"
    ]
    submit(at, FR["desk_open_submit"])
    assert texts(at.success) == ["Mission M-06-2025-1 ouverte."]
    opened = mission(desk)
    assert (opened.reference, opened.collectivity_code, opened.status, opened.version) == (
        "M-06-2025-1", "06", "planifiee", 1,
    )  # fmt: skip
    assert (opened.planned_start, opened.planned_end, opened.planned_days) == (
        date(2025, 9, 1), date(2025, 10, 31), 45,
    )  # fmt: skip
    assert FR["desk_no_programme_line"] in texts(at.caption)

    # starting on the planned start, 01/09/2025, is in the future on 30/06/2025: refused
    submit(at, FR["desk_step_en_cours_submit"])
    assert texts(at.error) == ["« Début réel » (01/09/2025) ne peut pas être une date à venir."]
    assert mission(desk).status == "planifiee"
    at.date_input[0].set_value(date(2025, 6, 2))
    submit(at, FR["desk_step_en_cours_submit"])
    assert texts(at.success) == ["M-06-2025-1 enregistrée."]
    started = mission(desk)
    assert (started.status, started.actual_start, started.version) == (
        "en_cours", date(2025, 6, 2), 2,
    )  # fmt: skip
    assert [e.action for e in events(desk)] == ["open", "status:en_cours"]


def test_a_finding_and_a_recommendation_in_arabic(desk: db.Store) -> None:
    at = page_as(REGION_06, MISSIONS, lang="ar")
    submit(at, AR["desk_open_submit"])
    at.date_input[0].set_value(date(2025, 6, 2))
    submit(at, AR["desk_step_en_cours_submit"])
    # a finding dated before the mission started: the message in Arabic, nothing written
    widget(at, "date_input", AR["desk_field_found_on"]).set_value(date(2025, 6, 1))
    widget(at, "text_area", AR["desk_field_condition"]).set_value(
        "Recettes de stationnement non reversées"
    )
    submit(at, AR["desk_record_finding"])
    assert texts(at.error) == [
        "لا يمكن أن يسبق «تاريخ الملاحظة» (01/06/2025) «تاريخ الانطلاق الفعلي» (02/06/2025)."
    ]
    widget(at, "date_input", AR["desk_field_found_on"]).set_value(date(2025, 6, 20))
    submit(at, AR["desk_record_finding"])
    assert texts(at.success) == ["تم تسجيل TQ-C-2025-0001."]
    widget(at, "text_area", AR["desk_field_text"]).set_value(
        "Reverser chaque semaine les recettes de stationnement"
    )
    widget(at, "text_input", AR["desk_field_owner"]).set_value("Régie")
    widget(at, "date_input", AR["desk_field_issued_on"]).set_value(date(2025, 6, 25))
    widget(at, "date_input", AR["desk_field_due_on"]).set_value(date(2025, 12, 31))
    submit(at, AR["desk_issue_recommendation"])
    assert texts(at.success) == ["تم تسجيل TQ-R-2025-0001."]
    assert [e.action for e in events(desk)] == ["open", "status:en_cours", "record", "issue"]


def _recommendation_on_the_council(desk: db.Store) -> int:
    at = page_as(REGION_06, MISSIONS)
    submit(at, FR["desk_open_submit"])
    at.date_input[0].set_value(date(2025, 6, 2))
    submit(at, FR["desk_step_en_cours_submit"])
    widget(at, "text_area", FR["desk_field_condition"]).set_value("Écart")
    widget(at, "date_input", FR["desk_field_found_on"]).set_value(date(2025, 6, 20))
    submit(at, FR["desk_record_finding"])
    widget(at, "text_area", FR["desk_field_text"]).set_value("Corriger")
    widget(at, "text_input", FR["desk_field_owner"]).set_value("Régie")
    widget(at, "date_input", FR["desk_field_issued_on"]).set_value(date(2025, 6, 25))
    widget(at, "date_input", FR["desk_field_due_on"]).set_value(date(2025, 12, 31))
    submit(at, FR["desk_issue_recommendation"])
    with desk.session() as session:
        (rec,) = session.query(Recommendation).all()
        return rec.id


def test_the_focal_point_declares_and_the_auditor_verifies(desk: db.Store) -> None:
    rec_id = _recommendation_on_the_council(desk)
    at = page_as(FOCAL_06, FOLLOW_UP)  # the focal point lands here
    assert at.title[0].value == FR["page_desk_follow_up"]
    assert FR["desk_verify_submit"] not in [b.label for b in at.button]
    at.radio[0].set_value("mise_en_oeuvre")
    submit(at, FR["desk_declare_submit"])  # no file
    assert texts(at.error) == [
        "Joignez au moins un élément probant (PDF, PNG ou JPEG) pour déclarer la recommandation "
        "mise en œuvre."
    ]
    at.radio[0].set_value("en_cours")
    at.text_area[0].set_value("Procédure de reversement rédigée")
    submit(at, FR["desk_declare_submit"])
    assert texts(at.success) == [
        "Déclaration enregistrée pour TQ-R-2025-0001 ; un auditeur la vérifiera."
    ]
    # the upload itself is the browser's; the same service takes the PDF
    follow_up.declare(desk, FOCAL_06, rec_id, 2, "mise_en_oeuvre", files=[Upload("pv.pdf", PDF)])

    auditor = page_as(REGION_06, FOLLOW_UP)
    assert [b.label for b in auditor.get("download_button")] == ["Télécharger pv.pdf"]
    submit(auditor, FR["desk_verify_submit"])
    assert texts(auditor.success) == ["TQ-R-2025-0001 vérifiée."]
    with desk.session() as session:
        rec = session.get(Recommendation, rec_id)
        assert rec is not None and (rec.status, rec.version) == ("verifiee", 4)
    # Casablanca's focal point sees none of it
    other = page_as(FOCAL_CASA, FOLLOW_UP)
    assert texts(other.info) == [FR["desk_no_recommendations"]]


def test_a_stale_form_says_who_saved_first(desk: db.Store, clock: object) -> None:
    at = page_as(REGION_06, MISSIONS)
    submit(at, FR["desk_open_submit"])
    other = Scope(Role.REGION, "k.alaoui", "06")
    from tadqiq.desk import missions

    missions.update_mission(desk, other, mission(desk).id, 1, {"planned_days": 50})
    widget(at, "number_input", FR["desk_field_planned_days"]).set_value(40)
    submit(at, FR["desk_save"])
    assert texts(at.warning) == [
        "k.alaoui a enregistré ce(tte) mission le 30/06/2025 10:00, après que vous l'avez "
        "ouvert(e) : rien n'a été écrasé. Rechargez pour voir sa version, puis refaites votre "
        "modification."
    ]
    assert mission(desk).planned_days == 50


def test_the_uploader_says_the_desk_limit(desk: db.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The browser refuses a file over the desk's limit before sending it, and says the limit
    (Streamlit's own default is 200 MB; the desk refuses more than 10 MiB a file)."""
    _recommendation_on_the_council(desk)
    (uploader,) = page_as(FOCAL_06, FOLLOW_UP).get("file_uploader")
    assert uploader.proto.max_upload_size_mb == 10
    monkeypatch.setenv("TADQIQ_EVIDENCE_MAX_BYTES", str(3 * 2**20 + 1))
    (uploader,) = page_as(FOCAL_06, FOLLOW_UP).get("file_uploader")
    assert uploader.proto.max_upload_size_mb == 4  # rounded up: a file of the limit passes
