"""Blocking great-expectations checks on the landed raw data."""

import dagster as dg
import polars as pl

from ingestion.contracts import CONTRACTS, Contract
from ingestion.quality import validate
from orchestration.lib.settings import raw_dir


def _contract_check(contract: Contract) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(contract.asset_key),
        name=f"{contract.entity}_contract_gx",
        blocking=True,
        description=f"Great-expectations suite of the {contract.entity} contract.",
    )
    def _check() -> dg.AssetCheckResult:
        frame = pl.read_parquet(raw_dir() / contract.source / f"{contract.entity}.parquet")
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


budget_execution_contract_gx, revenue_arrears_contract_gx = (
    _contract_check(contract) for contract in CONTRACTS
)
