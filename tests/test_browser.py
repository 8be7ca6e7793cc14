"""The dashboard in a real browser: every page, in French and in Arabic, without an exception.

Headless Chromium from Debian's ``chromium`` package, driven by the Python ``playwright``
package (no browser download). Streamlit serves the fixture warehouse; the test signs in with
a local ministry account, opens each page of its navigation in both languages, screenshots it
under the pytest tmp dir, and fails on a Streamlit exception box or an empty page. It also
records how long each page took to settle (``page_times.json`` beside the screenshots).

``TADQIQ_BROWSER_DB=<warehouse.duckdb>`` runs the same walk on another warehouse (the rollout
or national scope) to measure page load times there.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_fixtures import add_audit_marts, build_warehouse
from dashboard_server import running_dashboard
from test_quality_page import add_ingest_schema

from tadqiq.access import Role, accounts, pages_for
from tadqiq.i18n import AR, FR

CHROMIUM = Path("/usr/bin/chromium")
APP = Path(__file__).resolve().parents[1] / "dashboards" / "app.py"
USER, PASSWORD = "browser.ministere", "browser-test-password-1"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--use-gl=angle",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium (/usr/bin/chromium) is not installed", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Streamlit on the fixture warehouse (or $TADQIQ_BROWSER_DB), with one ministry account."""
    data = tmp_path_factory.mktemp("browser_data")
    db = os.environ.get("TADQIQ_BROWSER_DB")
    if not db:
        fixture = build_warehouse(tmp_path_factory.mktemp("browser_db") / "tadqiq.duckdb")
        add_ingest_schema(fixture)  # the quality page reads the ingest manifest
        add_audit_marts(fixture)  # the programme, recommendations and rollout pages
        db = str(fixture)
    env = {**os.environ, "TADQIQ_DATA_DIR": str(data), "TADQIQ_DASHBOARD_DB": db}
    accounts.write_accounts(
        [accounts.new_account(USER, Role.MINISTRY, None, PASSWORD)],
        data / "auth" / "accounts.json",
    )
    with running_dashboard(env, data / "streamlit.log") as url:
        yield url


def settle(page, timeout_s: float = 60) -> float:
    """Wait until the script run is over (no 'running' indicator, content stable)."""
    started = time.perf_counter()
    page.wait_for_timeout(200)
    page.wait_for_function(
        """() => {
            // the status widget shows only after a delay: the app's script state is exact
            const app = document.querySelector('[data-testid="stApp"]');
            const idle = app && app.dataset.testScriptState === "notRunning";
            const widget = document.querySelector('[data-testid="stStatusWidget"]');
            const running = !idle || (widget && /running|stop/i.test(widget.innerText));
            const stale = document.querySelector('[data-stale="true"]');
            const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
            const drawn = document.querySelectorAll(
                '[data-testid="stPlotlyChart"] .js-plotly-plot .main-svg'
            );
            const chartsDrawn = [...charts].every(
                c => c.querySelector('.js-plotly-plot .main-svg')
            );
            return !running && !stale && chartsDrawn && drawn.length >= charts.length;
        }""",
        timeout=timeout_s * 1000,
    )
    elapsed = time.perf_counter() - started
    page.wait_for_timeout(300)  # the last frame of the map, before a screenshot
    return elapsed


def check_page(page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, f"{name}: {exceptions.first.inner_text()}"
    main = page.locator('[data-testid="stMain"]').inner_text().strip()
    assert len(main) > 40, f"{name}: empty page"


def test_every_page_in_both_languages(server: str, tmp_path: Path) -> None:
    shots = tmp_path / "screenshots"
    shots.mkdir()
    times: dict[str, float] = {}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        page = browser.new_page(viewport={"width": 1440, "height": 2400})
        page.goto(server)
        page.get_by_label(FR["login_user"]).fill(USER)
        page.get_by_label(FR["login_password"]).fill(PASSWORD)
        page.get_by_role("button", name=FR["login_submit"]).click()
        page.get_by_role("heading", name=FR["page_national"]).wait_for(timeout=60_000)
        times["login → national (fr)"] = settle(page)
        for lang, labels in (("fr", FR), ("ar", AR)):
            if lang == "ar":
                page.locator('[data-testid="stSidebar"]').get_by_text("العربية").click()
                settle(page)
                assert (
                    page.locator('[data-testid="stMain"]').evaluate(
                        "e => getComputedStyle(e).direction"
                    )
                    == "rtl"
                )
            for spec in pages_for(Role.MINISTRY):
                title = labels[spec.title_key]
                started = time.perf_counter()
                nav = page.locator('[data-testid="stSidebarNav"]')
                nav.get_by_text(title, exact=True).click()
                page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
                settle(page)
                times[f"{spec.title_key} ({lang})"] = time.perf_counter() - started
                check_page(page, shots, f"{lang}_{spec.title_key}")
        browser.close()
    (shots / "page_times.json").write_text(json.dumps(times, indent=1), encoding="utf-8")
    print(json.dumps({k: round(v, 2) for k, v in times.items()}, ensure_ascii=False))
    assert sorted(p.name for p in shots.glob("*.png")) == sorted(
        f"{lang}_{spec.title_key}.png" for lang in ("fr", "ar") for spec in pages_for(Role.MINISTRY)
    )
