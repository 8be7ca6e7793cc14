{#
    One row per internal-audit cell (one per collectivity at most): when it was created, when
    its charter was adopted (has_charter as of the as-of date, dbt var as_of_date, default the
    run date), auditors and yearly auditor-days, and the share of them the programme may plan
    (cell_programmable_share, seed programme_parameters).
#}
{%- set as_of_date = var('as_of_date', run_started_at.strftime('%Y-%m-%d')) -%}
with

cells as (
    select * from {{ ref('stg_audit__audit_cells') }}
),

collectivities as (
    select * from {{ ref('dim_collectivities') }}
),

parameters as (
    select max(case when parameter = 'cell_programmable_share' then value end) as programmable_share
    from {{ ref('programme_parameters') }}
),

final as (
    select
        cells.audit_cell_id,
        cells.collectivity_code,
        collectivities.region_code,
        collectivities.province_code,
        collectivities.level,
        collectivities.rollout_phase,
        cells.auditors_count,
        cells.auditor_days_per_year,
        floor(cells.auditor_days_per_year * parameters.programmable_share)
            as programmable_auditor_days,
        {{ dbt.datediff('cells.created_date', 'cells.charter_adopted_date', 'day') }}
            as days_from_creation_to_charter,
        coalesce(cells.created_date <= cast('{{ as_of_date }}' as date), false) as is_created,
        coalesce(cells.charter_adopted_date <= cast('{{ as_of_date }}' as date), false)
            as has_charter,
        cells.created_date,
        cells.charter_adopted_date,
        cast('{{ as_of_date }}' as date) as as_of_date
    from cells
    cross join parameters
    left join collectivities on cells.collectivity_code = collectivities.collectivity_code
)

select * from final
