"""Tests of the Streamlit dashboard against a tiny hand-made warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from dashboard_fixtures import build_warehouse
from streamlit.testing.v1 import AppTest

from dashboards import auth, charts
from tadqiq import warehouse as queries
from tadqiq.access import Role, Scope
from tadqiq.i18n import AR, FR, fmt_number, fmt_pct

APP = Path(__file__).resolve().parents[1] / "dashboards" / "app.py"
COLLECTIVITY_PAGE = "app_pages/collectivity.py"


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    queries.clear_cache()
    yield
    queries.clear_cache()


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = build_warehouse(tmp_path / "tadqiq_test.duckdb")
    monkeypatch.setenv(queries.DB_ENV, str(path))
    return path


def run_app() -> AppTest:
    """The app, signed in as a ministry user (the access tests cover the other roles)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.SESSION_KEY] = Scope(Role.MINISTRY, "test.ministere")
    at.run()
    assert not at.exception
    return at


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The page's dataframe that has ``column``."""
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234567.84, 1, "1\u202f234\u202f567,8"),  # narrow no-break spaces
        (1234567, 0, "1\u202f234\u202f567"),
        (999, 0, "999"),
        (0.5, 2, "0,50"),
        (-1234.56, 1, "-1\u202f234,6"),
        (-0.04, 1, "0,0"),
        (None, 1, "—"),
        (float("nan"), 0, "—"),
    ],
)
def test_fmt_number(value: float | None, decimals: int, expected: str) -> None:
    assert fmt_number(value, decimals) == expected


def test_fmt_pct() -> None:
    assert fmt_pct(0.25) == "25,0 %"
    assert fmt_pct(0.1234, 2) == "12,34 %"
    assert fmt_pct(None) == "—"


def test_french_and_arabic_labels_match() -> None:
    assert FR.keys() == AR.keys()


@pytest.mark.parametrize(
    ("inherent", "expected"),
    [(1, "low"), (4, "low"), (5, "moderate"), (9, "moderate"), (10, "high"), (15, "critical")],
)
def test_risk_class_of(inherent: int, expected: str) -> None:
    assert charts.risk_class_of(inherent) == expected


def test_warehouse_resolved_from_current_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(queries.DB_ENV, raising=False)
    monkeypatch.setenv(queries.DATA_DIR_ENV, str(tmp_path))
    assert queries.warehouse_path() is None
    published = tmp_path / "published"
    published.mkdir()
    build_warehouse(published / "tadqiq_20250101.duckdb")
    (published / "CURRENT").write_text("tadqiq_20250101.duckdb\n", encoding="utf-8")
    assert queries.warehouse_path() == str(published / "tadqiq_20250101.duckdb")


def test_missing_warehouse_shows_french_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(queries.DB_ENV, raising=False)
    monkeypatch.setenv(queries.DATA_DIR_ENV, str(tmp_path))
    at = run_app()
    assert "Aucun entrepôt publié : lancez `make demo`" in at.error[0].value


@pytest.mark.usefixtures("warehouse")
def test_national_page_ranks_riskiest_first() -> None:
    at = run_app()
    assert metrics(at)["Collectivités notées"] == "4"
    assert metrics(at)["Risque critique"] == "1"
    ranking = at.dataframe[0].value
    assert ranking.iloc[0]["name_fr"] == "Casablanca"
    assert ranking.iloc[0]["composite_score"] == "82,5"
    assert len(at.get("plotly_chart")) == 3  # map, classes, rank intervals

    at.selectbox(key="national_year").set_value(2023).run()
    assert not at.exception
    assert at.dataframe[0].value.iloc[0]["name_fr"] == "Tanger"


@pytest.mark.usefixtures("warehouse")
@pytest.mark.parametrize("level", ["commune", "province", "region"])
def test_national_page_levels(level: str) -> None:
    at = run_app()
    at.radio(key="national_level").set_value(level).run()
    assert not at.exception
    assert set(at.dataframe[0].value["national_rank"]) >= {1, 2}


@pytest.mark.usefixtures("warehouse")
def test_collectivity_page_shows_selected_scores() -> None:
    at = run_app()
    at.switch_page(COLLECTIVITY_PAGE).run()
    assert not at.exception
    at.selectbox(key="collectivity_region").set_value("01").run()
    at.selectbox(key="collectivity_code").set_value("01.511.01.0").run()
    assert not at.exception
    shown = metrics(at)
    assert shown["Score composite (0–100)"] == "45,0"
    assert shown["Classe de risque"] == "🟡 Modéré"
    assert shown["Risque inhérent L×I (1–25)"] == "9"
    indicators = table_with(at, "indicator_code").set_index("indicator_code")
    assert indicators.loc["FS1", "value"] == "5,0 %"
    assert indicators.loc["FS2", "value"] == "12,5 ans"
    assert indicators.loc["HR1", "band"] == "⚪ Sans donnée"

    at.selectbox(key="collectivity_year").set_value(2023).run()
    assert metrics(at)["Classe de risque"] == "🔴 Critique"


@pytest.mark.usefixtures("warehouse")
def test_collectivity_page_preselects_query_param_code() -> None:
    at = run_app()
    at.query_params["code"] = "06.141.01.3"
    at.switch_page(COLLECTIVITY_PAGE).run()
    assert not at.exception
    assert at.selectbox(key="collectivity_region").value == "06"
    assert at.selectbox(key="collectivity_code").value == "06.141.01.3"
    shown = metrics(at)
    assert shown["Score composite (0–100)"] == "70,0"
    assert shown["Rang national"] == "Non classé"


@pytest.mark.usefixtures("warehouse")
def test_arabic_switch() -> None:
    at = run_app()
    at.radio(key="lang").set_value("ar").run()
    assert not at.exception
    assert any("direction: rtl" in html.value for html in at.html)
    assert at.title[0].value == AR["page_national"]
    assert AR["kpi_scored"] in metrics(at)
    at.switch_page(COLLECTIVITY_PAGE).run()
    assert not at.exception
    assert at.title[0].value == AR["page_collectivity"]
