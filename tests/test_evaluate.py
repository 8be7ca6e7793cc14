"""`tadqiq evaluate`: recall and precision per anomaly type, on a tiny case worked by hand."""

from __future__ import annotations

import polars as pl

from orchestration.lib.evaluate import MAPPING, measure, shown, table

TRUTH = pl.DataFrame(
    {
        "collectivity_code": ["A", "B", "C", "A", "A", "B", "F"],
        "fiscal_year": [2024] * 7,
        "anomaly": ["split_purchase", "split_purchase", "split_purchase", "split_purchase",
                    "duplicate_cin", "paid_after_exit", "permit_without_tax_receipt"],
    }
)  # fmt: skip
# PR2: A red (planted), B green (planted: missed), C amber (planted), D red (not planted)
# HR3: A amber, B red; IC4: E red, nothing planted; RM6: F amber (planted)
INDICATORS = pl.DataFrame(
    {
        "collectivity_code": ["A", "B", "C", "D", "A", "B", "E", "F"],
        "fiscal_year": [2024] * 8,
        "indicator_code": ["PR2", "PR2", "PR2", "PR2", "HR3", "HR3", "IC4", "RM6"],
        "band": ["red", "green", "amber", "red", "amber", "red", "red", "amber"],
    }
)
# C's split shows by its count flag although PR2 is only amber; A's shared CIN by its flag;
# F's permit without receipt by its flag; G's no-posting flag has nothing planted.
RED_FLAGS = pl.DataFrame(
    {
        "collectivity_code": ["C", "A", "F", "G"],
        "fiscal_year": [2024] * 4,
        "red_flag_code": ["split_purchase", "payroll_duplicate_cin", "urbanism_without_tax",
                          "payroll_no_posting"],
    }
)  # fmt: skip


def test_recall_and_precision_worked_by_hand() -> None:
    scores = {s.anomaly: s for s in measure(TRUTH, shown(INDICATORS, RED_FLAGS))}
    got = {a: (s.planted, s.flagged, s.found, s.recall, s.precision) for a, s in scores.items()}
    # A twice in the truth: one unit; A (red), C (flag) found, B missed; D red, not planted
    assert got["split_purchase"] == (3, 3, 2, 2 / 3, 2 / 3)
    assert got["duplicate_cin"] == (1, 1, 1, 1.0, 1.0)  # A's own flag
    # B's red HR3 does not say which kind: paid after exit is not shown by it
    assert got["paid_after_exit"] == (1, 0, 0, 0.0, None)
    assert got["no_posting"] == (0, 1, 0, None, 0.0)  # G flagged, nothing planted
    # any payroll anomaly: A (flag) and B (red HR3) planted and shown; G shown, not planted
    assert got["payroll (any)"] == (2, 3, 2, 1.0, 2 / 3)
    assert got["duplicate_payment"] == (0, 1, 0, None, 0.0)  # E flagged, nothing planted
    assert got["non_benford"] == (0, 0, 0, None, None)
    assert got["permit_without_tax_receipt"] == (1, 1, 1, 1.0, 1.0)  # F's flag, RM6 amber
    assert "| split_purchase | PR2 red or flag split_purchase | 3 | 3 | 2 | 0.67 | 0.67 |" in (
        table(list(scores.values()))
    )


def test_every_payroll_kind_is_shown_by_its_own_flag_only() -> None:
    for kind in ("duplicate_cin", "duplicate_rib", "no_posting", "paid_after_exit"):
        assert MAPPING[kind].red_band == () and len(MAPPING[kind].red_flags) == 1
    assert set(MAPPING["payroll (any)"].red_flags) == {
        flag for kind in ("duplicate_cin", "duplicate_rib", "no_posting", "paid_after_exit")
        for flag in MAPPING[kind].red_flags
    }  # fmt: skip


def test_every_red_flag_code_in_the_mapping_is_a_rule_of_the_seed() -> None:
    from pathlib import Path

    seed = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "red_flag_rules.csv"
    codes = set(pl.read_csv(seed)["red_flag_code"])
    assert {f for s in MAPPING.values() for f in s.red_flags} <= codes
