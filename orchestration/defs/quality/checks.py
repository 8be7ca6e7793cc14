"""Blocking great-expectations checks on every landed source."""

import dagster as dg
import polars as pl

from ingestion.contracts import CONTRACTS, Contract
from ingestion.quality import validate
from orchestration.lib.settings import raw_dir


def contract_check(contract: Contract) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(contract.asset_key),
        name=f"{contract.entity}_contract_gx",
        blocking=True,
        description=f"Great-expectations suite of the {contract.entity} contract (all years).",
    )
    def _check() -> dg.AssetCheckResult:
        folder = raw_dir() / contract.source / contract.entity
        frame = pl.read_parquet(sorted(folder.glob("*.parquet")))
        outcome = validate(frame, contract)
        return dg.AssetCheckResult(
            passed=outcome.success,
            metadata={
                "expectations": outcome.evaluated,
                "failed": ", ".join(outcome.failed) or "none",
                "rows": frame.height,
            },
        )

    return _check


contract_checks = [contract_check(contract) for contract in CONTRACTS]
