"""Paths and settings, read from the environment at call time (never at import time)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from collections.abc import Iterator
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
    home = Path(os.environ["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    instance_config = home / "dagster.yaml"
    if not instance_config.exists():  # an operator's own dagster.yaml is never touched
        instance_config.write_text(DAGSTER_YAML, encoding="utf-8")
    put_interpreter_on_path()


# The embedded default's Dagster instance: local storage under DAGSTER_HOME, no telemetry (the
# machines reach no network but package registries), and one step at a time in the
# `duckdb_warehouse` pool (dbt and the publication), so two runs take turns on the DuckDB file
# instead of failing on its lock; run monitoring marks failed a run whose worker died.
# docs/operations.md has the PostgreSQL one.
DAGSTER_YAML = """\
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
run_monitoring:
  enabled: true
"""


# Past one machine (docs/operations.md): Dagster's runs, events and schedules in a database of
# the PostgreSQL server dbt's `postgres` target uses (dagster-postgres), from the same
# TADQIQ_POSTGRES_* variables; the database is TADQIQ_DAGSTER_DATABASE. tests/test_postgres_marts.py
# runs a job on an instance made from this very text.
DAGSTER_POSTGRES_YAML = """\
storage:
  postgres:
    postgres_db:
      # psycopg2, as dagster-postgres expects: SQLAlchemy 2.1 would take psycopg 3 for a
      # plain postgresql://, on which dagster's NOTIFY with a bound parameter fails
      scheme: postgresql+psycopg2
      hostname: {env: TADQIQ_POSTGRES_HOST}
      port: {env: TADQIQ_POSTGRES_PORT}
      username: {env: TADQIQ_POSTGRES_USER}
      password: {env: TADQIQ_POSTGRES_PASSWORD}
      db_name: {env: TADQIQ_DAGSTER_DATABASE}
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
run_monitoring:
  enabled: true
"""


def put_interpreter_on_path() -> None:
    """Put this interpreter's scripts folder (``.venv/bin``) first on ``PATH``.

    ``dagster dev`` prepares the dbt project through dagster-dbt, which runs the ``dbt`` it
    finds on ``PATH``: without this, a venv that is not activated (``make ui``) fails to load
    the code location. It is what activating the venv does, for this process and its children.
    """
    scripts = str(Path(sys.executable).parent)
    entries = os.environ.get("PATH", "").split(os.pathsep)
    if scripts not in entries:
        os.environ["PATH"] = os.pathsep.join([scripts, *filter(None, entries)])


@contextlib.contextmanager
def build_lock() -> Iterator[None]:
    """One build at a time on this data directory: a second one stops at once and says why.

    An advisory lock (``flock``) on ``data/.build.lock``: the kernel drops it when the holder
    dies, so a killed build never leaves a stale lock behind.
    """
    path = data_dir() / ".build.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise BuildRunningError(
                f"a build is already running on {data_dir()} ({holder})"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


class BuildRunningError(RuntimeError):
    """Another build holds the data directory."""


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
