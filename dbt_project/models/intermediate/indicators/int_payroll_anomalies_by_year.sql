{#
    HR3: agents sharing a CIN or a RIB with another agent, agents without a posting, and agents
    paid for a month after their exit date; an agent counts once whatever its anomalies.
    Each kind is also counted on its own (agents_sharing_cin, agents_sharing_rib,
    agents_without_posting, agents_paid_after_exit): each has its red flag (red_flag_rules).
#}
with

payroll as (
    select * from {{ ref('stg_rh__payroll_lines') }}
),

agents as (
    select
        collectivity_code,
        fiscal_year,
        agent_id,
        max(cin_hash) as cin_hash,
        max(rib_hash) as rib_hash,
        max(case when posting is null then 1 else 0 end) as has_no_posting,
        max(
            case
                when
                    exit_date is not null
                    and fiscal_year * 100 + pay_month
                    > extract(year from exit_date) * 100 + extract(month from exit_date)
                    then 1
                else 0
            end
        ) as is_paid_after_exit
    from payroll
    group by collectivity_code, fiscal_year, agent_id
),

shared_identifiers as (
    select
        agents.*,
        count(*) over (
            partition by agents.collectivity_code, agents.fiscal_year, agents.cin_hash
        ) as agents_with_same_cin,
        count(*) over (
            partition by agents.collectivity_code, agents.fiscal_year, agents.rib_hash
        ) as agents_with_same_rib
    from agents
),

aggregated as (
    select
        collectivity_code || '|' || cast(fiscal_year as varchar) as collectivity_year_id,
        collectivity_code,
        fiscal_year,
        count(*) as headcount,
        sum(case when agents_with_same_cin > 1 or agents_with_same_rib > 1 then 1 else 0 end)
            as duplicate_identity_agents,
        sum(case when agents_with_same_cin > 1 then 1 else 0 end) as agents_sharing_cin,
        sum(case when agents_with_same_rib > 1 then 1 else 0 end) as agents_sharing_rib,
        sum(has_no_posting) as agents_without_posting,
        sum(is_paid_after_exit) as agents_paid_after_exit,
        sum(
            case
                when
                    agents_with_same_cin > 1
                    or agents_with_same_rib > 1
                    or has_no_posting = 1
                    or is_paid_after_exit = 1
                    then 1
                else 0
            end
        ) as anomalous_agents
    from shared_identifiers
    group by collectivity_code, fiscal_year
)

select * from aggregated
