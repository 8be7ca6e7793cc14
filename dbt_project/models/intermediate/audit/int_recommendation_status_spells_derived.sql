{#
    One row per status spell of a recommendation: the status holds from valid_from (included)
    to valid_to (excluded; null while it is the current status). Same rule as the AF
    indicators (int_audit_follow_up_by_year): the status at a date is the last dated status
    change on or before it; on a same day the status with the highest same_day_precedence
    (seed recommendation_statuses) wins; before any change the recommendation is not started
    (an implied spell from its issue date). A change to the status already held starts no
    new spell.
#}
with

recommendations as (
    select * from {{ ref('stg_audit__recommendations') }}
),

events as (
    select * from {{ ref('stg_audit__recommendation_events') }}
),

statuses as (
    select * from {{ ref('recommendation_statuses') }}
),

events_ranked_within_day as (
    select
        events.recommendation_id,
        events.recommendation_status,
        events.declared_by,
        events.evidence,
        events.event_date,
        row_number() over (
            partition by events.recommendation_id, events.event_date
            order by statuses.same_day_precedence desc
        ) as rank_within_day
    from events
    left join statuses on events.recommendation_status = statuses.recommendation_status
),

events_one_per_day as (
    select
        recommendation_id,
        recommendation_status,
        declared_by,
        evidence,
        event_date
    from events_ranked_within_day
    where rank_within_day = 1
),

first_events as (
    select
        recommendation_id,
        min(event_date) as first_event_date
    from events_one_per_day
    group by recommendation_id
),

implied_not_started as (
    select
        recommendations.recommendation_id,
        'non_demarree' as recommendation_status,
        cast(null as varchar) as declared_by,
        cast(null as varchar) as evidence,
        recommendations.issued_date as event_date
    from recommendations
    left join first_events
        on recommendations.recommendation_id = first_events.recommendation_id
    where
        first_events.first_event_date is null
        or first_events.first_event_date > recommendations.issued_date
),

status_changes as (
    select
        recommendation_id,
        recommendation_status,
        declared_by,
        evidence,
        event_date,
        true as is_implied
    from implied_not_started
    union all
    select
        recommendation_id,
        recommendation_status,
        declared_by,
        evidence,
        event_date,
        false as is_implied
    from events_one_per_day
),

status_changes_compared as (
    select
        status_changes.*,
        lag(status_changes.recommendation_status) over (
            partition by status_changes.recommendation_id order by status_changes.event_date
        ) as previous_status
    from status_changes
),

spell_starts as (
    select *
    from status_changes_compared
    where previous_status is null or previous_status != recommendation_status
),

spells as (
    select
        spell_starts.recommendation_id || '|' || cast(spell_starts.event_date as varchar)
            as recommendation_status_spell_id,
        spell_starts.recommendation_id,
        recommendations.collectivity_code,
        spell_starts.recommendation_status,
        spell_starts.declared_by,
        spell_starts.evidence,
        row_number() over (
            partition by spell_starts.recommendation_id order by spell_starts.event_date
        ) as spell_number,
        spell_starts.is_implied,
        lead(spell_starts.event_date) over (
            partition by spell_starts.recommendation_id order by spell_starts.event_date
        ) is null as is_current,
        spell_starts.event_date as valid_from,
        lead(spell_starts.event_date) over (
            partition by spell_starts.recommendation_id order by spell_starts.event_date
        ) as valid_to
    from spell_starts
    inner join recommendations
        on spell_starts.recommendation_id = recommendations.recommendation_id
)

select * from spells
