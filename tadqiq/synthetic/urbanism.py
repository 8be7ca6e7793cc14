"""Deterministic synthetic urbanism permits register, as the national e-permit platform
exports it: one row per authorisation issued (number, kind, date, tax receipt reference).

Communes issue the authorisations (their council president signs them); regions, provinces
and arrondissements have no register. Volumes follow the population (about one authorisation
per 500 inhabitants a year in a municipality, one per 1,500 in a rural commune); 72 % are
building permits, 4 % subdivision permits, the rest parcelling, demolition and occupancy
permits. A building or subdivision permit is issued once the construction or subdivision tax
(loi 47-06) is paid at the régie: its row carries the receipt reference. The other kinds
carry no such tax and no receipt.

Planted anomaly (RM6, ground truth appended to ``truth``): in ~15 % of commune-years, one to
three building or subdivision permits were issued without a receipt
(``permit_without_tax_receipt``), the CRC finding "autorisations délivrées sans paiement de la
taxe".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from ingestion import contracts
from tadqiq.synthetic.operations import _write_table
from tadqiq.synthetic.profiles import rng_for

PERMIT_COLUMNS = contracts.URBANISM_PERMITS.header
PERMIT_STREAM = 9  # rng_for(seed, code_digits, year, 9)
MISSING_RECEIPT_RATE = 0.15
# (kind, share, number prefix, carries the construction or subdivision tax)
KINDS = (
    ("construire", 0.72, "PC", True),
    ("lotir", 0.04, "AL", True),
    ("morceler", 0.08, "AM", False),
    ("demolir", 0.04, "PD", False),
    ("habiter", 0.12, "PH", False),
)


def permits_table(unit: dict, year: int, seed: int, truth: list[dict]) -> dict[str, list] | None:
    """The authorisations a commune issued in `year` (None for the other levels)."""
    if unit["level"] != "commune":
        return None
    rng = rng_for(seed, unit["code_digits"], year, PERMIT_STREAM)
    population = max(unit["population_2024"] or 1_000, 1_000)
    per_inhabitant = 1 / 500 if unit["is_urban"] else 1 / 1_500
    n = int(np.clip(round(population * per_inhabitant * rng.lognormal(0, 0.15)), 4, 8_000))
    kind = rng.choice(len(KINDS), n, p=[k[1] for k in KINDS])
    start = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - start).days
    day = np.sort(rng.integers(0, days, n))
    taxed = np.array([KINDS[k][3] for k in kind])
    # numbered in date order, per kind; receipts numbered in date order by the régie
    numbers, receipts = [], []
    per_kind = dict.fromkeys(range(len(KINDS)), 0)
    receipt = int(rng.integers(1, 200))
    for k, is_taxed in zip(kind.tolist(), taxed.tolist(), strict=True):
        per_kind[k] += 1
        numbers.append(f"{KINDS[k][2]}-{year}/{per_kind[k]:05d}")
        if is_taxed:
            receipt += int(rng.integers(1, 4))  # the régie also cashes other taxes
            receipts.append(f"QT-{year}-{receipt:06d}")
        else:
            receipts.append(None)
    candidates = np.flatnonzero(taxed)
    if rng.random() < MISSING_RECEIPT_RATE and len(candidates) >= 5:
        missing = np.sort(rng.choice(candidates, int(rng.integers(1, 4)), replace=False))
        for i in missing.tolist():
            receipts[i] = None
        truth.append(
            {
                "source": "urbanism_permits",
                "collectivity_code": unit["collectivity_code"],
                "fiscal_year": year,
                "anomaly": "permit_without_tax_receipt",
                "reference": " / ".join(numbers[i] for i in missing.tolist()),
                "detail": f"{len(missing)} autorisation(s) de construire ou de lotir sur "
                f"{len(candidates)} délivrée(s) sans quittance de la taxe",
            }
        )
    return {
        "code_collectivite": [unit["collectivity_code"]] * n,
        "exercice": [year] * n,
        "numero_autorisation": numbers,
        "type_autorisation": [KINDS[k][0] for k in kind.tolist()],
        "date_delivrance": [
            f"{d.day:02d}/{d.month:02d}/{d.year}"
            for d in (start + dt.timedelta(days=int(x)) for x in day.tolist())
        ],
        "reference_quittance": receipts,
    }


def write_urbanism(
    inbox: Path, units: list[dict], years: list[int], seed: int, truth: list[dict]
) -> dict[str, int]:
    """One register export per commune and year into `inbox`; returns the files written."""
    written = 0
    for unit in units:
        for year in sorted(years):
            table = permits_table(unit, year, seed, truth)
            if table is None:
                continue
            stem = f"{unit['code_digits']}_{year}"
            _write_table(
                inbox / "urbanism_permits" / f"autorisations_{stem}.csv", PERMIT_COLUMNS, table
            )
            written += 1
    return {"urbanism_permits": written}
