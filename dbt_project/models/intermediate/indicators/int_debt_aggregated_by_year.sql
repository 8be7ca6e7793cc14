with

loans as (
    select * from {{ ref('stg_fec__loans') }}
),

aggregated as (
    select
        collectivity_code || '|' || cast(fiscal_year as varchar) as collectivity_year_id,
        collectivity_code,
        fiscal_year,
        count(*) as loans_count,
        sum(outstanding_amount) as debt_outstanding_amount,
        sum(interest_paid_amount) as debt_interest_amount,
        sum(principal_repaid_amount) as debt_principal_amount
    from loans
    group by collectivity_code, fiscal_year
)

select * from aggregated
