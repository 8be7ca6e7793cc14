"""Session set-up: absolute paths in a temporary data directory, dbt's manifest parsed once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
