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
            "RM2": ratio(total, s["collected"]),  # the same taxes above and below
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


def test_the_broken_files_land_but_make_no_scored_year(built: dict) -> None:
    """Their rows land (2019, a single collectivity's budget) but 2019 is not scored: no
    indicator, score, rank or programme line (min_collectivities_per_scored_year)."""
    (landed,) = query(
        built,
        "select count(*) from ingest.fct_ingest_files where source_file like 'zz_%' "
        "and file_status = 'loaded'",
    )[0]
    assert landed > 0
    for table, column in (
        ("marts.fct_indicators", "fiscal_year"),
        ("marts.fct_risk_scores", "fiscal_year"),
        ("marts.fct_audit_programme", "base_fiscal_year"),
    ):
        years = [y for (y,) in query(built, f"select distinct {column} from {table}")]
        assert 2019 not in years, table
    years = query(built, "select fiscal_year, count(*) from marts.fct_risk_scores group by 1")
    assert all(n >= 5 for _, n in years)


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
        "select level, likelihood, impact, inherent_risk, risk_class, national_rank, "
        "residual_risk, risk_score from marts.fct_risk_scores where fiscal_year = 2024 "
        "and national_rank is not null order by level, national_rank",
    )
    classes = [(1, 4, "low"), (5, 9, "moderate"), (10, 14, "high"), (15, 25, "critical")]
    for _, likelihood, impact, inherent, risk_class, _, residual, _ in rows:
        assert inherent == likelihood * impact
        assert impact <= residual <= inherent
        assert next(c for lo, hi, c in classes if lo <= inherent <= hi) == risk_class
    # ranked among peers: the two communes 1, 2 and the two regions 1, 2
    peers = [("commune", 1), ("commune", 2), ("region", 1), ("region", 2)]
    assert [(r[0], r[5]) for r in rows] == peers
    for level in ("commune", "region"):
        scores = [r[7] for r in rows if r[0] == level]
        assert scores == sorted(scores, reverse=True)


def risk_score(composite: float, materiality: float) -> float:
    """L x I before banding: composite and materiality (0-100) each on the 1-5 scale."""
    return (1 + 4 * composite / 100) * (1 + 4 * materiality / 100)


def ntile(count: int, buckets: int) -> list[int]:
    """SQL ntile: the first count % buckets groups hold one row more."""
    size, extra = divmod(count, buckets)
    return [
        b + 1 for b in range(min(buckets, count)) for _ in range(size + (1 if b < extra else 0))
    ]


def test_ranks_and_impact_are_within_each_level(built: dict) -> None:
    """Rank, its N and the impact quintile recomputed per level in Python from the mart's own
    composite and materiality: a region is never ranked among communes. The rank orders by
    the risk score (1 + 4 c / 100) x (1 + 4 m / 100), recomputed here, then composite, code."""
    rows = query(
        built,
        "select r.fiscal_year, d.level, r.collectivity_code, r.inherent_risk, "
        "r.composite_score, r.materiality_score, r.impact, r.national_rank, r.level_rank, "
        "r.ranked_in_level, r.level, r.rank_p05, r.rank_p95, r.risk_score "
        "from marts.fct_risk_scores as r "
        "inner join marts.dim_collectivities as d using (collectivity_code)",
    )
    groups: dict[tuple[int, str], list[tuple]] = defaultdict(list)
    for row in rows:
        assert row[10] == row[1]  # the mart's level is the collectivity's
        if row[4] is not None:
            want = round(risk_score(float(row[4]), float(row[5])), 4)
            assert float(row[13]) == pytest.approx(want, abs=1e-4), row
        groups[(row[0], row[1])].append(row)
    assert {level for _, level in groups} == {"region", "commune", "arrondissement"}
    for (_, level), members in groups.items():
        by_risk = sorted(
            members,
            key=lambda r: (
                -(round(risk_score(float(r[4]), float(r[5])), 4) if r[4] is not None else -1),
                -(float(r[4]) if r[4] is not None else -1),
                r[2],
            ),
        )
        for rank, row in enumerate(by_risk, start=1):
            assert row[8] == rank and row[9] == len(members), row
            assert row[7] == (None if level == "arrondissement" else rank), row
            if row[7] is not None:
                assert 1 <= row[11] <= row[12] <= len(members), row
        by_materiality = sorted(members, key=lambda r: (float(r[5]), r[2]))
        assert [r[6] for r in by_materiality] == ntile(len(members), 5)


def simulated_selection(built: dict) -> dict[tuple[str, int], list[bool]]:
    """The programme's risk-driven selection under every weight perturbation, recomputed in
    plain Python from the published marts and seeds (not the project's SQL): per simulation,
    composite = sum(score x weight x multiplier) / sum(weight x multiplier) over the scored
    domains, likelihood band, L x I, critical class, risk score, priority = risk score x cycle
    factor + findings bonus, and the joint pool (regional minimum first, then by priority,
    ties by code, while the inspections fit). {(code, year): [selected in simulation 0, 1, …]}
    """
    domains: dict[tuple[str, int], list[tuple[str, float, float]]] = defaultdict(list)
    for code, year, domain, score, weight in query(
        built,
        "select collectivity_code, fiscal_year, domain_code, domain_score, likelihood_weight "
        "from marts.fct_domain_scores where domain_score is not null",
    ):
        domains[(code, year)].append((domain, float(score), float(weight)))
    scores = {
        (code, year): (float(materiality), impact)
        for code, year, materiality, impact in query(
            built,
            "select collectivity_code, fiscal_year, materiality_score, impact "
            "from marts.fct_risk_scores where inherent_risk is not null",
        )
    }
    candidates = query(
        built,
        "select collectivity_code, base_fiscal_year, region_code, audit_cycle_factor, "
        "severe_findings_bonus from marts.fct_audit_programme where programme_kind = 'joint'",
    )
    multipliers: dict[int, dict[str, float]] = defaultdict(dict)
    for row in seed("weight_perturbations"):
        multipliers[int(row["simulation_id"])][row["domain_code"]] = float(row["weight_multiplier"])
    simulations = [dict.fromkeys(multipliers[1], 1.0)] + [
        multipliers[i] for i in sorted(multipliers)
    ]
    bands = sorted(
        (float(row["min_composite_score"]), int(row["likelihood"]))
        for row in seed("likelihood_bands")
    )
    critical = next(r for r in seed("risk_classes") if r["risk_class"] == "critical")
    minimums = {
        r["region_code"]: int(r["min_joint_inspections"]) for r in seed("programme_region_minimums")
    }
    programme = {r["parameter"]: float(r["value"]) for r in seed("programme_parameters")}
    places = int(programme["joint_pool_auditor_days"] // programme["joint_mission_auditor_days"])

    selected: dict[tuple[str, int], list[bool]] = defaultdict(list)
    for year in sorted({year for _, year, *_ in candidates}):
        members = [c for c in candidates if c[1] == year]
        for weights in simulations:
            priority, is_critical = {}, {}
            for code, _, _, factor, bonus in members:
                lines = domains[(code, year)]
                composite = round(
                    sum(s * w * weights[d] for d, s, w in lines)
                    / sum(w * weights[d] for d, s, w in lines),
                    4,
                )
                likelihood = max(lik for low, lik in bands if composite >= low)
                materiality, impact = scores[(code, year)]
                inherent = likelihood * impact
                is_critical[code] = (
                    int(critical["min_inherent_risk"])
                    <= inherent
                    <= int(critical["max_inherent_risk"])
                )
                score = round(risk_score(composite, materiality), 4)
                priority[code] = score * float(factor) + float(bonus)
            by_priority = sorted(members, key=lambda c: (-priority[c[0]], c[0]))
            first: list[str] = []
            for region in {c[2] for c in members}:
                in_region = [c[0] for c in by_priority if c[2] == region]
                first += in_region[: minimums.get(region, 0)]
            order = [c for c in by_priority if c[0] in first] + [
                c for c in by_priority if c[0] not in first
            ]
            joint = {c[0] for c in order[:places]}
            for code, *_ in members:
                selected[(code, year)].append(is_critical[code] or code in joint)
    return selected


def test_programme_selection_stability_matches_a_second_computation(built: dict) -> None:
    """The share of the weight perturbations that select each collectivity, and the
    instability flag (more than 10 % of them reverse the published decision), recomputed
    in plain Python, match fct_programme_selection_stability row for row."""
    threshold = next(
        float(r["value"])
        for r in seed("ranking_parameters")
        if r["parameter"] == "unstable_selection_share"
    )
    expected = simulated_selection(built)
    rows = query(
        built,
        "select collectivity_code, fiscal_year, is_programme_selected, simulations, "
        "selection_share, is_selection_unstable from marts.fct_programme_selection_stability",
    )
    assert len(rows) == len(expected) > 0
    for code, year, published, simulations, share, unstable in rows:
        first, *rest = expected[(code, year)]
        assert published == first, (code, year)
        assert simulations == len(rest) == 200
        assert float(share) == pytest.approx(sum(rest) / len(rest), abs=1e-4), (code, year)
        reversed_ = sum(1 for s in rest if s != first)
        assert unstable == (reversed_ > threshold * len(rest)), (code, year)


def test_sub_scores_stay_in_their_band(built: dict) -> None:
    """Every sub-score recomputed in Python from the catalogue and sub_score_bands seeds:
    linear within the band's own interval, so a red value never scores like an amber one."""
    catalogue = {row["indicator_code"]: row for row in seed("indicator_catalogue")}
    bands = {
        row["band"]: (float(row["min_sub_score"]), float(row["max_sub_score"]))
        for row in seed("sub_score_bands")
    }
    rows = query(
        built,
        "select collectivity_code, fiscal_year, indicator_code, indicator_value, band, "
        "sub_score from marts.fct_indicators where has_data",
    )
    assert len(rows) > 500
    for code, year, indicator, value, band, sub_score in rows:
        row = catalogue[indicator]
        sign = -1.0 if row["direction"] == "higher_better" else 1.0
        best, green, red, worst = (
            sign * float(row[k])
            for k in ("best_value", "green_threshold", "red_threshold", "worst_value")
        )
        v = sign * value
        inclusive = {k: row[f"{k}_inclusive"] == "true" for k in ("green", "red")}
        if v < green or (inclusive["green"] and v == green):
            want_band, start, end = "green", best, green
        elif v > red or (inclusive["red"] and v == red):
            want_band, start, end = "red", red, worst
        else:
            want_band, start, end = "amber", green, red
        low, high = bands[want_band]
        share = min(max((v - start) / (end - start), 0.0), 1.0) if end > start else 0.0
        if want_band == "green" and v <= best:
            share = 0.0
        if want_band == "red" and v >= worst:
            share = 1.0
        assert band == want_band, (code, year, indicator, value)
        assert sub_score == pytest.approx(low + (high - low) * share, abs=1e-4), (
            code,
            year,
            indicator,
            value,
        )


def test_rerun_is_idempotent(built: dict) -> None:
    before = query(built, "select * from marts.fct_risk_scores order by risk_score_id")
    files = query(built, "select count(*) from ingest.fct_ingest_files")
    from orchestration.lib.runner import run_pipeline

    assert all(r.success for r in run_pipeline(dg.DagsterInstance.ephemeral()))
    assert query(built, "select * from marts.fct_risk_scores order by risk_score_id") == before
    assert query(built, "select count(*) from ingest.fct_ingest_files") == files
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
    """Every anomaly the generator planted shows in its indicator (ground truth beside data)
    and raises its own red flag."""
    indicator_of = {
        "duplicate_payment": "IC4",
        "split_purchase": "PR2",
        "duplicate_cin": "HR3",
        "duplicate_rib": "HR3",
        "no_posting": "HR3",
        "paid_after_exit": "HR3",
        "permit_without_tax_receipt": "RM6",
    }
    flag_of = {
        "duplicate_payment": "duplicate_payment",
        "split_purchase": "split_purchase",
        "duplicate_cin": "payroll_duplicate_cin",
        "duplicate_rib": "payroll_duplicate_rib",
        "no_posting": "payroll_no_posting",
        "paid_after_exit": "payroll_paid_after_exit",
        "permit_without_tax_receipt": "urbanism_without_tax",
    }
    flags = set(
        query(
            built, "select collectivity_code, fiscal_year, red_flag_code from marts.fct_red_flags"
        )
    )
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
        assert (row["collectivity_code"], int(row["fiscal_year"]), flag_of[row["anomaly"]]) in flags
    # nothing unplanted raises a flag in the pilot: every flag has its planted case
    planted_flags = {
        (row["collectivity_code"], int(row["fiscal_year"]), flag_of[row["anomaly"]])
        for row in planted
    }
    assert flags == planted_flags


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
