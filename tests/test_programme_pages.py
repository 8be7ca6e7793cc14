"""The audit pages (Programme d'audit, Recommandations, Déploiement), per role, on the
hand-made audit marts of tests/dashboard_fixtures.py (``add_audit_marts``, as of 30/06/2025).

Every expected figure is worked out by hand from the fixture rows in the comments.

Missions of programme 2024 (planned / actual auditor-days, status):
  region 06: M-06-2024-1 Casablanca 40/50 closed (20 days late), M-06-2024-2 Casablanca
  30/20 in progress (due 31/10/2024: 30 + 31 + 31 + 28 + 31 + 30 + 31 + 30 = 242 days late),
  M-06-2024-3 Bouskoura 60/– cancelled, M-06-2024-4 Anfa 35/30 reporting (5 days early),
  M-06-2024-5 Maârif 20/20 closed (on time);
  region 01: M-01-2024-1 Tanger 50/55 closed (14 days late), M-01-2024-2 Ksar Sghir 60/65
  reporting (20 days late).
Recommendations (status at 30/06/2025, due date):
  region 06: R01 Casablanca verified (230 days to implement), R02 Casablanca in progress,
  overdue since 20/11/2024 (222 days), R03 Casablanca not started, due 01/09/2025 (not due),
  R04 Anfa declared (108 days), R05 Maârif not started, due 10/08/2025 (not due), R06
  Casablanca refused, R07 Moulay Abdallah not applicable, R08 Moulay Abdallah verified (206);
  region 01: R09 Tanger declared (148), R10 Tanger not started, overdue since 20/09/2024
  (283 days), R11 Tanger in progress, due 15/08/2025 (not due), R12 Ksar Sghir in progress,
  overdue since 20/03/2025 (102 days), R13 Ksar Sghir refused.
Findings up to 30/06/2025: F1–F5 in region 06 (F2 a repeat), F6, F7, F9 in region 01 (F7 a
repeat); F8 (Casablanca, a repeat) is dated 01/08/2025, after the as-of date.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from dashboard_fixtures import add_audit_marts, build_warehouse
from streamlit.testing.v1 import AppTest

from dashboards import auth
from tadqiq import warehouse as queries
from tadqiq.access import AccessDenied, Role, Scope, pages_for
from tadqiq.access import log as access_log
from tadqiq.i18n import AR, FR

APP = Path(__file__).resolve().parents[1] / "dashboards" / "app.py"
PROGRAMME = "app_pages/programme.py"
RECOMMENDATIONS = "app_pages/recommendations.py"
ROLLOUT = "app_pages/rollout.py"

MINISTRY = Scope(Role.MINISTRY, "t.ministere")
REGION_06 = Scope(Role.REGION, "t.region06", "06")
REGION_01 = Scope(Role.REGION, "t.region01", "01")
CASABLANCA = Scope(Role.COLLECTIVITY, "t.casablanca", "06.141.01.0")
MOULAY_ABDALLAH = Scope(Role.COLLECTIVITY, "t.moulay", "06.181.05.01")
DATA_TEAM = Scope(Role.DATA_TEAM, "t.donnees")

OUT_OF_SCOPE = "n'est pas dans votre périmètre"
LOGGED = "Cette tentative est enregistrée dans le journal des accès."
NBSP = "\u202f"  # the thousands separator


@pytest.fixture(autouse=True)
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(queries.DATA_DIR_ENV, str(tmp_path / "data"))
    path = add_audit_marts(build_warehouse(tmp_path / "tadqiq_test.duckdb"))
    monkeypatch.setenv(queries.DB_ENV, str(path))
    queries.clear_cache()
    yield path
    queries.clear_cache()


# --- helpers -----------------------------------------------------------------------------


def page_as(
    scope: Scope,
    page: str,
    *,
    lang: str = "fr",
    state: dict[str, Any] | None = None,
    **query_params: str,
) -> AppTest:
    """The app signed in as ``scope``, on ``page``, with forced widget state / URL if any."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.SESSION_KEY] = scope
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.query_params.update(query_params)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def choose(at: AppTest, key: str, value: object) -> AppTest:
    at.selectbox(key=key).set_value(value).run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def captions(at: AppTest) -> list[str]:
    return [caption.value for caption in at.caption]


def errors(at: AppTest) -> list[str]:
    return [error.value for error in at.error]


def figures(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def plain(value: Any) -> Any:
    """A figure's array as a list (plotly sends numeric arrays base64-encoded)."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return value


def trace_of(at: AppTest, kind: str) -> list[dict[str, Any]]:
    return [
        {key: plain(value) for key, value in trace.items()}
        for fig in figures(at)
        for trace in fig["data"]
        if trace["type"] == kind
    ]


def records() -> list[dict[str, Any]]:
    path = access_log.log_path()
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [r for r in map(json.loads, lines) if r["action"] != "log_opened"]  # the log's own


def last_denial() -> dict[str, Any]:
    denials = [r for r in records() if r["outcome"] == access_log.DENIED]
    assert denials, "the refusal was not written to the access log"
    return denials[-1]


def assert_refused(at: AppTest, scope: Scope, code: str, detail: str) -> None:
    """A foreign code was shown refused, with the logging notice, and logged as such."""
    assert any(OUT_OF_SCOPE in e and code in e and LOGGED in e for e in errors(at))
    record = last_denial()
    assert (record["user"], record["collectivity_code"]) == (scope.user_id, code)
    assert record["action"] == access_log.VIEW_COLLECTIVITY
    assert record["detail"] == f"out_of_scope; {detail}"


# --- navigation --------------------------------------------------------------------------


def test_the_pages_of_each_role() -> None:
    def titles(role: Role) -> list[str]:
        return [spec.title_key for spec in pages_for(role)]

    assert {"page_programme", "page_recommendations", "page_rollout"} <= set(titles(Role.MINISTRY))
    assert {"page_programme", "page_recommendations", "page_rollout"} <= set(titles(Role.REGION))
    assert titles(Role.COLLECTIVITY) == [
        "page_collectivity",
        "page_programme",
        "page_recommendations",
        "page_desk_missions",
        "page_desk_follow_up",
        "page_desk_cell",
        "page_desk_ic",
    ]
    assert titles(Role.DATA_TEAM) == ["page_quality"]


def test_data_team_and_auditors_do_not_reach_what_is_not_theirs() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.SESSION_KEY] = DATA_TEAM
    at.run()
    for page in (PROGRAMME, RECOMMENDATIONS, ROLLOUT):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.SESSION_KEY] = CASABLANCA
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(ROLLOUT)


# --- Programme d'audit -------------------------------------------------------------------


def test_programme_ministry_kpis_by_hand() -> None:
    at = page_as(MINISTRY, PROGRAMME)
    assert at.title[0].value == FR["page_programme"]
    assert "Situation au 30/06/2025" in [caption.value for caption in at.caption]
    # 2025 (M-06-2025-1, M-06-2025-2, M-01-2025-1) has no mission done yet: 2024 comes first
    assert at.selectbox(key="programme_year").value == 2024
    choose(at, "programme_year", 2025)
    assert metrics(at)["Missions programmées"] == "3"
    assert metrics(at)["Taux d'exécution"] == "0,0 %"

    choose(at, "programme_year", 2024)
    shown = metrics(at)
    # planned 5 (region 06) + 2 (region 01) = 7; done: M-06-2024-1, -4, -5, M-01-2024-1, -2 = 5
    assert shown["Missions programmées"] == "7"
    assert shown["Missions réalisées"] == "5"
    assert shown["Missions annulées"] == "1"  # M-06-2024-3
    assert shown["Taux d'exécution"] == "71,4 %"  # 5 / 7 = 0.714
    # used 50 + 20 + 30 + 20 + 55 + 65 = 240; planned 40 + 30 + 60 + 35 + 20 + 50 + 60 = 295
    assert shown["Jours-auditeur utilisés"] == "240"
    assert "sur 295 prévus (81,4 %)" in captions(at)  # 240 / 295 = 0.814

    # late: M-06-2024-2 242 days, M-06-2024-1 and M-01-2024-2 20 days, M-01-2024-1 14 days
    slipped = table_with(at, "mission_id")
    assert list(slipped["slippage"]) == [242, 20, 20, 14]
    assert set(slipped["mission_id"]) == {
        "M-06-2024-2", "M-06-2024-1", "M-01-2024-2", "M-01-2024-1"
    }  # fmt: skip
    first = slipped.iloc[0]
    assert (first["planned_end"], first["actual_end"]) == ("31/10/2024", "—")
    assert first["status"] == "En cours"

    by_region = table_with(at, "region").set_index("region")
    assert by_region.loc["Casablanca-Settat", "rate"] == "60,0 %"  # 3 / 5
    assert by_region.loc["Tanger-Tétouan-Al Hoceïma", "rate"] == "100,0 %"  # 2 / 2

    # per year: 2023 two closed missions, 2024 7 / 5 / 1, 2025 3 / 0 / 0
    bars = {
        bar["name"]: bar["y"] for bar in trace_of(at, "bar") if bar["x"] == ["2023", "2024", "2025"]
    }
    assert bars["Programmées"] == [2, 7, 3]
    assert bars["Réalisées"] == [2, 5, 0]
    assert bars["Annulées"] == [0, 1, 0]
    # the map: execution rate by region, 06 at 60 % and 01 at 100 %
    (rates,) = trace_of(at, "choroplethmap")[-1:]
    assert dict(zip(rates["locations"], rates["z"], strict=True)) == {"06": 60.0, "01": 100.0}


def test_programme_ministry_proposal_and_differences() -> None:
    at = page_as(MINISTRY, PROGRAMME)
    shown = metrics(at)
    # 2025 selected: annual Casablanca recettes 60 + paie 45, Tanger 50, region 06 60 = 4 / 215
    assert shown["Missions des cellules"] == "4"
    assert shown["Inspections conjointes IGAT/IGF"] == "2"  # Casablanca, Tanger (Bouskoura out)
    assert shown["Cycle pluriannuel"] == "2025–2028"
    captions = [caption.value for caption in at.caption]
    assert "215 jours-auditeur" in captions and "120 jours-auditeur" in captions
    # the cycle: Casablanca every year (4) + Tanger, Bouskoura, Ksar Sghir once = 7 missions
    assert "7 mission(s), 4 collectivité(s)" in captions
    proposal = table_with(at, "reason")
    assert len(proposal) == 13  # 4 annual + 2 joint in 2025, 7 multi-year rows 2025–2028

    assert at.selectbox(key="programme_differences_year").value == 2025
    choose(at, "programme_differences_year", 2024)
    differences = table_with(at, "type")["type"].value_counts().to_dict()
    # both: Casablanca recettes, paie, Bouskoura CP, Tanger recettes; proposed only: Casablanca
    # CP, Tanger paie; adopted only: Anfa, Maârif, Ksar Sghir
    assert differences == {
        "Proposé et adopté": 4,
        "Proposé, non adopté": 2,
        "Adopté, non proposé": 3,
    }


def test_programme_region_sees_its_region_only() -> None:
    at = page_as(REGION_06, PROGRAMME)
    assert list(at.selectbox(key="programme_region").options) == ["Casablanca-Settat"]
    choose(at, "programme_year", 2024)
    shown = metrics(at)
    assert shown["Missions programmées"] == "5"
    assert shown["Missions réalisées"] == "3"  # M-06-2024-1, -4, -5
    assert shown["Taux d'exécution"] == "60,0 %"
    assert shown["Jours-auditeur utilisés"] == "120"  # 50 + 20 + 30 + 20
    assert "sur 185 prévus (64,9 %)" in captions(at)  # 40 + 30 + 60 + 35 + 20
    assert set(table_with(at, "mission_id")["mission_id"]) == {"M-06-2024-2", "M-06-2024-1"}
    assert metrics(at)["Missions des cellules"] == "3"  # Casablanca × 2, the regional council
    assert metrics(at)["Inspections conjointes IGAT/IGF"] == "1"
    text = json.dumps(figures(at), ensure_ascii=False) + " ".join(
        frame.value.to_csv() for frame in at.dataframe
    )
    assert "Tanger" not in text and "01.511" not in text and "M-01-" not in text
    # the map of a region: its provinces (Casablanca 4 planned / 3 done; Nouaceur: Bouskoura)
    rates = trace_of(at, "choroplethmap")[-1]
    assert rates["locations"] == ["06.141"]  # Nouaceur has no geometry in the fixture
    assert rates["z"] == [75.0]  # M-06-2024-1, -2, -4, -5: 3 done of 4


def test_programme_other_region() -> None:
    at = page_as(REGION_01, PROGRAMME)
    choose(at, "programme_year", 2024)
    shown = metrics(at)
    assert (shown["Missions programmées"], shown["Missions réalisées"]) == ("2", "2")
    assert shown["Taux d'exécution"] == "100,0 %"
    assert shown["Jours-auditeur utilisés"] == "120"  # 55 + 65
    assert "sur 110 prévus (109,1 %)" in captions(at)  # 50 + 60
    assert "Casablanca" not in " ".join(frame.value.to_csv() for frame in at.dataframe)


def test_programme_ministry_filters_a_region_then_a_collectivity() -> None:
    at = page_as(MINISTRY, PROGRAMME)
    choose(at, "programme_region", "01")
    choose(at, "programme_year", 2024)
    assert metrics(at)["Jours-auditeur utilisés"] == "120"
    assert "Casablanca · Commune urbaine" not in at.selectbox(key="programme_code").options
    choose(at, "programme_code", "01.511.01.0")
    # Tanger alone in 2024: M-01-2024-1, 55 / 50 days
    assert metrics(at)["Missions programmées"] == "1"
    assert metrics(at)["Jours-auditeur utilisés"] == "55"
    assert "sur 50 prévus (110,0 %)" in captions(at)


@pytest.mark.parametrize(
    ("params", "state", "code", "detail"),
    [
        ({"region": "01"}, {}, "01", "url"),
        ({"code": "01.511.01.0"}, {}, "01.511.01.0", "url"),
        ({}, {"programme_code": "01.511.05.1"}, "01.511.05.1", "widget"),
        ({}, {"programme_region": "05"}, "05", "widget"),
    ],
    ids=["region-by-url", "code-by-url", "code-in-widget", "region-in-widget"],
)
def test_programme_region_user_foreign_code_refused_and_logged(
    params: dict[str, str], state: dict[str, str], code: str, detail: str
) -> None:
    at = page_as(REGION_06, PROGRAMME, state=state, **params)
    assert_refused(at, REGION_06, code, detail)
    # the page then shows the user's own region only
    assert at.selectbox(key="programme_region").value == "06"
    assert not any(m.startswith("M-01-") for m in table_with(at, "mission_id")["mission_id"])


def test_programme_collectivity_auditor_sees_its_own_programme() -> None:
    at = page_as(CASABLANCA, PROGRAMME)
    assert list(at.selectbox(key="programme_code").options) == [
        "Toutes les collectivités",
        "Casablanca · Commune urbaine",
        "Anfa · Arrondissement",
        "Maârif · Arrondissement",
    ]
    choose(at, "programme_year", 2024)
    shown = metrics(at)
    # Casablanca and its arrondissements in 2024: M-06-2024-1, -2, -4, -5; done 1, 4, 5
    assert (shown["Missions programmées"], shown["Missions réalisées"]) == ("4", "3")
    assert shown["Taux d'exécution"] == "75,0 %"
    assert shown["Jours-auditeur utilisés"] == "120"  # 50 + 20 + 30 + 20
    assert "sur 125 prévus (96,0 %)" in captions(at)  # 40 + 30 + 35 + 20
    # its cell (the only one in its scope)
    assert shown["Auditeurs"] == "5"
    assert shown["Jours-auditeur par an"] == f"1{NBSP}000"
    assert shown["Jours programmables"] == "250"  # floor(1,000 × 0.25)
    assert shown["Charte d'audit"] == "19/02/2022"
    # its proposal: recettes 60 + paie 45 (commande publique does not fit), joint CP
    assert shown["Missions des cellules"] == "2"
    assert shown["Inspections conjointes IGAT/IGF"] == "1"
    assert "105 jours-auditeur" in [caption.value for caption in at.caption]
    # its missions, with dates and status: Casablanca 2023 and 2024, Anfa, Maârif
    own = table_with(at, "mission_id")
    assert set(own["mission_id"]) == {
        "M-06-2023-1", "M-06-2024-1", "M-06-2024-2", "M-06-2024-4", "M-06-2024-5"
    }  # fmt: skip
    row = own.set_index("mission_id").loc["M-06-2024-1"]
    assert (row["planned_start"], row["actual_end"], row["status"]) == (
        "01/03/2024", "20/05/2024", "Clôturée"
    )  # fmt: skip
    assert not trace_of(at, "choroplethmap")  # no map of the regions for an auditor
    choose(at, "programme_differences_year", 2024)
    assert set(table_with(at, "type")["collectivity"]) == {
        "Casablanca (06.141.01.0)", "Anfa (06.141.01.3)", "Maârif (06.141.01.5)"
    }  # fmt: skip


def test_programme_collectivity_auditor_foreign_code_in_widget() -> None:
    at = page_as(MOULAY_ABDALLAH, PROGRAMME, state={"programme_code": "06.141.01.0"})
    assert_refused(at, MOULAY_ABDALLAH, "06.141.01.0", "widget")
    assert set(table_with(at, "mission_id")["mission_id"]) == {"M-06-2023-2", "M-06-2025-2"}
    assert FR["no_cell"] in [info.value for info in at.info]


# --- Recommandations ---------------------------------------------------------------------


def test_recommendations_ministry_kpis_by_hand() -> None:
    at = page_as(MINISTRY, RECOMMENDATIONS)
    shown = metrics(at)
    # due (due date passed, not "not applicable"): R01 R02 R04 R06 R08 R09 R10 R12 R13 = 9
    # implemented R01 R04 R08 R09 = 4 -> 4 / 9; verified R01 R08 = 2 -> 2 / 9;
    # overdue R02 R10 R12 = 3 -> 3 / 9
    assert shown["Taux de mise en œuvre"] == "44,4 %"
    assert shown["Taux de vérification"] == "22,2 %"
    assert shown["Taux de retard"] == "33,3 %"
    # days to implement 108, 148, 206, 230 -> (148 + 206) / 2 = 177
    assert shown["Délai médian de mise en œuvre"] == "177 jours"
    # findings up to 30/06/2025: F1–F7 and F9 = 8, repeats F2 and F7 = 2 (25 %)
    assert shown["Constats récurrents"] == "2"
    assert "sur 8 constat(s) (25,0 %)" in captions(at)
    assert shown["Refusée"] == "2" and shown["Non applicable"] == "1"  # R06 R13; R07

    # funnel (refused / n.a. apart): 10 in the flow; started or beyond R01 R02 R04 R08 R09
    # R11 R12 = 7; declared or verified R01 R04 R08 R09 = 4; verified 2
    (funnel,) = trace_of(at, "funnel")
    assert funnel["x"] == [10, 7, 4, 2]
    assert funnel["y"] == ["Émises", "Démarrées", "Mises en œuvre (déclarées)", "Vérifiées"]
    # open by age: not started R05 (0–6), R03 (6–12), R10 (>12); in progress R11 R12 (6–12),
    # R02 (>12)
    aging = {bar["name"]: bar["y"] for bar in trace_of(at, "bar")}
    assert aging["Non démarrée"] == [1, 1, 1]
    assert aging["En cours"] == [0, 2, 1]

    overdue = table_with(at, "days_overdue")
    assert list(overdue["recommendation_id"]) == ["R10", "R02", "R12"]
    assert list(overdue["days_overdue"]) == [283, 222, 102]
    first = overdue.iloc[0]
    assert (first["owner"], first["due"], first["status"]) == (
        "Division des recettes", "20/09/2024", "Non démarrée"
    )  # fmt: skip


def test_recommendation_history_timeline() -> None:
    at = page_as(MINISTRY, RECOMMENDATIONS)
    choose(at, "recommendations_selected", "R01")
    history = table_with(at, "declared_by")
    assert list(history["status"]) == [
        "Non démarrée", "En cours", "Mise en œuvre (déclarée)", "Vérifiée"
    ]  # fmt: skip
    assert list(history["from"]) == ["15/04/2023", "01/07/2023", "01/12/2023", "01/03/2024"]
    assert list(history["to"]) == ["01/07/2023", "01/12/2023", "01/03/2024", "—"]
    spells = [bar for bar in trace_of(at, "bar") if bar.get("orientation") == "h"]
    assert [bar["y"][0] for bar in spells] == list(history["status"])


@pytest.mark.parametrize(
    ("scope", "expected", "overdue"),
    [
        # due R01 R02 R04 R06 R08 = 5; implemented R01 R04 R08 = 3; verified R01 R08 = 2;
        # overdue R02 = 1; median of 108, 206, 230 = 206; findings F1–F5, F2 a repeat
        (
            REGION_06,
            ("60,0 %", "40,0 %", "20,0 %", "206 jours", "1", "5 constat(s) (20,0"),
            ["R02"],
        ),
        # due R09 R10 R12 R13 = 4; implemented R09 = 1; verified 0; overdue R10 R12 = 2;
        # median 148; findings F6 F7 F9, F7 a repeat
        (
            REGION_01,
            ("25,0 %", "0,0 %", "50,0 %", "148 jours", "1", "3 constat(s) (33,3"),
            ["R10", "R12"],
        ),
        # Casablanca, Anfa, Maârif: due R01 R02 R04 R06 = 4; implemented R01 R04 = 2;
        # verified R01; overdue R02; median of 108 and 230 = 169; findings F1–F4, F2 a repeat
        (
            CASABLANCA,
            ("50,0 %", "25,0 %", "25,0 %", "169 jours", "1", "4 constat(s) (25,0"),
            ["R02"],
        ),
    ],
    ids=["region06", "region01", "casablanca"],
)
def test_recommendations_follow_the_scope(
    scope: Scope, expected: tuple[str, ...], overdue: list[str]
) -> None:
    at = page_as(scope, RECOMMENDATIONS)
    shown = metrics(at)
    assert (
        shown["Taux de mise en œuvre"],
        shown["Taux de vérification"],
        shown["Taux de retard"],
        shown["Délai médian de mise en œuvre"],
        shown["Constats récurrents"],
    ) == expected[:5]
    assert any(expected[5] in caption for caption in captions(at))
    assert list(table_with(at, "days_overdue")["recommendation_id"]) == overdue
    offered = {
        option.split(" — ")[0] for option in at.selectbox(key="recommendations_selected").options
    }
    own = {
        REGION_06: {f"R0{i}" for i in range(1, 9)},
        REGION_01: {"R09", "R10", "R11", "R12", "R13"},
        CASABLANCA: {"R01", "R02", "R03", "R04", "R05", "R06"},
    }[scope]
    assert offered == own


def test_recommendations_filter_a_collectivity() -> None:
    at = page_as(MINISTRY, RECOMMENDATIONS)
    choose(at, "recommendations_region", "06")
    choose(at, "recommendations_code", "06.181.05.01")
    shown = metrics(at)
    # Moulay Abdallah: R07 not applicable (not due), R08 verified in 206 days; F5 no repeat
    assert (shown["Taux de mise en œuvre"], shown["Taux de vérification"]) == ("100,0 %", "100,0 %")
    assert shown["Taux de retard"] == "0,0 %"
    assert shown["Délai médian de mise en œuvre"] == "206 jours"
    assert shown["Constats récurrents"] == "0"
    assert "sur 1 constat(s) (0,0 %)" in captions(at)
    assert FR["no_overdue"] in [info.value for info in at.info]


def test_recommendations_foreign_code_by_url_and_foreign_recommendation() -> None:
    at = page_as(REGION_01, RECOMMENDATIONS, code="06.141.01.0")
    assert_refused(at, REGION_01, "06.141.01.0", "url")
    offered = at.selectbox(key="recommendations_selected").options
    assert {option.split(" — ")[0] for option in offered} == {"R09", "R10", "R11", "R12", "R13"}

    # a foreign recommendation forced into the selector: refused, logged, dropped
    at = page_as(CASABLANCA, RECOMMENDATIONS, state={"recommendations_selected": "R10"})
    message = FR["denied_recommendation_out_of_scope"].format(code="R10")
    assert message in errors(at)
    record = last_denial()
    assert (record["user"], record["action"], record["collectivity_code"]) == (
        CASABLANCA.user_id, "query:recommendation_history", None
    )  # fmt: skip
    assert record["detail"] == "recommendation_out_of_scope; R10"
    assert at.selectbox(key="recommendations_selected").value is None
    assert "R10" not in " ".join(frame.value.to_csv() for frame in at.dataframe)


# --- Déploiement ----------------------------------------------------------------------------


def test_rollout_ministry_by_hand() -> None:
    at = page_as(MINISTRY, ROLLOUT)
    shown = metrics(at)
    # in a phase: 01 06 06.141 Casablanca (1), 05 01.511 Tanger (2), Ksar Sghir (3) = 8 of 13
    assert shown["Collectivités engagées"] == "8"
    assert "sur 13 collectivités" in captions(at)
    # cells created by 30/06/2025: 06, Casablanca, Tanger, 05 (Ksar Sghir's comes in 09/2025)
    assert shown["Avec une cellule d'audit"] == "4"
    assert shown["Avec une charte adoptée"] == "3"  # Tanger has none
    assert shown["Auditeurs"] == "12"  # 3 + 5 + 2 + 2
    assert shown["Jours-auditeur par an"] == f"2{NBSP}468"  # 648 + 1,000 + 400 + 420
    phases = table_with(at, "cumulative")
    assert list(phases["collectivities"]) == [4, 3, 1, 5]
    assert list(phases["cumulative"]) == ["4", "7", "8", "—"]
    assert list(phases["with_cell"]) == [2, 2, 0, 0]
    legend = [trace["name"] for trace in trace_of(at, "choroplethmap") if trace.get("name")]
    # communes with a geometry: Casablanca (1), Tanger (2), Ksar Sghir (3)
    assert legend == ["Phase 1 — pilote : 1", "Phase 2 — extension (90) : 1",
                      "Phase 3 — généralisation (160) : 1"]  # fmt: skip


def test_rollout_region_sees_its_region() -> None:
    at = page_as(REGION_06, ROLLOUT)
    shown = metrics(at)
    # region 06: 06, 06.141, Casablanca in phase 1; five others not yet in a phase
    assert shown["Collectivités engagées"] == "3"
    assert "sur 8 collectivités" in captions(at)
    assert shown["Avec une cellule d'audit"] == "2"
    assert shown["Jours-auditeur par an"] == f"1{NBSP}648"
    assert list(table_with(at, "not_yet")["region"]) == ["Casablanca-Settat"]


# --- the data layer ------------------------------------------------------------------------


def test_audit_queries_refuse_outside_the_scope(warehouse: Path) -> None:
    db = str(warehouse)
    assert set(queries.missions(db, REGION_06)["region_code"]) == {"06"}
    assert set(queries.recommendations(db, CASABLANCA)["collectivity_code"]) == {
        "06.141.01.0", "06.141.01.3", "06.141.01.5"
    }  # fmt: skip
    with pytest.raises(AccessDenied, match=OUT_OF_SCOPE):
        queries.programme_progress(db, REGION_06, region="01")
    record = last_denial()
    assert (record["action"], record["collectivity_code"]) == ("query:programme_progress", "01")
    with pytest.raises(AccessDenied, match=OUT_OF_SCOPE):
        queries.recommendations(db, CASABLANCA, code="06.181.05.01")
    with pytest.raises(AccessDenied, match="n'est pas dans votre périmètre"):
        queries.recommendation_history(db, REGION_01, "R01")
    with pytest.raises(AccessDenied, match="l'équipe données"):
        queries.follow_up_kpis(db, DATA_TEAM)
    with pytest.raises(AccessDenied, match="l'équipe données"):
        queries.rollout_coverage(db, DATA_TEAM)


def test_pages_without_audit_marts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(queries.DB_ENV, str(build_warehouse(tmp_path / "plain.duckdb")))
    queries.clear_cache()
    for page in (PROGRAMME, RECOMMENDATIONS):
        at = page_as(MINISTRY, page)
        assert FR["no_audit_data"] in [info.value for info in at.info]
    at = page_as(MINISTRY, ROLLOUT)  # the directory alone: phases, no cell yet
    assert metrics(at)["Avec une cellule d'audit"] == "0"


# --- Arabic --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "title", "metric"),
    [
        (PROGRAMME, "page_programme", "kpi_execution_rate"),
        (RECOMMENDATIONS, "page_recommendations", "kpi_implementation_rate"),
        (ROLLOUT, "page_rollout", "kpi_with_cell"),
    ],
)
def test_arabic_labels(page: str, title: str, metric: str) -> None:
    at = page_as(REGION_06, page, lang="ar")
    assert at.title[0].value == AR[title]
    assert AR[metric] in metrics(at)
    assert any("direction: rtl" in html.value for html in at.html)
    text = json.dumps(figures(at), ensure_ascii=False)
    assert FR["legend_planned"] not in text and FR["funnel_title"] not in text


def test_arabic_recommendation_statuses() -> None:
    at = page_as(MINISTRY, RECOMMENDATIONS, lang="ar")
    assert metrics(at)[AR["status_refused"]] == "2"
    assert metrics(at)[AR["status_not_applicable"]] == "1"
    assert set(table_with(at, "days_overdue")["status"]) == {
        AR["status_open"], AR["status_in_progress"]
    }  # fmt: skip


@pytest.mark.parametrize("page", [PROGRAMME, RECOMMENDATIONS])
def test_a_communes_auditor_is_not_refused_its_own_region(page: str) -> None:
    """The region selector of a commune's auditor holds its one region (06): a filter on it is
    no request for the regional council's data. Three reruns, no banner, no denial record."""
    at = page_as(MOULAY_ABDALLAH, page)
    for _ in range(2):
        at.run()
        assert not at.exception, at.exception
    assert errors(at) == []
    assert [r for r in records() if r["outcome"] == "denied"] == []
    prefix = "programme" if page == PROGRAMME else "recommendations"
    assert at.session_state[f"{prefix}_region"] == "06"


def test_a_foreign_region_in_the_url_is_still_refused() -> None:
    at = page_as(MOULAY_ABDALLAH, PROGRAMME, region="01")
    assert any("01" in error for error in errors(at))
    denied = [r for r in records() if r["outcome"] == "denied"]
    assert [(r["collectivity_code"], r["detail"]) for r in denied][-1:] == [
        ("01", "out_of_scope; url")
    ]


def test_a_crafted_code_shows_as_text_never_a_link() -> None:
    from markdown_it import MarkdownIt

    crafted = "[Session expirée : cliquez ici](http://example.invalid/login) ![x](http://x/i.png)"
    at = page_as(MOULAY_ABDALLAH, PROGRAMME, code=crafted + "Z" * 5000)
    (banner,) = errors(at)
    html = MarkdownIt().render(banner)
    assert "<a " not in html and "<img" not in html  # what Streamlit would render
    assert "[Session expirée : cliquez ici](http://example.invalid/login)" in (
        html.replace("&quot;", '"')
    )  # the characters as typed
    denied = [r for r in records() if r["outcome"] == "denied"][-1]
    assert denied["collectivity_code"].startswith("[Session expirée")
    assert len(denied["collectivity_code"]) == 64  # the log keeps a bounded part of it
