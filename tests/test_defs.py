"""The Dagster definitions load, with the asset graph and checks the data team expects."""

from __future__ import annotations

from ingestion.contracts import CONTRACTS
from orchestration.defs.transform.dbt import dbt_build_args
from orchestration.lib.publish import publish


def test_asset_graph() -> None:
    from orchestration.definitions import defs

    graph = defs().resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    sources = {"/".join(c.asset_key) for c in CONTRACTS}
    assert (
        sources | {"reference/collectivities", "reference/boundaries", "published_warehouse"}
        <= keys
    )
    parents = {
        k.to_user_string(): sorted(p.to_user_string() for p in graph.get(k).parent_keys)
        for k in graph.get_all_asset_keys()
    }
    for contract in CONTRACTS:  # every source feeds exactly one staging model
        children = [k for k, p in parents.items() if "/".join(contract.asset_key) in p]
        assert len(children) == 1 and children[0].startswith("staging/stg_"), contract.entity
    assert parents["staging/stg_reference__collectivities"] == ["reference/collectivities"]
    assert "marts/fct_risk_scores" in parents["published_warehouse"]
    partitioned = {
        k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).is_partitioned
    }
    assert partitioned == {"/".join(c.asset_key) for c in CONTRACTS if c.is_partitioned}


def test_blocking_contract_checks_on_every_source() -> None:
    from orchestration.definitions import defs

    checks = {
        (spec.asset_key.to_user_string(), spec.name, spec.blocking)
        for checks_def in defs().asset_checks or []
        for spec in checks_def.check_specs
    }
    for contract in CONTRACTS:
        check = ("/".join(contract.asset_key), f"{contract.entity}_contract_gx", True)
        assert check in checks


def test_dbt_args_and_schedule() -> None:
    from orchestration.definitions import defs

    assert dbt_build_args() == ["build"]
    definitions = defs()
    schedule = definitions.resolve_schedule_def("daily_refresh_schedule")
    assert schedule.cron_schedule == "0 5 * * *"
    assert schedule.execution_timezone == "Africa/Casablanca"
    assert schedule.job_name == "refresh_job"
    sensors = {s.name for s in definitions.sensors or []}
    assert sensors == {"inbox_sensor", "refresh_after_ingest_sensor"}


def test_publish_switches_atomically_and_keeps_three(tmp_path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    published = tmp_path / "published"
    names = []
    for generation in range(5):
        warehouse.write_bytes(f"generation {generation}".encode())
        names.append(publish(warehouse, published).name)
    assert (published / "CURRENT").read_text().strip() == names[-1]
    assert sorted(p.name for p in published.glob("warehouse_*.duckdb")) == names[-3:]
    assert (published / names[-1]).read_bytes() == b"generation 4"
    assert not list(published.glob(".*tmp"))


def test_inbox_sensor_requests_the_fiscal_years_of_new_files(tmp_path, monkeypatch) -> None:
    import dagster as dg

    from ingestion.synthetic import generate
    from orchestration.defs.jobs import inbox_sensor

    monkeypatch.setenv("TADQIQ_DATA_DIR", str(tmp_path))
    generate(tmp_path / "inbox", "pilot", [2023, 2024], seed=5)
    requests = list(inbox_sensor(dg.build_sensor_context(cursor=None)))
    assert [(r.job_name, r.partition_key) for r in requests] == [
        ("ingest_fiscal_year_job", "2023"),
        ("ingest_fiscal_year_job", "2024"),
    ]
