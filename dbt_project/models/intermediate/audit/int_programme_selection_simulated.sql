{#
    The programme's risk-driven selection redone under every weight perturbation of
    int_composite_scores_simulated (simulation 0: the published weights). A collectivity-year
    is selected when the programme takes it on its risk scores:
    * critical: its inherent risk L x I falls in the critical class of risk_classes, so the
      multi-year cycle programmes it every year (int_multi_year_programme_assigned);
    * joint: it wins a place in the national pool of joint IGAT/IGF inspections
      (int_joint_inspections_selected): the regional minimum first, then everyone by
      priority, while the running total of equal-size inspections stays within the pool.
    The priority of a simulation is its risk score x the audit-cycle factor + the
    severe-findings bonus of int_programme_priorities_computed: the cycle and the findings do
    not depend on the weights. The cells' annual missions are left out: they follow the
    cell's own register, which the domain weights do not touch. Simulation 0 reproduces the
    published selection (data test joint_selection_matches_published). One row per
    collectivity, base fiscal year and simulation.
#}
with

simulated as (
    select * from {{ ref('int_composite_scores_simulated') }}
),

priorities as (
    select * from {{ ref('int_programme_priorities_computed') }}
),

risk_classes as (
    select * from {{ ref('risk_classes') }}
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

candidates as (
    select
        priorities.collectivity_code,
        priorities.region_code,
        priorities.base_fiscal_year,
        priorities.programme_year,
        simulated.simulation_id,
        simulated.inherent_risk,
        simulated.risk_score,
        simulated.risk_score * priorities.audit_cycle_factor + priorities.severe_findings_bonus
            as priority_score,
        coalesce(critical_class.risk_class = 'critical', false) as is_critical,
        coalesce(region_minimums.min_joint_inspections, 0) as region_minimum
    from priorities
    inner join simulated
        on
            priorities.collectivity_code = simulated.collectivity_code
            and priorities.base_fiscal_year = simulated.fiscal_year
    left join risk_classes as critical_class
        on
            critical_class.risk_class = 'critical'
            and simulated.inherent_risk between critical_class.min_inherent_risk
            and critical_class.max_inherent_risk
    left join region_minimums on priorities.region_code = region_minimums.region_code
),

region_ranked as (
    select
        candidates.*,
        row_number() over (
            partition by candidates.simulation_id, candidates.programme_year, candidates.region_code
            order by candidates.priority_score desc nulls last, candidates.collectivity_code asc
        ) as region_priority_rank
    from candidates
),

ordered as (
    select
        region_ranked.*,
        row_number() over (
            partition by region_ranked.simulation_id, region_ranked.programme_year
            order by
                case
                    when region_ranked.region_priority_rank <= region_ranked.region_minimum
                        then 0
                    else 1
                end,
                region_ranked.priority_score desc nulls last,
                region_ranked.collectivity_code asc
        ) as selection_order
    from region_ranked
),

running as (
    select
        ordered.*,
        parameters.pool_days,
        sum(parameters.mission_days) over (
            partition by ordered.simulation_id, ordered.programme_year
            order by ordered.selection_order
            rows between unbounded preceding and current row
        ) as cumulative_days
    from ordered
    cross join parameters
),

selected as (
    select
        collectivity_code || '|' || cast(base_fiscal_year as varchar) || '|'
        || cast(simulation_id as varchar) as simulated_selection_id,
        collectivity_code,
        region_code,
        base_fiscal_year,
        programme_year,
        simulation_id,
        inherent_risk,
        risk_score,
        priority_score,
        selection_order,
        is_critical,
        cumulative_days <= pool_days as is_joint_selected,
        is_critical or cumulative_days <= pool_days as is_programme_selected
    from running
)

select * from selected
