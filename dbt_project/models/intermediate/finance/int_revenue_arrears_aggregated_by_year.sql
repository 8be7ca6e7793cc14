with

revenue_arrears as (
    select * from {{ ref('stg_tgr__revenue_arrears') }}
),

aggregated as (
    select
        collectivity_code || '|' || cast(fiscal_year as varchar) as collectivity_year_id,
        collectivity_code,
        fiscal_year,
        sum(outstanding_amount) as arrears_total_amount,
        sum(
            case when fiscal_year - assessment_year >= 4 then outstanding_amount else 0 end
        ) as arrears_older_than_4y_amount
    from revenue_arrears
    group by collectivity_code, fiscal_year
)

select * from aggregated
