"""PDF reports (ReportLab): one collectivity's risk map (1–3 pages) and the national ranking.

French reads left to right; Arabic right to left: paragraphs are right-aligned, tables
and side-by-side blocks are mirrored, and Arabic text is shaped and reordered
(``tadqiq.reports.text``) and drawn with an embedded Arabic font
(``tadqiq.reports.fonts``).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from tadqiq.i18n import (
    MISSING,
    band_label,
    class_label,
    fmt_date,
    fmt_number,
    fmt_pct,
    fmt_signed,
    fmt_value,
    level_label,
    status_label,
    type_label,
)
from tadqiq.reports import fonts
from tadqiq.reports.data import (
    TOP_RISKS,
    CollectivityReport,
    Meta,
    NationalReport,
    selection_summary,
    selection_text,
    stability_reasons,
)
from tadqiq.reports.text import font_runs, has_arabic, is_arabic_char, visual, wrap

PAGE_W, PAGE_H = A4
MARGIN = 14 * mm
FRAME_W = PAGE_W - 2 * MARGIN
RISK_CLASSES = ("low", "moderate", "high", "critical")
CLASS_FILL = {
    "low": colors.HexColor("#A5D6A7"),
    "moderate": colors.HexColor("#FFF176"),
    "high": colors.HexColor("#FFB74D"),
    "critical": colors.HexColor("#E57373"),
}
BAND_FILL = {
    "green": colors.HexColor("#A5D6A7"),
    "amber": colors.HexColor("#FFB74D"),
    "red": colors.HexColor("#E57373"),
}
NAVY = colors.HexColor("#1F3A5F")
GREY = colors.HexColor("#5F6368")
ZEBRA = colors.HexColor("#F3F5F8")
NATIONAL_TOP = 100


def class_of(inherent: int) -> str:
    if inherent <= 4:
        return "low"
    if inherent <= 9:
        return "moderate"
    return "high" if inherent <= 14 else "critical"


def _missing(x: Any) -> bool:
    try:
        return x is None or bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


# --- text ----------------------------------------------------------------------------------


def _font_pair(bold: bool) -> tuple[str, str]:
    return (fonts.LATIN_BOLD, fonts.ARABIC_BOLD) if bold else (fonts.LATIN, fonts.ARABIC)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Drawn width of ``text`` once shaped (Arabic runs in the Arabic font)."""
    latin, arabic = _font_pair(bold)
    width, run, run_arabic = 0.0, "", False
    for char in visual(text, rtl=False) if has_arabic(text) else text:
        char_arabic = is_arabic_char(char)
        if run and char_arabic != run_arabic:
            width += stringWidth(run, arabic if run_arabic else latin, size)
            run = ""
        run_arabic = char_arabic
        run += char
    if run:
        width += stringWidth(run, arabic if run_arabic else latin, size)
    return width


def draw_text(
    canv: Any, x: float, y: float, text: str, size: float, *, rtl: bool,
    align: str = "left", bold: bool = False, color: Any = colors.black,
) -> None:  # fmt: skip
    """One line of mixed-script text on the canvas, Arabic shaped, each run in its font."""
    latin, arabic = _font_pair(bold)
    line = visual(text, rtl)
    runs: list[tuple[str, str]] = []
    for char in line:
        font = arabic if is_arabic_char(char) else latin
        if runs and (runs[-1][1] == font or (char == " " and runs[-1][1] == arabic)):
            runs[-1] = (runs[-1][0] + char, runs[-1][1])
        else:
            runs.append((char, font))
    total = sum(stringWidth(run, font, size) for run, font in runs)
    start = {"left": x, "right": x - total, "center": x - total / 2}[align]
    canv.setFillColor(color)
    for run, font in runs:
        canv.setFont(font, size)
        canv.drawString(start, y, run)
        start += stringWidth(run, font, size)


class Styles:
    def __init__(self, rtl: bool) -> None:
        fonts.register()
        self.rtl = rtl
        align = TA_RIGHT if rtl else TA_LEFT
        leading = 1.35 if rtl else 1.25  # Arabic needs room above and below
        base = ParagraphStyle("base", fontName=fonts.LATIN, fontSize=8.5,
                              leading=8.5 * leading, alignment=align)  # fmt: skip
        self.body = base
        self.small = ParagraphStyle("small", base, fontSize=7.2, leading=7.2 * leading)
        self.cell = ParagraphStyle("cell", base, fontSize=7.4, leading=7.4 * leading)
        self.cell_num = ParagraphStyle("cell_num", self.cell, alignment=TA_CENTER)
        self.head = ParagraphStyle("head", self.cell, fontName=fonts.LATIN_BOLD,
                                   textColor=colors.white, alignment=TA_CENTER)  # fmt: skip
        self.h1 = ParagraphStyle("h1", base, fontName=fonts.LATIN_BOLD, fontSize=15,
                                 leading=15 * leading, textColor=NAVY)  # fmt: skip
        self.h2 = ParagraphStyle("h2", base, fontName=fonts.LATIN_BOLD, fontSize=10.5,
                                 leading=10.5 * leading, textColor=NAVY, spaceBefore=6,
                                 spaceAfter=3)  # fmt: skip
        self.note = ParagraphStyle("note", self.small, textColor=GREY)

    def p(self, text: Any, style: ParagraphStyle | None = None, width: float = FRAME_W) -> Any:
        """A paragraph; Arabic (or any right-to-left one) wrapped here, then reordered."""
        style = style or self.body
        text = MISSING if _missing(text) else str(text)
        bold = style.fontName == fonts.LATIN_BOLD
        arabic_font = fonts.ARABIC_BOLD if bold else fonts.ARABIC
        if not (self.rtl or has_arabic(text)):
            return Paragraph(font_runs(text, arabic_font), style)
        lines = wrap(text, width - 2, lambda line: text_width(line, style.fontSize, bold))
        markup = "<br/>".join(font_runs(visual(line, self.rtl), arabic_font) for line in lines)
        return Paragraph(markup, style)


# --- tables ----------------------------------------------------------------------------------


def table(
    styles: Styles,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    *,
    numeric: Sequence[int] = (),
    fills: dict[tuple[int, int], Any] | None = None,
    bold_last: bool = False,
) -> Table:
    """A bordered table, header repeated on each page, mirrored for right to left.

    ``fills``: background colours by (row, column) in logical order, row 0 being the first
    data row.
    """
    order = list(range(len(headers)))[::-1] if styles.rtl else list(range(len(headers)))
    data = [[styles.p(headers[c], styles.head, widths[c]) for c in order]]
    for row in rows:
        data.append(
            [
                styles.p(row[c], styles.cell_num if c in numeric else styles.cell, widths[c])
                for c in order
            ]
        )
    commands: list[tuple] = [
        ("FONT", (0, 0), (-1, -1), fonts.LATIN, 7.4),  # else Helvetica, not embedded
        ("BACKGROUND", (0, 0), (-1, 0), NAVY),
        ("GRID", (0, 0), (-1, -1), 0.35, colors.HexColor("#B0B7C3")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for r in range(1, len(data)):
        if r % 2 == 0:
            commands.append(("BACKGROUND", (0, r), (-1, r), ZEBRA))
    for (r, c), fill in (fills or {}).items():
        col = order.index(c)
        commands.append(("BACKGROUND", (col, r + 1), (col, r + 1), fill))
    if bold_last:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 1, NAVY))
    return Table(
        data,
        colWidths=[widths[c] for c in order],
        repeatRows=1,
        style=TableStyle(commands),
        hAlign="RIGHT" if styles.rtl else "LEFT",
    )


def side_by_side(styles: Styles, left: Any, right: Any, widths: tuple[float, float]) -> Table:
    cells, col_widths = [left, right], list(widths)
    if styles.rtl:
        cells, col_widths = cells[::-1], col_widths[::-1]
    return Table(
        [cells],
        colWidths=col_widths,
        style=TableStyle(
            [("FONT", (0, 0), (-1, -1), fonts.LATIN, 8),
             ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
             ("RIGHTPADDING", (0, 0), (-1, -1), 0)]
        ),
    )  # fmt: skip


# --- the 5×5 heatmap -----------------------------------------------------------------------


class Heatmap(Flowable):
    """Likelihood × impact matrix coloured by class, register counts, the position circled."""

    def __init__(
        self, meta: Meta, counts: dict[tuple[int, int], int], position: tuple[int, int] | None,
        cell: float = 13 * mm,
    ) -> None:  # fmt: skip
        super().__init__()
        self.meta, self.counts, self.position, self.cell = meta, counts, position, cell
        self.axis = 14 * mm
        self.width = self.axis + 5 * cell + 4 * mm
        self.height = 5 * cell + 36 * mm

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canv, meta, cell, rtl = self.canv, self.meta, self.cell, self.meta.rtl
        x0, y0 = self.axis, 22 * mm
        for lik in range(1, 6):
            for imp in range(1, 6):
                # impact grows left to right in French, right to left in Arabic
                col = (5 - imp) if rtl else (imp - 1)
                x, y = x0 + col * cell, y0 + (lik - 1) * cell
                canv.setFillColor(CLASS_FILL[class_of(lik * imp)])
                canv.setStrokeColor(colors.white)
                canv.setLineWidth(1.5)
                canv.rect(x, y, cell, cell, stroke=1, fill=1)
                draw_text(canv, x + 2, y + cell - 8, str(lik * imp), 6.5, rtl=False,
                          color=GREY)  # fmt: skip
                n = self.counts.get((lik, imp), 0)
                if n:
                    draw_text(canv, x + cell / 2, y + cell / 2 - 4, str(n), 12, rtl=False,
                              align="center", bold=True)  # fmt: skip
                if self.position == (lik, imp):
                    canv.setStrokeColor(colors.black)
                    canv.setLineWidth(2.2)
                    canv.circle(x + cell / 2, y + cell / 2, cell * 0.42, stroke=1, fill=0)
        for i in range(1, 6):
            col = (5 - i) if rtl else (i - 1)
            draw_text(canv, x0 + col * cell + cell / 2, y0 - 9, str(i), 8, rtl=False,
                      align="center")  # fmt: skip
            draw_text(canv, x0 - 4, y0 + (i - 1) * cell + cell / 2 - 3, str(i), 8, rtl=False,
                      align="right")  # fmt: skip
        grid_w = 5 * cell
        draw_text(canv, x0 + grid_w / 2, y0 - 19, meta.t("impact"), 8, rtl=rtl, align="center",
                  bold=True)  # fmt: skip
        canv.saveState()
        canv.translate(x0 - 10, y0 + 5 * cell / 2)
        canv.rotate(90)
        draw_text(canv, 0, 0, meta.t("likelihood"), 8, rtl=rtl, align="center", bold=True)
        canv.restoreState()
        # legend: the four classes, then the symbols
        legend_y = y0 + 5 * cell + 12
        swatch_w = grid_w / 4
        for i, risk_class in enumerate(RISK_CLASSES if not rtl else RISK_CLASSES[::-1]):
            x = x0 + i * swatch_w
            canv.setFillColor(CLASS_FILL[risk_class])
            canv.rect(x + 1, legend_y, 7, 7, stroke=0, fill=1)
            draw_text(canv, x + 10, legend_y + 1, class_label(risk_class, meta.lang, False), 7,
                      rtl=rtl)  # fmt: skip
        draw_text(canv, x0 + (grid_w if rtl else 0), legend_y + 11,
                  meta.t("risk_class") + " (L×I)", 7.5, rtl=rtl,
                  align="right" if rtl else "left", bold=True)  # fmt: skip


# --- page decoration -----------------------------------------------------------------------


def _decorate(meta: Meta, version: str) -> Callable[[Any, Any], None]:
    generated = meta.t(
        "report_generated",
        date=f"{fmt_date(meta.generated)} {meta.generated:%H:%M}",
        user=meta.user,
        snapshot=meta.snapshot,
        version=version,
    )

    def on_page(canv: Any, doc: Any) -> None:
        canv.saveState()
        rtl = meta.rtl
        start, end = (PAGE_W - MARGIN, MARGIN) if rtl else (MARGIN, PAGE_W - MARGIN)
        near, far = ("right", "left") if rtl else ("left", "right")
        canv.setStrokeColor(NAVY)
        canv.setLineWidth(1.2)
        canv.line(MARGIN, PAGE_H - 10 * mm, PAGE_W - MARGIN, PAGE_H - 10 * mm)
        draw_text(canv, start, PAGE_H - 8.5 * mm, "Tadqiq — تدقيق", 8, rtl=rtl, align=near,
                  bold=True, color=NAVY)  # fmt: skip
        draw_text(canv, end, PAGE_H - 8.5 * mm, meta.t("report_confidential"), 7.5, rtl=rtl,
                  align=far, color=colors.HexColor("#B71C1C"))  # fmt: skip
        canv.setLineWidth(0.5)
        canv.line(MARGIN, 11 * mm, PAGE_W - MARGIN, 11 * mm)
        draw_text(canv, start, 7 * mm, generated, 6.5, rtl=rtl, align=near, color=GREY)
        draw_text(canv, end, 7 * mm, meta.t("report_page", page=doc.page), 7, rtl=rtl,
                  align=far, color=GREY)  # fmt: skip
        canv.restoreState()

    return on_page


def _document(buffer: io.BytesIO, meta: Meta, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        author=meta.user,
        subject="Tadqiq",
        creator="Tadqiq",
        lang=meta.lang,
        initialFontName=fonts.LATIN,  # no unembedded Helvetica in the file
    )


# --- one collectivity --------------------------------------------------------------------


def _kpis(styles: Styles, report: CollectivityReport) -> Table:
    meta, o = report.meta, report.overview
    rank = MISSING if _missing(o["national_rank"]) else fmt_number(o["national_rank"])
    if not _missing(o["rank_p05"]):
        rank += f" ({fmt_number(o['rank_p05'])}–{fmt_number(o['rank_p95'])})"
    residual = MISSING if _missing(o["residual_risk"]) else fmt_number(o["residual_risk"])
    headers = [meta.t("composite_score"), meta.t("likelihood"), meta.t("impact"),
               meta.t("inherent_risk"), meta.t("risk_class"), meta.t("residual_risk"),
               meta.t("national_rank") + " (p5–p95)"]  # fmt: skip
    values = [fmt_number(o["composite_score"], 1), fmt_number(o["likelihood"]),
              fmt_number(o["impact"]), fmt_number(o["inherent_risk"]),
              class_label(o["risk_class"], meta.lang, False), residual, rank]  # fmt: skip
    widths = [FRAME_W / 7] * 7
    fills = {}
    if not _missing(o["risk_class"]):
        fills[(0, 4)] = CLASS_FILL[o["risk_class"]]
    if not _missing(o["residual_risk_class"]):
        fills[(0, 5)] = CLASS_FILL[o["residual_risk_class"]]
    return table(styles, headers, [values], widths, numeric=range(7), fills=fills)


def _stability(styles: Styles, report: CollectivityReport) -> list[Any]:
    """The programme selection under the weight perturbations, and why it moves or not."""
    meta, o = report.meta, report.overview
    names = dict(
        zip(report.domains["domain_code"], report.domains[f"domain_name_{meta.lang}"], strict=True)
    )
    lines = []
    if not _missing(o["selection_share"]):
        flag = meta.t("unstable_yes" if o["is_selection_unstable"] else "unstable_no")
        selection = selection_text(meta.lang, o["is_programme_selected"], o["selection_share"])
        lines.append(f"{selection} ({flag.replace('⚠️ ', '')})")
    lines += stability_reasons(meta.lang, o, names)
    if not lines:
        return []
    return [
        styles.p(meta.t("stability_title"), styles.body),
        *[styles.p("• " + line, styles.note) for line in lines],
        Spacer(1, 4),
    ]


def _domains_table(styles: Styles, report: CollectivityReport, width: float) -> Table:
    meta = report.meta
    headers = [meta.t("col_domain"), meta.t("axis_domain_score"), "L", "I", "L×I",
               meta.t("coverage")]  # fmt: skip
    widths = [width * w for w in (0.40, 0.16, 0.08, 0.08, 0.10, 0.18)]
    rows, fills = [], {}
    for r, (_, d) in enumerate(report.domains.iterrows()):
        name = str(d[f"domain_name_{meta.lang}"])
        flags = [meta.t("red_flag")] if d["has_red_flag"] is True else []
        flags += [meta.t("insufficient_data")] if d["is_insufficient_data"] is True else []
        if flags:
            name += " — " + ", ".join(flags)
        inherent = d["domain_inherent_risk"]
        rows.append([name, fmt_number(d["domain_score"], 1), fmt_number(d["domain_likelihood"]),
                     fmt_number(d["impact"]), fmt_number(inherent),
                     fmt_pct(d["coverage_ratio"], 0)])  # fmt: skip
        if not _missing(inherent):
            fills[(r, 4)] = CLASS_FILL[class_of(int(inherent))]
    return table(styles, headers, rows, widths, numeric=range(1, 6), fills=fills)


def _top_risks(styles: Styles, report: CollectivityReport) -> Table:
    meta = report.meta
    headers = ["#", meta.t("col_risk"), meta.t("col_process"), "L", "I", "L×I",
               meta.t("risk_class"), meta.t("residual_risk"), meta.t("residual_class"),
               meta.t("col_findings")]  # fmt: skip
    widths = [FRAME_W * w for w in (0.04, 0.30, 0.14, 0.05, 0.05, 0.06, 0.10, 0.08, 0.10, 0.08)]
    rows, fills = [], {}
    for r, (_, risk) in enumerate(report.register.head(TOP_RISKS).iterrows()):
        rows.append([
            fmt_number(risk["risk_rank"]), risk[f"risk_name_{meta.lang}"],
            str(risk["process_code"]).replace("_", " "),
            fmt_number(risk["likelihood"]), fmt_number(risk["impact"]),
            fmt_number(risk["inherent_risk"]), class_label(risk["risk_class"], meta.lang, False),
            fmt_number(risk["residual_risk"]),
            class_label(risk["residual_risk_class"], meta.lang, False),
            fmt_number(risk["findings_3y"]),
        ])  # fmt: skip
        for col, key in ((6, "risk_class"), (8, "residual_risk_class")):
            if not _missing(risk[key]):
                fills[(r, col)] = CLASS_FILL[risk[key]]
    return table(styles, headers, rows, widths, numeric=(0, 3, 4, 5, 7, 9), fills=fills)


def _score_card(styles: Styles, report: CollectivityReport) -> Table:
    meta, lang = report.meta, report.meta.lang
    headers = [meta.t("col_domain"), meta.t("col_line"), meta.t("col_value"),
               meta.t("col_band"), meta.t("col_sub_score"), meta.t("col_contribution"),
               meta.t("col_change")]  # fmt: skip
    widths = [FRAME_W * w for w in (0.08, 0.40, 0.13, 0.10, 0.10, 0.10, 0.09)]
    rows, fills = [], {}
    card = report.score_card
    for r, (_, line) in enumerate(card.iterrows()):
        indicator = line["line_kind"] == "indicator"
        rows.append([
            line["domain_code"], line[f"line_name_{lang}"],
            fmt_value(line["indicator_value"], line["unit"], lang) if indicator else MISSING,
            band_label(line["band"], lang, False) if indicator else meta.t("line_adjustment"),
            fmt_number(line["sub_score"], 1), fmt_number(line["contribution"], 2),
            fmt_signed(line["contribution_change"], 2),
        ])  # fmt: skip
        if indicator and not _missing(line["band"]):
            fills[(r, 3)] = BAND_FILL[line["band"]]
    rows.append(["", meta.t("legend_total"), "", "", "",
                 fmt_number(card["contribution"].sum(), 1),
                 fmt_signed(card["contribution_change"].sum(), 1)])  # fmt: skip
    return table(styles, headers, rows, widths, numeric=(0, 2, 4, 5, 6), fills=fills,
                 bold_last=True)  # fmt: skip


def _recommendations(styles: Styles, report: CollectivityReport) -> list[Any]:
    meta = report.meta
    out: list[Any] = [styles.p(meta.t("report_recommendations"), styles.h2)]
    recs = report.recommendations
    if recs is None:
        return [*out, styles.p(meta.t("report_no_recommendation_data"))]
    if recs.empty or "status" not in recs.columns:
        return [*out, styles.p(meta.t("report_no_recommendations"))]
    overdue = recs["is_overdue"].fillna(False).astype(bool) if "is_overdue" in recs else None
    rows = []
    for status, group in recs.groupby("status", sort=True):
        row = [status_label(status, meta.lang), fmt_number(len(group))]
        row.append(MISSING if overdue is None else fmt_number(overdue[group.index].sum()))
        days = group.get("days_open", None)
        row.append(MISSING if days is None else fmt_number(days.median()))
        rows.append(row)
    headers = [meta.t("col_status"), meta.t("col_count"), meta.t("status_overdue"),
               meta.t("col_days_open")]  # fmt: skip
    widths = [FRAME_W * w for w in (0.4, 0.15, 0.15, 0.2)]
    total = meta.t(
        "report_recommendations_total",
        total=fmt_number(len(recs)),
        overdue=MISSING if overdue is None else fmt_number(overdue.sum()),
    )
    return [*out, table(styles, headers, rows, widths, numeric=(1, 2, 3)), Spacer(1, 2),
            styles.p(total, styles.small)]  # fmt: skip


def collectivity_pdf(report: CollectivityReport) -> bytes:
    meta, o = report.meta, report.overview
    styles = Styles(meta.rtl)
    place = " · ".join(
        str(o[f"{k}_name_{meta.lang}"]) for k in ("province", "region")
        if not _missing(o[f"{k}_name_{meta.lang}"])
    )  # fmt: skip
    title = meta.t("report_title_collectivity", name=report.name)
    story: list[Any] = [
        styles.p(title, styles.h1),
        styles.p(
            meta.t(
                "report_subtitle",
                type=type_label(o["collectivity_type"], meta.lang),
                code=report.code,
                place=place,
                year=report.year,
            ),
            styles.body,
        ),
        Spacer(1, 6),
        _kpis(styles, report),
        Spacer(1, 4),
        *_stability(styles, report),
    ]
    counts = report.register.groupby(["likelihood", "impact"]).size().to_dict()
    position = None if _missing(o["likelihood"]) else (int(o["likelihood"]), int(o["impact"]))
    heat = Heatmap(meta, {(int(k[0]), int(k[1])): int(v) for k, v in counts.items()}, position)
    left_w = heat.width + 4 * mm
    right_w = FRAME_W - left_w
    left = [
        styles.p(meta.t("report_heatmap_title"), styles.h2, left_w),
        heat,
        styles.p(
            meta.t("report_heatmap_note", l=fmt_number(o["likelihood"]), i=fmt_number(o["impact"])),
            styles.note, left_w - 4 * mm,
        ),
    ]  # fmt: skip
    right = [
        styles.p(meta.t("domain_heatmaps_title", year=report.year), styles.h2, right_w),
        _domains_table(styles, report, right_w),
    ]
    story.append(side_by_side(styles, left, right, (left_w, right_w)))
    story += [styles.p(meta.t("report_top_risks"), styles.h2), _top_risks(styles, report)]
    if report.register.empty:
        story.append(styles.p(meta.t("no_register")))
    story += [
        CondPageBreak(60 * mm),
        styles.p(meta.t("report_score_card"), styles.h2),
        styles.p(meta.t("score_card_hint"), styles.note),
        Spacer(1, 2),
    ]
    story.append(_score_card(styles, report) if not report.score_card.empty
                 else styles.p(meta.t("no_score_card")))  # fmt: skip
    story.append(KeepTogether(_recommendations(styles, report)))
    story.append(
        KeepTogether([
            styles.p(meta.t("report_sources"), styles.h2),
            styles.p(meta.t("report_sources_text", version=report.version), styles.small),
        ])
    )  # fmt: skip
    buffer = io.BytesIO()
    decorate = _decorate(meta, report.version)
    _document(buffer, meta, title).build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


# --- the national ranking ------------------------------------------------------------------


def _classes_by_region(styles: Styles, report: NationalReport) -> list[Any]:
    meta = report.meta
    regions = report.classes_by_region
    headers = [meta.t("col_region"), *[class_label(c, meta.lang, False) for c in RISK_CLASSES],
               meta.t("report_total")]  # fmt: skip
    widths = [FRAME_W * 0.40] + [FRAME_W * 0.11] * 5
    rows = [
        [r["region"], *[fmt_number(r[c]) for c in RISK_CLASSES], fmt_number(r["total"])]
        for _, r in regions.iterrows()
    ]
    rows.append([meta.t("report_total"), *[fmt_number(regions[c].sum()) for c in RISK_CLASSES],
                 fmt_number(regions["total"].sum())])  # fmt: skip
    fills = {
        (r, 1 + i): CLASS_FILL[c]
        for r in range(len(rows))
        for i, c in enumerate(RISK_CLASSES)
        if rows[r][1 + i] not in ("0", MISSING)
    }
    return [
        styles.p(meta.t("report_classes_by_region"), styles.h2),
        table(styles, headers, rows, widths, numeric=range(1, 6), fills=fills, bold_last=True),
    ]


def _ranking(styles: Styles, report: NationalReport) -> list[Any]:
    meta, lang = report.meta, report.meta.lang
    ranking = report.ranking.head(NATIONAL_TOP)
    headers = [meta.t("col_rank"), meta.t("col_selection"), meta.t("col_rank_interval"),
               meta.t("collectivity"), meta.t("col_province"), meta.t("risk_score"), "L", "I",
               "L×I", meta.t("risk_class")]  # fmt: skip
    widths = [FRAME_W * w for w in (0.08, 0.17, 0.08, 0.22, 0.12, 0.08, 0.04, 0.04, 0.05, 0.12)]
    rows, fills = [], {}
    for r, (_, x) in enumerate(ranking.iterrows()):
        interval = MISSING
        if not _missing(x["rank_p05"]):
            interval = f"{fmt_number(x['rank_p05'])}–{fmt_number(x['rank_p95'])}"
        selection = selection_text(lang, x["is_programme_selected"], x["selection_share"])
        if not _missing(x["is_selection_unstable"]) and x["is_selection_unstable"]:
            selection += " — " + meta.t("unstable_yes").replace("⚠️ ", "")
            fills[(r, 1)] = colors.HexColor("#FFE0B2")
        rank = x["national_rank"] if not _missing(x["national_rank"]) else x["level_rank"]
        rows.append([
            fmt_number(rank), selection, interval,
            f"{x[f'name_{lang}']} ({x['collectivity_code']})", x[f"province_name_{lang}"],
            fmt_number(x["risk_score"], 2), fmt_number(x["likelihood"]), fmt_number(x["impact"]),
            fmt_number(x["inherent_risk"]), class_label(x["risk_class"], lang, False),
        ])  # fmt: skip
        if not _missing(x["risk_class"]):
            fills[(r, 9)] = CLASS_FILL[x["risk_class"]]
    shown = meta.t("report_ranking_top", shown=fmt_number(len(ranking)),
                   total=fmt_number(len(report.ranking)))  # fmt: skip
    summary = selection_summary(lang, report.ranking)
    return [
        CondPageBreak(50 * mm),
        styles.p(shown, styles.h2),
        styles.p(meta.t("ranking_interval_hint"), styles.note),
        *([styles.p(summary, styles.body)] if summary else []),
        Spacer(1, 2),
        table(styles, headers, rows, widths, numeric=(0, 2, 5, 6, 7, 8), fills=fills),
    ]


def _programme(styles: Styles, report: NationalReport) -> list[Any]:
    """The audit programme of the report's year: per region, then every programmed mission."""
    meta, programme = report.meta, report.programme
    story: list[Any] = [
        CondPageBreak(50 * mm),
        styles.p(meta.t("report_programme", year=programme.year), styles.h2),
    ]
    if not programme.available:
        return [*story, styles.p(meta.t("report_no_programme_data"), styles.note)]
    story.append(styles.p(meta.t("report_programme_note", year=programme.year), styles.note))

    keys = ("missions_planned", "missions_done", "missions_cancelled", "auditor_days_planned",
            "auditor_days_used", "proposed_missions", "proposed_auditor_days")  # fmt: skip
    headers = [meta.t("col_region"), meta.t("kpi_missions_planned"), meta.t("kpi_missions_done"),
               meta.t("kpi_missions_cancelled"), meta.t("legend_days_planned"),
               meta.t("legend_days_used"), meta.t("report_proposed_missions"),
               meta.t("report_proposed_days")]  # fmt: skip
    widths = [FRAME_W * 0.23] + [FRAME_W * 0.11] * 7
    regions = programme.by_region
    rows = [[r["region"], *[fmt_number(r[k]) for k in keys]] for _, r in regions.iterrows()]
    rows.append([meta.t("report_total"), *[fmt_number(regions[k].sum()) for k in keys]])
    story += [
        Spacer(1, 2),
        styles.p(meta.t("report_programme_by_region"), styles.body),
        table(styles, headers, rows, widths, numeric=range(1, 8), bold_last=True),
        Spacer(1, 6),
    ]

    missions = programme.missions
    story.append(
        styles.p(
            meta.t("report_programme_missions", year=programme.year,
                   count=fmt_number(len(missions))),
            styles.body,
        )
    )  # fmt: skip
    if missions.empty:
        story.append(
            styles.p(meta.t("report_no_programmed_missions", year=programme.year), styles.note)
        )
        return story
    headers = [meta.t("collectivity"), meta.t("col_region"), meta.t("col_process"),
               meta.t("col_audit_body"), meta.t("col_status"), meta.t("legend_days_planned"),
               meta.t("legend_days_used")]  # fmt: skip
    widths = [FRAME_W * w for w in (0.22, 0.16, 0.19, 0.11, 0.09, 0.115, 0.115)]
    rows = [
        [f"{m['collectivity']} ({m['collectivity_code']})", m["region"], m["process"], m["body"],
         m["status"], fmt_number(m["planned_auditor_days"]),
         fmt_number(m["actual_auditor_days"])]
        for _, m in missions.iterrows()
    ]  # fmt: skip
    story.append(table(styles, headers, rows, widths, numeric=(5, 6)))
    return story


# the sections of the national report, in order
NATIONAL_SECTIONS: dict[str, Callable[[Styles, NationalReport], list[Any]]] = {
    "classes_by_region": _classes_by_region,
    "ranking": _ranking,
    "programme": _programme,
}


def national_pdf(report: NationalReport) -> bytes:
    meta = report.meta
    styles = Styles(meta.rtl)
    title = meta.t(
        "report_national_title", level=level_label(report.level, meta.lang), year=report.year
    )
    story: list[Any] = [
        styles.p(title, styles.h1),
        styles.p(meta.t("report_national_scope", scope=report.scope_label)),
        Spacer(1, 4),
    ]
    for section in report.sections:
        story += NATIONAL_SECTIONS[section](styles, report)
    story += [
        styles.p(meta.t("report_sources"), styles.h2),
        styles.p(meta.t("report_sources_text", version=report.version), styles.small),
    ]
    buffer = io.BytesIO()
    decorate = _decorate(meta, report.version)
    _document(buffer, meta, title).build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
