"""A realistic set of broken exports, with the outcome the readers must give each one.

``write_broken(inbox)`` drops files named ``zz_…`` (they sort after the good ones) into the
inbox folders of several sources and returns, for each, what ingestion must do with it:
``rejected`` with the exact message of ``ingestion.readers``, or ``loaded`` with the encoding and
separator it was read with and the rows it sends to quarantine (spreadsheet row number, column,
reason). Tests ingest a folder holding only these files and compare.

Every file uses the pilot's collectivities (``06.181.05.01``, ``05``, ``06``, ``06.141.01.0``),
fiscal year 2019 (before any generated year, so that a loaded broken file never supersedes
generated data) and budget lines of ``dbt_project/seeds/budget_nomenclature.csv``; loaded
files of the same source cover different collectivities, so none supersedes another. Their
rows land (that is the point: the quarantine is shown), but a year with the budget of a single
collectivity is not scored (``min_collectivities_per_scored_year``, docs/methodology.md §5),
so they do not create a fiscal year 2019 in the scores, ranks or programme.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from ingestion import contracts

FILE_EMPTY = "fichier vide"
NO_ROWS = "aucune ligne de données sous l'en-tête"
MISSING = "colonne(s) obligatoire(s) absente(s) : {}"
NO_SHEET = "feuille « {} » introuvable (feuilles du classeur : {})"
NO_TITLE = "bloc de titre incomplet : « {} : … » absent"
QUARANTINED = "{} ligne(s) en quarantaine"
UNKNOWN_CODE = "code collectivité inconnu du référentiel HCP 2024"
BAD_CODE = "code HCP mal formé (attendu RR.PPP.CC.NN)"
NOT_NUMERIC = "montant non numérique"
NEGATIVE = "montant négatif impossible"
DUPLICATE = "doublon de clé (ligne déjà lue plus haut dans le fichier)"
OUTSIDE_YEAR = "date hors de l'exercice"
BAD_DATE = "date illisible (attendu jj/mm/aaaa ou aaaa-mm-jj)"
REQUIRED = "valeur obligatoire manquante"

BUDGET_HEADER = contracts.BUDGET_EXECUTION.header
PAYMENT_HEADER = contracts.PAYMENTS.header
PROCUREMENT_HEADER = contracts.PROCUREMENT.header
MISSION_HEADER = contracts.AUDIT_MISSIONS.header
IC_HEADER = contracts.IC_DIAGNOSTIC.header


def _csv_text(header: list[str], rows: list[list], separator: str = ";") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _write_workbook(path: Path, sheet: str, title: list[str], rows: list[list]) -> None:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    workbook = xlsxwriter.Workbook(str(tmp))
    workbook.set_properties({"created": dt.datetime(2019, 12, 31)})
    worksheet = workbook.add_worksheet(sheet)
    for r, line in enumerate(title):
        worksheet.write(r, 0, line)
    worksheet.write_row(len(title) + 1, 0, IC_HEADER)
    for r, row in enumerate(rows, start=len(title) + 2):
        worksheet.write_row(r, 0, row)
    workbook.close()
    tmp.replace(path)


def _questions(scores: list[int]) -> list[list]:
    components = ["environnement_controle"] * 2 + ["evaluation_risques"] * 2
    return [
        [
            f"{'CE' if i < 2 else 'ER'}-{i % 2 + 1:02d}",
            components[i],
            1 if i < 2 else 6,
            "…",
            s,
            None,
        ]
        for i, s in enumerate(scores)
    ]


def _q(row: int, column: str, reason: str) -> dict:
    return {"source_row": row, "column_name": column, "reason": reason}


def _case(file, entity, expected, description, message=None, **extra) -> dict:
    return {
        "file": file,
        "entity": entity,
        "expected": expected,
        "description": description,
        "message": message,
        "encoding": extra.get("encoding"),
        "separator": extra.get("separator"),
        "quarantine": extra.get("quarantine", []),
    }


def write_broken(inbox: Path) -> list[dict]:
    """Write the broken files into `inbox`; returns what ingestion must make of each."""
    cases: list[dict] = []
    code = "06.181.05.01"

    # 1. Windows-1256 with Arabic labels: valid, must load, encoding reported
    name = "budget_execution/zz_arabe_cp1256_061810501_2019.csv"
    rows = [
        [code, 2019, "1.10.10", "حصة من منتوج الضريبة على القيمة المضافة", "", "", "", "",
         "52 000 000,00", "52 000 000,00"],
        [code, 2019, "1.20.10", "الرسم المهني", "", "", "", "", "61 250 000,00", "48 100 000,00"],
        [code, 2019, "1.50.10", "نفقات الموظفين", "30 000 000,00", "30 500 000,00",
         "29 800 000,00", "29 700 000,00", "", ""],
        [code, 2019, "2.20.10", "أشغال الطرق والشبكات", "40 000 000,00", "45 000 000,00",
         "31 000 000,00", "18 400 000,00", "", ""],
    ]  # fmt: skip
    _write_bytes(inbox / name, _csv_text(BUDGET_HEADER, rows).encode("cp1256"))
    cases.append(
        _case(name, "budget_execution", "loaded", "Windows-1256, libellés en arabe",
              encoding="cp1256", separator=";")
    )  # fmt: skip

    # 2. Latin-1 (lower-case accents only: capitals such as É read as Arabic in Windows-1256)
    name = "revenue_arrears/zz_latin1_061810501_2019.csv"
    rows = [
        [code, 2019, "TNB", "Taxe sur les terrains urbains non bâtis", 2016, "1 250 000,00"],
        [code, 2019, "TH", "Taxe d'habitation", 2018, "310 400,50"],
        [code, 2019, "ODP", "Redevance d'occupation du domaine public (dépôts)", 2019, "84 000,00"],
    ]
    header = ["code_collectivite", "exercice", "code_taxe", "libelle_taxe", "annee_emission",
              "reste_a_recouvrer"]  # fmt: skip
    _write_bytes(inbox / name, _csv_text(header, rows).encode("latin-1"))
    cases.append(
        _case(name, "revenue_arrears", "loaded", "Latin-1", encoding="latin-1", separator=";")
    )

    # 3. comma-separated, no BOM, dot decimals, ISO dates
    name = "payments/zz_virgule_05_2019.csv"
    rows = [
        ["05", 2019, "2019/000001", "2019-02-12", "001525736000088", "FA-2019/101", "125430.50",
         "2.20.10", "vise"],
        ["05", 2019, "2019/000002", "2019-03-05", "002745190000061", "F2019-0032", "8420.00",
         "1.50.40", "vise"],
        ["05", 2019, "2019/000003", "2019-12-27", "001525736000088", "FA-2019/188", "990000.00",
         "2.20.20", "rejete"],
    ]  # fmt: skip
    _write_bytes(inbox / name, _csv_text(PAYMENT_HEADER, rows, ",").encode("utf-8"))
    cases.append(
        _case(name, "payments", "loaded", "séparateur virgule, décimales à point, dates ISO",
              encoding="utf-8", separator=",")
    )  # fmt: skip

    # 4. empty file
    name = "procurement/zz_vide_061810501_2019.csv"
    _write_bytes(inbox / name, b"")
    cases.append(_case(name, "procurement", "rejected", "fichier vide", FILE_EMPTY))

    # 5. header only
    name = "debt/zz_entete_seule_061810501_2019.csv"
    header = ["code_collectivite", "exercice", "reference_pret", "preteur",
              "encours_fin_exercice", "interets_payes", "principal_rembourse"]  # fmt: skip
    _write_bytes(inbox / name, _csv_text(header, []).encode("utf-8-sig"))
    cases.append(_case(name, "debt", "rejected", "en-tête sans lignes", NO_ROWS))

    # 6. a required column missing (rib_hash)
    name = "payroll/zz_colonne_manquante_061810501_2019.csv"
    header = ["code_collectivite", "exercice", "mois", "id_agent", "cin_hash", "grade",
              "affectation", "salaire_brut", "date_cessation"]  # fmt: skip
    rows = [[code, 2019, 1, "a" * 64, "b" * 64, "Rédacteur", "Bureau d'ordre", "7000,00", ""]]
    _write_bytes(inbox / name, _csv_text(header, rows).encode("utf-8-sig"))
    cases.append(
        _case(name, "payroll", "rejected", "colonne rib_hash absente", MISSING.format("rib_hash"))
    )

    # 7. questionnaire on the wrong sheet
    name = "ic_diagnostic/zz_mauvaise_feuille_061810501_2019.xlsx"
    title = ["Diagnostic du contrôle interne", f"Code collectivité : {code}", "Campagne : 2019"]
    _write_workbook(inbox / name, "Feuil1", title, _questions([3, 2, 4, 1]))
    cases.append(
        _case(name, "ic_diagnostic", "rejected", "feuille mal nommée",
              NO_SHEET.format("Questionnaire", "Feuil1"))
    )  # fmt: skip

    # 8. title block without the collectivity
    name = "ic_diagnostic/zz_sans_code_collectivite_2019.xlsx"
    title = ["Diagnostic du contrôle interne", "Collectivité : My Abdellah", "Campagne : 2019"]
    _write_workbook(inbox / name, "Questionnaire", title, _questions([3, 2, 4, 1]))
    cases.append(
        _case(name, "ic_diagnostic", "rejected", "bloc de titre sans code collectivité",
              NO_TITLE.format("Code collectivité"))
    )  # fmt: skip

    # 9. a questionnaire that loads, with one score out of range (row numbers under the title)
    name = "ic_diagnostic/zz_score_hors_plage_05_2019.xlsx"
    title = ["Diagnostic du contrôle interne", "Code collectivité : 05", "Campagne : 2019"]
    _write_workbook(inbox / name, "Questionnaire", title, _questions([3, 7, 4, 1]))
    cases.append(
        _case(name, "ic_diagnostic", "loaded", "score 7 hors de l'échelle 0–5",
              QUARANTINED.format(1), encoding="xlsx", separator="",
              quarantine=[_q(7, "score", "valeur hors plage (0 à 5)")])
    )  # fmt: skip

    # 10. payments: unknown HCP code, non-numeric and negative amounts, duplicate key,
    #     date outside the fiscal year, unreadable date, among valid rows
    name = "payments/zz_lignes_invalides_061810501_2019.csv"
    ice = "001525736000088"
    tail = ["1.50.40", "vise"]  # budget line, visa
    rows = [
        [code, 2019, "2019/000101", "15/01/2019", ice, "FA-2019/001", "12 500,00", *tail],
        ["06.181.05.99", 2019, "2019/000102", "16/01/2019", ice, "FA-2019/002", "9 800,00", *tail],
        [code, 2019, "2019/000103", "17/01/2019", ice, "FA-2019/003", "12O 000,00", *tail],
        [code, 2019, "2019/000104", "18/01/2019", ice, "FA-2019/004", "-1 500,00", *tail],
        [code, 2019, "2019/000101", "19/01/2019", ice, "FA-2019/005", "4 200,00", *tail],
        [code, 2019, "2019/000105", "28/12/2018", ice, "FA-2018/190", "7 300,00", *tail],
        [code, 2019, "2019/000106", "31/02/2019", ice, "FA-2019/006", "2 150,00", *tail],
        [code, 2019, "2019/000107", "22/01/2019", ice, "FA-2019/007", "66 000,00", *tail],
    ]  # fmt: skip
    _write_bytes(inbox / name, _csv_text(PAYMENT_HEADER, rows).encode("utf-8-sig"))
    cases.append(
        _case(name, "payments", "loaded", "lignes invalides parmi des lignes valides",
              QUARANTINED.format(6), encoding="utf-8-sig", separator=";",
              quarantine=[
                  _q(3, "code_collectivite", UNKNOWN_CODE),
                  _q(4, "montant", NOT_NUMERIC),
                  _q(5, "montant", NEGATIVE),
                  _q(6, "code_collectivite + exercice + numero_mandat", DUPLICATE),
                  _q(7, "date_mandat", OUTSIDE_YEAR),
                  _q(8, "date_mandat", BAD_DATE),
              ])
    )  # fmt: skip

    # 11. procurement: award before launch, award outside the year, unknown procedure,
    #     negative number of bids
    name = "procurement/zz_dates_incoherentes_06_2019.csv"
    base = ["Acquisition de mobilier de bureau", "2.20.20", "002745190000061", "310 000,00"]
    rows = [
        ["06", 2019, "AO-001/2019", "appel_offres_ouvert", *base, 4, "298 000,00", "298 000,00",
         "02/03/2019", "15/04/2019", 90, 95],
        ["06", 2019, "AO-002/2019", "appel_offres_ouvert", *base, 3, "301 000,00", "301 000,00",
         "20/05/2019", "02/05/2019", 90, 92],
        ["06", 2019, "AO-003/2019", "appel_offres_ouvert", *base, 2, "305 000,00", "305 000,00",
         "10/11/2019", "06/01/2025", 60, ""],
        ["06", 2019, "GG-004/2019", "gre_a_gre", *base, 1, "280 000,00", "280 000,00",
         "02/06/2019", "20/06/2019", 60, 60],
        ["06", 2019, "AO-005/2019", "appel_offres_restreint", *base, -1, "299 000,00", "",
         "01/07/2019", "30/07/2019", 90, ""],
    ]  # fmt: skip
    _write_bytes(inbox / name, _csv_text(PROCUREMENT_HEADER, rows).encode("utf-8-sig"))
    procedures = "appel_offres_ouvert, appel_offres_restreint, negocie, bon_commande"
    cases.append(
        _case(name, "procurement", "loaded", "dates et codes incohérents",
              QUARANTINED.format(4), encoding="utf-8-sig", separator=";",
              quarantine=[
                  _q(3, "date_attribution", "attribution avant le lancement"),
                  _q(4, "date_attribution", OUTSIDE_YEAR),
                  _q(5, "type_procedure", f"valeur hors liste ({procedures})"),
                  _q(6, "nb_offres", "valeur hors plage (0 à …)"),
              ])
    )  # fmt: skip

    # 12. missions: malformed HCP code, planned end before start, unknown status, no reference
    name = "missions/zz_missions_invalides.csv"
    rows = [
        ["M-2019-ZZ-01", "06.181.05.01", 2019, "annuel", "audit_interne", "recettes",
         "01/03/2019", "30/04/2019", "05/03/2019", "02/05/2019", 40, 44, "cloturee"],
        ["M-2019-ZZ-02", "6.181.5.1", 2019, "annuel", "audit_interne", "paie",
         "01/03/2019", "30/04/2019", "", "", 40, "", "planifiee"],
        ["M-2019-ZZ-03", "06.181.05.01", 2019, "annuel", "IGAT", "urbanisme",
         "01/06/2019", "15/05/2019", "", "", 60, "", "planifiee"],
        ["M-2019-ZZ-04", "06.181.05.01", 2019, "annuel", "audit_interne", "paie",
         "01/09/2019", "30/09/2019", "01/09/2019", "", 20, 12, "terminee"],
        ["", "06.181.05.01", 2019, "annuel", "audit_interne", "gouvernance",
         "01/10/2019", "30/10/2019", "", "", 20, "", "planifiee"],
    ]  # fmt: skip
    _write_bytes(inbox / name, _csv_text(MISSION_HEADER, rows).encode("utf-8-sig"))
    statuses = "planifiee, en_cours, rapport, cloturee, annulee"
    cases.append(
        _case(name, "missions", "loaded", "code mal formé, dates inversées, statut inconnu",
              QUARANTINED.format(4), encoding="utf-8-sig", separator=";",
              quarantine=[
                  _q(3, "code_collectivite", BAD_CODE),
                  _q(4, "date_fin_prevue", "fin prévue avant le début prévu"),
                  _q(5, "statut", f"valeur hors liste ({statuses})"),
                  _q(6, "reference_mission", REQUIRED),
              ])
    )  # fmt: skip

    # 13. follow-up: a recommendation "verified" by the audited
    name = "recommendation_events/zz_suivi_verifie_par_audite.csv"
    header = ["reference_recommandation", "code_collectivite", "date_evenement", "statut",
              "declare_par", "preuve"]  # fmt: skip
    rows = [
        ["R-2019-ZZ-01-01-1", code, "2019-05-02", "non_demarree", "auditeur", ""],
        ["R-2019-ZZ-01-01-1", code, "2019-09-10", "mise_en_oeuvre", "audite", "Note de service"],
        ["R-2019-ZZ-01-01-1", code, "2019-10-01", "verifiee", "audite", ""],
    ]
    _write_bytes(inbox / name, _csv_text(header, rows).encode("utf-8-sig"))
    cases.append(
        _case(name, "recommendation_events", "loaded", "vérification déclarée par l'audité",
              QUARANTINED.format(1), encoding="utf-8-sig", separator=";",
              quarantine=[
                  _q(4, "declare_par", "seul un auditeur peut vérifier une recommandation")
              ])
    )  # fmt: skip

    # 14. audit cells: charter adopted before the cell existed
    name = "audit_cells/zz_cellules_charte_anterieure.csv"
    header = ["code_collectivite", "date_creation", "date_adoption_charte", "nb_auditeurs",
              "jours_auditeur_an"]  # fmt: skip
    rows = [
        ["06.141.01.0", "02/09/2016", "19/02/2022", 5, 1000],
        ["06", "13/07/2022", "10/07/2016", 3, 600],
    ]
    _write_bytes(inbox / name, _csv_text(header, rows).encode("utf-8-sig"))
    cases.append(
        _case(name, "audit_cells", "loaded", "charte adoptée avant la création de la cellule",
              QUARANTINED.format(1), encoding="utf-8-sig", separator=";",
              quarantine=[
                  _q(3, "date_adoption_charte", "charte adoptée avant la création")
              ])
    )  # fmt: skip
    return cases
