with

source as (
    select * from {{ source('urbanisme', 'urbanism_permits') }}
),

renamed as (
    select
        ---------- ids
        code_collectivite || '|' || cast(exercice as varchar) || '|' || numero_autorisation
            as permit_id,
        code_collectivite as collectivity_code,
        numero_autorisation as permit_number,
        nullif(trim(reference_quittance), '') as tax_receipt_reference,
        ---------- strings
        type_autorisation as permit_kind,
        source_file,
        ---------- numerics
        cast(exercice as integer) as fiscal_year,
        source_row,
        ---------- dates
        date_delivrance as issued_date
    from source
)

select * from renamed
