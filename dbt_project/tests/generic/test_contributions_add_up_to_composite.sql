{# The score card explains the whole composite score: its contributions add up to it. #}
{% test contributions_add_up_to_composite(model) %}

    with

    card_totals as (
        select
            collectivity_code,
            fiscal_year,
            sum(contribution) as contributions
        from {{ model }}
        group by collectivity_code, fiscal_year
    )

    select card_totals.*
    from card_totals
    inner join {{ ref('fct_risk_scores') }} as risk_scores
        on
            card_totals.collectivity_code = risk_scores.collectivity_code
            and card_totals.fiscal_year = risk_scores.fiscal_year
    where abs(card_totals.contributions - risk_scores.composite_score) > 0.01

{% endtest %}
