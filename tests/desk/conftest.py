"""The audit desk's fixtures: a store on SQLite or on PostgreSQL (a new database each test),
a fresh data directory (access log, evidence), and the fixed clock of desk_fixtures.NOW."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from desk_fixtures import Clock

from tadqiq.desk import db


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty database: a SQLite file, or a database on the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'desk.sqlite'}"
    cluster = request.getfixturevalue("postgres")
    return cluster.create_database(f"desk_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data directory: its own access log and evidence folder."""
    data = tmp_path / "data"
    monkeypatch.setenv("TADQIQ_DATA_DIR", str(data))
    monkeypatch.delenv("TADQIQ_EVIDENCE_DIR", raising=False)
    monkeypatch.delenv("TADQIQ_EVIDENCE_MAX_BYTES", raising=False)
    return data


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def store(store_url: str, data_dir: Path, clock: Clock) -> Iterator[db.Store]:
    yield db.open_store(store_url)
    db.forget_stores()
