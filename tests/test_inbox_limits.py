"""What an inbox file may be: plain files of a sane size, never a link, a device or a zip bomb.
Each refusal is a rejected file with its reason in the manifest; the valid files beside it land."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

import pytest

from ingestion.contracts import BUDGET_EXECUTION, IC_DIAGNOSTIC
from ingestion.inbox import ingest_source, scan_fiscal_years

HEADER = ";".join(BUDGET_EXECUTION.header)
ROW = "06;2024;1.10.10;Part du produit de la TVA;100,00;100,00;;;90,00;90,00"
KNOWN = {"05", "06"}


def budget(folder: Path, name: str, rows: int = 1) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [HEADER] + [ROW.replace("1.10.10", f"1.10.{10 + i}") for i in range(rows)]
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def outcome(tmp_path: Path, contract=BUDGET_EXECUTION) -> dict[str, tuple[str, str | None]]:
    result = ingest_source(tmp_path / "inbox", contract, KNOWN, tmp_path / "raw")
    return {
        row["source_file"]: (row["status"], row["message"])
        for row in result.manifest.iter_rows(named=True)
    }


def test_a_symbolic_link_is_refused_not_followed(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox" / "budget_execution"
    secret = budget(tmp_path / "elsewhere", "secret.csv")
    inbox.mkdir(parents=True)
    (inbox / "lien.csv").symlink_to(secret)
    budget(inbox, "bon.csv")
    seen = outcome(tmp_path)
    assert seen["lien.csv"][0] == "rejected" and "lien symbolique" in seen["lien.csv"][1]
    assert seen["bon.csv"] == ("loaded", None)
    assert scan_fiscal_years(inbox / "lien.csv", BUDGET_EXECUTION) == set()


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox" / "budget_execution"
    inbox.mkdir(parents=True)
    os.mkfifo(inbox / "tube.csv")  # opening it to read would wait for a writer forever
    assert stat.S_ISFIFO(os.lstat(inbox / "tube.csv").st_mode)
    seen = outcome(tmp_path)
    assert seen["tube.csv"][0] == "rejected" and "pas un fichier ordinaire" in seen["tube.csv"][1]


def test_size_and_row_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = tmp_path / "inbox" / "budget_execution"
    big = budget(inbox, "gros.csv", rows=40)
    budget(inbox, "petit.csv", rows=3)
    monkeypatch.setenv("TADQIQ_MAX_ROWS", "10")
    seen = outcome(tmp_path)
    assert seen["gros.csv"][0] == "rejected" and "trop de lignes" in seen["gros.csv"][1]
    assert seen["petit.csv"] == ("loaded", None)

    monkeypatch.delenv("TADQIQ_MAX_ROWS")
    monkeypatch.setenv("TADQIQ_MAX_FILE_MB", "0")  # every file is over 0 MB
    big.write_text(big.read_text(encoding="utf-8-sig") + "\n", encoding="utf-8-sig")  # new bytes
    seen = outcome(tmp_path)
    assert seen["gros.csv"][0] == "rejected" and "trop volumineux" in seen["gros.csv"][1]


def test_a_workbook_that_expands_too_far_is_refused_unopened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox" / "ic_diagnostic"
    inbox.mkdir(parents=True)
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (8 * 2**20))  # 8 MiB of zeros
    (inbox / "bombe.xlsx").write_bytes(payload.getvalue())
    assert (inbox / "bombe.xlsx").stat().st_size < 100_000  # small on disk
    monkeypatch.setenv("TADQIQ_MAX_XLSX_EXPANDED_MB", "4")
    seen = outcome(tmp_path, IC_DIAGNOSTIC)
    assert seen["bombe.xlsx"][0] == "rejected"
    assert "se décompresse en 8 Mo" in seen["bombe.xlsx"][1]
