with

source as (
    select * from {{ source('tgr', 'budget_execution') }}
),

renamed as (
    select
        ---------- ids
        code_collectivite || '|' || cast(exercice as varchar) || '|' || code_ligne
            as budget_line_id,
        code_collectivite as collectivity_code,
        code_ligne as budget_line_code,
        ---------- strings
        libelle_ligne as budget_line_label,
        source_file,
        ---------- numerics
        cast(exercice as integer) as fiscal_year,
        source_row,
        cast(credits_initiaux as numeric(18, 2)) as initial_credit_amount,
        cast(credits_definitifs as numeric(18, 2)) as final_credit_amount,
        cast(engagements as numeric(18, 2)) as committed_amount,
        cast(paiements as numeric(18, 2)) as paid_amount,
        cast(emissions as numeric(18, 2)) as assessed_amount,
        cast(recouvrements as numeric(18, 2)) as collected_amount
    from source
)

select * from renamed
