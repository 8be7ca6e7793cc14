"""An independent second computation of Tadqiq's risk scores (issue 13, point 6).

From the raw exports of an inbox and the methodology's parameter tables (the seed CSV files of
``dbt_project/seeds``, read as data), with its own code — no SQL of the project, no
``ingestion`` reader, no ``tadqiq`` helper — it recomputes every indicator (value, declared
value, band, sub-score), the count-based red flags raised, every domain score (coverage,
insufficient data, red flags, domain likelihood × impact), and per collectivity and fiscal year
the composite score, likelihood L, materiality and impact I, inherent risk L × I and its class,
residual risk, the rank within the level and its p5–p95 interval under the seed's weight
perturbations.

``recompute(inbox, seeds)`` returns ``{"indicators": {(code, year, indicator): {...}},
"domains": {(code, year, domain): {...}}, "red_flags": {(code, year, flag): measure}, "risk":
{(code, year): {...}}, "quarantined": n, "rejected": n}``. Modules: ``raw`` (contracts
transcribed from docs/contracts.md, decoding, French amounts and dates, quarantine, newer files
replacing older ones, the HCP reference), ``indicators`` (methodology §1, §3.1, §8), ``scores``
(§2–§5).
"""

from __future__ import annotations

from pathlib import Path

from .indicators import compute
from .raw import collectivities, read_inbox
from .scores import score


def recompute(inbox: Path, seeds: Path) -> dict:
    rows, reads = read_inbox(inbox)
    units = collectivities()
    result = score(compute(rows, units, seeds), units, seeds)
    result["quarantined"] = sum(len(r.quarantined) for r in reads.values())
    result["rejected"] = sum(len(r.rejected) for r in reads.values())
    return result
