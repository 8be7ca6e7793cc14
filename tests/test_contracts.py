"""The contracts are the one source of truth: the docs and the GX suites come from them."""

from __future__ import annotations

from pathlib import Path

import great_expectations as gx

from ingestion.contracts import CONTRACTS, contracts_markdown
from ingestion.quality import contract_suite

DOCS = Path(__file__).resolve().parents[1] / "docs" / "contracts.md"


def test_docs_are_generated_from_the_contracts() -> None:
    assert DOCS.read_text(encoding="utf-8") == contracts_markdown(), (
        "docs/contracts.md is stale: run `python -m ingestion.contracts > docs/contracts.md`"
    )


def test_every_source_of_the_architecture_has_a_contract() -> None:
    assert {c.entity for c in CONTRACTS} == {
        "budget_execution", "revenue_arrears", "debt", "payroll", "procurement", "payments",
        "ic_diagnostic", "audit_cells", "missions", "findings", "recommendations",
        "recommendation_events", "available_surpluses", "urbanism_permits",
    }  # fmt: skip
    assert len({tuple(c.asset_key) for c in CONTRACTS}) == len(CONTRACTS)


def test_each_key_column_exists_and_replacement_keys_are_part_of_the_key() -> None:
    for contract in CONTRACTS:
        names = {c.name for c in contract.columns}
        assert set(contract.key) <= names, contract.entity
        # a newer file replaces whole groups of keys: never half a key
        assert set(contract.replacement_key) <= set(contract.key), contract.entity


def test_suites_cover_required_columns_and_codes() -> None:
    gx.get_context(mode="ephemeral")
    for contract in CONTRACTS:
        suite = contract_suite(contract)
        types = [e.expectation_type for e in suite.expectations]
        required = [c for c in contract.columns if c.required]
        assert types.count("expect_column_values_to_not_be_null") == len(required)
        assert "expect_column_values_to_match_regex" in types
