with

source as (
    select * from {{ source('rh', 'payroll') }}
),

renamed as (
    select
        code_collectivite
        || '|' || cast(exercice as varchar)
        || '|' || cast(mois as varchar)
        || '|' || id_agent
            as payroll_line_id,
        code_collectivite as collectivity_code,
        id_agent as agent_id,
        cin_hash,
        rib_hash,
        grade,
        affectation as posting,
        source_file,
        cast(exercice as integer) as fiscal_year,
        cast(mois as integer) as pay_month,
        source_row,
        cast(salaire_brut as numeric(18, 2)) as gross_pay_amount,
        date_cessation as exit_date
    from source
)

select * from renamed
