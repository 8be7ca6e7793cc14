{# The internal-control diagnostic per collectivity, campaign and COSO component (radar). #}
with

answers as (
    select * from {{ ref('stg_ci__ic_answers') }}
),

components as (
    select
        collectivity_code || '|' || cast(campaign_year as varchar) || '|' || coso_component
            as ic_component_id,
        collectivity_code,
        campaign_year,
        coso_component,
        round(avg(1.0 * maturity_score), 4) as component_score,
        count(*) as questions_answered,
        sum(case when maturity_score <= 1 then 1 else 0 end) as weak_answers
    from answers
    group by collectivity_code, campaign_year, coso_component
)

select * from components
