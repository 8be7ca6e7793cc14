"""How well what an auditor is shown finds the generator's planted anomalies.

An auditor is shown, per collectivity-year, the indicators in the red band
(``marts.fct_indicators``) and the red flags raised (``marts.fct_red_flags``, rules in the
seed ``red_flag_rules``). A collectivity-year is *flagged* for an anomaly type when one of the
signals mapped to that type below is shown for it: the red band of its indicator, or the red
flag that names it. It is *planted* when the ground truth written by ``tadqiq generate``
(``data/ground_truth/anomalies.csv``) holds at least one anomaly of that type for it. Per type,
over collectivity-years:

    recall    = planted and flagged / planted
    precision = planted and flagged / flagged

The mapping is what the signal says, no more: a red HR3 says "payroll anomalies" and not
which kind, so each payroll kind is measured on its own flag only (duplicate CIN, duplicate
RIB, no posting, paid after exit), and ``payroll (any)`` on HR3's red band or any of the four
flags. ``repeat_finding`` is audit history the auditors already hold (it weighs in the
programme priority), not something an indicator is meant to detect: it is not measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

PAYROLL_FLAGS = {
    "duplicate_cin": "payroll_duplicate_cin",
    "duplicate_rib": "payroll_duplicate_rib",
    "no_posting": "payroll_no_posting",
    "paid_after_exit": "payroll_paid_after_exit",
}
PAYROLL = tuple(PAYROLL_FLAGS)


@dataclass(frozen=True)
class Signals:
    """What shows an anomaly type: indicators in the red band, red flags raised."""

    red_band: tuple[str, ...] = ()
    red_flags: tuple[str, ...] = ()
    label: str | None = None  # a shorter description for the table

    def describe(self) -> str:
        if self.label:
            return self.label
        return " or ".join(
            [f"{code} red" for code in self.red_band] + [f"flag {code}" for code in self.red_flags]
        )


# anomaly type -> the signals that show it
MAPPING: dict[str, Signals] = {
    "split_purchase": Signals(("PR2",), ("split_purchase",)),
    "duplicate_payment": Signals(("IC4",), ("duplicate_payment",)),
    **{kind: Signals((), (flag,)) for kind, flag in PAYROLL_FLAGS.items()},
    "payroll (any)": Signals(
        ("HR3",), tuple(PAYROLL_FLAGS.values()), "HR3 red or any of the four payroll flags"
    ),
    "non_benford": Signals(("IC3",)),
    "dormant_surplus": Signals(("FS5",)),
    "permit_without_tax_receipt": Signals(("RM6",), ("urbanism_without_tax",)),
}
KEY = ["collectivity_code", "fiscal_year"]
SHOWN_SCHEMA = {
    "collectivity_code": pl.String,
    "fiscal_year": pl.Int64,
    "kind": pl.String,
    "code": pl.String,
}


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


def shown(indicators: pl.DataFrame, red_flags: pl.DataFrame) -> pl.DataFrame:
    """(collectivity_code, fiscal_year, kind, code) an auditor is shown: kind ``red_band`` with
    the indicator code, kind ``red_flag`` with the red flag code."""
    red = indicators.filter(pl.col("band") == "red").select(
        *KEY, pl.lit("red_band").alias("kind"), pl.col("indicator_code").alias("code")
    )
    flags = red_flags.select(
        *KEY, pl.lit("red_flag").alias("kind"), pl.col("red_flag_code").alias("code")
    )
    return (
        pl.concat([red, flags])
        .with_columns(pl.col("fiscal_year").cast(pl.Int64))
        .unique()
        .cast(SHOWN_SCHEMA)
    )


def measure(truth: pl.DataFrame, shown_frame: pl.DataFrame) -> list[Score]:
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
    for anomaly, signals in MAPPING.items():
        planted = set(truth.filter(pl.col("anomaly") == anomaly).select(KEY).iter_rows())
        showing = shown_frame.filter(
            ((pl.col("kind") == "red_band") & pl.col("code").is_in(signals.red_band))
            | ((pl.col("kind") == "red_flag") & pl.col("code").is_in(signals.red_flags))
        )
        flagged = set(showing.select(KEY).iter_rows())
        scores.append(
            Score(anomaly, signals.describe(), len(planted), len(flagged), len(planted & flagged))
        )
    return scores


def load(snapshot: Path, ground_truth: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(ground truth, what is shown) from the published snapshot and the truth CSV."""
    import duckdb

    codes = sorted({c for s in MAPPING.values() for c in s.red_band})
    with duckdb.connect(str(snapshot), read_only=True) as db:
        indicators = pl.DataFrame(
            db.execute(
                "select collectivity_code, fiscal_year, indicator_code, band "
                "from marts.fct_indicators where list_contains(?, indicator_code)",
                [codes],
            ).fetchall(),
            schema={"collectivity_code": pl.String, "fiscal_year": pl.Int64,
                    "indicator_code": pl.String, "band": pl.String},
            orient="row",
        )  # fmt: skip
        red_flags = pl.DataFrame(
            db.execute(
                "select collectivity_code, fiscal_year, red_flag_code from marts.fct_red_flags"
            ).fetchall(),
            schema={"collectivity_code": pl.String, "fiscal_year": pl.Int64,
                    "red_flag_code": pl.String},
            orient="row",
        )  # fmt: skip
    truth = pl.read_csv(ground_truth, schema_overrides={"collectivity_code": pl.String})
    return truth, shown(indicators, red_flags)


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
