"""The audit desk's tests: the people of the crossing tests, the clock, and helpers that build a
mission, a finding, a recommendation (the fixtures are in this folder's conftest.py).

The clock says 30/06/2025 09:00 UTC (10:00 in Morocco): every "today" of the expected
values below is that day unless a test moves the clock.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tadqiq.access import Role, Scope
from tadqiq.desk import db, guard, missions
from tadqiq.desk.evidence import Upload
from tadqiq.desk.guard import Outcome
from tadqiq.desk.models import Event

NOW = datetime(2025, 6, 30, 9, 0, tzinfo=UTC)

MOULAY = "06.181.05.01"  # My Abdellah (Moulay Abdallah), commune, region 06
CASABLANCA = "06.141.01.0"  # commune with arrondissements, region 06
ANFA = "06.141.01.01"  # an arrondissement of Casablanca
TANGER = "01.511.01.0"  # commune, region 01

AUDITOR = Scope(Role.COLLECTIVITY, "a.tazi", MOULAY)  # Moulay Abdallah's cell
FOCAL = Scope(Role.FOCAL_POINT, "s.amrani", MOULAY)  # Moulay Abdallah's focal point
FOCAL_CASA = Scope(Role.FOCAL_POINT, "k.bennis", CASABLANCA)
AUDITOR_CASA = Scope(Role.COLLECTIVITY, "n.alami", CASABLANCA)
REGION_06 = Scope(Role.REGION, "r.bennani", "06")
REGION_01 = Scope(Role.REGION, "h.elidrissi", "01")
IGAT = Scope(Role.INSPECTOR, "m.igat", "national")
IGF_05 = Scope(Role.INSPECTOR, "f.igf", "05")
MINISTRY = Scope(Role.MINISTRY, "ministere")
DATA_TEAM = Scope(Role.DATA_TEAM, "equipe.donnees")

# A minimal well-formed PDF (header, one object, trailer, end-of-file marker).
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.moment = NOW
        monkeypatch.setattr(guard, "now", lambda: self.moment)

    def set(self, moment: datetime) -> None:
        self.moment = moment


def denials(data: Path) -> list[dict[str, Any]]:
    """The access log's refusals, oldest first."""
    path = data / "access_log" / "access.jsonl"
    if not path.exists():
        return []
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [r for r in records if r.get("outcome") == "denied"]


def events(store: db.Store) -> list[Event]:
    with store.session() as session:
        return list(session.scalars(sa.select(Event).order_by(Event.id)))


def counts(store: db.Store) -> dict[str, int]:
    """Rows of every table: what a refused or failed write must leave as it was."""
    from tadqiq.desk.models import Base

    with store.session() as session:
        return {
            name: session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in Base.metadata.tables.items()
        }


def open_mission(store: db.Store, scope: Scope = AUDITOR, **changes: Any) -> Outcome:
    values: dict[str, Any] = {
        "collectivity_code": MOULAY,
        "programme_year": 2025,
        "programme_type": "annuel",
        "auditor_body": "audit_interne",
        "process": "paie",
        "planned_start": date(2025, 3, 1),
        "planned_end": date(2025, 4, 15),
        "planned_days": 45,
    }
    return missions.open_mission(store, scope, **(values | changes))


def started_mission(store: db.Store, scope: Scope = AUDITOR, **changes: Any) -> Outcome:
    opened = open_mission(store, scope, **changes)
    return missions.transition_mission(
        store, scope, opened.entity_id, 1, "en_cours", actual_start=date(2025, 3, 3)
    )


def finding(store: db.Store, scope: Scope = AUDITOR, **changes: Any) -> Outcome:
    mission = started_mission(store, scope)
    values: dict[str, Any] = {
        "category": "HR",
        "severity": 3,
        "found_on": date(2025, 3, 20),
        "condition": "Douze agents payés sans service fait depuis 2023",
        "criteria": "Décret n° 2-77-738, article 13 : pas de rémunération sans service fait",
        "cause": "Aucun rapprochement entre la paie et les états de présence",
        "effect": "Dépense indue estimée à 864 000 MAD",
        "financial_impact": 864000.0,
    }
    return missions.record_finding(store, scope, mission.entity_id, **(values | changes))


def recommendation(store: db.Store, scope: Scope = AUDITOR, **changes: Any) -> Outcome:
    found = finding(store, scope)
    values: dict[str, Any] = {
        "text": "Rapprocher chaque mois la paie des états de présence",
        "owner": "Division des ressources humaines",
        "priority": 1,
        "issued_on": date(2025, 4, 1),
        "due_on": date(2025, 9, 30),
    }
    return missions.issue_recommendation(store, scope, found.entity_id, **(values | changes))


def pdf(name: str = "rapprochement_mai_2025.pdf") -> Upload:
    return Upload(name, PDF)
