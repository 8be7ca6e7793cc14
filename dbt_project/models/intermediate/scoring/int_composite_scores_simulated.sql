{#
    Composite score, likelihood, inherent risk and national rank, computed once with the
    published weights (simulation 0) and once per weight perturbation of the seed
    weight_perturbations (Monte Carlo, each domain weight x U[0.8, 1.2]). The same SQL
    serves both, so the intervals measure exactly the published method's sensitivity.
    Ranks are among peers of the same level (regions among regions, provinces and prefectures
    among provinces, communes among communes), by the continuous risk score, then composite
    score, then code. The risk score is L x I before the two are cut into bands: the composite
    (0-100) and the materiality (0-100) each mapped linearly onto the 1-5 scale of the map,
    (1 + 4 x composite / 100) x (1 + 4 x materiality / 100), 1-25. Ranking on the banded
    L x I made a composite of 39.9 and one of 40.1 differ by a whole likelihood step, so a
    weight change of a fraction of a point moved a collectivity past everyone between two
    products (methodology §5). level_rank ranks every level, arrondissements included; national_rank is the same
    rank for territorial collectivities only (an arrondissement is not one); ranked_in_level
    is how many collectivities of the level were ranked that year.
#}
with

domain_scores as (
    select * from {{ ref('int_domain_scores_adjusted') }}
),

impact as (
    select * from {{ ref('int_impact_computed') }}
),

peers as (
    select * from {{ ref('int_collectivities_grouped_by_peer') }}
),

perturbations as (
    select * from {{ ref('weight_perturbations') }}
),

weight_sets as (
    select
        0 as simulation_id,
        domain_code,
        1.0 as weight_multiplier
    from {{ ref('risk_domains') }}
    union all
    select
        simulation_id,
        domain_code,
        weight_multiplier
    from perturbations
),

composite as (
    select
        domain_scores.collectivity_code,
        domain_scores.fiscal_year,
        weight_sets.simulation_id,
        round(
            sum(
                cast(domain_scores.domain_score as numeric(18, 4))
                * cast(domain_scores.likelihood_weight as numeric(9, 4))
                * cast(weight_sets.weight_multiplier as numeric(9, 4))
            )
            / nullif(
                sum(
                    case
                        when domain_scores.domain_score is not null
                            then
                                cast(domain_scores.likelihood_weight as numeric(9, 4))
                                * cast(weight_sets.weight_multiplier as numeric(9, 4))
                    end
                ),
                0
            ),
            4
        ) as composite_score,
        sum(case when domain_scores.domain_score is not null then 1 else 0 end)
            as domains_covered
    from domain_scores
    inner join weight_sets on domain_scores.domain_code = weight_sets.domain_code
    group by domain_scores.collectivity_code, domain_scores.fiscal_year, weight_sets.simulation_id
),

likelihood_band_bounds as (
    select * from {{ ref('int_likelihood_bands_bounded') }}
),

scored as (
    select
        composite.*,
        likelihood_band_bounds.likelihood,
        impact.impact,
        likelihood_band_bounds.likelihood * impact.impact as inherent_risk,
        impact.materiality_score,
        round(
            (1 + 4 * cast(composite.composite_score as numeric(18, 4)) / 100)
            * (1 + 4 * cast(impact.materiality_score as numeric(18, 4)) / 100),
            4
        ) as risk_score,
        peers.level,
        peers.is_territorial_collectivity
    from composite
    inner join impact
        on
            composite.collectivity_code = impact.collectivity_code
            and composite.fiscal_year = impact.fiscal_year
    inner join peers on composite.collectivity_code = peers.collectivity_code
    left join likelihood_band_bounds
        on
            composite.composite_score >= likelihood_band_bounds.min_composite_score
            and (
                composite.composite_score < likelihood_band_bounds.next_min_composite_score
                or likelihood_band_bounds.next_min_composite_score is null
            )
),

ranked as (
    select
        scored.*,
        row_number() over (
            partition by scored.fiscal_year, scored.simulation_id, scored.level
            order by
                scored.risk_score desc nulls last,
                scored.composite_score desc nulls last,
                scored.collectivity_code asc
        ) as level_rank,
        count(*) over (
            partition by scored.fiscal_year, scored.simulation_id, scored.level
        ) as ranked_in_level
    from scored
),

with_national_rank as (
    select
        ranked.*,
        case when ranked.is_territorial_collectivity then ranked.level_rank end
            as national_rank
    from ranked
)

select * from with_national_rank
