with

source as (
    select * from {{ source('reference', 'boundaries') }}
),

renamed as (
    select
        collectivity_code,
        level,
        geometry_geojson
    from source
)

select * from renamed
