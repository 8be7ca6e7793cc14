"""Reports written to files (command line, Dagster): ``$TADQIQ_DATA_DIR/exports/``.

Outside the dashboard there is no login: exports run under a ministry scope named after the
caller (``cli:<user>``, ``dagster``), and each file written is recorded in the access log
(action ``export``), like a dashboard download.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from tadqiq import reports, warehouse
from tadqiq.access import Role, Scope
from tadqiq.access import log as access_log

EXPORT = "export"
DATA_DIR_ENV = "TADQIQ_DATA_DIR"


def exports_dir() -> Path:
    data = Path(os.environ.get(DATA_DIR_ENV) or warehouse.DEFAULT_DATA_DIR)
    return data / "exports"


def cli_scope() -> Scope:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Scope(Role.MINISTRY, f"cli:{user}")


def _write(path: Path, data: bytes) -> Path:
    """Write an export for its requester only (0600, folder 0700): it holds audit data."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.chmod(partial, 0o600)  # an existing partial file keeps its old mode through os.open
    partial.replace(path)
    return path


def latest_year(db: str, scope: Scope) -> int:
    years = warehouse.fiscal_years(db, scope)
    if not years:
        raise LookupError("the warehouse has no scored fiscal year")
    return years[0]


def export_collectivity(
    db: str, scope: Scope, code: str, year: int, lang: str, fmt: str, out_dir: Path | None = None
) -> Path:
    data = reports.build_collectivity_report(db, scope, code, year, lang, fmt)
    name = reports.collectivity_file_name(code, year, lang, fmt)
    path = _write((out_dir or exports_dir()) / name, data)
    access_log.log_event(scope, EXPORT, access_log.SUCCESS, code, detail=name)
    return path


def export_national(
    db: str, scope: Scope, year: int, level: str, lang: str, fmt: str, out_dir: Path | None = None
) -> Path:
    data = reports.build_national_report(db, scope, year, level, lang, fmt)
    name = reports.national_file_name(scope, year, level, lang, fmt)
    path = _write((out_dir or exports_dir()) / name, data)
    access_log.log_event(scope, EXPORT, access_log.SUCCESS, None, detail=name)
    return path
