with

budget_lines as (
    select * from {{ ref('int_budget_lines_classified') }}
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
