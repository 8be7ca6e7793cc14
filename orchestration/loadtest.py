"""Load on the dashboard: N concurrent browser sessions on loopback, optionally while a build
runs (issue 15, item 9). A bounded command, not a test:

    .venv/bin/python -m orchestration.loadtest --sessions 20 --build pilot

It serves the dashboard (``tadqiq serve --production``'s command line) on a published snapshot
(``--db``, default: the current one; with ``--build`` and no snapshot, one is built first) with
a throwaway ministry account, opens ``--sessions`` headless Chromium pages at once (Debian's
``chromium`` driven by playwright: real websocket sessions that sign in and render), has each
visit ``--pages`` pages of the navigation, and prints every error and the p50 / p95 / max page
times. ``--build SCOPE`` runs ``tadqiq generate`` + ``tadqiq build`` of that scope in a
temporary data directory at the same time, so both compete for the machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from orchestration.cli import serve_command
from orchestration.lib.settings import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--use-gl=angle",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
USER, PASSWORD = "charge.ministere", "charge-test-password-1"
LOGIN_ATTEMPTS = 10  # a sign-in refused as busy (too many password checks at once) is retried
IDLE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.dataset.testScriptState === "notRunning"
        && !document.querySelector('[data-stale="true"]');
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _build(data: Path, scope: str, log: Path) -> subprocess.Popen:
    """generate then build, as one background process."""
    script = (
        f"{sys.executable} -m orchestration.cli generate --scope {scope} --years 2023-2024 "
        f"--no-broken && {sys.executable} -m orchestration.cli build"
    )
    env = {**os.environ, "TADQIQ_DATA_DIR": str(data)}
    env.pop("TADQIQ_WAREHOUSE_PATH", None)
    env.pop("DAGSTER_HOME", None)
    with log.open("a") as output:
        return subprocess.Popen(
            ["sh", "-c", script], env=env, cwd=REPO_ROOT, stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip


def _current_snapshot(data: Path) -> Path | None:
    current = data / "published" / "CURRENT"
    return data / "published" / current.read_text().strip() if current.exists() else None


async def _session(browser, url: str, titles: list[str], number: int, out: dict) -> None:
    from tadqiq.i18n import FR

    context = await browser.new_context(viewport={"width": 1280, "height": 1600})
    page = await context.new_page()
    try:
        started = time.perf_counter()
        await page.goto(url, timeout=120_000)
        landed = page.get_by_role("heading", name=titles[0]).first
        busy = page.get_by_text(FR["login_busy"])
        for attempt in range(1, LOGIN_ATTEMPTS + 1):
            await page.get_by_label(FR["login_user"]).fill(USER, timeout=120_000)
            await page.get_by_label(FR["login_password"]).fill(PASSWORD)
            await page.get_by_role("button", name=FR["login_submit"]).click()
            # as a user would: "too many sign-ins at once" read, then try again a bit later
            await page.wait_for_timeout(300)  # the run the click starts, before it is over
            await page.wait_for_function(IDLE, timeout=180_000)
            await landed.or_(busy).first.wait_for(timeout=180_000)
            if not await busy.count():
                break
            out["busy_retries"] += 1
            if attempt == LOGIN_ATTEMPTS:
                raise RuntimeError(f"sign-in still busy after {LOGIN_ATTEMPTS} attempts")
            await page.wait_for_timeout(2_000 + 500 * number % 3_000)
        await landed.wait_for(timeout=180_000)
        await page.wait_for_function(IDLE, timeout=180_000)
        out["times"].append(("login", time.perf_counter() - started))
        for title in titles[1:]:
            started = time.perf_counter()
            nav = page.locator('[data-testid="stSidebarNav"]')
            await nav.get_by_text(title, exact=True).click(timeout=180_000)
            await page.get_by_role("heading", name=title).first.wait_for(timeout=180_000)
            await page.wait_for_timeout(150)
            await page.wait_for_function(IDLE, timeout=180_000)
            out["times"].append((title, time.perf_counter() - started))
            errors = page.locator(
                '[data-testid="stException"], [data-testid="stAlertContentError"]'
            )
            if await errors.count():
                out["errors"].append(
                    f"session {number}, {title}: {await errors.first.inner_text()}"
                )
    except Exception as error:  # a timeout or a closed page is an error of the run
        out["errors"].append(f"session {number}: {type(error).__name__}: {str(error)[:200]}")
    finally:
        await context.close()


async def _load(url: str, sessions: int, pages: int) -> dict:
    from playwright.async_api import async_playwright

    from tadqiq.access import Role, pages_for
    from tadqiq.i18n import FR

    titles = [FR[spec.title_key] for spec in pages_for(Role.MINISTRY)][: pages + 1]
    out: dict = {"times": [], "errors": [], "busy_retries": 0}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
        )
        started = time.perf_counter()
        await asyncio.gather(*(_session(browser, url, titles, n, out) for n in range(sessions)))
        out["wall_s"] = time.perf_counter() - started
        await browser.close()
    return out


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def run(sessions: int, pages: int, db: Path | None, build: str | None) -> dict:
    """The load run; returns the summary it prints."""
    from tadqiq.access import Role, accounts

    work = Path(tempfile.mkdtemp(prefix="tadqiq_load_"))
    log = work / "load.log"
    if db is None:
        from orchestration.lib.settings import data_dir

        db = _current_snapshot(data_dir())
    if db is None:  # nothing published yet: build a snapshot of the scope first
        first = work / "first"
        code = _build(first, build or "pilot", log).wait()
        if code != 0 or (db := _current_snapshot(first)) is None:
            raise SystemExit(f"loadtest: no snapshot to serve (see {log})")
    served = work / "served"
    accounts.write_accounts(
        [accounts.new_account(USER, Role.MINISTRY, None, PASSWORD)],
        served / "auth" / "accounts.json",
    )
    port = _free_port()
    env = {**os.environ, "TADQIQ_DATA_DIR": str(served), "TADQIQ_DASHBOARD_DB": str(db)}
    with (work / "streamlit.log").open("w") as output:
        server = subprocess.Popen(
            serve_command(port, production=True), env=env, cwd=REPO_ROOT, stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    builder = None
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"loadtest: the dashboard did not start ({work})") from None
                time.sleep(0.3)
        if build:
            builder = _build(work / "build", build, log)
            time.sleep(5)  # into the build's first steps
        result = asyncio.run(_load(url, sessions, pages))
        build_state = None if builder is None else builder.poll()
    finally:
        server.terminate()
        server.wait(timeout=30)
    if builder is not None:
        build_code = builder.wait()
    times = [t for _title, t in result["times"]]
    pages_only = [t for title, t in result["times"] if title != "login"]
    summary = {
        "sessions": sessions,
        "pages_per_session": pages,
        "snapshot": db.name,
        "build": build,
        "build_still_running_at_end": build_state is None if builder else None,
        "build_exit_code": build_code if builder else None,
        "page_views": len(times),
        "errors": result["errors"],
        "sign_ins_retried_busy": result["busy_retries"],
        "login_p50_s": round(statistics.median(t for ti, t in result["times"] if ti == "login"), 2)
        if len(times) > len(pages_only)
        else None,
        "page_p50_s": round(statistics.median(pages_only), 2) if pages_only else None,
        "page_p95_s": round(_percentile(pages_only, 0.95), 2) if pages_only else None,
        "page_max_s": round(max(pages_only), 2) if pages_only else None,
        "wall_s": round(result["wall_s"], 1),
        "logs": str(work),
    }
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.loadtest", description=__doc__)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--pages", type=int, default=3, help="pages after the landing page")
    parser.add_argument("--db", type=Path, help="the snapshot to serve (default: the current)")
    parser.add_argument("--build", choices=["pilot", "rollout", "national"],
                        help="run generate + build of this scope meanwhile")  # fmt: skip
    args = parser.parse_args(argv)
    summary = run(args.sessions, args.pages, args.db, args.build)
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
