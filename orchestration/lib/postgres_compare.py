"""Compare a mart built by dbt on DuckDB with the same mart built on PostgreSQL, row by row.

Rows are matched on the mart's key; every column of one side must be in the other, and every
cell must agree: text, booleans and dates exactly, a null only against a null, and numbers
within a tolerance. DuckDB divides decimals in double precision where PostgreSQL keeps numeric,
so two numbers may differ in their last binary digits (accepted: a relative 1e-9), and a score
that is exactly halfway between two values of its 4 (or 6) rounded places may land on either
side: PostgreSQL rounds the exact half up, DuckDB's double may lie just below it. A difference
of exactly one unit in the last rounded place is accepted and counted apart (``rounding_ties``);
anything else is a difference.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import psycopg

# The marts issue 14 compares, each with its key.
MARTS = {
    "fct_indicators": ("indicator_result_id",),
    "fct_risk_scores": ("risk_score_id",),
    "fct_recommendations": ("recommendation_id",),
}
RELATIVE_TOLERANCE = 1e-9
ROUNDED_PLACES = (4, 6)  # the places the models round scores (4) and Benford's MAD (6) to


@dataclass
class Comparison:
    mart: str
    duckdb_rows: int = 0
    postgres_rows: int = 0
    matched_rows: int = 0
    cells: int = 0
    rounding_ties: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def agree(self) -> bool:
        return not self.differences and self.duckdb_rows == self.postgres_rows == self.matched_rows

    def summary(self) -> str:
        verdict = "agree" if self.agree else f"{len(self.differences)} differences"
        return (
            f"{self.mart}: {self.matched_rows} rows matched of {self.duckdb_rows} (DuckDB) and "
            f"{self.postgres_rows} (PostgreSQL), {self.cells} cells compared, "
            f"{self.rounding_ties} a rounding tie apart: {verdict}"
        )


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | decimal.Decimal):
        return float(value)
    return None


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-12)


def _rounding_tie(a: float, b: float) -> bool:
    """Both rounded to the same places, and one unit of the last place apart."""
    for places in ROUNDED_PLACES:
        unit = 10.0**-places
        if _close(round(a, places), a) and _close(round(b, places), b) and _close(abs(a - b), unit):
            return True
    return False


def _agree(left: object, right: object) -> str:
    """'same', 'tie' (one unit of the last rounded place apart) or 'different'."""
    if left is None or right is None:
        return "same" if left is None and right is None else "different"
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        if math.isnan(a) or math.isnan(b):
            return "same" if math.isnan(a) and math.isnan(b) else "different"
        if _close(a, b):
            return "same"
        return "tie" if _rounding_tie(a, b) else "different"
    if isinstance(left, dt.datetime) and isinstance(right, dt.datetime):
        same = left.replace(tzinfo=None) == right.replace(tzinfo=None)
        return "same" if same else "different"
    return "same" if left == right else "different"


def _rows(cursor, sql: str) -> tuple[list[str], list[tuple]]:
    cursor.execute(sql)
    names = [column[0] for column in cursor.description]
    return names, cursor.fetchall()


def compare_mart(
    warehouse: Path,
    conninfo: str,
    mart: str,
    key: tuple[str, ...],
    schema: str = "marts",
    postgres_schema: str | None = None,
    max_reported: int = 20,
) -> Comparison:
    """``schema.mart`` of the DuckDB file against ``postgres_schema.mart`` (default: same)."""
    result = Comparison(mart)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        duck_names, duck_rows = _rows(con.cursor(), f'select * from "{schema}"."{mart}"')
    with psycopg.connect(conninfo) as connection, connection.cursor() as cursor:
        pg_names, pg_rows = _rows(cursor, f'select * from "{postgres_schema or schema}"."{mart}"')
    result.duckdb_rows, result.postgres_rows = len(duck_rows), len(pg_rows)
    if set(duck_names) != set(pg_names):
        result.differences.append(
            f"columns only in DuckDB {sorted(set(duck_names) - set(pg_names))}, "
            f"only in PostgreSQL {sorted(set(pg_names) - set(duck_names))}"
        )
        return result

    def keyed(names: list[str], rows: list[tuple]) -> dict[tuple, dict[str, object]]:
        positions = [names.index(column) for column in key]
        out = {}
        for row in rows:
            row_key = tuple(row[p] for p in positions)
            if row_key in out:
                result.differences.append(f"key {row_key} twice")
            out[row_key] = dict(zip(names, row, strict=True))
        return out

    duck, pg = keyed(duck_names, duck_rows), keyed(pg_names, pg_rows)
    for missing in sorted(duck.keys() - pg.keys(), key=str)[:max_reported]:
        result.differences.append(f"key {missing} only in DuckDB")
    for missing in sorted(pg.keys() - duck.keys(), key=str)[:max_reported]:
        result.differences.append(f"key {missing} only in PostgreSQL")
    for row_key in sorted(duck.keys() & pg.keys(), key=str):
        result.matched_rows += 1
        for column in duck_names:
            result.cells += 1
            left, right = duck[row_key][column], pg[row_key][column]
            verdict = _agree(left, right)
            if verdict == "tie":
                result.rounding_ties += 1
            elif verdict == "different":
                result.differences.append(
                    f"{row_key} {column}: DuckDB {left!r}, PostgreSQL {right!r}"
                )
    return result


def compare_marts(
    warehouse: Path, conninfo: str, postgres_schema: str = "marts"
) -> list[Comparison]:
    """The marts of MARTS, DuckDB's ``marts`` schema against PostgreSQL's ``postgres_schema``."""
    return [
        compare_mart(warehouse, conninfo, mart, key, postgres_schema=postgres_schema)
        for mart, key in MARTS.items()
    ]
