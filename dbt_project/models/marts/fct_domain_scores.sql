{# Domain score = weighted mean of the available sub-scores; coverage kept beside it. #}
with

indicators as (
    select * from {{ ref('fct_indicators') }}
),

risk_domains as (
    select * from {{ ref('risk_domains') }}
),

indicator_catalogue as (
    select * from {{ ref('indicator_catalogue') }}
    where is_active
),

expected_per_domain as (
    select
        domain_code,
        count(*) as indicators_expected
    from indicator_catalogue
    group by domain_code
),

collectivity_years as (
    select distinct
        collectivity_code,
        fiscal_year
    from indicators
),

domain_spine as (
    select
        collectivity_years.collectivity_code,
        collectivity_years.fiscal_year,
        risk_domains.domain_code,
        risk_domains.name_fr as domain_name_fr,
        risk_domains.name_ar as domain_name_ar,
        risk_domains.likelihood_weight,
        coalesce(expected_per_domain.indicators_expected, 0) as indicators_expected
    from collectivity_years
    cross join risk_domains
    left join expected_per_domain on risk_domains.domain_code = expected_per_domain.domain_code
),

domain_aggregates as (
    select
        collectivity_code,
        fiscal_year,
        domain_code,
        sum(case when has_data then 1 else 0 end) as indicators_available,
        round(
            sum(case when has_data then sub_score * weight_in_domain end)
            / nullif(sum(case when has_data then weight_in_domain end), 0),
            4
        ) as domain_score
    from indicators
    group by collectivity_code, fiscal_year, domain_code
),

domain_scores as (
    select
        domain_spine.collectivity_code || '|' || cast(domain_spine.fiscal_year as varchar)
        || '|' || domain_spine.domain_code as domain_score_id,
        domain_spine.collectivity_code,
        domain_spine.fiscal_year,
        domain_spine.domain_code,
        domain_spine.domain_name_fr,
        domain_spine.domain_name_ar,
        domain_aggregates.domain_score,
        coalesce(domain_aggregates.indicators_available, 0) as indicators_available,
        domain_spine.indicators_expected,
        case
            when domain_spine.indicators_expected > 0
                then
                    round(
                        1.0 * coalesce(domain_aggregates.indicators_available, 0)
                        / domain_spine.indicators_expected,
                        4
                    )
        end as coverage_ratio,
        domain_spine.likelihood_weight
    from domain_spine
    left join domain_aggregates
        on
            domain_spine.collectivity_code = domain_aggregates.collectivity_code
            and domain_spine.fiscal_year = domain_aggregates.fiscal_year
            and domain_spine.domain_code = domain_aggregates.domain_code
)

select * from domain_scores
