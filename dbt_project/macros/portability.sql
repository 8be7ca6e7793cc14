{#
    What DuckDB and PostgreSQL spell differently, behind one name (adapter.dispatch): the
    models call these instead of an engine's own function, so the same project builds on
    both (docs/operations.md). The default is DuckDB's spelling, which stays what DuckDB runs.
#}

{#
    round(value, places) of any number. PostgreSQL rounds only numeric to a number of places
    (round(double precision, integer) does not exist): the value is taken as numeric first.
#}
{% macro round_to(value, places) -%}
    {{ return(adapter.dispatch('round_to')(value, places)) }}
{%- endmacro %}

{% macro default__round_to(value, places) -%}
    round({{ value }}, {{ places }})
{%- endmacro %}

{% macro postgres__round_to(value, places) -%}
    round(cast({{ value }} as numeric), {{ places }})
{%- endmacro %}

{#
    dbt's unit tests on PostgreSQL. dbt compares the actual and expected rows as text, and
    PostgreSQL's numeric keeps the scale of each value (0.25 from a fixture, 0.2500… from a
    division), where DuckDB's decimals have one scale per column: numbers are compared without
    trailing zeros (trim_scale), and rounded to 12 places, which is below any tolerance a fixture
    worked by hand states and above what numeric division adds past double precision.
#}
{% macro postgres__get_unit_test_sql(main_sql, expected_fixture_sql, expected_column_names) -%}
    {%- set numeric_columns = [] -%}
    {%- for column in get_column_schema_from_query(main_sql) -%}
        {#- psycopg2's names for numeric, double precision and real -#}
        {%- if column.dtype | upper in ('DECIMAL', 'FLOAT') -%}
            {%- do numeric_columns.append(column.name | lower) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set compared = [] -%}
    {%- for name in expected_column_names -%}
        {%- if name | replace('"', '') | lower in numeric_columns -%}
            {%- do compared.append(
                'trim_scale(round(cast(' ~ name ~ ' as numeric), 12)) as ' ~ name
            ) -%}
        {%- else -%}
            {%- do compared.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
-- Build actual result given inputs
with dbt_internal_unit_test_actual as (
  select
    {{ compared | join(', ') }}, {{ dbt.string_literal("actual") }} as {{ adapter.quote("actual_or_expected") }}
  from (
    {{ main_sql }}
  ) _dbt_internal_unit_test_actual
),
-- Build expected result
dbt_internal_unit_test_expected as (
  select
    {{ compared | join(', ') }}, {{ dbt.string_literal("expected") }} as {{ adapter.quote("actual_or_expected") }}
  from (
    {{ expected_fixture_sql }}
  ) _dbt_internal_unit_test_expected
)
-- Union actual and expected results
select * from dbt_internal_unit_test_actual
union all
select * from dbt_internal_unit_test_expected
{%- endmacro %}
