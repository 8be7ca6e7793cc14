"""The Dagster definitions load, with the asset graph and checks the data team expects."""

from __future__ import annotations

from orchestration.defs.transform.dbt import dbt_build_args
from orchestration.lib.publish import publish


def test_asset_graph() -> None:
    from orchestration.definitions import defs

    graph = defs().resolve_asset_graph()
    keys = sorted(k.to_user_string() for k in graph.get_all_asset_keys())
    assert keys == [
        "intermediate/int_budget_lines_classified",
        "intermediate/int_finances_aggregated_by_year",
        "intermediate/int_indicator_values_computed",
        "intermediate/int_methodology_versions_filtered_to_current",
        "intermediate/int_revenue_arrears_aggregated_by_year",
        "marts/dim_collectivities",
        "marts/dim_collectivity_boundaries",
        "marts/fct_domain_scores",
        "marts/fct_indicators",
        "marts/fct_risk_scores",
        "methodology/budget_nomenclature",
        "methodology/impact_factors",
        "methodology/indicator_catalogue",
        "methodology/likelihood_bands",
        "methodology/methodology_versions",
        "methodology/risk_classes",
        "methodology/risk_domains",
        "methodology/rollout_phases",
        "published_warehouse",
        "reference/boundaries",
        "reference/collectivities",
        "staging/stg_reference__boundaries",
        "staging/stg_reference__collectivities",
        "staging/stg_tgr__budget_lines",
        "staging/stg_tgr__revenue_arrears",
        "tgr/budget_execution",
        "tgr/revenue_arrears",
    ]
    parents = {
        k.to_user_string(): sorted(p.to_user_string() for p in graph.get(k).parent_keys)
        for k in graph.get_all_asset_keys()
    }
    assert parents["staging/stg_tgr__budget_lines"] == ["tgr/budget_execution"]
    assert parents["staging/stg_reference__collectivities"] == ["reference/collectivities"]
    assert "marts/fct_risk_scores" in parents["published_warehouse"]


def test_blocking_contract_checks_on_every_source() -> None:
    from orchestration.definitions import defs

    checks = {
        (spec.asset_key.to_user_string(), spec.name, spec.blocking)
        for checks_def in defs().asset_checks or []
        for spec in checks_def.check_specs
    }
    assert ("tgr/budget_execution", "budget_execution_contract_gx", True) in checks
    assert ("tgr/revenue_arrears", "revenue_arrears_contract_gx", True) in checks


def test_dbt_args_and_schedule() -> None:
    from orchestration.definitions import defs

    assert dbt_build_args() == ["build"]
    schedule = defs().resolve_schedule_def("daily_refresh_schedule")
    assert schedule.cron_schedule == "0 5 * * *"
    assert schedule.execution_timezone == "Africa/Casablanca"


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
