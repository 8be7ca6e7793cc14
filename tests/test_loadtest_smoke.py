"""The load script (orchestration/loadtest.py) runs: two concurrent browser sessions sign in
and render pages on the fixture warehouse with no error, and every page view is timed."""

from __future__ import annotations

from pathlib import Path

import pytest
from dashboard_fixtures import add_audit_marts, build_warehouse

from orchestration import loadtest

if not Path(loadtest.CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


def test_two_sessions_sign_in_and_render_without_error(tmp_path: Path) -> None:
    db = build_warehouse(tmp_path / "tadqiq.duckdb")
    add_audit_marts(db)
    summary = loadtest.run(sessions=2, pages=2, db=Path(db), build=None)
    assert summary["errors"] == []
    assert summary["page_views"] == 2 * (1 + 2)  # the sign-in, then two pages, per session
    assert 0 < summary["page_p50_s"] <= summary["page_p95_s"] <= summary["page_max_s"]
