"""The synthetic generator: every source a scope's collectivities would send, with planted
anomalies and their ground truth, and a set of broken files for the quarantine.

No per-collectivity open data exists (the TGR publishes aggregates only), so Tadqiq ships a
generator that writes the files the real exports would (treasury, payroll, procurement,
payments, internal-control questionnaires, audit cells, missions, findings, recommendations,
available surpluses, urbanism permits).

Modules, from the bottom up (each imports only those above it, and ``ingestion``'s contracts
and reference data): ``profiles`` (scopes, stable profiles, random streams, French amounts);
``finance`` (budget execution, arrears, available surpluses); ``operations`` (debt, payroll,
procurement, payments — paid from the budget lines —, IC questionnaires); ``urbanism`` (the
e-permit register); ``audit`` (cells, missions, findings, recommendations); ``broken`` (the
broken-file set). ``generate``, here, composes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from ingestion.reference import load_collectivities
from tadqiq.synthetic.audit import write_audit
from tadqiq.synthetic.broken import write_broken
from tadqiq.synthetic.finance import (
    ARREARS_COLUMNS,
    BUDGET_COLUMNS,
    SURPLUS_COLUMNS,
    arrears_rows,
    budget_rows,
    surplus_rows,
    write_csv,
)
from tadqiq.synthetic.operations import write_operations
from tadqiq.synthetic.profiles import SCOPES, rollout_phases, scope_codes
from tadqiq.synthetic.urbanism import write_urbanism

__all__ = ["SCOPES", "generate", "scope_codes"]

GROUND_TRUTH_SCHEMA = {
    "source": pl.String,
    "collectivity_code": pl.String,
    "fiscal_year": pl.Int64,
    "anomaly": pl.String,
    "reference": pl.String,
    "detail": pl.String,
}


def generate(
    inbox: Path,
    scope: str = "pilot",
    years: Iterable[int] = (2022, 2023, 2024),
    seed: int = 2026,
    ground_truth: Path | None = None,
    broken: bool = False,
) -> dict[str, int]:
    """Write every source of a scope into `inbox`; returns the files written per source.

    The planted anomalies (duplicate payments, split purchases, payroll anomalies, non-Benford
    amounts, dormant surpluses, permits without tax receipt, repeat findings…) are written to
    `ground_truth` (a CSV) when given, so that their detection can be measured. `broken` adds
    the set of broken files (``tadqiq.synthetic.broken``).
    """
    years = list(years)
    collectivities = load_collectivities()
    codes = set(scope_codes(scope, collectivities))
    units = collectivities.filter(pl.col("collectivity_code").is_in(codes)).to_dicts()
    written = {"budget_execution": 0, "revenue_arrears": 0, "available_surpluses": 0}
    truth: list[dict] = []
    for unit in units:
        for year in years:
            stem = f"{unit['code_digits']}_{year}"
            budget = budget_rows(unit, year, seed)
            write_csv(
                inbox / "budget_execution" / f"execution_budgetaire_{stem}.csv",
                BUDGET_COLUMNS,
                budget,
                set(BUDGET_COLUMNS[4:]),
            )
            written["budget_execution"] += 1
            surpluses = surplus_rows(unit, year, seed, budget, truth)
            if surpluses:
                write_csv(
                    inbox / "available_surpluses" / f"excedents_disponibles_{stem}.csv",
                    SURPLUS_COLUMNS,
                    surpluses,
                    set(SURPLUS_COLUMNS[3:]),
                )
                written["available_surpluses"] += 1
            arrears = arrears_rows(unit, year, seed)
            if arrears:
                write_csv(
                    inbox / "revenue_arrears" / f"restes_a_recouvrer_{stem}.csv",
                    ARREARS_COLUMNS,
                    arrears,
                    {"reste_a_recouvrer"},
                )
                written["revenue_arrears"] += 1
    written |= write_operations(inbox, units, years, seed, truth)
    written |= write_urbanism(inbox, units, years, seed, truth)
    written |= write_audit(inbox, units, years, seed, truth, rollout_phases())
    if broken:
        written["broken_files"] = len(write_broken(inbox))
    if ground_truth is not None:
        ground_truth.parent.mkdir(parents=True, exist_ok=True)
        pl.DataFrame(truth, schema=GROUND_TRUTH_SCHEMA, strict=False).write_csv(ground_truth)
    return written
