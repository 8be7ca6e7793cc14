with

budget_lines as (
    select * from {{ ref('stg_tgr__budget_lines') }}
),

budget_nomenclature as (
    select * from {{ ref('budget_nomenclature') }}
),

budget_lines_classified as (
    select
        budget_lines.budget_line_id,
        budget_lines.collectivity_code,
        budget_lines.fiscal_year,
        budget_lines.budget_line_code,
        budget_nomenclature.budget_part,
        budget_nomenclature.flow_nature,
        budget_nomenclature.revenue_class,
        budget_nomenclature.economic_category,
        budget_lines.final_credit_amount,
        budget_lines.committed_amount,
        budget_lines.paid_amount,
        budget_lines.assessed_amount,
        budget_lines.collected_amount
    from budget_lines
    inner join budget_nomenclature
        on budget_lines.budget_line_code = budget_nomenclature.budget_line_code
)

select * from budget_lines_classified
