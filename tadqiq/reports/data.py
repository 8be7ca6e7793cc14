"""What a report holds, read through the scoped data layer (``tadqiq.warehouse``).

Every read takes the requester's ``Scope``: a report can never hold a collectivity, or a row
of a ranking, that its requester may not see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from tadqiq import warehouse
from tadqiq.access import Role, Scope
from tadqiq.i18n import FR, MISSING, fmt_number, fmt_pct, label

MOROCCO = ZoneInfo("Africa/Casablanca")
LANGS = ("fr", "ar")
FORMATS = ("pdf", "xlsx")
TOP_RISKS = 10


def now() -> datetime:
    return datetime.now(MOROCCO)


@dataclass(frozen=True)
class Meta:
    """Who made the report, when, from which snapshot."""

    lang: str
    user: str
    snapshot: str
    generated: datetime = field(default_factory=now)

    @property
    def rtl(self) -> bool:
        return self.lang == "ar"

    def t(self, key: str, **values: object) -> str:
        return label(self.lang, key, **values)


@dataclass(frozen=True)
class CollectivityReport:
    meta: Meta
    code: str
    year: int
    overview: pd.Series
    register: pd.DataFrame
    score_card: pd.DataFrame
    domains: pd.DataFrame
    recommendations: pd.DataFrame | None  # None: no recommendation data in the warehouse

    @property
    def name(self) -> str:
        return str(self.overview[f"name_{self.meta.lang}"])

    @property
    def version(self) -> str:
        return str(self.overview["methodology_version"])


PROGRAMME_REGION_COLUMNS = (
    "region_code", "region", "missions_planned", "missions_done", "missions_cancelled",
    "auditor_days_planned", "auditor_days_used", "proposed_missions", "proposed_auditor_days",
)  # fmt: skip
PROGRAMME_MISSION_COLUMNS = (
    "mission_id", "collectivity_code", "collectivity", "region", "process", "body", "status",
    "planned_auditor_days", "actual_auditor_days",
)  # fmt: skip


@dataclass(frozen=True)
class ProgrammeSection:
    """The audit programme of the report's year, over the requester's scope.

    ``by_region``: per region, the adopted programme's missions (planned: every mission of the
    year, cancelled ones included; done: report stage or closed), its auditor-days planned and
    used, and the proposed programme's selected missions and auditor-days for that year.
    ``missions``: the adopted programme's missions, labels in the report's language.
    ``available``: False when the snapshot has no audit marts (the section says so).
    """

    year: int
    by_region: pd.DataFrame
    missions: pd.DataFrame
    available: bool = True


@dataclass(frozen=True)
class NationalReport:
    meta: Meta
    year: int
    level: str
    scope_label: str
    ranking: pd.DataFrame
    classes_by_region: pd.DataFrame
    programme: ProgrammeSection
    sections: tuple[str, ...] = ("classes_by_region", "ranking", "programme")

    @property
    def version(self) -> str:
        versions = self.ranking["methodology_version"].dropna()
        return str(versions.iloc[0]) if len(versions) else "—"


# --- is the audit decision stable? (methodology §5) -------------------------------------------


def _known(x: object) -> bool:
    return x is not None and not (not isinstance(x, str) and pd.isna(x))


def selection_text(lang: str, selected: object, share: object) -> str:
    """``retenue · sélectionnée dans 94 % des simulations``: the published decision and the
    share of the weight perturbations that select the collectivity (the dash when unknown)."""
    if not (_known(selected) and _known(share)):
        return MISSING
    return label(lang, "selection_in" if selected else "selection_out", share=fmt_pct(share, 0))


def stability_reasons(lang: str, row: Mapping, domain_names: Mapping[str, str]) -> list[str]:
    """Why the score, class and programme selection move, or not, under the weight
    perturbations, in sentences: the composite's p5–p95 and the likelihood threshold it sits
    near (the jump of a whole likelihood step is what moves the class), the domain whose weight
    moves it most and the adjustment behind that domain's score (coverage fallback, red-flag
    floor), and, for an unstable selection, the line it sits on (critical class or joint pool).
    """
    reasons: list[str] = []
    if _known(row.get("composite_p05")) and _known(row.get("likelihood_threshold")):
        values = {
            "low": fmt_number(row["composite_p05"], 1),
            "high": fmt_number(row["composite_p95"], 1),
            "threshold": fmt_number(row["likelihood_threshold"]),
            "gap": fmt_number(row["likelihood_threshold_gap"], 1),
        }
        change = row.get("likelihood_change_share")
        if _known(change) and change > 0:
            reasons.append(label(lang, "why_threshold", share=fmt_pct(change, 0), **values))
        else:
            reasons.append(label(lang, "why_far", **values))
    domain = row.get("sensitive_domain_code")
    if _known(domain):
        key = {"insufficient_data": "why_domain_imputed", "red_flag_floor": "why_domain_floor"}
        adjustment = row.get("sensitive_domain_adjustment")
        reasons.append(
            label(
                lang,
                key.get(adjustment, "why_domain") if _known(adjustment) else "why_domain",
                domain=domain_names.get(domain, domain),
            )
        )
    if _known(row.get("is_selection_unstable")) and row["is_selection_unstable"]:
        for channel, key in (("critical_share", "why_line_critical"),
                             ("joint_share", "why_line_joint")):  # fmt: skip
            share = row.get(channel)
            if _known(share) and 0 < share < 1:
                reasons.append(label(lang, key, share=fmt_pct(share, 0)))
    return reasons


def selection_summary(lang: str, ranking: pd.DataFrame) -> str | None:
    """``Programme 2025 : 39 collectivités de ce niveau retenues …, dont 31 stables (79 %)``;
    None when the snapshot has no selection stability."""
    if "selection_share" not in ranking or ranking["selection_share"].isna().all():
        return None
    known = ranking.dropna(subset=["selection_share"])
    selected = known["is_programme_selected"].astype(bool)
    unstable = known["is_selection_unstable"].astype(bool)
    stable = int((selected & ~unstable).sum())
    return label(
        lang,
        "report_selection_summary",
        year=int(known["programme_year"].iloc[0]),
        selected=fmt_number(int(selected.sum())),
        stable=fmt_number(stable),
        share=fmt_pct(stable / selected.sum(), 0) if selected.any() else MISSING,
        unstable=fmt_number(int(unstable.sum())),
    )


class NothingToReport(LookupError):
    """The collectivity has no score for that fiscal year."""


def collectivity_report(
    db: str, scope: Scope, code: str, year: int, lang: str
) -> CollectivityReport:
    overview = warehouse.collectivity_overview(db, scope, code, year)
    if overview.empty:
        raise NothingToReport(f"no risk score for {code} in {year}")
    return CollectivityReport(
        meta=Meta(lang, scope.user_id, Path(db).name),
        code=code,
        year=year,
        overview=overview.iloc[0],
        register=warehouse.collectivity_risk_register(db, scope, code, year),
        score_card=warehouse.collectivity_score_card(db, scope, code, year),
        domains=warehouse.collectivity_domain_heatmaps(db, scope, code, year),
        recommendations=warehouse.collectivity_recommendations(db, scope, code),
    )


def _scope_label(db: str, scope: Scope, lang: str) -> str:
    if scope.role is Role.REGION:
        directory = warehouse.collectivities(db, scope)
        if scope.area in directory.index:
            return str(directory.at[scope.area, f"name_{lang}"])
    if scope.role is Role.COLLECTIVITY:
        return str(scope.area)
    return label(lang, "scope_ministry").split(":")[-1].strip()


def classes_by_region(ranking: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Collectivities per region and risk class (columns low … critical, total)."""
    classes = ["low", "moderate", "high", "critical"]
    if ranking.empty:
        return pd.DataFrame(columns=["region_code", "region", *classes, "total"])
    counts = (
        ranking.assign(region=ranking[f"region_name_{lang}"])
        .pivot_table(
            index=["region_code", "region"],
            columns="risk_class",
            values="collectivity_code",
            aggfunc="count",
            fill_value=0,
        )
        .reindex(columns=classes, fill_value=0)
        .reset_index()
    )
    counts.columns.name = None
    counts["total"] = counts[classes].sum(axis=1)
    return counts.sort_values("region_code").reset_index(drop=True)


def _coded_label(lang: str, prefix: str, value: object) -> str:
    """``{prefix}_{value}`` in ``lang``, or the warehouse's own word when there is no label."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    key = f"{prefix}_{value}"
    return label(lang, key) if key in FR else str(value)


def programme_section(db: str, scope: Scope, year: int, lang: str) -> ProgrammeSection:
    """The audit programme of ``year`` within ``scope`` (scoped queries of ``warehouse``)."""
    if not warehouse.has_audit_marts(db):
        empty = pd.DataFrame(columns=list(PROGRAMME_REGION_COLUMNS))
        return ProgrammeSection(year, empty, pd.DataFrame(columns=list(PROGRAMME_MISSION_COLUMNS)),
                                available=False)  # fmt: skip
    progress = warehouse.programme_progress(db, scope)
    progress = progress[progress["programme_year"] == year]
    adopted = progress.groupby(["region_code", f"region_name_{lang}"], as_index=False)[
        ["missions_planned", "missions_done", "missions_cancelled", "auditor_days_planned",
         "auditor_days_used"]
    ].sum()  # fmt: skip
    proposals = warehouse.audit_programme(db, scope)
    proposals = proposals[(proposals["programme_year"] == year) & proposals["is_selected"]]
    proposed = (
        proposals.groupby(["region_code", f"region_name_{lang}"], as_index=False)
        .agg(proposed_missions=("audit_programme_id", "count"),
             proposed_auditor_days=("auditor_days", "sum"))
    )  # fmt: skip
    by_region = (
        adopted.merge(proposed, on=["region_code", f"region_name_{lang}"], how="outer")
        .rename(columns={f"region_name_{lang}": "region"})
        .fillna(0)
        .sort_values("region_code")
        .reset_index(drop=True)
    )
    for column in PROGRAMME_REGION_COLUMNS[2:]:
        by_region[column] = by_region[column].astype(float if "days" in column else int)

    missions = warehouse.missions(db, scope)
    missions = missions[missions["programme_year"] == year].sort_values(
        ["region_code", "collectivity_code", "planned_start_date", "mission_id"]
    )
    processes = warehouse.audit_process_names(db, scope)
    process_names = processes[f"name_{lang}"].to_dict() if not processes.empty else {}
    listed = pd.DataFrame(
        {
            "mission_id": missions["mission_id"],
            "collectivity_code": missions["collectivity_code"],
            "collectivity": missions[f"name_{lang}"],
            "region": missions[f"region_name_{lang}"],
            "process": missions["audit_process_code"].map(
                lambda code: process_names.get(code, code)
            ),
            "body": missions["audit_body"].map(lambda x: _coded_label(lang, "body", x)),
            "status": missions["mission_status"].map(
                lambda x: _coded_label(lang, "mission_status", x)
            ),
            "planned_auditor_days": missions["planned_auditor_days"],
            "actual_auditor_days": missions["actual_auditor_days"],
        },
        columns=list(PROGRAMME_MISSION_COLUMNS),
    ).reset_index(drop=True)
    return ProgrammeSection(year, by_region[list(PROGRAMME_REGION_COLUMNS)], listed)


def national_report(db: str, scope: Scope, year: int, level: str, lang: str) -> NationalReport:
    ranking = warehouse.ranking(db, scope, year, level)
    return NationalReport(
        meta=Meta(lang, scope.user_id, Path(db).name),
        year=year,
        level=level,
        scope_label=_scope_label(db, scope, lang),
        ranking=ranking,
        classes_by_region=classes_by_region(ranking, lang),
        programme=programme_section(db, scope, year, lang),
    )
