{#
    The score card: how each indicator (and each domain adjustment: insufficient data or a
    red flag) contributes to the composite score, and what changed since the previous year.
    contribution = sub-score x (indicator weight / weights available in its domain)
                   x (domain weight / weights of the domains scored);
    an adjustment line carries (adjusted - computed domain score) x the domain's share.
    The contributions of a collectivity-year add up to its composite score.
#}
with

indicators as (
    select * from {{ ref('int_indicators_scored') }}
),

domain_scores as (
    select * from {{ ref('int_domain_scores_adjusted') }}
),

domain_shares as (
    select
        collectivity_code,
        fiscal_year,
        domain_code,
        computed_score,
        domain_score,
        likelihood_weight,
        case when domain_score is not null then likelihood_weight end
        / sum(case when domain_score is not null then likelihood_weight end) over (
            partition by collectivity_code, fiscal_year
        ) as domain_share
    from domain_scores
),

indicator_weights as (
    select
        indicators.*,
        indicators.weight_in_domain
        / sum(case when indicators.has_data then indicators.weight_in_domain end) over (
            partition by
                indicators.collectivity_code, indicators.fiscal_year, indicators.domain_code
        ) as indicator_share
    from indicators
),

indicator_lines as (
    select
        indicator_weights.collectivity_code,
        indicator_weights.fiscal_year,
        'indicator' as line_kind,
        indicator_weights.indicator_code as line_code,
        indicator_weights.domain_code,
        indicator_weights.indicator_name_fr as line_name_fr,
        indicator_weights.indicator_name_ar as line_name_ar,
        indicator_weights.band,
        indicator_weights.unit,
        indicator_weights.indicator_value,
        indicator_weights.green_threshold,
        indicator_weights.red_threshold,
        indicator_weights.sub_score,
        indicator_weights.weight_in_domain,
        domain_shares.likelihood_weight as domain_weight,
        case
            when
                indicator_weights.has_data
                and domain_shares.computed_score is not null
                and domain_shares.domain_score is not null
                then
                    indicator_weights.sub_score
                    * indicator_weights.indicator_share
                    * domain_shares.domain_share
            else 0
        end as contribution,
        indicator_weights.has_data
    from indicator_weights
    inner join domain_shares
        on
            indicator_weights.collectivity_code = domain_shares.collectivity_code
            and indicator_weights.fiscal_year = domain_shares.fiscal_year
            and indicator_weights.domain_code = domain_shares.domain_code
),

adjustment_lines as (
    select
        domain_scores.collectivity_code,
        domain_scores.fiscal_year,
        'domain_adjustment' as line_kind,
        domain_scores.domain_code as line_code,
        domain_scores.domain_code,
        case
            when domain_scores.has_red_flag
                then 'Drapeau rouge : ' || domain_scores.red_flag_codes
            else 'Données insuffisantes : médiane des pairs + pénalité'
        end as line_name_fr,
        case
            when domain_scores.has_red_flag then 'مؤشر إنذار: ' || domain_scores.red_flag_codes
            else 'بيانات غير كافية: وسيط النظراء + غرامة'
        end as line_name_ar,
        cast(null as varchar) as band,
        cast(null as varchar) as unit,
        cast(null as double precision) as indicator_value,
        cast(null as double precision) as green_threshold,
        cast(null as double precision) as red_threshold,
        cast(null as double precision) as sub_score,
        cast(null as double precision) as weight_in_domain,
        domain_shares.likelihood_weight as domain_weight,
        (domain_scores.domain_score - coalesce(domain_scores.computed_score, 0))
        * domain_shares.domain_share as contribution,
        true as has_data
    from domain_scores
    inner join domain_shares
        on
            domain_scores.collectivity_code = domain_shares.collectivity_code
            and domain_scores.fiscal_year = domain_shares.fiscal_year
            and domain_scores.domain_code = domain_shares.domain_code
    where
        domain_scores.domain_score is not null
        and domain_scores.domain_score != coalesce(domain_scores.computed_score, -1)
),

lines as (
    select * from indicator_lines
    union all
    select * from adjustment_lines
),

with_previous_year as (
    select
        lines.*,
        previous.indicator_value as previous_indicator_value,
        previous.sub_score as previous_sub_score,
        previous.band as previous_band,
        previous.contribution as previous_contribution,
        lines.contribution - coalesce(previous.contribution, 0) as contribution_change
    from lines
    left join lines as previous
        on
            lines.collectivity_code = previous.collectivity_code
            and lines.fiscal_year = previous.fiscal_year + 1
            and lines.line_kind = previous.line_kind
            and lines.line_code = previous.line_code
),

score_card as (
    select
        collectivity_code || '|' || cast(fiscal_year as varchar) || '|' || line_kind || '|'
        || line_code as score_card_line_id,
        collectivity_code,
        fiscal_year,
        line_kind,
        line_code,
        domain_code,
        line_name_fr,
        line_name_ar,
        band,
        previous_band,
        unit,
        indicator_value,
        previous_indicator_value,
        green_threshold,
        red_threshold,
        sub_score,
        previous_sub_score,
        weight_in_domain,
        domain_weight,
        {{ round_to('contribution', 4) }} as contribution,
        {{ round_to('previous_contribution', 4) }} as previous_contribution,
        {{ round_to('contribution_change', 4) }} as contribution_change,
        row_number() over (
            partition by collectivity_code, fiscal_year
            order by abs(contribution_change) desc nulls last, line_code asc
        ) as change_cause_rank,
        has_data
    from with_previous_year
)

select * from score_card
