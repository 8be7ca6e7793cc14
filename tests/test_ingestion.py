"""Readers and contracts on crafted exports: what lands, what is quarantined, what is rejected."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ingestion.contracts import BUDGET_EXECUTION, REVENUE_ARREARS
from ingestion.inbox import ingest_source
from ingestion.readers import FileRejected, read_export

KNOWN = {"06.181.05.01", "06.141.01.0", "05"}
HEADER = (
    "code_collectivite;exercice;code_ligne;libelle_ligne;credits_initiaux;credits_definitifs;"
    "engagements;paiements;emissions;recouvrements"
)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def budget(tmp_path: Path, *lines: str, name: str = "budget.csv", **kw) -> Path:
    return write(tmp_path, name, "\r\n".join([HEADER, *lines]) + "\r\n", **kw)


def quarantine_reasons(result) -> list[tuple[int, str, str]]:
    return [
        (row["source_row"], row["column_name"], row["reason"])
        for row in result.quarantined.iter_rows(named=True)
    ]


def test_french_amounts_with_thousands_spaces_and_bom(tmp_path: Path) -> None:
    path = budget(
        tmp_path,
        "06.181.05.01;2024;1.50.10;Dépenses de personnel;1 234 567,89;1\u00a0300\u00a0000,5;;"
        "1\u202f000,25;;",
        encoding="utf-8-sig",
    )
    result = read_export(path, BUDGET_EXECUTION, KNOWN)
    row = result.landed.row(0, named=True)
    assert row["credits_initiaux"] == pytest.approx(1_234_567.89)
    assert row["credits_definitifs"] == pytest.approx(1_300_000.5)
    assert row["paiements"] == pytest.approx(1_000.25)
    assert row["engagements"] is None  # empty optional amount stays missing, not zero
    assert row["libelle_ligne"] == "Dépenses de personnel"
    assert result.encoding == "utf-8-sig"
    assert result.quarantined.is_empty()


def test_comma_separated_export_with_dot_decimals(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "budget.csv",
        HEADER.replace(";", ",") + "\n06.181.05.01,2024,1.50.10,Personnel,10.5,11,,9.25,,\n",
    )
    result = read_export(path, BUDGET_EXECUTION, KNOWN)
    assert result.separator == ","
    assert result.landed["paiements"].to_list() == [9.25]


def test_windows_1256_arabic_labels_are_decoded(tmp_path: Path) -> None:
    path = budget(tmp_path, "05;2024;1.50.10;نفقات الموظفين;100;100;;90;;", encoding="cp1256")
    result = read_export(path, BUDGET_EXECUTION, KNOWN)
    assert result.encoding == "cp1256"
    assert result.landed["libelle_ligne"].to_list() == ["نفقات الموظفين"]


def test_latin_1_french_labels_are_decoded(tmp_path: Path) -> None:
    path = budget(tmp_path, "05;2024;1.50.10;Dépenses;100;100;;90;;", encoding="latin-1")
    result = read_export(path, BUDGET_EXECUTION, KNOWN)
    assert result.encoding == "latin-1"
    assert result.landed["libelle_ligne"].to_list() == ["Dépenses"]


def test_bad_rows_are_quarantined_and_valid_rows_land(tmp_path: Path) -> None:
    path = budget(
        tmp_path,
        "06.181.05.01;2024;1.50.10;ok;100;100;;90;;",  # row 2: valid
        "99.999.99.99;2024;1.50.20;unknown code;100;100;;90;;",  # row 3
        "06.181.05.01;2024;1.50.30;text amount;100;cent;;90;;",  # row 4
        "06.181.05.01;2024;1.50.40;negative;100;100;;-5;;",  # row 5
        "06.181.05.01;;1.50.50;no year;100;100;;90;;",  # row 6
        "06.181.05.01;2024;1.50.10;duplicate of row 2;100;100;;90;;",  # row 7
        "6.181.5.1;2024;1.50.20;malformed code;100;100;;90;;",  # row 8
    )
    result = read_export(path, BUDGET_EXECUTION, KNOWN)
    assert result.landed["source_row"].to_list() == [2]
    assert quarantine_reasons(result) == [
        (3, "code_collectivite", "code collectivité inconnu du référentiel HCP 2024"),
        (4, "credits_definitifs", "montant non numérique"),
        (5, "paiements", "montant négatif impossible"),
        (6, "exercice", "valeur obligatoire manquante"),
        (
            7,
            "code_collectivite + exercice + code_ligne",
            "doublon de clé (ligne déjà lue plus haut dans le fichier)",
        ),
        (8, "code_collectivite", "code HCP mal formé (attendu RR.PPP.CC.NN)"),
    ]
    assert result.quarantined["raw_value"].to_list()[:3] == ["99.999.99.99", "cent", "-5"]
    assert result.rows_read == 7 == result.landed.height + 6


def test_row_with_two_errors_is_counted_once(tmp_path: Path) -> None:
    path = budget(tmp_path, "06.181.05.01;2024;1.50.10;two errors;abc;-1;;90;;")
    result = read_export(path, BUDGET_EXECUTION, KNOWN)
    assert result.landed.is_empty()
    assert result.quarantined.height == 2
    assert result.rows_read == 1


def test_arrears_rules_assessment_after_fiscal_year_and_unknown_tax(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "rar.csv",
        "code_collectivite;exercice;code_taxe;libelle_taxe;annee_emission;reste_a_recouvrer\n"
        "05;2024;TP;Taxe professionnelle;2020;1 000,00\n"
        "05;2024;TP;Taxe professionnelle;2025;10,00\n"
        "05;2024;XYZ;Inconnue;2021;10,00\n",
    )
    result = read_export(path, REVENUE_ARREARS, KNOWN)
    assert result.landed["reste_a_recouvrer"].to_list() == [1000.0]
    assert quarantine_reasons(result) == [
        (3, "annee_emission", "année d'émission postérieure à l'exercice"),
        (4, "code_taxe", "valeur hors liste (TP, TH, TSC, TNB, TC, TL, ODP, SOUK)"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "budget.csv : fichier vide"),
        (b"   \r\n", "budget.csv : fichier vide"),
        (HEADER.encode() + b"\r\n", "budget.csv : aucune ligne de données sous l'en-tête"),
        (
            b"code_collectivite;exercice;code_ligne\n05;2024;1.50.10\n",
            "budget.csv : colonne(s) obligatoire(s) absente(s) : libelle_ligne, "
            "credits_initiaux, credits_definitifs, engagements, paiements, emissions, "
            "recouvrements",
        ),
    ],
)
def test_file_level_failures_reject_the_file(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "budget.csv"
    path.write_bytes(content)
    with pytest.raises(FileRejected) as error:
        read_export(path, BUDGET_EXECUTION, KNOWN)
    assert str(error.value) == message


def test_a_rejected_file_does_not_stop_the_inbox(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "budget_execution").mkdir(parents=True)
    budget(inbox / "budget_execution", "05;2024;1.50.10;ok;100;100;;90;;", name="a.csv")
    (inbox / "budget_execution" / "b.csv").write_bytes(b"")
    budget(
        inbox / "budget_execution",
        "05;2023;1.50.10;ok;100;100;;90;;",
        "05;2023;1.50.20;bad;100;x;;90;;",
        name="c.csv",
    )
    result = ingest_source(inbox, BUDGET_EXECUTION, KNOWN)
    manifest = result.manifest.select(
        "source_file", "status", "rows_read", "rows_landed", "rows_quarantined"
    ).rows()
    assert manifest == [
        ("a.csv", "loaded", 1, 1, 0),
        ("b.csv", "rejected", 0, 0, 0),
        ("c.csv", "loaded", 2, 1, 1),
    ]
    assert result.landed.height == 2
    assert result.rejected_files["message"].to_list() == ["fichier vide"]
    assert result.landed.schema["exercice"] == pl.Int32
