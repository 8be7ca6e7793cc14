{#
    Execution of the adopted programme (PEFA 26.3) per programme year, region, province and
    rollout phase: missions planned (every mission of the programme year, cancelled ones
    included), done (report stage or closed), cancelled, still open; execution rate = done /
    planned; auditor-days planned (all missions) and used (actual days recorded so far). Sum
    the counts to aggregate (region, phase, national) and divide again for the rates.
#}
with

missions as (
    select * from {{ ref('fct_missions') }}
),

aggregated as (
    select
        programme_year,
        region_code,
        province_code,
        rollout_phase,
        count(*) as missions_planned,
        sum(case when is_done then 1 else 0 end) as missions_done,
        sum(case when is_cancelled then 1 else 0 end) as missions_cancelled,
        sum(case when mission_status = 'in_progress' then 1 else 0 end) as missions_in_progress,
        sum(case when mission_status = 'planned' then 1 else 0 end) as missions_not_started,
        sum(case when is_late then 1 else 0 end) as missions_late,
        sum(case when is_internal then 1 else 0 end) as internal_missions_planned,
        sum(case when is_internal and is_done then 1 else 0 end) as internal_missions_done,
        sum(planned_auditor_days) as auditor_days_planned,
        sum(coalesce(actual_auditor_days, 0)) as auditor_days_used
    from missions
    group by programme_year, region_code, province_code, rollout_phase
),

final as (
    select
        cast(programme_year as varchar)
        || '|' || coalesce(region_code, '-')
        || '|' || coalesce(province_code, '-')
        || '|' || coalesce(cast(rollout_phase as varchar), '-') as programme_progress_id,
        region_code,
        province_code,
        programme_year,
        rollout_phase,
        missions_planned,
        missions_done,
        missions_cancelled,
        missions_in_progress,
        missions_not_started,
        missions_late,
        internal_missions_planned,
        internal_missions_done,
        missions_done * 1.0 / nullif(missions_planned, 0) as execution_rate,
        auditor_days_planned,
        auditor_days_used,
        auditor_days_used * 1.0 / nullif(auditor_days_planned, 0)
            as auditor_days_used_rate
    from aggregated
)

select * from final
