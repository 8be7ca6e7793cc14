"""Downloadable reports: content, Arabic shaping, embedded fonts, scope, CLI and Dagster asset.

Built from the fixture warehouse (tests/dashboard_fixtures.py). The PDF checks read the files
with poppler (pdftotext, pdffonts, pdftoppm; Debian package poppler-utils) and skip without it.
"""

from __future__ import annotations

import io
import json
import shutil
import stat
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import arabic_reshaper
import duckdb
import openpyxl
import pytest
from dashboard_fixtures import add_audit_marts, build_warehouse
from streamlit.testing.v1 import AppTest

from dashboards import auth, downloads
from tadqiq import reports
from tadqiq import warehouse as queries
from tadqiq.access import AccessDenied, Role, Scope
from tadqiq.access import log as access_log
from tadqiq.i18n import AR, FR, fmt_date
from tadqiq.reports import data as report_data
from tadqiq.reports.text import visual

APP = Path(__file__).resolve().parents[1] / "dashboards" / "app.py"
MINISTRY = Scope(Role.MINISTRY, "t.ministere")
REGION_06 = Scope(Role.REGION, "t.region06", "06")
CASABLANCA = Scope(Role.COLLECTIVITY, "t.casablanca", "06.141.01.0")
DATA_TEAM = Scope(Role.DATA_TEAM, "t.donnees")

POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdffonts", "pdftoppm"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed")

ARABIC_LETTERS = range(0x0621, 0x064B)  # base letters, hamza … yeh
PRESENTATION_FORMS = range(0xFE70, 0xFF00)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    data = tmp_path / "data"
    monkeypatch.setenv(queries.DATA_DIR_ENV, str(data))
    queries.clear_cache()
    yield data
    queries.clear_cache()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    path = build_warehouse(tmp_path / "tadqiq_test.duckdb")
    monkeypatch.setenv(queries.DB_ENV, str(path))
    return str(path)


@pytest.fixture
def db_with_recommendations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    path = build_warehouse(tmp_path / "tadqiq_recs.duckdb", recommendations=True)
    monkeypatch.setenv(queries.DB_ENV, str(path))
    return str(path)


@pytest.fixture
def db_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The fixture warehouse with the hand-made audit marts (missions, programme...)."""
    path = add_audit_marts(build_warehouse(tmp_path / "tadqiq_audit.duckdb"))
    monkeypatch.setenv(queries.DB_ENV, str(path))
    return str(path)


def records() -> list[dict]:
    path = access_log.log_path()
    lines = path.read_text(encoding="utf-8").splitlines()
    return [r for r in map(json.loads, lines) if r["action"] != "log_opened"]  # the log's own


def pdf_text(pdf: bytes, tmp_path: Path, name: str = "report.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return result.stdout


def pdf_pages(pdf: bytes, tmp_path: Path, stem: str) -> list[Path]:
    """The PDF turned into PNG pages (kept under the test's tmp dir to be looked at)."""
    path = tmp_path / f"{stem}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(tmp_path / stem)], check=True)
    return sorted(tmp_path.glob(f"{stem}-*.png"))


# --- formatting and shaping --------------------------------------------------------------


def test_dates_as_in_morocco() -> None:
    from datetime import date

    assert fmt_date(date(2024, 3, 5)) == "05/03/2024"


def test_arabic_is_shaped_and_reordered() -> None:
    shown = visual("الدار البيضاء (0–100)", rtl=True)
    assert not any(ord(c) in ARABIC_LETTERS for c in shown)  # every letter in its form
    assert "(0–100)" in shown  # the number range keeps its order and brackets
    assert "\u2066" not in shown and "\u2069" not in shown  # isolates removed
    assert visual("-0,55", rtl=True) == "-0,55"


# --- the collectivity risk map -----------------------------------------------------------


@needs_poppler
def test_french_pdf_holds_every_section(db: str, tmp_path: Path) -> None:
    pdf = reports.build_collectivity_report(db, MINISTRY, "06.141.01.0", 2024, "fr", "pdf")
    text = pdf_text(pdf, tmp_path)
    for expected in (
        "Cartographie des risques — Casablanca",
        "06.141.01.0",
        FR["report_heatmap_title"],
        FR["report_top_risks"],
        "Dérive de l'épargne de gestion",
        FR["report_score_card"],
        "Taux d'épargne brute",
        FR["report_recommendations"],
        FR["report_no_recommendation_data"],  # no fct_recommendations in this warehouse
        "82,5",  # composite score, comma decimal
        "v1.0",  # methodology version
        FR["stability_title"],
    ):
        assert expected in text, expected
    flat = " ".join(text.split())
    # Casablanca: selected in 188 of 200 simulations, composite 81,5–83,5, 2,5 points above
    # the threshold 80, which no simulation crosses
    assert "retenue · sélectionnée dans 94 % des simulations (stable)" in flat
    assert "Le score composite varie de 81,5 à 83,5 selon les pondérations, à 2,5 points" in flat
    pages = pdf_pages(pdf, tmp_path, "casablanca_fr")
    assert 1 <= len(pages) <= 3
    assert all(page.stat().st_size > 10_000 for page in pages)


@needs_poppler
def test_arabic_pdf_is_shaped_right_to_left_with_embedded_fonts(db: str, tmp_path: Path) -> None:
    pdf = reports.build_collectivity_report(db, MINISTRY, "06.141.01.0", 2024, "ar", "pdf")
    text = pdf_text(pdf, tmp_path)
    forms = [c for c in text if ord(c) in PRESENTATION_FORMS]
    assert len(forms) > 200
    names = {__import__("unicodedata").name(c) for c in forms}
    for form in ("INITIAL", "MEDIAL", "FINAL"):
        assert any(form in name for name in names), form  # joined letters, not only isolated
    assert not [c for c in text if ord(c) in ARABIC_LETTERS]  # no unshaped base letter left
    # the title word "المخاطر" in its joined forms (pdftotext gives it back in logical order)
    assert arabic_reshaper.reshape("المخاطر") in text
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "report.pdf")], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts and all(" yes " in line for line in fonts)  # every font embedded (emb = yes)
    assert any("Arabic" in line or "DejaVu" in line for line in fonts)
    assert 1 <= len(pdf_pages(pdf, tmp_path, "casablanca_ar")) <= 3


@needs_poppler
def test_recommendation_status_when_the_mart_exists(
    db_with_recommendations: str, tmp_path: Path
) -> None:
    pdf = reports.build_collectivity_report(
        db_with_recommendations, MINISTRY, "06.141.01.0", 2024, "fr", "pdf"
    )
    text = pdf_text(pdf, tmp_path)
    assert FR["report_no_recommendation_data"] not in text
    assert "Mise en œuvre (déclarée)" in text and "En cours" in text
    assert "3 recommandation(s), dont 1 en retard." in text


def test_xlsx_register_heatmap_score_card_sources(db: str) -> None:
    xlsx = reports.build_collectivity_report(db, MINISTRY, "06.141.01.0", 2024, "fr", "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames == ["Registre", "Carte 5x5", "Fiche de score", "Sources"]
    register = book["Registre"]
    assert register.freeze_panes == "A5"  # the header row stays on screen
    assert register["C5"].value == "Dérive de l'épargne de gestion"
    assert register["H5"].value == "Critique"
    assert len(register.conditional_formatting) >= 4  # class and L×I colours
    heatmap = book["Carte 5x5"]
    assert heatmap["F5"].value.startswith("25")  # L = 5, I = 5 in the top right corner
    card = book["Fiche de score"]
    totals = {row[2].value: row[10].value for row in card.iter_rows(min_row=5) if row[2].value}
    assert totals[FR["legend_total"]].startswith("=SUM(")
    assert totals[FR["composite_score"]] == 82.5
    sources = " ".join(str(c.value) for row in book["Sources"].iter_rows() for c in row)
    assert "v1.0" in sources and "Trésorerie générale du Royaume" in sources


def test_xlsx_never_turns_a_text_into_a_formula_or_a_link(db: str) -> None:
    """A name or text from a source file that looks like a formula stays text in the XLSX."""
    hostile = '=HYPERLINK("http://example.invalid","Session expirée : cliquez ici")'
    with duckdb.connect(db) as con:
        con.execute(
            "update marts.dim_collectivities set name_fr = ? where collectivity_code = ?",
            [hostile, "06.141.01.0"],
        )
    queries.clear_cache()
    xlsx = reports.build_collectivity_report(db, MINISTRY, "06.141.01.0", 2024, "fr", "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    cells = [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]
    written = [cell for cell in cells if cell.value == hostile]
    assert written and all(cell.data_type == "s" for cell in written)  # as text, as written
    formulas = [str(c.value) for c in cells if c.data_type == "f"]
    assert all(formula.startswith("=SUM(") for formula in formulas)  # only the report's own
    assert not [ws.title for ws in book.worksheets if ws._hyperlinks]  # no link anywhere


def test_arabic_xlsx_sheets_read_right_to_left(db: str) -> None:
    xlsx = reports.build_collectivity_report(db, MINISTRY, "06.141.01.0", 2024, "ar", "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames[0] == AR["report_sheet_register"]
    assert all(sheet.sheet_view.rightToLeft for sheet in book.worksheets)
    assert book.worksheets[0]["C5"].value == "تراجع الادخار التدبيري"


def test_report_outside_the_scope_is_refused_and_logged(db: str) -> None:
    with pytest.raises(AccessDenied):
        reports.build_collectivity_report(db, CASABLANCA, "01.511.01.0", 2024, "fr", "pdf")
    assert records()[-1]["outcome"] == access_log.DENIED
    with pytest.raises(AccessDenied):
        reports.build_national_report(db, DATA_TEAM, 2024, "commune", "fr", "xlsx")


def test_no_score_that_year(db: str) -> None:
    with pytest.raises(report_data.NothingToReport):
        reports.build_collectivity_report(db, MINISTRY, "06.181.05.01", 2024, "fr", "pdf")


# --- the national ranking ----------------------------------------------------------------


def test_national_ranking_xlsx_has_rank_intervals_and_regions(db: str) -> None:
    xlsx = reports.build_national_report(db, MINISTRY, 2024, "commune", "fr", "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    ranking = book["Classement"]
    # the fixture's programme for 2025: Casablanca (94 %, stable) and Tanger (85 %, unstable)
    assert ranking["A3"].value == (
        "Programme 2025 : collectivités de ce niveau retenues sur leurs scores (classe critique "
        "ou inspection conjointe) : 2, dont stables : 1 (50 %) ; décisions instables à ce "
        "niveau : 1."
    )
    header = [c.value for c in ranking[4]]
    assert header[:5] == ["Rang national", "Sélection au programme", "Stabilité de la sélection",
                          "p5", "p95"]  # fmt: skip
    first = [c.value for c in ranking[5]]
    assert first[:6] == [1, "retenue · sélectionnée dans 94 % des simulations", "stable", 1, 3,
                         "06.141.01.0"]  # fmt: skip
    second = [c.value for c in ranking[6]]
    assert second[:3] == [2, "retenue · sélectionnée dans 85 % des simulations", "⚠️ instable"]
    assert header[11] == "Score de risque (1–25)" and first[11] == 12.9
    regions = book["Classes par région"]
    rows = {row[0].value: [c.value for c in row[1:]] for row in regions.iter_rows(min_row=4)}
    assert rows["Casablanca-Settat"] == [1, 0, 0, 1, 2]  # Bouskoura low, Casablanca critical
    assert rows["Total"] == [2, 1, 0, 1, 4]


def test_regional_ranking_holds_its_region_only(db: str) -> None:
    xlsx = reports.build_national_report(db, REGION_06, 2024, "commune", "ar", "xlsx")
    ranking = openpyxl.load_workbook(io.BytesIO(xlsx)).worksheets[0]
    codes = {row[5].value for row in ranking.iter_rows(min_row=5) if row[5].value}
    assert codes == {"06.141.01.0", "06.181.01.1"}


@needs_poppler
def test_national_pdf_in_both_languages(db: str, tmp_path: Path) -> None:
    arabic_title = arabic_reshaper.reshape("ترتيب المخاطر")
    for lang, title in (("fr", "Classement des risques"), ("ar", arabic_title)):
        pdf = reports.build_national_report(db, MINISTRY, 2024, "commune", lang, "pdf")
        text = pdf_text(pdf, tmp_path, f"national_{lang}.pdf")
        assert title in text
        assert pdf_pages(pdf, tmp_path, f"national_{lang}")
        if lang == "fr":
            flat = " ".join(text.split())  # table cells wrap: words, not sentences
            assert "retenue · sélectionnée" in flat and "94 % des" in flat
            assert "simulations — instable" in flat  # Tanger, 85 %
            assert "dont stables" in flat and "1 (50 %)" in flat


# --- the national report's audit programme ------------------------------------------------
#
# Expected figures counted by hand from tests/dashboard_fixtures.py (MISSIONS, PROGRAMME):
# programme year 2024, region 01 (Tanger-Tétouan-Al Hoceïma): M-01-2024-1 closed 50/55 days,
# M-01-2024-2 reporting 60/65 -> planned 2, done 2, cancelled 0, days 110 planned, 120 used.
# Region 06 (Casablanca-Settat): M-06-2024-1 closed 40/50, -2 in progress 30/20, -3 cancelled
# 60/-, -4 reporting 35/30, -5 closed 20/20 -> planned 5, done 3, cancelled 1, days 185 / 120.
# No proposal for 2024. For 2025, selected proposals: region 06 annual 06.141.01.0 recettes 60
# and paie 45, annual 06 recettes 60, joint 06.141.01.0 commande_publique 60, multi-year
# 06.141.01.0 recettes 60 -> 5 missions, 285 days; region 01 annual patrimoine 50 and joint
# recettes 60 -> 2, 110 (the commande_publique annual and the 06.181.01.1 joint are not selected).

PROGRAMME_2024 = {
    # region: planned, done, cancelled, days planned, days used, proposed, proposed days
    "Tanger-Tétouan-Al Hoceïma": [2, 2, 0, 110, 120, 0, 0],
    "Casablanca-Settat": [5, 3, 1, 185, 120, 0, 0],
    "Total": [7, 5, 1, 295, 240, 0, 0],
}
MISSIONS_2024_06 = {"M-06-2024-1", "M-06-2024-2", "M-06-2024-3", "M-06-2024-4", "M-06-2024-5"}
MISSIONS_2024 = MISSIONS_2024_06 | {"M-01-2024-1", "M-01-2024-2"}


def programme_sheet(xlsx: bytes) -> tuple[dict[str, list], dict[str, list]]:
    """(rows of the per-region table by region, rows of the missions list by mission id)."""
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx))[FR["report_sheet_programme"]]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(rows) if row[0] == FR["col_region"])
    regions: dict[str, list] = {}
    missions: dict[str, list] = {}
    table = "regions"
    for row in rows[header + 1 :]:
        if row[0] is None:
            table = "between" if table == "regions" else table
        elif row[0] == FR["col_mission"]:
            table = "missions"
        elif table == "regions":
            regions[row[0]] = row[1:8]
        elif table == "missions":
            missions[row[0]] = row[1:9]
    return regions, missions


def test_programme_sheet_figures_per_region_and_missions(db_audit: str) -> None:
    xlsx = reports.build_national_report(db_audit, MINISTRY, 2024, "commune", "fr", "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames[-2:] == [FR["report_sheet_programme"], FR["report_sheet_sources"]]
    regions, missions = programme_sheet(xlsx)
    assert regions == PROGRAMME_2024
    assert set(missions) == MISSIONS_2024
    # collectivity code, name, region, process, body, status, days planned, days used
    assert missions["M-06-2024-3"] == [
        "06.181.01.1", "Bouskoura", "Casablanca-Settat", "Commande publique", "IGAT",
        FR["mission_status_cancelled"], 60, None,
    ]  # fmt: skip
    assert missions["M-01-2024-2"][3:] == [
        "Paie et ressources humaines",
        "IGF",
        FR["mission_status_reporting"],
        60,
        65,
    ]
    assert missions["M-06-2024-4"][4:6] == [
        FR["body_audit_interne"],
        FR["mission_status_reporting"],
    ]


def test_programme_of_a_year_with_proposals(db_audit: str) -> None:
    xlsx = reports.build_national_report(db_audit, MINISTRY, 2025, "commune", "fr", "xlsx")
    regions, missions = programme_sheet(xlsx)
    assert regions == {
        "Tanger-Tétouan-Al Hoceïma": [1, 0, 0, 40, 0, 2, 110],  # M-01-2025-1 planned
        "Casablanca-Settat": [2, 0, 0, 70, 10, 5, 285],  # M-06-2025-1 planned, -2 in progress
        "Total": [3, 0, 0, 110, 10, 7, 395],
    }
    assert set(missions) == {"M-06-2025-1", "M-06-2025-2", "M-01-2025-1"}


def test_regional_report_holds_its_region_missions_only(db_audit: str, tmp_path: Path) -> None:
    xlsx = reports.build_national_report(db_audit, REGION_06, 2024, "commune", "fr", "xlsx")
    regions, missions = programme_sheet(xlsx)
    assert regions == {
        "Casablanca-Settat": PROGRAMME_2024["Casablanca-Settat"],
        "Total": PROGRAMME_2024["Casablanca-Settat"],
    }
    assert set(missions) == MISSIONS_2024_06
    if POPPLER:
        pdf = reports.build_national_report(db_audit, REGION_06, 2024, "commune", "fr", "pdf")
        text = pdf_text(pdf, tmp_path, "region06.pdf")
        assert "Bouskoura (06.181.01.1)" in text
        assert "01.511" not in text and "Tanger" not in text


def test_programme_section_without_audit_marts(db: str) -> None:
    xlsx = reports.build_national_report(db, MINISTRY, 2024, "commune", "fr", "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx))[FR["report_sheet_programme"]]
    assert FR["report_no_programme_data"] in [c.value for c in sheet["A"]]


@needs_poppler
def test_programme_section_in_both_pdfs(db_audit: str, tmp_path: Path) -> None:
    pdf = reports.build_national_report(db_audit, MINISTRY, 2024, "commune", "fr", "pdf")
    text = pdf_text(pdf, tmp_path, "programme_fr.pdf")
    assert FR["report_programme"].format(year=2024) in text
    assert FR["report_programme_missions"].format(year=2024, count=7) in text
    total = next(line for line in text.splitlines() if line.strip().startswith("Total ") and
                 "295" in line)  # fmt: skip
    assert total.split()[1:] == ["7", "5", "1", "295", "240", "0", "0"]
    assert "Casablanca (06.141.01.0)" in text and "Recettes et recouvrement" in text

    pdf = reports.build_national_report(db_audit, MINISTRY, 2024, "commune", "ar", "pdf")
    text = pdf_text(pdf, tmp_path, "programme_ar.pdf")
    # Arabic labels, shaped (pdftotext gives the joined forms back in logical order)
    for arabic in ("برنامج التدقيق", AR["col_audit_body"], "المداخيل والتحصيل"):
        assert arabic_reshaper.reshape(arabic) in text, arabic
    assert not [c for c in text if ord(c) in ARABIC_LETTERS]  # no unshaped letter
    assert "295" in text and "240" in text  # the totals, Latin digits


# --- downloads, command line, Dagster ---------------------------------------------------


def test_scope_wide_download_is_checked_and_logged(db: str) -> None:
    build = downloads.deferred_build(db, REGION_06, None, "classement.xlsx", lambda: b"x")
    assert build() == b"x"
    record = records()[-1]
    assert (record["action"], record["outcome"], record["collectivity_code"]) == (
        access_log.DOWNLOAD,
        access_log.SUCCESS,
        None,
    )
    with pytest.raises(AccessDenied):
        downloads.deferred_build(db, DATA_TEAM, None, "classement.xlsx", lambda: b"x")()


def test_collectivity_page_offers_the_reports_and_new_sections(db: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.SESSION_KEY] = CASABLANCA
    at.run()
    assert not at.exception
    subheaders = [h.value for h in at.subheader]
    for key in ("domain_heatmaps_title", "score_card_title", "register_title"):
        assert FR[key].format(year=2024) in subheaders
    assert len(at.get("download_button")) == 4
    captions = " ".join(c.value for c in at.caption)
    assert (
        "Intervalle de rang p5–p95 : 1–3 · retenue · sélectionnée dans 94 % des simulations "
        "(stable)"
    ) in captions
    at.radio(key="lang").set_value("ar").run()
    assert not at.exception
    assert AR["score_card_title"].format(year=2024) in [h.value for h in at.subheader]


def test_national_page_batch_of_risk_maps_with_progress(db: str) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[auth.SESSION_KEY] = REGION_06
    at.run()
    ranking = at.dataframe[0].value
    assert list(ranking.loc[ranking["collectivity_code"] == "06.141.01.0", "rank_interval"]) == [
        "1–3"
    ]
    next(b for b in at.button if b.key == "prepare_batch").click().run()
    assert not at.exception
    assert at.get("download_button")[-1].proto.label == FR["batch_download"]


def test_the_batch_zip_is_built_outside_the_script_run(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Streamlit calls a download's data callable when the file is fetched, on the server,
    with no script run and no session state: the ZIP must come out of it all the same."""
    from dashboards import downloads

    handed: dict[str, object] = {}
    real = downloads.deferred_build

    def spy(db: str, scope: Scope, code: str | None, file_name: str, build):
        run = real(db, scope, code, file_name, build)
        handed[file_name] = run
        return run

    monkeypatch.setattr(downloads, "deferred_build", spy)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[auth.SESSION_KEY] = REGION_06
    at.run()
    next(b for b in at.button if b.key == "prepare_batch").click().run()
    assert not at.exception
    (name,) = [name for name in handed if name.endswith(".zip")]
    data = handed[name]()  # here: no script run, as when the browser fetches the file
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    codes = at.dataframe[0].value["collectivity_code"].tolist()
    assert len(names) == len(codes) and all(n.endswith(".pdf") for n in names)
    assert records()[-1]["action"] == "download" and records()[-1]["detail"] == name


def test_cli_export_writes_the_file_and_prints_its_path(
    db: str, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from orchestration.cli import main

    main(["export", "--code", "06.141.01.0", "--year", "2024", "--lang", "ar", "--format", "pdf"])
    printed = capsys.readouterr().out.splitlines()
    path = Path(next(line for line in printed if line.endswith(".pdf")))
    assert path == data_dir / "exports" / "tadqiq_cartographie_06.141.01.0_2024_ar.pdf"
    assert path.read_bytes().startswith(b"%PDF")
    assert records()[-1]["action"] == "export"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # audit data: its requester only
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_dagster_asset_writes_exports_not_the_warehouse(db: str, data_dir: Path) -> None:
    import dagster as dg

    from orchestration.defs.reports import ReportExportConfig, risk_map_exports

    published = data_dir / "published"
    published.mkdir(parents=True)
    shutil.copy(db, published / "warehouse_1.duckdb")
    (published / "CURRENT").write_text("warehouse_1.duckdb\n", encoding="utf-8")
    before = (published / "warehouse_1.duckdb").read_bytes()
    config = ReportExportConfig(codes=["06.141.01.0"], langs=["fr"], formats=["pdf"])
    result = dg.materialize(
        [risk_map_exports],
        run_config=dg.RunConfig({"reports__risk_map_exports": config}),
    )
    assert result.success
    written = sorted(p.name for p in (data_dir / "exports" / "warehouse_1").iterdir())
    assert written == [
        "tadqiq_cartographie_06.141.01.0_2024_fr.pdf",
        "tadqiq_classement_national_commune_2024_fr.pdf",
    ]
    assert (published / "warehouse_1.duckdb").read_bytes() == before
