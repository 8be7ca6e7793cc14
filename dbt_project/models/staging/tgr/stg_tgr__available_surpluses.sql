with

source as (
    select * from {{ source('tgr', 'available_surpluses') }}
),

renamed as (
    select
        ---------- ids
        code_collectivite || '|' || cast(exercice as varchar) || '|' || budget
            as available_surplus_id,
        code_collectivite as collectivity_code,
        ---------- strings
        budget as budget_name,
        source_file,
        ---------- numerics
        cast(exercice as integer) as fiscal_year,
        source_row,
        cast(excedent_cumule as numeric(18, 2)) as cumulative_surplus_amount,
        cast(excedent_affecte as numeric(18, 2)) as allocated_surplus_amount,
        cast(excedent_disponible as numeric(18, 2)) as available_surplus_amount
    from source
)

select * from renamed
