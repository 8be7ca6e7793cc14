"""The report download sections of the pages: every file through ``scoped_download_button``.

Files are built when the user clicks (the download re-checks the scope and is logged), from
a cache keyed by snapshot, scope and request. "Prepare" builds them ahead with a progress
bar (``st.status``), and a batch (every risk map of a level, zipped) is prepared the same way
before it can be downloaded.
"""

from __future__ import annotations

import io
import time
import zipfile
from itertools import product

import streamlit as st

from dashboards import downloads
from tadqiq import reports, warehouse
from tadqiq.access import Scope
from tadqiq.i18n import fmt_number, t

BATCH_KEY = "report_batch"


@st.cache_data(ttl="10m", show_spinner=False, max_entries=64)
def collectivity_bytes(db: str, scope: Scope, code: str, year: int, lang: str, fmt: str) -> bytes:
    return reports.build_collectivity_report(db, scope, code, year, lang, fmt)


@st.cache_data(ttl="10m", show_spinner=False, max_entries=32)
def national_bytes(db: str, scope: Scope, year: int, level: str, lang: str, fmt: str) -> bytes:
    return reports.build_national_report(db, scope, year, level, lang, fmt)


def _label(fmt: str, lang: str) -> str:
    return t(f"download_{fmt}", language=t(f"lang_{lang}"))


def _prepare(jobs: list[tuple[str, object]]) -> None:
    """Run ``(name, build)`` jobs under a status box with a progress bar."""
    started = time.perf_counter()
    with st.status(t("report_preparing"), expanded=True) as status:
        bar = st.progress(0.0)
        for done, (name, build) in enumerate(jobs, start=1):
            build()  # type: ignore[operator]
            bar.progress(done / len(jobs), text=t("report_step", done=done, total=len(jobs),
                                                  name=name))  # fmt: skip
        seconds = fmt_number(time.perf_counter() - started, 1)
        status.update(label=t("report_ready", seconds=seconds), state="complete", expanded=False)


def collectivity_section(db: str, scope: Scope, code: str, year: int) -> None:
    st.subheader(t("downloads_title"))
    st.caption(t("downloads_hint"))
    combos = list(product(reports.FORMATS, reports.LANGS))
    columns = st.columns(len(combos) + 1)
    for column, (fmt, lang) in zip(columns, combos, strict=False):
        with column:
            downloads.scoped_download_button(
                _label(fmt, lang),
                db=db,
                scope=scope,
                code=code,
                file_name=reports.collectivity_file_name(code, year, lang, fmt),
                build=lambda lang=lang, fmt=fmt: collectivity_bytes(
                    db, scope, code, year, lang, fmt
                ),
                mime=reports.MIME[fmt],
                key=f"download_{fmt}_{lang}",
            )
    if columns[-1].button(t("report_preparing").rstrip("…"), key="prepare_reports"):
        warehouse.authorize(db, scope, code, "prepare_reports")
        _prepare(
            [
                (
                    reports.collectivity_file_name(code, year, lang, fmt),
                    lambda lang=lang, fmt=fmt: collectivity_bytes(db, scope, code, year, lang, fmt),
                )
                for fmt, lang in combos
            ]
        )


def national_section(db: str, scope: Scope, year: int, level: str, codes: list[str]) -> None:
    """The ranking (PDF/XLSX × FR/AR) and a batch of the level's risk maps (ZIP of PDFs)."""
    st.subheader(t("download_national"))
    st.caption(t("downloads_hint"))
    combos = list(product(reports.FORMATS, reports.LANGS))
    columns = st.columns(len(combos) + 1)
    for column, (fmt, lang) in zip(columns, combos, strict=False):
        with column:
            downloads.scoped_download_button(
                _label(fmt, lang),
                db=db,
                scope=scope,
                code=None,
                file_name=reports.national_file_name(scope, year, level, lang, fmt),
                build=lambda lang=lang, fmt=fmt: national_bytes(db, scope, year, level, lang, fmt),
                mime=reports.MIME[fmt],
                key=f"download_national_{fmt}_{lang}",
            )
    lang = st.session_state.get("lang", "fr")
    batch_name = f"tadqiq_cartographies_{scope.area or 'national'}_{level}_{year}_{lang}.zip"
    with columns[-1]:
        if st.button(t("batch_prepare", count=fmt_number(len(codes))), key="prepare_batch"):
            warehouse.authorize_scope(scope, "prepare_batch")
            st.session_state[BATCH_KEY] = (batch_name, _batch(db, scope, codes, year, lang))
        prepared = st.session_state.get(BATCH_KEY)
        if prepared and prepared[0] == batch_name:
            archive = prepared[1]  # bound now: the file is fetched later, with no session
            downloads.scoped_download_button(
                t("batch_download"),
                db=db,
                scope=scope,
                code=None,
                file_name=batch_name,
                build=lambda archive=archive: archive,
                mime="application/zip",
                key="download_batch",
            )


def _batch(db: str, scope: Scope, codes: list[str], year: int, lang: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:

        def add(code: str) -> None:
            name = reports.collectivity_file_name(code, year, lang, "pdf")
            archive.writestr(name, collectivity_bytes(db, scope, code, year, lang, "pdf"))

        _prepare([(code, lambda code=code: add(code)) for code in codes])
    return buffer.getvalue()
