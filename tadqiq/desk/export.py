"""One road into the warehouse: the desk's rows as the audit sources' files, under the same
contracts as the files cells send.

``write_inbox`` writes one file per source into the inbox, where the ingestion reads every
export — ``audit_cells/``, ``missions/``, ``findings/``, ``recommendations/`` and
``recommendation_events/``, each ``tadqiq_desk.csv`` — with the contract's columns, so the
desk's rows pass the same contract checks (and quarantine) and land in the same staging models
as the files'. A file is rewritten only when its content changes (the ingestion identifies a
file by its sha256: the same rows again are not read twice); a newer version replaces the rows
of the older one by the contract's key (the references), as a newer file from a cell does.

Validated internal-control self-assessments go as the ``ic_diagnostic`` contract's workbooks
(``ic_diagnostic/tadqiq_desk_<code>_<campaign>.xlsx``, one per collectivity and campaign): the
title block (``Code collectivité : …``, ``Campagne : …``) above the header, as the IC tool
exports them, so the ingestion's XLSX reader takes them like a collectivity's own file, and a
newer one replaces the older one's rows for the same collectivity and campaign. A draft, or a
questionnaire submitted but not validated by the cell, is not exported. The questions' text
stays out of the desk (the rows carry the code, component and principle; ``question`` is
optional in the contract).

The status history (``recommendation_events``) is built from the desk's events: per
recommendation and day (in Morocco), the status after the day's last change and who gave it —
its issue (``non_demarree`` on the issue date, by the auditor), a declaration (``audite``) or a
verification or reopening (``auditeur``) — with the sha256 of every evidence file declared that
day (``preuve``). One row per day, as the contract's key (recommendation, day, status) and the
status spells (one status a day) have it.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ingestion.contracts import (
    AUDIT_CELLS,
    AUDIT_MISSIONS,
    FINDINGS,
    IC_DIAGNOSTIC,
    RECOMMENDATION_EVENTS,
    RECOMMENDATIONS,
    Contract,
)
from tadqiq.desk import reference
from tadqiq.desk.db import Store
from tadqiq.desk.guard import MOROCCO, utc
from tadqiq.desk.models import AuditCell, Event, Finding, IcAssessment, Mission, Recommendation

FILE_NAME = "tadqiq_desk.csv"
CONTRACTS: tuple[Contract, ...] = (
    AUDIT_CELLS,
    AUDIT_MISSIONS,
    FINDINGS,
    RECOMMENDATIONS,
    RECOMMENDATION_EVENTS,
)
STATUS_ACTIONS = ("issue", "declare", "verify", "reopen")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _cells(session: Any) -> list[dict[str, object]]:
    cells = session.scalars(
        sa.select(AuditCell).options(selectinload(AuditCell.members)).order_by(AuditCell.id)
    )
    return [
        {
            "code_collectivite": cell.collectivity_code,
            "date_creation": _day(cell.created_on),
            "date_adoption_charte": _day(cell.charter_on),
            "nb_auditeurs": sum(member.active for member in cell.members),
            "jours_auditeur_an": cell.auditor_days_per_year,
        }
        for cell in cells
    ]


def _missions(session: Any) -> list[dict[str, object]]:
    return [
        {
            "reference_mission": m.reference,
            "code_collectivite": m.collectivity_code,
            "annee_programme": m.programme_year,
            "type_programme": m.programme_type,
            "auditeur": m.auditor_body,
            "processus": m.process,
            "date_debut_prevue": _day(m.planned_start),
            "date_fin_prevue": _day(m.planned_end),
            "date_debut_reelle": _day(m.actual_start),
            "date_fin_reelle": _day(m.actual_end),
            "jours_prevus": m.planned_days,
            "jours_reels": m.actual_days,
            "statut": m.status,
        }
        for m in session.scalars(sa.select(Mission).order_by(Mission.id))
    ]


def _findings(session: Any) -> list[dict[str, object]]:
    findings = session.scalars(
        sa.select(Finding).options(selectinload(Finding.mission)).order_by(Finding.id)
    )
    return [
        {
            "reference_constat": f.reference,
            "reference_mission": f.mission.reference,
            "code_collectivite": f.collectivity_code,
            "categorie": f.category,
            "sous_categorie": f.subcategory,
            "cause_racine": f.cause,
            "criticite": f.severity,
            "impact_financier": f.financial_impact,
            "date_constat": _day(f.found_on),
        }
        for f in findings
    ]


def _recommendations(session: Any) -> list[dict[str, object]]:
    recommendations = session.scalars(
        sa.select(Recommendation)
        .options(selectinload(Recommendation.finding))
        .order_by(Recommendation.id)
    )
    return [
        {
            "reference_recommandation": r.reference,
            "reference_constat": r.finding.reference,
            "code_collectivite": r.collectivity_code,
            "libelle": r.text,
            "responsable": r.owner,
            "priorite": r.priority,
            "date_emission": _day(r.issued_on),
            "date_echeance": _day(r.due_on),
        }
        for r in recommendations
    ]


def _event_day(event: Event) -> date:
    if event.action == "issue":
        return date.fromisoformat(event.after["issued_on"])
    return utc(event.at).astimezone(MOROCCO).date()


def status_history(events: Iterable[Event]) -> list[dict[str, object]]:
    """One row per recommendation and day: the status after that day's last change."""
    last: dict[tuple[str, date], dict[str, object]] = {}
    for event in sorted(events, key=lambda e: e.id):
        if event.entity != "recommendation" or event.action not in STATUS_ACTIONS:
            continue
        after = event.after
        day = _event_day(event)
        key = (str(after["reference"]), day)
        earlier = str(last.get(key, {}).get("preuve") or "")
        proofs = [p for p in earlier.split(" ; ") if p]
        proofs += [f"sha256:{sha}" for sha in after.get("evidence") or [] if sha not in earlier]
        last[key] = {
            "reference_recommandation": after["reference"],
            "code_collectivite": event.collectivity_code,
            "date_evenement": day.isoformat(),
            "statut": after["status"],
            "declare_par": "audite" if after.get("declared_as") == "audite" else "auditeur",
            "preuve": " ; ".join(proofs) or None,
        }
    return sorted(
        last.values(), key=lambda r: (str(r["reference_recommandation"]), str(r["date_evenement"]))
    )


def _history(session: Any) -> list[dict[str, object]]:
    events = session.scalars(
        sa.select(Event).where(Event.entity == "recommendation").order_by(Event.id)
    )
    return status_history(events)


READERS = {
    "audit_cells": _cells,
    "missions": _missions,
    "findings": _findings,
    "recommendations": _recommendations,
    "recommendation_events": _history,
}


def rows(store: Store) -> dict[str, list[dict[str, object]]]:
    """Every source's rows, in the contract's columns, from one read of the store."""
    with store.session() as session, session.begin():
        return {contract.entity: READERS[contract.entity](session) for contract in CONTRACTS}


def _csv(contract: Contract, records: list[dict[str, object]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    names = [column.name for column in contract.columns]
    writer.writerow(names)
    for record in records:
        writer.writerow(["" if record[name] is None else record[name] for name in names])
    return buffer.getvalue().encode("utf-8")


def target(inbox: Path, contract: Contract) -> Path:
    return inbox / Path(contract.file_glob).parent / FILE_NAME


# --- the validated self-assessments, as the IC tool's workbooks ------------------------------

IC_TITLE = "Diagnostic du contrôle interne"


def ic_rows(store: Store) -> dict[tuple[str, int], list[dict[str, object]]]:
    """The validated self-assessments' answers by (collectivity, campaign), in the contract's
    columns (``question`` left empty: its text is not the desk's)."""
    with store.session() as session, session.begin():
        validated = session.scalars(
            sa.select(IcAssessment)
            .options(selectinload(IcAssessment.answers))
            .where(IcAssessment.status == "validee")
            .order_by(IcAssessment.collectivity_code, IcAssessment.campaign_year)
        )
        return {
            (a.collectivity_code, a.campaign_year): [
                {
                    "code_collectivite": a.collectivity_code,
                    "exercice": a.campaign_year,
                    "code_question": answer.question_code,
                    "composante": answer.component,
                    "principe": answer.principle,
                    "question": None,
                    "score": answer.score,
                    "preuve": answer.evidence,
                }
                for answer in a.answers
            ]
            for a in validated
        }


def ic_target(inbox: Path, code: str, year: int) -> Path:
    digits = code.replace(".", "")
    return inbox / Path(IC_DIAGNOSTIC.file_glob).parent / f"tadqiq_desk_{digits}_{year}.xlsx"


def ic_workbook(code: str, year: int, records: list[dict[str, object]]) -> bytes:
    """The questionnaire's workbook: the title block, the header, one row per answer. The same
    answers give the same bytes (a fixed creation date; XlsxWriter's fixed ZIP timestamps)."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"title": IC_TITLE, "created": datetime(year, 12, 31)})
    sheet = workbook.add_worksheet(IC_DIAGNOSTIC.sheet_name)
    bold = workbook.add_format({"bold": True})
    place = reference.place(code)
    titles = dict(IC_DIAGNOSTIC.title_fields)
    sheet.write(0, 0, IC_TITLE, bold)
    sheet.write(1, 0, f"{titles['code_collectivite']} : {code}")
    sheet.write(2, 0, f"Collectivité : {place.name_fr if place else code}")
    sheet.write(3, 0, f"{titles['exercice']} : {year}")
    header = IC_DIAGNOSTIC.header
    sheet.write_row(5, 0, header, bold)
    for number, record in enumerate(records, start=6):
        sheet.write_row(number, 0, ["" if record[c] is None else record[c] for c in header])
    workbook.close()
    return buffer.getvalue()


def _replace(path: Path, data: bytes) -> bool:
    """Write ``data`` at ``path`` atomically unless it holds them already; True if written."""
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return True


def write_inbox(store: Store, inbox: Path) -> dict[str, int]:
    """Write each source's file into ``inbox`` (when it has rows and changed), and a workbook
    per validated self-assessment; returns the rows of each source."""
    exported = rows(store)
    for contract in CONTRACTS:
        records = exported[contract.entity]
        if records:
            _replace(target(inbox, contract), _csv(contract, records))
    questionnaires = ic_rows(store)
    for (code, year), records in questionnaires.items():
        _replace(ic_target(inbox, code, year), ic_workbook(code, year, records))
    counts = {entity: len(records) for entity, records in exported.items()}
    return counts | {IC_DIAGNOSTIC.entity: sum(map(len, questionnaires.values()))}
