"""Paths and settings, read from the environment at call time (never at import time)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


def set_env_defaults() -> None:
    """Absolute defaults so `dg dev` and the CLI work without a .env; tests override them."""
    data = Path(os.environ.setdefault("TADQIQ_DATA_DIR", str(REPO_ROOT / "data")))
    os.environ.setdefault("TADQIQ_WAREHOUSE_PATH", str(data / "warehouse.duckdb"))
    os.environ.setdefault("DAGSTER_HOME", str(data / "dagster_home"))
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)


def data_dir() -> Path:
    return Path(os.environ["TADQIQ_DATA_DIR"])


def inbox_dir() -> Path:
    return data_dir() / "inbox"


def raw_dir() -> Path:
    return data_dir() / "raw"


def warehouse_path() -> Path:
    return Path(os.environ["TADQIQ_WAREHOUSE_PATH"])


def published_dir() -> Path:
    return data_dir() / "published"
