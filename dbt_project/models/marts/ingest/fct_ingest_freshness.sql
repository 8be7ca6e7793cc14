{#
    Last ingest per source and collectivity: the newest file in force that carried rows of
    the collectivity, when it was ingested and the latest fiscal year it covers.
#}
{%- set sources = [
    ('budget_execution', 'stg_tgr__budget_lines', 'fiscal_year'),
    ('revenue_arrears', 'stg_tgr__revenue_arrears', 'fiscal_year'),
    ('payments', 'stg_tgr__payments', 'fiscal_year'),
    ('debt', 'stg_fec__loans', 'fiscal_year'),
    ('payroll', 'stg_rh__payroll_lines', 'fiscal_year'),
    ('procurement', 'stg_marches__procedures', 'fiscal_year'),
    ('ic_diagnostic', 'stg_ci__ic_answers', 'campaign_year'),
    ('audit_cells', 'stg_audit__audit_cells', 'null'),
    ('missions', 'stg_audit__missions', 'programme_year'),
    ('findings', 'stg_audit__findings', 'null'),
    ('recommendations', 'stg_audit__recommendations', 'null'),
    ('recommendation_events', 'stg_audit__recommendation_events', 'null'),
] -%}
with

file_versions as (
    select * from {{ ref('stg_ingest__file_versions') }}
),

rows_in_force as (
    {% for entity, model, year_column in sources %}
        select
            '{{ entity }}' as source_entity,
            collectivity_code,
            source_file,
            cast({{ year_column }} as integer) as fiscal_year
        from {{ ref(model) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

per_file as (
    select
        source_entity,
        collectivity_code,
        source_file,
        max(fiscal_year) as latest_fiscal_year,
        count(*) as rows_in_force
    from rows_in_force
    group by source_entity, collectivity_code, source_file
),

with_ingest_time as (
    select
        per_file.*,
        file_versions.ingested_at
    from per_file
    inner join file_versions
        on
            per_file.source_entity = file_versions.source_entity
            and per_file.source_file = file_versions.source_file
            and file_versions.file_status = 'loaded'
),

freshness as (
    select
        source_entity || '|' || collectivity_code as freshness_id,
        source_entity,
        collectivity_code,
        max(latest_fiscal_year) as latest_fiscal_year,
        sum(rows_in_force) as rows_in_force,
        count(*) as files_in_force,
        max(ingested_at) as last_ingested_at
    from with_ingest_time
    group by source_entity, collectivity_code
)

select * from freshness
