{#
    Likelihood from the composite score (fixed bands, seed likelihood_bands), impact from
    materiality (quintiles of a weighted mean of percentile ranks, seed impact_factors),
    inherent risk = likelihood x impact on the 5x5 map, and the national ranking.
    Percentile ranks and quintiles are taken per fiscal year over the collectivities loaded:
    national once the whole country is loaded.
#}
with

domain_scores as (
    select * from {{ ref('fct_domain_scores') }}
),

finances as (
    select * from {{ ref('int_finances_aggregated_by_year') }}
),

arrears as (
    select * from {{ ref('int_revenue_arrears_aggregated_by_year') }}
),

collectivities as (
    select * from {{ ref('dim_collectivities') }}
),

likelihood_bands as (
    select * from {{ ref('likelihood_bands') }}
),

impact_factors as (
    select * from {{ ref('impact_factors') }}
),

risk_classes as (
    select * from {{ ref('risk_classes') }}
),

current_methodology as (
    select * from {{ ref('int_methodology_versions_filtered_to_current') }}
),

composite as (
    select
        collectivity_code,
        fiscal_year,
        round(
            sum(domain_score * likelihood_weight)
            / nullif(sum(case when domain_score is not null then likelihood_weight end), 0),
            4
        ) as composite_score,
        sum(case when domain_score is not null then 1 else 0 end) as domains_covered
    from domain_scores
    group by collectivity_code, fiscal_year
),

likelihood_band_bounds as (
    select
        likelihood,
        min_composite_score,
        lead(min_composite_score) over (order by min_composite_score) as next_min_composite_score
    from likelihood_bands
),

with_likelihood as (
    select
        composite.*,
        likelihood_band_bounds.likelihood
    from composite
    left join likelihood_band_bounds
        on
            composite.composite_score >= likelihood_band_bounds.min_composite_score
            and (
                composite.composite_score < likelihood_band_bounds.next_min_composite_score
                or likelihood_band_bounds.next_min_composite_score is null
            )
),

exposure as (
    select
        finances.collectivity_code,
        finances.fiscal_year,
        collectivities.is_territorial_collectivity,
        collectivities.level,
        percent_rank() over (
            partition by finances.fiscal_year
            order by coalesce(finances.total_spend_amount, 0)
        ) as total_spending_rank,
        percent_rank() over (
            partition by finances.fiscal_year order by coalesce(collectivities.population_2024, 0)
        ) as population_rank,
        percent_rank() over (
            partition by finances.fiscal_year
            order by coalesce(finances.equipment_paid_amount, 0)
        ) as equipment_volume_rank,
        percent_rank() over (
            partition by finances.fiscal_year
            order by coalesce(finances.delegated_services_spend_amount, 0)
        ) as delegated_services_rank,
        percent_rank() over (
            partition by finances.fiscal_year order by coalesce(arrears.arrears_total_amount, 0)
        ) as arrears_stock_rank
    from finances
    inner join collectivities on finances.collectivity_code = collectivities.collectivity_code
    left join arrears on finances.collectivity_year_id = arrears.collectivity_year_id
),

impact_weights as (
    select
        sum(case when impact_factor = 'total_spending' then weight else 0 end)
            as total_spending,
        sum(case when impact_factor = 'population' then weight else 0 end) as population,
        sum(case when impact_factor = 'equipment_volume' then weight else 0 end)
            as equipment_volume,
        sum(case when impact_factor = 'delegated_services' then weight else 0 end)
            as delegated_services,
        sum(case when impact_factor = 'arrears_stock' then weight else 0 end)
            as arrears_stock,
        sum(weight) as total_weight
    from impact_factors
),

materiality as (
    select
        exposure.collectivity_code,
        exposure.fiscal_year,
        exposure.is_territorial_collectivity,
        exposure.level,
        100.0 * (
            exposure.total_spending_rank * impact_weights.total_spending
            + exposure.population_rank * impact_weights.population
            + exposure.equipment_volume_rank * impact_weights.equipment_volume
            + exposure.delegated_services_rank * impact_weights.delegated_services
            + exposure.arrears_stock_rank * impact_weights.arrears_stock
        ) / impact_weights.total_weight as materiality_score
    from exposure
    cross join impact_weights
),

with_impact as (
    select
        materiality.*,
        ntile(5) over (
            partition by materiality.fiscal_year
            order by materiality.materiality_score, materiality.collectivity_code
        ) as impact
    from materiality
),

scored as (
    select
        with_likelihood.collectivity_code,
        with_likelihood.fiscal_year,
        with_likelihood.composite_score,
        with_likelihood.domains_covered,
        with_likelihood.likelihood,
        with_impact.materiality_score,
        with_impact.impact,
        with_likelihood.likelihood * with_impact.impact as inherent_risk,
        with_impact.is_territorial_collectivity,
        with_impact.level
    from with_likelihood
    inner join with_impact
        on
            with_likelihood.collectivity_code = with_impact.collectivity_code
            and with_likelihood.fiscal_year = with_impact.fiscal_year
),

ranked as (
    select
        scored.collectivity_code || '|' || cast(scored.fiscal_year as varchar)
            as risk_score_id,
        scored.collectivity_code,
        scored.fiscal_year,
        scored.composite_score,
        scored.domains_covered,
        scored.likelihood,
        scored.materiality_score,
        scored.impact,
        scored.inherent_risk,
        risk_classes.risk_class,
        case
            when scored.is_territorial_collectivity
                then row_number() over (
                    partition by scored.fiscal_year, scored.is_territorial_collectivity
                    order by
                        scored.inherent_risk desc,
                        scored.composite_score desc,
                        scored.collectivity_code asc
                )
        end as national_rank,
        row_number() over (
            partition by scored.fiscal_year, scored.level
            order by
                scored.inherent_risk desc, scored.composite_score desc, scored.collectivity_code asc
        ) as level_rank,
        current_methodology.methodology_version
    from scored
    left join risk_classes
        on
            scored.inherent_risk between risk_classes.min_inherent_risk
            and risk_classes.max_inherent_risk
    cross join current_methodology
)

select * from ranked
