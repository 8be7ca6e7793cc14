"""Contracts 13 and 14 in the generator: the treasury's statement of available surpluses (FS5)
and the e-permit register (RM6), with their planted cases found again from the files."""

from __future__ import annotations

import polars as pl
import pytest

from ingestion.contracts import AVAILABLE_SURPLUSES, URBANISM_PERMITS
from ingestion.inbox import ingest_source
from ingestion.reference import load_collectivities
from tadqiq.synthetic import generate
from tadqiq.synthetic.finance import budget_rows, surplus_rows
from tadqiq.synthetic.profiles import scope_codes
from tadqiq.synthetic.urbanism import KINDS, permits_table

SEED = 2026
TAXED = {kind for kind, _, _, taxed in KINDS if taxed}


@pytest.fixture(scope="module")
def collectivities() -> pl.DataFrame:
    return load_collectivities()


@pytest.fixture(scope="module")
def rollout_units(collectivities) -> list[dict]:
    codes = set(scope_codes("rollout", collectivities))
    return collectivities.filter(pl.col("collectivity_code").is_in(codes)).to_dicts()


@pytest.fixture(scope="module")
def pilot(tmp_path_factory, collectivities) -> dict:
    """The pilot's files of 2023–2024, read back through contracts 13 and 14."""
    folder = tmp_path_factory.mktemp("pilot")
    written = generate(
        folder / "inbox", "pilot", [2023, 2024], seed=7, ground_truth=folder / "t.csv"
    )
    known = set(collectivities["collectivity_code"])
    return {
        "written": written,
        "truth": pl.read_csv(folder / "t.csv", schema_overrides={"collectivity_code": pl.String}),
        "surpluses": ingest_source(folder / "inbox", AVAILABLE_SURPLUSES, known, folder / "raw"),
        "permits": ingest_source(folder / "inbox", URBANISM_PERMITS, known, folder / "raw"),
    }


def test_both_sources_meet_their_contracts_and_who_sends_what(pilot, collectivities) -> None:
    # 2 regions and 2 communes have a surplus statement; arrondissements hold no funds of their
    # own; only the 2 communes issue permits
    assert pilot["written"]["available_surpluses"] == 4 * 2
    assert pilot["written"]["urbanism_permits"] == 2 * 2
    levels = dict(collectivities.select("collectivity_code", "level").iter_rows())
    for name in ("surpluses", "permits"):
        result = pilot[name]
        assert result.quarantined.is_empty() and result.rejected_files.is_empty(), name
        assert (result.new_files["status"] == "loaded").all(), name
    surplus_levels = {levels[c] for c in pilot["surpluses"].landed["code_collectivite"]}
    assert surplus_levels == {"region", "commune"}
    permit_levels = {levels[c] for c in pilot["permits"].landed["code_collectivite"]}
    assert permit_levels == {"commune"}


def test_permits_without_receipt_are_there_and_only_there(pilot) -> None:
    permits = pilot["permits"].landed
    untaxed = permits.filter(~pl.col("type_autorisation").is_in(TAXED))
    assert untaxed.height > 0 and untaxed["reference_quittance"].is_null().all()
    missing = permits.filter(
        pl.col("type_autorisation").is_in(TAXED) & pl.col("reference_quittance").is_null()
    )
    found = set(missing.select("code_collectivite", "exercice", "numero_autorisation").iter_rows())
    truth = pilot["truth"].filter(pl.col("anomaly") == "permit_without_tax_receipt")
    planted = {
        (row["collectivity_code"], row["fiscal_year"], number)
        for row in truth.iter_rows(named=True)
        for number in row["reference"].split(" / ")
    }
    assert planted and found == planted  # seed 7 plants one case in the pilot
    receipts = permits.drop_nulls("reference_quittance")
    assert not receipts.select("code_collectivite", "reference_quittance").is_duplicated().any()


def test_dormant_surpluses_are_the_only_ones_over_a_year_of_spending(rollout_units) -> None:
    """FS5 recomputed from the rows: above 1 (a year's spending) exactly where planted."""
    truth: list[dict] = []
    ratios = {}
    for unit in rollout_units:
        budget = budget_rows(unit, 2024, SEED)
        rows = surplus_rows(unit, 2024, SEED, budget, truth)
        if not rows:
            assert unit["level"] == "arrondissement"
            continue
        for row in rows:
            assert 0 <= row["excedent_disponible"] <= row["excedent_cumule"]
        spend = sum(r["paiements"] or 0 for r in budget)
        ratios[unit["collectivity_code"]] = sum(r["excedent_disponible"] for r in rows) / spend
    planted = {t["collectivity_code"] for t in truth}
    assert {t["anomaly"] for t in truth} == {"dormant_surplus"}
    assert 0.05 < len(planted) / len(ratios) < 0.2  # ~10 % of collectivities
    assert {c for c, r in ratios.items() if r > 1.0} == planted
    assert 0.05 < sum(0.5 <= r <= 1.0 for r in ratios.values()) / len(ratios) < 0.6  # amber too


def test_a_dormant_surplus_stays_dormant_and_figures_are_deterministic(rollout_units) -> None:
    dormant = {}
    for year in (2022, 2023, 2024):
        truth: list[dict] = []
        for unit in rollout_units:
            surplus_rows(unit, year, SEED, budget_rows(unit, year, SEED), truth)
        dormant[year] = {t["collectivity_code"] for t in truth}
    assert dormant[2022] == dormant[2023] == dormant[2024]
    unit = next(u for u in rollout_units if u["level"] == "commune")
    again = [permits_table(unit, 2024, SEED, []) for _ in range(2)]
    assert again[0] == again[1]
    assert permits_table(unit, 2024, SEED + 1, []) != again[0]


def test_permit_volumes_and_receipt_rates_over_the_rollout(rollout_units) -> None:
    truth: list[dict] = []
    issued = {}
    for unit in rollout_units:
        table = permits_table(unit, 2024, SEED, truth)
        if unit["level"] != "commune":
            assert table is None
            continue
        issued[unit["collectivity_code"]] = len(table["numero_autorisation"])
        kinds = set(table["type_autorisation"])
        assert kinds <= {k for k, *_ in KINDS}
    casablanca, moulay_abdallah = issued["06.141.01.0"], issued["06.181.05.01"]
    assert 4_000 < casablanca < 10_000 and 30 < moulay_abdallah < 150
    share = len({t["collectivity_code"] for t in truth}) / len(issued)
    assert 0.08 < share < 0.25  # ~15 % of commune-years
