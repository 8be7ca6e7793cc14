"""The XLSX "Sources" sheet says who edited the file, when and from which snapshot (it read
"Édité le  par" with the date and the user left out: issue 15, item 6)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from dashboard_fixtures import build_warehouse

from tadqiq import reports
from tadqiq import warehouse as queries
from tadqiq.access import Role, Scope

REGION_06 = Scope(Role.REGION, "t.region06", "06")


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv(queries.DATA_DIR_ENV, str(tmp_path / "data"))
    path = build_warehouse(tmp_path / "snapshot_test.duckdb")
    monkeypatch.setenv(queries.DB_ENV, str(path))
    queries.clear_cache()
    yield str(path)
    queries.clear_cache()


def _fields(xlsx: bytes) -> dict[str, object]:
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).worksheets[-1]
    return {row[0].value: row[1].value for row in sheet.iter_rows(min_row=4) if row[0].value}


@pytest.mark.parametrize(
    ("lang", "edited_on", "edited_by", "snapshot"),
    [("fr", "Édité le", "Édité par", "Entrepôt publié"),
     ("ar", "تاريخ الإصدار", "صدر من طرف", "المستودع المنشور")],
)  # fmt: skip
@pytest.mark.parametrize("report", ["collectivity", "national"])
def test_sources_sheet_names_the_date_the_user_and_the_snapshot(
    db: str, lang: str, edited_on: str, edited_by: str, snapshot: str, report: str
) -> None:
    before = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    if report == "collectivity":
        xlsx = reports.build_collectivity_report(db, REGION_06, "06.141.01.0", 2024, lang, "xlsx")
    else:
        xlsx = reports.build_national_report(db, REGION_06, 2024, "commune", lang, "xlsx")
    fields = _fields(xlsx)
    assert fields[edited_by] == "t.region06"
    assert fields[snapshot] == "snapshot_test.duckdb"
    edited = fields[edited_on]
    assert isinstance(edited, datetime)  # a date cell, not text
    # the report's clock is UTC or Casablanca's (UTC+1): within a few seconds of either
    assert any(
        abs(edited - (before + timedelta(hours=offset))) < timedelta(seconds=30)
        for offset in (0, 1)
    ), edited
    labels = " ".join(str(label) for label in fields)
    assert " par" not in labels.replace(edited_by, "") and "Snapshot" not in labels
