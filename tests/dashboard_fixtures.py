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
    is_rank_unstable boolean
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

# code, year, composite, likelihood, impact, class, national rank, level rank
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


def _risk_rows() -> list[tuple]:
    rows = []
    for code, year, score, lik, imp, cls, rank, level_rank in RISK_SCORES:
        residual_likelihood = max(lik - 1, 1)
        residual = residual_likelihood * imp
        p05, p95 = (None, None) if rank is None else (max(rank - 1, 1), rank + 2)
        rows.append(
            (
                code, year, score, 3, lik, 50.0, imp, lik * imp, cls, rank, level_rank,
                "v1.0", 2.5, residual_likelihood, residual, _class_of(residual), p05, p95,
                None if rank is None else p95 - p05 > 2,
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
