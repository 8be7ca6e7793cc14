"""The synthetic generator: deterministic, scoped, and readable by the contracts it feeds."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest

from ingestion.contracts import BUDGET_EXECUTION, CONTRACTS
from ingestion.inbox import ingest_source
from ingestion.reference import load_collectivities
from tadqiq.synthetic import generate
from tadqiq.synthetic.profiles import ROLLOUT_SEED, french_amount, scope_codes

PILOT = {"05", "06", "06.141.01.0", "06.181.05.01"}


def digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*.csv"))
    }


@pytest.fixture(scope="module")
def collectivities() -> pl.DataFrame:
    return load_collectivities()


def test_same_seed_same_bytes_other_seed_other_figures(tmp_path: Path) -> None:
    generate(tmp_path / "a", "pilot", [2024], seed=7)
    generate(tmp_path / "b", "pilot", [2024], seed=7)
    generate(tmp_path / "c", "pilot", [2024], seed=8)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    budgets = {k: v for k, v in digest(tmp_path / "a").items() if k.startswith("budget_")}
    other = {k: v for k, v in digest(tmp_path / "c").items() if k.startswith("budget_")}
    assert budgets.keys() == other.keys()  # every collectivity has a budget whatever the seed
    assert all(budgets[k] != other[k] for k in budgets)


def test_a_collectivity_gets_the_same_figures_whatever_the_scope(tmp_path: Path) -> None:
    generate(tmp_path / "pilot", "pilot", [2023], seed=1)
    generate(tmp_path / "rollout", "rollout", [2023], seed=1)
    name = "budget_execution/execution_budgetaire_061810501_2023.csv"
    assert digest(tmp_path / "pilot")[name] == digest(tmp_path / "rollout")[name]


def test_scopes(collectivities: pl.DataFrame) -> None:
    pilot = set(scope_codes("pilot", collectivities))
    arrondissements = set(
        collectivities.filter(pl.col("parent_commune_code") == "06.141.01.0")["collectivity_code"]
    )
    assert pilot == PILOT | arrondissements
    rollout = set(scope_codes("rollout", collectivities))
    assert pilot < rollout
    assert len(rollout - arrondissements) == 160
    assert len(scope_codes("national", collectivities)) == 1631
    with pytest.raises(ValueError, match="unknown scope"):
        scope_codes("planet", collectivities)


def test_rollout_seed_phases(collectivities: pl.DataFrame) -> None:
    phases = pl.read_csv(ROLLOUT_SEED, schema_overrides={"collectivity_code": pl.String})
    assert phases["collectivity_code"].n_unique() == phases.height
    assert set(phases["collectivity_code"]) <= set(collectivities["collectivity_code"])
    per_phase = dict(phases.group_by("rollout_phase").len().iter_rows())
    assert per_phase == {1: 20, 2: 90, 3: 66}  # 4 pilot sites + 16 arrondissements; 90; to 160


def test_every_generated_row_meets_its_contract(tmp_path: Path, collectivities) -> None:
    written = generate(tmp_path, "pilot", [2023, 2024], seed=3, broken=False)
    # 20 pilot units x 2 years; arrondissements levy no tax, so 4 units have arrears
    assert (written["budget_execution"], written["revenue_arrears"]) == (40, 8)
    known = set(collectivities["collectivity_code"])
    for contract in CONTRACTS:
        assert written[contract.entity] > 0, contract.entity
        result = ingest_source(tmp_path, contract, known, tmp_path / "raw")
        assert result.manifest.height > 0, contract.entity
        assert result.quarantined.is_empty()
        assert result.manifest["status"].unique().to_list() == ["loaded"]


def test_magnitudes_follow_the_domain_notes(tmp_path: Path, collectivities) -> None:
    generate(tmp_path, "rollout", [2024], seed=2026)
    lines = ingest_source(
        tmp_path, BUDGET_EXECUTION, set(collectivities["collectivity_code"]), tmp_path / "raw"
    )
    frame = lines.landed.join(
        collectivities.select("collectivity_code", "level", "is_urban", "population_2024"),
        left_on="code_collectivite",
        right_on="collectivity_code",
    ).filter(pl.col("level") == "commune")
    per_commune = frame.group_by("code_collectivite", "is_urban", "population_2024").agg(
        personnel=pl.col("paiements").filter(pl.col("code_ligne") == "1.50.10").sum(),
        operating=pl.col("paiements").filter(pl.col("code_ligne").str.starts_with("1.50")).sum(),
    )
    share = (per_commune["personnel"] / per_commune["operating"]).median()
    assert 0.35 <= share <= 0.65  # DOMAIN.md §2.3: personnel 35–65 % of operating spend


def test_french_amount() -> None:
    assert french_amount(1234567.891) == "1 234 567,89"
    assert french_amount(0.5) == "0,50"
    assert french_amount(None) == ""
