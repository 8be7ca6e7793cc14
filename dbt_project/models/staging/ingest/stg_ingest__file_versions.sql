with

source as (
    select * from {{ source('ingest', 'manifests') }}
),

renamed as (
    select
        ---------- ids
        entity || '|' || coalesce(sha256, source_file) as file_version_id,
        sha256 as file_sha256,
        ---------- strings
        source as source_code,
        entity as source_entity,
        source_file,
        encoding as file_encoding,
        separator as field_separator,
        status as file_status,
        message as status_message,
        ---------- numerics
        size_bytes,
        rows_read,
        rows_landed,
        rows_quarantined,
        rows_in_force,
        ---------- timestamps
        ingested_at
    from source
)

select * from renamed
