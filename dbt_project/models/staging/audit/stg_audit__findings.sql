with

source as (
    select * from {{ source('audit', 'findings') }}
),

renamed as (
    select
        reference_constat as finding_id,
        reference_mission as mission_id,
        code_collectivite as collectivity_code,
        categorie as finding_category_code,
        sous_categorie as finding_subcategory,
        cause_racine as root_cause,
        source_file,
        cast(criticite as integer) as criticality,
        cast(impact_financier as numeric(18, 2)) as financial_impact_amount,
        source_row,
        date_constat as finding_date
    from source
)

select * from renamed
