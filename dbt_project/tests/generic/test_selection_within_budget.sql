{#
    Greedy selections keep within their budget: per `group_by` columns, the days of the
    selected rows (`selected_column` true) add up to no more than the group's budget
    (`budget_column`, the same on every row of the group).
#}
{% test selection_within_budget(model, group_by, days_column, budget_column, selected_column) %}

    select
        {{ group_by | join(', ') }},
        sum({{ days_column }}) as selected_days,
        max({{ budget_column }}) as budget_days
    from {{ model }}
    where {{ selected_column }}
    group by {{ group_by | join(', ') }}
    having sum({{ days_column }}) > max({{ budget_column }})

{% endtest %}
