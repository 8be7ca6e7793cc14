{#
    The proposed programme against the adopted one (the missions file), per programme year,
    collectivity and audited process, for the programme years that have an annual proposal
    (the year after each scored fiscal year). Proposed = a selected row of
    fct_audit_programme of any kind (annual, joint, multi_year) for that year; adopted = a
    mission of that programme year, whatever its type (annuel / pluriannuel) or status
    (a cancelled mission was adopted), except CRC missions: the Court of Accounts is
    independent and is not programmed by the ministry. difference_type: both,
    proposed_not_adopted, adopted_not_proposed.
#}
with

programme as (
    select * from {{ ref('fct_audit_programme') }}
),

missions as (
    select * from {{ ref('fct_missions') }}
),

collectivities as (
    select * from {{ ref('dim_collectivities') }}
),

proposed_years as (
    select distinct programme_year
    from programme
    where programme_kind = 'annual'
),

proposed as (
    select
        programme.programme_year,
        programme.collectivity_code,
        programme.audit_process_code,
        {{ dbt.listagg('programme.programme_kind', "', '", 'order by programme.programme_kind') }}
            as proposed_kinds,
        max(programme.priority_score) as priority_score,
        max(programme.residual_risk) as residual_risk,
        sum(programme.auditor_days) as proposed_auditor_days
    from programme
    inner join proposed_years on programme.programme_year = proposed_years.programme_year
    where programme.is_selected
    group by programme.programme_year, programme.collectivity_code, programme.audit_process_code
),

adopted as (
    select
        missions.programme_year,
        missions.collectivity_code,
        missions.audit_process_code,
        {{ dbt.listagg('missions.mission_id', "', '", 'order by missions.mission_id') }}
            as adopted_mission_ids,
        count(*) as adopted_missions_count,
        sum(case when missions.programme_type = 'annuel' then 1 else 0 end)
            as adopted_annual_count,
        sum(case when missions.programme_type = 'pluriannuel' then 1 else 0 end)
            as adopted_multi_year_count,
        sum(case when missions.is_internal then 1 else 0 end) as adopted_internal_count,
        sum(case when missions.is_cancelled then 1 else 0 end) as adopted_cancelled_count,
        sum(missions.planned_auditor_days) as adopted_auditor_days
    from missions
    inner join proposed_years on missions.programme_year = proposed_years.programme_year
    where missions.audit_body != 'CRC'
    group by missions.programme_year, missions.collectivity_code, missions.audit_process_code
),

compared as (
    select
        coalesce(proposed.programme_year, adopted.programme_year) as programme_year,
        coalesce(proposed.collectivity_code, adopted.collectivity_code) as collectivity_code,
        coalesce(proposed.audit_process_code, adopted.audit_process_code) as audit_process_code,
        proposed.proposed_kinds,
        adopted.adopted_mission_ids,
        case
            when proposed.programme_year is not null and adopted.programme_year is not null
                then 'both'
            when proposed.programme_year is not null then 'proposed_not_adopted'
            else 'adopted_not_proposed'
        end as difference_type,
        proposed.priority_score,
        proposed.residual_risk,
        proposed.proposed_auditor_days,
        coalesce(adopted.adopted_missions_count, 0) as adopted_missions_count,
        coalesce(adopted.adopted_annual_count, 0) as adopted_annual_count,
        coalesce(adopted.adopted_multi_year_count, 0) as adopted_multi_year_count,
        coalesce(adopted.adopted_internal_count, 0) as adopted_internal_count,
        coalesce(adopted.adopted_cancelled_count, 0) as adopted_cancelled_count,
        adopted.adopted_auditor_days
    from proposed
    full outer join adopted
        on
            proposed.programme_year = adopted.programme_year
            and proposed.collectivity_code = adopted.collectivity_code
            and proposed.audit_process_code = adopted.audit_process_code
),

final as (
    select
        cast(compared.programme_year as varchar)
        || '|' || compared.collectivity_code
        || '|' || coalesce(compared.audit_process_code, '-') as programme_difference_id,
        compared.collectivity_code,
        collectivities.region_code,
        collectivities.province_code,
        compared.audit_process_code,
        compared.difference_type,
        compared.proposed_kinds,
        compared.adopted_mission_ids,
        compared.programme_year,
        collectivities.rollout_phase,
        compared.priority_score,
        compared.residual_risk,
        compared.proposed_auditor_days,
        compared.adopted_missions_count,
        compared.adopted_annual_count,
        compared.adopted_multi_year_count,
        compared.adopted_internal_count,
        compared.adopted_cancelled_count,
        compared.adopted_auditor_days
    from compared
    left join collectivities on compared.collectivity_code = collectivities.collectivity_code
)

select * from final
