"""Offline and quiet by default: a build and the dashboard in production mode, with every
connection or name lookup that would leave the machine refused and recorded (an audit hook in
every Python process, tests/offline/sitecustomize.py). None may be attempted."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from dashboard_server import running_dashboard

REPO_ROOT = Path(__file__).resolve().parents[1]
HOOK_DIR = Path(__file__).resolve().parent / "offline"


@pytest.fixture
def offline_env(tmp_path: Path) -> dict[str, str]:
    data = tmp_path / "data"
    outbound = tmp_path / "outbound.log"
    outbound.touch()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TADQIQ_", "DAGSTER_", "STREAMLIT_"))
    }
    env.update(
        PYTHONPATH=str(HOOK_DIR),
        TADQIQ_OUTBOUND_LOG=str(outbound),
        TADQIQ_DATA_DIR=str(data),
        HOME=str(tmp_path),  # no user-level Streamlit or dbt configuration
    )
    env.pop("GX_ANALYTICS_ENABLED", None)  # the product must turn it off itself
    env.pop("DO_NOT_TRACK", None)
    return env


def test_the_hook_refuses_and_records(offline_env: dict[str, str]) -> None:
    """The guard works: a lookup of an outside name is refused and recorded."""
    probe = subprocess.run(
        [sys.executable, "-c", "import socket; socket.getaddrinfo('pypi.org', 443)"],
        env=offline_env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert probe.returncode != 0 and "refused by the offline test" in probe.stderr
    assert "pypi.org" in Path(offline_env["TADQIQ_OUTBOUND_LOG"]).read_text()


def test_build_and_dashboard_attempt_no_outbound_connection(
    offline_env: dict[str, str], tmp_path: Path
) -> None:
    tadqiq = [sys.executable, "-m", "orchestration.cli"]
    run = {"env": offline_env, "cwd": REPO_ROOT, "capture_output": True, "text": True}
    generated = subprocess.run(
        [*tadqiq, "generate", "--scope", "pilot", "--years", "2024", "--no-broken"], **run
    )
    assert generated.returncode == 0, generated.stderr[-2000:]
    built = subprocess.run([*tadqiq, "build"], **run, timeout=900)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]

    log = tmp_path / "dashboard.log"
    with running_dashboard(offline_env, log, production=True) as url:
        with urllib.request.urlopen(f"{url}/") as page:
            assert page.status == 200
        time.sleep(2)  # what a server does right after start-up (update checks, stats, IP)
    assert "External URL" not in log.read_text()  # no public-IP lookup
    assert Path(offline_env["TADQIQ_OUTBOUND_LOG"]).read_text() == ""
