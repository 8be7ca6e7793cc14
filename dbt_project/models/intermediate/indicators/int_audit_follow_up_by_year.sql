{#
    AF1-AF5 as of 31 December of each fiscal year. A recommendation's status at a date is its
    last dated status change on or before it (none yet: not started). Open = not started or
    in progress.
    * AF1: "implemented" counts what the audited body declared (mise_en_oeuvre) and what an
      auditor verified (verifiee); "verified" counts the latter only. Both are kept; AF1 is
      scored on the verified ones (docs/methodology.md).
    * AF2: open recommendations overdue by more than 12 months, i.e. whose due date is more
      than 12 months before 31 December (not: issued more than 12 months ago).
    * AF3: missions of the programme year, Court of Accounts (CRC) missions left out: the
      Court is not programmed by the ministry (as in fct_programme_differences).
#}
with

finances as (
    select * from {{ ref('int_finances_aggregated_by_year') }}
),

recommendations as (
    select * from {{ ref('stg_audit__recommendations') }}
),

events as (
    select * from {{ ref('stg_audit__recommendation_events') }}
),

missions as (
    select * from {{ ref('stg_audit__missions') }}
),

findings as (
    select * from {{ ref('stg_audit__findings') }}
),

year_ends as (
    select
        collectivity_code,
        fiscal_year,
        cast(cast(fiscal_year as varchar) || '-12-31' as date) as year_end_date
    from finances
),

recommendations_by_year as (
    select
        year_ends.collectivity_code,
        year_ends.fiscal_year,
        year_ends.year_end_date,
        recommendations.recommendation_id,
        recommendations.issued_date,
        recommendations.due_date
    from year_ends
    inner join recommendations
        on
            year_ends.collectivity_code = recommendations.collectivity_code
            and year_ends.year_end_date >= recommendations.issued_date
),

events_by_year as (
    select
        recommendations_by_year.fiscal_year,
        recommendations_by_year.recommendation_id,
        events.recommendation_status,
        row_number() over (
            partition by
                recommendations_by_year.fiscal_year, recommendations_by_year.recommendation_id
            order by
                events.event_date desc nulls last,
                case events.recommendation_status
                    when 'verifiee' then 6
                    when 'mise_en_oeuvre' then 5
                    when 'refusee' then 4
                    when 'non_applicable' then 3
                    when 'en_cours' then 2
                    else 1
                end desc
        ) as recency
    from recommendations_by_year
    inner join events
        on
            recommendations_by_year.recommendation_id = events.recommendation_id
            and recommendations_by_year.year_end_date >= events.event_date
),

status_at_year_end as (
    select
        recommendations_by_year.*,
        coalesce(events_by_year.recommendation_status, 'non_demarree') as status_at_year_end
    from recommendations_by_year
    left join events_by_year
        on
            recommendations_by_year.fiscal_year = events_by_year.fiscal_year
            and recommendations_by_year.recommendation_id = events_by_year.recommendation_id
            and events_by_year.recency = 1
),

recommendation_counts as (
    select
        collectivity_code,
        fiscal_year,
        sum(
            case
                when due_date <= year_end_date and status_at_year_end != 'non_applicable'
                    then 1
                else 0
            end
        ) as recommendations_due,
        sum(
            case
                when
                    due_date <= year_end_date
                    and status_at_year_end in ('mise_en_oeuvre', 'verifiee')
                    then 1
                else 0
            end
        ) as recommendations_implemented,
        sum(
            case
                when due_date <= year_end_date and status_at_year_end = 'verifiee' then 1
                else 0
            end
        ) as recommendations_verified,
        sum(
            case when status_at_year_end in ('non_demarree', 'en_cours') then 1 else 0 end
        ) as recommendations_open,
        sum(
            case
                when
                    status_at_year_end in ('non_demarree', 'en_cours')
                    and due_date < {{ dbt.dateadd('month', -12, 'year_end_date') }}
                    then 1
                else 0
            end
        ) as recommendations_overdue_over_12_months
    from status_at_year_end
    group by collectivity_code, fiscal_year
),

mission_counts as (
    select
        year_ends.collectivity_code,
        year_ends.fiscal_year,
        sum(
            case
                when
                    missions.programme_year = year_ends.fiscal_year
                    and missions.audit_body != 'CRC'
                    then 1
                else 0
            end
        ) as missions_planned,
        sum(
            case
                when
                    missions.programme_year = year_ends.fiscal_year
                    and missions.audit_body != 'CRC'
                    and missions.mission_status in ('rapport', 'cloturee')
                    then 1
                else 0
            end
        ) as missions_done,
        max(
            case
                when
                    missions.mission_status in ('rapport', 'cloturee')
                    and missions.actual_end_date <= year_ends.year_end_date
                    then extract(year from missions.actual_end_date)
            end
        ) as last_audit_year
    from year_ends
    inner join missions on year_ends.collectivity_code = missions.collectivity_code
    group by year_ends.collectivity_code, year_ends.fiscal_year
),

severe_findings as (
    select
        year_ends.collectivity_code,
        year_ends.fiscal_year,
        count(*) as findings_3y,
        sum(case when findings.criticality = 4 then 1 else 0 end) as severe_findings_3y
    from year_ends
    inner join findings
        on
            year_ends.collectivity_code = findings.collectivity_code
            and extract(year from findings.finding_date)
            between year_ends.fiscal_year - 2 and year_ends.fiscal_year
    group by year_ends.collectivity_code, year_ends.fiscal_year
),

follow_up as (
    select
        year_ends.collectivity_code || '|' || cast(year_ends.fiscal_year as varchar)
            as collectivity_year_id,
        year_ends.collectivity_code,
        year_ends.fiscal_year,
        recommendation_counts.recommendations_due,
        recommendation_counts.recommendations_implemented,
        recommendation_counts.recommendations_verified,
        recommendation_counts.recommendations_open,
        recommendation_counts.recommendations_overdue_over_12_months,
        mission_counts.missions_planned,
        mission_counts.missions_done,
        year_ends.fiscal_year - mission_counts.last_audit_year as years_since_last_audit,
        severe_findings.findings_3y,
        severe_findings.severe_findings_3y
    from year_ends
    left join recommendation_counts
        on
            year_ends.collectivity_code = recommendation_counts.collectivity_code
            and year_ends.fiscal_year = recommendation_counts.fiscal_year
    left join mission_counts
        on
            year_ends.collectivity_code = mission_counts.collectivity_code
            and year_ends.fiscal_year = mission_counts.fiscal_year
    left join severe_findings
        on
            year_ends.collectivity_code = severe_findings.collectivity_code
            and year_ends.fiscal_year = severe_findings.fiscal_year
)

select * from follow_up
