"""Publish the warehouse snapshot the dashboards read, once every mart is built."""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from orchestration.defs.transform.dbt import tadqiq_dbt_models
from orchestration.lib.publish import publish
from orchestration.lib.settings import published_dir, warehouse_path

MARTS = [
    "dim_collectivities",
    "dim_collectivity_boundaries",
    "fct_indicators",
    "fct_domain_scores",
    "fct_risk_scores",
]


@dg.asset(
    key=["published_warehouse"],
    group_name="publish",
    kinds={"duckdb"},
    deps=[get_asset_key_for_model([tadqiq_dbt_models], mart) for mart in MARTS],
    pool="duckdb_warehouse",
    description="Read-only snapshot of the warehouse that the dashboards switch to atomically.",
)
def published_warehouse() -> dg.MaterializeResult:
    snapshot = publish(warehouse_path(), published_dir())
    return dg.MaterializeResult(
        metadata={"snapshot": snapshot.name, "size_bytes": snapshot.stat().st_size}
    )
