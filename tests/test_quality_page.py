"""The data-quality page: ingest manifest, rejected files, quarantine, freshness.

The fixture adds a hand-made ingest schema to the dashboard fixture warehouse: three file
versions of budget_execution (one loaded with 10 rows read and 2 quarantined, one rejected,
one superseded with 5 rows) and the two quarantined values of the loaded one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from dashboard_fixtures import build_warehouse
from streamlit.testing.v1 import AppTest

from dashboards import auth
from tadqiq import warehouse as queries
from tadqiq.access import AccessDenied, Role, Scope

APP = Path(__file__).resolve().parents[1] / "dashboards" / "app.py"
QUALITY = "app_pages/quality.py"
MINISTRY = Scope(Role.MINISTRY, "q.ministere")
DATA_TEAM = Scope(Role.DATA_TEAM, "q.donnees")
REGION_06 = Scope(Role.REGION, "q.region06", "06")


def add_ingest_schema(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists ingest")
        con.execute(
            """
            create table ingest.fct_ingest_files as select * from (values
              ('tgr', 'budget_execution', 'a.csv', 'loaded', '2 ligne(s) en quarantaine',
               'utf-8-sig', ';', 900, 10, 8, 2, 8, timestamp '2026-11-27 08:00:00'),
              ('tgr', 'budget_execution', 'b.csv', 'rejected', 'fichier vide',
               null, null, 0, 0, 0, 0, 0, timestamp '2026-11-27 08:00:00'),
              ('tgr', 'budget_execution', 'old.csv', 'superseded', null,
               'cp1256', ';', 500, 5, 5, 0, 0, timestamp '2026-11-26 08:00:00')
            ) as t(source_code, source_entity, source_file, file_status, status_message,
                   file_encoding, field_separator, size_bytes, rows_read, rows_landed,
                   rows_quarantined, rows_in_force, ingested_at)
            """
        )
        con.execute(
            """
            create table ingest.fct_quarantined_rows as select * from (values
              ('budget_execution', 'a.csv', 4, 'paiements', '-5', 'montant négatif impossible',
               'loaded', timestamp '2026-11-27 08:00:00'),
              ('budget_execution', 'a.csv', 7, 'exercice', '', 'valeur obligatoire manquante',
               'loaded', timestamp '2026-11-27 08:00:00')
            ) as t(source_entity, source_file, source_row, column_name, raw_value,
                   quarantine_reason, file_status, ingested_at)
            """
        )
        con.execute(
            """
            create table ingest.fct_ingest_freshness as select * from (values
              ('budget_execution|06.181.05.01', 'budget_execution', '06.181.05.01', 2024,
               8, 1, timestamp '2026-11-27 08:00:00')
            ) as t(freshness_id, source_entity, collectivity_code, latest_fiscal_year,
                   rows_in_force, files_in_force, last_ingested_at)
            """
        )


@pytest.fixture(autouse=True)
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    path = build_warehouse(tmp_path / "tadqiq_test.duckdb")
    add_ingest_schema(path)
    monkeypatch.setenv(queries.DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.setenv(queries.DB_ENV, str(path))
    queries.clear_cache()
    yield str(path)
    queries.clear_cache()


def quality_page_as(scope: Scope) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.SESSION_KEY] = scope
    at.run()
    at.switch_page(QUALITY).run()
    assert not at.exception
    return at


@pytest.mark.parametrize("scope", [DATA_TEAM, MINISTRY])
def test_quality_page_figures(scope: Scope) -> None:
    at = quality_page_as(scope)
    figures = {m.label: m.value for m in at.metric}
    assert figures == {
        "Fichiers reçus": "3",
        "Fichiers rejetés": "1",
        "Fichiers remplacés": "1",
        "Lignes lues": "15",  # 10 + 0 + 5
        "Lignes chargées": "13",  # 8 + 0 + 5
        "Lignes en quarantaine": "2",
    }
    tables = [frame.value for frame in at.dataframe]
    rejected = tables[1]
    assert rejected.iloc[:, :3].values.tolist() == [["budget_execution", "b.csv", "fichier vide"]]
    quarantine = tables[2]
    assert sorted(quarantine["Raison"]) == [
        "montant négatif impossible",
        "valeur obligatoire manquante",
    ]


def test_region_user_cannot_read_the_quality_data(warehouse: str) -> None:
    with pytest.raises(AccessDenied, match="réservée au ministère et à l'équipe données"):
        queries.ingest_files(warehouse, REGION_06)


def test_region_user_has_no_quality_page() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.SESSION_KEY] = REGION_06
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(QUALITY)
