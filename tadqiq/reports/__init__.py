"""Downloadable reports: a collectivity's risk map and the national ranking, PDF and XLSX,
in French and in Arabic.

Builders return bytes (never a path), read only through the scoped data layer, and are the
same for the dashboard (``downloads.scoped_download_button``), the command line
(``tadqiq export``) and the Dagster asset (``orchestration/defs/reports.py``). See
docs/reports.md.
"""

from __future__ import annotations

from tadqiq.access import Scope
from tadqiq.reports import data

LANGS = data.LANGS
FORMATS = data.FORMATS
MIME = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def collectivity_file_name(code: str, year: int, lang: str, fmt: str) -> str:
    return f"tadqiq_cartographie_{code}_{year}_{lang}.{fmt}"


def national_file_name(scope: Scope, year: int, level: str, lang: str, fmt: str) -> str:
    area = scope.area or "national"
    return f"tadqiq_classement_{area}_{level}_{year}_{lang}.{fmt}"


def build_collectivity_report(
    db: str, scope: Scope, code: str, year: int, lang: str, fmt: str
) -> bytes:
    """One collectivity's risk map for ``year``; ``AccessDenied`` outside the scope."""
    if lang not in LANGS or fmt not in FORMATS:
        raise ValueError(f"unknown language or format: {lang!r}, {fmt!r}")
    report = data.collectivity_report(db, scope, code, year, lang)
    if fmt == "pdf":
        from tadqiq.reports.pdf import collectivity_pdf

        return collectivity_pdf(report)
    from tadqiq.reports.xlsx import collectivity_xlsx

    return collectivity_xlsx(report)


def build_national_report(
    db: str, scope: Scope, year: int, level: str, lang: str, fmt: str
) -> bytes:
    """The ranking of the scope's collectivities of ``level`` (the whole country: ministry)."""
    if lang not in LANGS or fmt not in FORMATS:
        raise ValueError(f"unknown language or format: {lang!r}, {fmt!r}")
    report = data.national_report(db, scope, year, level, lang)
    if fmt == "pdf":
        from tadqiq.reports.pdf import national_pdf

        return national_pdf(report)
    from tadqiq.reports.xlsx import national_xlsx

    return national_xlsx(report)
