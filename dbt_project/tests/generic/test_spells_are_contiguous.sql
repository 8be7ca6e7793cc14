{#
    Validity spells of each entity (the tested column) follow each other without gap or overlap:
    a spell ends (valid_to, excluded) exactly where the next one starts, only the last one is
    open (valid_to null), and no spell ends before it starts.
#}
{% test spells_are_contiguous(model, column_name, valid_from='valid_from', valid_to='valid_to') %}

    with

    ordered as (
        select
            {{ column_name }} as entity_id,
            {{ valid_from }} as spell_from,
            {{ valid_to }} as spell_to,
            lead({{ valid_from }}) over (
                partition by {{ column_name }} order by {{ valid_from }}
            ) as next_from
        from {{ model }}
    )

    select *
    from ordered
    where
        (next_from is null and spell_to is not null)
        or (next_from is not null and (spell_to is null or spell_to != next_from))
        or spell_to <= spell_from

{% endtest %}
