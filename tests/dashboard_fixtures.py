"""A tiny hand-made warehouse (schema ``marts``) for the dashboard tests.

Three regions (Béni Mellal-Khénifra has nothing else), three provinces, five communes
(Bouskoura has no geometry, Moulay Abdallah no score), two arrondissements of Casablanca,
fiscal years 2023 and 2024. In 2024 Casablanca is the riskiest commune; in 2023 it is Tanger.

By region (the access tests count on it): region 01 holds 01, 01.511, 01.511.01.0 and
01.511.05.1 (4 codes); region 05 holds 05 only; region 06 holds 06, 06.141, 06.181,
06.141.01.0, 06.181.01.1, 06.181.05.01, 06.141.01.3 and 06.141.01.5 (8 codes), and the
Casablanca commune 06.141.01.0 has the two arrondissements 06.141.01.3 and 06.141.01.5.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

DDL = """
create schema marts;
create table marts.dim_collectivities (
    collectivity_code varchar, code_digits varchar, level varchar, collectivity_type varchar,
    name_fr varchar, name_ar varchar, region_code varchar, region_name_fr varchar,
    region_name_ar varchar, province_code varchar, province_name_fr varchar,
    province_name_ar varchar, parent_commune_code varchar, is_urban boolean,
    is_territorial_collectivity boolean, population_2024 bigint, population_2014 bigint,
    establishments_total bigint, peer_group varchar, rollout_phase integer, code_2014 varchar
);
create table marts.dim_collectivity_boundaries (
    collectivity_code varchar, level varchar, geometry_geojson varchar
);
create table marts.fct_indicators (
    collectivity_code varchar, fiscal_year integer, indicator_code varchar,
    indicator_name_fr varchar, indicator_name_ar varchar, domain_code varchar,
    direction varchar, unit varchar, indicator_value double, numerator_value double,
    denominator_value double, has_data boolean, green_threshold double, red_threshold double,
    band varchar, sub_score double, methodology_version varchar
);
create table marts.fct_domain_scores (
    collectivity_code varchar, fiscal_year integer, domain_code varchar,
    domain_name_fr varchar, domain_name_ar varchar, domain_score double,
    indicators_available integer, indicators_expected integer, coverage_ratio double,
    likelihood_weight double, computed_score double, red_flag_codes varchar,
    is_insufficient_data boolean, has_red_flag boolean, domain_likelihood integer,
    impact integer, domain_inherent_risk integer
);
create table marts.fct_risk_scores (
    collectivity_code varchar, fiscal_year integer, composite_score double,
    domains_covered integer, likelihood integer, materiality_score double, impact integer,
    inherent_risk integer, risk_class varchar, national_rank integer, level_rank integer,
    methodology_version varchar, ic_maturity_score double, residual_likelihood integer,
    residual_risk integer, residual_risk_class varchar, rank_p05 integer, rank_p95 integer,
    level varchar, ranked_in_level integer, risk_score double, composite_p05 double,
    composite_p95 double, likelihood_change_share double, likelihood_threshold double,
    likelihood_threshold_gap double, sensitive_domain_code varchar,
    sensitive_domain_adjustment varchar
);
create table marts.fct_programme_selection_stability (
    selection_stability_id varchar, collectivity_code varchar, region_code varchar,
    fiscal_year integer, programme_year integer, is_programme_selected boolean,
    is_critical boolean, is_joint_selected boolean, simulations integer,
    selected_count integer, selection_share double, critical_share double,
    joint_share double, is_selection_unstable boolean
);
create table marts.fct_score_cards (
    score_card_line_id varchar, collectivity_code varchar, fiscal_year integer,
    line_kind varchar, line_code varchar, domain_code varchar, line_name_fr varchar,
    line_name_ar varchar, band varchar, previous_band varchar, unit varchar,
    indicator_value double, previous_indicator_value double, green_threshold double,
    red_threshold double, sub_score double, previous_sub_score double,
    weight_in_domain double, domain_weight double, contribution double,
    previous_contribution double, contribution_change double, change_cause_rank integer,
    has_data boolean
);
create table marts.fct_risk_register (
    risk_register_id varchar, collectivity_code varchar, fiscal_year integer,
    risk_code varchar, process_code varchar, risk_name_fr varchar, risk_name_ar varchar,
    indicators_behind varchar, risk_score double, indicators_with_data integer,
    findings_3y integer, serious_findings_3y integer, likelihood integer, impact integer,
    control_reduction integer, ic_maturity_score double, inherent_risk integer,
    residual_risk integer, risk_class varchar, residual_risk_class varchar, risk_rank integer
);
create table marts.fct_ic_diagnostic (
    collectivity_code varchar, campaign_year integer, coso_component varchar,
    component_score double, questions_answered integer, weak_answers integer
);
"""

RECOMMENDATIONS_DDL = """
create table marts.fct_recommendations (
    recommendation_id varchar, collectivity_code varchar, mission_year integer,
    status varchar, days_open integer, is_overdue boolean
);
"""

TTA = ("01", "Tanger-Tétouan-Al Hoceïma", "جهة طنجة تطوان الحسيمة")
CS = ("06", "Casablanca-Settat", "جهة الدار البيضاء سطات")
BMK = ("05", "Béni Mellal-Khénifra", "جهة بني ملال خنيفرة")
TANGER_ASSILAH = ("01.511", "Tanger-Assilah", "طنجة أصيلة")
CASABLANCA_PREF = ("06.141", "Casablanca", "الدار البيضاء")
NOUACEUR = ("06.181", "Nouaceur", "النواصر")

# code, level, type, name_fr, name_ar, region, province, parent, population, phase
COLLECTIVITIES = [
    ("01", "region", "region", *TTA[1:], TTA, None, None, 4_030_222, 1),
    ("05", "region", "region", *BMK[1:], BMK, None, None, 2_525_801, 2),
    ("06", "region", "region", *CS[1:], CS, None, None, 7_688_967, 1),
    ("01.511", "province", "prefecture", *TANGER_ASSILAH[1:], TTA, None, None, 1_275_428, 2),
    ("06.141", "province", "prefecture", *CASABLANCA_PREF[1:], CS, None, None, 3_218_036, 1),
    ("06.181", "province", "province", *NOUACEUR[1:], CS, None, None, 511_000, None),
    (
        "01.511.01.0",
        "commune",
        "urban_commune",
        "Tanger",
        "طنجة",
        TTA,
        TANGER_ASSILAH,
        None,
        1_275_428,
        2,
    ),
    (
        "01.511.05.1",
        "commune",
        "rural_commune",
        "Ksar Sghir",
        "القصر الصغير",
        TTA,
        TANGER_ASSILAH,
        None,
        12_000,
        3,
    ),
    (
        "06.141.01.0",
        "commune",
        "urban_commune",
        "Casablanca",
        "الدار البيضاء",
        CS,
        CASABLANCA_PREF,
        None,
        3_218_036,
        1,
    ),
    (
        "06.181.01.1",
        "commune",
        "rural_commune",
        "Bouskoura",
        "بوسكورة",
        CS,
        NOUACEUR,
        None,
        150_000,
        None,
    ),
    (
        "06.141.01.3",
        "arrondissement",
        "arrondissement",
        "Anfa",
        "أنفا",
        CS,
        CASABLANCA_PREF,
        "06.141.01.0",
        100_000,
        None,
    ),
    (
        "06.141.01.5",
        "arrondissement",
        "arrondissement",
        "Maârif",
        "المعاريف",
        CS,
        CASABLANCA_PREF,
        "06.141.01.0",
        180_000,
        None,
    ),
    (
        "06.181.05.01",
        "commune",
        "rural_commune",
        "Moulay Abdallah",
        "مولاي عبد الله",
        CS,
        NOUACEUR,
        None,
        20_000,
        None,
    ),
]


def _square(lon: float, lat: float, size: float) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


BOUNDARIES = {
    "01": ("region", _square(-6.2, 35.0, 1.0)),
    "06": (
        "region",
        {"type": "MultiPolygon", "coordinates": [_square(-8.2, 32.8, 1.1)["coordinates"]]},
    ),
    "01.511": ("province", _square(-6.0, 35.4, 0.6)),
    "06.141": ("province", _square(-7.8, 33.4, 0.4)),
    "01.511.01.0": ("commune", _square(-5.9, 35.7, 0.15)),
    "01.511.05.1": ("commune", _square(-5.7, 35.7, 0.15)),
    "06.141.01.0": ("commune", _square(-7.75, 33.45, 0.3)),
    "06.141.01.3": ("arrondissement", _square(-7.7, 33.5, 0.1)),
}

# code, year, composite, likelihood, impact, class, national rank, level rank: as in the marts,
# ranks among the same level (communes 1-4, provinces 1-3, regions 1-2 in 2024; arrondissements
# have a level rank only), N = ranked_in_level (``_ranked_in_level``)
RISK_SCORES = [
    ("06.141.01.0", 2024, 82.5, 5, 4, "critical", 1, 1),
    ("01.511.01.0", 2024, 45.0, 3, 3, "moderate", 2, 2),
    ("06.181.01.1", 2024, 30.0, 2, 2, "low", 3, 3),
    ("01.511.05.1", 2024, 20.0, 1, 2, "low", 4, 4),
    ("06.141.01.3", 2024, 70.0, 4, 3, "high", None, 1),
    ("06.141.01.5", 2024, 35.0, 2, 2, "low", None, 2),
    ("06.141", 2024, 65.0, 4, 4, "critical", 1, 1),
    ("01.511", 2024, 40.0, 2, 3, "moderate", 2, 2),
    ("06.181", 2024, 35.0, 2, 2, "low", 3, 3),
    ("06", 2024, 55.0, 3, 5, "critical", 1, 1),
    ("01", 2024, 42.0, 3, 4, "high", 2, 2),
    ("01.511.01.0", 2023, 78.0, 4, 4, "critical", 1, 1),
    ("06.141.01.0", 2023, 60.0, 4, 3, "high", 2, 2),
    ("06.181.01.1", 2023, 28.0, 2, 2, "low", 3, 3),
    ("01.511.05.1", 2023, 25.0, 1, 2, "low", 4, 4),
    ("06.141", 2023, 50.0, 3, 4, "high", 1, 1),
    ("01.511", 2023, 45.0, 3, 3, "moderate", 2, 2),
    ("06", 2023, 50.0, 3, 5, "critical", 1, 1),
    ("01", 2023, 48.0, 3, 4, "high", 2, 2),
]

DOMAINS = {
    "FS": ("Soutenabilité financière", "الاستدامة المالية"),
    "RM": ("Mobilisation des ressources", "تعبئة الموارد"),
    "HR": ("Ressources humaines", "الموارد البشرية"),
}

# code, name_fr, name_ar, domain, unit, value, green, red, band, sub_score
INDICATORS = [
    (
        "FS1",
        "Taux d'épargne brute",
        "معدل الادخار الخام",
        "FS",
        "ratio",
        0.05,
        0.2,
        0.1,
        "red",
        100.0,
    ),
    (
        "FS2",
        "Capacité de désendettement",
        "القدرة على سداد الديون",
        "FS",
        "years",
        12.5,
        5.0,
        10.0,
        "red",
        100.0,
    ),
    ("RM1", "Taux de recouvrement", "معدل التحصيل", "RM", "ratio", 0.62, 0.8, 0.6, "amber", 50.0),
    ("HR1", "Taux d'encadrement", "نسبة التأطير", "HR", "ratio", None, 0.3, 0.1, None, None),
]


def _collectivity_rows() -> list[tuple]:
    rows = []
    for code, level, kind, name_fr, name_ar, region, province, parent, pop, phase in COLLECTIVITIES:
        province = province or (None, None, None)
        rows.append(
            (
                code,
                code.replace(".", ""),
                level,
                kind,
                name_fr,
                name_ar,
                *region,
                *province,
                parent,
                kind == "urban_commune",
                level != "arrondissement",
                pop,
                pop - 1000,
                10,
                f"{level}_peer",
                phase,
                code,
            )
        )
    return rows


def _class_of(inherent: int) -> str:
    if inherent <= 4:
        return "low"
    if inherent <= 9:
        return "moderate"
    return "high" if inherent <= 14 else "critical"


LEVELS = {code: level for code, level, *_ in COLLECTIVITIES}


def _ranked_in_level() -> dict[tuple[int, str], int]:
    """How many collectivities of each level were ranked each year (N of "rank r of N")."""
    counts: dict[tuple[int, str], int] = {}
    for code, year, *_, level_rank in RISK_SCORES:
        if level_rank is not None:
            counts[year, LEVELS[code]] = counts.get((year, LEVELS[code]), 0) + 1
    return counts


# Under the weight perturbations (as the marts compute them): the composite moves by ±1 point
# (p5–p95), except the province of Casablanca in 2024, 65 with p5 58.9 and p95 67.1: its
# likelihood leaves band 4 (from 60) in 38 % of the simulations, its L × I 16 drops to 12,
# and it is critical in 62 % of them only, an unstable selection. The domain whose weight
# moves the composite most is RM, HR (imputed: insufficient data) for that province.
WIDE_SPREAD = {("06.141", 2024): (58.9, 67.1, 0.38)}
THRESHOLDS = (20, 40, 60, 80)


def _sensitivity(code: str, year: int, score: float) -> tuple:
    """composite p5, p95, likelihood change share, nearest threshold and gap, lever domain."""
    low, high, change = WIDE_SPREAD.get((code, year), (score - 1, score + 1, 0.0))
    threshold = min(THRESHOLDS, key=lambda x: (abs(score - x), x))
    domain, adjustment = (
        ("HR", "insufficient_data") if (code, year) in WIDE_SPREAD else ("RM", None)
    )
    return low, high, change, float(threshold), abs(score - threshold), domain, adjustment


def _risk_rows() -> list[tuple]:
    rows = []
    ranked = _ranked_in_level()
    for code, year, score, lik, imp, cls, rank, level_rank in RISK_SCORES:
        level = LEVELS[code]
        residual_likelihood = max(lik - 1, 1)
        residual = residual_likelihood * imp
        # the interval stays within the level's ranks, 1..N
        n = ranked[year, level]
        p05, p95 = (None, None) if rank is None else (max(rank - 1, 1), min(rank + 2, n))
        # the risk score the ranks order by: (1 + 4 c / 100) x (1 + 4 x 50 / 100), so by
        # composite here, as RISK_SCORES ranks
        risk_score = round((1 + 4 * score / 100) * 3, 4)
        rows.append(
            (
                code, year, score, 3, lik, 50.0, imp, lik * imp, cls, rank, level_rank,
                "v1.0", 2.5, residual_likelihood, residual, _class_of(residual), p05, p95,
                level, n, risk_score, *_sensitivity(code, year, score),
            )
        )  # fmt: skip
    return rows


# The programme's risk-driven selection under 200 perturbations: the critical collectivities
# (programmed every year) are selected, and, as in PROGRAMME, Casablanca and Tanger take the
# joint inspections of their regions' minimums for 2025 (base year 2024). Shares: 1.0 and 0.0
# unless listed: Casablanca in 2024 in 188 of 200 (0.94, stable: 12 reversals); Tanger
# (moderate, on its joint inspection only) in 170 of 200 (0.85, unstable: 30 reversals > 20);
# the province of Casablanca, critical in 124 of 200 (0.62, unstable).
SELECTION_SHARES = {
    ("06.141", 2024): 0.62,
    ("06.141.01.0", 2024): 0.94,
    ("01.511.01.0", 2024): 0.85,
}
JOINT = {("06.141.01.0", 2024), ("01.511.01.0", 2024)}


def _selection_rows() -> list[tuple]:
    rows = []
    regions = {row[0]: row[6] for row in _collectivity_rows()}
    for code, year, *_, cls, _rank, _level_rank in RISK_SCORES:
        critical, joint = cls == "critical", (code, year) in JOINT
        selected = critical or joint
        share = SELECTION_SHARES.get((code, year), 1.0 if selected else 0.0)
        count = round(share * 200)
        reversed_ = 200 - count if selected else count
        rows.append(
            (
                f"{code}|{year}", code, regions[code], year, year + 1, selected, critical,
                joint, 200, count, share, share if critical else 0.0,
                share if joint else 0.0, reversed_ > 20,
            )
        )  # fmt: skip
    return rows


# code, process, name_fr, name_ar, likelihood offset from the collectivity's
RISKS = [
    ("R01", "FIN", "Dérive de l'épargne de gestion", "تراجع الادخار التدبيري", 0),
    ("R02", "REC", "Restes à recouvrer non maîtrisés", "عدم التحكم في الباقي استخلاصه", -1),
    ("R03", "CP", "Irrégularités de la commande publique", "مخالفات الصفقات العمومية", 0),
    ("R04", "RH", "Insuffisance de l'encadrement", "ضعف التأطير", -2),
]


def _register_rows(code: str, year: int, lik: int, imp: int) -> list[tuple]:
    rows = []
    for risk, process, name_fr, name_ar, offset in RISKS:
        likelihood = min(5, max(1, lik + offset))
        residual = max(likelihood - 1, 1) * imp
        rows.append(
            [
                f"{code}|{year}|{risk}", code, year, risk, process, name_fr, name_ar,
                "FS1,FS2", 60.0 + offset * 10, 2, 1, 0, likelihood, imp, 1, 2.5,
                likelihood * imp, residual, _class_of(likelihood * imp), _class_of(residual),
            ]
        )  # fmt: skip
    rows.sort(key=lambda row: (-row[16], row[3]))
    return [(*row, rank) for rank, row in enumerate(rows, start=1)]


# line kind, code, domain, name_fr, name_ar, share of the composite score
SCORE_CARD = [
    ("indicator", "FS1", "FS", INDICATORS[0][1], INDICATORS[0][2], 0.4),
    ("indicator", "FS2", "FS", INDICATORS[1][1], INDICATORS[1][2], 0.3),
    ("indicator", "RM1", "RM", INDICATORS[2][1], INDICATORS[2][2], 0.2),
    ("indicator", "HR1", "HR", INDICATORS[3][1], INDICATORS[3][2], 0.0),
    (
        "domain_adjustment",
        "HR",
        "HR",
        "Données insuffisantes — Ressources humaines",
        "بيانات غير كافية — الموارد البشرية",
        0.1,
    ),
]


def _score_card_rows(code: str, year: int, score: float, previous: float | None) -> list[tuple]:
    by_code = {ind[0]: ind for ind in INDICATORS}
    rows = []
    for kind, line, domain, name_fr, name_ar, share in SCORE_CARD:
        ind = by_code.get(line) if kind == "indicator" else None
        value, green, red, band, sub = (ind[5], ind[6], ind[7], ind[8], ind[9]) if ind else (
            None, None, None, None, None
        )  # fmt: skip
        contribution = round(score * share, 4)
        before = None if previous is None else round(previous * share, 4)
        rows.append(
            [
                f"{code}|{year}|{kind}|{line}", code, year, kind, line, domain, name_fr,
                name_ar, band, band if before is not None else None,
                ind[4] if ind else None, value, value if before is not None else None,
                green, red, sub, sub if before is not None else None, 1.0 if ind else None,
                1 / 3, contribution, before, round(contribution - (before or 0), 4), 0,
                value is not None if ind else True,
            ]
        )  # fmt: skip
    rows.sort(key=lambda row: (-abs(row[21]), row[4]))
    for rank, row in enumerate(rows, start=1):
        row[22] = rank
    return [tuple(row) for row in rows]


def _indicator_rows(code: str, year: int) -> list[tuple]:
    return [
        (
            code,
            year,
            ind,
            name_fr,
            name_ar,
            domain,
            "higher_better",
            unit,
            value,
            None,
            None,
            value is not None,
            green,
            red,
            band,
            sub,
            "v1.0",
        )
        for ind, name_fr, name_ar, domain, unit, value, green, red, band, sub in INDICATORS
    ]


def _domain_rows(code: str, year: int, impact: int) -> list[tuple]:
    rows = []
    for (domain, (name_fr, name_ar)), score, available, likelihood in zip(
        DOMAINS.items(), (100.0, 50.0, 0.0), (2, 1, 0), (5, 3, 1), strict=True
    ):
        rows.append(
            (
                code, year, domain, name_fr, name_ar, score, available, 2, available / 2,
                1 / 3, None if available == 0 else score, "FS_RF1" if domain == "FS" else None,
                available == 0, domain == "FS", likelihood, impact, likelihood * impact,
            )
        )  # fmt: skip
    return rows


def build_warehouse(path: Path, *, recommendations: bool = False) -> Path:
    """Write the fixture warehouse to ``path`` and return it.

    ``recommendations``: also write ``marts.fct_recommendations`` (absent by default, as in
    the warehouse until the recommendation marts land).
    """
    previous = {(code, year): score for code, year, score, *_ in RISK_SCORES}

    def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
        if rows:
            marks = ", ".join(["?"] * len(rows[0]))
            con.executemany(f"insert into marts.{table} values ({marks})", rows)

    with duckdb.connect(str(path)) as con:
        con.execute(DDL)
        insert(con, "dim_collectivities", _collectivity_rows())
        insert(
            con,
            "dim_collectivity_boundaries",
            [(code, level, json.dumps(geom)) for code, (level, geom) in BOUNDARIES.items()],
        )
        insert(con, "fct_risk_scores", _risk_rows())
        insert(con, "fct_programme_selection_stability", _selection_rows())
        for code, year, score, lik, imp, *_ in RISK_SCORES:
            insert(con, "fct_indicators", _indicator_rows(code, year))
            insert(con, "fct_domain_scores", _domain_rows(code, year, imp))
            insert(con, "fct_risk_register", _register_rows(code, year, lik, imp))
            before = previous.get((code, year - 1))
            insert(con, "fct_score_cards", _score_card_rows(code, year, score, before))
        insert(
            con,
            "fct_ic_diagnostic",
            [("06.141.01.0", 2024, "environnement_controle", 2.5, 10, 3)],
        )
        if recommendations:
            con.execute(RECOMMENDATIONS_DDL)
            insert(
                con,
                "fct_recommendations",
                [
                    ("REC-1", "06.141.01.0", 2023, "implemented", 200, False),
                    ("REC-2", "06.141.01.0", 2023, "in_progress", 420, True),
                    ("REC-3", "06.141.01.0", 2024, "open", 30, False),
                    ("REC-4", "01.511.01.0", 2024, "open", 45, False),
                ],
            )
    return path


# --- audit marts (issue 6): missions, programme, cells, findings, recommendations ----------
#
# As of 30/06/2025. Region 06 (Casablanca, its arrondissements Anfa and Maârif, Bouskoura,
# Moulay Abdallah, the regional council) and region 01 (Tanger, Ksar Sghir) have missions and
# recommendations; region 05 has an audit cell only. tests/test_programme_pages.py works the
# expected KPIs out by hand from these rows.

AUDIT_AS_OF = "2025-06-30"

AUDIT_DDL = """
create table marts.fct_missions (
    mission_id varchar, collectivity_code varchar, region_code varchar, province_code varchar,
    programme_type varchar, audit_body varchar, audit_process_code varchar,
    mission_status_code varchar, mission_status varchar, programme_year integer,
    rollout_phase integer, planned_auditor_days integer, actual_auditor_days integer,
    auditor_days_overrun integer, slippage_days bigint, start_delay_days bigint,
    is_done boolean, is_open boolean, is_cancelled boolean, is_internal boolean,
    is_late boolean, is_over_budget boolean, planned_start_date date, planned_end_date date,
    actual_start_date date, actual_end_date date, as_of_date date
);
create table marts.fct_audit_programme (
    audit_programme_id varchar, programme_kind varchar, collectivity_code varchar,
    region_code varchar, risk_code varchar, audit_process_code varchar,
    selection_reason varchar, risk_class varchar, base_fiscal_year integer,
    programme_year bigint, priority_rank bigint, auditor_days double, residual_risk bigint,
    priority_score double, is_selected boolean, is_regional_minimum boolean,
    is_critical boolean
);
create table marts.fct_programme_differences (
    programme_difference_id varchar, collectivity_code varchar, region_code varchar,
    audit_process_code varchar, difference_type varchar, proposed_kinds varchar,
    adopted_mission_ids varchar, programme_year bigint, priority_score double,
    residual_risk bigint, proposed_auditor_days double, adopted_missions_count bigint,
    adopted_cancelled_count bigint
);
create table marts.fct_audit_cells (
    audit_cell_id varchar, collectivity_code varchar, region_code varchar,
    rollout_phase integer, auditors_count integer, auditor_days_per_year integer,
    programmable_auditor_days double, is_created boolean, has_charter boolean,
    created_date date, charter_adopted_date date, as_of_date date
);
create table marts.fct_findings (
    finding_id varchar, mission_id varchar, collectivity_code varchar, region_code varchar,
    finding_category_code varchar, is_repeat boolean, finding_date date
);
create table marts.fct_recommendations (
    recommendation_id varchar, finding_id varchar, mission_id varchar,
    collectivity_code varchar, region_code varchar, finding_category_code varchar,
    severity_code varchar, recommendation_text varchar, owner_division varchar,
    recommendation_status varchar, status varchar, age_bucket varchar,
    programme_year integer, age_days bigint, days_open bigint, days_overdue bigint,
    days_to_implement bigint, is_open boolean, is_due boolean, is_overdue boolean,
    is_implemented boolean, is_verified boolean, is_declared_not_verified boolean,
    issued_date date, due_date date, status_since_date date, implemented_date date,
    verified_date date, as_of_date date
);
create table marts.fct_recommendation_status_history (
    recommendation_status_spell_id varchar, recommendation_id varchar,
    collectivity_code varchar, region_code varchar, recommendation_status varchar,
    declared_by varchar, evidence varchar, spell_number bigint, spell_days bigint,
    is_current boolean, valid_from date, valid_to date
);
create schema methodology;
create table methodology.audit_processes (
    audit_process_code varchar, name_fr varchar, name_ar varchar
);
"""

AUDIT_PROCESSES = [
    ("recettes", "Recettes et recouvrement", "المداخيل والتحصيل"),
    ("commande_publique", "Commande publique", "الصفقات العمومية"),
    ("paie", "Paie et ressources humaines", "الأجور والموارد البشرية"),
    ("patrimoine", "Patrimoine et domaine", "الممتلكات والملك الجماعي"),
]

# mission statuses of the seed: French code -> (status, done, open, cancelled)
MISSION_STATUS = {
    "planifiee": ("planned", False, True, False),
    "en_cours": ("in_progress", False, True, False),
    "rapport": ("reporting", True, False, False),
    "cloturee": ("closed", True, False, False),
    "annulee": ("cancelled", False, False, True),
}

# id, code, programme type, body, process, status, year, days planned / actual,
# planned start / end, actual start / end
MISSIONS = [
    ("M-06-2023-1", "06.141.01.0", "annuel", "audit_interne", "recettes", "cloturee", 2023,
     40, 38, "2023-02-01", "2023-03-31", "2023-02-01", "2023-03-31"),
    ("M-06-2023-2", "06.181.05.01", "annuel", "audit_interne", "paie", "cloturee", 2023,
     30, 30, "2023-05-01", "2023-06-30", "2023-05-02", "2023-06-30"),
    ("M-06-2024-1", "06.141.01.0", "annuel", "audit_interne", "recettes", "cloturee", 2024,
     40, 50, "2024-03-01", "2024-04-30", "2024-03-05", "2024-05-20"),
    ("M-06-2024-2", "06.141.01.0", "annuel", "audit_interne", "paie", "en_cours", 2024,
     30, 20, "2024-09-01", "2024-10-31", "2024-09-10", None),
    ("M-06-2024-3", "06.181.01.1", "annuel", "IGAT", "commande_publique", "annulee", 2024,
     60, None, "2024-04-01", "2024-05-31", None, None),
    ("M-06-2024-4", "06.141.01.3", "annuel", "audit_interne", "patrimoine", "rapport", 2024,
     35, 30, "2024-05-01", "2024-06-15", "2024-05-01", "2024-06-10"),
    ("M-06-2024-5", "06.141.01.5", "annuel", "audit_interne", "recettes", "cloturee", 2024,
     20, 20, "2024-01-10", "2024-02-10", "2024-01-10", "2024-02-10"),
    ("M-06-2025-1", "06", "annuel", "audit_interne", "recettes", "planifiee", 2025,
     45, None, "2025-09-01", "2025-10-31", None, None),
    ("M-06-2025-2", "06.181.05.01", "pluriannuel", "audit_interne", "recettes", "en_cours",
     2025, 25, 10, "2025-03-01", "2025-05-31", "2025-03-10", None),
    ("M-01-2024-1", "01.511.01.0", "annuel", "audit_interne", "recettes", "cloturee", 2024,
     50, 55, "2024-04-01", "2024-05-31", "2024-04-01", "2024-06-14"),
    ("M-01-2024-2", "01.511.05.1", "annuel", "IGF", "paie", "rapport", 2024,
     60, 65, "2024-09-01", "2024-11-30", "2024-09-15", "2024-12-20"),
    ("M-01-2025-1", "01.511.01.0", "annuel", "audit_interne", "patrimoine", "planifiee", 2025,
     40, None, "2025-10-01", "2025-11-30", None, None),
]  # fmt: skip

# id kind, code, process, year, days, priority, selected, reason
PROGRAMME = [
    ("annual", "06.141.01.0", "recettes", 2025, 60, 17.5, True,
     "top_residual_risk_within_cell_capacity"),
    ("annual", "06.141.01.0", "paie", 2025, 45, 17.5, True,
     "top_residual_risk_within_cell_capacity"),
    ("annual", "06.141.01.0", "commande_publique", 2025, 70, 17.5, False,
     "skipped_does_not_fit_cell_capacity"),
    ("annual", "01.511.01.0", "patrimoine", 2025, 50, 11.0, True,
     "top_residual_risk_within_cell_capacity"),
    ("annual", "06", "recettes", 2025, 60, 12.0, True, "top_residual_risk_within_cell_capacity"),
    ("joint", "06.141.01.0", "commande_publique", 2025, 60, 17.5, True, "regional_minimum"),
    ("joint", "01.511.01.0", "recettes", 2025, 60, 11.0, True, "regional_minimum"),
    ("joint", "06.181.01.1", "paie", 2025, 60, 5.0, False, "skipped_joint_pool_used"),
    ("multi_year", "06.141.01.0", "recettes", 2025, 60, 17.5, True, "critical_every_year"),
    ("multi_year", "06.141.01.0", "paie", 2026, 45, 17.5, True, "critical_every_year"),
    ("multi_year", "06.141.01.0", "patrimoine", 2027, 50, 17.5, True, "critical_every_year"),
    ("multi_year", "06.141.01.0", "commande_publique", 2028, 70, 17.5, True,
     "critical_every_year"),
    ("multi_year", "01.511.01.0", "recettes", 2026, 60, 11.0, True, "cycle_coverage"),
    ("multi_year", "06.181.01.1", "paie", 2027, 45, 5.0, True, "cycle_coverage"),
    ("multi_year", "01.511.05.1", "patrimoine", 2028, 50, 4.0, True, "cycle_coverage"),
]  # fmt: skip

# year, code, process, difference, proposed kinds, adopted missions
DIFFERENCES = [
    (2024, "06.141.01.0", "recettes", "both", "annual", "M-06-2024-1"),
    (2024, "06.141.01.0", "paie", "both", "annual", "M-06-2024-2"),
    (2024, "06.141.01.0", "commande_publique", "proposed_not_adopted", "joint", None),
    (2024, "06.181.01.1", "commande_publique", "both", "joint", "M-06-2024-3"),
    (2024, "06.141.01.3", "patrimoine", "adopted_not_proposed", None, "M-06-2024-4"),
    (2024, "06.141.01.5", "recettes", "adopted_not_proposed", None, "M-06-2024-5"),
    (2024, "01.511.01.0", "recettes", "both", "annual", "M-01-2024-1"),
    (2024, "01.511.01.0", "paie", "proposed_not_adopted", "annual", None),
    (2024, "01.511.05.1", "paie", "adopted_not_proposed", None, "M-01-2024-2"),
    (2025, "06", "recettes", "both", "annual", "M-06-2025-1"),
    (2025, "06.141.01.0", "recettes", "proposed_not_adopted", "annual, multi_year", None),
    (2025, "06.141.01.0", "paie", "proposed_not_adopted", "annual", None),
    (2025, "06.141.01.0", "commande_publique", "proposed_not_adopted", "joint", None),
    (2025, "06.181.05.01", "recettes", "adopted_not_proposed", None, "M-06-2025-2"),
    (2025, "01.511.01.0", "patrimoine", "both", "annual", "M-01-2025-1"),
    (2025, "01.511.01.0", "recettes", "proposed_not_adopted", "joint", None),
]

# code, auditors, auditor-days a year, created, charter adopted
CELLS = [
    ("06", 3, 648, "2021-07-13", "2022-07-10"),
    ("06.141.01.0", 5, 1000, "2021-09-02", "2022-02-19"),
    ("01.511.01.0", 2, 400, "2024-01-15", None),
    ("05", 2, 420, "2024-03-01", "2024-09-01"),
    ("01.511.05.1", 1, 200, "2025-09-01", None),  # created after the as-of date
]

# id, mission, code, category, repeat, date
FINDINGS = [
    ("F1", "M-06-2023-1", "06.141.01.0", "REV", False, "2023-03-20"),
    ("F2", "M-06-2024-1", "06.141.01.0", "REV", True, "2024-04-20"),
    ("F3", "M-06-2024-4", "06.141.01.3", "DOM", False, "2024-06-01"),
    ("F4", "M-06-2024-5", "06.141.01.5", "PROC", False, "2024-02-05"),
    ("F5", "M-06-2023-2", "06.181.05.01", "HR", False, "2023-06-15"),
    ("F6", "M-01-2024-1", "01.511.01.0", "REV", False, "2024-05-25"),
    ("F7", "M-01-2024-1", "01.511.01.0", "REV", True, "2025-01-10"),
    ("F8", "M-06-2024-2", "06.141.01.0", "REV", True, "2025-08-01"),  # after the as-of date
    ("F9", "M-01-2024-2", "01.511.05.1", "HR", False, "2024-10-15"),
]

# recommendation statuses of the seed: code -> (status, open, implemented, verified, due)
RECOMMENDATION_STATUS = {
    "non_demarree": ("open", True, False, False, True),
    "en_cours": ("in_progress", True, False, False, True),
    "non_applicable": ("not_applicable", False, False, False, False),
    "refusee": ("refused", False, False, False, True),
    "mise_en_oeuvre": ("implemented", False, True, False, True),
    "verifiee": ("verified", False, True, True, True),
}

# id, finding, mission, code, owner, issued, due, later status changes (date, status)
RECOMMENDATIONS = [
    ("R01", "F1", "M-06-2023-1", "06.141.01.0", "Division des affaires financières",
     "2023-04-15", "2023-10-15",
     [("2023-07-01", "en_cours"), ("2023-12-01", "mise_en_oeuvre"), ("2024-03-01", "verifiee")]),
    ("R02", "F2", "M-06-2024-1", "06.141.01.0", "Division des ressources financières",
     "2024-05-20", "2024-11-20", [("2024-09-01", "en_cours")]),
    ("R03", "F2", "M-06-2024-1", "06.141.01.0", "Division du patrimoine",
     "2024-10-01", "2025-09-01", []),
    ("R04", "F3", "M-06-2024-4", "06.141.01.3", "Service du patrimoine",
     "2024-06-15", "2024-12-15", [("2024-10-01", "mise_en_oeuvre")]),
    ("R05", "F4", "M-06-2024-5", "06.141.01.5", "Service des régies",
     "2025-02-10", "2025-08-10", []),
    ("R06", "F2", "M-06-2024-1", "06.141.01.0", "Division des ressources financières",
     "2024-05-20", "2024-08-20", [("2024-06-01", "refusee")]),
    ("R07", "F5", "M-06-2023-2", "06.181.05.01", "Service du personnel",
     "2023-07-10", "2024-01-10", [("2023-09-01", "non_applicable")]),
    ("R08", "F5", "M-06-2023-2", "06.181.05.01", "Service du personnel",
     "2023-07-10", "2024-01-10", [("2023-09-01", "en_cours"), ("2024-02-01", "verifiee")]),
    ("R09", "F6", "M-01-2024-1", "01.511.01.0", "Division des recettes",
     "2024-06-20", "2024-12-20", [("2024-11-15", "mise_en_oeuvre")]),
    ("R10", "F6", "M-01-2024-1", "01.511.01.0", "Division des recettes",
     "2024-06-20", "2024-09-20", []),
    ("R11", "F7", "M-01-2024-1", "01.511.01.0", "Division des recettes",
     "2024-11-15", "2025-08-15", [("2025-01-20", "en_cours")]),
    ("R12", "F9", "M-01-2024-2", "01.511.05.1", "Service du personnel",
     "2024-12-20", "2025-03-20", [("2025-02-01", "en_cours")]),
    ("R13", "F9", "M-01-2024-2", "01.511.05.1", "Service du personnel",
     "2024-12-20", "2025-06-20", [("2025-01-15", "refusee")]),
]  # fmt: skip


def _day(text: str | None):
    from datetime import date

    return None if text is None else date.fromisoformat(text)


def _months_between(start, end) -> int:
    """Whole calendar months from ``start`` to ``end`` (the aging buckets' rule)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (end.day < start.day)


def _mission_rows(place: dict[str, tuple]) -> list[tuple]:
    as_of = _day(AUDIT_AS_OF)
    rows = []
    for (mission, code, kind, body, process, status_code, year, planned, actual, p_start,
         p_end, a_start, a_end) in MISSIONS:  # fmt: skip
        status, done, is_open, cancelled = MISSION_STATUS[status_code]
        p_start, p_end, a_start, a_end = map(_day, (p_start, p_end, a_start, a_end))
        if cancelled:
            slippage = None
        elif a_end is not None:
            slippage = (a_end - p_end).days
        else:
            slippage = (as_of - p_end).days if as_of > p_end else None
        overrun = actual - planned if done and actual is not None else None
        region, province, phase = place[code]
        rows.append(
            (
                mission, code, region, province, kind, body, process, status_code, status,
                year, phase, planned, actual, overrun, slippage,
                None if a_start is None else (a_start - p_start).days, done, is_open, cancelled,
                body == "audit_interne", (slippage or 0) > 0, (overrun or 0) > 0, p_start,
                p_end, a_start, a_end, as_of,
            )
        )  # fmt: skip
    return rows


def _recommendation_rows(place: dict[str, tuple]) -> tuple[list[tuple], list[tuple]]:
    as_of = _day(AUDIT_AS_OF)
    recs, spells = [], []
    categories = {finding: category for finding, _, _, category, *_ in FINDINGS}
    for rec, finding, mission, code, owner, issued, due, changes in RECOMMENDATIONS:
        issued, due = _day(issued), _day(due)
        history = [(issued, "non_demarree"), *[(_day(d), s) for d, s in changes]]
        region = place[code][0]
        for number, (start, status) in enumerate(history, start=1):
            end = history[number][0] if number < len(history) else None
            spells.append(
                (
                    f"{rec}|{start}", rec, code, region, status,
                    "auditeur" if status == "verifiee" else "audite",
                    "Contrôle sur pièces" if status == "verifiee" else None, number,
                    None if end is None else (end - start).days, end is None, start, end,
                )
            )  # fmt: skip
        current_since, current = history[-1]
        word, is_open, implemented, verified, counts_as_due = RECOMMENDATION_STATUS[current]
        is_due = counts_as_due and due <= as_of
        overdue = is_open and due < as_of
        implemented_on = next((d for d, s in history if s in ("mise_en_oeuvre", "verifiee")), None)
        verified_on = next((d for d, s in history if s == "verifiee"), None)
        months = _months_between(issued, as_of)
        bucket = "0-6" if months < 6 else ("6-12" if months < 12 else ">12")
        age = (as_of - issued).days
        recs.append(
            (
                rec, finding, mission, code, region, categories[finding], "major",
                f"Recommandation {rec} : renforcer le contrôle interne", owner, current, word,
                bucket, int(mission.split("-")[2]), age,
                age if is_open else (current_since - issued).days,
                (as_of - due).days if overdue else None,
                None if implemented_on is None else (implemented_on - issued).days,
                is_open, is_due, overdue, implemented, verified, implemented and not verified,
                issued, due, current_since, implemented_on, verified_on, as_of,
            )
        )  # fmt: skip
    return recs, spells


def add_audit_marts(path: Path) -> Path:
    """Add the hand-made audit marts (missions, programme, recommendations...) to ``path``."""
    by_code = {row[0]: row for row in _collectivity_rows()}
    # code -> (region code, province code, rollout phase)
    place = {code: (row[6], row[9], row[19]) for code, row in by_code.items()}
    as_of = _day(AUDIT_AS_OF)

    def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
        marks = ", ".join(["?"] * len(rows[0]))
        con.executemany(f"insert into {table} values ({marks})", rows)

    recs, spells = _recommendation_rows(place)
    with duckdb.connect(str(path)) as con:
        con.execute("drop table if exists marts.fct_recommendations")
        con.execute(AUDIT_DDL)
        insert(con, "methodology.audit_processes", AUDIT_PROCESSES)
        insert(con, "marts.fct_missions", _mission_rows(place))
        insert(
            con,
            "marts.fct_audit_programme",
            [
                (
                    f"{kind}|{code}|{year}|{process}", kind, code, place[code][0], "R01",
                    process, reason, "high", 2024, year, rank, days, 20, priority, selected,
                    reason == "regional_minimum", reason == "critical_every_year",
                )
                for rank, (kind, code, process, year, days, priority, selected, reason)
                in enumerate(PROGRAMME, start=1)
            ],
        )  # fmt: skip
        insert(
            con,
            "marts.fct_programme_differences",
            [
                (
                    f"{year}|{code}|{process}", code, place[code][0], process, kind, proposed,
                    adopted, year, 10.0, 20, None, 0 if adopted is None else 1, 0,
                )
                for year, code, process, kind, proposed, adopted in DIFFERENCES
            ],
        )  # fmt: skip
        insert(
            con,
            "marts.fct_audit_cells",
            [
                (
                    code, code, place[code][0], place[code][2], auditors, days, days // 4,
                    _day(created) <= as_of, charter is not None and _day(charter) <= as_of,
                    _day(created), _day(charter), as_of,
                )
                for code, auditors, days, created, charter in CELLS
            ],
        )  # fmt: skip
        insert(
            con,
            "marts.fct_findings",
            [
                (finding, mission, code, place[code][0], category, repeat, _day(day))
                for finding, mission, code, category, repeat, day in FINDINGS
            ],
        )
        insert(con, "marts.fct_recommendations", recs)
        insert(con, "marts.fct_recommendation_status_history", spells)
    return path
