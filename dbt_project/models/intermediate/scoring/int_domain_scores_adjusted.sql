{#
    Domain score = weighted mean of the available sub-scores. Then, in order:
    1. insufficient data: coverage under the threshold (ranking_parameters) -> the median of
       the peer group's domain scores that had enough data (of all collectivities of the year
       when the peer group has none), plus the penalty, capped at 100; no score at all when
       nobody has enough data for the domain;
    2. red flags (int_red_flags_raised, rules in red_flag_rules): a raised flag lifts the
       domain to at least its floor.
#}
with

indicators as (
    select * from {{ ref('int_indicators_scored') }}
),

risk_domains as (
    select * from {{ ref('risk_domains') }}
),

indicator_catalogue as (
    select * from {{ ref('indicator_catalogue') }}
    where is_active
),

red_flags_raised as (
    select * from {{ ref('int_red_flags_raised') }}
),

peers as (
    select * from {{ ref('int_collectivities_grouped_by_peer') }}
),

parameters as (
    select
        max(case when parameter = 'insufficient_coverage' then value end)
            as insufficient_coverage,
        max(case when parameter = 'insufficient_data_penalty' then value end)
            as insufficient_data_penalty
    from {{ ref('ranking_parameters') }}
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
        {# exact decimal sums: the score must not depend on the order rows are added in #}
        sum(
            case
                when has_data
                    then cast(sub_score as numeric(18, 4)) * cast(weight_in_domain as numeric(9, 4))
            end
        )
        / nullif(sum(case when has_data then cast(weight_in_domain as numeric(9, 4)) end), 0)
            as computed_score
    from indicators
    group by collectivity_code, fiscal_year, domain_code
),

covered as (
    select
        domain_spine.*,
        peers.peer_group,
        domain_aggregates.computed_score,
        coalesce(domain_aggregates.indicators_available, 0) as indicators_available,
        case
            when domain_spine.indicators_expected > 0
                then
                    1.0 * coalesce(domain_aggregates.indicators_available, 0)
                    / domain_spine.indicators_expected
        end as coverage_ratio
    from domain_spine
    inner join peers on domain_spine.collectivity_code = peers.collectivity_code
    left join domain_aggregates
        on
            domain_spine.collectivity_code = domain_aggregates.collectivity_code
            and domain_spine.fiscal_year = domain_aggregates.fiscal_year
            and domain_spine.domain_code = domain_aggregates.domain_code
),

flagged_coverage as (
    select
        covered.*,
        covered.indicators_expected > 0
        and covered.coverage_ratio < parameters.insufficient_coverage as is_insufficient_data
    from covered
    cross join parameters
),

peer_medians as (
    select
        fiscal_year,
        peer_group,
        domain_code,
        percentile_cont(0.5) within group (order by computed_score) as peer_median_score
    from flagged_coverage
    where not is_insufficient_data and computed_score is not null
    group by fiscal_year, peer_group, domain_code
),

year_medians as (
    select
        fiscal_year,
        domain_code,
        percentile_cont(0.5) within group (order by computed_score) as year_median_score
    from flagged_coverage
    where not is_insufficient_data and computed_score is not null
    group by fiscal_year, domain_code
),

red_flags as (
    select
        collectivity_code,
        fiscal_year,
        domain_code,
        max(domain_score_floor) as domain_score_floor,
        {{ dbt.listagg('red_flag_code', "', '", 'order by red_flag_code') }} as red_flag_codes
    from red_flags_raised
    group by collectivity_code, fiscal_year, domain_code
),

imputed as (
    select
        flagged_coverage.*,
        case
            when
                flagged_coverage.is_insufficient_data
                and coalesce(peer_medians.peer_median_score, year_medians.year_median_score)
                is not null
                then
                    least(
                        coalesce(peer_medians.peer_median_score, year_medians.year_median_score)
                        + parameters.insufficient_data_penalty,
                        100.0
                    )
            when flagged_coverage.is_insufficient_data then null
            else flagged_coverage.computed_score
        end as score_before_flags
    from flagged_coverage
    cross join parameters
    left join peer_medians
        on
            flagged_coverage.fiscal_year = peer_medians.fiscal_year
            and flagged_coverage.peer_group = peer_medians.peer_group
            and flagged_coverage.domain_code = peer_medians.domain_code
    left join year_medians
        on
            flagged_coverage.fiscal_year = year_medians.fiscal_year
            and flagged_coverage.domain_code = year_medians.domain_code
),

adjusted as (
    select
        imputed.collectivity_code || '|' || cast(imputed.fiscal_year as varchar) || '|'
        || imputed.domain_code as domain_score_id,
        imputed.collectivity_code,
        imputed.fiscal_year,
        imputed.domain_code,
        imputed.domain_name_fr,
        imputed.domain_name_ar,
        red_flags.red_flag_codes,
        {{ round_to('imputed.computed_score', 4) }} as computed_score,
        {{ round_to(
            'case
                when red_flags.domain_score_floor is not null
                    then greatest(
                        coalesce(imputed.score_before_flags, 0), red_flags.domain_score_floor
                    )
                else imputed.score_before_flags
            end',
            4
        ) }} as domain_score,
        imputed.indicators_available,
        imputed.indicators_expected,
        {{ round_to('imputed.coverage_ratio', 4) }} as coverage_ratio,
        imputed.likelihood_weight,
        imputed.is_insufficient_data,
        red_flags.red_flag_codes is not null as has_red_flag
    from imputed
    left join red_flags
        on
            imputed.collectivity_code = red_flags.collectivity_code
            and imputed.fiscal_year = red_flags.fiscal_year
            and imputed.domain_code = red_flags.domain_code
)

select * from adjusted
