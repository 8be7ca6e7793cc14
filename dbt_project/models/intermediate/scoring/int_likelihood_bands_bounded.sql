{# Each likelihood band with its upper bound (the next band's lower bound; none for the last). #}
with

likelihood_bands as (
    select * from {{ ref('likelihood_bands') }}
),

bounded as (
    select
        likelihood,
        min_composite_score,
        lead(min_composite_score) over (order by min_composite_score) as next_min_composite_score
    from likelihood_bands
)

select * from bounded
