{#
    Band-consistent piecewise-linear sub-score. Arguments are SQL expressions already
    oriented so that a higher value is riskier (higher_better indicators are negated by the
    caller), with best <= green <= red <= worst; `band` is the band already decided with the
    thresholds' inclusivity. Each band maps linearly onto its own interval of the seed
    sub_score_bands (`bounds` is a relation with one row per band: band, min_sub_score,
    max_sub_score): green from its minimum at the best anchor to its maximum at the green
    threshold, amber from its minimum at the green threshold to its maximum at the red
    threshold, red from its minimum at the red threshold to its maximum at the worst anchor,
    capped at both ends. A value's sub-score never leaves its band's interval, so a red value
    never scores like an amber one, and it never decreases as the value worsens.
#}
{% macro sub_score(value, band, best, green, red, worst, bounds) -%}
    case
        when {{ value }} is null or {{ band }} is null then null
        when {{ band }} = 'green'
            then
                case
                    when {{ value }} <= {{ best }} then {{ bounds }}.min_sub_score
                    else
                        {{ bounds }}.min_sub_score
                        + ({{ bounds }}.max_sub_score - {{ bounds }}.min_sub_score)
                        * ({{ value }} - {{ best }}) / ({{ green }} - {{ best }})
                end
        when {{ band }} = 'amber'
            then
                case
                    when {{ red }} <= {{ green }} then {{ bounds }}.min_sub_score
                    else
                        {{ bounds }}.min_sub_score
                        + ({{ bounds }}.max_sub_score - {{ bounds }}.min_sub_score)
                        * ({{ value }} - {{ green }}) / ({{ red }} - {{ green }})
                end
        else
            case
                when {{ value }} >= {{ worst }} then {{ bounds }}.max_sub_score
                else
                    {{ bounds }}.min_sub_score
                    + ({{ bounds }}.max_sub_score - {{ bounds }}.min_sub_score)
                    * ({{ value }} - {{ red }}) / ({{ worst }} - {{ red }})
            end
    end
{%- endmacro %}
