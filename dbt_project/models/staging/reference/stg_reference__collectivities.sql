with

source as (
    select * from {{ source('reference', 'collectivities') }}
),

renamed as (
    select
        ---------- ids
        collectivity_code,
        code_digits,
        code_2014,
        region_code,
        province_code,
        parent_commune_code,
        ---------- strings
        level,
        collectivity_type,
        name_fr,
        name_ar,
        ---------- numerics
        population_2024,
        population_2014,
        households_2024,
        establishments_total,
        establishments_jobs,
        ---------- booleans
        coalesce(is_urban, false) as is_urban,
        level != 'arrondissement' as is_territorial_collectivity
    from source
)

select * from renamed
