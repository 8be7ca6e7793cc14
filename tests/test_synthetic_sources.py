"""The ten other synthetic sources: deterministic, within their contracts, with their story.

Seed 7 over the pilot for 2023–2024 plants every kind of anomaly at least once (found by a
search over seeds; at ~10 % per collectivity-year a pilot of 20 units can miss a kind).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

import numpy as np
import openpyxl
import polars as pl
import pytest

from ingestion.contracts import CONTRACTS
from ingestion.inbox import ingest_source
from ingestion.reference import load_collectivities
from tadqiq.synthetic.audit import TODAY, write_audit
from tadqiq.synthetic.broken import write_broken
from tadqiq.synthetic.finance import budget_rows
from tadqiq.synthetic.operations import benford_mad, normalise_invoice_ref, write_operations
from tadqiq.synthetic.profiles import ROLLOUT_SEED, scope_codes

SEED = 7
YEARS = [2023, 2024]
OPS = ("debt", "payroll", "procurement", "payments", "ic_diagnostic")
AUDIT = ("audit_cells", "missions", "findings", "recommendations", "recommendation_events")
BY_ENTITY = {c.entity: c for c in CONTRACTS}
ANOMALIES = {
    "duplicate_cin",
    "duplicate_rib",
    "no_posting",
    "paid_after_exit",
    "split_purchase",
    "duplicate_payment",
    "non_benford",
    "repeat_finding",
}


@pytest.fixture(scope="module")
def collectivities() -> pl.DataFrame:
    return load_collectivities()


@pytest.fixture(scope="module")
def pilot_units(collectivities) -> list[dict]:
    codes = set(scope_codes("pilot", collectivities))
    return collectivities.filter(pl.col("collectivity_code").is_in(codes)).to_dicts()


@pytest.fixture(scope="module")
def phases() -> dict[str, int]:
    seed = pl.read_csv(ROLLOUT_SEED, schema_overrides={"collectivity_code": pl.String})
    return dict(seed.select("collectivity_code", "rollout_phase").iter_rows())


def generate(inbox: Path, units, phases, seed: int = SEED) -> tuple[dict, list[dict]]:
    truth: list[dict] = []
    written = write_operations(inbox, units, YEARS, seed, truth)
    written |= write_audit(inbox, units, YEARS, seed, truth, phases)
    return written, truth


@pytest.fixture(scope="module")
def pilot(tmp_path_factory, pilot_units, phases) -> tuple[Path, dict, list[dict]]:
    inbox = tmp_path_factory.mktemp("inbox")
    written, truth = generate(inbox, pilot_units, phases)
    return inbox, written, truth


@pytest.fixture(scope="module")
def landed(pilot, collectivities, tmp_path_factory) -> dict[str, pl.DataFrame]:
    """Every source of the pilot, read through its contract."""
    inbox, _, _ = pilot
    raw = tmp_path_factory.mktemp("raw")
    known = set(collectivities["collectivity_code"])
    return {entity: ingest_source(inbox, BY_ENTITY[entity], known, raw) for entity in OPS + AUDIT}


def contents(folder: Path) -> dict[str, object]:
    """CSV files by their bytes, workbooks by their cell values."""
    out: dict[str, object] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if path.suffix == ".xlsx":
            workbook = openpyxl.load_workbook(path, read_only=True)
            out[name] = [row for sheet in workbook for row in sheet.iter_rows(values_only=True)]
            workbook.close()
        else:
            out[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def truth_of(truth: list[dict], anomaly: str) -> list[dict]:
    return [t for t in truth if t["anomaly"] == anomaly]


# --- determinism ----------------------------------------------------------------------------


def test_same_seed_same_files_other_seed_other_figures(tmp_path, pilot, pilot_units, phases):
    inbox, written, truth = pilot
    again_written, again_truth = generate(tmp_path / "again", pilot_units, phases)
    assert again_written == written
    assert again_truth == truth
    assert contents(tmp_path / "again") == contents(inbox)
    # the workbooks are byte-identical too (fixed creation date)
    for path in inbox.glob("ic_diagnostic/*.xlsx"):
        assert path.read_bytes() == (tmp_path / "again" / "ic_diagnostic" / path.name).read_bytes()
    units = pilot_units[:3]
    generate(tmp_path / "other", units, phases, seed=SEED + 1)
    generate(tmp_path / "same", units, phases)
    other, same = contents(tmp_path / "other"), contents(tmp_path / "same")
    shared = other.keys() & same.keys()
    assert shared and all(other[k] != same[k] for k in shared if k.startswith("payments/"))


def test_a_collectivity_gets_the_same_files_whatever_the_scope(tmp_path, pilot, pilot_units):
    inbox, _, _ = pilot
    my_abdellah = [u for u in pilot_units if u["collectivity_code"] == "06.181.05.01"]
    write_operations(tmp_path, my_abdellah, YEARS, SEED, [])
    alone = contents(tmp_path)
    assert len(alone) >= 7  # procurement, payments ×2; payroll; IC ×2; debt if it borrows
    everything = contents(inbox)
    assert all(everything[name] == value for name, value in alone.items())


# --- contracts ------------------------------------------------------------------------------


def test_every_generated_file_meets_its_contract(pilot, landed):
    _, written, _ = pilot
    for entity, result in landed.items():
        assert result.rejected_files.is_empty(), entity
        assert result.quarantined.is_empty(), (entity, result.quarantined.head())
        assert (result.new_files["status"] == "loaded").all(), entity
        assert result.new_files.height == written[entity], entity
        assert result.landed.height > 0, entity
    assert written["payroll"] == 20  # one file per collectivity, for the last year only
    assert landed["payroll"].landed["exercice"].unique().to_list() == [YEARS[-1]]
    assert written["ic_diagnostic"] == 40  # the 20 pilot sites (phase 1), two campaigns
    diagnostic = landed["ic_diagnostic"].landed
    assert diagnostic.group_by("code_collectivite", "exercice").len()["len"].unique().to_list() == [
        34
    ]
    assert written["audit_cells"] == 1


def data_rows_in(path: Path) -> int:
    """A file's data rows counted with plain Python, apart from the readers: CSV records of
    the csv module below the header (blank lines are not rows), non-empty sheet rows below
    the header row."""
    if path.suffix == ".xlsx":
        workbook = openpyxl.load_workbook(path, read_only=True)
        rows = [r for sheet in workbook for r in sheet.iter_rows(values_only=True)]
        workbook.close()
        header = next(i for i, r in enumerate(rows) if "code_question" in r)
        return sum(1 for r in rows[header + 1 :] if any(v not in (None, "") for v in r))
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("latin-1")
    separator = ";" if text.split("\n", 1)[0].count(";") else ","
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    return sum(1 for r in records[1:] if any(field.strip() for field in r))


def test_rows_read_is_the_count_of_data_rows_in_each_file(pilot, landed, tmp_path, collectivities):
    inbox, _, _ = pilot
    counted = 0
    for entity, result in landed.items():
        for row in result.manifest.iter_rows(named=True):
            folder = BY_ENTITY[entity].file_glob.split("/")[0]
            path = inbox / folder / row["source_file"]
            assert row["rows_read"] == data_rows_in(path), (entity, row["source_file"])
            assert row["rows_read"] == row["rows_landed"] + row["rows_quarantined"]
            counted += 1
    assert counted > 100
    broken = tmp_path / "broken"
    cases = write_broken(broken)
    known = set(collectivities["collectivity_code"])
    for entity in sorted({c["entity"] for c in cases}):
        result = ingest_source(broken, BY_ENTITY[entity], known, tmp_path / "raw")
        for row in result.manifest.filter(pl.col("status") == "loaded").iter_rows(named=True):
            path = next(broken.rglob(row["source_file"]))
            assert row["rows_read"] == data_rows_in(path), row["source_file"]
            assert row["rows_read"] == row["rows_landed"] + row["rows_quarantined"]


# --- planted anomalies, found again independently ------------------------------------------


def test_every_kind_of_anomaly_is_planted(pilot):
    _, _, truth = pilot
    assert {t["anomaly"] for t in truth} == ANOMALIES
    for t in truth:
        assert set(t) == {
            "source",
            "collectivity_code",
            "fiscal_year",
            "anomaly",
            "reference",
            "detail",
        }


def test_payroll_anomalies_are_there_and_only_there(pilot, landed):
    _, _, truth = pilot
    payroll = landed["payroll"].landed
    agents = payroll.group_by("code_collectivite", "id_agent").agg(
        pl.col("cin_hash").first(),
        pl.col("rib_hash").first(),
        pl.col("affectation").is_null().all().alias("no_posting"),
        (pl.col("mois") > pl.col("date_cessation").dt.month()).any().alias("after_exit"),
    )
    found = {
        "duplicate_cin": agents.filter(pl.len().over("code_collectivite", "cin_hash") > 1),
        "duplicate_rib": agents.filter(pl.len().over("code_collectivite", "rib_hash") > 1),
        "no_posting": agents.filter("no_posting"),
        "paid_after_exit": agents.filter("after_exit"),
    }
    for kind, rows in found.items():
        planted = {
            (t["collectivity_code"], agent)
            for t in truth_of(truth, kind)
            for agent in t["reference"].split(" / ")
        }
        assert planted, kind
        assert set(rows.select("code_collectivite", "id_agent").iter_rows()) == planted, kind


def test_split_purchases_are_found_by_supplier_window(pilot, landed):
    _, _, truth = pilot
    orders = landed["procurement"].landed.filter(pl.col("type_procedure") == "bon_commande")
    assert (orders["montant_attribue"] < 500_000).all()
    starts = orders.select("code_collectivite", "exercice", "fournisseur_ice", "date_attribution")
    window = starts.join(
        orders, on=["code_collectivite", "exercice", "fournisseur_ice"], suffix="_m"
    ).filter(
        (pl.col("date_attribution_m") >= pl.col("date_attribution"))
        & (pl.col("date_attribution_m") < pl.col("date_attribution") + pl.duration(days=30))
    )
    clusters = window.group_by(
        "code_collectivite", "exercice", "fournisseur_ice", "date_attribution"
    ).agg(pl.col("reference").sort().alias("members"), pl.col("montant_attribue").sum())
    flagged = {
        (c, y, r)
        for c, y, members in clusters.filter(pl.col("montant_attribue") > 500_000)
        .select("code_collectivite", "exercice", "members")
        .iter_rows()
        for r in members
    }
    planted = {
        (t["collectivity_code"], t["fiscal_year"], r)
        for t in truth_of(truth, "split_purchase")
        for r in t["reference"].split(" / ")
    }
    assert planted and flagged == planted  # suppliers are spread: no cluster by chance


def test_duplicate_payments_are_found_after_normalising_the_invoice(pilot, landed):
    _, _, truth = pilot
    visaed = landed["payments"].landed.filter(pl.col("statut") == "vise")
    keyed = visaed.with_columns(
        pl.col("reference_facture").map_elements(normalise_invoice_ref, return_dtype=pl.String)
    )
    pairs = keyed.join(
        keyed, on=["code_collectivite", "fournisseur_ice", "montant", "reference_facture"]
    ).filter(
        (pl.col("numero_mandat") < pl.col("numero_mandat_right"))
        & ((pl.col("date_mandat_right") - pl.col("date_mandat")).dt.total_days().abs() <= 90)
    )
    found = set(
        pairs.select("code_collectivite", "numero_mandat", "numero_mandat_right").iter_rows()
    )
    planted = {
        (t["collectivity_code"], *t["reference"].split(" / "))
        for t in truth_of(truth, "duplicate_payment")
    }
    assert planted and found == planted
    raw = dict(
        visaed.select(
            pl.concat_str("code_collectivite", "numero_mandat"), "reference_facture"
        ).iter_rows()
    )
    for code, first, second in planted:  # the two references are written differently
        assert raw[code + first] != raw[code + second]


def test_non_benford_collectivities_stand_out(pilot, landed):
    _, _, truth = pilot
    payments = landed["payments"].landed.filter(pl.col("statut") == "vise")
    planted = {(t["collectivity_code"], t["fiscal_year"]) for t in truth_of(truth, "non_benford")}
    assert planted
    for (code, year), rows in payments.group_by("code_collectivite", "exercice"):
        if rows.height < 300:
            continue
        mad = benford_mad(rows["montant"].to_numpy())
        if (code, year) in planted:
            assert mad > 0.015, (code, year, mad)
        else:
            assert mad < 0.012, (code, year, mad)


def test_repeat_findings_are_there(pilot, landed):
    _, _, truth = pilot
    findings = landed["findings"].landed.with_columns(
        pl.col("reference_constat").str.split("-").list.get(1).cast(pl.Int32).alias("year")
    )
    planted = truth_of(truth, "repeat_finding")
    assert planted
    by_ref = {r["reference_constat"]: r for r in findings.iter_rows(named=True)}
    for t in planted:
        first, again = (by_ref[r] for r in t["reference"].split(" / "))
        assert first["code_collectivite"] == again["code_collectivite"] == t["collectivity_code"]
        assert (first["categorie"], first["sous_categorie"]) == (
            again["categorie"],
            again["sous_categorie"],
        )
        assert 0 < again["year"] - first["year"] < 3


# --- the story ------------------------------------------------------------------------------


def test_missions_slip_and_statuses_follow_the_dates(landed):
    missions = landed["missions"].landed
    late = missions.filter(
        (pl.col("date_fin_reelle") > pl.col("date_fin_prevue") + pl.duration(days=15))
        | (pl.col("jours_reels") > pl.col("jours_prevus") * 1.1)
    )
    assert late.height >= 5
    statuses = dict(missions.group_by("annee_programme").agg(pl.col("statut").unique()).iter_rows())
    assert set(statuses[YEARS[0]]) <= {"cloturee", "annulee"}
    assert set(statuses[YEARS[-1]]) >= {"cloturee", "rapport", "en_cours", "planifiee"}
    started = missions.filter(pl.col("date_debut_reelle").is_not_null())
    assert (started["date_debut_reelle"] <= TODAY).all()
    assert missions.filter(pl.col("statut") == "planifiee")["date_debut_reelle"].is_null().all()
    assert missions.filter(pl.col("statut") == "en_cours")["date_fin_reelle"].is_null().all()
    assert set(missions["auditeur"]) >= {"audit_interne", "IGAT"}
    reported = missions.filter(pl.col("statut").is_in(["rapport", "cloturee"]))
    findings = landed["findings"].landed
    assert set(findings["reference_mission"]) <= set(reported["reference_mission"])
    assert (findings["date_constat"] <= TODAY).all()


def test_some_recommendations_are_overdue_and_some_verified(landed):
    recommendations = landed["recommendations"].landed
    events = landed["recommendation_events"].landed
    assert (events["date_evenement"] <= TODAY).all()
    assert set(recommendations["reference_recommandation"]) == set(
        events["reference_recommandation"]
    )
    last = events.sort("date_evenement").group_by("reference_recommandation").last()
    status = recommendations.join(last, on="reference_recommandation")
    overdue = status.filter(
        (pl.col("date_echeance") < TODAY) & pl.col("statut").is_in(["non_demarree", "en_cours"])
    )
    assert overdue.height >= 10
    assert set(last["statut"]) == {
        "non_demarree",
        "en_cours",
        "mise_en_oeuvre",
        "verifiee",
        "non_applicable",
        "refusee",
    }
    verified = events.filter(pl.col("statut") == "verifiee")
    assert (verified["declare_par"] == "auditeur").all()
    cells = landed["audit_cells"].landed
    assert cells.height >= 20  # every pilot site (phase 1) has a cell
    assert cells["date_adoption_charte"].null_count() < cells.height


# --- magnitudes -----------------------------------------------------------------------------


def test_payroll_debt_and_payments_follow_the_budget(pilot_units, landed):
    payroll = landed["payroll"].landed
    debt = landed["debt"].landed
    payments = landed["payments"].landed
    for unit in pilot_units:
        code = unit["collectivity_code"]
        budget = {r["code_ligne"]: r["paiements"] for r in budget_rows(unit, YEARS[-1], SEED)}
        rows = payroll.filter(pl.col("code_collectivite") == code)
        assert rows["salaire_brut"].sum() == pytest.approx(budget["1.50.10"], rel=1e-3)
        headcount = rows["id_agent"].n_unique()
        monthly = budget["1.50.10"] / 12 / headcount
        assert 4_000 < monthly < 13_000, (code, monthly)
        loans = debt.filter((pl.col("code_collectivite") == code) & (pl.col("exercice") == 2024))
        if "1.50.50" in budget:
            assert 1 <= loans.height <= 3
            assert loans["interets_payes"].sum() == pytest.approx(budget["1.50.50"], rel=1e-3)
            assert "FEC" in set(loans["preteur"])
        else:
            assert loans.is_empty()
        mandats = payments.filter(
            (pl.col("code_collectivite") == code) & (pl.col("exercice") == 2024)
        )
        assert 40 <= mandats.height <= 2_010
        rejected = (mandats["statut"] == "rejete").mean()
        assert rejected < 0.1
        assert np.isin(mandats["code_ligne"].to_numpy(), list(budget)).all()


# --- broken files ---------------------------------------------------------------------------


def test_broken_files_give_exactly_the_declared_outcomes(tmp_path, collectivities):
    inbox = tmp_path / "inbox"
    cases = write_broken(inbox)
    assert len(cases) >= 12
    assert all(Path(c["file"]).name.startswith("zz_") for c in cases)
    assert {c["expected"] for c in cases} == {"loaded", "rejected"}
    known = set(collectivities["collectivity_code"])
    seen = 0
    for entity in sorted({c["entity"] for c in cases}):
        result = ingest_source(inbox, BY_ENTITY[entity], known, tmp_path / "raw")
        for row in result.new_files.iter_rows(named=True):
            case = next(c for c in cases if Path(c["file"]).name == row["source_file"])
            seen += 1
            assert (row["status"], row["message"]) == (case["expected"], case["message"]), case
            quarantined = (
                result.quarantined.filter(pl.col("source_file") == row["source_file"])
                .select("source_row", "column_name", "reason")
                .to_dicts()
            )
            assert quarantined == case["quarantine"], case["file"]
            if case["expected"] == "loaded":
                assert (row["encoding"], row["separator"]) == (
                    case["encoding"],
                    case["separator"],
                ), case["file"]
                assert row["rows_read"] == row["rows_landed"] + row["rows_quarantined"]
    assert seen == len(cases)


def test_today_is_the_platform_date():
    assert dt.date(2026, 11, 27) == TODAY
