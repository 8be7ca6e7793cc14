{#
    The red flags an auditor is shown: one row per collectivity, fiscal year and red flag
    raised, with the measure that raised it and the rule's threshold (red_flag_rules). The
    domain scores (fct_domain_scores) carry the same codes and the floor they set.
#}
with

red_flags as (
    select * from {{ ref('int_red_flags_raised') }}
),

current_methodology as (
    select * from {{ ref('int_methodology_versions_filtered_to_current') }}
),

versioned as (
    select
        red_flags.red_flag_id,
        red_flags.collectivity_code,
        red_flags.fiscal_year,
        red_flags.red_flag_code,
        red_flags.indicator_code,
        red_flags.domain_code,
        red_flags.measure_code,
        red_flags.measure_value,
        red_flags.min_value,
        red_flags.domain_score_floor,
        red_flags.label_fr,
        red_flags.label_ar,
        current_methodology.methodology_version
    from red_flags
    cross join current_methodology
)

select * from versioned
