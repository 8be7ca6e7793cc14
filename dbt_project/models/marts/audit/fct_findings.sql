{#
    One row per audit finding with its category (taxonomy of DOMAIN.md §3, seed
    finding_categories, French and Arabic), root cause, and its severity on the ministry's
    scale (seed finding_severities: criticality 1-4 -> code, labels, weight, is_severe).
    is_repeat: another finding of the same category in the same collectivity, from another
    mission, dated in the findings_lookback_years (3) years before it: on or after the same
    day N years earlier and strictly before this finding's date. repeat_of_finding_id is the
    latest such finding; is_repeat_same_subcategory is the stricter test (same sub-category).
#}
with

findings as (
    select * from {{ ref('stg_audit__findings') }}
),

missions as (
    select * from {{ ref('stg_audit__missions') }}
),

categories as (
    select * from {{ ref('finding_categories') }}
),

severities as (
    select * from {{ ref('finding_severities') }}
),

collectivities as (
    select * from {{ ref('dim_collectivities') }}
),

parameters as (
    select
        cast(max(case when parameter = 'findings_lookback_years' then value end) as integer)
            as lookback_years
    from {{ ref('programme_parameters') }}
),

earlier_findings as (
    select
        findings.finding_id,
        earlier.finding_id as earlier_finding_id,
        coalesce(findings.finding_subcategory = earlier.finding_subcategory, false)
            as is_same_subcategory,
        row_number() over (
            partition by findings.finding_id
            order by earlier.finding_date desc nulls last, earlier.finding_id desc
        ) as recency
    from findings
    cross join parameters
    inner join findings as earlier
        on
            findings.collectivity_code = earlier.collectivity_code
            and findings.finding_category_code = earlier.finding_category_code
            and findings.mission_id != earlier.mission_id
            and findings.finding_date > earlier.finding_date
            and earlier.finding_date
            >= {{ dbt.dateadd('year', '-1 * parameters.lookback_years', 'findings.finding_date') }}
),

repeats as (
    select
        finding_id,
        max(case when recency = 1 then earlier_finding_id end) as repeat_of_finding_id,
        max(case when is_same_subcategory then 1 else 0 end) = 1 as is_repeat_same_subcategory
    from earlier_findings
    group by finding_id
),

final as (
    select
        findings.finding_id,
        findings.mission_id,
        findings.collectivity_code,
        collectivities.region_code,
        collectivities.province_code,
        findings.finding_category_code,
        categories.name_fr as category_name_fr,
        categories.name_ar as category_name_ar,
        findings.finding_subcategory,
        findings.root_cause,
        severities.severity_code,
        severities.label_fr as severity_label_fr,
        severities.label_ar as severity_label_ar,
        missions.audit_body,
        missions.audited_process as audit_process_code,
        repeats.repeat_of_finding_id,
        missions.programme_year,
        collectivities.rollout_phase,
        findings.criticality,
        severities.severity_weight,
        findings.financial_impact_amount,
        coalesce(severities.is_severe, false) as is_severe,
        repeats.finding_id is not null as is_repeat,
        coalesce(repeats.is_repeat_same_subcategory, false) as is_repeat_same_subcategory,
        findings.finding_date
    from findings
    left join missions on findings.mission_id = missions.mission_id
    left join categories on findings.finding_category_code = categories.finding_category_code
    left join severities on findings.criticality = severities.criticality
    left join collectivities on findings.collectivity_code = collectivities.collectivity_code
    left join repeats on findings.finding_id = repeats.finding_id
)

select * from final
