with

source as (
    select * from {{ source('fec', 'debt') }}
),

renamed as (
    select
        code_collectivite || '|' || cast(exercice as varchar) || '|' || reference_pret as loan_id,
        code_collectivite as collectivity_code,
        reference_pret as loan_reference,
        preteur as lender_code,
        source_file,
        cast(exercice as integer) as fiscal_year,
        source_row,
        encours_fin_exercice as outstanding_amount,
        interets_payes as interest_paid_amount,
        principal_rembourse as principal_repaid_amount
    from source
)

select * from renamed
