with

collectivities as (
    select * from {{ ref('stg_reference__collectivities') }}
),

peers as (
    select * from {{ ref('int_collectivities_grouped_by_peer') }}
),

rollout_phases as (
    select * from {{ ref('rollout_phases') }}
),

regions as (
    select * from collectivities
    where level = 'region'
),

provinces as (
    select * from collectivities
    where level = 'province'
),

collectivities_described as (
    select
        ---------- ids
        collectivities.collectivity_code,
        collectivities.code_digits,
        collectivities.code_2014,
        collectivities.region_code,
        collectivities.province_code,
        collectivities.parent_commune_code,
        ---------- strings
        collectivities.level,
        collectivities.collectivity_type,
        collectivities.name_fr,
        collectivities.name_ar,
        regions.name_fr as region_name_fr,
        regions.name_ar as region_name_ar,
        provinces.name_fr as province_name_fr,
        provinces.name_ar as province_name_ar,
        peers.peer_group,
        ---------- numerics
        collectivities.population_2024,
        collectivities.population_2014,
        collectivities.households_2024,
        collectivities.establishments_total,
        collectivities.establishments_jobs,
        rollout_phases.rollout_phase,
        ---------- booleans
        collectivities.is_urban,
        collectivities.is_territorial_collectivity
    from collectivities
    left join regions on collectivities.region_code = regions.collectivity_code
    left join provinces on collectivities.province_code = provinces.collectivity_code
    inner join peers on collectivities.collectivity_code = peers.collectivity_code
    left join rollout_phases
        on collectivities.collectivity_code = rollout_phases.collectivity_code
)

select * from collectivities_described
