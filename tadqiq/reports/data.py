"""What a report holds, read through the scoped data layer (``tadqiq.warehouse``).

Every read takes the requester's ``Scope``: a report can never hold a collectivity, or a row
of a ranking, that its requester may not see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from tadqiq import warehouse
from tadqiq.access import Role, Scope
from tadqiq.i18n import label

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


@dataclass(frozen=True)
class NationalReport:
    meta: Meta
    year: int
    level: str
    scope_label: str
    ranking: pd.DataFrame
    classes_by_region: pd.DataFrame
    # the audit programme marts are not there yet: its section will read them into here
    sections: tuple[str, ...] = ("classes_by_region", "ranking")

    @property
    def version(self) -> str:
        versions = self.ranking["methodology_version"].dropna()
        return str(versions.iloc[0]) if len(versions) else "—"


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


def national_report(db: str, scope: Scope, year: int, level: str, lang: str) -> NationalReport:
    ranking = warehouse.ranking(db, scope, year, level)
    return NationalReport(
        meta=Meta(lang, scope.user_id, Path(db).name),
        year=year,
        level=level,
        scope_label=_scope_label(db, scope, lang),
        ranking=ranking,
        classes_by_region=classes_by_region(ranking, lang),
    )
