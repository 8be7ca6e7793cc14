with

source as (
    select * from {{ source('audit', 'missions') }}
),

renamed as (
    select
        reference_mission as mission_id,
        code_collectivite as collectivity_code,
        type_programme as programme_type,
        auditeur as audit_body,
        processus as audited_process,
        statut as mission_status,
        source_file,
        cast(annee_programme as integer) as programme_year,
        cast(jours_prevus as integer) as planned_auditor_days,
        cast(jours_reels as integer) as actual_auditor_days,
        source_row,
        date_debut_prevue as planned_start_date,
        date_fin_prevue as planned_end_date,
        date_debut_reelle as actual_start_date,
        date_fin_reelle as actual_end_date
    from source
)

select * from renamed
