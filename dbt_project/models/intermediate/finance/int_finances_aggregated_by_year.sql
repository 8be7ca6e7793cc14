{#
    One row per scored collectivity-year: the universe of every indicator, score and rank.
    A fiscal year is scored only when the budget execution of at least
    min_collectivities_per_scored_year collectivities has landed (ranking_parameters): a stray
    file of an old year lands and shows on the quality page, but does not make a year with a
    single collectivity ranked 1 of 1 (docs/methodology.md, section 5).
#}
with

all_budget_lines as (
    select * from {{ ref('int_budget_lines_classified') }}
),

parameters as (
    select
        max(
            case when parameter = 'min_collectivities_per_scored_year' then value end
        ) as min_collectivities_per_scored_year
    from {{ ref('ranking_parameters') }}
),

scored_years as (
    select all_budget_lines.fiscal_year
    from all_budget_lines
    cross join parameters
    group by all_budget_lines.fiscal_year, parameters.min_collectivities_per_scored_year
    having
        count(distinct all_budget_lines.collectivity_code)
        >= parameters.min_collectivities_per_scored_year
),

budget_lines as (
    select all_budget_lines.*
    from all_budget_lines
    inner join scored_years on all_budget_lines.fiscal_year = scored_years.fiscal_year
),

aggregated as (
    select
        collectivity_code || '|' || cast(fiscal_year as varchar) as collectivity_year_id,
        collectivity_code,
        fiscal_year,
        sum(
            case when budget_part = 1 and flow_nature = 'revenue' then collected_amount end
        ) as operating_revenue_amount,
        sum(
            case
                when budget_part = 1 and revenue_class = 'transferred' then collected_amount
            end
        ) as transferred_revenue_amount,
        sum(case when revenue_class = 'own' then collected_amount end) as own_revenue_amount,
        sum(
            case when revenue_class in ('own', 'state_managed') then assessed_amount end
        ) as tax_assessed_amount,
        sum(
            case when revenue_class in ('own', 'state_managed') then collected_amount end
        ) as tax_collected_amount,
        sum(
            case when budget_part = 1 and flow_nature = 'expense' then paid_amount end
        ) as operating_spend_amount,
        sum(
            case when economic_category = 'personnel' then paid_amount end
        ) as personnel_spend_amount,
        sum(
            case when economic_category = 'delegated_services' then paid_amount end
        ) as delegated_services_spend_amount,
        sum(
            case when economic_category = 'investment' then final_credit_amount end
        ) as equipment_credit_amount,
        sum(case when economic_category = 'investment' then paid_amount end)
            as equipment_paid_amount,
        sum(case when flow_nature = 'expense' then paid_amount end) as total_spend_amount,
        sum(case when flow_nature = 'expense' then committed_amount end) as committed_amount
    from budget_lines
    group by collectivity_code, fiscal_year
)

select * from aggregated
