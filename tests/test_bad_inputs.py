"""The bad-input corpus: each case is a file as a clerk might send it, and its exact outcome —
what lands, what is quarantined (row, column, reason), or the one message that rejects it."""

from __future__ import annotations

import io
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from ingestion.contracts import (
    AUDIT_CELLS,
    AUDIT_MISSIONS,
    AVAILABLE_SURPLUSES,
    BUDGET_EXECUTION,
    FINDINGS,
    IC_DIAGNOSTIC,
    PAYMENTS,
    PAYROLL,
    PROCUREMENT,
    RECOMMENDATION_EVENTS,
    REVENUE_ARREARS,
    URBANISM_PERMITS,
    Contract,
)
from ingestion.inbox import ingest_source, write_dataset
from ingestion.readers import FileRejected, read_export

KNOWN = {"05", "06", "06.141.01.0", "06.181.05.01"}
BUDGET = (
    "code_collectivite;exercice;code_ligne;libelle_ligne;credits_initiaux;credits_definitifs;"
    "engagements;paiements;emissions;recouvrements"
)
ARREARS = "code_collectivite;exercice;code_taxe;libelle_taxe;annee_emission;reste_a_recouvrer"
PAY = (
    "code_collectivite;exercice;numero_mandat;date_mandat;fournisseur_ice;reference_facture;"
    "montant;code_ligne;statut"
)
PAYROLL_HEADER = (
    "code_collectivite;exercice;mois;id_agent;cin_hash;rib_hash;grade;affectation;"
    "salaire_brut;date_cessation"
)
PROC = (
    "code_collectivite;exercice;reference;type_procedure;objet;code_ligne;fournisseur_ice;"
    "estimation;nb_offres;montant_attribue;montant_final;date_lancement;date_attribution;"
    "delai_prevu_jours;delai_reel_jours"
)
CELLS = "code_collectivite;date_creation;date_adoption_charte;nb_auditeurs;jours_auditeur_an"
MISSIONS = (
    "reference_mission;code_collectivite;annee_programme;type_programme;auditeur;processus;"
    "date_debut_prevue;date_fin_prevue;date_debut_reelle;date_fin_reelle;jours_prevus;"
    "jours_reels;statut"
)
FINDINGS_HEADER = (
    "reference_constat;reference_mission;code_collectivite;categorie;sous_categorie;"
    "cause_racine;criticite;impact_financier;date_constat"
)
EVENTS = "reference_recommandation;code_collectivite;date_evenement;statut;declare_par;preuve"
SURPLUSES = "code_collectivite;exercice;budget;excedent_cumule;excedent_affecte;excedent_disponible"
PERMITS = (
    "code_collectivite;exercice;numero_autorisation;type_autorisation;date_delivrance;"
    "reference_quittance"
)
QUESTIONNAIRE = ["code_question", "composante", "principe", "question", "score", "preuve"]


def csv_bytes(header: str, *rows: str, encoding: str = "utf-8-sig") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def workbook_bytes(
    sheet: str = "Questionnaire",
    title: tuple[str, ...] = ("Code collectivité : 06.181.05.01", "Campagne : 2024"),
    rows: tuple[tuple, ...] = (("CE-01", "environnement_controle", 1, "Charte ?", 3, "PV"),),
) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(["Diagnostic du contrôle interne"])
    for line in title:
        ws.append([line])
    ws.append([])
    ws.append(QUESTIONNAIRE)
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class Case:
    name: str
    contract: Contract
    content: bytes
    landed_rows: list[int] = field(default_factory=list)  # spreadsheet row numbers that land
    quarantined: list[tuple[int, str, str]] = field(default_factory=list)
    rejected: str | None = None  # the exact message when the whole file is rejected
    encoding: str | None = None
    check: dict[str, object] = field(default_factory=dict)  # column -> value of the first row


OK_LINE = "06.181.05.01;2024;1.50.10;Personnel;100;100;;90;;"
SHORT = (
    "ligne incomplète : {} champ(s) au lieu de 10 (champ manquant ou ligne coupée : aucune "
    "valeur n'est sûre)"
)
TOO_LONG = "ligne trop longue : {} champs au lieu de 10 (séparateur en trop ?)"

CASES = [
    Case("utf8_bom_thousands_spaces_decimal_comma", BUDGET_EXECUTION,
         csv_bytes(BUDGET, "06.181.05.01;2024;1.50.10;Dépenses;1 234 567,89;1 300 000,5;;1 000,25;;"),
         landed_rows=[2], encoding="utf-8-sig",
         check={"credits_initiaux": 1234567.89, "paiements": 1000.25, "engagements": None}),
    Case("utf8_without_bom", BUDGET_EXECUTION, csv_bytes(BUDGET, OK_LINE, encoding="utf-8"),
         landed_rows=[2], encoding="utf-8"),
    Case("windows_1256_arabic", BUDGET_EXECUTION,
         csv_bytes(BUDGET, "05;2024;1.50.10;نفقات الموظفين;100;100;;90;;", encoding="cp1256"),
         landed_rows=[2], encoding="cp1256", check={"libelle_ligne": "نفقات الموظفين"}),
    Case("latin_1_capital_accents", BUDGET_EXECUTION,
         csv_bytes(BUDGET, "05;2024;1.50.10;ÉQUIPEMENT À ÉVALUER, ÇA;100;100;;90;;", encoding="latin-1"),
         landed_rows=[2], encoding="latin-1", check={"libelle_ligne": "ÉQUIPEMENT À ÉVALUER, ÇA"}),
    Case("bom_only_file", BUDGET_EXECUTION, b"\xef\xbb\xbf", rejected="fichier vide"),
    Case("latin_1_french", BUDGET_EXECUTION,
         csv_bytes(BUDGET, "05;2024;1.50.10;Dépenses réelles;100;100;;90;;", encoding="latin-1"),
         landed_rows=[2], encoding="latin-1", check={"libelle_ligne": "Dépenses réelles"}),
    Case("comma_separator_dot_decimals", BUDGET_EXECUTION,
         csv_bytes(BUDGET.replace(";", ","), "05,2024,1.50.10,Personnel,10.5,11,,9.25,,"),
         landed_rows=[2], check={"paiements": 9.25}),
    Case("no_break_space_thousands", BUDGET_EXECUTION,
         csv_bytes(BUDGET, "05;2024;1.50.10;P;1\u00a0000,5;1\u202f000;;900;;"),
         landed_rows=[2], check={"credits_initiaux": 1000.5, "credits_definitifs": 1000.0}),
    Case("header_case_and_spaces_normalised", BUDGET_EXECUTION,
         csv_bytes(BUDGET.upper().replace(";", " ; "), OK_LINE), landed_rows=[2]),
    Case("extra_columns_ignored", BUDGET_EXECUTION,
         csv_bytes(BUDGET + ";commentaire", OK_LINE + ";à revoir"), landed_rows=[2]),
    Case("unknown_hcp_code", BUDGET_EXECUTION,
         csv_bytes(BUDGET, OK_LINE, "99.999.99.99;2024;1.50.20;x;1;1;;1;;"), landed_rows=[2],
         quarantined=[(3, "code_collectivite", "code collectivité inconnu du référentiel HCP 2024")]),
    Case("malformed_hcp_code", BUDGET_EXECUTION, csv_bytes(BUDGET, "6.181.5.1;2024;1.50.20;x;1;1;;1;;"),
         quarantined=[(2, "code_collectivite", "code HCP mal formé (attendu RR.PPP.CC.NN)")]),
    Case("non_numeric_amount", BUDGET_EXECUTION, csv_bytes(BUDGET, "05;2024;1.50.20;x;1;cent;;1;;"),
         quarantined=[(2, "credits_definitifs", "montant non numérique")]),
    Case("negative_amount", BUDGET_EXECUTION, csv_bytes(BUDGET, "05;2024;1.50.20;x;1;1;;-5;;"),
         quarantined=[(2, "paiements", "montant négatif impossible")]),
    Case("missing_required_year", BUDGET_EXECUTION, csv_bytes(BUDGET, "05;;1.50.20;x;1;1;;1;;"),
         quarantined=[(2, "exercice", "valeur obligatoire manquante")]),
    Case("year_out_of_range", BUDGET_EXECUTION, csv_bytes(BUDGET, "05;1900;1.50.20;x;1;1;;1;;"),
         quarantined=[(2, "exercice", "année hors plage")]),
    Case("year_not_a_number", BUDGET_EXECUTION, csv_bytes(BUDGET, "05;2O24;1.50.20;x;1;1;;1;;"),
         quarantined=[(2, "exercice", "année non numérique")]),
    Case("duplicate_key_in_file", BUDGET_EXECUTION, csv_bytes(BUDGET, OK_LINE, OK_LINE),
         landed_rows=[2],
         quarantined=[(3, "code_collectivite + exercice + code_ligne",
                       "doublon de clé (ligne déjà lue plus haut dans le fichier)")]),
    Case("two_errors_one_row", BUDGET_EXECUTION, csv_bytes(BUDGET, "05;2024;1.50.20;x;abc;-1;;1;;"),
         quarantined=[(2, "credits_definitifs", "montant négatif impossible"),
                      (2, "credits_initiaux", "montant non numérique")]),
    Case("arrears_assessed_after_fiscal_year", REVENUE_ARREARS,
         csv_bytes(ARREARS, "05;2024;TP;TP;2020;1 000,00", "05;2024;TP;TP;2025;10,00"),
         landed_rows=[2],
         quarantined=[(3, "annee_emission", "année d'émission postérieure à l'exercice")]),
    Case("arrears_tax_not_in_list", REVENUE_ARREARS, csv_bytes(ARREARS, "05;2024;XYZ;?;2021;10"),
         quarantined=[(2, "code_taxe", "valeur hors liste (TP, TH, TSC, TNB, TC, TL, ODP, SOUK)")]),
    Case("payment_date_outside_fiscal_year", PAYMENTS,
         csv_bytes(PAY, "05;2024;M1;15/03/2024;ICE1;F1;100;1.50.40;vise",
                   "05;2024;M2;02/01/2025;ICE1;F2;100;1.50.40;vise"),
         landed_rows=[2], quarantined=[(3, "date_mandat", "date hors de l'exercice")]),
    Case("payment_date_unreadable", PAYMENTS,
         csv_bytes(PAY, "05;2024;M1;31/02/2024;ICE1;F1;100;1.50.40;vise"),
         quarantined=[(2, "date_mandat", "date illisible (attendu jj/mm/aaaa ou aaaa-mm-jj)")]),
    Case("payment_iso_date", PAYMENTS, csv_bytes(PAY, "05;2024;M1;2024-12-31;ICE1;F1;100;1.50.40;vise"),
         landed_rows=[2], check={"date_mandat": pl.date(2024, 12, 31)}),
    Case("payment_status_not_in_list", PAYMENTS,
         csv_bytes(PAY, "05;2024;M1;2024-12-31;ICE1;F1;100;1.50.40;payé"),
         quarantined=[(2, "statut", "valeur hors liste (vise, rejete)")]),
    Case("payroll_month_13", PAYROLL, csv_bytes(PAYROLL_HEADER, "05;2024;13;A1;C1;R1;g;s;7000;"),
         quarantined=[(2, "mois", "valeur hors plage (1 à 12)")]),
    Case("payroll_month_not_whole", PAYROLL, csv_bytes(PAYROLL_HEADER, "05;2024;3,5;A1;C1;R1;g;s;7000;"),
         quarantined=[(2, "mois", "nombre entier non numérique")]),
    Case("procurement_awarded_before_launch", PROCUREMENT,
         csv_bytes(PROC, "05;2024;AO-1;appel_offres_ouvert;o;2.20.10;ICE9;100;3;90;90;"
                   "10/06/2024;01/06/2024;30;30"),
         quarantined=[(2, "date_attribution", "attribution avant le lancement")]),
    Case("audit_cell_charter_before_creation", AUDIT_CELLS,
         csv_bytes(CELLS, "05;01/03/2022;01/01/2021;2;400"),
         quarantined=[(2, "date_adoption_charte", "charte adoptée avant la création")]),
    Case("mission_end_before_start", AUDIT_MISSIONS,
         csv_bytes(MISSIONS, "M-1;05;2024;annuel;audit_interne;recettes;01/05/2024;01/04/2024;;;20;;planifiee"),
         quarantined=[(2, "date_fin_prevue", "fin prévue avant le début prévu")]),
    Case("finding_criticality_5", FINDINGS,
         csv_bytes(FINDINGS_HEADER, "C-1;M-1;05;REV;;;5;;01/06/2024"),
         quarantined=[(2, "criticite", "valeur hors plage (1 à 4)")]),
    Case("verified_by_the_auditee", RECOMMENDATION_EVENTS,
         csv_bytes(EVENTS, "R-1;05;01/06/2024;verifiee;audite;"),
         quarantined=[(2, "declare_par", "seul un auditeur peut vérifier une recommandation")]),
    Case("surpluses_thousands_spaces_no_allocation", AVAILABLE_SURPLUSES,
         csv_bytes(SURPLUSES, "06.181.05.01;2024;principal;12 500 000,00;;12 500 000,00"),
         landed_rows=[2],
         check={"excedent_disponible": 12_500_000.0, "excedent_affecte": None}),
    Case("surpluses_available_above_cumulative", AVAILABLE_SURPLUSES,
         csv_bytes(SURPLUSES, "05;2024;principal;9 000 000;4 000 000;5 000 000",
                   "06;2024;principal;5 000 000;0;9 000 000"),
         landed_rows=[2],
         quarantined=[(3, "excedent_disponible", "excédent disponible supérieur à l'excédent cumulé")]),
    Case("surpluses_budget_not_in_list", AVAILABLE_SURPLUSES,
         csv_bytes(SURPLUSES, "05;2024;FDR;1 000;;1 000"),
         quarantined=[(2, "budget", "valeur hors liste (principal, annexe, comptes_speciaux)")]),
    Case("surpluses_negative_available", AVAILABLE_SURPLUSES,
         csv_bytes(SURPLUSES, "05;2024;principal;1 000;1 500;-500"),
         quarantined=[(2, "excedent_disponible", "montant négatif impossible")]),
    Case("permit_without_receipt_lands", URBANISM_PERMITS,  # a finding, not a broken row
         csv_bytes(PERMITS, "06.181.05.01;2024;PC-2024/0012;construire;14/03/2024;",
                   "06.181.05.01;2024;PC-2024/0013;construire;15/03/2024;QT-2024-000871"),
         landed_rows=[2, 3], check={"reference_quittance": None}),
    Case("permit_issued_outside_fiscal_year", URBANISM_PERMITS,
         csv_bytes(PERMITS, "06.181.05.01;2024;PC-2024/0014;lotir;03/01/2025;QT-2025-000002"),
         quarantined=[(2, "date_delivrance", "date hors de l'exercice")]),
    Case("permit_kind_not_in_list", URBANISM_PERMITS,
         csv_bytes(PERMITS, "06.181.05.01;2024;PC-2024/0015;permis de construire;04/04/2024;Q1"),
         quarantined=[(2, "type_autorisation",
                       "valeur hors liste (construire, lotir, morceler, demolir, habiter)")]),
    Case("permit_number_twice", URBANISM_PERMITS,
         csv_bytes(PERMITS, "06.181.05.01;2024;PC-2024/0016;construire;05/04/2024;Q2",
                   "06.181.05.01;2024;PC-2024/0016;construire;05/04/2024;Q2"),
         landed_rows=[2],
         quarantined=[(3, "code_collectivite + exercice + numero_autorisation",
                       "doublon de clé (ligne déjà lue plus haut dans le fichier)")]),
    Case("empty_file", BUDGET_EXECUTION, b"", rejected="fichier vide"),
    Case("whitespace_only_file", BUDGET_EXECUTION, b"  \r\n\r\n", rejected="fichier vide"),
    Case("header_only", BUDGET_EXECUTION, csv_bytes(BUDGET),
         rejected="aucune ligne de données sous l'en-tête"),
    Case("required_column_missing", REVENUE_ARREARS,
         csv_bytes("code_collectivite;exercice;code_taxe;annee_emission", "05;2024;TP;2020"),
         rejected="colonne(s) obligatoire(s) absente(s) : libelle_taxe, reste_a_recouvrer"),
    Case("ragged_line", BUDGET_EXECUTION, csv_bytes(BUDGET, OK_LINE + ";;;;extra;fields"),
         quarantined=[(2, "champ 11 (hors en-tête)", TOO_LONG.format(15))]),
    Case("truncated_last_line", BUDGET_EXECUTION,  # cut in transfer inside the first amount
         csv_bytes(BUDGET, OK_LINE)
         + "05;2024;2.20.10;Équipements et bâtiments;4 ".encode("utf-8-sig")[3:],
         rejected="fichier tronqué : la dernière ligne (ligne 3) s'arrête après 5 champ(s) sur "
                  "10, sans fin de ligne (transfert interrompu ?) ; aucune ligne chargée, "
                  "renvoyer le fichier complet"),
    Case("short_last_line_with_terminator", BUDGET_EXECUTION,
         csv_bytes(BUDGET, OK_LINE, "05;2024;2.20.10;Équipements et bâtiments;4 "),
         landed_rows=[2], quarantined=[(3, "credits_definitifs", SHORT.format(5))]),
    Case("line_with_an_extra_field", BUDGET_EXECUTION,
         csv_bytes(BUDGET, OK_LINE, "05;2024;1.50.20;Matériel;1 000;1 000;;900;;;12",
                   "06;2024;1.50.10;Personnel;100;100;;90;;"),
         landed_rows=[2, 4], quarantined=[(3, "champ 11 (hors en-tête)", TOO_LONG.format(11))]),
    Case("line_with_a_missing_field_in_the_middle", BUDGET_EXECUTION,
         csv_bytes(BUDGET, OK_LINE, "05;2024;1.50.20;Matériel;1 000;;900;;",
                   "06;2024;1.50.10;Personnel;100;100;;90;;"),
         landed_rows=[2, 4], quarantined=[(3, "recouvrements", SHORT.format(9))]),
    Case("quoted_field_holding_the_separator", BUDGET_EXECUTION,
         csv_bytes(BUDGET, '05;2024;1.50.20;"Voirie; éclairage";1;1;;1;;'),
         landed_rows=[2], check={"libelle_ligne": "Voirie; éclairage", "paiements": 1.0}),
    Case("blank_line_between_rows_is_not_a_row", BUDGET_EXECUTION,
         csv_bytes(BUDGET, OK_LINE, "", "06;2024;1.50.10;Personnel;100;100;;90;;"),
         landed_rows=[2, 4]),
    Case("cut_inside_a_quoted_field", BUDGET_EXECUTION,
         csv_bytes(BUDGET, OK_LINE)[:-2] + b'\r\n05;2024;1.50.20;"Voirie',
         rejected="structure CSV illisible"),
    Case("questionnaire_with_title_block", IC_DIAGNOSTIC, workbook_bytes(), landed_rows=[6],
         check={"code_collectivite": "06.181.05.01", "exercice": 2024, "score": 3}),
    Case("questionnaire_wrong_sheet", IC_DIAGNOSTIC, workbook_bytes(sheet="Feuil1"),
         rejected="feuille « Questionnaire » introuvable (feuilles du classeur : Feuil1)"),
    Case("questionnaire_without_collectivity", IC_DIAGNOSTIC,
         workbook_bytes(title=("Campagne : 2024",)),
         rejected="bloc de titre incomplet : « Code collectivité : … » absent"),
    Case("questionnaire_score_out_of_range", IC_DIAGNOSTIC,
         workbook_bytes(rows=(("CE-01", "environnement_controle", 1, "?", 7, ""),)),
         quarantined=[(6, "score", "valeur hors plage (0 à 5)")]),
    Case("questionnaire_not_a_workbook", IC_DIAGNOSTIC, b"PK\x03\x04 not really a zip",
         rejected="classeur XLSX illisible (BadZipFile)"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case, tmp_path: Path) -> None:
    suffix = ".xlsx" if case.contract.sheet_name else ".csv"
    path = tmp_path / f"{case.name}{suffix}"
    path.write_bytes(case.content)
    if case.rejected is not None:
        with pytest.raises(FileRejected) as error:
            read_export(path, case.contract, KNOWN)
        assert error.value.problem.startswith(case.rejected)
        assert str(error.value).startswith(f"{path.name} : ")
        return
    result = read_export(path, case.contract, KNOWN)
    assert result.landed["source_row"].to_list() == case.landed_rows
    got = [
        (r["source_row"], r["column_name"], r["reason"])
        for r in result.quarantined.iter_rows(named=True)
    ]
    assert got == case.quarantined
    assert result.rows_read == len(case.landed_rows) + len({q[0] for q in case.quarantined})
    if case.encoding:
        assert result.encoding == case.encoding
    for column, value in case.check.items():
        expected = pl.select(value).item() if isinstance(value, pl.Expr) else value
        assert result.landed[column][0] == expected


def test_the_corpus_has_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30


# --- the inbox: manifest, idempotency, replacement ---------------------------------------


def drop(inbox: Path, name: str, content: bytes, age_s: float = 0) -> Path:
    path = inbox / "budget_execution" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    if age_s:
        stamp = time.time() - age_s
        os.utime(path, (stamp, stamp))
    return path


def manifest_rows(result) -> list[tuple]:
    return result.manifest.select(
        "source_file", "status", "rows_read", "rows_landed", "rows_quarantined", "rows_in_force"
    ).rows()


def test_a_rejected_file_does_not_stop_the_inbox(tmp_path: Path) -> None:
    inbox, raw = tmp_path / "inbox", tmp_path / "raw"
    drop(inbox, "a.csv", csv_bytes(BUDGET, "05;2024;1.50.10;ok;1;1;;1;;"))
    drop(inbox, "b.csv", b"")
    drop(
        inbox,
        "c.csv",
        csv_bytes(BUDGET, "05;2023;1.50.10;ok;1;1;;1;;", "05;2023;1.50.20;x;1;x;;1;;"),
    )
    result = ingest_source(inbox, BUDGET_EXECUTION, KNOWN, raw)
    assert manifest_rows(result) == [
        ("a.csv", "loaded", 1, 1, 0, 1),
        ("b.csv", "rejected", 0, 0, 0, 0),
        ("c.csv", "loaded", 2, 1, 1, 1),
    ]
    assert result.rejected_files["message"].to_list() == ["fichier vide"]
    assert result.quarantined.select("source_file", "source_row", "reason").rows() == [
        ("c.csv", 3, "montant non numérique")
    ]
    assert result.fiscal_years == [2023, 2024]


def test_reingesting_the_same_file_changes_nothing(tmp_path: Path) -> None:
    inbox, raw = tmp_path / "inbox", tmp_path / "raw"
    drop(inbox, "a.csv", csv_bytes(BUDGET, "05;2024;1.50.10;ok;1;1;;1;;"))
    first = ingest_source(inbox, BUDGET_EXECUTION, KNOWN, raw)
    write_dataset(first, raw)
    written = (raw / "tgr" / "budget_execution" / "fiscal_year=2024.parquet").read_bytes()
    drop(inbox, "copy_of_a.csv", (inbox / "budget_execution" / "a.csv").read_bytes())
    second = ingest_source(inbox, BUDGET_EXECUTION, KNOWN, raw)
    write_dataset(second, raw)
    assert second.new_files.is_empty()  # same bytes, whatever the name: already ingested
    assert second.manifest.equals(first.manifest)
    assert second.landed.equals(first.landed)
    assert (raw / "tgr" / "budget_execution" / "fiscal_year=2024.parquet").read_bytes() == written


def test_a_corrected_file_replaces_the_earlier_one(tmp_path: Path) -> None:
    inbox, raw = tmp_path / "inbox", tmp_path / "raw"
    drop(
        inbox,
        "v1.csv",
        csv_bytes(BUDGET, "05;2024;1.50.10;p;1;1;;100;;", "05;2024;1.50.20;u;1;1;;7;;"),
    )
    drop(inbox, "other.csv", csv_bytes(BUDGET, "06;2024;1.50.10;p;1;1;;50;;"))
    ingest_source(inbox, BUDGET_EXECUTION, KNOWN, raw)
    drop(inbox, "v2.csv", csv_bytes(BUDGET, "05;2024;1.50.10;p;1;1;;120;;"))
    result = ingest_source(inbox, BUDGET_EXECUTION, KNOWN, raw)
    landed = result.landed.sort("code_collectivite", "code_ligne")
    assert landed.select("code_collectivite", "code_ligne", "paiements", "source_file").rows() == [
        ("05", "1.50.10", 120.0, "v2.csv"),  # line 1.50.20 went with the superseded file
        ("06", "1.50.10", 50.0, "other.csv"),  # another collectivity: untouched
    ]
    statuses = {row[0]: row[1] for row in manifest_rows(result)}
    assert statuses == {"v1.csv": "superseded", "other.csv": "loaded", "v2.csv": "loaded"}


def test_read_always_equals_landed_plus_quarantined(tmp_path: Path) -> None:
    inbox, raw = tmp_path / "inbox", tmp_path / "raw"
    for case in CASES:
        if case.contract is BUDGET_EXECUTION:
            drop(inbox, f"{case.name}.csv", case.content)
    manifest = ingest_source(inbox, BUDGET_EXECUTION, KNOWN, raw).manifest
    assert (manifest["rows_read"] == manifest["rows_landed"] + manifest["rows_quarantined"]).all()
    rejected = manifest.filter(pl.col("status") == "rejected")["source_file"].to_list()
    assert sorted(rejected) == [
        "bom_only_file.csv", "cut_inside_a_quoted_field.csv", "empty_file.csv",
        "header_only.csv", "truncated_last_line.csv", "whitespace_only_file.csv",
    ]  # fmt: skip
