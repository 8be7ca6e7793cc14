{#
    The status spells (`model`) and the AF indicators (`follow_up_model`,
    int_audit_follow_up_by_year) read the same status at 31 December: per collectivity and
    fiscal year, the recommendations implemented (declared or verified) among the due ones and
    the open ones counted from the spells equal the AF counts. Two implementations of one rule
    kept in step (the AF model's unit test forbids it a new parent).
#}
{% test status_at_year_end_matches_follow_up(model, follow_up_model, recommendations_model) %}

    with

    year_ends as (
        select
            collectivity_code,
            fiscal_year,
            recommendations_implemented,
            recommendations_open,
            cast(cast(fiscal_year as varchar) || '-12-31' as date) as year_end_date
        from {{ follow_up_model }}
    ),

    status_at_year_end as (
        select
            year_ends.collectivity_code,
            year_ends.fiscal_year,
            sum(
                case
                    when
                        recommendations.due_date <= year_ends.year_end_date
                        and spells.recommendation_status in ('mise_en_oeuvre', 'verifiee')
                        then 1
                    else 0
                end
            ) as implemented_from_spells,
            sum(
                case
                    when spells.recommendation_status in ('non_demarree', 'en_cours') then 1
                    else 0
                end
            ) as open_from_spells
        from year_ends
        inner join {{ recommendations_model }} as recommendations
            on
                year_ends.collectivity_code = recommendations.collectivity_code
                and recommendations.issued_date <= year_ends.year_end_date
        inner join {{ model }} as spells
            on
                recommendations.recommendation_id = spells.recommendation_id
                and spells.valid_from <= year_ends.year_end_date
                and (spells.valid_to is null or spells.valid_to > year_ends.year_end_date)
        group by year_ends.collectivity_code, year_ends.fiscal_year
    )

    select
        year_ends.collectivity_code,
        year_ends.fiscal_year,
        year_ends.recommendations_implemented,
        status_at_year_end.implemented_from_spells,
        year_ends.recommendations_open,
        status_at_year_end.open_from_spells
    from year_ends
    inner join status_at_year_end
        on
            year_ends.collectivity_code = status_at_year_end.collectivity_code
            and year_ends.fiscal_year = status_at_year_end.fiscal_year
    where
        coalesce(year_ends.recommendations_implemented, 0)
        != status_at_year_end.implemented_from_spells
        or coalesce(year_ends.recommendations_open, 0) != status_at_year_end.open_from_spells

{% endtest %}
