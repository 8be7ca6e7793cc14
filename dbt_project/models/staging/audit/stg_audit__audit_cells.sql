with

source as (
    select * from {{ source('audit', 'audit_cells') }}
),

renamed as (
    select
        code_collectivite as audit_cell_id,
        code_collectivite as collectivity_code,
        source_file,
        cast(nb_auditeurs as integer) as auditors_count,
        cast(jours_auditeur_an as integer) as auditor_days_per_year,
        source_row,
        date_creation as created_date,
        date_adoption_charte as charter_adopted_date
    from source
)

select * from renamed
