{#
    FS5 ingredient: the available surplus (neither allocated to carried-over credits nor
    committed) at the close of the year, over every budget of the collectivity (principal,
    annexes, special accounts), from the accountant's statement.
#}
with

surpluses as (
    select * from {{ ref('stg_tgr__available_surpluses') }}
),

aggregated as (
    select
        collectivity_code || '|' || cast(fiscal_year as varchar) as collectivity_year_id,
        collectivity_code,
        fiscal_year,
        sum(cumulative_surplus_amount) as cumulative_surplus_amount,
        sum(available_surplus_amount) as available_surplus_amount
    from surpluses
    group by collectivity_code, fiscal_year
)

select * from aggregated
