"""The audit-programme seeds agree with the contracts, the risk catalogue and each other.

Pure reads of CSV and SQL files (milliseconds): a seed edited by the ministry that no longer
matches what the models assume fails here, before any dbt run.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from ingestion.contracts import FINDING_CATEGORIES, MISSION_STATUSES, RECOMMENDATION_STATUSES
from tadqiq.synthetic.audit import PROCESSES

DBT = Path(__file__).resolve().parents[1] / "dbt_project"
SEEDS = DBT / "seeds"


def seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def parameters() -> dict[str, float]:
    return {row["parameter"]: float(row["value"]) for row in seed("programme_parameters")}


def test_finding_categories_are_the_contract_taxonomy_with_both_languages() -> None:
    rows = seed("finding_categories")
    assert [r["finding_category_code"] for r in rows] == list(FINDING_CATEGORIES)
    assert all(r["name_fr"].strip() and r["name_ar"].strip() for r in rows)


def test_severity_scale_covers_criticality_one_to_four_in_increasing_weight() -> None:
    rows = seed("finding_severities")
    assert [int(r["criticality"]) for r in rows] == [1, 2, 3, 4]
    weights = [float(r["severity_weight"]) for r in rows]
    assert weights == sorted(weights) and len(set(weights)) == 4
    assert {r["is_severe"] for r in rows} <= {"true", "false"}
    assert rows[-1]["is_severe"] == "true"  # the severe-findings bonus needs at least one level


def test_audit_processes_map_every_register_process_and_every_mission_process() -> None:
    rows = seed("audit_processes")
    register = {r["process_code"] for r in seed("risk_catalogue")}
    assert sorted(r["risk_process_code"] for r in rows) == sorted(register)  # one to one
    codes = [r["audit_process_code"] for r in rows]
    assert len(set(codes)) == len(codes)
    assert set(PROCESSES) <= set(codes)  # the missions file speaks the same words
    assert all(int(r["mission_auditor_days"]) > 0 for r in rows)


def test_programme_parameters_are_complete_and_in_range() -> None:
    values = parameters()
    assert set(values) == {
        "max_years_since_audit",
        "never_audited_years",
        "audit_cycle_weight",
        "severe_finding_bonus",
        "severe_findings_bonus_cap",
        "findings_lookback_years",
        "cell_programmable_share",
        "joint_pool_auditor_days",
        "joint_mission_auditor_days",
        "cycle_years",
    }
    assert values["cycle_years"] in (3, 4)  # METHODOLOGY §4; the data test allows offsets 1-4
    assert values["never_audited_years"] >= values["max_years_since_audit"]
    assert 0 < values["cell_programmable_share"] <= 1
    assert values["joint_pool_auditor_days"] >= values["joint_mission_auditor_days"] > 0


def test_cell_greedy_unrolls_enough_steps_for_every_register_risk() -> None:
    sql = (DBT / "models/intermediate/audit/int_cell_missions_selected.sql").read_text()
    steps = int(re.search(r"set max_candidates = (\d+)", sql).group(1))
    assert steps >= len(seed("risk_catalogue"))


def test_region_minimums_cover_the_twelve_regions() -> None:
    rows = seed("programme_region_minimums")
    assert sorted(r["region_code"] for r in rows) == [f"{n:02d}" for n in range(1, 13)]
    assert all(int(r["min_joint_inspections"]) >= 0 for r in rows)


def test_regional_minimums_fit_in_the_joint_pool() -> None:
    values = parameters()
    inspections = sum(int(r["min_joint_inspections"]) for r in seed("programme_region_minimums"))
    assert inspections * values["joint_mission_auditor_days"] <= values["joint_pool_auditor_days"]


def test_mission_statuses_are_the_contract_statuses_each_in_one_state() -> None:
    rows = seed("mission_statuses")
    assert [r["mission_status_code"] for r in rows] == list(MISSION_STATUSES)
    for row in rows:
        flags = [row[k] == "true" for k in ("is_done", "is_open", "is_cancelled")]
        assert sum(flags) == 1, row


def test_recommendation_statuses_match_the_contract_and_the_af_tie_break() -> None:
    rows = seed("recommendation_statuses")
    assert {r["recommendation_status"] for r in rows} == set(RECOMMENDATION_STATUSES)
    assert all(r["is_verified"] == "false" or r["is_implemented"] == "true" for r in rows)
    # the AF indicators (int_audit_follow_up_by_year) break same-day ties with a hard-coded
    # case; the spells read the seed: both must rank the statuses alike
    sql = (DBT / "models/intermediate/indicators/int_audit_follow_up_by_year.sql").read_text()
    af_rank = {s: int(n) for s, n in re.findall(r"when '(\w+)' then (\d)", sql)}
    seed_rank = {r["recommendation_status"]: int(r["same_day_precedence"]) for r in rows}
    ordered = sorted(seed_rank, key=seed_rank.get)
    assert sorted(af_rank, key=af_rank.get) == [s for s in ordered if s in af_rank]
    assert set(seed_rank) - set(af_rank) <= {"non_demarree"}  # the AF case's `else 1`


def test_aging_buckets_are_contiguous_from_zero_and_open_ended() -> None:
    rows = sorted(seed("recommendation_aging_buckets"), key=lambda r: int(r["sort_order"]))
    # fct_follow_up_kpis names its open-by-age columns after these three buckets
    assert [r["age_bucket"] for r in rows] == ["0-6", "6-12", ">12"]
    start = 0
    for row in rows[:-1]:
        assert int(row["min_age_months"]) == start < int(row["max_age_months"])
        start = int(row["max_age_months"])
    assert int(rows[-1]["min_age_months"]) == start and rows[-1]["max_age_months"] == ""
