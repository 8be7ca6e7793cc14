with

boundaries as (
    select * from {{ ref('stg_reference__boundaries') }}
)

select * from boundaries
