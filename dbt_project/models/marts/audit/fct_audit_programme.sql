{#
    The proposed audit programme (METHODOLOGY §4), from the scores of fiscal year Y for
    programme year Y+1 (every scored year; the latest is the proposal for the coming year):
    * annual: each internal-audit cell's missions on its own collectivity's top residual
      risks within its capacity (greedy, skip and continue: int_cell_missions_selected);
    * joint: IGAT/IGF inspections on the national pool, regional minimum first
      (int_joint_inspections_selected);
    * multi_year: the cycle after the latest scored year, every collectivity once, critical
      ones every year (int_multi_year_programme_assigned).
    Candidates that were not selected stay, with is_selected false and the reason, so that
    every choice can be explained. The pieces of the priority formula are columns.
#}
with

priorities as (
    select * from {{ ref('int_programme_priorities_computed') }}
),

cell_missions as (
    select * from {{ ref('int_cell_missions_selected') }}
),

joint_inspections as (
    select * from {{ ref('int_joint_inspections_selected') }}
),

multi_year as (
    select * from {{ ref('int_multi_year_programme_assigned') }}
),

proposals as (
    select
        'annual' as programme_kind,
        collectivity_code,
        risk_code,
        audit_process_code,
        selection_reason,
        programme_year - 1 as base_fiscal_year,
        programme_year,
        candidate_order as consideration_order,
        residual_risk,
        mission_auditor_days as auditor_days,
        budget_days,
        used_days_before as budget_days_used_before,
        cast(null as boolean) as is_regional_minimum,
        is_selected
    from cell_missions
    union all
    select
        'joint' as programme_kind,
        collectivity_code,
        risk_code,
        audit_process_code,
        selection_reason,
        programme_year - 1 as base_fiscal_year,
        programme_year,
        selection_order as consideration_order,
        residual_risk,
        mission_auditor_days as auditor_days,
        pool_days as budget_days,
        cumulative_days - mission_auditor_days as budget_days_used_before,
        is_regional_minimum,
        is_selected
    from joint_inspections
    union all
    select
        'multi_year' as programme_kind,
        collectivity_code,
        risk_code,
        audit_process_code,
        selection_reason,
        base_fiscal_year,
        programme_year,
        cycle_offset as consideration_order,
        residual_risk,
        mission_auditor_days as auditor_days,
        cast(null as integer) as budget_days,
        cast(null as integer) as budget_days_used_before,
        cast(null as boolean) as is_regional_minimum,
        true as is_selected
    from multi_year
),

final as (
    select
        proposals.programme_kind
        || '|' || proposals.collectivity_code
        || '|' || cast(proposals.programme_year as varchar)
        || '|' || coalesce(proposals.audit_process_code, '-') as audit_programme_id,
        proposals.programme_kind,
        proposals.collectivity_code,
        priorities.region_code,
        priorities.province_code,
        proposals.risk_code,
        proposals.audit_process_code,
        proposals.selection_reason,
        priorities.risk_class,
        proposals.base_fiscal_year,
        proposals.programme_year,
        priorities.rollout_phase,
        priorities.priority_rank,
        proposals.consideration_order,
        proposals.auditor_days,
        proposals.budget_days,
        proposals.budget_days_used_before,
        proposals.residual_risk,
        priorities.inherent_risk,
        priorities.years_since_last_audit,
        priorities.years_counted,
        priorities.audit_cycle_factor,
        priorities.severe_findings_count,
        priorities.severe_findings_bonus,
        priorities.priority_score,
        proposals.is_selected,
        proposals.is_regional_minimum,
        priorities.is_critical,
        priorities.is_never_audited
    from proposals
    left join priorities
        on
            proposals.collectivity_code = priorities.collectivity_code
            and proposals.base_fiscal_year = priorities.base_fiscal_year
)

select * from final
