{# Every value set aside, with its file, spreadsheet row, column and reason (data team). #}
with

quarantined as (
    select * from {{ ref('stg_ingest__quarantined_values') }}
),

file_versions as (
    select * from {{ ref('stg_ingest__file_versions') }}
),

described as (
    select
        quarantined.source_entity,
        quarantined.source_file,
        quarantined.source_row,
        quarantined.column_name,
        quarantined.raw_value,
        quarantined.quarantine_reason,
        file_versions.file_status,
        file_versions.ingested_at
    from quarantined
    left join file_versions
        on
            quarantined.file_sha256 = file_versions.file_sha256
            and quarantined.source_entity = file_versions.source_entity
)

select * from described
