{#
    Peer group: communes by urban/rural and population class (<5k, 5-20k, 20-100k, >100k);
    other levels are their own group (regions with regions, provinces with provinces).
#}
with

collectivities as (
    select * from {{ ref('stg_reference__collectivities') }}
),

grouped as (
    select
        collectivity_code,
        level,
        is_urban,
        is_territorial_collectivity,
        population_2024,
        case
            when level != 'commune' then level
            else
                case when is_urban then 'urban' else 'rural' end
                || '_'
                || case
                    when population_2024 < 5000 then 'lt5k'
                    when population_2024 < 20000 then '5k_20k'
                    when population_2024 < 100000 then '20k_100k'
                    else 'gt100k'
                end
        end as peer_group
    from collectivities
)

select * from grouped
