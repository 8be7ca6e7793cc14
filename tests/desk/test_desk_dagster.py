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


# --- the export before the audit sources' ingestion ------------------------------------------


def test_the_audit_ingestion_depends_on_the_export_and_only_it() -> None:
    """The five sources the export writes, and no other asset, depend on the export; a
    fiscal-year run does not run it, ``refresh_job`` does, before each of those five."""
    from orchestration.definitions import defs
    from orchestration.defs.desk import DESK_EXPORT, DESK_EXPORTED
    from tadqiq.desk import export

    written = {dg.AssetKey(contract.asset_key) for contract in export.CONTRACTS}
    assert written == DESK_EXPORTED
    definitions = defs()
    graph = definitions.resolve_asset_graph()
    assert graph.get(DESK_EXPORT).child_keys == written
    for key in written:
        assert DESK_EXPORT in graph.get(key).parent_keys

    def selected(job: str) -> set[dg.AssetKey]:
        return set(definitions.resolve_job_def(job).asset_layer.selected_asset_keys)

    assert DESK_EXPORT not in selected("ingest_fiscal_year_job")
    assert written.isdisjoint(selected("ingest_fiscal_year_job"))
    assert {DESK_EXPORT} | written <= selected("refresh_job")
    assert selected("desk_export_job") == {DESK_EXPORT}


def test_one_run_exports_the_desk_then_ingests_it(
    store: db.Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export and the audit ingestion in one run: the desk's mission and finding land in
    the raw datasets of that same run."""
    import polars as pl

    from orchestration.defs.desk import DESK_EXPORTED, desk_inbox_export
    from orchestration.defs.ingestion.assets import ingestion_assets, reference_collectivities

    monkeypatch.setenv(db.URL_ENV, store.url)
    finding(store)
    audit = [a for a in ingestion_assets if a.key in DESK_EXPORTED]
    with dg.instance_for_test() as instance:
        # the audit assets listed first: the order comes from the dependencies, not the list
        result = dg.materialize(
            [*audit, desk_inbox_export, reference_collectivities], instance=instance
        )
    assert result.success
    steps = [e.step_key for e in result.all_events if e.event_type_value == "STEP_START"]
    assert steps.index("desk__inbox_export") < min(steps.index(f"audit__{n}") for n in
                                                   ("missions", "findings"))  # fmt: skip
    raw = data_dir / "raw" / "audit"
    missions = pl.read_parquet(raw / "missions" / "data.parquet")
    findings = pl.read_parquet(raw / "findings" / "data.parquet")
    assert missions.select("reference_mission", "statut").rows() == [("TQ-M-2025-0001", "en_cours")]
    assert findings.select("reference_constat", "criticite").rows() == [("TQ-C-2025-0001", 3)]


def test_a_desk_that_cannot_be_read_stops_the_refresh_before_the_audit_sources(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decided: no refresh publishes audit data that would miss the desk's changes. With the
    store unreachable, refresh_job fails at the export and runs nothing downstream."""
    from orchestration.definitions import defs

    monkeypatch.setenv(db.URL_ENV, "postgresql+psycopg://tadqiq@127.0.0.1:1/desk")
    db.forget_stores()
    with dg.instance_for_test() as instance:
        result = (
            defs()
            .resolve_job_def("refresh_job")
            .execute_in_process(instance=instance, raise_on_error=False)
        )
    assert not result.success
    started = [e.step_key for e in result.all_events if e.event_type_value == "STEP_START"]
    failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert (started, failed) == (["desk__inbox_export"], ["desk__inbox_export"])
    assert not (data_dir / "published").exists()
