"""`tadqiq evaluate`: recall and precision per anomaly type, on a tiny case worked by hand."""

from __future__ import annotations

import polars as pl

from orchestration.lib.evaluate import measure, shown_red, table

TRUTH = pl.DataFrame(
    {
        "collectivity_code": ["A", "B", "C", "A", "A", "B"],
        "fiscal_year": [2024] * 6,
        "anomaly": ["split_purchase", "split_purchase", "split_purchase", "split_purchase",
                    "duplicate_cin", "paid_after_exit"],
    }
)  # fmt: skip
# PR2: A red (planted), B green (planted: missed), C amber (planted: missed), D red (not planted)
# HR3: A amber but above the red-flag threshold (shown), B green at 0 (not shown)
# IC4: E red, nothing planted
INDICATORS = pl.DataFrame(
    {
        "collectivity_code": ["A", "B", "C", "D", "A", "B", "E"],
        "fiscal_year": [2024] * 7,
        "indicator_code": ["PR2", "PR2", "PR2", "PR2", "HR3", "HR3", "IC4"],
        "band": ["red", "green", "amber", "red", "amber", "green", "red"],
        "indicator_value": [0.4, 0.0, 0.1, 0.5, 0.003, 0.0, 0.03],
    }
)
RULES = pl.DataFrame({"indicator_code": ["HR3", "IC4"], "min_value": [0.0000001, 0.005]})


def test_recall_and_precision_worked_by_hand() -> None:
    scores = {s.anomaly: s for s in measure(TRUTH, shown_red(INDICATORS, RULES))}
    got = {a: (s.planted, s.flagged, s.found, s.recall, s.precision) for a, s in scores.items()}
    assert got["split_purchase"] == (3, 2, 1, 1 / 3, 1 / 2)  # A twice in the truth: one unit
    assert got["duplicate_cin"] == (1, 1, 1, 1.0, 1.0)  # A's HR3 red flag
    assert got["paid_after_exit"] == (1, 1, 0, 0.0, 0.0)  # B not shown; A shown for another
    assert got["payroll (any)"] == (2, 1, 1, 0.5, 1.0)
    assert got["duplicate_payment"] == (0, 1, 0, None, 0.0)  # E flagged, nothing planted
    assert got["non_benford"] == (0, 0, 0, None, None)
    assert "| split_purchase | PR2 | 3 | 2 | 1 | 0.33 | 0.50 |" in table(list(scores.values()))
