"""Deterministic synthetic audit sources: cells, missions, findings, recommendations, follow-up.

The story, per collectivity (figures from ``rng_for(seed, code_digits, year, <stream>)``,
``year = 0`` for what is stable; the same collectivity gets the same audit history whatever
the scope):

* an **internal-audit cell** for every phase-1 and phase-2 collectivity and about half of
  phase 3, created 2020–2024 (earlier for the pilot), its charter adopted some months later or
  not yet, 1–6 auditors of ~200 auditor-days a year;
* each programme year, 1–3 **internal-audit missions** per cell (processes rotate through the
  eight of the risk catalogue), plus occasional IGAT / IGF / CRC missions anywhere; some start
  late, overrun their days or are cancelled. Statuses follow the dates as seen on
  ``TODAY`` (2026-11-27): earlier programme years are closed or cancelled; the last one is a
  mix of closed, report stage, fieldwork in progress and still planned (stalled missions);
* 1–6 **findings** per mission that reached the report stage (categories of DOMAIN.md §3,
  weighted by the process audited), with planted **repeat findings** (same category and
  sub-category in the same collectivity within three years) for about a fifth of the cells;
* 1–2 **recommendations** per finding (owner division, priority, due 3–12 months later);
* dated **status changes**: ``non_demarree`` at issue (by the auditor), ``en_cours`` and
  ``mise_en_oeuvre`` declared by the audited, ``verifiee`` later by an auditor; some refused or
  not applicable, some stalled and overdue. Nothing is dated after ``TODAY``.

Files: ``audit_cells/cellules_audit.csv`` (national), ``missions/missions_<year>.csv``,
``findings/constats_<year>.csv`` and ``recommendations/recommandations_<year>.csv`` per
programme year, ``recommendation_events/suivi_<year>.csv`` per year of the event.
References: ``M-<year>-<code_digits>-<nn>``, ``C-<year>-<code_digits>-<nn>-<ff>``,
``R-<year>-<code_digits>-<nn>-<ff>-<r>``.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

from ingestion import contracts
from tadqiq.synthetic.profiles import profile_of, rng_for

TODAY = dt.date(2026, 11, 27)
CELL_STREAM, MISSION_STREAM, FINDING_STREAM, FOLLOW_UP_STREAM = 20, 21, 22, 23

CELL_COLUMNS = contracts.AUDIT_CELLS.header
MISSION_COLUMNS = contracts.AUDIT_MISSIONS.header
FINDING_COLUMNS = contracts.FINDINGS.header
RECOMMENDATION_COLUMNS = contracts.RECOMMENDATIONS.header
EVENT_COLUMNS = contracts.RECOMMENDATION_EVENTS.header

PROCESSES = (
    "recettes",
    "commande_publique",
    "patrimoine",
    "paie",
    "gestion_deleguee",
    "urbanisme",
    "execution_budgetaire",
    "gouvernance",
)
# finding categories (DOMAIN.md §3) a mission on each process tends to raise
CATEGORY_WEIGHTS = {
    "recettes": {"REV": 0.6, "ACC": 0.15, "DOM": 0.1, "GOV": 0.1, "URB": 0.05},
    "commande_publique": {"PROC": 0.7, "EXP": 0.15, "GOV": 0.1, "ACC": 0.05},
    "patrimoine": {"DOM": 0.7, "REV": 0.1, "ACC": 0.1, "GOV": 0.1},
    "paie": {"HR": 0.8, "GOV": 0.1, "EXP": 0.1},
    "gestion_deleguee": {"GD": 0.75, "EXP": 0.1, "GOV": 0.1, "PROC": 0.05},
    "urbanisme": {"URB": 0.6, "REV": 0.25, "GOV": 0.15},
    "execution_budgetaire": {"EXP": 0.55, "ACC": 0.25, "PROC": 0.1, "GOV": 0.1},
    "gouvernance": {"GOV": 0.7, "ACC": 0.15, "EXP": 0.15},
}
SUB_CATEGORIES = {
    "REV": (
        "Redevables non recensés",
        "Taxes non liquidées ou mal calculées",
        "Autorisations délivrées sans paiement de la taxe",
        "Restes à recouvrer sans action de recouvrement",
        "Prescription de créances",
    ),
    "DOM": (
        "Sommier de consistance incomplet",
        "Terrains non immatriculés ou occupés",
        "Occupation du domaine public sous-facturée",
        "Locations sans mise en concurrence",
    ),
    "PROC": (
        "Besoins non définis, estimation irréaliste",
        "Fractionnement des commandes",
        "Bons de commande sans concurrence réelle",
        "Retards d'exécution sans pénalités",
        "Avenants et dépassements de quantités",
        "Paiement de prestations non conformes aux attachements",
    ),
    "EXP": (
        "Imputation budgétaire erronée",
        "Engagements sans crédits disponibles",
        "Concentration des dépenses en fin d'exercice",
        "Subventions sans convention ni suivi",
        "Consommation de carburant non justifiée",
    ),
    "HR": (
        "Agents absents de leur poste",
        "Indemnités ou heures supplémentaires irrégulières",
        "Recrutements hors règles",
        "Paie non rapprochée des dossiers administratifs",
    ),
    "GD": (
        "Suivi insuffisant du contrat de gestion déléguée",
        "Obligations d'investissement non respectées",
        "Redevances non versées",
        "Comité de suivi inexistant",
    ),
    "URB": (
        "Autorisations hors plan d'aménagement",
        "Absence de contrôle de conformité",
        "Lotissements non régularisés",
    ),
    "GOV": (
        "Absence de manuel de procédures",
        "Absence de séparation des tâches",
        "Régies sans contrôle",
        "Budget ou compte administratif adopté en retard",
        "Recommandations antérieures non mises en œuvre",
    ),
    "ACC": (
        "Restes à recouvrer non fiables",
        "Écarts entre compte administratif et compte de gestion",
        "Engagements non comptabilisés",
    ),
}
ROOT_CAUSES = (
    "Absence de procédure écrite",
    "Insuffisance des effectifs qualifiés",
    "Absence de séparation des tâches",
    "Système d'information inadapté",
    "Défaut de supervision",
    "Méconnaissance de la réglementation",
    "Absence de contrôle de second niveau",
)
REPEATED = ("categorie", "sous_categorie", "cause_racine")
MATERIAL_CATEGORIES = {"REV", "DOM", "PROC", "EXP", "GD", "HR", "URB"}
OWNERS = {
    "REV": "Division des affaires financières — régie des recettes",
    "DOM": "Service du patrimoine",
    "PROC": "Service des marchés",
    "EXP": "Division des affaires financières",
    "HR": "Division des ressources humaines",
    "GD": "Service de la gestion déléguée",
    "URB": "Division de l'urbanisme",
    "GOV": "Direction générale des services",
    "ACC": "Service de la comptabilité",
}
ACTIONS = (
    "Formaliser et diffuser une procédure",
    "Mettre en place un contrôle de second niveau",
    "Régulariser les situations constatées",
    "Former les agents concernés",
    "Mettre à jour le registre et le rapprocher",
    "Engager les actions de recouvrement",  # revenue and delegated-service fees only
)
EVIDENCE = (
    "Note de service",
    "Procès-verbal",
    "Arrêté du président",
    "Registre mis à jour",
    "Rapport de suivi",
    "Pièces justificatives",
)


def _day(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    """`;`-separated, UTF-8 with BOM, CRLF; a date column as its own format; atomic."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([row.get(c) for c in header] for row in rows)
    tmp.replace(path)


def _amount(value: float | None) -> str | None:
    return None if value is None else f"{value:.2f}".replace(".", ",")


def _anomaly(source, code, year, anomaly, reference, detail) -> dict:
    return {
        "source": source,
        "collectivity_code": code,
        "fiscal_year": year,
        "anomaly": anomaly,
        "reference": reference,
        "detail": detail,
    }


# --- audit cells --------------------------------------------------------------------------


def audit_cell(unit: dict, seed: int, phase: int | None) -> dict | None:
    """The internal-audit cell of a collectivity, if it has one (stable: no year)."""
    if phase is None:
        return None
    rng = rng_for(seed, unit["code_digits"], 0, CELL_STREAM)
    draw = rng.random()
    if phase >= 3 and draw >= 0.5:
        return None
    first_year, last_year = {1: (2020, 2021), 2: (2021, 2023)}.get(phase, (2023, 2024))
    created = dt.date(int(rng.integers(first_year, last_year + 1)), 1, 1) + dt.timedelta(
        days=int(rng.integers(0, 365))
    )
    charter = created + dt.timedelta(days=int(rng.integers(60, 420)))
    if rng.random() < 0.2 or charter > TODAY:
        charter = None
    population = unit["population_2024"] or 1_000
    big = unit["level"] in ("region", "province") or population > 150_000
    auditors = int(rng.integers(3, 7) if big else rng.integers(1, 4))
    return {
        "code_collectivite": unit["collectivity_code"],
        "date_creation": created,
        "date_adoption_charte": charter,
        "nb_auditeurs": auditors,
        "jours_auditeur_an": auditors * int(rng.integers(180, 221)),
    }


# --- missions -----------------------------------------------------------------------------


def missions(unit: dict, year: int, seed: int, cell: dict | None, last_year: int) -> list[dict]:
    """The missions of programme `year` in one collectivity (internal and external)."""
    digits = unit["code_digits"]
    stable = rng_for(seed, digits, 0, MISSION_STREAM)
    rotation = stable.permutation(len(PROCESSES))
    slippage = stable.uniform(0.05, 0.45)  # how often this cell's missions run late
    rng = rng_for(seed, digits, year, MISSION_STREAM)
    planned: list[tuple[str, str, int]] = []  # (auditor, process, auditor-days)
    if cell and cell["date_creation"].year <= year:
        capacity = cell["jours_auditeur_an"]
        count = int(rng.integers(1, 4)) if cell["date_creation"].year < year else 1
        for k in range(count):
            process = PROCESSES[rotation[((year - 2015) * 3 + k) % len(PROCESSES)]]
            days = int(min(capacity * rng.uniform(0.15, 0.35), rng.integers(20, 90)))
            planned.append(("audit_interne", process, max(days, 10)))
    if rng.random() < (0.10 if cell else 0.04):
        body = str(rng.choice(["IGAT", "IGF", "CRC"], p=[0.45, 0.2, 0.35]))
        planned.append(
            (body, PROCESSES[int(rng.integers(len(PROCESSES)))], int(rng.integers(40, 160)))
        )
    rows = []
    for number, (auditor, process, days) in enumerate(planned, start=1):
        start = dt.date(year, 1, 1) + dt.timedelta(days=int(rng.integers(20, 300)))
        end = start + dt.timedelta(days=int(rng.integers(20, 70)))
        late = rng.random() < slippage
        real_start = start + dt.timedelta(
            days=int(rng.integers(15, 120) if late else rng.integers(0, 8))
        )
        real_end = (
            real_start
            + (end - start)
            + dt.timedelta(days=int(rng.integers(10, 90) if late else rng.integers(-5, 6)))
        )
        real_days = round(days * (rng.uniform(1.1, 1.6) if late else rng.uniform(0.85, 1.05)))
        report_delay = dt.timedelta(days=int(rng.integers(30, 150)))
        fate = rng.random()
        if year < last_year:
            stalled = None if fate > 0.07 else "annulee"
        else:  # the last programme year: some missions have not started or not finished
            stalled = next(
                (
                    s
                    for s, p in (("planifiee", 0.15), ("en_cours", 0.27), ("rapport", 0.45))
                    if fate < p
                ),
                None,
            )
        if stalled == "annulee" or real_start > TODAY or stalled == "planifiee":
            status = "annulee" if stalled == "annulee" else "planifiee"
            real_start = real_end = real_days = None
        elif real_end > TODAY or stalled == "en_cours":
            status, real_end = "en_cours", None
            real_days = round(days * rng.uniform(0.3, 0.9))
        elif real_end + report_delay > TODAY or stalled == "rapport":
            status = "rapport"
        else:
            status = "cloturee"
        rows.append(
            {
                "reference_mission": f"M-{year}-{digits}-{number:02d}",
                "code_collectivite": unit["collectivity_code"],
                "annee_programme": year,
                "type_programme": "pluriannuel" if rng.random() < 0.2 else "annuel",
                "auditeur": auditor,
                "processus": process,
                "date_debut_prevue": start,
                "date_fin_prevue": end,
                "date_debut_reelle": real_start,
                "date_fin_reelle": real_end,
                "jours_prevus": days,
                "jours_reels": real_days,
                "statut": status,
            }
        )
    return rows


# --- findings, recommendations, follow-up -------------------------------------------------


def findings(unit: dict, mission: dict, seed: int) -> list[dict]:
    """The findings of a mission that reached the report stage."""
    if mission["statut"] not in ("rapport", "cloturee"):
        return []
    number = int(mission["reference_mission"].rsplit("-", 1)[1])
    rng = rng_for(seed, unit["code_digits"], mission["annee_programme"], FINDING_STREAM, number)
    weights = CATEGORY_WEIGHTS[mission["processus"]]
    external = mission["auditeur"] != "audit_interne"
    scale = profile_of(unit, seed).operating_revenue
    rows = []
    for f in range(1, int(rng.integers(1, 7)) + 1):
        category = str(rng.choice(list(weights), p=list(weights.values())))
        subs = SUB_CATEGORIES[category]
        criticality = int(
            rng.choice(
                [1, 2, 3, 4], p=[0.1, 0.3, 0.35, 0.25] if external else [0.2, 0.35, 0.3, 0.15]
            )
        )
        impact = None
        if category in MATERIAL_CATEGORIES and rng.random() < 0.7:
            impact = float(scale * rng.lognormal(np.log(0.004), 1.0) * criticality / 2)
        rows.append(
            {
                "reference_constat": f"C-{mission['reference_mission'][2:]}-{f:02d}",
                "reference_mission": mission["reference_mission"],
                "code_collectivite": unit["collectivity_code"],
                "categorie": category,
                "sous_categorie": subs[int(rng.integers(len(subs)))],
                "cause_racine": ROOT_CAUSES[int(rng.integers(len(ROOT_CAUSES)))],
                "criticite": criticality,
                "impact_financier": impact,
                "date_constat": min(
                    TODAY, mission["date_fin_reelle"] + dt.timedelta(days=int(rng.integers(0, 15)))
                ),
            }
        )
    return rows


def recommendations(
    unit: dict, finding: dict, seed: int, discipline: float
) -> tuple[list[dict], list[dict]]:
    """1–2 recommendations of a finding and their dated status changes (none after TODAY)."""
    parts = finding["reference_constat"].split("-")  # C-year-digits-mission-finding
    rng = rng_for(
        seed, unit["code_digits"], int(parts[1]), FOLLOW_UP_STREAM, int(parts[3]), int(parts[4])
    )
    issued = finding["date_constat"]
    recs, events = [], []
    for r in range(1, int(rng.integers(1, 3)) + 1):
        priority = (
            {4: 1, 3: 1, 2: 2, 1: 3}[finding["criticite"]]
            if rng.random() < 0.8
            else int(rng.integers(1, 4))
        )
        months = int(rng.integers(3, 7) if priority == 1 else rng.integers(6, 13))
        due = issued + dt.timedelta(days=round(months * 30.4))
        reference = f"R-{finding['reference_constat'][2:]}-{r}"
        actions = ACTIONS if finding["categorie"] in ("REV", "GD") else ACTIONS[:-1]
        action = actions[int(rng.integers(len(actions)))]
        recs.append(
            {
                "reference_recommandation": reference,
                "reference_constat": finding["reference_constat"],
                "code_collectivite": unit["collectivity_code"],
                "libelle": f"{action} ({finding['sous_categorie'].lower()})",
                "responsable": OWNERS[finding["categorie"]],
                "priorite": priority,
                "date_emission": issued,
                "date_echeance": due,
            }
        )
        trail = [(issued, "non_demarree", "auditeur", None)]
        fate = rng.random()
        started = issued + dt.timedelta(days=int(rng.integers(15, 120)))
        span = (due - issued).days
        if fate < 0.04:
            trail.append(
                (
                    issued + dt.timedelta(days=int(rng.integers(20, 90))),
                    "non_applicable",
                    "auditeur",
                    None,
                )
            )
        elif fate < 0.09:
            trail.append(
                (issued + dt.timedelta(days=int(rng.integers(10, 60))), "refusee", "audite", None)
            )
        elif fate < 0.09 + 0.8 * discipline:  # implemented, on time or late
            trail.append((started, "en_cours", "audite", None))
            done = issued + dt.timedelta(
                days=int(span * rng.uniform(0.6, 1.0 if rng.random() < 0.7 else 2.2))
            )
            done = max(done, started + dt.timedelta(days=7))
            trail.append(
                (done, "mise_en_oeuvre", "audite", EVIDENCE[int(rng.integers(len(EVIDENCE)))])
            )
            if rng.random() < 0.6:
                trail.append(
                    (
                        done + dt.timedelta(days=int(rng.integers(30, 200))),
                        "verifiee",
                        "auditeur",
                        "Contrôle sur pièces",
                    )
                )
        elif rng.random() < 0.5:  # stalled in progress
            trail.append((started, "en_cours", "audite", None))
        # otherwise never started
        for date, status, by, evidence in trail:
            if date <= TODAY:
                events.append(
                    {
                        "reference_recommandation": reference,
                        "code_collectivite": unit["collectivity_code"],
                        "date_evenement": date,
                        "statut": status,
                        "declare_par": by,
                        "preuve": evidence,
                    }
                )
    return recs, events


def _earlier_finding(unit: dict, year: int, seed: int, history: list[dict]) -> dict | None:
    """A finding of the two previous programme years, to be raised again."""
    earlier = [f for f in history if year - 3 < int(f["reference_constat"].split("-")[1]) < year]
    if not earlier:
        return None
    rng = rng_for(seed, unit["code_digits"], year, FINDING_STREAM, 99)
    return earlier[int(rng.integers(len(earlier)))]


# --- entry point --------------------------------------------------------------------------


def write_audit(
    inbox: Path,
    units: list[dict],
    years: list[int],
    seed: int,
    truth: list[dict],
    phases: dict[str, int],
) -> dict[str, int]:
    """Write the audit sources of `units` for programme `years`; returns files per source."""
    years = sorted(years)
    cells, by_year = [], {y: {"missions": [], "findings": [], "recommendations": []} for y in years}
    events: list[dict] = []
    for unit in units:
        code = unit["collectivity_code"]
        cell = audit_cell(unit, seed, phases.get(code))
        if cell:
            cells.append(cell)
        discipline = rng_for(seed, unit["code_digits"], 0, FOLLOW_UP_STREAM).uniform(0.35, 0.95)
        plants_repeat = (
            cell is not None
            and rng_for(seed, unit["code_digits"], 0, FINDING_STREAM).random() < 0.2
        )
        history: list[dict] = []
        for year in years:
            for mission in missions(unit, year, seed, cell, years[-1]):
                found = findings(unit, mission, seed)
                if plants_repeat and found and mission["auditeur"] == "audit_interne":
                    original = _earlier_finding(unit, year, seed, history)
                    if original:  # the same weakness, raised again
                        found[0] |= {k: original[k] for k in REPEATED}
                        truth.append(
                            _anomaly(
                                "findings",
                                code,
                                year,
                                "repeat_finding",
                                f"{original['reference_constat']} / "
                                f"{found[0]['reference_constat']}",
                                f"{original['categorie']} — {original['sous_categorie']}, "
                                "relevé à nouveau",
                            )
                        )
                        plants_repeat = False  # one planted repeat per collectivity
                history += found
                by_year[year]["missions"].append(mission)
                by_year[year]["findings"] += found
                for finding in found:
                    recs, trail = recommendations(unit, finding, seed, discipline)
                    by_year[year]["recommendations"] += recs
                    events += trail

    written = dict.fromkeys(
        ("audit_cells", "missions", "findings", "recommendations", "recommendation_events"), 0
    )
    if cells:
        _write(
            inbox / "audit_cells" / "cellules_audit.csv",
            CELL_COLUMNS,
            [
                c
                | {
                    k: _day(c[k]) if c[k] else None
                    for k in ("date_creation", "date_adoption_charte")
                }
                for c in cells
            ],
        )
        written["audit_cells"] = 1
    dated = ("date_debut_prevue", "date_fin_prevue", "date_debut_reelle", "date_fin_reelle")
    for year, content in by_year.items():
        if content["missions"]:
            _write(
                inbox / "missions" / f"missions_{year}.csv",
                MISSION_COLUMNS,
                [m | {k: _day(m[k]) if m[k] else None for k in dated} for m in content["missions"]],
            )
            written["missions"] += 1
        if content["findings"]:
            _write(
                inbox / "findings" / f"constats_{year}.csv",
                FINDING_COLUMNS,
                [
                    f
                    | {
                        "impact_financier": _amount(f["impact_financier"]),
                        "date_constat": f["date_constat"].isoformat(),
                    }
                    for f in content["findings"]
                ],
            )
            written["findings"] += 1
        if content["recommendations"]:
            _write(
                inbox / "recommendations" / f"recommandations_{year}.csv",
                RECOMMENDATION_COLUMNS,
                [
                    r
                    | {
                        "date_emission": _day(r["date_emission"]),
                        "date_echeance": _day(r["date_echeance"]),
                    }
                    for r in content["recommendations"]
                ],
            )
            written["recommendations"] += 1
    for year in sorted({e["date_evenement"].year for e in events}):
        rows = sorted(
            (e for e in events if e["date_evenement"].year == year),
            key=lambda e: (e["date_evenement"], e["reference_recommandation"]),
        )
        _write(
            inbox / "recommendation_events" / f"suivi_{year}.csv",
            EVENT_COLUMNS,
            [e | {"date_evenement": e["date_evenement"].isoformat()} for e in rows],
        )
        written["recommendation_events"] += 1
    return written
