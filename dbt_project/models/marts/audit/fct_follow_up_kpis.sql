{#
    Follow-up KPIs (METHODOLOGY §5) as of the as-of date (dbt var as_of_date, default the run
    date), per collectivity, per region and for the nation (scope_level):
    * implementation rate = implemented (declared or verified) / due; verified rate =
      verified / due (both counted among the due recommendations, as the AF indicators do);
    * open recommendations by age bucket (0-6, 6-12, >12 months); overdue rate = overdue /
      due (open past their due date, among the due ones);
    * median days to implement over the recommendations implemented at the as-of date;
    * findings up to the as-of date and the repeat findings among them.
#}
{%- set as_of_date = var('as_of_date', run_started_at.strftime('%Y-%m-%d')) -%}
with

recommendations as (
    select * from {{ ref('fct_recommendations') }}
),

findings as (
    select * from {{ ref('fct_findings') }}
),

collectivities as (
    select * from {{ ref('dim_collectivities') }}
),

as_of as (
    select cast('{{ as_of_date }}' as date) as as_of_date
),

recommendations_scoped as (
    select
        'collectivity' as scope_level,
        recommendations.collectivity_code as scope_code,
        recommendations.*
    from recommendations
    union all
    select
        'region' as scope_level,
        recommendations.region_code as scope_code,
        recommendations.*
    from recommendations
    union all
    select
        'national' as scope_level,
        'MA' as scope_code,
        recommendations.*
    from recommendations
),

findings_scoped as (
    select
        'collectivity' as scope_level,
        findings.collectivity_code as scope_code,
        findings.is_repeat
    from findings
    cross join as_of
    where findings.finding_date <= as_of.as_of_date
    union all
    select
        'region' as scope_level,
        findings.region_code as scope_code,
        findings.is_repeat
    from findings
    cross join as_of
    where findings.finding_date <= as_of.as_of_date
    union all
    select
        'national' as scope_level,
        'MA' as scope_code,
        findings.is_repeat
    from findings
    cross join as_of
    where findings.finding_date <= as_of.as_of_date
),

recommendation_kpis as (
    select
        scope_level,
        scope_code,
        count(*) as recommendations_issued,
        sum(case when is_due then 1 else 0 end) as recommendations_due,
        sum(case when is_due and is_implemented then 1 else 0 end)
            as recommendations_implemented,
        sum(case when is_due and is_verified then 1 else 0 end) as recommendations_verified,
        sum(case when is_declared_not_verified then 1 else 0 end)
            as recommendations_declared_not_verified,
        sum(case when is_open then 1 else 0 end) as recommendations_open,
        sum(case when is_open and age_bucket = '0-6' then 1 else 0 end) as open_0_6_months,
        sum(case when is_open and age_bucket = '6-12' then 1 else 0 end) as open_6_12_months,
        sum(case when is_open and age_bucket = '>12' then 1 else 0 end) as open_over_12_months,
        sum(case when is_overdue then 1 else 0 end) as recommendations_overdue,
        percentile_cont(0.5) within group (order by days_to_implement)
            as median_days_to_implement
    from recommendations_scoped
    group by scope_level, scope_code
),

finding_kpis as (
    select
        scope_level,
        scope_code,
        count(*) as findings_count,
        sum(case when is_repeat then 1 else 0 end) as repeat_findings_count
    from findings_scoped
    group by scope_level, scope_code
),

combined as (
    select
        coalesce(recommendation_kpis.scope_level, finding_kpis.scope_level) as scope_level,
        coalesce(recommendation_kpis.scope_code, finding_kpis.scope_code) as scope_code,
        coalesce(recommendation_kpis.recommendations_issued, 0) as recommendations_issued,
        coalesce(recommendation_kpis.recommendations_due, 0) as recommendations_due,
        coalesce(recommendation_kpis.recommendations_implemented, 0)
            as recommendations_implemented,
        coalesce(recommendation_kpis.recommendations_verified, 0) as recommendations_verified,
        coalesce(recommendation_kpis.recommendations_declared_not_verified, 0)
            as recommendations_declared_not_verified,
        coalesce(recommendation_kpis.recommendations_open, 0) as recommendations_open,
        coalesce(recommendation_kpis.open_0_6_months, 0) as open_0_6_months,
        coalesce(recommendation_kpis.open_6_12_months, 0) as open_6_12_months,
        coalesce(recommendation_kpis.open_over_12_months, 0) as open_over_12_months,
        coalesce(recommendation_kpis.recommendations_overdue, 0) as recommendations_overdue,
        recommendation_kpis.median_days_to_implement,
        coalesce(finding_kpis.findings_count, 0) as findings_count,
        coalesce(finding_kpis.repeat_findings_count, 0) as repeat_findings_count
    from recommendation_kpis
    full outer join finding_kpis
        on
            recommendation_kpis.scope_level = finding_kpis.scope_level
            and recommendation_kpis.scope_code = finding_kpis.scope_code
),

final as (
    select
        combined.scope_level || '|' || combined.scope_code as follow_up_kpi_id,
        combined.scope_level,
        combined.scope_code,
        case
            when combined.scope_level = 'collectivity' then combined.scope_code
        end as collectivity_code,
        case
            when combined.scope_level = 'collectivity' then collectivities.region_code
            when combined.scope_level = 'region' then combined.scope_code
        end as region_code,
        case
            when combined.scope_level = 'collectivity' then collectivities.province_code
        end as province_code,
        case
            when combined.scope_level = 'collectivity' then collectivities.rollout_phase
        end as rollout_phase,
        combined.recommendations_issued,
        combined.recommendations_due,
        combined.recommendations_implemented,
        combined.recommendations_verified,
        combined.recommendations_declared_not_verified,
        combined.recommendations_implemented * 1.0
        / nullif(combined.recommendations_due, 0) as implementation_rate,
        combined.recommendations_verified * 1.0
        / nullif(combined.recommendations_due, 0) as verified_rate,
        combined.recommendations_open,
        combined.open_0_6_months,
        combined.open_6_12_months,
        combined.open_over_12_months,
        combined.recommendations_overdue,
        combined.recommendations_overdue * 1.0
        / nullif(combined.recommendations_due, 0) as overdue_rate,
        combined.median_days_to_implement,
        combined.findings_count,
        combined.repeat_findings_count,
        combined.repeat_findings_count * 1.0
        / nullif(combined.findings_count, 0) as repeat_findings_rate,
        as_of.as_of_date
    from combined
    cross join as_of
    left join collectivities
        on
            combined.scope_level = 'collectivity'
            and combined.scope_code = collectivities.collectivity_code
)

select * from final
