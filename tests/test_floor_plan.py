"""What moved in the redesign still finds its files: every default path is the repository's."""

from __future__ import annotations

import pytest

from orchestration.lib.settings import REPO_ROOT


def test_default_data_directory_is_the_repositorys(monkeypatch: pytest.MonkeyPatch) -> None:
    from tadqiq.access import log
    from tadqiq.synthetic import profiles
    from tadqiq.warehouse import core

    monkeypatch.delenv("TADQIQ_DATA_DIR", raising=False)
    monkeypatch.delenv("TADQIQ_DASHBOARD_DB", raising=False)
    assert log.log_path() == REPO_ROOT / "data" / "access_log" / "access.jsonl"
    assert core.expected_warehouse().parent == REPO_ROOT / "data" / "published"
    assert profiles.ROLLOUT_SEED == REPO_ROOT / "dbt_project" / "seeds" / "rollout_phases.csv"
    assert profiles.ROLLOUT_SEED.is_file()
