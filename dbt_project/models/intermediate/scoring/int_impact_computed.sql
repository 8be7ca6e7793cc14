{#
    Impact I (1-5): quintiles, per fiscal year and within the level (regions among regions,
    provinces among provinces, communes among communes, arrondissements among
    arrondissements), of a materiality score = weighted mean of the percentile ranks, within
    the same level, of the exposure factors (seed impact_factors). A percentile rank ignores
    a log, so "log of total spending" and total spending rank alike. Taken over the
    collectivities loaded: national once the whole country is.
#}
with

finances as (
    select * from {{ ref('int_finances_aggregated_by_year') }}
),

arrears as (
    select * from {{ ref('int_revenue_arrears_aggregated_by_year') }}
),

procurement as (
    select * from {{ ref('int_procurement_aggregated_by_year') }}
),

peers as (
    select * from {{ ref('int_collectivities_grouped_by_peer') }}
),

impact_factors as (
    select * from {{ ref('impact_factors') }}
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

exposure as (
    select
        finances.collectivity_code,
        finances.fiscal_year,
        peers.level,
        percent_rank() over (
            partition by finances.fiscal_year, peers.level
            order by coalesce(finances.total_spend_amount, 0)
        ) as total_spending_rank,
        percent_rank() over (
            partition by finances.fiscal_year, peers.level
            order by coalesce(peers.population_2024, 0)
        ) as population_rank,
        percent_rank() over (
            partition by finances.fiscal_year, peers.level
            order by
                coalesce(finances.equipment_paid_amount, 0)
                + coalesce(procurement.purchase_order_amount, 0)
                + coalesce(procurement.contract_amount, 0)
        ) as equipment_volume_rank,
        percent_rank() over (
            partition by finances.fiscal_year, peers.level
            order by coalesce(finances.delegated_services_spend_amount, 0)
        ) as delegated_services_rank,
        percent_rank() over (
            partition by finances.fiscal_year, peers.level
            order by coalesce(arrears.arrears_total_amount, 0)
        ) as arrears_stock_rank
    from finances
    inner join peers on finances.collectivity_code = peers.collectivity_code
    left join arrears on finances.collectivity_year_id = arrears.collectivity_year_id
    left join procurement on finances.collectivity_year_id = procurement.collectivity_year_id
),

materiality as (
    select
        exposure.collectivity_code,
        exposure.fiscal_year,
        exposure.level,
        {{ round_to(
            '100.0 * (
                exposure.total_spending_rank * impact_weights.total_spending
                + exposure.population_rank * impact_weights.population
                + exposure.equipment_volume_rank * impact_weights.equipment_volume
                + exposure.delegated_services_rank * impact_weights.delegated_services
                + exposure.arrears_stock_rank * impact_weights.arrears_stock
            ) / impact_weights.total_weight',
            4
        ) }} as materiality_score
    from exposure
    cross join impact_weights
),

with_impact as (
    select
        collectivity_code || '|' || cast(fiscal_year as varchar) as collectivity_year_id,
        collectivity_code,
        fiscal_year,
        level,
        materiality_score,
        ntile(5) over (
            partition by fiscal_year, level order by materiality_score, collectivity_code
        ) as impact
    from materiality
)

select * from with_impact
