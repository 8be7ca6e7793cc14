{#
    One row per recommendation issued by the as-of date (dbt var as_of_date, default the run
    date), with its status at that date (from its status spells), owner, due date and:
    * status: the status in English (open = not started, in_progress, implemented = declared,
      verified, refused, not_applicable), the word the reports translate;
    * age_days = as-of - issue; days_open = age_days while open, else the days from issue to
      the status that closed it; age_bucket from seed recommendation_aging_buckets, by calendar
      months: issue + min months <= as-of < issue + max months (0-6, 6-12, >12);
    * is_open: not started or in progress; is_due: due date <= as-of and not "not applicable";
      is_overdue: open and due date < as-of, days_overdue = as-of - due date;
    * is_implemented: implemented as declared by the auditee (mise_en_oeuvre) or verified by an
      auditor (verifiee); is_verified: verified only; is_declared_not_verified: the gap;
    * implemented_date: first day it reached an implemented status; days_to_implement = that
      day - issue date, for a recommendation implemented at the as-of date.
#}
{%- set as_of_date = var('as_of_date', run_started_at.strftime('%Y-%m-%d')) -%}
with

recommendations as (
    select * from {{ ref('stg_audit__recommendations') }}
),

spells as (
    select * from {{ ref('int_recommendation_status_spells_derived') }}
),

statuses as (
    select * from {{ ref('recommendation_statuses') }}
),

aging_buckets as (
    select * from {{ ref('recommendation_aging_buckets') }}
),

findings as (
    select * from {{ ref('fct_findings') }}
),

as_of as (
    select cast('{{ as_of_date }}' as date) as as_of_date
),

issued as (
    select
        recommendations.*,
        as_of.as_of_date
    from recommendations
    cross join as_of
    where recommendations.issued_date <= as_of.as_of_date
),

status_at_as_of as (
    select
        spells.recommendation_id,
        spells.recommendation_status,
        spells.valid_from as status_since_date
    from spells
    cross join as_of
    where
        spells.valid_from <= as_of.as_of_date
        and (spells.valid_to is null or spells.valid_to > as_of.as_of_date)
),

milestones as (
    select
        spells.recommendation_id,
        min(case when statuses.is_implemented then spells.valid_from end) as implemented_date,
        min(case when statuses.is_verified then spells.valid_from end) as verified_date
    from spells
    cross join as_of
    inner join statuses on spells.recommendation_status = statuses.recommendation_status
    where spells.valid_from <= as_of.as_of_date
    group by spells.recommendation_id
),

described as (
    select
        issued.recommendation_id,
        issued.finding_id,
        issued.collectivity_code,
        issued.recommendation_text,
        issued.owner_division,
        coalesce(status_at_as_of.recommendation_status, 'non_demarree') as recommendation_status,
        statuses.status,
        issued.priority,
        {{ dbt.datediff('issued.issued_date', 'issued.as_of_date', 'day') }}
            as age_days,
        statuses.is_open,
        statuses.is_implemented,
        statuses.is_verified,
        statuses.counts_as_due,
        issued.issued_date,
        issued.due_date,
        status_at_as_of.status_since_date,
        milestones.implemented_date,
        milestones.verified_date,
        issued.as_of_date
    from issued
    left join status_at_as_of on issued.recommendation_id = status_at_as_of.recommendation_id
    left join milestones on issued.recommendation_id = milestones.recommendation_id
    left join statuses
        on
            coalesce(status_at_as_of.recommendation_status, 'non_demarree')
            = statuses.recommendation_status
),

bucketed as (
    select
        described.*,
        aging_buckets.age_bucket
    from described
    left join aging_buckets
        on
            {{ dbt.dateadd('month', 'aging_buckets.min_age_months', 'described.issued_date') }}
            <= described.as_of_date
            and (
                aging_buckets.max_age_months is null
                or {{ dbt.dateadd('month', 'aging_buckets.max_age_months',
                                  'described.issued_date') }}
                > described.as_of_date
            )
),

final as (
    select
        bucketed.recommendation_id,
        bucketed.finding_id,
        findings.mission_id,
        bucketed.collectivity_code,
        findings.region_code,
        findings.province_code,
        findings.finding_category_code,
        findings.severity_code,
        bucketed.recommendation_text,
        bucketed.owner_division,
        bucketed.recommendation_status,
        bucketed.status,
        bucketed.age_bucket,
        findings.programme_year,
        findings.rollout_phase,
        findings.criticality,
        bucketed.priority,
        bucketed.age_days,
        case
            when bucketed.is_open then bucketed.age_days
            else {{ dbt.datediff('bucketed.issued_date', 'bucketed.status_since_date', 'day') }}
        end as days_open,
        case
            when bucketed.is_open and bucketed.due_date < bucketed.as_of_date
                then {{ dbt.datediff('bucketed.due_date', 'bucketed.as_of_date', 'day') }}
        end as days_overdue,
        case
            when bucketed.is_implemented
                then {{ dbt.datediff('bucketed.issued_date', 'bucketed.implemented_date', 'day') }}
        end as days_to_implement,
        bucketed.is_open,
        bucketed.counts_as_due and bucketed.due_date <= bucketed.as_of_date as is_due,
        bucketed.is_open and bucketed.due_date < bucketed.as_of_date as is_overdue,
        bucketed.is_implemented,
        bucketed.is_verified,
        bucketed.is_implemented and not bucketed.is_verified as is_declared_not_verified,
        coalesce(
            bucketed.is_implemented and bucketed.implemented_date <= bucketed.due_date, false
        ) as is_implemented_on_time,
        bucketed.issued_date,
        bucketed.due_date,
        bucketed.status_since_date,
        bucketed.implemented_date,
        bucketed.verified_date,
        bucketed.as_of_date
    from bucketed
    left join findings on bucketed.finding_id = findings.finding_id
)

select * from final
