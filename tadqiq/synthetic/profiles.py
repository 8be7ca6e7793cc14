"""What every generated source shares: the scopes, a collectivity's stable profile, its
random streams and the French way of writing amounts.

Every collectivity draws a stable profile from ``(seed, code)`` and yearly noise from
``(seed, code, year)``: the same collectivity gets the same figures whatever the scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

SCOPES = ("pilot", "rollout", "national")
ROLLOUT_SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "rollout_phases.csv"


@dataclass(frozen=True)
class Profile:
    """What a collectivity is like, stable across years."""

    operating_revenue: float  # MAD, base year
    transfer_share: float
    collection_rate: float
    savings_rate: float
    personnel_share: float
    delegated_share: float
    equipment_execution: float
    arrears_multiple: float
    arrears_old_share: float
    borrows: bool


def scope_codes(scope: str, collectivities: pl.DataFrame) -> list[str]:
    """Collectivity codes of a scope: pilot = phase 1, rollout = phases 1–3, national = all."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; expected one of {', '.join(SCOPES)}")
    if scope == "national":
        return collectivities["collectivity_code"].to_list()
    phases = pl.read_csv(ROLLOUT_SEED, schema_overrides={"collectivity_code": pl.String})
    max_phase = 1 if scope == "pilot" else 3
    return phases.filter(pl.col("rollout_phase") <= max_phase)["collectivity_code"].to_list()


def rng_for(seed: int, code_digits: str, *extra: int) -> np.random.Generator:
    return np.random.default_rng([seed, int(code_digits), *extra])


def profile_of(unit: dict, seed: int) -> Profile:
    rng = rng_for(seed, unit["code_digits"])
    population = max(unit["population_2024"] or 1_000, 1_000)
    level = unit["level"]
    if level == "region":
        revenue = population * rng.lognormal(np.log(280), 0.25)
        transfer = rng.uniform(0.80, 0.92)
    elif level == "province":
        revenue = population * rng.lognormal(np.log(90), 0.3)
        transfer = rng.uniform(0.65, 0.85)
    elif level == "arrondissement":
        revenue = population * rng.lognormal(np.log(120), 0.2)
        transfer = 1.0  # the dotation from the commune is its only resource
    else:
        jobs_per_capita = (unit["establishments_jobs"] or 0) / population
        industry = 1 + min(jobs_per_capita * 2, 2)  # Jorf Lasfar-like zones collect far more TP
        median_own = 500 if unit["is_urban"] else 170
        own_per_capita = rng.lognormal(np.log(median_own), 0.35) * industry
        transfer = rng.uniform(0.25, 0.50) if unit["is_urban"] else rng.uniform(0.50, 0.90)
        transfer = transfer / (transfer + (1 - transfer) * industry)
        revenue = own_per_capita * population / (1 - transfer)
    return Profile(
        operating_revenue=float(revenue),
        transfer_share=float(transfer),
        collection_rate=float(np.clip(rng.beta(6, 2), 0.35, 0.98)),
        savings_rate=float(rng.uniform(0.02, 0.45)),
        personnel_share=float(rng.uniform(0.33, 0.68)),
        delegated_share=float(
            rng.uniform(0.05, 0.18) if unit["is_urban"] else rng.uniform(0, 0.04)
        ),
        equipment_execution=float(rng.uniform(0.15, 0.75)),
        arrears_multiple=float(np.clip(rng.lognormal(np.log(2.2), 0.5), 0.6, 7)),
        arrears_old_share=float(rng.uniform(0.25, 0.65)),
        borrows=bool(rng.random() < 0.39),
    )


def french_amount(value: float | None) -> str:
    """1234567.891 -> '1 234 567,89' as French spreadsheets export it."""
    if value is None:
        return ""
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")


def rollout_phases() -> dict[str, int]:
    phases = pl.read_csv(ROLLOUT_SEED, schema_overrides={"collectivity_code": pl.String})
    return dict(phases.select("collectivity_code", "rollout_phase").iter_rows())
