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
    likelihood_weight double
);
create table marts.fct_risk_scores (
    collectivity_code varchar, fiscal_year integer, composite_score double,
    domains_covered integer, likelihood integer, materiality_score double, impact integer,
    inherent_risk integer, risk_class varchar, national_rank integer, level_rank integer,
    methodology_version varchar
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


def _risk_rows() -> list[tuple]:
    return [
        (code, year, score, 3, lik, 50.0, imp, lik * imp, cls, rank, level_rank, "v1.0")
        for code, year, score, lik, imp, cls, rank, level_rank in RISK_SCORES
    ]


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


def _domain_rows(code: str, year: int) -> list[tuple]:
    return [
        (code, year, domain, name_fr, name_ar, score, available, 2, available / 2, 1 / 3)
        for (domain, (name_fr, name_ar)), score, available in zip(
            DOMAINS.items(), (100.0, 50.0, 0.0), (2, 1, 0), strict=True
        )
    ]


def build_warehouse(path: Path) -> Path:
    """Write the fixture warehouse to ``path`` and return it."""
    with duckdb.connect(str(path)) as con:
        con.execute(DDL)
        con.executemany(
            f"insert into marts.dim_collectivities values ({', '.join(['?'] * 21)})",
            _collectivity_rows(),
        )
        con.executemany(
            "insert into marts.dim_collectivity_boundaries values (?, ?, ?)",
            [(code, level, json.dumps(geom)) for code, (level, geom) in BOUNDARIES.items()],
        )
        con.executemany(
            f"insert into marts.fct_risk_scores values ({', '.join(['?'] * 12)})", _risk_rows()
        )
        for code, year, *_ in RISK_SCORES:
            con.executemany(
                f"insert into marts.fct_indicators values ({', '.join(['?'] * 17)})",
                _indicator_rows(code, year),
            )
            con.executemany(
                f"insert into marts.fct_domain_scores values ({', '.join(['?'] * 10)})",
                _domain_rows(code, year),
            )
    return path
