"""Great-expectations suites built from the data contracts, and a runner for a frame."""

from __future__ import annotations

from dataclasses import dataclass

import great_expectations as gx
import great_expectations.expectations as gxe
import polars as pl
from great_expectations.data_context.types.base import ProgressBarsConfig

from ingestion.contracts import HCP_CODE_PATTERN, MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, Contract


def contract_suite(contract: Contract) -> gx.ExpectationSuite:
    """What every landed row of `contract` must satisfy (needs an active GX context)."""
    suite = gx.ExpectationSuite(name=f"{contract.source}_{contract.entity}")
    suite.add_expectation(
        gxe.ExpectColumnValuesToMatchRegex(
            column=contract.collectivity_column, regex=HCP_CODE_PATTERN
        )
    )
    if contract.year_column:
        suite.add_expectation(
            gxe.ExpectColumnValuesToBeBetween(
                column=contract.year_column, min_value=MIN_FISCAL_YEAR, max_value=MAX_FISCAL_YEAR
            )
        )
    if len(contract.key) == 1:
        suite.add_expectation(gxe.ExpectColumnValuesToBeUnique(column=contract.key[0]))
    else:
        suite.add_expectation(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(contract.key)))
    for column in contract.columns:
        if column.required:
            suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=column.name))
        if column.kind == "amount":
            suite.add_expectation(
                gxe.ExpectColumnValuesToBeBetween(column=column.name, min_value=0)
            )
        if column.min_value is not None or column.max_value is not None:
            suite.add_expectation(
                gxe.ExpectColumnValuesToBeBetween(
                    column=column.name, min_value=column.min_value, max_value=column.max_value
                )
            )
        if column.allowed:
            suite.add_expectation(
                gxe.ExpectColumnValuesToBeInSet(column=column.name, value_set=list(column.allowed))
            )
    return suite


@dataclass
class SuiteOutcome:
    success: bool
    evaluated: int
    failed: list[str]


def validate(frame: pl.DataFrame, contract: Contract) -> SuiteOutcome:
    """Run the contract's suite on `frame` in an ephemeral GX context (nothing on disk)."""
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # a log, not a terminal
    suite = contract_suite(contract)
    batch = (
        context.data_sources.add_pandas("landed")
        .add_dataframe_asset(suite.name)
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": frame.to_pandas()})
    )
    result = batch.validate(suite)
    failed = [
        f"{r.expectation_config.type}({r.expectation_config.kwargs.get('column') or ''})"
        for r in result.results
        if not r.success
    ]
    return SuiteOutcome(success=result.success, evaluated=len(result.results), failed=failed)
