{#
    Arguments are SQL expressions already oriented so that a higher value is riskier
    (higher_better indicators are negated by the caller), with best < green < red < worst.
#}
{% macro sub_score(value, best, green, red, worst) -%}
    case
        when {{ value }} is null then null
        when {{ value }} <= {{ best }} then 0.0
        when {{ value }} <= {{ green }}
            then 33.0 * ({{ value }} - {{ best }}) / ({{ green }} - {{ best }})
        when {{ value }} <= {{ red }}
            then 33.0 + 33.0 * ({{ value }} - {{ green }}) / ({{ red }} - {{ green }})
        when {{ value }} <= {{ worst }}
            then 66.0 + 34.0 * ({{ value }} - {{ red }}) / ({{ worst }} - {{ red }})
        else 100.0
    end
{%- endmacro %}
