with

source as (
    select * from {{ source('audit', 'recommendations') }}
),

renamed as (
    select
        reference_recommandation as recommendation_id,
        reference_constat as finding_id,
        code_collectivite as collectivity_code,
        libelle as recommendation_text,
        responsable as owner_division,
        source_file,
        cast(priorite as integer) as priority,
        source_row,
        date_emission as issued_date,
        date_echeance as due_date
    from source
)

select * from renamed
