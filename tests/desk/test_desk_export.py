"""One road into the warehouse, on SQLite and on PostgreSQL: the desk's rows written into the
inbox as the audit sources' files, read by the ingestion under the same contracts (nothing
quarantined), landed beside a cell's own file, replaced by a newer export, and run through the
staging models' SQL. The status history comes from the desk's events, one row per day.

The story, in Moulay Abdallah (06.181.05.01), times in UTC (Morocco is UTC+1 from April, UTC+0
during Ramadan, in March 2025):

* 01/04/2025 09:00 — the cell (created 15/02/2021, charter 01/09/2021, 440 auditor-days, three
  members, one later inactive: 2 auditors) opens mission TQ-M-2025-0001 (paie, planned
  01/03–15/04/2025, 45 days), started 03/03/2025; finding TQ-C-2025-0001 (HR, 3, 20/03/2025,
  864 000 MAD); recommendation TQ-R-2025-0001 issued 01/04/2025, due 30/09/2025;
* 02/05/2025 10:00 — the focal point declares it in progress;
* 10/06/2025 23:30 — the focal point declares it implemented with a PDF (00:30 on 11/06 in
  Morocco: the event's day is 11/06/2025);
* 30/06/2025 09:00 — the auditor verifies it, reports the mission (ended 18/04/2025, 52 days)
  and, at 09:20, reopens the recommendation (the day ends "en cours", by the auditor);
* 01/07/2025 08:00 — the focal point declares it implemented with a second PDF; 08:30 the
  auditor verifies it (the day ends "vérifiée", with the day's evidence).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from desk_fixtures import AUDITOR, FOCAL, MOULAY, PDF, TANGER, Clock, pdf

from ingestion.contracts import AUDIT_CELLS, AUDIT_MISSIONS, RECOMMENDATION_EVENTS
from ingestion.inbox import ingest_source, write_dataset
from ingestion.readers import read_export
from orchestration.lib.settings import REPO_ROOT
from tadqiq.desk import cells, db, export, follow_up, missions, reference
from tadqiq.desk.evidence import Upload

PDF_2 = PDF.replace(b"/Catalog", b"/Catalog /Lang (fr)")
SHA_1 = hashlib.sha256(PDF).hexdigest()
SHA_2 = hashlib.sha256(PDF_2).hexdigest()


def at(*moment: int) -> datetime:
    return datetime(*moment, tzinfo=UTC)


@pytest.fixture
def story(store: db.Store, clock: Clock) -> db.Store:
    clock.set(at(2025, 4, 1, 9, 0))
    cell = cells.save_cell(
        store, AUDITOR, collectivity_code=MOULAY, created_on=date(2021, 2, 15),
        charter_on=date(2021, 9, 1), auditor_days_per_year=440,
    )  # fmt: skip
    for name, function in (("Amina Tazi", "chef"), ("Youssef Fassi", "auditeur"),
                           ("Omar Kettani", "auditeur")):  # fmt: skip
        member = cells.add_member(store, AUDITOR, cell.entity_id, full_name=name, function=function)
    cells.set_member_active(store, AUDITOR, member.entity_id, 1, False)
    mission = missions.open_mission(
        store, AUDITOR, collectivity_code=MOULAY, programme_year=2025, programme_type="annuel",
        auditor_body="audit_interne", process="paie", planned_start=date(2025, 3, 1),
        planned_end=date(2025, 4, 15), planned_days=45,
    )  # fmt: skip
    missions.transition_mission(
        store, AUDITOR, mission.entity_id, 1, "en_cours", actual_start=date(2025, 3, 3)
    )
    found = missions.record_finding(
        store, AUDITOR, mission.entity_id, category="HR", severity=3, found_on=date(2025, 3, 20),
        condition="Douze agents payés sans service fait", subcategory="Paie",
        cause="Aucun rapprochement entre la paie et les présences", financial_impact=864000,
    )  # fmt: skip
    rec = missions.issue_recommendation(
        store, AUDITOR, found.entity_id,
        text='Rapprocher chaque mois la paie des états de présence ; signer le "PV"',
        owner="Division des ressources humaines", priority=1, issued_on=date(2025, 4, 1),
        due_on=date(2025, 9, 30),
    )  # fmt: skip
    rid = rec.entity_id
    clock.set(at(2025, 5, 2, 10, 0))
    follow_up.declare(store, FOCAL, rid, 1, "en_cours", note="Premier rapprochement en avril")
    clock.set(at(2025, 6, 10, 23, 30))
    follow_up.declare(store, FOCAL, rid, 2, "mise_en_oeuvre", files=[pdf("mai.pdf")])
    clock.set(at(2025, 6, 30, 9, 0))
    follow_up.verify(store, AUDITOR, rid, 3)
    missions.transition_mission(
        store, AUDITOR, mission.entity_id, 2, "rapport", actual_end=date(2025, 4, 18),
        actual_days=52,
    )  # fmt: skip
    clock.set(at(2025, 6, 30, 9, 20))
    follow_up.reopen(store, AUDITOR, rid, 4, reason="Le PV de mai n'est pas signé")
    clock.set(at(2025, 7, 1, 8, 0))
    follow_up.declare(store, FOCAL, rid, 5, "mise_en_oeuvre", files=[Upload("pv_signe.pdf", PDF_2)])
    clock.set(at(2025, 7, 1, 8, 30))
    follow_up.verify(store, AUDITOR, rid, 6)
    return store


EXPECTED = {
    "audit_cells": [
        {"code_collectivite": MOULAY, "date_creation": date(2021, 2, 15),
         "date_adoption_charte": date(2021, 9, 1), "nb_auditeurs": 2, "jours_auditeur_an": 440},
    ],
    "missions": [
        {"reference_mission": "TQ-M-2025-0001", "code_collectivite": MOULAY,
         "annee_programme": 2025, "type_programme": "annuel", "auditeur": "audit_interne",
         "processus": "paie", "date_debut_prevue": date(2025, 3, 1),
         "date_fin_prevue": date(2025, 4, 15), "date_debut_reelle": date(2025, 3, 3),
         "date_fin_reelle": date(2025, 4, 18), "jours_prevus": 45, "jours_reels": 52,
         "statut": "rapport"},
    ],
    "findings": [
        {"reference_constat": "TQ-C-2025-0001", "reference_mission": "TQ-M-2025-0001",
         "code_collectivite": MOULAY, "categorie": "HR", "sous_categorie": "Paie",
         "cause_racine": "Aucun rapprochement entre la paie et les présences", "criticite": 3,
         "impact_financier": 864000.0, "date_constat": date(2025, 3, 20)},
    ],
    "recommendations": [
        {"reference_recommandation": "TQ-R-2025-0001", "reference_constat": "TQ-C-2025-0001",
         "code_collectivite": MOULAY,
         "libelle": 'Rapprocher chaque mois la paie des états de présence ; signer le "PV"',
         "responsable": "Division des ressources humaines", "priorite": 1,
         "date_emission": date(2025, 4, 1), "date_echeance": date(2025, 9, 30)},
    ],
    "recommendation_events": [
        {"reference_recommandation": "TQ-R-2025-0001", "code_collectivite": MOULAY,
         "date_evenement": day, "statut": status, "declare_par": by, "preuve": proof}
        for day, status, by, proof in (
            (date(2025, 4, 1), "non_demarree", "auditeur", None),
            (date(2025, 5, 2), "en_cours", "audite", None),
            (date(2025, 6, 11), "mise_en_oeuvre", "audite", f"sha256:{SHA_1}"),
            (date(2025, 6, 30), "en_cours", "auditeur", None),
            (date(2025, 7, 1), "verifiee", "auditeur", f"sha256:{SHA_2}"),
        )
    ],
}  # fmt: skip


def test_the_desk_lands_through_the_contracts(story: db.Store, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    written = export.write_inbox(story, inbox)
    # (no validated self-assessment in the story: no ic_diagnostic workbook)
    assert written == {entity: len(rows) for entity, rows in EXPECTED.items()} | {
        "ic_diagnostic": 0
    }
    known = set(reference.directory())
    for contract in export.CONTRACTS:
        path = inbox / Path(contract.file_glob).parent / "tadqiq_desk.csv"
        result = read_export(path, contract, known)
        assert result.rows_quarantined == 0, result.quarantined.to_dicts()
        landed = result.landed.drop("source_row", "source_file").to_dicts()
        assert landed == EXPECTED[contract.entity], contract.entity


def test_rewritten_only_when_it_changes_and_a_newer_export_replaces_its_rows(
    story: db.Store, tmp_path: Path, clock: Clock
) -> None:
    inbox, raw = tmp_path / "inbox", tmp_path / "raw"
    known = set(reference.directory())
    cell_file = inbox / "missions" / "missions_2025.csv"  # a cell's own file, in Tanger
    cell_file.parent.mkdir(parents=True)
    cell_file.write_text(
        "reference_mission;code_collectivite;annee_programme;type_programme;auditeur;processus;"
        "date_debut_prevue;date_fin_prevue;date_debut_reelle;date_fin_reelle;jours_prevus;"
        "jours_reels;statut\n"
        f"M-2025-01-01;{TANGER};2025;annuel;audit_interne;recettes;01/02/2025;31/03/2025;;;"
        "60;;planifiee\n",
        encoding="utf-8",
    )
    export.write_inbox(story, inbox)
    desk_file = inbox / "missions" / "tadqiq_desk.csv"
    first = desk_file.read_bytes()
    first_ingest = ingest_source(inbox, AUDIT_MISSIONS, known, raw)
    assert sorted(first_ingest.landed["reference_mission"]) == ["M-2025-01-01", "TQ-M-2025-0001"]
    assert first_ingest.new_files.height == 2

    export.write_inbox(story, inbox)  # nothing changed: the same bytes, nothing new to read
    assert desk_file.read_bytes() == first
    assert ingest_source(inbox, AUDIT_MISSIONS, known, raw).new_files.height == 0

    missions.transition_mission(story, AUDITOR, 1, 3, "cloturee")
    export.write_inbox(story, inbox)
    again = ingest_source(inbox, AUDIT_MISSIONS, known, raw)
    write_dataset(again, raw)
    statuses = dict(again.landed.select("reference_mission", "statut").iter_rows())
    assert statuses == {"M-2025-01-01": "planifiee", "TQ-M-2025-0001": "cloturee"}
    by_file = {
        (row["source_file"], row["sha256"] == hashlib.sha256(first).hexdigest()): row["status"]
        for row in again.manifest.iter_rows(named=True)
    }
    assert by_file == {
        ("missions_2025.csv", False): "loaded",
        ("tadqiq_desk.csv", True): "superseded",
        ("tadqiq_desk.csv", False): "loaded",
    }
    landed = pl.read_parquet(raw / "audit" / "missions" / "data.parquet")
    assert landed.height == 2


def _staging(model: str, parquet: Path) -> str:
    sql = (REPO_ROOT / "dbt_project" / "models" / "staging" / "audit" / f"{model}.sql").read_text(
        encoding="utf-8"
    )
    source = sql[sql.index("{{ source(") : sql.index("}}", sql.index("{{ source(")) + 2]
    return sql.replace(source, f"read_parquet('{parquet}')")


def test_the_same_staging_models_read_them(story: db.Store, tmp_path: Path) -> None:
    inbox, raw = tmp_path / "inbox", tmp_path / "raw"
    export.write_inbox(story, inbox)
    known = set(reference.directory())
    for contract in (AUDIT_CELLS, AUDIT_MISSIONS, RECOMMENDATION_EVENTS):
        write_dataset(ingest_source(inbox, contract, known, raw), raw)
    data = raw / "audit"
    with duckdb.connect() as con:
        history = con.execute(
            "select recommendation_event_id, recommendation_status, declared_by, event_date "
            f"from ({_staging('stg_audit__recommendation_events', data / 'recommendation_events' / 'data.parquet')}) "  # noqa: E501
            "order by event_date"
        ).fetchall()
        mission = con.execute(
            "select mission_id, mission_status, planned_auditor_days, actual_auditor_days, "
            f"actual_end_date from ({_staging('stg_audit__missions', data / 'missions' / 'data.parquet')})"  # noqa: E501
        ).fetchall()
        cell = con.execute(
            f"select * from ({_staging('stg_audit__audit_cells', data / 'audit_cells' / 'data.parquet')})"  # noqa: E501
        ).fetchdf()
    assert history == [
        ("TQ-R-2025-0001|2025-04-01|non_demarree", "non_demarree", "auditeur", date(2025, 4, 1)),
        ("TQ-R-2025-0001|2025-05-02|en_cours", "en_cours", "audite", date(2025, 5, 2)),
        ("TQ-R-2025-0001|2025-06-11|mise_en_oeuvre", "mise_en_oeuvre", "audite",
         date(2025, 6, 11)),
        ("TQ-R-2025-0001|2025-06-30|en_cours", "en_cours", "auditeur", date(2025, 6, 30)),
        ("TQ-R-2025-0001|2025-07-01|verifiee", "verifiee", "auditeur", date(2025, 7, 1)),
    ]  # fmt: skip
    assert mission == [("TQ-M-2025-0001", "rapport", 45, 52, date(2025, 4, 18))]
    assert cell.shape[0] == 1 and MOULAY in cell.to_string()
