with

source as (
    select * from {{ source('tgr', 'revenue_arrears') }}
),

renamed as (
    select
        ---------- ids
        code_collectivite || '|' || cast(exercice as varchar) || '|' || code_taxe || '|'
        || cast(annee_emission as varchar) as revenue_arrear_id,
        code_collectivite as collectivity_code,
        code_taxe as tax_code,
        ---------- strings
        libelle_taxe as tax_label,
        source_file,
        ---------- numerics
        cast(exercice as integer) as fiscal_year,
        cast(annee_emission as integer) as assessment_year,
        source_row,
        cast(reste_a_recouvrer as numeric(18, 2)) as outstanding_amount
    from source
)

select * from renamed
