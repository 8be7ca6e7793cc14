{#
    One row per audit mission of the adopted programme (missions file), with its status in
    English and its labels, and as of the as-of date (dbt var as_of_date, default the run
    date): slippage in days = actual end - planned end; for a mission still open (planned or
    in progress) past its planned end, as-of date - planned end; null for a cancelled mission
    and for an open one not yet at its planned end. Days overrun = actual - planned
    auditor-days once fieldwork is over (report stage or closed).
#}
{%- set as_of_date = var('as_of_date', run_started_at.strftime('%Y-%m-%d')) -%}
with

missions as (
    select * from {{ ref('stg_audit__missions') }}
),

statuses as (
    select * from {{ ref('mission_statuses') }}
),

collectivities as (
    select * from {{ ref('dim_collectivities') }}
),

missions_described as (
    select
        missions.mission_id,
        missions.collectivity_code,
        collectivities.region_code,
        collectivities.province_code,
        missions.programme_type,
        missions.audit_body,
        missions.audited_process as audit_process_code,
        missions.mission_status as mission_status_code,
        statuses.mission_status,
        statuses.label_fr as mission_status_label_fr,
        statuses.label_ar as mission_status_label_ar,
        missions.programme_year,
        collectivities.rollout_phase,
        missions.planned_auditor_days,
        missions.actual_auditor_days,
        statuses.is_done,
        statuses.is_open,
        statuses.is_cancelled,
        missions.audit_body = 'audit_interne' as is_internal,
        missions.planned_start_date,
        missions.planned_end_date,
        missions.actual_start_date,
        missions.actual_end_date,
        cast('{{ as_of_date }}' as date) as as_of_date
    from missions
    left join statuses on missions.mission_status = statuses.mission_status_code
    left join collectivities on missions.collectivity_code = collectivities.collectivity_code
),

measured as (
    select
        missions_described.*,
        case
            when missions_described.is_cancelled then null
            when missions_described.actual_end_date is not null
                then {{ dbt.datediff('missions_described.planned_end_date',
                                     'missions_described.actual_end_date', 'day') }}
            when
                missions_described.is_open
                and missions_described.as_of_date > missions_described.planned_end_date
                then {{ dbt.datediff('missions_described.planned_end_date',
                                     'missions_described.as_of_date', 'day') }}
        end as slippage_days,
        case
            when missions_described.actual_start_date is not null
                then {{ dbt.datediff('missions_described.planned_start_date',
                                     'missions_described.actual_start_date', 'day') }}
        end as start_delay_days,
        case
            when missions_described.is_done
                then
                    missions_described.actual_auditor_days
                    - missions_described.planned_auditor_days
        end as auditor_days_overrun
    from missions_described
),

final as (
    select
        mission_id,
        collectivity_code,
        region_code,
        province_code,
        programme_type,
        audit_body,
        audit_process_code,
        mission_status_code,
        mission_status,
        mission_status_label_fr,
        mission_status_label_ar,
        programme_year,
        rollout_phase,
        planned_auditor_days,
        actual_auditor_days,
        auditor_days_overrun,
        slippage_days,
        start_delay_days,
        is_done,
        is_open,
        is_cancelled,
        is_internal,
        coalesce(slippage_days > 0, false) as is_late,
        coalesce(auditor_days_overrun > 0, false) as is_over_budget,
        planned_start_date,
        planned_end_date,
        actual_start_date,
        actual_end_date,
        as_of_date
    from measured
)

select * from final
