"""A fiscal year's run composes the rows in force from that year's landed rows and the newer
file versions only; the result is the one a full composition of every version gives."""

from __future__ import annotations

import os
import time
from pathlib import Path

import polars as pl
import pytest

from ingestion import inbox as inbox_module
from ingestion.contracts import BUDGET_EXECUTION
from ingestion.inbox import (
    COMPOSED_THROUGH,
    RawStore,
    _compose,
    ingest_source,
    scan_fiscal_years,
    sha256_of,
    write_dataset,
)

KNOWN = {"05", "06", "07"}
HEADER = (
    "code_collectivite;exercice;code_ligne;libelle_ligne;credits_initiaux;credits_definitifs;"
    "engagements;paiements;emissions;recouvrements"
)


def drop(inbox: Path, name: str, *rows: str) -> Path:
    """A budget file, settled: its times two minutes back (a file just written is not cached)."""
    path = inbox / "budget_execution" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    past = time.time() - 120
    os.utime(path, (past, past))
    return path


def run_year(inbox: Path, raw: Path, year: int):
    result = ingest_source(inbox, BUDGET_EXECUTION, KNOWN, raw, fiscal_year=year)
    write_dataset(result, raw, [year])
    return result


def landed(raw: Path, year: int) -> list[tuple]:
    frame = pl.read_parquet(raw / "tgr" / "budget_execution" / f"fiscal_year={year}.parquet")
    return sorted(
        frame.select(
            "code_collectivite", "exercice", "code_ligne", "paiements", "source_file"
        ).rows()
    )


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    # setting a file's times back moves its ctime to now: no "racy" wait in these tests
    monkeypatch.setattr(inbox_module, "RACY_NS", 0)
    inbox, raw = tmp_path / "inbox", tmp_path / "raw"
    drop(inbox, "a_2023.csv", "05;2023;1.10;x;1;1;;10;;", "05;2023;1.20;x;1;1;;11;;")
    drop(inbox, "a_2024.csv", "05;2024;1.10;x;1;1;;20;;")
    drop(inbox, "b_2023_2024.csv", "06;2023;1.10;x;1;1;;30;;", "06;2024;1.10;x;1;1;;40;;")
    return inbox, raw


def test_each_year_composed_from_its_rows_and_the_newer_versions(dirs) -> None:
    inbox, raw = dirs
    run_year(inbox, raw, 2023)
    run_year(inbox, raw, 2024)
    assert landed(raw, 2023) == [
        ("05", 2023, "1.10", 10.0, "a_2023.csv"),
        ("05", 2023, "1.20", 11.0, "a_2023.csv"),
        ("06", 2023, "1.10", 30.0, "b_2023_2024.csv"),
    ]
    # b was read by the 2023 run; its 2024 row is composed by the 2024 run all the same
    assert landed(raw, 2024) == [
        ("05", 2024, "1.10", 20.0, "a_2024.csv"),
        ("06", 2024, "1.10", 40.0, "b_2023_2024.csv"),
    ]
    # corrected: 05's 2023 file (line 1.20 dropped), and 06 for 2024 only
    drop(inbox, "a_2023_v2.csv", "05;2023;1.10;x;1;1;;12;;")
    drop(inbox, "b_2024_v2.csv", "06;2024;1.10;x;1;1;;41;;")
    run_year(inbox, raw, 2023)
    run_year(inbox, raw, 2024)
    assert landed(raw, 2023) == [
        ("05", 2023, "1.10", 12.0, "a_2023_v2.csv"),
        ("06", 2023, "1.10", 30.0, "b_2023_2024.csv"),
    ]
    assert landed(raw, 2024) == [
        ("05", 2024, "1.10", 20.0, "a_2024.csv"),
        ("06", 2024, "1.10", 41.0, "b_2024_v2.csv"),
    ]
    manifest = RawStore(raw, BUDGET_EXECUTION).manifest()
    by_file = {
        row["source_file"]: (row["status"], row["rows_in_force"])
        for row in manifest.iter_rows(named=True)
    }
    assert by_file == {
        "a_2023.csv": ("superseded", 0),
        "a_2024.csv": ("loaded", 1),
        "b_2023_2024.csv": ("loaded", 1),  # its 2023 row is still in force, not its 2024 one
        "a_2023_v2.csv": ("loaded", 1),
        "b_2024_v2.csv": ("loaded", 1),
    }


def test_the_same_as_composing_every_version_again(dirs) -> None:
    inbox, raw = dirs
    run_year(inbox, raw, 2023)
    drop(inbox, "a_2023_v2.csv", "05;2023;1.10;x;1;1;;12;;", "05;2023;1.30;x;1;1;;13;;")
    drop(inbox, "c_2024.csv", "07;2024;1.10;x;1;1;;50;;", "07;2024;1.20;x;1;1;;51;;")
    run_year(inbox, raw, 2024)
    run_year(inbox, raw, 2023)
    drop(inbox, "c_2024_v2.csv", "07;2024;1.20;x;1;1;;52;;")
    run_year(inbox, raw, 2024)
    store = RawStore(raw, BUDGET_EXECUTION)
    manifest = store.manifest()
    # the second method: every stored version composed again, all years at once, from the
    # manifest with the statuses it had when read (superseded is decided again)
    as_read = manifest.with_columns(
        pl.col("status").replace("superseded", "loaded"), pl.lit(0).alias("rows_in_force")
    )
    full, full_manifest = _compose(store, as_read)
    for year in (2023, 2024):
        assert landed(raw, year) == sorted(
            full.filter(pl.col("exercice") == year)
            .select("code_collectivite", "exercice", "code_ligne", "paiements", "source_file")
            .rows()
        )
    assert manifest.drop("ingested_at").equals(full_manifest.drop("ingested_at"))
    assert manifest["rows_in_force"].sum() == len(landed(raw, 2023)) + len(landed(raw, 2024))


def test_a_year_with_nothing_new_is_left_as_it_is(dirs) -> None:
    inbox, raw = dirs
    run_year(inbox, raw, 2023)
    run_year(inbox, raw, 2024)
    dataset = raw / "tgr" / "budget_execution"
    before = {p.name: os.stat(p).st_mtime_ns for p in dataset.glob("*.parquet")}
    manifest_before = os.stat(RawStore(raw, BUDGET_EXECUTION).manifest_path).st_mtime_ns
    drop(inbox, "a_2024_v2.csv", "05;2024;1.10;x;1;1;;21;;")
    again_2023 = run_year(inbox, raw, 2023)
    assert again_2023.new_files.is_empty() and again_2023.composed_years == []
    assert (
        os.stat(dataset / "fiscal_year=2023.parquet").st_mtime_ns
        == before["fiscal_year=2023.parquet"]
    )
    assert os.stat(RawStore(raw, BUDGET_EXECUTION).manifest_path).st_mtime_ns == manifest_before
    run_year(inbox, raw, 2024)
    after = {p.name: os.stat(p).st_mtime_ns for p in dataset.glob("*.parquet")}
    assert [name for name in after if after[name] != before[name]] == ["fiscal_year=2024.parquet"]
    meta = pl.read_parquet_metadata(dataset / "fiscal_year=2024.parquet")
    assert meta[COMPOSED_THROUGH] == "4"  # composed from the manifest's four versions


def test_a_file_is_hashed_and_scanned_once_while_unchanged(dirs, monkeypatch) -> None:
    inbox, _ = dirs
    path = inbox / "budget_execution" / "b_2023_2024.csv"
    reads = []
    original = inbox_module._scan_fiscal_years
    monkeypatch.setattr(
        inbox_module, "_scan_fiscal_years", lambda p, c: reads.append(p) or original(p, c)
    )
    first = sha256_of(path), scan_fiscal_years(path, BUDGET_EXECUTION)
    assert first[1] == {2023, 2024}
    assert (sha256_of(path), scan_fiscal_years(path, BUDGET_EXECUTION)) == first
    assert reads == [path]
    # rewritten (same size, times set back): the ctime moved, so it is read again
    drop(inbox, "b_2023_2024.csv", "06;2023;1.10;x;1;1;;31;;", "06;2025;1.10;x;1;1;;40;;")
    assert sha256_of(path) != first[0]
    assert scan_fiscal_years(path, BUDGET_EXECUTION) == {2023, 2025}
    # a file changed in the last two seconds is never remembered
    monkeypatch.setattr(inbox_module, "RACY_NS", 2_000_000_000)
    path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    scan_fiscal_years(path, BUDGET_EXECUTION)
    scan_fiscal_years(path, BUDGET_EXECUTION)
    assert len(reads) == 4
