{#
    Joint IGAT/IGF inspections drawn on the national pool of auditor-days. Every scored
    collectivity is a candidate for the programme year, on its top residual risk of the
    register (ties: risk_rank). Order of consideration: first the regional minimum (the top
    min_joint_inspections collectivities by priority in each region, seed
    programme_region_minimums), then everyone else, each group by priority descending (ties:
    collectivity code). All inspections have the same size (joint_mission_auditor_days), so a
    candidate is selected while the running total of days stays within joint_pool_auditor_days;
    with equal sizes, skipping and stopping give the same selection. One row per candidate.
#}
with

priorities as (
    select * from {{ ref('int_programme_priorities_computed') }}
),

register as (
    select * from {{ ref('fct_risk_register') }}
),

processes as (
    select * from {{ ref('audit_processes') }}
),

region_minimums as (
    select * from {{ ref('programme_region_minimums') }}
),

parameters as (
    select
        max(case when parameter = 'joint_pool_auditor_days' then value end) as pool_days,
        max(case when parameter = 'joint_mission_auditor_days' then value end) as mission_days
    from {{ ref('programme_parameters') }}
),

top_risks as (
    select
        register.collectivity_code,
        register.fiscal_year + 1 as programme_year,
        register.risk_code,
        processes.audit_process_code,
        register.residual_risk,
        row_number() over (
            partition by register.collectivity_code, register.fiscal_year
            order by register.residual_risk desc nulls last, register.risk_rank asc
        ) as process_order
    from register
    inner join processes on register.process_code = processes.risk_process_code
    where register.residual_risk is not null
),

candidates as (
    select
        priorities.collectivity_code,
        priorities.region_code,
        priorities.programme_year,
        priorities.priority_score,
        coalesce(region_minimums.min_joint_inspections, 0) as region_minimum,
        row_number() over (
            partition by priorities.programme_year, priorities.region_code
            order by priorities.priority_score desc nulls last, priorities.collectivity_code asc
        ) as region_priority_rank
    from priorities
    left join region_minimums on priorities.region_code = region_minimums.region_code
),

ordered as (
    select
        candidates.*,
        candidates.region_priority_rank <= candidates.region_minimum as is_regional_minimum,
        row_number() over (
            partition by candidates.programme_year
            order by
                case
                    when candidates.region_priority_rank <= candidates.region_minimum then 0
                    else 1
                end,
                candidates.priority_score desc nulls last,
                candidates.collectivity_code asc
        ) as selection_order
    from candidates
),

running as (
    select
        ordered.*,
        parameters.pool_days,
        parameters.mission_days,
        sum(parameters.mission_days) over (
            partition by ordered.programme_year
            order by ordered.selection_order
            rows between unbounded preceding and current row
        ) as cumulative_days
    from ordered
    cross join parameters
),

selected as (
    select
        running.collectivity_code || '|' || cast(running.programme_year as varchar)
            as joint_inspection_candidate_id,
        running.collectivity_code,
        running.region_code,
        running.programme_year,
        top_risks.risk_code,
        top_risks.audit_process_code,
        case
            when running.cumulative_days > running.pool_days then 'skipped_joint_pool_used'
            when running.is_regional_minimum then 'regional_minimum'
            else 'national_priority'
        end as selection_reason,
        running.priority_score,
        top_risks.residual_risk,
        running.region_minimum,
        running.region_priority_rank,
        running.selection_order,
        running.mission_days as mission_auditor_days,
        running.cumulative_days,
        running.pool_days,
        running.is_regional_minimum,
        running.cumulative_days <= running.pool_days as is_selected
    from running
    left join top_risks
        on
            running.collectivity_code = top_risks.collectivity_code
            and running.programme_year = top_risks.programme_year
            and top_risks.process_order = 1
)

select * from selected
