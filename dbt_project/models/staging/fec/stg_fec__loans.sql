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
        cast(encours_fin_exercice as numeric(18, 2)) as outstanding_amount,
        cast(interets_payes as numeric(18, 2)) as interest_paid_amount,
        cast(principal_rembourse as numeric(18, 2)) as principal_repaid_amount
    from source
)

select * from renamed
