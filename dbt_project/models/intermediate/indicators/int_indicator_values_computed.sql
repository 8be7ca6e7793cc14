{#
    Each indicator as numerator / denominator (formulas: docs/methodology.md). A zero or
    missing denominator gives a null value, never a zero: the marts report it as no data.
#}
with

finances as (
    select * from {{ ref('int_finances_aggregated_by_year') }}
),

arrears as (
    select * from {{ ref('int_revenue_arrears_aggregated_by_year') }}
),

finances_with_arrears as (
    select
        finances.*,
        arrears.arrears_total_amount,
        arrears.arrears_older_than_4y_amount
    from finances
    left join arrears on finances.collectivity_year_id = arrears.collectivity_year_id
),

fractions as (
    select
        collectivity_code,
        fiscal_year,
        'FS1' as indicator_code,
        operating_revenue_amount - operating_spend_amount as numerator_value,
        operating_revenue_amount as denominator_value
    from finances_with_arrears
    union all
    select
        collectivity_code,
        fiscal_year,
        'FS2' as indicator_code,
        transferred_revenue_amount as numerator_value,
        operating_revenue_amount as denominator_value
    from finances_with_arrears
    union all
    select
        collectivity_code,
        fiscal_year,
        'RM1' as indicator_code,
        tax_collected_amount as numerator_value,
        tax_assessed_amount as denominator_value
    from finances_with_arrears
    union all
    select
        collectivity_code,
        fiscal_year,
        'RM2' as indicator_code,
        arrears_total_amount as numerator_value,
        own_revenue_amount as denominator_value
    from finances_with_arrears
    union all
    select
        collectivity_code,
        fiscal_year,
        'RM3' as indicator_code,
        arrears_older_than_4y_amount as numerator_value,
        arrears_total_amount as denominator_value
    from finances_with_arrears
    union all
    select
        collectivity_code,
        fiscal_year,
        'SE2' as indicator_code,
        equipment_paid_amount as numerator_value,
        equipment_credit_amount as denominator_value
    from finances_with_arrears
    union all
    select
        collectivity_code,
        fiscal_year,
        'HR1' as indicator_code,
        personnel_spend_amount as numerator_value,
        operating_spend_amount as denominator_value
    from finances_with_arrears
),

computed as (
    select
        collectivity_code || '|' || cast(fiscal_year as varchar) || '|' || indicator_code
            as indicator_value_id,
        collectivity_code,
        fiscal_year,
        indicator_code,
        numerator_value,
        denominator_value,
        case
            when denominator_value > 0 and numerator_value is not null
                then numerator_value / denominator_value
        end as indicator_value
    from fractions
)

select * from computed
