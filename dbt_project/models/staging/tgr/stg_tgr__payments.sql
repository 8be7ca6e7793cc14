with

source as (
    select * from {{ source('tgr', 'payments') }}
),

renamed as (
    select
        code_collectivite || '|' || cast(exercice as varchar) || '|' || numero_mandat as payment_id,
        code_collectivite as collectivity_code,
        numero_mandat as payment_order_number,
        fournisseur_ice as supplier_ice,
        code_ligne as budget_line_code,
        reference_facture as invoice_reference,
        statut as visa_status,
        source_file,
        cast(exercice as integer) as fiscal_year,
        source_row,
        cast(montant as numeric(18, 2)) as payment_amount,
        date_mandat as payment_date
    from source
)

select * from renamed
