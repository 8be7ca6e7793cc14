{#
    The multi-year programme of cycle_years years (seed programme_parameters, 3 or 4) that
    follows the latest scored fiscal year Y: years Y+1 .. Y+N. A critical collectivity (inherent
    risk class critical in Y) is programmed every year of the cycle. Every other collectivity
    is programmed once: ranked by priority descending (ties: code), the ranking is cut into N
    consecutive groups of equal size (ntile(N); the first groups take one more when it does not
    divide), group g going to year Y+g, so the highest priorities come first. Each mission is on
    the collectivity's top residual risk of the register (ties: risk_rank); a critical
    collectivity moves down its list one risk a year (year Y+k: its k-th risk), so that the
    cycle does not audit the same process every year.
#}
{%- set max_cycle_years = 10 -%}
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

parameters as (
    select cast(max(case when parameter = 'cycle_years' then value end) as integer) as cycle_years
    from {{ ref('programme_parameters') }}
),

cycle_offsets as (
    {% for offset in range(1, max_cycle_years + 1) %}
        select {{ offset }} as cycle_offset
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

latest_base as (
    select * from priorities
    where
        base_fiscal_year = (
            select max(priorities_all.base_fiscal_year) from priorities as priorities_all
        )
),

top_risks as (
    select
        register.collectivity_code,
        register.fiscal_year,
        register.risk_code,
        processes.audit_process_code,
        register.residual_risk,
        processes.mission_auditor_days,
        row_number() over (
            partition by register.collectivity_code, register.fiscal_year
            order by register.residual_risk desc nulls last, register.risk_rank asc
        ) as process_order
    from register
    inner join processes on register.process_code = processes.risk_process_code
    where register.residual_risk is not null
),

critical_every_year as (
    select
        latest_base.collectivity_code,
        latest_base.base_fiscal_year,
        latest_base.base_fiscal_year + cycle_offsets.cycle_offset as programme_year,
        cycle_offsets.cycle_offset,
        cycle_offsets.cycle_offset as process_order,
        'critical_every_year' as selection_reason
    from latest_base
    cross join parameters
    inner join cycle_offsets on parameters.cycle_years >= cycle_offsets.cycle_offset
    where latest_base.is_critical
),

others_grouped as (
    select
        latest_base.collectivity_code,
        latest_base.base_fiscal_year,
        ntile(parameters.cycle_years) over (
            order by latest_base.priority_score desc nulls last, latest_base.collectivity_code asc
        ) as cycle_offset
    from latest_base
    cross join parameters
    where not latest_base.is_critical
),

assigned as (
    select
        collectivity_code,
        base_fiscal_year,
        programme_year,
        cycle_offset,
        process_order,
        selection_reason
    from critical_every_year
    union all
    select
        collectivity_code,
        base_fiscal_year,
        base_fiscal_year + cycle_offset as programme_year,
        cycle_offset,
        1 as process_order,
        'cycle_coverage' as selection_reason
    from others_grouped
),

programme as (
    select
        assigned.collectivity_code || '|' || cast(assigned.programme_year as varchar)
            as multi_year_mission_id,
        assigned.collectivity_code,
        top_risks.risk_code,
        top_risks.audit_process_code,
        assigned.selection_reason,
        assigned.base_fiscal_year,
        assigned.programme_year,
        assigned.cycle_offset,
        parameters.cycle_years,
        top_risks.residual_risk,
        top_risks.mission_auditor_days
    from assigned
    cross join parameters
    left join top_risks
        on
            assigned.collectivity_code = top_risks.collectivity_code
            and assigned.base_fiscal_year = top_risks.fiscal_year
            and assigned.process_order = top_risks.process_order
)

select * from programme
