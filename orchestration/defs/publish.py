"""Publish the warehouse snapshot the dashboards read, once every mart is built."""

import dagster as dg

from orchestration.defs.transform.dbt import tadqiq_dbt_models
from orchestration.lib.publish import publish
from orchestration.lib.settings import published_dir, warehouse_path

# every mart (schemas marts and ingest) must be built before a snapshot is published
MARTS = [key for key in tadqiq_dbt_models.keys if key.path[0] in ("marts", "ingest")]


@dg.asset(
    key=["published_warehouse"],
    group_name="publish",
    kinds={"duckdb"},
    deps=MARTS,
    pool="duckdb_warehouse",
    description="Read-only snapshot of the warehouse that the dashboards switch to atomically.",
)
def published_warehouse() -> dg.MaterializeResult:
    snapshot = publish(warehouse_path(), published_dir())
    return dg.MaterializeResult(
        metadata={"snapshot": snapshot.name, "size_bytes": snapshot.stat().st_size}
    )
