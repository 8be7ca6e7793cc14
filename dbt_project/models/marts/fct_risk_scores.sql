{#
    Per collectivity and fiscal year: composite score, likelihood L, impact I, inherent risk
    L x I and its class; residual risk, where L is lowered according to the internal-control
    maturity of the latest diagnostic (seed residual_adjustments); the continuous risk score
    the ranks order by, the national rank within the collectivity's level (regions among
    regions, communes among communes), out of ranked_in_level, and its p5-p95 interval under
    the Monte-Carlo weight perturbations (ranks within the level in every simulation).
    Why the score moves under the perturbations (methodology §5): the composite's p5-p95, the
    share of simulations in which the likelihood band changes, the band threshold nearest to
    the composite and its distance, and the domain whose weight moves the composite most
    (the largest weight x |domain score - composite|), with the adjustment behind its score
    (insufficient-data imputation or red-flag floor). Whether the audit decision is stable is
    in fct_programme_selection_stability (the programme depends on these scores, so it cannot
    feed them back here).
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

domain_scores as (
    select * from {{ ref('int_domain_scores_adjusted') }}
),

likelihood_bands as (
    select * from {{ ref('int_likelihood_bands_bounded') }}
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

composite_spread as (
    select
        simulated.collectivity_code,
        simulated.fiscal_year,
        percentile_disc(0.05) within group (order by simulated.composite_score)
            as composite_p05,
        percentile_disc(0.95) within group (order by simulated.composite_score)
            as composite_p95,
        round(
            avg(
                case
                    when simulated.likelihood != published.likelihood then 1.0
                    when simulated.likelihood is not null then 0.0
                end
            ),
            4
        ) as likelihood_change_share
    from simulated
    inner join published
        on
            simulated.collectivity_code = published.collectivity_code
            and simulated.fiscal_year = published.fiscal_year
    where simulated.simulation_id > 0
    group by simulated.collectivity_code, simulated.fiscal_year
),

nearest_thresholds as (
    select
        published.collectivity_code,
        published.fiscal_year,
        likelihood_bands.min_composite_score as likelihood_threshold,
        {# exact decimals: PostgreSQL has no round(double precision, places) #}
        round(
            abs(
                cast(published.composite_score as numeric(18, 4))
                - cast(likelihood_bands.min_composite_score as numeric(18, 4))
            ),
            4
        ) as likelihood_threshold_gap,
        row_number() over (
            partition by published.collectivity_code, published.fiscal_year
            order by
                abs(published.composite_score - likelihood_bands.min_composite_score) asc,
                likelihood_bands.min_composite_score asc
        ) as nearness
    from published
    inner join likelihood_bands
        on likelihood_bands.min_composite_score > 0
    where published.composite_score is not null
),

domain_levers as (
    select
        published.collectivity_code,
        published.fiscal_year,
        domain_scores.domain_code,
        case
            when domain_scores.is_insufficient_data then 'insufficient_data'
            when domain_scores.has_red_flag then 'red_flag_floor'
        end as domain_adjustment,
        row_number() over (
            partition by published.collectivity_code, published.fiscal_year
            order by
                domain_scores.likelihood_weight
                * abs(domain_scores.domain_score - published.composite_score) desc nulls last,
                domain_scores.domain_code asc
        ) as lever_order
    from published
    inner join domain_scores
        on
            published.collectivity_code = domain_scores.collectivity_code
            and published.fiscal_year = domain_scores.fiscal_year
    where domain_scores.domain_score is not null
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
        published.risk_score,
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
        published.level_rank,
        composite_spread.composite_p05,
        composite_spread.composite_p95,
        composite_spread.likelihood_change_share,
        nearest_thresholds.likelihood_threshold,
        nearest_thresholds.likelihood_threshold_gap,
        domain_levers.domain_code as sensitive_domain_code,
        domain_levers.domain_adjustment as sensitive_domain_adjustment,
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
    left join composite_spread
        on
            published.collectivity_code = composite_spread.collectivity_code
            and published.fiscal_year = composite_spread.fiscal_year
    left join nearest_thresholds
        on
            published.collectivity_code = nearest_thresholds.collectivity_code
            and published.fiscal_year = nearest_thresholds.fiscal_year
            and nearest_thresholds.nearness = 1
    left join domain_levers
        on
            published.collectivity_code = domain_levers.collectivity_code
            and published.fiscal_year = domain_levers.fiscal_year
            and domain_levers.lever_order = 1
    left join risk_classes as inherent_classes
        on
            published.inherent_risk between inherent_classes.min_inherent_risk
            and inherent_classes.max_inherent_risk
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
