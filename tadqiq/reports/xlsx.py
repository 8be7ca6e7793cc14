"""XLSX reports (xlsxwriter): the risk register, the 5×5 heatmap, the score card, sources.

Numbers stay numbers (an auditor sorts and sums them): their display follows the reader's
Excel locale (space and comma in a French-Moroccan Excel); dates are written dd/mm/yyyy.
Arabic workbooks have right-to-left sheets; Excel shapes Arabic itself.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from tadqiq.i18n import band_label, class_label, level_label, type_label
from tadqiq.reports.data import (
    CollectivityReport,
    Meta,
    NationalReport,
    selection_summary,
    selection_text,
)

RISK_CLASSES = ("low", "moderate", "high", "critical")
CLASS_FILL = {"low": "#C8E6C9", "moderate": "#FFF59D", "high": "#FFCC80", "critical": "#EF9A9A"}
BAND_FILL = {"green": "#C8E6C9", "amber": "#FFCC80", "red": "#EF9A9A"}
HEADER_FILL = "#1F3A5F"
SIDE = 5


def class_of(inherent: int) -> str:
    if inherent <= 4:
        return "low"
    if inherent <= 9:
        return "moderate"
    return "high" if inherent <= 14 else "critical"


def _clean(x: Any) -> Any:
    if x is None:
        return None
    try:
        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(x, "item"):
        return x.item()
    return x


class Book:
    """A workbook with the report's formats."""

    def __init__(self, meta: Meta) -> None:
        self.meta = meta
        self.buffer = io.BytesIO()
        # Text from the warehouse (names, recommendation texts, file names) comes from the
        # collectivities' own exports: never let a string become a formula, a link or a number
        # ("=HYPERLINK(…)", "+…", "@…" stay text).
        self.wb = xlsxwriter.Workbook(
            self.buffer,
            {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
        )
        self.wb.set_properties(
            {"title": "Tadqiq", "author": meta.user, "company": "Tadqiq", "comments": "Tadqiq"}
        )
        align = "right" if meta.rtl else "left"
        base = {"font_name": "Arial", "font_size": 10, "valign": "vcenter"}
        self.title = self.wb.add_format({**base, "bold": True, "font_size": 14})
        self.note = self.wb.add_format({**base, "italic": True, "font_color": "#555555"})
        self.header = self.wb.add_format(
            {**base, "bold": True, "font_color": "white", "bg_color": HEADER_FILL,
             "text_wrap": True, "border": 1, "align": "center"}
        )  # fmt: skip
        self.text = self.wb.add_format({**base, "border": 1, "align": align, "text_wrap": True})
        self.int = self.wb.add_format({**base, "border": 1, "num_format": "0"})
        self.num1 = self.wb.add_format({**base, "border": 1, "num_format": "#,##0.0"})
        self.num2 = self.wb.add_format({**base, "border": 1, "num_format": "#,##0.00"})
        self.bold_num1 = self.wb.add_format(
            {**base, "border": 1, "bold": True, "num_format": "#,##0.0"}
        )
        self.bold_text = self.wb.add_format({**base, "border": 1, "bold": True, "align": align})
        self.date = self.wb.add_format({**base, "border": 1, "num_format": "dd/mm/yyyy hh:mm"})
        self.fills = {
            name: self.wb.add_format({"bg_color": color})
            for name, color in {**CLASS_FILL, **{f"band_{k}": v for k, v in BAND_FILL.items()}}
            .items()
        }  # fmt: skip
        self.cells = {
            risk_class: self.wb.add_format(
                {**base, "bg_color": CLASS_FILL[risk_class], "border": 1, "align": "center",
                 "text_wrap": True, "font_size": 11}
            )
            for risk_class in RISK_CLASSES
        }  # fmt: skip
        self.marked = {
            risk_class: self.wb.add_format(
                {**base, "bg_color": CLASS_FILL[risk_class], "border": 5, "align": "center",
                 "text_wrap": True, "bold": True, "font_size": 11}
            )
            for risk_class in RISK_CLASSES
        }  # fmt: skip

    def sheet(self, key: str) -> Worksheet:
        ws = self.wb.add_worksheet(self.meta.t(key)[:31])
        if self.meta.rtl:
            ws.right_to_left()
        return ws

    def table(
        self,
        ws: Worksheet,
        first_row: int,
        columns: Sequence[tuple[str, str, int, Any]],
        rows: list[list[Any]],
        *,
        freeze: bool = True,
    ) -> int:
        """Header row at ``first_row`` (frozen, filtered) then ``rows``; returns the last row."""
        for col, (title, _key, width, _fmt) in enumerate(columns):
            ws.write(first_row, col, title, self.header)
            ws.set_column(col, col, width)
        ws.set_row(first_row, 32)
        for r, row in enumerate(rows, start=first_row + 1):
            for col, value in enumerate(row):
                ws.write(r, col, _clean(value), columns[col][3])
        last = first_row + max(len(rows), 1)
        if freeze:
            ws.freeze_panes(first_row + 1, 0)
        ws.autofilter(first_row, 0, last, len(columns) - 1)
        return last

    def colour_classes(self, ws: Worksheet, rows: tuple[int, int], col: int) -> None:
        """Conditional colours on a column of class labels."""
        for risk_class in RISK_CLASSES:
            ws.conditional_format(
                rows[0], col, rows[1], col,
                {"type": "cell", "criteria": "==",
                 "value": f'"{class_label(risk_class, self.meta.lang, marker=False)}"',
                 "format": self.fills[risk_class]},
            )  # fmt: skip

    def colour_scores(self, ws: Worksheet, rows: tuple[int, int], col: int) -> None:
        """Conditional colours on an L×I column (1–25) by class bounds."""
        for risk_class, (low, high) in zip(
            RISK_CLASSES, ((1, 4), (5, 9), (10, 14), (15, 25)), strict=True
        ):
            ws.conditional_format(
                rows[0], col, rows[1], col,
                {"type": "cell", "criteria": "between", "minimum": low, "maximum": high,
                 "format": self.fills[risk_class]},
            )  # fmt: skip

    def sources(self, ws: Worksheet, fields: list[tuple[str, Any]], version: str) -> None:
        meta = self.meta
        ws.write(0, 0, meta.t("report_sources"), self.title)
        columns = [
            (meta.t("report_field"), "field", 34, self.bold_text),
            (meta.t("report_value"), "value", 90, self.text),
        ]
        rows = [[name, value] for name, value in fields]
        rows += [
            [meta.t("methodology", version=""), version],
            [meta.t("report_edited_on"), meta.generated.replace(tzinfo=None)],
            [meta.t("report_edited_by"), meta.user],
            [meta.t("report_snapshot"), meta.snapshot],
            [meta.t("report_source"), meta.t("report_sources_text", version=version)],
        ]  # fmt: skip
        last = self.table(ws, 2, columns, rows, freeze=False)
        date_row = 2 + 1 + len(fields) + 1
        ws.write_datetime(date_row, 1, meta.generated.replace(tzinfo=None), self.date)
        ws.write(last + 2, 0, meta.t("report_confidential"), self.note)

    def close(self) -> bytes:
        self.wb.close()
        return self.buffer.getvalue()


def _register_sheet(book: Book, report: CollectivityReport) -> None:
    meta, ws = report.meta, book.sheet("report_sheet_register")
    lang = meta.lang
    ws.write(0, 0, meta.t("register_title", year=report.year) + f" — {report.name}", book.title)
    ws.write(1, 0, meta.t("register_hint"), book.note)
    columns = [
        ("#", "risk_rank", 5, book.int),
        (meta.t("col_code"), "risk_code", 8, book.text),
        (meta.t("col_risk"), f"risk_name_{lang}", 44, book.text),
        (meta.t("col_process"), "process_code", 11, book.text),
        (meta.t("likelihood"), "likelihood", 11, book.int),
        (meta.t("impact"), "impact", 11, book.int),
        (meta.t("inherent_risk"), "inherent_risk", 13, book.int),
        (meta.t("risk_class"), "risk_class", 12, book.text),
        (meta.t("col_control_reduction"), "control_reduction", 14, book.int),
        (meta.t("residual_risk"), "residual_risk", 13, book.int),
        (meta.t("residual_class"), "residual_risk_class", 12, book.text),
        (meta.t("col_sub_score"), "risk_score", 12, book.num1),
        (meta.t("col_findings"), "findings_3y", 11, book.int),
    ]
    rows = []
    for _, risk in report.register.iterrows():
        row = []
        for _title, key, _w, _f in columns:
            value = risk[key]
            if key in ("risk_class", "residual_risk_class"):
                value = class_label(value, lang, marker=False)
            row.append(value)
        rows.append(row)
    last = book.table(ws, 3, columns, rows)
    for key in ("risk_class", "residual_risk_class"):
        book.colour_classes(ws, (4, last), [c[1] for c in columns].index(key))
    for key in ("inherent_risk", "residual_risk"):
        book.colour_scores(ws, (4, last), [c[1] for c in columns].index(key))


def _heatmap_sheet(book: Book, report: CollectivityReport) -> None:
    meta, ws = report.meta, book.sheet("report_sheet_heatmap")
    overview = report.overview
    ws.write(0, 0, meta.t("report_heatmap_title") + f" — {report.name}, {report.year}", book.title)
    likelihood, impact = _clean(overview["likelihood"]), _clean(overview["impact"])
    ws.write(1, 0, meta.t("report_heatmap_note", l=likelihood, i=impact), book.note)
    counts = report.register.groupby(["likelihood", "impact"]).size().to_dict()
    ws.set_column(0, 0, 22)
    ws.set_column(1, SIDE, 16)
    ws.write(3, 0, meta.t("likelihood") + " ↓ / " + meta.t("impact") + " →", book.header)
    for i in range(1, SIDE + 1):
        ws.write(3, i, i, book.header)
    for r, lik in enumerate(range(SIDE, 0, -1), start=4):
        ws.set_row(r, 42)
        ws.write(r, 0, lik, book.header)
        for imp in range(1, SIDE + 1):
            risk_class = class_of(lik * imp)
            n = counts.get((lik, imp), 0)
            text = f"{lik * imp}\n{n} × {meta.t('col_risk').lower()}" if n else str(lik * imp)
            marked = (lik, imp) == (likelihood, impact)
            fmt = book.marked[risk_class] if marked else book.cells[risk_class]
            ws.write(r, imp, ("◯ " if marked else "") + text, fmt)
    row = 4 + SIDE + 1
    for offset, risk_class in enumerate(RISK_CLASSES):
        ws.write(row, 1 + offset, class_label(risk_class, meta.lang, marker=False),
                 book.cells[risk_class])  # fmt: skip
    ws.write(row, 0, meta.t("risk_class"), book.bold_text)
    row += 2
    ws.write(row, 0, meta.t("domain_heatmaps_title", year=report.year), book.title)
    columns = [
        (meta.t("col_domain"), "domain", 30, book.text),
        (meta.t("axis_domain_score"), "domain_score", 14, book.num1),
        (meta.t("likelihood"), "domain_likelihood", 12, book.int),
        (meta.t("impact"), "impact", 12, book.int),
        (meta.t("inherent_risk"), "domain_inherent_risk", 14, book.int),
        (meta.t("risk_class"), "class", 12, book.text),
        (meta.t("coverage"), "coverage_ratio", 12, book.num2),
        (meta.t("red_flag"), "flags", 24, book.text),
    ]
    rows = []
    for _, domain in report.domains.iterrows():
        inherent = _clean(domain["domain_inherent_risk"])
        flags = [meta.t("red_flag")] if _clean(domain["has_red_flag"]) else []
        flags += [meta.t("insufficient_data")] if _clean(domain["is_insufficient_data"]) else []
        rows.append([
            domain[f"domain_name_{meta.lang}"], domain["domain_score"],
            domain["domain_likelihood"], domain["impact"], inherent,
            class_label(class_of(inherent), meta.lang, marker=False) if inherent else None,
            domain["coverage_ratio"], ", ".join(flags),
        ])  # fmt: skip
    last = book.table(ws, row + 1, columns, rows, freeze=False)
    book.colour_classes(ws, (row + 2, last), 5)
    book.colour_scores(ws, (row + 2, last), 4)


def _score_card_sheet(book: Book, report: CollectivityReport) -> None:
    meta, ws = report.meta, book.sheet("report_sheet_score_card")
    lang = meta.lang
    ws.write(0, 0, meta.t("score_card_title", year=report.year) + f" — {report.name}", book.title)
    ws.write(1, 0, meta.t("score_card_hint"), book.note)
    columns = [
        (meta.t("col_domain"), "domain_code", 9, book.text),
        (meta.t("col_code"), "line_code", 9, book.text),
        (meta.t("col_line"), f"line_name_{lang}", 44, book.text),
        (meta.t("col_value"), "indicator_value", 13, book.num2),
        (meta.t("col_previous_value"), "previous_indicator_value", 13, book.num2),
        (meta.t("col_band"), "band", 12, book.text),
        (meta.t("col_green_threshold"), "green_threshold", 11, book.num2),
        (meta.t("col_red_threshold"), "red_threshold", 11, book.num2),
        (meta.t("col_sub_score"), "sub_score", 12, book.num1),
        (meta.t("col_weight"), "weight_in_domain", 11, book.num2),
        (meta.t("col_contribution"), "contribution", 13, book.num2),
        (meta.t("col_change"), "contribution_change", 14, book.num2),
    ]
    rows = []
    for _, line in report.score_card.iterrows():
        row = []
        for _title, key, _w, _f in columns:
            value = line[key]
            if key == "band":
                value = (
                    band_label(value, lang, marker=False)
                    if line["line_kind"] == "indicator"
                    else meta.t("line_adjustment")
                )
            row.append(value)
        rows.append(row)
    last = book.table(ws, 3, columns, rows)
    band_col = 5
    for band in BAND_FILL:
        ws.conditional_format(
            4, band_col, last, band_col,
            {"type": "cell", "criteria": "==",
             "value": f'"{band_label(band, lang, marker=False)}"',
             "format": book.fills[f"band_{band}"]},
        )  # fmt: skip
    contribution_col = 10
    ws.conditional_format(
        4, contribution_col, last, contribution_col,
        {"type": "data_bar", "bar_color": "#3B6EA8", "bar_solid": True},
    )  # fmt: skip
    total_row = last + 1
    ws.write(total_row, 2, meta.t("legend_total"), book.bold_text)
    column_letter = xlsxwriter.utility.xl_col_to_name(contribution_col)
    ws.write_formula(
        total_row, contribution_col,
        f"=SUM({column_letter}5:{column_letter}{last + 1})",
        book.bold_num1, _clean(report.score_card["contribution"].sum()),
    )  # fmt: skip
    ws.write(total_row + 1, 2, meta.t("composite_score"), book.bold_text)
    ws.write(total_row + 1, contribution_col, _clean(report.overview["composite_score"]),
             book.bold_num1)  # fmt: skip


def collectivity_xlsx(report: CollectivityReport) -> bytes:
    book = Book(report.meta)
    meta, overview = report.meta, report.overview
    _register_sheet(book, report)
    _heatmap_sheet(book, report)
    _score_card_sheet(book, report)
    place = [overview[f"province_name_{meta.lang}"], overview[f"region_name_{meta.lang}"]]
    book.sources(
        book.sheet("report_sheet_sources"),
        [
            (meta.t("collectivity"), report.name),
            (meta.t("col_code"), report.code),
            (meta.t("type"), type_label(overview["collectivity_type"], meta.lang)),
            (meta.t("region"), " · ".join(str(p) for p in place if _clean(p) is not None)),
            (meta.t("fiscal_year"), report.year),
            (meta.t("composite_score"), _clean(overview["composite_score"])),
            (meta.t("risk_class"), class_label(overview["risk_class"], meta.lang, marker=False)),
            (
                "Tables",
                "marts.fct_risk_scores, marts.fct_risk_register, marts.fct_score_cards, "
                "marts.fct_domain_scores, marts.dim_collectivities",
            ),
        ],
        report.version,
    )
    return book.close()


def national_xlsx(report: NationalReport) -> bytes:
    book = Book(report.meta)
    meta, lang = report.meta, report.meta.lang
    title = meta.t("report_national_title", level=level_label(report.level, lang), year=report.year)
    ws = book.sheet("report_sheet_ranking")
    ws.write(0, 0, title, book.title)
    ws.write(1, 0, meta.t("ranking_interval_hint"), book.note)
    if summary := selection_summary(lang, report.ranking):
        ws.write(2, 0, summary, book.note)
    columns = [
        (meta.t("col_rank"), "national_rank", 9, book.int),
        (meta.t("col_selection"), "selection", 44, book.text),
        (meta.t("col_unstable"), "unstable", 14, book.text),
        ("p5", "rank_p05", 7, book.int),
        ("p95", "rank_p95", 7, book.int),
        (meta.t("col_code"), "collectivity_code", 14, book.text),
        (meta.t("col_name_fr"), "name_fr", 26, book.text),
        (meta.t("col_name_ar"), "name_ar", 26, book.text),
        (meta.t("type"), "type", 16, book.text),
        (meta.t("col_province"), f"province_name_{lang}", 22, book.text),
        (meta.t("col_region"), f"region_name_{lang}", 26, book.text),
        (meta.t("risk_score"), "risk_score", 12, book.num2),
        (meta.t("composite_score"), "composite_score", 12, book.num1),
        (meta.t("likelihood"), "likelihood", 10, book.int),
        (meta.t("impact"), "impact", 10, book.int),
        (meta.t("inherent_risk"), "inherent_risk", 12, book.int),
        (meta.t("risk_class"), "class", 12, book.text),
        (meta.t("residual_risk"), "residual_risk", 12, book.int),
    ]
    ranking = report.ranking.assign(
        selection=[
            selection_text(lang, selected, share)
            for selected, share in zip(
                report.ranking["is_programme_selected"],
                report.ranking["selection_share"],
                strict=True,
            )
        ],
        unstable=report.ranking["is_selection_unstable"].map(
            lambda x: None if _clean(x) is None else meta.t("unstable_yes" if x else "unstable_no")
        ),
        type=report.ranking["collectivity_type"].map(lambda x: type_label(x, lang)),
        **{"class": report.ranking["risk_class"].map(lambda x: class_label(x, lang, marker=False))},
    )
    rows = [[row[key] for _t, key, _w, _f in columns] for _, row in ranking.iterrows()]
    last = book.table(ws, 3, columns, rows)
    book.colour_classes(ws, (4, last), 16)
    book.colour_scores(ws, (4, last), 15)

    ws = book.sheet("report_sheet_regions")
    ws.write(0, 0, meta.t("report_classes_by_region") + f" — {title}", book.title)
    region_columns = [
        (meta.t("col_region"), "region", 34, book.text),
        *[
            (class_label(c, lang, marker=False), c, 12, book.int)
            for c in ("low", "moderate", "high", "critical")
        ],
        (meta.t("report_total"), "total", 10, book.int),
    ]
    regions = report.classes_by_region
    rows = [[row[key] for _t, key, _w, _f in region_columns] for _, row in regions.iterrows()]
    rows.append([meta.t("report_total"), *[int(regions[c].sum()) for _t, c, _w, _f in
                                           region_columns[1:]]])  # fmt: skip
    book.table(ws, 2, region_columns, rows)
    for offset, risk_class in enumerate(("low", "moderate", "high", "critical"), start=1):
        ws.write(2, offset, class_label(risk_class, lang, marker=False),
                 book.wb.add_format({"bold": True, "bg_color": CLASS_FILL[risk_class],
                                     "border": 1, "align": "center"}))  # fmt: skip

    _programme_sheet(book, report)

    book.sources(
        book.sheet("report_sheet_sources"),
        [
            (meta.t("report_national_scope", scope="").split(":")[0].strip(), report.scope_label),
            (meta.t("level"), level_label(report.level, lang)),
            (meta.t("fiscal_year"), report.year),
            (meta.t("kpi_scored"), len(report.ranking)),
            (
                "Tables",
                "marts.fct_risk_scores, marts.dim_collectivities, marts.fct_missions, "
                "marts.fct_audit_programme",
            ),
        ],
        report.version,
    )
    return book.close()


def _programme_sheet(book: Book, report: NationalReport) -> None:
    """The audit programme of the report's year: per region, then the missions one by one."""
    meta, programme = report.meta, report.programme
    ws = book.sheet("report_sheet_programme")
    ws.write(0, 0, f"{meta.t('report_programme', year=programme.year)} — {report.scope_label}",
             book.title)  # fmt: skip
    if not programme.available:
        ws.write(2, 0, meta.t("report_no_programme_data"), book.note)
        return
    ws.write(1, 0, meta.t("report_programme_note", year=programme.year), book.note)
    ws.write(3, 0, meta.t("report_programme_by_region"), book.bold_text)
    region_columns = [
        (meta.t("col_region"), "region", 30, book.text),
        (meta.t("kpi_missions_planned"), "missions_planned", 13, book.int),
        (meta.t("kpi_missions_done"), "missions_done", 13, book.int),
        (meta.t("kpi_missions_cancelled"), "missions_cancelled", 13, book.int),
        (meta.t("legend_days_planned"), "auditor_days_planned", 14, book.int),
        (meta.t("legend_days_used"), "auditor_days_used", 14, book.int),
        (meta.t("report_proposed_missions"), "proposed_missions", 13, book.int),
        (meta.t("report_proposed_days"), "proposed_auditor_days", 14, book.int),
    ]
    regions = programme.by_region
    rows = [[row[key] for _t, key, _w, _f in region_columns] for _, row in regions.iterrows()]
    rows.append([meta.t("report_total"), *[regions[key].sum() for _t, key, _w, _f in
                                           region_columns[1:]]])  # fmt: skip
    last = book.table(ws, 4, region_columns, rows, freeze=False)

    first = last + 3
    title = meta.t("report_programme_missions", year=programme.year,
                   count=len(programme.missions))  # fmt: skip
    ws.write(first - 1, 0, title, book.bold_text)
    if programme.missions.empty:
        ws.write(first, 0, meta.t("report_no_programmed_missions", year=programme.year), book.note)
        return
    mission_columns = [
        (meta.t("col_mission"), "mission_id", 14, book.text),
        (meta.t("col_code"), "collectivity_code", 14, book.text),
        (meta.t("collectivity"), "collectivity", 26, book.text),
        (meta.t("col_region"), "region", 26, book.text),
        (meta.t("col_process"), "process", 26, book.text),
        (meta.t("col_audit_body"), "body", 16, book.text),
        (meta.t("col_status"), "status", 13, book.text),
        (meta.t("legend_days_planned"), "planned_auditor_days", 14, book.int),
        (meta.t("legend_days_used"), "actual_auditor_days", 14, book.int),
    ]
    rows = [
        [row[key] for _t, key, _w, _f in mission_columns]
        for _, row in programme.missions.iterrows()
    ]
    book.table(ws, first, mission_columns, rows, freeze=False)
