{#
    Every sub-score lies in its band's interval of the seed sub_score_bands (`bands`): a red
    value never scores like an amber one, an amber one never like a green one.
#}
{% test sub_score_within_band(model, column_name, bands) %}

    select
        scored.band,
        scored.{{ column_name }}
    from {{ model }} as scored
    left join {{ bands }} as bands on scored.band = bands.band
    where
        scored.{{ column_name }} is not null
        and (
            bands.band is null
            or scored.{{ column_name }} < bands.min_sub_score
            or scored.{{ column_name }} > bands.max_sub_score
        )

{% endtest %}
