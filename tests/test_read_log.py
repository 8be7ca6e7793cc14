"""Every read in the access log (issue 15 §2), the tables' own export off, the data team's
freshness table without audit data, and how fresh each page's data is (issue 12 §5).

The warehouse is the dashboard fixture with the audit marts and the ingest manifest of
tests/test_quality_page.py, plus two audit files: the cells' ``findings.csv`` ingested on
27/11/2026 08:00 UTC and the audit desk's export ``tadqiq_desk.csv`` on 28/11/2026 08:00 UTC,
and a findings row in the per-collectivity freshness. The snapshot file is named as a
publication names it: published on 04/12/2026 10:15 UTC, 11:15 in Morocco (UTC+1).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import pytest
from dashboard_fixtures import add_audit_marts, build_warehouse
from streamlit import config as st_config
from streamlit.runtime import context as st_context
from streamlit.testing.v1 import AppTest
from test_quality_page import add_ingest_schema

from dashboards import auth, read_log
from tadqiq import warehouse as queries
from tadqiq.access import Role, Scope
from tadqiq.access import log as access_log

APP = Path(__file__).resolve().parents[1] / "dashboards" / "app.py"
NATIONAL = "app_pages/national.py"
QUALITY = "app_pages/quality.py"
RECOMMENDATIONS = "app_pages/recommendations.py"
COLLECTIVITY = "app_pages/collectivity.py"
SNAPSHOT = "warehouse_20261204T101500000000Z.duckdb"

MINISTRY = Scope(Role.MINISTRY, "r.ministere")
REGION_06 = Scope(Role.REGION, "r.region06", "06")
DATA_TEAM = Scope(Role.DATA_TEAM, "r.donnees")


def add_audit_files(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute(
            """
            insert into ingest.fct_ingest_files values
              ('audit', 'findings', 'findings.csv', 'loaded', null, 'utf-8', ';', 300, 3, 3,
               0, 3, timestamp '2026-11-27 08:00:00'),
              ('audit', 'recommendations', 'tadqiq_desk.csv', 'loaded', null, 'utf-8', ',',
               200, 2, 2, 0, 2, timestamp '2026-11-28 08:00:00')
            """
        )
        con.execute(
            """
            insert into ingest.fct_ingest_freshness values
              ('findings|06.181.05.01', 'findings', '06.181.05.01', null, 3, 1,
               timestamp '2026-11-27 08:00:00')
            """
        )


@pytest.fixture(autouse=True)
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    built = build_warehouse(tmp_path / "tadqiq_test.duckdb")
    add_audit_marts(built)
    add_ingest_schema(built)
    add_audit_files(built)
    path = tmp_path / "published" / SNAPSHOT
    path.parent.mkdir()
    shutil.move(built, path)
    monkeypatch.setenv(queries.DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.setenv(queries.DB_ENV, str(path))
    queries.clear_cache()
    yield path
    queries.clear_cache()


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> None:
    """The session's connection, as Streamlit's server hands it to ``st.context``: behind a
    reverse proxy at 10.0.0.5 that passes the client's address on."""
    connection = SimpleNamespace(
        remote_ip="10.0.0.5", headers=[("X-Forwarded-For", "203.0.113.7")], cookies={}
    )
    monkeypatch.setattr(st_context, "_get_client_context", lambda: connection)


def records() -> list[dict[str, Any]]:
    path = access_log.log_path()
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [r for r in map(json.loads, lines) if r["action"] != access_log.LOG_OPENED]


def reads() -> list[dict[str, Any]]:
    return [r for r in records() if r["action"] == access_log.VIEW_PAGE]


def app_as(scope: Scope, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.SESSION_KEY] = scope
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def captions(at: AppTest) -> list[str]:
    return [caption.value for caption in at.caption]


# --- every read, once per (page, filters) -------------------------------------------------


@pytest.mark.usefixtures("client")
def test_a_page_view_writes_one_record_with_its_context() -> None:
    at = app_as(REGION_06)
    [record] = reads()
    session = record.pop("session")
    assert len(session) == 16 and int(session, 16) >= 0  # the session's random id
    expected = {
        "user": "r.region06",
        "role": "region",
        "area": "06",
        "action": "view_page",
        "outcome": "allowed",
        "page": "national",  # the region's landing page
        "filters": {"year": "2024", "level": "commune"},  # the page's defaults
        "collectivity_code": None,
        "client": "10.0.0.5",
        "forwarded_for": "203.0.113.7",
        "detail": None,
    }
    assert {k: record[k] for k in expected} == expected

    at.run()  # a rerun, same filters: nothing
    at.radio(key="national_metric").set_value("inherent_risk").run()  # not a filter: nothing
    assert len(reads()) == 1
    at.radio(key="national_level").set_value("province").run()  # a new filter: one record
    assert [r["filters"] for r in reads()] == [
        {"year": "2024", "level": "commune"},
        {"year": "2024", "level": "province"},
    ]
    at.radio(key="national_level").set_value("commune").run()  # seen in this session: nothing
    assert len(reads()) == 2
    assert {r["session"] for r in reads()} == {session}


def test_collectivity_and_recommendation_reads_name_what_was_read() -> None:
    at = app_as(MINISTRY, RECOMMENDATIONS)
    at.selectbox(key="recommendations_selected").set_value("R01").run()
    at.run()
    assert not at.exception
    pages = [(r["page"], r["filters"], r["collectivity_code"]) for r in reads()]
    assert pages == [
        ("national", {"year": "2024", "level": "commune"}, None),
        ("recommendations", {"region": None, "code": None}, None),
        (
            "recommendations",
            {"region": None, "code": None, "recommendation": "R01"},
            "06.141.01.0",  # R01 is Casablanca's (tests/dashboard_fixtures.py)
        ),
    ]
    at.switch_page(COLLECTIVITY).run()
    code = at.selectbox(key="collectivity_code").value
    last = reads()[-1]
    assert (last["page"], last["collectivity_code"]) == ("collectivity", code)
    assert last["filters"] == {"code": code, "year": "2024"}


def test_a_page_outside_the_navigation_is_denied_and_logged() -> None:
    # the quality page's hash asked for by a region user (a forged page request): the
    # ministry registers it, then the session's scope becomes the region's
    at = app_as(MINISTRY)
    at.switch_page(QUALITY)
    at.session_state[auth.SESSION_KEY] = REGION_06
    at.run()
    assert not at.exception
    assert at.title[0].value == "Vue régionale — Casablanca-Settat"  # the landing page instead
    denied = [r for r in records() if r["outcome"] == access_log.DENIED]
    assert [(r["user"], r["page"], r["detail"], r["action"]) for r in denied] == [
        ("r.region06", "quality", "not_in_navigation", "view_page")
    ]
    at.run()  # asked for again in the same session: one record is enough
    assert len([r for r in records() if r["outcome"] == access_log.DENIED]) == 1


def test_outside_navigation_by_url_path() -> None:
    """A URL path (``/quality``) rather than a page hash: AppTest sends hashes only."""
    navigation = {"national": SimpleNamespace(_script_hash="h1", url_path="")}
    assert read_log.outside_navigation(None, "quality", navigation) == "quality"
    assert read_log.outside_navigation(None, "/national", navigation) is None
    assert read_log.outside_navigation(None, "", navigation) is None  # the landing page
    assert read_log.outside_navigation("h1", None, navigation) is None
    assert read_log.outside_navigation("main", None, navigation, "main") is None


def test_the_chain_still_verifies_with_read_records() -> None:
    at = app_as(MINISTRY, QUALITY)
    at.selectbox(key="quality_freshness").set_value("findings").run()
    status = access_log.verify_chain(verify_key=access_log.verify_key_path())
    assert status.ok and status.macs_checked
    assert status.records == len(records()) + 1  # with log_opened
    assert len(reads()) == 3  # national, quality, quality with the findings source


def test_read_context_keeps_only_its_fields_and_caps_them() -> None:
    with pytest.raises(ValueError, match="user"):
        access_log.read_context({"user": "someone.else"})
    fields = access_log.read_context({"page": "p" * 500, "filters": {"code": "x" * 500}})
    assert len(fields["page"]) == 128 and len(fields["filters"]["code"]) == 128


# --- the tables' own download and copy ---------------------------------------------------


def test_the_tables_own_export_is_off() -> None:
    st_config.set_option("client.disableDataExport", False)
    at = app_as(MINISTRY)
    assert st_config.get_option("client.disableDataExport") is True
    assert at.title[0].value == "Vue nationale"  # the first run reran once and rendered


# --- the data team's freshness table -----------------------------------------------------

RAW = {"collectivity_code", "name_fr", "name_ar", "level", "source_entity", "rows_in_force"}


def freshness_table(at: AppTest) -> Any:
    return at.dataframe[-1].value


def test_data_team_freshness_has_no_audit_source_and_labels_not_raw() -> None:
    at = app_as(DATA_TEAM)
    assert at.selectbox(key="quality_freshness").options == ["budget_execution"]
    table = freshness_table(at)
    assert list(table.columns) == [
        "Code", "Collectivité", "Dernier exercice", "Lignes chargées", "Fichiers reçus",
        "Dernière réception",
    ]  # fmt: skip
    assert table["Code"].tolist() == ["06.181.05.01"]
    for frame in at.dataframe:
        assert not RAW & set(frame.value.columns)


def test_ministry_freshness_shows_the_audit_sources() -> None:
    at = app_as(MINISTRY, QUALITY)
    assert at.selectbox(key="quality_freshness").options == ["budget_execution", "findings"]
    at.selectbox(key="quality_freshness").set_value("findings").run()
    table = freshness_table(at)
    assert table[["Code", "Lignes chargées"]].values.tolist() == [["06.181.05.01", 3]]


# --- how fresh each page's data is ---------------------------------------------------------


def test_each_page_says_how_fresh_its_data_is() -> None:
    at = app_as(MINISTRY)
    assert "Données publiées le 04/12/2026 11:15" in captions(at)
    at.switch_page(RECOMMENDATIONS).run()
    assert (
        "Données publiées le 04/12/2026 11:15"
        " · dernière réception d'un fichier d'audit : 28/11/2026 09:00"
        " · dernier export des saisies d'audit : 28/11/2026 09:00"
    ) in captions(at)
    at.session_state["lang"] = "ar"
    at.run()
    assert (
        "البيانات المنشورة في 04/12/2026 11:15"
        " · آخر استلام لملف تدقيق: 28/11/2026 09:00"
        " · آخر تصدير لمدخلات التدقيق: 28/11/2026 09:00"
    ) in captions(at)


def test_without_a_desk_export_the_caption_says_so(warehouse: Path) -> None:
    warehouse.chmod(0o644)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from ingest.fct_ingest_files where source_file = 'tadqiq_desk.csv'")
    queries.clear_cache()
    at = app_as(MINISTRY, RECOMMENDATIONS)
    assert (
        "Données publiées le 04/12/2026 11:15"
        " · dernière réception d'un fichier d'audit : 27/11/2026 09:00"
        " · aucun export des saisies d'audit"
    ) in captions(at)
