"""The audit programme, missions, cells, rollout, findings and recommendations, scoped."""

from __future__ import annotations

import duckdb
import pandas as pd

from tadqiq.access import AccessDenied, Scope
from tadqiq.access import log as access_log
from tadqiq.warehouse import core
from tadqiq.warehouse.cache import cached

# --- audit programme, missions, recommendations and rollout (issue 6) ----------------------
#
# Every function reads collectivity-level rows (missions, proposals, recommendations, cells)
# joined to ``marts.dim_collectivities`` under the scope's condition, and aggregates them in
# SQL. The aggregated marts (fct_programme_progress, fct_audit_cell_coverage,
# fct_follow_up_kpis) are not read: their region or province rows would show a collectivity
# auditor whose area is a region or a province (its council's cell) the figures of every
# collectivity below it. The sums follow the marts' definitions (docs/programme.md §3–4).
#
# ``region`` / ``code`` narrow the scope to one region, or to one collectivity and its
# arrondissements; each is authorized first (a foreign or unknown one is refused and logged).

AUDIT_TABLES = (
    "fct_missions", "fct_audit_programme", "fct_programme_differences", "fct_audit_cells",
    "fct_recommendations", "fct_recommendation_status_history", "fct_findings",
)  # fmt: skip


def has_audit_marts(db: str) -> bool:
    """Whether the snapshot has the audit marts (no collectivity data: no scope needed)."""
    return all(core.has_table(db, table) for table in AUDIT_TABLES)


def _audit_filter(
    db: str, scope: Scope, action: str, region: str | None, code: str | None
) -> tuple[str, list[str]]:
    """The scope's condition, narrowed to ``region`` or ``code`` once they are authorized."""
    core.require_risk_data(scope, action)
    if region is not None:
        core.authorize_region(db, scope, region, action)
    if code is not None:
        core.authorize(db, scope, code, action)
    condition, params = scope.sql_condition("c")
    if region is not None:
        condition, params = f"{condition} and c.region_code = ?", [*params, region]
    if code is not None:
        condition = f"{condition} and (c.collectivity_code = ? or c.parent_commune_code = ?)"
        params = [*params, code, code]
    return condition, params


MISSION_COLUMNS = (
    "mission_id", "programme_type", "audit_body", "audit_process_code", "mission_status",
    "programme_year", "planned_auditor_days", "actual_auditor_days", "auditor_days_overrun",
    "slippage_days", "start_delay_days", "is_done", "is_open", "is_cancelled", "is_late",
    "planned_start_date", "planned_end_date", "actual_start_date", "actual_end_date",
    "as_of_date",
)  # fmt: skip


def missions(
    db: str, scope: Scope, region: str | None = None, code: str | None = None
) -> pd.DataFrame:
    """Missions of the scope (``fct_missions``), with the collectivity's names and phase."""
    condition, params = _audit_filter(db, scope, "query:missions", region, code)
    return _missions(db, scope, condition, tuple(params))


@cached
def _missions(db: str, scope: Scope, condition: str, params: tuple[str, ...]) -> pd.DataFrame:
    if not core.has_table(db, "fct_missions"):
        return pd.DataFrame(columns=["collectivity_code", *MISSION_COLUMNS])
    columns = ", ".join(f"m.{column}" for column in MISSION_COLUMNS)
    return core.query(
        db,
        scope,
        f"""
        select
            m.collectivity_code, c.name_fr, c.name_ar, c.level, c.region_code,
            c.region_name_fr, c.region_name_ar, c.province_code, c.province_name_fr,
            c.province_name_ar, c.rollout_phase, {columns}
        from marts.fct_missions as m
        inner join marts.dim_collectivities as c using (collectivity_code)
        where {condition}
        order by m.programme_year desc, m.planned_start_date, m.mission_id
        """,
        params,
    )


def programme_progress(
    db: str, scope: Scope, region: str | None = None, code: str | None = None
) -> pd.DataFrame:
    """Execution of the adopted programme per year, region, province and rollout phase.

    The sums of ``fct_programme_progress`` (planned: every mission, cancelled ones included;
    done: report stage or closed; execution rate = done / planned), over the scope's missions.
    """
    condition, params = _audit_filter(db, scope, "query:programme_progress", region, code)
    return _programme_progress(db, scope, condition, tuple(params))


@cached
def _programme_progress(
    db: str, scope: Scope, condition: str, params: tuple[str, ...]
) -> pd.DataFrame:
    if not core.has_table(db, "fct_missions"):
        return pd.DataFrame()
    return core.query(
        db,
        scope,
        f"""
        select
            m.programme_year, c.region_code, c.region_name_fr, c.region_name_ar,
            c.province_code, c.rollout_phase,
            count(*) as missions_planned,
            count(*) filter (where m.is_done) as missions_done,
            count(*) filter (where m.is_cancelled) as missions_cancelled,
            count(*) filter (where m.mission_status = 'in_progress') as missions_in_progress,
            count(*) filter (where m.mission_status = 'planned') as missions_not_started,
            count(*) filter (where m.is_late) as missions_late,
            coalesce(sum(m.planned_auditor_days), 0) as auditor_days_planned,
            coalesce(sum(m.actual_auditor_days), 0) as auditor_days_used
        from marts.fct_missions as m
        inner join marts.dim_collectivities as c using (collectivity_code)
        where {condition}
        group by all
        order by all
        """,
        params,
    )


PROGRAMME_COLUMNS = (
    "audit_programme_id", "programme_kind", "risk_code", "audit_process_code",
    "selection_reason", "risk_class", "base_fiscal_year", "programme_year", "priority_rank",
    "auditor_days", "residual_risk", "priority_score", "is_selected", "is_regional_minimum",
    "is_critical",
)  # fmt: skip


def audit_programme(
    db: str, scope: Scope, region: str | None = None, code: str | None = None
) -> pd.DataFrame:
    """The proposed programme (``fct_audit_programme``) of the scope, every year and kind."""
    condition, params = _audit_filter(db, scope, "query:audit_programme", region, code)
    return _audit_programme(db, scope, condition, tuple(params))


@cached
def _audit_programme(
    db: str, scope: Scope, condition: str, params: tuple[str, ...]
) -> pd.DataFrame:
    if not core.has_table(db, "fct_audit_programme"):
        return pd.DataFrame(columns=["collectivity_code", *PROGRAMME_COLUMNS])
    columns = ", ".join(f"p.{column}" for column in PROGRAMME_COLUMNS)
    return core.query(
        db,
        scope,
        f"""
        select
            p.collectivity_code, c.name_fr, c.name_ar, c.region_code, c.region_name_fr,
            c.region_name_ar, c.rollout_phase, {columns}
        from marts.fct_audit_programme as p
        inner join marts.dim_collectivities as c using (collectivity_code)
        where {condition}
        order by p.programme_year, p.programme_kind, p.priority_rank, p.audit_programme_id
        """,
        params,
    )


def programme_differences(
    db: str, scope: Scope, region: str | None = None, code: str | None = None
) -> pd.DataFrame:
    """Proposed against adopted programme (``fct_programme_differences``) of the scope."""
    condition, params = _audit_filter(db, scope, "query:programme_differences", region, code)
    return _programme_differences(db, scope, condition, tuple(params))


@cached
def _programme_differences(
    db: str, scope: Scope, condition: str, params: tuple[str, ...]
) -> pd.DataFrame:
    if not core.has_table(db, "fct_programme_differences"):
        return pd.DataFrame()
    return core.query(
        db,
        scope,
        f"""
        select
            d.programme_difference_id, d.collectivity_code, c.name_fr, c.name_ar,
            c.region_code, d.programme_year, d.audit_process_code, d.difference_type,
            d.proposed_kinds, d.adopted_mission_ids, d.proposed_auditor_days,
            d.adopted_missions_count, d.adopted_cancelled_count, d.priority_score,
            d.residual_risk
        from marts.fct_programme_differences as d
        inner join marts.dim_collectivities as c using (collectivity_code)
        where {condition}
        order by d.programme_year desc, d.difference_type, c.name_fr, d.audit_process_code
        """,
        params,
    )


def audit_cells(
    db: str, scope: Scope, region: str | None = None, code: str | None = None
) -> pd.DataFrame:
    """Internal-audit cells (``fct_audit_cells``) of the scope's collectivities."""
    condition, params = _audit_filter(db, scope, "query:audit_cells", region, code)
    return _audit_cells(db, scope, condition, tuple(params))


@cached
def _audit_cells(db: str, scope: Scope, condition: str, params: tuple[str, ...]) -> pd.DataFrame:
    if not core.has_table(db, "fct_audit_cells"):
        return pd.DataFrame()
    return core.query(
        db,
        scope,
        f"""
        select
            a.collectivity_code, c.name_fr, c.name_ar, c.region_code, a.rollout_phase,
            a.auditors_count, a.auditor_days_per_year, a.programmable_auditor_days,
            a.is_created, a.has_charter, a.created_date, a.charter_adopted_date, a.as_of_date
        from marts.fct_audit_cells as a
        inner join marts.dim_collectivities as c using (collectivity_code)
        where {condition}
        order by c.region_code, c.name_fr
        """,
        params,
    )


def rollout_coverage(db: str, scope: Scope, region: str | None = None) -> pd.DataFrame:
    """Collectivities, cells, charters, auditors and auditor-days per region, phase and level.

    The counts of ``fct_audit_cell_coverage`` (a cell counts once created by the as-of date, a
    charter once adopted), over the scope's collectivities; ``rollout_phase`` null: not yet in
    a phase (the national generalisation).
    """
    condition, params = _audit_filter(db, scope, "query:rollout_coverage", region, None)
    return _rollout_coverage(db, scope, condition, tuple(params))


@cached
def _rollout_coverage(
    db: str, scope: Scope, condition: str, params: tuple[str, ...]
) -> pd.DataFrame:
    cells = (
        "marts.fct_audit_cells"
        if core.has_table(db, "fct_audit_cells")
        else "(select null::varchar as collectivity_code, false as is_created,"
        " false as has_charter, 0 as auditors_count, 0 as auditor_days_per_year)"
    )
    return core.query(
        db,
        scope,
        f"""
        select
            c.region_code, c.region_name_fr, c.region_name_ar, c.rollout_phase, c.level,
            count(*) as collectivities_count,
            count(*) filter (where coalesce(a.is_created, false)) as with_cell_count,
            count(*) filter (where coalesce(a.is_created and a.has_charter, false))
                as with_charter_count,
            coalesce(sum(a.auditors_count) filter (where a.is_created), 0) as auditors_count,
            coalesce(sum(a.auditor_days_per_year) filter (where a.is_created), 0)
                as auditor_days_per_year
        from marts.dim_collectivities as c
        left join {cells} as a using (collectivity_code)
        where {condition}
        group by all
        order by all
        """,
        params,
    )


RECOMMENDATION_COLUMNS = (
    "recommendation_id", "finding_id", "mission_id", "finding_category_code",
    "severity_code", "recommendation_text", "owner_division", "recommendation_status",
    "status", "age_bucket", "programme_year", "age_days", "days_overdue", "days_to_implement",
    "is_open", "is_due", "is_overdue", "is_implemented", "is_verified",
    "is_declared_not_verified", "issued_date", "due_date", "status_since_date",
    "implemented_date", "verified_date", "as_of_date",
)  # fmt: skip


def recommendations(
    db: str, scope: Scope, region: str | None = None, code: str | None = None
) -> pd.DataFrame:
    """Recommendations of the scope (``fct_recommendations``, status as of the as-of date)."""
    condition, params = _audit_filter(db, scope, "query:recommendations", region, code)
    return _recommendations(db, scope, condition, tuple(params))


@cached
def _recommendations(
    db: str, scope: Scope, condition: str, params: tuple[str, ...]
) -> pd.DataFrame:
    if not has_audit_marts(db):
        return pd.DataFrame(columns=["collectivity_code", *RECOMMENDATION_COLUMNS])
    columns = ", ".join(f"r.{column}" for column in RECOMMENDATION_COLUMNS)
    return core.query(
        db,
        scope,
        f"""
        select
            r.collectivity_code, c.name_fr, c.name_ar, c.region_code, c.region_name_fr,
            c.region_name_ar, {columns}
        from marts.fct_recommendations as r
        inner join marts.dim_collectivities as c using (collectivity_code)
        where {condition}
        order by r.days_overdue desc nulls last, r.due_date, r.recommendation_id
        """,
        params,
    )


def follow_up_kpis(
    db: str, scope: Scope, region: str | None = None, code: str | None = None
) -> pd.Series:
    """One row of follow-up KPIs over the scope, as ``fct_follow_up_kpis`` defines them.

    Implementation rate = implemented / due, verified rate = verified / due, overdue rate =
    overdue / due, median days to implement over the implemented ones, findings up to the
    as-of date and the repeats among them. The median is computed over the selection itself.
    """
    condition, params = _audit_filter(db, scope, "query:follow_up_kpis", region, code)
    return _follow_up_kpis(db, scope, condition, tuple(params))


@cached
def _follow_up_kpis(db: str, scope: Scope, condition: str, params: tuple[str, ...]) -> pd.Series:
    if not has_audit_marts(db):
        return pd.Series(dtype=object)
    frame = core.query(
        db,
        scope,
        f"""
        with recs as (
            select r.*
            from marts.fct_recommendations as r
            inner join marts.dim_collectivities as c using (collectivity_code)
            where {condition}
        ),
        finds as (
            select f.is_repeat
            from marts.fct_findings as f
            inner join marts.dim_collectivities as c using (collectivity_code)
            where {condition}
                and f.finding_date <= (select max(as_of_date) from marts.fct_recommendations)
        ),
        rec_kpis as (
            select
                count(*) as recommendations_issued,
                count(*) filter (where is_due) as recommendations_due,
                count(*) filter (where is_due and is_implemented) as recommendations_implemented,
                count(*) filter (where is_due and is_verified) as recommendations_verified,
                count(*) filter (where is_declared_not_verified)
                    as recommendations_declared_not_verified,
                count(*) filter (where is_open) as recommendations_open,
                count(*) filter (where is_overdue) as recommendations_overdue,
                percentile_cont(0.5) within group (order by days_to_implement)
                    as median_days_to_implement,
                max(as_of_date) as as_of_date
            from recs
        ),
        find_kpis as (
            select
                count(*) as findings_count,
                count(*) filter (where is_repeat) as repeat_findings_count
            from finds
        )
        select
            rec_kpis.*,
            recommendations_implemented * 1.0 / nullif(recommendations_due, 0)
                as implementation_rate,
            recommendations_verified * 1.0 / nullif(recommendations_due, 0) as verified_rate,
            recommendations_overdue * 1.0 / nullif(recommendations_due, 0) as overdue_rate,
            find_kpis.*,
            repeat_findings_count * 1.0 / nullif(findings_count, 0) as repeat_findings_rate
        from rec_kpis cross join find_kpis
        """,
        [*params, *params],
    )
    return frame.iloc[0]


def recommendation_history(db: str, scope: Scope, recommendation_id: str) -> pd.DataFrame:
    """Status spells of one recommendation of the scope, oldest first.

    A recommendation outside the scope (or unknown: refusals reveal nothing) is refused and
    logged with its id in the detail; no collectivity is named.
    """
    action = "query:recommendation_history"
    core.require_risk_data(scope, action)
    history = _recommendation_history(db, scope, recommendation_id)
    if history.empty:
        denial = AccessDenied("recommendation_out_of_scope", recommendation_id)
        access_log.log_event(
            scope,
            action,
            access_log.DENIED,
            None,
            detail=f"{denial.reason}; {recommendation_id}",
        )
        raise denial
    return history


@cached
def _recommendation_history(db: str, scope: Scope, recommendation_id: str) -> pd.DataFrame:
    if not core.has_table(db, "fct_recommendation_status_history"):
        return pd.DataFrame()
    condition, params = scope.sql_condition("c")
    return core.query(
        db,
        scope,
        f"""
        select
            h.recommendation_id, h.collectivity_code, h.recommendation_status,
            h.declared_by, h.evidence, h.spell_number, h.spell_days, h.is_current,
            h.valid_from, h.valid_to
        from marts.fct_recommendation_status_history as h
        inner join marts.dim_collectivities as c using (collectivity_code)
        where h.recommendation_id = ? and {condition}
        order by h.valid_from, h.spell_number
        """,
        [recommendation_id, *params],
    )


def audit_process_names(db: str, scope: Scope) -> pd.DataFrame:
    """Audit processes (seed ``methodology.audit_processes``) indexed by code, FR/AR names."""
    core.require_risk_data(scope, "query:audit_process_names")
    return _audit_process_names(db, scope)


@cached
def _audit_process_names(db: str, scope: Scope) -> pd.DataFrame:
    with duckdb.connect(db, read_only=True) as con:
        present = con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'methodology' and table_name = 'audit_processes'"
        ).fetchone()
    if not present or not present[0]:
        return pd.DataFrame(columns=["name_fr", "name_ar"])
    return core.query(
        db, scope, "select audit_process_code, name_fr, name_ar from methodology.audit_processes"
    ).set_index("audit_process_code")
