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
        credits_initiaux as initial_credit_amount,
        credits_definitifs as final_credit_amount,
        engagements as committed_amount,
        paiements as paid_amount,
        emissions as assessed_amount,
        recouvrements as collected_amount
    from source
)

select * from renamed
