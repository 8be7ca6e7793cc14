"""The desk in Dagster, on SQLite and on PostgreSQL (``TADQIQ_DESK_URL``): the export asset
writes the inbox files the ingestion reads, and the sensor asks for an export when the desk
has new events, once per new event number."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from desk_fixtures import finding

from tadqiq.desk import db


def test_the_export_asset_and_the_events_sensor(
    store: db.Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.definitions import defs
    from orchestration.defs.desk import desk_events_sensor, desk_inbox_export

    monkeypatch.setenv(db.URL_ENV, store.url)
    definitions = defs()
    assert definitions.resolve_job_def("desk_export_job")
    assert {s.name for s in definitions.sensors or []} >= {"desk_events_sensor", "inbox_sensor"}

    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance)
        assert list(desk_events_sensor(context)) == []  # an empty desk: nothing to export
        finding(store)  # 3 events: open, start, finding
        (request,) = list(desk_events_sensor(context))
        assert request.run_key == "desk-events-3" and context.cursor == "3"
        assert list(desk_events_sensor(context)) == []  # nothing new since

        result = dg.materialize([desk_inbox_export], instance=instance)
    assert result.success
    metadata = result.asset_materializations_for_node("desk__inbox_export")[0].metadata
    assert metadata["last_event_id"].value == 3
    assert (metadata["rows_missions"].value, metadata["rows_findings"].value) == (1, 1)
    inbox = data_dir / "inbox"
    assert sorted(p.relative_to(inbox).as_posix() for p in inbox.rglob("*.csv")) == [
        "findings/tadqiq_desk.csv",
        "missions/tadqiq_desk.csv",
    ]


def test_tadqiq_desk_upgrade_status_export(
    store_url: str,
    data_dir: Path,
    clock: object,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from orchestration import cli

    monkeypatch.setenv(db.URL_ENV, store_url)
    shown = store_url.split("@")[-1]
    try:
        cli.main(["desk", "upgrade"])
        assert f"desk store {shown}: revision none -> 0001" in capsys.readouterr().out
        cli.main(["desk", "upgrade"])
        assert "revision 0001 -> 0001" in capsys.readouterr().out
        finding(db.open_store())
        cli.main(["desk", "status"])
        assert f"desk store {shown}: revision 0001, 3 events" in capsys.readouterr().out
        cli.main(["desk", "export"])
        out = capsys.readouterr().out
        assert "exported to the inbox: 0 audit_cells, 1 missions, 1 findings" in out
        assert (data_dir / "inbox" / "missions" / "tadqiq_desk.csv").is_file()
    finally:
        db.forget_stores()
