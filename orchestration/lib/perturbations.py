"""The seed of weight perturbations for the rank-stability analysis (Monte Carlo).

    python -m orchestration.lib.perturbations > dbt_project/seeds/weight_perturbations.csv

Each simulation multiplies every domain weight by a factor drawn uniformly in [0.8, 1.2]
(±20 %, OECD/JRC handbook); the numbers come from a fixed seed, so the ranking intervals are
reproducible and the SQL that uses them stays portable (no random function in the warehouse).
"""

from __future__ import annotations

import io

import numpy as np
import polars as pl

DOMAINS = ("FS", "RM", "SE", "PR", "HR", "IC", "AF")
SIMULATIONS = 200
SPREAD = 0.20
SEED = 20261127


def perturbations(
    simulations: int = SIMULATIONS, spread: float = SPREAD, seed: int = SEED
) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    factors = rng.uniform(1 - spread, 1 + spread, size=(simulations, len(DOMAINS)))
    return pl.DataFrame(
        {
            "simulation_id": np.repeat(np.arange(1, simulations + 1), len(DOMAINS)),
            "domain_code": list(DOMAINS) * simulations,
            "weight_multiplier": np.round(factors.ravel(), 4),
        }
    )


def as_csv() -> str:
    buffer = io.StringIO()
    perturbations().write_csv(buffer)
    return buffer.getvalue()


if __name__ == "__main__":
    print(as_csv(), end="")
