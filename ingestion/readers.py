"""Read exports as they really arrive, and sort every row into landed or quarantined.

A file-level problem (empty file, undecodable text, a required column missing, the wrong
sheet) rejects the file with one message naming it; a row-level problem sends that row to
quarantine with the file, the row number as a spreadsheet shows it, the column, the value and
the reason.

``rows_read`` is counted from the file itself, apart from the parse: the CSV records the
``csv`` module finds (blank lines are not rows), the non-empty rows under the sheet's header.
A row with fewer or more fields than the header never lands: it is quarantined whole
(« ligne incomplète » / « ligne trop longue »), and a file whose last line is short *and*
lacks its line terminator is rejected as truncated (cut in transfer: what followed is lost
too, so landing the rest would silently replace a complete file by a partial one). A file
where ``rows_read != rows_landed + rows_quarantined`` is rejected, never landed.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import os
import re
import stat
import zipfile
from collections.abc import Iterable
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
ARABIC = re.compile("[\u0600-\u06ff]")


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
    rows_read: int  # counted from the file, not from what was landed or quarantined

    @property
    def rows_quarantined(self) -> int:
        return self.quarantined.select(ROW).n_unique()


@dataclass
class TextFrame:
    """A file as text columns, before any contract check."""

    frame: pl.DataFrame  # one row per data row, with its spreadsheet row number in ROW
    encoding: str
    separator: str
    rows_counted: int  # data rows counted from the file itself, apart from the parse
    ragged: pl.DataFrame  # rows with fewer or more fields than the header (QUARANTINE_SCHEMA)


def _looks_arabic(raw: bytes) -> bool:
    """Arabic in a single-byte code page comes in words: runs of non-ASCII bytes. French
    accents in Latin-1 are single bytes between ASCII letters (``é``, ``À``), and some of them
    are Arabic letters in Windows-1256, so the letters alone cannot tell the two apart."""
    high = [i for i, byte in enumerate(raw) if byte >= 0x80]
    if not high:
        return False
    in_runs = sum(
        1
        for i in high
        if (i > 0 and raw[i - 1] >= 0x80) or (i + 1 < len(raw) and raw[i + 1] >= 0x80)
    )
    return in_runs / len(high) > 0.5


def decode(path: Path, raw: bytes) -> tuple[str, str]:
    """Text and the encoding that decoded it: UTF-8 (with or without BOM) first, then
    Windows-1256 when the bytes read as Arabic words, Latin-1 otherwise."""
    for encoding in ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "cp1256" and not (_looks_arabic(raw) and ARABIC.search(text)):
            continue
        if encoding == "utf-8-sig" and not raw.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8"
        return text, encoding
    raise FileRejected(path, "encodage illisible (ni UTF-8, ni Windows-1256, ni Latin-1)")


def sniff_separator(header: str) -> str:
    return ";" if header.count(";") >= header.count(",") else ","


@functools.cache
def _parse(column: Column) -> tuple[pl.Expr, pl.Expr]:
    """(parsed value, reason or null) for one column, from its raw text; built once per
    column (expressions are immutable), not once per file."""
    raw = pl.col(column.name).str.strip_chars()
    present = raw.is_not_null() & (raw != "")
    value: pl.Expr
    reason = pl.lit(None, dtype=pl.String)
    if column.kind == "amount":
        cleaned = raw.str.replace_all(r"[\s\u00a0\u202f]", "").str.replace(",", ".", literal=True)
        value = cleaned.cast(pl.Float64, strict=False)
        reason = (
            pl.when(present & value.is_null())
            .then(pl.lit("montant non numérique"))
            .when(value < 0)
            .then(pl.lit("montant négatif impossible"))
        )
    elif column.kind in ("year", "integer"):
        value = raw.str.replace(r"\.0$", "").cast(pl.Int64, strict=False)
        label = "année" if column.kind == "year" else "nombre entier"
        reason = pl.when(present & value.is_null()).then(pl.lit(f"{label} non numérique"))
        if column.kind == "year":
            reason = reason.when((value < MIN_FISCAL_YEAR - 30) | (value > MAX_FISCAL_YEAR)).then(
                pl.lit("année hors plage")
            )
    elif column.kind == "date":
        value = pl.coalesce(
            raw.str.strptime(pl.Date, "%d/%m/%Y", strict=False),
            raw.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        )
        reason = pl.when(present & value.is_null()).then(
            pl.lit("date illisible (attendu jj/mm/aaaa ou aaaa-mm-jj)")
        )
    else:
        value = raw
    if column.min_value is not None or column.max_value is not None:
        low = column.min_value if column.min_value is not None else float("-inf")
        high = column.max_value if column.max_value is not None else float("inf")
        reason = (
            pl.when(reason.is_null() & present & ((value < low) | (value > high)))
            .then(pl.lit(f"valeur hors plage ({_bound(low)} à {_bound(high)})"))
            .otherwise(reason)
        )
    if column.allowed:
        reason = (
            pl.when(present & ~raw.is_in(column.allowed))
            .then(pl.lit(f"valeur hors liste ({', '.join(column.allowed)})"))
            .otherwise(reason)
        )
    if column.required:
        reason = pl.when(~present).then(pl.lit("valeur obligatoire manquante")).otherwise(reason)
    return pl.when(present).then(value).alias(column.name), reason.alias(column.name)


def _bound(value: float) -> str:
    return "…" if value in (float("inf"), float("-inf")) else f"{value:g}"


# --- loading a file as text columns -------------------------------------------------------


def _is_blank(record: list[str]) -> bool:
    return not record or (len(record) == 1 and not record[0].strip())


def _csv_records(path: Path, text: str, separator: str) -> list[list[str]]:
    """The file's records as the ``csv`` module reads them (quoted separators and line breaks
    stay inside their field): the count of data rows does not rest on the parse."""
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True))
    except csv.Error as error:
        raise FileRejected(path, f"structure CSV illisible ({error})") from error


def _ragged_rows(
    path: Path, text: str, records: list[list[str]], first_row: int
) -> list[dict[str, object]]:
    """Rows whose field count differs from the header's; rejects a truncated file."""
    width = len(records[0])
    ragged: list[dict[str, object]] = []
    last = max((i for i, r in enumerate(records) if not _is_blank(r)), default=0)
    for i, record in enumerate(records[1:], start=1):
        if _is_blank(record) or len(record) == width:
            continue
        row = first_row + i - 1
        if len(record) < width and i == last and not text.endswith(("\n", "\r")):
            raise FileRejected(
                path,
                f"fichier tronqué : la dernière ligne (ligne {row}) s'arrête après "
                f"{len(record)} champ(s) sur {width}, sans fin de ligne (transfert "
                "interrompu ?) ; aucune ligne chargée, renvoyer le fichier complet",
            )
        if len(record) < width:
            column = records[0][len(record)].strip().lower()
            reason = (
                f"ligne incomplète : {len(record)} champ(s) au lieu de {width} "
                "(champ manquant ou ligne coupée : aucune valeur n'est sûre)"
            )
        else:
            column = f"champ {width + 1} (hors en-tête)"
            reason = (
                f"ligne trop longue : {len(record)} champs au lieu de {width} "
                "(séparateur en trop ?)"
            )
        raw = _joined(record)
        ragged.append(
            {"source_file": path.name, ROW: row, "column_name": column, "raw_value": raw,
             "reason": reason}
        )  # fmt: skip
    return ragged


def _joined(record: list[str]) -> str:
    text = " | ".join(record)
    return text if len(text) <= 200 else f"{text[:199]}…"


def _csv_frame(path: Path, raw: bytes) -> TextFrame:
    text, encoding = decode(path, raw)
    if not text.strip(" \t\r\n\ufeff"):
        raise FileRejected(path, "fichier vide")
    lines = text.splitlines()
    separator = sniff_separator(lines[0])
    records = _csv_records(path, text.removeprefix("\ufeff"), separator)
    first_row = 2
    ragged = _ragged_rows(path, text, records, first_row)
    try:
        frame = pl.read_csv(
            io.StringIO(text), separator=separator, infer_schema=False, truncate_ragged_lines=True
        )
    except pl.exceptions.PolarsError as error:
        raise FileRejected(path, f"structure CSV illisible ({error})") from error
    body = records[1:]
    # polars keeps a blank line as an empty row but may drop blank lines at the very end
    while len(body) > frame.height and _is_blank(body[-1]):
        body.pop()
    if frame.height != len(body):
        raise FileRejected(
            path,
            f"structure CSV incohérente : {len(body)} enregistrement(s) comptés, "
            f"{frame.height} lus",
        )
    frame = frame.with_row_index(ROW, offset=first_row).with_columns(pl.col(ROW).cast(pl.Int64))
    blank = [first_row + i for i, r in enumerate(body) if _is_blank(r)]
    frame = frame.filter(~pl.col(ROW).is_in(blank))
    counted = sum(1 for r in body if not _is_blank(r))
    ragged_frame = pl.DataFrame(ragged, schema=QUARANTINE_SCHEMA)
    return TextFrame(frame, encoding, separator, counted, ragged_frame)


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_frame(path: Path, contract: Contract) -> TextFrame:
    """The sheet's rows below the header line (found under any title block), as text."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        raise FileRejected(path, f"classeur XLSX illisible ({type(error).__name__})") from error
    try:
        if contract.sheet_name not in workbook.sheetnames:
            raise FileRejected(
                path,
                f"feuille « {contract.sheet_name} » introuvable "
                f"(feuilles du classeur : {', '.join(workbook.sheetnames)})",
            )
        rows = [
            [_cell_text(v) for v in row]
            for row in workbook[contract.sheet_name].iter_rows(values_only=True)
        ]
    finally:
        workbook.close()
    titled = {name for name, _ in contract.title_fields}
    expected = {c.name for c in contract.columns} - titled
    header_index = next(
        (i for i, row in enumerate(rows) if expected <= {(c or "").lower() for c in row}), None
    )
    if header_index is None:
        missing = ", ".join(sorted(expected))
        raise FileRejected(path, f"ligne d'en-tête introuvable (colonnes attendues : {missing})")
    header = [(c or f"_col{i}").lower() for i, c in enumerate(rows[header_index])]
    counted = sum(1 for r in rows[header_index + 1 :] if any(v not in (None, "") for v in r))
    body = [r for r in rows[header_index + 1 :] if any(v not in (None, "") for v in r)]
    frame = pl.DataFrame(
        [dict(zip(header, r, strict=False)) for r in body],
        schema=dict.fromkeys(header, pl.String),
        orient="row",
    )
    title = {}
    for row in rows[:header_index]:
        for cell in row:
            if cell and ":" in cell:
                label, _, value = cell.partition(":")
                title[label.strip().lower()] = value.strip()
    for column, label in contract.title_fields:
        if label.lower() not in title:
            raise FileRejected(path, f"bloc de titre incomplet : « {label} : … » absent")
        frame = frame.with_columns(pl.lit(title[label.lower()]).alias(column))
    frame = frame.with_row_index(ROW, offset=header_index + 2).with_columns(
        pl.col(ROW).cast(pl.Int64)
    )
    return TextFrame(frame, "xlsx", "", counted, pl.DataFrame(schema=QUARANTINE_SCHEMA))


# --- what an inbox file may be -----------------------------------------------------------
# Limits against a file that would exhaust the machine (a wrong export, a zip bomb), each with a
# default and an environment variable for an operator who needs more.


def _limit(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def max_file_bytes() -> int:
    return _limit("TADQIQ_MAX_FILE_MB", 256) * 2**20


def max_rows() -> int:
    return _limit("TADQIQ_MAX_ROWS", 2_000_000)


def max_xlsx_expanded_bytes() -> int:
    return _limit("TADQIQ_MAX_XLSX_EXPANDED_MB", 512) * 2**20


def check_file(path: Path, workbook: bool) -> None:
    """Refuse what is not a plain file of a sane size before reading a byte of it.

    Symbolic links are refused (not followed: a link could expose any file of the machine),
    and so is anything that is not a regular file (a FIFO would block the reader forever).
    A workbook is a zip: its declared expanded size is checked before it is opened.
    """
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        raise FileRejected(path, "lien symbolique refusé : seuls les fichiers ordinaires sont lus")
    if not stat.S_ISREG(info.st_mode):
        raise FileRejected(path, "pas un fichier ordinaire (périphérique, tube, dossier…)")
    if info.st_size > max_file_bytes():
        raise FileRejected(
            path,
            f"fichier trop volumineux : {info.st_size / 2**20:.0f} Mo "
            f"(limite {max_file_bytes() / 2**20:.0f} Mo, TADQIQ_MAX_FILE_MB)",
        )
    if workbook and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            expanded = sum(member.file_size for member in archive.infolist())
        if expanded > max_xlsx_expanded_bytes():
            raise FileRejected(
                path,
                f"classeur refusé : il se décompresse en {expanded / 2**20:.0f} Mo "
                f"(limite {max_xlsx_expanded_bytes() / 2**20:.0f} Mo, "
                "TADQIQ_MAX_XLSX_EXPANDED_MB)",
            )


def load_text_frame(path: Path, contract: Contract) -> TextFrame:
    """The file's data rows as text columns, with their row numbers and counts."""
    check_file(path, workbook=contract.sheet_name is not None)
    raw = path.read_bytes()
    if raw.count(b"\n") > max_rows():
        raise FileRejected(
            path, f"trop de lignes : plus de {max_rows():,} (limite TADQIQ_MAX_ROWS)"
        )
    if not raw.strip():
        raise FileRejected(path, "fichier vide")
    if contract.sheet_name is not None:
        return _xlsx_frame(path, contract)
    return _csv_frame(path, raw)


# --- validation ---------------------------------------------------------------------------


def read_export(path: Path, contract: Contract, known_codes: set[str]) -> ReadResult:
    """Parse one export file against its contract."""
    text = load_text_frame(path, contract)
    frame = text.frame.rename({c: c.strip().lower() for c in text.frame.columns if c != ROW})
    missing = [c.name for c in contract.columns if c.name not in frame.columns]
    if missing:
        raise FileRejected(path, f"colonne(s) obligatoire(s) absente(s) : {', '.join(missing)}")
    if text.rows_counted == 0:
        raise FileRejected(path, "aucune ligne de données sous l'en-tête")

    ragged_rows = text.ragged[ROW].implode()
    frame = frame.select(ROW, *(c.name for c in contract.columns)).filter(
        ~pl.col(ROW).is_in(ragged_rows)
    )
    parsed = [_parse(c) for c in contract.columns]
    typed = frame.select(
        pl.col(ROW).cast(pl.Int64),
        *[value for value, _ in parsed],
        *[reason.name.prefix("__reason__") for _, reason in parsed],
        *[pl.col(c.name).name.prefix("__raw__") for c in contract.columns],
    )
    code_col, code_reason = (
        contract.collectivity_column,
        f"__reason__{contract.collectivity_column}",
    )
    typed = typed.with_columns(
        pl.when(pl.col(code_reason).is_null() & ~pl.col(code_col).str.contains(HCP_CODE_PATTERN))
        .then(pl.lit("code HCP mal formé (attendu RR.PPP.CC.NN)"))
        .when(pl.col(code_reason).is_null() & ~pl.col(code_col).is_in(known_codes))
        .then(pl.lit("code collectivité inconnu du référentiel HCP 2024"))
        .otherwise(pl.col(code_reason))
        .alias(code_reason)
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
    errors = pl.concat(
        [
            errors,
            duplicated.select(
                pl.col(ROW),
                pl.lit(" + ".join(contract.key)).alias("column_name"),
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
    quarantined = pl.concat(
        [
            errors.with_columns(pl.lit(path.name).alias("source_file"))
            .select(*QUARANTINE_SCHEMA)
            .cast(QUARANTINE_SCHEMA),
            text.ragged,
        ]
    ).sort(ROW, "column_name")
    raw = path.read_bytes()
    result = ReadResult(
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        size_bytes=len(raw),
        encoding=text.encoding,
        separator=text.separator,
        landed=landed,
        quarantined=quarantined,
        rows_read=text.rows_counted,
    )
    if result.rows_read != result.landed.height + result.rows_quarantined:
        raise FileRejected(
            path,
            f"lignes perdues à la lecture : {result.rows_read} lue(s) dans le fichier, "
            f"{result.landed.height} chargée(s) + {result.rows_quarantined} en quarantaine",
        )
    return result


def header_columns(path: Path, contract: Contract) -> set[str]:
    """The file's column names as ``read_export`` sees them (lower case, stripped); empty when
    the file cannot be read under this contract at all."""
    try:
        frame = load_text_frame(path, contract).frame
    except (FileRejected, OSError, ValueError, zipfile.BadZipFile):
        return set()
    return {c.strip().lower() for c in frame.columns if c != ROW}


def guess_contract(path: Path, contracts: Iterable[Contract]) -> Contract | None:
    """The contract a loose file belongs to: the one whose columns its header holds, among the
    contracts of its kind (``.csv`` / ``.xlsx``); None when none or several fit equally."""
    suffix = path.suffix.lower()
    fits: list[tuple[int, Contract]] = []
    for contract in contracts:
        if not contract.file_glob.lower().endswith(suffix):
            continue
        header = header_columns(path, contract)
        names = {c.name for c in contract.columns}
        if header and names <= header:
            fits.append((len(names), contract))
    if not fits:
        return None
    fits.sort(key=lambda fit: fit[0], reverse=True)
    if len(fits) > 1 and fits[0][0] == fits[1][0]:
        return None
    return fits[0][1]
