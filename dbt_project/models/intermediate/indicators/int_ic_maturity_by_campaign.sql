{# IC1: mean over the five COSO components of each component's mean score (0-5). #}
with

answers as (
    select * from {{ ref('stg_ci__ic_answers') }}
),

components as (
    select
        collectivity_code,
        campaign_year,
        coso_component,
        round(avg(1.0 * maturity_score), 4) as component_score,
        count(*) as answers_count
    from answers
    group by collectivity_code, campaign_year, coso_component
),

campaigns as (
    select
        collectivity_code || '|' || cast(campaign_year as varchar) as collectivity_campaign_id,
        collectivity_code,
        campaign_year,
        round(avg(cast(component_score as numeric(18, 4))), 4) as ic_maturity_score,
        count(*) as components_assessed,
        sum(answers_count) as answers_count
    from components
    group by collectivity_code, campaign_year
)

select * from campaigns
