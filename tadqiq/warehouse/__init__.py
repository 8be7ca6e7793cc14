"""Read-only access to the published warehouse: the only module that runs SQL on it.

Every public query takes the user's ``Scope`` (``tadqiq.access``) as a required argument
and filters in SQL with the scope's parameterised condition on ``marts.dim_collectivities``:
no query runs without a scope. A request for a collectivity outside the scope, or for risk
data by the data team, raises ``AccessDenied`` after writing it to the access log.

Every query opens its own read-only DuckDB connection and closes it. The cached functions
take the resolved database path and the scope as arguments, so a new snapshot (a new file
name in ``published/CURRENT``) yields new cache entries, and a result cached for one scope is
never served to another.

By subject: ``core`` (the file, the one function that runs SQL, the access checks), ``risk``
(scores, rankings, maps, a collectivity's risk map), ``audit`` (programme, missions, cells,
rollout, findings, recommendations), ``quality`` (ingest manifest, quarantine, freshness).
Results are cached per snapshot file (``cache``). No Streamlit and no Dagster here: the
dashboards, the reports and the command line all read through this package.
"""

from tadqiq.warehouse.audit import (
    AUDIT_TABLES,
    audit_cells,
    audit_process_names,
    audit_programme,
    follow_up_kpis,
    has_audit_marts,
    missions,
    programme_differences,
    programme_progress,
    recommendation_history,
    recommendations,
    rollout_coverage,
)
from tadqiq.warehouse.cache import clear as clear_cache
from tadqiq.warehouse.core import (
    DATA_DIR_ENV,
    DB_ENV,
    WarehouseNotFoundError,
    authorize,
    authorize_region,
    authorize_scope,
    expected_warehouse,
    has_table,
    require_warehouse,
    warehouse_path,
)
from tadqiq.warehouse.quality import ingest_files, ingest_freshness, quarantined_rows
from tadqiq.warehouse.risk import (
    boundaries,
    collectivities,
    collectivity_domain_heatmaps,
    collectivity_domain_scores,
    collectivity_indicators,
    collectivity_overview,
    collectivity_recommendations,
    collectivity_risk_register,
    collectivity_score_card,
    collectivity_scores,
    fiscal_years,
    level_scores,
    ranking,
)

__all__ = [
    "AUDIT_TABLES",
    "DATA_DIR_ENV",
    "DB_ENV",
    "WarehouseNotFoundError",
    "audit_cells",
    "audit_process_names",
    "audit_programme",
    "authorize",
    "authorize_region",
    "authorize_scope",
    "boundaries",
    "clear_cache",
    "collectivities",
    "collectivity_domain_heatmaps",
    "collectivity_domain_scores",
    "collectivity_indicators",
    "collectivity_overview",
    "collectivity_recommendations",
    "collectivity_risk_register",
    "collectivity_score_card",
    "collectivity_scores",
    "expected_warehouse",
    "fiscal_years",
    "follow_up_kpis",
    "has_audit_marts",
    "has_table",
    "ingest_files",
    "ingest_freshness",
    "level_scores",
    "missions",
    "programme_differences",
    "programme_progress",
    "quarantined_rows",
    "ranking",
    "recommendation_history",
    "recommendations",
    "require_warehouse",
    "rollout_coverage",
    "warehouse_path",
]
