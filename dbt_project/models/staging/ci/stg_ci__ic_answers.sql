with

source as (
    select * from {{ source('ci', 'ic_diagnostic') }}
),

renamed as (
    select
        code_collectivite
        || '|' || cast(exercice as varchar)
        || '|' || code_question
            as ic_answer_id,
        code_collectivite as collectivity_code,
        code_question as question_code,
        composante as coso_component,
        question as question_text,
        preuve as evidence,
        source_file,
        cast(exercice as integer) as campaign_year,
        cast(principe as integer) as coso_principle,
        cast(score as integer) as maturity_score,
        source_row
    from source
)

select * from renamed
