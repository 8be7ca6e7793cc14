with

source as (
    select * from {{ source('marches', 'procurement') }}
),

renamed as (
    select
        code_collectivite || '|' || cast(exercice as varchar) || '|' || reference as procedure_id,
        code_collectivite as collectivity_code,
        reference as procedure_reference,
        code_ligne as budget_line_code,
        fournisseur_ice as supplier_ice,
        type_procedure as procedure_type,
        objet as procedure_subject,
        source_file,
        cast(exercice as integer) as fiscal_year,
        source_row,
        cast(nb_offres as integer) as bids_received_count,
        cast(estimation as numeric(18, 2)) as estimate_amount,
        cast(montant_attribue as numeric(18, 2)) as awarded_amount,
        cast(montant_final as numeric(18, 2)) as final_amount,
        cast(delai_prevu_jours as integer) as planned_duration_days,
        cast(delai_reel_jours as integer) as actual_duration_days,
        date_lancement as launched_date,
        date_attribution as awarded_date
    from source
)

select * from renamed
