"""dbt models as Dagster assets; dbt is the only writer of the warehouse."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from ingestion.contracts import CONTRACTS
from ingestion.inbox import ensure_raw_layout
from orchestration.lib.settings import DBT_PROJECT_DIR, raw_dir

tadqiq_dbt = DbtProject(project_dir=DBT_PROJECT_DIR)
tadqiq_dbt.prepare_if_dev()


class TadqiqTranslator(DagsterDbtTranslator):
    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "model":
            return spec.replace_attributes(group_name=props["fqn"][1])
        if props["resource_type"] == "seed":
            return spec.replace_attributes(group_name="methodology")
        return spec


def dbt_build_args() -> list[str]:
    return ["build"]


@dbt_assets(
    manifest=tadqiq_dbt.manifest_path,
    project=tadqiq_dbt,
    dagster_dbt_translator=TadqiqTranslator(
        DagsterDbtTranslatorSettings(enable_source_tests_as_checks=False)
    ),
    pool="duckdb_warehouse",
)
def tadqiq_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    ensure_raw_layout(raw_dir(), CONTRACTS)
    # plain .stream(): fetch_row_counts() would keep the DuckDB file lock in this process
    yield from dbt.cli(dbt_build_args(), context=context).stream()
