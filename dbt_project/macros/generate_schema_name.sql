{#
    Schemas are named by layer (staging, intermediate, marts, methodology) without the
    target's prefix, so that dashboards and exports read `marts.fct_*` on every target.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
