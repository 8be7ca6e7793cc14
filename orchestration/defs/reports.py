"""Report exports as a Dagster asset: the pilot sites' risk maps and the national ranking.

One unpartitioned asset downstream of the published snapshot (see docs/reports.md for why
not a partition per collectivity): it reads the snapshot read-only and writes files under
``$TADQIQ_DATA_DIR/exports/<snapshot>/``, never to the warehouse. Any other collectivity is
exported on demand (``tadqiq export``, or the dashboard's download buttons).
"""

from itertools import product

import dagster as dg
from pydantic import Field

from orchestration.lib.settings import data_dir, published_dir

PILOT_PHASE = 1


class ReportExportConfig(dg.Config):
    """Which reports to write; by default the pilot territorial collectivities, latest year."""

    # empty: the rollout phase-1 collectivities, arrondissements aside
    codes: list[str] = Field(default_factory=list)
    fiscal_year: int | None = None  # None: the latest scored fiscal year
    langs: list[str] = Field(default_factory=lambda: ["fr", "ar"])
    formats: list[str] = Field(default_factory=lambda: ["pdf", "xlsx"])
    national_level: str = "commune"


def _current_snapshot() -> str:
    current = published_dir() / "CURRENT"
    if not current.is_file():
        raise dg.Failure("no published snapshot: materialize published_warehouse first")
    return str(published_dir() / current.read_text(encoding="utf-8").strip())


def _pilot_codes(db: str) -> list[str]:
    import duckdb

    with duckdb.connect(db, read_only=True) as con:
        rows = con.execute(
            "select collectivity_code from marts.dim_collectivities"
            " where rollout_phase = ? and level != 'arrondissement' order by collectivity_code",
            [PILOT_PHASE],
        ).fetchall()
    return [code for (code,) in rows]


@dg.asset(
    key=["reports", "risk_map_exports"],
    group_name="reports",
    kinds={"pdf", "excel"},
    deps=[dg.AssetKey(["published_warehouse"])],
    description=(
        "Risk maps (PDF, XLSX; French and Arabic) of the pilot collectivities and the national "
        "ranking, written to data/exports/<snapshot>/ from the published snapshot."
    ),
)
def risk_map_exports(
    context: dg.AssetExecutionContext, config: ReportExportConfig
) -> dg.MaterializeResult:
    from tadqiq.reports import export
    from tadqiq.reports.data import NothingToReport

    db = _current_snapshot()
    scope = export.Scope(export.Role.MINISTRY, "dagster")
    year = config.fiscal_year or export.latest_year(db, scope)
    out_dir = data_dir() / "exports" / db.rsplit("/", 1)[-1].removesuffix(".duckdb")
    codes = config.codes or _pilot_codes(db)
    written, skipped = [], []
    combos = list(product(config.langs, config.formats))
    for position, code in enumerate(codes, start=1):
        context.log.info(f"{position}/{len(codes)}: {code}")
        for lang, fmt in combos:
            try:
                written.append(
                    export.export_collectivity(db, scope, code, year, lang, fmt, out_dir)
                )
            except NothingToReport:
                skipped.append(code)
                break
    for lang, fmt in combos:
        written.append(
            export.export_national(db, scope, year, config.national_level, lang, fmt, out_dir)
        )
    return dg.MaterializeResult(
        metadata={
            "folder": dg.MetadataValue.path(str(out_dir)),
            "fiscal_year": year,
            "files": len(written),
            "collectivities": len(codes) - len(skipped),
            "without_score": ", ".join(skipped) or "none",
            "bytes": sum(path.stat().st_size for path in written),
        }
    )
