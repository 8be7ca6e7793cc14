"""Deterministic synthetic operational exports: debt, payroll, procurement, payments, IC diagnostic.

The companion of ``tadqiq.synthetic`` (budget execution and revenue arrears): the same
collectivities, the same seed, the same profile. Every figure of a collectivity comes from
``rng_for(seed, code_digits, year, <source>)`` (``year = 0`` for what is stable across years, such
as its suppliers, its loans or its internal-control maturity), so a collectivity gets the same
files whatever the scope. Volumes follow its budget (``budget_rows``):

* debt — borrowers only (``Profile.borrows``): 1–3 loans, mostly FEC; interest and principal add
  up to the budget's lines 1.50.50 and 2.20.30, outstanding = interest / rate;
* payroll — **the last fiscal year only** (payroll arrives for the current year; one row per
  agent × month, it is by far the largest file): headcount ≈ personnel / (12 × the mean monthly
  gross of the grade mix, ~7,000 MAD in a commune), gross pay scaled so that the year's mass
  equals the budget's personnel line 1.50.10;
* procurement — equipment paid (2.20.x) + half of "other goods and services" (1.50.40), split
  into purchase orders (bons de commande, < 500,000 MAD) and tenders/negotiated contracts;
* payments — one mandat per invoice on the expense lines other than personnel, amounts
  log-uniform over four decades (so Benford's law holds) scaled to the lines' spending,
  December concentration varying by collectivity, ~2 % rejected by the accountant;
* IC diagnostic — the COSO questionnaire (34 questions, 2 per principle) of the last two fiscal
  years, for the collectivities of rollout phases 1–2 (the self-assessment campaign is part of
  the rollout; phase 3 has not run it yet), whatever their audit cell.

Planted anomalies (ground truth appended to ``truth``): payroll HR3 (duplicate CIN or RIB,
agent without posting, pay after exit) in ~15 % of collectivities, PR2 split-purchase clusters
and IC4 duplicate payments in ~10 % of collectivity-years, non-Benford payments in ~8 % of the
collectivity-years with at least 300 mandats.

Formats vary as real exports do: ``;``, UTF-8 with BOM, CRLF everywhere; amounts with a decimal
comma, with thousands spaces in debt and procurement, without in payroll and payments; dates
``dd/mm/yyyy`` except payroll (ISO).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import re
from pathlib import Path

import numpy as np
import polars as pl

from ingestion import contracts
from tadqiq.synthetic.finance import budget_rows
from tadqiq.synthetic.profiles import ROLLOUT_SEED, french_amount, profile_of, rng_for

TODAY = dt.date(2026, 11, 27)  # the platform's "today" for what has happened yet

# Source-specific stream numbers for rng_for(seed, code_digits, year, <stream>)
DEBT_STREAM, PAYROLL_STREAM, PROCUREMENT_STREAM, PAYMENTS_STREAM, IC_STREAM = 2, 3, 4, 5, 6
SUPPLIER_STREAM = 7  # the collectivity's suppliers, shared by procurement and payments

BC_THRESHOLD = 500_000.0  # purchase orders up to 500,000 MAD (décret 2-22-431 art. 91)
HR3_RATE, PR2_RATE, IC4_RATE, BENFORD_RATE = 0.15, 0.10, 0.10, 0.08
BENFORD_MIN_PAYMENTS = 300  # IC3 is computed from 300 mandats on

DEBT_COLUMNS = contracts.DEBT.header
PAYROLL_COLUMNS = contracts.PAYROLL.header
PROCUREMENT_COLUMNS = contracts.PROCUREMENT.header
PAYMENT_COLUMNS = contracts.PAYMENTS.header
IC_HEADER = contracts.IC_DIAGNOSTIC.header

# (grade, mean monthly gross MAD, weight in a commune, weight in a region or province)
GRADES = [
    ("Administrateur", 14_000, 0.08, 0.20),
    ("Ingénieur d'État", 15_000, 0.04, 0.12),
    ("Technicien", 8_500, 0.10, 0.14),
    ("Rédacteur", 7_000, 0.14, 0.16),
    ("Adjoint administratif", 5_600, 0.24, 0.18),
    ("Adjoint technique", 5_200, 0.22, 0.12),
    ("Agent de service", 4_500, 0.18, 0.08),
]
POSTINGS = [
    ("Direction des services", 0.04),
    ("Division des affaires administratives", 0.10),
    ("Division des ressources humaines", 0.05),
    ("Division des affaires financières", 0.08),
    ("Régie des recettes", 0.07),
    ("Bureau d'état civil", 0.10),
    ("Division de l'urbanisme", 0.07),
    ("Service technique", 0.16),
    ("Service d'hygiène", 0.08),
    ("Service des parcs et jardins", 0.10),
    ("Bureau d'ordre", 0.05),
    ("Police administrative", 0.10),
]

# Expense lines paid by mandat (personnel goes through the payroll)
PAYMENT_LINES = ("1.50.20", "1.50.30", "1.50.40", "1.50.50", "2.20.10", "2.20.20", "2.20.30")
UTILITY_ICE = ("001512498000075", "000098230000041")  # ONEE, a régie autonome (synthetic)
FEC_ICE = "001687421000032"  # Fonds d'équipement communal (synthetic ICE)
INVOICE_FORMATS = (
    "FA-{y}/{n:03d}",
    "F{y}-{n:04d}",
    "FACT N° {n}/{y}",
    "{n:05d}",
    "{y}{n:04d}",
    "FC {n:04d}-{y}",
)

# Procurement: (budget line, share) for contracts and purchase orders, and subjects per line
CONTRACT_LINES = (("2.20.10", 0.6), ("2.20.20", 0.3), ("1.50.40", 0.1))
ORDER_LINES = (("1.50.40", 0.6), ("2.20.20", 0.25), ("2.20.10", 0.15))
SUBJECTS = {
    "2.20.10": (
        "Travaux d'aménagement de voirie",
        "Revêtement de pistes rurales",
        "Réseau d'assainissement liquide",
        "Éclairage public",
        "Aménagement de trottoirs",
        "Réfection de chaussée",
    ),
    "2.20.20": (
        "Construction d'un centre socio-culturel",
        "Réhabilitation du siège de la commune",
        "Acquisition de matériel roulant",
        "Équipement d'un terrain de proximité",
        "Aménagement d'un souk hebdomadaire",
        "Acquisition de mobilier de bureau",
    ),
    "1.50.40": (
        "Fournitures de bureau",
        "Carburant et lubrifiants",
        "Entretien du parc automobile",
        "Nettoyage des locaux",
        "Matériel informatique",
        "Impression et reprographie",
        "Produits d'hygiène",
    ),
}

# COSO 2013: component, its principles, question prefix
COSO = (
    ("environnement_controle", range(1, 6), "CE"),
    ("evaluation_risques", range(6, 10), "ER"),
    ("activites_controle", range(10, 13), "AC"),
    ("information_communication", range(13, 16), "IC"),
    ("pilotage", range(16, 18), "PI"),
)
QUESTIONS = {
    1: (
        "Une charte d'éthique est-elle adoptée et diffusée au personnel ?",
        "Les conflits d'intérêts des élus et agents sont-ils déclarés et suivis ?",
    ),
    2: (
        "Le conseil examine-t-il les rapports de contrôle et d'audit ?",
        "Une commission suit-elle la mise en œuvre des recommandations ?",
    ),
    3: (
        "L'organigramme est-il approuvé et à jour ?",
        "Les délégations de signature sont-elles formalisées ?",
    ),
    4: (
        "Les fiches de poste existent-elles pour les postes sensibles ?",
        "Un plan de formation annuel est-il exécuté ?",
    ),
    5: (
        "Les responsabilités de contrôle sont-elles assignées par écrit ?",
        "L'évaluation du personnel tient-elle compte du respect des procédures ?",
    ),
    6: (
        "Les objectifs du plan d'action communal sont-ils mesurables ?",
        "Le budget est-il rattaché aux objectifs du plan d'action ?",
    ),
    7: (
        "Une cartographie des risques est-elle établie ?",
        "Les risques sont-ils cotés en probabilité et en impact ?",
    ),
    8: (
        "Les risques de fraude (recettes, marchés, paie) sont-ils identifiés ?",
        "Un dispositif de signalement des irrégularités existe-t-il ?",
    ),
    9: (
        "Les changements (organisation, textes, systèmes) font-ils l'objet d'une analyse ?",
        "La cartographie des risques est-elle mise à jour annuellement ?",
    ),
    10: (
        "Les tâches d'émission et de recouvrement sont-elles séparées ?",
        "Les engagements sont-ils contrôlés avant leur signature ?",
    ),
    11: (
        "Les accès au système d'information sont-ils gérés par profil ?",
        "Les sauvegardes des applications financières sont-elles testées ?",
    ),
    12: (
        "Un manuel de procédures est-il approuvé et appliqué ?",
        "Les régies font-elles l'objet de contrôles inopinés ?",
    ),
    13: (
        "Les informations financières sont-elles rapprochées avec le comptable ?",
        "Le sommier de consistance est-il complet et à jour ?",
    ),
    14: (
        "Les procédures sont-elles accessibles aux agents concernés ?",
        "Les dysfonctionnements remontent-ils à la direction des services ?",
    ),
    15: (
        "Les décisions et le budget sont-ils publiés dans les délais ?",
        "Les réclamations des usagers sont-elles enregistrées et traitées ?",
    ),
    16: (
        "Une cellule d'audit interne dispose-t-elle d'un programme annuel ?",
        "Des autoévaluations du contrôle interne sont-elles menées ?",
    ),
    17: (
        "Les recommandations d'audit sont-elles suivies jusqu'à leur mise en œuvre ?",
        "Les défaillances graves sont-elles signalées au président du conseil ?",
    ),
}
EVIDENCE = (
    "Arrêté du président",
    "Délibération du conseil",
    "Manuel de procédures",
    "Procès-verbal de réunion",
    "Rapport d'activité",
    "Registre tenu à jour",
    "Note de service",
)


# --- helpers ------------------------------------------------------------------------------


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _paid_by_line(unit: dict, year: int, seed: int) -> dict[str, float]:
    """Payments per budget line, as the budget-execution file of the same seed has them."""
    return dict(_paid_cached(tuple(unit.items()), year, seed))


@functools.lru_cache(maxsize=64)  # every source of a collectivity-year reads the same budget
def _paid_cached(unit: tuple, year: int, seed: int) -> tuple[tuple[str, float], ...]:
    rows = budget_rows(dict(unit), year, seed)
    return tuple((r["code_ligne"], r["paiements"]) for r in rows if r["paiements"] is not None)


def _fr_amount(column: str) -> pl.Expr:
    """Amount -> '1234567,89' (decimal comma, no thousands separator), vectorised."""
    cents = (pl.col(column) * 100).round().cast(pl.Int64)
    return pl.format("{},{}", cents // 100, (cents % 100).cast(pl.String).str.zfill(2)).alias(
        column
    )


def _amounts(values: np.ndarray, thousands: bool = False) -> list[str | None]:
    """Amounts as French exports write them; NaN -> empty."""
    if thousands:
        return [None if v != v else french_amount(v) for v in values.tolist()]
    return [None if v != v else f"{v:.2f}".replace(".", ",") for v in values.tolist()]


def _write_frame(path: Path, frame: pl.DataFrame) -> None:
    """`;`-separated, UTF-8 with BOM, CRLF; written to a temporary file, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    frame.write_csv(tmp, include_bom=True, separator=";", line_terminator="\r\n")
    tmp.replace(path)


@functools.lru_cache(maxsize=8192)
def _fr_date(ordinal: int) -> str:
    day = dt.date.fromordinal(ordinal)
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _write_table(path: Path, header: list[str], columns: dict[str, list]) -> None:
    """`;`-separated, UTF-8 with BOM, CRLF; written to a temporary file, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(zip(*(columns[c] for c in header), strict=True))
    tmp.replace(path)


def _days_in_year(year: int) -> int:
    return 366 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 365


def normalise_invoice_ref(reference: str | None) -> str:
    """'FA-2023/015' and 'fa 2023 015' -> 'FA2023015' (the IC4 duplicate key)."""
    return re.sub(r"[^0-9A-Z]", "", (reference or "").upper())


def benford_mad(amounts: np.ndarray) -> float:
    """Nigrini's mean absolute deviation of first digits from Benford's law."""
    values = np.asarray(amounts, dtype=float)
    values = values[values >= 1]
    first = (values / 10 ** np.floor(np.log10(values))).astype(int)
    observed = np.bincount(first, minlength=10)[1:10] / len(values)
    expected = np.log10(1 + 1 / np.arange(1, 10))
    return float(np.abs(observed - expected).mean())


def _anomaly(source, unit, year, anomaly, reference, detail) -> dict:
    return {
        "source": source,
        "collectivity_code": unit["collectivity_code"],
        "fiscal_year": year,
        "anomaly": anomaly,
        "reference": reference,
        "detail": detail,
    }


def _suppliers(unit: dict, seed: int) -> tuple[list[str], list[str]]:
    """A collectivity's suppliers (stable across years): contractors, and the delegatees."""
    contractors, delegatees = _suppliers_cached(unit["code_digits"], unit["population_2024"], seed)
    return list(contractors), list(delegatees)


@functools.lru_cache(maxsize=64)
def _suppliers_cached(digits: str, population: int | None, seed: int) -> tuple[tuple, tuple]:
    rng = rng_for(seed, digits, 0, SUPPLIER_STREAM)
    size = int(np.clip((population or 1_000) ** 0.5 / 2, 12, 400))
    numbers = rng.choice(10**13 - 10**11, size + 3, replace=False) + 10**11
    ices = tuple(f"00{n:013d}" for n in numbers)
    return ices[:size], ices[size:]


def _zipf(rng: np.random.Generator, n: int, size: int, exponent: float) -> np.ndarray:
    weights = 1 / np.arange(1, n + 1) ** exponent
    return rng.choice(n, size, p=weights / weights.sum())


# --- debt ---------------------------------------------------------------------------------


def debt_rows(unit: dict, year: int, seed: int) -> list[dict]:
    """The loans of a borrower at the end of `year` (empty for the others)."""
    if not profile_of(unit, seed).borrows:
        return []
    paid = _paid_by_line(unit, year, seed)
    interest, principal = paid.get("1.50.50", 0.0), paid.get("2.20.30", 0.0)
    stable = rng_for(seed, unit["code_digits"], 0, DEBT_STREAM)
    n = int(stable.integers(1, 4))
    lenders = ["FEC"] + [
        "FEC" if stable.random() < 0.7 else str(stable.choice(["TRESOR", "BANQUE", "AUTRE"]))
        for _ in range(n - 1)
    ]
    starts = stable.integers(2010, 2022, n)
    serials = stable.integers(100, 999, n)
    weights = stable.dirichlet(np.full(n, 2.0))
    rates = stable.uniform(0.035, 0.065, n)
    rng = rng_for(seed, unit["code_digits"], year, DEBT_STREAM)
    noisy = weights * rng.uniform(0.9, 1.1, n)
    noisy /= noisy.sum()
    rows = []
    for i in range(n):
        rows.append(
            dict(
                zip(
                    DEBT_COLUMNS,
                    [
                        unit["collectivity_code"],
                        year,
                        f"{lenders[i]}/{starts[i]}/{i + 1}{serials[i]:03d}",
                        lenders[i],
                        interest * noisy[i] / rates[i],
                        interest * noisy[i],
                        principal * weights[i],
                    ],
                    strict=True,
                )
            )
        )
    return rows


# --- payroll ------------------------------------------------------------------------------


def payroll_frame(unit: dict, year: int, seed: int, truth: list[dict]) -> pl.DataFrame:
    """One row per agent × month of `year`; plants HR3 anomalies in ~15 % of collectivities."""
    code, digits = unit["collectivity_code"], unit["code_digits"]
    rng = rng_for(seed, digits, year, PAYROLL_STREAM)
    personnel = _paid_by_line(unit, year, seed)["1.50.10"]
    column = 3 if unit["level"] in ("region", "province") else 2
    grade_weights = np.array([g[column] for g in GRADES])
    grade_weights /= grade_weights.sum()
    means = np.array([g[1] for g in GRADES], dtype=float)
    n = max(3, round(personnel / (12 * float(means @ grade_weights))))

    grade = rng.choice(len(GRADES), n, p=grade_weights)
    base = means[grade] * rng.lognormal(0, 0.15, n)
    posting_weights = np.array([w for _, w in POSTINGS])
    posting = rng.choice(len(POSTINGS), n, p=posting_weights / posting_weights.sum())
    start = np.ones(n, dtype=np.int64)
    end = np.full(n, 12, dtype=np.int64)
    exit_day = np.zeros(n, dtype=np.int64)  # day of the month of exit, 0 = still in post
    movement = rng.random(n)
    hired = movement < 0.04
    start[hired] = rng.integers(2, 13, hired.sum())
    left = (movement >= 0.04) & (movement < 0.09)
    end[left] = rng.integers(1, 12, left.sum())
    exit_day[left] = rng.integers(1, 29, left.sum())
    exit_month = end.copy()

    # HR3: duplicate CIN or RIB across two agent ids, agent without posting, pay after exit
    cin = [_sha(f"CIN|{seed}|{code}|{i}") for i in range(n)]
    rib = [_sha(f"RIB|{seed}|{code}|{i}") for i in range(n)]
    no_posting = np.zeros(n, dtype=bool)
    plants: list[tuple[str, str, list[int]]] = []
    regular = np.flatnonzero(~hired & ~left)
    if rng.random() < HR3_RATE and len(regular) >= 8:
        kinds = rng.choice(
            ["duplicate_cin", "duplicate_rib", "no_posting", "paid_after_exit"],
            int(rng.integers(1, 4)),
        )
        chosen = iter(rng.permutation(regular).tolist())
        for kind in kinds:
            if kind in ("duplicate_cin", "duplicate_rib"):
                a, b = next(chosen), next(chosen)
                target = cin if kind == "duplicate_cin" else rib
                target[b] = target[a]
                plants.append((kind, "même CIN" if kind == "duplicate_cin" else "même RIB", [a, b]))
            elif kind == "no_posting":
                a = next(chosen)
                no_posting[a] = True
                plants.append((kind, "aucune affectation sur toute l'année", [a]))
            else:
                a = next(chosen)
                exit_month[a] = int(rng.integers(1, 10))
                exit_day[a] = int(rng.integers(1, 29))
                plants.append((kind, "payé jusqu'en décembre", [a]))

    ids = [_sha(f"AGENT|{seed}|{code}|{i}") for i in range(n)]
    counts = end - start + 1
    agent = np.repeat(np.arange(n), counts)
    month = start[agent] + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    pay = base[agent] * np.where(rng.random(len(agent)) < 0.08, rng.uniform(1.05, 1.25), 1.0)
    last_month = left[agent] & (month == end[agent])
    pay[last_month] *= exit_day[agent][last_month] / 30
    pay *= personnel / pay.sum()
    order = np.lexsort((agent, month))
    agent, month, pay = agent[order], month[order], pay[order]

    exit_dates = [
        dt.date(year, int(exit_month[i]), int(exit_day[i])).isoformat() if exit_day[i] else None
        for i in range(n)
    ]
    postings = [None if no_posting[i] else POSTINGS[posting[i]][0] for i in range(n)]
    for kind, detail, agents in plants:
        if kind == "paid_after_exit":
            detail = f"cessation le {exit_dates[agents[0]]}, {detail}"
        truth.append(
            _anomaly("payroll", unit, year, kind, " / ".join(ids[a] for a in agents), detail)
        )
    frame = pl.DataFrame(
        {
            "code_collectivite": pl.repeat(code, len(agent), eager=True),
            "exercice": pl.repeat(year, len(agent), eager=True),
            "mois": month,
            "id_agent": pl.Series(ids).gather(agent),
            "cin_hash": pl.Series(cin).gather(agent),
            "rib_hash": pl.Series(rib).gather(agent),
            "grade": pl.Series([GRADES[g][0] for g in grade]).gather(agent),
            "affectation": pl.Series(postings, dtype=pl.String).gather(agent),
            "salaire_brut": np.round(pay, 2),
            "date_cessation": pl.Series(exit_dates, dtype=pl.String).gather(agent),
        }
    )
    return frame.with_columns(_fr_amount("salaire_brut"))


# --- procurement --------------------------------------------------------------------------


def procurement_table(unit: dict, year: int, seed: int, truth: list[dict]) -> dict[str, list]:
    """Tenders, negotiated contracts and purchase orders awarded in `year`; plants PR2 clusters."""
    digits = unit["code_digits"]
    stable = rng_for(seed, digits, 0, PROCUREMENT_STREAM)
    order_share = stable.uniform(0.08, 0.45)
    mean_order = stable.uniform(40_000, 120_000)
    negotiated_share = stable.uniform(0.03, 0.35)
    single_bid = stable.uniform(0.02, 0.35)
    drift = stable.uniform(0.02, 0.25)
    concentration = stable.uniform(0.6, 1.4)
    rng = rng_for(seed, digits, year, PROCUREMENT_STREAM)
    contractors, _ = _suppliers(unit, seed)
    paid = _paid_by_line(unit, year, seed)
    volume = paid.get("2.20.10", 0) + paid.get("2.20.20", 0) + 0.5 * paid.get("1.50.40", 0)
    days = _days_in_year(year)

    # contracts (marchés): tenders, restricted tenders, negotiated
    value = volume * (1 - order_share)
    n = int(np.clip(round(value / max(800_000, value / 150)), 1, 200))
    amounts = rng.lognormal(0, 0.9, n)
    amounts = np.maximum(amounts / amounts.sum() * value, 200_000)
    kind = np.where(
        rng.random(n) < negotiated_share,
        "negocie",
        np.where(rng.random(n) < 0.12, "appel_offres_restreint", "appel_offres_ouvert"),
    )
    is_open = kind == "appel_offres_ouvert"
    competing = 2 + np.minimum(rng.poisson(np.where(is_open, 2.5, 1.2)), 7)
    alone = rng.random(n) < np.where(is_open, single_bid, single_bid / 2)
    drifted = rng.random(n) < drift
    final = amounts * np.where(drifted, rng.uniform(1.11, 1.45, n), rng.uniform(1.0, 1.06, n))
    planned = rng.choice([60, 90, 120, 180, 240, 300, 365], n)
    late = drifted | (rng.random(n) < drift / 2)
    actual = planned * np.where(late, rng.uniform(1.3, 2.1, n), rng.uniform(0.85, 1.1, n))
    prefix = np.select(
        [kind == "negocie", kind == "appel_offres_restreint"], ["MN", "AOR"], default="AO"
    )
    contracts = {
        "reference": np.array([f"{p}-{i:03d}/{year}" for i, p in enumerate(prefix, start=1)]),
        "type_procedure": kind,
        "code_ligne": rng.choice(
            [c for c, _ in CONTRACT_LINES], n, p=[s for _, s in CONTRACT_LINES]
        ),
        "fournisseur_ice": np.array(contractors)[_zipf(rng, len(contractors), n, concentration)],
        "estimation": amounts / rng.uniform(0.78, 1.08, n),
        "nb_offres": np.where(kind == "negocie", 1, np.where(alone, 1, competing)),
        "montant_attribue": amounts,
        "montant_final": np.where(rng.random(n) < 0.4, amounts, final),
        "award_day": rng.integers(20, days, n),
        "lead": np.where(kind == "negocie", rng.integers(8, 30, n), rng.integers(35, 95, n)),
        "delai_prevu_jours": planned,
        "delai_reel_jours": np.round(actual).astype(np.int64),
        "planted": np.zeros(n, dtype=bool),
    }

    # purchase orders (bons de commande); suppliers spread so that no cluster forms by chance
    m = int(np.clip(round(volume * order_share / mean_order), 1, 600))
    pool = np.array(contractors[-max(8, min(len(contractors), m // 3)) :])
    order_amounts = np.clip(rng.lognormal(np.log(mean_order) - 0.32, 0.8, m), 3_000, 480_000)
    order_planned = rng.integers(7, 60, m)
    orders = {
        "type_procedure": np.full(m, "bon_commande"),
        "code_ligne": rng.choice([c for c, _ in ORDER_LINES], m, p=[s for _, s in ORDER_LINES]),
        "fournisseur_ice": np.full(m, pool[0]),  # assigned below, in date order
        "estimation": np.where(
            rng.random(m) < 0.7, order_amounts * rng.uniform(0.95, 1.1, m), np.nan
        ),
        "nb_offres": rng.integers(1, 4, m),
        "montant_attribue": order_amounts,
        "montant_final": order_amounts,
        "award_day": rng.integers(0, days, m),
        "lead": rng.integers(0, 10, m),
        "delai_prevu_jours": order_planned,
        "delai_reel_jours": np.round(order_planned * rng.uniform(0.8, 1.3, m)).astype(np.int64),
        "planted": np.zeros(m, dtype=bool),
    }
    # each supplier of the pool in turn, in date order: its orders come months apart, so
    # no cluster forms by chance (pool >= orders / 3)
    rotation = rng.permutation(len(pool))
    in_date_order = np.argsort(orders["award_day"], kind="stable")
    orders["fournisseur_ice"][in_date_order] = pool[rotation[np.arange(m) % len(pool)]]
    if rng.random() < PR2_RATE:  # PR2: 3–5 orders, same supplier and line, in 30 days, > 500k
        k = int(rng.integers(3, 6))
        cluster_amounts = rng.uniform(190_000, 480_000, k)
        cluster = {
            "type_procedure": np.full(k, "bon_commande"),
            "code_ligne": np.full(k, rng.choice(["1.50.40", "2.20.20"])),
            # a firm seen only for these orders
            "fournisseur_ice": np.full(k, f"00{rng.integers(10**11, 10**13):013d}"),
            "estimation": np.full(k, np.nan),
            "nb_offres": np.ones(k, dtype=np.int64),
            "montant_attribue": cluster_amounts,
            "montant_final": cluster_amounts,
            "award_day": int(rng.integers(0, days - 30)) + np.sort(rng.choice(29, k, False)),
            "lead": rng.integers(0, 3, k),
            "delai_prevu_jours": np.full(k, 15),
            "delai_reel_jours": np.full(k, 15),
            "planted": np.ones(k, dtype=bool),
        }
        orders = {c: np.r_[orders[c], cluster[c]] for c in orders}
    # purchase orders are numbered in date order, as the register does
    count = len(orders["award_day"])
    rank = np.empty(count, dtype=np.int64)
    rank[np.lexsort((np.arange(count), orders["award_day"]))] = np.arange(1, count + 1)
    orders["reference"] = np.array([f"BC-{r:04d}/{year}" for r in rank])
    planted = np.flatnonzero(orders["planted"])
    if len(planted):
        first, last = (
            dt.date(year, 1, 1) + dt.timedelta(days=int(d))
            for d in (orders["award_day"][planted].min(), orders["award_day"][planted].max())
        )
        refs = orders["reference"][planted][np.argsort(rank[planted])]
        truth.append(
            _anomaly(
                "procurement",
                unit,
                year,
                "split_purchase",
                " / ".join(refs),
                f"ICE {orders['fournisseur_ice'][planted[0]]}, ligne "
                f"{orders['code_ligne'][planted[0]]}, {len(planted)} bons de commande du "
                f"{first:%d/%m/%Y} au {last:%d/%m/%Y}, total "
                f"{french_amount(orders['montant_attribue'][planted].sum())} MAD",
            )
        )

    rows = {c: np.r_[contracts[c], orders[c]] for c in contracts}
    order = np.lexsort((rows["reference"], rows["award_day"]))
    rows = {c: v[order] for c, v in rows.items()}
    total = len(order)
    lines = rows["code_ligne"].tolist()
    subject = rng.integers(0, 420, total).tolist()  # 420: a multiple of every list's length
    award = rows["award_day"].tolist()
    real = rows["delai_reel_jours"].tolist()
    start = dt.date(year, 1, 1).toordinal()
    return {
        "code_collectivite": [unit["collectivity_code"]] * total,
        "exercice": [year] * total,
        "reference": rows["reference"].tolist(),
        "type_procedure": rows["type_procedure"].tolist(),
        "objet": [SUBJECTS[c][s % len(SUBJECTS[c])] for c, s in zip(lines, subject, strict=True)],
        "code_ligne": lines,
        "fournisseur_ice": rows["fournisseur_ice"].tolist(),
        "estimation": _amounts(rows["estimation"], thousands=True),
        "nb_offres": rows["nb_offres"].tolist(),
        "montant_attribue": _amounts(rows["montant_attribue"], thousands=True),
        "montant_final": _amounts(rows["montant_final"], thousands=True),
        "date_lancement": [
            _fr_date(start + a - d) for a, d in zip(award, rows["lead"].tolist(), strict=True)
        ],
        "date_attribution": [_fr_date(start + a) for a in award],
        "delai_prevu_jours": rows["delai_prevu_jours"].tolist(),
        # the real delay is known once the work is done
        "delai_reel_jours": [
            r if start + a + r <= TODAY.toordinal() else None
            for a, r in zip(award, real, strict=True)
        ],
    }


# --- payments -----------------------------------------------------------------------------


def payments_table(unit: dict, year: int, seed: int, truth: list[dict]) -> dict[str, list]:
    """The mandats of `year`; plants IC4 duplicates and non-Benford amounts."""
    digits = unit["code_digits"]
    stable = rng_for(seed, digits, 0, PAYMENTS_STREAM)
    december = stable.uniform(0.07, 0.32)
    rejection = stable.uniform(0.002, 0.04)
    concentration = stable.uniform(0.6, 1.3)
    contractors, delegatees = _suppliers(unit, seed)
    suppliers = [*contractors, *delegatees, *UTILITY_ICE, FEC_ICE]
    invoice_format = stable.integers(0, len(INVOICE_FORMATS), len(suppliers))
    formats = [INVOICE_FORMATS[f] for f in invoice_format[:-1]] + ["ECH-{y}-{n:03d}"]
    rng = rng_for(seed, digits, year, PAYMENTS_STREAM)
    paid = _paid_by_line(unit, year, seed)
    lines = np.array([c for c in PAYMENT_LINES if paid.get(c, 0) > 0])
    spend = np.array([paid[c] for c in lines])
    total = float(spend.sum())
    n = int(np.clip(round(total / 150_000), 40, 2000))

    # log-uniform over four decades, scaled so that the expected total is the lines' spending
    decades = 4
    low = np.log10(total / n * decades * np.log(10) / (10**decades - 1))
    amounts = 10 ** rng.uniform(low, low + decades, n)
    non_benford = n >= BENFORD_MIN_PAYMENTS and rng.random() < BENFORD_RATE
    if non_benford:  # amounts pushed just under an approval limit
        forced = rng.random(n) < 0.4
        amounts[forced] = rng.uniform(40_000, 49_999.99, forced.sum())
    amounts = np.round(amounts, 2)
    line = lines[rng.choice(len(lines), n, p=spend / total)]
    month_weights = np.full(12, (1 - december) / 11)
    month_weights[11] = december
    month = rng.choice(12, n, p=month_weights / month_weights.sum())
    month_start = np.array([dt.date(year, m, 1).timetuple().tm_yday - 1 for m in range(1, 13)])
    month_length = np.diff(np.append(month_start, _days_in_year(year)))
    day = month_start[month] + (rng.random(n) * month_length[month]).astype(np.int64)

    c, d = len(contractors), len(delegatees)
    supplier = np.select(
        [line == "1.50.20", line == "1.50.30", np.isin(line, ["1.50.50", "2.20.30"])],
        [c + d + (rng.random(n) < 0.15), c + (rng.random(n) < 0.3), np.full(n, c + d + 2)],
        default=_zipf(rng, c, n, concentration),
    )
    # each supplier numbers its invoices upward through the year
    order = np.lexsort((day, supplier))
    step = rng.integers(1, 4, n)[order]
    running = np.cumsum(step)
    sorted_supplier = supplier[order]
    first = np.r_[True, sorted_supplier[1:] != sorted_supplier[:-1]]
    before_group = np.maximum.accumulate(np.where(first, running - step, 0))
    number = np.empty(n, dtype=np.int64)
    number[order] = (
        stable.integers(1, 400, len(suppliers))[sorted_supplier] + running - before_group
    )
    refs = [
        formats[s].format(y=year, n=k)
        for s, k in zip(supplier.tolist(), number.tolist(), strict=True)
    ]
    status = np.where(rng.random(n) < rejection, "rejete", "vise")

    pairs: list[tuple[int, int]] = []
    if rng.random() < IC4_RATE:  # IC4: same supplier + amount, invoice ref written differently
        eligible = np.flatnonzero((status == "vise") & (supplier != len(suppliers) - 1))
        copies = []
        for i in rng.choice(eligible, min(len(eligible), int(rng.integers(1, 4))), replace=False):
            gap = int(rng.integers(5, 80))
            when = day[i] + gap if day[i] + gap < _days_in_year(year) else day[i] - gap
            if when >= 0:
                pairs.append((int(i), n + len(copies)))
                copies.append((int(i), when, _variant(rng, refs[i])))
        if copies:
            source = [i for i, _, _ in copies]
            day = np.r_[day, [w for _, w, _ in copies]]
            supplier = np.r_[supplier, supplier[source]]
            refs += [r for _, _, r in copies]
            amounts = np.r_[amounts, amounts[source]]
            line = np.r_[line, line[source]]
            status = np.r_[status, np.full(len(copies), "vise")]

    count = len(day)
    order = np.lexsort((np.arange(count), day))
    number = np.empty(count, dtype=object)
    number[order] = [f"{year}/{r:06d}" for r in range(1, count + 1)]
    for a, b in pairs:
        truth.append(
            _anomaly(
                "payments",
                unit,
                year,
                "duplicate_payment",
                " / ".join(sorted((number[a], number[b]))),
                f"ICE {suppliers[supplier[a]]}, {french_amount(amounts[a])} MAD, factures "
                f"« {refs[a]} » et « {refs[b]} », {abs(int(day[b]) - int(day[a]))} jours d'écart",
            )
        )
    if non_benford:
        truth.append(
            _anomaly(
                "payments",
                unit,
                year,
                "non_benford",
                f"{count} mandats",
                "40 % des montants entre 40 000 et 49 999,99 MAD ; "
                f"MAD de Nigrini {benford_mad(amounts):.4f}",
            )
        )
    start = dt.date(year, 1, 1).toordinal()
    return {
        "code_collectivite": [unit["collectivity_code"]] * count,
        "exercice": [year] * count,
        "numero_mandat": number[order].tolist(),
        "date_mandat": [_fr_date(start + d) for d in day[order].tolist()],
        "fournisseur_ice": np.array(suppliers)[supplier[order]].tolist(),
        "reference_facture": [refs[i] for i in order.tolist()],
        "montant": _amounts(amounts[order]),
        "code_ligne": line[order].tolist(),
        "statut": status[order].tolist(),
    }


def _variant(rng: np.random.Generator, reference: str) -> str:
    """The same invoice reference typed differently: case and separators change."""
    if int(rng.integers(2)):
        return re.sub(r"[^0-9A-Za-z]+", " ", reference).strip().lower()
    return re.sub(r"[^0-9A-Za-z]+", "", reference).lower()


# --- internal-control diagnostic ------------------------------------------------------------


def ic_questions(unit: dict, year: int, seed: int) -> list[list]:
    """The 34 answered questions (code, component, principle, text, score, evidence)."""
    stable = rng_for(seed, unit["code_digits"], 0, IC_STREAM)
    maturity = stable.uniform(1.0, 3.6)
    progress = stable.uniform(0.05, 0.35)  # a little better every campaign
    offsets = stable.normal(0, 0.5, len(COSO))
    rng = rng_for(seed, unit["code_digits"], year, IC_STREAM)
    level = maturity + progress * (year - 2022)
    rows = []
    for c, (component, principles, prefix) in enumerate(COSO):
        number = 0
        for principle in principles:
            for question in QUESTIONS[principle]:
                number += 1
                score = int(np.clip(round(level + offsets[c] + rng.normal(0, 0.8)), 0, 5))
                evidence = EVIDENCE[int(rng.integers(len(EVIDENCE)))] if score >= 3 else None
                rows.append(
                    [f"{prefix}-{number:02d}", component, principle, question, score, evidence]
                )
    return rows


def write_ic_workbook(path: Path, unit: dict, year: int, rows: list[list]) -> None:
    """The questionnaire as the IC tool exports it: a title block, then the table."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    workbook = xlsxwriter.Workbook(str(tmp))
    workbook.set_properties(
        {"title": "Diagnostic du contrôle interne", "created": dt.datetime(year, 12, 31)}
    )
    sheet = workbook.add_worksheet("Questionnaire")
    bold = workbook.add_format({"bold": True})
    sheet.write(0, 0, "Diagnostic du contrôle interne", bold)
    sheet.write(1, 0, f"Code collectivité : {unit['collectivity_code']}")
    sheet.write(2, 0, f"Collectivité : {unit['name_fr']}")
    sheet.write(3, 0, f"Campagne : {year}")
    sheet.write_row(5, 0, IC_HEADER, bold)
    for r, row in enumerate(rows, start=6):
        sheet.write_row(r, 0, row)
    sheet.set_column(3, 3, 70)
    workbook.close()
    tmp.replace(path)


def ic_phase_codes() -> set[str]:
    """Collectivities of rollout phases 1–2: they ran the self-assessment campaign."""
    phases = pl.read_csv(ROLLOUT_SEED, schema_overrides={"collectivity_code": pl.String})
    return set(phases.filter(pl.col("rollout_phase") <= 2)["collectivity_code"])


# --- entry point --------------------------------------------------------------------------


def _write_unit(
    inbox: Path, unit: dict, years: list[int], seed: int, ic_codes: set[str]
) -> tuple[list[str], list[dict]]:
    """All the operational files of one collectivity: (sources written, anomalies planted)."""
    written: list[str] = []
    truth: list[dict] = []
    for year in years:
        stem = f"{unit['code_digits']}_{year}"
        loans = debt_rows(unit, year, seed)
        if loans:
            columns = {c: [row[c] for row in loans] for c in DEBT_COLUMNS}
            for c in DEBT_COLUMNS[4:]:
                columns[c] = _amounts(np.array(columns[c]), thousands=True)
            _write_table(inbox / "debt" / f"dette_{stem}.csv", DEBT_COLUMNS, columns)
            written.append("debt")
        _write_table(
            inbox / "procurement" / f"marches_{stem}.csv",
            PROCUREMENT_COLUMNS,
            procurement_table(unit, year, seed, truth),
        )
        _write_table(
            inbox / "payments" / f"mandats_{stem}.csv",
            PAYMENT_COLUMNS,
            payments_table(unit, year, seed, truth),
        )
        written += ["procurement", "payments"]
        if year in years[-2:] and unit["collectivity_code"] in ic_codes:
            write_ic_workbook(
                inbox / "ic_diagnostic" / f"diagnostic_ci_{stem}.xlsx",
                unit,
                year,
                ic_questions(unit, year, seed),
            )
            written.append("ic_diagnostic")
    year = years[-1]  # payroll arrives for the current year only
    _write_frame(
        inbox / "payroll" / f"paie_{unit['code_digits']}_{year}.csv",
        payroll_frame(unit, year, seed, truth),
    )
    written.append("payroll")
    return written, truth


def write_operations(
    inbox: Path, units: list[dict], years: list[int], seed: int, truth: list[dict]
) -> dict[str, int]:
    """Write the five operational sources of `units` into `inbox`; returns files per source."""
    years = sorted(years)
    ic_codes = ic_phase_codes()
    written = dict.fromkeys(("debt", "payroll", "procurement", "payments", "ic_diagnostic"), 0)
    for unit in units:
        sources, planted = _write_unit(inbox, unit, years, seed, ic_codes)
        for source in sources:
            written[source] += 1
        truth.extend(planted)
    return written


def _main() -> None:  # pragma: no cover - timing helper
    import sys
    import tempfile
    import time

    from ingestion.reference import load_collectivities
    from tadqiq.synthetic.profiles import scope_codes

    scope = sys.argv[1] if len(sys.argv) > 1 else "national"
    collectivities = load_collectivities()
    codes = set(scope_codes(scope, collectivities))
    units = collectivities.filter(pl.col("collectivity_code").is_in(codes)).to_dicts()
    truth: list[dict] = []
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        written = write_operations(Path(folder), units, [2022, 2023, 2024], 2026, truth)
        elapsed = time.perf_counter() - started
        size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    print(f"{scope}: {len(units)} units, {written}, {len(truth)} anomalies")
    print(f"{elapsed:.1f} s, {size / 1e6:.0f} MB")
    if truth:
        print(pl.DataFrame(truth).group_by("anomaly").len().sort("anomaly"))


if __name__ == "__main__":
    _main()
