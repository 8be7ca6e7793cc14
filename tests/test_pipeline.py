"""End to end in process: generated exports → Dagster assets → dbt marts → published snapshot.

The indicators are recomputed here a second way, straight from the CSV files with the csv
module and the seeds, and compared with what the warehouse holds.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tadqiq.synthetic import generate

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "dbt_project" / "seeds"
YEARS = (2023, 2024)


def french_number(text: str) -> float | None:
    text = text.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    return float(text) if text else None


def seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def expected_indicators(inbox: Path) -> dict[tuple[str, int, str], float | None]:
    """FS1, FS2, RM1, RM2, RM3, SE2, HR1 from the raw files, without polars, dbt or DuckDB
    (the generated files only: the broken ones, zz_*, are another test's business)."""
    lines = {row["budget_line_code"]: row for row in seed("budget_nomenclature")}
    sums: dict[tuple[str, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for path in (inbox / "budget_execution").glob("execution_budgetaire_*.csv"):
        with path.open(encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle, delimiter=";"):
                s = sums[(row["code_collectivite"], int(row["exercice"]))]
                line = lines[row["code_ligne"]]
                paid = french_number(row["paiements"]) or 0.0
                collected = french_number(row["recouvrements"]) or 0.0
                if line["flow_nature"] == "revenue" and line["budget_part"] == "1":
                    s["op_revenue"] += collected
                if line["revenue_class"] == "transferred":
                    s["transfers"] += collected
                if line["revenue_class"] == "own":
                    s["own"] += collected
                if line["revenue_class"] in ("own", "state_managed"):
                    s["assessed"] += french_number(row["emissions"]) or 0.0
                    s["collected"] += collected
                if line["flow_nature"] == "expense" and line["budget_part"] == "1":
                    s["op_spend"] += paid
                if line["economic_category"] == "personnel":
                    s["personnel"] += paid
                if line["economic_category"] == "investment":
                    s["equip_paid"] += paid
                    s["equip_credit"] += french_number(row["credits_definitifs"]) or 0.0
    arrears: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for path in (inbox / "revenue_arrears").glob("restes_a_recouvrer_*.csv"):
        with path.open(encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle, delimiter=";"):
                year = int(row["exercice"])
                amount = french_number(row["reste_a_recouvrer"])
                arrears[(row["code_collectivite"], year)][0] += amount
                if year - int(row["annee_emission"]) >= 4:
                    arrears[(row["code_collectivite"], year)][1] += amount

    def ratio(numerator: float | None, denominator: float | None) -> float | None:
        return numerator / denominator if numerator is not None and denominator else None

    expected = {}
    for (code, year), s in sums.items():
        total, old = arrears.get((code, year), (None, None))
        values = {
            "FS1": ratio(s["op_revenue"] - s["op_spend"], s["op_revenue"]),
            "FS2": ratio(s["transfers"], s["op_revenue"]),
            "RM1": ratio(s["collected"], s["assessed"]),
            "RM2": ratio(total, s["own"]),
            "RM3": ratio(old, total),
            "SE2": ratio(s["equip_paid"], s["equip_credit"]),
            "HR1": ratio(s["personnel"], s["op_spend"]),
        }
        expected |= {(code, year, k): v for k, v in values.items()}
    return expected


def expected_band(value: float, row: dict[str, str]) -> str:
    green, red = float(row["green_threshold"]), float(row["red_threshold"])
    if row["direction"] == "higher_better":
        return "green" if value >= green else "red" if value < red else "amber"
    return "green" if value < green else "red" if value > red else "amber"


@pytest.fixture(scope="module")
def built(session_env: Path) -> dict:
    data = Path(os.environ["TADQIQ_DATA_DIR"])
    generate(data / "inbox", "pilot", YEARS, seed=7, ground_truth=data / "truth.csv", broken=True)
    from orchestration.lib.runner import run_pipeline

    results = run_pipeline(dg.DagsterInstance.ephemeral())
    return {"results": results, "data": data}


def query(built: dict, sql: str) -> list[tuple]:
    current = (built["data"] / "published" / "CURRENT").read_text().strip()
    with duckdb.connect(str(built["data"] / "published" / current), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_runs_succeed_with_every_check_passing(built: dict) -> None:
    results = built["results"]
    names = [r.dagster_run.job_name for r in results]
    assert names == ["reference_job"] + ["ingest_fiscal_year_job"] * 3 + ["refresh_job"]
    # 2019 holds the loaded rows of the broken-file set, older than any generated year
    partitions = [r.dagster_run.tags.get("dagster/partition") for r in results[1:4]]
    assert partitions == ["2019", "2023", "2024"]
    assert all(r.success for r in results)
    evaluations = [e for r in results for e in r.get_asset_check_evaluations()]
    assert {e.check_name for e in evaluations} >= {
        "budget_execution_contract_gx",
        "revenue_arrears_contract_gx",
        "missions_contract_gx",
    }
    assert all(e.passed for e in evaluations)


def test_indicators_match_a_second_computation(built: dict) -> None:
    expected = expected_indicators(built["data"] / "inbox")
    catalogue = {row["indicator_code"]: row for row in seed("indicator_catalogue")}
    (count,) = query(built, "select count(*) from marts.fct_indicators where fiscal_year >= 2023")[
        0
    ]
    assert count == 20 * len(YEARS) * sum(row["is_active"] == "true" for row in catalogue.values())
    rows = query(
        built,
        "select collectivity_code, fiscal_year, indicator_code, indicator_value, has_data, band "
        "from marts.fct_indicators where indicator_code in "
        "('FS1', 'FS2', 'RM1', 'RM2', 'RM3', 'SE2', 'HR1') and fiscal_year >= 2023",
    )
    assert len(rows) == len(expected) == 20 * len(YEARS) * 7
    for code, year, indicator, value, has_data, band in rows:
        want = expected[(code, year, indicator)]
        if want is None:
            assert not has_data and value is None and band is None
        else:
            assert value == pytest.approx(want, rel=1e-9), (code, year, indicator)
            assert band == expected_band(want, catalogue[indicator])


def test_arrondissements_have_no_revenue_indicators_and_no_national_rank(built: dict) -> None:
    rows = query(
        built,
        "select i.indicator_code, bool_or(i.has_data) from marts.fct_indicators as i "
        "inner join marts.dim_collectivities as d using (collectivity_code) "
        "where d.level = 'arrondissement' and i.indicator_code like 'RM%' group by 1",
    )
    # no tax, no own revenue (RM4 has a zero median), no urbanism register (RM6)
    assert sorted(rows) == [(f"RM{n}", False) for n in (1, 2, 3, 4, 6)]
    ranks = query(
        built,
        "select d.level, count(r.national_rank), count(*) from marts.fct_risk_scores as r "
        "inner join marts.dim_collectivities as d using (collectivity_code) "
        "where r.fiscal_year = 2024 group by 1 order by 1",
    )
    assert ranks == [("arrondissement", 0, 16), ("commune", 2, 2), ("region", 2, 2)]


def test_risk_scores_are_consistent(built: dict) -> None:
    rows = query(
        built,
        "select likelihood, impact, inherent_risk, risk_class, national_rank, residual_risk "
        "from marts.fct_risk_scores where fiscal_year = 2024 and national_rank is not null "
        "order by national_rank",
    )
    classes = [(1, 4, "low"), (5, 9, "moderate"), (10, 14, "high"), (15, 25, "critical")]
    for likelihood, impact, inherent, risk_class, _, residual in rows:
        assert inherent == likelihood * impact
        assert impact <= residual <= inherent
        assert next(c for lo, hi, c in classes if lo <= inherent <= hi) == risk_class
    assert [r[4] for r in rows] == [1, 2, 3, 4]
    assert [r[2] for r in rows] == sorted((r[2] for r in rows), reverse=True)


def test_rerun_is_idempotent(built: dict) -> None:
    before = query(built, "select * from marts.fct_risk_scores order by risk_score_id")
    files = query(built, "select count(*) from staging.stg_ingest__file_versions")
    from orchestration.lib.runner import run_pipeline

    assert all(r.success for r in run_pipeline(dg.DagsterInstance.ephemeral()))
    assert query(built, "select * from marts.fct_risk_scores order by risk_score_id") == before
    assert query(built, "select count(*) from staging.stg_ingest__file_versions") == files
    assert len(list((built["data"] / "published").glob("warehouse_*.duckdb"))) == 2


def test_dbt_unit_tests_pass_on_the_built_warehouse(built: dict) -> None:
    """Every unit test declared in the project's YAML runs, and passes, on the built warehouse."""
    import yaml
    from dbt.cli.main import dbtRunner

    declared = sorted(
        test["name"]
        for path in (REPO / "dbt_project" / "models").rglob("*.yml")
        for test in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("unit_tests", [])
    )
    assert len(declared) >= 20
    project = str(REPO / "dbt_project")
    outcome = dbtRunner().invoke(
        ["test", "--select", "test_type:unit", "--project-dir", project, "--profiles-dir", project]
    )
    assert outcome.success
    assert sorted(r.node.name for r in outcome.result.results) == declared


def test_planted_anomalies_are_detected(built: dict) -> None:
    """Every anomaly the generator planted shows in its indicator (ground truth beside data)."""
    indicator_of = {
        "duplicate_payment": "IC4",
        "split_purchase": "PR2",
        "duplicate_cin": "HR3",
        "duplicate_rib": "HR3",
        "no_posting": "HR3",
        "paid_after_exit": "HR3",
    }
    with (built["data"] / "truth.csv").open(encoding="utf-8") as handle:
        planted = [row for row in csv.DictReader(handle) if row["anomaly"] in indicator_of]
    assert planted, "seed 7 plants anomalies in the pilot"
    for row in planted:
        (value,) = query(
            built,
            "select numerator_value from marts.fct_indicators where collectivity_code = ? "
            "and fiscal_year = ? and indicator_code = ?".replace("?", "'{}'").format(
                row["collectivity_code"], row["fiscal_year"], indicator_of[row["anomaly"]]
            ),
        )[0]
        assert value > 0, row


def test_nothing_is_lost_in_ingestion(built: dict) -> None:
    files = query(
        built,
        "select file_status, count(*), sum(rows_read), sum(rows_landed), sum(rows_quarantined) "
        "from ingest.fct_ingest_files group by 1 order by 1",
    )
    statuses = {status: counts for status, *counts in files}
    assert set(statuses) == {"loaded", "rejected"}
    for _files, read, landed, quarantined in statuses.values():
        assert read == landed + quarantined
    (quarantined_rows,) = query(built, "select count(*) from ingest.fct_quarantined_rows")[0]
    assert quarantined_rows >= statuses["loaded"][3] > 0
