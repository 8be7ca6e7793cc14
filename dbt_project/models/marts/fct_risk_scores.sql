{#
    Per collectivity and fiscal year: composite score, likelihood L, impact I, inherent risk
    L x I and its class; residual risk, where L is lowered according to the internal-control
    maturity of the latest diagnostic (seed residual_adjustments); the national rank within the
    collectivity's level (regions among regions, communes among communes), out of
    ranked_in_level, and its p5-p95 interval under the Monte-Carlo weight perturbations (ranks
    within the level in every simulation), flagged unstable when wider than the share of the
    level's ranked collectivities set in ranking_parameters.
#}
with

simulated as (
    select * from {{ ref('int_composite_scores_simulated') }}
),

impact as (
    select * from {{ ref('int_impact_computed') }}
),

indicators as (
    select * from {{ ref('int_indicators_scored') }}
),

risk_classes as (
    select * from {{ ref('risk_classes') }}
),

residual_adjustments as (
    select * from {{ ref('residual_adjustments') }}
),

current_methodology as (
    select * from {{ ref('int_methodology_versions_filtered_to_current') }}
),

parameters as (
    select max(case when parameter = 'unstable_rank_share' then value end) as unstable_share
    from {{ ref('ranking_parameters') }}
),

published as (
    select * from simulated
    where simulation_id = 0
),

rank_intervals as (
    select
        collectivity_code,
        fiscal_year,
        percentile_disc(0.05) within group (order by national_rank) as rank_p05,
        percentile_disc(0.95) within group (order by national_rank) as rank_p95
    from simulated
    where simulation_id > 0 and national_rank is not null
    group by collectivity_code, fiscal_year
),

ic_maturity as (
    select
        collectivity_code,
        fiscal_year,
        indicator_value as ic_maturity_score
    from indicators
    where indicator_code = 'IC1' and has_data
),

reductions as (
    select
        published.collectivity_code,
        published.fiscal_year,
        ic_maturity.ic_maturity_score,
        coalesce(max(residual_adjustments.likelihood_reduction), 0) as likelihood_reduction
    from published
    left join ic_maturity
        on
            published.collectivity_code = ic_maturity.collectivity_code
            and published.fiscal_year = ic_maturity.fiscal_year
    left join residual_adjustments
        on ic_maturity.ic_maturity_score >= residual_adjustments.min_ic_maturity
    group by published.collectivity_code, published.fiscal_year, ic_maturity.ic_maturity_score
),

scored as (
    select
        published.collectivity_code || '|' || cast(published.fiscal_year as varchar)
            as risk_score_id,
        published.collectivity_code,
        published.fiscal_year,
        published.level,
        published.composite_score,
        published.domains_covered,
        published.likelihood,
        impact.materiality_score,
        published.impact,
        published.inherent_risk,
        inherent_classes.risk_class,
        reductions.ic_maturity_score,
        greatest(published.likelihood - reductions.likelihood_reduction, 1)
            as residual_likelihood,
        greatest(published.likelihood - reductions.likelihood_reduction, 1) * published.impact
            as residual_risk,
        published.national_rank,
        published.ranked_in_level,
        rank_intervals.rank_p05,
        rank_intervals.rank_p95,
        published.national_rank is not null
        and rank_intervals.rank_p95 - rank_intervals.rank_p05
        > parameters.unstable_share * published.ranked_in_level as is_rank_unstable,
        published.level_rank,
        current_methodology.methodology_version
    from published
    inner join impact
        on
            published.collectivity_code = impact.collectivity_code
            and published.fiscal_year = impact.fiscal_year
    inner join reductions
        on
            published.collectivity_code = reductions.collectivity_code
            and published.fiscal_year = reductions.fiscal_year
    left join rank_intervals
        on
            published.collectivity_code = rank_intervals.collectivity_code
            and published.fiscal_year = rank_intervals.fiscal_year
    left join risk_classes as inherent_classes
        on
            published.inherent_risk between inherent_classes.min_inherent_risk
            and inherent_classes.max_inherent_risk
    cross join parameters
    cross join current_methodology
),

with_residual_class as (
    select
        scored.*,
        residual_classes.risk_class as residual_risk_class
    from scored
    left join risk_classes as residual_classes
        on
            scored.residual_risk between residual_classes.min_inherent_risk
            and residual_classes.max_inherent_risk
)

select * from with_residual_class
