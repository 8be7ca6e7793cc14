with

source as (
    select * from {{ source('ingest', 'quarantines') }}
),

renamed as (
    select
        ---------- ids
        file_sha256,
        ---------- strings
        replace(replace(regexp_replace(filename, '^.*/', ''), 'quarantine_', ''), '.parquet', '')
            as source_entity,
        source_file,
        column_name,
        raw_value,
        reason as quarantine_reason,
        ---------- numerics
        source_row
    from source
)

select * from renamed
