{#
    The red flags raised per scored collectivity-year: a rule of red_flag_rules fires when its
    measure reaches min_value. The measures are counts kept beside the indicators' ratios, so
    that one ghost worker or one duplicate payment is shown whatever the collectivity's size:
    agents sharing a CIN, agents sharing a RIB, agents without a posting, agents paid after
    their exit (HR3's four kinds, each on its own), orders in a suspected duplicate pair
    (IC4), purchase orders in a suspected split (PR2), building or subdivision permits without
    a tax receipt (RM6). A rule may also name an indicator code as its measure: it then fires
    on the indicator's value (e.g. a ratio threshold).
#}
{%- set counts = [
    ('int_payroll_anomalies_by_year', 'agents_sharing_cin'),
    ('int_payroll_anomalies_by_year', 'agents_sharing_rib'),
    ('int_payroll_anomalies_by_year', 'agents_without_posting'),
    ('int_payroll_anomalies_by_year', 'agents_paid_after_exit'),
    ('int_payments_aggregated_by_year', 'duplicate_orders'),
    ('int_procurement_aggregated_by_year', 'suspected_split_orders'),
    ('int_urbanism_permits_aggregated_by_year', 'permits_without_tax_receipt'),
] -%}
with

finances as (
    select * from {{ ref('int_finances_aggregated_by_year') }}
),

indicator_values as (
    select * from {{ ref('int_indicator_values_computed') }}
),

red_flag_rules as (
    select * from {{ ref('red_flag_rules') }}
),

measures as (
    {% for model, column in counts %}
        select
            collectivity_year_id,
            '{{ column }}' as measure_code,
            cast({{ column }} as double precision) as measure_value
        from {{ ref(model) }}
        union all
    {% endfor %}
    select
        collectivity_code || '|' || cast(fiscal_year as varchar) as collectivity_year_id,
        indicator_code as measure_code,
        cast(indicator_value as double precision) as measure_value
    from indicator_values
),

raised as (
    select
        finances.collectivity_year_id || '|' || red_flag_rules.red_flag_code as red_flag_id,
        finances.collectivity_code,
        finances.fiscal_year,
        red_flag_rules.red_flag_code,
        red_flag_rules.indicator_code,
        red_flag_rules.domain_code,
        red_flag_rules.measure_code,
        measures.measure_value,
        red_flag_rules.min_value,
        red_flag_rules.domain_score_floor,
        red_flag_rules.label_fr,
        red_flag_rules.label_ar
    from measures
    inner join finances on measures.collectivity_year_id = finances.collectivity_year_id
    inner join red_flag_rules on measures.measure_code = red_flag_rules.measure_code
    where measures.measure_value >= red_flag_rules.min_value
)

select * from raised
