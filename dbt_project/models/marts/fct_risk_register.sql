{#
    The risk register: every risk of the catalogue for every collectivity-year. Likelihood
    from the mean sub-score of the risk's indicators (likelihood bands), raised one step when
    findings of the risk's category with criticality 3 or 4 were made in the last three
    years; impact of the collectivity; residual likelihood lowered by internal-control
    maturity as for the overall score.
#}
with

risk_catalogue as (
    select * from {{ ref('risk_catalogue') }}
),

risk_indicators as (
    select * from {{ ref('risk_catalogue_indicators') }}
),

indicators as (
    select * from {{ ref('int_indicators_scored') }}
),

impact as (
    select * from {{ ref('int_impact_computed') }}
),

findings as (
    select * from {{ ref('stg_audit__findings') }}
),

risk_scores as (
    select * from {{ ref('fct_risk_scores') }}
),

risk_classes as (
    select * from {{ ref('risk_classes') }}
),

likelihood_band_bounds as (
    select * from {{ ref('int_likelihood_bands_bounded') }}
),

indicator_evidence as (
    select
        indicators.collectivity_code,
        indicators.fiscal_year,
        risk_indicators.risk_code,
        avg(case when indicators.has_data then cast(indicators.sub_score as numeric(18, 4)) end)
            as risk_score,
        sum(case when indicators.has_data then 1 else 0 end) as indicators_with_data,
        {{ dbt.listagg(
            "indicators.indicator_code || ':' || coalesce(indicators.band, 'n/d')",
            "', '",
            "order by indicators.indicator_code"
        ) }} as indicators_behind
    from indicators
    inner join risk_indicators on indicators.indicator_code = risk_indicators.indicator_code
    group by indicators.collectivity_code, indicators.fiscal_year, risk_indicators.risk_code
),

finding_evidence as (
    select
        risk_scores.collectivity_code,
        risk_scores.fiscal_year,
        risk_catalogue.risk_code,
        count(*) as findings_3y,
        sum(case when findings.criticality >= 3 then 1 else 0 end) as serious_findings_3y
    from risk_scores
    inner join findings on risk_scores.collectivity_code = findings.collectivity_code
    inner join risk_catalogue on findings.finding_category_code = risk_catalogue.finding_categories
    where
        extract(year from findings.finding_date)
        between risk_scores.fiscal_year - 2 and risk_scores.fiscal_year
    group by risk_scores.collectivity_code, risk_scores.fiscal_year, risk_catalogue.risk_code
),

register as (
    select
        risk_scores.collectivity_code,
        risk_scores.fiscal_year,
        risk_catalogue.risk_code,
        risk_catalogue.process_code,
        risk_catalogue.name_fr as risk_name_fr,
        risk_catalogue.name_ar as risk_name_ar,
        indicator_evidence.indicators_behind,
        round(indicator_evidence.risk_score, 4) as risk_score,
        coalesce(indicator_evidence.indicators_with_data, 0) as indicators_with_data,
        coalesce(finding_evidence.findings_3y, 0) as findings_3y,
        coalesce(finding_evidence.serious_findings_3y, 0) as serious_findings_3y,
        least(
            likelihood_band_bounds.likelihood
            + case when coalesce(finding_evidence.serious_findings_3y, 0) > 0 then 1 else 0 end,
            5
        ) as likelihood,
        impact.impact,
        risk_scores.likelihood - risk_scores.residual_likelihood as control_reduction,
        risk_scores.ic_maturity_score
    from risk_scores
    cross join risk_catalogue
    inner join impact
        on
            risk_scores.collectivity_code = impact.collectivity_code
            and risk_scores.fiscal_year = impact.fiscal_year
    left join indicator_evidence
        on
            risk_scores.collectivity_code = indicator_evidence.collectivity_code
            and risk_scores.fiscal_year = indicator_evidence.fiscal_year
            and risk_catalogue.risk_code = indicator_evidence.risk_code
    left join finding_evidence
        on
            risk_scores.collectivity_code = finding_evidence.collectivity_code
            and risk_scores.fiscal_year = finding_evidence.fiscal_year
            and risk_catalogue.risk_code = finding_evidence.risk_code
    left join likelihood_band_bounds
        on
            indicator_evidence.risk_score >= likelihood_band_bounds.min_composite_score
            and (
                indicator_evidence.risk_score < likelihood_band_bounds.next_min_composite_score
                or likelihood_band_bounds.next_min_composite_score is null
            )
),

classified as (
    select
        register.collectivity_code || '|' || cast(register.fiscal_year as varchar) || '|'
        || register.risk_code as risk_register_id,
        register.*,
        register.likelihood * register.impact as inherent_risk,
        greatest(register.likelihood - register.control_reduction, 1) * register.impact
            as residual_risk,
        inherent_classes.risk_class,
        residual_classes.risk_class as residual_risk_class,
        row_number() over (
            partition by register.collectivity_code, register.fiscal_year
            order by
                register.likelihood * register.impact desc nulls last,
                register.risk_score desc nulls last,
                register.risk_code asc
        ) as risk_rank
    from register
    left join risk_classes as inherent_classes
        on
            register.likelihood * register.impact between inherent_classes.min_inherent_risk
            and inherent_classes.max_inherent_risk
    left join risk_classes as residual_classes
        on
            greatest(register.likelihood - register.control_reduction, 1) * register.impact
            between residual_classes.min_inherent_risk and residual_classes.max_inherent_risk
)

select * from classified
