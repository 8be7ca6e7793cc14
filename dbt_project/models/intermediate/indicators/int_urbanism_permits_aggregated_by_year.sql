{#
    RM6 ingredients: the authorisations issued in the year whose kind carries the construction
    or subdivision tax (seed urbanism_permit_kinds: building and subdivision permits), and
    those of them without a tax receipt reference in the e-permit register.
#}
with

permits as (
    select * from {{ ref('stg_urbanisme__permits') }}
),

permit_kinds as (
    select * from {{ ref('urbanism_permit_kinds') }}
),

aggregated as (
    select
        permits.collectivity_code || '|' || cast(permits.fiscal_year as varchar)
            as collectivity_year_id,
        permits.collectivity_code,
        permits.fiscal_year,
        count(*) as permits_issued,
        sum(case when permit_kinds.is_taxed then 1 else 0 end) as taxed_permits,
        sum(
            case
                when permit_kinds.is_taxed and permits.tax_receipt_reference is null then 1
                else 0
            end
        ) as permits_without_tax_receipt
    from permits
    inner join permit_kinds on permits.permit_kind = permit_kinds.permit_kind
    group by permits.collectivity_code, permits.fiscal_year
)

select * from aggregated
