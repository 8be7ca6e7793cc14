"""Bands, sub-scores, domain scores, composite, likelihood, impact, inherent and residual risk,
ranks within the level and their Monte-Carlo intervals (docs/methodology.md §2–§5), from the
oracle's indicator values and the seed tables read as data.
"""

from __future__ import annotations

import math
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from statistics import median

from .indicators import parameters, peer_group, read_seed


def band_of(value: float, row: dict[str, str]) -> str:
    green, red = float(row["green_threshold"]), float(row["red_threshold"])
    green_in, red_in = row["green_inclusive"] == "true", row["red_inclusive"] == "true"
    if row["direction"] == "higher_better":
        if value > green or (green_in and value == green):
            return "green"
        if value < red or (red_in and value == red):
            return "red"
        return "amber"
    if value < green or (green_in and value == green):
        return "green"
    if value > red or (red_in and value == red):
        return "red"
    return "amber"


def sub_score(value: float, band: str, row: dict[str, str], bands: dict) -> float:
    """Linear within the band's own interval, on the value oriented so that higher is
    riskier, capped at the best and worst anchors."""
    sign = -1.0 if row["direction"] == "higher_better" else 1.0
    v = sign * value
    best, green, red, worst = (
        sign * float(row[k])
        for k in ("best_value", "green_threshold", "red_threshold", "worst_value")
    )
    low, high = bands[band]
    start, end = {"green": (best, green), "amber": (green, red), "red": (red, worst)}[band]
    if end <= start:
        return low if band != "red" else high
    share = min(max((v - start) / (end - start), 0.0), 1.0)
    return low + (high - low) * share


def likelihood_of(score: float | None, likelihood_bands: list[tuple[float, int]]) -> int | None:
    if score is None:
        return None
    return max(level for floor, level in likelihood_bands if score >= floor)


def _round4(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def percent_ranks(values: dict[str, float]) -> dict[str, float]:
    """(rank − 1) / (n − 1), ties sharing their lowest rank; 0 for a single member."""
    n = len(values)
    return {
        k: (sum(1 for w in values.values() if w < v) / (n - 1) if n > 1 else 0.0)
        for k, v in values.items()
    }


def ntile(ordered: list[str], buckets: int) -> dict[str, int]:
    size, extra = divmod(len(ordered), buckets)
    out, position = {}, 0
    for bucket in range(1, buckets + 1):
        take = size + (1 if bucket <= extra else 0)
        for code in ordered[position : position + take]:
            out[code] = bucket
        position += take
    return out


def percentile_disc(values: list[int], q: Fraction) -> int:
    """The first value whose cumulative share reaches q."""
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered)), 1) - 1]


def score(values: dict[tuple, dict], units: dict[str, dict], seeds: Path) -> dict:
    catalogue = [r for r in read_seed(seeds, "indicator_catalogue") if r["is_active"] == "true"]
    bands = {
        r["band"]: (float(r["min_sub_score"]), float(r["max_sub_score"]))
        for r in read_seed(seeds, "sub_score_bands")
    }
    domains = {
        r["domain_code"]: float(r["likelihood_weight"]) for r in read_seed(seeds, "risk_domains")
    }
    ranking = parameters(seeds, "ranking_parameters")
    red_flags = read_seed(seeds, "red_flag_rules")
    likelihood_bands = [
        (float(r["min_composite_score"]), int(r["likelihood"]))
        for r in read_seed(seeds, "likelihood_bands")
    ]
    impact_weights = {
        r["impact_factor"]: float(r["weight"]) for r in read_seed(seeds, "impact_factors")
    }
    classes = [
        (int(r["min_inherent_risk"]), int(r["max_inherent_risk"]), r["risk_class"])
        for r in read_seed(seeds, "risk_classes")
    ]
    reductions = [
        (float(r["min_ic_maturity"]), int(r["likelihood_reduction"]))
        for r in read_seed(seeds, "residual_adjustments")
    ]
    perturbations: dict[int, dict[str, float]] = defaultdict(dict)
    for r in read_seed(seeds, "weight_perturbations"):
        perturbations[int(r["simulation_id"])][r["domain_code"]] = float(r["weight_multiplier"])

    def risk_class(inherent: int | None) -> str | None:
        if inherent is None:
            return None
        return next((c for lo, hi, c in classes if lo <= inherent <= hi), None)

    # --- indicators: band and sub-score
    indicators: dict[tuple, dict] = {}
    for (org, year), by_code in values.items():
        for row in catalogue:
            code = row["indicator_code"]
            value, declared = by_code.get(code, (None, None))
            band = band_of(value, row) if value is not None else None
            indicators[(org, year, code)] = {
                "value": value,
                "declared_value": declared,
                "has_data": value is not None,
                "band": band,
                "sub_score": sub_score(value, band, row, bands) if band else None,
            }

    # --- domains: weighted mean, coverage, insufficient data, red flags
    expected = defaultdict(list)
    for row in catalogue:
        expected[row["domain_code"]].append(row)
    domain: dict[tuple, dict] = {}
    for org, year in values:
        for code in domains:
            members = expected.get(code, [])
            available = [
                (
                    indicators[(org, year, r["indicator_code"])]["sub_score"],
                    float(r["weight_in_domain"]),
                )
                for r in members
                if indicators[(org, year, r["indicator_code"])]["has_data"]
            ]
            weights = sum(w for _, w in available)
            computed = sum(s * w for s, w in available) / weights if weights else None
            coverage = len(available) / len(members) if members else None
            domain[(org, year, code)] = {
                "computed_score": computed,
                "coverage_ratio": coverage,
                "is_insufficient_data": bool(members)
                and coverage < ranking["insufficient_coverage"],
                "indicators_available": len(available),
            }
    # --- red flags (§3.1): a rule fires when its measure, a count or an indicator's value,
    # reaches min_value
    raised: dict[tuple, float] = {}
    for org, year in values:
        counts = values[(org, year)]["_counts"]
        for rule in red_flags:
            measure = rule["measure_code"]
            if measure in counts:
                value = counts[measure]
            else:
                value = indicators.get((org, year, measure), {}).get("value")
            if value is not None and value >= float(rule["min_value"]):
                raised[(org, year, rule["red_flag_code"])] = float(value)

    pools: dict[tuple, list[float]] = defaultdict(list)
    for (org, year, code), d in domain.items():
        if not d["is_insufficient_data"] and d["computed_score"] is not None:
            pools[(year, code, peer_group(units[org]))].append(d["computed_score"])
            pools[(year, code, None)].append(d["computed_score"])
    for (org, year, code), d in domain.items():
        if d["is_insufficient_data"]:
            pool = pools.get((year, code, peer_group(units[org]))) or pools.get((year, code, None))
            before = (
                min(median(pool) + ranking["insufficient_data_penalty"], 100.0) if pool else None
            )
        else:
            before = d["computed_score"]
        fired = [
            r
            for r in red_flags
            if r["domain_code"] == code and (org, year, r["red_flag_code"]) in raised
        ]
        if fired:
            floor = max(float(r["domain_score_floor"]) for r in fired)
            before = max(before or 0.0, floor)
        d["domain_score"] = before
        d["has_red_flag"] = bool(fired)
        d["domain_likelihood"] = likelihood_of(before, likelihood_bands)

    # --- impact: quintiles of materiality within (year, level)
    risk: dict[tuple, dict] = {}
    by_level: dict[tuple, list[str]] = defaultdict(list)
    for org, year in values:
        by_level[(year, units[org]["level"])].append(org)
    for (year, _level), members in by_level.items():
        ranks = {
            factor: percent_ranks({m: float(values[(m, year)]["_impact"][factor]) for m in members})
            for factor in impact_weights
        }
        materiality = {
            m: 100.0
            * sum(ranks[f][m] * w for f, w in impact_weights.items())
            / sum(impact_weights.values())
            for m in members
        }
        quintile = ntile(sorted(members, key=lambda m: (materiality[m], m)), 5)
        for m in members:
            risk[(m, year)] = {"materiality_score": materiality[m], "impact": quintile[m]}

    def composite(org: str, year: int, multipliers: dict[str, float]) -> float | None:
        scored = [
            (domain[(org, year, c)]["domain_score"], w * multipliers.get(c, 1.0))
            for c, w in domains.items()
            if domain[(org, year, c)]["domain_score"] is not None
        ]
        weights = sum(w for _, w in scored)
        return sum(s * w for s, w in scored) / weights if weights else None

    def risk_score(org: str, year: int, composite_score: float | None) -> Decimal | None:
        """(1 + 4·composite/100) × (1 + 4·materiality/100), each factor's score taken to
        4 decimals and the product rounded to 4, half away from zero (methodology §5)."""
        if composite_score is None:
            return None
        c = _round4(composite_score)
        m = _round4(risk[(org, year)]["materiality_score"])
        return _round4((1 + 4 * c / 100) * (1 + 4 * m / 100))

    def level_ranks(year: int, members: list[str], composites: dict[str, float | None]):
        scores = {m: risk_score(m, year, composites[m]) for m in members}

        def key(m: str):
            r, c = scores[m], composites[m]
            return (r is None, -(r or 0), c is None, -(c or 0.0), m)

        return {m: rank for rank, m in enumerate(sorted(members, key=key), start=1)}

    for (year, level), members in by_level.items():
        published = {m: composite(m, year, {}) for m in members}
        ranks = level_ranks(year, members, published)
        simulated: dict[str, list[int]] = defaultdict(list)
        for multipliers in perturbations.values():
            for m, r in level_ranks(
                year, members, {m: composite(m, year, multipliers) for m in members}
            ).items():
                simulated[m].append(r)
        territorial = level != "arrondissement"
        for m in members:
            entry = risk[(m, year)]
            likelihood = likelihood_of(published[m], likelihood_bands)
            inherent = None if likelihood is None else likelihood * entry["impact"]
            ic1 = values[(m, year)].get("IC1", (None, None))[0]
            reduction = max((s for lo, s in reductions if ic1 is not None and ic1 >= lo), default=0)
            residual_l = None if likelihood is None else max(likelihood - reduction, 1)
            residual = None if residual_l is None else residual_l * entry["impact"]
            p05 = percentile_disc(simulated[m], Fraction(5, 100)) if territorial else None
            p95 = percentile_disc(simulated[m], Fraction(95, 100)) if territorial else None
            entry |= {
                "level": level,
                "composite_score": published[m],
                "domains_covered": sum(
                    domain[(m, year, c)]["domain_score"] is not None for c in domains
                ),
                "likelihood": likelihood,
                "inherent_risk": inherent,
                "risk_class": risk_class(inherent),
                "ic_maturity_score": ic1,
                "residual_likelihood": residual_l,
                "residual_risk": residual,
                "residual_risk_class": risk_class(residual),
                "level_rank": ranks[m],
                "national_rank": ranks[m] if territorial else None,
                "ranked_in_level": len(members),
                "rank_p05": p05,
                "rank_p95": p95,
                "risk_score": risk_score(m, year, published[m]),
            }
    for (org, year, _code), d in domain.items():
        impact = risk[(org, year)]["impact"]
        d["impact"] = impact
        d["domain_inherent_risk"] = (
            None if d["domain_likelihood"] is None else d["domain_likelihood"] * impact
        )
    return {"indicators": indicators, "domains": domain, "risk": risk, "red_flags": raised}
