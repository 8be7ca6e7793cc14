"""How well what an auditor is shown finds the generator's planted anomalies.

A collectivity-year is *flagged* for an anomaly type when an indicator mapped to that type is
in the red band, or a red-flag rule (seed ``red_flag_rules``) on that indicator fires, in the
published warehouse (``marts.fct_indicators``, ``methodology.red_flag_rules``). It is *planted*
when the ground truth written by ``tadqiq generate`` (``data/ground_truth/anomalies.csv``) holds
at least one anomaly of that type for it. Per type, over collectivity-years:

    recall    = planted and flagged / planted
    precision = planted and flagged / flagged

Several payroll types share HR3: a red HR3 is one flag, right for the type planted there and a
false positive for the others, so ``payroll (any)`` is given beside them. ``repeat_finding`` is
audit history the auditors already hold (it weighs in the programme priority), not something
an indicator is meant to detect: it is not measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

PAYROLL = ("duplicate_cin", "duplicate_rib", "no_posting", "paid_after_exit")

# anomaly type -> the indicators whose red band or red flag shows it
MAPPING: dict[str, tuple[str, ...]] = {
    "split_purchase": ("PR2",),
    "duplicate_payment": ("IC4",),
    **dict.fromkeys(PAYROLL, ("HR3",)),
    "payroll (any)": ("HR3",),
    "non_benford": ("IC3",),
}
KEY = ["collectivity_code", "fiscal_year"]


@dataclass(frozen=True)
class Score:
    anomaly: str
    indicators: str
    planted: int
    flagged: int
    found: int

    @property
    def recall(self) -> float | None:
        return self.found / self.planted if self.planted else None

    @property
    def precision(self) -> float | None:
        return self.found / self.flagged if self.flagged else None


def shown_red(indicators: pl.DataFrame, rules: pl.DataFrame) -> pl.DataFrame:
    """(collectivity_code, fiscal_year, indicator_code) shown red: red band or red flag."""
    flags = indicators.join(rules.select("indicator_code", "min_value"), on="indicator_code")
    flags = flags.filter(pl.col("indicator_value") >= pl.col("min_value"))
    red = indicators.filter(pl.col("band") == "red")
    return (
        pl.concat([red.select(*KEY, "indicator_code"), flags.select(*KEY, "indicator_code")])
        .with_columns(pl.col("fiscal_year").cast(pl.Int64))
        .unique()
    )


def measure(truth: pl.DataFrame, shown: pl.DataFrame) -> list[Score]:
    """Recall and precision per anomaly type, per collectivity-year (see the module)."""
    truth = truth.with_columns(pl.col("fiscal_year").cast(pl.Int64))
    truth = pl.concat(
        [
            truth.select(*KEY, "anomaly"),
            truth.filter(pl.col("anomaly").is_in(PAYROLL))
            .select(*KEY)
            .with_columns(pl.lit("payroll (any)").alias("anomaly")),
        ]
    )
    scores = []
    for anomaly, codes in MAPPING.items():
        planted = set(truth.filter(pl.col("anomaly") == anomaly).select(KEY).iter_rows())
        flagged = set(shown.filter(pl.col("indicator_code").is_in(codes)).select(KEY).iter_rows())
        scores.append(
            Score(anomaly, ", ".join(codes), len(planted), len(flagged), len(planted & flagged))
        )
    return scores


def load(snapshot: Path, ground_truth: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(ground truth, indicators shown red) from the published snapshot and the truth CSV."""
    import duckdb

    codes = sorted({c for cs in MAPPING.values() for c in cs})
    with duckdb.connect(str(snapshot), read_only=True) as db:
        indicators = pl.DataFrame(
            db.execute(
                "select collectivity_code, fiscal_year, indicator_code, band, indicator_value "
                "from marts.fct_indicators where list_contains(?, indicator_code)",
                [codes],
            ).fetchall(),
            schema={"collectivity_code": pl.String, "fiscal_year": pl.Int64,
                    "indicator_code": pl.String, "band": pl.String,
                    "indicator_value": pl.Float64},
            orient="row",
        )  # fmt: skip
        rules = pl.DataFrame(
            db.execute("select indicator_code, min_value from methodology.red_flag_rules")
            .fetchall(),
            schema={"indicator_code": pl.String, "min_value": pl.Float64},
            orient="row",
        )  # fmt: skip
    truth = pl.read_csv(ground_truth, schema_overrides={"collectivity_code": pl.String})
    return truth, shown_red(indicators, rules)


def table(scores: list[Score]) -> str:
    """The scores as a Markdown table (as it goes in docs/methodology.md)."""

    def ratio(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    lines = [
        "| anomaly type | shown by (red band or red flag) | planted | flagged | found "
        "| recall | precision |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {s.anomaly} | {s.indicators} | {s.planted} | {s.flagged} | {s.found} "
        f"| {ratio(s.recall)} | {ratio(s.precision)} |"
        for s in scores
    ]
    return "\n".join(lines)
