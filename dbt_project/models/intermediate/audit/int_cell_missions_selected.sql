{#
    The annual programme of each internal-audit cell. A cell that exists by 31 December of the
    base year plans missions on its own collectivity's risks of the register, highest residual
    risk first (ties: the register's risk_rank), each of the auditor-days of its process
    (seed audit_processes), within its capacity = floor(auditor-days per year x
    cell_programmable_share). Greedy, skip and continue: a mission that does not fit in what
    is left is skipped and the next, smaller one is still tried. One row per candidate, with
    is_selected. The greedy is unrolled over at most 12 candidates per cell (the register has
    10 risks; beyond the bound is_selected would be null, which a not_null test catches)
    because dbt unit tests cannot run recursive SQL.
#}
{%- set max_candidates = 12 -%}
with

priorities as (
    select * from {{ ref('int_programme_priorities_computed') }}
),

register as (
    select * from {{ ref('fct_risk_register') }}
),

cells as (
    select * from {{ ref('stg_audit__audit_cells') }}
),

processes as (
    select * from {{ ref('audit_processes') }}
),

parameters as (
    select max(case when parameter = 'cell_programmable_share' then value end) as programmable_share
    from {{ ref('programme_parameters') }}
),

budgets as (
    select
        priorities.collectivity_code,
        priorities.programme_year,
        cells.auditor_days_per_year,
        floor(cells.auditor_days_per_year * parameters.programmable_share) as budget_days
    from priorities
    inner join cells on priorities.collectivity_code = cells.collectivity_code
    cross join parameters
    where
        cells.created_date
        <= cast(cast(priorities.base_fiscal_year as varchar) || '-12-31' as date)
),

candidates as (
    select
        budgets.collectivity_code,
        budgets.programme_year,
        register.risk_code,
        processes.audit_process_code,
        register.residual_risk,
        register.risk_rank,
        processes.mission_auditor_days,
        row_number() over (
            partition by budgets.collectivity_code, budgets.programme_year
            order by register.residual_risk desc nulls last, register.risk_rank asc
        ) as candidate_order
    from budgets
    inner join register
        on
            budgets.collectivity_code = register.collectivity_code
            and budgets.programme_year = register.fiscal_year + 1
    inner join processes on register.process_code = processes.risk_process_code
    where register.residual_risk is not null
),

step_0 as (
    select
        collectivity_code,
        programme_year,
        budget_days,
        0 as used_days
    from budgets
),

{% for k in range(1, max_candidates + 1) %}
    step_{{ k }} as (
        select
            step_{{ k - 1 }}.collectivity_code,
            step_{{ k - 1 }}.programme_year,
            step_{{ k - 1 }}.budget_days,
            {{ k }} as candidate_order,
            candidates.risk_code,
            step_{{ k - 1 }}.used_days as used_days_before,
            coalesce(
                step_{{ k - 1 }}.used_days + candidates.mission_auditor_days
                <= step_{{ k - 1 }}.budget_days,
                false
            ) as is_selected,
            step_{{ k - 1 }}.used_days
            + case
                when
                    step_{{ k - 1 }}.used_days + candidates.mission_auditor_days
                    <= step_{{ k - 1 }}.budget_days
                    then candidates.mission_auditor_days
                else 0
            end as used_days
        from step_{{ k - 1 }}
        left join candidates
            on
                step_{{ k - 1 }}.collectivity_code = candidates.collectivity_code
                and step_{{ k - 1 }}.programme_year = candidates.programme_year
                and candidates.candidate_order = {{ k }}
    ),
{% endfor %}

decisions as (
    {% for k in range(1, max_candidates + 1) %}
        select
            collectivity_code,
            programme_year,
            budget_days,
            candidate_order,
            used_days_before,
            is_selected
        from step_{{ k }}
        where risk_code is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

selected as (
    select
        candidates.collectivity_code || '|' || cast(candidates.programme_year as varchar)
        || '|' || candidates.audit_process_code as cell_mission_candidate_id,
        candidates.collectivity_code,
        candidates.programme_year,
        candidates.risk_code,
        candidates.audit_process_code,
        case
            when decisions.is_selected then 'top_residual_risk_within_cell_capacity'
            else 'skipped_does_not_fit_cell_capacity'
        end as selection_reason,
        candidates.candidate_order,
        candidates.residual_risk,
        candidates.mission_auditor_days,
        budgets.auditor_days_per_year,
        decisions.budget_days,
        decisions.used_days_before,
        decisions.is_selected
    from candidates
    left join decisions
        on
            candidates.collectivity_code = decisions.collectivity_code
            and candidates.programme_year = decisions.programme_year
            and candidates.candidate_order = decisions.candidate_order
    inner join budgets
        on
            candidates.collectivity_code = budgets.collectivity_code
            and candidates.programme_year = budgets.programme_year
)

select * from selected
