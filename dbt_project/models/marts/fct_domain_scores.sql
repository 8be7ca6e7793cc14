{# Domain scores, and each domain's own likelihood x impact for the per-domain heatmaps. #}
with

domain_scores as (
    select * from {{ ref('int_domain_scores_adjusted') }}
),

impact as (
    select * from {{ ref('int_impact_computed') }}
),

likelihood_band_bounds as (
    select * from {{ ref('int_likelihood_bands_bounded') }}
),

with_heatmap as (
    select
        domain_scores.*,
        likelihood_band_bounds.likelihood as domain_likelihood,
        impact.impact,
        likelihood_band_bounds.likelihood * impact.impact as domain_inherent_risk
    from domain_scores
    inner join impact
        on
            domain_scores.collectivity_code = impact.collectivity_code
            and domain_scores.fiscal_year = impact.fiscal_year
    left join likelihood_band_bounds
        on
            domain_scores.domain_score >= likelihood_band_bounds.min_composite_score
            and (
                domain_scores.domain_score < likelihood_band_bounds.next_min_composite_score
                or likelihood_band_bounds.next_min_composite_score is null
            )
)

select * from with_heatmap
