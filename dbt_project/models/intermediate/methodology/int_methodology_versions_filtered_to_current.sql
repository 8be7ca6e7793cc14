{# The methodology version in force: the one adopted last. Every score carries it. #}
with

methodology_versions as (
    select * from {{ ref('methodology_versions') }}
),

latest_adoption as (
    select max(adopted_on) as adopted_on from methodology_versions
),

current_version as (
    select
        methodology_versions.methodology_version,
        methodology_versions.adopted_on
    from methodology_versions
    inner join latest_adoption
        on methodology_versions.adopted_on = latest_adoption.adopted_on
)

select * from current_version
