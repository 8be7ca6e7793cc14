"""Deterministic synthetic treasury exports over the real collectivities: budget execution,
revenue arrears and the statement of available surpluses.

No per-collectivity open data exists (the TGR publishes aggregates only), so Tadqiq ships a
generator that writes the files a treasury extract would: one CSV per collectivity and fiscal
year, ``;``-separated, UTF-8 with BOM, French decimal commas and thousands spaces.

Magnitudes follow ``DOMAIN.md`` §2.3: own revenue per inhabitant (rural ~100–250 MAD, urban
~400–1,200 MAD, more where industry concentrates), transfer dependence (50–90 % rural, 25–50 %
urban, ~74 % provinces), personnel 35–65 % of operating spend, gross savings 10–45 %, equipment
execution 20–70 %, revenue arrears 1–5× own revenue with 30–60 % older than four years.
Available surpluses (FS5): the collectivities' cumulative surpluses at the Treasury were 51.6 bn
MAD at the end of 2023 against about a year of their spending; here the available (not
allocated) part is 3–95 % of the year's spending, stable per collectivity, and more than a
year's spending (a dormant surplus, planted with its ground truth) in ~10 % of collectivities.

Every collectivity draws a stable profile from ``(seed, code)`` and yearly noise from
``(seed, code, year)``: the same collectivity gets the same figures whatever the scope.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ingestion import contracts
from tadqiq.synthetic.profiles import french_amount, profile_of, rng_for

BUDGET_COLUMNS = contracts.BUDGET_EXECUTION.header
ARREARS_COLUMNS = contracts.REVENUE_ARREARS.header
SURPLUS_COLUMNS = contracts.AVAILABLE_SURPLUSES.header
SURPLUS_STREAM = 8  # rng_for(seed, code_digits, year, 8); operations use 2–7, audit 20–23
DORMANT_SURPLUS_RATE = 0.10

# (line code, label, share within its group)
TRANSFER_LINES = [
    ("1.10.10", "Part du produit de la TVA", 0.85),
    ("1.10.20", "Autres transferts de l'État", 0.15),
]
STATE_TAX_LINES = [
    ("1.20.10", "Taxe professionnelle", 0.50),
    ("1.20.20", "Taxe d'habitation", 0.15),
    ("1.20.30", "Taxe de services communaux", 0.35),
]
OWN_REVENUE_LINES = [
    ("1.30.10", "Taxe sur les terrains urbains non bâtis", 0.25),
    ("1.30.20", "Taxe sur les opérations de construction", 0.20),
    ("1.30.30", "Taxe sur les opérations de lotissement", 0.10),
    ("1.40.10", "Redevance d'occupation du domaine public", 0.25),
    ("1.40.20", "Produits des souks et marchés", 0.20),
]
ARREARS_TAXES = [
    ("TP", "Taxe professionnelle", 0.30),
    ("TH", "Taxe d'habitation", 0.10),
    ("TSC", "Taxe de services communaux", 0.25),
    ("TNB", "Taxe sur les terrains urbains non bâtis", 0.20),
    ("ODP", "Redevance d'occupation du domaine public", 0.10),
    ("SOUK", "Produits des souks et marchés", 0.05),
]
ARREARS_HISTORY_YEARS = 10


def _split(total: float, lines: Iterable[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    return [(code, label, total * share) for code, label, share in lines]


def budget_rows(unit: dict, year: int, seed: int) -> list[dict]:
    """The budget-execution lines of one collectivity and fiscal year (amounts in MAD)."""
    profile = profile_of(unit, seed)
    rng = rng_for(seed, unit["code_digits"], year)
    growth = 1.05 ** (year - 2022) * rng.lognormal(0, 0.04)
    revenue = profile.operating_revenue * growth
    collection = float(np.clip(profile.collection_rate + rng.normal(0, 0.04), 0.3, 0.99))
    savings = profile.savings_rate + rng.normal(0, 0.03)
    execution = float(np.clip(profile.equipment_execution + rng.normal(0, 0.05), 0.05, 0.95))

    rows: list[dict] = []

    def add(
        code, label, *, initial, final, committed=None, paid=None, assessed=None, collected=None
    ):
        rows.append(
            dict(
                zip(
                    BUDGET_COLUMNS,
                    [
                        unit["collectivity_code"],
                        year,
                        code,
                        label,
                        initial,
                        final,
                        committed,
                        paid,
                        assessed,
                        collected,
                    ],
                    strict=True,
                )
            )
        )

    transfers = revenue * profile.transfer_share
    taxes = revenue - transfers
    revenue_lines = _split(transfers, TRANSFER_LINES)
    if taxes > 0:
        revenue_lines += _split(taxes * 0.55, STATE_TAX_LINES) + _split(
            taxes * 0.45, OWN_REVENUE_LINES
        )
    for code, label, collected in revenue_lines:
        forecast = collected * rng.uniform(0.9, 1.15)
        is_transfer = code.startswith("1.10")
        line_collection = (
            1.0 if is_transfer else float(np.clip(collection + rng.normal(0, 0.05), 0.2, 1))
        )
        add(
            code,
            label,
            initial=forecast,
            final=forecast,
            assessed=collected / line_collection,
            collected=collected,
        )

    operating_spend = revenue * (1 - savings)
    personnel = operating_spend * profile.personnel_share
    delegated = operating_spend * profile.delegated_share
    utilities = operating_spend * 0.08
    interest = operating_spend * (0.015 if profile.borrows else 0.0)
    other = operating_spend - personnel - delegated - utilities - interest
    spend_lines = [
        ("1.50.10", "Dépenses de personnel", personnel),
        ("1.50.20", "Eau et électricité", utilities),
        ("1.50.30", "Gestion déléguée des services publics", delegated),
        ("1.50.40", "Autres biens et services", other),
        ("1.50.50", "Intérêts de la dette", interest),
    ]
    for code, label, paid in spend_lines:
        if paid <= 0:
            continue
        initial = paid / rng.uniform(0.88, 1.0)
        add(
            code,
            label,
            initial=initial,
            final=initial * rng.uniform(0.97, 1.05),
            committed=paid * rng.uniform(1.0, 1.06),
            paid=paid,
        )

    surplus = max(revenue - operating_spend, 0)
    loan = surplus * rng.uniform(0.2, 0.6) if profile.borrows else 0.0
    add(
        "2.10.10",
        "Excédent de la première partie",
        initial=surplus,
        final=surplus,
        assessed=surplus,
        collected=surplus,
    )
    if loan:
        add("2.10.20", "Emprunts FEC", initial=loan, final=loan, assessed=loan, collected=loan)
    equipment_credits = (surplus + loan) * rng.uniform(1.3, 2.2) + revenue * 0.02
    for code, label, share in (
        ("2.20.10", "Travaux de voirie et réseaux", 0.6),
        ("2.20.20", "Équipements et bâtiments", 0.4),
    ):
        credits = equipment_credits * share
        paid = credits * float(np.clip(execution + rng.normal(0, 0.04), 0.02, 0.98))
        add(
            code,
            label,
            initial=credits * rng.uniform(0.7, 0.95),
            final=credits,
            committed=min(credits, paid * rng.uniform(1.1, 1.6)),
            paid=paid,
        )
    if profile.borrows:
        principal = loan * 0.1 + revenue * 0.01
        add(
            "2.20.30",
            "Remboursement du principal de la dette",
            initial=principal,
            final=principal,
            committed=principal,
            paid=principal,
        )
    return rows


def arrears_rows(unit: dict, year: int, seed: int) -> list[dict]:
    """Revenue arrears (restes à recouvrer) by tax and assessment year at the end of `year`."""
    if unit["level"] == "arrondissement":
        return []  # arrondissements levy no tax
    profile = profile_of(unit, seed)
    rng = rng_for(seed, unit["code_digits"], year, 1)
    own_revenue = profile.operating_revenue * (1 - profile.transfer_share) * 0.45
    stock = own_revenue * 1.05 ** (year - 2022) * profile.arrears_multiple * rng.lognormal(0, 0.05)
    old_share = float(np.clip(profile.arrears_old_share + rng.normal(0, 0.03), 0.05, 0.9))
    recent_years = range(year - 3, year + 1)  # under four years old at the end of `year`
    old_years = range(year - ARREARS_HISTORY_YEARS + 1, year - 3)
    weights = {y: (1 - old_share) * w for y, w in zip(recent_years, _weights(rng, 4), strict=True)}
    weights |= {y: old_share * w for y, w in zip(old_years, _weights(rng, 6), strict=True)}
    rows = []
    for tax, label, tax_share in ARREARS_TAXES:
        for assessment_year, weight in sorted(weights.items()):
            amount = stock * tax_share * weight
            if amount >= 1:
                rows.append(
                    dict(
                        zip(
                            ARREARS_COLUMNS,
                            [unit["collectivity_code"], year, tax, label, assessment_year, amount],
                            strict=True,
                        )
                    )
                )
    return rows


def surplus_rows(unit: dict, year: int, seed: int, budget: list[dict], truth: list[dict]) -> list:
    """The treasury's statement of available surpluses at the close of `year` (FS5).

    `budget` is the collectivity's budget execution of the year (``budget_rows``): the
    available surplus is drawn as a share of its spending. Arrondissements hold no funds of
    their own at the Treasury (their allocation is part of the commune's budget): no rows.
    A dormant surplus (more than a year's spending, not allocated) is planted in ~10 % of
    collectivities, every year, and appended to `truth`.
    """
    if unit["level"] == "arrondissement":
        return []
    digits = unit["code_digits"]
    stable = rng_for(seed, digits, 0, SURPLUS_STREAM)
    dormant = bool(stable.random() < DORMANT_SURPLUS_RATE)
    usual = float(np.clip(stable.lognormal(np.log(0.35), 0.45), 0.03, 0.9))
    dormant_share = float(stable.uniform(1.2, 2.5))
    special_accounts = bool(stable.random() < 0.4)
    rng = rng_for(seed, digits, year, SURPLUS_STREAM)
    spend = sum(r["paiements"] or 0.0 for r in budget)
    if dormant:
        share = dormant_share * float(rng.lognormal(0, 0.05))
    else:
        share = float(np.clip(usual * rng.lognormal(0, 0.08), 0.03, 0.95))
    available = share * spend
    parts = [("principal", available)]
    if special_accounts:
        special = available * float(rng.uniform(0.05, 0.2))
        parts = [("principal", available - special), ("comptes_speciaux", special)]
    rows = []
    for budget_name, part in parts:
        allocated = part * float(rng.uniform(0.2, 1.2))
        rows.append(
            dict(
                zip(
                    SURPLUS_COLUMNS,
                    [
                        unit["collectivity_code"],
                        year,
                        budget_name,
                        part + allocated,
                        allocated,
                        part,
                    ],
                    strict=True,
                )
            )
        )
    if dormant:
        truth.append(
            {
                "source": "available_surpluses",
                "collectivity_code": unit["collectivity_code"],
                "fiscal_year": year,
                "anomaly": "dormant_surplus",
                "reference": f"excédent disponible {french_amount(available)} MAD",
                "detail": f"{share:.0%} des dépenses de l'exercice ({french_amount(spend)} MAD) ; "
                "plus d'une année de dépenses sans affectation",
            }
        )
    return rows


def _weights(rng: np.random.Generator, n: int) -> np.ndarray:
    raw = rng.uniform(0.5, 1.5, n)
    return raw / raw.sum()


def write_csv(path: Path, columns: list[str], rows: list[dict], amount_columns: set[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(
                french_amount(row[c]) if c in amount_columns else row[c] for c in columns
            )
    tmp.replace(path)
