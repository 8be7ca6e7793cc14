"""Session set-up: absolute paths in a temporary data directory, dbt's manifest parsed once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.lib.postgres_cluster import Cluster, running_cluster

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def session_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every test runs against a temporary data directory, never the developer's data/."""
    data = tmp_path_factory.mktemp("data")
    os.environ["TADQIQ_DATA_DIR"] = str(data)
    os.environ["TADQIQ_WAREHOUSE_PATH"] = str(data / "warehouse.duckdb")
    os.environ["DAGSTER_HOME"] = str(tmp_path_factory.mktemp("dagster_home"))
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    os.environ["DO_NOT_TRACK"] = "1"
    from orchestration.cli import dbt_parse

    dbt_parse()
    return data


# --- no silent skip -------------------------------------------------------------------------
# The browser and PDF tests skip when Chromium or poppler are missing; a green run that skipped
# them says nothing about the dashboard or the reports. A skip fails the run unless
# TADQIQ_ALLOW_SKIPS=1 (a developer who knows what is missing and why).

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped and os.environ.get("TADQIQ_ALLOW_SKIPS") != "1" and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int) -> None:
    if _skipped and os.environ.get("TADQIQ_ALLOW_SKIPS") != "1":
        terminalreporter.section("skipped tests fail the run", red=True)
        for nodeid in _skipped:
            terminalreporter.line(f"skipped: {nodeid}")
        terminalreporter.line(
            "install what they need (.ci/system-packages), or set TADQIQ_ALLOW_SKIPS=1"
        )


# --- PostgreSQL ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """A PostgreSQL cluster of Debian's server package, started for this session on loopback."""
    with running_cluster() as cluster:
        yield cluster
