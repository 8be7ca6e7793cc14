{# Every file version the ingestion has seen: status, message and row counts (data team). #}
with

file_versions as (
    select * from {{ ref('stg_ingest__file_versions') }}
)

select * from file_versions
