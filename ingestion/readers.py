"""Read exports as they really arrive, and sort every row into landed or quarantined.

A file-level problem (empty file, undecodable text, a required column missing) rejects the
file with one message naming it; a row-level problem sends that row to quarantine with the
file, the row number as a spreadsheet shows it (header = row 1), the column, the value and
the reason. ``rows_read == rows_landed + rows_quarantined`` always holds.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingestion.contracts import (
    HCP_CODE_PATTERN,
    MAX_FISCAL_YEAR,
    MIN_FISCAL_YEAR,
    Column,
    Contract,
)

ROW = "source_row"
ENCODINGS = ("utf-8-sig", "cp1256", "latin-1")
QUARANTINE_SCHEMA = {
    "source_file": pl.String,
    "source_row": pl.Int64,
    "column_name": pl.String,
    "raw_value": pl.String,
    "reason": pl.String,
}


class FileRejected(Exception):
    """The whole file is unusable; the message names the file and the problem, in French."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path.name} : {problem}")


@dataclass
class ReadResult:
    path: Path
    sha256: str
    size_bytes: int
    encoding: str
    separator: str
    landed: pl.DataFrame
    quarantined: pl.DataFrame

    @property
    def rows_read(self) -> int:
        return self.landed.height + self.quarantined.select(ROW).n_unique()


def decode(path: Path, raw: bytes) -> tuple[str, str]:
    """Text and the encoding that decoded it: UTF-8 (with or without BOM) first."""
    for encoding in ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "cp1256" and not any("\u0600" <= ch <= "\u06ff" for ch in text):
            continue  # no Arabic letter: Windows-1256 is not what was meant, try Latin-1
        return text, encoding
    raise FileRejected(path, "encodage illisible (ni UTF-8, ni Windows-1256, ni Latin-1)")


def sniff_separator(header: str) -> str:
    return ";" if header.count(";") >= header.count(",") else ","


def _parse(column: Column) -> tuple[pl.Expr, pl.Expr]:
    """(parsed value, reason or null) for one column, from its raw text."""
    raw = pl.col(column.name).str.strip_chars()
    present = raw.is_not_null() & (raw != "")
    if column.kind == "amount":
        cleaned = raw.str.replace_all(r"[\s\u00a0\u202f]", "").str.replace(",", ".", literal=True)
        value = cleaned.cast(pl.Float64, strict=False)
        reason = (
            pl.when(present & value.is_null())
            .then(pl.lit("montant non numérique"))
            .when(value < 0)
            .then(pl.lit("montant négatif impossible"))
        )
    elif column.kind == "year":
        value = raw.cast(pl.Int32, strict=False)
        reason = (
            pl.when(present & value.is_null())
            .then(pl.lit("année non numérique"))
            .when((value < MIN_FISCAL_YEAR - 30) | (value > MAX_FISCAL_YEAR))
            .then(pl.lit("année hors plage"))
        )
    elif column.kind == "code":
        value = raw
        reason = pl.when(present & ~raw.str.contains(r"^[0-9.]+$")).then(pl.lit("code mal formé"))
    else:
        value = raw
        reason = pl.when(pl.lit(False)).then(pl.lit(""))
    if column.allowed:
        reason = (
            pl.when(present & ~raw.is_in(column.allowed))
            .then(pl.lit(f"valeur hors liste ({', '.join(column.allowed)})"))
            .otherwise(reason)
        )
    if column.required:
        reason = pl.when(~present).then(pl.lit("valeur obligatoire manquante")).otherwise(reason)
    return pl.when(present).then(value).alias(column.name), reason.alias(column.name)


def read_export(path: Path, contract: Contract, known_codes: set[str]) -> ReadResult:
    """Parse one export file against its contract."""
    raw = path.read_bytes()
    if not raw.strip():
        raise FileRejected(path, "fichier vide")
    text, encoding = decode(path, raw)
    header = text.lstrip("\ufeff").splitlines()[0]
    separator = sniff_separator(header)
    try:
        frame = pl.read_csv(
            io.StringIO(text.lstrip("\ufeff")),
            separator=separator,
            infer_schema=False,
            truncate_ragged_lines=False,
        )
    except pl.exceptions.PolarsError as error:
        raise FileRejected(path, f"structure CSV illisible ({error})") from error
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    missing = [c.name for c in contract.columns if c.name not in frame.columns]
    if missing:
        raise FileRejected(path, f"colonne(s) obligatoire(s) absente(s) : {', '.join(missing)}")
    if frame.height == 0:
        raise FileRejected(path, "aucune ligne de données sous l'en-tête")

    frame = frame.select(c.name for c in contract.columns).with_row_index(ROW, offset=2)
    parsed = [_parse(c) for c in contract.columns]
    typed = frame.select(
        pl.col(ROW).cast(pl.Int64),
        *[value for value, _ in parsed],
        *[reason.name.prefix("__reason__") for _, reason in parsed],
        *[pl.col(c.name).name.prefix("__raw__") for c in contract.columns],
    )
    code_col = contract.collectivity_column
    typed = typed.with_columns(
        pl.when(
            pl.col(f"__reason__{code_col}").is_null()
            & ~pl.col(code_col).str.contains(HCP_CODE_PATTERN)
        )
        .then(pl.lit("code HCP mal formé (attendu RR.PPP.CC.NN)"))
        .when(pl.col(f"__reason__{code_col}").is_null() & ~pl.col(code_col).is_in(known_codes))
        .then(pl.lit("code collectivité inconnu du référentiel HCP 2024"))
        .otherwise(pl.col(f"__reason__{code_col}"))
        .alias(f"__reason__{code_col}")
    )
    for rule in contract.row_rules:
        reason_col = f"__reason__{rule.column}"
        typed = typed.with_columns(
            pl.when(pl.col(reason_col).is_null() & rule.invalid().fill_null(False))
            .then(pl.lit(rule.reason))
            .otherwise(pl.col(reason_col))
            .alias(reason_col)
        )
    errors = pl.concat(
        [
            typed.filter(pl.col(f"__reason__{c.name}").is_not_null()).select(
                pl.col(ROW),
                pl.lit(c.name).alias("column_name"),
                pl.col(f"__raw__{c.name}").alias("raw_value"),
                pl.col(f"__reason__{c.name}").alias("reason"),
            )
            for c in contract.columns
        ]
    )
    clean = typed.filter(~pl.col(ROW).is_in(errors[ROW].implode()))
    duplicated = clean.filter(pl.int_range(pl.len()).over(contract.key) > 0)
    key_label = " + ".join(contract.key)
    errors = pl.concat(
        [
            errors,
            duplicated.select(
                pl.col(ROW),
                pl.lit(key_label).alias("column_name"),
                pl.concat_str(
                    [pl.col(k).cast(pl.String) for k in contract.key], separator=" | "
                ).alias("raw_value"),
                pl.lit("doublon de clé (ligne déjà lue plus haut dans le fichier)").alias("reason"),
            ),
        ]
    )
    landed = (
        clean.filter(~pl.col(ROW).is_in(duplicated[ROW].implode()))
        .select(*contract.schema, ROW)
        .cast(contract.schema)
        .with_columns(pl.lit(path.name).alias("source_file"))
    )
    quarantined = (
        errors.with_columns(pl.lit(path.name).alias("source_file"))
        .select(*QUARANTINE_SCHEMA)
        .cast(QUARANTINE_SCHEMA)
        .sort(ROW, "column_name")
    )
    return ReadResult(
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        size_bytes=len(raw),
        encoding=encoding,
        separator=separator,
        landed=landed,
        quarantined=quarantined,
    )
