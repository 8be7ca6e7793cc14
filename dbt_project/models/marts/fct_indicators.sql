{#
    The indicators people read: value, band, sub-score, and the percentile of the oriented
    value within the peer group (kept beside the official threshold sub-score as a diagnostic).
#}
with

indicators as (
    select * from {{ ref('int_indicators_scored') }}
),

peers as (
    select * from {{ ref('int_collectivities_grouped_by_peer') }}
),

with_peer_percentile as (
    select
        indicators.*,
        peers.peer_group,
        case
            when indicators.has_data
                then {{ round_to(
                    'percent_rank() over (
                        partition by
                            indicators.fiscal_year,
                            indicators.indicator_code,
                            peers.peer_group,
                            indicators.has_data
                        order by indicators.oriented_value
                    )',
                    4
                ) }}
        end as peer_risk_percentile
    from indicators
    inner join peers on indicators.collectivity_code = peers.collectivity_code
)

select * from with_peer_percentile
