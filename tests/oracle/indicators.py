"""The indicators, per collectivity and fiscal year, from the raw rows (``raw.read_inbox``)
and the methodology's parameter tables, read as data from the seed CSV files.

Written from ``docs/methodology.md`` §1 and §8 and ``../shared/domain/indicators.csv``, with
the oracle's own readings where the text leaves a choice (each said where it is made).
Missing data stays missing: a sum over no value is ``None``, a ratio with a missing or zero
denominator is ``None``.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from statistics import median


def read_seed(seeds: Path, name: str) -> list[dict[str, str]]:
    with (seeds / f"{name}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def parameters(seeds: Path, name: str) -> dict[str, float]:
    return {row["parameter"]: float(row["value"]) for row in read_seed(seeds, name)}


def total(values: Iterable) -> Decimal | None:
    """SQL-like sum: None when there is no value at all, never a silent zero."""
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def ratio(numerator, denominator) -> float | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return float(numerator) / float(denominator)


def minus(a, b):
    return None if a is None or b is None else a - b


def scored_universe(budget: list[dict], minimum: int) -> dict[int, set[str]]:
    """Fiscal year → collectivities with a budget execution, for years where at least
    ``minimum`` collectivities sent theirs (methodology §5: one stray file makes no year)."""
    by_year: dict[int, set[str]] = defaultdict(set)
    for row in budget:
        by_year[row["exercice"]].add(row["code_collectivite"])
    return {year: codes for year, codes in by_year.items() if len(codes) >= minimum}


def peer_group(unit: dict) -> str:
    """Communes: urban/rural × population class; every other level is its own group."""
    if unit["level"] != "commune":
        return unit["level"]
    population = unit["population"] or 0
    size = (
        "lt5k"
        if population < 5000
        else "5k_20k"
        if population < 20000
        else "20k_100k"
        if population < 100000
        else "gt100k"
    )
    return ("urban" if unit["is_urban"] else "rural") + "_" + size


def invoice_key(reference: str | None) -> str:
    return re.sub(r"[^A-Z0-9]", "", (reference or "").upper())


def finances(budget: list[dict], nomenclature: dict[str, dict]) -> dict[tuple, dict]:
    """Budget aggregates per (collectivity, year), through the nomenclature seed."""
    lines: dict[tuple, list[tuple[dict, dict]]] = defaultdict(list)
    for row in budget:
        line = nomenclature.get(row["code_ligne"])
        if line is not None:
            lines[(row["code_collectivite"], row["exercice"])].append((row, line))
    out = {}
    for key, items in lines.items():

        def pick(column: str, where) -> Decimal | None:
            return total(r[column] for r, n in items if where(n))  # noqa: B023

        out[key] = {
            "op_revenue": pick(
                "recouvrements",
                lambda n: n["budget_part"] == "1" and n["flow_nature"] == "revenue",
            ),
            "op_spend": pick(
                "paiements", lambda n: n["budget_part"] == "1" and n["flow_nature"] == "expense"
            ),
            "transferred": pick(
                "recouvrements",
                lambda n: n["budget_part"] == "1" and n["revenue_class"] == "transferred",
            ),
            "own": pick("recouvrements", lambda n: n["revenue_class"] == "own"),
            # State-managed (TP, TH, TSC) and commune-managed taxes and fees: RM1, RM2 (§8)
            "tax_assessed": pick(
                "emissions", lambda n: n["revenue_class"] in ("own", "state_managed")
            ),
            "tax_collected": pick(
                "recouvrements", lambda n: n["revenue_class"] in ("own", "state_managed")
            ),
            "personnel": pick("paiements", lambda n: n["economic_category"] == "personnel"),
            "delegated": pick(
                "paiements", lambda n: n["economic_category"] == "delegated_services"
            ),
            "equipment_credit": pick(
                "credits_definitifs", lambda n: n["economic_category"] == "investment"
            ),
            "equipment_paid": pick("paiements", lambda n: n["economic_category"] == "investment"),
            "total_spend": pick("paiements", lambda n: n["flow_nature"] == "expense"),
            "committed": pick("engagements", lambda n: n["flow_nature"] == "expense"),
        }
    return out


def arrears(rows: list[dict]) -> dict[tuple, dict]:
    out: dict[tuple, dict] = defaultdict(lambda: {"total": Decimal(0), "old": Decimal(0)})
    for row in rows:
        entry = out[(row["code_collectivite"], row["exercice"])]
        entry["total"] += row["reste_a_recouvrer"]
        # assessed four or more years before the close
        if row["exercice"] - row["annee_emission"] >= 4:
            entry["old"] += row["reste_a_recouvrer"]
    return dict(out)


def debt(rows: list[dict]) -> dict[tuple, dict]:
    out: dict[tuple, dict] = defaultdict(lambda: {"outstanding": Decimal(0), "service": Decimal(0)})
    for row in rows:
        entry = out[(row["code_collectivite"], row["exercice"])]
        entry["outstanding"] += row["encours_fin_exercice"]
        entry["service"] += row["interets_payes"] + row["principal_rembourse"]
    return dict(out)


def payroll(rows: list[dict]) -> dict[tuple, dict]:
    """Headcount, agents with at least one anomaly (a CIN or RIB shared with another agent,
    no posting in a month, pay for a month after the month of exit), and each kind counted on
    its own (the count-based red flags, methodology §3.1)."""
    agents: dict[tuple, dict[str, dict]] = defaultdict(dict)
    for row in rows:
        agent = agents[(row["code_collectivite"], row["exercice"])].setdefault(
            row["id_agent"], {"cin": set(), "rib": set(), "no_posting": False, "after_exit": False}
        )
        agent["cin"].add(row["cin_hash"])
        agent["rib"].add(row["rib_hash"])
        if row["affectation"] is None:
            agent["no_posting"] = True
        exit_date = row["date_cessation"]
        if exit_date is not None and (row["exercice"], row["mois"]) > (
            exit_date.year,
            exit_date.month,
        ):
            agent["after_exit"] = True
    out = {}
    for key, members in agents.items():
        holders: dict[tuple[str, str], set[str]] = defaultdict(set)
        for agent_id, agent in members.items():
            for kind in ("cin", "rib"):
                for value in agent[kind]:
                    holders[(kind, value)].add(agent_id)

        def shares(agent: dict, kind: str, holders: dict = holders) -> bool:
            return any(len(holders[(kind, value)]) > 1 for value in agent[kind])

        kinds = {
            "agents_sharing_cin": {a for a, agent in members.items() if shares(agent, "cin")},
            "agents_sharing_rib": {a for a, agent in members.items() if shares(agent, "rib")},
            "agents_without_posting": {a for a, agent in members.items() if agent["no_posting"]},
            "agents_paid_after_exit": {a for a, agent in members.items() if agent["after_exit"]},
        }
        out[key] = {
            "headcount": len(members),
            "anomalous": len(set().union(*kinds.values())),
        } | {kind: len(agents_) for kind, agents_ in kinds.items()}
    return out


def procurement(rows: list[dict], params: dict[str, float]) -> dict[tuple, dict]:
    ceiling = Decimal(str(params["purchase_order_ceiling"]))
    window = dt.timedelta(days=params["split_window_days"])
    amount_share = Decimal(str(params["drift_amount_share"]))
    delay_share = Decimal(str(params["drift_delay_share"]))
    by_key: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        by_key[(row["code_collectivite"], row["exercice"])].append(row)
    out = {}
    for key, items in by_key.items():
        orders = [r for r in items if r["type_procedure"] == "bon_commande"]
        contracts = [r for r in items if r["type_procedure"] != "bon_commande"]
        competitive = [
            r
            for r in items
            if r["type_procedure"] in ("appel_offres_ouvert", "appel_offres_restreint")
        ]
        # split purchases: orders under the ceiling of one supplier within a 30-day window
        # (from an order's date, that day included, 30 days) adding up to more than it
        small = [r for r in orders if r["montant_attribue"] < ceiling]
        split: set[str] = set()
        for start in small:
            members = [
                r
                for r in small
                if r["fournisseur_ice"] == start["fournisseur_ice"]
                and start["date_attribution"]
                <= r["date_attribution"]
                < start["date_attribution"] + window
            ]
            if sum(r["montant_attribue"] for r in members) > ceiling:
                split |= {r["reference"] for r in members}

        def drifted(r: dict) -> bool:
            over_amount = r["montant_final"] is not None and r["montant_final"] > r[
                "montant_attribue"
            ] * (1 + amount_share)
            over_delay = (
                r["delai_reel_jours"] is not None
                and r["delai_prevu_jours"] is not None
                and r["delai_reel_jours"] > r["delai_prevu_jours"] * (1 + delay_share)
            )
            return over_amount or over_delay

        out[key] = {
            "orders": sum((r["montant_attribue"] for r in orders), Decimal(0)),
            "contracts": sum((r["montant_attribue"] for r in contracts), Decimal(0)),
            "split_orders": sum(1 for r in orders if r["reference"] in split),
            "split": sum(
                (r["montant_attribue"] for r in orders if r["reference"] in split), Decimal(0)
            ),
            "competitive": len(competitive),
            "single_bid": sum(1 for r in competitive if r["nb_offres"] == 1),
            "negotiated": sum(
                (r["montant_attribue"] for r in items if r["type_procedure"] == "negocie"),
                Decimal(0),
            ),
            "contract_count": len(contracts),
            "drifted": sum(1 for r in contracts if drifted(r)),
        }
    return out


def benford_excess_mad(amounts: list[Decimal], expected: dict[int, float]) -> tuple[int, float]:
    """The excess MAD (methodology §3.1, Barney & Schulzke 2016) of the first digits of the
    amounts of 1 MAD or more: Nigrini's mean absolute deviation of the digit shares from
    Benford's, minus the MAD expected of a Benford sample of the same size n,
    (1/9) Σ sqrt(2 p (1 − p) / (π n))."""
    digits = [int(str(int(a))[0]) for a in amounts if a >= 1]
    n = len(digits)
    if n == 0:
        return 0, math.nan
    counts = {d: digits.count(d) for d in range(1, 10)}
    mad = sum(abs(counts[d] / n - expected[d]) for d in range(1, 10)) / 9
    chance = sum(math.sqrt(2 * p * (1 - p) / (math.pi * n)) for p in expected.values()) / 9
    return n, mad - chance


def payments(
    rows: list[dict], params: dict[str, float], expected: dict[int, float]
) -> dict[tuple, dict]:
    """SE5, PR5, IC2, IC3, IC4 ingredients. Visaed orders only, except for IC2's count of
    rejections. A duplicate pair may straddle the year end: same collectivity, supplier,
    amount and normalised invoice reference (upper-cased, letters and digits only, not empty),
    dates at most 90 days apart."""
    window = dt.timedelta(days=params["duplicate_window_days"])
    minimum = params["benford_min_payments"]
    visaed_by_org: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        if row["statut"] == "vise":
            visaed_by_org[row["code_collectivite"]].append(row)
    duplicates: set[tuple] = set()
    for org, items in visaed_by_org.items():
        groups: dict[tuple, list[dict]] = defaultdict(list)
        for r in items:
            k = invoice_key(r["reference_facture"])
            if k:
                groups[(r["fournisseur_ice"], r["montant"], k)].append(r)
        for members in groups.values():
            for a in members:
                for b in members:
                    if a is not b and abs(a["date_mandat"] - b["date_mandat"]) <= window:
                        duplicates.add((org, a["exercice"], a["numero_mandat"]))
    by_key: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        by_key[(row["code_collectivite"], row["exercice"])].append(row)
    out = {}
    for key, items in by_key.items():
        visaed = [r for r in items if r["statut"] == "vise"]
        per_supplier: dict[str, Decimal] = defaultdict(Decimal)
        for r in visaed:
            per_supplier[r["fournisseur_ice"]] += r["montant"]
        n, mad = benford_excess_mad([r["montant"] for r in visaed], expected)
        out[key] = {
            "orders": len(items),
            "rejected": sum(1 for r in items if r["statut"] == "rejete"),
            "paid": sum((r["montant"] for r in visaed), Decimal(0)),
            "december": sum(
                (r["montant"] for r in visaed if r["date_mandat"].month == 12), Decimal(0)
            ),
            "top3": sum(sorted(per_supplier.values(), reverse=True)[:3], Decimal(0)),
            "visaed": len(visaed),
            "duplicates": sum(
                1 for r in visaed if (key[0], key[1], r["numero_mandat"]) in duplicates
            ),
            "benford": mad if n >= minimum else None,
        }
    return out


def surpluses(rows: list[dict]) -> dict[tuple, Decimal]:
    """FS5's numerator: the available surplus at the close, every budget of the statement."""
    out: dict[tuple, Decimal] = defaultdict(Decimal)
    for row in rows:
        out[(row["code_collectivite"], row["exercice"])] += row["excedent_disponible"]
    return dict(out)


def permits(rows: list[dict], kinds: dict[str, dict]) -> dict[tuple, dict]:
    """RM6: building and subdivision permits (the kinds that carry the tax, seed
    urbanism_permit_kinds) issued in the year, and those without a tax receipt reference."""
    out: dict[tuple, dict] = defaultdict(lambda: {"taxed": 0, "without_receipt": 0})
    for row in rows:
        entry = out[(row["code_collectivite"], row["exercice"])]
        if kinds[row["type_autorisation"]]["is_taxed"] == "true":
            entry["taxed"] += 1
            entry["without_receipt"] += row["reference_quittance"] is None
    return dict(out)


def ic_maturity(rows: list[dict]) -> dict[tuple, float]:
    """(collectivity, campaign) → mean of the five COSO components' mean scores."""
    scores: dict[tuple, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        scores[(row["code_collectivite"], row["exercice"])][row["composante"]].append(row["score"])
    return {
        key: sum(sum(v) / len(v) for v in components.values()) / len(components)
        for key, components in scores.items()
    }


def status_at(events: list[dict], when: dt.date, precedence: dict[str, int]) -> str:
    """The last dated status on or before `when` (same day: the seed's precedence)."""
    past = [e for e in events if e["date_evenement"] <= when]
    if not past:
        return "non_demarree"
    return max(past, key=lambda e: (e["date_evenement"], precedence[e["statut"]]))["statut"]


def follow_up(
    org: str,
    year: int,
    recommendations: list[dict],
    events: dict[str, list[dict]],
    missions: list[dict],
    findings: list[dict],
    statuses: dict[str, dict],
    mission_statuses: dict[str, dict],
    severe: set[int],
) -> dict:
    """AF1–AF5 ingredients as of 31 December of the fiscal year (§8)."""
    year_end = dt.date(year, 12, 31)
    a_year_before = dt.date(year - 1, 12, 31)
    precedence = {code: int(s["same_day_precedence"]) for code, s in statuses.items()}
    due = verified = declared = open_ = overdue = 0
    for reco in recommendations:
        if reco["code_collectivite"] != org or reco["date_emission"] > year_end:
            continue
        status = statuses[
            status_at(events.get(reco["reference_recommandation"], []), year_end, precedence)
        ]
        if reco["date_echeance"] <= year_end and status["counts_as_due"] == "true":
            due += 1
            verified += status["is_verified"] == "true"
            declared += status["is_implemented"] == "true"
        if status["is_open"] == "true":
            open_ += 1
            overdue += reco["date_echeance"] < a_year_before
    own = [m for m in missions if m["code_collectivite"] == org]
    programme = [m for m in own if m["annee_programme"] == year and m["auditeur"] != "CRC"]
    done_years = [
        m["date_fin_reelle"].year
        for m in own
        if mission_statuses[m["statut"]]["is_done"] == "true"
        and m["date_fin_reelle"] is not None
        and m["date_fin_reelle"] <= year_end
    ]
    return {
        "due": due,
        "verified": verified,
        "declared": declared,
        "open": open_,
        "overdue": overdue,
        "has_missions": bool(own),
        "planned": len(programme),
        "done": sum(mission_statuses[m["statut"]]["is_done"] == "true" for m in programme),
        "severe": sum(
            1
            for f in findings
            if f["code_collectivite"] == org
            and f["criticite"] in severe
            and year - 2 <= f["date_constat"].year <= year
        ),
        "years_since_audit": year - max(done_years) if done_years else None,
    }


def compute(rows: dict[str, list[dict]], units: dict[str, dict], seeds: Path) -> dict:
    """{(collectivity, year): {indicator: (value, declared value or None)}} for the scored
    collectivity-years, and the aggregates the impact needs."""
    nomenclature = {r["budget_line_code"]: r for r in read_seed(seeds, "budget_nomenclature")}
    params = parameters(seeds, "indicator_parameters")
    ranking = parameters(seeds, "ranking_parameters")
    expected = {
        int(r["first_digit"]): float(r["expected_share"])
        for r in read_seed(seeds, "benford_first_digits")
    }
    statuses = {r["recommendation_status"]: r for r in read_seed(seeds, "recommendation_statuses")}
    mission_statuses = {r["mission_status_code"]: r for r in read_seed(seeds, "mission_statuses")}
    severe = {
        int(r["criticality"])
        for r in read_seed(seeds, "finding_severities")
        if r["is_severe"] == "true"
    }

    universe = scored_universe(
        rows["budget_execution"], int(ranking["min_collectivities_per_scored_year"])
    )
    fin = finances(rows["budget_execution"], nomenclature)
    arr = arrears(rows["revenue_arrears"])
    dbt_ = debt(rows["debt"])
    pay = payroll(rows["payroll"])
    proc = procurement(rows["procurement"], params)
    pmt = payments(rows["payments"], params, expected)
    campaigns = ic_maturity(rows["ic_diagnostic"])
    surplus = surpluses(rows["available_surpluses"])
    permit = permits(
        rows["urbanism_permits"],
        {r["permit_kind"]: r for r in read_seed(seeds, "urbanism_permit_kinds")},
    )
    events: dict[str, list[dict]] = defaultdict(list)
    for e in rows["recommendation_events"]:
        events[e["reference_recommandation"]].append(e)

    # per-inhabitant ratios and their peer-group medians (RM4, HR2)
    per_head: dict[tuple, dict] = {}
    for year, codes in universe.items():
        for org in codes:
            population = units[org]["population"]
            f = fin.get((org, year), {})
            own = f.get("own")
            staff = pay.get((org, year), {}).get("headcount")
            per_head[(org, year)] = {
                "own": float(own) / population if own is not None and population else None,
                "staff": 1000 * staff / population if staff is not None and population else None,
            }
    medians: dict[tuple, dict] = {}
    for year, codes in universe.items():
        groups: dict[str, list[str]] = defaultdict(list)
        for org in codes:
            groups[peer_group(units[org])].append(org)
        for group, members in groups.items():
            for measure in ("own", "staff"):
                values = [per_head[(m, year)][measure] for m in members]
                values = [v for v in values if v is not None]
                medians[(group, year, measure)] = median(values) if values else None

    out: dict[tuple, dict] = {}
    for year, codes in universe.items():
        for org in codes:
            key = (org, year)
            f = fin[key]
            a = arr.get(key, {})
            d = dbt_.get(key, {"outstanding": Decimal(0), "service": Decimal(0)})  # complete book
            p = pay.get(key, {})
            pr = proc.get(key, {})
            pm = pmt.get(key, {})
            group = peer_group(units[org])
            savings = minus(f["op_revenue"], f["op_spend"])
            if d["outstanding"] == 0:
                fs3 = 0.0
            elif savings is not None and savings <= 0:
                fs3 = 99.0
            else:
                fs3 = ratio(d["outstanding"], savings)
            campaign = max((c for (o, c) in campaigns if o == org and c <= year), default=None)
            fu = follow_up(
                org,
                year,
                rows["recommendations"],
                events,
                rows["missions"],
                rows["findings"],
                statuses,
                mission_statuses,
                severe,
            )
            values = {
                "FS1": ratio(savings, f["op_revenue"]),
                "FS2": ratio(f["transferred"], f["op_revenue"]),
                "FS3": fs3,
                "FS4": ratio(d["service"], f["op_revenue"]),
                "FS5": ratio(surplus.get(key), f["total_spend"]),
                "RM1": ratio(f["tax_collected"], f["tax_assessed"]),
                "RM2": ratio(a.get("total"), f["tax_collected"]),
                "RM3": ratio(a.get("old"), a.get("total")),
                "RM4": ratio(per_head[key]["own"], medians[(group, year, "own")]),
                "RM6": ratio(
                    permit.get(key, {}).get("without_receipt"), permit.get(key, {}).get("taxed")
                ),
                "SE2": ratio(f["equipment_paid"], f["equipment_credit"]),
                "SE3": ratio(f["equipment_paid"], f["total_spend"]),
                "SE4": ratio(minus(f["committed"], f["total_spend"]), f["total_spend"]),
                "SE5": ratio(pm.get("december"), pm.get("paid")),
                "PR1": ratio(
                    pr.get("orders"),
                    None if not pr else pr["orders"] + pr["contracts"],
                ),
                "PR2": ratio(pr.get("split"), pr.get("orders")),
                "PR3": ratio(pr.get("single_bid"), pr.get("competitive")),
                "PR4": ratio(pr.get("negotiated"), pr.get("contracts")),
                "PR5": ratio(pm.get("top3"), pm.get("paid")),
                "PR6": ratio(pr.get("drifted"), pr.get("contract_count")),
                "HR1": ratio(f["personnel"], f["op_spend"]),
                "HR2": ratio(per_head[key]["staff"], medians[(group, year, "staff")]),
                "HR3": ratio(p.get("anomalous"), p.get("headcount")),
                "IC1": campaigns[(org, campaign)] if campaign is not None else None,
                "IC2": ratio(pm.get("rejected"), pm.get("orders")),
                "IC3": pm.get("benford"),
                "IC4": ratio(pm.get("duplicates"), pm.get("visaed")),
                "AF1": ratio(fu["verified"], fu["due"]),
                "AF2": ratio(fu["overdue"], fu["open"]),
                "AF3": ratio(fu["done"], fu["planned"]),
                # AF4: a count, known once the collectivity has an audit history
                "AF4": float(fu["severe"]) if fu["has_missions"] else None,
                "AF5": None if fu["years_since_audit"] is None else float(fu["years_since_audit"]),
            }
            declared = {"AF1": ratio(fu["declared"], fu["due"])}
            # the counts the red flags are raised on (methodology §3.1); none without the source
            counts = {
                kind: p.get(kind)
                for kind in (
                    "agents_sharing_cin",
                    "agents_sharing_rib",
                    "agents_without_posting",
                    "agents_paid_after_exit",
                )
            } | {
                "duplicate_orders": pm.get("duplicates"),
                "suspected_split_orders": pr.get("split_orders"),
                "permits_without_tax_receipt": permit.get(key, {}).get("without_receipt"),
            }
            out[key] = {code: (value, declared.get(code)) for code, value in values.items()} | {
                "_counts": counts,
                "_impact": {
                    "total_spending": f["total_spend"] or 0,
                    "population": units[org]["population"] or 0,
                    "equipment_volume": (f["equipment_paid"] or 0)
                    + pr.get("orders", 0)
                    + pr.get("contracts", 0),
                    "delegated_services": f["delegated"] or 0,
                    "arrears_stock": a.get("total", 0),
                },
            }
    return out
