{#
    Coverage of the rollout by internal-audit cells, per rollout phase (1 pilot, 2 extension,
    3 generalisation; seed rollout_phases) and region, as of the as-of date (dbt var
    as_of_date, default the run date): collectivities of the phase, those with a cell created
    by then, those whose cell has adopted its charter by then, their auditors and yearly
    auditor-days. Sum the counts to aggregate and divide again for the rates.
#}
with

collectivities as (
    select * from {{ ref('dim_collectivities') }}
),

cells as (
    select * from {{ ref('fct_audit_cells') }}
),

collectivities_with_cells as (
    select
        collectivities.collectivity_code,
        collectivities.region_code,
        collectivities.rollout_phase,
        cells.auditors_count,
        cells.auditor_days_per_year,
        coalesce(cells.is_created, false) as has_cell,
        coalesce(cells.is_created and cells.has_charter, false) as has_charter
    from collectivities
    left join cells on collectivities.collectivity_code = cells.collectivity_code
    where collectivities.rollout_phase is not null
),

aggregated as (
    select
        rollout_phase,
        region_code,
        count(*) as collectivities_count,
        sum(case when has_cell then 1 else 0 end) as with_cell_count,
        sum(case when has_charter then 1 else 0 end) as with_charter_count,
        sum(case when has_cell then auditors_count else 0 end) as auditors_count,
        sum(case when has_cell then auditor_days_per_year else 0 end) as auditor_days_per_year
    from collectivities_with_cells
    group by rollout_phase, region_code
),

final as (
    select
        cast(rollout_phase as varchar) || '|' || region_code as cell_coverage_id,
        region_code,
        rollout_phase,
        collectivities_count,
        with_cell_count,
        with_charter_count,
        auditors_count,
        auditor_days_per_year,
        with_cell_count * 1.0 / collectivities_count as cell_coverage_rate,
        with_charter_count * 1.0 / collectivities_count as charter_coverage_rate
    from aggregated
)

select * from final
