with

source as (
    select * from {{ source('audit', 'recommendation_events') }}
),

renamed as (
    select
        reference_recommandation
        || '|' || cast(date_evenement as varchar)
        || '|' || statut
            as recommendation_event_id,
        reference_recommandation as recommendation_id,
        code_collectivite as collectivity_code,
        statut as recommendation_status,
        declare_par as declared_by,
        preuve as evidence,
        source_file,
        source_row,
        date_evenement as event_date
    from source
)

select * from renamed
